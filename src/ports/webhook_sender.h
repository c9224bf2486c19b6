// The WebhookSender port: one POST of an event to a merchant's endpoint. Blocks up to its deadline, so the
// dispatcher calls it from its own worker threads.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace paygate {

class WebhookSender {
 public:
  virtual ~WebhookSender() = default;
  // The HTTP status the endpoint answered, or an error when there was no answer (refused, timed out, bad
  // URL).
  virtual Result<int> post(const std::string& url,
                           const std::vector<std::pair<std::string, std::string>>& headers,
                           const std::string& body) = 0;
};

}  // namespace paygate
