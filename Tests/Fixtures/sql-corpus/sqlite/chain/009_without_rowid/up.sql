CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
INSERT INTO settings VALUES ('currency', 'EUR'), ('locale', 'fr_FR');
