// QR codes as inline SVG (libqrencode), for the cashier page.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace paygate::qr {

// An SVG of text as a QR code (error correction M, 4-module quiet zone); nullopt if it cannot be encoded.
std::optional<std::string> svg(std::string_view text);

}  // namespace paygate::qr
