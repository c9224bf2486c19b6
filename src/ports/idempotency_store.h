// Idempotency-Key claims and stored answers (the Store port, DESIGN §10).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/merchant.h"
#include "ports/completion.h"

namespace paygate {

// An Idempotency-Key claim: the first request under a key proceeds and holds a lease on the key until it
// completes; later requests replay its stored response.
struct IdempotencyClaim {
  MerchantId merchant_id;
  std::string key;
  std::string request_fingerprint;
  std::int64_t now_ms = 0;
  std::int64_t lease_ms = 0;  // an in-progress claim older than this may be taken over (its holder crashed)
};

enum class IdempotencyVerdict : std::uint8_t { kProceed, kReplay, kFingerprintMismatch, kInProgress };

struct IdempotencyDecision {
  IdempotencyVerdict verdict = IdempotencyVerdict::kProceed;
  int status_code = 0;        // kReplay only
  std::string response_body;  // kReplay only
};

struct IdempotencyResult {
  MerchantId merchant_id;
  std::string key;
  int status_code = 0;
  std::string response_body;
  bool keep = true;  // false releases the key (the request failed in a way a retry may fix)
};

class IdempotencyStore {
 public:
  virtual ~IdempotencyStore() = default;

  virtual void claim_idempotency_key(IdempotencyClaim claim, Completion<IdempotencyDecision> done) = 0;
  virtual void finish_idempotency_key(IdempotencyResult result, Completion<bool> done) = 0;
};

}  // namespace paygate
