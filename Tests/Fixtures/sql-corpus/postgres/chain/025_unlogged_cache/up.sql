CREATE UNLOGGED TABLE cache_entries (key text PRIMARY KEY, value jsonb NOT NULL DEFAULT '{}'::jsonb);
