#include "net/http_types.h"

#include "core/text.h"

namespace paygate::http {

std::string_view Request::path() const {
  const std::string_view t = target;
  return t.substr(0, t.find('?'));
}

std::string_view Request::query() const {
  const std::string_view t = target;
  const auto mark = t.find('?');
  return mark == std::string_view::npos ? std::string_view{} : t.substr(mark + 1);
}

std::string_view Request::header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

Responder::Responder(Deliver deliver) : state_(std::make_shared<State>(std::move(deliver))) {}

void Responder::operator()(Response response) const {
  if (state_->answered.exchange(true)) return;
  state_->deliver(std::move(response));
}

bool Responder::answered() const { return state_->answered.load(); }

Responder::State::~State() {
  if (answered.exchange(true)) return;
  Response response;
  response.status = 500;
  response.body = R"({"code":"INTERNAL_ERROR","message":"the handler did not answer","data":null})";
  try {
    deliver(std::move(response));
  } catch (...) {
    // A destructor must not throw; the connection's own timeout closes it instead.
  }
}

void EventStream::push(std::string_view name, std::string_view data) {
  std::function<void()> wake;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    pending_ += "event: ";
    pending_ += name;
    pending_ += "\ndata: ";
    pending_ += data;
    pending_ += "\n\n";
    wake = wake_;
  }
  if (wake) wake();
}

void EventStream::close() {
  std::function<void()> wake;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    wake = wake_;
  }
  if (wake) wake();
}

void EventStream::set_wake(std::function<void()> wake) {
  std::lock_guard lock(mutex_);
  wake_ = std::move(wake);
}

std::string EventStream::take() {
  std::lock_guard lock(mutex_);
  return std::exchange(pending_, {});
}

bool EventStream::closed() const {
  std::lock_guard lock(mutex_);
  return closed_;
}

void EventStream::on_finish(std::function<void()> finish) {
  std::lock_guard lock(mutex_);
  on_finish_.push_back(std::move(finish));
}

void EventStream::finish() {
  std::vector<std::function<void()>> callbacks;
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    wake_ = nullptr;
    callbacks.swap(on_finish_);
  }
  for (auto& callback : callbacks) callback();
}

std::optional<std::string> url_decode(std::string_view text) { return percent_decode(text); }

std::optional<std::string> query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto equals = pair.find('=');
    const std::string_view key = pair.substr(0, equals);
    if (key != name) continue;
    const std::string_view value =
        equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1);
    auto decoded = url_decode(value);
    return decoded ? decoded : std::optional<std::string>(std::string{});
  }
  return std::nullopt;
}

}  // namespace paygate::http
