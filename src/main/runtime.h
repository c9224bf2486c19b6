// What every subcommand shares: resolving configuration (file < environment < flags), the data directory,
// opening the store, waiting for an asynchronous store command from a CLI thread.
#pragma once

#include <future>
#include <memory>
#include <optional>
#include <string>

#include "core/config.h"
#include "core/files.h"
#include "core/metrics.h"
#include "core/time.h"
#include "infra/store/postgres/connection.h"
#include "ports/store.h"

namespace CLI {
class App;
}

namespace paygate::cli {

struct CommonOptions {
  std::string config_path;
  std::string data_dir;
};

void add_common_options(CLI::App& command, CommonOptions& options);

Result<Config> resolve_config(const CommonOptions& options);
Status ensure_data_dir(const Config& config);
Result<std::unique_ptr<Store>> open_store(const Config& config, MetricsRegistry& metrics, const Clock& clock);
// A password kept alone in a file (a trailing newline ignored); the error names the config key, not the
// content.
Result<std::string> read_password_file(const std::string& path, std::string_view key);
// How to reach the configured PostgreSQL: the URL, and the password from store.password_file or
// PAYGATE_STORE_PASSWORD (never from the config file itself).
Result<postgres::ConnectOptions> postgres_connection(const Config& config);

// A one-shot command's store (merchant, ledger): the configuration, and a store opened with warnings-only
// logging. The clock and metrics live here because the store holds on to them.
struct CommandStore {
  Config config;
  SystemClock clock;
  MetricsRegistry metrics;
  std::unique_ptr<Store> store;
};
Result<std::unique_ptr<CommandStore>> open_command_store(const CommonOptions& options);
// The same on a fresh, empty store in <data_dir>/<name> (removed first): for in-process benchmarks.
Result<std::unique_ptr<CommandStore>> open_scratch_store(const CommonOptions& options,
                                                         const std::string& name);

// Blocks the calling (non-store) thread until the command completes.
template <class T, class Start>
Result<T> wait_for(Start start) {
  return wait_for_completion<T>(std::move(start));
}

// This node's id: [node] id (or PAYGATE_NODE_ID), else <hostname>-<8 hex of the data dir's absolute path>,
// the same across restarts of one node and different for two nodes on one host.
std::string resolve_node_id(const Config& config);

// Prints "paygate: <message>" to stderr and returns the exit code 1.
int fail(std::string_view message);

}  // namespace paygate::cli
