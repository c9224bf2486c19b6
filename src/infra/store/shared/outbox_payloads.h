// The outbox events a store writes with the state change they announce: id, type, JSON body and where the
// webhook goes. Built here once for every adapter, so both stores send merchants byte-identical bodies.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "domain/event_delivery.h"
#include "domain/order.h"
#include "domain/refund.h"

namespace paygate::store_rows {

// A new event, pending (or no_endpoint when there is nowhere to send it), due at at_ms.
OutboxEvent order_event(const Order& order, std::string_view type, std::int64_t at_ms);
// A refund's event goes to the refund's notify_url, else its order's.
OutboxEvent refund_event(const Refund& refund, const Order& order, std::string_view type, std::int64_t at_ms);

}  // namespace paygate::store_rows
