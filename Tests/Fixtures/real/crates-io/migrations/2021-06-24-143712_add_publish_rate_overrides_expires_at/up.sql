ALTER TABLE publish_rate_overrides ADD COLUMN expires_at TIMESTAMP;
