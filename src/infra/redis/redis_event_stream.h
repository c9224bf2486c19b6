// The event feed (ports/event_feed.h) as the Redis Stream paygate:events: one entry per outbox event with
// its event_id, type, merchant_id, order_id, created_at (Unix ms) and payload (the webhook body), trimmed to
// about max_length entries (XADD MAXLEN ~). Consumers read with consumer groups and dedupe by event_id.
#pragma once

#include "infra/redis/redis_client.h"
#include "ports/event_feed.h"

namespace paygate::redis {

class RedisEventStream final : public EventFeed {
 public:
  static constexpr const char* kStream = "paygate:events";
  RedisEventStream(RedisClient& client, std::uint32_t max_length)
      : client_(client), max_length_(max_length) {}
  void append(std::vector<OutboxEvent> events, Completion<bool> done) override;

 private:
  RedisClient& client_;
  const std::uint32_t max_length_;
};

}  // namespace paygate::redis
