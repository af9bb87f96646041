# The sample application's test suite. Usage: sh test.sh dev|prod
out=$(sh "$(dirname "$0")/main.sh" "$1" 2>&1)
[ "$out" = "HELLO, GODWIT" ] || { echo "expected HELLO, GODWIT from $1, got: $out" >&2; exit 1; }
