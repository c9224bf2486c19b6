// Where durable outbox events also go for other services to consume (Redis Stream `paygate:events`,
// docs/events.md): at least once, each with its own event_id, so consumers dedupe by it.
#pragma once

#include <vector>

#include "domain/event_delivery.h"
#include "ports/completion.h"

namespace paygate {

class EventFeed {
 public:
  virtual ~EventFeed() = default;
  // Appends the events in order; completes once all are appended, or with DEPENDENCY_UNAVAILABLE.
  virtual void append(std::vector<OutboxEvent> events, Completion<bool> done) = 0;
};

}  // namespace paygate
