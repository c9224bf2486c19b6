// Delivers the sandbox's asynchronous notifies the way Alipay does: POST form to notify_url, retry until the
// merchant answers exactly "success", on Alipay's schedule (4m, 10m, 10m, 1h, 2h, 6h, 15h after the first
// attempt), which tests compress with a scale factor.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/timer_queue.h"
#include "infra/channels/alipay/codec.h"

namespace paygate::alipay {

class NotifySender {
 public:
  // retry_scale 1.0 is Alipay's real schedule; 0.001 turns 4 minutes into 240 ms.
  explicit NotifySender(double retry_scale) : retry_scale_(retry_scale) {}

  void send(std::string notify_url, const Params& signed_params,
            std::chrono::milliseconds first_attempt_delay = std::chrono::milliseconds(0));

  struct Stats {
    std::uint64_t attempts = 0;
    std::uint64_t delivered = 0;
    std::uint64_t abandoned = 0;
  };
  Stats stats() const { return Stats{attempts_.load(), delivered_.load(), abandoned_.load()}; }

  static const std::vector<std::chrono::milliseconds>& alipay_retry_delays();

 private:
  struct Delivery {
    std::string url;
    std::string body;
    std::size_t attempts_made = 0;
  };
  void attempt(std::shared_ptr<Delivery> delivery);

  const double retry_scale_;
  std::atomic<std::uint64_t> attempts_{0};
  std::atomic<std::uint64_t> delivered_{0};
  std::atomic<std::uint64_t> abandoned_{0};
  TimerQueue timers_;  // last member: its thread stops before the rest goes away
};

}  // namespace paygate::alipay
