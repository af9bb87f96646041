/* Only open orders are searched by date. /* nested comment */ DROP INDEX here is a comment. */
CREATE INDEX CONCURRENTLY orders_open_placed_idx ON orders (placed_at) WHERE status = 'new';
