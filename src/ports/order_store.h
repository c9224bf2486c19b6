// Orders and the channels' word on them (the Store port, DESIGN §6).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/ledger/fee_schedule.h"
#include "domain/order.h"
#include "ports/channel_gateway.h"
#include "ports/completion.h"
#include "ports/job_claim.h"

namespace paygate {

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

class OrderStore {
 public:
  virtual ~OrderStore() = default;

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
  // Claims pending orders past their expiry, soonest first (the scheduler closes them). The lease is kept
  // in next_query_at_ms, which for an order past its expiry means "when a job may look at it next".
  virtual void claim_expired_orders(JobClaim claim, Completion<std::vector<Order>> done) = 0;
  // Claims pending, unexpired channel orders whose next active query is due.
  virtual void claim_orders_to_query(JobClaim claim, Completion<std::vector<Order>> done) = 0;
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
};

}  // namespace paygate
