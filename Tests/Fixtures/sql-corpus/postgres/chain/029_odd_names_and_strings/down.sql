DELETE FROM audit_log WHERE note LIKE E'tab\t%' OR note LIKE 'dollar;%';
DROP TABLE "odd ""name""; table";
