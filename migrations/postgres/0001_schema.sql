-- The PostgreSQL schema: the same tables and columns as SQLite's migrations 0001–0009 (so one set of row
-- readers serves both stores), with what several nodes need on top: sequence-ordered outbox events and
-- transfers, ledger balances rolled up from append-only deltas (see ledger_account_deltas below), and
-- background work claimed by nodes (claimed_by; ports/job_claim.h).
-- Money is BIGINT minor units plus a currency code; times are BIGINT Unix milliseconds. Every id column is
-- COLLATE "C": ids compare bytewise (pages list them in the same order as SQLite), and a join between two id
-- columns of one collation can use their indexes (mixed collations cannot).
CREATE TABLE merchants (
  merchant_id            TEXT COLLATE "C" PRIMARY KEY,
  name                   TEXT NOT NULL,
  secret                 TEXT NOT NULL,
  enabled                BOOLEAN NOT NULL DEFAULT TRUE,
  created_at_ms          BIGINT NOT NULL,
  webhook_secret         TEXT NOT NULL DEFAULT '',
  secret_version         INTEGER NOT NULL DEFAULT 1,
  webhook_secret_version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE orders (
  order_id            TEXT COLLATE "C" PRIMARY KEY,
  merchant_id         TEXT COLLATE "C" NOT NULL REFERENCES merchants (merchant_id),
  out_trade_no        TEXT NOT NULL,
  amount_minor        BIGINT NOT NULL CHECK (amount_minor > 0),
  currency            TEXT NOT NULL,
  subject             TEXT NOT NULL,
  channel             TEXT,
  method              TEXT NOT NULL DEFAULT '',
  notify_url          TEXT NOT NULL DEFAULT '',
  metadata            TEXT NOT NULL DEFAULT '',
  client_ip           TEXT NOT NULL DEFAULT '',
  user_id             TEXT COLLATE "C" NOT NULL DEFAULT '',
  status              TEXT NOT NULL
                      CHECK (status IN ('pending', 'succeeded', 'partially_refunded', 'refunded', 'closed', 'failed')),
  version             BIGINT NOT NULL,
  created_at_ms       BIGINT NOT NULL,
  updated_at_ms       BIGINT NOT NULL,
  expires_at_ms       BIGINT NOT NULL,
  request_fingerprint TEXT NOT NULL,
  channel_account_id  TEXT COLLATE "C" NOT NULL DEFAULT '',
  payment_url         TEXT NOT NULL DEFAULT '',
  channel_trade_no    TEXT NOT NULL DEFAULT '',
  paid_at_ms          BIGINT NOT NULL DEFAULT 0,
  merchant_fee_bps    INTEGER NOT NULL DEFAULT 0,
  channel_fee_bps     INTEGER NOT NULL DEFAULT 0,
  fee_rounding        TEXT NOT NULL DEFAULT 'half_up',
  refund_fees         BOOLEAN NOT NULL DEFAULT TRUE,
  refunded_minor      BIGINT NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0),
  refunding_minor     BIGINT NOT NULL DEFAULT 0 CHECK (refunding_minor >= 0),
  query_attempts      INTEGER NOT NULL DEFAULT 0,
  next_query_at_ms    BIGINT NOT NULL DEFAULT 0,
  late_payment        BOOLEAN NOT NULL DEFAULT FALSE,
  payment_params      TEXT NOT NULL DEFAULT '',
  claimed_by          TEXT NOT NULL DEFAULT '',  -- the node whose job holds it (ports/job_claim.h)
  UNIQUE (merchant_id, out_trade_no)
);
CREATE INDEX orders_by_merchant ON orders (merchant_id, order_id);
CREATE INDEX orders_by_merchant_status ON orders (merchant_id, status, order_id);
CREATE INDEX orders_pending_by_expiry ON orders (expires_at_ms) WHERE status = 'pending';
CREATE INDEX orders_pending_by_next_query ON orders (next_query_at_ms)
  WHERE status = 'pending' AND channel_account_id <> '';
CREATE INDEX orders_late_payments ON orders (order_id) WHERE late_payment AND status = 'succeeded';
CREATE INDEX orders_claimed ON orders (claimed_by) WHERE claimed_by <> '';

CREATE TABLE idempotency_keys (
  merchant_id         TEXT COLLATE "C" NOT NULL,
  idempotency_key     TEXT NOT NULL,
  request_fingerprint TEXT NOT NULL,
  state               TEXT NOT NULL CHECK (state IN ('in_progress', 'completed')),
  status_code         INTEGER,
  response_body       TEXT,
  locked_until_ms     BIGINT NOT NULL,
  created_at_ms       BIGINT NOT NULL,
  PRIMARY KEY (merchant_id, idempotency_key)
);

CREATE TABLE notify_inbox (
  channel            TEXT NOT NULL,
  notify_id          TEXT COLLATE "C" NOT NULL,
  channel_account_id TEXT COLLATE "C" NOT NULL,
  order_id           TEXT COLLATE "C" NOT NULL,
  received_at_ms     BIGINT NOT NULL,
  raw                TEXT NOT NULL,
  PRIMARY KEY (channel, notify_id)
);

