#include "core/error.h"

#include <array>

#include "core/assert.h"

namespace paygate {
namespace {

using C = ErrorClass;

// Indexed by ErrorCode; the static_assert below keeps the two in step.
constexpr std::array kCatalogue = {
    ErrorInfo{"INVALID_PARAMETER", 400, C::kMalformed, false,
              "A field is missing, has the wrong type or is out of range; the message names it."},
    ErrorInfo{"INVALID_JSON", 400, C::kMalformed, false, "The body is not a JSON object."},
    ErrorInfo{"UNSUPPORTED_CURRENCY", 400, C::kMalformed, false,
              "The currency is not one paygate settles (today: CNY)."},
    ErrorInfo{"BODY_TOO_LARGE", 413, C::kMalformed, false,
              "The request body exceeds the server's body limit."},
    ErrorInfo{"HEADER_TOO_LARGE", 431, C::kMalformed, false,
              "The request headers exceed the server's header limit."},
    ErrorInfo{"AUTH_MISSING", 401, C::kUnauthenticated, false, "No Authorization header was sent."},
    ErrorInfo{"AUTH_MALFORMED", 401, C::kUnauthenticated, false,
              "The Authorization header does not follow the PAYGATE-HMAC-SHA256 scheme."},
    ErrorInfo{"MERCHANT_UNKNOWN", 401, C::kUnauthenticated, false,
              "No merchant has the merchant_id in the Authorization header."},
    ErrorInfo{"SIGNATURE_INVALID", 401, C::kUnauthenticated, false,
              "The signature does not match the request and the merchant's secret."},
    ErrorInfo{
        "TIMESTAMP_EXPIRED", 401, C::kUnauthenticated, true,
        "The timestamp is more than the allowed window away from server time; re-sign with a fresh one."},
    ErrorInfo{"NONCE_REUSED", 401, C::kUnauthenticated, true,
              "The nonce was already used within the timestamp window; re-sign with a fresh nonce."},
    ErrorInfo{"MERCHANT_DISABLED", 403, C::kRejected, false, "The merchant exists but is disabled."},
    ErrorInfo{"ROUTE_NOT_FOUND", 404, C::kMalformed, false, "No endpoint has this path."},
    ErrorInfo{"METHOD_NOT_ALLOWED", 405, C::kMalformed, false,
              "The endpoint exists but not for this HTTP method."},
    ErrorInfo{"ORDER_NOT_FOUND", 404, C::kRejected, false,
              "The merchant has no order with this id or out_trade_no."},
    ErrorInfo{"DUPLICATE_OUT_TRADE_NO", 409, C::kRejected, false,
              "The merchant already has an order with this out_trade_no but different fields."},
    ErrorInfo{"IDEMPOTENCY_KEY_REUSED", 409, C::kRejected, false,
              "The Idempotency-Key was first used with a different request."},
    ErrorInfo{"IDEMPOTENCY_KEY_IN_USE", 409, C::kRetryLater, true,
              "A request with this Idempotency-Key is still being processed."},
    ErrorInfo{"ORDER_STATUS_INVALID", 409, C::kRejected, false,
              "The order's status does not allow this operation."},
    ErrorInfo{"REFUND_NOT_FOUND", 404, C::kRejected, false,
              "The merchant has no refund with this id or out_refund_no."},
    ErrorInfo{"DUPLICATE_OUT_REFUND_NO", 409, C::kRejected, false,
              "The merchant already has a refund with this out_refund_no but different fields."},
    ErrorInfo{"REFUND_AMOUNT_EXCEEDED", 422, C::kRejected, false,
              "Pending and succeeded refunds would exceed the paid amount; the message gives what is left."},
    ErrorInfo{"EVENT_NOT_FOUND", 404, C::kRejected, false, "The merchant has no event with this id."},
    ErrorInfo{"CHANNEL_UNAVAILABLE", 422, C::kRejected, false,
              "The requested payment channel or method is not available on this gateway."},
    ErrorInfo{"CHANNEL_REJECTED", 502, C::kRejected, false,
              "The payment channel refused the operation; the message carries its code."},
    ErrorInfo{"CHANNEL_OUTCOME_UNKNOWN", 503, C::kRetryLater, true,
              "The channel did not answer clearly (timeout, system error); the order stays pending and is "
              "queried."},
    ErrorInfo{"RATE_LIMITED", 429, C::kRetryLater, true, "Too many requests; retry after a short delay."},
    ErrorInfo{"STORE_BUSY", 503, C::kRetryLater, true,
              "The write queue is full, or no reader connection came free in time; retry shortly."},
    ErrorInfo{"SHUTTING_DOWN", 503, C::kRetryLater, true,
              "The server is shutting down; retry against another node or later."},
    ErrorInfo{"STORE_UNAVAILABLE", 503, C::kInternal, true,
              "The store could not complete the operation; it was not applied."},
    ErrorInfo{"DEPENDENCY_UNAVAILABLE", 503, C::kRetryLater, true,
              "A shared service the gateway needs (Redis: replay protection) did not answer; nothing was "
              "applied. Retry shortly with a fresh nonce."},
    ErrorInfo{"LEDGER_INVARIANT_VIOLATED", 500, C::kInternal, false,
              "The change would have broken a ledger invariant; it was refused and nothing was written."},
    ErrorInfo{"DESTINATION_FORBIDDEN", 400, C::kRejected, false,
              "The outbound destination guard refused the address (loopback, private, link-local, …); "
              "nothing was sent."},
    ErrorInfo{"HANDLER_TIMEOUT", 504, C::kRetryLater, true,
              "The request was not answered within [http] handler_timeout_ms; it may still complete, so "
              "retry it unchanged (idempotent)."},
    ErrorInfo{"OPERATOR_KEY_INVALID", 401, C::kUnauthenticated, false,
              "The bearer key is not an operator key paygate knows (unknown, malformed or revoked)."},
    ErrorInfo{
        "MERCHANT_CREDENTIAL_REJECTED", 401, C::kUnauthenticated, false,
        "A merchant credential was sent to the operator API (/admin/v1), which takes only operator keys."},
    ErrorInfo{
        "OPERATOR_KEY_REJECTED", 401, C::kUnauthenticated, false,
        "An operator key was sent to the merchant API (/api/v1), which takes only merchant signatures."},
    ErrorInfo{"OPERATOR_FORBIDDEN", 403, C::kRejected, false,
              "The operator's role does not allow this request (a viewer reads, an admin writes)."},
    ErrorInfo{"MERCHANT_NOT_FOUND", 404, C::kRejected, false,
              "No merchant has this merchant_id (operator API)."},
    ErrorInfo{"INTERNAL_ERROR", 500, C::kInternal, true,
              "An unexpected error; it is logged with the request id."},
};
static_assert(kCatalogue.size() == static_cast<std::size_t>(ErrorCode::kInternal) + 1);

}  // namespace

const ErrorInfo& error_info(ErrorCode code) {
  auto index = static_cast<std::size_t>(code);
  PAYGATE_ASSERT(index < kCatalogue.size());
  return kCatalogue[index];
}

const ErrorInfo* error_catalogue_begin() { return kCatalogue.data(); }
const ErrorInfo* error_catalogue_end() { return kCatalogue.data() + kCatalogue.size(); }

}  // namespace paygate
