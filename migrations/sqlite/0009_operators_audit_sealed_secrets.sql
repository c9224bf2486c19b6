-- The operator API (DESIGN §10) and secrets at rest (DESIGN §11).
--
-- Merchant secrets are sealed from now on (AES-256-GCM under the master key, "pgenc1:<key id>:…"); rows from
-- before are sealed in place when the store opens. A version per secret lets the audit log show a
-- rotation without ever showing a secret.
ALTER TABLE merchants ADD COLUMN secret_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE merchants ADD COLUMN webhook_secret_version INTEGER NOT NULL DEFAULT 1;

-- An operator key is shown once, at creation; only its SHA-256 is kept (the key has 256 random bits, so a
-- slow hash would add nothing).
CREATE TABLE operators (
  operator_id   TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  role          TEXT NOT NULL CHECK (role = 'admin' OR role = 'viewer'),
  key_sha256    TEXT NOT NULL UNIQUE,
  created_at_ms INTEGER NOT NULL,
  revoked_at_ms INTEGER
) STRICT;

-- Every operator write, in the same transaction as the change it records. Append-only: the triggers refuse
-- any UPDATE or DELETE, whoever asks.
CREATE TABLE audit_log (
  audit_id    INTEGER PRIMARY KEY AUTOINCREMENT,
  at_ms       INTEGER NOT NULL,
  operator_id TEXT NOT NULL,
  action      TEXT NOT NULL,
  target      TEXT NOT NULL,
  before_json TEXT NOT NULL,
  after_json  TEXT NOT NULL,
  request_id  TEXT NOT NULL
) STRICT;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
