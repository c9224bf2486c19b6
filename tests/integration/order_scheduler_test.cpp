// Proves the order jobs against the real binary and its sandbox: expired orders are closed at the channel
// and here (with their event), cashier orders that nobody paid expire too, and a payment whose notify was
// lost is found by the active query without anyone asking.
#include <gtest/gtest.h>

#include "tests/integration/sandboxed_gateway.h"

namespace paygate::test {
namespace {

using nlohmann::json;

class OrderJobs : public SandboxedGateway {
 protected:
  void start_gateway() {
    start("", "[orders]\nexpire_seconds_min = 1\nquery_first_ms = 50\nscheduler_interval_ms = 20\n");
  }
  json create(const std::string& out_trade_no, bool with_channel, int expire_seconds) {
    json body = order_body(out_trade_no, 700);
    if (with_channel) {
      body["channel"] = "alipay";
      body["method"] = "qr";
    }
    body["expire_seconds"] = expire_seconds;
    auto created = merchant().post("/api/v1/orders", body.dump());
    EXPECT_EQ(created.status, 201) << created.raw.body;
    return created.data();
  }
};

TEST_F(OrderJobs, ExpiredOrdersAreClosedAtTheChannelAndHere) {
  start_gateway();
  const json channel_order = create("expire-1", true, 1);
  const json cashier_order = create("expire-2", false, 1);
  const json patient_order = create("expire-3", true, 3600);
  EXPECT_EQ(wait_for_status(channel_order["order_id"], "closed")["status"], "closed");
  EXPECT_EQ(wait_for_status(cashier_order["order_id"], "closed")["status"], "closed");
  EXPECT_EQ(outbox_events(channel_order["order_id"], "order.closed"), 1);
  // Closed at Alipay too: the payer can no longer pay the QR code.
  EXPECT_NE(sandbox_pay(channel_order["order_id"]), 200);
  EXPECT_EQ(merchant().get("/api/v1/orders/" + patient_order["order_id"].get<std::string>()).data()["status"],
            "pending")
      << "an order that has not expired is left alone";
  json too_short = order_body("expire-4", 700);
  too_short["expire_seconds"] = 0;
  EXPECT_EQ(merchant().post("/api/v1/orders", too_short.dump()).code(), "INVALID_PARAMETER")
      << "expire_seconds below the configured minimum is refused";
}

TEST_F(OrderJobs, ALostNotifyIsFoundByTheActiveQuery) {
  start_gateway();
  ASSERT_EQ(sandbox_faults({{"notify_drop_rate", 1}}), 200);
  const json order = create("lost-notify-1", true, 3600);
  ASSERT_EQ(sandbox_pay(order["order_id"]), 200);
  // Nobody calls ?sync=true: the scheduler's query finds the payment.
  const json paid = wait_for_status(order["order_id"], "succeeded");
  EXPECT_EQ(paid["status"], "succeeded");
  EXPECT_EQ(outbox_events(order["order_id"], "order.succeeded"), 1);
}

}  // namespace
}  // namespace paygate::test
