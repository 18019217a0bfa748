#!/usr/bin/env bash
# pg_regress: sql/*.sql against expected/*.out (one file per feature).
source test/lib.sh
tests=$(for f in sql/*.sql; do b=$(basename "$f" .sql); case "$b" in foray_substrate--*) ;; *) echo "$b";; esac; done)
rm -rf results regression.diffs regression.out
"$FORAY_PG_REGRESS" --inputdir=. --bindir="$FORAY_PGBIN" --host="$PGHOST" --port="$PGPORT" \
	--user=postgres --dbname=foray_regress --load-extension=foray_substrate $tests | tee "$FORAY_TMP/regress.out"
rc=${PIPESTATUS[0]}
[ -f regression.diffs ] && cat regression.diffs
p=$(grep -cE '^(ok|test) .*\.\.\. ok|^ok ' "$FORAY_TMP/regress.out")
f=$(grep -cE '\.\.\. FAILED|^not ok ' "$FORAY_TMP/regress.out")
[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
foray_tally "$p" "$f"
