// Which outbox events a webhook round may hand to a worker. A round reads the outbox, then starts events
// one by one; meanwhile other deliveries finish. An event may start when it is not in flight, its
// destination has fewer than per_destination_max deliveries in flight, and its delivery did not finish
// after the round read the outbox: such a row is stale (it still says "due" though the attempt is recorded)
// and sending it again would deliver the event twice. Not thread-safe: the dispatcher's mutex guards it.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

namespace paygate {

class DeliveryWindow {
 public:
  explicit DeliveryWindow(std::uint32_t per_destination_max) : per_destination_max_(per_destination_max) {}

  // Call before the round reads the outbox; the number identifies what the round's read can know.
  std::uint64_t begin_round();
  void end_round();

  // Takes a slot and returns true if the event may start now (see above).
  bool try_start(std::uint64_t round, const std::string& event_id, const std::string& destination);
  // The event's attempt is recorded: its slot is free again.
  void finished(const std::string& event_id, const std::string& destination);

  std::size_t in_flight() const { return in_flight_.size(); }
  bool is_in_flight(const std::string& event_id) const { return in_flight_.count(event_id) != 0; }

 private:
  const std::uint32_t per_destination_max_;
  std::set<std::string> in_flight_;                       // event ids handed to a worker
  std::map<std::string, std::uint32_t> per_destination_;  // deliveries in flight per scheme://host:port
  std::uint64_t finishes_ = 0;                            // deliveries finished so far
  std::map<std::string, std::uint64_t> finished_as_;      // event id -> finishes_ when it finished
  int rounds_running_ = 0;
};

}  // namespace paygate
