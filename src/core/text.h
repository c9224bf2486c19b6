// Text checks for outside input: UTF-8 validity, code point counts, identifier character sets.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace paygate {

// Code points in text when it is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF).
std::optional<std::size_t> utf8_length(std::string_view text);

// True when text contains an ASCII control character (U+0000..U+001F, U+007F).
bool has_control_characters(std::string_view text);

// The value of a hex digit (either case), or -1.
int hex_digit_value(char c);

// Decodes %XX escapes and '+' as a space (form and query encoding). nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text);

// 1..max_length characters of [A-Za-z0-9_-].
bool is_token(std::string_view text, std::size_t max_length);

}  // namespace paygate
