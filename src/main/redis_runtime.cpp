#include "main/redis_runtime.h"

#include <cstdlib>

#include "fmt/format.h"
#include "main/runtime.h"

namespace paygate::cli {

Result<redis::RedisEndpoint> redis_endpoint(const Config& config) {
  auto endpoint = redis::parse_redis_url(config.redis.url);
  if (!endpoint.ok()) return std::move(endpoint).error();
  endpoint->timeout_ms = config.redis.timeout_ms;
  if (!config.redis.password_file.empty()) {
    auto password = read_password_file(config.redis.password_file, "redis.password_file");
    if (!password.ok()) return std::move(password).error();
    endpoint->password = std::move(password).value();
  } else if (const char* password = std::getenv("PAYGATE_REDIS_PASSWORD"); password != nullptr) {
    endpoint->password = password;
  }
  return endpoint;
}

RedisRuntime::RedisRuntime(const Config& config, redis::RedisEndpoint endpoint, Store& store,
                           const Clock& clock, MetricsRegistry& metrics, const std::string& node_id)
    : client_(endpoint, metrics),
      replay_guard_(client_, std::int64_t{config.auth.timestamp_window_s} * 1000,
                    config.auth.nonces_per_merchant_max),
      bus_(client_, endpoint, node_id),
      stream_(client_, config.redis.events_stream_max),
      relay_(store, stream_, clock, metrics, node_id) {}

Result<std::unique_ptr<RedisRuntime>> RedisRuntime::start(const Config& config, Store& store,
                                                          OrderEventHub& hub, const Clock& clock,
                                                          MetricsRegistry& metrics,
                                                          const std::string& node_id) {
  auto endpoint = redis_endpoint(config);
  if (!endpoint.ok()) return std::move(endpoint).error();
  std::unique_ptr<RedisRuntime> runtime(new RedisRuntime(config, *endpoint, store, clock, metrics, node_id));
  if (auto status = runtime->client_.check(); !status) {
    return make_error(ErrorCode::kDependencyUnavailable,
                      fmt::format("[redis] url {}: {}", config.redis.url, status.error().message));
  }
  if (auto enabled = wait_for<bool>([&](auto done) { store.set_event_feed(true, std::move(done)); });
      !enabled.ok()) {
    return std::move(enabled).error();
  }
  hub.connect(runtime->bus_, [&store](const OrderId& order_id) -> std::optional<Order> {
    auto order = store.find_order_by_id(order_id);
    if (!order.ok()) return std::nullopt;
    return *order;
  });
  runtime->relay_.start();
  return runtime;
}

void RedisRuntime::stop() {
  relay_.stop();
  bus_.stop();
  client_.stop();
}

}  // namespace paygate::cli
