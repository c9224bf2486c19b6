// Proves merchant webhooks against the real binary: a local receiver gets order and refund events signed
// with the merchant's webhook secret (checked here with HMAC-SHA256 exactly as merchants are told to), in
// order per order, retried with the same event id while the receiver fails, dead-lettered after the
// schedule, listed by the events API with their delivery state, and sent again on request.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "tests/integration/sandboxed_gateway.h"
#include "tests/integration/webhook_receiver.h"

namespace paygate::test {
namespace {

using nlohmann::json;

// The merchant's check: recompute v1 over "<t>.<body>" with the webhook secret and compare.
bool signature_valid(const std::string& header, const std::string& body, const std::string& secret) {
  const auto t_start = header.find("t=");
  const auto comma = header.find(",v1=");
  if (t_start != 0 || comma == std::string::npos) return false;
  const std::string t = header.substr(2, comma - 2);
  const std::string v1 = header.substr(comma + 4);
  return crypto::constant_time_equal(crypto::hex_encode(crypto::hmac_sha256(secret, t + "." + body)), v1);
}

class Webhooks : public SandboxedGateway {
 protected:
  void start_gateway(const std::string& extra = "") {
    start("", "[webhooks]\nfirst_retry_ms = 20\nretry_max_ms = 100\npoll_interval_ms = 10\n" + extra);
    secret_ = json::parse(read_text(dir_.path() + "/data/demo-merchant.json"))["webhook_secret"];
  }

  std::string paid_order(const std::string& out_trade_no, const std::string& notify_url) {
    json body = order_body(out_trade_no, 1'000);
    body["channel"] = "alipay";
    body["method"] = "qr";
    body["notify_url"] = notify_url;
    auto created = merchant().post("/api/v1/orders", body.dump());
    EXPECT_EQ(created.status, 201) << created.raw.body;
    const std::string id = created.data()["order_id"];
    EXPECT_EQ(sandbox_pay(id), 200);
    EXPECT_EQ(wait_for_status(id, "succeeded")["status"], "succeeded");
    return id;
  }

  json wait_for_event_status(const std::string& order_id, const std::string& status) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    auto client = merchant();
    while (true) {
      json events = client.get("/api/v1/events?order_id=" + order_id).data()["events"];
      bool all = !events.empty();
      for (const json& event : events) all = all && event["delivery"]["status"] == status;
      if (all || std::chrono::steady_clock::now() > deadline) return events;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  std::string secret_;
};

TEST_F(Webhooks, SignedEventsArriveInOrderAndFailuresAreRetriedWithTheSameId) {
  Receiver receiver;
  start_gateway();
  ASSERT_TRUE(secret_.starts_with("whsec_")) << secret_;
  receiver.fail_next(2);
  const std::string id = paid_order("hook-1", receiver.url());
  auto refund = merchant().post("/api/v1/orders/" + id + "/refunds",
                                json{{"out_refund_no", "hook-r1"}, {"amount", 400}}.dump());
  ASSERT_EQ(refund.status, 201) << refund.raw.body;

  const auto deliveries = receiver.wait_for(4);  // two refused attempts, then both events
  ASSERT_EQ(deliveries.size(), 4u);
  EXPECT_EQ(deliveries[0].event_id, deliveries[1].event_id) << "a retry carries the same event id";
  EXPECT_EQ(deliveries[1].event_id, deliveries[2].event_id);
  for (const auto& delivery : deliveries) {
    EXPECT_TRUE(signature_valid(delivery.signature, delivery.body, secret_)) << delivery.signature;
    EXPECT_FALSE(signature_valid(delivery.signature, delivery.body + " ", secret_)) << "a changed body fails";
    EXPECT_EQ(json::parse(delivery.body)["id"], delivery.event_id);
  }
  const json first = json::parse(deliveries[2].body);
  const json second = json::parse(deliveries[3].body);
  EXPECT_EQ(first["type"], "order.succeeded") << "the order's events arrive in the order they happened";
  EXPECT_EQ(first["data"]["order_id"], id);
  EXPECT_EQ(second["type"], "refund.succeeded");
  EXPECT_EQ(second["data"]["amount"], 400);
  EXPECT_TRUE(first["created_at"].is_string());

  const json events = wait_for_event_status(id, "delivered");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1]["type"], "order.succeeded") << "newest first";
  EXPECT_EQ(events[1]["delivery"]["attempts"], 3);
  EXPECT_EQ(events[0]["delivery"]["attempts"], 1);

