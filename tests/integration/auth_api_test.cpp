// Proves every authentication rejection over real HTTP has its own code, changes nothing and never
// echoes the secret.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "app/merchant_signature.h"
#include "core/time.h"
#include "tests/integration/harness.h"

namespace paygate::test {
namespace {

class AuthApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    gateway_ = new GatewayProcess(dir_->path());
    gateway_->start();
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(gateway_->terminate(), 0);
    delete gateway_;
    delete dir_;
  }

  std::string header(const std::string& merchant_id, const std::string& secret, const std::string& method,
                     const std::string& target, const std::string& body, std::int64_t timestamp_s,
                     const std::string& nonce) {
    AuthorizationFields fields{merchant_id, std::to_string(timestamp_s), nonce, ""};
    fields.signature =
        sign_canonical_request(secret, canonical_request(method, target, fields.timestamp, nonce, body));
    return format_authorization(fields);
  }
  static std::int64_t now_s() { return SystemClock{}.now_unix_ms() / 1000; }

  void expect_rejected(const ApiResponse& response, const std::string& code) {
    EXPECT_EQ(response.status, 401) << response.raw.body;
    EXPECT_EQ(response.code(), code) << response.raw.body;
    EXPECT_EQ(response.raw.body.find(gateway_->demo_merchant().secret), std::string::npos);
  }

  static TempDir* dir_;
  static GatewayProcess* gateway_;
};
TempDir* AuthApi::dir_ = nullptr;
GatewayProcess* AuthApi::gateway_ = nullptr;

TEST_F(AuthApi, EveryRejectionHasItsOwnCodeAndChangesNothing) {
  const Credentials demo = gateway_->demo_merchant();
  MerchantClient client(gateway_->endpoint(), demo);
  const std::string target = "/api/v1/orders";
  const std::string body = order_body("auth-1").dump();

  expect_rejected(client.raw("POST", target, body, {}), "AUTH_MISSING");
  expect_rejected(client.raw("POST", target, body, {{"authorization", "Bearer abc"}}), "AUTH_MALFORMED");
  expect_rejected(client.raw("POST", target, body,
                             {{"authorization", R"(PAYGATE-HMAC-SHA256 merchant_id="m",timestamp="1")"}}),
                  "AUTH_MALFORMED");
  expect_rejected(
      client.raw(
          "POST", target, body,
          {{"authorization", header(demo.merchant_id, demo.secret, "POST", target, body, now_s(), "short")}}),
      "AUTH_MALFORMED");
  expect_rejected(client.raw("POST", target, body,
                             {{"authorization", header("mch_nobody", demo.secret, "POST", target, body,
                                                       now_s(), "nonce-unknown-1")}}),
                  "MERCHANT_UNKNOWN");
  expect_rejected(client.raw("POST", target, body,
                             {{"authorization", header(demo.merchant_id, "sk_wrong", "POST", target, body,
                                                       now_s(), "nonce-wrong-key-1")}}),
                  "SIGNATURE_INVALID");
  // A body altered after signing.
  const std::string signed_header =
      header(demo.merchant_id, demo.secret, "POST", target, body, now_s(), "nonce-tamper-1");
  expect_rejected(
      client.raw("POST", target, order_body("auth-1", 1).dump(), {{"authorization", signed_header}}),
      "SIGNATURE_INVALID");
  // The path and query are signed too.
  expect_rejected(client.raw("POST", target + "?x=1", body, {{"authorization", signed_header}}),
                  "SIGNATURE_INVALID");
  expect_rejected(client.raw("POST", target, body,
                             {{"authorization", header(demo.merchant_id, demo.secret, "POST", target, body,
                                                       now_s() - 301, "nonce-stale-1")}}),
                  "TIMESTAMP_EXPIRED");
  expect_rejected(client.raw("POST", target, body,
                             {{"authorization", header(demo.merchant_id, demo.secret, "POST", target, body,
                                                       now_s() + 301, "nonce-future-1")}}),
                  "TIMESTAMP_EXPIRED");
  EXPECT_EQ(client.get("/api/v1/orders?out_trade_no=auth-1").status, 404);

  // The first use of a nonce passes; a replay of the identical request is refused.
  const std::string good =
      header(demo.merchant_id, demo.secret, "POST", target, body, now_s(), "nonce-once-1");
  EXPECT_EQ(client.raw("POST", target, body, {{"authorization", good}}).status, 201);
  expect_rejected(client.raw("POST", target, body, {{"authorization", good}}), "NONCE_REUSED");
}

TEST_F(AuthApi, ParametersMayComeInAnyOrder) {
  const Credentials demo = gateway_->demo_merchant();
  MerchantClient client(gateway_->endpoint(), demo);
  const std::string target = "/api/v1/orders?out_trade_no=nobody";
  const std::int64_t ts = now_s();
  const std::string nonce = "nonce-order-1";
  const std::string signature =
      sign_canonical_request(demo.secret, canonical_request("GET", target, std::to_string(ts), nonce, ""));
  const std::string reordered = "PAYGATE-HMAC-SHA256 signature=\"" + signature + "\", nonce=\"" + nonce +
                                "\", timestamp=\"" + std::to_string(ts) + "\", merchant_id=\"" +
                                demo.merchant_id + "\"";
  auto response = client.raw("GET", target, "", {{"authorization", reordered}});
  EXPECT_EQ(response.status, 404) << response.raw.body;  // authenticated; the order just does not exist
  EXPECT_EQ(response.code(), "ORDER_NOT_FOUND");
}

TEST_F(AuthApi, SecretsNeverReachTheLog) {
  const Credentials demo = gateway_->demo_merchant();
  MerchantClient client(gateway_->endpoint(), demo);
  ASSERT_EQ(client.post("/api/v1/orders", order_body("auth-log-1").dump()).status, 201);
  client.raw("POST", "/api/v1/orders", "{}", {{"authorization", "PAYGATE-HMAC-SHA256 merchant_id=\"x\""}});
  // The log is flushed within 100 ms: wait for the condition "our requests are in it", with a deadline.
  std::string log = gateway_->log();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (log.find("\"status\":401") == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    log = gateway_->log();
  }
  // The demo secret is printed once at creation (on stderr, by design); the JSON log lines never carry it.
  std::size_t json_lines_with_secret = 0;
  std::size_t start = 0;
  while (start < log.size()) {
    const auto end = log.find('\n', start);
    const std::string line = log.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!line.empty() && line.front() == '{' && line.find(demo.secret) != std::string::npos)
      ++json_lines_with_secret;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  EXPECT_EQ(json_lines_with_secret, 0u);
  EXPECT_NE(log.find("\"event\":\"http_request\""), std::string::npos);
}

}  // namespace
}  // namespace paygate::test
