// Proves Alipay payments end to end against the real binary with its in-process sandbox: an alipay/qr order
// gets its QR code from the sandbox, the sandbox's signed notify turns it paid exactly once, and every notify
// that fails verification (signature, app_id, order, amount, tampering, garbage) changes nothing.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "core/time.h"
#include "infra/channels/alipay/codec.h"
#include "infra/store/sqlite/connection.h"
#include "tests/integration/sandboxed_gateway.h"

namespace paygate::test {
namespace {

using nlohmann::json;

class AlipayPayments : public SandboxedGateway {
 protected:
  alipay::Params notify_for(const json& order, const std::string& notify_id,
                            const std::string& status = "TRADE_SUCCESS") {
    return alipay_trade_notify(order, app_id_, notify_id, "2026112299999999", status);
  }
  std::string signed_body(alipay::Params params, const crypto::RsaPrivateKey& key) {
    params["sign"] = alipay::sign(params, alipay::SignScope::kNotify, key);
    return alipay::form_encode(params);
  }
  std::pair<int, std::string> post_notify(const std::string& body,
                                          const std::string& account = "alipay-sandbox") {
    http::Client client(gateway_->endpoint());
    auto response = client.send("POST", "/notify/alipay/" + account,
                                {{"content-type", "application/x-www-form-urlencoded"}}, body);
    return response.ok() ? std::pair{response->status, response->body} : std::pair{-1, std::string()};
  }
};

TEST_F(AlipayPayments, QrOrderIsPaidByTheSandboxNotifyExactlyOnce) {
  start();
  const json order = create_alipay_order("pay-1", 990);
  const std::string id = order["order_id"];
  EXPECT_EQ(order["status"], "pending");
  EXPECT_NE(order["payment_url"].get<std::string>().find("/sandbox/alipay/qr/"), std::string::npos);
  // The same create again returns the same order and QR code.
  json repeat_body = order_body("pay-1", 990);
  repeat_body["channel"] = "alipay";
  repeat_body["method"] = "qr";
  auto repeat = merchant().post("/api/v1/orders", repeat_body.dump());
  EXPECT_EQ(repeat.status, 200);
  EXPECT_EQ(repeat.data()["payment_url"], order["payment_url"]);

  ASSERT_EQ(sandbox_pay(id), 200);
  const json paid = wait_for_status(id, "succeeded");
  ASSERT_EQ(paid["status"], "succeeded");
  EXPECT_FALSE(paid["channel_trade_no"].is_null());
  EXPECT_FALSE(paid["paid_at"].is_null());
  EXPECT_EQ(outbox_events(id), 1);

  // A second, differently numbered success notify for the same payment changes nothing more.
  EXPECT_EQ(post_notify(signed_body(notify_for(paid, "late-duplicate-1"), *platform_key_)).second, "success");
  EXPECT_EQ(outbox_events(id), 1);
  EXPECT_EQ(merchant().get("/api/v1/orders/" + id).data()["updated_at"], paid["updated_at"]);
}

TEST_F(AlipayPayments, NotifiesThatFailVerificationChangeNothing) {
  start();
  const json order = create_alipay_order("reject-1", 1234);
  const std::string id = order["order_id"];
  const auto other_key = crypto::RsaPrivateKey::generate();
  auto with = [&](const std::function<void(alipay::Params&)>& edit) {
    alipay::Params params = notify_for(order, "reject-notify-1");
    edit(params);
    return signed_body(params, *platform_key_);
  };
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"signed with another key", signed_body(notify_for(order, "reject-notify-1"), other_key)},
      {"wrong app_id", with([](alipay::Params& p) { p["app_id"] = "2021000000009999"; })},
      {"unknown order", with([](alipay::Params& p) { p["out_trade_no"] = "20260101000000000AAAAAAAAAAAA"; })},
      {"amount mismatch", with([](alipay::Params& p) { p["total_amount"] = "12.33"; })},
      {"tampered after signing",
       [&] {
         std::string body = signed_body(notify_for(order, "reject-notify-1"), *platform_key_);
         return body.replace(body.find("total_amount=12.34"), 18, "total_amount=99.99");
       }()},
      {"form garbage", "%%%=&&=="},
      {"empty body", ""},
      {"unknown trade_status", with([](alipay::Params& p) { p["trade_status"] = "PAID_MAYBE"; })},
  };
  for (const auto& [what, body] : refused) {
    const auto [status, answer] = post_notify(body);
    EXPECT_EQ(status, 200) << what;
    EXPECT_EQ(answer, "failure") << what;
  }
  EXPECT_EQ(post_notify(signed_body(notify_for(order, "n-2"), *platform_key_), "no-such-account").first, 404);
  EXPECT_EQ(merchant().get("/api/v1/orders/" + id).data()["status"], "pending");
  EXPECT_EQ(outbox_events(id), 0);

