// Outbox events: written in the same transaction as the state change they announce, then delivered to the
// merchant's notify_url by the webhook dispatcher, which records every attempt here.
#include "core/assert.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/time.h"
#include "crypto/random_ids.h"
#include "fmt/format.h"
#include "infra/store/sqlite/rows.h"

namespace paygate::sqlite {
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

// An event with no notify_url is kept (the events API lists it) but never delivered.
void insert_event(Connection& db, const MerchantId& merchant_id, const OrderId& order_id,
                  std::string_view type, const std::string& event_id, const std::string& payload,
                  const std::string& notify_url, std::int64_t at_ms) {
  db.prepare(
        "INSERT INTO outbox_events (event_id, merchant_id, order_id, type, payload, created_at_ms, "
        "notify_url,"
        " status, next_attempt_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, event_id)
      .bind(2, merchant_id.value)
      .bind(3, order_id.value)
      .bind(4, type)
      .bind(5, payload)
      .bind(6, at_ms)
      .bind(7, notify_url)
      .bind(8, std::string_view(notify_url.empty() ? "no_endpoint" : "pending"))
      .bind(9, at_ms)
      .run();
}

#define PAYGATE_EVENT_COLUMNS                                                                     \
  "event_id, merchant_id, order_id, type, payload, created_at_ms, notify_url, status, attempts, " \
  "next_attempt_at_ms, last_http_status, last_error, delivered_at_ms"

OutboxEvent read_event(const Statement& row) {
  OutboxEvent event;
  event.event_id = row.column_text(0);
  event.merchant_id = MerchantId{row.column_text(1)};
  event.order_id = OrderId{row.column_text(2)};
  event.type = row.column_text(3);
  event.payload = row.column_text(4);
  event.created_at_ms = row.column_int64(5);
  event.notify_url = row.column_text(6);
  const auto status = parse_delivery_status(row.column_text(7));
  PAYGATE_ASSERT(status.has_value());
  event.status = *status;
  event.attempts = static_cast<std::int32_t>(row.column_int64(8));
  event.next_attempt_at_ms = row.column_int64(9);
  event.last_http_status = static_cast<std::int32_t>(row.column_int64(10));
  event.last_error = row.column_text(11);
  event.delivered_at_ms = row.column_int64(12);
  return event;
}

std::optional<OutboxEvent> select_event(Connection& db, const std::string& event_id) {
  auto row = db.prepare("SELECT " PAYGATE_EVENT_COLUMNS " FROM outbox_events WHERE event_id = ?");
  row.bind(1, event_id);
  if (!row.step()) return std::nullopt;
  return read_event(row);
}

}  // namespace

void insert_order_event(Connection& db, const Order& order, std::string_view type, std::int64_t at_ms) {
  const std::string event_id = new_event_id(at_ms);
  std::string out = envelope_start(type, event_id, at_ms);
  out += R"("order_id":)";
  log::append_json_string(out, order.order_id.value);
  out += R"(,"out_trade_no":)";
  log::append_json_string(out, order.out_trade_no);
  out += fmt::format(R"(,"status":"{}","amount":{},"currency":"{}","channel_trade_no":)",
                     to_string(order.status), order.amount.minor, currency_code(order.amount.currency));
  log::append_json_string(out, order.channel_trade_no);
  out += fmt::format(R"(,"paid_at_ms":{},"refunded_amount":{}}}}})", order.paid_at_ms, order.refunded_minor);
  insert_event(db, order.merchant_id, order.order_id, type, event_id, out, order.notify_url, at_ms);
}

void insert_refund_event(Connection& db, const Refund& refund, const Order& order, std::string_view type,
                         std::int64_t at_ms) {
  const std::string event_id = new_event_id(at_ms);
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
  insert_event(db, order.merchant_id, order.order_id, type, event_id, out,
               refund.notify_url.empty() ? order.notify_url : refund.notify_url, at_ms);
}

std::vector<OutboxEvent> select_due_events(Connection& db, std::int64_t now_ms, std::uint32_t limit) {
  // An order's events go out in the order they were written: an event waits while an earlier one of the
  // same order is still pending.
  auto row = db.prepare("SELECT " PAYGATE_EVENT_COLUMNS
                        " FROM outbox_events e WHERE e.status = 'pending' AND e.next_attempt_at_ms <= ?"
                        " AND NOT EXISTS (SELECT 1 FROM outbox_events p WHERE p.order_id = e.order_id"
                        "   AND p.status = 'pending' AND p.rowid < e.rowid)"
                        " ORDER BY e.next_attempt_at_ms LIMIT ?");
  row.bind(1, now_ms).bind(2, std::int64_t{limit});
  std::vector<OutboxEvent> out;
  while (row.step()) out.push_back(read_event(row));
  return out;
}

Result<OutboxEvent> update_delivery(Connection& db, const DeliveryAttempt& attempt) {
  auto event = select_event(db, attempt.event_id);
  if (!event) return make_error(ErrorCode::kEventNotFound, "event not found");
  // Only a pending event records attempts: a late answer after a resend or a dead-letter changes nothing.
  if (event->status != DeliveryStatus::kPending) return std::move(*event);
  const DeliveryStatus status = attempt.delivered                 ? DeliveryStatus::kDelivered
                                : attempt.next_attempt_at_ms == 0 ? DeliveryStatus::kDead
                                                                  : DeliveryStatus::kPending;
  db.prepare(
        "UPDATE outbox_events SET status = ?, attempts = attempts + 1, next_attempt_at_ms = ?,"
        " last_http_status = ?, last_error = ?, delivered_at_ms = ? WHERE event_id = ?")
      .bind(1, to_string(status))
      .bind(2, attempt.next_attempt_at_ms)
      .bind(3, std::int64_t{attempt.http_status})
      .bind(4, attempt.error)
      .bind(5, attempt.delivered ? attempt.at_ms : std::int64_t{0})
      .bind(6, attempt.event_id)
      .run();
  return std::move(*select_event(db, attempt.event_id));
}

Result<OutboxEvent> update_resend(Connection& db, const MerchantId& merchant_id, const std::string& event_id,
                                  std::int64_t now_ms) {
  auto event = select_event(db, event_id);
  if (!event || event->merchant_id != merchant_id)
    return make_error(ErrorCode::kEventNotFound, fmt::format("event '{}' not found", event_id));
  if (event->notify_url.empty())
    return make_error(ErrorCode::kInvalidParameter, "event: its order and refund have no notify_url");
  db.prepare("UPDATE outbox_events SET status = 'pending', next_attempt_at_ms = ? WHERE event_id = ?")
      .bind(1, now_ms)
      .bind(2, event_id)
      .run();
  return std::move(*select_event(db, event_id));
}

EventPage select_events(Connection& db, const EventQuery& query) {
  auto row = db.prepare("SELECT " PAYGATE_EVENT_COLUMNS
                        " FROM outbox_events WHERE merchant_id = ?1"
                        " AND (?2 IS NULL OR order_id = ?2)"
                        " AND (?3 IS NULL OR status = ?3)"
                        " AND (?4 IS NULL OR rowid < (SELECT rowid FROM outbox_events WHERE event_id = ?4))"
                        " ORDER BY rowid DESC LIMIT ?5");
  row.bind(1, query.merchant_id.value)
      .bind(2, query.order_id)
      .bind(3, query.status ? std::optional<std::string_view>(to_string(*query.status)) : std::nullopt)
      .bind(4, query.before_event_id)
      .bind(5, std::int64_t{query.limit} + 1);
  EventPage page;
  while (row.step()) {
    if (page.events.size() == query.limit) {
      page.has_more = true;
      break;
    }
    page.events.push_back(read_event(row));
  }
  return page;
}

}  // namespace paygate::sqlite
