// Whole-file reads and atomic writes with an exact mode, for the small files paygate keeps beside its
// store (keys, credentials, addresses).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace paygate {

// Writes text to path atomically (temp file, fsync, rename) with exactly the given mode.
Status write_file_atomically(const std::string& path, std::string_view text, unsigned mode);
// The whole file, or nullopt when it cannot be read.
std::optional<std::string> read_text_file(const std::string& path);

}  // namespace paygate
