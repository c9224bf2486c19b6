// Authenticates merchant API requests (DESIGN §10). Checks run cheapest first and each failure has its own
// code; the nonce is recorded only after the signature verifies, so forged requests cannot burn nonces. The
// nonce goes to the replay guard last: in memory on one node, in Redis when several share the traffic.
#pragma once

#include <cstdint>
#include <string_view>

#include "app/merchant_directory.h"
#include "core/time.h"
#include "ports/replay_guard.h"

namespace paygate {

struct SignedRequest {
  std::string_view method;
  std::string_view path_and_query;  // the request target exactly as sent
  std::string_view authorization;   // the header value, empty when absent
  std::string_view body;
};

class Authenticator {
 public:
  Authenticator(MerchantDirectory& merchants, ReplayGuard& nonces, const Clock& clock,
                std::uint32_t window_s);

  // Completes with the merchant, or the first check that failed. `done` runs on the caller's thread when
  // answers_inline(), else on the replay guard's thread.
  void authenticate(const SignedRequest& request, Completion<Merchant> done);
  bool answers_inline() const { return nonces_.answers_inline(); }

 private:
  struct Verified {
    Merchant merchant;
    NonceUse nonce;
  };
  // Every check but the nonce's: the header's form, the window, the merchant and the signature.
  Result<Verified> verify(const SignedRequest& request);

  MerchantDirectory& merchants_;
  ReplayGuard& nonces_;
  const Clock& clock_;
  const std::int64_t window_ms_;
};

}  // namespace paygate
