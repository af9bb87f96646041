#!/usr/bin/env bash
# Benchmark: reading a 1,000-table schema.
#
#   scripts/with-postgres bench/inspect.sh [TABLES]
#
# Builds `godwit` in release mode, makes a schema of TABLES tables (default 1000; each with eight
# columns, a primary key, a foreign key to the previous table, a check and an index) on SQLite and
# on PostgreSQL, and times, best of five runs each, in the same run:
#   - PostgreSQL: `godwit inspect --format json` against `pg_dump --schema-only` (the peer every
#     PostgreSQL user already has for reading a schema);
#   - SQLite: `godwit inspect --format json` against `sqlite3 DB .schema` (printing the stored
#     CREATE text: the floor for anything that reads a SQLite schema).
# Prints the times and the ratios; bench/RESULTS.md records them.
set -euo pipefail
cd "$(dirname "$0")/.."
tables=${1:-1000}
: "${GODWIT_TEST_POSTGRES_URL:?run under scripts/with-postgres}"

godwit=$(bench/godwit-binary)
work=$(mktemp -d /tmp/godwit-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

bench/generate-schema.sh "$tables" > "$work/schema.sql"

best_of_five() {
  local best="" start end elapsed
  for _ in 1 2 3 4 5; do
    start=$(date +%s%N)
    "$@" >/dev/null
    end=$(date +%s%N)
    elapsed=$(( (end - start) / 1000000 ))
    if [ -z "$best" ] || [ "$elapsed" -lt "$best" ]; then best=$elapsed; fi
  done
  echo "$best"
}

# SQLite
sqlite3 "$work/bench.db" < "$work/schema.sql"
sqlite_godwit=$(best_of_five "$godwit" inspect "sqlite:$work/bench.db" --format json)
sqlite_floor=$(best_of_five sqlite3 "$work/bench.db" .schema)

# PostgreSQL
admin="$GODWIT_TEST_POSTGRES_URL"
psql -X -q -d "$admin" -c "DROP DATABASE IF EXISTS godwit_bench" -c "CREATE DATABASE godwit_bench"
bench_url="${admin/\/postgres\?/\/godwit_bench?}"
psql -X -q -v ON_ERROR_STOP=1 -d "$bench_url" -f "$work/schema.sql"
psql -X -q -d "$bench_url" -c "ANALYZE"
pg_godwit=$(best_of_five "$godwit" inspect "$bench_url" --format json)
pg_dump_ms=$(best_of_five pg_dump --schema-only -d "$bench_url")
psql -X -q -d "$admin" -c "DROP DATABASE godwit_bench"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "tables: $tables"
echo "PostgreSQL: godwit inspect ${pg_godwit} ms, pg_dump --schema-only ${pg_dump_ms} ms, ratio godwit/pg_dump $(ratio "$pg_godwit" "$pg_dump_ms")"
echo "SQLite: godwit inspect ${sqlite_godwit} ms, sqlite3 .schema ${sqlite_floor} ms, ratio godwit/sqlite3 $(ratio "$sqlite_godwit" "$sqlite_floor")"
