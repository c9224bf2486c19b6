// What a merchant may do with its events: list them with their delivery state, and have one sent again.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"
#include "ports/store.h"

namespace paygate {

struct ListEventsInput {
  std::optional<std::string> order_id;
  std::optional<std::string> status;
  std::optional<std::string> limit;
  std::optional<std::string> cursor;
};

class MerchantEvents {
 public:
  MerchantEvents(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  Result<EventPage> list(const MerchantId& merchant_id, const ListEventsInput& input);
  // Pending again and due now, whatever its state (a delivered event is delivered again, same id).
  void resend(const MerchantId& merchant_id, std::string_view event_id, Completion<OutboxEvent> done);

 private:
  Store& store_;
  const Clock& clock_;
};

}  // namespace paygate
