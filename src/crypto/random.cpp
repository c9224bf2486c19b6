#include "crypto/random.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "crypto/encoding.h"

namespace paygate::crypto {
namespace {

constexpr std::size_t kBufferBytes = 4096;

// Fills out from getrandom(2), which blocks only until the kernel's pool is first initialised at boot.
void fill_from_kernel(unsigned char* out, std::size_t count) {
  while (count > 0) {
    const ssize_t got = ::getrandom(out, count, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      // The CSPRNG failing is not something a caller can handle; it would make every secret guessable.
      throw std::runtime_error(std::string("getrandom failed: ") + std::strerror(errno));
    }
    out += got;
    count -= static_cast<std::size_t>(got);
  }
}

struct ThreadRandom {
  unsigned char buffer[kBufferBytes];
  std::size_t used = kBufferBytes;
  std::uint64_t drawn = 0;

  void take(unsigned char* out, std::size_t count) {
    drawn += count;
    if (count >= kBufferBytes / 4) return fill_from_kernel(out, count);
    while (count > 0) {
      if (used == kBufferBytes) {
        fill_from_kernel(buffer, kBufferBytes);
        used = 0;
      }
      const std::size_t n = std::min(count, kBufferBytes - used);
      std::memcpy(out, buffer + used, n);
      std::memset(buffer + used, 0, n);  // a byte handed out is never kept
      used += n;
      out += n;
      count -= n;
    }
  }
};

ThreadRandom& thread_random() {
  thread_local ThreadRandom random;
  return random;
}

// count characters of alphabet, uniformly: bytes at or above the largest multiple of its size are dropped.
std::string random_text(std::size_t count, std::string_view alphabet) {
  const unsigned limit = 256 - 256 % alphabet.size();
  std::string out;
  out.reserve(count);
  unsigned char pool[64];
  while (out.size() < count) {
    const std::size_t want = std::min(sizeof pool, count - out.size() + 8);
    thread_random().take(pool, want);
    for (std::size_t i = 0; i < want && out.size() < count; ++i) {
      if (pool[i] < limit) out.push_back(alphabet[pool[i] % alphabet.size()]);
    }
  }
  return out;
}

}  // namespace

void fill_random(void* out, std::size_t count) {
  thread_random().take(static_cast<unsigned char*>(out), count);
}

std::string random_bytes(std::size_t count) {
  std::string bytes(count, '\0');
  fill_random(bytes.data(), count);
  return bytes;
}

std::string random_base62(std::size_t count) {
  return random_text(count, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
}

std::string random_hex_chars(std::size_t count) { return random_text(count, "0123456789abcdef"); }

std::string random_hex(std::size_t byte_count) { return hex_encode(random_bytes(byte_count)); }

std::uint64_t random_bytes_drawn_by_this_thread() { return thread_random().drawn; }

}  // namespace paygate::crypto
