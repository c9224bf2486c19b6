// Merchant credentials files (demo-merchant.json) as read by the shell client and the load generator.
#pragma once

#include <string>

#include "core/config.h"
#include "core/result.h"

namespace paygate::cli {

struct MerchantCredentials {
  std::string merchant_id;
  std::string secret;
};

Result<MerchantCredentials> read_credentials(const std::string& path);

// The server to talk to: the explicit URL, else <data-dir>/paygate.addr (written by a running serve),
// else the configured listen address.
std::string resolve_server_url(const Config& config, const std::string& explicit_url);

}  // namespace paygate::cli
