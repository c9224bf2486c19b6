// What nodes share through Redis (issue 15): replay protection across nodes, live cashier updates across
// nodes, the paygate:events stream, and what happens while Redis is down (signed merchant requests fail
// closed with 503 DEPENDENCY_UNAVAILABLE; notifies, pages and background work go on; the stream catches up).
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "app/merchant_signature.h"
#include "core/time.h"
#include "infra/redis/redis_connection.h"
#include "tests/integration/test_store.h"
#include "tests/multinode/cluster.h"
#include "tests/multinode/sse_watcher.h"

namespace paygate::test {
namespace {

using nlohmann::json;

json alipay_order(const std::string& out_trade_no) {
  json body = order_body(out_trade_no, 1'200);
  body["channel"] = "alipay";
  body["method"] = "qr";
  return body;
}

// The event ids in the paygate:events stream, as a consumer reads them.
std::set<std::string> streamed_event_ids() {
  auto endpoint = redis::parse_redis_url(std::getenv("PAYGATE_TEST_REDIS_URL")).value();
  auto connection = redis::RedisConnection::open(endpoint, false).value();
  auto entries = connection->command({"XRANGE", "paygate:events", "-", "+"}).value();
  std::set<std::string> ids;
  for (const auto& entry : entries.elements) {
    const auto& fields = entry.elements.at(1).elements;
    for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields[i].text == "event_id") ids.insert(fields[i + 1].text);
    }
  }
  return ids;
}

// The merchant's event ids as the events API lists them.
std::vector<std::string> listed_event_ids(MerchantClient& client, const std::string& order_id) {
  std::vector<std::string> ids;
  auto listed = client.get("/api/v1/events?order_id=" + order_id);
  EXPECT_EQ(listed.status, 200) << listed.body.dump();
  for (const json& event : listed.data()["events"]) ids.push_back(event["event_id"]);
  return ids;
}

// Waits for the condition "every one of ids is in the stream", bounded.
bool stream_holds(const std::vector<std::string>& ids, std::chrono::seconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (true) {
    const std::set<std::string> streamed = streamed_event_ids();
    bool all = true;
    for (const auto& id : ids) all = all && streamed.count(id) == 1;
    if (all) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

json wait_for_status(MerchantClient& client, const std::string& order_id, const std::string& status) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (true) {
    json order = client.get("/api/v1/orders/" + order_id).body;
    if (order.contains("data") && order["data"]["status"] == status) return order["data"];
    if (std::chrono::steady_clock::now() > deadline) return order;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

TEST(SharedState, ARequestAcceptedByOneNodeIsRefusedAsAReplayByAnother) {
  Cluster cluster(2);
  const std::string body = order_body("replayed-1").dump();
  const std::string header =
      sign_request_header(cluster.merchant().merchant_id, cluster.merchant().secret, "POST", "/api/v1/orders",
                          body, SystemClock().now_unix_ms() / 1000);
  auto send = [&](int node) {
    http::Client raw(cluster.node(node).endpoint());
    return raw
        .send("POST", "/api/v1/orders", {{"authorization", header}, {"content-type", "application/json"}},
              body)
        .value();
  };
  const auto first = send(0);
  EXPECT_EQ(first.status, 201) << first.body;
  const auto replayed = send(1);
  EXPECT_EQ(replayed.status, 401) << replayed.body;
  EXPECT_EQ(json::parse(replayed.body).value("code", ""), "NONCE_REUSED");
  const auto again = send(0);
  EXPECT_EQ(json::parse(again.body).value("code", ""), "NONCE_REUSED");
  // Each node says which it is in its metrics.
  http::Client scrape(cluster.node(1).endpoint());
  EXPECT_NE(scrape.send("GET", "/metrics")
                .value()
                .body.find("paygate_node_info{node=\"node-1\",store=\"postgres\"} 1"),
            std::string::npos);
  cluster.stop();
}

TEST(SharedState, ACashierPageOnOneNodeTurnsPaidWhenTheNotifyReachedAnother) {
  Cluster cluster(2);
  auto on_b = cluster.client(1);
  const json order = on_b.post("/api/v1/orders", alipay_order("live-1").dump()).data();
  const std::string order_id = order["order_id"];
  SseWatcher page_on_a(cluster.node(0).endpoint(), order_id);
  ASSERT_TRUE(page_on_a.wait_for("\"status\":\"pending\"", std::chrono::seconds(5))) << page_on_a.received();
  ASSERT_EQ(cluster.pay(order_id), 200);  // the sandbox notifies node B, which created the order
  EXPECT_TRUE(page_on_a.wait_for("\"status\":\"succeeded\"", std::chrono::seconds(10)))
      << "node A's page never heard of the payment node B took:\n"
      << page_on_a.received();
  // And the event reached the stream, with the id the events API shows.
  EXPECT_EQ(wait_for_status(on_b, order_id, "succeeded")["status"], "succeeded");
  const auto ids = listed_event_ids(on_b, order_id);
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_TRUE(stream_holds(ids, std::chrono::seconds(10))) << ids.front() << " is not in paygate:events";
  cluster.stop();
}

// Starts Redis again however the test ends, so the suite's later tests have it.
struct RedisBackAtEnd {
  bool stopped = false;
  ~RedisBackAtEnd() {
    if (stopped) start_redis();
  }
};

TEST(SharedState, WhileRedisIsDownSignedRequestsFailClosedAndPaymentsStillLand) {
  Cluster cluster(2);
  auto client = cluster.client(0);
  const json order = client.post("/api/v1/orders", alipay_order("outage-1").dump()).data();
  const std::string order_id = order["order_id"];

  RedisBackAtEnd redis_back;
  stop_redis();
  redis_back.stopped = true;
  const auto asked = std::chrono::steady_clock::now();
  auto refused = client.post("/api/v1/orders", alipay_order("outage-refused").dump());
  EXPECT_EQ(refused.status, 503) << refused.body.dump();
  EXPECT_EQ(refused.code(), "DEPENDENCY_UNAVAILABLE");
  auto read = cluster.client(1).get("/api/v1/orders/" + order_id);
  EXPECT_EQ(read.code(), "DEPENDENCY_UNAVAILABLE") << "a signed read is refused too: its nonce is unchecked";
  EXPECT_LT(std::chrono::steady_clock::now() - asked, std::chrono::seconds(3)) << "answered without hanging";

  // The payer pays meanwhile: the channel's notify needs no nonce and lands.
  ASSERT_EQ(cluster.pay(order_id), 200);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  const std::string paid_sql =
      "SELECT COUNT(*) FROM orders WHERE order_id = '" + order_id + "' AND status = 'succeeded'";
  while (cluster.query_int(paid_sql) != 1 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(cluster.query_int(paid_sql), 1) << "the notify did not land while Redis was down";

  start_redis();
  redis_back.stopped = false;
  // Each node reconnects by itself: waits (bounded) for the condition "a signed request passes again".
  for (int node = 0; node < cluster.size(); ++node) {
    auto node_client = cluster.client(node);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int status = 0;
    while (status != 200 && std::chrono::steady_clock::now() < until) {
      status = node_client.get("/api/v1/orders/" + order_id).status;
      if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(status, 200) << "node " << node << " did not recover";
  }
  EXPECT_EQ(client.get("/api/v1/orders?out_trade_no=outage-refused").status, 404)
      << "the refused create wrote nothing";
  // The event written while Redis was down waited in the store and reaches the stream now.
  const auto ids = listed_event_ids(client, order_id);
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_TRUE(stream_holds(ids, std::chrono::seconds(20))) << ids.front() << " never reached paygate:events";
  cluster.stop();
}

}  // namespace
}  // namespace paygate::test
