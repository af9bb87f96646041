COMMENT ON INDEX orders_status_idx IS NULL;
