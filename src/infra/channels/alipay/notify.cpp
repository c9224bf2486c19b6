#include "infra/channels/alipay/notify.h"

namespace paygate::alipay {

Result<ChannelTradeReport> notify_from_params(const Params& params, const std::string& app_id,
                                          std::int64_t now_ms) {
  auto field = [&](const char* name) -> const std::string& {
    static const std::string empty;
    auto it = params.find(name);
    return it == params.end() ? empty : it->second;
  };
  if (field("app_id") != app_id)
    return make_error(ErrorCode::kInvalidParameter, "notify: app_id is not ours");
  if (field("notify_id").empty() || field("out_trade_no").empty()) {
    return make_error(ErrorCode::kInvalidParameter, "notify: notify_id and out_trade_no are required");
  }
  ChannelTradeReport notify;
  notify.notify_id = field("notify_id");
  notify.order_id = OrderId{field("out_trade_no")};
  const std::string& status = field("trade_status");
  if (status == "TRADE_SUCCESS" || status == "TRADE_FINISHED") {
    notify.status = ChannelTradeStatus::kPaid;
  } else if (status == "TRADE_CLOSED") {
    notify.status = ChannelTradeStatus::kClosed;
  } else if (status == "WAIT_BUYER_PAY") {
    notify.status = ChannelTradeStatus::kWaiting;
  } else {
    return make_error(ErrorCode::kInvalidParameter, "notify: unknown trade_status");
  }
  auto amount = yuan_to_fen(field("total_amount"));
  if (!amount.ok()) return make_error(ErrorCode::kInvalidParameter, "notify: total_amount is not an amount");
  notify.amount_minor = *amount;
  notify.channel_trade_no = field("trade_no");
  notify.paid_at_ms = parse_beijing_time(field("gmt_payment")).value_or(now_ms);
  return notify;
}

}  // namespace paygate::alipay
