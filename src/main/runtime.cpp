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
  std::error_code ec;
  std::filesystem::create_directories(config.store.data_dir, ec);
  if (ec) {
    return make_error(ErrorCode::kInvalidParameter, fmt::format("store.data_dir: cannot create '{}': {}",
                                                                config.store.data_dir, ec.message()));
  }
  return {};
}

Result<std::unique_ptr<Store>> open_store(const Config& config, MetricsRegistry& metrics,
                                          const Clock& clock) {
  if (auto status = ensure_data_dir(config); !status) return std::move(status).error();
  sqlite::SqliteStoreOptions options;
  options.path = config.sqlite_path();
  options.limits = {config.store.writer_queue_max, config.store.write_batch_max};
  options.readers = config.store.readers;
  options.checkpoint_wal_pages = config.store.checkpoint_wal_pages;
  options.verify_ledger_each_command = config.ledger.verify_each_command;
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

int fail(std::string_view message) {
  std::fprintf(stderr, "paygate: %.*s\n", static_cast<int>(message.size()), message.data());
  return 1;
}

std::optional<std::string> read_text_file(const std::string& path) {
  std::ifstream file(path);
  if (!file) return std::nullopt;
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

Status write_file_atomically(const std::string& path, std::string_view text, unsigned mode) {
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return make_error(ErrorCode::kInternal, fmt::format("cannot write {}", temp));
  ::fchmod(fd, mode);  // O_CREAT's mode is filtered by the umask; the file must have exactly `mode`
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || std::rename(temp.c_str(), path.c_str()) != 0) {
    ::unlink(temp.c_str());
    return make_error(ErrorCode::kInternal, fmt::format("cannot write {}", path));
  }
  return {};
}

}  // namespace paygate::cli
