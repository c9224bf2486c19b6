// Remembers (merchant, nonce) pairs until their signed timestamp can no longer pass the window, so a
// captured request cannot be replayed. Sharded to keep the lock short; bounded by entries_max.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace paygate {

enum class NonceVerdict : std::uint8_t { kFresh, kReused, kCacheFull };

class NonceCache {
 public:
  explicit NonceCache(std::size_t entries_max);

  // Records the nonce until expires_at_ms. kReused when it is already recorded and unexpired; kCacheFull
  // when even after dropping expired entries there is no room (the caller must refuse the request: accepting
  // it unrecorded would allow a replay).
  NonceVerdict remember(std::string_view merchant_id, std::string_view nonce, std::int64_t expires_at_ms,
                        std::int64_t now_ms);

 private:
  static constexpr std::size_t kShardCount = 16;
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, std::int64_t> expiry_ms_by_key;
    // Insertion order; expiries are near-monotonic, so pruning from the front frees the oldest entries.
    std::deque<std::pair<std::int64_t, std::string>> by_age;
  };
  void prune(Shard& shard, std::int64_t now_ms);

  std::size_t entries_max_per_shard_;
  std::array<Shard, kShardCount> shards_;
};

}  // namespace paygate
