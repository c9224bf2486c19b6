// A cashier page's live connection, as a browser holds it: GET /pay/{order_id}/events over a plain socket,
// reading the server-sent events as they come.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "infra/http/http_client.h"

namespace paygate::test {

class SseWatcher {
 public:
  SseWatcher(const http::Endpoint& endpoint, const std::string& order_id) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(endpoint.port);
    ::inet_pton(AF_INET, endpoint.host.c_str(), &address.sin_addr);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    const std::string request = "GET /pay/" + order_id + "/events HTTP/1.1\r\nHost: " + endpoint.host +
                                "\r\nAccept: text/event-stream\r\n\r\n";
    connected_ = connected_ && ::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) ==
                                   static_cast<ssize_t>(request.size());
  }
  ~SseWatcher() {
    if (fd_ >= 0) ::close(fd_);
  }
  SseWatcher(const SseWatcher&) = delete;
  SseWatcher& operator=(const SseWatcher&) = delete;

  // Reads until what arrived holds `needle` or the deadline passes; true if it arrived.
  bool wait_for(const std::string& needle, std::chrono::milliseconds within) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (connected_ && received_.find(needle) == std::string::npos) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd readable{fd_, POLLIN, 0};
      if (::poll(&readable, 1, static_cast<int>(left.count())) <= 0) continue;
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) return false;  // the node closed the stream
      received_.append(buffer, static_cast<std::size_t>(n));
    }
    return connected_;
  }
  const std::string& received() const { return received_; }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string received_;
};

}  // namespace paygate::test
