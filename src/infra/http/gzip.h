// gzip (RFC 1952) through zlib: WeChat Pay serves bill files with tar_type=GZIP.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace paygate::http {

std::string gzip_compress(std::string_view data);
// Errors on anything that is not one complete gzip member, or that inflates past size_max bytes.
Result<std::string> gzip_decompress(std::string_view data, std::size_t size_max = 256u << 20);
bool looks_gzipped(std::string_view data);  // the 1f 8b magic

}  // namespace paygate::http
