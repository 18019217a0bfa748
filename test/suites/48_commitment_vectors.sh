#!/usr/bin/env bash
# The commitment test vectors (test/vectors/commitment/*.json) are what the
# extension produces: regenerated from the database (generate.sh) they must
# equal the committed files value for value; and the independent reference
# implementation recomputes every value in them (check-vectors; also run by
# 47_commitment_xcheck.sh).
source test/lib.sh
pass=0
fail=0
check() {	# check NAME EXPECTED ACTUAL
	if [ "$2" == "$3" ]; then
		pass=$((pass + 1)); echo "ok - $1"
	else
		fail=$((fail + 1)); echo "not ok - $1"; echo "#   expected: $2"; echo "#   got:      $3"
	fi
}
out="$FORAY_TMP/vectors_regenerated"
rm -rf "$out"
bash test/vectors/commitment/generate.sh "$out" >"$FORAY_TMP/vectors_generate.log" 2>&1
check "the vectors regenerate from the database" 0 $?
for f in test/vectors/commitment/*.json; do
	name=$(basename "$f")
	check "$name: the extension produces exactly the committed vectors" "same" \
		"$(python3 -c '
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
print("same" if a == b else "differs")' "$f" "$out/$name" 2>&1)"
done
check "no vector file of the database is missing from the repository" "$(ls test/vectors/commitment/*.json | xargs -n1 basename | sort)" \
	"$(ls "$out"/*.json | xargs -n1 basename | sort)"
node test/reference/commitment.js check-vectors test/vectors/commitment >"$FORAY_TMP/vectors_check.log" 2>&1
check "the independent reference recomputes every value and verdict ($(tail -n 1 "$FORAY_TMP/vectors_check.log"))" 0 $?
foray_tally "$pass" "$fail"
