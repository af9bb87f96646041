-- ALTER TABLE orders DROP COLUMN total;  (a comment)
SELECT 'DROP TABLE orders; CREATE INDEX x ON orders (id)' AS note;
CREATE FUNCTION safe() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE 'DROP TABLE whatever';
END $$;
