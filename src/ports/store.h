// The Store port: every durable command and query the app needs. SQLite implements it today; a PostgreSQL
// adapter implements the same commands as transactions (uniqueness and compare-and-set in SQL).
//
// Writes complete asynchronously: the Completion runs once the command is durable (or failed), on a store
// thread, so it must be cheap and hand work back to its caller's executor. Reads are synchronous and
// thread-safe; they see every write whose completion has run, and may see a committed write up to one fsync
// before it is durable (its completion has not run yet). The outbox reads (list_due_events, list_events)
// return only durable events, since what they return leaves the process on our own initiative.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "domain/event_delivery.h"
#include "domain/ledger/transfer.h"
#include "domain/merchant.h"
#include "domain/order.h"
#include "domain/refund.h"
#include "ports/channel_gateway.h"

namespace paygate {

template <class T>
using Completion = std::function<void(Result<T>)>;

struct CreatedOrder {
  Order order;
  bool created = false;  // false: an order with the same out_trade_no and the same fields already existed
};

struct OrderEventCommand {
  MerchantId merchant_id;
  OrderId order_id;
  OrderEvent event;
  std::int64_t at_ms = 0;
};

struct OrderEventOutcome {
  Order order;           // the order after the command
  bool changed = false;  // false: the event was a no-op for the order's status (e.g. closing a closed order)
};

// Newest first. `before_order_id` is the cursor: the last order of the previous page.
struct OrderQuery {
  MerchantId merchant_id;
  std::optional<OrderStatus> status;
  std::optional<std::int64_t> created_after_ms;
  std::optional<OrderId> before_order_id;
  std::uint32_t limit = 20;
};

struct OrderPage {
  std::vector<Order> orders;
  bool has_more = false;
};

// An Idempotency-Key claim: the first request under a key proceeds and holds a lease on the key until it
// completes; later requests replay its stored response.
struct IdempotencyClaim {
  MerchantId merchant_id;
  std::string key;
  std::string request_fingerprint;
  std::int64_t now_ms = 0;
  std::int64_t lease_ms = 0;  // an in-progress claim older than this may be taken over (its holder crashed)
};

enum class IdempotencyVerdict : std::uint8_t { kProceed, kReplay, kFingerprintMismatch, kInProgress };

struct IdempotencyDecision {
  IdempotencyVerdict verdict = IdempotencyVerdict::kProceed;
  int status_code = 0;        // kReplay only
  std::string response_body;  // kReplay only
};

struct IdempotencyResult {
  MerchantId merchant_id;
  std::string key;
  int status_code = 0;
  std::string response_body;
  bool keep = true;  // false releases the key (the request failed in a way a retry may fix)
};

struct PaymentAttachment {
  MerchantId merchant_id;
  OrderId order_id;
  std::string payment_url;
  std::string payment_params_json;
};

// A channel's authenticated word on a trade, as the store applies it: the report is recorded in the inbox
// (when it carries a notify_id, so it applies once), moves the order and writes the outbox event.
struct ChannelTradeEvent {
  Channel channel = Channel::kAlipay;
  std::string channel_account_id;
  ChannelTradeReport report;
  std::string raw;  // the notify as received; "" for a query result
  std::int64_t at_ms = 0;
  ledger::FeeSchedule
      fees;  // the rates in force now: a payment posts with them and freezes them on the order
};

struct ChannelTradeOutcome {
  Order order;
  bool duplicate_notify = false;  // this notify_id was applied before; nothing changed
  bool changed = false;           // the order moved (and an outbox event was written with it)
};
// A payment reported for an order we had closed is a late payment: it is recorded (ledger, status
// succeeded with the late_payment flag, an order.late_payment event), never refused.

// A pending channel order is about to be asked about at its channel: counts it and says when to ask next.
struct OrderQueryCheck {
  OrderId order_id;
  std::int32_t attempts = 0;
  std::int64_t next_query_at_ms = 0;
};

struct CreatedRefund {
  Refund refund;
  Order order;           // after the command: its refunding amount includes this refund when created
  bool created = false;  // false: the same out_refund_no with the same fields already existed
};

// A channel's final word on a refund. Success posts the refund's transfers, moves the order and releases
// the reservation; failure only releases it. Either writes an outbox event, all in one command.
// A channel notify as received, for the inbox (unique per channel and notify id).
struct ReceivedNotify {
  Channel channel = Channel::kAlipay;
  std::string notify_id;
  std::string channel_account_id;
  std::string raw;
};

struct RefundSettlement {
  RefundId refund_id;
  RefundStatus status = RefundStatus::kSucceeded;  // kSucceeded or kFailed
  std::string failure_code;                        // kFailed: the channel's code
  std::string failure_message;
  std::int64_t at_ms = 0;
  // Set when a notify says so (WeChat Pay REFUND.*): recorded in the inbox in the same command; a notify
  // recorded before changes nothing.
  std::optional<ReceivedNotify> notify;
};

struct RefundOutcome {
  Refund refund;
  Order order;
  bool changed = false;  // false: the refund was already in that final status
};

// A pending refund was (or is about to be) asked about at its channel: counts the attempt and says when
// to ask next, so that a crash or an unknown outcome leaves it to be asked again.
struct RefundCheck {
  RefundId refund_id;
  std::int32_t attempts = 0;
  std::int64_t next_check_ms = 0;
};

struct MerchantBalance {
  Currency currency = Currency::kCny;
  std::int64_t payable_minor = 0;          // what we owe the merchant, by the ledger
  std::int64_t refunds_pending_minor = 0;  // reserved by refunds the channel has not finished
};

// One transfer as stored, with what the store adds: its id, its batch and when it was written.
struct StoredTransfer {
  std::int64_t transfer_id = 0;
  std::int64_t batch_id = 0;
  ledger::Transfer transfer;
  std::string order_id;
  std::int64_t created_at_ms = 0;
};

struct LedgerAccountRow {
  std::string code;
  ledger::AccountType type = ledger::AccountType::kAsset;
  Currency currency = Currency::kCny;
  std::int64_t debits_posted = 0;
  std::int64_t credits_posted = 0;
};

// What `paygate ledger verify` checked and every problem it found (empty = the books are sound).
struct LedgerReport {
  std::int64_t accounts = 0;
  std::int64_t transfers = 0;
  std::int64_t orders_checked = 0;
  std::int64_t debits_total_minor = 0;
  std::int64_t credits_total_minor = 0;
  std::vector<std::string> problems;
  bool sound() const { return problems.empty(); }
};

// A batch of transfers outside any order (benchmarks, and later wallets): posted all or nothing, with the
// chart's balance rules enforced.
struct LedgerPostingCommand {
  ledger::TransferBatch transfers;
  std::int64_t at_ms = 0;
};

// One attempt to deliver an event: delivered, or failed with when to try next (0: never — dead-lettered).
struct DeliveryAttempt {
  std::string event_id;
  bool delivered = false;
  std::int32_t http_status = 0;
  std::string error;
  std::int64_t at_ms = 0;
  std::int64_t next_attempt_at_ms = 0;
};

// Newest first; `before_event_id` is the cursor: the last event of the previous page.
struct EventQuery {
  MerchantId merchant_id;
  std::optional<std::string> order_id;
  std::optional<DeliveryStatus> status;
  std::optional<std::string> before_event_id;
  std::uint32_t limit = 20;
};

struct EventPage {
  std::vector<OutboxEvent> events;
  bool has_more = false;
};

// An operator's change to a merchant: each field that is set is applied, in one command with its audit
// entry (whose before/after the store fills with the merchant's public view).
struct MerchantChange {
  MerchantId merchant_id;
  std::optional<bool> enabled;
  std::optional<std::string> secret;          // a new API secret (its version counts up)
  std::optional<std::string> webhook_secret;  // a new webhook secret (its version counts up)
};

// Newest first; `before_audit_id` is the cursor: the last entry of the previous page.
struct AuditQuery {
  std::optional<std::int64_t> before_audit_id;
  std::uint32_t limit = 50;
};

struct AuditPage {
  std::vector<AuditEntry> entries;
  bool has_more = false;
};

class Store {
 public:
  virtual ~Store() = default;

