// A small blocking HTTP/1.1 client with one keep-alive connection, over plain TCP or TLS (certificates
// verified against the system store or a given CA file, host name checked). Used by the channel adapters,
// the sandbox's notify sender, `paygate api`, and tests. It reconnects once when the server closed an idle
// connection.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "domain/destination_policy.h"

namespace paygate::http {

struct ClientResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names
  std::string body;
  std::string header(std::string_view lower_name) const;
};

struct Endpoint {
  std::string host;  // an IP address or a DNS name
  std::uint16_t port = 0;
  bool tls = false;
};

// "http://127.0.0.1:8080" or "127.0.0.1:8080" -> endpoint (plain HTTP, explicit port).
Result<Endpoint> parse_endpoint(std::string_view url);

// "http(s)://host[:port]/path?query" -> endpoint and request target ("/" when empty).
struct HttpUrl {
  Endpoint endpoint;
  std::string target;
};
Result<HttpUrl> parse_http_url(std::string_view url);

struct ClientOptions {
  std::uint32_t timeout_ms = 10'000;  // bounds the host lookup, the connect and each exchange
  std::string ca_file;                // TLS: trust only this PEM bundle; empty = the system's trusted CAs
  // The outbound destination guard: when set, every address the host resolves to must pass, the connection
  // is made only to those addresses (no second lookup that DNS rebinding could answer differently), and the
  // peer is checked again once connected. A refused destination fails with DESTINATION_FORBIDDEN and
  // nothing is sent.
  std::function<bool(const IpAddress&)> allow_address;
};

class Client {
 public:
  Client(Endpoint endpoint, std::uint32_t timeout_ms = 10'000);
  Client(Endpoint endpoint, ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  Result<ClientResponse> send(std::string_view method, std::string_view target,
                              const std::vector<std::pair<std::string, std::string>>& headers = {},
                              std::string_view body = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace paygate::http
