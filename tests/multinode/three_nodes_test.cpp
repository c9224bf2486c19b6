// Three nodes on one PostgreSQL and one Redis, one Alipay sandbox in its own process, mixed load through all
// three (creates, payments, refunds, closes, webhooks), and a random node killed with SIGKILL six times and
// started again (issue 15). Afterwards: every acknowledged order and refund is there, every order ends where
// the channel says, no payment was applied twice, `ledger verify` passes, the merchant's endpoint got every
// event, no event was ever being delivered by two nodes at once (the claims), and cashier pages held open
// on one node saw payments whose notifies reached another.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "tests/fault/kill_under_load.h"
#include "tests/integration/sandboxed_gateway.h"
#include "tests/integration/webhook_receiver.h"
#include "tests/multinode/cluster.h"
#include "tests/multinode/sse_watcher.h"

namespace paygate::test {
namespace {

using nlohmann::json;

constexpr int kNodes = 3;
constexpr int kKills = 6;
constexpr int kClients = 4;

TEST(ThreeNodes, KillsUnderMixedLoadLoseNothingDoubleNothingAndShareTheWork) {
  Cluster cluster(kNodes,
                  "[orders]\nquery_first_ms = 100\nscheduler_interval_ms = 20\n"
                  "[refunds]\nfirst_check_ms = 50\ncheck_interval_max_ms = 400\n"
                  "[webhooks]\nfirst_retry_ms = 20\nretry_max_ms = 300\npoll_interval_ms = 10\n");
  Receiver receiver;
  receiver.hold_answers(std::chrono::milliseconds(30));

  std::mutex mutex;
  std::set<std::string> acknowledged;
  std::vector<std::string> burst;  // acknowledged since the last kill
  RefundsUnderLoad refunds;
  std::atomic<int> sequence{0};
  std::atomic<bool> stopping{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, seed = 20261202u + c] {
      std::mt19937_64 random(seed);
      http::Client payer(cluster.sandbox().endpoint());
      while (!stopping) {
        // Any node, as a load balancer would pick; a node that is down refuses the connection.
        const int node = static_cast<int>(random() % kNodes);
        try {
          auto client = cluster.client(node);
          const int n = sequence++;
          json body =
              order_body("three-" + std::to_string(n), 500 + static_cast<std::int64_t>(random() % 500));
          body["channel"] = "alipay";
          body["method"] = "qr";
          body["notify_url"] = receiver.url();
          auto created = client.post("/api/v1/orders", body.dump());
          if (created.status != 201) continue;
          const std::string id = created.data()["order_id"];
          {
            std::lock_guard lock(mutex);
            acknowledged.insert(id);
            burst.push_back(id);
          }
          const auto action = random() % 4;
          if (action == 0) {
            client.post("/api/v1/orders/" + id + "/close", "");
            continue;
          }
          (void)payer.send("POST", "/sandbox/alipay/pay", {},
                           json{{"app_id", cluster.alipay()["app_id"]}, {"out_trade_no", id}}.dump());
          refunds.paid(id);
          if (action == 1) refunds.refund_one(client, random, "three-r-" + std::to_string(n));
        } catch (const std::exception&) {
          // The node died under this request: the next one goes elsewhere.
        }
      }
    });
  }

  std::mt19937_64 random(7);
  for (int kill = 0; kill < kKills; ++kill) {
    std::this_thread::sleep_for(std::chrono::milliseconds(400 + random() % 400));  // load runs meanwhile
    const int victim = static_cast<int>(random() % kNodes);
    cluster.node(victim).kill9();
    std::vector<std::string> to_check;
    {
      std::lock_guard lock(mutex);
      to_check.swap(burst);
    }
    // The other nodes answer for every order acknowledged so far, whichever node took it.
    auto survivor = cluster.client((victim + 1) % kNodes);
    for (const std::string& id : to_check) {
      EXPECT_EQ(survivor.get("/api/v1/orders/" + id).status, 200)
          << "kill " << kill << ": node " << victim << "'s death lost acknowledged order " << id;
    }
    cluster.node(victim).start();
  }
  stopping = true;
  for (auto& thread : clients) thread.join();
  ASSERT_GT(acknowledged.size(), 60u);

