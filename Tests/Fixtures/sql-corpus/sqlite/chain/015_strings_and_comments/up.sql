INSERT INTO audit_log (note) VALUES ('a ''quoted''; value'), ('-- not a comment'), ('/* nor this */');
CREATE VIEW audit_notes AS SELECT note FROM audit_log WHERE note <> 'DROP TABLE orders;';
