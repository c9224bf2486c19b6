#include "app/nonce_cache.h"

#include <functional>

namespace paygate {

NonceCache::NonceCache(std::size_t entries_max)
    : entries_max_per_shard_(std::max<std::size_t>(1, entries_max / kShardCount)) {}

void NonceCache::prune(Shard& shard, std::int64_t now_ms) {
  while (!shard.by_age.empty() && shard.by_age.front().first <= now_ms) {
    auto it = shard.expiry_ms_by_key.find(shard.by_age.front().second);
    // Only erase when this queue entry is the live one (a key re-added later carries a later expiry).
    if (it != shard.expiry_ms_by_key.end() && it->second <= now_ms) shard.expiry_ms_by_key.erase(it);
    shard.by_age.pop_front();
  }
}

NonceVerdict NonceCache::remember(std::string_view merchant_id, std::string_view nonce,
                                  std::int64_t expires_at_ms, std::int64_t now_ms) {
  std::string key;
  key.reserve(merchant_id.size() + nonce.size() + 1);
  key.append(merchant_id).push_back('\n');
  key.append(nonce);
  Shard& shard = shards_[std::hash<std::string>{}(key) % kShardCount];
  std::lock_guard lock(shard.mutex);
  prune(shard, now_ms);
  auto it = shard.expiry_ms_by_key.find(key);
  if (it != shard.expiry_ms_by_key.end()) return NonceVerdict::kReused;
  if (shard.expiry_ms_by_key.size() >= entries_max_per_shard_) return NonceVerdict::kCacheFull;
  shard.expiry_ms_by_key.emplace(key, expires_at_ms);
  shard.by_age.emplace_back(expires_at_ms, std::move(key));
  return NonceVerdict::kFresh;
}

}  // namespace paygate
