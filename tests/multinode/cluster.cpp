#include "tests/multinode/cluster.h"

#include <cstdlib>
#include <stdexcept>

#include "fmt/format.h"
#include "infra/store/postgres/connection.h"
#include "tests/integration/sandboxed_gateway.h"
#include "tests/integration/test_store.h"

namespace paygate::test {
namespace {

std::string required_env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0')
    throw std::runtime_error(
        fmt::format("{} is not set: run under tests/support/with_postgres.sh and "
                    "tests/support/with_redis.sh",
                    name));
  return value;
}

}  // namespace

Cluster::Cluster(int nodes, const std::string& extra_toml, const std::string& store_url) {
  sandbox_ = std::make_unique<GatewayProcess>(
      dir_.path() + "/sandbox", std::vector<std::string>{"--notify-retry-scale", "0.001"}, "sandbox");
  sandbox_->start();
  alipay_ = nlohmann::json::parse(read_text(dir_.path() + "/sandbox/sandbox/alipay.json"));
  // One database for every node: the key names it (tests/integration/test_store.h).
  if (store_url.empty()) {
    environment_ = postgres_environment(dir_.path() + "/cluster");
  } else {
    environment_ = {"PAYGATE_STORE_BACKEND=postgres", "PAYGATE_STORE_URL=" + store_url,
                    "PAYGATE_REDIS_URL=" + required_env("PAYGATE_TEST_REDIS_URL")};
  }
  for (const std::string& entry : environment_) {
    if (entry.starts_with("PAYGATE_STORE_URL=")) store_url_ = entry.substr(entry.find('=') + 1);
  }
  required_env("PAYGATE_TEST_REDIS_URL");
  environment_.push_back("PAYGATE_MASTER_KEY_FILE=" + dir_.path() + "/master.key");
  // Webhooks go to the test's receiver on loopback: the destination guard must allow it.
  std::string toml = extra_toml;
  const std::string allow = "allowed_networks = [\"127.0.0.1/32\"]\n";
  if (const auto at = toml.find("[webhooks]\n"); at != std::string::npos) {
    toml.insert(at + 11, allow);
  } else {
    toml += "[webhooks]\n" + allow;
  }
  for (int i = 0; i < nodes; ++i) {
    const std::string node_dir = fmt::format("{}/node-{}", dir_.path(), i);
    const std::string listen = fmt::format("127.0.0.1:{}", free_loopback_port());
    const std::string config = write_external_sandbox_config(
        node_dir, alipay_, fmt::format("[server]\npublic_url = \"http://{}\"\n{}", listen, toml),
        /*channel_timeout_ms=*/1'000);
    auto node = std::make_unique<GatewayProcess>(
        node_dir + "/data", std::vector<std::string>{"--config", config, "--listen", listen});
    std::vector<std::string> environment = environment_;
    environment.push_back(fmt::format("PAYGATE_NODE_ID=node-{}", i));
    node->set_environment(std::move(environment));
    // One after another: the first applies the migrations and makes the master key the others read.
    node->start();
    nodes_.push_back(std::move(node));
  }
  merchant_ = nodes_.front()->demo_merchant();
}

Cluster::~Cluster() {
  for (auto& node : nodes_) {
    if (node->running()) node->kill9();
  }
  if (sandbox_ && sandbox_->running()) sandbox_->kill9();
}

std::int64_t Cluster::query_int(const std::string& sql) const {
  postgres::ConnectOptions options;
  options.url = store_url_;
  postgres::Connection db(options);
  auto rows = db.query_text(sql);
  return rows.next() ? rows.column_int64(0) : 0;
}

ProcessResult Cluster::run(std::vector<std::string> args) const {
  args.push_back("--data-dir");
  args.push_back(dir_.path() + "/node-0/data");
  return run_paygate(args, environment_);
}

Balances Cluster::balances() const { return postgres_balances(store_url_); }

int Cluster::pay(const std::string& order_id) {
  http::Client payer(sandbox_->endpoint());
  auto paid = payer.send("POST", "/sandbox/alipay/pay", {},
                         nlohmann::json{{"app_id", alipay_["app_id"]}, {"out_trade_no", order_id}}.dump());
  return paid.ok() ? paid->status : -1;
}

void Cluster::stop() {
  for (auto& node : nodes_) {
    if (node->running()) {
      EXPECT_EQ(node->terminate(), 0);
    }
  }
  if (sandbox_->running()) {
    EXPECT_EQ(sandbox_->terminate(), 0);
  }
}

void Cluster::stop_and_verify_books() {
  stop();
  const ProcessResult verify = run({"ledger", "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.output;
}

void stop_redis() {
  const std::string command =
      "redis-cli -u " + required_env("PAYGATE_TEST_REDIS_URL") + " shutdown nosave > /dev/null 2>&1";
  (void)std::system(command.c_str());
}

void start_redis() {
  const std::string command = "redis-server " + required_env("PAYGATE_TEST_REDIS_CONF") + " > /dev/null";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("redis-server did not start");
  const std::string ping =
      "redis-cli -u " + required_env("PAYGATE_TEST_REDIS_URL") + " ping 2>/dev/null | grep -q PONG";
  for (int i = 0; i < 200; ++i) {
    if (std::system(ping.c_str()) == 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  throw std::runtime_error("redis-server did not answer after starting");
}

}  // namespace paygate::test
