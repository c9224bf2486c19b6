// Invariant checks that stay on in release builds: a broken invariant is a bug and stops the process.
#pragma once

namespace paygate::detail {
[[noreturn]] void assertion_failed(const char* expression, const char* file, int line);
}  // namespace paygate::detail

#define PAYGATE_ASSERT(expression)                                          \
  do {                                                                      \
    if (!(expression)) [[unlikely]]                                         \
      ::paygate::detail::assertion_failed(#expression, __FILE__, __LINE__); \
  } while (false)
