-- Active queries: a pending channel order is asked about at its channel on a schedule (5 s, 10 s, 30 s, 1 min,
-- 2 min, 5 min, then every 5 min by default) until it is paid, closed or expires, so a lost notify never
-- leaves it stuck.
ALTER TABLE orders ADD COLUMN query_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN next_query_at_ms INTEGER NOT NULL DEFAULT 0;
CREATE INDEX orders_pending_by_next_query ON orders (next_query_at_ms)
  WHERE status = 'pending' AND channel_account_id <> '';
