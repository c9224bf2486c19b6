#include "infra/channels/alipay/codec.h"

#include <string>

#include "core/text.h"
#include "core/time.h"
#include "fmt/format.h"

namespace paygate::alipay {
namespace {

constexpr std::size_t kNotFound = std::string_view::npos;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::size_t skip_space(std::string_view s, std::size_t i) {
  while (i < s.size() && is_space(s[i])) ++i;
  return i;
}

// i points at an opening quote; returns the index just past the closing quote.
std::size_t skip_string(std::string_view s, std::size_t i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '"') {
      return i + 1;
    }
  }
  return kNotFound;
}

// i points at the first character of a JSON value; returns the index just past it.
std::size_t skip_value(std::string_view s, std::size_t i) {
  if (i >= s.size()) return kNotFound;
  if (s[i] == '"') return skip_string(s, i);
  if (s[i] == '{' || s[i] == '[') {
    // Each closer must match its opener: "{ [ } ]" is not JSON, and must not pass as an object.
    std::string expected_closers;
    while (i < s.size()) {
      const char c = s[i];
      if (c == '"') {
        i = skip_string(s, i);
        if (i == kNotFound) return kNotFound;
        continue;
      }
      if (c == '{' || c == '[') expected_closers.push_back(c == '{' ? '}' : ']');
      if (c == '}' || c == ']') {
        if (expected_closers.empty() || expected_closers.back() != c) return kNotFound;
        expected_closers.pop_back();
        if (expected_closers.empty()) return i + 1;
      }
      ++i;
    }
    return kNotFound;
  }
  const std::size_t start = i;
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && !is_space(s[i])) ++i;
  return i == start ? kNotFound : i;
}

// Decodes a JSON string literal (quotes included) holding ASCII, as a Base64 signature does.
std::optional<std::string> decode_ascii_string(std::string_view literal) {
  if (literal.size() < 2 || literal.front() != '"' || literal.back() != '"') return std::nullopt;
  std::string out;
  for (std::size_t i = 1; i + 1 < literal.size(); ++i) {
    char c = literal[i];
    if (c == '\\') {
      ++i;
      if (i >= literal.size() - 1) return std::nullopt;  // a backslash right before the closing quote
      switch (literal[i]) {
        case '/':
          c = '/';
          break;
        case '\\':
          c = '\\';
          break;
        case '"':
          c = '"';
          break;
        case 'n':
          c = '\n';
          break;
        case 'r':
          c = '\r';
          break;
        case 't':
          c = '\t';
          break;
        default:
          return std::nullopt;  // \u escapes and the rest never occur in Base64
      }
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string signing_string(const Params& params, SignScope scope) {
  std::string out;
  for (const auto& [key, value] : params) {
    if (value.empty() || key == "sign" || (scope == SignScope::kNotify && key == "sign_type")) continue;
    if (!out.empty()) out.push_back('&');
    out += key;
    out.push_back('=');
    out += value;
  }
  return out;
}

std::string sign(const Params& params, SignScope scope, const crypto::RsaPrivateKey& key) {
  return key.sign_sha256_base64(signing_string(params, scope));
}

bool verify(const Params& params, SignScope scope, const crypto::RsaPublicKey& key) {
  auto it = params.find("sign");
  if (it == params.end() || it->second.empty()) return false;
  return key.verify_sha256_base64(signing_string(params, scope), it->second);
}

std::string response_key(std::string_view method) {
  std::string key(method);
  for (char& c : key) {
    if (c == '.') c = '_';
  }
  return key + "_response";
}

std::optional<SignedResponse> split_signed_response(std::string_view body, std::string_view method) {
  const std::string wanted = response_key(method);
  std::size_t i = skip_space(body, 0);
  if (i >= body.size() || body[i] != '{') return std::nullopt;
  std::optional<SignedResponse> found;
  std::optional<std::string> sign;
  bool sign_seen = false;
  i = skip_space(body, i + 1);
  if (i < body.size() && body[i] == '}') return std::nullopt;
  while (i < body.size()) {
    if (body[i] != '"') return std::nullopt;
    const std::size_t key_end = skip_string(body, i);
    if (key_end == kNotFound) return std::nullopt;
    const std::string_view key = body.substr(i + 1, key_end - i - 2);
    i = skip_space(body, key_end);
    if (i >= body.size() || body[i] != ':') return std::nullopt;
    const std::size_t value_start = skip_space(body, i + 1);
    const std::size_t value_end = skip_value(body, value_start);
    if (value_end == kNotFound) return std::nullopt;
    const std::string_view value = body.substr(value_start, value_end - value_start);
    if (key == wanted || key == "error_response") {
      // Two response objects make "which bytes were signed" ambiguous: refuse rather than guess.
      if (found || value.front() != '{') return std::nullopt;
      found = SignedResponse{key, value, std::nullopt};
    } else if (key == "sign") {
      if (sign_seen) return std::nullopt;
      sign_seen = true;
      sign = decode_ascii_string(value);
      if (!sign) return std::nullopt;
    }
    i = skip_space(body, value_end);
    if (i < body.size() && body[i] == ',') {
      i = skip_space(body, i + 1);
      continue;
    }
    if (i < body.size() && body[i] == '}' && skip_space(body, i + 1) == body.size()) break;
    return std::nullopt;
  }
  if (!found) return std::nullopt;
  found->sign = std::move(sign);
  return found;
}

bool verify_response(const SignedResponse& response, const crypto::RsaPublicKey& key) {
  return response.sign && key.verify_sha256_base64(response.content, *response.sign);
}

std::string form_encode(const Params& params) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  auto append = [&out](std::string_view text) {
    for (unsigned char c : text) {
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '_' || c == '.' || c == '*') {
        out.push_back(static_cast<char>(c));
      } else if (c == ' ') {
        out.push_back('+');
      } else {
        out.push_back('%');
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0x0f]);
      }
    }
  };
  for (const auto& [key, value] : params) {
    if (!out.empty()) out.push_back('&');
    append(key);
    out.push_back('=');
    append(value);
  }
  return out;
}

Result<Params> form_decode(std::string_view body) {
  Params params;
  while (!body.empty()) {
    const auto amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    body = amp == kNotFound ? std::string_view{} : body.substr(amp + 1);
    if (pair.empty()) continue;
    const auto equals = pair.find('=');
    auto key = percent_decode(pair.substr(0, equals));
    auto value = percent_decode(equals == kNotFound ? std::string_view{} : pair.substr(equals + 1));
    if (!key || !value) return make_error(ErrorCode::kInvalidParameter, "form: malformed percent escape");
    if (key->empty()) return make_error(ErrorCode::kInvalidParameter, "form: empty parameter name");
    if (!params.emplace(std::move(*key), std::move(*value)).second) {
      return make_error(ErrorCode::kInvalidParameter,
                        fmt::format("form: parameter '{}' appears twice",
                                    pair.substr(0, std::min<std::size_t>(equals, 64))));
    }
  }
  return params;
}

Result<std::int64_t> yuan_to_fen(std::string_view yuan) {
  auto money = parse_decimal(yuan, Currency::kCny);
  if (!money.ok()) return std::move(money).error();
  return money->minor;
}

std::string fen_to_yuan(std::int64_t fen) { return format_decimal(Money{fen, Currency::kCny}); }

}  // namespace paygate::alipay
