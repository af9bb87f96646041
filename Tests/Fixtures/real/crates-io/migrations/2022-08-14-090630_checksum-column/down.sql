ALTER TABLE versions
    DROP COLUMN checksum;
