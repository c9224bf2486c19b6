// Proves our Alipay adapter against a running `paygate sandbox` process over HTTP: precreate, query, close,
// refund and refund query, with every answer verified; a sandbox answering with the wrong key is an
// "outcome unknown", never believed.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/time.h"
#include "crypto/random_ids.h"
#include "infra/channels/alipay/alipay_gateway.h"
#include "tests/integration/harness.h"

namespace paygate::test {
namespace {

using nlohmann::json;

class AlipayGatewayTest : public SandboxSuite {
 protected:
  alipay::AlipayAccount account(bool right_alipay_key = true) {
    const json config = alipay_config();
    auto alipay_public =
        right_alipay_key
            ? crypto::RsaPublicKey::from_pem(config["alipay_public_key"].get<std::string>()).value()
            : crypto::RsaPublicKey::from_pem(crypto::RsaPrivateKey::generate().public_key_pem()).value();
    return alipay::AlipayAccount{
        "acct-test",
        config["app_id"],
        crypto::RsaPrivateKey::from_pem(config["app_private_key"].get<std::string>()).value(),
        std::move(alipay_public),
        config["gateway_url"],
        5'000,
        ""};
  }

  Order order(const std::string& suffix, std::int64_t amount) {
    Order o;
    o.order_id = new_order_id(clock_.now_unix_ms());
    o.order_id.value.replace(o.order_id.value.size() - suffix.size(), suffix.size(), suffix);
    o.amount = Money{amount, Currency::kCny};
    o.subject = "adapter test";
    o.method = "qr";
    o.expires_at_ms = clock_.now_unix_ms() + 600'000;
    return o;
  }

  int pay(const Order& o) {
    http::Client client(sandbox_->endpoint());
    auto response =
        client.send("POST", "/sandbox/alipay/pay", {},
                    json{{"app_id", "9021000000000001"}, {"out_trade_no", o.order_id.value}}.dump());
    return response.ok() ? response->status : -1;
  }

  SystemClock clock_;
};

TEST_F(AlipayGatewayTest, PayQueryRefundThroughTheAdapter) {
  auto gateway = alipay::AlipayGateway::create(account(), clock_).value();
  const Order o = order("PAY", 990);
  auto payment = gateway->create_payment(o, "http://127.0.0.1:9/notify");
  ASSERT_TRUE(payment.ok()) << payment.error().message;
  EXPECT_NE(payment->payment_url.find("/sandbox/alipay/qr/"), std::string::npos);

  auto waiting = gateway->query(o);
  ASSERT_TRUE(waiting.ok());
  EXPECT_EQ(waiting->status, ChannelTradeStatus::kWaiting);
  ASSERT_EQ(pay(o), 200);
  auto paid = gateway->query(o);
  ASSERT_TRUE(paid.ok());
  EXPECT_EQ(paid->status, ChannelTradeStatus::kPaid);
  EXPECT_EQ(paid->amount_minor, 990);
  EXPECT_FALSE(paid->channel_trade_no.empty());

  auto refund = gateway->refund(o, "RF1", 300, "customer asked", "");
  ASSERT_TRUE(refund.ok()) << refund.error().message;
  EXPECT_EQ(refund->status, ChannelRefundStatus::kSucceeded);
  auto too_much = gateway->refund(o, "RF2", 700, "", "");
  ASSERT_FALSE(too_much.ok());
  EXPECT_EQ(too_much.error().code, ErrorCode::kChannelRejected);
  EXPECT_NE(too_much.error().message.find("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"), std::string::npos);
  auto found = gateway->refund_query(o, "RF1");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->status, ChannelRefundStatus::kSucceeded);
  EXPECT_EQ(found->amount_minor, 300);
  EXPECT_EQ(gateway->refund_query(o, "RF2")->status, ChannelRefundStatus::kNotFound);

  auto close_paid = gateway->close(o);
  ASSERT_FALSE(close_paid.ok());
  EXPECT_EQ(close_paid.error().code, ErrorCode::kChannelRejected);
}

TEST_F(AlipayGatewayTest, ClosingAndUnknownTrades) {
  auto gateway = alipay::AlipayGateway::create(account(), clock_).value();
  const Order never = order("NEW", 100);
  EXPECT_EQ(gateway->query(never)->status, ChannelTradeStatus::kNotFound);
  EXPECT_TRUE(gateway->close(never).ok()) << "nothing to close is not an error";
  const Order o = order("CLS", 100);
  ASSERT_TRUE(gateway->create_payment(o, "").ok());
  EXPECT_TRUE(gateway->close(o).ok());
  EXPECT_EQ(gateway->query(o)->status, ChannelTradeStatus::kClosed);
}

TEST_F(AlipayGatewayTest, AnswersThatDoNotVerifyAreOutcomeUnknown) {
  auto gateway = alipay::AlipayGateway::create(account(false), clock_).value();
  const Order o = order("UNV", 100);
  auto payment = gateway->create_payment(o, "");
  ASSERT_FALSE(payment.ok());
  EXPECT_EQ(payment.error().code, ErrorCode::kChannelOutcomeUnknown);
}

TEST_F(AlipayGatewayTest, AnUnreachableChannelIsOutcomeUnknown) {
  auto dead = account();
  dead.gateway_url = "http://127.0.0.1:9/gateway.do";
  auto gateway = alipay::AlipayGateway::create(std::move(dead), clock_).value();
  auto trade = gateway->query(order("DED", 100));
  ASSERT_FALSE(trade.ok());
  EXPECT_EQ(trade.error().code, ErrorCode::kChannelOutcomeUnknown);
}

}  // namespace
}  // namespace paygate::test

