-- Late payments: the channel says an order we had closed was paid. The money is recorded (ledger, status
-- succeeded, late_payment flag, an order.late_payment event), never dropped; by configuration it is then
-- refunded automatically or left to the merchant.
ALTER TABLE orders ADD COLUMN late_payment INTEGER NOT NULL DEFAULT 0 CHECK (late_payment IN (0, 1));
CREATE INDEX orders_late_payments ON orders (order_id) WHERE late_payment = 1 AND status = 'succeeded';
