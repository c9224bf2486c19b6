// Proves WeChat Pay end to end against the real binary and its in-process WeChat Pay sandbox: a native order
// is paid by an encrypted, signed TRANSACTION.SUCCESS callback; refunds go PROCESSING at WeChat and settle
// through REFUND.SUCCESS callbacks and the ledger; a platform certificate rotated mid-stream loses no
// callback; forged or stale callbacks change nothing.
#include <gtest/gtest.h>

#include "crypto/x509.h"
#include "infra/channels/wechatpay/codec.h"
#include "infra/channels/wechatpay/messages.h"
#include "tests/integration/sandboxed_gateway.h"

namespace paygate::test {
namespace {

using nlohmann::json;

class WechatpayPayments : public SandboxedGateway {
 protected:
  json wechatpay_json() { return json::parse(read_text(dir_.path() + "/data/sandbox/wechatpay.json")); }

  // A TRANSACTION.SUCCESS callback for the order, built and signed here with the sandbox's platform key.
  struct Callback {
    std::string body;
    wechatpay::SignatureHeaders headers;
  };
  Callback paid_callback(const json& order, std::int64_t total_fen, std::int64_t signed_at_ms) {
    const json config = wechatpay_json();
    wechatpay::Transaction t;
    t.appid = config["appid"];
    t.mchid = config["mchid"];
    t.out_trade_no = order["order_id"];
    t.transaction_id = "4200000000000000000000000001";
    t.trade_state = "SUCCESS";
    t.trade_type = "NATIVE";
    t.payer_openid = "oTestPayer";
    t.total_fen = total_fen;
    t.payer_total_fen = total_fen;
    t.success_time = wechatpay::format_beijing_rfc3339(signed_at_ms);
    return signed_callback("TRANSACTION.SUCCESS", "transaction", wechatpay::transaction_json(t),
                           "cb-" + order["order_id"].get<std::string>(), signed_at_ms);
  }

  // A callback with this event and plaintext (encrypted with the APIv3 key), signed at signed_at_ms with the
  // sandbox's platform key.
  Callback signed_callback(const std::string& event_type, const std::string& original_type,
                           const std::string& plaintext, const std::string& id, std::int64_t signed_at_ms) {
    const json config = wechatpay_json();
    wechatpay::Callback callback;
    callback.id = id;
    callback.create_time = wechatpay::format_beijing_rfc3339(signed_at_ms);
    callback.event_type = event_type;
    callback.summary = event_type.rfind("TRANSACTION.", 0) == 0 ? "支付成功" : "退款成功";
    callback.resource = wechatpay::encrypt_resource(config["apiv3_key"].get<std::string>(), plaintext,
                                                    original_type, original_type);
    Callback out{wechatpay::callback_json(callback), {}};
    const auto platform_key =
        crypto::RsaPrivateKey::from_pem(read_text(dir_.path() + "/data/sandbox/wechatpay_platform_key.pem"))
            .value();
    const auto certificate =
        crypto::Certificate::from_pem(read_text(dir_.path() + "/data/sandbox/wechatpay_platform_cert.pem"))
            .value();
    out.headers = wechatpay::sign_response(certificate.serial_hex(), platform_key, out.body, signed_at_ms);
    return out;
  }

