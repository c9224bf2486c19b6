// HTTP requests and responses as plain values, independent of the socket library, and the Responder
// through which an asynchronous handler answers exactly once.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace paygate::http {

using Headers = std::vector<std::pair<std::string, std::string>>;  // names in lower case

struct Request {
  std::string method;
  std::string target;  // path?query exactly as received
  Headers headers;
  std::string body;
  std::string remote_address;
  // Runs a task on the thread that owns this connection. Store completions arrive on the store's thread;
  // handlers hop back here before doing any real work (JSON, logging), so the single writer stays free.
  std::function<void(std::function<void()>)> run_on_connection;

  std::string_view path() const;
  std::string_view query() const;
  // The first header with this lower-case name, or "".
  std::string_view header(std::string_view lower_name) const;
};

// A Server-Sent Events stream: the handler (or anyone holding it) pushes events from any thread; the server
// writes them to the connection until either side closes it.
class EventStream {
 public:
  // Queues "event: <name>\ndata: <data>\n\n"; data must not contain a newline (send JSON).
  void push(std::string_view name, std::string_view data);
  void close();

  // Server side.
  void set_wake(std::function<void()> wake);
  std::string take();  // everything queued, as wire text
  bool closed() const;
  // Runs when the server is done with the stream (client gone or closed): e.g. to unsubscribe.
  void on_finish(std::function<void()> finish);
  void finish();

 private:
  mutable std::mutex mutex_;
  std::string pending_;
  bool closed_ = false;
  std::function<void()> wake_;
  std::vector<std::function<void()>> on_finish_;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  Headers headers;
  std::string body;
  std::shared_ptr<EventStream> stream;  // set: the body is this event stream (text/event-stream)
};

// Hands the response back to the connection. Copies share one state: the first call wins, later calls are
// ignored, and if every copy is dropped without a call the client still gets a 500 (a handler bug must not
// leave a connection hanging).
class Responder {
 public:
  using Deliver = std::function<void(Response)>;
  explicit Responder(Deliver deliver);

  void operator()(Response response) const;
  bool answered() const;

 private:
  struct State {
    explicit State(Deliver d) : deliver(std::move(d)) {}
    ~State();
    Deliver deliver;
    std::atomic<bool> answered{false};
  };
  std::shared_ptr<State> state_;
};

using Handler = std::function<void(const Request&, Responder)>;

// Percent-decodes a query component ('+' is a space). nullopt on a malformed escape.
std::optional<std::string> url_decode(std::string_view text);
// The decoded value of `name` in a query string, nullopt when absent.
std::optional<std::string> query_param(std::string_view query, std::string_view name);

}  // namespace paygate::http
