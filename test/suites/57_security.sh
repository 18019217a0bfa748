#!/usr/bin/env bash
# Security (docs/security.md): nothing an application or anchor-service role
# plants ever runs inside the substrate, no role becomes superuser, restore
# mode is out of reach, event ids cannot be chosen.
#
# The attacker is the application role (the grants of docs/roles.md) and the
# anchor-service role.  test/security/plants.sql plants look-alike types,
# domains, casts, functions, aggregates, operators, a collation, tables and a
# view in pg_temp, in a schema of the attacker's own that comes first on its
# search_path, and in public; every planted routine raises a WARNING with
# the marker PLANT-CALLED and, run as anyone but the attacker, tries ALTER
# ROLE attacker SUPERUSER.  Then, with the hostile search_path, the attacker
# runs every write path and every public function.  Asserted: the marker
# never appears (in the sessions' output or the server log), the roles are
# still not superusers, and every operation did what it should (checked from
# a clean session, so a run where everything failed cannot pass).  A
# control shows the plants do fire when the attacker's own SQL is exposed.
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

DB=foray_security
APP=foray_sec_app
ANCHOR=foray_sec_anchor
OWN=foray_sec_own
out="$FORAY_TMP/security"
mkdir -p "$out"
log_start=$(wc -c <"$FORAY_PGDATA/server.log")

# every query text of the C code names its types, collations, functions,
# tables and operators with their schema (statically, so a new query is
# checked before any test exercises it)
check "every query text in src/*.c is schema-qualified" "0" \
	"$(python3 test/security/check_query_texts.py src/*.c > "$out/texts.out"; tail -1 "$out/texts.out" | grep -o '[0-9]* unqualified' | grep -o '[0-9]*' || cat "$out/texts.out")"

foray_psql -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null
for r in $APP $ANCHOR; do
	foray_psql -d postgres -c "DROP ROLE IF EXISTS $r" -c "CREATE ROLE $r LOGIN NOSUPERUSER" >/dev/null
done
foray_fresh_db $DB >/dev/null
foray_psql -d $DB >/dev/null <<SQL
-- the documented roles (docs/roles.md)
GRANT foray_application TO $APP;
GRANT foray_anchor_service TO $ANCHOR;
-- a permissive database: anyone may create in public (PostgreSQL 14 and
-- earlier by default); the application owns a schema of its own
GRANT CREATE ON SCHEMA public TO $APP;
CREATE SCHEMA $OWN AUTHORIZATION $APP;
GRANT USAGE ON SCHEMA $OWN TO $ANCHOR;

-- committed data the attacks write into
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core) VALUES
	('SEC_OPEN', '2026-02-01T00:00:00Z', '{"entity": "E", "transaction_type": "t"}'),
	('SEC_READY', '2026-02-02T00:00:00Z', '{"entity": "E", "transaction_type": "t"}'),
	('SEC_DOOMED', '2026-02-03T00:00:00Z', '{"entity": "E", "transaction_type": "t"}'),
	('SEC_DOOMED2', '2026-02-03T00:00:00Z', '{"entity": "E", "transaction_type": "t"}'),
	('SEC_ANCHORED', '2026-02-04T00:00:00Z', '{"entity": "E", "transaction_type": "t"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES
	('SEC_OPEN', 'ARR_A', 'ARR', '{}'),
	('SEC_OPEN', 'ACC_A', 'ACC', '{"arrangement_refs": ["ARR_A"], "output": 1}'),
	('SEC_READY', 'ARR_R', 'ARR', '{}'),
	('SEC_DOOMED', 'ARR_D', 'ARR', '{}'),
	('SEC_DOOMED', 'ACT_D', 'ACT', '{"arrangement_refs": ["ARR_D"]}'),
	('SEC_DOOMED2', 'ARR_D', 'ARR', '{}'),
	('SEC_ANCHORED', 'ARR_Z', 'ARR', '{}');
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core) VALUES
	('SEC_OPEN', 'ATT_A', '{"attestor": "Lab", "attestor_hash": "sha256:0000000000000000000000000000000000000000000000000000000000000000",
		"attestor_type": "laboratory", "attestor_credentials": [], "subject_refs": ["ACC_A"],
		"attestation_type": "analysis", "attestation_date": "2026-02-01", "outcome": "approved", "dependencies": []}');
