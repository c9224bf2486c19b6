// Carries durable outbox events to the event feed for other services (ports/event_feed.h): claims what the
// store queued for the feed (oldest first, leased to this node), appends it, and removes it from the queue
// once appended. At least once: a node that dies between the append and the removal leaves the events to be
// appended again when its lease runs out (consumers dedupe by event_id). While the feed is down the queue
// waits in the store and nothing is lost.
#pragma once

#include <cstdint>
#include <string>

#include "core/metrics.h"
#include "core/periodic_worker.h"
#include "core/time.h"
#include "ports/event_feed.h"
#include "ports/store.h"

namespace paygate {

class EventFeedRelay {
 public:
  EventFeedRelay(Store& store, EventFeed& feed, const Clock& clock, MetricsRegistry& metrics,
                 std::string node_id);
  EventFeedRelay(const EventFeedRelay&) = delete;
  EventFeedRelay& operator=(const EventFeedRelay&) = delete;
  ~EventFeedRelay() { stop(); }

  void start();
  void stop();
  // Relays everything queued, a claim at a time; returns how many events it appended.
  std::int64_t relay_queued();

  static constexpr std::uint32_t kClaimMax = 1000;
  // Longer than an append takes (Redis' timeout is well under it), short enough that a dead node's claim
  // is soon taken over.
  static constexpr std::int64_t kLeaseMs = 10'000;
  // The feed is for other services, not for the payer waiting on a page: polling (rather than waking on
  // every order change) lets one claim, one pipeline and one removal carry a whole interval's events.
  static constexpr std::int64_t kPollMs = 200;

 private:
  Store& store_;
  EventFeed& feed_;
  const Clock& clock_;
  const std::string node_id_;
  Counter& appended_;
  Counter& failures_;
  PeriodicWorker poller_;
};

}  // namespace paygate
