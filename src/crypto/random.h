// Secure random bytes and identifiers from OpenSSL's CSPRNG.
#pragma once

#include <cstddef>
#include <string>

namespace paygate::crypto {

std::string random_bytes(std::size_t count);
// count characters of [0-9A-Za-z], uniformly distributed (rejection sampling, no modulo bias).
std::string random_base62(std::size_t count);
// 2 * byte_count lowercase hex characters.
std::string random_hex(std::size_t byte_count);

}  // namespace paygate::crypto
