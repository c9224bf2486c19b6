// WeChat Pay APIv3 wire rules, byte for byte (shared/protocols/wechatpay.md). Shared by the channel adapter
// and the WeChat Pay sandbox: one implementation of the Authorization header, the signed messages, the
// signature headers and the AEAD_AES_256_GCM resources.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "crypto/rsa.h"

namespace paygate::wechatpay {

inline constexpr std::string_view kAuthorizationScheme = "WECHATPAY2-SHA256-RSA2048";
// Requests, responses and callbacks more than this far from our clock are refused (both directions).
inline constexpr std::int64_t kClockSkewMaxSeconds = 300;
// Public-key mode: the platform signs with a fixed key whose id starts with this instead of a certificate.
inline constexpr std::string_view kPublicKeyIdPrefix = "PUB_KEY_ID_";

// The five fields of `Authorization: WECHATPAY2-SHA256-RSA2048 k="v",...`.
struct Authorization {
  std::string mchid;
  std::string nonce_str;
  std::string signature;  // Base64
  std::string timestamp;  // Unix seconds, decimal
  std::string serial_no;  // the merchant certificate's serial (hex)
};

// Fields in any order, separated by commas (spaces around them tolerated); each of the five exactly once,
// values quoted. Errors name the problem, never the signature.
Result<Authorization> parse_authorization(std::string_view header);
std::string format_authorization(const Authorization& authorization);

// METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n — what a merchant signs.
std::string request_message(std::string_view method, std::string_view path_with_query,
                            std::string_view timestamp, std::string_view nonce, std::string_view body);
// TIMESTAMP\nNONCE\nBODY\n — what the platform signs on responses and callbacks.
std::string response_message(std::string_view timestamp, std::string_view nonce, std::string_view body);

// A signed request's Authorization for (method, target, body), now.
Authorization sign_request(std::string_view mchid, std::string_view serial_no,
                           const crypto::RsaPrivateKey& key, std::string_view method,
                           std::string_view path_with_query, std::string_view body, std::int64_t now_ms);

// The Wechatpay-* headers of a response or callback.
struct SignatureHeaders {
  std::string timestamp;
  std::string nonce;
  std::string serial;
  std::string signature;
};
using HeaderList = std::vector<std::pair<std::string, std::string>>;  // lower-case names
// SIGNATURE_INVALID naming the first missing header.
Result<SignatureHeaders> read_signature_headers(const HeaderList& headers);
SignatureHeaders sign_response(std::string_view serial, const crypto::RsaPrivateKey& key,
                               std::string_view body, std::int64_t now_ms);
HeaderList to_header_list(const SignatureHeaders& headers);

// Timestamps are decimal Unix seconds within kClockSkewMaxSeconds of now.
Status check_timestamp(std::string_view timestamp, std::int64_t now_ms);

// An AEAD_AES_256_GCM resource (callbacks' `resource`, certificates' `encrypt_certificate`).
struct EncryptedResource {
  std::string algorithm = "AEAD_AES_256_GCM";
  std::string ciphertext;  // Base64(ciphertext ‖ tag)
  std::string associated_data;
  std::string nonce;  // 12 characters, used as the IV bytes
  std::string original_type;
};
// The APIv3 key is 32 ASCII bytes; anything else cannot decrypt. Errors say which check failed.
Result<std::string> decrypt_resource(std::string_view apiv3_key, const EncryptedResource& resource);
EncryptedResource encrypt_resource(std::string_view apiv3_key, std::string_view plaintext,
                                   std::string_view associated_data, std::string_view original_type);
bool is_apiv3_key(std::string_view key);

// WeChat Pay's times: RFC 3339 in Beijing time, "2026-11-22T15:27:44+08:00".
std::string format_beijing_rfc3339(std::int64_t unix_ms);

}  // namespace paygate::wechatpay
