#include "infra/http/gzip.h"

#include <zlib.h>

#include <stdexcept>

namespace paygate::http {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // +16: gzip header and trailer instead of zlib's

}  // namespace

std::string gzip_compress(std::string_view data) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK)
    throw std::runtime_error("zlib deflateInit2 failed");
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (rc != Z_STREAM_END) throw std::runtime_error("zlib deflate failed");
  return out;
}

Result<std::string> gzip_decompress(std::string_view data, std::size_t size_max) {
  z_stream stream{};
  if (inflateInit2(&stream, kGzipWindowBits) != Z_OK)
    return make_error(ErrorCode::kInternal, "zlib init failed");
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buffer[64 * 1024];
  int rc = Z_OK;
  while (rc == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof(buffer);
    rc = inflate(&stream, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(buffer, sizeof(buffer) - stream.avail_out);
    if (out.size() > size_max) {
      inflateEnd(&stream);
      return make_error(ErrorCode::kInvalidParameter, "gzip: inflates past the size limit");
    }
    if (rc == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) break;  // truncated input
  }
  const bool complete = rc == Z_STREAM_END && stream.avail_in == 0;
  inflateEnd(&stream);
  if (!complete) return make_error(ErrorCode::kInvalidParameter, "gzip: not one complete gzip stream");
  return out;
}

bool looks_gzipped(std::string_view data) {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
         static_cast<unsigned char>(data[1]) == 0x8b;
}

}  // namespace paygate::http
