// Which fees a payment takes: the merchant rate and rounding from [ledger], the channel's cost from its
// account (or the [ledger] default). The schedule is frozen on the order when it is paid.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "core/config.h"
#include "domain/ledger/fee_schedule.h"

namespace paygate {

class FeePolicy {
 public:
  // config must be valid (load_config checked fee_rounding).
  explicit FeePolicy(const Config& config);

  ledger::FeeSchedule for_account(std::string_view channel_account_id) const;

 private:
  ledger::FeeSchedule defaults_;
  std::map<std::string, std::int32_t, std::less<>> account_cost_bps_;
};

}  // namespace paygate
