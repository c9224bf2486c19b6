// SHA-256, SHA-1, HMAC-SHA256 and constant-time comparison (OpenSSL).
#pragma once

#include <string>
#include <string_view>

namespace paygate::crypto {

// Raw 32-byte digests.
std::string sha256(std::string_view data);
// Raw 20-byte SHA-1: only where a channel names it (WeChat Pay's bill hash_value), never for security.
std::string sha1(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);

// Compares two byte strings in time independent of where they differ. The length is not secret.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace paygate::crypto
