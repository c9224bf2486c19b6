#include "core/periodic_worker.h"

#include <pthread.h>

namespace paygate {

void PeriodicWorker::start(std::string name, std::chrono::milliseconds interval, std::function<void()> round,
                           std::chrono::milliseconds wake_gap) {
  thread_ = std::thread([this, name = std::move(name), interval, round = std::move(round), wake_gap] {
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      const auto started = std::chrono::steady_clock::now();
      lock.unlock();
      round();
      lock.lock();
      wake_.wait_for(lock, interval, [this] { return stopping_ || woken_; });
      // Woken early: the wakes that arrive until the gap is over join this one (only stop cuts it short).
      if (woken_ && wake_gap.count() > 0)
        wake_.wait_until(lock, started + wake_gap, [this] { return stopping_; });
      woken_ = false;
    }
  });
}

void PeriodicWorker::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

void PeriodicWorker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace paygate
