// What a node shares with the other nodes through Redis ([redis] url): replay protection, live order
// updates and the paygate:events stream. Built by `serve` when Redis is configured.
#pragma once

#include <memory>
#include <string>

#include "app/event_feed_relay.h"
#include "app/order_events.h"
#include "core/config.h"
#include "core/metrics.h"
#include "core/time.h"
#include "infra/redis/redis_client.h"
#include "infra/redis/redis_event_stream.h"
#include "infra/redis/redis_order_bus.h"
#include "infra/redis/redis_replay_guard.h"
#include "ports/store.h"

namespace paygate::cli {

// The endpoint from [redis] url, with the password from redis.password_file or PAYGATE_REDIS_PASSWORD.
Result<redis::RedisEndpoint> redis_endpoint(const Config& config);

class RedisRuntime {
 public:
  // Connects (a node that cannot reach Redis at start says so and does not start), turns the store's event
  // feed on and connects the hub to the other nodes.
  static Result<std::unique_ptr<RedisRuntime>> start(const Config& config, Store& store, OrderEventHub& hub,
                                                     const Clock& clock, MetricsRegistry& metrics,
                                                     const std::string& node_id);
  ReplayGuard& replay_guard() { return replay_guard_; }
  EventFeedRelay& relay() { return relay_; }
  // Stops the relay and the subscriber, then the client (after the server stopped taking requests).
  void stop();

 private:
  RedisRuntime(const Config& config, redis::RedisEndpoint endpoint, Store& store, const Clock& clock,
               MetricsRegistry& metrics, const std::string& node_id);

  redis::RedisClient client_;
  redis::RedisReplayGuard replay_guard_;
  redis::RedisOrderBus bus_;
  redis::RedisEventStream stream_;
  EventFeedRelay relay_;
};

}  // namespace paygate::cli
