#include "app/cashier.h"

#include "app/channel_call.h"
#include "fmt/format.h"

namespace paygate {
namespace {

Error not_found() { return make_error(ErrorCode::kOrderNotFound, "order not found"); }

}  // namespace

Result<Order> CashierService::find(std::string_view order_id) {
  if (!is_order_id_syntax(order_id)) return not_found();
  auto order = store_.find_order_by_id(OrderId{std::string(order_id)});
  if (!order.ok()) return std::move(order).error();
  if (!order->has_value()) return not_found();
  return std::move(**order);
}

std::vector<Channel> CashierService::available_channels() const {
  std::vector<Channel> out;
  for (Channel channel : {Channel::kAlipay, Channel::kWechatpay, Channel::kUnionpay}) {
    if (channels_.for_channel(channel) != nullptr) out.push_back(channel);
  }
  return out;
}

void CashierService::choose(std::string_view order_id, const std::string& channel_name,
                            const std::string& method, Completion<Order> done) {
  auto order = find(order_id);
  if (!order.ok()) return done(std::move(order).error());
  const auto channel = parse_channel(channel_name);
  if (!channel)
    return done(make_error(ErrorCode::kInvalidParameter, "channel: must be alipay, wechatpay or unionpay"));
  if (!is_method_of(*channel, method)) {
    return done(make_error(
        ErrorCode::kInvalidParameter,
        fmt::format("method: must be one of {} for channel {}", methods_of(*channel), channel_name)));
  }
  ChannelGateway* gateway = channels_.for_channel(*channel);
  if (gateway == nullptr) {
    return done(make_error(ErrorCode::kChannelUnavailable,
                           fmt::format("channel: {} is not available", channel_name)));
  }
  store_.choose_channel(order->order_id, *channel, method, gateway->account_id(),
                        [this, done = std::move(done)](Result<Order> chosen) mutable {
                          if (!chosen.ok() || !chosen->payment_url.empty()) return done(std::move(chosen));
                          orders_.request_payment(std::move(chosen).value(), std::move(done));
                        });
}

void CashierService::pay_in_sandbox(std::string_view order_id, Completion<Order> done) {
  if (!sandbox_pay_) return done(make_error(ErrorCode::kRouteNotFound, "the sandbox is not running"));
  auto order = find(order_id);
  if (!order.ok()) return done(std::move(order).error());
  if (!order->channel || order->payment_url.empty()) {
    return done(make_error(ErrorCode::kOrderStatusInvalid, "choose a channel first"));
  }
  auto call = [this, order = std::move(order).value()](const OnceCompletion<Order>& finish) {
    auto status = sandbox_pay_(order);
    if (!status.ok()) return finish(std::move(status).error());
    finish(order);  // the sandbox's notify moves the order; the page hears it over SSE
  };
  run_channel_call<Order>(workers_, std::move(done), std::move(call),
                          make_error(ErrorCode::kRateLimited, "busy; retry shortly"));
}

}  // namespace paygate
