-- Background work claimed by a node (ports/job_claim.h): the claim pushes the item's next due time ahead by
-- a lease and names the node here; finishing the work clears the name. A node that restarts gives back
-- what its previous run had claimed (it is still due), instead of waiting for the leases to run out.
ALTER TABLE orders ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE refunds ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox_events ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
CREATE INDEX orders_claimed ON orders (claimed_by) WHERE claimed_by <> '';
CREATE INDEX refunds_claimed ON refunds (claimed_by) WHERE claimed_by <> '';
CREATE INDEX outbox_events_claimed ON outbox_events (claimed_by) WHERE claimed_by <> '';
