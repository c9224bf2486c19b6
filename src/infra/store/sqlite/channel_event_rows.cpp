// The one command that applies a channel's word on a trade: inbox, transition, ledger and outbox together.
#include "domain/channel_trade.h"
#include "fmt/format.h"
#include "infra/store/sqlite/rows.h"

namespace paygate::sqlite {
namespace {

// Persists a moving decision: its postings, the compare-and-set transition and the outbox event.
Result<ChannelTradeOutcome> move_order(Connection& db, AccountBook& book, Order order,
                                       const TradeDecision& decision, const ChannelTradeEvent& event) {
  auto batch = trade_postings(order, decision, event.fees);
  if (!batch.ok()) return std::move(batch).error();
  if (!batch->empty()) {
    auto posted =
        book.post(db, *batch, PostingContext{order.order_id.value, order.merchant_id.value, event.at_ms});
    if (!posted.ok()) return std::move(posted).error();
  }
  const bool paying = decision.paying();
  db.prepare(
        "UPDATE orders SET status = ?, version = version + 1, updated_at_ms = ?,"
        " channel_trade_no = CASE WHEN ?3 THEN ?4 ELSE channel_trade_no END,"
        " paid_at_ms = CASE WHEN ?3 THEN ?5 ELSE paid_at_ms END,"
        " merchant_fee_bps = CASE WHEN ?3 THEN ?6 ELSE merchant_fee_bps END,"
        " channel_fee_bps = CASE WHEN ?3 THEN ?7 ELSE channel_fee_bps END,"
        " fee_rounding = CASE WHEN ?3 THEN ?8 ELSE fee_rounding END,"
        " refund_fees = CASE WHEN ?3 THEN ?9 ELSE refund_fees END,"
        " late_payment = CASE WHEN ?13 THEN 1 ELSE late_payment END, claimed_by = ''"
        " WHERE order_id = ?10 AND status = ?11 AND version = ?12")
      .bind(1, to_string(decision.to))
      .bind(2, event.at_ms)
      .bind(3, std::int64_t{paying})
      .bind(4, event.report.channel_trade_no)
      .bind(5, event.report.paid_at_ms)
      .bind(6, std::int64_t{event.fees.merchant_rate_bps})
      .bind(7, std::int64_t{event.fees.channel_rate_bps})
      .bind(8, ledger::to_string(event.fees.rounding))
      .bind(9, std::int64_t{event.fees.refund_fees})
      .bind(10, order.order_id.value)
      .bind(11, to_string(order.status))
      .bind(12, order.version)
      .bind(13, std::int64_t{decision.late_payment})
      .run();
  if (db.changes() != 1)
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
  db.prepare(
        "INSERT INTO notify_inbox (channel, notify_id, channel_account_id, order_id, received_at_ms, raw)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (channel, notify_id) DO NOTHING")
      .bind(1, to_string(channel))
      .bind(2, notify_id)
      .bind(3, channel_account_id)
      .bind(4, order_id)
      .bind(5, at_ms)
      .bind(6, raw)
      .run();
  return db.changes() == 1;
}

Result<ChannelTradeOutcome> apply_channel_trade_event(Connection& db, AccountBook& book,
                                                      const ChannelTradeEvent& event) {
  auto order = select_order_by_id(db, event.report.order_id);
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
  return move_order(db, book, std::move(*order), *decision, event);
}

}  // namespace paygate::sqlite
