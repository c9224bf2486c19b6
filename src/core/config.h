// The gateway's configuration: TOML file + environment overrides, validated before anything starts.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace paygate {

struct ServerConfig {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;  // 0 picks a free port; the bound address goes to <data_dir>/paygate.addr
  std::string public_url;            // base of cashier_url; empty = http://<listen>
  int threads = 0;                   // io threads; 0 = one per core
  std::uint32_t body_bytes_max = 64 * 1024;
  std::uint32_t header_bytes_max = 16 * 1024;
  std::uint32_t read_timeout_ms = 10'000;  // a whole request must arrive within this
  std::uint32_t idle_timeout_ms = 60'000;  // a keep-alive connection with no request is closed after this
  std::uint32_t connections_max = 10'000;
  std::uint32_t shutdown_timeout_ms = 10'000;
  bool access_log = true;
};

struct StoreConfig {
  // "sqlite": the embedded default, one node. "postgres": several nodes sharing one PostgreSQL (with Redis).
  std::string backend = "sqlite";
  std::string data_dir = "./var";
  std::string sqlite_path;  // empty = <data_dir>/paygate.db
  std::uint32_t writer_queue_max =
      65'536;                             // commands waiting for the writer; beyond it writes get STORE_BUSY
  std::uint32_t write_batch_max = 4'096;  // commands per group commit (bounds a batch's latency)
  std::uint32_t readers = 4;              // reader connections
  // WAL pages (4 KiB) between background checkpoints: longer copies hot pages into the database fewer
  // times, shorter bounds the log that recovery replays after a crash.
  std::uint32_t checkpoint_wal_pages = 8'000;
  // How long a read waits for a free reader connection before it answers 503 STORE_BUSY.
  std::uint32_t reader_wait_ms = 2'000;
  // PostgreSQL only. The URL names hosts, port, user and database (several hosts with
  // target_session_attrs=read-write for a failover pair) but never a password: that comes from
  // password_file, else the environment variable PAYGATE_STORE_PASSWORD, else ~/.pgpass.
  std::string url;
  std::string password_file;
  std::uint32_t writers = 8;  // write commands in flight at once, one connection each
  std::uint32_t connect_timeout_ms = 5'000;
  std::uint32_t statement_timeout_ms = 10'000;
};

// Which node this process is (logs, metrics, and the work it claims). "" = generated at start:
// <hostname>-<8 hex of the data dir's path>, stable across restarts of the same node.
struct NodeConfig {
  std::string id;
};

// Redis, which several nodes share (replay protection, live updates across nodes, the paygate:events
// stream). Required with store.backend = "postgres"; optional on one SQLite node. The URL never holds the
// password: that comes from password_file, else the environment variable PAYGATE_REDIS_PASSWORD.
struct RedisConfig {
  std::string url;  // "redis://HOST[:PORT][/DB]"; "" = no Redis
  std::string password_file;
  std::uint32_t timeout_ms = 500;             // connect, and each round trip; past it: DEPENDENCY_UNAVAILABLE
  std::uint32_t events_stream_max = 100'000;  // paygate:events keeps about this many entries (XADD MAXLEN ~)
};

struct SecretsConfig {
  // The master key file every node reads (env PAYGATE_MASTER_KEY_FILE wins); "" = <data_dir>/master.key.
  std::string master_key_file;
};

struct AuthConfig {
  std::uint32_t timestamp_window_s = 300;
  // Live nonces one merchant may hold (8 bytes each at up to 3/4 load): 12 M covers 20k requests/s for the
  // whole ±300 s window a typical client's timestamps span (300 s × 20k = 6 M), with room for skewed clocks.
  std::uint32_t nonces_per_merchant_max = 12'000'000;
};

struct OrderConfig {
  std::uint32_t expire_seconds_default = 7'200;
  std::uint32_t expire_seconds_min = 60;  // the shortest expire_seconds a merchant may ask for
  // Active queries of pending channel orders: after query_first_ms, then ×2, ×6, ×12, ×24, ×60 of it, then
  // every 60× (5 s: 10 s, 30 s, 1 min, 2 min, 5 min, ...), until the order is paid, closed or expires.
  std::uint32_t query_first_ms = 5'000;
  std::uint32_t scheduler_interval_ms = 250;  // how often expiries and due queries are looked for
  // A payment reported for an order we had closed: "refund" gives it back to the payer automatically;
  // "keep" leaves it to the merchant (who gets order.late_payment either way).
  std::string late_payment = "refund";
};

// One Alipay application (TOML: [[channels.alipay]]).
struct AlipayAccountConfig {
  std::string id;  // channel_account_id: [A-Za-z0-9_-]{1,32}, part of the notify URL
  std::string app_id;
  std::string app_private_key_file;    // PEM (PKCS#1 or PKCS#8) or bare Base64
  std::string alipay_public_key_file;  // PEM or bare Base64
  std::string gateway_url = "https://openapi.alipay.com/gateway.do";
  bool enabled = true;
  std::uint32_t timeout_ms = 10'000;
  std::string ca_file;                        // trust only this CA bundle for the gateway; "" = system CAs
  std::optional<std::int32_t> cost_rate_bps;  // what Alipay charges on this account; absent = ledger default
};

