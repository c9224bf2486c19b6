// The configured channel accounts, by id and by channel. Routing between several accounts of one channel
// (weights, circuit breakers) will live here; today the first enabled account of a channel takes its orders.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ports/channel_gateway.h"

namespace paygate {

class ChannelRegistry {
 public:
  void add(std::unique_ptr<ChannelGateway> gateway) { gateways_.push_back(std::move(gateway)); }

  ChannelGateway* by_account(std::string_view account_id) const {
    for (const auto& gateway : gateways_) {
      if (gateway->account_id() == account_id) return gateway.get();
    }
    return nullptr;
  }
  ChannelGateway* for_channel(Channel channel) const {
    for (const auto& gateway : gateways_) {
      if (gateway->channel() == channel) return gateway.get();
    }
    return nullptr;
  }
  bool empty() const { return gateways_.empty(); }

 private:
  std::vector<std::unique_ptr<ChannelGateway>> gateways_;
};

}  // namespace paygate
