// AES-256-GCM (OpenSSL EVP) as WeChat Pay APIv3 uses it: 32-byte key, 12-byte nonce, additional data, and a
// 16-byte tag appended to the ciphertext.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace paygate::crypto {

inline constexpr std::size_t kAes256KeyBytes = 32;
inline constexpr std::size_t kGcmTagBytes = 16;

// ciphertext ‖ tag. key must be 32 bytes and nonce non-empty (callers use 12).
std::string aes256gcm_seal(std::string_view key, std::string_view nonce, std::string_view aad,
                           std::string_view plaintext);
// nullopt when the key or input has the wrong size or the tag does not authenticate (wrong key, nonce,
// aad, or any changed byte).
std::optional<std::string> aes256gcm_open(std::string_view key, std::string_view nonce, std::string_view aad,
                                          std::string_view sealed);

}  // namespace paygate::crypto
