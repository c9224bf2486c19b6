#include "app/event_feed_relay.h"

#include "core/log.h"

namespace paygate {

EventFeedRelay::EventFeedRelay(Store& store, EventFeed& feed, const Clock& clock, MetricsRegistry& metrics,
                               std::string node_id)
    : store_(store),
      feed_(feed),
      clock_(clock),
      node_id_(std::move(node_id)),
      appended_(metrics.counter("paygate_event_feed_appended_total",
                                "Outbox events appended to the event feed (Redis Stream paygate:events)")),
      failures_(metrics.counter("paygate_event_feed_failures_total",
                                "Rounds of the event feed relay that could not append (they are retried)")) {}

void EventFeedRelay::start() {
  poller_.start("paygate-feed", std::chrono::milliseconds(kPollMs), [this] { relay_queued(); });
}

void EventFeedRelay::stop() { poller_.stop(); }

std::int64_t EventFeedRelay::relay_queued() {
  std::int64_t appended = 0;
  for (;;) {
    auto claimed = wait_for_completion<std::vector<OutboxEvent>>([&](auto done) {
      store_.claim_feed_events(JobClaim{node_id_, clock_.now_unix_ms(), kLeaseMs, kClaimMax},
                               std::move(done));
    });
    if (!claimed.ok()) {
      failures_.increment();
      log::warn("event_feed_claim_failed", {{"error", claimed.error().message}});
      return appended;
    }
    if (claimed->empty()) return appended;
    std::vector<std::string> event_ids;
    event_ids.reserve(claimed->size());
    for (const OutboxEvent& event : *claimed) event_ids.push_back(event.event_id);
    const bool full_claim = claimed->size() == kClaimMax;
    auto sent = wait_for_completion<bool>(
        [&](auto done) { feed_.append(std::move(claimed).value(), std::move(done)); });
    if (!sent.ok()) {
      // The claim stays leased: the events are appended again once it runs out.
      failures_.increment();
      log::warn("event_feed_append_failed",
                {{"error", sent.error().message}, {"events", static_cast<std::int64_t>(event_ids.size())}});
      return appended;
    }
    const auto count = static_cast<std::int64_t>(event_ids.size());
    auto finished = wait_for_completion<std::int64_t>(
        [&](auto done) { store_.finish_feed_events(std::move(event_ids), std::move(done)); });
    if (!finished.ok()) log::warn("event_feed_finish_failed", {{"error", finished.error().message}});
    appended += count;
    appended_.increment(static_cast<std::uint64_t>(count));
    if (!full_claim) return appended;
  }
}

}  // namespace paygate
