// The event feed queue: outbox events waiting to be appended to the feed for other services. A trigger
// queues each event as it is written (while the feed is enabled); the relay claims and removes them.
#include "infra/store/shared/row_readers.h"
#include "infra/store/sqlite/rows.h"

namespace paygate::sqlite {

void update_event_feed_setting(Connection& db, bool enabled) {
  db.prepare("UPDATE event_feed_settings SET enabled = ? WHERE id = 1").bind(1, std::int64_t{enabled}).run();
}

std::vector<OutboxEvent> claim_feed_events(Connection& db, const JobClaim& claim) {
  auto row = db.prepare("SELECT " PAYGATE_EVENT_COLUMNS
                        ", f.seq FROM event_feed f JOIN outbox_events e"
                        " USING (event_id) WHERE f.due_at_ms <= ? ORDER BY f.seq LIMIT ?");
  row.bind(1, claim.now_ms).bind(2, std::int64_t{claim.limit});
  std::vector<std::int64_t> claimed_seqs;
  std::vector<OutboxEvent> out;
  while (row.step()) {
    out.push_back(store_rows::read_event(row));
    claimed_seqs.push_back(row.column_int64(13));
  }
  for (std::int64_t seq : claimed_seqs) {
    db.prepare("UPDATE event_feed SET due_at_ms = ?, claimed_by = ? WHERE seq = ?")
        .bind(1, claim.now_ms + claim.lease_ms)
        .bind(2, claim.node_id)
        .bind(3, seq)
        .run();
  }
  return out;
}

std::int64_t delete_feed_events(Connection& db, const std::vector<std::string>& event_ids) {
  std::int64_t deleted = 0;
  for (const std::string& event_id : event_ids) {
    db.prepare("DELETE FROM event_feed WHERE event_id = ?").bind(1, event_id).run();
    deleted += db.changes();
  }
  return deleted;
}

}  // namespace paygate::sqlite