  // The refused notify_id was not consumed: the genuine notify with it is applied, and a replay is not.
  const std::string genuine = signed_body(notify_for(order, "reject-notify-1"), *platform_key_);
  EXPECT_EQ(post_notify(genuine).second, "success");
  EXPECT_EQ(merchant().get("/api/v1/orders/" + id).data()["status"], "succeeded");
  EXPECT_EQ(post_notify(genuine).second, "success");
  EXPECT_EQ(outbox_events(id), 1);
}

TEST_F(AlipayPayments, TradeClosedNotifyClosesAPendingOrder) {
  start();
  const json order = create_alipay_order("closed-1", 100);
  EXPECT_EQ(post_notify(signed_body(notify_for(order, "close-n-1", "TRADE_CLOSED"), *platform_key_)).second,
            "success");
  EXPECT_EQ(merchant().get("/api/v1/orders/" + order["order_id"].get<std::string>()).data()["status"],
            "closed");
  EXPECT_EQ(outbox_events(order["order_id"]), 1);
}

TEST_F(AlipayPayments, SyncQueryRecoversALostNotify) {
  start("http://127.0.0.1:9");  // notifies go nowhere
  const json order = create_alipay_order("lost-1", 500);
  const std::string id = order["order_id"];
  ASSERT_EQ(sandbox_pay(id), 200);
  EXPECT_EQ(merchant().get("/api/v1/orders/" + id).data()["status"], "pending") << "no notify arrived";
  auto synced = merchant().get("/api/v1/orders/" + id + "?sync=true");
  ASSERT_EQ(synced.status, 200) << synced.raw.body;
  EXPECT_EQ(synced.data()["status"], "succeeded");
  EXPECT_EQ(outbox_events(id), 1);
  auto again = merchant().get("/api/v1/orders/" + id + "?sync=true");
  EXPECT_EQ(again.data()["status"], "succeeded");
  EXPECT_EQ(outbox_events(id), 1) << "syncing a paid order changes nothing";
}

TEST_F(AlipayPayments, DuplicatedAndDroppedNotifiesStillEndRight) {
  start();
  auto faults = [&](const json& knobs) { ASSERT_EQ(sandbox_faults(knobs), 200); };
  faults({{"notify_duplicate_rate", 1}, {"notify_delay_ms", 20}, {"notify_reorder", true}});
  const json doubled = create_alipay_order("dup-notify-1", 700);
  ASSERT_EQ(sandbox_pay(doubled["order_id"]), 200);
  EXPECT_EQ(wait_for_status(doubled["order_id"], "succeeded")["status"], "succeeded");
  EXPECT_EQ(outbox_events(doubled["order_id"]), 1) << "two deliveries, one payment";

  faults({{"notify_duplicate_rate", 0}, {"notify_drop_rate", 1}});
  const json dropped = create_alipay_order("drop-notify-1", 800);
  ASSERT_EQ(sandbox_pay(dropped["order_id"]), 200);
  EXPECT_EQ(merchant().get("/api/v1/orders/" + dropped["order_id"].get<std::string>()).data()["status"],
            "pending");
  EXPECT_EQ(merchant()
                .get("/api/v1/orders/" + dropped["order_id"].get<std::string>() + "?sync=true")
                .data()["status"],
            "succeeded")
      << "the active query finds what the lost notify would have said";
}

