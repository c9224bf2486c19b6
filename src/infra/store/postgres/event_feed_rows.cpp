// The event feed queue: outbox events waiting to be appended to the feed for other services. A trigger
// queues each event as it is written (while the feed is enabled); relays on any node claim and remove them.
#include <algorithm>
#include <cctype>

#include "core/assert.h"
#include "infra/store/postgres/rows.h"
#include "infra/store/shared/row_readers.h"

namespace paygate::postgres {

void update_event_feed_setting(Connection& db, bool enabled) {
  db.run("UPDATE event_feed_settings SET enabled = $1 WHERE id = 1", {enabled});
}

std::vector<OutboxEvent> claim_feed_events(Connection& db, const JobClaim& claim) {
  // Rows another node is claiming right now are skipped, not waited for.
  auto rows = db.query(
      "WITH due AS (SELECT seq FROM event_feed WHERE due_at_ms <= $1 ORDER BY seq LIMIT $2"
      "   FOR UPDATE SKIP LOCKED),"
      " claimed AS (UPDATE event_feed f SET due_at_ms = $3, claimed_by = $4 FROM due WHERE f.seq = due.seq"
      "   RETURNING f.event_id, f.seq AS feed_seq)"
      " SELECT " PAYGATE_EVENT_COLUMNS " FROM claimed JOIN outbox_events USING (event_id) ORDER BY feed_seq",
      {claim.now_ms, std::int64_t{claim.limit}, claim.now_ms + claim.lease_ms, claim.node_id});
  std::vector<OutboxEvent> out;
  while (rows.next()) out.push_back(store_rows::read_event(rows));
  return out;
}

std::int64_t delete_feed_events(Connection& db, const std::vector<std::string>& event_ids) {
  if (event_ids.empty()) return 0;
  // One statement for the whole claim: an array literal of ids, which are [A-Za-z0-9_] (no quoting needed;
  // anything else is refused rather than spliced).
  std::string ids = "{";
  for (const std::string& event_id : event_ids) {
    PAYGATE_ASSERT(std::all_of(event_id.begin(), event_id.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    }));
    if (ids.size() > 1) ids += ',';
    ids += event_id;
  }
  ids += '}';
  return db.run("DELETE FROM event_feed WHERE event_id = ANY($1::text[])", {ids});
}

}  // namespace paygate::postgres
