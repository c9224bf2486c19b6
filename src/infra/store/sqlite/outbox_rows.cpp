// Outbox events: written in the same transaction as the state change they announce, then delivered to the
// merchant's notify_url by the webhook dispatcher, which records every attempt here.
#include "core/assert.h"
#include "fmt/format.h"
#include "infra/store/shared/outbox_payloads.h"
#include "infra/store/shared/row_readers.h"
#include "infra/store/sqlite/rows.h"

namespace paygate::sqlite {
namespace {

// An event with no notify_url is kept (the events API lists it) but never delivered.
void insert_event(Connection& db, const OutboxEvent& event) {
  db.prepare(
        "INSERT INTO outbox_events (event_id, merchant_id, order_id, type, payload, created_at_ms, "
        "notify_url, status, next_attempt_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, event.event_id)
      .bind(2, event.merchant_id.value)
      .bind(3, event.order_id.value)
      .bind(4, event.type)
      .bind(5, event.payload)
      .bind(6, event.created_at_ms)
      .bind(7, event.notify_url)
      .bind(8, to_string(event.status))
      .bind(9, event.next_attempt_at_ms)
      .run();
}

using store_rows::read_event;

std::optional<OutboxEvent> select_event(Connection& db, const std::string& event_id) {
  auto row = db.prepare("SELECT " PAYGATE_EVENT_COLUMNS " FROM outbox_events WHERE event_id = ?");
  row.bind(1, event_id);
  if (!row.step()) return std::nullopt;
  return read_event(row);
}

}  // namespace

void insert_order_event(Connection& db, const Order& order, std::string_view type, std::int64_t at_ms) {
  insert_event(db, store_rows::order_event(order, type, at_ms));
}

void insert_refund_event(Connection& db, const Refund& refund, const Order& order, std::string_view type,
                         std::int64_t at_ms) {
  insert_event(db, store_rows::refund_event(refund, order, type, at_ms));
}

std::vector<OutboxEvent> claim_due_events(Connection& db, const JobClaim& claim) {
  // An order's events go out in the order they were written: an event waits while an earlier one of the
  // same order is still pending.
  auto row = db.prepare("SELECT " PAYGATE_EVENT_COLUMNS
                        " FROM outbox_events e WHERE e.status = 'pending' AND e.next_attempt_at_ms <= ?"
                        " AND NOT EXISTS (SELECT 1 FROM outbox_events p WHERE p.order_id = e.order_id"
                        "   AND p.status = 'pending' AND p.rowid < e.rowid)"
                        " ORDER BY e.next_attempt_at_ms LIMIT ?");
  row.bind(1, claim.now_ms).bind(2, std::int64_t{claim.limit});
  std::vector<OutboxEvent> out;
  while (row.step()) out.push_back(read_event(row));
  const std::int64_t until_ms = claim.now_ms + claim.lease_ms;
  for (OutboxEvent& event : out) {
    db.prepare("UPDATE outbox_events SET next_attempt_at_ms = ?, claimed_by = ? WHERE event_id = ?")
        .bind(1, until_ms)
        .bind(2, claim.node_id)
        .bind(3, event.event_id)
        .run();
    event.next_attempt_at_ms = until_ms;
  }
  return out;
}

std::int64_t release_events(Connection& db, const std::vector<std::string>& event_ids,
                            std::int64_t due_at_ms) {
  std::int64_t released = 0;
  for (const std::string& event_id : event_ids) {
    db.prepare(
          "UPDATE outbox_events SET next_attempt_at_ms = ?, claimed_by = '' WHERE event_id = ? AND status = "
          "'pending'")
        .bind(1, due_at_ms)
        .bind(2, event_id)
        .run();
    released += db.changes();
  }
  return released;
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
        " last_http_status = ?, last_error = ?, delivered_at_ms = ?, claimed_by = '' WHERE event_id = ?")
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
  db.prepare(
        "UPDATE outbox_events SET status = 'pending', next_attempt_at_ms = ?, claimed_by = '' WHERE event_id "
        "= ?")
      .bind(1, now_ms)
      .bind(2, event_id)
      .run();
  return std::move(*select_event(db, event_id));
}

std::int64_t release_claims(Connection& db, const std::string& node_id, std::int64_t now_ms) {
  // Whatever the node had claimed was due when it claimed it, so it is due now.
  std::int64_t released = 0;
  db.prepare(
        "UPDATE orders SET next_query_at_ms = MIN(next_query_at_ms, ?1), claimed_by = '' WHERE claimed_by = "
        "?2")
      .bind(1, now_ms)
      .bind(2, node_id)
      .run();
  released += db.changes();
  db.prepare(
        "UPDATE refunds SET next_channel_check_ms = MIN(next_channel_check_ms, ?1), claimed_by = ''"
        " WHERE claimed_by = ?2")
      .bind(1, now_ms)
      .bind(2, node_id)
      .run();
  released += db.changes();
  db.prepare(
        "UPDATE outbox_events SET next_attempt_at_ms = MIN(next_attempt_at_ms, ?1), claimed_by = ''"
        " WHERE claimed_by = ?2")
      .bind(1, now_ms)
      .bind(2, node_id)
      .run();
  released += db.changes();
  db.prepare("UPDATE event_feed SET due_at_ms = MIN(due_at_ms, ?1), claimed_by = '' WHERE claimed_by = ?2")
      .bind(1, now_ms)
      .bind(2, node_id)
      .run();
  released += db.changes();
  return released;
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