COMMIT;
SELECT foray.record_anchor('SEC_ANCHORED', foray.anchor_envelope('SEC_ANCHORED') ->> 'merkle_root',
	'kaspa:sec', 1, 1, '2026-02-05T00:00:00Z');
SQL
check "fixture and roles" 0 $?

# a session of ROLE: the plants of pg_temp (per session; public's and the
# own schema's once), the hostile search_path, then SQL from stdin
attack() {	# attack ROLE OUTFILE [first]: "first" plants the shared schemas too
	local role=$1 file=$2
	{
		echo "\\set attacker $APP"
		if [ "${3:-}" = first ]; then
			echo "\\set types composite"
			echo "\\set plant $OWN"
			echo "\\i test/security/plants.sql"
			echo "\\set types domain"
			echo "\\set plant public"
			echo "\\i test/security/plants.sql"
		fi
		if [ "${PLANT_TEMP:-1}" = 1 ]; then
			echo "\\set types domain"
			echo "\\set plant pg_temp"
			echo "\\i test/security/plants.sql"
		fi
		echo "RESET client_min_messages;"
		echo "SET search_path = $OWN, public, pg_catalog;"
		echo "\\set VERBOSITY verbose"
		cat
	} | "$FORAY_PGBIN/psql" -X -q -v ON_ERROR_STOP=0 -v "example=$example" -U "$role" -d $DB >"$file" 2>&1
}
example=$(cat test/examples/cash-sale-v41.json)
clean() { foray_psql -d $DB -Atc "$1"; }
marker() { grep -cE 'WARNING: .*PLANT-CALLED' "$1"; }


# ---- the application -------------------------------------------------------
APP_SQL=$(cat <<SQL
-- the exploit of the issue: a component into a committed transaction
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('SEC_OPEN', 'ACT_X', 'ACT', '{"accrual_refs": ["ACC_A"], "amount_settled": 1}');
-- a transaction, its components (any order) and an attestation in one SQL transaction
BEGIN;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core, audit_data)
VALUES ('SEC_NEW', 'ACT_N', 'ACT', '{"accrual_refs": ["ACC_N"]}', '{"note": 1}'),
	   ('SEC_NEW', 'ACC_N', 'ACC', '{"arrangement_refs": ["ARR_N"], "output": 2}', NULL),
	   ('SEC_NEW', 'ARR_N', 'ARR', '{"parties": ["a"]}', NULL);
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
VALUES ('SEC_NEW', 'ATT_N', '{"attestor": "Lab", "attestor_hash": "sha256:0000000000000000000000000000000000000000000000000000000000000000",
	"attestor_type": "laboratory", "attestor_credentials": [], "subject_refs": ["ACC_N"],
	"attestation_type": "analysis", "attestation_date": "2026-02-01", "outcome": "approved", "dependencies": []}');
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, audit_data_anchor)
VALUES ('SEC_NEW', '2026-02-06T00:00:00Z', '{"entity": "E", "transaction_type": "t", "status": "active"}', '{"profile": "p"}');
COMMIT;
-- settle, reverse, change cores, delete members and a whole transaction
UPDATE foray.foray_components SET status = 'settled'
 WHERE transaction_id OPERATOR(pg_catalog.=) 'SEC_NEW' AND component_id OPERATOR(pg_catalog.=) 'ARR_N';
UPDATE foray.foray_components SET foray_core = '{"arrangement_refs": ["ARR_A"], "output": 5}'
 WHERE transaction_id OPERATOR(pg_catalog.=) 'SEC_OPEN' AND component_id OPERATOR(pg_catalog.=) 'ACC_A';
UPDATE foray.foray_attestations SET foray_core = '{"attestor": "Lab 2", "attestor_hash": "sha256:0000000000000000000000000000000000000000000000000000000000000000",
	"attestor_type": "laboratory", "attestor_credentials": [], "subject_refs": ["ACC_A"],
	"attestation_type": "analysis", "attestation_date": "2026-02-01", "outcome": "approved", "dependencies": []}'
 WHERE transaction_id OPERATOR(pg_catalog.=) 'SEC_OPEN';
UPDATE foray.foray_transactions SET foray_core = '{"entity": "E2", "transaction_type": "t"}'
 WHERE transaction_id OPERATOR(pg_catalog.=) 'SEC_OPEN';