-- seq orders an order's events: they are written under the order's row lock, so for one order seq order is
-- commit order, which is the order they are delivered in.
CREATE TABLE outbox_events (
  seq                BIGSERIAL UNIQUE,
  event_id           TEXT COLLATE "C" PRIMARY KEY,
  merchant_id        TEXT COLLATE "C" NOT NULL,
  order_id           TEXT COLLATE "C" NOT NULL,
  type               TEXT NOT NULL,
  payload            TEXT NOT NULL,
  created_at_ms      BIGINT NOT NULL,
  notify_url         TEXT NOT NULL DEFAULT '',
  status             TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'delivered', 'dead', 'no_endpoint')),
  attempts           INTEGER NOT NULL DEFAULT 0,
  next_attempt_at_ms BIGINT NOT NULL DEFAULT 0,
  last_http_status   INTEGER NOT NULL DEFAULT 0,
  last_error         TEXT NOT NULL DEFAULT '',
  delivered_at_ms    BIGINT NOT NULL DEFAULT 0,
  claimed_by         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_events_by_order ON outbox_events (order_id, seq);
CREATE INDEX outbox_events_due ON outbox_events (next_attempt_at_ms) WHERE status = 'pending';
CREATE INDEX outbox_events_by_merchant ON outbox_events (merchant_id, seq);
CREATE INDEX outbox_events_claimed ON outbox_events (claimed_by) WHERE claimed_by <> '';

-- The ledger (DESIGN §5). An account row holds its totals as of its last roll-up; every posting appends its
-- effect on each account to ledger_account_deltas instead of updating the row, so a hot account (a channel
-- receivable, revenue:fees, a busy merchant) takes no row lock per posting. An account's balance is its row
-- plus its deltas; a roll-up folds deltas into rows (DELETE … RETURNING and UPDATE in one transaction).
-- A posting that moves a flagged account towards its limit (a refund debiting a merchant payable) locks
-- that one row and checks the balance first: only that direction can break the flag.
CREATE TABLE ledger_accounts (
  code           TEXT COLLATE "C" PRIMARY KEY,
  type           TEXT NOT NULL CHECK (type IN ('asset', 'liability', 'revenue', 'expense')),
  currency       TEXT NOT NULL,
  debits_posted  BIGINT NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
  credits_posted BIGINT NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
  debits_must_not_exceed_credits BOOLEAN NOT NULL DEFAULT FALSE,
  credits_must_not_exceed_debits BOOLEAN NOT NULL DEFAULT FALSE,
  created_at_ms  BIGINT NOT NULL
);

CREATE TABLE ledger_account_deltas (
  delta_id BIGSERIAL PRIMARY KEY,
  code     TEXT COLLATE "C" NOT NULL,
  debits   BIGINT NOT NULL CHECK (debits >= 0),
  credits  BIGINT NOT NULL CHECK (credits >= 0)
);
CREATE INDEX ledger_account_deltas_by_code ON ledger_account_deltas (code);

CREATE TABLE ledger_transfers (
  transfer_id    BIGSERIAL PRIMARY KEY,
  batch_id       BIGINT NOT NULL,
  debit_account  TEXT COLLATE "C" NOT NULL,
  credit_account TEXT COLLATE "C" NOT NULL,
  amount_minor   BIGINT NOT NULL CHECK (amount_minor > 0),
  currency       TEXT NOT NULL,
  code           TEXT NOT NULL,
  reference      TEXT NOT NULL,
  order_id       TEXT COLLATE "C" NOT NULL DEFAULT '',
  merchant_id    TEXT COLLATE "C" NOT NULL DEFAULT '',
  created_at_ms  BIGINT NOT NULL,
  CHECK (debit_account <> credit_account)
);
CREATE INDEX ledger_transfers_by_order ON ledger_transfers (order_id) WHERE order_id <> '';

CREATE TABLE refunds (
  refund_id             TEXT COLLATE "C" PRIMARY KEY,
  merchant_id           TEXT COLLATE "C" NOT NULL REFERENCES merchants (merchant_id),
  order_id              TEXT COLLATE "C" NOT NULL REFERENCES orders (order_id),
  out_refund_no         TEXT NOT NULL,
  amount_minor          BIGINT NOT NULL CHECK (amount_minor > 0),
  currency              TEXT NOT NULL,
  reason                TEXT NOT NULL DEFAULT '',
  notify_url            TEXT NOT NULL DEFAULT '',
  status                TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  version               BIGINT NOT NULL,
  created_at_ms         BIGINT NOT NULL,
  updated_at_ms         BIGINT NOT NULL,
  succeeded_at_ms       BIGINT NOT NULL DEFAULT 0,
  failure_code          TEXT NOT NULL DEFAULT '',
  failure_message       TEXT NOT NULL DEFAULT '',
  request_fingerprint   TEXT NOT NULL,
  channel_attempts      INTEGER NOT NULL DEFAULT 0,
  next_channel_check_ms BIGINT NOT NULL DEFAULT 0,
  claimed_by            TEXT NOT NULL DEFAULT '',
  UNIQUE (merchant_id, out_refund_no)
);
CREATE INDEX refunds_by_order ON refunds (order_id, refund_id);
CREATE INDEX refunds_pending_by_check ON refunds (next_channel_check_ms) WHERE status = 'pending';
CREATE INDEX refunds_claimed ON refunds (claimed_by) WHERE claimed_by <> '';

CREATE TABLE operators (
  operator_id   TEXT COLLATE "C" PRIMARY KEY,
  name          TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
  key_sha256    TEXT NOT NULL UNIQUE,
  created_at_ms BIGINT NOT NULL,
  revoked_at_ms BIGINT
);

CREATE TABLE audit_log (
  audit_id    BIGSERIAL PRIMARY KEY,
  at_ms       BIGINT NOT NULL,
  operator_id TEXT COLLATE "C" NOT NULL,
  action      TEXT NOT NULL,
  target      TEXT NOT NULL,
  before_json TEXT NOT NULL,
  after_json  TEXT NOT NULL,
  request_id  TEXT COLLATE "C" NOT NULL
);

-- Append-only, whoever asks.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