  virtual void create_merchant(Merchant merchant, Completion<Merchant> done) = 0;
  virtual Result<std::optional<Merchant>> find_merchant(const MerchantId& merchant_id) = 0;
  virtual Result<std::vector<Merchant>> list_merchants() = 0;
  virtual void set_webhook_secret(MerchantId merchant_id, std::string secret, Completion<Merchant> done) = 0;
  // Operator writes: the change and its audit entry in one command. MERCHANT_NOT_FOUND for an unknown id.
  virtual void create_merchant_audited(Merchant merchant, AuditEntry audit, Completion<Merchant> done) = 0;
  virtual void change_merchant(MerchantChange change, AuditEntry audit, Completion<Merchant> done) = 0;
  // Re-seals every stored secret under the master key that seals now, in one command; returns how many.
  virtual void reseal_secrets(Completion<std::int64_t> done) = 0;
  // The master key ids that stored secrets are sealed with (rotation checks none is left on an old one).
  virtual Result<std::vector<std::string>> list_sealing_key_ids() = 0;

  // Operators, stored with their key's SHA-256 (hex) only.
  virtual void create_operator(Operator op, std::string key_sha256_hex, Completion<Operator> done) = 0;
  virtual Result<std::optional<Operator>> find_operator_by_key(const std::string& key_sha256_hex) = 0;
  virtual Result<AuditPage> list_audit(const AuditQuery& query) = 0;

  // Creates the order unless (merchant_id, out_trade_no) exists: then the existing order is returned when
  // its request_fingerprint matches, else DUPLICATE_OUT_TRADE_NO.
  virtual void create_order(Order order, Completion<CreatedOrder> done) = 0;
  // Applies the event through the domain transition table with compare-and-set on (status, version).
  virtual void apply_order_event(OrderEventCommand command, Completion<OrderEventOutcome> done) = 0;
  virtual Result<std::optional<Order>> find_order(const MerchantId& merchant_id, const OrderId& order_id) = 0;
  virtual Result<std::optional<Order>> find_order_by_out_trade_no(const MerchantId& merchant_id,
                                                                  const std::string& out_trade_no) = 0;
  virtual Result<OrderPage> list_orders(const OrderQuery& query) = 0;

