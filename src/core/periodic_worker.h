// A thread that runs one round of a background job every interval, or sooner when woken; stop() waits for
// the round in progress. The refund checker, the order scheduler and the webhook dispatcher run on these.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace paygate {

class PeriodicWorker {
 public:
  PeriodicWorker() = default;
  PeriodicWorker(const PeriodicWorker&) = delete;
  PeriodicWorker& operator=(const PeriodicWorker&) = delete;
  ~PeriodicWorker() { stop(); }

  // name: the thread's name (at most 15 characters). A woken round starts no sooner than wake_gap after
  // the previous one started, so a burst of wakes (every order that moves) makes one round, not one each.
  void start(std::string name, std::chrono::milliseconds interval, std::function<void()> round,
             std::chrono::milliseconds wake_gap = std::chrono::milliseconds(0));
  // The next round starts at once (or once wake_gap has passed) instead of after the interval.
  void wake();
  void stop();  // idempotent

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace paygate
