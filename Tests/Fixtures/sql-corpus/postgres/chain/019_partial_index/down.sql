DROP INDEX CONCURRENTLY IF EXISTS orders_open_placed_idx;
