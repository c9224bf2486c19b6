-- Merchant webhooks: each merchant's signing secret (separate from its API secret), and the delivery state of
-- every outbox event: where it goes, whether it arrived, how often it was tried and when it is tried next.
ALTER TABLE merchants ADD COLUMN webhook_secret TEXT NOT NULL DEFAULT '';

ALTER TABLE outbox_events ADD COLUMN notify_url TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox_events ADD COLUMN status TEXT NOT NULL DEFAULT 'pending'
  CHECK (status IN ('pending', 'delivered', 'dead', 'no_endpoint'));
ALTER TABLE outbox_events ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox_events ADD COLUMN next_attempt_at_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox_events ADD COLUMN last_http_status INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox_events ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox_events ADD COLUMN delivered_at_ms INTEGER NOT NULL DEFAULT 0;

-- Events written before this migration go to their order's notify_url, if it has one.
UPDATE outbox_events SET notify_url = COALESCE((SELECT o.notify_url FROM orders o
                                                WHERE o.order_id = outbox_events.order_id), '');
UPDATE outbox_events SET status = 'no_endpoint' WHERE notify_url = '';

CREATE INDEX outbox_events_due ON outbox_events (next_attempt_at_ms) WHERE status = 'pending';
CREATE INDEX outbox_events_by_merchant ON outbox_events (merchant_id);  -- newest first by rowid
