// Structured JSON-lines logging: one object per line with ts, level, event and typed fields.
// Callers must never pass a secret as a field; auth code logs merchant ids, never secrets or signatures.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace paygate::log {

enum class Level { kDebug, kInfo, kWarn, kError };

class Field {
 public:
  enum class Kind { kText, kInteger, kFloat, kBool };

  Field(std::string_view key, std::string_view text) : key_(key), kind_(Kind::kText), text_(text) {}
  Field(std::string_view key, const char* text) : Field(key, std::string_view(text)) {}
  Field(std::string_view key, const std::string& text) : Field(key, std::string_view(text)) {}
  Field(std::string_view key, std::int64_t value) : key_(key), kind_(Kind::kInteger), integer_(value) {}
  Field(std::string_view key, int value) : Field(key, static_cast<std::int64_t>(value)) {}
  Field(std::string_view key, unsigned value) : Field(key, static_cast<std::int64_t>(value)) {}
  Field(std::string_view key, std::uint64_t value) : Field(key, static_cast<std::int64_t>(value)) {}
  Field(std::string_view key, double value) : key_(key), kind_(Kind::kFloat), floating_(value) {}
  Field(std::string_view key, bool value) : key_(key), kind_(Kind::kBool), boolean_(value) {}

  void append_json(std::string& out) const;

 private:
  std::string_view key_;
  Kind kind_;
  std::string_view text_;
  std::int64_t integer_ = 0;
  double floating_ = 0;
  bool boolean_ = false;
};

// Lines go to stdout. Safe to call before init (defaults to info).
void init(Level min_level);
std::optional<Level> parse_level(std::string_view text);
bool enabled(Level level);
void write(Level level, std::string_view event, std::initializer_list<Field> fields);
void flush();

inline void debug(std::string_view event, std::initializer_list<Field> fields = {}) {
  if (enabled(Level::kDebug)) write(Level::kDebug, event, fields);
}
inline void info(std::string_view event, std::initializer_list<Field> fields = {}) {
  write(Level::kInfo, event, fields);
}
inline void warn(std::string_view event, std::initializer_list<Field> fields = {}) {
  write(Level::kWarn, event, fields);
}
inline void error(std::string_view event, std::initializer_list<Field> fields = {}) {
  write(Level::kError, event, fields);
}

// Appends text as a JSON string literal (quotes included), escaping as RFC 8259 requires.
void append_json_string(std::string& out, std::string_view text);

}  // namespace paygate::log
