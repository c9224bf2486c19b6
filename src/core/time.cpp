#include "core/time.h"

#include <chrono>

#include "fmt/format.h"

namespace paygate {
namespace {

struct CivilTime {
  int year, month, day, hour, minute, second, millisecond;
};

CivilTime to_civil(std::int64_t unix_ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> point{milliseconds{unix_ms}};
  const auto day_point = floor<days>(point);
  const year_month_day date{day_point};
  const hh_mm_ss time{point - day_point};
  return CivilTime{int(date.year()),
                   int(unsigned(date.month())),
                   int(unsigned(date.day())),
                   int(time.hours().count()),
                   int(time.minutes().count()),
                   int(time.seconds().count()),
                   int(time.subseconds().count())};
}

bool read_digits(std::string_view& text, std::size_t count, int& out) {
  if (text.size() < count) return false;
  int value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  text.remove_prefix(count);
  out = value;
  return true;
}

bool expect(std::string_view& text, char c) {
  if (text.empty() || text.front() != c) return false;
  text.remove_prefix(1);
  return true;
}

}  // namespace

std::int64_t SystemClock::now_unix_ms() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string format_rfc3339_ms(std::int64_t unix_ms) {
  const CivilTime t = to_civil(unix_ms);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", t.year, t.month, t.day, t.hour, t.minute,
                     t.second, t.millisecond);
}

std::string format_compact_utc_ms(std::int64_t unix_ms) {
  const CivilTime t = to_civil(unix_ms);
  return fmt::format("{:04}{:02}{:02}{:02}{:02}{:02}{:03}", t.year, t.month, t.day, t.hour, t.minute,
                     t.second, t.millisecond);
}

std::optional<std::int64_t> parse_rfc3339_ms(std::string_view text) {
  using namespace std::chrono;
  int year, month, day, hour, minute, second;
  if (!read_digits(text, 4, year) || !expect(text, '-') || !read_digits(text, 2, month) ||
      !expect(text, '-') || !read_digits(text, 2, day) || !(expect(text, 'T') || expect(text, 't')) ||
      !read_digits(text, 2, hour) || !expect(text, ':') || !read_digits(text, 2, minute) ||
      !expect(text, ':') || !read_digits(text, 2, second)) {
    return std::nullopt;
  }
  int millisecond = 0;
  if (expect(text, '.')) {
    std::size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
    if (digits == 0 || digits > 9) return std::nullopt;
    int scaled = 0;
    for (std::size_t i = 0; i < 3; ++i) scaled = scaled * 10 + (i < digits ? text[i] - '0' : 0);
    millisecond = scaled;
    text.remove_prefix(digits);
  }
  int offset_minutes = 0;
  if (expect(text, 'Z') || expect(text, 'z')) {
  } else if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
    const int sign = text.front() == '-' ? -1 : 1;
    text.remove_prefix(1);
    int offset_hours, offset_mins;
    if (!read_digits(text, 2, offset_hours) || !expect(text, ':') || !read_digits(text, 2, offset_mins) ||
        offset_hours > 23 || offset_mins > 59) {
      return std::nullopt;
    }
    offset_minutes = sign * (offset_hours * 60 + offset_mins);
  } else {
    return std::nullopt;
  }
  if (!text.empty() || month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59)
    return std::nullopt;
  const year_month_day date{std::chrono::year{year}, std::chrono::month{unsigned(month)},
                            std::chrono::day{unsigned(day)}};
  if (!date.ok()) return std::nullopt;
  const auto day_ms = duration_cast<milliseconds>(sys_days{date}.time_since_epoch()).count();
  return day_ms + ((hour * 60 + minute - offset_minutes) * 60 + second) * 1000LL + millisecond;
}

std::string format_beijing_time(std::int64_t unix_ms) {
  // RFC 3339 of the shifted instant, rearranged: "2026-11-22T23:27:44.123Z" -> "2026-11-22 23:27:44".
  const std::string shifted = format_rfc3339_ms(unix_ms + 8 * 3600 * 1000);
  return shifted.substr(0, 10) + " " + shifted.substr(11, 8);
}

std::optional<std::int64_t> parse_beijing_time(std::string_view text) {
  if (text.size() != 19 || text[10] != ' ') return std::nullopt;
  std::string rfc3339(text);
  rfc3339[10] = 'T';
  rfc3339 += "+08:00";
  return parse_rfc3339_ms(rfc3339);
}

}  // namespace paygate
