#include "crypto/digest.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/sha.h>

#include <memory>
#include <stdexcept>

#include "crypto/algorithms.h"

namespace paygate::crypto {

std::string sha256(std::string_view data) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), nullptr,
                 sha256_algorithm(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL EVP_Digest(sha256) failed");
  }
  return out;
}

std::string sha1(std::string_view data) {
  std::string out(SHA_DIGEST_LENGTH, '\0');
  if (EVP_Digest(data.data(), data.size(), reinterpret_cast<unsigned char*>(out.data()), nullptr,
                 sha1_algorithm(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL EVP_Digest(sha1) failed");
  }
  return out;
}

namespace {

using MacContext = std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)>;

// An HMAC context with its digest already set, copied for each call: HMAC() fetched the MAC and the digest
// by name on every call, and so would setting the digest parameter on a fresh context.
const EVP_MAC_CTX* hmac_sha256_template() {
  static const MacContext context = [] {
    MacContext ctx(EVP_MAC_CTX_new(hmac_algorithm()), &EVP_MAC_CTX_free);
    char digest_name[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                                 OSSL_PARAM_construct_end()};
    if (!ctx || EVP_MAC_CTX_set_params(ctx.get(), params) != 1)
      throw std::runtime_error("OpenSSL HMAC(sha256) setup failed");
    return ctx;
  }();
  return context.get();
}

}  // namespace

std::string hmac_sha256(std::string_view key, std::string_view data) {
  MacContext ctx(EVP_MAC_CTX_dup(hmac_sha256_template()), &EVP_MAC_CTX_free);
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  std::size_t length = 0;
  if (!ctx ||
      EVP_MAC_init(ctx.get(), reinterpret_cast<const unsigned char*>(key.data()), key.size(), nullptr) != 1 ||
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &length, out.size()) != 1) {
    throw std::runtime_error("OpenSSL HMAC(sha256) failed");
  }
  out.resize(length);
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace paygate::crypto
