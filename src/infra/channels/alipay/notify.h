// Reading an Alipay trade notify whose signature has been verified: identity, status, amount, times.
#pragma once

#include <string>

#include "infra/channels/alipay/codec.h"
#include "ports/channel_gateway.h"

namespace paygate::alipay {

// Refuses a notify for another app, without notify_id or out_trade_no, with an unknown trade_status or an
// amount that is not exact yuan.
Result<ChannelTradeReport> notify_from_params(const Params& params, const std::string& app_id,
                                          std::int64_t now_ms);

}  // namespace paygate::alipay
