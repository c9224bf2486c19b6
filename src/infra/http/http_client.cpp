#include <utility>

#include "infra/http/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

#include "fmt/format.h"
#include "infra/http/resolver.h"

namespace paygate::http {
namespace {
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

Result<std::uint16_t> parse_port(std::string_view text) {
  int port = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || port > 65535) return make_error(ErrorCode::kInvalidParameter, "url: bad port");
    port = port * 10 + (c - '0');
  }
  if (text.empty() || port == 0 || port > 65535)
    return make_error(ErrorCode::kInvalidParameter, "url: bad port");
  return static_cast<std::uint16_t>(port);
}

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
    return make_error(ErrorCode::kInvalidParameter,
                      fmt::format("target: '{}' must be http://HOST:PORT", url));
  }
  auto port = parse_port(url.substr(colon + 1));
  if (!port.ok()) return std::move(port).error();
  return Endpoint{std::string(url.substr(0, colon)), *port, false};
}

Result<HttpUrl> parse_http_url(std::string_view url) {
  // One URL parser for every outbound call (uriparser, via the destination policy's reader).
  auto parsed = parse_destination_url(url);
  if (!parsed.ok()) return make_error(ErrorCode::kInvalidParameter, "url: " + parsed.error().message);
  return HttpUrl{Endpoint{std::move(parsed->host), parsed->port, parsed->tls}, std::move(parsed->target)};
}

struct Forbidden {};

struct Client::Impl {
  Endpoint endpoint;
  ClientOptions options;
  net::io_context io;
  std::optional<ssl::context> tls_context;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;

  Impl(Endpoint e, ClientOptions o) : endpoint(std::move(e)), options(std::move(o)) {
    if (!endpoint.tls) return;
    tls_context.emplace(ssl::context::tls_client);
    tls_context->set_verify_mode(ssl::verify_peer);
    if (options.ca_file.empty()) {
      tls_context->set_default_verify_paths();
    } else {
      tls_context->load_verify_file(options.ca_file);
    }
  }

  // Beast applies tcp_stream deadlines to asynchronous operations only, so each step runs as an async
  // operation on this client's private io_context: a peer that stops answering costs at most timeout_ms.
  template <class Start>
  void run_with_deadline(Start start) {
    beast::error_code result = net::error::would_block;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    io.restart();
    io.run();
    if (result) throw beast::system_error(result);
  }

  bool connected() const { return plain.has_value() || secure.has_value(); }
  void disconnect() {
    plain.reset();
    secure.reset();
  }
  beast::tcp_stream& tcp() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

  // The addresses to connect to: resolved within the deadline and, under a guard, every one allowed.
  Result<std::vector<tcp::endpoint>> destinations() const {
    auto resolved = resolve_host(endpoint.host, options.timeout_ms);
    if (!resolved.ok()) return std::move(resolved).error();
    std::vector<tcp::endpoint> out;
    for (const IpAddress& address : *resolved) {
      if (options.allow_address && !options.allow_address(address)) {
        return make_error(ErrorCode::kDestinationForbidden, std::string(kDestinationForbidden));
      }
      out.emplace_back(to_asio(address), endpoint.port);
    }
    return out;
  }

  static net::ip::address to_asio(const IpAddress& address) {
    if (!address.v6) {
      return net::ip::address_v4(net::ip::address_v4::bytes_type{address.bytes[0], address.bytes[1],
                                                                 address.bytes[2], address.bytes[3]});
    }
    net::ip::address_v6::bytes_type bytes;
    std::copy(address.bytes.begin(), address.bytes.end(), bytes.begin());
    return net::ip::address_v6(bytes);
  }

  // The peer actually connected, checked again under a guard.
  bool peer_allowed() {
    if (!options.allow_address) return true;
    beast::error_code ec;
    const auto peer = tcp().socket().remote_endpoint(ec);
    if (ec) return false;
    const auto address = peer.address();
    if (address.is_v4()) return options.allow_address(IpAddress::v4(address.to_v4().to_uint()));
    return options.allow_address(IpAddress::from_v6_bytes(address.to_v6().to_bytes().data()));
  }

