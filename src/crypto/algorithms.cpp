#include "crypto/algorithms.h"

#include <stdexcept>

namespace paygate::crypto {
namespace {

template <class T>
T* fetched(T* algorithm, const char* name) {
  if (algorithm == nullptr) throw std::runtime_error(std::string("OpenSSL cannot fetch ") + name);
  return algorithm;
}

}  // namespace

const EVP_MD* sha256_algorithm() {
  static const EVP_MD* const md = fetched(EVP_MD_fetch(nullptr, "SHA256", nullptr), "SHA256");
  return md;
}

const EVP_MD* sha1_algorithm() {
  static const EVP_MD* const md = fetched(EVP_MD_fetch(nullptr, "SHA1", nullptr), "SHA1");
  return md;
}

const EVP_CIPHER* aes_256_gcm_algorithm() {
  static const EVP_CIPHER* const cipher =
      fetched(EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr), "AES-256-GCM");
  return cipher;
}

EVP_MAC* hmac_algorithm() {
  static EVP_MAC* const mac = fetched(EVP_MAC_fetch(nullptr, "HMAC", nullptr), "HMAC");
  return mac;
}

}  // namespace paygate::crypto
