// Secure random bytes and identifiers from the operating system's CSPRNG (getrandom(2)).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace paygate::crypto {

// count bytes from the kernel's CSPRNG. Small draws are served from a per-thread buffer refilled by one
// getrandom(2) call per 4 KiB (a syscall per id cost ~6% of request CPU); every byte is handed out once and
// the buffer never crosses threads.
std::string random_bytes(std::size_t count);
void fill_random(void* out, std::size_t count);
// count characters of [0-9A-Za-z], uniformly distributed (rejection sampling, no modulo bias).
std::string random_base62(std::size_t count);
// count lowercase hex characters.
std::string random_hex_chars(std::size_t count);
// 2 * byte_count lowercase hex characters.
std::string random_hex(std::size_t byte_count);

// Bytes this thread has taken from the CSPRNG so far: lets a test prove that an id generator draws from it.
std::uint64_t random_bytes_drawn_by_this_thread();

}  // namespace paygate::crypto
