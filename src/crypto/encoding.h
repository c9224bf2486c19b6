// Base64 and hex encodings (OpenSSL's codec for base64).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace paygate::crypto {

std::string base64_encode(std::string_view bytes);
// Strict standard-alphabet base64 with padding; nullopt on anything else.
std::optional<std::string> base64_decode(std::string_view text);

std::string hex_encode(std::string_view bytes);
std::optional<std::string> hex_decode(std::string_view text);

}  // namespace paygate::crypto
