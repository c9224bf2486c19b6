// The subcommands of the paygate binary, each in its own file.
#pragma once

#include <string>
#include <vector>

#include "main/runtime.h"

namespace paygate::cli {

struct ServeOptions {
  std::string listen;
  bool sandbox = false;  // run the channel simulators in-process and route channel orders to them
  std::string sandbox_listen = "127.0.0.1:8090";
  double notify_retry_scale = 1.0;
};
int run_serve(const CommonOptions& common, const ServeOptions& options);
int run_migrate(const CommonOptions& common);
int run_sandbox(const CommonOptions& common, const std::string& listen, double notify_retry_scale);
int run_merchant_create(const CommonOptions& common, const std::string& name);
int run_merchant_list(const CommonOptions& common);
// Webhooks are signed with the new secret from then on (a running gateway picks it up within seconds).
int run_merchant_rotate_webhook_secret(const CommonOptions& common, const std::string& merchant_id);
// An operator key for /admin/v1 (role admin or viewer), printed once.
int run_operator_create(const CommonOptions& common, const std::string& name, const std::string& role);
// A new master key; every stored secret re-sealed under it; the old key dropped once nothing uses it.
int run_rotate_master_key(const CommonOptions& common);
// Exit 0: sound; 2: a problem was found (printed); 1: the store could not be read.
int run_ledger_verify(const CommonOptions& common);
int run_ledger_export(const CommonOptions& common, const std::string& format, const std::string& path);

struct ApiOptions {
  std::string method;
  std::string target;
  std::string body;
  std::string server_url;        // empty: <data-dir>/paygate.addr, then the configured listen address
  std::string credentials_path;  // empty: <data-dir>/demo-merchant.json
  std::string idempotency_key;
};
int run_api(const CommonOptions& common, const ApiOptions& options);

struct BenchOptions {
  std::string scenario;
  std::string server_url;
  unsigned concurrency = 64;
  unsigned duration_s = 10;
  unsigned threads = 1;
  std::string channel;             // create-orders: "" (cashier orders) or "alipay"
  std::string method = "qr";       // create-orders with a channel
  std::uint32_t orders = 20'000;   // alipay-notifies: orders (and notifies) prepared before the run
  std::uint32_t accounts = 1'000;  // ledger-post: wallets and merchants the postings spread over
  std::uint32_t payees = 0;        // ledger-post: merchants the postings pay (0 = as many as accounts)
  std::uint32_t rate = 2'000;      // webhooks: payments per second in the delay phase
  // "NAME=PID[,PID...]": CPU time of those processes over the measured window (not the preparation),
  // reported as cpu_s.NAME, so a reader sees where each request's time goes.
  std::vector<std::string> cpu_of;
};
int run_bench(const CommonOptions& common, const BenchOptions& options);
int run_ledger_bench(const CommonOptions& common, const BenchOptions& options);
int run_webhook_bench(const CommonOptions& common, const BenchOptions& options);

}  // namespace paygate::cli
