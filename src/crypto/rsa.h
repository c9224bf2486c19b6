// RSA keys and SHA256withRSA (PKCS#1 v1.5) signatures, as Alipay's RSA2 and WeChat Pay's APIv3 use them.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

struct evp_pkey_st;

namespace paygate::crypto {

// Ready-to-use OpenSSL contexts for one key and one operation (see rsa.cpp).
class PkeyContextPool;

struct PkeyDeleter {
  void operator()(evp_pkey_st* key) const;
};
using PkeyPtr = std::unique_ptr<evp_pkey_st, PkeyDeleter>;

class RsaPrivateKey {
 public:
  // Accepts PKCS#8 ("BEGIN PRIVATE KEY"), PKCS#1 ("BEGIN RSA PRIVATE KEY"), or the bare Base64 body that
  // Alipay's key tool prints. Errors never include key material.
  static Result<RsaPrivateKey> from_pem(std::string_view text);
  static RsaPrivateKey generate(int bits = 2048);

  // Base64 of the SHA256withRSA signature of data.
  std::string sign_sha256_base64(std::string_view data) const;
  std::string to_pkcs8_pem() const;
  std::string public_key_pem() const;
  // The OpenSSL key, for signing certificates (crypto/x509).
  evp_pkey_st* native() const { return key_.get(); }

 private:
  explicit RsaPrivateKey(PkeyPtr key);
  std::shared_ptr<evp_pkey_st> key_;
  std::shared_ptr<PkeyContextPool> signers_;
};

class RsaPublicKey {
 public:
  // Accepts SubjectPublicKeyInfo ("BEGIN PUBLIC KEY"), PKCS#1 ("BEGIN RSA PUBLIC KEY") or a bare Base64 body.
  static Result<RsaPublicKey> from_pem(std::string_view text);

  // Takes ownership of an RSA key from OpenSSL (e.g. a certificate's); fails for other key types.
  static Result<RsaPublicKey> adopt(PkeyPtr key);

  // False for any malformed signature (bad Base64, wrong length) as well as for a wrong one.
  bool verify_sha256_base64(std::string_view data, std::string_view signature_base64) const;

 private:
  explicit RsaPublicKey(PkeyPtr key);
  std::shared_ptr<evp_pkey_st> key_;
  std::shared_ptr<PkeyContextPool> verifiers_;
};

}  // namespace paygate::crypto
