// Blocking channel calls on the channel workers, with one promise to their callers: every call completes
// exactly once. A full queue completes it with the caller's "saturated" answer; a call that throws (a bug in
// an adapter, an allocation failure) completes it with INTERNAL. Either way the scheduler's claim on an order
// and a refund's in-flight entry are released, so the work is picked up again on its schedule.
#pragma once

#include <atomic>
#include <memory>
#include <string_view>
#include <utility>

#include "core/worker_pool.h"
#include "fmt/format.h"
#include "ports/store.h"

namespace paygate {

// A Completion that runs its callback the first time only: the call that threw may already have handed it on.
template <class T>
class OnceCompletion {
 public:
  explicit OnceCompletion(Completion<T> done) : state_(std::make_shared<State>(std::move(done))) {}
  void operator()(Result<T> result) const {
    if (state_->finished.exchange(true)) return;
    Completion<T> callback = std::move(state_->callback);
    callback(std::move(result));
  }

 private:
  struct State {
    explicit State(Completion<T> done) : callback(std::move(done)) {}
    std::atomic<bool> finished{false};
    Completion<T> callback;
  };
  std::shared_ptr<State> state_;
};

// call(finish) runs on a worker; finish is an OnceCompletion<T> it may call or pass on.
template <class T, class Call>
void run_channel_call(WorkerPool& workers, Completion<T> done, Call call, Result<T> saturated) {
  OnceCompletion<T> finish(std::move(done));
  const bool queued = workers.submit(
      [finish, call = std::move(call)]() mutable { call(finish); },
      [finish](std::string_view what) {
        finish(make_error(ErrorCode::kInternal, fmt::format("the channel call failed: {}", what)));
      });
  if (!queued) finish(std::move(saturated));
}

inline Error channel_calls_saturated() {
  return make_error(ErrorCode::kRateLimited, "channel calls are saturated; retry shortly");
}

}  // namespace paygate
