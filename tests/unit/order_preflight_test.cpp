// Proves create-order preflight: defaults, derived fields, the fingerprint's meaning and field errors.
#include <gtest/gtest.h>

#include "app/orders.h"

namespace paygate {
namespace {

CreateOrderInput valid_input() {
  CreateOrderInput input;
  input.out_trade_no = "T-1_a";
  input.amount_minor = 990;
  input.subject = "咖啡 Coffee";
  return input;
}

constexpr std::int64_t kNow = 1'700'000'000'000;

TEST(OrderPreflight, BuildsAPendingOrderWithDefaults) {
  auto order = preflight_create_order(MerchantId{"mch_1"}, valid_input(), OrderConfig{}, kNow);
  ASSERT_TRUE(order.ok()) << order.error().message;
  EXPECT_EQ(order->status, OrderStatus::kPending);
  EXPECT_EQ(order->amount, (Money{990, Currency::kCny}));
  EXPECT_EQ(order->expires_at_ms, kNow + 7200 * 1000);
  EXPECT_EQ(order->created_at_ms, kNow);
  EXPECT_TRUE(is_order_id_syntax(order->order_id.value));
  EXPECT_EQ(order->order_id.value.substr(0, 17), "20231114221320000");
  EXPECT_EQ(order->request_fingerprint.size(), 64u);
}

TEST(OrderPreflight, FingerprintDependsOnFieldsNotOnIdsOrTime) {
  auto a = preflight_create_order(MerchantId{"mch_1"}, valid_input(), OrderConfig{}, kNow);
  auto b = preflight_create_order(MerchantId{"mch_1"}, valid_input(), OrderConfig{}, kNow + 5000);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->order_id, b->order_id);
  EXPECT_EQ(a->request_fingerprint, b->request_fingerprint);
  auto explicit_currency = valid_input();
  explicit_currency.currency = "CNY";
  EXPECT_EQ(preflight_create_order(MerchantId{"mch_1"}, explicit_currency, OrderConfig{}, kNow)
                ->request_fingerprint,
            a->request_fingerprint)
      << "CNY is the default, so saying it is the same request";
  auto other_amount = valid_input();
  other_amount.amount_minor = 991;
  EXPECT_NE(
      preflight_create_order(MerchantId{"mch_1"}, other_amount, OrderConfig{}, kNow)->request_fingerprint,
      a->request_fingerprint);
}

TEST(OrderPreflight, AmountBoundsAreInclusive) {
  auto input = valid_input();
  input.amount_minor = 1;
  EXPECT_TRUE(preflight_create_order(MerchantId{"m"}, input, OrderConfig{}, kNow).ok());
  input.amount_minor = kOrderAmountMinorMax;
  EXPECT_TRUE(preflight_create_order(MerchantId{"m"}, input, OrderConfig{}, kNow).ok());
  input.amount_minor = kOrderAmountMinorMax + 1;
  EXPECT_FALSE(preflight_create_order(MerchantId{"m"}, input, OrderConfig{}, kNow).ok());
}

TEST(OrderPreflight, ChannelAndMethodMustAgree) {
  auto input = valid_input();
  input.channel = "wechatpay";
  input.method = "jsapi";
  auto no_payer = preflight_create_order(MerchantId{"m"}, input, OrderConfig{}, kNow);
  ASSERT_FALSE(no_payer.ok());
  EXPECT_EQ(no_payer.error().message, "user_id: is required with method jsapi (the payer's WeChat openid)");
  input.user_id = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
  EXPECT_TRUE(preflight_create_order(MerchantId{"m"}, input, OrderConfig{}, kNow).ok());
  input.method = "native";
  EXPECT_TRUE(preflight_create_order(MerchantId{"m"}, input, OrderConfig{}, kNow).ok());
  input.method = "qr";
  auto wrong = preflight_create_order(MerchantId{"m"}, input, OrderConfig{}, kNow);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().message, "method: must be one of native|jsapi for channel wechatpay");
}

TEST(OrderPreflight, SubjectLengthCountsCharactersNotBytes) {
  auto input = valid_input();
  std::string subject;
  for (int i = 0; i < 128; ++i) subject += "咖";  // 128 characters, 384 bytes
  input.subject = subject;
  EXPECT_TRUE(preflight_create_order(MerchantId{"m"}, input, OrderConfig{}, kNow).ok());
  input.subject = subject + "a";
  EXPECT_FALSE(preflight_create_order(MerchantId{"m"}, input, OrderConfig{}, kNow).ok());
}

TEST(OrderPreflight, AcceptsIpv6ClientAddresses) {
  auto input = valid_input();
  input.client_ip = "2001:db8::1";
  EXPECT_TRUE(preflight_create_order(MerchantId{"m"}, input, OrderConfig{}, kNow).ok());
}

TEST(ListPreflight, ParsesFiltersAndRejectsBadOnes) {
  auto query = preflight_list_orders(
      MerchantId{"m"}, ListOrdersInput{"pending", "2026-01-01T08:00:00+08:00", "50", std::nullopt});
  ASSERT_TRUE(query.ok());
  EXPECT_EQ(query->status, OrderStatus::kPending);
  EXPECT_EQ(query->created_after_ms, 1'767'225'600'000);
  EXPECT_EQ(query->limit, 50u);
  EXPECT_FALSE(
      preflight_list_orders(MerchantId{"m"}, ListOrdersInput{std::nullopt, std::nullopt, "-1", std::nullopt})
          .ok());
  EXPECT_FALSE(
      preflight_list_orders(MerchantId{"m"}, ListOrdersInput{std::nullopt, std::nullopt, "5x", std::nullopt})
          .ok());
}

}  // namespace
}  // namespace paygate
