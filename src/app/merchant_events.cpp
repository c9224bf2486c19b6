#include "app/merchant_events.h"

#include <charconv>

#include "app/input_checks.h"
#include "core/text.h"

namespace paygate {
namespace {

constexpr std::uint32_t kEventsPerPageMax = 100;

bool is_event_id(std::string_view text) { return text.starts_with("evt_") && is_token(text, 64); }

}  // namespace

Result<EventPage> MerchantEvents::list(const MerchantId& merchant_id, const ListEventsInput& input) {
  EventQuery query;
  query.merchant_id = merchant_id;
  if (input.order_id) {
    if (!is_order_id_syntax(*input.order_id)) return invalid_field("order_id", "is not an order id");
    // Another merchant's order is not found, like every id a merchant does not own.
    auto order = store_.find_order(merchant_id, OrderId{*input.order_id});
    if (!order.ok()) return std::move(order).error();
    if (!*order) return make_error(ErrorCode::kOrderNotFound, "order_id: not found");
    query.order_id = *input.order_id;
  }
  if (input.status) {
    query.status = parse_delivery_status(*input.status);
    if (!query.status) return invalid_field("status", "must be pending, delivered, dead or no_endpoint");
  }
  if (input.limit) {
    std::uint32_t limit = 0;
    const auto* end = input.limit->data() + input.limit->size();
    if (std::from_chars(input.limit->data(), end, limit).ptr != end || limit < 1 || limit > kEventsPerPageMax)
      return invalid_field("limit", "must be an integer from 1 to 100");
    query.limit = limit;
  }
  if (input.cursor) {
    if (!is_event_id(*input.cursor)) return invalid_field("cursor", "is not a cursor this API returned");
    query.before_event_id = *input.cursor;
  }
  return store_.list_events(query);
}

void MerchantEvents::resend(const MerchantId& merchant_id, std::string_view event_id,
                            Completion<OutboxEvent> done) {
  if (!is_event_id(event_id)) return done(make_error(ErrorCode::kEventNotFound, "event not found"));
  store_.resend_event(merchant_id, std::string(event_id), clock_.now_unix_ms(), std::move(done));
}

}  // namespace paygate
