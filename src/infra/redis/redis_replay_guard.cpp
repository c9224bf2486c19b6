#include "infra/redis/redis_replay_guard.h"

#include <algorithm>

#include "fmt/format.h"

namespace paygate::redis {
namespace {

// KEYS[1]: the nonce; KEYS[2]: this bucket's count; KEYS[3..]: the older buckets a live nonce may be in.
// ARGV[1]: the nonce's expiry (Unix ms), ARGV[2]: the share, ARGV[3]: this bucket's count expiry (Unix ms).
// Returns 1 fresh, 0 reused, 2 share exhausted.
constexpr const char* kRememberScript = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local live = 0
for _, count in ipairs(redis.call('MGET', unpack(KEYS, 2))) do
  if count then live = live + tonumber(count) end
end
if live >= tonumber(ARGV[2]) then return 2 end
redis.call('SET', KEYS[1], '1', 'PXAT', ARGV[1])
redis.call('INCR', KEYS[2])
redis.call('PEXPIREAT', KEYS[2], ARGV[3])
return 1
)lua";

// A nonce lives at most 2 × window after it is stored (its timestamp may be a window ahead of now).
constexpr std::int64_t kBucketsPerWindow = 8;
constexpr std::int64_t kLiveBuckets = 2 * kBucketsPerWindow + 1;

}  // namespace

RedisReplayGuard::RedisReplayGuard(RedisClient& client, std::int64_t window_ms,
                                   std::uint32_t per_merchant_max)
    : client_(client),
      window_ms_(window_ms),
      bucket_ms_(std::max<std::int64_t>(1, window_ms / kBucketsPerWindow)),
      per_merchant_max_(std::max<std::uint32_t>(1, per_merchant_max)) {}

void RedisReplayGuard::remember(NonceUse use, Completion<NonceVerdict> done) {
  const std::int64_t bucket = use.now_ms / bucket_ms_;
  RedisCommand command{"EVAL", kRememberScript, std::to_string(1 + kLiveBuckets),
                       fmt::format("paygate:nonce:{{{}}}:{}", use.merchant_id, use.nonce)};
  for (std::int64_t i = 0; i < kLiveBuckets; ++i)
    command.push_back(fmt::format("paygate:nonces:{{{}}}:{}", use.merchant_id, bucket - i));
  command.push_back(std::to_string(std::max(use.expires_at_ms, use.now_ms + 1)));
  command.push_back(std::to_string(per_merchant_max_));
  command.push_back(std::to_string((bucket + 1) * bucket_ms_ + 2 * window_ms_));
  client_.send(std::move(command), [done = std::move(done)](Result<RedisReply> reply) {
    if (!reply.ok()) return done(std::move(reply).error());
    if (reply->type != RedisReply::Type::kInteger) {
      return done(make_error(ErrorCode::kDependencyUnavailable,
                             fmt::format("redis replay guard: unexpected reply '{}'", reply->text)));
    }
    switch (reply->integer) {
      case 1:
        return done(NonceVerdict::kFresh);
      case 0:
        return done(NonceVerdict::kReused);
      default:
        return done(NonceVerdict::kShareExhausted);
    }
  });
}

}  // namespace paygate::redis
