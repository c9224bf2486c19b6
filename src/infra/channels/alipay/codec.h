// Alipay OpenAPI (gateway.do, RSA2) wire rules, byte for byte (shared/protocols/alipay.md). Shared by the
// channel adapter and the Alipay sandbox: one implementation of signing, verification and encoding.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/money.h"
#include "core/result.h"
#include "core/time.h"
#include "crypto/rsa.h"

namespace paygate::alipay {

// Parameters by name. std::map orders std::string keys by unsigned byte value: Alipay's "sorted by byte
// order".
using Params = std::map<std::string, std::string>;

enum class SignScope {
  kRequest,  // every parameter but `sign` (so `sign_type` is signed)
  kNotify,   // every parameter but `sign` and `sign_type`
};

// k=v pairs joined by '&', keys sorted, empty values dropped, values raw (not URL-encoded).
std::string signing_string(const Params& params, SignScope scope);
// Base64 SHA256withRSA of the signing string.
std::string sign(const Params& params, SignScope scope, const crypto::RsaPrivateKey& key);
// Verifies params["sign"] over the signing string; false when the sign is absent or malformed.
bool verify(const Params& params, SignScope scope, const crypto::RsaPublicKey& key);

// A gateway response split as Alipay signs it: the exact bytes of the inner object (escapes untouched)
// and the decoded value of the top-level "sign".
struct SignedResponse {
  std::string_view key;      // "<method with '_'>_response" or "error_response"
  std::string_view content;  // the raw `{...}` substring that the signature covers
  std::optional<std::string> sign;
};

// "alipay.trade.precreate" -> "alipay_trade_precreate_response".
std::string response_key(std::string_view method);

// Finds the method's response object (or error_response) at the top level of body by brace matching that
// respects strings and escapes. nullopt when the body is not a JSON object, the key is missing or appears
// twice, or a value is malformed. A nested "sign" inside the object is part of the content, not the sign.
std::optional<SignedResponse> split_signed_response(std::string_view body, std::string_view method);
bool verify_response(const SignedResponse& response, const crypto::RsaPublicKey& key);

// application/x-www-form-urlencoded (UTF-8). Decoding rejects bad percent escapes and repeated names.
std::string form_encode(const Params& params);
Result<Params> form_decode(std::string_view body);

// Yuan strings as Alipay writes them ("9.90", also "10" or "9.9") <-> integer fen. Exact, never float.
Result<std::int64_t> yuan_to_fen(std::string_view yuan);
std::string fen_to_yuan(std::int64_t fen);

}  // namespace paygate::alipay
