#include "infra/redis/redis_connection.h"

#include <hiredis/hiredis.h>
#include <sys/socket.h>

#include <charconv>

#include "fmt/format.h"

namespace paygate::redis {
namespace {

Error unavailable(std::string message) {
  return make_error(ErrorCode::kDependencyUnavailable, std::move(message));
}

RedisReply convert(const redisReply& raw) {
  RedisReply reply;
  switch (raw.type) {
    case REDIS_REPLY_STRING:
      reply.type = RedisReply::Type::kString;
      reply.text.assign(raw.str, raw.len);
      break;
    case REDIS_REPLY_STATUS:
      reply.type = RedisReply::Type::kStatus;
      reply.text.assign(raw.str, raw.len);
      break;
    case REDIS_REPLY_ERROR:
      reply.type = RedisReply::Type::kError;
      reply.text.assign(raw.str, raw.len);
      break;
    case REDIS_REPLY_INTEGER:
      reply.type = RedisReply::Type::kInteger;
      reply.integer = raw.integer;
      break;
    case REDIS_REPLY_ARRAY:
      reply.type = RedisReply::Type::kArray;
      reply.elements.reserve(raw.elements);
      for (std::size_t i = 0; i < raw.elements; ++i) reply.elements.push_back(convert(*raw.element[i]));
      break;
    default:
      reply.type = RedisReply::Type::kNil;
  }
  return reply;
}

timeval to_timeval(std::uint32_t ms) {
  return timeval{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
}

bool parse_int(std::string_view text, int& out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

Result<RedisEndpoint> parse_redis_url(std::string_view url) {
  auto refuse = [](std::string_view why) {
    return make_error(ErrorCode::kInvalidParameter, fmt::format("redis.url: {}", why));
  };
  if (!url.starts_with("redis://")) return refuse("must start with redis://");
  std::string_view rest = url.substr(8);
  RedisEndpoint endpoint;
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
    const std::string_view db = rest.substr(slash + 1);
    if (!db.empty() && (!parse_int(db, endpoint.db) || endpoint.db < 0 || endpoint.db > 15))
      return refuse("the database after / must be 0..15");
    rest = rest.substr(0, slash);
  }
  if (rest.find('@') != std::string_view::npos)
    return refuse("must not hold a password; use redis.password_file or PAYGATE_REDIS_PASSWORD");
  if (rest.starts_with('[')) return refuse("IPv6 literals are not supported; use a host name");
  if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
    if (!parse_int(rest.substr(colon + 1), endpoint.port) || endpoint.port < 1 || endpoint.port > 65535)
      return refuse("port must be 1..65535");
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) return refuse("must name a host");
  endpoint.host = std::string(rest);
  return endpoint;
}

Result<std::unique_ptr<RedisConnection>> RedisConnection::open(const RedisEndpoint& endpoint,
                                                               bool blocking_reads) {
  const timeval timeout = to_timeval(endpoint.timeout_ms);
  redisContext* context = redisConnectWithTimeout(endpoint.host.c_str(), endpoint.port, timeout);
  if (context == nullptr) return unavailable("redis: out of memory");
  std::unique_ptr<RedisConnection> connection(new RedisConnection(context));
  if (context->err != 0) {
    return unavailable(fmt::format("redis at {}:{}: {}", endpoint.host, endpoint.port, context->errstr));
  }
  if (!blocking_reads && redisSetTimeout(context, timeout) != REDIS_OK)
    return unavailable("redis: cannot set the timeout");
  redisEnableKeepAlive(context);
  if (!endpoint.password.empty()) {
    auto auth = connection->command({"AUTH", endpoint.password});
    if (!auth.ok()) return std::move(auth).error();
    // The server's own words never include the password.
    if (auth->is_error()) return unavailable(fmt::format("redis refused the password: {}", auth->text));
  }
  if (endpoint.db != 0) {
    auto select = connection->command({"SELECT", std::to_string(endpoint.db)});
    if (!select.ok()) return std::move(select).error();
    if (select->is_error()) return unavailable(fmt::format("redis SELECT {}: {}", endpoint.db, select->text));
  }
  return connection;
}

RedisConnection::~RedisConnection() { redisFree(context_); }

Error RedisConnection::failure(std::string_view what) const {
  return unavailable(fmt::format("redis {}: {}", what, context_->err != 0 ? context_->errstr : "no reply"));
}

Status RedisConnection::append(const RedisCommand& command) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  argv.reserve(command.size());
  lengths.reserve(command.size());
  for (const std::string& arg : command) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  if (redisAppendCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data()) !=
      REDIS_OK)
    return failure("write");
  return {};
}

Result<std::vector<RedisReply>> RedisConnection::pipeline(const std::vector<RedisCommand>& commands) {
  if (context_->err != 0) return failure("connection");
  for (const RedisCommand& command : commands) {
    if (auto status = append(command); !status) return std::move(status).error();
  }
  std::vector<RedisReply> replies;
  replies.reserve(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i) {
    auto reply = read_reply();
    if (!reply.ok()) return std::move(reply).error();
    replies.push_back(std::move(reply).value());
  }
  return replies;
}

Result<RedisReply> RedisConnection::command(const RedisCommand& command) {
  auto replies = pipeline({command});
  if (!replies.ok()) return std::move(replies).error();
  return std::move(replies->front());
}

Result<RedisReply> RedisConnection::read_reply() {
  void* raw = nullptr;
  if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) return failure("read");
  RedisReply reply = convert(*static_cast<redisReply*>(raw));
  freeReplyObject(raw);
  return reply;
}

void RedisConnection::interrupt() { ::shutdown(context_->fd, SHUT_RDWR); }

}  // namespace paygate::redis
