// Merchant webhooks: the dispatcher drains the outbox to each event's notify_url, signed with the merchant's
// webhook secret, at least once and with the same event id on every attempt. A 2xx ends an event; anything
// else (another status, a refused connection, a timeout) is retried with exponential backoff and full
// jitter until give_up_after_ms, then dead-lettered. An order's events go out in order (the store holds a
// later one back while an earlier one is pending), and each destination has a bounded number of deliveries
// in flight, so a slow or dead endpoint never holds up other merchants.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "app/delivery_window.h"
#include "core/config.h"
#include "core/metrics.h"
#include "core/periodic_worker.h"
#include "core/time.h"
#include "core/worker_pool.h"
#include "ports/store.h"
#include "ports/webhook_sender.h"

namespace paygate {

// "t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>": the Paygate-Signature header.
std::string webhook_signature(std::string_view webhook_secret, std::int64_t unix_s, std::string_view body);

// When to try an event again after `attempts` failed attempts: a uniformly random wait in
// [0, min(retry_max_ms, first_retry_ms × 2^(attempts−1))] (full jitter), or 0 — dead-letter it — once the
// event is older than give_up_after_ms. random_unit is in [0, 1).
std::int64_t next_webhook_attempt_ms(const WebhookConfig& config, std::int32_t attempts,
                                     std::int64_t created_at_ms, std::int64_t now_ms, double random_unit);

class WebhookDispatcher {
 public:
  // node_id names this node on the events it claims (ports/job_claim.h).
  WebhookDispatcher(Store& store, WebhookSender& sender, const Clock& clock, WebhookConfig config,
                    MetricsRegistry& metrics, std::string node_id = "local");
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;
  ~WebhookDispatcher();

  void start();
  // Stops taking new events; deliveries in flight finish (each bounded by timeout_ms) and are recorded.
  void stop();
  // Looks at the outbox now rather than at the next poll (an order moved, so an event was written).
  void wake() { poller_.wake(); }
  // Hands every due event to the workers (bounded per destination); returns how many it started.
  std::size_t dispatch_due();

 private:
  void deliver(OutboxEvent event, std::string destination);
  std::int64_t lease_ms() const;
  void finished(const std::string& event_id, const std::string& destination);
  // The merchant's webhook secret, cached for kSecretCacheMs; "" when it has none.
  std::string webhook_secret(const MerchantId& merchant_id);
  static constexpr std::int64_t kSecretCacheMs = 5'000;
  // Under load every order that moves wakes the dispatcher: one claim per 2 ms carries all their events
  // (a merchant waits at most that much longer for a webhook).
  static constexpr std::chrono::milliseconds kWakeGap{2};

  Store& store_;
  WebhookSender& sender_;
  const Clock& clock_;
  const WebhookConfig config_;
  const std::string node_id_;
  WorkerPool workers_;
  Counter& delivered_;
  Counter& failed_;
  Counter& dead_;

  std::mutex mutex_;
  std::condition_variable window_;  // a worker became free
  bool stopping_ = false;
  DeliveryWindow deliveries_;
  std::map<std::string, std::pair<std::string, std::int64_t>> secrets_;  // merchant -> (secret, valid until)
  PeriodicWorker poller_;                                                // last: stopped before the rest goes
};

}  // namespace paygate
