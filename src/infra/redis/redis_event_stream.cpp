#include "infra/redis/redis_event_stream.h"

#include "fmt/format.h"

namespace paygate::redis {

void RedisEventStream::append(std::vector<OutboxEvent> events, Completion<bool> done) {
  std::vector<RedisCommand> commands;
  commands.reserve(events.size());
  const std::string max_length = std::to_string(max_length_);
  for (OutboxEvent& event : events) {
    commands.push_back(
        RedisCommand{"XADD", kStream, "MAXLEN", "~", max_length, "*", "event_id", std::move(event.event_id),
                     "type", std::move(event.type), "merchant_id", std::move(event.merchant_id.value),
                     "order_id", std::move(event.order_id.value), "created_at",
                     std::to_string(event.created_at_ms), "payload", std::move(event.payload)});
  }
  client_.send(std::move(commands), [done = std::move(done)](Result<std::vector<RedisReply>> replies) {
    if (!replies.ok()) return done(std::move(replies).error());
    for (const RedisReply& reply : *replies) {
      if (reply.is_error())
        return done(make_error(ErrorCode::kDependencyUnavailable, fmt::format("redis XADD: {}", reply.text)));
    }
    done(true);
  });
}

}  // namespace paygate::redis
