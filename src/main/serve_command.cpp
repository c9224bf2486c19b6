// `paygate serve`: the composition root. Builds the object graph from configuration, serves until a signal,
// then drains in order: stop accepting, finish in-flight requests, flush the store.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "api/gateway.h"
#include "app/cashier.h"
#include "app/merchants.h"
#include "app/nonce_cache.h"
#include "app/notifies.h"
#include "app/operators.h"
#include "app/order_events.h"
#include "app/order_scheduler.h"
#include "app/webhooks.h"
#include "core/log.h"
#include "core/periodic_worker.h"
#include "core/worker_pool.h"
#include "fmt/format.h"
#include "fmt/ranges.h"
#include "infra/channels/alipay/alipay_gateway.h"
#include "infra/channels/wechatpay/wechatpay_gateway.h"
#include "infra/http/http_client.h"
#include "infra/http/webhook_http_sender.h"
#include "main/commands.h"
#include "main/redis_runtime.h"
#include "main/runtime.h"
#include "main/sandbox_runtime.h"
#include "net/http_server.h"
#include "nlohmann/json.hpp"

namespace paygate::cli {
namespace {

// Under `serve --sandbox` or [demo] enabled = true, and only then: on first start (no demo-merchant.json
// yet) creates a demo merchant and hands its credentials to the user, printed once on the terminal (never in
// a log line) and saved with mode 0600 for `paygate api` and the load generator.
Status ensure_demo_merchant(const Config& config, MerchantService& merchants) {
  const std::string path = config.store.data_dir + "/demo-merchant.json";
  if (std::filesystem::exists(path)) return {};
  auto merchant = wait_for<Merchant>([&](auto done) {
    merchants.create("Demo merchant", Actor{"system", ""}, std::move(done));
  });
  if (!merchant.ok()) return std::move(merchant).error();
  const nlohmann::json credentials = {{"merchant_id", merchant->merchant_id.value},
                                      {"secret", merchant->secret},
                                      {"webhook_secret", merchant->webhook_secret}};
  if (auto status = write_file_atomically(path, credentials.dump(2) + "\n", 0600); !status) return status;
  std::fprintf(stderr,
               "\npaygate: created the demo merchant (shown once; also saved to %s, mode 0600)\n"
               "  merchant_id:    %s\n  secret:         %s\n  webhook_secret: %s\n\n",
               path.c_str(), merchant->merchant_id.value.c_str(), merchant->secret.c_str(),
               merchant->webhook_secret.c_str());
  return {};
}

// Merchants created before webhooks existed get their first webhook secret; the demo merchant's file
// gains it too.
Status ensure_webhook_secrets(const Config& config, Store& store, MerchantService& merchants) {
  auto all = store.list_merchants();
  if (!all.ok()) return std::move(all).error();
  const std::string demo_path = config.store.data_dir + "/demo-merchant.json";
  for (const Merchant& merchant : *all) {
    if (!merchant.webhook_secret.empty()) continue;
    auto rotated = wait_for<Merchant>([&](auto done) {
      merchants.rotate_webhook_secret(merchant.merchant_id, Actor{"system", ""}, std::move(done));
    });
    if (!rotated.ok()) return std::move(rotated).error();
    auto demo = read_text_file(demo_path);
    if (!demo) continue;
    nlohmann::json credentials = nlohmann::json::parse(*demo, nullptr, false);
    if (credentials.is_object() && credentials.value("merchant_id", "") == merchant.merchant_id.value) {
      credentials["webhook_secret"] = rotated->webhook_secret;
      if (auto status = write_file_atomically(demo_path, credentials.dump(2) + "\n", 0600); !status)
        return status;
    }
  }
  return {};
}

// The key in the PEM file at path; errors name the config key and never quote the file.
Result<crypto::RsaPrivateKey> private_key_file(const std::string& path, const std::string& key) {
  auto text = read_text_file(path);
  if (!text) return make_error(ErrorCode::kInvalidParameter, key + ": cannot read");
  auto loaded = crypto::RsaPrivateKey::from_pem(*text);
  if (!loaded.ok()) return make_error(ErrorCode::kInvalidParameter, key + ": " + loaded.error().message);
  return loaded;
}

Result<crypto::RsaPublicKey> public_key_file(const std::string& path, const std::string& key) {
  auto text = read_text_file(path);
  if (!text) return make_error(ErrorCode::kInvalidParameter, key + ": cannot read");
  auto loaded = crypto::RsaPublicKey::from_pem(*text);
  if (!loaded.ok()) return make_error(ErrorCode::kInvalidParameter, key + ": " + loaded.error().message);
  return loaded;
}

// A WeChat Pay gateway from its [[channels.wechatpay]] entry: keys read from their files (the APIv3 key from
// a file or the environment), each problem named by its key and never quoting the secret.
Result<std::unique_ptr<wechatpay::WechatpayGateway>> wechatpay_gateway(const WechatpayAccountConfig& account,
                                                                       const std::string& prefix,
                                                                       const Clock& clock) {
  auto private_key =
      private_key_file(account.merchant_private_key_file, prefix + ".merchant_private_key_file");
  if (!private_key.ok()) return std::move(private_key).error();
  std::string apiv3_key;
  if (!account.apiv3_key_file.empty()) {
    auto text = read_text_file(account.apiv3_key_file);
    if (!text) return make_error(ErrorCode::kInvalidParameter, prefix + ".apiv3_key_file: cannot read");
    apiv3_key = std::move(*text);
    while (!apiv3_key.empty() && (apiv3_key.back() == '\n' || apiv3_key.back() == '\r')) apiv3_key.pop_back();
  } else {
    const char* value = std::getenv(account.apiv3_key_env.c_str());
    if (value == nullptr)
      return make_error(ErrorCode::kInvalidParameter, prefix + ".apiv3_key_env: the variable is not set");
    apiv3_key = value;
  }
  if (!wechatpay::is_apiv3_key(apiv3_key))
    return make_error(ErrorCode::kInvalidParameter, prefix + ".apiv3_key: must be 32 bytes");
  wechatpay::WechatpayAccount gateway_account{account.id,
                                              account.mchid,
                                              account.appid,
                                              std::move(private_key).value(),
                                              account.merchant_serial,
                                              std::move(apiv3_key)};
  gateway_account.base_url = account.base_url;
  gateway_account.timeout_ms = account.timeout_ms;
  gateway_account.ca_file = account.ca_file;
  gateway_account.certificate_refresh_ms = account.certificate_refresh_s * 1000;
  if (!account.platform_public_key_file.empty()) {
    auto key = public_key_file(account.platform_public_key_file, prefix + ".platform_public_key_file");
    if (!key.ok()) return std::move(key).error();
    gateway_account.platform_public_key_id = account.platform_public_key_id;
    gateway_account.platform_public_key = std::move(key).value();
  }
  return wechatpay::WechatpayGateway::create(std::move(gateway_account), clock);
}

// Builds a gateway for every enabled account of every channel; a key that does not load stops the start.
Status add_configured_accounts(const Config& config, const Clock& clock, ChannelRegistry& registry) {
  for (std::size_t i = 0; i < config.channels.alipay.size(); ++i) {
    const AlipayAccountConfig& account = config.channels.alipay[i];
    if (!account.enabled) continue;
    const std::string prefix = fmt::format("channels.alipay[{}]", i);
    auto private_key = private_key_file(account.app_private_key_file, prefix + ".app_private_key_file");
    if (!private_key.ok()) return std::move(private_key).error();
    auto public_key = public_key_file(account.alipay_public_key_file, prefix + ".alipay_public_key_file");
    if (!public_key.ok()) return std::move(public_key).error();
    auto gateway = alipay::AlipayGateway::create(
        alipay::AlipayAccount{account.id, account.app_id, std::move(private_key).value(),
                              std::move(public_key).value(), account.gateway_url, account.timeout_ms,
                              account.ca_file},
        clock);
    if (!gateway.ok()) return std::move(gateway).error();
    registry.add(std::move(gateway).value());
  }
  for (std::size_t i = 0; i < config.channels.wechatpay.size(); ++i) {
    const WechatpayAccountConfig& account = config.channels.wechatpay[i];
    if (!account.enabled) continue;
    auto gateway = wechatpay_gateway(account, fmt::format("channels.wechatpay[{}]", i), clock);
    if (!gateway.ok()) return std::move(gateway).error();
    registry.add(std::move(gateway).value());
  }
  return {};
}

// The sandbox "pay" button of the cashier: the payer pays at the channel's sandbox, which then notifies us.
Status pay_in_sandbox(const std::string& sandbox_base_url, const Order& order) {
  const bool wechatpay = order.channel == Channel::kWechatpay;
  auto url =
      http::parse_http_url(sandbox_base_url + (wechatpay ? "/sandbox/wechatpay/pay" : "/sandbox/alipay/pay"))
          .value();
  http::Client client(url.endpoint, 5'000);
  const nlohmann::json body =
      wechatpay ? nlohmann::json{{"mchid", kSandboxWechatpayMchid}, {"out_trade_no", order.order_id.value}}
                : nlohmann::json{{"app_id", kSandboxAlipayAppId}, {"out_trade_no", order.order_id.value}};
  auto response = client.send("POST", url.target, {}, body.dump());
  if (!response.ok())
    return make_error(ErrorCode::kChannelOutcomeUnknown, "sandbox: " + response.error().message);
  if (response->status != 200) return make_error(ErrorCode::kChannelRejected, "sandbox: " + response->body);
  return {};
}

// What the operator API shows of the channel accounts: every configured one with its state, and the
// sandbox's.
std::vector<ChannelAccountSummary> channel_account_summaries(const Config& config, bool sandbox) {
  std::vector<ChannelAccountSummary> accounts;
  for (const auto& account : config.channels.alipay)
    accounts.push_back({account.id, Channel::kAlipay, account.enabled, false});
  for (const auto& account : config.channels.wechatpay)
    accounts.push_back({account.id, Channel::kWechatpay, account.enabled, false});
  if (sandbox) {
    accounts.push_back({"alipay-sandbox", Channel::kAlipay, true, true});
    accounts.push_back({"wechatpay-sandbox", Channel::kWechatpay, true, true});
  }
  return accounts;
}

// The outbound destination guard for merchant webhooks. The in-process sandbox is a development setup on
// one machine, so it opens loopback (and says so); a production config opens only what it names.
DestinationPolicy webhook_destinations(const WebhookConfig& config, bool sandbox) {
  DestinationPolicy policy;
  policy.allow_private_networks = config.allow_private_networks;
  for (const std::string& cidr : config.allowed_networks)
    policy.allowed_networks.push_back(*IpNetwork::parse(cidr));
  if (sandbox) {
    policy.allowed_networks.push_back(*IpNetwork::parse("127.0.0.0/8"));
    policy.allowed_networks.push_back(*IpNetwork::parse("::1/128"));
  }
  if (sandbox || policy.allow_private_networks || !policy.allowed_networks.empty()) {
    log::warn("webhook_destinations_opened",
              {{"allow_private_networks", policy.allow_private_networks},
               {"allowed_networks", fmt::format("{}", fmt::join(config.allowed_networks, ","))},
               {"loopback_for_sandbox", sandbox}});
  }
  return policy;
}

}  // namespace

int run_serve(const CommonOptions& common, const ServeOptions& options) {
  const std::string& listen = options.listen;
  const auto started = std::chrono::steady_clock::now();
  auto config = resolve_config(common);
  if (config.ok() && !listen.empty()) {
    if (auto status = set_listen(*config, listen); !status) return fail(status.error().message);
  }
  if (!config.ok()) return fail(config.error().message);
  log::init(*log::parse_level(config->log.level));

  // Nodes on one PostgreSQL share replay protection and live updates through Redis: without it a replayed
  // request could pass on another node.
  if (config->store.backend == "postgres" && config->redis.url.empty()) {
    return fail(
        "store.backend = \"postgres\" needs [redis] url (or PAYGATE_REDIS_URL): nodes share replay "
        "protection "
        "and live updates through Redis");
  }
  SystemClock clock;
  MetricsRegistry metrics;
  auto store = open_store(*config, metrics, clock);
  if (!store.ok()) return fail(store.error().message);

  MerchantService merchants(**store, clock);
  if (options.sandbox || config->demo.enabled) {
    if (auto status = ensure_demo_merchant(*config, merchants); !status) return fail(status.error().message);
  }
  if (auto status = ensure_webhook_secrets(*config, **store, merchants); !status)
    return fail(status.error().message);

  ChannelRegistry channels;
  if (auto status = add_configured_accounts(*config, clock, channels); !status)
    return fail(status.error().message);
  std::unique_ptr<SandboxRuntime> sandbox;
  if (options.sandbox) {
    auto started = SandboxRuntime::start(config->store.data_dir, options.sandbox_listen,
                                         options.notify_retry_scale, clock);
    if (!started.ok()) return fail(started.error().message);
    sandbox = std::move(started).value();
    // The in-process sandbox gets its own account; configured accounts of the same channel come first.
    channels.add(alipay::AlipayGateway::create(sandbox->alipay_account("alipay-sandbox"), clock).value());
    channels.add(
        wechatpay::WechatpayGateway::create(sandbox->wechatpay_account("wechatpay-sandbox"), clock).value());
    sandbox->run_in_background();
  }
  WorkerPool channel_workers("paygate-channel", config->channels.workers, config->channels.queue_max);

  MerchantDirectory directory(**store, clock);
  NonceCache nonces(std::int64_t{config->auth.timestamp_window_s} * 1000,
                    config->auth.nonces_per_merchant_max);
  nonces.export_to(metrics.gauge("paygate_auth_nonces", "Request nonces remembered for replay protection"),
                   metrics.gauge("paygate_auth_nonce_table_bytes", "Bytes of the nonce fingerprint tables"));
  OrderEventHub order_events;
  const std::string node_id = resolve_node_id(*config);
  // Which node a scrape came from, whatever the scraper calls the target.
  metrics
      .gauge("paygate_node_info", "This node: its id and store backend (always 1)",
             {{"node", node_id}, {"store", config->store.backend}})
      .set(1);
  std::unique_ptr<RedisRuntime> shared;
  if (!config->redis.url.empty()) {
    auto started_redis = RedisRuntime::start(*config, **store, order_events, clock, metrics, node_id);
    if (!started_redis.ok()) return fail(started_redis.error().message);
    shared = std::move(started_redis).value();
  } else if (auto off = wait_for<bool>([&](auto done) { (**store).set_event_feed(false, std::move(done)); });
             !off.ok()) {
    return fail(off.error().message);  // no feed: nothing may pile up in its queue
  }
  Authenticator authenticator(directory, shared ? shared->replay_guard() : static_cast<ReplayGuard&>(nonces),
                              clock, config->auth.timestamp_window_s);
  IdempotencyService idempotency(**store, clock);
  const FeePolicy fees(*config);
  NotifyService notifies(**store, channels, order_events, clock, fees);
  // Set once the listener is bound (its port may be chosen at bind time).
  std::optional<OrderService> orders;

  std::optional<api::Gateway> gateway;
  const ServerConfig& sc = config->server;
  http::Server server(
      http::ServerLimits{sc.header_bytes_max, sc.body_bytes_max, sc.read_timeout_ms, sc.idle_timeout_ms,
                         sc.connections_max, sc.shutdown_timeout_ms, config->http.handler_timeout_ms},
      [&gateway](const http::Request& request, http::Responder respond) {
        gateway->handle(request, respond);
      },
      metrics);
  auto port = server.listen(sc.listen_host, sc.listen_port);
  if (!port.ok()) return fail(port.error().message);
  config->server.listen_port = *port;
  const DestinationPolicy destinations = webhook_destinations(config->webhooks, options.sandbox);
  orders.emplace(**store, clock, config->orders, channels, channel_workers, order_events, fees,
                 config->public_base_url(), destinations);
  CashierService::SandboxPay sandbox_pay;
  if (sandbox) {
    // The cashier's "pay in sandbox" button: the payer pays at the sandbox, which then notifies us.
    sandbox_pay = [base_url = sandbox->base_url()](const Order& order) {
      return pay_in_sandbox(base_url, order);
    };
  }
  CashierService cashier(**store, *orders, channels, channel_workers, order_events, std::move(sandbox_pay));
  RefundService refunds(**store, clock, config->refunds, channels, channel_workers, order_events,
                        config->public_base_url(), destinations, node_id);
  LedgerQueries ledger(**store);
  MerchantEvents merchant_events(**store, clock);
  http::WebhookHttpSender webhook_sender(config->webhooks.timeout_ms, destinations);
  WebhookDispatcher webhooks(**store, webhook_sender, clock, config->webhooks, metrics, node_id);
  // An order without a notify_url wrote an event no one is waiting for: nothing to deliver sooner. (A refund
  // with its own notify_url on such an order is found by the next poll.)
  order_events.subscribe_all([&webhooks](const Order& order) {
    if (!order.notify_url.empty()) webhooks.wake();
  });
  // Pending refunds whose answer was unclear (or never arrived) are asked about again on their schedule.
  PeriodicWorker refund_checker;
  OrderScheduler order_scheduler(**store, *orders, refunds, clock, config->orders, node_id);
  // What this node's previous run had claimed and not finished is due again now, not when its leases end.
  if (auto released = wait_for<std::int64_t>(
          [&](auto done) { (**store).release_claims(node_id, clock.now_unix_ms(), std::move(done)); });
      !released.ok()) {
    return fail(released.error().message);
  } else if (*released > 0) {
    log::info("claims_released", {{"node", node_id}, {"items", *released}});
  }

  std::atomic<bool> stopping{false};
  Store& store_ref = **store;
  OperatorService operators(**store, clock, channel_account_summaries(*config, options.sandbox));
  gateway.emplace(api::GatewayServices{
      authenticator, *orders, refunds, ledger, merchant_events, notifies, &cashier, &operators, idempotency,
      metrics,
      [&stopping, &store_ref] { return !stopping.load() && store_ref.find_merchant(MerchantId{"-"}).ok(); },
      config->public_base_url(), sc.access_log});

  // Tests and tools find a server started on port 0 through this file.
  const std::string address_file = config->store.data_dir + "/paygate.addr";
  if (auto status = write_file_atomically(address_file, config->listen_address() + "\n", 0600); !status) {
    return fail(status.error().message);
  }
  const int threads = sc.threads > 0 ? sc.threads : std::max(1u, std::thread::hardware_concurrency());
  const double startup_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  log::info("ready", {{"listen", config->listen_address()},
                      {"public_url", config->public_base_url()},
                      {"data_dir", config->store.data_dir},
                      {"store", config->store.backend},
                      {"node", node_id},
                      {"redis", !config->redis.url.empty()},
                      {"threads", threads},
                      {"startup_ms", startup_ms},
                      {"sandbox", sandbox ? sandbox->base_url() : std::string()},
                      {"pid", static_cast<std::int64_t>(::getpid())}});
  log::flush();

  refund_checker.start("paygate-refunds", std::chrono::milliseconds(250),
                       [&refunds] { refunds.check_due_refunds(100); });
  order_scheduler.start();
  webhooks.start();
  server.run(threads, [&stopping] { stopping = true; });
  refund_checker.stop();
  order_scheduler.stop();
  std::filesystem::remove(address_file);
  // Channel calls still queued finish (their store writes land), then the store flushes, then the sandbox.
  channel_workers.stop();
  webhooks.stop();             // deliveries in flight finish and are recorded; the rest wait in the outbox
  if (shared) shared->stop();  // what the feed has not taken waits in the store's queue
  (*store)->drain();
  if (sandbox) sandbox->stop();
  log::info("stopped", {});
  log::flush();
  return 0;
}

}  // namespace paygate::cli
