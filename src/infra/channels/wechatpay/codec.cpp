#include "infra/channels/wechatpay/codec.h"

#include <charconv>
#include <ctime>

#include "crypto/aead.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "fmt/format.h"

namespace paygate::wechatpay {
namespace {

constexpr std::size_t kNonceCharacters = 32;
constexpr std::size_t kResourceNonceCharacters = 12;

Error bad_authorization(std::string_view why) {
  return make_error(ErrorCode::kSignatureInvalid, fmt::format("Authorization: {}", why));
}

std::string_view trim_spaces(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string_view find_header(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return {};
}

}  // namespace

Result<Authorization> parse_authorization(std::string_view header) {
  header = trim_spaces(header);
  if (header.substr(0, kAuthorizationScheme.size()) != kAuthorizationScheme ||
      header.size() == kAuthorizationScheme.size() || header[kAuthorizationScheme.size()] != ' ') {
    return bad_authorization(fmt::format("scheme must be {}", kAuthorizationScheme));
  }
  std::string_view rest = header.substr(kAuthorizationScheme.size() + 1);
  Authorization out;
  bool seen[5] = {};
  while (true) {
    rest = trim_spaces(rest);
    const auto equals = rest.find('=');
    if (equals == std::string_view::npos) return bad_authorization("expected name=\"value\"");
    const std::string_view name = trim_spaces(rest.substr(0, equals));
    rest = rest.substr(equals + 1);
    if (rest.empty() || rest.front() != '"')
      return bad_authorization(fmt::format("{} must be quoted", name.substr(0, 32)));
    const auto close = rest.find('"', 1);
    if (close == std::string_view::npos) return bad_authorization("unterminated quote");
    const std::string_view value = rest.substr(1, close - 1);
    rest = trim_spaces(rest.substr(close + 1));
    static constexpr std::string_view kNames[5] = {"mchid", "nonce_str", "signature", "timestamp",
                                                   "serial_no"};
    std::string* fields[5] = {&out.mchid, &out.nonce_str, &out.signature, &out.timestamp, &out.serial_no};
    bool known = false;
    for (int i = 0; i < 5; ++i) {
      if (name != kNames[i]) continue;
      if (seen[i]) return bad_authorization(fmt::format("{} appears twice", name));
      if (value.empty()) return bad_authorization(fmt::format("{} is empty", name));
      seen[i] = true;
      *fields[i] = std::string(value);
      known = true;
    }
    if (!known) return bad_authorization(fmt::format("unknown field {}", name.substr(0, 32)));
    if (rest.empty()) break;
    if (rest.front() != ',') return bad_authorization("fields must be separated by ','");
    rest.remove_prefix(1);
  }
  static constexpr std::string_view kRequired[5] = {"mchid", "nonce_str", "signature", "timestamp",
                                                    "serial_no"};
  for (int i = 0; i < 5; ++i) {
    if (!seen[i]) return bad_authorization(fmt::format("{} is missing", kRequired[i]));
  }
  return out;
}

std::string format_authorization(const Authorization& a) {
  return fmt::format(R"({} mchid="{}",nonce_str="{}",signature="{}",timestamp="{}",serial_no="{}")",
                     kAuthorizationScheme, a.mchid, a.nonce_str, a.signature, a.timestamp, a.serial_no);
}

std::string request_message(std::string_view method, std::string_view path_with_query,
                            std::string_view timestamp, std::string_view nonce, std::string_view body) {
  return fmt::format("{}\n{}\n{}\n{}\n{}\n", method, path_with_query, timestamp, nonce, body);
}

std::string response_message(std::string_view timestamp, std::string_view nonce, std::string_view body) {
  return fmt::format("{}\n{}\n{}\n", timestamp, nonce, body);
}

Authorization sign_request(std::string_view mchid, std::string_view serial_no,
                           const crypto::RsaPrivateKey& key, std::string_view method,
                           std::string_view path_with_query, std::string_view body, std::int64_t now_ms) {
  Authorization a;
  a.mchid = std::string(mchid);
  a.serial_no = std::string(serial_no);
  a.timestamp = std::to_string(now_ms / 1000);
  a.nonce_str = crypto::random_base62(kNonceCharacters);
  a.signature =
      key.sign_sha256_base64(request_message(method, path_with_query, a.timestamp, a.nonce_str, body));
  return a;
}

Result<SignatureHeaders> read_signature_headers(const HeaderList& headers) {
  SignatureHeaders out{std::string(find_header(headers, "wechatpay-timestamp")),
                       std::string(find_header(headers, "wechatpay-nonce")),
                       std::string(find_header(headers, "wechatpay-serial")),
                       std::string(find_header(headers, "wechatpay-signature"))};
  const std::pair<const char*, const std::string*> required[] = {{"Wechatpay-Timestamp", &out.timestamp},
                                                                 {"Wechatpay-Nonce", &out.nonce},
                                                                 {"Wechatpay-Serial", &out.serial},
                                                                 {"Wechatpay-Signature", &out.signature}};
  for (const auto& [name, value] : required) {
    if (value->empty())
      return make_error(ErrorCode::kSignatureInvalid, fmt::format("{} header is missing", name));
  }
  return out;
}

SignatureHeaders sign_response(std::string_view serial, const crypto::RsaPrivateKey& key,
                               std::string_view body, std::int64_t now_ms) {
  SignatureHeaders out;
  out.timestamp = std::to_string(now_ms / 1000);
  out.nonce = crypto::random_base62(kNonceCharacters);
  out.serial = std::string(serial);
  out.signature = key.sign_sha256_base64(response_message(out.timestamp, out.nonce, body));
  return out;
}

HeaderList to_header_list(const SignatureHeaders& headers) {
  return {{"Wechatpay-Timestamp", headers.timestamp},
          {"Wechatpay-Nonce", headers.nonce},
          {"Wechatpay-Serial", headers.serial},
          {"Wechatpay-Signature", headers.signature}};
}

Status check_timestamp(std::string_view timestamp, std::int64_t now_ms) {
  std::int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(timestamp.data(), timestamp.data() + timestamp.size(), seconds);
  if (ec != std::errc() || end != timestamp.data() + timestamp.size() || timestamp.size() > 12) {
    return make_error(ErrorCode::kSignatureInvalid, "timestamp: not decimal Unix seconds");
  }
  const std::int64_t skew = seconds - now_ms / 1000;
  if (skew > kClockSkewMaxSeconds || skew < -kClockSkewMaxSeconds) {
    return make_error(
        ErrorCode::kSignatureInvalid,
        fmt::format("timestamp: {} s from our clock (at most {} allowed)", skew, kClockSkewMaxSeconds));
  }
  return {};
}

bool is_apiv3_key(std::string_view key) { return key.size() == crypto::kAes256KeyBytes; }

Result<std::string> decrypt_resource(std::string_view apiv3_key, const EncryptedResource& resource) {
  if (resource.algorithm != "AEAD_AES_256_GCM")
    return make_error(ErrorCode::kSignatureInvalid, "resource.algorithm: must be AEAD_AES_256_GCM");
  if (resource.nonce.empty()) return make_error(ErrorCode::kSignatureInvalid, "resource.nonce: is empty");
  auto sealed = crypto::base64_decode(resource.ciphertext);
  if (!sealed) return make_error(ErrorCode::kSignatureInvalid, "resource.ciphertext: not Base64");
  if (!is_apiv3_key(apiv3_key)) return make_error(ErrorCode::kInternal, "the APIv3 key is not 32 bytes");
  auto plain = crypto::aes256gcm_open(apiv3_key, resource.nonce, resource.associated_data, *sealed);
  if (!plain)
    return make_error(ErrorCode::kSignatureInvalid, "resource: does not decrypt with our APIv3 key");
  return std::move(*plain);
}

EncryptedResource encrypt_resource(std::string_view apiv3_key, std::string_view plaintext,
                                   std::string_view associated_data, std::string_view original_type) {
  EncryptedResource out;
  out.nonce = crypto::random_base62(kResourceNonceCharacters);
  out.associated_data = std::string(associated_data);
  out.original_type = std::string(original_type);
  out.ciphertext =
      crypto::base64_encode(crypto::aes256gcm_seal(apiv3_key, out.nonce, associated_data, plaintext));
  return out;
}

std::string format_beijing_rfc3339(std::int64_t unix_ms) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000 + 8 * 3600);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+08:00", parts.tm_year + 1900, parts.tm_mon + 1,
                     parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec);
}

}  // namespace paygate::wechatpay
