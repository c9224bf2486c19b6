// How an asynchronous store command completes: once, with its result, when it is durable or failed.
#pragma once

#include <functional>

#include "core/result.h"

namespace paygate {

template <class T>
using Completion = std::function<void(Result<T>)>;

}  // namespace paygate
