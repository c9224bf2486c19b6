#include "app/notifies.h"

#include "core/log.h"
#include "fmt/format.h"

namespace paygate {
namespace {

NotifyReply refuse(const ChannelGateway& gateway, std::string_view reason) {
  log::warn("notify_rejected", {{"account", gateway.account_id()}, {"reason", reason}});
  return gateway.notify_reply(false, reason);
}

}  // namespace

void NotifyService::handle(Channel channel, std::string_view account_id, const NotifyRequest& request,
                           Completion<NotifyReply> done) {
  ChannelGateway* gateway = channels_.by_account(account_id);
  if (gateway == nullptr || gateway->channel() != channel) {
    return done(make_error(ErrorCode::kRouteNotFound,
                           fmt::format("no {} account '{}'", to_string(channel), account_id.substr(0, 64))));
  }
  auto notify = gateway->verify_notify(request);
  if (!notify.ok()) return done(refuse(*gateway, notify.error().message));
  if (auto* trade = std::get_if<ChannelTradeReport>(&*notify)) {
    return apply_trade(*gateway, std::move(*trade), std::string(request.body), std::move(done));
  }
  apply_refund(*gateway, std::get<ChannelRefundReport>(*notify), std::string(request.body), std::move(done));
}

void NotifyService::apply_trade(ChannelGateway& gateway, ChannelTradeReport report, std::string raw,
                                Completion<NotifyReply> done) {
  ChannelTradeEvent event{gateway.channel(), gateway.account_id(), std::move(report),
                          std::move(raw),    clock_.now_unix_ms(), fees_.for_account(gateway.account_id())};
  store_.apply_channel_event(std::move(event),
                             [this, &gateway, done = std::move(done)](Result<ChannelTradeOutcome> outcome) {
                               if (!outcome.ok()) return done(refuse(gateway, outcome.error().message));
                               if (outcome->duplicate_notify)
                                 log::info("notify_duplicate", {{"order_id", outcome->order.order_id.value}});
                               if (outcome->changed) events_.publish(outcome->order);
                               done(gateway.notify_reply(true, ""));
                             });
}

void NotifyService::apply_refund(ChannelGateway& gateway, const ChannelRefundReport& report, std::string raw,
                                 Completion<NotifyReply> done) {
  // The refund must be ours, of an order this account carried, for the amount we asked.
  if (!is_refund_id_syntax(report.refund_id))
    return done(refuse(gateway, "out_refund_no: not a paygate refund"));
  auto refund = store_.find_refund_by_id(RefundId{report.refund_id});
  if (!refund.ok()) return done(refuse(gateway, refund.error().message));
  if (!*refund) return done(refuse(gateway, fmt::format("refund {} not found", report.refund_id)));
  auto order = store_.find_order_by_id((*refund)->order_id);
  if (!order.ok() || !*order || (*order)->channel_account_id != gateway.account_id() ||
      (*order)->order_id.value != report.order_id.value) {
    return done(refuse(gateway, "the refund belongs to another order or account"));
  }
  if (report.refund.amount_minor != (*refund)->amount.minor) {
    log::error("refund_amount_mismatch", {{"refund_id", report.refund_id},
                                          {"channel_amount", report.refund.amount_minor},
                                          {"amount", (*refund)->amount.minor}});
    return done(refuse(gateway, "amount.refund differs from the refund's amount"));
  }
  if (report.refund.status == ChannelRefundStatus::kProcessing ||
      report.refund.status == ChannelRefundStatus::kNotFound) {
    return done(gateway.notify_reply(true, ""));  // nothing final to record; the checker keeps asking
  }
  const bool succeeded = report.refund.status == ChannelRefundStatus::kSucceeded;
  RefundSettlement settlement;
  settlement.refund_id = (*refund)->refund_id;
  settlement.status = succeeded ? RefundStatus::kSucceeded : RefundStatus::kFailed;
  if (!succeeded) {
    settlement.failure_code = "CHANNEL_REJECTED";
    settlement.failure_message =
        fmt::format("{}: {}", to_string(gateway.channel()), report.refund.failure_code);
  }
  settlement.at_ms = clock_.now_unix_ms();
  settlement.notify =
      ReceivedNotify{gateway.channel(), report.notify_id, gateway.account_id(), std::move(raw)};
  store_.settle_refund(std::move(settlement), [this, &gateway, refund_id = report.refund_id,
                                               done = std::move(done)](Result<RefundOutcome> outcome) {
    if (!outcome.ok()) {
      // E.g. WeChat says SUCCESS for a refund we had failed: money moved that our
      // books do not show. Loud, and refused so the channel keeps telling us.
      log::error("refund_notify_not_applied", {{"refund_id", refund_id}, {"error", outcome.error().message}});
      return done(refuse(gateway, outcome.error().message));
    }
    if (outcome->changed) events_.publish(outcome->order);
    done(gateway.notify_reply(true, ""));
  });
}

}  // namespace paygate
