#!/usr/bin/env bash
# Benchmark: a real project's SQL migrations (crates.io's 285 diesel folders, in
# Tests/Fixtures/real/crates-io) — lint against squawk, and apply against one psql session.
#
#   scripts/with-postgres [--version N] bench/sql-files.sh [ROUNDS]
#
# Interleaved rounds (default 3), each on fresh empty databases; min and median are printed.
# - lint: `squawk` (pip install squawk-cli) over every up.sql, against `godwit lint` of the
#   directory with no database (statement by statement, as squawk reads) and with one (godwit
#   then runs each file on a scratch copy of the schema first, for row counts and effects).
# - apply: one psql session running each up.sql in its own transaction (diesel's
#   run_in_transaction = false honoured: such a file runs without BEGIN/COMMIT), against
#   `godwit apply --yes --unrehearsed` (scratch analysis, plan, records, verification after each).
# GODWIT_BIN picks the godwit binary (default: a release build made here).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
: "${GODWIT_TEST_POSTGRES_URL:?run under scripts/with-postgres}"
directory=Tests/Fixtures/real/crates-io/migrations
base=${GODWIT_TEST_POSTGRES_URL%/*}
GODWIT_BIN=$(bench/godwit-binary)
command -v squawk >/dev/null 2>&1 || python3 -m pip install --quiet squawk-cli
ordered=$(python3 -c "
import os, sys
d = sys.argv[1]
names = sorted((n for n in os.listdir(d) if os.path.isdir(os.path.join(d, n))), key=lambda n: n.split('_')[0].replace('-', ''))
print('\n'.join(names))" "$directory")

psql_script() {
  while IFS= read -r name; do
    if grep -qs "run_in_transaction *= *false" "$directory/$name/metadata.toml"; then
      cat "$directory/$name/up.sql"; echo; echo ";"
    else
      echo "BEGIN;"; cat "$directory/$name/up.sql"; echo; echo ";"; echo "COMMIT;"
    fi
  done <<< "$ordered"
}
psql_script > /tmp/godwit-bench-psql.sql

now() { date +%s.%N; }
fresh() { psql -q -d "$base/postgres" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"; }
declare -a squawk_t godwit_offline_t godwit_lint_t psql_t godwit_apply_t
for round in $(seq 1 "$rounds"); do
  start=$(now); squawk $(find "$directory" -name up.sql | sort) >/dev/null 2>&1 || true; squawk_t+=("$(echo "$(now) - $start" | bc)")
  start=$(now); env -u DATABASE_URL "$GODWIT_BIN" lint "$directory" >/dev/null 2>&1 || true; godwit_offline_t+=("$(echo "$(now) - $start" | bc)")
  fresh bench_lint
  start=$(now); "$GODWIT_BIN" lint "$directory" --db "$base/bench_lint" >/dev/null 2>&1 || true; godwit_lint_t+=("$(echo "$(now) - $start" | bc)")
  fresh bench_psql
  start=$(now); psql -q -X -v ON_ERROR_STOP=1 -d "$base/bench_psql" -f /tmp/godwit-bench-psql.sql >/dev/null 2>&1; psql_t+=("$(echo "$(now) - $start" | bc)")
  fresh bench_apply
  start=$(now); "$GODWIT_BIN" apply "$directory" --db "$base/bench_apply" --yes --unrehearsed >/dev/null 2>&1; godwit_apply_t+=("$(echo "$(now) - $start" | bc)")
  echo "round $round: squawk ${squawk_t[-1]} s, godwit lint (no database) ${godwit_offline_t[-1]} s, godwit lint ${godwit_lint_t[-1]} s, psql ${psql_t[-1]} s, godwit apply ${godwit_apply_t[-1]} s" >&2
done
stats() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "min %.2f s, median %.2f s", v[1], m }'; }
echo "PostgreSQL: $(psql -At -d "$base/postgres" -c 'SHOW server_version') (fsync off, synchronous_commit off: scripts/with-postgres)"
echo "files: $(wc -l <<< "$ordered") migrations"
echo "squawk $(squawk --version | awk '{print $2}'): $(stats "${squawk_t[@]}")"
echo "godwit lint, no database: $(stats "${godwit_offline_t[@]}")"
echo "godwit lint, with the database: $(stats "${godwit_lint_t[@]}")"
echo "psql, one session: $(stats "${psql_t[@]}")"
echo "godwit apply: $(stats "${godwit_apply_t[@]}")"
