// The paygate binary: parses the command line and runs one subcommand.
#include <malloc.h>
#include <sys/stat.h>

#include "CLI/CLI.hpp"
#include "main/commands.h"

int main(int argc, char** argv) {
  // glibc hands freed memory back to the kernel past 128 KiB (and mmaps blocks above a moving threshold);
  // the SQLite writer frees and re-allocates megabytes per group commit, so with the defaults it spent most
  // of its time page-faulting the same memory back in (measured: 62% of the writer in the kernel, ledger
  // postings 3x slower). Keep freed memory in the process instead.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 512 << 20);
  mallopt(M_TOP_PAD, 16 << 20);
  // Everything paygate writes (database, WAL, keys, sandbox books, exports) is the operator's alone: files
  // 0600, directories 0700, whatever umask the shell had.
  ::umask(077);
  using namespace paygate::cli;
  CLI::App app{"paygate: a payment gateway for Alipay, WeChat Pay and UnionPay"};
  app.require_subcommand(1);
  CommonOptions common;

  auto* serve = app.add_subcommand("serve", "Run the gateway");
  add_common_options(*serve, common);
  ServeOptions serve_options;
  serve->add_option("--listen", serve_options.listen,
                    "HOST:PORT to listen on (env PAYGATE_LISTEN; default 127.0.0.1:8080)");
  serve->add_flag("--sandbox", serve_options.sandbox, "Run the channel sandboxes in-process and use them");
  serve->add_option("--sandbox-listen", serve_options.sandbox_listen, "HOST:PORT of the in-process sandbox");
  serve
      ->add_option("--sandbox-notify-retry-scale", serve_options.notify_retry_scale,
                   "Compress the sandbox's notify retry schedule (1 = real time)")
      ->check(CLI::Range(0.0, 1.0));

  auto* sandbox = app.add_subcommand("sandbox", "Run the channel simulators (Alipay) on their own listener");
  add_common_options(*sandbox, common);
  std::string sandbox_listen;
  sandbox->add_option("--listen", sandbox_listen, "HOST:PORT to listen on (default 127.0.0.1:8090)");
  double notify_retry_scale = 1.0;
  sandbox
      ->add_option("--notify-retry-scale", notify_retry_scale,
                   "Compress Alipay's notify retry schedule (1 = real time, 0.001 for tests)")
      ->check(CLI::Range(0.0, 1.0));

  auto* migrate = app.add_subcommand("migrate", "Apply pending database migrations");
  add_common_options(*migrate, common);

  auto* merchant = app.add_subcommand("merchant", "Manage merchants");
  merchant->require_subcommand(1);
  auto* merchant_create = merchant->add_subcommand("create", "Create a merchant and print its secret once");
  add_common_options(*merchant_create, common);
  std::string merchant_name;
  merchant_create->add_option("--name", merchant_name, "Merchant name")->required();
  auto* merchant_list = merchant->add_subcommand("list", "List merchants (never their secrets)");
  add_common_options(*merchant_list, common);
  auto* merchant_rotate = merchant->add_subcommand(
      "rotate-webhook-secret", "Give a merchant a new webhook signing secret (printed once)");
  add_common_options(*merchant_rotate, common);
  std::string rotate_merchant_id;
  merchant_rotate->add_option("--merchant-id", rotate_merchant_id, "The merchant")->required();

  auto* operator_command = app.add_subcommand("operator", "Manage the platform's operator keys (/admin/v1)");
  operator_command->require_subcommand(1);
  auto* operator_create =
      operator_command->add_subcommand("create", "Create an operator key and print it once");
  add_common_options(*operator_create, common);
  std::string operator_name;
  std::string operator_role;
  operator_create->add_option("--name", operator_name, "Who holds the key")->required();
  operator_create->add_option("--role", operator_role, "admin (reads and writes) or viewer (reads)")
      ->required()
      ->check(CLI::IsMember({"admin", "viewer"}));

  auto* secrets = app.add_subcommand("secrets", "Manage secrets at rest");
  secrets->require_subcommand(1);
  auto* rotate_master_key = secrets->add_subcommand(
      "rotate-master-key", "Seal every stored secret under a new master key, then drop the old one");
  add_common_options(*rotate_master_key, common);

  auto* ledger = app.add_subcommand("ledger", "Check and export the double-entry ledger");
  ledger->require_subcommand(1);
  auto* ledger_verify = ledger->add_subcommand("verify", "Check every ledger invariant; exit 2 on a problem");
  add_common_options(*ledger_verify, common);
  auto* ledger_export = ledger->add_subcommand("export", "Write the ledger as a journal for ledger/hledger");
  add_common_options(*ledger_export, common);
  std::string export_format = "ledger";
  std::string export_path;
  ledger_export->add_option("--format", export_format, "Journal format")->check(CLI::IsMember({"ledger"}));
  ledger_export->add_option("file", export_path, "Where to write the journal")->required();

  auto* api = app.add_subcommand("api", "Send one signed API request as a merchant");
  add_common_options(*api, common);
  ApiOptions api_options;
  api->add_option("method", api_options.method, "HTTP method, e.g. POST")->required();
  api->add_option("path", api_options.target, "Path and query, e.g. /api/v1/orders")->required();
  api->add_option("body", api_options.body, "JSON body ('-' reads stdin)");
  api->add_option("--server", api_options.server_url,
                  "Gateway URL (default: the running server in --data-dir)");
  api->add_option("--credentials", api_options.credentials_path,
                  "Merchant credentials JSON (default: demo merchant)");
  api->add_option("--idempotency-key", api_options.idempotency_key, "Idempotency-Key header");

  auto* bench = app.add_subcommand("bench", "Load generator");
  add_common_options(*bench, common);
  BenchOptions bench_options;
  bench
      ->add_option("scenario", bench_options.scenario,
                   "Scenario: create-orders | alipay-notifies | wechatpay-callbacks | ledger-post | webhooks")
      ->required()
      ->check(CLI::IsMember(
          {"create-orders", "alipay-notifies", "wechatpay-callbacks", "ledger-post", "webhooks"}));
  bench->add_option("--rate", bench_options.rate, "webhooks: payments per second while measuring delay")
      ->check(CLI::Range(1, 1'000'000));
  bench
      ->add_option("--accounts", bench_options.accounts,
                   "ledger-post: accounts to spread postings over (1 = hot)")
      ->check(CLI::Range(1, 10'000'000));
  bench
      ->add_option(
          "--payees", bench_options.payees,
          "ledger-post: merchants paid (default: --accounts; 1 = one hot payee credited by many payers)")
      ->check(CLI::Range(1, 10'000'000));
  bench
      ->add_option("--channel", bench_options.channel,
                   "create-orders: also pay through this channel (alipay, wechatpay)")
      ->check(CLI::IsMember({"alipay", "wechatpay"}));
  bench->add_option("--method", bench_options.method,
                    "create-orders: channel method (qr, page, wap, native)");
  bench
      ->add_option("--orders", bench_options.orders,
                   "alipay-notifies, wechatpay-callbacks: notifies to prepare and send; webhooks: events")
      ->check(CLI::Range(1, 10'000'000));
  bench->add_option("--target", bench_options.server_url,
                    "Gateway URL (default: the running server in --data-dir)");
  bench
      ->add_option("--concurrency", bench_options.concurrency, "Connections, each with one request in flight")
      ->check(CLI::Range(1, 4096));
  bench->add_option("--duration", bench_options.duration_s, "Seconds to run")->check(CLI::Range(1, 3600));
  bench->add_option("--threads", bench_options.threads, "Client threads")->check(CLI::Range(1, 64));
  bench->add_option("--cpu-of", bench_options.cpu_of,
                    "NAME=PID[,PID...] or NAME=user:LOGIN: report those processes' CPU seconds over the "
                    "measured run (repeatable)");

  CLI11_PARSE(app, argc, argv);

  if (serve->parsed()) return run_serve(common, serve_options);
  if (migrate->parsed()) return run_migrate(common);
  if (sandbox->parsed()) return run_sandbox(common, sandbox_listen, notify_retry_scale);
  if (merchant_create->parsed()) return run_merchant_create(common, merchant_name);
  if (merchant_list->parsed()) return run_merchant_list(common);
  if (merchant_rotate->parsed()) return run_merchant_rotate_webhook_secret(common, rotate_merchant_id);
  if (operator_create->parsed()) return run_operator_create(common, operator_name, operator_role);
  if (rotate_master_key->parsed()) return run_rotate_master_key(common);
  if (ledger_verify->parsed()) return run_ledger_verify(common);
  if (ledger_export->parsed()) return run_ledger_export(common, export_format, export_path);
  if (api->parsed()) return run_api(common, api_options);
  if (bench->parsed() && bench_options.scenario == "ledger-post")
    return run_ledger_bench(common, bench_options);
  if (bench->parsed() && bench_options.scenario == "webhooks")
    return run_webhook_bench(common, bench_options);
  if (bench->parsed()) return run_bench(common, bench_options);
  return 1;
}