// One WeChat Pay merchant (TOML: [[channels.wechatpay]]).
struct WechatpayAccountConfig {
  std::string id;  // channel_account_id: [A-Za-z0-9_-]{1,32}, part of the notify URL
  std::string mchid;
  std::string appid;
  std::string merchant_private_key_file;  // the merchant API key (PEM)
  std::string merchant_serial;            // the merchant API certificate's serial (hex)
  std::string apiv3_key_file;             // the 32-byte APIv3 key, in a file ...
  std::string apiv3_key_env;              // ... or in this environment variable
  std::string base_url = "https://api.mch.weixin.qq.com";
  bool enabled = true;
  std::uint32_t timeout_ms = 10'000;
  std::string ca_file;
  // Public-key mode: the platform's fixed public key (PEM) and its id (PUB_KEY_ID_…); no certificates.
  std::string platform_public_key_file;
  std::string platform_public_key_id;
  std::uint32_t certificate_refresh_s = 12 * 3600;
  std::optional<std::int32_t> cost_rate_bps;
};

struct ChannelsConfig {
  std::uint32_t workers = 8;        // threads making blocking channel calls
  std::uint32_t queue_max = 4'096;  // channel calls waiting for a worker; beyond it: 429
  std::vector<AlipayAccountConfig> alipay;
  std::vector<WechatpayAccountConfig> wechatpay;
};

// The rounding rules domain/ledger/rounding.h names (a unit test keeps the two lists equal).
inline constexpr std::array<std::string_view, 3> kFeeRoundingNames = {"half_up", "half_even", "down"};

// Fees and the ledger's own checks (DESIGN §5). Rates are basis points (60 = 0.6%).
struct LedgerConfig {
  std::int32_t merchant_fee_bps = 60;       // what paygate charges merchants on each payment
  std::int32_t channel_cost_rate_bps = 60;  // what a channel charges us, unless its account says otherwise
  std::string fee_rounding = "half_up";     // one of kFeeRoundingNames
  bool refund_fees = true;                  // refunds give the merchant our fee back in proportion
  bool verify_each_command = false;         // check the books inside every money command (tests)
};

// Pending refunds are asked about at their channel on a doubling schedule.
struct RefundConfig {
  std::uint32_t first_check_ms = 5'000;
  std::uint32_t check_interval_max_ms = 300'000;
};

// Merchant webhooks: delivery concurrency and deadline, and the retry schedule (exponential with full
// jitter from first_retry_ms, each wait capped at retry_max_ms, dead-lettered after give_up_after_ms).
struct WebhookConfig {
  std::uint32_t workers = 16;
  std::uint32_t per_destination_max = 4;  // deliveries in flight to one host: a slow merchant cannot take all
  std::uint32_t timeout_ms = 10'000;
  std::uint32_t first_retry_ms = 5'000;
  std::uint32_t retry_max_ms = 3'600'000;
  std::uint32_t give_up_after_ms = 86'400'000;
  std::uint32_t poll_interval_ms = 100;
  // The outbound destination guard (DESIGN §11): merchant-supplied URLs never reach loopback, private,
  // link-local … addresses unless allowed here. allow_private_networks is for development only;
  // allowed_networks (CIDRs) opens exactly the networks named, e.g. "127.0.0.1/32" for a local receiver.
  bool allow_private_networks = false;
  std::vector<std::string> allowed_networks;
};

// Bounds on the merchant-facing HTTP handling (the [server] limits bound the connection itself).
struct HttpConfig {
  // A request whose handler has not answered by then gets 504 HANDLER_TIMEOUT; its work may still finish.
  std::uint32_t handler_timeout_ms = 30'000;
};

// The demo merchant: made on first start, credentials printed once. Only under `serve --sandbox` or here.
struct DemoConfig {
  bool enabled = false;
};

struct LogConfig {
  std::string level = "info";
};

struct Config {
  ServerConfig server;
  StoreConfig store;
  SecretsConfig secrets;
  NodeConfig node;
  RedisConfig redis;
  AuthConfig auth;
  OrderConfig orders;
  ChannelsConfig channels;
  LedgerConfig ledger;
  RefundConfig refunds;
  WebhookConfig webhooks;
  HttpConfig http;
  DemoConfig demo;
  LogConfig log;

  std::string sqlite_path() const;
  std::string listen_address() const;
  std::string public_base_url() const;
};

// Reads the TOML file at path (or returns defaults when path is empty). Unknown sections and keys, wrong
// types and out-of-range values are errors whose message names the key, e.g. "server.body_bytes_max: …".
Result<Config> load_config(std::string_view path);

// Applies PAYGATE_LISTEN, PAYGATE_DATA_DIR, PAYGATE_STORE_BACKEND, PAYGATE_STORE_URL, PAYGATE_NODE_ID,
// PAYGATE_REDIS_URL, PAYGATE_DEMO_ENABLED (1|0) and PAYGATE_LEDGER_VERIFY_EACH_COMMAND (1|0) from the
// environment.
Status apply_environment(Config& config);

// "HOST:PORT" -> server.listen_host / listen_port.
Status set_listen(Config& config, std::string_view host_port);

Status validate(const Config& config);

}  // namespace paygate
