// The one command that applies a channel's word on a trade: inbox, transition, ledger and outbox together.
#include "domain/channel_trade.h"
#include "fmt/format.h"
#include "infra/store/postgres/rows.h"

namespace paygate::postgres {
namespace {

// Persists a moving decision: its postings, the compare-and-set transition and the outbox event.
Result<ChannelTradeOutcome> move_order(Connection& db, AccountCache& accounts, Order order,
                                       const TradeDecision& decision, const ChannelTradeEvent& event) {
  auto batch = trade_postings(order, decision, event.fees);
  if (!batch.ok()) return std::move(batch).error();
  if (!batch->empty()) {
    auto posted = post_batch(db, accounts, *batch,
                             PostingContext{order.order_id.value, order.merchant_id.value, event.at_ms});
    if (!posted.ok()) return std::move(posted).error();
  }
  const bool paying = decision.paying();
  if (db.run("UPDATE orders SET status = $1, version = version + 1, updated_at_ms = $2,"
             " channel_trade_no = CASE WHEN $3 THEN $4 ELSE channel_trade_no END,"
             " paid_at_ms = CASE WHEN $3 THEN $5 ELSE paid_at_ms END,"
             " merchant_fee_bps = CASE WHEN $3 THEN $6 ELSE merchant_fee_bps END,"
             " channel_fee_bps = CASE WHEN $3 THEN $7 ELSE channel_fee_bps END,"
             " fee_rounding = CASE WHEN $3 THEN $8 ELSE fee_rounding END,"
             " refund_fees = CASE WHEN $3 THEN $9 ELSE refund_fees END,"
             " late_payment = late_payment OR $13, claimed_by = ''"
             " WHERE order_id = $10 AND status = $11 AND version = $12",
             {to_string(decision.to), event.at_ms, paying, event.report.channel_trade_no,
              event.report.paid_at_ms, event.fees.merchant_rate_bps, event.fees.channel_rate_bps,
              ledger::to_string(event.fees.rounding), event.fees.refund_fees, order.order_id.value,
              to_string(order.status), order.version, decision.late_payment}) != 1)
    return make_error(ErrorCode::kStoreUnavailable, "the order changed concurrently; retry");
  order.status = decision.to;
  order.version += 1;
  order.updated_at_ms = event.at_ms;
  if (paying) {
    order.channel_trade_no = event.report.channel_trade_no;
    order.paid_at_ms = event.report.paid_at_ms;
    order.fees = event.fees;
    order.late_payment = order.late_payment || decision.late_payment;
  }
  insert_order_event(db, order, decision.outbox_type, event.at_ms);
  return ChannelTradeOutcome{std::move(order), false, true};
}

}  // namespace

bool insert_notify(Connection& db, Channel channel, const std::string& notify_id,
                   const std::string& channel_account_id, const std::string& order_id, std::int64_t at_ms,
                   const std::string& raw) {
  return db.run(
             "INSERT INTO notify_inbox (channel, notify_id, channel_account_id, order_id, received_at_ms, "
             "raw)"
             " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (channel, notify_id) DO NOTHING",
             {to_string(channel), notify_id, channel_account_id, order_id, at_ms, raw}) == 1;
}

Result<ChannelTradeOutcome> apply_channel_trade_event(Connection& db, AccountCache& accounts,
                                                      const ChannelTradeEvent& event) {
  auto order = select_order_by_id(db, event.report.order_id, true);
  if (!order)
    return make_error(ErrorCode::kOrderNotFound,
                      fmt::format("order {} not found", event.report.order_id.value));
  if (auto status = check_trade_account(*order, event.channel_account_id); !status)
    return std::move(status).error();
  if (!event.report.notify_id.empty() &&
      !insert_notify(db, event.channel, event.report.notify_id, event.channel_account_id,
                     event.report.order_id.value, event.at_ms, event.raw)) {
    return ChannelTradeOutcome{std::move(*order), true, false};
  }
  // The rules are domain's (domain/channel_trade.h); this adapter only persists what they decide.
  auto decision = decide_trade(*order, event.report.status, event.report.amount_minor);
  if (!decision.ok()) return std::move(decision).error();
  if (!decision->moves) return ChannelTradeOutcome{std::move(*order), false, false};
  return move_order(db, accounts, std::move(*order), *decision, event);
}

}  // namespace paygate::postgres
