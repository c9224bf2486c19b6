// Delivers the sandbox's asynchronous notifies the way Alipay does: POST form to notify_url, retry until the
// merchant answers exactly "success", on Alipay's schedule (4m, 10m, 10m, 1h, 2h, 6h, 15h after the first
// attempt), which tests compress with a scale factor.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "infra/channels/alipay/codec.h"

namespace paygate::alipay {

class NotifySender {
 public:
  // retry_scale 1.0 is Alipay's real schedule; 0.001 turns 4 minutes into 240 ms.
  explicit NotifySender(double retry_scale);
  NotifySender(const NotifySender&) = delete;
  NotifySender& operator=(const NotifySender&) = delete;
  ~NotifySender();

  void send(std::string notify_url, const Params& signed_params,
            std::chrono::milliseconds first_attempt_delay = std::chrono::milliseconds(0));

  struct Stats {
    std::uint64_t attempts = 0;
    std::uint64_t delivered = 0;
    std::uint64_t abandoned = 0;
  };
  Stats stats() const;

  static const std::vector<std::chrono::milliseconds>& alipay_retry_delays();

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;
  struct Pending {
    std::string url;
    std::string body;
    std::size_t attempts_made = 0;
    SteadyTime due;
    bool operator>(const Pending& other) const { return due > other.due; }
  };
  void run();
  bool attempt(const Pending& pending);

  const double retry_scale_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> queue_;
  bool stopping_ = false;
  Stats stats_;
  std::thread thread_;
};

}  // namespace paygate::alipay
