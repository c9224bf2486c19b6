// `paygate migrate` and `paygate merchant create|list`.
#include <cstdio>

#include "app/merchants.h"
#include "core/log.h"
#include "infra/store/postgres/postgres_store.h"
#include "infra/store/sqlite/sqlite_store.h"
#include "main/commands.h"
#include "nlohmann/json.hpp"

namespace paygate::cli {

int run_migrate(const CommonOptions& common) {
  auto config = resolve_config(common);
  if (!config.ok()) return fail(config.error().message);
  if (auto status = ensure_data_dir(*config); !status) return fail(status.error().message);
  SystemClock clock;
  if (config->store.backend == "postgres") {
    // Run once per deploy, before the new nodes start (they also migrate at start, under the same lock).
    auto connect = postgres_connection(*config);
    if (!connect.ok()) return fail(connect.error().message);
    auto report = postgres::PostgresStore::migrate_only(*connect, clock);
    if (!report.ok()) return fail(report.error().message);
    std::printf("postgres: schema version %d -> %d\n", report->from_version, report->to_version);
    return 0;
  }
  auto report = sqlite::SqliteStore::migrate_only(config->sqlite_path(), clock);
  if (!report.ok()) return fail(report.error().message);
  std::printf("%s: schema version %d -> %d\n", config->sqlite_path().c_str(), report->from_version,
              report->to_version);
  return 0;
}

int run_merchant_create(const CommonOptions& common, const std::string& name) {
  auto opened = open_command_store(common);
  if (!opened.ok()) return fail(opened.error().message);
  Store& store = *(*opened)->store;
  MerchantService merchants(store, (*opened)->clock);
  auto merchant = wait_for<Merchant>([&](auto done) {
    merchants.create(name, Actor{"cli", ""}, std::move(done));
  });
  store.drain();
  if (!merchant.ok()) return fail(merchant.error().message);
  // The secret is shown here once; paygate never displays it again.
  const nlohmann::json out = {{"merchant_id", merchant->merchant_id.value},
                              {"name", merchant->name},
                              {"secret", merchant->secret},
                              {"webhook_secret", merchant->webhook_secret}};
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}

int run_merchant_list(const CommonOptions& common) {
  auto opened = open_command_store(common);
  if (!opened.ok()) return fail(opened.error().message);
  Store& store = *(*opened)->store;
  auto merchants = store.list_merchants();
  store.drain();
  if (!merchants.ok()) return fail(merchants.error().message);
  nlohmann::json out = nlohmann::json::array();
  for (const Merchant& merchant : *merchants) {
    out.push_back({{"merchant_id", merchant.merchant_id.value},
                   {"name", merchant.name},
                   {"enabled", merchant.enabled},
                   {"created_at", format_rfc3339_ms(merchant.created_at_ms)}});
  }
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}

int run_merchant_rotate_webhook_secret(const CommonOptions& common, const std::string& merchant_id) {
  auto opened = open_command_store(common);
  if (!opened.ok()) return fail(opened.error().message);
  Store& store = *(*opened)->store;
  auto existing = store.find_merchant(MerchantId{merchant_id});
  if (!existing.ok() || !*existing) {
    store.drain();
    return fail("--merchant-id: no such merchant");
  }
  MerchantService merchants(store, (*opened)->clock);
  auto merchant = wait_for<Merchant>([&](auto done) {
    merchants.rotate_webhook_secret(MerchantId{merchant_id}, Actor{"cli", ""}, std::move(done));
  });
  store.drain();
  if (!merchant.ok()) return fail(merchant.error().message);
  // Shown here once, like the API secret.
  const nlohmann::json out = {{"merchant_id", merchant->merchant_id.value},
                              {"webhook_secret", merchant->webhook_secret}};
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}

}  // namespace paygate::cli
