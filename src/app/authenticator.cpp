#include "app/authenticator.h"

#include <algorithm>
#include <charconv>

#include "app/merchant_signature.h"
#include "crypto/digest.h"
#include "fmt/format.h"

namespace paygate {
namespace {

bool is_nonce_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
}

}  // namespace

Authenticator::Authenticator(MerchantDirectory& merchants, ReplayGuard& nonces, const Clock& clock,
                             std::uint32_t window_s)
    : merchants_(merchants), nonces_(nonces), clock_(clock), window_ms_(std::int64_t{window_s} * 1000) {}

Result<Authenticator::Verified> Authenticator::verify(const SignedRequest& request) {
  if (request.authorization.empty()) {
    return make_error(ErrorCode::kAuthMissing, "the Authorization header is required");
  }
  auto fields = parse_authorization(request.authorization);
  if (!fields) {
    return make_error(
        ErrorCode::kAuthMalformed,
        "Authorization must be PAYGATE-HMAC-SHA256 merchant_id=\"…\",timestamp=\"…\",nonce=\"…\","
        "signature=\"…\"");
  }
  std::int64_t timestamp_s = 0;
  const auto* end = fields->timestamp.data() + fields->timestamp.size();
  if (auto [ptr, ec] = std::from_chars(fields->timestamp.data(), end, timestamp_s);
      ec != std::errc() || ptr != end || fields->timestamp.size() > 12) {
    return make_error(ErrorCode::kAuthMalformed, "Authorization timestamp must be Unix seconds");
  }
  if (fields->nonce.size() < 8 || fields->nonce.size() > 64 ||
      !std::all_of(fields->nonce.begin(), fields->nonce.end(), is_nonce_char)) {
    return make_error(ErrorCode::kAuthMalformed,
                      "Authorization nonce must be 8-64 characters of [A-Za-z0-9_-]");
  }
  const std::int64_t now_ms = clock_.now_unix_ms();
  const std::int64_t timestamp_ms = timestamp_s * 1000;
  if (timestamp_ms < now_ms - window_ms_ || timestamp_ms > now_ms + window_ms_) {
    return make_error(ErrorCode::kTimestampExpired,
                      fmt::format("Authorization timestamp is more than {} s from server time {}",
                                  window_ms_ / 1000, now_ms / 1000));
  }

  auto found = merchants_.find(MerchantId{fields->merchant_id});
  if (!found.ok()) return std::move(found).error();
  if (!found->has_value())
    return make_error(ErrorCode::kMerchantUnknown, "merchant_id is not a known merchant");
  const Merchant& merchant = **found;

  const std::string expected = sign_canonical_request(
      merchant.secret, canonical_request(request.method, request.path_and_query, fields->timestamp,
                                         fields->nonce, request.body));
  if (!crypto::constant_time_equal(expected, fields->signature)) {
    return make_error(ErrorCode::kSignatureInvalid,
                      "signature does not match METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nBODY\\n");
  }
  if (!merchant.enabled) return make_error(ErrorCode::kMerchantDisabled, "the merchant is disabled");

  // The nonce must be remembered for as long as its timestamp could still pass the window check.
  return Verified{merchant,
                  NonceUse{merchant.merchant_id.value, fields->nonce, timestamp_ms + window_ms_, now_ms}};
}

void Authenticator::authenticate(const SignedRequest& request, Completion<Merchant> done) {
  auto verified = verify(request);
  if (!verified.ok()) return done(std::move(verified).error());
  NonceUse nonce = std::move(verified->nonce);
  nonces_.remember(std::move(nonce), [merchant = std::move(verified->merchant),
                                      done = std::move(done)](Result<NonceVerdict> verdict) mutable {
    if (!verdict.ok()) return done(std::move(verdict).error());
    switch (*verdict) {
      case NonceVerdict::kFresh:
        return done(std::move(merchant));
      case NonceVerdict::kReused:
        return done(make_error(ErrorCode::kNonceReused, "nonce was already used"));
      case NonceVerdict::kShareExhausted:
        return done(
            make_error(ErrorCode::kRateLimited,
                       "this merchant has used its share of nonces in the timestamp window; retry shortly"));
    }
    done(make_error(ErrorCode::kInternal, "unreachable"));
  });
}

}  // namespace paygate
