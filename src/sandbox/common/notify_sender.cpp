#include "sandbox/common/notify_sender.h"

#include "core/log.h"
#include "infra/http/http_client.h"

namespace paygate::sandbox {
namespace {

constexpr std::uint32_t kAttemptTimeoutMs = 3'000;

}  // namespace

NotifyDialect NotifyDialect::alipay() {
  using namespace std::chrono;
  return NotifyDialect{{minutes(4), minutes(10), minutes(10), hours(1), hours(2), hours(6), hours(15)},
                       [](int status, const std::string& text) {
                         // Alipay accepts exactly "success" (surrounding whitespace tolerated).
                         if (status != 200) return false;
                         const auto first = text.find_first_not_of(" \r\n\t");
                         const auto last = text.find_last_not_of(" \r\n\t");
                         return first != std::string::npos &&
                                text.substr(first, last - first + 1) == "success";
                       }};
}

NotifyDialect NotifyDialect::wechatpay() {
  using namespace std::chrono;
  return NotifyDialect{
      {seconds(15), seconds(15), seconds(30), minutes(3), minutes(10), minutes(20), minutes(30), minutes(30),
       minutes(30), minutes(60), hours(3), hours(3), hours(3), hours(6), hours(6)},
      // The status decides, not the body.
      [](int status, const std::string&) { return status == 200 || status == 204; }};
}

void NotifySender::send(OutgoingNotify notify, std::chrono::milliseconds first_attempt_delay) {
  auto delivery = std::make_shared<Delivery>(Delivery{std::move(notify), 0});
  timers_.schedule(first_attempt_delay, [this, delivery] { attempt(delivery); });
}

void NotifySender::attempt(std::shared_ptr<Delivery> delivery) {
  ++attempts_;
  bool delivered = false;
  if (auto url = http::parse_http_url(delivery->notify.url); url.ok()) {
    http::Client client(url->endpoint, kAttemptTimeoutMs);
    auto headers = delivery->notify.headers;
    headers.emplace_back("content-type", delivery->notify.content_type);
    auto response = client.send("POST", url->target, headers, delivery->notify.body);
    delivered = response.ok() && dialect_.acknowledged(response->status, response->body);
  }
  ++delivery->attempts_made;
  if (delivered) {
    ++delivered_;
    return;
  }
  if (delivery->attempts_made > dialect_.retry_delays.size()) {
    ++abandoned_;
    log::warn("sandbox_notify_abandoned", {{"url", delivery->notify.url}});
    return;
  }
  const auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(
      dialect_.retry_delays[delivery->attempts_made - 1] * retry_scale_);
  timers_.schedule(delay, [this, delivery] { attempt(delivery); });
}

}  // namespace paygate::sandbox
