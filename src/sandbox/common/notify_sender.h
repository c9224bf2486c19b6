// Delivers a sandbox's asynchronous notifies the way the channel does: POST the body to notify_url and retry
// on the channel's schedule until the merchant's answer counts as an acknowledgement. Tests compress the
// schedule with a scale factor.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/timer_queue.h"

namespace paygate::sandbox {

// What one channel's notifies look like on the wire and when it gives up.
struct NotifyDialect {
  std::vector<std::chrono::milliseconds> retry_delays;  // waits after the 1st, 2nd, ... failed attempt
  // Whether the merchant's answer (status, body) stops the retries.
  std::function<bool(int status, const std::string& body)> acknowledged;

  static NotifyDialect alipay();     // 4m 10m 10m 1h 2h 6h 15h; exactly "success"
  static NotifyDialect wechatpay();  // 15s 15s 30s 3m 10m 20m 30m 30m 30m 60m 3h 3h 3h 6h 6h; HTTP 200/204
};

struct OutgoingNotify {
  std::string url;
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

class NotifySender {
 public:
  // retry_scale 1.0 is the channel's real schedule; 0.001 turns 4 minutes into 240 ms.
  NotifySender(NotifyDialect dialect, double retry_scale)
      : dialect_(std::move(dialect)), retry_scale_(retry_scale) {}

  void send(OutgoingNotify notify,
            std::chrono::milliseconds first_attempt_delay = std::chrono::milliseconds(0));

  struct Stats {
    std::uint64_t attempts = 0;
    std::uint64_t delivered = 0;
    std::uint64_t abandoned = 0;
  };
  Stats stats() const { return Stats{attempts_.load(), delivered_.load(), abandoned_.load()}; }

 private:
  struct Delivery {
    OutgoingNotify notify;
    std::size_t attempts_made = 0;
  };
  void attempt(std::shared_ptr<Delivery> delivery);

  const NotifyDialect dialect_;
  const double retry_scale_;
  std::atomic<std::uint64_t> attempts_{0};
  std::atomic<std::uint64_t> delivered_{0};
  std::atomic<std::uint64_t> abandoned_{0};
  TimerQueue timers_;  // last member: its thread stops before the rest goes away
};

}  // namespace paygate::sandbox
