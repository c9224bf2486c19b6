#include "app/merchant_signature.h"

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "fmt/format.h"

namespace paygate {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<AuthorizationFields> parse_authorization(std::string_view header) {
  header = trim(header);
  if (header.substr(0, kAuthScheme.size()) != kAuthScheme || header.size() == kAuthScheme.size() ||
      header[kAuthScheme.size()] != ' ') {
    return std::nullopt;
  }
  std::string_view rest = header.substr(kAuthScheme.size() + 1);
  AuthorizationFields fields;
  bool seen[4] = {false, false, false, false};
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    std::string_view pair = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    const auto equals = pair.find('=');
    if (equals == std::string_view::npos) return std::nullopt;
    const std::string_view key = trim(pair.substr(0, equals));
    std::string_view value = trim(pair.substr(equals + 1));
    if (value.size() < 2 || value.front() != '"' || value.back() != '"') return std::nullopt;
    value = value.substr(1, value.size() - 2);
    if (value.find('"') != std::string_view::npos) return std::nullopt;
    std::string* target = nullptr;
    int index = 0;
    if (key == "merchant_id") {
      target = &fields.merchant_id, index = 0;
    } else if (key == "timestamp") {
      target = &fields.timestamp, index = 1;
    } else if (key == "nonce") {
      target = &fields.nonce, index = 2;
    } else if (key == "signature") {
      target = &fields.signature, index = 3;
    } else {
      return std::nullopt;
    }
    if (seen[index]) return std::nullopt;
    seen[index] = true;
    *target = std::string(value);
  }
  if (!(seen[0] && seen[1] && seen[2] && seen[3])) return std::nullopt;
  return fields;
}

std::string format_authorization(const AuthorizationFields& fields) {
  return fmt::format("{} merchant_id=\"{}\",timestamp=\"{}\",nonce=\"{}\",signature=\"{}\"", kAuthScheme,
                     fields.merchant_id, fields.timestamp, fields.nonce, fields.signature);
}

std::string canonical_request(std::string_view method, std::string_view path_and_query,
                              std::string_view timestamp, std::string_view nonce, std::string_view body) {
  std::string out;
  out.reserve(method.size() + path_and_query.size() + timestamp.size() + nonce.size() + body.size() + 5);
  out.append(method).push_back('\n');
  out.append(path_and_query).push_back('\n');
  out.append(timestamp).push_back('\n');
  out.append(nonce).push_back('\n');
  out.append(body).push_back('\n');
  return out;
}

std::string sign_canonical_request(std::string_view secret, std::string_view canonical) {
  return crypto::base64_encode(crypto::hmac_sha256(secret, canonical));
}

std::string sign_request_header(std::string_view merchant_id, std::string_view secret,
                                std::string_view method, std::string_view path_and_query,
                                std::string_view body, std::int64_t unix_seconds) {
  AuthorizationFields fields;
  fields.merchant_id = std::string(merchant_id);
  fields.timestamp = std::to_string(unix_seconds);
  fields.nonce = crypto::random_hex(16);
  fields.signature = sign_canonical_request(
      secret, canonical_request(method, path_and_query, fields.timestamp, fields.nonce, body));
  return format_authorization(fields);
}

}  // namespace paygate
