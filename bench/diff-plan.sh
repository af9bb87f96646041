#!/usr/bin/env bash
# Benchmark: from a live 1,000-table PostgreSQL schema and a desired one, to a migration and its
# staged plan — godwit diff + godwit plan, against migra (PyPI) diffing the same two databases.
#
#   scripts/with-postgres bench/diff-plan.sh [TABLES]
#
# Both sides start from the same facts: the live database A, and the desired schema B as a DDL
# file (100 of the tables changed; see bench/generate-schema.sh). migra needs B loaded in a
# database, so its run is `psql -1 -f B` into a fresh database plus `migra A B`; godwit loads B
# into its own scratch database, inspects both, diffs, writes the migration, and plans it
# (classification, strategy, staged steps). migra is also timed alone, with B already loaded.
# Times are the best of three runs of the whole commands.
set -euo pipefail
cd "$(dirname "$0")/.."
tables=${1:-1000}
: "${GODWIT_TEST_POSTGRES_URL:?run under scripts/with-postgres}"
python3 -c "import migra, psycopg" 2>/dev/null || pip install --quiet migra psycopg2-binary "psycopg[binary]" >/dev/null

godwit=$(bench/godwit-binary)
work=$(mktemp -d /tmp/godwit-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

admin="$GODWIT_TEST_POSTGRES_URL"
url_a="${admin/\/postgres\?/\/godwit_bench_a?}"
url_b="${admin/\/postgres\?/\/godwit_bench_b?}"
bench/generate-schema.sh "$tables" > "$work/a.sql"
bench/generate-schema.sh "$tables" desired > "$work/b.sql"
psql -X -q -d "$admin" -c "DROP DATABASE IF EXISTS godwit_bench_a" -c "DROP DATABASE IF EXISTS godwit_bench_b" \
  -c "CREATE DATABASE godwit_bench_a" -c "CREATE DATABASE godwit_bench_b" 2>/dev/null
psql -X -q -v ON_ERROR_STOP=1 -d "$url_a" -f "$work/a.sql"
psql -X -q -v ON_ERROR_STOP=1 -d "$url_b" -f "$work/b.sql"

best_of_three() {
  local best="" start end elapsed
  for _ in 1 2 3; do
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1
    end=$(date +%s%N)
    elapsed=$(( (end - start) / 1000000 ))
    if [ -z "$best" ] || [ "$elapsed" -lt "$best" ]; then best=$elapsed; fi
  done
  echo "$best"
}

godwit_diff_and_plan() {
  rm -rf "$work/m" && mkdir "$work/m"
  "$godwit" diff --from "$url_a" --to "$work/b.sql" --output "$work/m/001_desired.yaml"
  "$godwit" plan "$work/m" --db "$url_a" --format json --output "$work/plan.json"
}

# SQLAlchemy 2 accepts only postgresql:// URLs.
migra_a="postgresql://${url_a#*://}"; migra_a="${migra_a%%\?*}"
migra_b="postgresql://${url_b#*://}"; migra_b="${migra_b%%\?*}"
migra_c="${migra_b%godwit_bench_b}godwit_bench_c"
migra_diff() { migra --unsafe "$migra_a" "$1" > "$work/migra.sql" || [ $? -eq 2 ]; }
migra_load_and_diff() {
  psql -X -q -d "$admin" -c "DROP DATABASE IF EXISTS godwit_bench_c" -c "CREATE DATABASE godwit_bench_c" 2>/dev/null
  psql -X -q -1 -v ON_ERROR_STOP=1 -d "${url_b/godwit_bench_b/godwit_bench_c}" -f "$work/b.sql"
  migra_diff "$migra_c"
}
load_only() {
  psql -X -q -d "$admin" -c "DROP DATABASE IF EXISTS godwit_bench_c" -c "CREATE DATABASE godwit_bench_c" 2>/dev/null
  psql -X -q -1 -v ON_ERROR_STOP=1 -d "${url_b/godwit_bench_b/godwit_bench_c}" -f "$work/b.sql"
}

godwit_ms=$(best_of_three godwit_diff_and_plan)
migra_full_ms=$(best_of_three migra_load_and_diff)
migra_ms=$(best_of_three migra_diff "$migra_b")
load_ms=$(best_of_three load_only)
godwit_diff_and_plan
migra_diff "$migra_b"
operations=$(grep -c '^  - ' "$work/m/001_desired.yaml")
migra_statements=$(grep -c ';' "$work/migra.sql" || true)
psql -X -q -d "$admin" -c "DROP DATABASE godwit_bench_a" -c "DROP DATABASE godwit_bench_b" -c "DROP DATABASE IF EXISTS godwit_bench_c"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "tables: $tables; changes: 100 tables"
echo "godwit diff + plan (loads B itself): ${godwit_ms} ms ($operations operations, staged plan as JSON)"
echo "migra with B loaded by psql -1: ${migra_full_ms} ms ($migra_statements statements)"
echo "migra alone, B preloaded: ${migra_ms} ms"
echo "loading B alone (psql -1), the floor both pay: ${load_ms} ms"
echo "ratio godwit / (load + migra): $(ratio "$godwit_ms" "$migra_full_ms")"
echo "ratio godwit minus load / migra alone: $(ratio "$((godwit_ms - load_ms))" "$migra_ms")"
