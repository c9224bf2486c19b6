// Proves merchants are isolated: every merchant endpoint called with another merchant's order, refund,
// event or out_trade_no answers 404 (the ids' owner is never confirmed) and changes nothing.
#include "tests/integration/sandboxed_gateway.h"

namespace paygate::test {
namespace {

using nlohmann::json;

class Isolation : public SandboxedGateway {};

TEST_F(Isolation, AnotherMerchantsIdsAnswer404Everywhere) {
  start("", "[webhooks]\nfirst_retry_ms = 20\nretry_max_ms = 100\npoll_interval_ms = 10\n");
  // Merchant A pays an order and refunds part of it, so it owns an order, a refund and events.
  const json order = create_alipay_order("iso-1", 900);
  const std::string order_id = order["order_id"];
  ASSERT_EQ(sandbox_pay(order_id), 200);
  ASSERT_EQ(wait_for_status(order_id, "succeeded")["status"], "succeeded");
  auto a = merchant();
  auto refund = a.post("/api/v1/orders/" + order_id + "/refunds",
                       json{{"out_refund_no", "iso-r1"}, {"amount", 100}}.dump());
  ASSERT_TRUE(refund.status == 200 || refund.status == 201) << refund.raw.body;
  const std::string refund_id = refund.data()["refund_id"];
  auto events = a.get("/api/v1/events?order_id=" + order_id);
  ASSERT_FALSE(events.data()["events"].empty());
  const std::string event_id = events.data()["events"][0]["event_id"];

  // Merchant B, made by the operator CLI.
  const ProcessResult made =
      run_paygate({"merchant", "create", "--data-dir", dir_.path() + "/data", "--name", "B"});
  ASSERT_EQ(made.exit_code, 0) << made.output;
  const json b_credentials = json::parse(made.output.substr(made.output.find('{')));
  MerchantClient b(gateway_->endpoint(), {b_credentials["merchant_id"], b_credentials["secret"]});

  const std::vector<std::pair<std::string, std::string>> gets = {
      {"/api/v1/orders/" + order_id, "ORDER_NOT_FOUND"},
      {"/api/v1/orders/" + order_id + "?sync=true", "ORDER_NOT_FOUND"},
      {"/api/v1/orders?out_trade_no=iso-1", "ORDER_NOT_FOUND"},
      {"/api/v1/orders/" + order_id + "/refunds", "ORDER_NOT_FOUND"},
      {"/api/v1/refunds/" + refund_id, "REFUND_NOT_FOUND"},
      {"/api/v1/refunds/" + refund_id + "?sync=true", "REFUND_NOT_FOUND"},
      {"/api/v1/refunds?out_refund_no=iso-r1", "REFUND_NOT_FOUND"},
      {"/api/v1/ledger/transfers?order_id=" + order_id, "ORDER_NOT_FOUND"},
      {"/api/v1/ledger/transfers?refund_id=" + refund_id, "REFUND_NOT_FOUND"},
      {"/api/v1/events?order_id=" + order_id, "ORDER_NOT_FOUND"},
  };
  for (const auto& [target, code] : gets) {
    auto answer = b.get(target);
    EXPECT_EQ(answer.status, 404) << target << ": " << answer.raw.body;
    EXPECT_EQ(answer.code(), code) << target;
  }
  const std::vector<std::tuple<std::string, std::string, std::string>> posts = {
      {"/api/v1/orders/" + order_id + "/close", "", "ORDER_NOT_FOUND"},
      {"/api/v1/orders/" + order_id + "/refunds", json{{"out_refund_no", "iso-b1"}, {"amount", 1}}.dump(),
       "ORDER_NOT_FOUND"},
      {"/api/v1/events/" + event_id + "/resend", "", "EVENT_NOT_FOUND"},
  };
  for (const auto& [target, body, code] : posts) {
    auto answer = b.post(target, body);
    EXPECT_EQ(answer.status, 404) << target << ": " << answer.raw.body;
    EXPECT_EQ(answer.code(), code) << target;
  }
  // Nothing changed for A: the order is still paid and partly refunded, with one refund.
  const json after = a.get("/api/v1/orders/" + order_id).data();
  EXPECT_EQ(after["status"], "partially_refunded");
  EXPECT_EQ(a.get("/api/v1/orders/" + order_id + "/refunds").data()["refunds"].size(), 1u);
  EXPECT_EQ(b.get("/api/v1/balance").data()["payable"], 0);
}

}  // namespace
}  // namespace paygate::test
