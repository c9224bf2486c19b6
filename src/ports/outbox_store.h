// The outbox: events for merchants and their delivery state (the Store port, DESIGN §8).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/event_delivery.h"
#include "ports/completion.h"
#include "ports/job_claim.h"

namespace paygate {

// One attempt to deliver an event: delivered, or failed with when to try next (0: never — dead-lettered).
struct DeliveryAttempt {
  std::string event_id;
  bool delivered = false;
  std::int32_t http_status = 0;
  std::string error;
  std::int64_t at_ms = 0;
  std::int64_t next_attempt_at_ms = 0;
};

// Newest first; `before_event_id` is the cursor: the last event of the previous page.
struct EventQuery {
  MerchantId merchant_id;
  std::optional<std::string> order_id;
  std::optional<DeliveryStatus> status;
  std::optional<std::string> before_event_id;
  std::uint32_t limit = 20;
};

struct EventPage {
  std::vector<OutboxEvent> events;
  bool has_more = false;
};

class OutboxStore {
 public:
  virtual ~OutboxStore() = default;

  // Claims pending events whose next attempt is due and that no earlier pending event of their order holds
  // back (only durable events: they leave the process).
  virtual void claim_due_events(JobClaim claim, Completion<std::vector<OutboxEvent>> done) = 0;
  // Gives claimed events back unattempted, due at due_at_ms (a round that could not start them all).
  virtual void release_events(std::vector<std::string> event_ids, std::int64_t due_at_ms,
                              Completion<std::int64_t> done) = 0;
  virtual void record_delivery(DeliveryAttempt attempt, Completion<OutboxEvent> done) = 0;
  virtual Result<EventPage> list_events(const EventQuery& query) = 0;

  // The event feed for other services (ports/event_feed.h). While enabled, every event written is also
  // queued for the feed in the same command; disabling stops queueing (what is queued stays). A deployment
  // without a feed queues nothing.
  virtual void set_event_feed(bool enabled, Completion<bool> done) = 0;
  // Claims queued events, oldest first (only durable ones), leased to the claiming node.
  virtual void claim_feed_events(JobClaim claim, Completion<std::vector<OutboxEvent>> done) = 0;
  // Removes the events from the feed queue once the feed holds them.
  virtual void finish_feed_events(std::vector<std::string> event_ids, Completion<std::int64_t> done) = 0;
  // Makes the merchant's event pending again, due now (EVENT_NOT_FOUND for another merchant's event).
  virtual void resend_event(MerchantId merchant_id, std::string event_id, std::int64_t now_ms,
                            Completion<OutboxEvent> done) = 0;
};

}  // namespace paygate
