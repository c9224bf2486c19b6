// Proves the outbound HTTPS client verifies what it talks to: a certificate from a trusted CA for the right
// host works; an untrusted certificate, or a trusted one for another host, is refused.
#include <utility>

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdlib>
#include <thread>

#include "infra/http/http_client.h"
#include "tests/integration/harness.h"

namespace paygate::test {
namespace {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

// Self-signed certificate for `name` made by the OpenSSL command line (an independent implementation).
void make_certificate(const std::string& dir, const std::string& name) {
  const std::string command = "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=" + name +
                              " -addext subjectAltName=DNS:" + name + " -keyout " + dir + "/" + name +
                              ".key -out " + dir + "/" + name + ".pem >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0);
}

// Answers every TLS connection's one request with 200 "tls ok".
class TlsServer {
 public:
  TlsServer(const std::string& certificate, const std::string& key)
      : context_(ssl::context::tls_server), acceptor_(io_, {net::ip::make_address("127.0.0.1"), 0}) {
    context_.use_certificate_chain_file(certificate);
    context_.use_private_key_file(key, ssl::context::pem);
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
  }
  ~TlsServer() {
    beast::error_code ec;
    stopping_ = true;
    // Wake the blocking accept with a connection of our own.
    net::ip::tcp::socket poke(io_);
    poke.connect({net::ip::make_address("127.0.0.1"), port_}, ec);
    thread_.join();
  }
  std::uint16_t port() const { return port_; }

 private:
  void serve() {
    while (!stopping_) {
      beast::error_code ec;
      net::ip::tcp::socket socket(io_);
      acceptor_.accept(socket, ec);
      if (ec || stopping_) continue;
      beast::ssl_stream<net::ip::tcp::socket> stream(std::move(socket), context_);
      stream.handshake(ssl::stream_base::server, ec);
      if (ec) continue;  // the client refused our certificate
      beast::flat_buffer buffer;
      bhttp::request<bhttp::string_body> request;
      bhttp::read(stream, buffer, request, ec);
      if (ec) continue;
      bhttp::response<bhttp::string_body> response{bhttp::status::ok, 11};
      response.body() = "tls ok";
      response.keep_alive(false);
      response.prepare_payload();
      bhttp::write(stream, response, ec);
      stream.shutdown(ec);
    }
  }

  net::io_context io_;
  ssl::context context_;
  net::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

TEST(TlsClient, VerifiesTheCertificateAndTheHostName) {
  TempDir dir;
  make_certificate(dir.path(), "localhost");
  make_certificate(dir.path(), "other.example");

  {
    TlsServer server(dir.path() + "/localhost.pem", dir.path() + "/localhost.key");
    const http::Endpoint endpoint{"localhost", server.port(), true};
    http::Client trusting(endpoint, http::ClientOptions{5'000, dir.path() + "/localhost.pem"});
    auto ok = trusting.send("POST", "/gateway.do", {}, "x=1");
    ASSERT_TRUE(ok.ok()) << ok.error().message;
    EXPECT_EQ(ok->status, 200);
    EXPECT_EQ(ok->body, "tls ok");

    http::Client system_cas(endpoint, http::ClientOptions{5'000, ""});
    EXPECT_FALSE(system_cas.send("POST", "/gateway.do", {}, "x=1").ok())
        << "a self-signed certificate is not trusted";
  }
  {
    // A certificate we trust, but issued to another host.
    TlsServer server(dir.path() + "/other.example.pem", dir.path() + "/other.example.key");
    http::Client client(http::Endpoint{"localhost", server.port(), true},
                        http::ClientOptions{5'000, dir.path() + "/other.example.pem"});
    auto refused = client.send("POST", "/gateway.do", {}, "x=1");
    EXPECT_FALSE(refused.ok()) << "the certificate must name the host we connect to";
  }
}

TEST(TlsClient, ParsesHttpsUrls) {
  auto url = http::parse_http_url("https://openapi.alipay.com/gateway.do?charset=utf-8");
  ASSERT_TRUE(url.ok());
  EXPECT_TRUE(url->endpoint.tls);
  EXPECT_EQ(url->endpoint.host, "openapi.alipay.com");
  EXPECT_EQ(url->endpoint.port, 443);
  EXPECT_EQ(url->target, "/gateway.do?charset=utf-8");
  EXPECT_EQ(http::parse_http_url("http://127.0.0.1:8090")->target, "/");
  EXPECT_FALSE(http::parse_http_url("ftp://x/y").ok());
  EXPECT_FALSE(http::parse_http_url("https://host:99999/").ok());
}

}  // namespace
}  // namespace paygate::test
