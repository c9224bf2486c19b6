// Several paygate nodes as production runs them: one PostgreSQL database and one Redis
// (tests/support/with_postgres.sh and with_redis.sh start them), one master key file all nodes read, and an
// Alipay sandbox in its own process that every node's account points at. Each node has its own data dir,
// node id and fixed loopback port (its public_url, where the sandbox sends the notifies of the orders it
// created), so a node killed and started again keeps its address.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "tests/integration/harness.h"
#include "tests/integration/ledger_tools.h"

namespace paygate::test {

class Cluster {
 public:
  // extra_toml: more configuration for every node. store_url: the nodes' PostgreSQL ("" = a database of
  // the cluster's own on the suite's server).
  explicit Cluster(int nodes, const std::string& extra_toml = "", const std::string& store_url = "");
  ~Cluster();

  int size() const { return static_cast<int>(nodes_.size()); }
  GatewayProcess& node(int i) { return *nodes_.at(i); }
  GatewayProcess& sandbox() { return *sandbox_; }
  const nlohmann::json& alipay() const { return alipay_; }
  // The merchant every test signs as (node 0's demo merchant; all nodes share the store).
  const Credentials& merchant() const { return merchant_; }
  MerchantClient client(int node) { return MerchantClient(nodes_.at(node)->endpoint(), merchant_); }
  // Runs a `paygate` CLI command on the shared store (e.g. {"ledger", "verify"}), as node 0 would.
  ProcessResult run(std::vector<std::string> args) const;
  // The first column of the first row of a query on the shared database.
  std::int64_t query_int(const std::string& sql) const;
  // debits − credits of every account in the shared database.
  Balances balances() const;
  // The payer pays the order at the sandbox; its notify goes to the node that created the order.
  int pay(const std::string& order_id);
  // Terminates every node (each must exit 0) and the sandbox.
  void stop();
  // stop(), then `paygate ledger verify` on the shared store must pass.
  void stop_and_verify_books();

 private:
  TempDir dir_;
  std::unique_ptr<GatewayProcess> sandbox_;
  nlohmann::json alipay_;
  std::string store_url_;
  std::vector<std::string> environment_;
  std::vector<std::unique_ptr<GatewayProcess>> nodes_;
  Credentials merchant_;
};

// Redis as the suite started it (tests/support/with_redis.sh): stopped and started again by outage tests.
void stop_redis();
void start_redis();

}  // namespace paygate::test
