#include "core/assert.h"

#include <cstdio>
#include <cstdlib>

namespace paygate::detail {

void assertion_failed(const char* expression, const char* file, int line) {
  std::fprintf(stderr, "paygate: assertion failed: %s at %s:%d\n", expression, file, line);
  std::fflush(stderr);
  std::abort();
}

}  // namespace paygate::detail
