// PostgreSQL restarted under mixed load through two nodes (issue 15 §4): while it is down every create is
// refused with 503 STORE_UNAVAILABLE (never acknowledged, never hung); when it is back both nodes carry on
// by themselves; nothing acknowledged is lost, nothing is paid twice, and `ledger verify` passes.
#include <gtest/gtest.h>

#include "tests/integration/test_store.h"
#include "tests/multinode/cluster.h"
#include "tests/multinode/mixed_load.h"

namespace paygate::test {
namespace {

TEST(PostgresRestart, NodesRefuseWhileItIsDownAndCarryOnWhenItIsBack) {
  ASSERT_NE(std::getenv("PAYGATE_TEST_POSTGRES_DATA"), nullptr) << "run under tests/support/with_postgres.sh";
  Cluster cluster(2,
                  "[orders]\nquery_first_ms = 100\nscheduler_interval_ms = 20\n"
                  "[refunds]\nfirst_check_ms = 50\ncheck_interval_max_ms = 400\n");
  MixedLoad load(cluster, 3, "restart-", {"STORE_UNAVAILABLE"});
  ASSERT_TRUE(load.wait_for_more(100, std::chrono::seconds(30)));

  // A crash-like stop (no checkpoint, connections cut), then the load keeps running against it.
  ASSERT_EQ(postgres_ctl("stop", "immediate"), 0);
  const int refused_before = load.refused();
  const auto refused_deadline = MixedLoad::Clock::now() + std::chrono::seconds(10);
  while (load.refused() < refused_before + 20 && MixedLoad::Clock::now() < refused_deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GE(load.refused(), refused_before + 20)
      << "creates were not refused at once while PostgreSQL was down";
  const std::size_t while_down = load.acknowledged_count();
  ASSERT_EQ(postgres_ctl("start"), 0);

  EXPECT_TRUE(load.wait_for_more(100, std::chrono::seconds(60))) << "the nodes did not carry on";
  std::printf("postgres restart: %zu orders acknowledged (%zu before it came back), %d creates refused\n",
              load.acknowledged_count(), while_down, load.refused());
  expect_nothing_lost_or_doubled(cluster, load);
  cluster.stop_and_verify_books();
}

}  // namespace
}  // namespace paygate::test
