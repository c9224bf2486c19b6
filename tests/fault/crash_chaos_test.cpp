// Nothing lost, nothing doubled (issue 6): mixed load — creates, payments through an out-of-process Alipay
// sandbox that duplicates, delays and reorders its notifies, refunds and closes — against the real binary,
// killed with SIGKILL 20 times at random moments. Afterwards: every acknowledged order and refund exists,
// every order ends where the channel says it is, no payment or refund was applied twice, `ledger verify`
// passes, and the merchant's webhook endpoint saw every event at least once, with the same id on every
// delivery and each order's events in the order they happened.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <random>
#include <set>

#include "tests/fault/kill_under_load.h"
#include "tests/integration/sandboxed_gateway.h"
#include "tests/integration/webhook_receiver.h"

namespace paygate::test {
namespace {

using nlohmann::json;

TEST(CrashChaos, TwentyKillsUnderMixedLoadLoseNothingAndDoubleNothing) {
  TempDir dir;
  GatewayProcess sandbox(dir.path() + "/sandbox", {"--notify-retry-scale", "0.0005"}, "sandbox");
  sandbox.start();
  const json alipay = json::parse(read_text(dir.path() + "/sandbox/sandbox/alipay.json"));
  {
    http::Client faults(sandbox.endpoint());
    ASSERT_EQ(faults
                  .send("POST", "/sandbox/alipay/faults", {},
                        json{{"notify_duplicate_rate", 0.3},
                             {"notify_delay_ms", 40},
                             {"notify_reorder", true},
                             {"error_rate", 0.1},
                             {"timeout_rate", 0.03},
                             {"timeout_ms", 600}}
                            .dump())
                  ->status,
              200);
  }
  Receiver receiver;
  const std::string listen = "127.0.0.1:" + std::to_string(free_loopback_port());
  const std::string config = write_external_sandbox_config(
      dir.path(), alipay,
      "[server]\npublic_url = \"http://" + listen +
          "\"\n[refunds]\nfirst_check_ms = 50\ncheck_interval_max_ms = 400\n"
          "[orders]\nquery_first_ms = 100\nscheduler_interval_ms = 20\n"
          "[webhooks]\nfirst_retry_ms = 20\nretry_max_ms = 300\npoll_interval_ms = 10\n"
          "allowed_networks = [\"127.0.0.1/32\"]\n",  // the receiver is on loopback
      /*channel_timeout_ms=*/300);
  GatewayProcess gateway(dir.path() + "/data", {"--config", config, "--listen", listen});
  gateway.start();
  const Credentials credentials = gateway.demo_merchant();

  RefundsUnderLoad refunds;
  std::atomic<int> sequence{0};
  std::mt19937_64 random(20261122);
  const std::set<std::string> orders_acknowledged =
      kill_under_load(gateway, credentials, 20, 3, random, 50,
                      [&](MerchantClient& client, std::mt19937_64& local, const std::atomic<bool>& down,
                          const auto& acknowledge) {
                        http::Client payer(sandbox.endpoint());
                        while (!down) {
                          const int n = sequence++;
                          json body = order_body("chaos-" + std::to_string(n),
                                                 500 + static_cast<std::int64_t>(local() % 500));
                          body["channel"] = "alipay";
                          body["method"] = "qr";
                          body["notify_url"] = receiver.url();
                          auto created = client.post("/api/v1/orders", body.dump());
                          if (created.status != 201) continue;
                          const std::string id = created.data()["order_id"];
                          acknowledge(id);
                          const auto action = local() % 4;
                          if (action == 0) {
                            client.post("/api/v1/orders/" + id + "/close", "");
                            continue;
                          }
                          (void)payer.send("POST", "/sandbox/alipay/pay", {},
                                           json{{"app_id", alipay["app_id"]}, {"out_trade_no", id}}.dump());
                          refunds.paid(id);
                          if (action == 1) refunds.refund_one(client, local, "chaos-r-" + std::to_string(n));
                        }
                      });
  ASSERT_GT(orders_acknowledged.size(), 40u);
  {
    // The burst is over: the channel answers clearly again (and this test's own questions get answers).
    http::Client faults(sandbox.endpoint());
    ASSERT_EQ(
        faults
            .send("POST", "/sandbox/alipay/faults", {}, json{{"error_rate", 0}, {"timeout_rate", 0}}.dump())
            ->status,
        200);
  }

  // The truth settles: payments at the sandbox reach us (notify retries or active queries), refunds finish,
  // events are delivered.
  auto client = MerchantClient(gateway.endpoint(), credentials);
  const SystemClock clock;
  auto channel = sandbox_channel(alipay, clock);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  std::map<std::string, json> final_orders;
  for (const std::string& id : orders_acknowledged) {
    final_orders[id] = wait_until_channel_agrees(client, *channel, id, deadline);
    ASSERT_EQ(final_orders[id]["order_id"], id) << "an acknowledged order is missing";
  }
  const std::set<std::string> refunds_acknowledged = refunds.acknowledged();
  for (const std::string& refund_id : refunds_acknowledged) {
    EXPECT_EQ(client.get("/api/v1/refunds/" + refund_id).status, 200) << refund_id << " was lost";
  }
  // Every event with an endpoint is delivered, then the receiver's view is checked against the store's.
  std::vector<json> events;
  while (true) {
    events.clear();
    std::optional<std::string> cursor;
    bool undelivered = false;
    do {
      auto page =
          client.get("/api/v1/events?limit=100" + (cursor ? "&cursor=" + *cursor : std::string())).data();
      for (json& event : page["events"]) {
        undelivered = undelivered || event["delivery"]["status"] != "delivered";
        events.push_back(std::move(event));
      }
      cursor = page["next_cursor"].is_null() ? std::nullopt : std::optional<std::string>(page["next_cursor"]);
    } while (cursor);
    if (!undelivered) break;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "events stay undelivered";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::map<std::string, std::vector<std::string>> store_order_events;  // oldest first
  std::map<std::string, int> succeeded_events;
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    store_order_events[(*it)["order_id"]].push_back((*it)["event_id"]);
    if ((*it)["type"] == "order.succeeded" || (*it)["type"] == "order.late_payment")
      ++succeeded_events[(*it)["order_id"]];
  }
  for (const auto& [order_id, count] : succeeded_events) EXPECT_EQ(count, 1) << order_id << " was paid twice";
  // The run must have had material: paid orders, refunds and closes among the acknowledged writes.
  std::map<std::string, int> statuses;
  for (const auto& [id, order] : final_orders) ++statuses[order["status"].get<std::string>()];
  std::printf(
      "crash chaos: %zu orders (%d succeeded, %d partially refunded, %d closed, %d pending), %zu refunds "
      "acknowledged, %zu events, %zu deliveries\n",
      final_orders.size(), statuses["succeeded"], statuses["partially_refunded"], statuses["closed"],
      statuses["pending"], refunds_acknowledged.size(), events.size(), receiver.deliveries().size());
  EXPECT_GT(statuses["succeeded"] + statuses["partially_refunded"], 10);
  EXPECT_GT(statuses["closed"], 3);
  EXPECT_GT(refunds_acknowledged.size(), 10u);
  std::map<std::string, std::vector<std::string>> received;  // first arrival of each event id, per order
  std::set<std::string> seen;
  for (const auto& delivery : receiver.deliveries()) {
    const json body = json::parse(delivery.body);
    EXPECT_EQ(body["id"], delivery.event_id) << "a delivery's id header and body agree";
    if (seen.insert(delivery.event_id).second)
      received[body["data"]["order_id"]].push_back(delivery.event_id);
  }
  for (const auto& [order_id, expected] : store_order_events) {
    EXPECT_EQ(received[order_id], expected) << "order " << order_id << ": every event, in order";
  }

  ASSERT_EQ(gateway.terminate(), 0);
  expect_books_sound(dir.path() + "/data");
  EXPECT_EQ(sandbox.terminate(), 0);
}

}  // namespace
}  // namespace paygate::test
