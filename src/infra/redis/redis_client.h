// Commands to Redis from any thread, answered asynchronously. One thread owns the connection and sends
// whatever is queued as one pipeline (one round trip for all of it), so under load many requests share a
// round trip and the callers' threads never block on Redis.
//
// Fails fast and closed: while Redis cannot be reached every command completes with DEPENDENCY_UNAVAILABLE
// at once (a reconnect is tried at most every reconnect_ms), and a command whose connection broke
// mid-round-trip fails too, since its outcome is unknown.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "core/metrics.h"
#include "infra/redis/redis_connection.h"
#include "ports/completion.h"

namespace paygate::redis {

class RedisClient {
 public:
  RedisClient(RedisEndpoint endpoint, MetricsRegistry& metrics);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Connects once, so a node that cannot reach Redis at start says so instead of starting.
  Status check();
  // Sends the commands in one pipeline; `done` runs on the client's thread with their replies in order.
  void send(std::vector<RedisCommand> commands, Completion<std::vector<RedisReply>> done);
  void send(RedisCommand command, Completion<RedisReply> done);
  void stop();  // fails what is still queued; idempotent

  static constexpr std::int64_t kReconnectMs = 250;
  static constexpr std::size_t kPipelineMax = 1024;  // commands per round trip

 private:
  struct Job {
    std::vector<RedisCommand> commands;
    Completion<std::vector<RedisReply>> done;
  };
  void run();
  bool connect();  // false while Redis cannot be reached
  void fail(std::deque<Job>& jobs, const Error& error);

  const RedisEndpoint endpoint_;
  Counter& round_trips_;
  Counter& failures_;
  Gauge& up_;
  std::mutex mutex_;
  std::condition_variable queued_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  bool down_ = false;             // the last connect failed: commands fail at once until the next try
  std::int64_t next_try_ms_ = 0;  // steady-clock ms of the next reconnect
  std::unique_ptr<RedisConnection> connection_;  // the thread's own
  std::thread thread_;
};

}  // namespace paygate::redis
