// The order change bus (ports/order_change_bus.h) over Redis pub/sub: channel paygate:orders, messages
// "<node id> <order id>". A node ignores its own messages (its watchers heard the change directly).
#pragma once

#include <memory>
#include <string>

#include "infra/redis/redis_client.h"
#include "infra/redis/redis_subscriber.h"
#include "ports/order_change_bus.h"

namespace paygate::redis {

class RedisOrderBus final : public OrderChangeBus {
 public:
  static constexpr const char* kChannel = "paygate:orders";
  RedisOrderBus(RedisClient& client, RedisEndpoint endpoint, std::string node_id);
  ~RedisOrderBus() override;
  void announce(const OrderId& order_id) override;
  void on_announced(std::function<void(const OrderId&)> listener) override;
  void stop();

 private:
  RedisClient& client_;
  const RedisEndpoint endpoint_;
  const std::string node_id_;
  std::unique_ptr<RedisSubscriber> subscriber_;
};

}  // namespace paygate::redis
