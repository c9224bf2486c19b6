#include <utility>

#include "infra/http/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "fmt/format.h"

namespace paygate::http {
namespace {
namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
}  // namespace

std::string ClientResponse::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

Result<Endpoint> parse_endpoint(std::string_view url) {
  if (url.rfind("http://", 0) == 0) url.remove_prefix(7);
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  const auto colon = url.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return make_error(ErrorCode::kInvalidParameter, fmt::format("target: '{}' must be http://HOST:PORT", url));
  }
  int port = 0;
  for (char c : url.substr(colon + 1)) {
    if (c < '0' || c > '9' || port > 65535) return make_error(ErrorCode::kInvalidParameter, "target: bad port");
    port = port * 10 + (c - '0');
  }
  if (port == 0 || port > 65535) return make_error(ErrorCode::kInvalidParameter, "target: bad port");
  return Endpoint{std::string(url.substr(0, colon)), static_cast<std::uint16_t>(port)};
}

Result<HttpUrl> parse_http_url(std::string_view url) {
  if (url.rfind("http://", 0) != 0) {
    return make_error(ErrorCode::kInvalidParameter, "url: only http:// URLs are supported by this client");
  }
  const std::string_view rest = url.substr(7);
  const auto slash = rest.find_first_of("/?");
  auto endpoint = parse_endpoint(rest.substr(0, slash));
  if (!endpoint.ok()) return std::move(endpoint).error();
  std::string target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (target.front() == '?') target.insert(target.begin(), '/');
  return HttpUrl{std::move(endpoint).value(), std::move(target)};
}

struct Client::Impl {
  Endpoint endpoint;
  std::uint32_t timeout_ms;
  net::io_context io;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  void connect() {
    stream.emplace(io);
    stream->expires_after(std::chrono::milliseconds(timeout_ms));
    stream->connect(tcp::endpoint(net::ip::make_address(endpoint.host), endpoint.port));
    stream->socket().set_option(tcp::no_delay(true));
    buffer.clear();
  }

  ClientResponse exchange(const bhttp::request<bhttp::string_body>& request) {
    stream->expires_after(std::chrono::milliseconds(timeout_ms));
    bhttp::write(*stream, request);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    bhttp::read(*stream, buffer, parser);
    auto& message = parser.get();
    ClientResponse response;
    response.status = static_cast<int>(message.result_int());
    for (const auto& field : message) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      response.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    response.body = std::move(message.body());
    if (!message.keep_alive()) stream.reset();
    return response;
  }
};

Client::Client(Endpoint endpoint, std::uint32_t timeout_ms) : impl_(std::make_unique<Impl>()) {
  impl_->endpoint = std::move(endpoint);
  impl_->timeout_ms = timeout_ms;
}

Client::~Client() = default;

Result<ClientResponse> Client::send(std::string_view method, std::string_view target,
                                   const std::vector<std::pair<std::string, std::string>>& headers,
                                   std::string_view body) {
  bhttp::request<bhttp::string_body> request;
  request.method_string(method);
  request.target(target);
  request.version(11);
  request.set(bhttp::field::host, fmt::format("{}:{}", impl_->endpoint.host, impl_->endpoint.port));
  request.set(bhttp::field::content_type, "application/json");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = std::string(body);
  request.prepare_payload();
  // A kept-alive connection may have been closed by the server while idle: retry once on a fresh one.
  // Only then: a request that failed after a fresh connect is reported, never silently repeated.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = impl_->stream.has_value();
    try {
      if (!impl_->stream) impl_->connect();
      return impl_->exchange(request);
    } catch (const std::exception& e) {
      impl_->stream.reset();
      if (!reused || attempt == 1) {
        return make_error(ErrorCode::kInternal,
                          fmt::format("{}:{}: {}", impl_->endpoint.host, impl_->endpoint.port, e.what()));
      }
    }
  }
  return make_error(ErrorCode::kInternal, "unreachable");
}

}  // namespace paygate::http
