// How an asynchronous store command completes: once, with its result, when it is durable or failed.
#pragma once

#include <functional>
#include <future>

#include "core/result.h"

namespace paygate {

template <class T>
using Completion = std::function<void(Result<T>)>;

// Blocks the calling thread until the command completes. For background threads and the CLI only: never
// on an io thread, and never on a store thread (where completions run).
template <class T, class Start>
Result<T> wait_for_completion(Start start) {
  std::promise<Result<T>> promise;
  auto future = promise.get_future();
  start([&promise](Result<T> result) { promise.set_value(std::move(result)); });
  return future.get();
}

}  // namespace paygate
