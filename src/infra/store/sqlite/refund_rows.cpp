// Refunds: created against a reservation on the paid order, settled by the channel's final word together
// with the ledger postings, the order's new status and the outbox event.
#include "core/assert.h"
#include "domain/refund_rules.h"
#include "fmt/format.h"
#include "infra/store/shared/row_readers.h"
#include "infra/store/sqlite/rows.h"

namespace paygate::sqlite {
namespace {

using store_rows::read_refund;

// Moves the order's refund amounts (and status, on success) with compare-and-set on its version.
Status update_order_refunds(Connection& db, Order& order, OrderStatus status, std::int64_t refunded_delta,
                            std::int64_t refunding_delta, std::int64_t at_ms) {
  db.prepare(
        "UPDATE orders SET status = ?, refunded_minor = refunded_minor + ?,"
        " refunding_minor = refunding_minor + ?, version = version + 1, updated_at_ms = ?"
        " WHERE order_id = ? AND version = ?")
      .bind(1, to_string(status))
      .bind(2, refunded_delta)
      .bind(3, refunding_delta)
      .bind(4, at_ms)
      .bind(5, order.order_id.value)
      .bind(6, order.version)
      .run();
  if (db.changes() != 1)
    return make_error(ErrorCode::kStoreUnavailable, "the order changed concurrently; retry");
  order.status = status;
  order.refunded_minor += refunded_delta;
  order.refunding_minor += refunding_delta;
  order.version += 1;
  order.updated_at_ms = at_ms;
  return {};
}

}  // namespace

std::optional<Refund> select_refund_by_id(Connection& db, const RefundId& refund_id) {
  auto row = db.prepare("SELECT " PAYGATE_REFUND_COLUMNS " FROM refunds WHERE refund_id = ?");
  row.bind(1, refund_id.value);
  if (!row.step()) return std::nullopt;
  return read_refund(row);
}

Result<CreatedRefund> insert_refund(Connection& db, const Refund& refund) {
  if (auto existing = select_refund_by_out_refund_no(db, refund.merchant_id, refund.out_refund_no)) {
    if (existing->request_fingerprint != refund.request_fingerprint) {
      return make_error(ErrorCode::kDuplicateOutRefundNo,
                        fmt::format("out_refund_no '{}' is already refund {} with different fields",
                                    refund.out_refund_no, existing->refund_id.value));
    }
    auto order = select_order(db, existing->merchant_id, existing->order_id);
    PAYGATE_ASSERT(order.has_value());  // refunds reference their order
    return CreatedRefund{std::move(*existing), std::move(*order), false};
  }
  auto order = select_order(db, refund.merchant_id, refund.order_id);
  if (!order)
    return make_error(ErrorCode::kOrderNotFound,
                      fmt::format("order_id '{}' not found", refund.order_id.value));
  // The reservation's rule is domain's; reading the order and inserting in one command makes it hold.
  if (auto refundable = check_refundable(*order, refund); !refundable) return std::move(refundable).error();
  db.prepare("INSERT INTO refunds (" PAYGATE_REFUND_COLUMNS
             ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, refund.refund_id.value)
      .bind(2, refund.merchant_id.value)
      .bind(3, refund.order_id.value)
      .bind(4, refund.out_refund_no)
      .bind(5, refund.amount.minor)
      .bind(6, currency_code(refund.amount.currency))
      .bind(7, refund.reason)
      .bind(8, refund.notify_url)
      .bind(9, to_string(refund.status))
      .bind(10, refund.version)
      .bind(11, refund.created_at_ms)
      .bind(12, refund.updated_at_ms)
      .bind(13, refund.succeeded_at_ms)
      .bind(14, refund.failure_code)
      .bind(15, refund.failure_message)
      .bind(16, refund.request_fingerprint)
      .bind(17, std::int64_t{refund.channel_attempts})
      .bind(18, refund.next_channel_check_ms)
      .run();
  if (auto status =
          update_order_refunds(db, *order, order->status, 0, refund.amount.minor, refund.created_at_ms);
      !status) {
    return std::move(status).error();
  }
  return CreatedRefund{refund, std::move(*order), true};
}

Result<RefundOutcome> update_refund_settlement(Connection& db, AccountBook& book,
                                               const RefundSettlement& settlement) {
  PAYGATE_ASSERT(settlement.status != RefundStatus::kPending);
  auto refund = select_refund_by_id(db, settlement.refund_id);
  if (!refund)
    return make_error(ErrorCode::kRefundNotFound,
                      fmt::format("refund {} not found", settlement.refund_id.value));
  auto order = select_order(db, refund->merchant_id, refund->order_id);
  PAYGATE_ASSERT(order.has_value());
  if (settlement.notify && !insert_notify(db, settlement.notify->channel, settlement.notify->notify_id,
                                          settlement.notify->channel_account_id, refund->order_id.value,
                                          settlement.at_ms, settlement.notify->raw)) {
    return RefundOutcome{std::move(*refund), std::move(*order), false};  // this notify was applied before
  }
  // The rules are domain's (domain/refund_rules.h); this adapter persists what they decide.
  auto decision = decide_refund_settlement(*order, *refund, settlement.status);
  if (!decision.ok()) return std::move(decision).error();
  if (!decision->changes) return RefundOutcome{std::move(*refund), std::move(*order), false};
  auto batch = refund_postings(*order, *refund, *decision);  // from the order as it stands before the move
  if (!batch.ok()) return std::move(batch).error();
  if (!batch->empty()) {
    auto posted = book.post(
        db, *batch, PostingContext{order->order_id.value, order->merchant_id.value, settlement.at_ms});
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
  const std::string_view event_type = decision->outbox_type;
  db.prepare(
        "UPDATE refunds SET status = ?, version = version + 1, updated_at_ms = ?, succeeded_at_ms = ?, "
        "claimed_by = '',"
        " failure_code = ?, failure_message = ? WHERE refund_id = ? AND status = 'pending' AND version = ?")
      .bind(1, to_string(settlement.status))
      .bind(2, settlement.at_ms)
      .bind(3, refund->succeeded_at_ms)
      .bind(4, refund->failure_code)
      .bind(5, refund->failure_message)
      .bind(6, refund->refund_id.value)
      .bind(7, refund->version)
      .run();
  if (db.changes() != 1)
    return make_error(ErrorCode::kStoreUnavailable, "the refund changed concurrently; retry");
  refund->status = settlement.status;
  refund->version += 1;
  refund->updated_at_ms = settlement.at_ms;
  insert_refund_event(db, *refund, *order, event_type, settlement.at_ms);
  return RefundOutcome{std::move(*refund), std::move(*order), true};
}

Result<Refund> update_refund_check(Connection& db, const RefundCheck& check) {
  db.prepare(
        "UPDATE refunds SET channel_attempts = ?, next_channel_check_ms = ?, claimed_by = ''"
        " WHERE refund_id = ? AND status = 'pending'")
      .bind(1, std::int64_t{check.attempts})
      .bind(2, check.next_check_ms)
      .bind(3, check.refund_id.value)
      .run();
  auto refund = select_refund_by_id(db, check.refund_id);
  if (!refund)
    return make_error(ErrorCode::kRefundNotFound, fmt::format("refund {} not found", check.refund_id.value));
  return std::move(*refund);
}

std::optional<Refund> select_refund(Connection& db, const MerchantId& merchant_id,
                                    const RefundId& refund_id) {
  auto row =
      db.prepare("SELECT " PAYGATE_REFUND_COLUMNS " FROM refunds WHERE refund_id = ? AND merchant_id = ?");
  row.bind(1, refund_id.value).bind(2, merchant_id.value);
  if (!row.step()) return std::nullopt;
  return read_refund(row);
}

std::optional<Refund> select_refund_by_out_refund_no(Connection& db, const MerchantId& merchant_id,
                                                     const std::string& out_refund_no) {
  auto row = db.prepare("SELECT " PAYGATE_REFUND_COLUMNS
                        " FROM refunds WHERE merchant_id = ? AND out_refund_no = ?");
  row.bind(1, merchant_id.value).bind(2, out_refund_no);
  if (!row.step()) return std::nullopt;
  return read_refund(row);
}

std::vector<Refund> select_order_refunds(Connection& db, const MerchantId& merchant_id,
                                         const OrderId& order_id) {
  auto row = db.prepare("SELECT " PAYGATE_REFUND_COLUMNS
                        " FROM refunds WHERE order_id = ? AND merchant_id = ? ORDER BY refund_id");
  row.bind(1, order_id.value).bind(2, merchant_id.value);
  std::vector<Refund> out;
  while (row.step()) out.push_back(read_refund(row));
  return out;
}

std::vector<Refund> claim_due_refunds(Connection& db, const JobClaim& claim) {
  auto row = db.prepare("SELECT " PAYGATE_REFUND_COLUMNS
                        " FROM refunds WHERE status = 'pending' AND next_channel_check_ms <= ?"
                        " ORDER BY next_channel_check_ms LIMIT ?");
  row.bind(1, claim.now_ms).bind(2, std::int64_t{claim.limit});
  std::vector<Refund> out;
  while (row.step()) out.push_back(read_refund(row));
  const std::int64_t until_ms = claim.now_ms + claim.lease_ms;
  for (Refund& refund : out) {
    db.prepare("UPDATE refunds SET next_channel_check_ms = ?, claimed_by = ? WHERE refund_id = ?")
        .bind(1, until_ms)
        .bind(2, claim.node_id)
        .bind(3, refund.refund_id.value)
        .run();
    refund.next_channel_check_ms = until_ms;
  }
  return out;
}

}  // namespace paygate::sqlite
