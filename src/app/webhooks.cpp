#include "app/webhooks.h"

#include <algorithm>

#include "core/log.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random.h"
#include "domain/destination_policy.h"
#include "fmt/format.h"

namespace paygate {
namespace {

// "https://shop.example:8443/hooks?x=1" -> "https://shop.example:8443": deliveries are bounded per host.
std::string destination_of(const std::string& url) {
  const auto scheme_end = url.find("://");
  const auto host_start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  return url.substr(0, url.find_first_of("/?#", host_start));
}

// Events a round claims per worker: enough to keep every worker busy until the next round, few enough that
// a round's claims are all started well inside their lease.
constexpr std::uint32_t kClaimedPerWorker = 4;

}  // namespace

std::string webhook_signature(std::string_view webhook_secret, std::int64_t unix_s, std::string_view body) {
  std::string signed_text = std::to_string(unix_s);
  signed_text += '.';
  signed_text += body;
  return fmt::format("t={},v1={}", unix_s,
                     crypto::hex_encode(crypto::hmac_sha256(webhook_secret, signed_text)));
}

std::int64_t next_webhook_attempt_ms(const WebhookConfig& config, std::int32_t attempts,
                                     std::int64_t created_at_ms, std::int64_t now_ms, double random_unit) {
  if (now_ms - created_at_ms >= config.give_up_after_ms) return 0;
  std::int64_t ceiling = config.first_retry_ms;
  for (std::int32_t i = 1; i < attempts && ceiling < config.retry_max_ms; ++i) ceiling *= 2;
  ceiling = std::min<std::int64_t>(ceiling, config.retry_max_ms);
  const auto wait = static_cast<std::int64_t>(random_unit * static_cast<double>(ceiling + 1));
  return std::max<std::int64_t>(now_ms + wait, now_ms + 1);
}

WebhookDispatcher::WebhookDispatcher(Store& store, WebhookSender& sender, const Clock& clock,
                                     WebhookConfig config, MetricsRegistry& metrics, std::string node_id)
    : store_(store),
      sender_(sender),
      clock_(clock),
      config_(config),
      node_id_(std::move(node_id)),
      workers_("paygate-webhook", config.workers, config.workers * kClaimedPerWorker * 4),
      delivered_(
          metrics.counter("paygate_webhooks_delivered_total", "Events a merchant endpoint accepted (2xx)")),
      failed_(metrics.counter("paygate_webhook_attempts_failed_total", "Delivery attempts that failed")),
      dead_(metrics.counter("paygate_webhooks_dead_total", "Events given up after the whole retry schedule")),
      deliveries_(config.per_destination_max) {}

WebhookDispatcher::~WebhookDispatcher() { stop(); }

void WebhookDispatcher::start() {
  poller_.start(
      "paygate-hooks", std::chrono::milliseconds(config_.poll_interval_ms), [this] { dispatch_due(); },
      kWakeGap);
}

void WebhookDispatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  window_.notify_all();
  poller_.stop();
  workers_.stop();
}

std::size_t WebhookDispatcher::dispatch_due() {
  // One claim hands out a batch (ports/job_claim.h): asking the store again after every delivery cost more
  // than the delivery itself, and claiming keeps other nodes off these events while this one sends them.
  std::uint64_t round = 0;
  {
    std::lock_guard lock(mutex_);
    round = deliveries_.begin_round();
  }
  struct RoundEnd {
    WebhookDispatcher& dispatcher;
    ~RoundEnd() {
      std::lock_guard lock(dispatcher.mutex_);
      dispatcher.deliveries_.end_round();
    }
  } round_end{*this};
  const std::int64_t now_ms = clock_.now_unix_ms();
  const std::uint32_t claim_max = config_.workers * kClaimedPerWorker;
  auto due = wait_for_completion<std::vector<OutboxEvent>>([&](auto done) {
    store_.claim_due_events(JobClaim{node_id_, now_ms, lease_ms(), claim_max}, std::move(done));
  });
  if (!due.ok()) {
    log::warn("webhook_poll_failed", {{"error", due.error().message}});
    return 0;
  }
  std::size_t started = 0;
  std::vector<std::string> unstarted;  // claimed but not started this round: given back, due now
  for (OutboxEvent& event : *due) {
    std::string destination = destination_of(event.notify_url);
    {
      std::unique_lock lock(mutex_);
      // Keep every worker busy but no more: a full window waits here for a delivery to finish.
      window_.wait(lock, [this] { return stopping_ || deliveries_.in_flight() < config_.workers; });
      if (stopping_) {
        unstarted.push_back(event.event_id);
        continue;
      }
      if (deliveries_.is_in_flight(event.event_id)) continue;  // still ours, from a lease that ran out
      if (!deliveries_.try_start(round, event.event_id, destination)) {
        unstarted.push_back(event.event_id);
        continue;
      }
    }
    const std::string event_id = event.event_id;
    // A delivery that throws still ends: its in-flight entry is released and the event stays due.
    if (!workers_.submit(
            [this, event = std::move(event), destination]() mutable {
              deliver(std::move(event), std::move(destination));
            },
            [this, event_id, destination](std::string_view) { finished(event_id, destination); })) {
      finished(event_id, destination);
      unstarted.push_back(event_id);
      continue;
    }
    ++started;
  }
  if (!unstarted.empty()) {
    store_.release_events(std::move(unstarted), now_ms, [](Result<std::int64_t> released) {
      if (!released.ok()) log::warn("webhook_release_failed", {{"error", released.error().message}});
    });
  }
  // A full claim means more is due: the next round starts at once.
  if (due->size() == claim_max) poller_.wake();
  return started;
}

