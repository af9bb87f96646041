#!/usr/bin/env bash
# Benchmark: godwit's batched, resumable backfill of a ROWS-row table (default 1,000,000) against
# one UPDATE of the same rows, the physical floor for rewriting them.
#
#   [ROUNDS=3] scripts/with-postgres bench/backfill.sh [ROWS]
#
# Two identical databases get a table `accounts (id bigint PRIMARY KEY, name text, balance int)`
# with a new nullable column `name_upper`. In one, a single `UPDATE … SET name_upper =
# upper(name)` runs; in the other, `godwit apply` runs the migration that adds the column with
# `up: upper(name)` under downtime: zero (expand installs the fill trigger, backfill walks the
# key in batches that record their position, verify checks every row equals up(old), cleanup).
# Reports the UPDATE's time, godwit's batches (from the step's start to its last batch, from
# --json events), the whole backfill step (batches + the check of every row + ANALYZE) and the
# whole apply, with their ratios to the UPDATE.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
: "${GODWIT_TEST_POSTGRES_URL:?run under scripts/with-postgres}"

godwit=$(bench/godwit-binary)
work=$(mktemp -d /tmp/godwit-bench.XXXXXX)
admin="${GODWIT_TEST_POSTGRES_URL%%\?*}"
base="${admin%/*}"
trap 'rm -rf "$work"; psql -q "$admin" -c "DROP DATABASE IF EXISTS bench_update WITH (FORCE)" -c "DROP DATABASE IF EXISTS bench_backfill WITH (FORCE)" >/dev/null 2>&1 || true' EXIT

mkdir "$work/migrations"
cat > "$work/migrations/001_name_upper.yaml" <<'YAML'
name: name_upper
downtime: zero
operations:
  - add_column: {table: accounts, column: {name: name_upper, type: text}, up: "upper(name)"}
YAML
ms() { echo $(( $(date +%s%N) / 1000000 )); }

# One round: fresh databases, the UPDATE, then godwit. Prints "update batches step count apply" (ms, ms, ms, n, ms).
round() {
  for db in bench_update bench_backfill; do
    psql -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null 2>&1
    psql -q "$base/$db" -c "CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, balance integer NOT NULL)" \
      -c "INSERT INTO accounts SELECT g, 'user ' || g, g % 1000 FROM generate_series(1, $rows) AS g" -c "VACUUM ANALYZE accounts" >/dev/null
  done
  psql -q "$base/bench_update" -c "ALTER TABLE accounts ADD COLUMN name_upper text" >/dev/null
  local start update apply
  psql -q "$admin" -c CHECKPOINT >/dev/null  # a checkpoint the last round owes does not land in this one
  start=$(ms)
  psql -q "$base/bench_update" -c "UPDATE accounts SET name_upper = upper(name) WHERE name_upper IS NULL" >/dev/null
  update=$(( $(ms) - start ))
  psql -q "$admin" -c CHECKPOINT >/dev/null  # a checkpoint the last round owes does not land in this one
  start=$(ms)
  "$godwit" apply "$work/migrations" --db "$base/bench_backfill?sslmode=disable" --retention 0s --unrehearsed --yes --json ${GODWIT_APPLY_OPTIONS:-} > "$work/events.jsonl" 2>"$work/apply.err" \
    || { echo "godwit apply failed:" >&2; cat "$work/apply.err" >&2; exit 1; }
  apply=$(( $(ms) - start ))
  local wrong
  wrong=$(psql -Atq "$base/bench_backfill" -c "SELECT count(*) FROM accounts WHERE name_upper IS DISTINCT FROM upper(name)")
  [ "$wrong" = 0 ] || { echo "backfill left $wrong rows wrong" >&2; exit 1; }
  echo "$update $(python3 - "$work/events.jsonl" <<'PY'
import json, sys
from datetime import datetime
events = [json.loads(line) for line in open(sys.argv[1])]
def at(e): return datetime.fromisoformat(e["at"].replace("Z", "+00:00")).timestamp()
step = next(e["step"] for e in events if e["kind"] == "step-started" and e["phase"] == "backfill")
started = next(at(e) for e in events if e["kind"] == "step-started" and e["step"] == step)
batches = [e for e in events if e["kind"] == "batch" and e["step"] == step]
finished = next(at(e) for e in events if e["kind"] == "step-finished" and e["step"] == step)
print(round((at(batches[-1]) - started) * 1000), round((finished - started) * 1000), end=" ")
print(len(batches), end="")
PY
) $apply"
}

echo "rows: $rows; ${ROUNDS:-3} rounds, each on fresh databases, a CHECKPOINT before each timed command (ms):"
echo "round  UPDATE  batches  ratio  step(+check,ANALYZE)  ratio  whole apply  ratio  batches"
ratios=()
for r in $(seq "${ROUNDS:-3}"); do
  read -r update batches step count apply <<<"$(round)"
  ratio=$(python3 -c "print(f'{$batches / $update:.2f}')")
  ratios+=("$ratio")
  printf '%5d  %6d  %7d  %5s  %20d  %5s  %11d  %5s  %7d\n' "$r" "$update" "$batches" "$ratio" "$step" \
    "$(python3 -c "print(f'{$step / $update:.2f}')")" "$apply" "$(python3 -c "print(f'{$apply / $update:.2f}')")" "$count"
done
echo "median ratio, batches / UPDATE: $(printf '%s\n' "${ratios[@]}" | sort -n | sed -n "$(( (${#ratios[@]} + 1) / 2 ))p")"
