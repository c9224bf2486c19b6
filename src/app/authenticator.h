// Authenticates merchant API requests (DESIGN §10). Checks run cheapest first and each failure has its own
// code; the nonce is recorded only after the signature verifies, so forged requests cannot burn nonces.
#pragma once

#include <cstdint>
#include <string_view>

#include "app/merchant_directory.h"
#include "app/nonce_cache.h"
#include "core/time.h"

namespace paygate {

struct SignedRequest {
  std::string_view method;
  std::string_view path_and_query;  // the request target exactly as sent
  std::string_view authorization;   // the header value, empty when absent
  std::string_view body;
};

class Authenticator {
 public:
  Authenticator(MerchantDirectory& merchants, NonceCache& nonces, const Clock& clock, std::uint32_t window_s);

  Result<Merchant> authenticate(const SignedRequest& request);

 private:
  MerchantDirectory& merchants_;
  NonceCache& nonces_;
  const Clock& clock_;
  const std::int64_t window_ms_;
};

}  // namespace paygate
