// Runs tasks at a later time on one thread of its own (delayed answers and notifies in the sandbox).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

namespace paygate {

class TimerQueue {
 public:
  TimerQueue();
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;
  ~TimerQueue();  // drops tasks not yet due

  void schedule(std::chrono::milliseconds delay, std::function<void()> task);

 private:
  struct Entry {
    std::chrono::steady_clock::time_point due;
    std::uint64_t sequence;  // keeps tasks with the same due time in scheduling order
    std::function<void()> task;
    bool operator>(const Entry& other) const {
      return due != other.due ? due > other.due : sequence > other.sequence;
    }
  };
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> entries_;
  std::uint64_t next_sequence_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace paygate
