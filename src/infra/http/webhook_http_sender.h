// WebhookSender over HTTP(S): certificate-verified TLS, a deadline per delivery (host lookup included), the
// outbound destination guard on every address it connects to, redirects never followed (a 3xx is an
// answer like any other), and one kept-alive connection per destination on each worker thread (a busy
// merchant's events reuse their connection).
#pragma once

#include <cstdint>

#include "domain/destination_policy.h"
#include "ports/webhook_sender.h"

namespace paygate::http {

class WebhookHttpSender final : public WebhookSender {
 public:
  WebhookHttpSender(std::uint32_t timeout_ms, DestinationPolicy destinations)
      : timeout_ms_(timeout_ms), destinations_(std::move(destinations)) {}
  Result<int> post(const std::string& url, const std::vector<std::pair<std::string, std::string>>& headers,
                   const std::string& body) override;

 private:
  const std::uint32_t timeout_ms_;
  const DestinationPolicy destinations_;
};

}  // namespace paygate::http
