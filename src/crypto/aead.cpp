#include "crypto/aead.h"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

#include "crypto/algorithms.h"

namespace paygate::crypto {
namespace {

using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

const unsigned char* bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

// Key and nonce set on a fresh context, nonce length first (GCM's default is 12, but say it).
CipherCtxPtr gcm_context(std::string_view key, std::string_view nonce, bool encrypt) {
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!ctx) throw std::runtime_error("OpenSSL EVP_CIPHER_CTX_new failed");
  const int init = encrypt
                       ? EVP_EncryptInit_ex(ctx.get(), aes_256_gcm_algorithm(), nullptr, nullptr, nullptr)
                       : EVP_DecryptInit_ex(ctx.get(), aes_256_gcm_algorithm(), nullptr, nullptr, nullptr);
  if (init != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(nonce.size()), nullptr) != 1) {
    return CipherCtxPtr(nullptr, &EVP_CIPHER_CTX_free);
  }
  const int keyed = encrypt ? EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, bytes(key), bytes(nonce))
                            : EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, bytes(key), bytes(nonce));
  if (keyed != 1) return CipherCtxPtr(nullptr, &EVP_CIPHER_CTX_free);
  return ctx;
}

}  // namespace

std::string aes256gcm_seal(std::string_view key, std::string_view nonce, std::string_view aad,
                           std::string_view plaintext) {
  if (key.size() != kAes256KeyBytes || nonce.empty()) throw std::invalid_argument("aes256gcm: key or nonce");
  auto ctx = gcm_context(key, nonce, true);
  std::string out(plaintext.size() + kGcmTagBytes, '\0');
  auto* cursor = reinterpret_cast<unsigned char*>(out.data());
  int length = 0;
  if (!ctx || EVP_EncryptUpdate(ctx.get(), nullptr, &length, bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), cursor, &length, bytes(plaintext), static_cast<int>(plaintext.size())) !=
          1 ||
      EVP_EncryptFinal_ex(ctx.get(), cursor + length, &length) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kGcmTagBytes, cursor + plaintext.size()) != 1) {
    throw std::runtime_error("OpenSSL AES-256-GCM encryption failed");
  }
  return out;
}

std::optional<std::string> aes256gcm_open(std::string_view key, std::string_view nonce, std::string_view aad,
                                          std::string_view sealed) {
  if (key.size() != kAes256KeyBytes || nonce.empty() || sealed.size() < kGcmTagBytes) return std::nullopt;
  const std::string_view ciphertext = sealed.substr(0, sealed.size() - kGcmTagBytes);
  std::string tag(sealed.substr(ciphertext.size()));
  auto ctx = gcm_context(key, nonce, false);
  if (!ctx) return std::nullopt;
  std::string out(ciphertext.size(), '\0');
  auto* cursor = reinterpret_cast<unsigned char*>(out.data());
  int length = 0;
  if (EVP_DecryptUpdate(ctx.get(), nullptr, &length, bytes(aad), static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), cursor, &length, bytes(ciphertext), static_cast<int>(ciphertext.size())) !=
          1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kGcmTagBytes, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), cursor + length, &length) != 1) {
    return std::nullopt;
  }
  return out;
}

}  // namespace paygate::crypto