DELETE FROM foray.foray_components
 WHERE transaction_id OPERATOR(pg_catalog.=) 'SEC_OPEN' AND component_id OPERATOR(pg_catalog.=) 'ACT_X';
DELETE FROM foray.foray_transactions WHERE transaction_id OPERATOR(pg_catalog.=) 'SEC_DOOMED';
UPDATE foray.foray_components SET status = 'reversed'
 WHERE transaction_id OPERATOR(pg_catalog.=) 'SEC_OPEN' AND component_id OPERATOR(pg_catalog.=) 'ACC_A';
-- engine events
SELECT foray.register_event_kind('sec_event', 'A test event.');
INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, transaction_id, actor_kind, actor_id)
VALUES ('sec_event', 'TRANSACTION', 'SEC_NEW', 'SEC_NEW', 'institution', 'dunin7');
-- documents and the read functions: one tagged line each
SELECT pg_catalog.concat('R:import:', foray.import_document(CAST(:'example' AS pg_catalog.jsonb)) OPERATOR(pg_catalog.->>) 'status');
SELECT pg_catalog.concat('R:import_text:', foray.import_document_text(pg_catalog.replace(:'example', 'RETAIL_2026_CASH_SALE_001', 'SEC_TEXT_IMPORT')) OPERATOR(pg_catalog.->>) 'status');
SELECT pg_catalog.concat('R:export:', pg_catalog.jsonb_typeof(foray.export_document('SEC_NEW')));
SELECT pg_catalog.concat('R:hashes:', h.merkle_root IS NOT NULL) FROM foray.transaction_hashes('SEC_NEW') h;
SELECT pg_catalog.concat('R:proof:', foray.verify_inclusion(p OPERATOR(pg_catalog.->>) 'leaf_hash', p, p OPERATOR(pg_catalog.->>) 'merkle_root'))
  FROM foray.inclusion_proof('SEC_NEW', 'ACT_N') p;
SELECT pg_catalog.concat('R:envelope:', pg_catalog.jsonb_typeof(foray.anchor_envelope('SEC_READY')));
SELECT pg_catalog.concat('R:verify:', pg_catalog.count(*)) FROM foray.verify();
SELECT pg_catalog.concat('R:validate:', pg_catalog.count(*) IS NOT NULL) FROM foray.validate_document(CAST(:'example' AS pg_catalog.jsonb));
SELECT pg_catalog.concat('R:validate_text:', pg_catalog.count(*) IS NOT NULL) FROM foray.validate_document_text(:'example');
SELECT pg_catalog.concat('R:hash:', foray.foray_hash(CAST('{"a": 1}' AS pg_catalog.jsonb)), ' ', foray.foray_canonicalize(CAST('{"b": [1, 2]}' AS pg_catalog.jsonb)));
SELECT pg_catalog.concat('R:amend:', foray.amend_transaction('SEC_ANCHORED', 'SEC_AMENDED'));
SQL
)
attack $APP "$out/app.out" first <<<"$APP_SQL"
check "no planted object ran inside the substrate (application; PLANT-CALLED lines)" 0 "$(marker "$out/app.out")"
check "the application role is not superuser" "f" "$(clean "SELECT rolsuper FROM pg_roles WHERE rolname = '$APP'")"
check "the component went into the committed transaction" "1" \
	"$(clean "SELECT count(*) FROM foray.memory_events WHERE event_kind = 'COMPONENT_CREATED' AND subject_id = 'ACT_X'")"
check "the new transaction: readiness derived, settle and events" "ready_to_anchor|ARR_N:settled,ACT_N:ready,ACC_N:ready|1" \
	"$(clean "SELECT (SELECT lifecycle FROM foray.foray_transactions WHERE transaction_id = 'SEC_NEW') || '|' ||
		(SELECT string_agg(component_id || ':' || status, ',' ORDER BY component_type DESC, component_id) FROM foray.foray_components WHERE transaction_id = 'SEC_NEW') || '|' ||
		(SELECT count(*) FROM foray.foray_attestations WHERE transaction_id = 'SEC_NEW')")"
