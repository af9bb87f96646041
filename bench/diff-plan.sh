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
# Times are of the whole commands, in ROUNDS (default 3) interleaved rounds, min and median.
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

ms() { echo $(( $(date +%s%N) / 1000000 )); }
timed() { local start; start=$(ms); "$@" >/dev/null 2>&1; echo $(( $(ms) - start )); }

# One command: diff writes the migration and plans its directory from the reading it made.
godwit_diff_with_plan() {
  rm -rf "$work/m" && mkdir "$work/m"
  "$godwit" diff --from "$url_a" --to "$work/b.sql" --output "$work/m/001_desired.yaml" --plan "$work/plan.json" --plan-format json
}
# Two commands: plan reads the live schema again.
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

rounds=${ROUNDS:-3}
one=(); two=(); full=(); alone=(); load=()
for _ in $(seq "$rounds"); do
  one+=("$(timed godwit_diff_with_plan)")
  two+=("$(timed godwit_diff_and_plan)")
  full+=("$(timed migra_load_and_diff)")
  alone+=("$(timed migra_diff "$migra_b")")
  load+=("$(timed load_only)")
done
godwit_diff_with_plan
[ -s "$work/plan.json" ] || { echo "diff --plan wrote no plan" >&2; exit 1; }
migra_diff "$migra_b"
operations=$(grep -c '^  - ' "$work/m/001_desired.yaml")
migra_statements=$(grep -c ';' "$work/migra.sql" || true)
psql -X -q -d "$admin" -c "DROP DATABASE godwit_bench_a" -c "DROP DATABASE godwit_bench_b" -c "DROP DATABASE IF EXISTS godwit_bench_c"

stat() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { printf "%d %d", v[1], v[int((NR + 1) / 2)] }'; }
read -r one_min one_med <<<"$(stat "${one[@]}")"
read -r two_min two_med <<<"$(stat "${two[@]}")"
read -r full_min full_med <<<"$(stat "${full[@]}")"
read -r alone_min alone_med <<<"$(stat "${alone[@]}")"
read -r load_min load_med <<<"$(stat "${load[@]}")"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "tables: $tables; changes: 100 tables; $rounds interleaved rounds, min / median (ms)"
echo "godwit diff --plan (one command, loads B itself): $one_min / $one_med ($operations operations, staged plan as JSON)"
echo "godwit diff, then godwit plan: $two_min / $two_med"
echo "migra with B loaded by psql -1: $full_min / $full_med ($migra_statements statements)"
echo "migra alone, B preloaded: $alone_min / $alone_med"
echo "loading B alone (psql -1), the floor both pay: $load_min / $load_med"
echo "ratio godwit diff --plan / (load + migra): $(ratio "$one_min" "$full_min") / $(ratio "$one_med" "$full_med")"
echo "ratio godwit diff --plan minus load / migra alone: $(ratio "$((one_min - load_min))" "$alone_min") / $(ratio "$((one_med - load_med))" "$alone_med")"
echo "ratio diff, then plan, minus load / migra alone: $(ratio "$((two_min - load_min))" "$alone_min") / $(ratio "$((two_med - load_med))" "$alone_med")"
