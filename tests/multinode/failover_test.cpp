// The database itself highly available (issue 15 §4b): PostgreSQL as a primary with a synchronous standby
// under pg_auto_failover (tests/support/with_pg_auto_failover.sh), two paygate nodes on its multi-host URL
// (target_session_attrs=read-write), mixed load, and the primary killed hard (its keeper and its postgres,
// SIGKILL). The nodes reconnect to the promoted standby by themselves; afterwards every acknowledged order
// is there, every order agrees with the channel, nothing was paid twice, `ledger verify` passes, and the gap
// in service (last create acknowledged before the kill to the first after) is measured and printed.
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "infra/store/postgres/connection.h"
#include "tests/fault/kill_under_load.h"
#include "tests/integration/sandboxed_gateway.h"
#include "tests/multinode/cluster.h"

namespace paygate::test {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct DataNode {
  std::string host_port;
  std::string pgdata;
};

std::vector<DataNode> data_nodes() {
  std::vector<DataNode> nodes;
  std::istringstream words(std::getenv("PAYGATE_TEST_HA_NODES"));
  for (std::string word; words >> word;) {
    const auto equals = word.find('=');
    nodes.push_back(DataNode{word.substr(0, equals), word.substr(equals + 1)});
  }
  return nodes;
}

std::vector<pid_t> pids_of(const std::string& pgrep) {
  std::vector<pid_t> pids;
  if (FILE* out = ::popen(pgrep.c_str(), "r")) {
    for (int pid = 0; std::fscanf(out, "%d", &pid) == 1;) pids.push_back(pid);
    ::pclose(out);
  }
  return pids;
}

// Live processes whose working directory is dir (PostgreSQL's processes all work in their data dir).
std::vector<pid_t> pids_working_in(const std::string& dir) {
  std::vector<pid_t> pids;
  const auto wanted = std::filesystem::canonical(dir);
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    std::error_code error;
    const auto cwd = std::filesystem::read_symlink(entry.path() / "cwd", error);
    if (error || cwd != wanted) continue;
    // A zombie keeps its cwd link until reaped, but can do nothing: only the living count.
    const std::string stat = read_text(entry.path().string() + "/stat");
    const auto state_at = stat.rfind(')');
    if (state_at != std::string::npos && state_at + 2 < stat.size() && stat[state_at + 2] == 'Z') continue;
    pids.push_back(std::stoi(name));
  }
  return pids;
}

bool is_primary(const DataNode& node) {
  try {
    postgres::ConnectOptions options;
    options.url = "postgresql://postgres@" + node.host_port + "/paygate";
    postgres::Connection db(options);
    auto rows = db.query_text("SELECT NOT pg_is_in_recovery()");
    return rows.next() && rows.column_text(0) == "t";
  } catch (const std::exception&) {
    return false;
  }
}

json alipay_order(const std::string& out_trade_no, std::int64_t amount) {
  json body = order_body(out_trade_no, amount);
  body["channel"] = "alipay";
  body["method"] = "qr";
  return body;
}