check "updates, reversal and deletes landed" "E2|reversed|Lab 2|0|0" \
	"$(clean "SELECT (SELECT entity FROM foray.foray_transactions WHERE transaction_id = 'SEC_OPEN') || '|' ||
		(SELECT status FROM foray.foray_components WHERE transaction_id = 'SEC_OPEN' AND component_id = 'ACC_A') || '|' ||
		(SELECT attestor FROM foray.foray_attestations WHERE transaction_id = 'SEC_OPEN') || '|' ||
		(SELECT count(*) FROM foray.foray_components WHERE component_id = 'ACT_X') || '|' ||
		(SELECT count(*) FROM foray.foray_transactions WHERE transaction_id = 'SEC_DOOMED')")"
check "the cascade wrote its events (2 COMPONENT_DELETED)" "2" \
	"$(clean "SELECT count(*) FROM foray.memory_events WHERE transaction_id = 'SEC_DOOMED' AND event_kind = 'COMPONENT_DELETED'")"
check "the engine event and both imports landed; the amendment exists" "1|2|1" \
	"$(clean "SELECT (SELECT count(*) FROM foray.memory_events WHERE event_kind = 'sec_event') || '|' ||
		(SELECT count(*) FROM foray.foray_transactions WHERE transaction_id IN ('RETAIL_2026_CASH_SALE_001', 'SEC_TEXT_IMPORT')) || '|' ||
		(SELECT count(*) FROM foray.foray_transactions WHERE transaction_id = 'SEC_AMENDED')")"
check "the read functions answered" \
	"R:import:imported R:import_text:imported R:export:object R:hashes:t R:proof:t R:envelope:object R:verify:0 R:validate:t R:validate_text:t R:hash:sha256:015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862 {\"b\":[1,2]} R:amend:SEC_AMENDED" \
	"$(grep -E '^ *R:' "$out/app.out" | sed 's/^ *//' | tr '\n' ' ' | sed 's/ $//')"
check "no error in the application's session" "" "$(grep -E '^(psql:.*)?ERROR' "$out/app.out" | head -3)"

# ---- again, with nothing in pg_temp: the own schema's composite types and
# their implicit casts come first for every type name
PLANT_TEMP=0 attack $APP "$out/app2.out" <<<"$(echo "$APP_SQL" | sed 's/SEC_NEW/SEC_NEW2/g; s/ACT_X/ACT_Y/g; s/SEC_DOOMED/SEC_DOOMED2/g; s/SEC_TEXT_IMPORT/SEC_TEXT_IMPORT2/g; s/SEC_AMENDED/SEC_AMENDED2/g; s/sec_event/sec_event2/g')"
check "casts: no planted object ran inside the substrate (application, second pass)" 0 "$(marker "$out/app2.out")"
check "casts: the application role is not superuser" "f" "$(clean "SELECT rolsuper FROM pg_roles WHERE rolname = '$APP'")"
check "casts: the second pass wrote what the first did" "ready_to_anchor|1|1|1" \
	"$(clean "SELECT (SELECT lifecycle FROM foray.foray_transactions WHERE transaction_id = 'SEC_NEW2') || '|' ||
		(SELECT count(*) FROM foray.memory_events WHERE event_kind = 'COMPONENT_CREATED' AND subject_id = 'ACT_Y') || '|' ||
		(SELECT count(*) FROM foray.foray_transactions WHERE transaction_id = 'SEC_AMENDED2') || '|' ||
		(SELECT count(*) FROM foray.memory_events WHERE event_kind = 'sec_event2')")"
check "casts: no error in the second pass" "" "$(grep -E '^(psql:.*)?ERROR' "$out/app2.out" | head -3)"
check "control: the own schema's composite type and cast are what an unqualified text means there" "yes" \
	"$(PLANT_TEMP=0 attack $APP "$out/control2.out" <<<"SELECT 'x'::pg_catalog.text::text;"; grep -q 'PLANT-CALLED foray_sec_own.cast to text' "$out/control2.out" && echo yes || cat "$out/control2.out")"

# ---- the anchor service ----------------------------------------------------
attack $ANCHOR "$out/anchor.out" <<'SQL'
SELECT foray.record_anchor('SEC_READY', foray.anchor_envelope('SEC_READY') OPERATOR(pg_catalog.->>) 'merkle_root',
	'kaspa:sec-ready', 7, 1000, '2026-02-07T00:00:00Z') IS NOT NULL;
