// Orders: created once per (merchant, out_trade_no), moved by compare-and-set under their row lock.
#include "core/assert.h"
#include "fmt/format.h"
#include "infra/store/postgres/rows.h"
#include "infra/store/shared/row_readers.h"

namespace paygate::postgres {
namespace {

using store_rows::read_order;

std::optional<Order> first_order(Rows rows) {
  if (!rows.next()) return std::nullopt;
  return read_order(rows);
}

std::vector<Order> all_orders(Rows rows) {
  std::vector<Order> out;
  while (rows.next()) out.push_back(read_order(rows));
  return out;
}

}  // namespace

std::optional<Order> select_order(Connection& db, const MerchantId& merchant_id, const OrderId& order_id,
                                  bool lock) {
  return first_order(lock ? db.query("SELECT " PAYGATE_ORDER_COLUMNS
                                     " FROM orders WHERE order_id = $1 AND merchant_id = $2 FOR UPDATE",
                                     {order_id.value, merchant_id.value})
                          : db.query("SELECT " PAYGATE_ORDER_COLUMNS
                                     " FROM orders WHERE order_id = $1 AND merchant_id = $2",
                                     {order_id.value, merchant_id.value}));
}

std::optional<Order> select_order_by_id(Connection& db, const OrderId& order_id, bool lock) {
  return first_order(
      lock ? db.query("SELECT " PAYGATE_ORDER_COLUMNS " FROM orders WHERE order_id = $1 FOR UPDATE",
                      {order_id.value})
           : db.query("SELECT " PAYGATE_ORDER_COLUMNS " FROM orders WHERE order_id = $1", {order_id.value}));
}

std::optional<Order> select_order_by_out_trade_no(Connection& db, const MerchantId& merchant_id,
                                                  const std::string& out_trade_no) {
  return first_order(db.query("SELECT " PAYGATE_ORDER_COLUMNS
                              " FROM orders WHERE merchant_id = $1 AND out_trade_no = $2",
                              {merchant_id.value, out_trade_no}));
}

Result<Order> update_channel(Connection& db, const OrderId& order_id, Channel channel,
                             const std::string& method, const std::string& account_id) {
  auto order = select_order_by_id(db, order_id, true);
  if (!order) return make_error(ErrorCode::kOrderNotFound, "order not found");
  if (order->status != OrderStatus::kPending) {
    return make_error(ErrorCode::kOrderStatusInvalid, fmt::format("order is {}", to_string(order->status)));
  }
  if (order->channel) {
    if (*order->channel == channel && order->method == method) return std::move(*order);
    return make_error(ErrorCode::kOrderStatusInvalid, "the order already has a channel");
  }
  if (db.run("UPDATE orders SET channel = $1, method = $2, channel_account_id = $3, version = version + 1"
             " WHERE order_id = $4 AND version = $5",
             {to_string(channel), method, account_id, order_id.value, order->version}) != 1)
    return make_error(ErrorCode::kStoreUnavailable, "the order changed concurrently; retry");
  order->channel = channel;
  order->method = method;
  order->channel_account_id = account_id;
  order->version += 1;
  return std::move(*order);
}

Result<Order> update_payment(Connection& db, const PaymentAttachment& attachment) {
  db.run(
      "UPDATE orders SET payment_url = $1, payment_params = $2 WHERE order_id = $3 AND merchant_id = $4"
      " AND status = 'pending'",
      {attachment.payment_url, attachment.payment_params_json, attachment.order_id.value,
       attachment.merchant_id.value});
  auto order = select_order(db, attachment.merchant_id, attachment.order_id);
  if (!order) return make_error(ErrorCode::kOrderNotFound, "order not found");
  return std::move(*order);
}

Result<CreatedOrder> insert_order(Connection& db, const Order& order) {
  // Insert first and look only on a conflict. ON CONFLICT waits for a concurrent insert of the same key to
  // commit or roll back, so the look that follows sees the winner.
  const std::int64_t inserted = db.run(
      "INSERT INTO orders (" PAYGATE_ORDER_COLUMNS
      ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,"
      " $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32)"
      " ON CONFLICT (merchant_id, out_trade_no) DO NOTHING",
      {order.order_id.value,
       order.merchant_id.value,
       order.out_trade_no,
       order.amount.minor,
       currency_code(order.amount.currency),
       order.subject,
       order.channel ? Param(to_string(*order.channel)) : Param(std::nullopt),
       order.method,
       order.notify_url,
       order.metadata_json,
       order.client_ip,
       order.user_id,
       to_string(order.status),
       order.version,
       order.created_at_ms,
       order.updated_at_ms,
       order.expires_at_ms,
       order.request_fingerprint,
       order.channel_account_id,
       order.payment_url,
       order.channel_trade_no,
       order.paid_at_ms,
       order.fees.merchant_rate_bps,
       order.fees.channel_rate_bps,
       ledger::to_string(order.fees.rounding),
       order.fees.refund_fees,
       order.refunded_minor,
       order.refunding_minor,
       order.query_attempts,
       order.next_query_at_ms,
       order.late_payment,
       order.payment_params_json});
  if (inserted == 1) return CreatedOrder{order, true};
  auto existing = select_order_by_out_trade_no(db, order.merchant_id, order.out_trade_no);
  PAYGATE_ASSERT(existing.has_value());  // the insert conflicted on exactly this key, with a committed row
  if (existing->request_fingerprint != order.request_fingerprint) {
    return make_error(ErrorCode::kDuplicateOutTradeNo,
                      fmt::format("out_trade_no '{}' is already order {} with different fields",
                                  order.out_trade_no, existing->order_id.value));
  }
  return CreatedOrder{std::move(*existing), false};
}

Result<OrderEventOutcome> update_order_status(Connection& db, const OrderEventCommand& command) {
  auto order = select_order(db, command.merchant_id, command.order_id, true);
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
  if (db.run("UPDATE orders SET status = $1, version = version + 1, updated_at_ms = $2, claimed_by = ''"
             " WHERE order_id = $3 AND status = $4 AND version = $5",
             {to_string(next.to), command.at_ms, order->order_id.value, to_string(order->status),
              order->version}) != 1) {
    return make_error(ErrorCode::kStoreUnavailable, "the order changed concurrently; retry");
  }
  order->status = next.to;
  order->version += 1;
  order->updated_at_ms = command.at_ms;
  if (command.event == OrderEvent::kClose || command.event == OrderEvent::kFail) {
    insert_order_event(db, *order, command.event == OrderEvent::kClose ? "order.closed" : "order.failed",
                       command.at_ms);
  }
  return OrderEventOutcome{std::move(*order), true};
}

// Claims lock the rows they take and skip rows another node is claiming at that moment; the lease goes
// into next_query_at_ms in the same statement.
std::vector<Order> claim_expired_orders(Connection& db, const JobClaim& claim) {
  return all_orders(db.query(
      "WITH due AS (SELECT order_id FROM orders WHERE status = 'pending'"
      "   AND expires_at_ms <= $1 AND next_query_at_ms <= $1"
      "   ORDER BY expires_at_ms LIMIT $2 FOR UPDATE SKIP LOCKED)"
      " UPDATE orders SET next_query_at_ms = $3, claimed_by = $4 WHERE order_id IN (SELECT order_id FROM due)"
      " RETURNING " PAYGATE_ORDER_COLUMNS,
      {claim.now_ms, std::int64_t{claim.limit}, claim.now_ms + claim.lease_ms, claim.node_id}));
}

std::vector<Order> claim_orders_to_query(Connection& db, const JobClaim& claim) {
  return all_orders(db.query(
      "WITH due AS (SELECT order_id FROM orders WHERE status = 'pending'"
      "   AND channel_account_id <> '' AND next_query_at_ms <= $1 AND expires_at_ms > $1"
      "   ORDER BY next_query_at_ms LIMIT $2 FOR UPDATE SKIP LOCKED)"
      " UPDATE orders SET next_query_at_ms = $3, claimed_by = $4 WHERE order_id IN (SELECT order_id FROM due)"
      " RETURNING " PAYGATE_ORDER_COLUMNS,
      {claim.now_ms, std::int64_t{claim.limit}, claim.now_ms + claim.lease_ms, claim.node_id}));
}

std::vector<Order> select_late_payments_to_refund(Connection& db, std::uint32_t limit) {
  return all_orders(db.query("SELECT " PAYGATE_ORDER_COLUMNS
                             " FROM orders WHERE late_payment AND status = 'succeeded'"
                             " AND refunded_minor = 0 AND refunding_minor = 0"
                             " AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.order_id = orders.order_id)"
                             " ORDER BY order_id LIMIT $1",
                             {std::int64_t{limit}}));
}

Result<Order> update_order_query(Connection& db, const OrderQueryCheck& check) {
  db.run(
      "UPDATE orders SET query_attempts = $1, next_query_at_ms = $2, claimed_by = '' WHERE order_id = $3 AND "
      "status = "
      "'pending'",
      {check.attempts, check.next_query_at_ms, check.order_id.value});
  auto order = select_order_by_id(db, check.order_id);
  if (!order) return make_error(ErrorCode::kOrderNotFound, "order not found");
  return std::move(*order);
}

OrderPage select_orders(Connection& db, const OrderQuery& query) {
  // One statement covers every filter combination: a NULL parameter disables its condition.
  auto rows =
      db.query("SELECT " PAYGATE_ORDER_COLUMNS
               " FROM orders WHERE merchant_id = $1"
               " AND ($2::text IS NULL OR status = $2)"
               " AND ($3::bigint IS NULL OR created_at_ms > $3)"
               " AND ($4::text IS NULL OR order_id < $4)"
               " ORDER BY order_id DESC LIMIT $5",
               {query.merchant_id.value, query.status ? Param(to_string(*query.status)) : Param(std::nullopt),
                query.created_after_ms,
                query.before_order_id ? Param(query.before_order_id->value) : Param(std::nullopt),
                std::int64_t{query.limit} + 1});
  OrderPage page;
  while (rows.next()) {
    if (page.orders.size() == query.limit) {
      page.has_more = true;
      break;
    }
    page.orders.push_back(read_order(rows));
  }
  return page;
}

}  // namespace paygate::postgres