namespace paygate::test {
namespace {

class AlipayFaultsTest : public AlipayGatewayTest {
 protected:
  http::ClientResponse set_faults(const json& knobs) {
    http::Client client(sandbox_->endpoint());
    return client.send("POST", "/sandbox/alipay/faults", {}, knobs.dump()).value();
  }
  void TearDown() override { set_faults({{"error_rate", 0}, {"timeout_rate", 0}, {"latency_ms", 0}}); }
};

TEST_F(AlipayFaultsTest, SystemErrorsAndTimeoutsAreOutcomeUnknown) {
  auto gateway = alipay::AlipayGateway::create(account(), clock_).value();
  const Order o = order("FLT", 100);
  ASSERT_EQ(set_faults({{"error_rate", 1}}).status, 200);
  auto failed = gateway->create_payment(o, "");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kChannelOutcomeUnknown);
  EXPECT_EQ(gateway->query(o).error().code, ErrorCode::kChannelOutcomeUnknown);

  auto impatient_account = account();
  impatient_account.timeout_ms = 300;
  auto impatient = alipay::AlipayGateway::create(std::move(impatient_account), clock_).value();
  ASSERT_EQ(set_faults({{"error_rate", 0}, {"timeout_rate", 1}, {"timeout_ms", 2000}}).status, 200);
  auto timed_out = impatient->query(o);
  ASSERT_FALSE(timed_out.ok());
  EXPECT_EQ(timed_out.error().code, ErrorCode::kChannelOutcomeUnknown);

  ASSERT_EQ(set_faults({{"timeout_rate", 0}, {"latency_ms", 50}}).status, 200);
  EXPECT_TRUE(gateway->create_payment(o, "").ok()) << "a slow answer within the deadline is fine";
}

TEST_F(AlipayFaultsTest, KnobsAreValidated) {
  auto unknown = set_faults({{"error_rat", 1}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("error_rat"), std::string::npos);
  auto range = set_faults({{"error_rate", 1.5}, {"latency_ms", 10}});
  EXPECT_EQ(range.status, 400);
  EXPECT_NE(range.body.find("error_rate"), std::string::npos);
  http::Client client(sandbox_->endpoint());
  const json now = json::parse(client.send("GET", "/sandbox/alipay/faults")->body);
  EXPECT_EQ(now["latency_ms"], 0) << "a rejected update changes nothing";
}

}  // namespace
}  // namespace paygate::test

#include "infra/channels/alipay/bill_file.h"
#include "infra/channels/alipay/codec.h"

namespace paygate::test {
namespace {

TEST_F(AlipayGatewayTest, TheDailyBillIsAlipaysZipOfGbkCsvs) {
  auto gateway = alipay::AlipayGateway::create(account(), clock_).value();
  const Order first = order("BL1", 1234);
  const Order second = order("BL2", 500);
  ASSERT_TRUE(gateway->create_payment(first, "").ok());
  ASSERT_TRUE(gateway->create_payment(second, "").ok());
  ASSERT_EQ(pay(first), 200);
  ASSERT_EQ(pay(second), 200);
  ASSERT_TRUE(gateway->refund(first, "BL1-R1", 234, "", "").ok());

  const std::string today = format_beijing_time(clock_.now_unix_ms()).substr(0, 10);
  auto zip = gateway->download_bill(today);
  ASSERT_TRUE(zip.ok()) << zip.error().message;
  EXPECT_EQ(zip->substr(0, 2), "PK");
  auto bill = alipay::read_trade_bill(*zip);
  ASSERT_TRUE(bill.ok()) << bill.error().message;
  ASSERT_EQ(bill->entry_names.size(), 2u);
  EXPECT_NE(bill->entry_names[0].find("_业务明细.csv"), std::string::npos)
      << "entry names are GBK in the zip";
  EXPECT_NE(bill->entry_names[1].find("_业务明细(汇总).csv"), std::string::npos);
  ASSERT_EQ(bill->header_columns.size(), 25u);
  EXPECT_EQ(bill->header_columns[0], "支付宝交易号");
  EXPECT_EQ(bill->header_columns[24], "备注");

  std::int64_t ours = 0;
  int refund_rows = 0;
  for (const auto& row : bill->rows) {
    if (row.out_trade_no != first.order_id.value && row.out_trade_no != second.order_id.value) continue;
    ours += row.amount_fen;
    if (row.refund) {
      ++refund_rows;
      EXPECT_EQ(row.amount_fen, -234);
      EXPECT_EQ(row.out_request_no, "BL1-R1");
    }
  }
  EXPECT_EQ(ours, 1234 + 500 - 234);
  EXPECT_EQ(refund_rows, 1);
  std::int64_t all_rows = 0;
  for (const auto& row : bill->rows) all_rows += row.amount_fen;
  EXPECT_EQ(bill->total_fen, all_rows) << "the footer totals match the rows";

  EXPECT_EQ(gateway->download_bill("2026-13-45").error().code, ErrorCode::kChannelRejected);
}

}  // namespace
}  // namespace paygate::test
