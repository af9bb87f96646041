COMMENT ON TABLE customers IS 'People who buy; -- not a comment; /* nor this */';
COMMENT ON TABLE orders IS E'One order\'s header; DELETE FROM is just text';
