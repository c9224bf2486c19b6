// The one answer to a failed fsync, wherever in the store it happens: stop the process.
#pragma once

#include <string>

namespace paygate::sqlite {

// After a failed fsync the kernel may already have dropped the dirty pages it could not write, and it may
// report the error to one file descriptor only, so trying again could report success for data that is
// gone (PostgreSQL's "fsyncgate"). Logs store_durability_lost with the step and the error, then aborts: on
// restart SQLite recovers from what is really on disk, and no caller was told that lost writes were durable.
[[noreturn]] void durability_lost(const char* step, const std::string& error);

}  // namespace paygate::sqlite
