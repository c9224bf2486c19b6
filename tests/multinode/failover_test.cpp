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
#include "tests/integration/sandboxed_gateway.h"
#include "tests/multinode/cluster.h"
#include "tests/multinode/mixed_load.h"

namespace paygate::test {
namespace {

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

TEST(Failover, ThePrimaryDiesUnderLoadAndTheNodesCarryOnOnThePromotedStandby) {
  const char* ha_url = std::getenv("PAYGATE_TEST_HA_URL");
  ASSERT_NE(ha_url, nullptr) << "run under tests/support/with_pg_auto_failover.sh";
  Cluster cluster(2,
                  "[orders]\nquery_first_ms = 100\nscheduler_interval_ms = 20\n"
                  "[refunds]\nfirst_check_ms = 50\ncheck_interval_max_ms = 400\n",
                  ha_url);

  // Refused while the database is gone: the store's answer.
  MixedLoad load(cluster, 3, "ha-", {"STORE_UNAVAILABLE"});
  ASSERT_TRUE(load.wait_for_more(100, std::chrono::seconds(30)));
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
  const std::size_t before_kill = load.acknowledged_count();
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
  const bool carried_on = load.wait_for_more(50, std::chrono::seconds(90));
  load.stop();
  if (!carried_on) {
    for (int node = 0; node < cluster.size(); ++node) {
      const std::string log = cluster.node(node).log();
      ADD_FAILURE() << "node " << node << "'s log ends:\n"
                    << log.substr(log.size() > 6000 ? log.size() - 6000 : 0);
    }
  }
  ASSERT_TRUE(carried_on) << "the nodes did not carry on after the failover";
  EXPECT_TRUE(is_primary(standby)) << "the standby was not promoted";
  // The gap in service: the longest time without an acknowledged create once the primary died (answers in
  // flight at the kill still arrive just after it).
  const std::vector<Clock::time_point> created_at = load.acknowledged_at();
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
      load.acknowledged_count(), before_kill);
  EXPECT_LT(gap_s, 30.0);

  // Nothing acknowledged is missing on the new primary, every order agrees with the channel, nothing doubled.
  expect_nothing_lost_or_doubled(cluster, load);
  cluster.stop_and_verify_books();
}

}  // namespace
}  // namespace paygate::test