TEST(Failover, ThePrimaryDiesUnderLoadAndTheNodesCarryOnOnThePromotedStandby) {
  const char* ha_url = std::getenv("PAYGATE_TEST_HA_URL");
  ASSERT_NE(ha_url, nullptr) << "run under tests/support/with_pg_auto_failover.sh";
  Cluster cluster(2,
                  "[orders]\nquery_first_ms = 100\nscheduler_interval_ms = 20\n"
                  "[refunds]\nfirst_check_ms = 50\ncheck_interval_max_ms = 400\n",
                  ha_url);

  std::mutex mutex;
  std::set<std::string> acknowledged;
  std::vector<Clock::time_point> created_at;  // when each create was acknowledged
  RefundsUnderLoad refunds;
  std::atomic<int> sequence{0};
  std::atomic<bool> stopping{false};
  std::vector<std::thread> clients;
  // However the test ends, the load stops before what it uses goes away.
  struct StopLoad {
    std::atomic<bool>& stopping;
    std::vector<std::thread>& clients;
    ~StopLoad() {
      stopping = true;
      for (auto& thread : clients) {
        if (thread.joinable()) thread.join();
      }
    }
  } stop_load{stopping, clients};
  for (int c = 0; c < 3; ++c) {
    clients.emplace_back([&, seed = 15u + c] {
      std::mt19937_64 random(seed);
      http::Client payer(cluster.sandbox().endpoint());
      while (!stopping) {
        try {
          auto client = cluster.client(static_cast<int>(random() % 2));
          const int n = sequence++;
          auto created = client.post("/api/v1/orders",
                                     alipay_order("ha-" + std::to_string(n), 500 + random() % 500).dump());
          if (created.status != 201) {
            EXPECT_EQ(created.code(), "STORE_UNAVAILABLE") << created.body.dump();
            std::this_thread::sleep_for(std::chrono::milliseconds(5));  // a client's own pacing when refused
            continue;
          }
          const std::string id = created.data()["order_id"];
          {
            std::lock_guard lock(mutex);
            acknowledged.insert(id);
            created_at.push_back(Clock::now());
          }
          const auto action = random() % 4;
          if (action == 0) {
            client.post("/api/v1/orders/" + id + "/close", "");
            continue;
          }
          (void)payer.send("POST", "/sandbox/alipay/pay", {},
                           json{{"app_id", cluster.alipay()["app_id"]}, {"out_trade_no", id}}.dump());
          refunds.paid(id);
          if (action == 1) refunds.refund_one(client, random, "ha-r-" + std::to_string(n));
        } catch (const std::exception&) {
        }
      }
    });
  }
  auto acknowledged_count = [&] {
    std::lock_guard lock(mutex);
    return acknowledged.size();
  };
  // Load runs until a good number of orders went through, then the primary dies hard.
  const auto warmup_deadline = Clock::now() + std::chrono::seconds(30);
  while (acknowledged_count() < 100 && Clock::now() < warmup_deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const std::vector<DataNode> nodes = data_nodes();
  ASSERT_EQ(nodes.size(), 2u);
  const DataNode& primary = is_primary(nodes[0]) ? nodes[0] : nodes[1];
  const DataNode& standby = &primary == &nodes[0] ? nodes[1] : nodes[0];
  ASSERT_TRUE(is_primary(primary));
  // As if its host died: every process working in the data dir (the postmaster, its backends and helpers)
  // is frozen at once, pass after pass until no new one appears (a backend forked a moment before would
  // otherwise go on serving its connection); the primary is dead from that moment. Then the keeper, so
  // nothing restarts it, and the frozen processes are killed.
  std::set<pid_t> frozen;
  for (bool more = true; more;) {
    more = false;
    for (pid_t pid : pids_working_in(primary.pgdata)) {
      if (frozen.insert(pid).second) {
        ::kill(pid, SIGSTOP);
        more = true;
      }
    }
  }
  const auto killed_at = Clock::now();
  const std::size_t before_kill = acknowledged_count();
  ASSERT_GT(frozen.size(), 3u);
  const std::string pattern =  // the brackets keep pkill from matching its own shell's command line
      primary.pgdata.substr(0, primary.pgdata.size() - 1) + "[" + primary.pgdata.back() + "]";
  std::vector<pid_t> keeper = pids_of("pgrep -f -- '" + pattern + "'");
  for (std::size_t i = 0; i < keeper.size(); ++i) {
    ::kill(keeper[i], SIGSTOP);
    for (pid_t child : pids_of("pgrep -P " + std::to_string(keeper[i]))) keeper.push_back(child);
  }
  for (pid_t pid : keeper) ::kill(pid, SIGKILL);
  for (pid_t pid : frozen) ::kill(pid, SIGKILL);

  // Waits for the condition "orders are acknowledged again", bounded; the load keeps running.
  const auto recovery_deadline = killed_at + std::chrono::seconds(90);
  while (acknowledged_count() < before_kill + 50 && Clock::now() < recovery_deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  stopping = true;
  for (auto& thread : clients) thread.join();
  if (acknowledged.size() < before_kill + 50) {
    for (int node = 0; node < cluster.size(); ++node) {
      const std::string log = cluster.node(node).log();
      ADD_FAILURE() << "node " << node << "'s log ends:\n"
                    << log.substr(log.size() > 6000 ? log.size() - 6000 : 0);
    }
  }
  ASSERT_GE(acknowledged.size(), before_kill + 50) << "the nodes did not carry on after the failover";
  EXPECT_TRUE(is_primary(standby)) << "the standby was not promoted";
  // The gap in service: the longest time without an acknowledged create once the primary died (answers in
  // flight at the kill still arrive just after it).
  std::sort(created_at.begin(), created_at.end());
  double gap_s = 0;
  Clock::time_point resumed_at = killed_at;
  for (std::size_t i = 1; i < created_at.size(); ++i) {
    if (created_at[i] <= killed_at) continue;
    const double gap =
        std::chrono::duration<double>(created_at[i] - std::max(created_at[i - 1], killed_at)).count();
    if (gap > gap_s) {
      gap_s = gap;
      resumed_at = created_at[i];
    }
  }
  std::printf(
      "failover: primary %s killed; no create acknowledged for %.2f s, service back %.2f s after the "
      "kill; %zu orders acknowledged, %zu of them before the kill\n",
      primary.host_port.c_str(), gap_s, std::chrono::duration<double>(resumed_at - killed_at).count(),
      acknowledged.size(), before_kill);
  EXPECT_LT(gap_s, 30.0);

  // Nothing acknowledged is missing on the new primary, every order agrees with the channel, nothing doubled.
  auto client = cluster.client(0);
  const SystemClock clock;
  auto channel = sandbox_channel(cluster.alipay(), clock);
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  for (const std::string& id : acknowledged) {
    const json order = wait_until_channel_agrees(client, *channel, id, deadline);
    ASSERT_EQ(order["order_id"], id) << "acknowledged order " << id << " is missing after the failover";
  }
  for (const std::string& refund_id : refunds.acknowledged()) {
    EXPECT_EQ(client.get("/api/v1/refunds/" + refund_id).status, 200) << refund_id << " was lost";
  }
  EXPECT_EQ(
      cluster.query_int("SELECT COUNT(*) FROM (SELECT order_id FROM outbox_events WHERE type IN "
                        "('order.succeeded', 'order.late_payment') GROUP BY order_id HAVING COUNT(*) > 1) t"),
      0)
      << "an order was paid twice";
  cluster.stop();
  const ProcessResult verify = cluster.run({"ledger", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

}  // namespace
}  // namespace paygate::test
