#include "api/qr_svg.h"

#include <qrencode.h>

#include <memory>
#include <string>

#include "fmt/format.h"

namespace paygate::qr {

std::optional<std::string> svg(std::string_view text) {
  const std::string input(text);
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString8bit(input.c_str(), 0, QR_ECLEVEL_M), &QRcode_free);
  if (!code) return std::nullopt;
  constexpr int kQuietZone = 4;
  const int width = code->width;
  const int size = width + 2 * kQuietZone;
  std::string out = fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {0} {0}" shape-rendering="crispEdges" role="img" )"
      R"(aria-label="QR code"><rect width="{0}" height="{0}" fill="#fff"/><path fill="#000" d=")",
      size);
  for (int y = 0; y < width; ++y) {
    for (int x = 0; x < width; ++x) {
      // The low bit of each module byte is "dark".
      if (code->data[y * width + x] & 1) out += fmt::format("M{} {}h1v1h-1z", x + kQuietZone, y + kQuietZone);
    }
  }
  out += R"("/></svg>)";
  return out;
}

}  // namespace paygate::qr
