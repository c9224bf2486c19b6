// Proves the direct order serialiser writes exactly the object the DOM serialiser writes.
#include <gtest/gtest.h>

#include "api/order_json.h"
#include "nlohmann/json.hpp"

namespace paygate {
namespace {

TEST(OrderJson, DirectTextEqualsTheDomForm) {
  CreateOrderInput input;
  input.out_trade_no = "T-1";
  input.amount_minor = 990;
  input.subject = "咖啡 \"quoted\" \\ backslash </script>";
  input.metadata_json = R"({"a":[1,2],"b":{"c":"\u00e9"}})";
  auto bare = preflight_create_order(MerchantId{"m"}, input, OrderConfig{}, 1'700'000'000'000);
  ASSERT_TRUE(bare.ok());
  input.channel = "wechatpay";
  input.method = "native";
  input.notify_url = "https://shop.example/hook?x=1";
  input.client_ip = "::1";
  input.user_id = "用户\"1\"";
  auto full = preflight_create_order(MerchantId{"m"}, input, OrderConfig{}, 1'700'000'000'000);
  ASSERT_TRUE(full.ok()) << full.error().message;
  for (const Order& order : {*bare, *full}) {
    const auto parsed = nlohmann::json::parse(api::order_json_text(order, "http://h:1"));
    EXPECT_EQ(parsed, api::order_to_json(order, "http://h:1"));
  }
}

}  // namespace
}  // namespace paygate
