#include "app/idempotency.h"

#include <algorithm>

#include "crypto/digest.h"
#include "crypto/encoding.h"

namespace paygate {

Status IdempotencyService::check_key(std::string_view key) {
  const bool printable = std::all_of(key.begin(), key.end(), [](char c) { return c > 0x20 && c < 0x7f; });
  if (key.empty() || key.size() > 255 || !printable) {
    return make_error(ErrorCode::kInvalidParameter,
                      "Idempotency-Key: must be 1-255 printable ASCII characters");
  }
  return {};
}

std::string IdempotencyService::fingerprint(std::string_view method, std::string_view target,
                                            std::string_view body) {
  std::string canonical;
  canonical.reserve(method.size() + target.size() + body.size() + 2);
  canonical.append(method).push_back('\n');
  canonical.append(target).push_back('\n');
  canonical.append(body);
  return crypto::hex_encode(crypto::sha256(canonical));
}

void IdempotencyService::claim(const MerchantId& merchant_id, std::string key, std::string fingerprint,
                               Completion<IdempotencyDecision> done) {
  store_.claim_idempotency_key(
      IdempotencyClaim{merchant_id, std::move(key), std::move(fingerprint), clock_.now_unix_ms(), lease_ms_},
      std::move(done));
}

void IdempotencyService::finish(const MerchantId& merchant_id, std::string key, int status_code,
                                std::string body, Completion<bool> done) {
  const bool keep = status_code < 500;
  store_.finish_idempotency_key(
      IdempotencyResult{merchant_id, std::move(key), status_code, std::move(body), keep}, std::move(done));
}

}  // namespace paygate