  http::ClientResponse notify(const Callback& callback) {
    http::Client client(gateway_->endpoint());
    auto headers = wechatpay::to_header_list(callback.headers);
    headers.emplace_back("content-type", "application/json");
    return client.send("POST", "/notify/wechatpay/wechatpay-sandbox", headers, callback.body).value();
  }
};

TEST_F(WechatpayPayments, NativeOrderIsPaidByTheCallbackAndRefundedThroughTheLedger) {
  start("", "[refunds]\nfirst_check_ms = 50\ncheck_interval_max_ms = 400\n");
  const json order = create_wechatpay_order("wx-e2e-1", 1000);
  const std::string id = order["order_id"];
  EXPECT_EQ(order["payment_url"].get<std::string>().rfind("weixin://wxpay/bizpayurl?pr=", 0), 0u);
  ASSERT_EQ(wechatpay_pay(id), 200);
  const json paid = wait_for_status(id, "succeeded");
  ASSERT_EQ(paid["status"], "succeeded");
  EXPECT_EQ(paid["channel_trade_no"].get<std::string>().rfind("4200", 0), 0u);

  auto partial =
      merchant().post("/api/v1/orders/" + id + "/refunds",
                      json{{"out_refund_no", "wx-r1"}, {"amount", 300}, {"reason", "破损"}}.dump());
  ASSERT_EQ(partial.status, 201) << partial.raw.body;
  EXPECT_EQ(partial.data()["status"], "pending");  // WeChat answers PROCESSING; the callback settles it
  EXPECT_EQ(wait_for_refund(partial.data()["refund_id"], "succeeded")["status"], "succeeded");
  EXPECT_EQ(wait_for_status(id, "partially_refunded")["refunded_amount"], 300);

  auto rest = merchant().post("/api/v1/orders/" + id + "/refunds",
                              json{{"out_refund_no", "wx-r2"}, {"amount", 700}}.dump());
  ASSERT_EQ(rest.status, 201) << rest.raw.body;
  EXPECT_EQ(wait_for_refund(rest.data()["refund_id"], "succeeded")["status"], "succeeded");
  EXPECT_EQ(wait_for_status(id, "refunded")["refunded_amount"], 1000);
  EXPECT_EQ(outbox_events(id, "refund.succeeded"), 2);
  // The payment and both REFUND.SUCCESS callbacks are in the inbox (a refund may have been settled by the
  // checker's query first; its callback is recorded all the same). Wait for the condition, bounded.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (inbox_notifies(id) < 3 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(inbox_notifies(id), 3);
  ASSERT_EQ(gateway_->terminate(), 0);
  expect_books_sound(dir_.path() + "/data");
  gateway_.reset();
}

TEST_F(WechatpayPayments, AnAbnormalRefundFailsAndReleasesItsReservation) {
  start("", "[refunds]\nfirst_check_ms = 50\ncheck_interval_max_ms = 400\n");
  const std::string id = create_wechatpay_order("wx-abnormal-1", 800)["order_id"];
  ASSERT_EQ(wechatpay_pay(id), 200);
  ASSERT_EQ(wait_for_status(id, "succeeded")["status"], "succeeded");
  // WeChat could not put the money back (the payer's card was closed): REFUND.ABNORMAL.
  ASSERT_EQ(sandbox_post("/sandbox/wechatpay/faults", {{"refund_abnormal_rate", 1.0}}).status, 200);
  auto refused = merchant().post("/api/v1/orders/" + id + "/refunds",
                                 json{{"out_refund_no", "wx-ab-1"}, {"amount", 800}}.dump());
  ASSERT_EQ(refused.status, 201) << refused.raw.body;
  const json failed = wait_for_refund(refused.data()["refund_id"], "failed");
  ASSERT_EQ(failed["status"], "failed");
  EXPECT_NE(failed.dump().find("ABNORMAL"), std::string::npos) << failed.dump();
  json order = merchant().get("/api/v1/orders/" + id).data();
  EXPECT_EQ(order["status"], "succeeded");
  EXPECT_EQ(order["refunding_amount"], 0);
  EXPECT_EQ(order["refunded_amount"], 0);
  // A REFUND.SUCCESS for the refund we failed contradicts our books: refused (so WeChat keeps telling us,
  // and the log says so loudly), nothing changed.
  wechatpay::RefundInfo contradiction;
  contradiction.mchid = wechatpay_json()["mchid"];
  contradiction.out_trade_no = id;
  contradiction.out_refund_no = refused.data()["refund_id"];
  contradiction.refund_id = "50000000000000000000000000001";
  contradiction.status = "SUCCESS";
  contradiction.refund_fen = 800;
  contradiction.total_fen = 800;
  auto answer =
      notify(signed_callback("REFUND.SUCCESS", "refund", wechatpay::refund_json(contradiction, true),
                             "cb-contradiction", SystemClock{}.now_unix_ms()));
  EXPECT_EQ(answer.status, 400);
  EXPECT_EQ(
      merchant().get("/api/v1/refunds/" + refused.data()["refund_id"].get<std::string>()).data()["status"],
      "failed");
  EXPECT_NE(gateway_->log().find("refund_notify_not_applied"), std::string::npos);
  // The amount is refundable again, at WeChat and here.
  ASSERT_EQ(sandbox_post("/sandbox/wechatpay/faults", {{"refund_abnormal_rate", 0.0}}).status, 200);
  auto again = merchant().post("/api/v1/orders/" + id + "/refunds",
                               json{{"out_refund_no", "wx-ab-2"}, {"amount", 800}}.dump());
  ASSERT_EQ(again.status, 201) << again.raw.body;
  EXPECT_EQ(wait_for_refund(again.data()["refund_id"], "succeeded")["status"], "succeeded");
  EXPECT_EQ(wait_for_status(id, "refunded")["refunded_amount"], 800);
  ASSERT_EQ(gateway_->terminate(), 0);
  expect_books_sound(dir_.path() + "/data");
  gateway_.reset();
}

TEST_F(WechatpayPayments, LostCallbacksAreFoundByQueriesAndExpiredOrdersCloseAtWechat) {
  start("", "[orders]\nexpire_seconds_min = 1\nquery_first_ms = 50\nscheduler_interval_ms = 20\n");
  ASSERT_EQ(sandbox_post("/sandbox/wechatpay/faults", {{"notify_drop_rate", 1.0}}).status, 200);
  const std::string paid_id = create_wechatpay_order("wx-lost-1", 300)["order_id"];
  ASSERT_EQ(wechatpay_pay(paid_id), 200);
  // No callback arrives and nobody asks: the scheduler's query at WeChat finds the payment.
  const json paid = wait_for_status(paid_id, "succeeded");
  EXPECT_EQ(paid["status"], "succeeded");
  EXPECT_EQ(paid["channel_trade_no"].get<std::string>().rfind("4200", 0), 0u);
  EXPECT_EQ(outbox_events(paid_id, "order.succeeded"), 1);

  json body = order_body("wx-expire-1", 300);
  body["channel"] = "wechatpay";
  body["method"] = "native";
  body["expire_seconds"] = 1;
  auto created = merchant().post("/api/v1/orders", body.dump());
  ASSERT_EQ(created.status, 201) << created.raw.body;
  const std::string expiring = created.data()["order_id"];
  EXPECT_EQ(wait_for_status(expiring, "closed")["status"], "closed");
  // Closed at WeChat too: the payer can no longer pay its QR code.
  EXPECT_EQ(wechatpay_pay(expiring), 409);
}

TEST_F(WechatpayPayments, CertificateRotatedMidStreamLosesNoCallback) {
  start();
  // Callbacks wait 300 ms before their first attempt: those signed before the rotation arrive after it.
  ASSERT_EQ(sandbox_post("/sandbox/wechatpay/faults", {{"notify_delay_ms", 300}}).status, 200);
  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i)
    ids.push_back(create_wechatpay_order("wx-rot-" + std::to_string(i), 100 + i)["order_id"]);
  for (int i = 0; i < 6; ++i) ASSERT_EQ(wechatpay_pay(ids[i]), 200);
  auto rotated = sandbox_post("/sandbox/wechatpay/rotate", json::object());
  ASSERT_EQ(rotated.status, 200);
  EXPECT_EQ(json::parse(rotated.body)["certificates"].size(), 2u);
  for (int i = 6; i < 12; ++i) ASSERT_EQ(wechatpay_pay(ids[i]), 200);
  for (const std::string& id : ids) EXPECT_EQ(wait_for_status(id, "succeeded")["status"], "succeeded") << id;
  EXPECT_EQ(wechatpay_json()["platform_certificates"].size(), 2u);  // the developer's file follows too
  const std::string log = gateway_->log();
  EXPECT_EQ(log.find("\"status\":400"), std::string::npos) << "a callback was refused";
}

TEST_F(WechatpayPayments, ForgedStaleOrReplayedCallbacksChangeNothing) {
  start();
  const json order = create_wechatpay_order("wx-forge-1", 500);
  const std::string id = order["order_id"];
  const std::int64_t now_ms = SystemClock{}.now_unix_ms();

  Callback wrong_amount = paid_callback(order, 499, now_ms);
  auto refused = notify(wrong_amount);
  EXPECT_EQ(refused.status, 400);
  EXPECT_EQ(json::parse(refused.body)["code"], "FAIL");

  Callback tampered = paid_callback(order, 500, now_ms);
  tampered.body.replace(tampered.body.find("支付成功"), std::string("支付成功").size(), "支付失败");
  EXPECT_EQ(notify(tampered).status, 400);

  Callback stale = paid_callback(order, 500, now_ms - 6 * 60 * 1000);
  EXPECT_EQ(notify(stale).status, 400);

  Callback unknown_serial = paid_callback(order, 500, now_ms);
  unknown_serial.headers.serial = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
  EXPECT_EQ(notify(unknown_serial).status, 400);

  EXPECT_EQ(merchant().get("/api/v1/orders/" + id).data()["status"], "pending");
  EXPECT_EQ(outbox_events(id, "order.succeeded"), 0);

  const Callback good = paid_callback(order, 500, now_ms);
  EXPECT_EQ(notify(good).status, 204);
  EXPECT_EQ(merchant().get("/api/v1/orders/" + id).data()["status"], "succeeded");
  EXPECT_EQ(notify(good).status, 204);  // a replay is acknowledged and changes nothing
  EXPECT_EQ(outbox_events(id, "order.succeeded"), 1);
}

}  // namespace
}  // namespace paygate::test
