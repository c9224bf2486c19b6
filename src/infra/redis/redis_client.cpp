#include "infra/redis/redis_client.h"

#include <chrono>

#include "core/log.h"

namespace paygate::redis {
namespace {

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

Error unreachable() {
  return make_error(ErrorCode::kDependencyUnavailable, "redis is unavailable; retry shortly");
}

}  // namespace

RedisClient::RedisClient(RedisEndpoint endpoint, MetricsRegistry& metrics)
    : endpoint_(std::move(endpoint)),
      round_trips_(metrics.counter("paygate_redis_round_trips_total", "Pipelines sent to Redis")),
      failures_(metrics.counter(
          "paygate_redis_failures_total",
          "Redis commands failed because Redis could not be reached (DEPENDENCY_UNAVAILABLE)")),
      up_(metrics.gauge("paygate_redis_up", "1 while this node's Redis connection works")),
      thread_([this] { run(); }) {}

RedisClient::~RedisClient() { stop(); }

Status RedisClient::check() {
  auto connection = RedisConnection::open(endpoint_, false);
  if (!connection.ok()) return std::move(connection).error();
  auto pong = (*connection)->command({"PING"});
  if (!pong.ok()) return std::move(pong).error();
  return {};
}

void RedisClient::send(std::vector<RedisCommand> commands, Completion<std::vector<RedisReply>> done) {
  {
    std::unique_lock lock(mutex_);
    // Down and not yet due for a reconnect: refuse now rather than queue behind a dead connection.
    if (!stopping_ && !(down_ && steady_ms() < next_try_ms_)) {
      queue_.push_back(Job{std::move(commands), std::move(done)});
      lock.unlock();
      queued_.notify_one();
      return;
    }
  }
  failures_.increment();
  done(unreachable());
}

void RedisClient::send(RedisCommand command, Completion<RedisReply> done) {
  std::vector<RedisCommand> one;
  one.push_back(std::move(command));
  send(std::move(one), [done = std::move(done)](Result<std::vector<RedisReply>> replies) {
    if (!replies.ok()) return done(std::move(replies).error());
    done(std::move(replies->front()));
  });
}

void RedisClient::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  queued_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RedisClient::fail(std::deque<Job>& jobs, const Error& error) {
  for (Job& job : jobs) {
    failures_.increment(job.commands.size());
    job.done(error);
  }
  jobs.clear();
}

bool RedisClient::connect() {
  if (connection_) return true;
  auto opened = RedisConnection::open(endpoint_, false);
  std::lock_guard lock(mutex_);
  if (!opened.ok()) {
    if (!down_) log::warn("redis_down", {{"error", opened.error().message}});
    down_ = true;
    next_try_ms_ = steady_ms() + kReconnectMs;
    up_.set(0);
    return false;
  }
  if (down_) log::info("redis_up", {{"host", endpoint_.host}, {"port", endpoint_.port}});
  down_ = false;
  connection_ = std::move(opened).value();
  up_.set(1);
  return true;
}

void RedisClient::run() {
  std::deque<Job> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      queued_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_ && queue_.empty()) break;
      std::size_t commands = 0;
      while (!queue_.empty() && commands < kPipelineMax) {
        commands += queue_.front().commands.size();
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (!connect()) {
      fail(batch, unreachable());
      continue;
    }
    std::vector<RedisCommand> commands;
    for (Job& job : batch) {
      for (RedisCommand& command : job.commands) commands.push_back(std::move(command));
    }
    round_trips_.increment();
    auto replies = connection_->pipeline(commands);
    if (!replies.ok()) {
      // The connection broke mid-round-trip: what it carried may or may not have run.
      log::warn("redis_down", {{"error", replies.error().message}});
      connection_.reset();
      {
        std::lock_guard lock(mutex_);
        down_ = true;
        next_try_ms_ = steady_ms();  // the next command tries a new connection at once
        up_.set(0);
      }
      fail(batch, unreachable());
      continue;
    }
    std::size_t next = 0;
    for (Job& job : batch) {
      std::vector<RedisReply> own;
      own.reserve(job.commands.size());
      for (std::size_t i = 0; i < job.commands.size(); ++i) own.push_back(std::move((*replies)[next++]));
      job.done(std::move(own));
    }
    batch.clear();
  }
  std::deque<Job> rest;
  {
    std::lock_guard lock(mutex_);
    rest.swap(queue_);
  }
  fail(rest, make_error(ErrorCode::kShuttingDown, "the node is shutting down"));
}

}  // namespace paygate::redis
