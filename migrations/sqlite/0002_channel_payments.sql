-- Channel payments: which channel account an order went to, what the payer needs (QR code or pay URL),
-- the channel's own trade number, the inbox of channel notifies (each applied once) and the outbox of
-- events for merchants, written in the same transaction as the state change that caused them.
ALTER TABLE orders ADD COLUMN channel_account_id TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN payment_url TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN channel_trade_no TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN paid_at_ms INTEGER NOT NULL DEFAULT 0;

-- A rowid table: notify bodies are large, and large rows make WITHOUT ROWID b-trees slow to write.
CREATE TABLE notify_inbox (
  channel            TEXT NOT NULL,
  notify_id          TEXT NOT NULL,
  channel_account_id TEXT NOT NULL,
  order_id           TEXT NOT NULL,
  received_at_ms     INTEGER NOT NULL,
  raw                TEXT NOT NULL,
  UNIQUE (channel, notify_id)
) STRICT;

CREATE TABLE outbox_events (
  event_id      TEXT PRIMARY KEY,
  merchant_id   TEXT NOT NULL,
  order_id      TEXT NOT NULL,
  type          TEXT NOT NULL,
  payload       TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL
) STRICT;
CREATE INDEX outbox_events_by_order ON outbox_events (order_id, created_at_ms);
