#include "domain/channel.h"

#include <array>

#include "core/assert.h"

namespace paygate {
namespace {

struct ChannelInfo {
  std::string_view name;
  std::array<std::string_view, 3> methods;  // empty entries pad the array
  std::string_view methods_text;
};

constexpr std::array kChannels = {
    ChannelInfo{"alipay", {"qr", "page", "wap"}, "qr|page|wap"},
    ChannelInfo{"wechatpay", {"native", "jsapi", ""}, "native|jsapi"},
    ChannelInfo{"unionpay", {"page", "qr", ""}, "page|qr"},
};

const ChannelInfo& info(Channel channel) {
  const auto index = static_cast<std::size_t>(channel);
  PAYGATE_ASSERT(index < kChannels.size());
  return kChannels[index];
}

}  // namespace

std::string_view to_string(Channel channel) { return info(channel).name; }

std::optional<Channel> parse_channel(std::string_view text) {
  for (std::size_t i = 0; i < kChannels.size(); ++i) {
    if (kChannels[i].name == text) return static_cast<Channel>(i);
  }
  return std::nullopt;
}

bool is_method_of(Channel channel, std::string_view method) {
  if (method.empty()) return false;
  for (std::string_view candidate : info(channel).methods) {
    if (candidate == method) return true;
  }
  return false;
}

std::string_view methods_of(Channel channel) { return info(channel).methods_text; }

}  // namespace paygate
