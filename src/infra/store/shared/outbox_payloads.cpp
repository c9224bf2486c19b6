#include "infra/store/shared/outbox_payloads.h"

#include "core/log.h"
#include "core/time.h"
#include "crypto/random_ids.h"
#include "fmt/format.h"

namespace paygate::store_rows {
namespace {

std::string envelope_start(std::string_view type, std::string_view event_id, std::int64_t at_ms) {
  std::string out = R"({"id":)";
  log::append_json_string(out, event_id);
  out += R"(,"type":)";
  log::append_json_string(out, type);
  out += R"(,"created_at":)";
  log::append_json_string(out, format_rfc3339_ms(at_ms));
  out += R"(,"data":{)";
  return out;
}

OutboxEvent new_event(const Order& order, std::string_view type, std::string event_id, std::string payload,
                      std::string notify_url, std::int64_t at_ms) {
  OutboxEvent event;
  event.event_id = std::move(event_id);
  event.merchant_id = order.merchant_id;
  event.order_id = order.order_id;
  event.type = std::string(type);
  event.payload = std::move(payload);
  event.created_at_ms = at_ms;
  event.status = notify_url.empty() ? DeliveryStatus::kNoEndpoint : DeliveryStatus::kPending;
  event.notify_url = std::move(notify_url);
  event.next_attempt_at_ms = at_ms;
  return event;
}

}  // namespace

OutboxEvent order_event(const Order& order, std::string_view type, std::int64_t at_ms) {
  std::string event_id = new_event_id(at_ms);
  std::string out = envelope_start(type, event_id, at_ms);
  out += R"("order_id":)";
  log::append_json_string(out, order.order_id.value);
  out += R"(,"out_trade_no":)";
  log::append_json_string(out, order.out_trade_no);
  out += fmt::format(R"(,"status":"{}","amount":{},"currency":"{}","channel_trade_no":)",
                     to_string(order.status), order.amount.minor, currency_code(order.amount.currency));
  log::append_json_string(out, order.channel_trade_no);
  out += fmt::format(R"(,"paid_at_ms":{},"refunded_amount":{}}}}})", order.paid_at_ms, order.refunded_minor);
  return new_event(order, type, std::move(event_id), std::move(out), order.notify_url, at_ms);
}

OutboxEvent refund_event(const Refund& refund, const Order& order, std::string_view type,
                         std::int64_t at_ms) {
  std::string event_id = new_event_id(at_ms);
  std::string out = envelope_start(type, event_id, at_ms);
  out += R"("refund_id":)";
  log::append_json_string(out, refund.refund_id.value);
  out += R"(,"out_refund_no":)";
  log::append_json_string(out, refund.out_refund_no);
  out += R"(,"order_id":)";
  log::append_json_string(out, order.order_id.value);
  out += R"(,"out_trade_no":)";
  log::append_json_string(out, order.out_trade_no);
  out += fmt::format(R"(,"status":"{}","amount":{},"currency":"{}","order_status":"{}",)",
                     to_string(refund.status), refund.amount.minor, currency_code(refund.amount.currency),
                     to_string(order.status));
  out += fmt::format(R"("order_refunded_amount":{},"failure_code":)", order.refunded_minor);
  log::append_json_string(out, refund.failure_code);
  out += "}}";
  return new_event(order, type, std::move(event_id), std::move(out),
                   refund.notify_url.empty() ? order.notify_url : refund.notify_url, at_ms);
}

}  // namespace paygate::store_rows
