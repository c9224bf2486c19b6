#include "core/config.h"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <limits>
#include <vector>

#include "core/ip_address.h"
#include "core/log.h"
#include "core/text.h"
#include "fmt/format.h"
#include "toml++/toml.h"

namespace paygate {
namespace {

Error config_error(std::string_view key, std::string_view problem) {
  return make_error(ErrorCode::kInvalidParameter, fmt::format("{}: {}", key, problem));
}

using Setter = std::function<Status(const toml::node&, const std::string& key)>;

template <class T>
Setter unsigned_in(T& target, std::int64_t min, std::int64_t max) {
  return [&target, min, max](const toml::node& node, const std::string& key) -> Status {
    const auto value = node.value_exact<std::int64_t>();
    if (!value) return config_error(key, "must be an integer");
    if (*value < min || *value > max)
      return config_error(key, fmt::format("must be between {} and {}", min, max));
    target = static_cast<T>(*value);
    return {};
  };
}

Setter string_into(std::string& target) {
  return [&target](const toml::node& node, const std::string& key) -> Status {
    const auto value = node.value_exact<std::string>();
    if (!value) return config_error(key, "must be a string");
    target = *value;
    return {};
  };
}

Setter bool_into(bool& target) {
  return [&target](const toml::node& node, const std::string& key) -> Status {
    const auto value = node.value_exact<bool>();
    if (!value) return config_error(key, "must be true or false");
    target = *value;
    return {};
  };
}

Setter networks_into(std::vector<std::string>& target) {
  return [&target](const toml::node& node, const std::string& key) -> Status {
    const toml::array* array = node.as_array();
    if (array == nullptr)
      return config_error(key, "must be an array of CIDR strings, e.g. [\"127.0.0.1/32\"]");
    std::vector<std::string> networks;
    for (std::size_t i = 0; i < array->size(); ++i) {
      const auto value = (*array)[i].value_exact<std::string>();
      if (!value || !IpNetwork::parse(*value))
        return config_error(fmt::format("{}[{}]", key, i),
                            "must be an IP address or CIDR, e.g. \"10.1.0.0/16\"");
      networks.push_back(*value);
    }
    target = std::move(networks);
    return {};
  };
}

struct Section {
  std::string_view name;
  std::vector<std::pair<std::string_view, Setter>> keys;
};

std::vector<Section> sections(Config& c) {
  constexpr std::int64_t kU32 = std::numeric_limits<std::uint32_t>::max();
  return {
      {"server",
       {{"listen",
         [&c](const toml::node& node, const std::string& key) -> Status {
           const auto value = node.value_exact<std::string>();
           if (!value) return config_error(key, "must be a string \"HOST:PORT\"");
           if (auto status = set_listen(c, *value); !status) return config_error(key, status.error().message);
           return {};
         }},
        {"public_url", string_into(c.server.public_url)},
        {"threads", unsigned_in(c.server.threads, 0, 256)},
        {"body_bytes_max", unsigned_in(c.server.body_bytes_max, 1024, 64 * 1024 * 1024)},
        {"header_bytes_max", unsigned_in(c.server.header_bytes_max, 1024, 1024 * 1024)},
        {"read_timeout_ms", unsigned_in(c.server.read_timeout_ms, 100, kU32)},
        {"idle_timeout_ms", unsigned_in(c.server.idle_timeout_ms, 100, kU32)},
        {"connections_max", unsigned_in(c.server.connections_max, 1, 1'000'000)},
        {"shutdown_timeout_ms", unsigned_in(c.server.shutdown_timeout_ms, 0, 600'000)},
        {"access_log", bool_into(c.server.access_log)}}},
      {"store",
       {{"backend",
         [&c](const toml::node& node, const std::string& key) -> Status {
           const auto value = node.value_exact<std::string>();
           if (!value || (*value != "sqlite" && *value != "postgres"))
             return config_error(key, "must be \"sqlite\" or \"postgres\"");
           c.store.backend = *value;
           return {};
         }},
        {"url", string_into(c.store.url)},
        {"password_file", string_into(c.store.password_file)},
        {"writers", unsigned_in(c.store.writers, 1, 256)},
        {"connect_timeout_ms", unsigned_in(c.store.connect_timeout_ms, 100, 600'000)},
        {"statement_timeout_ms", unsigned_in(c.store.statement_timeout_ms, 100, 3'600'000)},
        {"data_dir", string_into(c.store.data_dir)},
        {"sqlite_path", string_into(c.store.sqlite_path)},
        {"writer_queue_max", unsigned_in(c.store.writer_queue_max, 1, 10'000'000)},
        {"write_batch_max", unsigned_in(c.store.write_batch_max, 1, 100'000)},
        {"readers", unsigned_in(c.store.readers, 1, 64)},
        {"checkpoint_wal_pages", unsigned_in(c.store.checkpoint_wal_pages, 16, 1'000'000)},
        {"reader_wait_ms", unsigned_in(c.store.reader_wait_ms, 1, 600'000)}}},
      {"secrets", {{"master_key_file", string_into(c.secrets.master_key_file)}}},
      {"node", {{"id", string_into(c.node.id)}}},
      {"redis",
       {{"url", string_into(c.redis.url)},
        {"password_file", string_into(c.redis.password_file)},
        {"timeout_ms", unsigned_in(c.redis.timeout_ms, 10, 60'000)},
        {"events_stream_max", unsigned_in(c.redis.events_stream_max, 100, 100'000'000)}}},
      {"auth",
       {{"timestamp_window_s", unsigned_in(c.auth.timestamp_window_s, 1, 3600)},
        {"nonces_per_merchant_max", unsigned_in(c.auth.nonces_per_merchant_max, 1, 100'000'000)},
        {"nonce_cache_max",
         [](const toml::node&, const std::string& key) -> Status {
           return config_error(key, "was replaced by auth.nonces_per_merchant_max (each merchant's share)");
         }}}},
      {"orders",
       {{"expire_seconds_default", unsigned_in(c.orders.expire_seconds_default, 60, 7 * 24 * 3600)},
        {"expire_seconds_min", unsigned_in(c.orders.expire_seconds_min, 1, 3600)},
        {"query_first_ms", unsigned_in(c.orders.query_first_ms, 10, 600'000)},
        {"scheduler_interval_ms", unsigned_in(c.orders.scheduler_interval_ms, 5, 60'000)},
        {"late_payment",
         [&c](const toml::node& node, const std::string& key) -> Status {
           const auto value = node.value_exact<std::string>();
           if (!value || (*value != "refund" && *value != "keep"))
             return config_error(key, "must be \"refund\" or \"keep\"");
           c.orders.late_payment = *value;
           return {};
         }}}},
      {"ledger",
       {{"merchant_fee_bps", unsigned_in(c.ledger.merchant_fee_bps, 0, 10'000)},
        {"channel_cost_rate_bps", unsigned_in(c.ledger.channel_cost_rate_bps, 0, 10'000)},
        {"fee_rounding",
         [&c](const toml::node& node, const std::string& key) -> Status {
           const auto value = node.value_exact<std::string>();
           if (!value || std::find(kFeeRoundingNames.begin(), kFeeRoundingNames.end(), *value) ==
                             kFeeRoundingNames.end())
             return config_error(key, "must be \"half_up\", \"half_even\" or \"down\"");
           c.ledger.fee_rounding = *value;
           return {};
         }},
        {"refund_fees", bool_into(c.ledger.refund_fees)},
        {"verify_each_command", bool_into(c.ledger.verify_each_command)}}},
      {"refunds",
       {{"first_check_ms", unsigned_in(c.refunds.first_check_ms, 10, 3'600'000)},
        {"check_interval_max_ms", unsigned_in(c.refunds.check_interval_max_ms, 10, 86'400'000)}}},
      {"webhooks",
       {{"workers", unsigned_in(c.webhooks.workers, 1, 256)},
        {"per_destination_max", unsigned_in(c.webhooks.per_destination_max, 1, 256)},
        {"timeout_ms", unsigned_in(c.webhooks.timeout_ms, 100, 120'000)},
        {"first_retry_ms", unsigned_in(c.webhooks.first_retry_ms, 10, 3'600'000)},
        {"retry_max_ms", unsigned_in(c.webhooks.retry_max_ms, 10, 86'400'000)},
        {"give_up_after_ms", unsigned_in(c.webhooks.give_up_after_ms, 100, 30u * 86'400'000u)},
        {"poll_interval_ms", unsigned_in(c.webhooks.poll_interval_ms, 5, 60'000)},
        {"allow_private_networks", bool_into(c.webhooks.allow_private_networks)},
        {"allowed_networks", networks_into(c.webhooks.allowed_networks)}}},
      {"http", {{"handler_timeout_ms", unsigned_in(c.http.handler_timeout_ms, 10, 600'000)}}},
      {"demo", {{"enabled", bool_into(c.demo.enabled)}}},
      {"log", {{"level", string_into(c.log.level)}}},
  };
}

// Every key of an account table must be one of keys; each is applied by its setter.
Status apply_keys(const std::vector<std::pair<std::string_view, Setter>>& keys, const toml::table& table,
                  const std::string& prefix) {
  for (const auto& [key, node] : table) {
    const std::string name(key.str());
    auto entry = std::find_if(keys.begin(), keys.end(),
                              [&](const auto& candidate) { return candidate.first == name; });
    if (entry == keys.end()) return config_error(prefix + "." + name, "unknown key");
    if (auto status = entry->second(node, prefix + "." + name); !status) return status;
  }
  return {};
}

Setter optional_rate_into(std::optional<std::int32_t>& out) {
  return [&out](const toml::node& node, const std::string& key) -> Status {
    std::int32_t rate = 0;
    if (auto status = unsigned_in(rate, 0, 10'000)(node, key); !status) return status;
    out = rate;
    return {};
  };
}

Status apply_wechatpay_account(WechatpayAccountConfig& account, const toml::table& table,
                               const std::string& prefix) {
  const std::vector<std::pair<std::string_view, Setter>> keys = {
      {"id", string_into(account.id)},
      {"mchid", string_into(account.mchid)},
      {"appid", string_into(account.appid)},
      {"merchant_private_key_file", string_into(account.merchant_private_key_file)},
      {"merchant_serial", string_into(account.merchant_serial)},
      {"apiv3_key_file", string_into(account.apiv3_key_file)},
      {"apiv3_key_env", string_into(account.apiv3_key_env)},
      {"base_url", string_into(account.base_url)},
      {"enabled", bool_into(account.enabled)},
      {"timeout_ms", unsigned_in(account.timeout_ms, 100, 120'000)},
      {"ca_file", string_into(account.ca_file)},
      {"platform_public_key_file", string_into(account.platform_public_key_file)},
      {"platform_public_key_id", string_into(account.platform_public_key_id)},
      {"certificate_refresh_s", unsigned_in(account.certificate_refresh_s, 60, 7 * 86'400)},
      {"cost_rate_bps", optional_rate_into(account.cost_rate_bps)},
  };
  if (auto status = apply_keys(keys, table, prefix); !status) return status;
  for (const auto& [value, key] :
       {std::pair{&account.id, "id"}, std::pair{&account.mchid, "mchid"}, std::pair{&account.appid, "appid"},
        std::pair{&account.merchant_private_key_file, "merchant_private_key_file"},
        std::pair{&account.merchant_serial, "merchant_serial"}}) {
    if (value->empty()) return config_error(prefix + "." + key, "is required");
  }
  if (account.apiv3_key_file.empty() == account.apiv3_key_env.empty())
    return config_error(prefix + ".apiv3_key_file",
                        "exactly one of apiv3_key_file and apiv3_key_env is required");
  if (account.platform_public_key_file.empty() != account.platform_public_key_id.empty())
    return config_error(prefix + ".platform_public_key_id", "platform_public_key_file and _id go together");
  if (!account.platform_public_key_id.empty() && account.platform_public_key_id.rfind("PUB_KEY_ID_", 0) != 0)
    return config_error(prefix + ".platform_public_key_id", "must start with PUB_KEY_ID_");
  return {};
}

Status apply_alipay_account(AlipayAccountConfig& account, const toml::table& table,
                            const std::string& prefix) {
  const std::vector<std::pair<std::string_view, Setter>> keys = {
      {"id", string_into(account.id)},
      {"app_id", string_into(account.app_id)},
      {"app_private_key_file", string_into(account.app_private_key_file)},
      {"alipay_public_key_file", string_into(account.alipay_public_key_file)},
      {"gateway_url", string_into(account.gateway_url)},
      {"enabled", bool_into(account.enabled)},
      {"timeout_ms", unsigned_in(account.timeout_ms, 100, 120'000)},
      {"ca_file", string_into(account.ca_file)},
      {"cost_rate_bps", optional_rate_into(account.cost_rate_bps)},
  };
  if (auto status = apply_keys(keys, table, prefix); !status) return status;
  for (const auto& [value, key] : {std::pair{&account.id, "id"}, std::pair{&account.app_id, "app_id"},
                                   std::pair{&account.app_private_key_file, "app_private_key_file"},
                                   std::pair{&account.alipay_public_key_file, "alipay_public_key_file"}}) {
    if (value->empty()) return config_error(prefix + "." + key, "is required");
  }
  return {};
}

Status apply_channels(ChannelsConfig& channels, const toml::table& table) {
  for (const auto& [key, node] : table) {
    const std::string name(key.str());
    if (name == "workers") {
      if (auto status = unsigned_in(channels.workers, 1, 256)(node, "channels.workers"); !status)
        return status;
    } else if (name == "queue_max") {
      if (auto status = unsigned_in(channels.queue_max, 1, 1'000'000)(node, "channels.queue_max"); !status)
        return status;
    } else if (name == "alipay") {
      const toml::array* accounts = node.as_array();
      if (accounts == nullptr)
        return config_error("channels.alipay", "must be an array of tables ([[channels.alipay]])");
      for (std::size_t i = 0; i < accounts->size(); ++i) {
        const std::string prefix = fmt::format("channels.alipay[{}]", i);
        const toml::table* account_table = (*accounts)[i].as_table();
        if (account_table == nullptr) return config_error(prefix, "must be a table");
        AlipayAccountConfig account;
        if (auto status = apply_alipay_account(account, *account_table, prefix); !status) return status;
        channels.alipay.push_back(std::move(account));
      }
    } else if (name == "wechatpay") {
      const toml::array* accounts = node.as_array();
      if (accounts == nullptr)
        return config_error("channels.wechatpay", "must be an array of tables ([[channels.wechatpay]])");
      for (std::size_t i = 0; i < accounts->size(); ++i) {
        const std::string prefix = fmt::format("channels.wechatpay[{}]", i);
        const toml::table* account_table = (*accounts)[i].as_table();
        if (account_table == nullptr) return config_error(prefix, "must be a table");
        WechatpayAccountConfig account;
        if (auto status = apply_wechatpay_account(account, *account_table, prefix); !status) return status;
        channels.wechatpay.push_back(std::move(account));
      }
    } else {
      return config_error("channels." + name, "unknown key");
    }
  }
  return {};
}

Status apply_table(Config& config, const toml::table& root) {
  auto known = sections(config);
  for (const auto& [section_key, section_node] : root) {
    const std::string section_name(section_key.str());
    if (section_name == "channels") {
      const toml::table* table = section_node.as_table();
      if (table == nullptr) return config_error(section_name, "must be a table");
      if (auto status = apply_channels(config.channels, *table); !status) return status;
      continue;
    }
    auto section =
        std::find_if(known.begin(), known.end(), [&](const Section& s) { return s.name == section_name; });
    if (section == known.end()) return config_error(section_name, "unknown section");
    const toml::table* table = section_node.as_table();
    if (table == nullptr) return config_error(section_name, "must be a table");
    for (const auto& [key, node] : *table) {
      const std::string name(key.str());
      const std::string full_key = section_name + "." + name;
      auto entry = std::find_if(section->keys.begin(), section->keys.end(),
                                [&](const auto& candidate) { return candidate.first == name; });
      if (entry == section->keys.end()) return config_error(full_key, "unknown key");
      if (auto status = entry->second(node, full_key); !status) return status;
    }
  }
  return {};
}

// A postgres store names where it connects, without the password (which never sits in a config file).
Status validate_store_url(const StoreConfig& store) {
  if (store.backend != "postgres") return {};
  const std::string& url = store.url;
  if (url.empty()) return config_error("store.url", "must be set for backend \"postgres\"");
  const std::string_view text = url;
  std::size_t scheme_end = 0;
  if (text.starts_with("postgresql://")) {
    scheme_end = 13;
  } else if (text.starts_with("postgres://")) {
    scheme_end = 11;
  } else {
    return config_error("store.url", "must start with postgresql://");
  }
  const std::string_view rest = text.substr(scheme_end);
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?"));
  const std::size_t at = authority.rfind('@');
  const bool password_in_authority =
      at != std::string_view::npos && authority.substr(0, at).find(':') != std::string_view::npos;
  if (password_in_authority || text.find("password=") != std::string_view::npos) {
    return config_error("store.url",
                        "must not hold a password; use store.password_file or PAYGATE_STORE_PASSWORD");
  }
  return {};
}

}  // namespace

std::string Config::sqlite_path() const {
  return store.sqlite_path.empty() ? store.data_dir + "/paygate.db" : store.sqlite_path;
}

std::string Config::listen_address() const {
  return fmt::format("{}:{}", server.listen_host, server.listen_port);
}

std::string Config::public_base_url() const {
  if (!server.public_url.empty()) return server.public_url;
  return "http://" + listen_address();
}

Status set_listen(Config& config, std::string_view host_port) {
  const auto colon = host_port.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return config_error("listen", "must be HOST:PORT");
  const std::string_view port_text = host_port.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5) return config_error("listen", "port must be 0..65535");
  int port = 0;
  for (char c : port_text) {
    if (c < '0' || c > '9') return config_error("listen", "port must be 0..65535");
    port = port * 10 + (c - '0');
  }
  if (port > 65535) return config_error("listen", "port must be 0..65535");
  config.server.listen_host = std::string(host_port.substr(0, colon));
  config.server.listen_port = static_cast<std::uint16_t>(port);
  return {};
}

Result<Config> load_config(std::string_view path) {
  Config config;
  if (path.empty()) return config;
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return make_error(ErrorCode::kInvalidParameter,
                      fmt::format("{}:{}:{}: {}", path, where.line, where.column, e.description()));
  }
  if (auto status = apply_table(config, root); !status) return std::move(status).error();
  if (auto status = validate(config); !status) return std::move(status).error();
  return config;
}

Status apply_environment(Config& config) {
  if (const char* listen = std::getenv("PAYGATE_LISTEN"); listen != nullptr && *listen != '\0') {
    if (auto status = set_listen(config, listen); !status) {
      return config_error("PAYGATE_LISTEN", status.error().message);
    }
  }
  if (const char* data_dir = std::getenv("PAYGATE_DATA_DIR"); data_dir != nullptr && *data_dir != '\0') {
    config.store.data_dir = data_dir;
  }
  if (const char* backend = std::getenv("PAYGATE_STORE_BACKEND"); backend != nullptr && *backend != '\0') {
    const std::string_view value = backend;
    if (value != "sqlite" && value != "postgres")
      return config_error("PAYGATE_STORE_BACKEND", "must be sqlite or postgres");
    config.store.backend = std::string(value);
  }
  if (const char* node = std::getenv("PAYGATE_NODE_ID"); node != nullptr && *node != '\0') {
    config.node.id = node;
  }
  if (const char* url = std::getenv("PAYGATE_STORE_URL"); url != nullptr && *url != '\0') {
    config.store.url = url;
  }
  if (const char* url = std::getenv("PAYGATE_REDIS_URL"); url != nullptr && *url != '\0') {
    config.redis.url = url;
  }
  if (const char* demo = std::getenv("PAYGATE_DEMO_ENABLED"); demo != nullptr && *demo != '\0') {
    const std::string_view value = demo;
    if (value != "0" && value != "1") return config_error("PAYGATE_DEMO_ENABLED", "must be 0 or 1");
    config.demo.enabled = value == "1";
  }
  if (const char* verify = std::getenv("PAYGATE_LEDGER_VERIFY_EACH_COMMAND");
      verify != nullptr && *verify != '\0') {
    const std::string_view value = verify;
    if (value != "0" && value != "1")
      return config_error("PAYGATE_LEDGER_VERIFY_EACH_COMMAND", "must be 0 or 1");
    config.ledger.verify_each_command = value == "1";
  }
  return {};
}

Status validate(const Config& config) {
  if (config.server.listen_host.empty()) return config_error("server.listen", "host must not be empty");
  if (config.store.data_dir.empty()) return config_error("store.data_dir", "must not be empty");
  if (!log::parse_level(config.log.level))
    return config_error("log.level", "must be debug, info, warn or error");
  if (!config.server.public_url.empty() && config.server.public_url.rfind("http://", 0) != 0 &&
      config.server.public_url.rfind("https://", 0) != 0) {
    return config_error("server.public_url", "must start with http:// or https://");
  }
  // Account ids name notify URLs and orders' accounts across channels: unique over all of them.
  std::vector<std::pair<std::string, std::string>> ids;  // id, key that set it
  for (std::size_t i = 0; i < config.channels.alipay.size(); ++i)
    ids.emplace_back(config.channels.alipay[i].id, fmt::format("channels.alipay[{}].id", i));
  for (std::size_t i = 0; i < config.channels.wechatpay.size(); ++i)
    ids.emplace_back(config.channels.wechatpay[i].id, fmt::format("channels.wechatpay[{}].id", i));
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (!is_token(ids[i].first, 32))
      return config_error(ids[i].second, "must be 1-32 characters of [A-Za-z0-9_-]");
    for (std::size_t j = 0; j < i; ++j) {
      if (ids[j].first == ids[i].first) return config_error(ids[i].second, "is used twice");
    }
  }
  if (auto status = validate_store_url(config.store); !status) return status;
  if (!config.redis.url.empty() && config.redis.url.rfind("redis://", 0) != 0)
    return config_error("redis.url", "must start with redis://");
  if (!config.node.id.empty() && !is_token(config.node.id, 64))
    return config_error("node.id", "must be 1-64 characters of [A-Za-z0-9_-]");
  if (config.store.write_batch_max > config.store.writer_queue_max) {
    return config_error("store.write_batch_max", "must not exceed store.writer_queue_max");
  }
  return {};
}

}  // namespace paygate
