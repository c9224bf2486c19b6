// Proves our WeChat Pay adapter against a running `paygate sandbox` process over HTTP: native and jsapi,
// query, close, refund and refund query, the trade bill with its SHA-1, platform certificates downloaded and
// rotated, public-key mode; answers signed by a key we do not trust are "outcome unknown", never believed.
#include <gtest/gtest.h>

#include "core/time.h"
#include "crypto/random_ids.h"
#include "crypto/x509.h"
#include "infra/channels/wechatpay/bill_file.h"
#include "infra/channels/wechatpay/wechatpay_gateway.h"
#include "tests/integration/harness.h"

namespace paygate::test {
namespace {

using nlohmann::json;

class WechatpayGatewayTest : public SandboxSuite {
 protected:
  wechatpay::WechatpayAccount account() {
    const json config = wechatpay_config();
    wechatpay::WechatpayAccount a{
        "wx-test",
        config["mchid"],
        config["appid"],
        crypto::RsaPrivateKey::from_pem(config["merchant_private_key"].get<std::string>()).value(),
        config["merchant_serial"],
        config["apiv3_key"]};
    a.base_url = config["base_url"];
    a.timeout_ms = 5'000;
    a.unknown_serial_refresh_min_ms = 0;  // every unknown serial may refresh: the tests rotate on purpose
    return a;
  }

  Order order(const std::string& method, std::int64_t amount) {
    Order o;
    o.order_id = new_order_id(clock_.now_unix_ms());
    o.amount = Money{amount, Currency::kCny};
    o.subject = "适配器测试 adapter test";
    o.method = method;
    o.expires_at_ms = clock_.now_unix_ms() + 600'000;
    if (method == "jsapi") o.user_id = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
    return o;
  }

  http::ClientResponse sandbox_post(const std::string& path, const json& body) {
    http::Client client(sandbox_->endpoint());
    return client.send("POST", path, {}, body.dump()).value();
  }
  int pay(const Order& o) {
    return sandbox_post("/sandbox/wechatpay/pay",
                        {{"mchid", "1900000109"}, {"out_trade_no", o.order_id.value}})
        .status;
  }

  // Asks until the refund is final (the sandbox keeps it PROCESSING for refund_processing_ms), bounded.
  ChannelRefund wait_refund_final(wechatpay::WechatpayGateway& gateway, const Order& o,
                                  const std::string& id) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (true) {
      auto known = gateway.refund_query(o, id);
      if (!known.ok()) ADD_FAILURE() << known.error().message;
      if (!known.ok() || known->status != ChannelRefundStatus::kProcessing ||
          std::chrono::steady_clock::now() > deadline)
        return known.ok() ? *known : ChannelRefund{};
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  SystemClock clock_;
};

TEST_F(WechatpayGatewayTest, NativePayQueryRefundThroughTheAdapter) {
  auto gateway = wechatpay::WechatpayGateway::create(account(), clock_).value();
  const Order o = order("native", 990);
  auto payment = gateway->create_payment(o, "http://127.0.0.1:9/notify");
  ASSERT_TRUE(payment.ok()) << payment.error().message;
  EXPECT_EQ(payment->payment_url.rfind("weixin://wxpay/bizpayurl?pr=", 0), 0u);
  // The first call downloaded and verified the platform certificate.
  EXPECT_EQ(gateway->platform_keys().certificate_serials(clock_.now_unix_ms()).size(), 1u);

  auto waiting = gateway->query(o);
  ASSERT_TRUE(waiting.ok()) << waiting.error().message;
  EXPECT_EQ(waiting->status, ChannelTradeStatus::kWaiting);
  ASSERT_EQ(pay(o), 200);
  auto paid = gateway->query(o);
  ASSERT_TRUE(paid.ok());
  EXPECT_EQ(paid->status, ChannelTradeStatus::kPaid);
  EXPECT_EQ(paid->amount_minor, 990);
  EXPECT_EQ(paid->channel_trade_no.rfind("4200", 0), 0u);
  EXPECT_GT(paid->paid_at_ms, 0);

  auto refund = gateway->refund(o, "RWXGW1", 300, "customer asked", "");
  ASSERT_TRUE(refund.ok()) << refund.error().message;
  EXPECT_EQ(refund->status, ChannelRefundStatus::kProcessing);  // WeChat finishes refunds later
  EXPECT_EQ(wait_refund_final(*gateway, o, "RWXGW1").status, ChannelRefundStatus::kSucceeded);
  // The same out_refund_no again is the same refund, never a second one.
  auto again = gateway->refund(o, "RWXGW1", 300, "customer asked", "");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->status, ChannelRefundStatus::kSucceeded);
  auto too_much = gateway->refund(o, "RWXGW2", 700, "", "");
  ASSERT_FALSE(too_much.ok());
  EXPECT_EQ(too_much.error().code, ErrorCode::kChannelRejected);
  EXPECT_EQ(gateway->refund_query(o, "RWXGW2")->status, ChannelRefundStatus::kNotFound);

