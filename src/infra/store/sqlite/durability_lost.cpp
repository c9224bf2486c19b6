#include "infra/store/sqlite/durability_lost.h"

#include <cstdlib>

#include "core/log.h"

namespace paygate::sqlite {

void durability_lost(const char* step, const std::string& error) {
  log::error("store_durability_lost", {{"step", step}, {"error", error}});
  std::abort();
}

}  // namespace paygate::sqlite
