-- Built without blocking writes: CREATE INDEX CONCURRENTLY cannot run in a transaction,
-- so Godwit runs it as a step of its own.
CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);
