// Replay protection shared by every node (ports/replay_guard.h), in Redis. One script run per request,
// atomically: a nonce already present is a reuse; otherwise, unless the merchant holds its share of live
// nonces, it is stored until its timestamp can no longer pass the window (SET … PXAT) and counted.
//
// Keys (one hash slot per merchant, {merchant}): paygate:nonce:{M}:NONCE, and per merchant a count of the
// nonces stored in each eighth of the window (paygate:nonces:{M}:BUCKET), kept until every nonce it counts
// has expired; the live count is the sum of the buckets a live nonce may be in (an upper bound, so a share
// is never exceeded). Redis unreachable or erring: DEPENDENCY_UNAVAILABLE, and the request is refused.
#pragma once

#include "infra/redis/redis_client.h"
#include "ports/replay_guard.h"

namespace paygate::redis {

class RedisReplayGuard final : public ReplayGuard {
 public:
  RedisReplayGuard(RedisClient& client, std::int64_t window_ms, std::uint32_t per_merchant_max);
  void remember(NonceUse use, Completion<NonceVerdict> done) override;

 private:
  RedisClient& client_;
  const std::int64_t window_ms_;
  const std::int64_t bucket_ms_;
  const std::uint32_t per_merchant_max_;
};

}  // namespace paygate::redis
