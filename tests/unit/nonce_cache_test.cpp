// Proves a nonce is accepted once per merchant while its timestamp is valid, that whole buckets of expired
// nonces are forgotten, and that one merchant exhausting its share never refuses another merchant.
#include <gtest/gtest.h>

#include <string>

#include "app/nonce_cache.h"

namespace paygate {
namespace {

constexpr std::int64_t kWindowMs = 300'000;

TEST(NonceCache, ANonceIsAcceptedOncePerMerchant) {
  NonceCache cache(kWindowMs, 1000);
  EXPECT_EQ(cache.remember("m1", "nonce-1", 10'000, 0), NonceVerdict::kFresh);
  EXPECT_EQ(cache.remember("m1", "nonce-1", 10'000, 1), NonceVerdict::kReused);
  EXPECT_EQ(cache.remember("m1", "nonce-1", 250'000, 1), NonceVerdict::kReused)
      << "the same nonce under another timestamp is a reuse too";
  EXPECT_EQ(cache.remember("m2", "nonce-1", 10'000, 1), NonceVerdict::kFresh) << "nonces are per merchant";
}

TEST(NonceCache, ExpiredBucketsAreDroppedWhole) {
  NonceCache cache(kWindowMs, 1'000'000);
  for (int i = 0; i < 10'000; ++i) {
    ASSERT_EQ(cache.remember("m", "n" + std::to_string(i), kWindowMs + i, i), NonceVerdict::kFresh);
  }
  EXPECT_EQ(cache.entries(), 10'000u);
  // One bucket (window / 8) after the last expiry, every one of them is gone and nothing else is.
  EXPECT_EQ(cache.remember("m", "later", 3 * kWindowMs, kWindowMs + 10'000 + kWindowMs / 8),
            NonceVerdict::kFresh);
  EXPECT_EQ(cache.entries(), 1u);
  EXPECT_EQ(cache.remember("m", "n1", 3 * kWindowMs, kWindowMs + 10'000 + kWindowMs / 8),
            NonceVerdict::kFresh);
}

TEST(NonceCache, AMerchantThatExhaustsItsShareIsRefusedAlone) {
  NonceCache cache(kWindowMs, 100);
  int refused = 0;
  for (int i = 0; i < 150; ++i) {
    if (cache.remember("greedy", "n" + std::to_string(i), kWindowMs, 0) == NonceVerdict::kShareExhausted)
      ++refused;
  }
  EXPECT_EQ(refused, 50);
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(cache.remember("modest", "n" + std::to_string(i), kWindowMs, 0), NonceVerdict::kFresh)
        << "another merchant's share is untouched";
  }
  // Once its nonces expire, the greedy merchant has its share again.
  EXPECT_EQ(cache.remember("greedy", "fresh", 3 * kWindowMs, 2 * kWindowMs), NonceVerdict::kFresh);
}

TEST(FingerprintSet, GrowsAndFindsEveryEntry) {
  FingerprintSet set(0);
  for (std::uint64_t i = 1; i <= 100'000; ++i) set.insert(i * 0x9E3779B97F4A7C15ull);
  EXPECT_EQ(set.size(), 100'000u);
  for (std::uint64_t i = 1; i <= 100'000; ++i) ASSERT_TRUE(set.contains(i * 0x9E3779B97F4A7C15ull));
  EXPECT_FALSE(set.contains(12345));
  EXPECT_LE(set.bytes(), 100'000u * 8 * 4) << "at least 1/4 full after growing";
}

}  // namespace
}  // namespace paygate
