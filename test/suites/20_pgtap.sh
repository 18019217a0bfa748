#!/usr/bin/env bash
# pgTAP: test/pgtap/*.sql run with pg_prove, each file in a fresh database.
source test/lib.sh
foray_psql -d postgres -c "DROP DATABASE IF EXISTS foray_tap" -c "CREATE DATABASE foray_tap"
foray_psql -d foray_tap -c "CREATE EXTENSION pgtap" -c "CREATE EXTENSION foray_substrate"
pg_prove --psql-bin "$FORAY_PGBIN/psql" -h "$PGHOST" -p "$PGPORT" -U postgres -d foray_tap \
	--verbose test/pgtap/*.sql > "$FORAY_TMP/pgtap.out" 2>&1
rc=$?
cat "$FORAY_TMP/pgtap.out"
p=$(grep -cE '^ok [0-9]+' "$FORAY_TMP/pgtap.out")
f=$(grep -cE '^not ok [0-9]+' "$FORAY_TMP/pgtap.out")
[ $rc -ne 0 ] && [ "$f" -eq 0 ] && f=1
foray_tally "$p" "$f"
