#include "infra/redis/redis_subscriber.h"

#include <chrono>

#include "core/log.h"

namespace paygate::redis {

RedisSubscriber::RedisSubscriber(RedisEndpoint endpoint, std::string channel, Listener listener)
    : endpoint_(std::move(endpoint)),
      channel_(std::move(channel)),
      listener_(std::move(listener)),
      thread_([this] { run(); }) {}

RedisSubscriber::~RedisSubscriber() { stop(); }

void RedisSubscriber::stop() {
  if (stopping_.exchange(true)) return;
  {
    std::lock_guard lock(connection_mutex_);
    if (connection_ != nullptr) connection_->interrupt();
  }
  if (thread_.joinable()) thread_.join();
}

void RedisSubscriber::run() {
  bool was_down = false;
  while (!stopping_) {
    auto opened = RedisConnection::open(endpoint_, true);
    if (opened.ok()) {
      std::unique_ptr<RedisConnection> connection = std::move(opened).value();
      {
        std::lock_guard lock(connection_mutex_);
        if (stopping_) break;
        connection_ = connection.get();
      }
      auto subscribed = connection->command({"SUBSCRIBE", channel_});
      if (subscribed.ok() && !subscribed->is_error()) {
        if (was_down) log::info("redis_subscriber_up", {{"channel", channel_}});
        was_down = false;
        // ["message", channel, payload] until the connection breaks or stop() interrupts it.
        for (auto reply = connection->read_reply(); reply.ok(); reply = connection->read_reply()) {
          if (reply->elements.size() == 3 && reply->elements[0].text == "message")
            listener_(reply->elements[2].text);
        }
      }
      std::lock_guard lock(connection_mutex_);
      connection_ = nullptr;
    }
    if (stopping_) break;
    if (!was_down) log::warn("redis_subscriber_down", {{"channel", channel_}});
    was_down = true;
    // Sleep in short steps so stop() is never kept waiting.
    for (int i = 0; i < 5 && !stopping_; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace paygate::redis
