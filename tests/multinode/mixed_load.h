// Mixed load through a cluster's nodes, as merchants and payers make it: client threads create Alipay
// orders on a random node, then close some, pay others at the sandbox and refund a few. Every create the
// gateway acknowledged is remembered with when it was acknowledged. A refused create must be one of the
// codes the test expects while something is down; the thread paces itself and goes on.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "tests/fault/kill_under_load.h"
#include "tests/multinode/cluster.h"

namespace paygate::test {

class MixedLoad {
 public:
  using Clock = std::chrono::steady_clock;

  // prefix: of every out_trade_no; refused_codes: what a create may answer while a dependency is down;
  // notify_url: the merchant's webhook endpoint for every order ("" = none).
  MixedLoad(Cluster& cluster, int threads, std::string prefix, std::set<std::string> refused_codes,
            std::string notify_url = "");
  ~MixedLoad() { stop(); }
  MixedLoad(const MixedLoad&) = delete;
  MixedLoad& operator=(const MixedLoad&) = delete;

  void stop();  // idempotent; joins the threads
  std::size_t acknowledged_count();
  std::set<std::string> acknowledged();
  std::vector<Clock::time_point> acknowledged_at();  // sorted
  RefundsUnderLoad& refunds() { return refunds_; }
  int refused() const { return refused_; }  // creates answered with one of refused_codes
  // Waits (bounded) for the condition "n more creates than now were acknowledged"; false at the deadline.
  bool wait_for_more(std::size_t n, std::chrono::seconds within);

 private:
  void run(unsigned seed);

  Cluster& cluster_;
  const std::string prefix_;
  const std::set<std::string> refused_codes_;
  const std::string notify_url_;
  std::mutex mutex_;
  std::set<std::string> acknowledged_;
  std::vector<Clock::time_point> acknowledged_at_;
  RefundsUnderLoad refunds_;
  std::atomic<int> sequence_{0};
  std::atomic<int> refused_{0};
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
};

// After the load (stopped here): every acknowledged order is there and agrees with the channel (payments at
// the sandbox reach the store by notify or active query), every acknowledged refund is there, and no order
// was paid twice. Returns the orders' final statuses, counted. Failures are gtest failures.
std::map<std::string, int> expect_nothing_lost_or_doubled(Cluster& cluster, MixedLoad& load);

}  // namespace paygate::test
