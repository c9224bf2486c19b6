// Channel notifies in: authenticate with the account's gateway, then hand the verified event to the store.
// A trade notify is recorded in the inbox, moves the order and writes the outbox event in one atomic
// command; a refund notify is recorded in the inbox and settles its refund in one command the same way.
#pragma once

#include <string>

#include "app/channel_registry.h"
#include "app/fee_policy.h"
#include "app/order_events.h"
#include "core/time.h"
#include "ports/store.h"

namespace paygate {

class NotifyService {
 public:
  NotifyService(Store& store, ChannelRegistry& channels, OrderEventHub& events, const Clock& clock,
                const FeePolicy& fees)
      : store_(store), channels_(channels), events_(events), clock_(clock), fees_(fees) {}

  // ORDER_NOT_FOUND-free by design: an unknown account is the only error; every other problem is a
  // refusal in the channel's dialect, so the channel retries and nothing changes here.
  void handle(Channel channel, std::string_view account_id, const NotifyRequest& request,
              Completion<NotifyReply> done);

 private:
  void apply_trade(ChannelGateway& gateway, ChannelTradeReport report, std::string raw,
                   Completion<NotifyReply> done);
  void apply_refund(ChannelGateway& gateway, const ChannelRefundReport& report, std::string raw,
                    Completion<NotifyReply> done);

  Store& store_;
  ChannelRegistry& channels_;
  OrderEventHub& events_;
  const Clock& clock_;
  const FeePolicy& fees_;
};

}  // namespace paygate
