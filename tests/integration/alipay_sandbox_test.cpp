// Proves the Alipay sandbox speaks gateway.do as Alipay does: it verifies the merchant's RSA2 signature
// (query and form parameters merged, as the Node SDK splits them), keeps trade state through precreate,
// pay, query, close, refund and refund query, and signs every answer so that our codec verifies it.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/time.h"
#include "infra/channels/alipay/codec.h"
#include "tests/integration/harness.h"

namespace paygate::test {
namespace {

using nlohmann::json;

class AlipaySandboxTest : public SandboxSuite {
 protected:
  void SetUp() override {
    config_ = alipay_config();
    app_key_.emplace(crypto::RsaPrivateKey::from_pem(config_["app_private_key"].get<std::string>()).value());
    alipay_key_.emplace(
        crypto::RsaPublicKey::from_pem(config_["alipay_public_key"].get<std::string>()).value());
  }

  struct Answer {
    json content;
    bool verified = false;
    std::string key;
  };

  // Calls a method like the Node SDK: common parameters in the query, biz_content in the form body.
  Answer call(const std::string& method, const json& biz,
              const std::function<void(alipay::Params&)>& tamper = {}) {
    alipay::Params params = {{"app_id", config_["app_id"].get<std::string>()},
                             {"method", method},
                             {"charset", "utf-8"},
                             {"sign_type", "RSA2"},
                             {"timestamp", format_beijing_time(SystemClock{}.now_unix_ms())},
                             {"version", "1.0"},
                             {"biz_content", biz.dump()}};
    params["sign"] = alipay::sign(params, alipay::SignScope::kRequest, *app_key_);
    if (tamper) tamper(params);
    alipay::Params body_params = {{"biz_content", params["biz_content"]}};
    params.erase("biz_content");
    http::Client client(sandbox_->endpoint());
    auto response = client.send("POST", "/gateway.do?" + alipay::form_encode(params),
                                {{"content-type", "application/x-www-form-urlencoded;charset=utf-8"}},
                                alipay::form_encode(body_params));
    EXPECT_TRUE(response.ok());
    auto split = alipay::split_signed_response(response->body, method);
    EXPECT_TRUE(split.has_value()) << response->body;
    if (!split) return {};
    return Answer{json::parse(split->content), alipay::verify_response(*split, *alipay_key_),
                  std::string(split->key)};
  }

  int pay(const std::string& out_trade_no) {
    http::Client client(sandbox_->endpoint());
    auto response = client.send("POST", "/sandbox/alipay/pay", {},
                                json{{"app_id", config_["app_id"]}, {"out_trade_no", out_trade_no}}.dump());
    return response.ok() ? response->status : -1;
  }

