CREATE TABLE "odd ""name""; table" ("a;b" integer, "DROP TABLE" text);
INSERT INTO audit_log (note) VALUES (E'tab\there; a semicolon and a \' quote'), ($q$dollar; 'quoted' $$ inside$q$);
