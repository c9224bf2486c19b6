// Nothing lost, nothing doubled, for WeChat Pay: native orders, payments and refunds through an
// out-of-process WeChat Pay sandbox that duplicates, delays and reorders its callbacks and answers
// SYSTEM_ERROR or times out now and then, and ends some refunds ABNORMAL, against the real binary killed with
// SIGKILL 12 times. Afterwards: every acknowledged order and refund exists, every order agrees with WeChat's
// own record, every refund is final and agrees with WeChat's refund query, no payment was applied twice, and
// `ledger verify` passes.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <set>

#include "tests/fault/kill_under_load.h"
#include "tests/integration/sandboxed_gateway.h"

namespace paygate::test {
namespace {

using nlohmann::json;

TEST(WechatpayCrash, TwelveKillsUnderPaymentsAndRefundsLoseNothing) {
  TempDir dir;
  GatewayProcess sandbox(dir.path() + "/sandbox", {"--notify-retry-scale", "0.001"}, "sandbox");
  sandbox.start();
  const json alipay = json::parse(read_text(dir.path() + "/sandbox/sandbox/alipay.json"));
  const json wechatpay = json::parse(read_text(dir.path() + "/sandbox/sandbox/wechatpay.json"));
  auto set_faults = [&](const json& knobs) {
    http::Client faults(sandbox.endpoint());
    return faults.send("POST", "/sandbox/wechatpay/faults", {}, knobs.dump())->status;
  };
  ASSERT_EQ(set_faults({{"notify_duplicate_rate", 0.3},
                        {"notify_delay_ms", 40},
                        {"notify_reorder", true},
                        {"error_rate", 0.1},
                        {"timeout_rate", 0.03},
                        {"timeout_ms", 600},
                        {"refund_processing_ms", 30},
                        {"refund_abnormal_rate", 0.15}}),
            200);
  const std::string listen = "127.0.0.1:" + std::to_string(free_loopback_port());
  const std::string config = write_external_sandbox_config(
      dir.path(), alipay,
      "[server]\npublic_url = \"http://" + listen +
          "\"\n[refunds]\nfirst_check_ms = 50\ncheck_interval_max_ms = 400\n"
          "[orders]\nquery_first_ms = 100\nscheduler_interval_ms = 20\n" +
          external_wechatpay_account_toml(dir.path(), wechatpay, /*channel_timeout_ms=*/300),
      /*channel_timeout_ms=*/300);
  GatewayProcess gateway(dir.path() + "/data", {"--config", config, "--listen", listen});
  gateway.start();
  const Credentials credentials = gateway.demo_merchant();

  RefundsUnderLoad refunds;
  std::atomic<int> sequence{0};
  std::mt19937_64 random(20261122);
  const std::set<std::string> orders_acknowledged = kill_under_load(
      gateway, credentials, 12, 3, random, 80,
      [&](MerchantClient& client, std::mt19937_64& local, const std::atomic<bool>& down,
          const auto& acknowledge) {
        http::Client payer(sandbox.endpoint());
        while (!down) {
          const int n = sequence++;
          json body = order_body("wxc-" + std::to_string(n), 500 + static_cast<std::int64_t>(local() % 500));
          body["channel"] = "wechatpay";
          body["method"] = "native";
          auto created = client.post("/api/v1/orders", body.dump());
          if (created.status != 201) continue;
          const std::string id = created.data()["order_id"];
          acknowledge(id);
          (void)payer.send("POST", "/sandbox/wechatpay/pay", {},
                           json{{"mchid", wechatpay["mchid"]}, {"out_trade_no", id}}.dump());
          refunds.paid(id);
          if (local() % 2 == 0) refunds.refund_one(client, local, "wxc-r-" + std::to_string(n));
        }
      });
  ASSERT_GT(orders_acknowledged.size(), 30u);
  ASSERT_EQ(set_faults({{"error_rate", 0}, {"timeout_rate", 0}}), 200);

  // The truth settles: payments reach us (callback retries or active queries) and refunds finish.
  auto client = MerchantClient(gateway.endpoint(), credentials);
  const SystemClock clock;
  auto channel = sandbox_wechatpay_channel(wechatpay, clock);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  std::map<std::string, json> final_orders;
  for (const std::string& id : orders_acknowledged)
    final_orders[id] = wait_until_channel_agrees(client, *channel, id, deadline);
  std::size_t refunds_succeeded = 0, refunds_failed = 0;
  const std::set<std::string> refunds_acknowledged = refunds.acknowledged();
  for (const std::string& refund_id : refunds_acknowledged) {
    auto found = client.get("/api/v1/refunds/" + refund_id);
    ASSERT_EQ(found.status, 200) << refund_id << " was lost";
    const json refund = found.data();
    const json order = final_orders.at(refund["order_id"]);
    Order trade;
    trade.order_id = OrderId{refund["order_id"].get<std::string>()};
    trade.amount = Money{order["amount"].get<std::int64_t>(), Currency::kCny};
    auto at_channel = channel->refund_query(trade, refund_id);
    ASSERT_TRUE(at_channel.ok());
    if (refund["status"] == "succeeded") {
      ++refunds_succeeded;
      EXPECT_EQ(at_channel->status, ChannelRefundStatus::kSucceeded) << refund_id;
    } else {
      ++refunds_failed;
      EXPECT_EQ(refund["status"], "failed") << refund_id;
      EXPECT_NE(at_channel->status, ChannelRefundStatus::kSucceeded)
          << refund_id << " failed here, paid back there";
    }
  }
  std::map<std::string, int> statuses;
  for (const auto& [id, order] : final_orders) ++statuses[order["status"].get<std::string>()];
  std::printf(
      "wechatpay crash: %zu orders (%d succeeded, %d partially refunded, %d pending), %zu refunds (%zu "
      "succeeded, %zu failed ABNORMAL)\n",
      final_orders.size(), statuses["succeeded"], statuses["partially_refunded"], statuses["pending"],
      refunds_acknowledged.size(), refunds_succeeded, refunds_failed);
  EXPECT_GT(statuses["succeeded"] + statuses["partially_refunded"], 10);
  EXPECT_GT(refunds_succeeded, 5u);
  EXPECT_GT(refunds_failed, 0u);
  ASSERT_EQ(gateway.terminate(), 0);
  expect_books_sound(dir.path() + "/data");
  EXPECT_EQ(sandbox.terminate(), 0);
}

}  // namespace
}  // namespace paygate::test
