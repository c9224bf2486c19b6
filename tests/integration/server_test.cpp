// Proves the HTTP server's limits and recovery against the real binary: body and header limits, slow
// clients are cut off, bad configuration refuses to start, SIGTERM drains and exits 0.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>

#include "tests/integration/harness.h"

namespace paygate::test {
namespace {

int connect_raw(const http::Endpoint& endpoint) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(endpoint.port);
  inet_pton(AF_INET, endpoint.host.c_str(), &address.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void write_config(const std::string& path, const std::string& text) {
  std::ofstream file(path);
  file << text;
}

TEST(Server, OversizedBodiesAndHeadersAreRefusedWithJson) {
  TempDir dir;
  GatewayProcess gateway(dir.path());
  gateway.start();
  MerchantClient client(gateway.endpoint(), gateway.demo_merchant());
  auto too_big = client.post("/api/v1/orders", std::string(64 * 1024 + 1, ' '));
  EXPECT_EQ(too_big.status, 413);
  EXPECT_EQ(too_big.code(), "BODY_TOO_LARGE");
  MerchantClient again(gateway.endpoint(), gateway.demo_merchant());
  auto huge_header = again.raw("GET", "/healthz", "", {{"x-padding", std::string(20 * 1024, 'p')}});
  EXPECT_EQ(huge_header.status, 431);
  EXPECT_EQ(huge_header.code(), "HEADER_TOO_LARGE");
  MerchantClient fresh(gateway.endpoint(), gateway.demo_merchant());
  EXPECT_EQ(fresh.post("/api/v1/orders", order_body("after-limits").dump()).status, 201);
  EXPECT_EQ(gateway.terminate(), 0);
}

TEST(Server, SlowClientsCannotPinAConnection) {
  TempDir dir;
  write_config(dir.path() + "/paygate.toml", "[server]\nread_timeout_ms = 300\nidle_timeout_ms = 500\n");
  GatewayProcess gateway(dir.path() + "/data", {"--config", dir.path() + "/paygate.toml"});
  gateway.start();
  const int fd = connect_raw(gateway.endpoint());
  ASSERT_GE(fd, 0);
  const std::string partial = "GET /healthz HTTP/1.1\r\nHost: x\r\n";  // never finishes its headers
  ASSERT_EQ(::write(fd, partial.data(), partial.size()), static_cast<ssize_t>(partial.size()));
  const auto started = std::chrono::steady_clock::now();
  char buffer[256];
  const ssize_t n = ::read(fd, buffer, sizeof buffer);  // blocks until the server closes the connection
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(n, 0) << "the server closes the connection";
  EXPECT_LT(waited, std::chrono::seconds(5));
  ::close(fd);

  const int idle = connect_raw(gateway.endpoint());
  ASSERT_GE(idle, 0);
  EXPECT_EQ(::read(idle, buffer, sizeof buffer), 0) << "an idle connection is closed after idle_timeout_ms";
  ::close(idle);
  EXPECT_EQ(gateway.terminate(), 0);
}

TEST(Server, BadConfigurationRefusesToStartNamingTheKey) {
  TempDir dir;
  write_config(dir.path() + "/unknown.toml", "[server]\nlisen = \"127.0.0.1:1\"\n");
  auto unknown = run_paygate({"serve", "--config", dir.path() + "/unknown.toml", "--data-dir", dir.path()});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.output.find("server.lisen: unknown key"), std::string::npos) << unknown.output;

  write_config(dir.path() + "/type.toml", "[server]\nbody_bytes_max = \"big\"\n");
  auto wrong_type = run_paygate({"serve", "--config", dir.path() + "/type.toml", "--data-dir", dir.path()});
  EXPECT_NE(wrong_type.exit_code, 0);
  EXPECT_NE(wrong_type.output.find("server.body_bytes_max: must be an integer"), std::string::npos);

  write_config(dir.path() + "/section.toml", "[servr]\nthreads = 1\n");
  auto unknown_section =
      run_paygate({"migrate", "--config", dir.path() + "/section.toml", "--data-dir", dir.path()});
  EXPECT_NE(unknown_section.exit_code, 0);
  EXPECT_NE(unknown_section.output.find("servr: unknown section"), std::string::npos);

  write_config(dir.path() + "/syntax.toml", "[server\n");
  auto syntax = run_paygate({"serve", "--config", dir.path() + "/syntax.toml", "--data-dir", dir.path()});
  EXPECT_NE(syntax.exit_code, 0);
  EXPECT_NE(syntax.output.find("syntax.toml:1"), std::string::npos) << syntax.output;

  auto unknown_flag = run_paygate({"serve", "--no-such-flag"});
  EXPECT_NE(unknown_flag.exit_code, 0);
  EXPECT_NE(unknown_flag.output.find("--no-such-flag"), std::string::npos) << unknown_flag.output;

  auto bad_listen = run_paygate({"serve", "--listen", "nowhere", "--data-dir", dir.path()});
  EXPECT_NE(bad_listen.exit_code, 0);
  EXPECT_NE(bad_listen.output.find("listen"), std::string::npos);
}

TEST(Server, CommandsExplainThemselves) {
  for (const auto& command : std::vector<std::vector<std::string>>{{"--help"},
                                                                   {"serve", "--help"},
                                                                   {"migrate", "--help"},
                                                                   {"merchant", "create", "--help"},
                                                                   {"api", "--help"},
                                                                   {"bench", "--help"}}) {
    auto help = run_paygate(command);
    EXPECT_EQ(help.exit_code, 0) << command.front();
    EXPECT_NE(help.output.find("Usage"), std::string::npos) << help.output;
  }
}

TEST(Server, MigrateAndMerchantCommandsWorkOnTheDataDir) {
  TempDir dir;
  auto migrate = run_paygate({"migrate", "--data-dir", dir.path()});
  ASSERT_EQ(migrate.exit_code, 0) << migrate.output;
  const auto arrow = migrate.output.find("schema version 0 -> ");
  ASSERT_NE(arrow, std::string::npos) << migrate.output;
  const int latest = std::stoi(migrate.output.substr(arrow + 20));
  EXPECT_GE(latest, 1);
  auto again = run_paygate({"migrate", "--data-dir", dir.path()});
  const std::string unchanged = "schema version " + std::to_string(latest) + " -> " + std::to_string(latest);
  EXPECT_NE(again.output.find(unchanged), std::string::npos) << again.output;
  auto created = run_paygate({"merchant", "create", "--name", "Tea House", "--data-dir", dir.path()});
  ASSERT_EQ(created.exit_code, 0) << created.output;
  const auto merchant = nlohmann::json::parse(created.output);
  auto listed = run_paygate({"merchant", "list", "--data-dir", dir.path()});
  ASSERT_EQ(listed.exit_code, 0);
  EXPECT_NE(listed.output.find(merchant["merchant_id"].get<std::string>()), std::string::npos);
  EXPECT_EQ(listed.output.find(merchant["secret"].get<std::string>()), std::string::npos)
      << "secrets are shown once";
}

TEST(Server, DemoCredentialsFileIsPrivateAndTheShellClientSigns) {
  TempDir dir;
  GatewayProcess gateway(dir.path());
  gateway.start();
  struct stat info {};
  ASSERT_EQ(::stat((dir.path() + "/demo-merchant.json").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  auto created = run_paygate({"api", "--data-dir", dir.path(), "POST", "/api/v1/orders",
                              R"({"out_trade_no":"shell-1","amount":990,"subject":"From the shell"})"});
  ASSERT_EQ(created.exit_code, 0) << created.output;
  EXPECT_NE(created.output.find("HTTP 201"), std::string::npos);
  auto read = run_paygate({"api", "--data-dir", dir.path(), "GET", "/api/v1/orders?out_trade_no=shell-1"});
  EXPECT_EQ(read.exit_code, 0) << read.output;
  EXPECT_NE(read.output.find("From the shell"), std::string::npos);
  auto missing = run_paygate({"api", "--data-dir", dir.path(), "GET", "/api/v1/orders?out_trade_no=none"});
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.output.find("ORDER_NOT_FOUND"), std::string::npos);
  EXPECT_EQ(gateway.terminate(), 0);
}

TEST(Server, SigtermFinishesInFlightWorkAndExitsZero) {
  TempDir dir;
  GatewayProcess gateway(dir.path());
  gateway.start();
  MerchantClient client(gateway.endpoint(), gateway.demo_merchant());
  ASSERT_EQ(client.post("/api/v1/orders", order_body("before-term").dump()).status, 201);
  // A keep-alive connection is open and idle: shutdown must close it rather than wait for it.
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(gateway.terminate(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  EXPECT_NE(gateway.log().find("\"event\":\"stopped\""), std::string::npos);
}

}  // namespace
}  // namespace paygate::test
