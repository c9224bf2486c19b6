// Asks channels about pending refunds whose check is due, on a thread of its own, every interval. The
// schedule lives in the store (next_channel_check_ms), so a restart picks up where the last run stopped.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "app/refunds.h"

namespace paygate {

class RefundChecker {
 public:
  explicit RefundChecker(RefundService& refunds,
                         std::chrono::milliseconds interval = std::chrono::milliseconds(250))
      : refunds_(refunds), interval_(interval) {}
  RefundChecker(const RefundChecker&) = delete;
  RefundChecker& operator=(const RefundChecker&) = delete;
  ~RefundChecker() { stop(); }

  void start();
  void stop();  // idempotent; checks already handed to channel workers finish there

 private:
  static constexpr std::uint32_t kRefundsPerRound = 100;

  RefundService& refunds_;
  const std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace paygate
