// Outbox events: written in the same transaction as the state change they announce. The payloads are kept
// small; the webhook dispatcher (issue 6) renders what merchants receive.
#include "core/ids.h"
#include "core/log.h"
#include "fmt/format.h"
#include "infra/store/sqlite/rows.h"

namespace paygate::sqlite {
namespace {

std::string envelope_start(std::string_view type, std::string_view event_id, std::int64_t at_ms) {
  std::string out = R"({"id":)";
  log::append_json_string(out, event_id);
  out += R"(,"type":)";
  log::append_json_string(out, type);
  out += fmt::format(R"(,"created_at_ms":{},"data":{{)", at_ms);
  return out;
}

void insert_event(Connection& db, const MerchantId& merchant_id, const OrderId& order_id,
                  std::string_view type, const std::string& event_id, const std::string& payload,
                  std::int64_t at_ms) {
  db.prepare(
        "INSERT INTO outbox_events (event_id, merchant_id, order_id, type, payload, created_at_ms)"
        " VALUES (?, ?, ?, ?, ?, ?)")
      .bind(1, event_id)
      .bind(2, merchant_id.value)
      .bind(3, order_id.value)
      .bind(4, type)
      .bind(5, payload)
      .bind(6, at_ms)
      .run();
}

}  // namespace

void insert_order_event(Connection& db, const Order& order, std::string_view type, std::int64_t at_ms) {
  const std::string event_id = new_event_id();
  std::string out = envelope_start(type, event_id, at_ms);
  out += R"("order_id":)";
  log::append_json_string(out, order.order_id.value);
  out += R"(,"out_trade_no":)";
  log::append_json_string(out, order.out_trade_no);
  out += fmt::format(R"(,"status":"{}","amount":{},"currency":"{}","channel_trade_no":)",
                     to_string(order.status), order.amount.minor, currency_code(order.amount.currency));
  log::append_json_string(out, order.channel_trade_no);
  out += fmt::format(R"(,"paid_at_ms":{},"refunded_amount":{}}}}})", order.paid_at_ms, order.refunded_minor);
  insert_event(db, order.merchant_id, order.order_id, type, event_id, out, at_ms);
}

void insert_refund_event(Connection& db, const Refund& refund, const Order& order, std::string_view type,
                         std::int64_t at_ms) {
  const std::string event_id = new_event_id();
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
  insert_event(db, order.merchant_id, order.order_id, type, event_id, out, at_ms);
}

}  // namespace paygate::sqlite
