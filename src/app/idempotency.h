// Idempotency-Key handling for POST requests (DESIGN §4): the first request under a key runs and its
// response is stored; a retry with the same request replays that response; a different request is a 409.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/time.h"
#include "ports/idempotency_store.h"

namespace paygate {

class IdempotencyService {
 public:
  // lease_ms: how long a crashed first request holds its key before a retry may take it over.
  IdempotencyService(IdempotencyStore& store, const Clock& clock, std::int64_t lease_ms = 60'000)
      : store_(store), clock_(clock), lease_ms_(lease_ms) {}

  static Status check_key(std::string_view key);
  static std::string fingerprint(std::string_view method, std::string_view target, std::string_view body);

  void claim(const MerchantId& merchant_id, std::string key, std::string fingerprint,
             Completion<IdempotencyDecision> done);
  // Stores the response for replays; a response that a retry may improve on (5xx) releases the key instead.
  void finish(const MerchantId& merchant_id, std::string key, int status_code, std::string body,
              Completion<bool> done);

 private:
  IdempotencyStore& store_;
  const Clock& clock_;
  const std::int64_t lease_ms_;
};

}  // namespace paygate
