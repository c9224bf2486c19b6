// X.509 certificates (OpenSSL): loading, serial numbers and validity as WeChat Pay names and rotates its
// platform certificates, and issuing them for the sandbox.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "crypto/rsa.h"

struct x509_st;

namespace paygate::crypto {

class Certificate {
 public:
  // One PEM certificate ("BEGIN CERTIFICATE"); anything else is an error that quotes none of the input.
  static Result<Certificate> from_pem(std::string_view text);
  // A self-signed certificate for key with this serial (hex), valid in [not_before_ms, not_after_ms]: the
  // sandbox's platform and merchant certificates.
  static Certificate self_signed(const RsaPrivateKey& key, std::string_view serial_hex,
                                 std::string_view common_name, std::int64_t not_before_ms,
                                 std::int64_t not_after_ms);

  // Upper-case hex without leading zeros stripped beyond OpenSSL's own (as WeChat Pay prints serials).
  const std::string& serial_hex() const { return serial_hex_; }
  std::int64_t not_before_ms() const { return not_before_ms_; }
  std::int64_t not_after_ms() const { return not_after_ms_; }
  bool valid_at(std::int64_t unix_ms) const { return unix_ms >= not_before_ms_ && unix_ms <= not_after_ms_; }
  Result<RsaPublicKey> public_key() const;
  std::string to_pem() const;

 private:
  struct X509Deleter {
    void operator()(x509_st* cert) const;
  };
  explicit Certificate(x509_st* cert);
  std::shared_ptr<x509_st> cert_;
  std::string serial_hex_;
  std::int64_t not_before_ms_ = 0;
  std::int64_t not_after_ms_ = 0;
};

}  // namespace paygate::crypto
