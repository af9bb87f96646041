-- +goose Up
-- +goose StatementBegin
ALTER TABLE authors ADD COLUMN country TEXT;
CREATE VIEW author_names AS SELECT name FROM authors;
-- +goose StatementEnd

-- +goose Down
DROP VIEW author_names;
ALTER TABLE authors DROP COLUMN country;
