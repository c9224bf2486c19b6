// Three nodes on one PostgreSQL and one Redis, one Alipay sandbox in its own process, mixed load through all
// three (creates, payments, refunds, closes, webhooks), and a random node killed with SIGKILL six times and
// started again (issue 15). Afterwards: every acknowledged order and refund is there, every order ends where
// the channel says, no payment was applied twice, `ledger verify` passes, the merchant's endpoint got every
// event, no event was ever being delivered by two nodes at once (the claims), and cashier pages held open
// on one node saw payments whose notifies reached another.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <thread>

#include "tests/integration/webhook_receiver.h"
#include "tests/multinode/cluster.h"
#include "tests/multinode/mixed_load.h"
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

  // Any node, as a load balancer would pick; a node that is down refuses the connection (nothing else may
  // refuse a create).
  MixedLoad load(cluster, kClients, "three-", {}, receiver.url());
  std::set<std::string> checked;  // acknowledged orders a survivor has answered for
  std::mt19937_64 random(7);
  for (int kill = 0; kill < kKills; ++kill) {
    // A kill comes at a random point of the load: after some more creates were acknowledged.
    ASSERT_TRUE(load.wait_for_more(20 + random() % 40, std::chrono::seconds(30))) << "the load stalled";
    const int victim = static_cast<int>(random() % kNodes);
    cluster.node(victim).kill9();
    // The other nodes answer for every order acknowledged so far, whichever node took it.
    auto survivor = cluster.client((victim + 1) % kNodes);
    for (const std::string& id : load.acknowledged()) {
      if (!checked.insert(id).second) continue;
      EXPECT_EQ(survivor.get("/api/v1/orders/" + id).status, 200)
          << "kill " << kill << ": node " << victim << "'s death lost acknowledged order " << id;
    }
    cluster.node(victim).start();
  }
  load.stop();
  ASSERT_GT(load.acknowledged_count(), 60u);

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
  std::map<std::string, int> statuses = expect_nothing_lost_or_doubled(cluster, load);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
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
      load.acknowledged_count(), statuses["succeeded"], statuses["partially_refunded"], statuses["closed"],
      statuses["pending"], load.refunds().acknowledged().size(), static_cast<long long>(events_with_endpoint),
      receiver.deliveries().size(), kKills);
  EXPECT_GT(statuses["succeeded"] + statuses["partially_refunded"], 20);
  EXPECT_GT(statuses["closed"], 5);

  cluster.stop_and_verify_books();
}

}  // namespace
}  // namespace paygate::test
