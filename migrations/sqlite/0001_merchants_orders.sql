-- Merchants, orders and idempotency keys. Money is integer minor units plus a currency code.
CREATE TABLE merchants (
  merchant_id   TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  secret        TEXT NOT NULL,
  enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  created_at_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE orders (
  order_id            TEXT PRIMARY KEY,
  merchant_id         TEXT NOT NULL REFERENCES merchants (merchant_id),
  out_trade_no        TEXT NOT NULL,
  amount_minor        INTEGER NOT NULL CHECK (amount_minor > 0),
  currency            TEXT NOT NULL,
  subject             TEXT NOT NULL,
  channel             TEXT,
  method              TEXT NOT NULL DEFAULT '',
  notify_url          TEXT NOT NULL DEFAULT '',
  metadata            TEXT NOT NULL DEFAULT '',
  client_ip           TEXT NOT NULL DEFAULT '',
  user_id             TEXT NOT NULL DEFAULT '',
  status              TEXT NOT NULL
                      CHECK (status IN ('pending', 'succeeded', 'partially_refunded', 'refunded', 'closed', 'failed')),
  version             INTEGER NOT NULL,
  created_at_ms       INTEGER NOT NULL,
  updated_at_ms       INTEGER NOT NULL,
  expires_at_ms       INTEGER NOT NULL,
  request_fingerprint TEXT NOT NULL,
  UNIQUE (merchant_id, out_trade_no)
) STRICT;

CREATE INDEX orders_by_merchant ON orders (merchant_id, order_id);
CREATE INDEX orders_by_merchant_status ON orders (merchant_id, status, order_id);
CREATE INDEX orders_pending_by_expiry ON orders (expires_at_ms) WHERE status = 'pending';

CREATE TABLE idempotency_keys (
  merchant_id         TEXT NOT NULL,
  idempotency_key     TEXT NOT NULL,
  request_fingerprint TEXT NOT NULL,
  state               TEXT NOT NULL CHECK (state IN ('in_progress', 'completed')),
  status_code         INTEGER,
  response_body       TEXT,
  locked_until_ms     INTEGER NOT NULL,
  created_at_ms       INTEGER NOT NULL,
  PRIMARY KEY (merchant_id, idempotency_key)
) STRICT, WITHOUT ROWID;
