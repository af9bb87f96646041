ALTER TABLE dependencies
    DROP COLUMN explicit_name;