  // Not scoped to a merchant: for notifies and the public cashier page, which know only the order id.
  virtual Result<std::optional<Order>> find_order_by_id(const OrderId& order_id) = 0;
  // Pending orders past their expiry, soonest first (the scheduler closes them).
  virtual Result<std::vector<Order>> list_expired_orders(std::int64_t now_ms, std::uint32_t limit) = 0;
  // Pending, unexpired channel orders whose next active query is due.
  virtual Result<std::vector<Order>> list_orders_to_query(std::int64_t now_ms, std::uint32_t limit) = 0;
  virtual void note_order_query(OrderQueryCheck check, Completion<Order> done) = 0;
  // Late-paid orders with no refund yet (the late-payment policy "refund" gives them back).
  virtual Result<std::vector<Order>> list_late_payments_to_refund(std::uint32_t limit) = 0;

  // The payer picked a channel at the cashier: a pending order without a channel gets one.
  virtual void choose_channel(OrderId order_id, Channel channel, std::string method, std::string account_id,
                              Completion<Order> done) = 0;
  // Records what the payer needs to pay a pending order.
  virtual void attach_payment(PaymentAttachment attachment, Completion<Order> done) = 0;
  // Inbox entry, compare-and-set transition and outbox event in one atomic command. Refuses (and records
  // nothing) when the order is unknown, belongs to another channel account, or the amount differs.
  virtual void apply_channel_event(ChannelTradeEvent event, Completion<ChannelTradeOutcome> done) = 0;

  // Reserves the amount on a paid order and records the refund as pending, unless (merchant_id,
  // out_refund_no) exists: then the existing refund when its request_fingerprint matches, else
  // DUPLICATE_OUT_REFUND_NO. REFUND_AMOUNT_EXCEEDED when pending + succeeded refunds would pass the amount.
  virtual void create_refund(Refund refund, Completion<CreatedRefund> done) = 0;
  virtual void settle_refund(RefundSettlement settlement, Completion<RefundOutcome> done) = 0;
  virtual void note_refund_check(RefundCheck check, Completion<Refund> done) = 0;
  virtual Result<std::optional<Refund>> find_refund(const MerchantId& merchant_id,
                                                    const RefundId& refund_id) = 0;
  // Any merchant's refund, by our id: for channel notifies, which name refunds but not merchants.
  virtual Result<std::optional<Refund>> find_refund_by_id(const RefundId& refund_id) = 0;
  virtual Result<std::optional<Refund>> find_refund_by_out_refund_no(const MerchantId& merchant_id,
                                                                     const std::string& out_refund_no) = 0;
  virtual Result<std::vector<Refund>> list_order_refunds(const MerchantId& merchant_id,
                                                         const OrderId& order_id) = 0;
  // Pending refunds whose next channel check is due, oldest first.
  virtual Result<std::vector<Refund>> list_due_refunds(std::int64_t now_ms, std::uint32_t limit) = 0;

  virtual Result<MerchantBalance> merchant_balance(const MerchantId& merchant_id) = 0;
  // The merchant's side of an order's (or one refund's) transfers: those that touch its payable account.
  virtual Result<std::vector<StoredTransfer>> list_transfers(const MerchantId& merchant_id,
                                                             const OrderId& order_id,
                                                             const std::optional<RefundId>& refund_id) = 0;
  virtual void post_transfers(LedgerPostingCommand command, Completion<std::int64_t> done) = 0;
  // Checks every invariant of DESIGN §5 over the whole store.
  virtual Result<LedgerReport> verify_ledger() = 0;
  // Every account, and every transfer in commit order (for the journal export).
  virtual Result<std::vector<LedgerAccountRow>> list_ledger_accounts() = 0;
  virtual Status for_each_transfer(const std::function<void(const StoredTransfer&)>& visit) = 0;

  // Pending events whose next attempt is due and that no earlier pending event of their order holds back.
  virtual Result<std::vector<OutboxEvent>> list_due_events(std::int64_t now_ms, std::uint32_t limit) = 0;
  virtual void record_delivery(DeliveryAttempt attempt, Completion<OutboxEvent> done) = 0;
  virtual Result<EventPage> list_events(const EventQuery& query) = 0;
  // Makes the merchant's event pending again, due now (EVENT_NOT_FOUND for another merchant's event).
  virtual void resend_event(MerchantId merchant_id, std::string event_id, std::int64_t now_ms,
                            Completion<OutboxEvent> done) = 0;

  virtual void claim_idempotency_key(IdempotencyClaim claim, Completion<IdempotencyDecision> done) = 0;
  virtual void finish_idempotency_key(IdempotencyResult result, Completion<bool> done) = 0;

  // Stops taking writes, commits everything queued, and returns when the last completion has run.
  virtual void drain() = 0;
};

}  // namespace paygate
