DROP INDEX orders_placed_idx;
