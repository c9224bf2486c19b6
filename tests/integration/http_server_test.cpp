// Proves the HTTP server in-process: a handler that throws answers 500 JSON and the server lives on, a
// handler that never answers still gets its client a 500, connections beyond the limit are closed at once,
// and stop() ends run().
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

#include "infra/http/http_client.h"
#include "net/http_server.h"
#include "nlohmann/json.hpp"

namespace paygate::http {
namespace {

class InProcessServer {
 public:
  InProcessServer(ServerLimits limits, Handler handler) : server_(limits, std::move(handler), metrics_) {
    auto port = server_.listen("127.0.0.1", 0);
    if (!port.ok()) throw std::runtime_error(port.error().message);
    port_ = *port;
    thread_ = std::thread([this] { server_.run(2, {}); });
  }
  ~InProcessServer() {
    server_.stop();
    thread_.join();
  }
  Endpoint endpoint() const { return Endpoint{"127.0.0.1", port_}; }
  MetricsRegistry& metrics() { return metrics_; }

 private:
  MetricsRegistry metrics_;
  Server server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

void answer(const Request& request, Responder respond) {
  if (request.path() == "/boom") throw std::runtime_error("handler bug");
  if (request.path() == "/forget") return;  // drops the responder without answering
  respond(Response{200, "application/json", {}, R"({"ok":true})"});
}

TEST(HttpServer, AThrowingHandlerAnswers500AndTheServerLivesOn) {
  InProcessServer server(ServerLimits{}, answer);
  Client client(server.endpoint());
  auto boom = client.send("GET", "/boom");
  ASSERT_TRUE(boom.ok()) << boom.error().message;
  EXPECT_EQ(boom->status, 500);
  EXPECT_EQ(nlohmann::json::parse(boom->body)["code"], "INTERNAL_ERROR");
  auto forgotten = client.send("GET", "/forget");
  ASSERT_TRUE(forgotten.ok());
  EXPECT_EQ(forgotten->status, 500);
  auto fine = client.send("GET", "/fine");
  ASSERT_TRUE(fine.ok());
  EXPECT_EQ(fine->status, 200);
}

TEST(HttpServer, ConnectionsBeyondTheLimitAreClosedAtOnce) {
  ServerLimits limits;
  limits.connections_max = 2;
  InProcessServer server(limits, answer);
  Client first(server.endpoint());
  Client second(server.endpoint());
  ASSERT_EQ(first.send("GET", "/a")->status, 200);
  ASSERT_EQ(second.send("GET", "/a")->status, 200);
  Client third(server.endpoint());
  EXPECT_FALSE(third.send("GET", "/a").ok()) << "a third connection is refused while two are open";
  EXPECT_EQ(first.send("GET", "/a")->status, 200) << "open connections keep working";
  EXPECT_GE(server.metrics().counter("paygate_http_refused_connections_total", "").value(), 1u);
}

}  // namespace
}  // namespace paygate::http
