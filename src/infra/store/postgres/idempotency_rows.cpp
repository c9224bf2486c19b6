// Idempotency-Key claims: the first request under a key proceeds and holds a lease; later ones replay.
#include "infra/store/postgres/rows.h"

namespace paygate::postgres {

IdempotencyDecision claim_key(Connection& db, const IdempotencyClaim& claim) {
  const std::int64_t locked_until_ms = claim.now_ms + claim.lease_ms;
  // A new key is inserted at once; ON CONFLICT waits for a concurrent claim of the same key to finish.
  if (db.run("INSERT INTO idempotency_keys (merchant_id, idempotency_key, request_fingerprint, state,"
             " locked_until_ms, created_at_ms) VALUES ($1, $2, $3, 'in_progress', $4, $5)"
             " ON CONFLICT (merchant_id, idempotency_key) DO NOTHING",
             {claim.merchant_id.value, claim.key, claim.request_fingerprint, locked_until_ms,
              claim.now_ms}) == 1)
    return {IdempotencyVerdict::kProceed, 0, {}};
  auto row = db.query(
      "SELECT request_fingerprint, state, status_code, response_body, locked_until_ms FROM idempotency_keys"
      " WHERE merchant_id = $1 AND idempotency_key = $2 FOR UPDATE",
      {claim.merchant_id.value, claim.key});
  // Released (deleted) between our insert and our look: a retry of the whole command claims it afresh.
  if (!row.next()) throw PgError("40001", "idempotency key released concurrently", false);
  if (row.column_text(0) != claim.request_fingerprint)
    return {IdempotencyVerdict::kFingerprintMismatch, 0, {}};
  if (row.column_text(1) == "completed")
    return {IdempotencyVerdict::kReplay, static_cast<int>(row.column_int64(2)), row.column_text(3)};
  if (row.column_int64(4) > claim.now_ms) return {IdempotencyVerdict::kInProgress, 0, {}};
  // The holder's lease ran out (it crashed before finishing): this request takes the key over.
  db.run("UPDATE idempotency_keys SET locked_until_ms = $1 WHERE merchant_id = $2 AND idempotency_key = $3",
         {locked_until_ms, claim.merchant_id.value, claim.key});
  return {IdempotencyVerdict::kProceed, 0, {}};
}

bool finish_key(Connection& db, const IdempotencyResult& result) {
  if (!result.keep) {
    return db.run(
               "DELETE FROM idempotency_keys WHERE merchant_id = $1 AND idempotency_key = $2"
               " AND state = 'in_progress'",
               {result.merchant_id.value, result.key}) == 1;
  }
  return db.run(
             "UPDATE idempotency_keys SET state = 'completed', status_code = $1, response_body = $2"
             " WHERE merchant_id = $3 AND idempotency_key = $4 AND state = 'in_progress'",
             {result.status_code, result.response_body, result.merchant_id.value, result.key}) == 1;
}

}  // namespace paygate::postgres
