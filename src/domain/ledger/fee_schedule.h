// The fees of one payment: the rates in force when it was paid, frozen on the order so that its refunds
// reverse exactly what was taken even after the configuration changes.
#pragma once

#include <cstdint>

#include "domain/ledger/rounding.h"

namespace paygate::ledger {

struct FeeSchedule {
  std::int32_t merchant_rate_bps = 0;  // what we charge the merchant
  std::int32_t channel_rate_bps = 0;   // what the channel charges us
  Rounding rounding = Rounding::kHalfUp;
  bool refund_fees =
      true;  // give the merchant our fee back in proportion on refunds (channels do for theirs)

  friend bool operator==(const FeeSchedule&, const FeeSchedule&) = default;
};

}  // namespace paygate::ledger
