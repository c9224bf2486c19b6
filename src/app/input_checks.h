// Checks shared by the merchant API's use cases. Every error names the field and the problem.
#pragma once

#include <string_view>

#include "core/result.h"
#include "domain/destination_policy.h"

namespace paygate {

Error invalid_field(std::string_view field, std::string_view problem);

// An http:// or https:// URL of at most 512 bytes with a host and no spaces or control characters, whose
// host is not an address literal (or localhost) that the destination policy refuses.
Status check_notify_url(std::string_view url, const DestinationPolicy& destinations);

}  // namespace paygate
