#include "app/refunds.h"

#include <algorithm>
#include <memory>

#include "app/channel_call.h"
#include "app/input_checks.h"
#include "core/log.h"
#include "core/text.h"
#include "crypto/digest.h"
#include "crypto/encoding.h"
#include "crypto/random_ids.h"
#include "fmt/format.h"

namespace paygate {
namespace {

// How long a claimed refund check is this node's: longer than a refund query and a refund call together.
constexpr std::int64_t kRefundCheckLeaseMs = 60'000;
constexpr std::int64_t kBusyRetryMs = 250;

// Canonical text of the fields that define the refund; equal fingerprints mean "the same refund request".
std::string fingerprint(const Refund& refund) {
  const std::string canonical = fmt::format(
      "order_id={}\x1f"
      "out_refund_no={}\x1f"
      "amount={}\x1f"
      "reason={}\x1f"
      "notify_url={}",
      refund.order_id.value, refund.out_refund_no, refund.amount.minor, refund.reason, refund.notify_url);
  return crypto::hex_encode(crypto::sha256(canonical));
}

}  // namespace

Result<Refund> preflight_create_refund(const MerchantId& merchant_id, std::string_view order_id,
                                       const CreateRefundInput& input, const RefundConfig& config,
                                       std::int64_t now_ms, const DestinationPolicy& destinations) {
  if (!is_order_id_syntax(order_id)) return make_error(ErrorCode::kOrderNotFound, "order not found");
  if (!input.out_refund_no) return invalid_field("out_refund_no", "is required");
  if (!is_token(*input.out_refund_no, 64))
    return invalid_field("out_refund_no", "must be 1-64 characters of [A-Za-z0-9_-]");
  if (!input.amount_minor) return invalid_field("amount", "is required (integer minor units, e.g. fen)");
  if (*input.amount_minor < 1 || *input.amount_minor > kMoneyMinorMax)
    return invalid_field("amount", "must be a positive number of minor units");
  if (input.reason) {
    const auto length = utf8_length(*input.reason);
    if (!length) return invalid_field("reason", "must be valid UTF-8");
    if (*length > kRefundReasonCharactersMax)
      return invalid_field("reason", "must be at most 256 characters");
    if (has_control_characters(*input.reason))
      return invalid_field("reason", "must not contain control characters");
  }
  if (input.notify_url) {
    if (auto status = check_notify_url(*input.notify_url, destinations); !status)
      return std::move(status).error();
  }
  Refund refund;
  refund.refund_id = new_refund_id(now_ms);
  refund.merchant_id = merchant_id;
  refund.order_id = OrderId{std::string(order_id)};
  refund.out_refund_no = *input.out_refund_no;
  // Orders are CNY today; the store checks the refund is in its order's currency.
  refund.amount = Money{*input.amount_minor, Currency::kCny};
  refund.reason = input.reason.value_or("");
  refund.notify_url = input.notify_url.value_or("");
  refund.status = RefundStatus::kPending;
  refund.created_at_ms = now_ms;
  refund.updated_at_ms = now_ms;
  // The create sends it once at once; if that answer is lost, the refund is asked about from here on.
  refund.channel_attempts = 1;
  refund.next_channel_check_ms = next_refund_check_ms(config, 1, now_ms);
  refund.request_fingerprint = fingerprint(refund);
  return refund;
}

std::int64_t next_refund_check_ms(const RefundConfig& config, std::int32_t attempts, std::int64_t now_ms) {
  std::int64_t delay = config.first_check_ms;
  for (std::int32_t i = 1; i < attempts && delay < config.check_interval_max_ms; ++i) delay *= 2;
  return now_ms + std::min<std::int64_t>(delay, config.check_interval_max_ms);
}

RefundService::RefundService(Store& store, const Clock& clock, RefundConfig config, ChannelRegistry& channels,
                             WorkerPool& workers, OrderEventHub& events, std::string notify_base_url,
                             DestinationPolicy destinations, std::string node_id)
    : store_(store),
      clock_(clock),
      config_(config),
      channels_(channels),
      workers_(workers),
      events_(events),
      notify_base_url_(std::move(notify_base_url)),
      destinations_(std::move(destinations)),
      node_id_(std::move(node_id)) {}

void RefundService::create(const MerchantId& merchant_id, std::string_view order_id,
                           const CreateRefundInput& input, Completion<CreatedRefund> done) {
  auto refund =
      preflight_create_refund(merchant_id, order_id, input, config_, clock_.now_unix_ms(), destinations_);
  if (!refund.ok()) return done(std::move(refund).error());
  store_.create_refund(std::move(refund).value(),
                       [this, done = std::move(done)](Result<CreatedRefund> created) mutable {
                         if (!created.ok() || !created->created) return done(std::move(created));
                         events_.publish(created->order);
                         Order order = created->order;
                         execute(std::move(created).value().refund, order, false,
                                 [order, done = std::move(done)](Result<Refund> refund) mutable {
                                   if (!refund.ok()) return done(std::move(refund).error());
                                   done(CreatedRefund{std::move(refund).value(), std::move(order), true});
                                 });
                       });
}

Result<Refund> RefundService::get(const MerchantId& merchant_id, std::string_view refund_id) {
  if (!is_refund_id_syntax(refund_id)) return make_error(ErrorCode::kRefundNotFound, "refund not found");
  auto refund = store_.find_refund(merchant_id, RefundId{std::string(refund_id)});
  if (!refund.ok()) return std::move(refund).error();
  if (!*refund)
    return make_error(ErrorCode::kRefundNotFound, fmt::format("refund_id '{}' not found", refund_id));
  return std::move(**refund);
}

Result<Refund> RefundService::get_by_out_refund_no(const MerchantId& merchant_id,
                                                   std::string_view out_refund_no) {
  if (!is_token(out_refund_no, 64))
    return invalid_field("out_refund_no", "must be 1-64 characters of [A-Za-z0-9_-]");
  auto refund = store_.find_refund_by_out_refund_no(merchant_id, std::string(out_refund_no));
  if (!refund.ok()) return std::move(refund).error();
  if (!*refund)
    return make_error(ErrorCode::kRefundNotFound, fmt::format("out_refund_no '{}' not found", out_refund_no));
  return std::move(**refund);
}

Result<std::vector<Refund>> RefundService::list_for_order(const MerchantId& merchant_id,
                                                          std::string_view order_id) {
  if (!is_order_id_syntax(order_id)) return make_error(ErrorCode::kOrderNotFound, "order not found");
  const OrderId id{std::string(order_id)};
  auto order = store_.find_order(merchant_id, id);
  if (!order.ok()) return std::move(order).error();
  if (!*order) return make_error(ErrorCode::kOrderNotFound, fmt::format("order_id '{}' not found", order_id));
  return store_.list_order_refunds(merchant_id, id);
}

void RefundService::sync(const MerchantId& merchant_id, std::string_view refund_id, Completion<Refund> done) {
  auto refund = get(merchant_id, refund_id);
  if (!refund.ok() || refund->status != RefundStatus::kPending) return done(std::move(refund));
  const std::int64_t now_ms = clock_.now_unix_ms();
  const std::int32_t attempts = refund->channel_attempts + 1;
  store_.note_refund_check(
      RefundCheck{refund->refund_id, attempts, next_refund_check_ms(config_, attempts, now_ms)},
      [this, done = std::move(done)](Result<Refund> noted) mutable {
        if (!noted.ok() || noted->status != RefundStatus::kPending) return done(std::move(noted));
        execute(std::move(noted).value(), std::nullopt, true, std::move(done));
      });
}

std::size_t RefundService::check_due_refunds(std::uint32_t limit) {
  const std::int64_t now_ms = clock_.now_unix_ms();
  auto due = wait_for_completion<std::vector<Refund>>([this, now_ms, limit](auto done) {
    store_.claim_due_refunds(JobClaim{node_id_, now_ms, kRefundCheckLeaseMs, limit}, std::move(done));
  });
  if (!due.ok()) {
    log::warn("refund_check_failed", {{"error", due.error().message}});
    return 0;
  }
  std::size_t started = 0;
  for (Refund& refund : *due) {
    {
      std::lock_guard lock(in_flight_mutex_);
      if (!in_flight_.insert(refund.refund_id.value).second) {
        // Claimed but still being checked here from an earlier round: due again in a moment, not after
        // the whole lease.
        store_.note_refund_check(
            RefundCheck{refund.refund_id, refund.channel_attempts, now_ms + kBusyRetryMs},
            [](Result<Refund>) {});
        continue;
      }
    }
    ++started;
    auto release = [this, refund_id = refund.refund_id.value] {
      std::lock_guard lock(in_flight_mutex_);
      in_flight_.erase(refund_id);
    };
    // Counting the attempt first means a crash mid-call only delays the next check; it never loses one.
    const std::int32_t attempts = refund.channel_attempts + 1;
    store_.note_refund_check(
        RefundCheck{refund.refund_id, attempts, next_refund_check_ms(config_, attempts, now_ms)},
        [this, release](Result<Refund> noted) {
          if (!noted.ok() || noted->status != RefundStatus::kPending) return release();
          execute(std::move(noted).value(), std::nullopt, true, [release](Result<Refund>) { release(); });
        });
  }
  return started;
}

void RefundService::execute(Refund refund, std::optional<Order> order, bool query_first,
                            Completion<Refund> done) {
  if (!order) {
    auto found = store_.find_order(refund.merchant_id, refund.order_id);
    if (!found.ok() || !*found) return done(std::move(refund));
    order = std::move(**found);
  }
  ChannelGateway* gateway = channels_.by_account(order->channel_account_id);
  if (gateway == nullptr) {
    log::warn("refund_channel_unconfigured",
              {{"refund_id", refund.refund_id.value}, {"account", order->channel_account_id}});
    return done(std::move(refund));
  }
  Refund saturated = refund;  // saturated channel workers: durable and pending; the checker sends it later
  auto call = [this, gateway, order = std::move(*order), refund = std::move(refund),
               query_first](const OnceCompletion<Refund>& finish) {
    if (query_first) {
      auto known = gateway->refund_query(order, refund.refund_id.value);
      if (!known.ok()) return finish(refund);  // unclear: stays pending, asked again later
      // Anything but "never received" is the channel's word on this id: never send it again.
      if (known->status != ChannelRefundStatus::kNotFound) return conclude(refund, *known, finish);
    }
    auto answer = gateway->refund(order, refund.refund_id.value, refund.amount.minor, refund.reason,
                                  fmt::format("{}/notify/{}/{}", notify_base_url_,
                                              to_string(gateway->channel()), gateway->account_id()));
    if (answer.ok()) return conclude(refund, *answer, finish);
    if (answer.error().code == ErrorCode::kChannelRejected) {
      return settle(refund, RefundStatus::kFailed, std::move(answer).error().message, finish);
    }
    log::warn("refund_outcome_unknown",
              {{"refund_id", refund.refund_id.value}, {"error", answer.error().message}});
    finish(refund);
  };
  run_channel_call<Refund>(workers_, std::move(done), std::move(call), std::move(saturated));
}

void RefundService::conclude(const Refund& refund, const ChannelRefund& answer, Completion<Refund> done) {
  switch (answer.status) {
    case ChannelRefundStatus::kSucceeded:
      if (answer.amount_minor != refund.amount.minor) {
        log::error("refund_amount_mismatch", {{"refund_id", refund.refund_id.value},
                                              {"channel_amount", answer.amount_minor},
                                              {"amount", refund.amount.minor}});
        return done(refund);  // stays pending, for a person to look at; the books are not touched
      }
      return settle(refund, RefundStatus::kSucceeded, "", std::move(done));
    case ChannelRefundStatus::kFailed:
      return settle(refund, RefundStatus::kFailed, "channel: " + answer.failure_code, std::move(done));
    case ChannelRefundStatus::kProcessing:
    case ChannelRefundStatus::kNotFound:
      return done(refund);  // asked again on its schedule
  }
}

void RefundService::settle(const Refund& refund, RefundStatus status, std::string failure_message,
                           Completion<Refund> done) {
  RefundSettlement settlement{refund.refund_id, status,
                              status == RefundStatus::kFailed ? "CHANNEL_REJECTED" : "",
                              std::move(failure_message), clock_.now_unix_ms()};
  store_.settle_refund(
      std::move(settlement), [this, refund, done = std::move(done)](Result<RefundOutcome> outcome) mutable {
        if (!outcome.ok()) {
          log::error("refund_settle_failed",
                     {{"refund_id", refund.refund_id.value}, {"error", outcome.error().message}});
          // The channel's answer is not lost: the refund is still pending and asked again.
          return done(std::move(refund));
        }
        if (outcome->changed) events_.publish(outcome->order);
        done(std::move(outcome).value().refund);
      });
}

}  // namespace paygate
