// Boost 1.74's awaitable.hpp uses std::exchange without including <utility> (TOOLCHAIN.md).
#include <utility>

#include "net/http_server.h"

#include <pthread.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <list>
#include <mutex>
#include <optional>
#include <thread>

#include "core/log.h"
#include "fmt/format.h"

namespace paygate::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;

constexpr std::size_t kReadChunkBytes = 4096;

Response limit_response(int status, std::string_view code, std::string_view message) {
  Response response;
  response.status = status;
  response.body =
      fmt::format(R"({{"code":"{}","message":"{}","data":null,"request_id":null}})", code, message);
  return response;
}

// Answers a request the connection cannot go on from, and says the connection closes.
net::awaitable<void> write_closing(beast::tcp_stream& stream, Response&& response) {
  bhttp::response<bhttp::string_body> reply{static_cast<bhttp::status>(response.status), 11};
  reply.set(bhttp::field::content_type, response.content_type);
  reply.set(bhttp::field::connection, "close");
  reply.body() = std::move(response.body);
  reply.prepare_payload();
  beast::error_code ec;
  co_await bhttp::async_write(stream, reply, net::redirect_error(net::use_awaitable, ec));
}

// Per-connection state the server can reach from outside the coroutine, to close idle keep-alive
// connections at shutdown.
struct Connection {
  explicit Connection(beast::tcp_stream& s) : stream(s) {}
  beast::tcp_stream& stream;
  bool busy = false;  // a request is being read, handled or written; touched only on the connection's thread
  std::function<void()> interrupt;  // set while an event stream waits: ends the wait at shutdown
};

constexpr auto kEventStreamHeartbeat = std::chrono::seconds(15);

}  // namespace

struct Server::Impl {
  Impl(ServerLimits l, Handler h, MetricsRegistry& metrics)
      : limits(l),
        handler(std::move(h)),
        acceptor(io),
        signals(io, SIGINT, SIGTERM),
        open_connections(metrics.gauge("paygate_http_open_connections", "Open client connections")),
        refused_connections(metrics.counter("paygate_http_refused_connections_total",
                                            "Connections closed at once: too many open")) {}

  ServerLimits limits;
  Handler handler;
  // One io_context per thread, each run by exactly one thread: a connection lives on one context, so its
  // handlers never race and need no strand, and load spreads evenly (a shared context let one thread take
  // most of the work). `io` also owns the acceptor, the signals and the shutdown timer.
  net::io_context io{1};
  std::vector<std::unique_ptr<net::io_context>> extra_contexts;
  std::size_t next_context = 0;
  tcp::acceptor acceptor;
  net::signal_set signals;
  std::atomic<bool> stopping{false};
  std::atomic<std::uint32_t> connection_count{0};
  std::mutex connections_mutex;
  std::list<std::shared_ptr<Connection>> connections;
  std::function<void()> on_stopping;
  Gauge& open_connections;
  Counter& refused_connections;

  net::awaitable<void> accept_loop();
  net::awaitable<void> serve(tcp::socket socket);
  net::awaitable<Response> dispatch(Request& request);
  net::awaitable<void> stream_events(beast::tcp_stream& stream, Connection& connection,
                                     const Response& response);
  void begin_shutdown();
  net::io_context& pick_context() {
    const std::size_t index = next_context++ % (extra_contexts.size() + 1);
    return index == 0 ? io : *extra_contexts[index - 1];
  }
  void close_idle_connections();
};

