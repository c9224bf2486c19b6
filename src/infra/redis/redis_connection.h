// One connection to Redis (hiredis, Debian libhiredis-dev), blocking, with deadlines. Used by one thread
// at a time: the command client's and the subscriber's own threads each own theirs.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

struct redisContext;

namespace paygate::redis {

// Where Redis is: from [redis] url "redis://HOST[:PORT][/DB]" (no password in the URL: it comes from
// password_file or PAYGATE_REDIS_PASSWORD, and is never logged).
struct RedisEndpoint {
  std::string host;
  int port = 6379;
  int db = 0;
  std::string password;
  std::uint32_t timeout_ms = 500;  // connect, and each round trip
};

Result<RedisEndpoint> parse_redis_url(std::string_view url);

struct RedisReply {
  enum class Type : std::uint8_t { kNil, kString, kStatus, kInteger, kArray, kError };
  Type type = Type::kNil;
  std::string text;  // string, status or error
  long long integer = 0;
  std::vector<RedisReply> elements;

  bool is_error() const { return type == Type::kError; }
};

using RedisCommand = std::vector<std::string>;

class RedisConnection {
 public:
  // Connects, authenticates and selects the database. `blocking_reads`: no read deadline (a subscriber
  // waits for messages as long as it takes; TCP keepalive finds a dead peer).
  static Result<std::unique_ptr<RedisConnection>> open(const RedisEndpoint& endpoint, bool blocking_reads);
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  // Writes every command, then reads their replies in order: one round trip for all of them. An error
  // reply of one command is its reply; a broken connection fails the whole call (and the connection).
  Result<std::vector<RedisReply>> pipeline(const std::vector<RedisCommand>& commands);
  Result<RedisReply> command(const RedisCommand& command);
  // The next reply the server pushes (a subscriber's messages).
  Result<RedisReply> read_reply();
  // Makes a read blocked in another thread return (stops a subscriber).
  void interrupt();

 private:
  explicit RedisConnection(redisContext* context) : context_(context) {}
  Status append(const RedisCommand& command);
  Error failure(std::string_view what) const;

  redisContext* context_;
};

}  // namespace paygate::redis
