// The ChannelGateway port: one configured account at one payment channel. Calls block up to the account's
// deadline, so the app runs them on its channel worker pool, never on an io thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/result.h"
#include "domain/channel.h"
#include "domain/order.h"

namespace paygate {

struct ChannelPayment {
  std::string payment_url;  // QR code content (qr/native) or the URL the payer's browser opens (page/wap);
                            // for WeChat Pay jsapi the package, "prepay_id=…"
  std::string payment_params_json;  // jsapi: {appId,timeStamp,nonceStr,package,signType,paySign}; else ""
};

struct ChannelTrade {
  ChannelTradeStatus status = ChannelTradeStatus::kWaiting;
  std::int64_t amount_minor = 0;
  std::string channel_trade_no;
  std::int64_t paid_at_ms = 0;
};

enum class ChannelRefundStatus : std::uint8_t {
  kSucceeded,   // the money went back
  kNotFound,    // the channel never received this refund id
  kProcessing,  // received, not finished: ask again later (WeChat Pay PROCESSING)
  kFailed,      // the channel gave up on it (WeChat Pay CLOSED/ABNORMAL): nothing moved
};

struct ChannelRefund {
  ChannelRefundStatus status = ChannelRefundStatus::kNotFound;
  std::int64_t amount_minor = 0;  // this refund's amount, when found
  std::string failure_code;       // kFailed: the channel's status, e.g. "ABNORMAL"
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

// What a channel said about one refund in a verified notify (WeChat Pay REFUND.* callbacks). refund_id is
// ours (the channel's out_refund_no); whether it matches a refund of this account is the app's check.
struct ChannelRefundReport {
  std::string notify_id;
  std::string refund_id;
  OrderId order_id;
  ChannelRefund refund;
};

using ChannelNotify = std::variant<ChannelTradeReport, ChannelRefundReport>;

// A notify as it arrived: headers (lower-case names) matter to channels that sign them (WeChat Pay).
struct NotifyRequest {
  const std::vector<std::pair<std::string, std::string>>& headers;
  std::string_view body;
};

// The HTTP answer a channel expects to a notify.
struct NotifyReply {
  int status = 200;
  std::string content_type;
  std::string body;
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
  // refund_id is the idempotency key at the channel (Alipay out_request_no, WeChat Pay out_refund_no): the
  // same id never refunds twice. notify_url receives the channel's refund notifies (channels that send them).
  virtual Result<ChannelRefund> refund(const Order& order, const std::string& refund_id,
                                       std::int64_t amount_minor, const std::string& reason,
                                       const std::string& notify_url) = 0;
  virtual Result<ChannelRefund> refund_query(const Order& order, const std::string& refund_id) = 0;
  // The channel's trade bill for one day ("yyyy-MM-dd", channel's time zone), as the channel's raw file.
  virtual Result<std::string> download_bill(const std::string& date) = 0;

  // Parses and authenticates a raw notify (signature, decryption, account identity). Never touches state.
  virtual Result<ChannelNotify> verify_notify(const NotifyRequest& request) = 0;
  // The answer in the channel's dialect: Alipay "success"/"failure"; WeChat Pay 204 or 4xx with a reason.
  virtual NotifyReply notify_reply(bool accepted, std::string_view reason) const = 0;
};

}  // namespace paygate