std::int64_t WebhookDispatcher::lease_ms() const {
  // A round starts at most kClaimedPerWorker deliveries per worker, each bounded by the timeout: the lease
  // outlasts the slowest round, so another node never takes an event this one is about to send.
  return std::int64_t{config_.timeout_ms} * (kClaimedPerWorker + 1) + 30'000;
}

std::string WebhookDispatcher::webhook_secret(const MerchantId& merchant_id) {
  const std::int64_t now_ms = clock_.now_unix_ms();
  {
    std::lock_guard lock(mutex_);
    if (auto it = secrets_.find(merchant_id.value); it != secrets_.end() && it->second.second > now_ms)
      return it->second.first;
  }
  auto merchant = store_.find_merchant(merchant_id);
  if (!merchant.ok() || !*merchant) return "";
  std::lock_guard lock(mutex_);
  // Cached briefly: a rotated secret is in use within kSecretCacheMs.
  secrets_[merchant_id.value] = {(*merchant)->webhook_secret, now_ms + kSecretCacheMs};
  return (*merchant)->webhook_secret;
}

void WebhookDispatcher::deliver(OutboxEvent event, std::string destination) {
  const std::int64_t now_ms = clock_.now_unix_ms();
  DeliveryAttempt attempt{event.event_id, false, 0, "", now_ms, 0};
  const std::string secret = webhook_secret(event.merchant_id);
  if (secret.empty()) {
    attempt.error = "the merchant has no webhook secret";
  } else {
    const std::vector<std::pair<std::string, std::string>> headers = {
        {"content-type", "application/json"},
        {"user-agent", "paygate-webhooks/1"},
        {"paygate-event-id", event.event_id},
        {"paygate-signature", webhook_signature(secret, now_ms / 1000, event.payload)}};
    auto status = sender_.post(event.notify_url, headers, event.payload);
    if (status.ok()) {
      attempt.http_status = *status;
      attempt.delivered = *status >= 200 && *status < 300;
      if (!attempt.delivered) attempt.error = fmt::format("the endpoint answered {}", *status);
    } else if (status.error().code == ErrorCode::kDestinationForbidden) {
      attempt.error = kDestinationForbidden;  // the one word: nothing about what lies behind the address
    } else {
      attempt.error = status.error().message.substr(0, 200);
    }
  }
  if (attempt.delivered) {
    delivered_.increment();
  } else {
    failed_.increment();
    std::uint64_t bits = 0;
    crypto::fill_random(&bits, sizeof bits);
    const double unit = static_cast<double>(bits >> 11) * 0x1.0p-53;  // 53 random bits in [0, 1)
    attempt.next_attempt_at_ms =
        next_webhook_attempt_ms(config_, event.attempts + 1, event.created_at_ms, clock_.now_unix_ms(), unit);
    if (attempt.next_attempt_at_ms == 0) {
      dead_.increment();
      log::warn("webhook_dead", {{"event_id", event.event_id}, {"attempts", event.attempts + 1}});
    }
  }
  store_.record_delivery(
      std::move(attempt),
      [this, event_id = event.event_id, destination = std::move(destination)](Result<OutboxEvent> recorded) {
        if (!recorded.ok())
          log::warn("webhook_record_failed", {{"event_id", event_id}, {"error", recorded.error().message}});
        finished(event_id, destination);
      });
}

void WebhookDispatcher::finished(const std::string& event_id, const std::string& destination) {
  {
    std::lock_guard lock(mutex_);
    deliveries_.finished(event_id, destination);
  }
  window_.notify_all();
  poller_.wake();  // the next event of this order (held back behind this one) may now be due
}

}  // namespace paygate