net::awaitable<Response> Server::Impl::dispatch(Request& request) {
  // The handler may answer synchronously, from a store thread, or later: the answer is posted to this
  // connection's context, and the coroutine waits on a timer that the answer cancels. Both touch `pending`
  // only on that context's thread.
  auto executor = co_await net::this_coro::executor;
  struct Pending {
    Pending(const net::any_io_executor& ex, std::uint32_t timeout_ms)
        : wake(ex, std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms)) {}
    std::optional<Response> response;
    net::steady_timer wake;
  };
  auto pending = std::make_shared<Pending>(executor, limits.handler_timeout_ms);
  Responder responder([pending, executor](Response response) {
    net::post(executor, [pending, response = std::move(response)]() mutable {
      pending->response = std::move(response);
      pending->wake.cancel();
    });
  });
  try {
    handler(request, responder);
  } catch (const std::exception& e) {
    log::error("handler_threw", {{"error", e.what()}, {"target", request.target}});
    responder(limit_response(500, "INTERNAL_ERROR", "unexpected error"));
  }
  responder = Responder([](Response) {});  // drop our copy: an unanswered request now gets its 500
  while (!pending->response) {
    beast::error_code ec;
    co_await pending->wake.async_wait(net::redirect_error(net::use_awaitable, ec));
    if (!ec && !pending->response) {  // the deadline passed; an answer would have cancelled the wait
      log::warn("handler_timeout", {{"target", request.target}, {"timeout_ms", limits.handler_timeout_ms}});
      pending->response =
          limit_response(504, "HANDLER_TIMEOUT", "the request was not answered in time; retry it");
    }
  }
  co_return std::move(*pending->response);
}

net::awaitable<void> Server::Impl::serve(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  auto connection = std::make_shared<Connection>(stream);
  std::list<std::shared_ptr<Connection>>::iterator registration;
  {
    std::lock_guard lock(connections_mutex);
    registration = connections.insert(connections.end(), connection);
  }
  std::string remote;
  {
    beast::error_code ec;
    const auto endpoint = stream.socket().remote_endpoint(ec);
    if (!ec) remote = endpoint.address().to_string();
  }
  beast::flat_buffer buffer;
  beast::error_code ec;
  while (!stopping.load()) {
    // Wait for the first byte of the next request under the idle timeout...
    if (buffer.size() == 0) {
      stream.expires_after(std::chrono::milliseconds(limits.idle_timeout_ms));
      const std::size_t n = co_await stream.async_read_some(buffer.prepare(kReadChunkBytes),
                                                            net::redirect_error(net::use_awaitable, ec));
      if (ec) break;
      buffer.commit(n);
    }
    // ...then the whole request must arrive within the read timeout: a slow client cannot pin the connection.
    connection->busy = true;
    stream.expires_after(std::chrono::milliseconds(limits.read_timeout_ms));
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(limits.header_bytes_max);
    parser.body_limit(limits.body_bytes_max);
    co_await bhttp::async_read(stream, buffer, parser, net::redirect_error(net::use_awaitable, ec));
    if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit) {
      const bool body = ec == bhttp::error::body_limit;
      // A named response, never a temporary inside co_await: g++ 12 destroys such temporaries twice.
      Response response = body ? limit_response(413, "BODY_TOO_LARGE", "request body exceeds the limit")
                               : limit_response(431, "HEADER_TOO_LARGE", "request headers exceed the limit");
      co_await write_closing(stream, std::move(response));
      break;
    }
    if (ec && ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      // Malformed or ambiguous framing (two Content-Lengths, Content-Length with Transfer-Encoding, …):
      // a proxy in front may have read this message differently, so answer 400 and never read past it.
      Response response =
          limit_response(400, "INVALID_PARAMETER", fmt::format("malformed HTTP request: {}", ec.message()));
      co_await write_closing(stream, std::move(response));
      break;
    }
    if (ec) break;

    auto& incoming = parser.get();
    if (incoming.count(bhttp::field::content_length) > 1) {
      // Beast merges equal repeated Content-Lengths; a proxy in front may not have, so they are refused too.
      Response response =
          limit_response(400, "INVALID_PARAMETER", "malformed HTTP request: more than one Content-Length");
      co_await write_closing(stream, std::move(response));
      break;
    }
    Request request;
    request.method = std::string(incoming.method_string());
    request.target = std::string(incoming.target());
    request.remote_address = remote;
    request.headers.reserve(8);
    for (const auto& field : incoming) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    request.body = std::move(incoming.body());
    request.run_on_connection = [executor = stream.get_executor()](std::function<void()> task) {
      net::post(executor, std::move(task));
    };
    const bool keep_alive = incoming.keep_alive();
    const unsigned version = incoming.version();

    stream.expires_never();  // the handler's own deadlines apply while it works
    Response response = co_await dispatch(request);
    if (response.stream) {
      // An event stream owns the rest of the connection.
      co_await stream_events(stream, *connection, response);
      break;
    }

    bhttp::response<bhttp::string_body> reply{static_cast<bhttp::status>(response.status), version};
    reply.set(bhttp::field::content_type, response.content_type);
    for (auto& [name, value] : response.headers) reply.set(name, value);
    reply.body() = std::move(response.body);
    reply.keep_alive(keep_alive && !stopping.load());
    reply.prepare_payload();
    stream.expires_after(std::chrono::milliseconds(limits.read_timeout_ms));
    co_await bhttp::async_write(stream, reply, net::redirect_error(net::use_awaitable, ec));
    connection->busy = false;
    if (ec || !reply.keep_alive()) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.close();
  {
    std::lock_guard lock(connections_mutex);
    connections.erase(registration);
  }
  connection_count.fetch_sub(1);
  open_connections.add(-1);
}

