#include "app/notifies.h"

#include "core/log.h"
#include "fmt/format.h"

namespace paygate {

void NotifyService::handle(Channel channel, std::string_view account_id, std::string body,
                           Completion<NotifyAnswer> done) {
  ChannelGateway* gateway = channels_.by_account(account_id);
  if (gateway == nullptr || gateway->channel() != channel) {
    return done(make_error(ErrorCode::kRouteNotFound,
                           fmt::format("no {} account '{}'", to_string(channel), account_id.substr(0, 64))));
  }
  auto notify = gateway->verify_notify(body);
  if (!notify.ok()) {
    log::warn("notify_rejected", {{"account", gateway->account_id()}, {"reason", notify.error().message}});
    return done(NotifyAnswer{false, std::string(gateway->notify_answer(false))});
  }
  ChannelTradeEvent event{channel,         gateway->account_id(), std::move(notify).value(),
                          std::move(body), clock_.now_unix_ms(),  fees_.for_account(gateway->account_id())};
  store_.apply_channel_event(std::move(event), [this, gateway,
                                                done = std::move(done)](Result<ChannelTradeOutcome> outcome) {
    if (!outcome.ok()) {
      log::warn("notify_rejected", {{"account", gateway->account_id()}, {"reason", outcome.error().message}});
      return done(NotifyAnswer{false, std::string(gateway->notify_answer(false))});
    }
    if (outcome->duplicate_notify)
      log::info("notify_duplicate", {{"order_id", outcome->order.order_id.value}});
    if (outcome->changed) events_.publish(outcome->order);
    done(NotifyAnswer{true, std::string(gateway->notify_answer(true))});
  });
}

}  // namespace paygate
