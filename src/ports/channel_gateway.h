// The ChannelGateway port: one configured account at one payment channel. Calls block up to the account's
// deadline, so the app runs them on its channel worker pool, never on an io thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "domain/channel.h"
#include "domain/order.h"

namespace paygate {

struct ChannelPayment {
  std::string payment_url;  // QR code content (qr/native) or the URL the payer's browser opens (page/wap)
};

struct ChannelTrade {
  ChannelTradeStatus status = ChannelTradeStatus::kWaiting;
  std::int64_t amount_minor = 0;
  std::string channel_trade_no;
  std::int64_t paid_at_ms = 0;
};

enum class ChannelRefundStatus : std::uint8_t { kSucceeded, kNotFound };

struct ChannelRefund {
  ChannelRefundStatus status = ChannelRefundStatus::kNotFound;
  std::int64_t amount_minor = 0;  // this refund's amount, when found
};

// What a channel said about one trade, authenticated: a verified notify (with its notify_id) or the answer
// to our own query (notify_id empty). Whether it matches an order (amount, account) is the store's check.
struct ChannelTradeReport {
  std::string notify_id;
  OrderId order_id;
  ChannelTradeStatus status = ChannelTradeStatus::kWaiting;
  std::int64_t amount_minor = 0;
  std::string channel_trade_no;
  std::int64_t paid_at_ms = 0;
};

class ChannelGateway {
 public:
  virtual ~ChannelGateway() = default;
  virtual Channel channel() const = 0;
  virtual const std::string& account_id() const = 0;

  // Errors: CHANNEL_REJECTED (the channel said no; the message carries its code) or CHANNEL_OUTCOME_UNKNOWN
  // (timeout, SYSTEM_ERROR, 5xx, an answer that does not verify): then the order stays pending and is
  // queried.
  virtual Result<ChannelPayment> create_payment(const Order& order, const std::string& notify_url) = 0;
  virtual Result<ChannelTrade> query(const Order& order) = 0;
  virtual Status close(const Order& order) = 0;
  // refund_id is the idempotency key at the channel (Alipay out_request_no): the same id never refunds twice.
  virtual Result<ChannelRefund> refund(const Order& order, const std::string& refund_id,
                                       std::int64_t amount_minor, const std::string& reason) = 0;
  virtual Result<ChannelRefund> refund_query(const Order& order, const std::string& refund_id) = 0;
  // The channel's trade bill for one day ("yyyy-MM-dd", channel's time zone), as the channel's raw file.
  virtual Result<std::string> download_bill(const std::string& date) = 0;

  // Parses and authenticates a raw notify body (signature, account identity). Never touches state.
  virtual Result<ChannelTradeReport> verify_notify(std::string_view body) = 0;
  // The plain-text answer the channel expects ("success"/"failure" for Alipay).
  virtual std::string_view notify_answer(bool accepted) const = 0;
};

}  // namespace paygate