SELECT foray.seal('SEC_READY', 'archive:sec-ready') IS NOT NULL;
SELECT pg_catalog.jsonb_typeof(foray.anchor_envelope('SEC_READY'));
SELECT transaction_id FROM foray.anchor_queue LIMIT 1;
SQL
check "no planted object ran inside the substrate (anchor service)" 0 "$(marker "$out/anchor.out")"
check "the anchor service role is not superuser" "f" "$(clean "SELECT rolsuper FROM pg_roles WHERE rolname = '$ANCHOR'")"
check "the application role is still not superuser" "f" "$(clean "SELECT rolsuper FROM pg_roles WHERE rolname = '$APP'")"
check "record_anchor and seal worked" "sealed" "$(clean "SELECT lifecycle FROM foray.foray_transactions WHERE transaction_id = 'SEC_READY'")"
check "no error in the anchor service's session" "" "$(grep -E 'ERROR' "$out/anchor.out" | head -3)"

# ---- control: the plants do fire when the attacker's own SQL meets them ----
attack $APP "$out/control.out" <<'SQL'
SELECT 'x'::text;
SELECT 1 = 1;
SQL
check "control: an unqualified cast in the attacker's own SQL runs the planted domain" "yes" \
	"$([ "$(marker "$out/control.out")" -ge 1 ] && echo yes || cat "$out/control.out")"
check "control: an unqualified = in the attacker's own SQL runs the planted operator" "yes" \
	"$(grep -q 'PLANT-CALLED foray_sec_own.operator =' "$out/control.out" && echo yes || echo no)"

check "the server log holds no PLANT-CALLED from a substrate call (only the control's)" "0" \
	"$(tail -c +"$log_start" "$FORAY_PGDATA/server.log" | grep -E 'WARNING: .*PLANT-CALLED' | grep -vc 'PLANT-CALLED [a-z_.]*\(domain check\|operator =\|cast to text\) by foray_sec_app' || true)"

# ---- restore mode is out of reach (issue 15, item 4) -----------------------
foray_psql -d $DB >/dev/null <<'SQL'
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('SEC_RESTORE', '2026-02-08T00:00:00Z', '{"entity": "E", "transaction_type": "t"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES
	('SEC_RESTORE', 'ARR_1', 'ARR', '{}'), ('SEC_RESTORE', 'ACC_1', 'ACC', '{"arrangement_refs": ["ARR_1"]}'),
	('SEC_RESTORE', 'ACT_1', 'ACT', '{"accrual_refs": ["ACC_1"]}');
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
VALUES ('SEC_RESTORE', 'ATT_1', '{"attestor": "Lab", "attestor_hash": "sha256:0000000000000000000000000000000000000000000000000000000000000000",
	"attestor_type": "laboratory", "attestor_credentials": [], "subject_refs": ["ACT_1"],
	"attestation_type": "analysis", "attestation_date": "2026-02-01", "outcome": "approved", "dependencies": []}');
COMMIT;
SQL
"$FORAY_PGBIN/psql" -X -q -U $APP -d $DB >/dev/null 2>&1 <<'SQL'
SELECT set_config('search_path', '', false);
SET check_function_bodies = off;
SET row_security = off;
DELETE FROM foray.foray_transactions WHERE transaction_id OPERATOR(pg_catalog.=) 'SEC_RESTORE';
SQL
check "a non-superuser with a dump's session settings: the cascade writes 3 COMPONENT_DELETED and 1 ATTESTATION_DETACHED" "3|1" \
	"$(clean "SELECT count(*) FILTER (WHERE event_kind = 'COMPONENT_DELETED') || '|' || count(*) FILTER (WHERE event_kind = 'ATTESTATION_DETACHED')
		FROM foray.memory_events WHERE transaction_id = 'SEC_RESTORE'")"
check "... and the rows are gone" "0" "$(clean "SELECT count(*) FROM foray.foray_components WHERE transaction_id = 'SEC_RESTORE'")"
check "a non-superuser cannot SET foray.restore_mode" "42501" \
	"$("$FORAY_PGBIN/psql" -X -q -U $APP -d $DB -v VERBOSITY=verbose -c "SELECT foray.foray_hash('{}')" -c "SET foray.restore_mode = on" 2>&1 | grep -o '42501' | head -1)"
check "a superuser session with a dump's settings is still restore mode (rows as they are, no events)" "0|pending" \
	"$(foray_psql -d $DB -At <<'SQL' | tail -n 1
SELECT set_config('search_path', '', false);
SET check_function_bodies = off;
SET row_security = off;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('SEC_RESTORED', '2026-02-09T00:00:00Z', '{"entity": "E", "transaction_type": "t"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core, status)
VALUES ('SEC_RESTORED', 'ARR_1', 'ARR', '{}', 'pending');
SELECT pg_catalog.count(*) || '|' || (SELECT status FROM foray.foray_components WHERE transaction_id OPERATOR(pg_catalog.=) 'SEC_RESTORED')
  FROM foray.memory_events WHERE transaction_id OPERATOR(pg_catalog.=) 'SEC_RESTORED';
SQL
)"
check "a SECURITY DEFINER function of a superuser does not give its caller restore mode" "1" \
	"$(foray_psql -d $DB -c "CREATE FUNCTION public.sec_definer_delete(t text) RETURNS void LANGUAGE sql SECURITY DEFINER
		SET search_path = pg_catalog AS \$\$ DELETE FROM foray.foray_components WHERE transaction_id OPERATOR(pg_catalog.=) t
		AND component_id OPERATOR(pg_catalog.=) 'ACT_N' \$\$; GRANT EXECUTE ON FUNCTION public.sec_definer_delete(text) TO $APP" >/dev/null;
	   "$FORAY_PGBIN/psql" -X -q -U $APP -d $DB >/dev/null 2>&1 <<'SQL'
SELECT set_config('search_path', '', false);
SET check_function_bodies = off;
SET row_security = off;
SELECT public.sec_definer_delete('SEC_NEW');
SQL
	   clean "SELECT count(*) FROM foray.memory_events WHERE transaction_id = 'SEC_NEW' AND subject_id = 'ACT_N' AND event_kind = 'COMPONENT_DELETED'")"

