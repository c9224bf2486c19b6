// The SQL of each store command, as functions over one connection. The writer thread calls the mutating
// ones inside a SAVEPOINT; reader connections call the queries.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "infra/store/sqlite/account_book.h"
#include "infra/store/sqlite/connection.h"
#include "ports/store.h"

namespace paygate::crypto {
class SecretBox;
}

namespace paygate::sqlite {

// Merchant secrets are sealed on the way in and opened on the way out (crypto/secret_box.h).
void insert_merchant(Connection& db, const crypto::SecretBox& box, const Merchant& merchant);
std::optional<Merchant> select_merchant(Connection& db, const crypto::SecretBox& box,
                                        const MerchantId& merchant_id);
std::vector<Merchant> select_merchants(Connection& db, const crypto::SecretBox& box);
Result<Merchant> update_merchant(Connection& db, const crypto::SecretBox& box, const MerchantChange& change);
// Seals every secret stored in plain text (plaintext_only), or every secret not sealed by the box's sealing
// key; returns how many merchants changed.
std::int64_t seal_secrets(Connection& db, const crypto::SecretBox& box, bool plaintext_only);
std::vector<std::string> select_sealing_key_ids(Connection& db);

void insert_operator(Connection& db, const Operator& op, const std::string& key_sha256_hex);
std::optional<Operator> select_operator_by_key(Connection& db, const std::string& key_sha256_hex);
void insert_audit(Connection& db, const AuditEntry& entry);
AuditPage select_audit(Connection& db, const AuditQuery& query);

Result<CreatedOrder> insert_order(Connection& db, const Order& order);
Result<OrderEventOutcome> update_order_status(Connection& db, const OrderEventCommand& command);
std::optional<Order> select_order(Connection& db, const MerchantId& merchant_id, const OrderId& order_id);
std::optional<Order> select_order_by_out_trade_no(Connection& db, const MerchantId& merchant_id,
                                                  const std::string& out_trade_no);
OrderPage select_orders(Connection& db, const OrderQuery& query);
std::vector<Order> claim_expired_orders(Connection& db, const JobClaim& claim);
std::vector<Order> claim_orders_to_query(Connection& db, const JobClaim& claim);
Result<Order> update_order_query(Connection& db, const OrderQueryCheck& check);
std::vector<Order> select_late_payments_to_refund(Connection& db, std::uint32_t limit);

std::optional<Order> select_order_by_id(Connection& db, const OrderId& order_id);
Result<Order> update_channel(Connection& db, const OrderId& order_id, Channel channel,
                             const std::string& method, const std::string& account_id);
Result<Order> update_payment(Connection& db, const PaymentAttachment& attachment);
Result<ChannelTradeOutcome> apply_channel_trade_event(Connection& db, AccountBook& book,
                                                      const ChannelTradeEvent& event);

MerchantBalance select_merchant_balance(Connection& db, const MerchantId& merchant_id);
std::vector<StoredTransfer> select_transfers(Connection& db, const MerchantId& merchant_id,
                                             const OrderId& order_id,
                                             const std::optional<RefundId>& refund_id);
std::vector<LedgerAccountRow> select_ledger_accounts(Connection& db);
void visit_transfers(Connection& db, const std::function<void(const StoredTransfer&)>& visit);
LedgerReport verify_books(Connection& db);
// The checks a ledger-touching command must pass before it commits (when enabled): every account against
// its transfers, Σ debits = Σ credits, and the order's books against its state.
Status check_books_after_command(Connection& db, const OrderId& order_id);

void insert_order_event(Connection& db, const Order& order, std::string_view type, std::int64_t at_ms);
void insert_refund_event(Connection& db, const Refund& refund, const Order& order, std::string_view type,
                         std::int64_t at_ms);

std::vector<OutboxEvent> claim_due_events(Connection& db, const JobClaim& claim);
std::int64_t release_events(Connection& db, const std::vector<std::string>& event_ids,
                            std::int64_t due_at_ms);
// The event feed queue (migrations: event_feed).
void update_event_feed_setting(Connection& db, bool enabled);
std::vector<OutboxEvent> claim_feed_events(Connection& db, const JobClaim& claim);
std::int64_t delete_feed_events(Connection& db, const std::vector<std::string>& event_ids);
// Store::release_claims, over orders, refunds, outbox events and the event feed.
std::int64_t release_claims(Connection& db, const std::string& node_id, std::int64_t now_ms);
Result<OutboxEvent> update_delivery(Connection& db, const DeliveryAttempt& attempt);
Result<OutboxEvent> update_resend(Connection& db, const MerchantId& merchant_id, const std::string& event_id,
                                  std::int64_t now_ms);
EventPage select_events(Connection& db, const EventQuery& query);

Result<CreatedRefund> insert_refund(Connection& db, const Refund& refund);
// Records a notify in the inbox; false when (channel, notify_id) was recorded before.
bool insert_notify(Connection& db, Channel channel, const std::string& notify_id,
                   const std::string& channel_account_id, const std::string& order_id, std::int64_t at_ms,
                   const std::string& raw);
Result<RefundOutcome> update_refund_settlement(Connection& db, AccountBook& book,
                                               const RefundSettlement& settlement);
Result<Refund> update_refund_check(Connection& db, const RefundCheck& check);
std::optional<Refund> select_refund(Connection& db, const MerchantId& merchant_id, const RefundId& refund_id);
std::optional<Refund> select_refund_by_id(Connection& db, const RefundId& refund_id);
std::optional<Refund> select_refund_by_out_refund_no(Connection& db, const MerchantId& merchant_id,
                                                     const std::string& out_refund_no);
std::vector<Refund> select_order_refunds(Connection& db, const MerchantId& merchant_id,
                                         const OrderId& order_id);
std::vector<Refund> claim_due_refunds(Connection& db, const JobClaim& claim);

IdempotencyDecision claim_key(Connection& db, const IdempotencyClaim& claim);
bool finish_key(Connection& db, const IdempotencyResult& result);

}  // namespace paygate::sqlite
