// Proves every id that guards something draws its random part from the kernel's CSPRNG and carries enough of
// it: order ids (the cashier page's only credential) at least 80 bits, request and event ids at least 96,
// trace ids 128 and span ids 64 (W3C); a statistical smoke test of the characters; and a scan of the sources
// for any other random number generator.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "core/ids.h"
#include "crypto/random.h"
#include "crypto/random_ids.h"

namespace paygate {
namespace {

constexpr std::int64_t kNowMs = 1'800'000'000'000;

std::uint64_t drawn_by(const std::function<void()>& make_id) {
  const std::uint64_t before = crypto::random_bytes_drawn_by_this_thread();
  make_id();
  return crypto::random_bytes_drawn_by_this_thread() - before;
}

TEST(IdRandomness, EveryGuardingIdDrawsItsRandomPartFromTheCsprng) {
  // Rejection sampling may draw more bytes than characters, never fewer.
  EXPECT_GE(drawn_by([] { (void)new_order_id(kNowMs); }), 15u);
  EXPECT_GE(drawn_by([] { (void)new_refund_id(kNowMs); }), 15u);
  EXPECT_GE(drawn_by([] { (void)new_event_id(kNowMs); }), 17u);
  EXPECT_GE(drawn_by([] { (void)new_request_id(); }), 32u);
  EXPECT_GE(drawn_by([] { (void)new_trace_id(); }), 32u);
  EXPECT_GE(drawn_by([] { (void)new_span_id(); }), 16u);
  EXPECT_GE(drawn_by([] { (void)new_merchant_secret(); }), 43u);
}

TEST(IdRandomness, IdsCarryEnoughRandomBits) {
  const std::string order_id = new_order_id(kNowMs).value;
  ASSERT_EQ(order_id.size(), 32u);
  const double order_bits = (order_id.size() - 17) * std::log2(62.0);  // 17: the time prefix
  EXPECT_GE(order_bits, 80.0);
  EXPECT_GE((new_event_id(kNowMs).size() - 4 - 17) * std::log2(62.0), 96.0);
  EXPECT_GE(new_request_id().size() * 4.0, 96.0);
  EXPECT_EQ(new_trace_id().size(), 32u);
  EXPECT_EQ(new_span_id().size(), 16u);
}

// Chi-square of the random characters of 20,000 order ids over the 62 symbols (61 degrees of freedom):
// a generator stuck on a few values or biased by modulo fails by orders of magnitude; a fair one stays
// under 120 with probability 1 - 1e-5.
TEST(IdRandomness, OrderIdCharactersAreUniformAndNeverRepeat) {
  std::map<char, int> counts;
  std::set<std::string> seen;
  int characters = 0;
  for (int i = 0; i < 20'000; ++i) {
    const std::string id = new_order_id(kNowMs).value;
    ASSERT_TRUE(seen.insert(id).second) << "an order id repeated within one millisecond";
    for (char c : id.substr(17)) {
      ++counts[c];
      ++characters;
    }
  }
  EXPECT_EQ(counts.size(), 62u);
  const double expected = characters / 62.0;
  double chi_square = 0;
  for (const auto& [c, count] : counts) chi_square += (count - expected) * (count - expected) / expected;
  EXPECT_LT(chi_square, 120.0);
}

TEST(IdRandomness, NoOtherRandomNumberGeneratorIsInTheSources) {
  const std::vector<std::string> forbidden = {"xoshiro", "mt19937", "minstd_rand",   "std::rand",
                                              "srand(",  "drand48", "random_device", "default_random_engine"};
  int files = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(std::string(PAYGATE_SOURCE_DIR) + "/src")) {
    // The sandboxes' fault knobs draw from a seeded generator on purpose: a seed replays a fault pattern.
    if (!entry.is_regular_file() || entry.path().string().find("sandbox/common/faults") != std::string::npos)
      continue;
    std::ifstream file(entry.path());
    std::stringstream text;
    text << file.rdbuf();
    ++files;
    for (const std::string& word : forbidden) {
      EXPECT_EQ(text.str().find(word), std::string::npos) << entry.path() << " uses " << word;
    }
  }
  EXPECT_GT(files, 100);
}

}  // namespace
}  // namespace paygate