  // A paid order cannot be closed; an unpaid one can, and closing twice is fine.
  EXPECT_EQ(gateway->close(o).error().code, ErrorCode::kChannelRejected);
  const Order unpaid = order("native", 100);
  ASSERT_TRUE(gateway->create_payment(unpaid, "http://127.0.0.1:9/notify").ok());
  EXPECT_TRUE(gateway->close(unpaid).ok());
  EXPECT_TRUE(gateway->close(unpaid).ok());
  EXPECT_EQ(gateway->query(unpaid)->status, ChannelTradeStatus::kClosed);
  EXPECT_EQ(gateway->query(order("native", 1))->status, ChannelTradeStatus::kNotFound);
}

TEST_F(WechatpayGatewayTest, JsapiAnswersWithParametersSignedByTheMerchantKey) {
  const json config = wechatpay_config();
  auto gateway = wechatpay::WechatpayGateway::create(account(), clock_).value();
  auto payment = gateway->create_payment(order("jsapi", 500), "http://127.0.0.1:9/notify");
  ASSERT_TRUE(payment.ok()) << payment.error().message;
  const json params = json::parse(payment->payment_params_json);
  EXPECT_EQ(params["appId"], config["appid"]);
  EXPECT_EQ(params["signType"], "RSA");
  EXPECT_EQ(params["package"], payment->payment_url);
  EXPECT_EQ(payment->payment_url.rfind("prepay_id=wx", 0), 0u);
  // WeChat's page checks paySign over appId\ntimeStamp\nnonceStr\npackage\n with the merchant certificate.
  const auto merchant_key =
      crypto::RsaPrivateKey::from_pem(config["merchant_private_key"].get<std::string>()).value();
  const auto merchant_public = crypto::RsaPublicKey::from_pem(merchant_key.public_key_pem()).value();
  const std::string message =
      params["appId"].get<std::string>() + "\n" + params["timeStamp"].get<std::string>() + "\n" +
      params["nonceStr"].get<std::string>() + "\n" + params["package"].get<std::string>() + "\n";
  EXPECT_TRUE(merchant_public.verify_sha256_base64(message, params["paySign"].get<std::string>()));
}

TEST_F(WechatpayGatewayTest, BillDownloadIsCheckedAgainstItsSha1) {
  auto gateway = wechatpay::WechatpayGateway::create(account(), clock_).value();
  const Order o = order("native", 1234);
  ASSERT_TRUE(gateway->create_payment(o, "http://127.0.0.1:9/notify").ok());
  ASSERT_EQ(pay(o), 200);
  ASSERT_TRUE(gateway->refund(o, "RWXBILL1", 234, "", "").ok());
  ASSERT_EQ(wait_refund_final(*gateway, o, "RWXBILL1").status, ChannelRefundStatus::kSucceeded);
  const std::string today = format_beijing_time(clock_.now_unix_ms()).substr(0, 10);
  auto file = gateway->download_bill(today);
  ASSERT_TRUE(file.ok()) << file.error().message;
  auto bill = wechatpay::parse_trade_bill(*file);
  ASSERT_TRUE(bill.ok()) << bill.error().message;
  bool payment_row = false, refund_row = false;
  for (const auto& row : bill->rows) {
    if (row.out_trade_no != o.order_id.value) continue;
    if (row.trade_state == "SUCCESS") payment_row = row.settlement_fen == 1234;
    if (row.trade_state == "REFUND") refund_row = row.out_refund_no == "RWXBILL1" && row.refund_fen == 234;
  }
  EXPECT_TRUE(payment_row);
  EXPECT_TRUE(refund_row);
}

TEST_F(WechatpayGatewayTest, RotatedCertificateIsLearnedAndTheOldOneStillVerifies) {
  auto gateway = wechatpay::WechatpayGateway::create(account(), clock_).value();
  ASSERT_TRUE(gateway->create_payment(order("native", 100), "http://127.0.0.1:9/n").ok());
  const auto before = gateway->platform_keys().certificate_serials(clock_.now_unix_ms());
  const auto rotated = json::parse(sandbox_post("/sandbox/wechatpay/rotate", json::object()).body);
  const std::string fresh = rotated["serial_no"];
  // The next answer carries the new serial: the adapter downloads the certificates once and verifies it.
  auto payment = gateway->create_payment(order("native", 100), "http://127.0.0.1:9/n");
  ASSERT_TRUE(payment.ok()) << payment.error().message;
  const auto after = gateway->platform_keys().certificate_serials(clock_.now_unix_ms());
  EXPECT_EQ(after.size(), before.size() + 1);
  EXPECT_NE(std::find(after.begin(), after.end(), fresh), after.end());
  for (const auto& serial : before) EXPECT_NE(std::find(after.begin(), after.end(), serial), after.end());
}

TEST_F(WechatpayGatewayTest, CertificatesAreRefreshedOnTheirScheduleWithoutAnyCall) {
  auto fast = account();
  fast.certificate_refresh_ms = 100;
  auto gateway = wechatpay::WechatpayGateway::create(fast, clock_).value();
  const auto fresh = json::parse(sandbox_post("/sandbox/wechatpay/rotate", json::object()).body)["serial_no"];
  // Wait for the condition "the refresher has downloaded the rotated certificate", bounded; no call is made.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::vector<std::string> serials;
  while (std::chrono::steady_clock::now() < deadline) {
    serials = gateway->platform_keys().certificate_serials(clock_.now_unix_ms());
    if (std::find(serials.begin(), serials.end(), fresh) != serials.end()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_NE(std::find(serials.begin(), serials.end(), fresh), serials.end());
}

TEST_F(WechatpayGatewayTest, AnswersFromAnUntrustedKeyAreNeverBelieved) {
  auto wrong_apiv3 = account();
  wrong_apiv3.apiv3_key = std::string(32, 'x');  // cannot decrypt the certificates: nothing is trusted
  auto gateway = wechatpay::WechatpayGateway::create(wrong_apiv3, clock_).value();
  auto payment = gateway->create_payment(order("native", 100), "http://127.0.0.1:9/n");
  ASSERT_FALSE(payment.ok());
  EXPECT_EQ(payment.error().code, ErrorCode::kChannelOutcomeUnknown);

  // A request signed with another key: WeChat answers 401 SIGN_ERROR (signed), and the adapter, which
  // cannot even download certificates with that key, believes nothing.
  auto wrong_merchant_key = account();
  wrong_merchant_key.merchant_private_key = crypto::RsaPrivateKey::generate();
  const auto forged = wechatpay::sign_request(wrong_merchant_key.mchid, wrong_merchant_key.merchant_serial,
                                              wrong_merchant_key.merchant_private_key, "GET",
                                              "/v3/certificates", "", clock_.now_unix_ms());
  http::Client client(sandbox_->endpoint());
  auto refused =
      client.send("GET", "/v3/certificates", {{"authorization", wechatpay::format_authorization(forged)}});
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->status, 401);
  EXPECT_EQ(json::parse(refused->body)["code"], "SIGN_ERROR");
  EXPECT_FALSE(refused->header("wechatpay-signature").empty());
  auto unverified = wechatpay::WechatpayGateway::create(wrong_merchant_key, clock_).value();
  auto answer = unverified->create_payment(order("native", 100), "http://127.0.0.1:9/n");
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().code, ErrorCode::kChannelOutcomeUnknown);

  auto bad_key = account();
  bad_key.apiv3_key = "short";
  EXPECT_FALSE(wechatpay::WechatpayGateway::create(bad_key, clock_).ok());
}

TEST_F(WechatpayGatewayTest, PublicKeyModeVerifiesWithTheConfiguredKey) {
  const auto mode = json::parse(sandbox_post("/sandbox/wechatpay/public-key-mode", {{"enabled", true}}).body);
  auto with_key = account();
  with_key.platform_public_key_id = mode["public_key_id"];
  with_key.platform_public_key =
      crypto::RsaPublicKey::from_pem(mode["public_key"].get<std::string>()).value();
  auto gateway = wechatpay::WechatpayGateway::create(with_key, clock_).value();
  auto payment = gateway->create_payment(order("native", 100), "http://127.0.0.1:9/n");
  EXPECT_TRUE(payment.ok()) << payment.error().message;
  EXPECT_TRUE(gateway->platform_keys().certificate_serials(clock_.now_unix_ms()).empty());  // none downloaded
  // A certificate-mode merchant does not know PUB_KEY_ID_…: unknown outcome.
  auto certificates_only = wechatpay::WechatpayGateway::create(account(), clock_).value();
  EXPECT_EQ(certificates_only->create_payment(order("native", 100), "http://127.0.0.1:9/n").error().code,
            ErrorCode::kChannelOutcomeUnknown);
  sandbox_post("/sandbox/wechatpay/public-key-mode", {{"enabled", false}});
}

}  // namespace
}  // namespace paygate::test
