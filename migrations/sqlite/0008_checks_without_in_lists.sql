-- CHECK constraints that list more than two allowed values are rewritten from `x IN (...)` to `x = ... OR
-- x = ...`. SQLite evaluates an IN list of three or more constants by building an ephemeral b-tree (its own
-- page cache: an ~84 KB allocation, filled, probed and freed) every time the row is written; for the order,
-- refund and outbox rows that every notify writes this was about a fifth of the writer thread's time. The
-- allowed values are the same, so every stored row still satisfies the new text.
--
-- SQLite cannot ALTER a CHECK constraint; this is its documented procedure for changing one without
-- rebuilding the table (https://www.sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema
-- Changes"): edit the table's text in sqlite_schema, reload the schema, and bump the schema version (the
-- CREATE/DROP at the end) so that every other connection reloads it too.
PRAGMA writable_schema = ON;

UPDATE sqlite_schema
   SET sql = replace(sql,
     'CHECK (status IN (''pending'', ''succeeded'', ''partially_refunded'', ''refunded'', ''closed'', ''failed''))',
     'CHECK (status = ''pending'' OR status = ''succeeded'' OR status = ''partially_refunded'''
       || ' OR status = ''refunded'' OR status = ''closed'' OR status = ''failed'')')
 WHERE type = 'table' AND name = 'orders';

UPDATE sqlite_schema
   SET sql = replace(sql,
     'CHECK (status IN (''pending'', ''succeeded'', ''failed''))',
     'CHECK (status = ''pending'' OR status = ''succeeded'' OR status = ''failed'')')
 WHERE type = 'table' AND name = 'refunds';

UPDATE sqlite_schema
   SET sql = replace(sql,
     'CHECK (status IN (''pending'', ''delivered'', ''dead'', ''no_endpoint''))',
     'CHECK (status = ''pending'' OR status = ''delivered'' OR status = ''dead'' OR status = ''no_endpoint'')')
 WHERE type = 'table' AND name = 'outbox_events';

UPDATE sqlite_schema
   SET sql = replace(sql,
     'CHECK (type IN (''asset'', ''liability'', ''revenue'', ''expense''))',
     'CHECK (type = ''asset'' OR type = ''liability'' OR type = ''revenue'' OR type = ''expense'')')
 WHERE type = 'table' AND name = 'ledger_accounts';

PRAGMA writable_schema = RESET;

CREATE TABLE schema_version_bump (x INTEGER) STRICT;
DROP TABLE schema_version_bump;
