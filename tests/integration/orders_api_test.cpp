// Proves the orders API against the real binary over real HTTP: every endpoint, every error path, and that
// rejected requests change nothing.
#include <gtest/gtest.h>

#include "tests/integration/harness.h"
#include "tests/integration/test_store.h"

namespace paygate::test {
namespace {

using nlohmann::json;

class OrdersApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    gateway_ = new GatewayProcess(dir_->path() + "/data");
    gateway_->start();
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(gateway_->terminate(), 0);
    delete gateway_;
    delete dir_;
  }
  MerchantClient client() { return MerchantClient(gateway_->endpoint(), gateway_->demo_merchant()); }
  std::size_t order_count() {
    std::size_t count = 0;
    std::string cursor;
    auto merchant = client();
    while (true) {
      auto page = merchant.get("/api/v1/orders?limit=100" + (cursor.empty() ? "" : "&cursor=" + cursor));
      EXPECT_EQ(page.status, 200);
      count += page.data()["orders"].size();
      if (page.data()["next_cursor"].is_null()) return count;
      cursor = page.data()["next_cursor"].get<std::string>();
    }
  }

  static TempDir* dir_;
  static GatewayProcess* gateway_;
};
TempDir* OrdersApi::dir_ = nullptr;
GatewayProcess* OrdersApi::gateway_ = nullptr;

TEST_F(OrdersApi, CreateThenReadBackByIdAndByOutTradeNo) {
  auto merchant = client();
  json body = order_body("read-back-1", 1234);
  body["notify_url"] = "https://merchant.example/hooks/paygate";
  body["metadata"] = {{"sku", "A-1"}, {"qty", 2}};
  body["client_ip"] = "203.0.113.7";
  body["user_id"] = "u-42";
  body["expire_seconds"] = 600;
  auto created = merchant.post("/api/v1/orders", body.dump());
  ASSERT_EQ(created.status, 201) << created.raw.body;
  EXPECT_EQ(created.code(), "OK");
  const json& order = created.data();
  const std::string order_id = order["order_id"];
  EXPECT_EQ(order_id.size(), 32u);
  EXPECT_EQ(order["status"], "pending");
  EXPECT_EQ(order["amount"], 1234);
  EXPECT_EQ(order["currency"], "CNY");
  EXPECT_EQ(order["subject"], "Coffee 咖啡");
  EXPECT_EQ(order["metadata"]["qty"], 2);
  EXPECT_TRUE(order["channel"].is_null());
  EXPECT_NE(order["cashier_url"].get<std::string>().find("/pay/" + order_id), std::string::npos);
  EXPECT_EQ(created.raw.header("x-request-id"), created.body["request_id"]);

  auto by_id = merchant.get("/api/v1/orders/" + order_id);
  ASSERT_EQ(by_id.status, 200);
  EXPECT_EQ(by_id.data(), order);
  auto by_out_trade_no = merchant.get("/api/v1/orders?out_trade_no=read-back-1");
  ASSERT_EQ(by_out_trade_no.status, 200);
  EXPECT_EQ(by_out_trade_no.data(), order);
}

TEST_F(OrdersApi, SameOutTradeNoSameBodyReturnsTheSameOrderDifferentBodyConflicts) {
  auto merchant = client();
  json body = order_body("dup-1");
  body["metadata"] = {{"a", 1}, {"b", 2}};
  auto first = merchant.post("/api/v1/orders", body.dump());
  ASSERT_EQ(first.status, 201);
  // Same fields, keys in another order: still the same request.
  auto again = merchant.post(
      "/api/v1/orders",
      R"({"metadata":{"b":2,"a":1},"subject":"Coffee 咖啡","amount":990,"out_trade_no":"dup-1"})");
  ASSERT_EQ(again.status, 200) << again.raw.body;
  EXPECT_EQ(again.data()["order_id"], first.data()["order_id"]);
  auto different = merchant.post("/api/v1/orders", order_body("dup-1", 991).dump());
  EXPECT_EQ(different.status, 409);
  EXPECT_EQ(different.code(), "DUPLICATE_OUT_TRADE_NO");
  EXPECT_NE(different.message().find("out_trade_no"), std::string::npos);
}

