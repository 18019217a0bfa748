#!/usr/bin/env bash
# The demo (test/setup.sh runs test/demo/*.sql): every file runs without an
# error escaping it (the deliberate refusal is caught and shown as such),
# and its output reads in a terminal of 100 columns, wrapped as psql wraps
# it there: no line is wider than 100 characters.
source test/lib.sh
db=foray_demo_check
foray_fresh_db $db >/dev/null 2>&1
out=$(mktemp "${TMPDIR:-/tmp}/foray-demo.XXXXXX")
trap 'rm -f "$out"' EXIT
for f in test/demo/*.sql; do
	foray_psql -d $db -P columns=100 -f "$f" -v "examples=$FORAY_ROOT/test/examples" >>"$out" 2>&1
	foray_check "$f runs" 0 $?
done
foray_check "the demo shows its sections (== headings)" "yes" "$([ "$(grep -c '^== ' "$out")" -ge 12 ] && echo yes || echo no)"
foray_check "no ERROR escapes the demo" "" "$(grep -m 3 'ERROR' "$out")"
foray_check "the deliberate refusal is labelled as expected, with its SQLSTATE" "yes 23R01" \
	"$(grep -q 'refused, as expected' "$out" && echo yes) $(sed -n 's/^sqlstate *| *//p' "$out")"
foray_check "every line fits in 100 columns" "" \
	"$(awk 'length($0) > 100 { printf "%d chars: %s\n", length($0), substr($0, 1, 50) }' "$out" | head -n 5)"
foray_psql -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
foray_tally "$foray_passed" "$foray_failed"
