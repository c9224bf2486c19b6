#include "core/ids.h"

#include <algorithm>
#include <cstring>

#include "core/time.h"
#include "crypto/random.h"

namespace paygate {
namespace {

// xoshiro256** (Blackman and Vigna): fast, 256 bits of state, good statistical quality. Not for secrets.
class Xoshiro256 {
 public:
  Xoshiro256() {
    const std::string seed = crypto::random_bytes(sizeof state_);
    std::memcpy(state_, seed.data(), sizeof state_);
    if ((state_[0] | state_[1] | state_[2] | state_[3]) == 0)
      state_[0] = 1;  // all-zero state is a fixed point
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4];
};

Xoshiro256& thread_generator() {
  thread_local Xoshiro256 generator;
  return generator;
}

std::string random_text(std::size_t count, std::string_view alphabet) {
  std::string out;
  out.reserve(count);
  Xoshiro256& generator = thread_generator();
  while (out.size() < count) {
    std::uint64_t bits = generator.next();
    // Take 8 bits at a time and reject values that would bias the alphabet (rejection sampling).
    const unsigned limit = 256 - 256 % alphabet.size();
    for (int i = 0; i < 8 && out.size() < count; ++i, bits >>= 8) {
      const unsigned byte = bits & 0xff;
      if (byte < limit) out.push_back(alphabet[byte % alphabet.size()]);
    }
  }
  return out;
}

constexpr std::string_view kBase62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr std::string_view kHex = "0123456789abcdef";

std::string nonzero_hex(std::size_t count) {
  while (true) {
    std::string id = random_text(count, kHex);
    if (id.find_first_not_of('0') != std::string::npos) return id;
  }
}

}  // namespace

OrderId new_order_id(std::int64_t now_unix_ms) {
  std::string id = format_compact_utc_ms(now_unix_ms);
  id += random_text(kOrderIdLength - id.size(), kBase62);
  return OrderId{std::move(id)};
}

RefundId new_refund_id(std::int64_t now_unix_ms) { return RefundId{"R" + new_order_id(now_unix_ms).value}; }

bool is_refund_id_syntax(std::string_view text) {
  return text.size() == kRefundIdLength && text.front() == 'R' && is_order_id_syntax(text.substr(1));
}

MerchantId new_merchant_id() { return MerchantId{"mch_" + crypto::random_base62(16)}; }

std::string new_merchant_secret() { return "sk_" + crypto::random_base62(43); }

std::string new_webhook_secret() { return "whsec_" + crypto::random_base62(43); }

std::string new_request_id() { return random_text(24, kHex); }
std::string new_event_id(std::int64_t now_unix_ms) { return "evt_" + new_order_id(now_unix_ms).value; }
std::string new_trace_id() { return nonzero_hex(32); }
std::string new_span_id() { return nonzero_hex(16); }

bool is_order_id_syntax(std::string_view text) {
  return text.size() == kOrderIdLength && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
         });
}

}  // namespace paygate