TEST_F(OrdersApi, InvalidBodiesAreRejectedNamingTheFieldAndChangeNothing) {
  auto merchant = client();
  const std::size_t before = order_count();
  struct Case {
    std::string body;
    std::string code;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"not json", "INVALID_JSON", "body"},
      {"[1,2]", "INVALID_JSON", "body"},
      {R"({"amount":990,"subject":"x"})", "INVALID_PARAMETER", "out_trade_no"},
      {R"({"out_trade_no":"a b","amount":990,"subject":"x"})", "INVALID_PARAMETER", "out_trade_no"},
      {R"({"out_trade_no":")" + std::string(65, 'a') + R"(","amount":990,"subject":"x"})",
       "INVALID_PARAMETER", "out_trade_no"},
      {R"({"out_trade_no":"v1","subject":"x"})", "INVALID_PARAMETER", "amount"},
      {R"({"out_trade_no":"v1","amount":9.9,"subject":"x"})", "INVALID_PARAMETER", "amount"},
      {R"({"out_trade_no":"v1","amount":"990","subject":"x"})", "INVALID_PARAMETER", "amount"},
      {R"({"out_trade_no":"v1","amount":0,"subject":"x"})", "INVALID_PARAMETER", "amount"},
      {R"({"out_trade_no":"v1","amount":-5,"subject":"x"})", "INVALID_PARAMETER", "amount"},
      {R"({"out_trade_no":"v1","amount":10000000001,"subject":"x"})", "INVALID_PARAMETER", "amount"},
      {R"({"out_trade_no":"v1","amount":99999999999999999999,"subject":"x"})", "INVALID_PARAMETER", "amount"},
      {R"({"out_trade_no":"v1","amount":990,"currency":"USD","subject":"x"})", "UNSUPPORTED_CURRENCY",
       "currency"},
      {R"({"out_trade_no":"v1","amount":990})", "INVALID_PARAMETER", "subject"},
      {R"({"out_trade_no":"v1","amount":990,"subject":""})", "INVALID_PARAMETER", "subject"},
      {R"({"out_trade_no":"v1","amount":990,"subject":")" + std::string(129, 'x') + R"("})",
       "INVALID_PARAMETER", "subject"},
      {R"({"out_trade_no":"v1","amount":990,"subject":"a\u0001b"})", "INVALID_PARAMETER", "subject"},
      {R"({"out_trade_no":"v1","amount":990,"subject":"x","channel":"paypal","method":"qr"})",
       "INVALID_PARAMETER", "channel"},
      {R"({"out_trade_no":"v1","amount":990,"subject":"x","channel":"alipay"})", "INVALID_PARAMETER",
       "method"},
      {R"({"out_trade_no":"v1","amount":990,"subject":"x","channel":"alipay","method":"jsapi"})",
       "INVALID_PARAMETER", "method"},
      {R"({"out_trade_no":"v1","amount":990,"subject":"x","method":"qr"})", "INVALID_PARAMETER", "method"},
      {R"({"out_trade_no":"v1","amount":990,"subject":"x","notify_url":"ftp://x/y"})", "INVALID_PARAMETER",
       "notify_url"},
      {R"({"out_trade_no":"v1","amount":990,"subject":"x","notify_url":"https:///nohost"})",
       "INVALID_PARAMETER", "notify_url"},
      {R"({"out_trade_no":"v1","amount":990,"subject":"x","expire_seconds":59})", "INVALID_PARAMETER",
       "expire_seconds"},
      {R"({"out_trade_no":"v1","amount":990,"subject":"x","expire_seconds":604801})", "INVALID_PARAMETER",
       "expire_seconds"},
      {R"({"out_trade_no":"v1","amount":990,"subject":"x","metadata":[1]})", "INVALID_PARAMETER", "metadata"},
      {R"({"out_trade_no":"v1","amount":990,"subject":"x","metadata":{"k":")" + std::string(4100, 'x') +
           R"("}})",
       "INVALID_PARAMETER", "metadata"},
      {R"({"out_trade_no":"v1","amount":990,"subject":"x","client_ip":"999.1.1.1"})", "INVALID_PARAMETER",
       "client_ip"},
      {R"({"out_trade_no":"v1","amount":990,"subject":"x","amout":1})", "INVALID_PARAMETER", "amout"},
  };
  for (const Case& c : cases) {
    auto response = merchant.post("/api/v1/orders", c.body);
    EXPECT_EQ(response.code(), c.code) << c.body.substr(0, 120);
    EXPECT_TRUE(response.status == 400) << c.body.substr(0, 120) << " -> " << response.status;
    EXPECT_EQ(response.message().rfind(c.field, 0), 0u) << response.message();
  }
  // Invalid UTF-8 in the subject (nlohmann rejects it while parsing, so the body itself is not JSON).
  auto invalid_utf8 =
      merchant.post("/api/v1/orders", "{\"out_trade_no\":\"v1\",\"amount\":1,\"subject\":\"\xff\"}");
  EXPECT_EQ(invalid_utf8.status, 400);
  EXPECT_EQ(order_count(), before);
}

TEST_F(OrdersApi, NamingAChannelAnswersChannelUnavailableUntilAdaptersExist) {
  auto merchant = client();
  json body = order_body("chan-1");
  body["channel"] = "alipay";
  body["method"] = "qr";
  auto response = merchant.post("/api/v1/orders", body.dump());
  EXPECT_EQ(response.status, 422);
  EXPECT_EQ(response.code(), "CHANNEL_UNAVAILABLE");
  EXPECT_EQ(merchant.get("/api/v1/orders?out_trade_no=chan-1").code(), "ORDER_NOT_FOUND");
}

