// The Store port: every durable command and query the app needs. SQLite implements it today; a PostgreSQL
// adapter implements the same commands as transactions (uniqueness and compare-and-set in SQL).
//
// Writes complete asynchronously: the Completion runs once the command is durable (or failed), on a store
// thread, so it must be cheap and hand work back to its caller's executor. Reads are synchronous and
// thread-safe; they see every write whose completion has run.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "domain/merchant.h"
#include "domain/order.h"
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
};

// A channel's authenticated word on a trade, as the store applies it: the report is recorded in the inbox
// (when it carries a notify_id, so it applies once), moves the order and writes the outbox event.
struct ChannelTradeEvent {
  Channel channel = Channel::kAlipay;
  std::string channel_account_id;
  ChannelTradeReport report;
  std::string raw;  // the notify as received; "" for a query result
  std::int64_t at_ms = 0;
};

struct ChannelTradeOutcome {
  Order order;
  bool duplicate_notify = false;  // this notify_id was applied before; nothing changed
  bool changed = false;           // the order moved (and an outbox event was written with it)
};

class Store {
 public:
  virtual ~Store() = default;

  virtual void create_merchant(Merchant merchant, Completion<Merchant> done) = 0;
  virtual Result<std::optional<Merchant>> find_merchant(const MerchantId& merchant_id) = 0;
  virtual Result<std::vector<Merchant>> list_merchants() = 0;

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
  // The payer picked a channel at the cashier: a pending order without a channel gets one.
  virtual void choose_channel(OrderId order_id, Channel channel, std::string method, std::string account_id,
                              Completion<Order> done) = 0;
  // Records what the payer needs to pay a pending order.
  virtual void attach_payment(PaymentAttachment attachment, Completion<Order> done) = 0;
  // Inbox entry, compare-and-set transition and outbox event in one atomic command. Refuses (and records
  // nothing) when the order is unknown, belongs to another channel account, or the amount differs.
  virtual void apply_channel_event(ChannelTradeEvent event, Completion<ChannelTradeOutcome> done) = 0;

  virtual void claim_idempotency_key(IdempotencyClaim claim, Completion<IdempotencyDecision> done) = 0;
  virtual void finish_idempotency_key(IdempotencyResult result, Completion<bool> done) = 0;

  // Stops taking writes, commits everything queued, and returns when the last completion has run.
  virtual void drain() = 0;
};

}  // namespace paygate
