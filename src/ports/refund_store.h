// Refunds: reserved on their order, settled by the channel's final word (the Store port, DESIGN §6).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/order.h"
#include "domain/refund.h"
#include "ports/completion.h"
#include "ports/job_claim.h"

namespace paygate {

struct CreatedRefund {
  Refund refund;
  Order order;           // after the command: its refunding amount includes this refund when created
  bool created = false;  // false: the same out_refund_no with the same fields already existed
};

// A channel's final word on a refund. Success posts the refund's transfers, moves the order and releases
// the reservation; failure only releases it. Either writes an outbox event, all in one command.
// A channel notify as received, for the inbox (unique per channel and notify id).
struct ReceivedNotify {
  Channel channel = Channel::kAlipay;
  std::string notify_id;
  std::string channel_account_id;
  std::string raw;
};

struct RefundSettlement {
  RefundId refund_id;
  RefundStatus status = RefundStatus::kSucceeded;  // kSucceeded or kFailed
  std::string failure_code;                        // kFailed: the channel's code
  std::string failure_message;
  std::int64_t at_ms = 0;
  // Set when a notify says so (WeChat Pay REFUND.*): recorded in the inbox in the same command; a notify
  // recorded before changes nothing.
  std::optional<ReceivedNotify> notify;
};

struct RefundOutcome {
  Refund refund;
  Order order;
  bool changed = false;  // false: the refund was already in that final status
};

// A pending refund was (or is about to be) asked about at its channel: counts the attempt and says when
// to ask next, so that a crash or an unknown outcome leaves it to be asked again.
struct RefundCheck {
  RefundId refund_id;
  std::int32_t attempts = 0;
  std::int64_t next_check_ms = 0;
};

class RefundStore {
 public:
  virtual ~RefundStore() = default;

  // Reserves the amount on a paid order and records the refund as pending, unless (merchant_id,
  // out_refund_no) exists: then the existing refund when its request_fingerprint matches, else
  // DUPLICATE_OUT_REFUND_NO. REFUND_AMOUNT_EXCEEDED when pending + succeeded refunds would pass the amount.
  virtual void create_refund(Refund refund, Completion<CreatedRefund> done) = 0;
  virtual void settle_refund(RefundSettlement settlement, Completion<RefundOutcome> done) = 0;
  virtual void note_refund_check(RefundCheck check, Completion<Refund> done) = 0;
  virtual Result<std::optional<Refund>> find_refund(const MerchantId& merchant_id,
                                                    const RefundId& refund_id) = 0;
  // Any merchant's refund, by our id: for channel notifies, which name refunds but not merchants.
  virtual Result<std::optional<Refund>> find_refund_by_id(const RefundId& refund_id) = 0;
  virtual Result<std::optional<Refund>> find_refund_by_out_refund_no(const MerchantId& merchant_id,
                                                                     const std::string& out_refund_no) = 0;
  virtual Result<std::vector<Refund>> list_order_refunds(const MerchantId& merchant_id,
                                                         const OrderId& order_id) = 0;
  // Claims pending refunds whose next channel check is due, oldest first.
  virtual void claim_due_refunds(JobClaim claim, Completion<std::vector<Refund>> done) = 0;
};

}  // namespace paygate
