// Refund requests are checked field by field before the store sees them; pending refunds are asked about
// on a doubling schedule.
#include <gtest/gtest.h>

#include "app/refunds.h"

namespace paygate {
namespace {

constexpr std::int64_t kNow = 1'790'000'000'000;
const MerchantId kMerchant{"mch_a"};
const std::string kOrder = "20261122000000000abcdefABCDEF";

Result<Refund> preflight(const CreateRefundInput& input) {
  return preflight_create_refund(kMerchant, kOrder, input, RefundConfig{}, kNow);
}

TEST(RefundPreflight, BuildsAPendingRefundWithItsFirstCheckScheduled) {
  auto refund = preflight({"r-1", 500, "damaged", std::nullopt});
  ASSERT_TRUE(refund.ok()) << refund.error().message;
  EXPECT_TRUE(is_refund_id_syntax(refund->refund_id.value)) << refund->refund_id.value;
  EXPECT_EQ(refund->order_id.value, kOrder);
  EXPECT_EQ(refund->amount.minor, 500);
  EXPECT_EQ(refund->status, RefundStatus::kPending);
  EXPECT_EQ(refund->channel_attempts, 1);
  EXPECT_EQ(refund->next_channel_check_ms, kNow + 5'000);
  // The same request fingerprints the same; any field that defines the refund changes it.
  EXPECT_EQ(preflight({"r-1", 500, "damaged", std::nullopt})->request_fingerprint,
            refund->request_fingerprint);
  EXPECT_NE(preflight({"r-1", 501, "damaged", std::nullopt})->request_fingerprint,
            refund->request_fingerprint);
  EXPECT_NE(preflight({"r-1", 500, "other", std::nullopt})->request_fingerprint, refund->request_fingerprint);
}

TEST(RefundPreflight, EveryBadFieldIsNamed) {
  const std::vector<std::pair<CreateRefundInput, std::string>> cases = {
      {{std::nullopt, 1, std::nullopt, std::nullopt}, "out_refund_no:"},
      {{"", 1, std::nullopt, std::nullopt}, "out_refund_no:"},
      {{std::string(65, 'a'), 1, std::nullopt, std::nullopt}, "out_refund_no:"},
      {{"r 1", 1, std::nullopt, std::nullopt}, "out_refund_no:"},
      {{"r-1", std::nullopt, std::nullopt, std::nullopt}, "amount:"},
      {{"r-1", 0, std::nullopt, std::nullopt}, "amount:"},
      {{"r-1", -5, std::nullopt, std::nullopt}, "amount:"},
      {{"r-1", 1, std::string(257, 'x'), std::nullopt}, "reason:"},
      {{"r-1", 1, std::string("\xff\xfe"), std::nullopt}, "reason:"},
      {{"r-1", 1, std::string("line\nbreak"), std::nullopt}, "reason:"},
      {{"r-1", 1, std::nullopt, "mailto:x@y"}, "notify_url:"},
  };
  for (const auto& [input, field] : cases) {
    auto refund = preflight(input);
    ASSERT_FALSE(refund.ok()) << field;
    EXPECT_EQ(refund.error().code, ErrorCode::kInvalidParameter);
    EXPECT_EQ(refund.error().message.rfind(field, 0), 0u) << refund.error().message;
  }
  // 256 characters of CJK (768 bytes) is a valid reason: the limit is in characters.
  std::string cjk;
  for (int i = 0; i < 256; ++i) cjk += "退";
  EXPECT_TRUE(preflight({"r-1", 1, cjk, std::nullopt}).ok());
  EXPECT_EQ(preflight_create_refund(kMerchant, "not-an-order", {"r-1", 1, {}, {}}, RefundConfig{}, kNow)
                .error()
                .code,
            ErrorCode::kOrderNotFound);
}

TEST(RefundChecks, DoubleFromTheFirstDelayUpToTheCap) {
  const RefundConfig config{1'000, 10'000};
  EXPECT_EQ(next_refund_check_ms(config, 1, 0), 1'000);
  EXPECT_EQ(next_refund_check_ms(config, 2, 0), 2'000);
  EXPECT_EQ(next_refund_check_ms(config, 4, 0), 8'000);
  EXPECT_EQ(next_refund_check_ms(config, 5, 0), 10'000);
  EXPECT_EQ(next_refund_check_ms(config, 1'000'000, 0), 10'000) << "no overflow after many attempts";
}

}  // namespace
}  // namespace paygate
