// The error catalogue: every error code paygate answers with, its HTTP status and what a caller can do.
// Codes are stable once published; docs/errors.md and api/openapi.yaml list the same catalogue.
#pragma once

#include <cstdint>
#include <string_view>

namespace paygate {

// Grouped by meaning, as rippled groups its result codes.
enum class ErrorClass : std::uint8_t {
  kMalformed,        // the request itself is wrong; retrying the same request cannot help
  kUnauthenticated,  // credentials missing or wrong
  kRejected,         // well-formed, but the current state forbids it
  kRetryLater,       // a transient condition; the same request may succeed later
  kInternal,         // a bug or an unavailable dependency on our side
};

enum class ErrorCode : std::uint8_t {
  kInvalidParameter,
  kInvalidJson,
  kUnsupportedCurrency,
  kBodyTooLarge,
  kHeaderTooLarge,
  kAuthMissing,
  kAuthMalformed,
  kMerchantUnknown,
  kSignatureInvalid,
  kTimestampExpired,
  kNonceReused,
  kMerchantDisabled,
  kRouteNotFound,
  kMethodNotAllowed,
  kOrderNotFound,
  kDuplicateOutTradeNo,
  kIdempotencyKeyReused,
  kIdempotencyKeyInUse,
  kOrderStatusInvalid,
  kRefundNotFound,
  kDuplicateOutRefundNo,
  kRefundAmountExceeded,
  kEventNotFound,
  kChannelUnavailable,
  kChannelRejected,
  kChannelOutcomeUnknown,
  kRateLimited,
  kStoreBusy,
  kShuttingDown,
  kStoreUnavailable,
  kDependencyUnavailable,
  kLedgerInvariantViolated,
  kDestinationForbidden,
  kHandlerTimeout,
  kOperatorKeyInvalid,
  kMerchantCredentialRejected,
  kOperatorKeyRejected,
  kOperatorForbidden,
  kMerchantNotFound,
  kInternal,
};

struct ErrorInfo {
  std::string_view code;  // the stable wire string, e.g. "ORDER_NOT_FOUND"
  int http_status;
  ErrorClass error_class;
  bool retryable;          // whether sending the same request again can succeed
  std::string_view cause;  // one sentence for the catalogue
};

const ErrorInfo& error_info(ErrorCode code);
inline std::string_view error_code_string(ErrorCode code) { return error_info(code).code; }

// Every code in catalogue order, for documentation and tests.
const ErrorInfo* error_catalogue_begin();
const ErrorInfo* error_catalogue_end();

}  // namespace paygate
