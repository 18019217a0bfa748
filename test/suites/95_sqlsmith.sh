#!/usr/bin/env bash
# Random SQL against the substrate (docs/security.md): SQLsmith (Debian
# package sqlsmith) generates queries, DML, MERGE and CTEs from the catalog,
# calling the extension's functions and writing its tables with random
# arguments, as an application role holding the grants of docs/roles.md, in
# a database holding imported documents, attestations, audit data and an
# anchored transaction.  Passes when no backend crashed (the server log of
# the run holds no "terminated by signal", SQLsmith saw no broken
# connection) and the server still answers.
#
#   bash test/run.sh sqlsmith                               60 seconds (the default)
#   FORAY_SQLSMITH_SECONDS=600 bash test/run.sh sqlsmith    the long run (10 minutes)
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
seconds=${FORAY_SQLSMITH_SECONDS:-60}
seed=${FORAY_SQLSMITH_SEED:-$RANDOM}
DB=foray_sqlsmith
APP=foray_smith_app
out="$FORAY_TMP/sqlsmith"
mkdir -p "$out"
if ! command -v sqlsmith >/dev/null; then
	echo "not ok - sqlsmith is not installed (Debian package sqlsmith, in FORAY_PACKAGES)"
	foray_tally 0 1
	exit 1
fi

foray_psql -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "DROP ROLE IF EXISTS $APP" -c "CREATE ROLE $APP LOGIN" >/dev/null 2>&1
foray_fresh_db $DB >/dev/null
foray_psql -d $DB >/dev/null <<SQL
GRANT foray_application TO $APP;
SELECT foray.register_event_kind('smith_event', 'An event for the SQLsmith run.');
SQL
n=0
for f in test/examples/*.json test/documents/pattern-*.json test/documents/attestation-chain.json; do
	echo "SELECT foray.import_document(:'doc'::jsonb, true)" |
		foray_psql -d $DB -v "doc=$(cat "$f")" >/dev/null 2>&1 && n=$((n + 1))
done
foray_psql -d $DB >/dev/null <<'SQL'
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, audit_data_anchor)
VALUES ('SMITH_1', '2026-04-01T00:00:00Z', '{"entity": "E", "transaction_type": "t"}', '{"profile": "p"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core, audit_data) VALUES
	('SMITH_1', 'ARR_1', 'ARR', '{}', '{"x": [1, 2.5, "é"]}'),
	('SMITH_1', 'ACC_1', 'ACC', '{"arrangement_refs": ["ARR_1"], "output": 1e-7}', NULL);
SELECT foray.record_anchor(t.transaction_id, h.merkle_root, 'kaspa:smith', 1, 1, now())
  FROM foray.foray_transactions t, foray.transaction_hashes(t.transaction_id) h
 WHERE t.lifecycle = 'ready_to_anchor' AND t.transaction_id <> 'SMITH_1'
 LIMIT 2;
SQL
check "the database holds data to work on ($n documents imported)" "yes" "$([ "$n" -ge 10 ] && echo yes || echo "only $n")"

log_start=$(wc -c <"$FORAY_PGDATA/server.log")
timeout "$seconds" sqlsmith --target="host=$PGHOST port=$PGPORT dbname=$DB user=$APP" \
	--seed="$seed" --verbose >"$out/sqlsmith.out" 2>&1
queries=$(grep -oE 'queries: [0-9]+' "$out/sqlsmith.out" | tail -1 | grep -oE '[0-9]+')
echo "# sqlsmith: seed $seed, $seconds s, ${queries:-?} queries"
grep -E '^ *[a-z_]+: [0-9]+/[0-9]+ \(bad/ok\)' "$out/sqlsmith.out" | tail -20 | sed 's/^/#   /'
check "sqlsmith ran queries" "yes" "$([ "${queries:-0}" -gt 100 ] && echo yes || echo "only ${queries:-0}: $(tail -3 "$out/sqlsmith.out")")"
check "no backend was terminated by a signal" "0" \
	"$(tail -c +"$log_start" "$FORAY_PGDATA/server.log" | grep -c 'terminated by signal' || true)"
check "sqlsmith saw no broken connection" "0" "$(grep -ciE 'server closed the connection|connection to server was lost|broken' "$out/sqlsmith.out" || true)"
check "the server still answers, the substrate still verifies what it anchored" "0" \
	"$(foray_psql -d $DB -Atc "SELECT count(*) FROM foray.foray_transactions t, foray.verify(t.transaction_id) v WHERE t.lifecycle = 'anchored'")"

foray_psql -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "DROP ROLE IF EXISTS $APP" >/dev/null 2>&1
foray_tally "$pass" "$fail"
