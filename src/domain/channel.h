// Payment channels and the payment methods each one offers.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace paygate {

enum class Channel : std::uint8_t { kAlipay, kWechatpay, kUnionpay };

// What a channel says about a trade (from a verified notify or a query).
enum class ChannelTradeStatus : std::uint8_t { kWaiting, kPaid, kClosed, kNotFound };

std::string_view to_string(Channel channel);
std::optional<Channel> parse_channel(std::string_view text);

// Whether `method` is one the channel offers: alipay qr|page|wap, wechatpay native|jsapi, unionpay page|qr.
bool is_method_of(Channel channel, std::string_view method);
// "qr|page|wap", for error messages.
std::string_view methods_of(Channel channel);

}  // namespace paygate