TEST_F(OrdersApi, ListPaginatesWithACursorAndFilters) {
  auto merchant = client();
  std::vector<std::string> created;
  for (int i = 0; i < 7; ++i) {
    auto response = merchant.post("/api/v1/orders", order_body("page-" + std::to_string(i)).dump());
    ASSERT_EQ(response.status, 201);
    created.push_back(response.data()["order_id"]);
  }
  auto closed = merchant.post("/api/v1/orders/" + created[3] + "/close", "");
  ASSERT_EQ(closed.status, 200);

  std::vector<std::string> seen;
  std::string cursor;
  do {
    auto page = merchant.get("/api/v1/orders?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(page.status, 200) << page.raw.body;
    EXPECT_LE(page.data()["orders"].size(), 3u);
    for (const auto& order : page.data()["orders"]) seen.push_back(order["order_id"]);
    cursor = page.data()["next_cursor"].is_null() ? "" : page.data()["next_cursor"].get<std::string>();
  } while (!cursor.empty());
  for (const auto& id : created) EXPECT_EQ(std::count(seen.begin(), seen.end(), id), 1) << id;
  EXPECT_TRUE(std::is_sorted(seen.rbegin(), seen.rend())) << "newest first";

  auto closed_only = merchant.get("/api/v1/orders?status=closed&limit=100");
  ASSERT_EQ(closed_only.status, 200);
  for (const auto& order : closed_only.data()["orders"]) EXPECT_EQ(order["status"], "closed");
  EXPECT_GE(closed_only.data()["orders"].size(), 1u);

  auto future = merchant.get("/api/v1/orders?created_after=2999-01-01T00:00:00Z");
  ASSERT_EQ(future.status, 200);
  EXPECT_TRUE(future.data()["orders"].empty());

  EXPECT_EQ(merchant.get("/api/v1/orders?status=paid").message().rfind("status", 0), 0u);
  EXPECT_EQ(merchant.get("/api/v1/orders?limit=0").message().rfind("limit", 0), 0u);
  EXPECT_EQ(merchant.get("/api/v1/orders?limit=101").message().rfind("limit", 0), 0u);
  EXPECT_EQ(merchant.get("/api/v1/orders?cursor=zzz").message().rfind("cursor", 0), 0u);
  EXPECT_EQ(merchant.get("/api/v1/orders?created_after=yesterday").message().rfind("created_after", 0), 0u);
}

TEST_F(OrdersApi, CloseMovesPendingToClosedAndIsIdempotent) {
  auto merchant = client();
  auto created = merchant.post("/api/v1/orders", order_body("close-1").dump());
  ASSERT_EQ(created.status, 201);
  const std::string id = created.data()["order_id"];
  auto closed = merchant.post("/api/v1/orders/" + id + "/close", "{}");
  ASSERT_EQ(closed.status, 200) << closed.raw.body;
  EXPECT_EQ(closed.data()["status"], "closed");
  auto again = merchant.post("/api/v1/orders/" + id + "/close", "");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.data()["status"], "closed");
  EXPECT_EQ(merchant.get("/api/v1/orders/" + id).data()["status"], "closed");
  EXPECT_EQ(merchant.post("/api/v1/orders/" + id + "/close", R"({"reason":1})").code(), "INVALID_PARAMETER");
  auto missing = merchant.post("/api/v1/orders/20260101000000000AAAAAAAAAAAA/close", "");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.code(), "ORDER_NOT_FOUND");
}

TEST_F(OrdersApi, UnknownOrdersAreNotFound) {
  auto merchant = client();
  EXPECT_EQ(merchant.get("/api/v1/orders/20260101000000000AAAAAAAAAAAA").code(), "ORDER_NOT_FOUND");
  EXPECT_EQ(merchant.get("/api/v1/orders/not-an-id").code(), "ORDER_NOT_FOUND");
  EXPECT_EQ(merchant.get("/api/v1/orders?out_trade_no=never").status, 404);
}

