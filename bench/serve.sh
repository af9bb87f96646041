#!/usr/bin/env bash
# Benchmark: what watching a run costs it. The same zero-downtime apply (add a column with
# `up: upper(name)`, batched backfill, checks, cleanup) on a ROWS-row table (default 1,000,000),
# once plain and once with `--serve` while a scraper reads /metrics and /state every second — a
# Prometheus and an open dashboard. Interleaved rounds (ROUNDS, default 5), fresh databases each,
# a CHECKPOINT before each timed command; min and median of each and the ratio of the medians.
#
#   [ROUNDS=5] scripts/with-postgres bench/serve.sh [ROWS]
#
# Target (issue: watch it live): --serve costs the migration less than 3% of its time.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
: "${GODWIT_TEST_POSTGRES_URL:?run under scripts/with-postgres}"

godwit=$(bench/godwit-binary)
work=$(mktemp -d /tmp/godwit-bench.XXXXXX)
admin="${GODWIT_TEST_POSTGRES_URL%%\?*}"
base="${admin%/*}"
scraper=""
cleanup() {
  [ -n "$scraper" ] && kill "$scraper" 2>/dev/null || true
  rm -rf "$work"
  psql -q "$admin" -c "DROP DATABASE IF EXISTS bench_plain WITH (FORCE)" -c "DROP DATABASE IF EXISTS bench_served WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

mkdir "$work/migrations"
cat > "$work/migrations/001_name_upper.yaml" <<'YAML'
name: name_upper
downtime: zero
operations:
  - add_column: {table: accounts, column: {name: name_upper, type: text}, up: "upper(name)"}
YAML
ms() { echo $(( $(date +%s%N) / 1000000 )); }
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

fresh() {
  psql -q "$admin" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" >/dev/null 2>&1
  psql -q "$base/$1" -c "CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, balance integer NOT NULL)" \
    -c "INSERT INTO accounts SELECT g, 'user ' || g, g % 1000 FROM generate_series(1, $rows) AS g" -c "VACUUM ANALYZE accounts" >/dev/null
  psql -q "$admin" -c CHECKPOINT >/dev/null
}
apply() {
  "$godwit" apply "$work/migrations" --db "$base/$1?sslmode=disable" --retention 0s --unrehearsed --yes "${@:2}" > "$work/$1.out" 2>&1 \
    || { echo "godwit apply failed:" >&2; cat "$work/$1.out" >&2; exit 1; }
}

declare -a plain served
scrapes=0
for round in $(seq "${ROUNDS:-5}"); do
  fresh bench_plain
  start=$(ms); apply bench_plain; plain+=($(( $(ms) - start )))
  fresh bench_served
  # The scraper: /metrics and /state once a second, as Prometheus and an open page do (every
  # 100 ms until --serve first answers, so a short run is reached too).
  ( while true; do
      if curl -s -o /dev/null "http://127.0.0.1:$port/metrics"; then
        echo scrape >> "$work/scrapes"
        curl -s -o /dev/null "http://127.0.0.1:$port/state" || true
        sleep 1
      else
        sleep 0.1
      fi
    done ) &
  scraper=$!
  start=$(ms); apply bench_served --serve "127.0.0.1:$port"; served+=($(( $(ms) - start )))
  kill "$scraper" 2>/dev/null; wait "$scraper" 2>/dev/null || true; scraper=""
  echo "round $round: plain ${plain[-1]} ms, with --serve and a scraper ${served[-1]} ms" >&2
done
stats() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%d %d", v[1], m }'; }
read -r plain_min plain_median <<<"$(stats "${plain[@]}")"
read -r served_min served_median <<<"$(stats "${served[@]}")"
[ -s "$work/scrapes" ] || { echo "the scraper never reached --serve" >&2; exit 1; }
echo "PostgreSQL $(psql -At "$admin" -c 'SHOW server_version') (scripts/with-postgres: fsync off, synchronous_commit off); rows: $rows; ${ROUNDS:-5} interleaved rounds"
echo "apply: min $plain_min ms, median $plain_median ms"
echo "apply --serve, scraped every second ($(wc -l < "$work/scrapes") scrapes answered): min $served_min ms, median $served_median ms"
python3 -c "print(f'cost of --serve: {($served_min / $plain_min - 1) * 100:+.1f}% (min), {($served_median / $plain_median - 1) * 100:+.1f}% (median); target < 3%')"
