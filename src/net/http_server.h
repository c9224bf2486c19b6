// The HTTP/1.1 server (Boost.Beast, C++20 coroutines): one io_context on all cores, one coroutine per
// connection, explicit limits, and graceful shutdown on SIGINT/SIGTERM. Beast stays inside http_server.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/metrics.h"
#include "core/result.h"
#include "net/http_types.h"

namespace paygate::http {

struct ServerLimits {
  std::uint32_t header_bytes_max = 16 * 1024;
  std::uint32_t body_bytes_max = 64 * 1024;
  std::uint32_t read_timeout_ms = 10'000;  // the whole request, from its first byte
  std::uint32_t idle_timeout_ms = 60'000;  // between requests on a keep-alive connection
  std::uint32_t connections_max = 10'000;  // beyond this, new connections are closed at once
  std::uint32_t shutdown_timeout_ms = 10'000;
  // A handler that has not answered by then: the client gets 504 HANDLER_TIMEOUT and the connection is
  // free again; a later answer from the handler is dropped (its work, e.g. a store command, still lands).
  std::uint32_t handler_timeout_ms = 30'000;
};

class Server {
 public:
  Server(ServerLimits limits, Handler handler, MetricsRegistry& metrics);
  ~Server();

  // Binds the listening socket; returns the bound port (useful with port 0).
  Result<std::uint16_t> listen(const std::string& host, std::uint16_t port);

  // Serves on `threads` threads until SIGINT/SIGTERM or stop(), then stops accepting, lets in-flight
  // requests finish (up to shutdown_timeout_ms), closes idle connections and returns.
  // on_stopping runs once when shutdown begins (e.g. to mark the node not ready).
  void run(int threads, std::function<void()> on_stopping);

  // Begins the same graceful shutdown as a signal; safe from any thread.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace paygate::http