TEST_F(OrdersApi, AMerchantNeverSeesAnotherMerchantsOrders) {
  auto other =
      run_paygate({"merchant", "create", "--name", "Other shop", "--data-dir", dir_->path() + "/data"});
  ASSERT_EQ(other.exit_code, 0) << other.output;
  const auto credentials = json::parse(other.output);
  MerchantClient intruder(gateway_->endpoint(),
                          Credentials{credentials["merchant_id"], credentials["secret"]});
  auto merchant = client();
  auto created = merchant.post("/api/v1/orders", order_body("private-1").dump());
  ASSERT_EQ(created.status, 201);
  const std::string id = created.data()["order_id"];

  EXPECT_EQ(intruder.get("/api/v1/orders/" + id).status, 404);
  EXPECT_EQ(intruder.get("/api/v1/orders?out_trade_no=private-1").status, 404);
  EXPECT_EQ(intruder.post("/api/v1/orders/" + id + "/close", "").status, 404);
  EXPECT_TRUE(intruder.get("/api/v1/orders").data()["orders"].empty());
  // The same out_trade_no is free for the other merchant.
  EXPECT_EQ(intruder.post("/api/v1/orders", order_body("private-1").dump()).status, 201);
  EXPECT_EQ(merchant.get("/api/v1/orders/" + id).data()["status"], "pending");
}

TEST_F(OrdersApi, IdempotencyKeyReplaysTheFirstResponse) {
  auto merchant = client();
  const std::string body = order_body("idem-1").dump();
  auto first = merchant.post("/api/v1/orders", body, {{"idempotency-key", "key-idem-1"}});
  ASSERT_EQ(first.status, 201);
  auto replay = merchant.post("/api/v1/orders", body, {{"idempotency-key", "key-idem-1"}});
  EXPECT_EQ(replay.status, 201);
  EXPECT_EQ(replay.raw.body, first.raw.body);
  EXPECT_EQ(replay.raw.header("idempotent-replayed"), "true");
  auto other_body =
      merchant.post("/api/v1/orders", order_body("idem-2").dump(), {{"idempotency-key", "key-idem-1"}});
  EXPECT_EQ(other_body.status, 409);
  EXPECT_EQ(other_body.code(), "IDEMPOTENCY_KEY_REUSED");
  EXPECT_EQ(merchant.get("/api/v1/orders?out_trade_no=idem-2").status, 404);
  // An error response is replayed too: the key is bound to what happened.
  auto bad = merchant.post("/api/v1/orders", R"({"amount":1})", {{"idempotency-key", "key-idem-bad"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(merchant.post("/api/v1/orders", R"({"amount":1})", {{"idempotency-key", "key-idem-bad"}})
                .raw.header("idempotent-replayed"),
            "true");
  EXPECT_EQ(merchant.post("/api/v1/orders", body, {{"idempotency-key", std::string(256, 'k')}}).code(),
            "INVALID_PARAMETER");
}

TEST_F(OrdersApi, UnknownRoutesAndMethodsAnswerJson) {
  auto merchant = client();
  auto missing = merchant.get("/api/v1/nothing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.code(), "ROUTE_NOT_FOUND");
  auto wrong_method = merchant.raw("DELETE", "/api/v1/orders", "", {});
  EXPECT_EQ(wrong_method.status, 405);
  EXPECT_EQ(wrong_method.code(), "METHOD_NOT_ALLOWED");
}

TEST_F(OrdersApi, HealthReadinessAndMetrics) {
  http::Client plain(gateway_->endpoint());
  auto health = plain.send("GET", "/healthz");
  ASSERT_TRUE(health.ok());
  EXPECT_EQ(health->status, 200);
  auto ready = plain.send("GET", "/readyz");
  ASSERT_TRUE(ready.ok());
  EXPECT_EQ(ready->status, 200);
  auto merchant = client();
  ASSERT_EQ(merchant.post("/api/v1/orders", order_body("metrics-1").dump()).status, 201);
  auto metrics = plain.send("GET", "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(
      metrics->body.find(R"(paygate_http_requests_total{route="/api/v1/orders",method="POST",status="201"})"),
      std::string::npos);
  EXPECT_NE(metrics->body.find("paygate_http_request_duration_seconds_bucket"), std::string::npos);
  if (!testing_postgres()) {  // SQLite's group commit; PostgreSQL commits each command on its own
    EXPECT_NE(metrics->body.find("paygate_store_batch_size_count"), std::string::npos);
  }
  EXPECT_NE(metrics->body.find("paygate_store_commit_seconds_bucket"), std::string::npos);
}

TEST_F(OrdersApi, RequestIdAndTraceparentArePropagated) {
  http::Client plain(gateway_->endpoint());
  auto response = plain.send("GET", "/healthz",
                             {{"x-request-id", "req-abc-123"},
                              {"traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"}});
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->header("x-request-id"), "req-abc-123");
  const std::string trace = response->header("traceparent");
  ASSERT_EQ(trace.size(), 55u);
  EXPECT_EQ(trace.substr(0, 36), "00-4bf92f3577b34da6a3ce929d0e0e4736-");
  EXPECT_NE(trace.substr(36, 16), "00f067aa0ba902b7") << "our span has its own id";
  auto fresh = plain.send("GET", "/healthz", {{"traceparent", "garbage"}});
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->header("traceparent").size(), 55u);
}

}  // namespace
}  // namespace paygate::test
