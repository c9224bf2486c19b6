// A fixed set of threads for blocking work (channel calls), with a bounded queue: work that does not fit is
// refused at once rather than queued without limit.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace paygate {

class WorkerPool {
 public:
  WorkerPool(const std::string& name, std::size_t threads, std::size_t queue_max);
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  ~WorkerPool();

  // False when the queue is full or the pool is stopping; the task was not taken. When the task throws,
  // if_threw runs with the exception's message on the same thread, so the task's caller can still be told.
  [[nodiscard]] bool submit(std::function<void()> task,
                            std::function<void(std::string_view what)> if_threw = {});
  // Runs what is queued, then joins. Idempotent.
  void stop();

 private:
  void run();

  const std::size_t queue_max_;
  std::mutex mutex_;
  std::condition_variable ready_;
  struct Task {
    std::function<void()> run;
    std::function<void(std::string_view)> if_threw;
  };
  std::deque<Task> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace paygate