  // Resend: the same event, delivered again with the same id.
  const std::string event_id = events[1]["event_id"];
  auto resent = merchant().post("/api/v1/events/" + event_id + "/resend", "");
  ASSERT_EQ(resent.status, 200) << resent.raw.body;
  const auto after = receiver.wait_for(5);
  ASSERT_EQ(after.size(), 5u);
  EXPECT_EQ(after[4].event_id, event_id);
  EXPECT_EQ(merchant().post("/api/v1/events/evt_nope/resend", "").code(), "EVENT_NOT_FOUND");
  EXPECT_EQ(merchant().get("/api/v1/events?status=sideways").code(), "INVALID_PARAMETER");
}

TEST_F(Webhooks, AnEndpointThatNeverAnswersIsDeadLetteredAndOthersAreNotHeldUp) {
  Receiver healthy;
  start_gateway("give_up_after_ms = 400\n");
  // Nothing listens on this port: every attempt is refused until the schedule gives up.
  const std::string dead_url = "http://127.0.0.1:9/hooks";
  const std::string dead_order = paid_order("hook-dead-1", dead_url);
  const std::string live_order = paid_order("hook-live-1", healthy.url());
  EXPECT_EQ(healthy.wait_for(1).size(), 1u) << "another merchant endpoint's failures hold nothing up";
  const json events = wait_for_event_status(dead_order, "dead");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["delivery"]["status"], "dead");
  EXPECT_GE(events[0]["delivery"]["attempts"].get<int>(), 2);
  EXPECT_FALSE(events[0]["delivery"]["last_error"].is_null());
  EXPECT_EQ(merchant().get("/api/v1/events?status=dead").data()["events"].size(), 1u);
  // An order without a notify_url has events too, never delivered.
  const json quiet = create_alipay_order("hook-quiet-1", 500);
  ASSERT_EQ(sandbox_pay(quiet["order_id"]), 200);
  EXPECT_EQ(wait_for_event_status(quiet["order_id"], "no_endpoint").size(), 1u);
  (void)live_order;
}

TEST_F(Webhooks, AnEndpointThatIsDownForAWhileGetsEverythingWhenItReturns) {
  std::uint16_t port = 0;
  std::string url;
  {
    Receiver placeholder;  // learns a free port, then frees it: the merchant's server is down
    port = placeholder.port();
    url = placeholder.url();
  }
  start_gateway();
  const std::string first = paid_order("hook-down-1", url);
  const std::string second = paid_order("hook-down-2", url);
  // While it is down, attempts fail and are rescheduled; nothing is given up.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (merchant().get("/api/v1/events?order_id=" + first).data()["events"][0]["delivery"]["attempts"] < 3) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(merchant().get("/api/v1/events?order_id=" + first).data()["events"][0]["delivery"]["status"],
            "pending");
  Receiver returned(port);
  const auto deliveries = returned.wait_for(2);
  ASSERT_EQ(deliveries.size(), 2u);
  EXPECT_EQ(wait_for_event_status(first, "delivered").size(), 1u);
  EXPECT_EQ(wait_for_event_status(second, "delivered").size(), 1u);
}

TEST_F(Webhooks, ARotatedSecretSignsFromThenOn) {
  Receiver receiver;
  start_gateway();
  const std::string old_secret = secret_;
  ASSERT_EQ(gateway_->terminate(), 0);
  const ProcessResult rotated =
      run_paygate({"merchant", "rotate-webhook-secret", "--data-dir", dir_.path() + "/data", "--merchant-id",
                   gateway_->demo_merchant().merchant_id});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.output;
  const std::string new_secret = json::parse(rotated.output)["webhook_secret"];
  ASSERT_NE(new_secret, old_secret);
  restart();
  paid_order("hook-rotated-1", receiver.url());
  const auto deliveries = receiver.wait_for(1);
  ASSERT_EQ(deliveries.size(), 1u);
  EXPECT_TRUE(signature_valid(deliveries[0].signature, deliveries[0].body, new_secret));
  EXPECT_FALSE(signature_valid(deliveries[0].signature, deliveries[0].body, old_secret));
}

}  // namespace
}  // namespace paygate::test
