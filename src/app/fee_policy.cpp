#include "app/fee_policy.h"

#include "core/assert.h"

namespace paygate {

FeePolicy::FeePolicy(const Config& config) {
  const auto rounding = ledger::parse_rounding(config.ledger.fee_rounding);
  PAYGATE_ASSERT(rounding.has_value());
  defaults_ = ledger::FeeSchedule{config.ledger.merchant_fee_bps, config.ledger.channel_cost_rate_bps,
                                  *rounding, config.ledger.refund_fees};
  for (const AlipayAccountConfig& account : config.channels.alipay) {
    if (account.cost_rate_bps) account_cost_bps_.emplace(account.id, *account.cost_rate_bps);
  }
  for (const WechatpayAccountConfig& account : config.channels.wechatpay) {
    if (account.cost_rate_bps) account_cost_bps_.emplace(account.id, *account.cost_rate_bps);
  }
}

ledger::FeeSchedule FeePolicy::for_account(std::string_view channel_account_id) const {
  ledger::FeeSchedule schedule = defaults_;
  if (auto it = account_cost_bps_.find(channel_account_id); it != account_cost_bps_.end())
    schedule.channel_rate_bps = it->second;
  return schedule;
}

}  // namespace paygate
