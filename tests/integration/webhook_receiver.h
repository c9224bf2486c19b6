// A merchant's webhook endpoint for tests: a real HTTP server on loopback that records every delivery.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "net/http_server.h"

namespace paygate::test {

// A merchant's webhook endpoint: records every delivery; answers `failures_left` times with 500 first.
class Receiver {
 public:
  struct Delivery {
    std::string event_id;
    std::string signature;
    std::string body;
  };

  // port 0: any free port.
  explicit Receiver(std::uint16_t port = 0)
      : server_(
            http::ServerLimits{},
            [this](const http::Request& request, http::Responder respond) {
              handle(request, std::move(respond));
            },
            metrics_) {
    port_ = server_.listen("127.0.0.1", port).value();
    thread_ = std::thread([this] { server_.run(1, [] {}); });
  }
  ~Receiver() {
    for (std::thread& held : held_) held.join();
    server_.stop();
    thread_.join();
  }
  // Each answer comes hold_ms after its delivery arrived (a slow endpoint), from a thread of its own, so
  // deliveries overlap as they would at a real endpoint.
  void hold_answers(std::chrono::milliseconds hold) {
    std::lock_guard lock(mutex_);
    hold_ = hold;
  }
  // Deliveries of an event that arrived while another delivery of the same event was still unanswered: a
  // dispatcher that claims its work never makes one.
  int overlapping_deliveries() {
    std::lock_guard lock(mutex_);
    return overlapping_;
  }

  std::uint16_t port() const { return port_; }
  std::string url(const std::string& path = "/hooks") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  void fail_next(int count) {
    std::lock_guard lock(mutex_);
    failures_left_ = count;
  }
  std::vector<Delivery> deliveries() {
    std::lock_guard lock(mutex_);
    return deliveries_;
  }
  // Waits for the condition "at least n deliveries arrived", bounded.
  std::vector<Delivery> wait_for(std::size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (deliveries().size() < n && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return deliveries();
  }

 private:
  void handle(const http::Request& request, http::Responder respond) {
    http::Response response;
    const std::string event_id(request.header("paygate-event-id"));
    std::unique_lock lock(mutex_);
    deliveries_.push_back(Delivery{event_id, std::string(request.header("paygate-signature")), request.body});
    response.status = failures_left_ > 0 ? 500 : 200;
    if (failures_left_ > 0) --failures_left_;
    response.body = "{}";
    if (hold_.count() == 0) {
      lock.unlock();
      return respond(std::move(response));
    }
    if (in_flight_[event_id]++ > 0) ++overlapping_;
    held_.emplace_back([this, event_id, hold = hold_, respond, response = std::move(response)]() mutable {
      std::this_thread::sleep_for(hold);  // the slow endpoint's own time, not a wait for a condition
      {
        std::lock_guard done(mutex_);
        --in_flight_[event_id];
      }
      respond(std::move(response));
    });
  }

  MetricsRegistry metrics_;
  http::Server server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  int failures_left_ = 0;
  std::vector<Delivery> deliveries_;
  std::chrono::milliseconds hold_{0};
  std::map<std::string, int> in_flight_;
  int overlapping_ = 0;
  std::vector<std::thread> held_;
};

}  // namespace paygate::test
