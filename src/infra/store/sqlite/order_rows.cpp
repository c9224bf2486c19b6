#include "infra/store/sqlite/rows.h"

#include "core/assert.h"
#include "fmt/format.h"
#include "infra/store/shared/row_readers.h"

namespace paygate::sqlite {
namespace {

using store_rows::read_order;

}  // namespace

std::optional<Order> select_order(Connection& db, const MerchantId& merchant_id, const OrderId& order_id) {
  auto row =
      db.prepare("SELECT " PAYGATE_ORDER_COLUMNS " FROM orders WHERE order_id = ? AND merchant_id = ?");
  row.bind(1, order_id.value).bind(2, merchant_id.value);
  if (!row.step()) return std::nullopt;
  return read_order(row);
}

std::optional<Order> select_order_by_id(Connection& db, const OrderId& order_id) {
  auto row = db.prepare("SELECT " PAYGATE_ORDER_COLUMNS " FROM orders WHERE order_id = ?");
  row.bind(1, order_id.value);
  if (!row.step()) return std::nullopt;
  return read_order(row);
}

Result<Order> update_channel(Connection& db, const OrderId& order_id, Channel channel,
                             const std::string& method, const std::string& account_id) {
  auto order = select_order_by_id(db, order_id);
  if (!order) return make_error(ErrorCode::kOrderNotFound, "order not found");
  if (order->status != OrderStatus::kPending) {
    return make_error(ErrorCode::kOrderStatusInvalid, fmt::format("order is {}", to_string(order->status)));
  }
  if (order->channel) {
    if (*order->channel == channel && order->method == method) return std::move(*order);
    return make_error(ErrorCode::kOrderStatusInvalid, "the order already has a channel");
  }
  db.prepare(
        "UPDATE orders SET channel = ?, method = ?, channel_account_id = ?, version = version + 1"
        " WHERE order_id = ? AND version = ?")
      .bind(1, to_string(channel))
      .bind(2, method)
      .bind(3, account_id)
      .bind(4, order_id.value)
      .bind(5, order->version)
      .run();
  if (db.changes() != 1)
    return make_error(ErrorCode::kStoreUnavailable, "the order changed concurrently; retry");
  order->channel = channel;
  order->method = method;
  order->channel_account_id = account_id;
  order->version += 1;
  return std::move(*order);
}

Result<Order> update_payment(Connection& db, const PaymentAttachment& attachment) {
  db.prepare(
        "UPDATE orders SET payment_url = ?, payment_params = ? WHERE order_id = ? AND merchant_id = ? AND "
        "status = 'pending'")
      .bind(1, attachment.payment_url)
      .bind(2, attachment.payment_params_json)
      .bind(3, attachment.order_id.value)
      .bind(4, attachment.merchant_id.value)
      .run();
  auto order = select_order(db, attachment.merchant_id, attachment.order_id);
  if (!order) return make_error(ErrorCode::kOrderNotFound, "order not found");
  return std::move(*order);
}

std::optional<Order> select_order_by_out_trade_no(Connection& db, const MerchantId& merchant_id,
                                                  const std::string& out_trade_no) {
  auto row =
      db.prepare("SELECT " PAYGATE_ORDER_COLUMNS " FROM orders WHERE merchant_id = ? AND out_trade_no = ?");
  row.bind(1, merchant_id.value).bind(2, out_trade_no);
  if (!row.step()) return std::nullopt;
  return read_order(row);
}

Result<CreatedOrder> insert_order(Connection& db, const Order& order) {
  // Insert first and look only on a conflict: the common case (a new out_trade_no) costs one statement.
  db.prepare("INSERT INTO orders (" PAYGATE_ORDER_COLUMNS
             ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
             "?, ?, ?, ?)"
             " ON CONFLICT (merchant_id, out_trade_no) DO NOTHING")
      .bind(1, order.order_id.value)
      .bind(2, order.merchant_id.value)
      .bind(3, order.out_trade_no)
      .bind(4, order.amount.minor)
      .bind(5, currency_code(order.amount.currency))
      .bind(6, order.subject)
      .bind(7, order.channel ? std::optional<std::string_view>(to_string(*order.channel)) : std::nullopt)
      .bind(8, order.method)
      .bind(9, order.notify_url)
      .bind(10, order.metadata_json)
      .bind(11, order.client_ip)
      .bind(12, order.user_id)
      .bind(13, to_string(order.status))
      .bind(14, order.version)
      .bind(15, order.created_at_ms)
      .bind(16, order.updated_at_ms)
      .bind(17, order.expires_at_ms)
      .bind(18, order.request_fingerprint)
      .bind(19, order.channel_account_id)
      .bind(20, order.payment_url)
      .bind(21, order.channel_trade_no)
      .bind(22, order.paid_at_ms)
      .bind(23, std::int64_t{order.fees.merchant_rate_bps})
      .bind(24, std::int64_t{order.fees.channel_rate_bps})
      .bind(25, ledger::to_string(order.fees.rounding))
      .bind(26, std::int64_t{order.fees.refund_fees})
      .bind(27, order.refunded_minor)
      .bind(28, order.refunding_minor)
      .bind(29, std::int64_t{order.query_attempts})
      .bind(30, order.next_query_at_ms)
      .bind(31, std::int64_t{order.late_payment})
      .bind(32, order.payment_params_json)
      .run();
  if (db.changes() == 1) return CreatedOrder{order, true};
  auto existing = select_order_by_out_trade_no(db, order.merchant_id, order.out_trade_no);
  PAYGATE_ASSERT(existing.has_value());  // the insert conflicted on exactly this key, inside this transaction
  if (existing->request_fingerprint != order.request_fingerprint) {
    return make_error(ErrorCode::kDuplicateOutTradeNo,
                      fmt::format("out_trade_no '{}' is already order {} with different fields",
                                  order.out_trade_no, existing->order_id.value));
  }
  return CreatedOrder{std::move(*existing), false};
}

Result<OrderEventOutcome> update_order_status(Connection& db, const OrderEventCommand& command) {
  auto order = select_order(db, command.merchant_id, command.order_id);
  if (!order)
    return make_error(ErrorCode::kOrderNotFound,
                      fmt::format("order_id '{}' not found", command.order_id.value));
  const Transition next = transition(order->status, command.event);
  switch (next.kind) {
    case TransitionKind::kIllegal:
      return make_error(ErrorCode::kOrderStatusInvalid,
                        fmt::format("order {} is {}; it cannot {}", order->order_id.value,
                                    to_string(order->status), to_string(command.event)));
    case TransitionKind::kNoop:
      return OrderEventOutcome{std::move(*order), false};
    case TransitionKind::kMove:
      break;
  }
  // Compare-and-set on (status, version): on SQLite the single writer already serialises, but the same
  // statement is what keeps several PostgreSQL nodes from both moving one order.
  db.prepare(
        "UPDATE orders SET status = ?, version = version + 1, updated_at_ms = ?, claimed_by = ''"
        " WHERE order_id = ? AND status = ? AND version = ?")
      .bind(1, to_string(next.to))
      .bind(2, command.at_ms)
      .bind(3, order->order_id.value)
      .bind(4, to_string(order->status))
      .bind(5, order->version)
      .run();
  if (db.changes() != 1) {
    return make_error(ErrorCode::kStoreUnavailable, "the order changed concurrently; retry");
  }
  order->status = next.to;
  order->version += 1;
  order->updated_at_ms = command.at_ms;
  // The merchant hears of every move, in the same transaction: closed by the merchant or by expiry, or
  // failed.
  if (command.event == OrderEvent::kClose || command.event == OrderEvent::kFail) {
    insert_order_event(db, *order, command.event == OrderEvent::kClose ? "order.closed" : "order.failed",
                       command.at_ms);
  }
  return OrderEventOutcome{std::move(*order), true};
}

namespace {

// Pushes each claimed order's next look lease_ms ahead (the claim's lease).
std::vector<Order> lease_orders(Connection& db, std::vector<Order> orders, const JobClaim& claim) {
  const std::int64_t until_ms = claim.now_ms + claim.lease_ms;
  for (Order& order : orders) {
    db.prepare("UPDATE orders SET next_query_at_ms = ?, claimed_by = ? WHERE order_id = ?")
        .bind(1, until_ms)
        .bind(2, claim.node_id)
        .bind(3, order.order_id.value)
        .run();
    order.next_query_at_ms = until_ms;
  }
  return orders;
}

}  // namespace

std::vector<Order> claim_expired_orders(Connection& db, const JobClaim& claim) {
  auto row =
      db.prepare("SELECT " PAYGATE_ORDER_COLUMNS
                 " FROM orders WHERE status = 'pending' AND expires_at_ms <= ?1 AND next_query_at_ms <= ?1"
                 " ORDER BY expires_at_ms LIMIT ?2");
  row.bind(1, claim.now_ms).bind(2, std::int64_t{claim.limit});
  std::vector<Order> out;
  while (row.step()) out.push_back(read_order(row));
  return lease_orders(db, std::move(out), claim);
}

std::vector<Order> claim_orders_to_query(Connection& db, const JobClaim& claim) {
  auto row =
      db.prepare("SELECT " PAYGATE_ORDER_COLUMNS
                 " FROM orders WHERE status = 'pending' AND channel_account_id <> ''"
                 " AND next_query_at_ms <= ?1 AND expires_at_ms > ?1 ORDER BY next_query_at_ms LIMIT ?2");
  row.bind(1, claim.now_ms).bind(2, std::int64_t{claim.limit});
  std::vector<Order> out;
  while (row.step()) out.push_back(read_order(row));
  return lease_orders(db, std::move(out), claim);
}

std::vector<Order> select_late_payments_to_refund(Connection& db, std::uint32_t limit) {
  auto row = db.prepare("SELECT " PAYGATE_ORDER_COLUMNS
                        " FROM orders WHERE late_payment = 1 AND status = 'succeeded'"
                        " AND refunded_minor = 0 AND refunding_minor = 0"
                        " AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.order_id = orders.order_id)"
                        " ORDER BY order_id LIMIT ?");
  row.bind(1, std::int64_t{limit});
  std::vector<Order> out;
  while (row.step()) out.push_back(read_order(row));
  return out;
}

Result<Order> update_order_query(Connection& db, const OrderQueryCheck& check) {
  db.prepare(
        "UPDATE orders SET query_attempts = ?, next_query_at_ms = ?, claimed_by = '' WHERE order_id = ?"
        " AND status = 'pending'")
      .bind(1, std::int64_t{check.attempts})
      .bind(2, check.next_query_at_ms)
      .bind(3, check.order_id.value)
      .run();
  auto order = select_order_by_id(db, check.order_id);
  if (!order) return make_error(ErrorCode::kOrderNotFound, "order not found");
  return std::move(*order);
}

OrderPage select_orders(Connection& db, const OrderQuery& query) {
  // One statement covers every filter combination: a NULL parameter disables its condition.
  auto row = db.prepare("SELECT " PAYGATE_ORDER_COLUMNS
                        " FROM orders WHERE merchant_id = ?1"
                        " AND (?2 IS NULL OR status = ?2)"
                        " AND (?3 IS NULL OR created_at_ms > ?3)"
                        " AND (?4 IS NULL OR order_id < ?4)"
                        " ORDER BY order_id DESC LIMIT ?5");
  row.bind(1, query.merchant_id.value)
      .bind(2, query.status ? std::optional<std::string_view>(to_string(*query.status)) : std::nullopt)
      .bind(3, query.created_after_ms)
      .bind(4,
            query.before_order_id ? std::optional<std::string>(query.before_order_id->value) : std::nullopt)
      .bind(5, std::int64_t{query.limit} + 1);
  OrderPage page;
  while (row.step()) {
    if (page.orders.size() == query.limit) {
      page.has_more = true;
      break;
    }
    page.orders.push_back(read_order(row));
  }
  return page;
}

}  // namespace paygate::sqlite
