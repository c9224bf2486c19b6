#include "sandbox/alipay/notify_sender.h"

#include "core/log.h"
#include "infra/http/http_client.h"

namespace paygate::alipay {
namespace {

constexpr std::uint32_t kAttemptTimeoutMs = 3'000;

}  // namespace

const std::vector<std::chrono::milliseconds>& NotifySender::alipay_retry_delays() {
  using namespace std::chrono;
  static const std::vector<milliseconds> delays = {minutes(4), minutes(10), minutes(10), hours(1),
                                                   hours(2),   hours(6),    hours(15)};
  return delays;
}

NotifySender::NotifySender(double retry_scale) : retry_scale_(retry_scale) {
  thread_ = std::thread([this] { run(); });
}

NotifySender::~NotifySender() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_.notify_one();
  }
  thread_.join();
}

void NotifySender::send(std::string notify_url, const Params& signed_params,
                        std::chrono::milliseconds first_attempt_delay) {
  std::lock_guard lock(mutex_);
  queue_.push(Pending{std::move(notify_url), form_encode(signed_params), 0,
                      std::chrono::steady_clock::now() + first_attempt_delay});
  wake_.notify_one();
}

NotifySender::Stats NotifySender::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

bool NotifySender::attempt(const Pending& pending) {
  auto url = http::parse_http_url(pending.url);
  if (!url.ok()) return false;
  http::Client client(url->endpoint, kAttemptTimeoutMs);
  auto response = client.send("POST", url->target,
                              {{"content-type", "application/x-www-form-urlencoded;charset=utf-8"}}, pending.body);
  // Alipay accepts exactly "success" (surrounding whitespace tolerated); anything else is a failure.
  if (!response.ok() || response->status != 200) return false;
  const std::string& body = response->body;
  const auto first = body.find_first_not_of(" \r\n\t");
  const auto last = body.find_last_not_of(" \r\n\t");
  return first != std::string::npos && body.substr(first, last - first + 1) == "success";
}

void NotifySender::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    if (stopping_) return;
    if (queue_.empty()) {
      wake_.wait(lock);
      continue;
    }
    if (queue_.top().due > std::chrono::steady_clock::now()) {
      wake_.wait_until(lock, queue_.top().due);
      continue;
    }
    Pending pending = queue_.top();
    queue_.pop();
    ++stats_.attempts;
    lock.unlock();
    const bool delivered = attempt(pending);
    lock.lock();
    ++pending.attempts_made;
    if (delivered) {
      ++stats_.delivered;
      continue;
    }
    const auto& delays = alipay_retry_delays();
    if (pending.attempts_made > delays.size()) {
      ++stats_.abandoned;
      log::warn("sandbox_notify_abandoned", {{"url", pending.url}});
      continue;
    }
    const auto delay = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        delays[pending.attempts_made - 1] * retry_scale_);
    pending.due = std::chrono::steady_clock::now() + delay;
    queue_.push(std::move(pending));
  }
}

}  // namespace paygate::alipay
