#include "main/runtime.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "CLI/CLI.hpp"
#include "core/log.h"
#include "fmt/format.h"
#include "infra/secrets/master_key_file.h"
#include "infra/store/postgres/postgres_store.h"
#include "infra/store/sqlite/sqlite_store.h"

namespace paygate::cli {

void add_common_options(CLI::App& command, CommonOptions& options) {
  command.add_option("--config", options.config_path, "TOML configuration file")->check(CLI::ExistingFile);
  command.add_option("--data-dir", options.data_dir, "Data directory (default ./var; env PAYGATE_DATA_DIR)");
}

Result<Config> resolve_config(const CommonOptions& options) {
  auto config = load_config(options.config_path);
  if (!config.ok()) return config;
  if (auto status = apply_environment(*config); !status) return std::move(status).error();
  if (!options.data_dir.empty()) config->store.data_dir = options.data_dir;
  if (auto status = validate(*config); !status) return std::move(status).error();
  return config;
}

Status ensure_data_dir(const Config& config) {
  namespace fs = std::filesystem;
  const std::string& dir = config.store.data_dir;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return make_error(ErrorCode::kInvalidParameter,
                      fmt::format("store.data_dir: cannot create '{}': {}", dir, ec.message()));
  }
  // A data dir made by an older paygate (0755, database 0644) is closed up too: it holds the database,
  // the master key and the sandboxes' private keys.
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) {
    return make_error(ErrorCode::kInvalidParameter,
                      fmt::format("store.data_dir: cannot make '{}' 0700: {}", dir, ec.message()));
  }
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    std::error_code ignored;  // a file that vanished meanwhile needs no closing up
    const auto type = it->symlink_status(ignored).type();
    if (type == fs::file_type::directory) fs::permissions(it->path(), fs::perms::owner_all, ignored);
    if (type == fs::file_type::regular)
      fs::permissions(it->path(), fs::perms::owner_read | fs::perms::owner_write, ignored);
  }
  return {};
}

Result<std::string> read_password_file(const std::string& path, std::string_view key) {
  auto password = read_text_file(path);
  if (!password)
    return make_error(ErrorCode::kInvalidParameter, fmt::format("{}: cannot read '{}'", key, path));
  while (!password->empty() && (password->back() == '\n' || password->back() == '\r')) password->pop_back();
  return std::move(*password);
}

Result<postgres::ConnectOptions> postgres_connection(const Config& config) {
  postgres::ConnectOptions connect;
  connect.url = config.store.url;
  connect.connect_timeout_s = std::max<std::uint32_t>(1, (config.store.connect_timeout_ms + 999) / 1000);
  connect.statement_timeout_ms = config.store.statement_timeout_ms;
  if (!config.store.password_file.empty()) {
    auto password = read_password_file(config.store.password_file, "store.password_file");
    if (!password.ok()) return std::move(password).error();
    connect.password = std::move(password).value();
  } else if (const char* password = std::getenv("PAYGATE_STORE_PASSWORD"); password != nullptr) {
    connect.password = password;
  }
  return connect;
}

Result<std::unique_ptr<Store>> open_store(const Config& config, MetricsRegistry& metrics,
                                          const Clock& clock) {
  if (auto status = ensure_data_dir(config); !status) return std::move(status).error();
  auto box = secrets::open_secret_box(
      secrets::master_key_path(config.store.data_dir, config.secrets.master_key_file), clock.now_unix_ms());
  if (!box.ok()) return std::move(box).error();
  if (config.store.backend == "postgres") {
    auto connect = postgres_connection(config);
    if (!connect.ok()) return std::move(connect).error();
    postgres::PostgresStoreOptions options;
    options.connect = std::move(connect).value();
    options.writers = config.store.writers;
    options.readers = config.store.readers;
    options.writer_queue_max = config.store.writer_queue_max;
    options.reader_wait_ms = config.store.reader_wait_ms;
    options.verify_ledger_each_command = config.ledger.verify_each_command;
    options.secrets = std::move(box).value();
    auto store = postgres::PostgresStore::open(options, metrics, clock);
    if (!store.ok()) return std::move(store).error();
    return std::unique_ptr<Store>(std::move(store).value());
  }
  sqlite::SqliteStoreOptions options;
  options.path = config.sqlite_path();
  options.limits = {config.store.writer_queue_max, config.store.write_batch_max};
  options.readers = config.store.readers;
  options.reader_wait_ms = config.store.reader_wait_ms;
  options.checkpoint_wal_pages = config.store.checkpoint_wal_pages;
  options.verify_ledger_each_command = config.ledger.verify_each_command;
  options.secrets = std::move(box).value();
  auto store = sqlite::SqliteStore::open(options, metrics, clock);
  if (!store.ok()) return std::move(store).error();
  return std::unique_ptr<Store>(std::move(store).value());
}

namespace {

Result<std::unique_ptr<CommandStore>> open_store_of(Config config) {
  log::init(log::Level::kWarn);
  auto opened = std::make_unique<CommandStore>();
  opened->config = std::move(config);
  auto store = open_store(opened->config, opened->metrics, opened->clock);
  if (!store.ok()) return std::move(store).error();
  opened->store = std::move(store).value();
  return opened;
}

}  // namespace

Result<std::unique_ptr<CommandStore>> open_command_store(const CommonOptions& options) {
  auto config = resolve_config(options);
  if (!config.ok()) return std::move(config).error();
  return open_store_of(std::move(config).value());
}

Result<std::unique_ptr<CommandStore>> open_scratch_store(const CommonOptions& options,
                                                         const std::string& name) {
  auto config = resolve_config(options);
  if (!config.ok()) return std::move(config).error();
  config->store.data_dir += "/" + name;
  config->store.sqlite_path.clear();
  std::error_code ignored;
  std::filesystem::remove_all(config->store.data_dir, ignored);
  return open_store_of(std::move(config).value());
}

std::string resolve_node_id(const Config& config) {
  if (!config.node.id.empty()) return config.node.id;
  char host[256] = {};
  std::string name = ::gethostname(host, sizeof(host) - 1) == 0 ? host : "node";
  for (char& c : name) {
    const bool token =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!token) c = '-';
  }
  if (name.size() > 40) name.resize(40);
  std::error_code ignored;
  const std::string dir =
      std::filesystem::absolute(config.store.data_dir, ignored).lexically_normal().string();
  std::uint32_t hash = 2166136261u;  // FNV-1a: a short, stable tag of the path
  for (unsigned char c : dir) hash = (hash ^ c) * 16777619u;
  return fmt::format("{}-{:08x}", name, hash);
}

int fail(std::string_view message) {
  std::fprintf(stderr, "paygate: %.*s\n", static_cast<int>(message.size()), message.data());
  return 1;
}

}  // namespace paygate::cli
