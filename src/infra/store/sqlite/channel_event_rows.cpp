// The one command that applies a channel's word on a trade: inbox, transition and outbox together.
#include "core/ids.h"
#include "core/log.h"
#include "fmt/format.h"
#include "infra/store/sqlite/rows.h"

namespace paygate::sqlite {
namespace {

// The merchant-facing event, kept small: the webhook dispatcher (issue 6) renders the full order.
std::string event_payload(const Order& order, std::string_view type, std::string_view event_id,
                          std::int64_t at_ms) {
  std::string out = R"({"id":)";
  log::append_json_string(out, event_id);
  out += R"(,"type":)";
  log::append_json_string(out, type);
  out += fmt::format(R"(,"created_at_ms":{},"data":{{"order_id":)", at_ms);
  log::append_json_string(out, order.order_id.value);
  out += R"(,"out_trade_no":)";
  log::append_json_string(out, order.out_trade_no);
  out += fmt::format(R"(,"status":"{}","amount":{},"currency":"{}","channel_trade_no":)",
                     to_string(order.status), order.amount.minor, currency_code(order.amount.currency));
  log::append_json_string(out, order.channel_trade_no);
  out += fmt::format(R"(,"paid_at_ms":{}}}}})", order.paid_at_ms);
  return out;
}

void insert_outbox_event(Connection& db, const Order& order, std::string_view type, std::int64_t at_ms) {
  const std::string event_id = new_event_id();
  db.prepare(
        "INSERT INTO outbox_events (event_id, merchant_id, order_id, type, payload, created_at_ms)"
        " VALUES (?, ?, ?, ?, ?, ?)")
      .bind(1, event_id)
      .bind(2, order.merchant_id.value)
      .bind(3, order.order_id.value)
      .bind(4, type)
      .bind(5, event_payload(order, type, event_id, at_ms))
      .bind(6, at_ms)
      .run();
}

Result<ChannelTradeOutcome> move_order(Connection& db, Order order, OrderEvent order_event,
                                       const ChannelTradeEvent& event) {
  const Transition next = transition(order.status, order_event);
  if (next.kind == TransitionKind::kNoop) return ChannelTradeOutcome{std::move(order), false, false};
  if (next.kind == TransitionKind::kIllegal) {
    return make_error(ErrorCode::kOrderStatusInvalid,
                      fmt::format("order {} is {}; the channel says {}", order.order_id.value,
                                  to_string(order.status), to_string(order_event)));
  }
  const bool paying = order_event == OrderEvent::kPay;
  db.prepare(
        "UPDATE orders SET status = ?, version = version + 1, updated_at_ms = ?,"
        " channel_trade_no = CASE WHEN ? THEN ? ELSE channel_trade_no END,"
        " paid_at_ms = CASE WHEN ? THEN ? ELSE paid_at_ms END"
        " WHERE order_id = ? AND status = ? AND version = ?")
      .bind(1, to_string(next.to))
      .bind(2, event.at_ms)
      .bind(3, std::int64_t{paying})
      .bind(4, event.report.channel_trade_no)
      .bind(5, std::int64_t{paying})
      .bind(6, event.report.paid_at_ms)
      .bind(7, order.order_id.value)
      .bind(8, to_string(order.status))
      .bind(9, order.version)
      .run();
  if (db.changes() != 1)
    return make_error(ErrorCode::kStoreUnavailable, "the order changed concurrently; retry");
  order.status = next.to;
  order.version += 1;
  order.updated_at_ms = event.at_ms;
  if (paying) {
    order.channel_trade_no = event.report.channel_trade_no;
    order.paid_at_ms = event.report.paid_at_ms;
  }
  insert_outbox_event(db, order, paying ? "order.succeeded" : "order.closed", event.at_ms);
  return ChannelTradeOutcome{std::move(order), false, true};
}

}  // namespace

Result<ChannelTradeOutcome> apply_channel_trade_event(Connection& db, const ChannelTradeEvent& event) {
  auto order = select_order_by_id(db, event.report.order_id);
  if (!order)
    return make_error(ErrorCode::kOrderNotFound,
                      fmt::format("order {} not found", event.report.order_id.value));
  if (order->channel_account_id != event.channel_account_id) {
    return make_error(ErrorCode::kInvalidParameter, "the order belongs to another channel account");
  }
  if (!event.report.notify_id.empty()) {
    db.prepare(
          "INSERT INTO notify_inbox (channel, notify_id, channel_account_id, order_id, received_at_ms, raw)"
          " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (channel, notify_id) DO NOTHING")
        .bind(1, to_string(event.channel))
        .bind(2, event.report.notify_id)
        .bind(3, event.channel_account_id)
        .bind(4, event.report.order_id.value)
        .bind(5, event.at_ms)
        .bind(6, event.raw)
        .run();
    if (db.changes() == 0) return ChannelTradeOutcome{std::move(*order), true, false};
  }
  switch (event.report.status) {
    case ChannelTradeStatus::kPaid:
      // A valid signature over the wrong amount is still refused: the notify changes nothing.
      if (event.report.amount_minor != order->amount.minor) {
        return make_error(ErrorCode::kInvalidParameter,
                          fmt::format("paid amount {} does not match order amount {}",
                                      event.report.amount_minor, order->amount.minor));
      }
      return move_order(db, std::move(*order), OrderEvent::kPay, event);
    case ChannelTradeStatus::kClosed:
      // Alipay also reports TRADE_CLOSED after a full refund: for a paid order that is not a close.
      if (order->status != OrderStatus::kPending) return ChannelTradeOutcome{std::move(*order), false, false};
      return move_order(db, std::move(*order), OrderEvent::kClose, event);
    case ChannelTradeStatus::kWaiting:
    case ChannelTradeStatus::kNotFound:
      return ChannelTradeOutcome{std::move(*order), false, false};
  }
  return make_error(ErrorCode::kInternal, "unreachable");
}

}  // namespace paygate::sqlite
