#include "app/delivery_window.h"

namespace paygate {

std::uint64_t DeliveryWindow::begin_round() {
  // With no round running, every finish so far is visible to the read about to happen: forget them.
  if (rounds_running_ == 0) finished_as_.clear();
  ++rounds_running_;
  return finishes_;
}

void DeliveryWindow::end_round() { --rounds_running_; }

bool DeliveryWindow::try_start(std::uint64_t round, const std::string& event_id,
                               const std::string& destination) {
  if (in_flight_.count(event_id) != 0) return false;
  if (auto it = finished_as_.find(event_id); it != finished_as_.end() && it->second > round) return false;
  auto& busy = per_destination_[destination];
  if (busy >= per_destination_max_) return false;  // this host has enough; others go ahead
  ++busy;
  in_flight_.insert(event_id);
  return true;
}

void DeliveryWindow::finished(const std::string& event_id, const std::string& destination) {
  in_flight_.erase(event_id);
  finished_as_[event_id] = ++finishes_;
  if (auto it = per_destination_.find(destination); it != per_destination_.end() && --it->second == 0)
    per_destination_.erase(it);
}

}  // namespace paygate
