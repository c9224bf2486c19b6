#include "core/timer_queue.h"

#include <exception>

#include "core/log.h"

namespace paygate {

TimerQueue::TimerQueue() {
  thread_ = std::thread([this] { run(); });
}

TimerQueue::~TimerQueue() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_.notify_one();
  }
  thread_.join();
}

void TimerQueue::schedule(std::chrono::milliseconds delay, std::function<void()> task) {
  std::lock_guard lock(mutex_);
  entries_.push(Entry{std::chrono::steady_clock::now() + delay, next_sequence_++, std::move(task)});
  wake_.notify_one();
}

void TimerQueue::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (entries_.empty()) {
      wake_.wait(lock);
      continue;
    }
    if (entries_.top().due > std::chrono::steady_clock::now()) {
      wake_.wait_until(lock, entries_.top().due);
      continue;
    }
    auto task = entries_.top().task;
    entries_.pop();
    lock.unlock();
    try {
      task();
    } catch (const std::exception& e) {
      log::error("timer_task_threw", {{"error", e.what()}});
    }
    lock.lock();
  }
}

}  // namespace paygate