TEST_F(AlipayPayments, APaymentForAClosedOrderIsRecordedAsALatePayment) {
  start();
  const json order = create_alipay_order("late-1", 1'200);
  const std::string id = order["order_id"];
  ASSERT_EQ(merchant().post("/api/v1/orders/" + id + "/close", "").status, 200);
  // Alipay reports the trade paid after all (the payer's app raced the close): recorded, never refused.
  const std::string late = signed_body(notify_for(order, "late-n-1"), *platform_key_);
  EXPECT_EQ(post_notify(late).second, "success");
  const json paid = merchant().get("/api/v1/orders/" + id).data();
  EXPECT_EQ(paid["status"], "succeeded");
  EXPECT_EQ(paid["late_payment"], true);
  EXPECT_EQ(outbox_events(id, "order.late_payment"), 1);
  EXPECT_EQ(post_notify(late).second, "success") << "the same notify again changes nothing";
  EXPECT_EQ(outbox_events(id, "order.late_payment"), 1);
  // The default policy gives it back: a full refund "late-<order_id>" goes to the channel, exactly once.
  // (The sandbox refuses it — it closed the trade — so the refund ends failed and the merchant decides.)
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  json refunds;
  while (std::chrono::steady_clock::now() < deadline) {
    refunds = merchant().get("/api/v1/orders/" + id + "/refunds").data()["refunds"];
    if (!refunds.empty() && refunds[0]["status"] != "pending") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(refunds.size(), 1u);
  EXPECT_EQ(refunds[0]["out_refund_no"], "late-" + id);
  EXPECT_EQ(refunds[0]["amount"], 1'200);
  EXPECT_EQ(refunds[0]["status"], "failed");
  ASSERT_EQ(gateway_->terminate(), 0);
  gateway_.reset();
  expect_books_sound(dir_.path() + "/data");
}

TEST_F(AlipayPayments, PageAndWapOrdersGetASignedPayUrl) {
  start();
  for (const char* method : {"page", "wap"}) {
    json body = order_body(std::string("url-") + method, 100);
    body["channel"] = "alipay";
    body["method"] = method;
    auto response = merchant().post("/api/v1/orders", body.dump());
    ASSERT_EQ(response.status, 201) << response.raw.body;
    const std::string url = response.data()["payment_url"];
    ASSERT_EQ(url.rfind(sandbox_base_ + "/gateway.do?", 0), 0u) << url;
    auto params = alipay::form_decode(url.substr(url.find('?') + 1));
    ASSERT_TRUE(params.ok());
    EXPECT_EQ(params->at("method"), std::string("alipay.trade.") + method + ".pay");
    const auto app_key = crypto::RsaPrivateKey::from_pem(
        json::parse(read_text(dir_.path() + "/data/sandbox/alipay.json"))["app_private_key"]
            .get<std::string>());
    const auto app_public = crypto::RsaPublicKey::from_pem(app_key->public_key_pem()).value();
    EXPECT_TRUE(alipay::verify(*params, alipay::SignScope::kRequest, app_public));
  }
}

}  // namespace
}  // namespace paygate::test

namespace paygate::test {
namespace {

TEST_F(AlipayPayments, ClosingAChannelOrderClosesTheTradeAtTheChannelFirst) {
  start();
  const json open_order = create_alipay_order("close-channel-1", 300);
  const std::string id = open_order["order_id"];
  auto closed = merchant().post("/api/v1/orders/" + id + "/close", "");
  ASSERT_EQ(closed.status, 200) << closed.raw.body;
  EXPECT_EQ(closed.data()["status"], "closed");
  EXPECT_EQ(sandbox_pay(id), 409) << "the sandbox trade is closed too: the QR code can no longer be paid";

  // Paid at the channel but not yet known here (notifies lost): closing applies the payment instead.
  gateway_->terminate();
  gateway_.reset();
  start("http://127.0.0.1:9");
  const json paid_order = create_alipay_order("close-channel-2", 400);
  ASSERT_EQ(sandbox_pay(paid_order["order_id"]), 200);
  auto refused =
      merchant().post("/api/v1/orders/" + paid_order["order_id"].get<std::string>() + "/close", "");
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.code(), "ORDER_STATUS_INVALID");
  EXPECT_EQ(merchant().get("/api/v1/orders/" + paid_order["order_id"].get<std::string>()).data()["status"],
            "succeeded");
}

}  // namespace
}  // namespace paygate::test
