-- This file should undo anything in `up.sql`
DROP table tokens; 
DROP table emails;
