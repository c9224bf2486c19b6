// The merchant request signature (DESIGN §10), shared by the server's authenticator and every client
// (`paygate api`, the load generator, tests):
//   Authorization: PAYGATE-HMAC-SHA256 merchant_id="…",timestamp="…",nonce="…",signature="…"
//   signature = Base64(HMAC-SHA256(secret, "METHOD\nPATH?QUERY\nTIMESTAMP\nNONCE\nBODY\n"))
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace paygate {

inline constexpr std::string_view kAuthScheme = "PAYGATE-HMAC-SHA256";

struct AuthorizationFields {
  std::string merchant_id;
  std::string timestamp;  // Unix seconds, decimal
  std::string nonce;
  std::string signature;  // Base64
};

// Parses the header; parameters may come in any order, each exactly once. nullopt when malformed.
std::optional<AuthorizationFields> parse_authorization(std::string_view header);
std::string format_authorization(const AuthorizationFields& fields);

std::string canonical_request(std::string_view method, std::string_view path_and_query,
                              std::string_view timestamp, std::string_view nonce, std::string_view body);
std::string sign_canonical_request(std::string_view secret, std::string_view canonical);

// Signs a request as a merchant would: a fresh nonce and the given timestamp.
std::string sign_request_header(std::string_view merchant_id, std::string_view secret,
                                std::string_view method, std::string_view path_and_query,
                                std::string_view body, std::int64_t unix_seconds);

}  // namespace paygate