# ---- event ids are the substrate's (issue 15, item 5) ----------------------
check "the application role may not write event_id at all (column privilege)" "42501" \
	"$("$FORAY_PGBIN/psql" -X -q -U $APP -d $DB -v VERBOSITY=verbose -c "INSERT INTO foray.memory_events (event_id, event_kind, subject_kind, subject_id, transaction_id, actor_kind, actor_id)
		OVERRIDING SYSTEM VALUE VALUES (1000000000, 'sec_event', 'TRANSACTION', 'SEC_NEW', 'SEC_NEW', 'institution', 'chosen')" 2>&1 | grep -o '42501' | head -1)"
# a DBA who granted INSERT on the whole table: the id is still the substrate's
foray_psql -d $DB -c "GRANT INSERT ON foray.memory_events TO $APP" >/dev/null
"$FORAY_PGBIN/psql" -X -q -U $APP -d $DB >"$out/ids.out" 2>&1 <<'SQL'
INSERT INTO foray.memory_events (event_id, event_kind, subject_kind, subject_id, transaction_id, actor_kind, actor_id)
OVERRIDING SYSTEM VALUE
VALUES (1000000000, 'sec_event', 'TRANSACTION', 'SEC_NEW', 'SEC_NEW', 'institution', 'chosen'),
	   (1000000001, 'sec_event', 'TRANSACTION', 'SEC_NEW', 'SEC_NEW', 'institution', 'chosen');
SQL
check "with INSERT on every column, an event id chosen with OVERRIDING SYSTEM VALUE is not stored" "0" \
	"$(clean "SELECT count(*) FROM foray.memory_events WHERE event_id >= 1000000000")"
check "... the events themselves are stored, with substrate ids" "2" \
	"$(clean "SELECT count(*) FROM foray.memory_events WHERE actor_id = 'chosen'")"
check "later substrate writes still succeed" "1" \
	"$("$FORAY_PGBIN/psql" -X -q -At -U $APP -d $DB -c "INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
		VALUES ('SEC_OPEN', 'ARR_LATER', 'ARR', '{}')" -c "SELECT count(*) FROM foray.foray_components WHERE component_id OPERATOR(pg_catalog.=) 'ARR_LATER'" 2>&1)"
check "event ids increase in the order events are written" "t" \
	"$(clean "SELECT bool_and(ok) FROM (SELECT occurred_at >= lag(occurred_at) OVER (ORDER BY event_id) OR lag(occurred_at) OVER (ORDER BY event_id) IS NULL AS ok FROM foray.memory_events) s")"

foray_psql -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null
for r in $APP $ANCHOR; do foray_psql -d postgres -c "DROP ROLE IF EXISTS $r" >/dev/null; done
foray_tally "$pass" "$fail"
