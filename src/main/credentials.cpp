#include "main/credentials.h"

#include <fstream>
#include <sstream>

#include "fmt/format.h"
#include "nlohmann/json.hpp"

namespace paygate::cli {

Result<MerchantCredentials> read_credentials(const std::string& path) {
  std::ifstream file(path);
  if (!file) {
    return make_error(
        ErrorCode::kInvalidParameter,
        fmt::format("{}: cannot read merchant credentials (start `paygate serve` once to create them)",
                    path));
  }
  const nlohmann::json json = nlohmann::json::parse(file, nullptr, false);
  if (json.is_discarded() || !json.is_object() || !json.contains("merchant_id") || !json.contains("secret") ||
      !json["merchant_id"].is_string() || !json["secret"].is_string()) {
    return make_error(ErrorCode::kInvalidParameter,
                      fmt::format("{}: must be a JSON object with string merchant_id and secret", path));
  }
  return MerchantCredentials{json["merchant_id"].get<std::string>(), json["secret"].get<std::string>()};
}

std::string resolve_server_url(const Config& config, const std::string& explicit_url) {
  if (!explicit_url.empty()) return explicit_url;
  std::ifstream address_file(config.store.data_dir + "/paygate.addr");
  std::string address;
  if (address_file && std::getline(address_file, address) && !address.empty()) return "http://" + address;
  return "http://" + config.listen_address();
}

}  // namespace paygate::cli