net::awaitable<void> Server::Impl::stream_events(beast::tcp_stream& stream, Connection& connection,
                                                 const Response& response) {
  EventStream& events = *response.stream;
  auto executor = co_await net::this_coro::executor;
  auto wake = std::make_shared<net::steady_timer>(executor);
  std::weak_ptr<net::steady_timer> weak_wake = wake;
  // Pushes come from any thread; the timer is only touched on this connection's thread.
  events.set_wake([executor, weak_wake] {
    net::post(executor, [weak_wake] {
      if (auto timer = weak_wake.lock()) timer->cancel();
    });
  });
  connection.interrupt = [weak_wake] {
    if (auto timer = weak_wake.lock()) timer->cancel();
  };
  std::string head = fmt::format(
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-cache\r\n"
      "Connection: close\r\n");
  for (const auto& [name, value] : response.headers) head += fmt::format("{}: {}\r\n", name, value);
  head += "\r\n";
  beast::error_code ec;
  stream.expires_after(std::chrono::milliseconds(limits.read_timeout_ms));
  co_await net::async_write(stream, net::buffer(head), net::redirect_error(net::use_awaitable, ec));
  connection.busy = false;  // waiting for events is idle time: shutdown may end it
  while (!ec && !stopping.load()) {
    std::string text = events.take();
    if (!text.empty()) {
      stream.expires_after(std::chrono::milliseconds(limits.read_timeout_ms));
      co_await net::async_write(stream, net::buffer(text), net::redirect_error(net::use_awaitable, ec));
      if (ec) break;
    }
    if (events.closed()) break;
    stream.expires_never();
    wake->expires_after(kEventStreamHeartbeat);
    beast::error_code wait_ec;
    co_await wake->async_wait(net::redirect_error(net::use_awaitable, wait_ec));
    if (!wait_ec) {
      // A comment line every 15 s finds clients that went away and keeps proxies from timing out.
      static const std::string kHeartbeat = ": keep-alive\n\n";
      stream.expires_after(std::chrono::milliseconds(limits.read_timeout_ms));
      co_await net::async_write(stream, net::buffer(kHeartbeat), net::redirect_error(net::use_awaitable, ec));
    }
  }
  connection.interrupt = nullptr;
  events.finish();
}

