// Listens on one Redis pub/sub channel on its own thread and connection, and hands each message to a
// callback. Reconnects by itself after Redis was down (messages published meanwhile are lost: pub/sub is
// at most once, which is what its users here accept).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "infra/redis/redis_connection.h"

namespace paygate::redis {

class RedisSubscriber {
 public:
  using Listener = std::function<void(const std::string& message)>;
  RedisSubscriber(RedisEndpoint endpoint, std::string channel, Listener listener);
  ~RedisSubscriber();
  RedisSubscriber(const RedisSubscriber&) = delete;
  RedisSubscriber& operator=(const RedisSubscriber&) = delete;
  void stop();  // idempotent

 private:
  void run();

  const RedisEndpoint endpoint_;
  const std::string channel_;
  const Listener listener_;
  std::atomic<bool> stopping_{false};
  std::mutex connection_mutex_;  // guards connection_ between the thread and stop()
  RedisConnection* connection_ = nullptr;
  std::thread thread_;
};

}  // namespace paygate::redis
