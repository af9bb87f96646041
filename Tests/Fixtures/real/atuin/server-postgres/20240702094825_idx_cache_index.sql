create unique index store_idx_cache_uniq on store_idx_cache(user_id, host, tag);
