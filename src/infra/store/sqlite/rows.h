// The SQL of each store command, as functions over one connection. The writer thread calls the mutating
// ones inside a SAVEPOINT; reader connections call the queries.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "infra/store/sqlite/connection.h"
#include "ports/store.h"

namespace paygate::sqlite {

void insert_merchant(Connection& db, const Merchant& merchant);
std::optional<Merchant> select_merchant(Connection& db, const MerchantId& merchant_id);
std::vector<Merchant> select_merchants(Connection& db);

Result<CreatedOrder> insert_order(Connection& db, const Order& order);
Result<OrderEventOutcome> update_order_status(Connection& db, const OrderEventCommand& command);
std::optional<Order> select_order(Connection& db, const MerchantId& merchant_id, const OrderId& order_id);
std::optional<Order> select_order_by_out_trade_no(Connection& db, const MerchantId& merchant_id,
                                                  const std::string& out_trade_no);
OrderPage select_orders(Connection& db, const OrderQuery& query);

std::optional<Order> select_order_by_id(Connection& db, const OrderId& order_id);
Result<Order> update_channel(Connection& db, const OrderId& order_id, Channel channel,
                             const std::string& method, const std::string& account_id);
Result<Order> update_payment(Connection& db, const PaymentAttachment& attachment);
Result<ChannelTradeOutcome> apply_channel_trade_event(Connection& db, const ChannelTradeEvent& event);

IdempotencyDecision claim_key(Connection& db, const IdempotencyClaim& claim);
bool finish_key(Connection& db, const IdempotencyResult& result);

}  // namespace paygate::sqlite
