#include "infra/redis/redis_order_bus.h"

namespace paygate::redis {

RedisOrderBus::RedisOrderBus(RedisClient& client, RedisEndpoint endpoint, std::string node_id)
    : client_(client), endpoint_(std::move(endpoint)), node_id_(std::move(node_id)) {}

RedisOrderBus::~RedisOrderBus() { stop(); }

void RedisOrderBus::announce(const OrderId& order_id) {
  // Best effort: a page that misses it sees the state on its next load.
  client_.send(RedisCommand{"PUBLISH", kChannel, node_id_ + " " + order_id.value}, [](Result<RedisReply>) {});
}

void RedisOrderBus::on_announced(std::function<void(const OrderId&)> listener) {
  subscriber_ = std::make_unique<RedisSubscriber>(
      endpoint_, kChannel, [node = node_id_, listener = std::move(listener)](const std::string& message) {
        const auto space = message.find(' ');
        if (space == std::string::npos || message.compare(0, space, node) == 0) return;
        listener(OrderId{message.substr(space + 1)});
      });
}

void RedisOrderBus::stop() {
  if (subscriber_) subscriber_->stop();
}

}  // namespace paygate::redis
