#include "core/periodic_worker.h"

#include <pthread.h>

namespace paygate {

void PeriodicWorker::start(std::string name, std::chrono::milliseconds interval,
                           std::function<void()> round) {
  thread_ = std::thread([this, name = std::move(name), interval, round = std::move(round)] {
    pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      round();
      lock.lock();
      wake_.wait_for(lock, interval, [this] { return stopping_ || woken_; });
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
