#!/usr/bin/env bash
# Prints the DDL of a benchmark schema: bench/generate-schema.sh TABLES [desired]
#
# TABLES tables of eight columns, each with a primary key, a foreign key to the previous table,
# a check constraint and one index. With `desired`, 100 tables change: tables 1–50 gain a column
# `score integer`, tables 51–100 gain an index on `email`.
set -euo pipefail
tables=${1:-1000}
variant=${2:-current}
for i in $(seq 1 "$tables"); do
  ref=""
  [ "$i" -gt 1 ] && ref="parent_id integer REFERENCES t$((i - 1)) (id) ON DELETE CASCADE,"
  extra=""
  [ "$variant" = desired ] && [ "$i" -le 50 ] && extra=", score integer"
  echo "CREATE TABLE t$i (id integer PRIMARY KEY, $ref name varchar(80) NOT NULL, email text, amount numeric(12,2) DEFAULT 0, created_at timestamp, flag boolean DEFAULT false, note text$extra, CHECK (amount >= 0));"
  echo "CREATE INDEX t${i}_name ON t$i (name);"
  if [ "$variant" = desired ] && [ "$i" -gt 50 ] && [ "$i" -le 100 ]; then
    echo "CREATE INDEX t${i}_email ON t$i (email);"
  fi
done
