// The WeChat Pay platform keys one merchant account trusts, by serial: every platform certificate that is
// valid now (old and new overlap while WeChat rotates them), and in public-key mode one fixed key named
// PUB_KEY_ID_…. Thread-safe: notifies (io threads) read while certificate refreshes (channel workers) write.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "crypto/rsa.h"
#include "crypto/x509.h"

namespace paygate::wechatpay {

class PlatformKeys {
 public:
  void add_public_key(const std::string& key_id, crypto::RsaPublicKey key);
  // Keeps the certificate until it expires; a serial seen before is replaced.
  void add_certificate(const crypto::Certificate& certificate);
  // The key for this serial if it is valid at now_ms.
  std::optional<crypto::RsaPublicKey> find(const std::string& serial, std::int64_t now_ms) const;
  // Serials of the certificates valid at now_ms (public keys excluded), for logs and tests.
  std::vector<std::string> certificate_serials(std::int64_t now_ms) const;

 private:
  struct Entry {
    crypto::RsaPublicKey key;
    std::int64_t not_before_ms = 0;
    std::int64_t not_after_ms = INT64_MAX;
    bool certificate = false;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Entry> by_serial_;
};

}  // namespace paygate::wechatpay