  void connect(const std::vector<tcp::endpoint>& addresses) {
    const auto deadline = std::chrono::milliseconds(options.timeout_ms);
    if (endpoint.tls) {
      secure.emplace(io, *tls_context);
      auto& layer = beast::get_lowest_layer(*secure);
      layer.expires_after(deadline);
      run_with_deadline([&](auto handler) { layer.async_connect(addresses, handler); });
      if (!peer_allowed()) throw Forbidden();
      // SNI and host name verification: the certificate must name the host we meant to reach.
      if (!SSL_set_tlsext_host_name(secure->native_handle(), endpoint.host.c_str())) {
        throw beast::system_error(
            beast::error_code(static_cast<int>(::ERR_get_error()), net::error::get_ssl_category()));
      }
      secure->set_verify_callback(ssl::host_name_verification(endpoint.host));
      layer.expires_after(deadline);
      run_with_deadline([&](auto handler) { secure->async_handshake(ssl::stream_base::client, handler); });
    } else {
      plain.emplace(io);
      plain->expires_after(deadline);
      run_with_deadline([&](auto handler) { plain->async_connect(addresses, handler); });
      if (!peer_allowed()) throw Forbidden();
    }
    tcp().socket().set_option(tcp::no_delay(true));
    buffer.clear();
  }

  template <class Stream>
  ClientResponse exchange(Stream& stream, const bhttp::request<bhttp::string_body>& request) {
    // One deadline for the whole exchange, write and read together.
    tcp().expires_after(std::chrono::milliseconds(options.timeout_ms));
    run_with_deadline([&](auto handler) { bhttp::async_write(stream, request, handler); });
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    run_with_deadline([&](auto handler) { bhttp::async_read(stream, buffer, parser, handler); });
    auto& message = parser.get();
    ClientResponse response;
    response.status = static_cast<int>(message.result_int());
    for (const auto& field : message) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      response.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    response.body = std::move(message.body());
    if (!message.keep_alive()) disconnect();
    return response;
  }
};

Client::Client(Endpoint endpoint, std::uint32_t timeout_ms)
    : Client(std::move(endpoint), ClientOptions{timeout_ms, {}}) {}

Client::Client(Endpoint endpoint, ClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(endpoint), std::move(options))) {}

Client::~Client() = default;

Result<ClientResponse> Client::send(std::string_view method, std::string_view target,
                                    const std::vector<std::pair<std::string, std::string>>& headers,
                                    std::string_view body) {
  bhttp::request<bhttp::string_body> request;
  request.method_string(method);
  request.target(target);
  request.version(11);
  const bool default_port = impl_->endpoint.port == (impl_->endpoint.tls ? 443 : 80);
  const std::string& host = impl_->endpoint.host;
  const std::string host_text = host.find(':') == std::string::npos ? host : "[" + host + "]";  // IPv6
  request.set(bhttp::field::host,
              default_port ? host_text : fmt::format("{}:{}", host_text, impl_->endpoint.port));
  request.set(bhttp::field::content_type, "application/json");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = std::string(body);
  request.prepare_payload();
  // A kept-alive connection may have been closed by the server while idle: retry once on a fresh one.
  // Only then: a request that failed after a fresh connect is reported, never silently repeated.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = impl_->connected();
    try {
      if (!impl_->connected()) {
        auto addresses = impl_->destinations();
        if (!addresses.ok()) return std::move(addresses).error();
        impl_->connect(*addresses);
      }
      return impl_->secure ? impl_->exchange(*impl_->secure, request)
                           : impl_->exchange(*impl_->plain, request);
    } catch (const Forbidden&) {
      impl_->disconnect();
      return make_error(ErrorCode::kDestinationForbidden, std::string(kDestinationForbidden));
    } catch (const std::exception& e) {
      impl_->disconnect();
      if (!reused || attempt == 1) {
        return make_error(ErrorCode::kInternal,
                          fmt::format("{}:{}: {}", impl_->endpoint.host, impl_->endpoint.port, e.what()));
      }
    }
  }
  return make_error(ErrorCode::kInternal, "unreachable");
}

}  // namespace paygate::http
