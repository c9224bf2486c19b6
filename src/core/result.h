// Result<T>: a value or an Error, for every failure that is not a bug (STYLE: expected failures are values).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "core/assert.h"
#include "core/error.h"

namespace paygate {

// One failure: a stable catalogue code and a message that names the field or cause (never a secret).
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

inline Error make_error(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    PAYGATE_ASSERT(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    PAYGATE_ASSERT(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    PAYGATE_ASSERT(ok());
    return std::get<0>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& {
    PAYGATE_ASSERT(!ok());
    return std::get<1>(state_);
  }
  Error&& error() && {
    PAYGATE_ASSERT(!ok());
    return std::get<1>(std::move(state_));
  }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& {
    PAYGATE_ASSERT(!ok());
    return *error_;
  }
  Error&& error() && {
    PAYGATE_ASSERT(!ok());
    return std::move(*error_);
  }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

}  // namespace paygate
