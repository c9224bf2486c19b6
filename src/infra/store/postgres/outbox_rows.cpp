// Outbox events: written in the same transaction as the state change they announce, then delivered to the
// merchant's notify_url by the webhook dispatcher, which records every attempt here.
#include <algorithm>

#include "fmt/format.h"
#include "infra/store/postgres/rows.h"
#include "infra/store/shared/outbox_payloads.h"
#include "infra/store/shared/row_readers.h"

namespace paygate::postgres {
namespace {

using store_rows::read_event;

void insert_event(Connection& db, const OutboxEvent& event) {
  db.run(
      "INSERT INTO outbox_events (event_id, merchant_id, order_id, type, payload, created_at_ms, notify_url,"
      " status, next_attempt_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
      {event.event_id, event.merchant_id.value, event.order_id.value, event.type, event.payload,
       event.created_at_ms, event.notify_url, to_string(event.status), event.next_attempt_at_ms});
}

std::optional<OutboxEvent> select_event(Connection& db, const std::string& event_id, bool lock) {
  auto rows =
      lock ? db.query("SELECT " PAYGATE_EVENT_COLUMNS " FROM outbox_events WHERE event_id = $1 FOR UPDATE",
                      {event_id})
           : db.query("SELECT " PAYGATE_EVENT_COLUMNS " FROM outbox_events WHERE event_id = $1", {event_id});
  if (!rows.next()) return std::nullopt;
  return read_event(rows);
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
  // same order is still pending (claimed or not).
  auto rows = db.query(
      "WITH due AS (SELECT e.event_id FROM outbox_events e WHERE e.status = 'pending'"
      "   AND e.next_attempt_at_ms <= $1"
      "   AND NOT EXISTS (SELECT 1 FROM outbox_events p WHERE p.order_id = e.order_id"
      "     AND p.status = 'pending' AND p.seq < e.seq)"
      "   ORDER BY e.next_attempt_at_ms, e.seq LIMIT $2 FOR UPDATE SKIP LOCKED)"
      " UPDATE outbox_events SET next_attempt_at_ms = $3, claimed_by = $4"
      " WHERE event_id IN (SELECT event_id FROM due) RETURNING " PAYGATE_EVENT_COLUMNS,
      {claim.now_ms, std::int64_t{claim.limit}, claim.now_ms + claim.lease_ms, claim.node_id});
  std::vector<OutboxEvent> out;
  while (rows.next()) out.push_back(read_event(rows));
  std::sort(out.begin(), out.end(),
            [](const OutboxEvent& a, const OutboxEvent& b) { return a.created_at_ms < b.created_at_ms; });
  return out;
}

std::int64_t release_events(Connection& db, const std::vector<std::string>& event_ids,
                            std::int64_t due_at_ms) {
  std::int64_t released = 0;
  for (const std::string& event_id : event_ids) {
    released += db.run(
        "UPDATE outbox_events SET next_attempt_at_ms = $1, claimed_by = '' WHERE event_id = $2 AND status = "
        "'pending'",
        {due_at_ms, event_id});
  }
  return released;
}

Result<OutboxEvent> update_delivery(Connection& db, const DeliveryAttempt& attempt) {
  auto event = select_event(db, attempt.event_id, true);
  if (!event) return make_error(ErrorCode::kEventNotFound, "event not found");
  // Only a pending event records attempts: a late answer after a resend or a dead-letter changes nothing.
  if (event->status != DeliveryStatus::kPending) return std::move(*event);
  const DeliveryStatus status = attempt.delivered                 ? DeliveryStatus::kDelivered
                                : attempt.next_attempt_at_ms == 0 ? DeliveryStatus::kDead
                                                                  : DeliveryStatus::kPending;
  db.run(
      "UPDATE outbox_events SET status = $1, attempts = attempts + 1, next_attempt_at_ms = $2,"
      " last_http_status = $3, last_error = $4, delivered_at_ms = $5, claimed_by = '' WHERE event_id = $6",
      {to_string(status), attempt.next_attempt_at_ms, attempt.http_status, attempt.error,
       attempt.delivered ? attempt.at_ms : std::int64_t{0}, attempt.event_id});
  return std::move(*select_event(db, attempt.event_id, false));
}

Result<OutboxEvent> update_resend(Connection& db, const MerchantId& merchant_id, const std::string& event_id,
                                  std::int64_t now_ms) {
  auto event = select_event(db, event_id, true);
  if (!event || event->merchant_id != merchant_id)
    return make_error(ErrorCode::kEventNotFound, fmt::format("event '{}' not found", event_id));
  if (event->notify_url.empty())
    return make_error(ErrorCode::kInvalidParameter, "event: its order and refund have no notify_url");
  db.run(
      "UPDATE outbox_events SET status = 'pending', next_attempt_at_ms = $1, claimed_by = '' WHERE event_id "
      "= $2",
      {now_ms, event_id});
  return std::move(*select_event(db, event_id, false));
}

std::int64_t release_claims(Connection& db, const std::string& node_id, std::int64_t now_ms) {
  // Whatever the node had claimed was due when it claimed it, so it is due now.
  return db.run(
             "UPDATE orders SET next_query_at_ms = LEAST(next_query_at_ms, $1), claimed_by = ''"
             " WHERE claimed_by = $2",
             {now_ms, node_id}) +
         db.run(
             "UPDATE refunds SET next_channel_check_ms = LEAST(next_channel_check_ms, $1), claimed_by = ''"
             " WHERE claimed_by = $2",
             {now_ms, node_id}) +
         db.run(
             "UPDATE outbox_events SET next_attempt_at_ms = LEAST(next_attempt_at_ms, $1), claimed_by = ''"
             " WHERE claimed_by = $2",
             {now_ms, node_id}) +
         db.run(
             "UPDATE event_feed SET due_at_ms = LEAST(due_at_ms, $1), claimed_by = '' WHERE claimed_by = $2",
             {now_ms, node_id});
}

EventPage select_events(Connection& db, const EventQuery& query) {
  auto rows = db.query("SELECT " PAYGATE_EVENT_COLUMNS
                       " FROM outbox_events WHERE merchant_id = $1"
                       " AND ($2::text IS NULL OR order_id = $2)"
                       " AND ($3::text IS NULL OR status = $3)"
                       " AND ($4::text IS NULL OR seq < (SELECT seq FROM outbox_events WHERE event_id = $4))"
                       " ORDER BY seq DESC LIMIT $5",
                       {query.merchant_id.value, query.order_id,
                        query.status ? Param(to_string(*query.status)) : Param(std::nullopt),
                        query.before_event_id, std::int64_t{query.limit} + 1});
  EventPage page;
  while (rows.next()) {
    if (page.events.size() == query.limit) {
      page.has_more = true;
      break;
    }
    page.events.push_back(read_event(rows));
  }
  return page;
}

}  // namespace paygate::postgres
