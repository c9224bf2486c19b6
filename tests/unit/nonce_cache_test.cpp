// Proves a nonce is accepted once per merchant while its timestamp is valid, and the cache stays bounded.
#include <gtest/gtest.h>

#include "app/nonce_cache.h"

namespace paygate {
namespace {

TEST(NonceCache, ANonceIsAcceptedOncePerMerchant) {
  NonceCache cache(1000);
  EXPECT_EQ(cache.remember("m1", "nonce-1", 10'000, 0), NonceVerdict::kFresh);
  EXPECT_EQ(cache.remember("m1", "nonce-1", 10'000, 1), NonceVerdict::kReused);
  EXPECT_EQ(cache.remember("m2", "nonce-1", 10'000, 1), NonceVerdict::kFresh) << "nonces are per merchant";
  // "m1"+"\nx" must not collide with "m1\n"+"x"-style concatenations.
  EXPECT_EQ(cache.remember("m1\nnonce", "-1", 10'000, 1), NonceVerdict::kFresh);
}

TEST(NonceCache, ExpiredNoncesAreForgottenAndMakeRoom) {
  NonceCache cache(16);  // one entry per shard
  int accepted = 0;
  for (int i = 0; i < 64; ++i) {
    if (cache.remember("m", "n" + std::to_string(i), 1'000, 0) == NonceVerdict::kFresh) ++accepted;
  }
  EXPECT_LE(accepted, 16);
  EXPECT_GT(accepted, 0);
  // Still within the window: a full shard refuses rather than forgetting (forgetting would allow replays).
  int refused = 0;
  for (int i = 100; i < 164; ++i) {
    if (cache.remember("m", "n" + std::to_string(i), 1'000, 10) == NonceVerdict::kCacheFull) ++refused;
  }
  EXPECT_GT(refused, 0);
  // After expiry the shards are pruned: every earlier nonce is forgotten and fits again.
  for (int i = 0; i < 64; ++i) {
    EXPECT_NE(cache.remember("m", "n" + std::to_string(i), 1'000, 2'000), NonceVerdict::kReused);
  }
}

}  // namespace
}  // namespace paygate