  json config_;
  std::optional<crypto::RsaPrivateKey> app_key_;
  std::optional<crypto::RsaPublicKey> alipay_key_;
};

TEST_F(AlipaySandboxTest, PrecreatePayQueryAndEveryAnswerIsSigned) {
  auto created = call("alipay.trade.precreate",
                      {{"out_trade_no", "A-1"}, {"total_amount", "9.90"}, {"subject", "咖啡"}});
  EXPECT_TRUE(created.verified);
  EXPECT_EQ(created.key, "alipay_trade_precreate_response");
  EXPECT_EQ(created.content["code"], "10000");
  EXPECT_EQ(created.content["out_trade_no"], "A-1");
  EXPECT_NE(created.content["qr_code"].get<std::string>().find("/sandbox/alipay/qr/"), std::string::npos);

  auto again = call("alipay.trade.precreate",
                    {{"out_trade_no", "A-1"}, {"total_amount", "9.90"}, {"subject", "咖啡"}});
  EXPECT_EQ(again.content["code"], "10000") << "a repeated precreate is idempotent";
  auto other_amount =
      call("alipay.trade.precreate", {{"out_trade_no", "A-1"}, {"total_amount", "9.91"}, {"subject", "x"}});
  EXPECT_EQ(other_amount.content["sub_code"], "ACQ.INVALID_PARAMETER");

  auto waiting = call("alipay.trade.query", {{"out_trade_no", "A-1"}});
  EXPECT_TRUE(waiting.verified);
  EXPECT_EQ(waiting.content["trade_status"], "WAIT_BUYER_PAY");
  EXPECT_EQ(pay("A-1"), 200);
  auto paid = call("alipay.trade.query", {{"trade_no", waiting.content["trade_no"]}});
  EXPECT_TRUE(paid.verified);
  EXPECT_EQ(paid.content["trade_status"], "TRADE_SUCCESS");
  EXPECT_EQ(paid.content["total_amount"], "9.90");
  EXPECT_EQ(paid.content["out_trade_no"], "A-1");
  EXPECT_TRUE(paid.content.contains("send_pay_date"));

  auto missing = call("alipay.trade.query", {{"out_trade_no", "never"}});
  EXPECT_TRUE(missing.verified) << "business failures are signed too";
  EXPECT_EQ(missing.content["code"], "40004");
  EXPECT_EQ(missing.content["sub_code"], "ACQ.TRADE_NOT_EXIST");
  EXPECT_EQ(pay("never"), 404);
}

TEST_F(AlipaySandboxTest, CloseOnlyAWaitingTrade) {
  ASSERT_EQ(
      call("alipay.trade.precreate", {{"out_trade_no", "C-1"}, {"total_amount", "1.00"}, {"subject", "s"}})
          .content["code"],
      "10000");
  auto closed = call("alipay.trade.close", {{"out_trade_no", "C-1"}});
  EXPECT_EQ(closed.content["code"], "10000");
  EXPECT_EQ(call("alipay.trade.query", {{"out_trade_no", "C-1"}}).content["trade_status"], "TRADE_CLOSED");
  EXPECT_EQ(
      call("alipay.trade.precreate", {{"out_trade_no", "C-1"}, {"total_amount", "1.00"}, {"subject", "s"}})
          .content["sub_code"],
      "ACQ.TRADE_HAS_CLOSE");
  EXPECT_EQ(pay("C-1"), 409) << "a closed trade cannot be paid";

  ASSERT_EQ(
      call("alipay.trade.precreate", {{"out_trade_no", "C-2"}, {"total_amount", "1.00"}, {"subject", "s"}})
          .content["code"],
      "10000");
  ASSERT_EQ(pay("C-2"), 200);
  EXPECT_EQ(call("alipay.trade.close", {{"out_trade_no", "C-2"}}).content["sub_code"],
            "ACQ.TRADE_STATUS_ERROR");
}

TEST_F(AlipaySandboxTest, PartialRefundsAreBoundedAndIdempotent) {
  ASSERT_EQ(
      call("alipay.trade.precreate", {{"out_trade_no", "R-1"}, {"total_amount", "9.90"}, {"subject", "s"}})
          .content["code"],
      "10000");
  EXPECT_EQ(call("alipay.trade.refund",
                 {{"out_trade_no", "R-1"}, {"refund_amount", "1.00"}, {"out_request_no", "r0"}})
                .content["sub_code"],
            "ACQ.TRADE_STATUS_ERROR")
      << "an unpaid trade cannot be refunded";
  ASSERT_EQ(pay("R-1"), 200);
  auto first = call("alipay.trade.refund",
                    {{"out_trade_no", "R-1"}, {"refund_amount", "3.00"}, {"out_request_no", "r1"}});
  EXPECT_TRUE(first.verified);
  EXPECT_EQ(first.content["fund_change"], "Y");
  EXPECT_EQ(first.content["refund_fee"], "3.00");
  auto repeat = call("alipay.trade.refund",
                     {{"out_trade_no", "R-1"}, {"refund_amount", "3.00"}, {"out_request_no", "r1"}});
  EXPECT_EQ(repeat.content["refund_fee"], "3.00") << "the same out_request_no never refunds twice";
  EXPECT_EQ(call("alipay.trade.refund",
                 {{"out_trade_no", "R-1"}, {"refund_amount", "7.00"}, {"out_request_no", "r2"}})
                .content["sub_code"],
            "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL");
  EXPECT_EQ(call("alipay.trade.refund",
                 {{"out_trade_no", "R-1"}, {"refund_amount", "6.90"}, {"out_request_no", "r2"}})
                .content["refund_fee"],
            "9.90");
  auto queried =
      call("alipay.trade.fastpay.refund.query", {{"out_trade_no", "R-1"}, {"out_request_no", "r2"}});
  EXPECT_EQ(queried.content["refund_status"], "REFUND_SUCCESS");
  EXPECT_EQ(queried.content["refund_amount"], "6.90");
  auto unknown =
      call("alipay.trade.fastpay.refund.query", {{"out_trade_no", "R-1"}, {"out_request_no", "nope"}});
  EXPECT_EQ(unknown.content["code"], "10000");
  EXPECT_FALSE(unknown.content.contains("refund_status")) << "Alipay answers success without a status";
}

TEST_F(AlipaySandboxTest, RefusesWhatAlipayRefuses) {
  const json biz = {{"out_trade_no", "X-1"}};
  auto bad_signature = call("alipay.trade.query", biz, [](alipay::Params& p) { p["timestamp"] += "1"; });
  EXPECT_TRUE(bad_signature.verified);
  EXPECT_EQ(bad_signature.content["sub_code"], "isv.invalid-signature");
  auto unknown_app =
      call("alipay.trade.query", biz, [](alipay::Params& p) { p["app_id"] = "2021999999999999"; });
  EXPECT_EQ(unknown_app.content["sub_code"], "isv.invalid-app-id");
  auto rsa1 = call("alipay.trade.query", biz, [](alipay::Params& p) { p["sign_type"] = "RSA"; });
  EXPECT_EQ(rsa1.content["sub_code"], "isv.invalid-signature-type");
  auto no_sign = call("alipay.trade.query", biz, [](alipay::Params& p) { p.erase("sign"); });
  EXPECT_EQ(no_sign.content["sub_code"], "isv.missing-signature");
  auto unknown_method = call("alipay.trade.nothing", biz);
  EXPECT_EQ(unknown_method.content["sub_code"], "isv.invalid-method");
}

TEST_F(AlipaySandboxTest, KeysSurviveARestart) {
  const std::string before = config_["alipay_public_key"];
  sandbox_->terminate();
  sandbox_->start();
  SetUp();
  EXPECT_EQ(config_["alipay_public_key"], before);
  auto created =
      call("alipay.trade.precreate", {{"out_trade_no", "K-1"}, {"total_amount", "0.01"}, {"subject", "s"}});
  EXPECT_TRUE(created.verified);
  EXPECT_EQ(created.content["code"], "10000");
}

}  // namespace
}  // namespace paygate::test
