#include "core/worker_pool.h"

#include <pthread.h>

#include <exception>

#include "core/log.h"

namespace paygate {

WorkerPool::WorkerPool(const std::string& name, std::size_t threads, std::size_t queue_max)
    : queue_max_(queue_max) {
  for (std::size_t i = 0; i < threads; ++i) {
    threads_.emplace_back([this, name] {
      pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
      run();
    });
  }
}

WorkerPool::~WorkerPool() { stop(); }

bool WorkerPool::submit(std::function<void()> task, std::function<void(std::string_view what)> if_threw) {
  std::lock_guard lock(mutex_);
  if (stopping_ || queue_.size() >= queue_max_) return false;
  queue_.push_back(Task{std::move(task), std::move(if_threw)});
  ready_.notify_one();
  return true;
}

void WorkerPool::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    ready_.notify_all();
  }
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void WorkerPool::run() {
  while (true) {
    Task task;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    std::string what;
    try {
      task.run();
      continue;
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
      what = "an exception that is not a std::exception";
    }
    log::error("worker_task_threw", {{"error", what}});
    if (!task.if_threw) continue;
    try {
      task.if_threw(what);
    } catch (const std::exception& e) {
      log::error("worker_task_cleanup_threw", {{"error", e.what()}});
    }
  }
}

}  // namespace paygate
