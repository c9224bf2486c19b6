// What the security suite shares: a tripwire listener that must never be reached, an endpoint that only
// redirects, an operator client, and a gateway fixture with its own configuration.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include "net/http_server.h"
#include "tests/integration/harness.h"

namespace paygate::test {

// A TCP listener on an address paygate must never connect to: it counts every connection it accepts.
class Tripwire {
 public:
  explicit Tripwire(const std::string& address) : address_(address) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in bound{};
    bound.sin_family = AF_INET;
    ::inet_pton(AF_INET, address.c_str(), &bound.sin_addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&bound), sizeof bound) != 0 || ::listen(fd_, 16) != 0)
      throw std::runtime_error("tripwire: cannot listen on " + address);
    socklen_t length = sizeof bound;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&bound), &length);
    port_ = ntohs(bound.sin_port);
    thread_ = std::thread([this] {
      while (true) {
        const int client = ::accept(fd_, nullptr, nullptr);
        if (client < 0 || stopping_) break;
        ++connections_;
        ::close(client);
      }
    });
  }
  ~Tripwire() {
    stopping_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::uint16_t port() const { return port_; }
  std::string url(const std::string& host) const {
    return "http://" + host + ":" + std::to_string(port_) + "/hook";
  }
  int connections() const { return connections_; }

 private:
  std::string address_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
};

// A merchant endpoint on 127.0.0.1 that answers every request with a redirect to `location`.
class Redirector {
 public:
  explicit Redirector(std::string location)
      : location_(std::move(location)),
        server_(
            http::ServerLimits{},
            [this](const http::Request&, http::Responder respond) {
              ++requests_;
              http::Response response;
              response.status = 302;
              response.headers.emplace_back("location", location_);
              respond(std::move(response));
            },
            metrics_) {
    port_ = server_.listen("127.0.0.1", 0).value();
    thread_ = std::thread([this] { server_.run(1, [] {}); });
  }
  ~Redirector() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }
  int requests() const { return requests_; }

 private:
  std::string location_;
  MetricsRegistry metrics_;
  http::Server server_;
  std::uint16_t port_ = 0;
  std::atomic<int> requests_{0};
  std::thread thread_;
};

// Calls /admin/v1 with a bearer operator key (over a merchant client's connection, unsigned).
class OperatorClient {
 public:
  OperatorClient(http::Endpoint endpoint, std::string key)
      : client_(std::move(endpoint), {}), key_(std::move(key)) {}
  ApiResponse call(const std::string& method, const std::string& target, const std::string& body = "") {
    return client_.raw(method, target, body, {{"authorization", "Bearer " + key_}});
  }

 private:
  MerchantClient client_;
  std::string key_;
};

// `paygate operator create` on the data dir; returns the key it printed once.
inline std::string create_operator_key(const std::string& data_dir, const std::string& role) {
  const ProcessResult result =
      run_paygate({"operator", "create", "--data-dir", data_dir, "--name", "ops-" + role, "--role", role});
  if (result.exit_code != 0) throw std::runtime_error("operator create failed: " + result.output);
  const auto start = result.output.find('{');
  return nlohmann::json::parse(result.output.substr(start)).at("key").get<std::string>();
}

// A gateway (no sandbox unless asked) in a temp dir, with extra TOML.
class SecuredGateway : public ::testing::Test {
 protected:
  void start(const std::string& toml = "", std::vector<std::string> extra_args = {}) {
    std::ofstream(dir_.path() + "/paygate.toml") << toml;
    extra_args.insert(extra_args.begin(), {"--config", dir_.path() + "/paygate.toml"});
    gateway_.emplace(data_dir(), std::move(extra_args));
    gateway_->start();
  }
  void TearDown() override {
    if (gateway_ && gateway_->running()) {
      EXPECT_EQ(gateway_->terminate(), 0);
    }
  }
  std::string data_dir() const { return dir_.path() + "/data"; }
  MerchantClient merchant() { return MerchantClient(gateway_->endpoint(), gateway_->demo_merchant()); }

  // The order's newest event as the events API shows it, once more than `attempts_before` delivery attempts
  // are recorded (polled over HTTP, the only way a merchant sees it, for up to 20 s); null if none came.
  nlohmann::json attempted_event(const std::string& order_id, int attempts_before = 0) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    auto client = merchant();
    do {
      auto events = client.get("/api/v1/events?order_id=" + order_id);
      if (events.status == 200 && !events.data()["events"].empty()) {
        const nlohmann::json event = events.data()["events"][0];
        if (event["delivery"]["attempts"].get<int>() > attempts_before) return event;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    } while (std::chrono::steady_clock::now() < deadline);
    return {};
  }

  TempDir dir_;
  std::optional<GatewayProcess> gateway_;
};

}  // namespace paygate::test
