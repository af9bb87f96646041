CREATE INDEX ON dependencies (crate_id, version_id);
