// WebhookSender over HTTP(S): certificate-verified TLS, a deadline per delivery, and one kept-alive
// connection per destination on each worker thread (a busy merchant's events reuse their connection).
#pragma once

#include <cstdint>

#include "ports/webhook_sender.h"

namespace paygate::http {

class WebhookHttpSender final : public WebhookSender {
 public:
  explicit WebhookHttpSender(std::uint32_t timeout_ms) : timeout_ms_(timeout_ms) {}
  Result<int> post(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
                   const std::string& body) override;

 private:
  const std::uint32_t timeout_ms_;
};

}  // namespace paygate::http
