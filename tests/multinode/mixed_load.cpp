#include "tests/multinode/mixed_load.h"

#include <algorithm>
#include <random>

#include "tests/integration/sandboxed_gateway.h"

namespace paygate::test {

MixedLoad::MixedLoad(Cluster& cluster, int threads, std::string prefix, std::set<std::string> refused_codes,
                     std::string notify_url)
    : cluster_(cluster),
      prefix_(std::move(prefix)),
      refused_codes_(std::move(refused_codes)),
      notify_url_(std::move(notify_url)) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this, i] { run(20261202u + i); });
}

void MixedLoad::stop() {
  stopping_ = true;
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

std::size_t MixedLoad::acknowledged_count() {
  std::lock_guard lock(mutex_);
  return acknowledged_.size();
}

std::set<std::string> MixedLoad::acknowledged() {
  std::lock_guard lock(mutex_);
  return acknowledged_;
}

std::vector<MixedLoad::Clock::time_point> MixedLoad::acknowledged_at() {
  std::lock_guard lock(mutex_);
  auto times = acknowledged_at_;
  std::sort(times.begin(), times.end());
  return times;
}

bool MixedLoad::wait_for_more(std::size_t n, std::chrono::seconds within) {
  const std::size_t target = acknowledged_count() + n;
  const auto deadline = Clock::now() + within;
  while (acknowledged_count() < target) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

void MixedLoad::run(unsigned seed) {
  std::mt19937_64 random(seed);
  http::Client payer(cluster_.sandbox().endpoint());
  while (!stopping_) {
    try {
      auto client = cluster_.client(static_cast<int>(random() % static_cast<unsigned>(cluster_.size())));
      const int n = sequence_++;
      nlohmann::json body =
          order_body(prefix_ + std::to_string(n), 500 + static_cast<std::int64_t>(random() % 500));
      body["channel"] = "alipay";
      body["method"] = "qr";
      if (!notify_url_.empty()) body["notify_url"] = notify_url_;
      auto created = client.post("/api/v1/orders", body.dump());
      if (created.status != 201) {
        EXPECT_TRUE(refused_codes_.count(created.code()) == 1) << created.body.dump();
        ++refused_;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));  // a client's own pacing when refused
        continue;
      }
      const std::string id = created.data()["order_id"];
      {
        std::lock_guard lock(mutex_);
        acknowledged_.insert(id);
        acknowledged_at_.push_back(Clock::now());
      }
      const auto action = random() % 4;
      if (action == 0) {
        client.post("/api/v1/orders/" + id + "/close", "");
        continue;
      }
      (void)payer.send("POST", "/sandbox/alipay/pay", {},
                       nlohmann::json{{"app_id", cluster_.alipay()["app_id"]}, {"out_trade_no", id}}.dump());
      refunds_.paid(id);
      if (action == 1) refunds_.refund_one(client, random, prefix_ + "r-" + std::to_string(n));
    } catch (const std::exception&) {
      // The node or its store went away under this request: the next one goes on.
    }
  }
}

std::map<std::string, int> expect_nothing_lost_or_doubled(Cluster& cluster, MixedLoad& load) {
  load.stop();
  auto client = cluster.client(0);
  const SystemClock clock;
  auto channel = sandbox_channel(cluster.alipay(), clock);
  const auto deadline = MixedLoad::Clock::now() + std::chrono::seconds(120);
  std::map<std::string, int> statuses;
  for (const std::string& id : load.acknowledged()) {
    const nlohmann::json order = wait_until_channel_agrees(client, *channel, id, deadline);
    EXPECT_EQ(order["order_id"], id) << "acknowledged order " << id << " is missing";
    ++statuses[order.value("status", "missing")];
  }
  for (const std::string& refund_id : load.refunds().acknowledged()) {
    EXPECT_EQ(client.get("/api/v1/refunds/" + refund_id).status, 200) << refund_id << " was lost";
  }
  EXPECT_EQ(
      cluster.query_int("SELECT COUNT(*) FROM (SELECT order_id FROM outbox_events WHERE type IN "
                        "('order.succeeded', 'order.late_payment') GROUP BY order_id HAVING COUNT(*) > 1) t"),
      0)
      << "an order was paid twice";
  return statuses;
}

}  // namespace paygate::test
