// Time as integer Unix milliseconds, the injectable Clock, and the text forms paygate reads and writes.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace paygate {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t now_unix_ms() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t now_unix_ms() const override;
};

// A clock tests move by hand.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start_unix_ms) : now_ms_(start_unix_ms) {}
  std::int64_t now_unix_ms() const override { return now_ms_.load(); }
  void advance_ms(std::int64_t delta_ms) { now_ms_ += delta_ms; }
  void set_ms(std::int64_t unix_ms) { now_ms_ = unix_ms; }

 private:
  std::atomic<std::int64_t> now_ms_;
};

// "2026-11-22T15:27:44.123Z"
std::string format_rfc3339_ms(std::int64_t unix_ms);
// Accepts "2026-11-22T15:27:44Z", fractional seconds up to milliseconds, and "+08:00"-style offsets.
std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text);
// "yyyy-MM-dd HH:mm:ss" in GMT+8: Alipay's timestamps and both Alipay's and WeChat Pay's bill files.
std::string format_beijing_time(std::int64_t unix_ms);
std::optional<std::int64_t> parse_beijing_time(std::string_view text);

// "20261122152744123" (UTC), used as the sortable prefix of order ids.
std::string format_compact_utc_ms(std::int64_t unix_ms);

}  // namespace paygate
