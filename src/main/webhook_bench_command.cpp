// `paygate bench webhooks`: merchant webhook dispatch, in-process, to a local receiver over real HTTP.
// Phase 1 (throughput): --events paid orders are written with a notify_url first, then the dispatcher
// delivers them all (signed, recorded durably) and the run is timed until the receiver has every one.
// Phase 2 (delay): orders are paid at --rate per second while the dispatcher runs; the receiver measures
// each event's delay from the payment (the event's created_at) to its arrival.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <mutex>
#include <thread>

#include "app/webhooks.h"
#include "core/log.h"
#include "crypto/random_ids.h"
#include "infra/http/webhook_http_sender.h"
#include "main/commands.h"
#include "net/http_server.h"
#include "nlohmann/json.hpp"

namespace paygate::cli {
namespace {

using SteadyClock = std::chrono::steady_clock;

struct ReceiverStats {
  std::mutex mutex;
  std::atomic<std::uint64_t> received{0};
  std::vector<std::int64_t> delays_ms;  // phase 2 only
  bool measuring_delay = false;
};

Order bench_order(const MerchantId& merchant, const std::string& notify_url, std::uint64_t n,
                  std::int64_t now_ms) {
  Order order;
  order.order_id = new_order_id(now_ms);
  order.merchant_id = merchant;
  order.out_trade_no = "hook-" + std::to_string(n);
  order.amount = Money{990, Currency::kCny};
  order.subject = "webhook bench";
  order.channel = Channel::kAlipay;
  order.method = "qr";
  order.notify_url = notify_url;
  order.channel_account_id = "bench";
  order.version = 1;
  order.created_at_ms = order.updated_at_ms = now_ms;
  order.expires_at_ms = now_ms + 3'600'000;
  order.request_fingerprint = "fp";
  return order;
}

// Creates the order and pays it (two durable commands, chained without blocking); done(ok) at the end.
void pay_order(Store& store, Order order, std::uint64_t n, const Clock& clock,
               std::function<void(bool)> done) {
  const OrderId id = order.order_id;
  store.create_order(
      std::move(order), [&store, &clock, id, n, done = std::move(done)](Result<CreatedOrder> created) {
        if (!created.ok()) return done(false);
        const std::int64_t now_ms = clock.now_unix_ms();
        ChannelTradeReport report{"n-" + id.value,         id,    ChannelTradeStatus::kPaid, 990,
                                  "T" + std::to_string(n), now_ms};
        store.apply_channel_event(ChannelTradeEvent{Channel::kAlipay, "bench", report, "", now_ms, {60, 60}},
                                  [done](Result<ChannelTradeOutcome> paid) { done(paid.ok()); });
      });
}

double percentile(std::vector<std::int64_t> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return static_cast<double>(values[static_cast<std::size_t>(p * static_cast<double>(values.size() - 1))]);
}

}  // namespace

int run_webhook_bench(const CommonOptions& common, const BenchOptions& options) {
  auto opened = open_scratch_store(common, "webhook-bench");
  if (!opened.ok()) return fail(opened.error().message);
  Store& store = *(*opened)->store;
  const Clock& clock = (*opened)->clock;
  MetricsRegistry& metrics = (*opened)->metrics;
  const Config& config = (*opened)->config;
  const MerchantId merchant{"mch_webhook_bench"};
  auto created = wait_for<Merchant>([&](auto done) {
    store.create_merchant(Merchant{merchant, "bench", "sk", true, clock.now_unix_ms(), new_webhook_secret()},
                          std::move(done));
  });
  if (!created.ok()) return fail(created.error().message);

  ReceiverStats stats;
  http::Server receiver(
      http::ServerLimits{},
      [&](const http::Request& request, http::Responder respond) {
        if (stats.measuring_delay) {
          const auto body = nlohmann::json::parse(request.body, nullptr, false);
          if (auto created_at = parse_rfc3339_ms(body.value("created_at", ""))) {
            std::lock_guard lock(stats.mutex);
            stats.delays_ms.push_back(clock.now_unix_ms() - *created_at);
          }
        }
        ++stats.received;
        respond(http::Response{200, "application/json", {}, "{}", nullptr});
      },
      metrics);
  auto port = receiver.listen("127.0.0.1", 0);
  if (!port.ok()) return fail(port.error().message);
  std::thread receiver_thread([&] { receiver.run(1, [] {}); });
  const std::string url = "http://127.0.0.1:" + std::to_string(*port) + "/hooks";

  std::atomic<std::uint64_t> prepared{0}, prepare_failures{0};
  for (std::uint32_t i = 0; i < options.orders; ++i) {
    pay_order(store, bench_order(merchant, url, i, clock.now_unix_ms()), i, clock,
              [&](bool ok) { ok ? ++prepared : ++prepare_failures; });
    while (i - prepared - prepare_failures > 4'096) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  while (prepared + prepare_failures < options.orders)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (prepare_failures > 0) return fail("preparing the paid orders failed");
  // The receiver runs on loopback beside the bench.
  http::WebhookHttpSender sender(config.webhooks.timeout_ms,
                                 DestinationPolicy{false, {*IpNetwork::parse("127.0.0.0/8")}});
  WebhookConfig webhook_config = config.webhooks;
  webhook_config.per_destination_max = webhook_config.workers;  // one merchant here: let it use every worker
  WebhookDispatcher dispatcher(store, sender, clock, webhook_config, metrics);
  const auto start = SteadyClock::now();
  dispatcher.start();
  while (stats.received < options.orders) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const double throughput_s = std::chrono::duration<double>(SteadyClock::now() - start).count();
  // Phase 2 starts from a quiet outbox: every phase 1 delivery also recorded, not just received.
  while (true) {
    auto pending =
        store.list_events(EventQuery{merchant, std::nullopt, DeliveryStatus::kPending, std::nullopt, 1});
    if (pending.ok() && pending->events.empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  // Phase 2: payments at a steady rate while the dispatcher keeps up.
  stats.measuring_delay = true;
  const std::uint64_t before = stats.received;
  const auto phase2_end = SteadyClock::now() + std::chrono::seconds(options.duration_s);
  std::uint64_t paid = 0;
  const auto interval = std::chrono::nanoseconds(1'000'000'000 / std::max<std::uint32_t>(options.rate, 1));
  auto next = SteadyClock::now();
  std::atomic<std::uint64_t> phase2_failures{0};
  while (SteadyClock::now() < phase2_end) {
    const std::uint64_t n = options.orders + paid;
    // As in serve, where the realtime hub tells the dispatcher that an order moved.
    pay_order(store, bench_order(merchant, url, n, clock.now_unix_ms()), n, clock, [&](bool ok) {
      if (!ok) ++phase2_failures;
      dispatcher.wake();
    });
    ++paid;
    next += interval;
    std::this_thread::sleep_until(next);
  }
  if (phase2_failures > 0) return fail("paying orders failed");
  while (stats.received < before + paid) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  dispatcher.stop();
  receiver.stop();
  receiver_thread.join();
  store.drain();
  // Attempts that failed (and were retried): a healthy local receiver should see none.
  std::uint64_t failed_attempts = 0;
  {
    const std::string text = metrics.render();
    const std::string name = "paygate_webhook_attempts_failed_total ";
    if (auto at = text.find("\n" + name); at != std::string::npos)
      failed_attempts = std::stoull(text.substr(at + 1 + name.size()));
  }
  std::vector<std::int64_t> delays;
  {
    std::lock_guard lock(stats.mutex);
    delays = stats.delays_ms;
  }
  const nlohmann::json out = {
      {"scenario", "webhooks"},
      {"events", options.orders},
      {"events_per_s", static_cast<double>(options.orders) / throughput_s},
      {"delay_phase_events", paid},
      {"delay_phase_rate_per_s", static_cast<double>(paid) / options.duration_s},
      {"delay_p50_ms", percentile(delays, 0.50)},
      {"delay_p99_ms", percentile(delays, 0.99)},
      {"workers", webhook_config.workers},
      {"failed_attempts", failed_attempts},
  };
  std::printf("%s\n", out.dump(2).c_str());
  std::filesystem::remove_all(config.store.data_dir);
  return 0;
}

}  // namespace paygate::cli
