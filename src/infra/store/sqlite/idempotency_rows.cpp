#include "infra/store/sqlite/rows.h"

namespace paygate::sqlite {

IdempotencyDecision claim_key(Connection& db, const IdempotencyClaim& claim) {
  auto row = db.prepare(
      "SELECT request_fingerprint, state, status_code, response_body, locked_until_ms FROM idempotency_keys"
      " WHERE merchant_id = ? AND idempotency_key = ?");
  row.bind(1, claim.merchant_id.value).bind(2, claim.key);
  const std::int64_t locked_until_ms = claim.now_ms + claim.lease_ms;
  if (!row.step()) {
    db.prepare(
          "INSERT INTO idempotency_keys (merchant_id, idempotency_key, request_fingerprint, state, "
          "locked_until_ms,"
          " created_at_ms) VALUES (?, ?, ?, 'in_progress', ?, ?)")
        .bind(1, claim.merchant_id.value)
        .bind(2, claim.key)
        .bind(3, claim.request_fingerprint)
        .bind(4, locked_until_ms)
        .bind(5, claim.now_ms)
        .run();
    return {IdempotencyVerdict::kProceed, 0, {}};
  }
  if (row.column_text(0) != claim.request_fingerprint)
    return {IdempotencyVerdict::kFingerprintMismatch, 0, {}};
  if (row.column_text(1) == "completed") {
    return {IdempotencyVerdict::kReplay, static_cast<int>(row.column_int64(2)), row.column_text(3)};
  }
  if (row.column_int64(4) > claim.now_ms) return {IdempotencyVerdict::kInProgress, 0, {}};
  // The holder's lease ran out (it crashed before finishing): this request takes the key over.
  db.prepare("UPDATE idempotency_keys SET locked_until_ms = ? WHERE merchant_id = ? AND idempotency_key = ?")
      .bind(1, locked_until_ms)
      .bind(2, claim.merchant_id.value)
      .bind(3, claim.key)
      .run();
  return {IdempotencyVerdict::kProceed, 0, {}};
}

bool finish_key(Connection& db, const IdempotencyResult& result) {
  if (!result.keep) {
    db.prepare(
          "DELETE FROM idempotency_keys WHERE merchant_id = ? AND idempotency_key = ? AND state = "
          "'in_progress'")
        .bind(1, result.merchant_id.value)
        .bind(2, result.key)
        .run();
    return db.changes() == 1;
  }
  db.prepare(
        "UPDATE idempotency_keys SET state = 'completed', status_code = ?, response_body = ?"
        " WHERE merchant_id = ? AND idempotency_key = ? AND state = 'in_progress'")
      .bind(1, std::int64_t{result.status_code})
      .bind(2, result.response_body)
      .bind(3, result.merchant_id.value)
      .bind(4, result.key)
      .run();
  return db.changes() == 1;
}

}  // namespace paygate::sqlite
