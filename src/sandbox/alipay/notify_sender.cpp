#include "sandbox/alipay/notify_sender.h"

#include "core/log.h"
#include "infra/http/http_client.h"

namespace paygate::alipay {
namespace {

constexpr std::uint32_t kAttemptTimeoutMs = 3'000;

// Alipay accepts exactly "success" (surrounding whitespace tolerated); anything else is a failure.
bool post_notify(const std::string& url_text, const std::string& body) {
  auto url = http::parse_http_url(url_text);
  if (!url.ok()) return false;
  http::Client client(url->endpoint, kAttemptTimeoutMs);
  auto response = client.send("POST", url->target,
                              {{"content-type", "application/x-www-form-urlencoded;charset=utf-8"}}, body);
  if (!response.ok() || response->status != 200) return false;
  const std::string& text = response->body;
  const auto first = text.find_first_not_of(" \r\n\t");
  const auto last = text.find_last_not_of(" \r\n\t");
  return first != std::string::npos && text.substr(first, last - first + 1) == "success";
}

}  // namespace

const std::vector<std::chrono::milliseconds>& NotifySender::alipay_retry_delays() {
  using namespace std::chrono;
  static const std::vector<milliseconds> delays = {minutes(4), minutes(10), minutes(10), hours(1),
                                                   hours(2),   hours(6),    hours(15)};
  return delays;
}

void NotifySender::send(std::string notify_url, const Params& signed_params,
                        std::chrono::milliseconds first_attempt_delay) {
  auto delivery = std::make_shared<Delivery>(Delivery{std::move(notify_url), form_encode(signed_params), 0});
  timers_.schedule(first_attempt_delay, [this, delivery] { attempt(delivery); });
}

void NotifySender::attempt(std::shared_ptr<Delivery> delivery) {
  ++attempts_;
  const bool delivered = post_notify(delivery->url, delivery->body);
  ++delivery->attempts_made;
  if (delivered) {
    ++delivered_;
    return;
  }
  const auto& delays = alipay_retry_delays();
  if (delivery->attempts_made > delays.size()) {
    ++abandoned_;
    log::warn("sandbox_notify_abandoned", {{"url", delivery->url}});
    return;
  }
  const auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(
      delays[delivery->attempts_made - 1] * retry_scale_);
  timers_.schedule(delay, [this, delivery] { attempt(delivery); });
}

}  // namespace paygate::alipay
