#!/usr/bin/env bash
# Benchmark: godwit copy SQLite → PostgreSQL against pgloader and against the machine's own
# limit, `psql \copy` of the same rows from a CSV file, for each ROWS (default 1,000,000 and
# 10,000,000 rows of (bigint, text, text, timestamp, numeric(12,2), bool)).
#
#   scripts/with-postgres bench/copy.sh [ROWS…]
#
# Each load goes into a fresh database. \copy loads into a table that has its primary key;
# pgloader and godwit create the table themselves (both add the key after the data). godwit's
# peak memory (maximum resident set, from /usr/bin/time) is reported for each size: it must not
# grow with the table. Installs pgloader (Debian) when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${GODWIT_TEST_POSTGRES_URL:?run under scripts/with-postgres}"
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(1000000 10000000)
command -v pgloader >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgloader >/dev/null; }

godwit=$(bench/godwit-binary)
work=$(mktemp -d /tmp/godwit-bench.XXXXXX)
admin="${GODWIT_TEST_POSTGRES_URL%%\?*}"
base="${admin%/*}"
trap 'rm -rf "$work"; for db in bench_copy_csv bench_copy_pgloader bench_copy_godwit; do psql -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; done' EXIT
ms() { echo $(( $(date +%s%N) / 1000000 )); }
fresh() { psql -q "$admin" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null 2>&1; }

printf '%-10s %10s %10s %10s %14s %14s %12s\n' rows '\copy ms' 'pgloader' 'godwit ms' 'pgloader/godwit' 'godwit/\copy' 'godwit RSS'
for rows in "${sizes[@]}"; do
  python3 bench/make-rows.py "$rows" "$work/t.db" "$work/t.csv"

  fresh bench_copy_csv
  psql -q "$base/bench_copy_csv" -c "CREATE TABLE t (id bigint PRIMARY KEY, name text NOT NULL, email text NOT NULL, created_at timestamp NOT NULL, amount numeric(12,2) NOT NULL, active boolean NOT NULL)"
  start=$(ms); psql -q "$base/bench_copy_csv" -c "\\copy t FROM '$work/t.csv' CSV"; csv=$(( $(ms) - start ))

  fresh bench_copy_pgloader
  start=$(ms); pgloader --quiet "sqlite://$work/t.db" "$base/bench_copy_pgloader" >/dev/null 2>&1; pgloader=$(( $(ms) - start ))
  loaded=$(psql -Atq "$base/bench_copy_pgloader" -c "SELECT count(*) FROM t")
  [ "$loaded" = "$rows" ] || { echo "pgloader loaded $loaded of $rows rows" >&2; exit 1; }

  fresh bench_copy_godwit
  start=$(ms)
  /usr/bin/time -f '%M' -o "$work/rss" "$godwit" copy --from "sqlite:$work/t.db" --to "$base/bench_copy_godwit?sslmode=disable" \
    --reject-file "$work/rejects.jsonl" --quiet >/dev/null
  godwit_ms=$(( $(ms) - start ))
  loaded=$(psql -Atq "$base/bench_copy_godwit" -c "SELECT count(*) FROM t")
  [ "$loaded" = "$rows" ] || { echo "godwit loaded $loaded of $rows rows" >&2; exit 1; }

  printf '%-10s %10s %10s %10s %14s %14s %10s MB\n' "$rows" "$csv" "$pgloader" "$godwit_ms" \
    "$(python3 -c "print(f'{$pgloader/$godwit_ms:.2f}x')")" "$(python3 -c "print(f'{$godwit_ms/$csv:.2f}x')")" "$(( $(cat "$work/rss") / 1024 ))"
done
