// Refund use cases. A refund is first reserved against its paid order in the store (so concurrent refunds
// can never pass the paid amount), then sent to the order's channel with the refund id as the channel's
// idempotency key, then settled by the channel's answer: success posts the ledger transfers, a refusal
// releases the reservation, and an unknown outcome leaves it pending to be asked about again — never
// failed, and never sent again under another id.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "app/channel_registry.h"
#include "app/order_events.h"
#include "core/config.h"
#include "core/time.h"
#include "core/worker_pool.h"
#include "domain/destination_policy.h"
#include "ports/store.h"

namespace paygate {

struct CreateRefundInput {
  std::optional<std::string> out_refund_no;
  std::optional<std::int64_t> amount_minor;
  std::optional<std::string> reason;
  std::optional<std::string> notify_url;
};

inline constexpr std::size_t kRefundReasonCharactersMax = 256;

// Checks every field and builds the refund to store. The order's state is the store's check.
Result<Refund> preflight_create_refund(const MerchantId& merchant_id, std::string_view order_id,
                                       const CreateRefundInput& input, const RefundConfig& config,
                                       std::int64_t now_ms,
                                       const DestinationPolicy& destinations = DestinationPolicy{});

// When a pending refund is next asked about after `attempts` channel calls: first_check_ms doubling, capped.
std::int64_t next_refund_check_ms(const RefundConfig& config, std::int32_t attempts, std::int64_t now_ms);

class RefundService {
 public:
  // notify_base_url: where channels that notify about refunds send them (+ /notify/{channel}/{account}).
  RefundService(Store& store, const Clock& clock, RefundConfig config, ChannelRegistry& channels,
                WorkerPool& workers, OrderEventHub& events, std::string notify_base_url,
                DestinationPolicy destinations = DestinationPolicy{}, std::string node_id = "local");

  // Completes with the refund as it stands after the channel answered (pending if the answer was unclear).
  // A repeated out_refund_no with the same fields returns the existing refund without calling the channel.
  void create(const MerchantId& merchant_id, std::string_view order_id, const CreateRefundInput& input,
              Completion<CreatedRefund> done);
  Result<Refund> get(const MerchantId& merchant_id, std::string_view refund_id);
  Result<Refund> get_by_out_refund_no(const MerchantId& merchant_id, std::string_view out_refund_no);
  Result<std::vector<Refund>> list_for_order(const MerchantId& merchant_id, std::string_view order_id);
  // Asks the channel now about a pending refund (and re-sends it under the same id if the channel never
  // received it).
  void sync(const MerchantId& merchant_id, std::string_view refund_id, Completion<Refund> done);

  // Asks the channel about every pending refund whose check is due; returns how many were started.
  std::size_t check_due_refunds(std::uint32_t limit);

 private:
  // Runs on a channel worker. order: the refund's order if the caller has it (else it is read).
  // query_first: the refund may have reached the channel before (a retry).
  void execute(Refund refund, std::optional<Order> order, bool query_first, Completion<Refund> done);
  // The channel answered about the refund: settle it when the answer is final, else leave it pending.
  void conclude(const Refund& refund, const ChannelRefund& answer, Completion<Refund> done);
  void settle(const Refund& refund, RefundStatus status, std::string failure_message,
              Completion<Refund> done);

  Store& store_;
  const Clock& clock_;
  const RefundConfig config_;
  ChannelRegistry& channels_;
  WorkerPool& workers_;
  OrderEventHub& events_;
  const std::string notify_base_url_;
  const DestinationPolicy destinations_;
  const std::string node_id_;  // on the refunds its checker claims
  // Refunds the checker has handed to a channel worker and not yet seen back: never checked twice at once.
  std::mutex in_flight_mutex_;
  std::set<std::string> in_flight_;
};

}  // namespace paygate
