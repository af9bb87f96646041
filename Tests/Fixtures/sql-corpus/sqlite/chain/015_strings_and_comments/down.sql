DROP VIEW audit_notes;
DELETE FROM audit_log WHERE note IN ('a ''quoted''; value', '-- not a comment', '/* nor this */');
