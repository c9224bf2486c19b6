-- The double-entry ledger (DESIGN §5) and refunds (DESIGN §4).
--
-- Accounts carry their running totals; every transfer moves a positive amount from one account (debited)
-- to another (credited). Transfers, balance updates and the state change that caused them are written in
-- one transaction. The writer keeps the accounts in memory and writes each touched account's row once per
-- group commit, just before COMMIT; it enforces the flags. (No foreign keys on transfers: two seeks per
-- transfer on long text keys cost 10% of posting throughput; the verifier checks the same thing.)
CREATE TABLE ledger_accounts (
  code           TEXT PRIMARY KEY,  -- "asset:channel_receivable:<account>", "liability:merchant_payable:<id>", ...
  type           TEXT NOT NULL CHECK (type IN ('asset', 'liability', 'revenue', 'expense')),
  currency       TEXT NOT NULL,
  debits_posted  INTEGER NOT NULL DEFAULT 0 CHECK (debits_posted >= 0),
  credits_posted INTEGER NOT NULL DEFAULT 0 CHECK (credits_posted >= 0),
  debits_must_not_exceed_credits INTEGER NOT NULL DEFAULT 0 CHECK (debits_must_not_exceed_credits IN (0, 1)),
  credits_must_not_exceed_debits INTEGER NOT NULL DEFAULT 0 CHECK (credits_must_not_exceed_debits IN (0, 1)),
  created_at_ms  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;  -- small rows found by code: one b-tree, one seek per update

CREATE TABLE ledger_transfers (
  transfer_id    INTEGER PRIMARY KEY,  -- assigned in commit order
  batch_id       INTEGER NOT NULL,     -- the transfer_id of the batch's first transfer
  debit_account  TEXT NOT NULL,  -- a ledger_accounts code: the writer creates an account before its first
  credit_account TEXT NOT NULL,  -- transfer; `ledger verify` finds any transfer whose account is missing
  amount_minor   INTEGER NOT NULL CHECK (amount_minor > 0),
  currency       TEXT NOT NULL,
  code           TEXT NOT NULL,
  reference      TEXT NOT NULL,             -- the order or refund that caused it
  order_id       TEXT NOT NULL DEFAULT '',  -- the order it belongs to, for per-order checks and listings
  merchant_id    TEXT NOT NULL DEFAULT '',
  created_at_ms  INTEGER NOT NULL,
  CHECK (debit_account <> credit_account)
) STRICT;
CREATE INDEX ledger_transfers_by_order ON ledger_transfers (order_id) WHERE order_id <> '';

-- The fees a payment took, frozen when it was paid; refunds reverse them with the same rates and rule.
ALTER TABLE orders ADD COLUMN merchant_fee_bps INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN channel_fee_bps INTEGER NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN fee_rounding TEXT NOT NULL DEFAULT 'half_up';
ALTER TABLE orders ADD COLUMN refund_fees INTEGER NOT NULL DEFAULT 1;
-- Succeeded and pending refunds. Pending ones are reserved so that refunds can never pass the amount.
ALTER TABLE orders ADD COLUMN refunded_minor INTEGER NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0);
ALTER TABLE orders ADD COLUMN refunding_minor INTEGER NOT NULL DEFAULT 0 CHECK (refunding_minor >= 0);

CREATE TABLE refunds (
  refund_id             TEXT PRIMARY KEY,
  merchant_id           TEXT NOT NULL REFERENCES merchants (merchant_id),
  order_id              TEXT NOT NULL REFERENCES orders (order_id),
  out_refund_no         TEXT NOT NULL,
  amount_minor          INTEGER NOT NULL CHECK (amount_minor > 0),
  currency              TEXT NOT NULL,
  reason                TEXT NOT NULL DEFAULT '',
  notify_url            TEXT NOT NULL DEFAULT '',
  status                TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  version               INTEGER NOT NULL,
  created_at_ms         INTEGER NOT NULL,
  updated_at_ms         INTEGER NOT NULL,
  succeeded_at_ms       INTEGER NOT NULL DEFAULT 0,
  failure_code          TEXT NOT NULL DEFAULT '',
  failure_message       TEXT NOT NULL DEFAULT '',
  request_fingerprint   TEXT NOT NULL,
  channel_attempts      INTEGER NOT NULL DEFAULT 0,
  next_channel_check_ms INTEGER NOT NULL DEFAULT 0,
  UNIQUE (merchant_id, out_refund_no)
) STRICT;
CREATE INDEX refunds_by_order ON refunds (order_id, refund_id);
CREATE INDEX refunds_pending_by_check ON refunds (next_channel_check_ms) WHERE status = 'pending';
