// Refunds: created against a reservation on the paid order, settled by the channel's final word together
// with the ledger postings, the order's new status and the outbox event. The order's row lock serialises
// every refund command of one order.
#include "core/assert.h"
#include "domain/refund_rules.h"
#include "fmt/format.h"
#include "infra/store/postgres/rows.h"
#include "infra/store/shared/row_readers.h"

namespace paygate::postgres {
namespace {

using store_rows::read_refund;

std::optional<Refund> first_refund(Rows rows) {
  if (!rows.next()) return std::nullopt;
  return read_refund(rows);
}

std::vector<Refund> all_refunds(Rows rows) {
  std::vector<Refund> out;
  while (rows.next()) out.push_back(read_refund(rows));
  return out;
}

// Moves the order's refund amounts (and status, on success) with compare-and-set on its version.
Status update_order_refunds(Connection& db, Order& order, OrderStatus status, std::int64_t refunded_delta,
                            std::int64_t refunding_delta, std::int64_t at_ms) {
  if (db.run("UPDATE orders SET status = $1, refunded_minor = refunded_minor + $2,"
             " refunding_minor = refunding_minor + $3, version = version + 1, updated_at_ms = $4"
             " WHERE order_id = $5 AND version = $6",
             {to_string(status), refunded_delta, refunding_delta, at_ms, order.order_id.value,
              order.version}) != 1)
    return make_error(ErrorCode::kStoreUnavailable, "the order changed concurrently; retry");
  order.status = status;
  order.refunded_minor += refunded_delta;
  order.refunding_minor += refunding_delta;
  order.version += 1;
  order.updated_at_ms = at_ms;
  return {};
}

}  // namespace

std::optional<Refund> select_refund_by_id(Connection& db, const RefundId& refund_id, bool lock) {
  return first_refund(lock ? db.query("SELECT " PAYGATE_REFUND_COLUMNS
                                      " FROM refunds WHERE refund_id = $1 FOR UPDATE",
                                      {refund_id.value})
                           : db.query("SELECT " PAYGATE_REFUND_COLUMNS " FROM refunds WHERE refund_id = $1",
                                      {refund_id.value}));
}

Result<CreatedRefund> insert_refund(Connection& db, const Refund& refund) {
  // The order first: its lock makes the look for out_refund_no below see every refund committed before.
  auto order = select_order(db, refund.merchant_id, refund.order_id, true);
  if (auto existing = select_refund_by_out_refund_no(db, refund.merchant_id, refund.out_refund_no)) {
    if (existing->request_fingerprint != refund.request_fingerprint) {
      return make_error(ErrorCode::kDuplicateOutRefundNo,
                        fmt::format("out_refund_no '{}' is already refund {} with different fields",
                                    refund.out_refund_no, existing->refund_id.value));
    }
    auto its_order = existing->order_id == refund.order_id
                         ? std::move(order)
                         : select_order(db, existing->merchant_id, existing->order_id);
    PAYGATE_ASSERT(its_order.has_value());  // refunds reference their order
    return CreatedRefund{std::move(*existing), std::move(*its_order), false};
  }
  if (!order)
    return make_error(ErrorCode::kOrderNotFound,
                      fmt::format("order_id '{}' not found", refund.order_id.value));
  if (auto refundable = check_refundable(*order, refund); !refundable) return std::move(refundable).error();
  db.run("INSERT INTO refunds (" PAYGATE_REFUND_COLUMNS
         ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
         {refund.refund_id.value, refund.merchant_id.value, refund.order_id.value, refund.out_refund_no,
          refund.amount.minor, currency_code(refund.amount.currency), refund.reason, refund.notify_url,
          to_string(refund.status), refund.version, refund.created_at_ms, refund.updated_at_ms,
          refund.succeeded_at_ms, refund.failure_code, refund.failure_message, refund.request_fingerprint,
          refund.channel_attempts, refund.next_channel_check_ms});
  if (auto status =
          update_order_refunds(db, *order, order->status, 0, refund.amount.minor, refund.created_at_ms);
      !status) {
    return std::move(status).error();
  }
  return CreatedRefund{refund, std::move(*order), true};
}

Result<RefundOutcome> update_refund_settlement(Connection& db, AccountCache& accounts,
                                               const RefundSettlement& settlement) {
  PAYGATE_ASSERT(settlement.status != RefundStatus::kPending);
  auto unlocked = select_refund_by_id(db, settlement.refund_id);
  if (!unlocked)
    return make_error(ErrorCode::kRefundNotFound,
                      fmt::format("refund {} not found", settlement.refund_id.value));
  // Locks in the one order every command takes them: the order, then its refund.
  auto order = select_order(db, unlocked->merchant_id, unlocked->order_id, true);
  PAYGATE_ASSERT(order.has_value());
  auto refund = select_refund_by_id(db, settlement.refund_id, true);
  PAYGATE_ASSERT(refund.has_value());
  if (settlement.notify && !insert_notify(db, settlement.notify->channel, settlement.notify->notify_id,
                                          settlement.notify->channel_account_id, refund->order_id.value,
                                          settlement.at_ms, settlement.notify->raw)) {
    return RefundOutcome{std::move(*refund), std::move(*order), false};  // this notify was applied before
  }
  auto decision = decide_refund_settlement(*order, *refund, settlement.status);
  if (!decision.ok()) return std::move(decision).error();
  if (!decision->changes) return RefundOutcome{std::move(*refund), std::move(*order), false};
  auto batch = refund_postings(*order, *refund, *decision);  // from the order as it stands before the move
  if (!batch.ok()) return std::move(batch).error();
  if (!batch->empty()) {
    auto posted =
        post_batch(db, accounts, *batch,
                   PostingContext{order->order_id.value, order->merchant_id.value, settlement.at_ms});
    if (!posted.ok()) return std::move(posted).error();
  }
  if (auto status = update_order_refunds(db, *order, decision->order_to, decision->refunded_delta,
                                         decision->refunding_delta, settlement.at_ms);
      !status) {
    return std::move(status).error();
  }
  if (settlement.status == RefundStatus::kSucceeded) {
    refund->succeeded_at_ms = settlement.at_ms;
  } else {
    refund->failure_code = settlement.failure_code;
    refund->failure_message = settlement.failure_message;
  }
  if (db.run(
          "UPDATE refunds SET status = $1, version = version + 1, updated_at_ms = $2, succeeded_at_ms = $3,"
          " claimed_by = '',"
          " failure_code = $4, failure_message = $5 WHERE refund_id = $6 AND status = 'pending' AND version "
          "= $7",
          {to_string(settlement.status), settlement.at_ms, refund->succeeded_at_ms, refund->failure_code,
           refund->failure_message, refund->refund_id.value, refund->version}) != 1)
    return make_error(ErrorCode::kStoreUnavailable, "the refund changed concurrently; retry");
  refund->status = settlement.status;
  refund->version += 1;
  refund->updated_at_ms = settlement.at_ms;
  insert_refund_event(db, *refund, *order, decision->outbox_type, settlement.at_ms);
  return RefundOutcome{std::move(*refund), std::move(*order), true};
}

Result<Refund> update_refund_check(Connection& db, const RefundCheck& check) {
  db.run(
      "UPDATE refunds SET channel_attempts = $1, next_channel_check_ms = $2, claimed_by = '' WHERE refund_id "
      "= $3"
      " AND status = 'pending'",
      {check.attempts, check.next_check_ms, check.refund_id.value});
  auto refund = select_refund_by_id(db, check.refund_id);
  if (!refund)
    return make_error(ErrorCode::kRefundNotFound, fmt::format("refund {} not found", check.refund_id.value));
  return std::move(*refund);
}

std::optional<Refund> select_refund(Connection& db, const MerchantId& merchant_id,
                                    const RefundId& refund_id) {
  return first_refund(db.query("SELECT " PAYGATE_REFUND_COLUMNS
                               " FROM refunds WHERE refund_id = $1 AND merchant_id = $2",
                               {refund_id.value, merchant_id.value}));
}

std::optional<Refund> select_refund_by_out_refund_no(Connection& db, const MerchantId& merchant_id,
                                                     const std::string& out_refund_no) {
  return first_refund(db.query("SELECT " PAYGATE_REFUND_COLUMNS
                               " FROM refunds WHERE merchant_id = $1 AND out_refund_no = $2",
                               {merchant_id.value, out_refund_no}));
}

std::vector<Refund> select_order_refunds(Connection& db, const MerchantId& merchant_id,
                                         const OrderId& order_id) {
  return all_refunds(db.query("SELECT " PAYGATE_REFUND_COLUMNS
                              " FROM refunds WHERE order_id = $1 AND merchant_id = $2 ORDER BY refund_id",
                              {order_id.value, merchant_id.value}));
}

std::vector<Refund> claim_due_refunds(Connection& db, const JobClaim& claim) {
  return all_refunds(
      db.query("WITH due AS (SELECT refund_id FROM refunds WHERE status = 'pending'"
               "   AND next_channel_check_ms <= $1 ORDER BY next_channel_check_ms LIMIT $2"
               "   FOR UPDATE SKIP LOCKED)"
               " UPDATE refunds SET next_channel_check_ms = $3, claimed_by = $4"
               " WHERE refund_id IN (SELECT refund_id FROM due) RETURNING " PAYGATE_REFUND_COLUMNS,
               {claim.now_ms, std::int64_t{claim.limit}, claim.now_ms + claim.lease_ms, claim.node_id}));
}

}  // namespace paygate::postgres