  // Cashier pages on one node see payments whose notifies reach another (every node up now).
  for (int k = 0; k < kNodes; ++k) {
    auto creator = cluster.client(k);
    const json order = creator
                           .post("/api/v1/orders",
                                 [&] {
                                   json body = order_body("three-live-" + std::to_string(k), 700);
                                   body["channel"] = "alipay";
                                   body["method"] = "qr";
                                   return body.dump();
                                 }())
                           .data();
    SseWatcher page(cluster.node((k + 1) % kNodes).endpoint(), order["order_id"]);
    ASSERT_TRUE(page.wait_for("\"status\":\"pending\"", std::chrono::seconds(5)));
    ASSERT_EQ(cluster.pay(order["order_id"]), 200);
    EXPECT_TRUE(page.wait_for("\"status\":\"succeeded\"", std::chrono::seconds(10)))
        << "node " << (k + 1) % kNodes << " did not hear of node " << k << "'s payment:\n"
        << page.received();
  }

  // The truth settles: every acknowledged order agrees with the channel, refunds finish, events arrive.
  auto client = cluster.client(0);
  const SystemClock clock;
  auto channel = sandbox_channel(cluster.alipay(), clock);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  std::map<std::string, int> statuses;
  for (const std::string& id : acknowledged) {
    const json order = wait_until_channel_agrees(client, *channel, id, deadline);
    ASSERT_EQ(order["order_id"], id) << "an acknowledged order is missing";
    ++statuses[order["status"].get<std::string>()];
  }
  for (const std::string& refund_id : refunds.acknowledged()) {
    EXPECT_EQ(client.get("/api/v1/refunds/" + refund_id).status, 200) << refund_id << " was lost";
  }
  EXPECT_EQ(
      cluster.query_int("SELECT COUNT(*) FROM (SELECT order_id FROM outbox_events WHERE type IN "
                        "('order.succeeded', 'order.late_payment') GROUP BY order_id HAVING COUNT(*) > 1) t"),
      0)
      << "an order was paid twice";
  // Every event with an endpoint is delivered (at least once), and never by two nodes at once.
  const std::string undelivered_sql =
      "SELECT COUNT(*) FROM outbox_events WHERE notify_url <> '' AND status <> 'delivered'";
  while (cluster.query_int(undelivered_sql) > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(cluster.query_int(undelivered_sql), 0) << "events stay undelivered";
  std::set<std::string> received;
  for (const auto& delivery : receiver.deliveries()) received.insert(delivery.event_id);
  const std::int64_t events_with_endpoint =
      cluster.query_int("SELECT COUNT(*) FROM outbox_events WHERE notify_url <> ''");
  EXPECT_EQ(static_cast<std::int64_t>(received.size()), events_with_endpoint);
  EXPECT_EQ(receiver.overlapping_deliveries(), 0) << "an event was being delivered by two nodes at once";
  std::printf(
      "three nodes: %zu orders (%d succeeded, %d partially refunded, %d closed, %d pending), %zu refunds, "
      "%lld events, %zu deliveries, %d kills\n",
      acknowledged.size(), statuses["succeeded"], statuses["partially_refunded"], statuses["closed"],
      statuses["pending"], refunds.acknowledged().size(), static_cast<long long>(events_with_endpoint),
      receiver.deliveries().size(), kKills);
  EXPECT_GT(statuses["succeeded"] + statuses["partially_refunded"], 20);
  EXPECT_GT(statuses["closed"], 5);

  cluster.stop();
  const ProcessResult verify = cluster.run({"ledger", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

}  // namespace
}  // namespace paygate::test
