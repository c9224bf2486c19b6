// Replay protection for signed merchant requests: each (merchant, nonce) is accepted once while its
// timestamp could still pass the window. One node keeps it in memory (app/nonce_cache.h); several nodes share
// it in Redis (infra/redis/redis_replay_guard.h), so a request captured on its way to one node cannot be
// replayed to another.
#pragma once

#include <cstdint>
#include <string>

#include "ports/completion.h"

namespace paygate {

enum class NonceVerdict : std::uint8_t { kFresh, kReused, kShareExhausted };

struct NonceUse {
  std::string merchant_id;
  std::string nonce;
  std::int64_t expires_at_ms = 0;  // when its timestamp can no longer pass the window
  std::int64_t now_ms = 0;
};

class ReplayGuard {
 public:
  virtual ~ReplayGuard() = default;
  // Records the nonce and completes with the verdict. A guard that cannot answer completes with
  // DEPENDENCY_UNAVAILABLE, and the request is refused: never is a nonce let through unrecorded.
  // kShareExhausted: the merchant holds its whole share of live nonces (refused alone, never others).
  virtual void remember(NonceUse use, Completion<NonceVerdict> done) = 0;
  // True when `done` always runs before remember returns, on the caller's thread (no hop needed after it).
  virtual bool answers_inline() const { return false; }
};

}  // namespace paygate
