// An order: what a merchant asked to be paid, and where it stands.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/ids.h"
#include "core/money.h"
#include "domain/channel.h"
#include "domain/ledger/fee_schedule.h"
#include "domain/order_status.h"

namespace paygate {

struct Order {
  OrderId order_id;
  MerchantId merchant_id;
  std::string out_trade_no;
  Money amount;
  std::string subject;
  std::optional<Channel> channel;  // absent: the payer chooses at the cashier
  std::string method;              // empty when channel is absent
  std::string notify_url;          // empty when the merchant wants no webhooks
  std::string metadata_json;       // a JSON object as text, "" when absent
  std::string client_ip;
  std::string user_id;
  OrderStatus status = OrderStatus::kPending;
  std::int64_t version = 0;  // bumped by every transition; the compare-and-set token
  std::int64_t created_at_ms = 0;
  std::int64_t updated_at_ms = 0;
  std::int64_t expires_at_ms = 0;
  // SHA-256 of the canonical create request: the same out_trade_no with another fingerprint is a conflict.
  std::string request_fingerprint;
  std::string channel_account_id;  // the configured account that carries the payment; "" for cashier orders
  std::string payment_url;  // what the payer opens or scans (QR code content or pay URL); "" until known
  // What the payer's page needs besides payment_url, as a JSON object (WeChat Pay JSAPI's signed parameters
  // for WeixinJSBridge); "" when nothing.
  std::string payment_params_json;
  std::string channel_trade_no;  // the channel's own number for the trade, once paid
  std::int64_t paid_at_ms = 0;
  ledger::FeeSchedule fees;           // frozen when paid: refunds reverse exactly what the payment took
  std::int64_t refunded_minor = 0;    // succeeded refunds
  std::int64_t refunding_minor = 0;   // pending refunds: reserved, so refunds can never pass the amount
  std::int32_t query_attempts = 0;    // active queries sent to the channel while pending
  std::int64_t next_query_at_ms = 0;  // when a pending channel order is next asked about
  bool late_payment = false;          // paid at the channel after we had closed it (DESIGN §4)

  // What is still refundable: the amount, less refunds that succeeded or may still succeed.
  std::int64_t refundable_minor() const { return amount.minor - refunded_minor - refunding_minor; }
};

}  // namespace paygate
