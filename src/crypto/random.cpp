#include "crypto/random.h"

#include <openssl/rand.h>

#include <stdexcept>

#include "crypto/encoding.h"

namespace paygate::crypto {

std::string random_bytes(std::size_t count) {
  std::string bytes(count, '\0');
  if (count > 0 && RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(count)) != 1) {
    // The CSPRNG failing is not something a caller can handle; it would make every secret guessable.
    throw std::runtime_error("OpenSSL RAND_bytes failed");
  }
  return bytes;
}

std::string random_base62(std::size_t count) {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string out;
  out.reserve(count);
  while (out.size() < count) {
    const std::string pool = random_bytes(count + 8);
    for (unsigned char byte : pool) {
      // 248 = 4 * 62: bytes at or above it would bias the first characters of the alphabet.
      if (byte >= 248) continue;
      out.push_back(kAlphabet[byte % 62]);
      if (out.size() == count) break;
    }
  }
  return out;
}

std::string random_hex(std::size_t byte_count) { return hex_encode(random_bytes(byte_count)); }

}  // namespace paygate::crypto
