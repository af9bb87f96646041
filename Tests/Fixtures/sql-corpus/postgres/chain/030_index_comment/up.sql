COMMENT ON INDEX orders_status_idx IS 'Used by the status filter; keep.';
