#!/usr/bin/env bash
# What Godwit's lint finds against what squawk finds, on a real project's SQL migrations
# (crates.io's 285 diesel folders by default), with no database: per rule both tools have, and
# Godwit's precision and recall against a reference that adjudicates the known differences in
# what a rule means (see bench/lint-vs-squawk.py).
#
#   bench/lint-vs-squawk.sh [DIR]
# GODWIT_BIN picks the godwit binary (default: .build/debug/godwit, built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
directory=${1:-Tests/Fixtures/real/crates-io/migrations}
if [ -z "${GODWIT_BIN:-}" ]; then
  [ -x .build/debug/godwit ] || swift build --product godwit >/dev/null
  GODWIT_BIN=.build/debug/godwit
fi
command -v squawk >/dev/null 2>&1 || python3 -m pip install --quiet squawk-cli
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
env -u DATABASE_URL "$GODWIT_BIN" lint "$directory" --format json > "$work/godwit.json" || true
squawk --reporter json $(find "$directory" \( -name up.sql -o -name '*.up.sql' \) | sort) > "$work/squawk.json" 2>/dev/null || true
echo "squawk $(squawk --version | awk '{print $2}'), $(find "$directory" \( -name up.sql -o -name '*.up.sql' \) | wc -l) files"
python3 bench/lint-vs-squawk.py "$work/godwit.json" "$work/squawk.json"