net::awaitable<void> Server::Impl::accept_loop() {
  while (!stopping.load()) {
    beast::error_code ec;
    net::io_context& home = pick_context();
    tcp::socket socket = co_await acceptor.async_accept(home, net::redirect_error(net::use_awaitable, ec));
    if (ec) {
      if (stopping.load() || ec == net::error::operation_aborted) break;
      log::warn("accept_failed", {{"error", ec.message()}});
      continue;
    }
    if (connection_count.load() >= limits.connections_max) {
      refused_connections.increment();
      socket.close(ec);
      continue;
    }
    connection_count.fetch_add(1);
    open_connections.add(1);
    socket.set_option(tcp::no_delay(true), ec);
    auto executor = socket.get_executor();
    net::co_spawn(executor, serve(std::move(socket)), [](std::exception_ptr error) {
      if (!error) return;
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        log::error("connection_failed", {{"error", e.what()}});
      }
    });
  }
}

void Server::Impl::close_idle_connections() {
  std::lock_guard lock(connections_mutex);
  for (const auto& connection : connections) {
    // Each connection is only touched on its own context; an idle one is waiting for a first byte.
    net::post(connection->stream.get_executor(), [connection] {
      if (connection->interrupt) connection->interrupt();
      if (!connection->busy) connection->stream.cancel();
    });
  }
}

void Server::Impl::begin_shutdown() {
  if (stopping.exchange(true)) return;
  log::info("shutdown_started", {{"open_connections", static_cast<std::int64_t>(connection_count.load())}});
  if (on_stopping) on_stopping();
  beast::error_code ec;
  acceptor.close(ec);
  signals.cancel(ec);
  close_idle_connections();
  // Wait (without blocking an io thread) for in-flight requests, then stop the loop.
  net::co_spawn(
      io,
      [this]() -> net::awaitable<void> {
        net::steady_timer timer(io);
        const auto deadline =
            std::chrono::steady_clock::now() + std::chrono::milliseconds(limits.shutdown_timeout_ms);
        while (connection_count.load() > 0 && std::chrono::steady_clock::now() < deadline) {
          close_idle_connections();
          timer.expires_after(10ms);
          beast::error_code wait_ec;
          co_await timer.async_wait(net::redirect_error(net::use_awaitable, wait_ec));
        }
        if (connection_count.load() > 0) {
          log::warn("shutdown_timeout",
                    {{"open_connections", static_cast<std::int64_t>(connection_count.load())}});
        }
        io.stop();
        for (auto& context : extra_contexts) context->stop();
      },
      net::detached);
}

Server::Server(ServerLimits limits, Handler handler, MetricsRegistry& metrics)
    : impl_(std::make_unique<Impl>(limits, std::move(handler), metrics)) {}

Server::~Server() = default;

Result<std::uint16_t> Server::listen(const std::string& host, std::uint16_t port) {
  beast::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  if (ec)
    return make_error(ErrorCode::kInvalidParameter, fmt::format("listen: '{}' is not an IP address", host));
  const tcp::endpoint endpoint{address, port};
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return make_error(ErrorCode::kInvalidParameter,
                      fmt::format("listen: cannot bind {}:{}: {}", host, port, ec.message()));
  }
  return acceptor.local_endpoint().port();
}

void Server::run(int threads, std::function<void()> on_stopping) {
  impl_->on_stopping = std::move(on_stopping);
  impl_->signals.async_wait([this](const beast::error_code& ec, int) {
    if (!ec) impl_->begin_shutdown();
  });
  net::co_spawn(impl_->io, impl_->accept_loop(), net::detached);
  std::vector<std::thread> workers;
  using WorkGuard = net::executor_work_guard<net::io_context::executor_type>;
  std::vector<WorkGuard> keep_running;
  pthread_setname_np(pthread_self(), "paygate-io");
  for (int i = 1; i < threads; ++i) {
    auto& context = *impl_->extra_contexts.emplace_back(std::make_unique<net::io_context>(1));
    keep_running.push_back(net::make_work_guard(context));
    workers.emplace_back([&context] {
      pthread_setname_np(pthread_self(), "paygate-io");
      context.run();
    });
  }
  impl_->io.run();
  for (auto& worker : workers) worker.join();
}

void Server::stop() {
  net::post(impl_->io, [this] { impl_->begin_shutdown(); });
}

}  // namespace paygate::http
