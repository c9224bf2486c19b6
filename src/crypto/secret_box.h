// Secrets at rest (DESIGN §11): AES-256-GCM under a master key, each ciphertext naming the key that sealed
// it, so a rotation can re-seal everything while the old key still opens what it sealed:
//   "pgenc1:<key id>:<Base64(12-byte nonce ‖ ciphertext ‖ 16-byte tag)>"
// The additional data binds a ciphertext to its place (e.g. "merchants.secret:<merchant_id>"): a sealed
// secret copied into another merchant's row does not open.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace paygate::crypto {

struct MasterKey {
  std::string key_id;  // [A-Za-z0-9_-]{1,64}
  std::string key;     // 32 bytes
};

// The first key seals; every key opens.
struct MasterKeyring {
  std::vector<MasterKey> keys;
};

inline constexpr std::string_view kSealedPrefix = "pgenc1:";

class SecretBox {
 public:
  // reload: called when a ciphertext names a key this box does not hold, or before sealing when the
  // ring's source changed (another process rotated it); it returns the ring as it stands now.
  using Reload = std::function<Result<MasterKeyring>(bool only_if_changed)>;
  explicit SecretBox(MasterKeyring ring, Reload reload = {});

  std::string seal(std::string_view plaintext, std::string_view aad) const;
  // INTERNAL when the key is unknown even after a reload, or the ciphertext does not authenticate.
  Result<std::string> open(std::string_view sealed, std::string_view aad) const;

  static bool is_sealed(std::string_view text) {
    return text.substr(0, kSealedPrefix.size()) == kSealedPrefix;
  }
  static std::optional<std::string> key_id_of(std::string_view sealed);
  std::string sealing_key_id() const;

 private:
  std::optional<std::string> key_for(std::string_view key_id) const;
  void refresh(bool only_if_changed) const;

  mutable std::mutex mutex_;
  mutable MasterKeyring ring_;
  Reload reload_;
};

// A fresh key with an id naming its creation time: "mk_<yyyyMMddHHmmss>_<6 base62>".
MasterKey new_master_key(std::int64_t now_unix_ms);

}  // namespace paygate::crypto
