#!/usr/bin/env bash
# search_path tricks (the CVE-2018-1058 family).
#
# Two databases with the extension: foray_sp_clean, and foray_sp_evil where
# look-alike objects are planted in public: operators = on text and on the
# readiness domain that answer true, @> and + that lie, functions that
# match pg_catalog's more exactly or equally (cardinality(text[]), left,
# length, jsonb_typeof, now, ...), and tables named like the substrate's.
# An unprivileged application role (created here, with SELECT/INSERT/
# UPDATE/DELETE grants) runs the same flow in both, with public FIRST on its
# search_path (the flow's own WHERE clauses use OPERATOR(pg_catalog.=): the
# application's SQL is not what is under test, the substrate's is): inserts in any order, readiness, settle/reverse, lifecycle,
# the errors with their SQLSTATEs, the event log.  Every step's outcome, as
# read by a clean observer session, must be the same in both databases (and
# the clean one must give the expected answer).  Also: every SECURITY
# DEFINER function of the extension pins its search_path, and
# foray.register_event_kind works unchanged under the hostile path.
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

CLEAN=foray_sp_clean
EVIL=foray_sp_evil
APP=foray_sp_app
HOSTILE_PATH='public,pg_catalog'

foray_psql -d postgres -c "DROP DATABASE IF EXISTS $CLEAN" -c "DROP DATABASE IF EXISTS $EVIL" \
	-c "DROP ROLE IF EXISTS $APP" -c "CREATE ROLE $APP LOGIN" >/dev/null 2>&1
for db in $CLEAN $EVIL; do
	foray_fresh_db $db >/dev/null 2>&1
	foray_psql -d $db >/dev/null <<SQL
GRANT USAGE ON SCHEMA foray TO $APP;
GRANT SELECT, INSERT, UPDATE, DELETE ON foray.foray_transactions, foray.foray_components, foray.foray_attestations TO $APP;
GRANT SELECT, INSERT, DELETE ON foray.memory_events TO $APP;
GRANT SELECT, INSERT, UPDATE ON foray.event_kinds TO $APP;
GRANT EXECUTE ON FUNCTION foray.register_event_kind(text, text) TO $APP;
SQL
done

# ---- the plants ----------------------------------------------------------
foray_psql -d $EVIL >/dev/null <<SQL
CREATE FUNCTION public.evil_eq_text(text, text) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.evil_eq_text);
CREATE FUNCTION public.evil_eq_readiness(foray.readiness, foray.readiness) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE OPERATOR public.= (LEFTARG = foray.readiness, RIGHTARG = foray.readiness, FUNCTION = public.evil_eq_readiness);
CREATE FUNCTION public.evil_eq_ctype(foray.component_type, foray.component_type) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE OPERATOR public.= (LEFTARG = foray.component_type, RIGHTARG = foray.component_type, FUNCTION = public.evil_eq_ctype);
CREATE FUNCTION public.evil_contains(text[], text[]) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE OPERATOR public.@> (LEFTARG = text[], RIGHTARG = text[], FUNCTION = public.evil_contains);
CREATE FUNCTION public.evil_plus(integer, integer) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 0';
CREATE OPERATOR public.+ (LEFTARG = integer, RIGHTARG = integer, FUNCTION = public.evil_plus);
CREATE FUNCTION public.evil_concat(text[], text[]) RETURNS text[] LANGUAGE sql IMMUTABLE AS 'SELECT ''{}''::text[]';
CREATE OPERATOR public.|| (LEFTARG = text[], RIGHTARG = text[], FUNCTION = public.evil_concat);
CREATE FUNCTION public.cardinality(text[]) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 0';
CREATE FUNCTION public.cardinality(anyarray) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 0';
CREATE FUNCTION public.left(text, integer) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT ''ARR_''';
CREATE FUNCTION public.length(text) RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 10';
CREATE FUNCTION public.jsonb_typeof(jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS 'SELECT ''object''';
CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE sql AS 'SELECT ''2000-01-01''::timestamptz';
CREATE FUNCTION public.count(anyelement) RETURNS bigint LANGUAGE sql AS 'SELECT 0::bigint';
CREATE FUNCTION public.array_cat(text[], text[]) RETURNS text[] LANGUAGE sql IMMUTABLE AS 'SELECT ''{}''::text[]';
CREATE FUNCTION public.component_ref_keys(text, text[], text[], text[]) RETURNS text[] LANGUAGE sql IMMUTABLE AS 'SELECT ''{}''::text[]';
CREATE TABLE public.foray_transactions (LIKE foray.foray_transactions);
CREATE TABLE public.foray_components (LIKE foray.foray_components);
CREATE TABLE public.foray_attestations (LIKE foray.foray_attestations);
CREATE TABLE public.memory_events (LIKE foray.memory_events);
CREATE TABLE public.event_kinds (LIKE foray.event_kinds);
GRANT ALL ON ALL TABLES IN SCHEMA public TO PUBLIC;
SQL
check "look-alike objects planted in public" 0 $?
check "the planted = on text is visible first on the hostile path" "t" \
	"$(PGOPTIONS="-c search_path=public,pg_catalog" foray_psql -At -d $EVIL -c "SELECT 'a' = 'b'")"

# app DB SQL: run SQL as the application role, public first on the path.
# Prints the SQLSTATE of an error (VERBOSITY sqlstate), nothing otherwise.
app() {
	PGOPTIONS="-c search_path=$HOSTILE_PATH" "$FORAY_PGBIN/psql" -X -q -At -U $APP -d "$1" \
		-v VERBOSITY=sqlstate -v ON_ERROR_STOP=1 2>&1 |
		sed -n -e 's/^\(psql:[^:]*:[0-9]*: \)\{0,1\}ERROR:  \([0-9A-Z]\{5\}\).*/\2/p' -e 's/^psql: error:.*/NO CONNECTION: &/p'
}
# observe DB SQL: a clean superuser session reads the outcome.
observe() {
	PGOPTIONS="-c search_path=pg_catalog" foray_psql -At -d "$1" -c "$2" 2>&1
}
# step NAME EXPECTED_SQLSTATE OBSERVATION_SQL EXPECTED_OBSERVATION <<< APP_SQL
step() {
	local name=$1 want_err=$2 obs=$3 want_obs=$4 sql err_c err_e obs_c obs_e
	sql=$(cat)
	err_c=$(app $CLEAN <<<"$sql")
	err_e=$(app $EVIL <<<"$sql")
	obs_c=$(observe $CLEAN "$obs")
	obs_e=$(observe $EVIL "$obs")
	check "$name: clean outcome" "$want_err|$want_obs" "$err_c|$obs_c"
	check "$name: unchanged with plants and public first" "$err_c|$obs_c" "$err_e|$obs_e"
}

STATUS="SELECT string_agg(transaction_id || '/' || component_id || '=' || status::text, ' ' ORDER BY transaction_id, component_id) FROM foray.foray_components"
LIFE="SELECT string_agg(transaction_id || '=' || lifecycle::text, ' ' ORDER BY transaction_id) FROM foray.foray_transactions"
# rows and events written (lifecycle events left out, so a refusal step
# does not also fail for a lifecycle difference reported elsewhere)
COUNTS="SELECT (SELECT count(*) FROM foray.foray_components) || ' ' || (SELECT count(*) FROM foray.foray_attestations) || ' ' || (SELECT count(*) FROM foray.memory_events WHERE event_kind <> 'TRANSACTION_STATE_CHANGED')"

step "reverse-order insert, one transaction" "" "$STATUS; $LIFE" \
	"$(printf '%s\n%s' "TXS/ACC_FEE_001=ready TXS/ACT_PAY_001=ready TXS/ANT_INV_001=ready TXS/ARR_MSA_001=ready" "TXS=ready_to_anchor")" <<'SQL'
BEGIN;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('TXS', 'ACT_PAY_001', 'ACT', '{"anticipation_refs": ["ANT_INV_001"], "arrangement_refs": ["ARR_MSA_001"]}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('TXS', 'ANT_INV_001', 'ANT', '{"accrual_refs": ["ACC_FEE_001"]}');
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
VALUES ('TXS', 'ATT_AUDIT_001', '{"attestor": "Example Audit LLP", "attestor_hash": "sha256:ab", "attestor_type": "auditor",
	"attestation_type": "audit_opinion", "attestation_date": "2025-03-01", "outcome": "approved", "subject_refs": ["ACT_PAY_001"]}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('TXS', 'ACC_FEE_001', 'ACC', '{"arrangement_refs": ["ARR_MSA_001"]}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('TXS', 'ARR_MSA_001', 'ARR', '{}');
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('TXS', '2025-03-01T12:00:00Z', '{"entity": "Example Corp", "transaction_type": "purchase", "status": "active"}');
COMMIT;
SQL

step "a second transaction with the same ids, natural order" "" "$STATUS; $LIFE" \
	"$(printf '%s\n%s' "TXS/ACC_FEE_001=ready TXS/ACT_PAY_001=ready TXS/ANT_INV_001=ready TXS/ARR_MSA_001=ready TXT/ACC_FEE_001=ready TXT/ARR_MSA_001=ready" "TXS=ready_to_anchor TXT=ready_to_anchor")" <<'SQL'
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('TXT', '2025-03-02', '{"entity": "Example Corp", "transaction_type": "sale"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('TXT', 'ARR_MSA_001', 'ARR', '{}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('TXT', 'ACC_FEE_001', 'ACC', '{"arrangement_refs": ["ARR_MSA_001"]}');
COMMIT;
SQL

step "settle an action" "" "$STATUS" \
	"TXS/ACC_FEE_001=ready TXS/ACT_PAY_001=settled TXS/ANT_INV_001=ready TXS/ARR_MSA_001=ready TXT/ACC_FEE_001=ready TXT/ARR_MSA_001=ready" <<'SQL'
UPDATE foray.foray_components SET status = 'settled' WHERE transaction_id OPERATOR(pg_catalog.=) 'TXS' AND component_id OPERATOR(pg_catalog.=) 'ACT_PAY_001';
SQL

step "reverse an arrangement: dependents pending, lifecycle open" "" "$STATUS; $LIFE" \
	"$(printf '%s\n%s' "TXS/ACC_FEE_001=ready TXS/ACT_PAY_001=settled TXS/ANT_INV_001=ready TXS/ARR_MSA_001=ready TXT/ACC_FEE_001=pending TXT/ARR_MSA_001=reversed" "TXS=ready_to_anchor TXT=open")" <<'SQL'
UPDATE foray.foray_components SET status = 'reversed' WHERE transaction_id OPERATOR(pg_catalog.=) 'TXT' AND component_id OPERATOR(pg_catalog.=) 'ARR_MSA_001';
SQL

# the refusals: SQLSTATE, and nothing written
step "dangling ref at commit (23R02)" 23R02 "$COUNTS" "6 1 15" <<'SQL'
BEGIN;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('TXS', 'ACC_DANGLE_001', 'ACC', '{"arrangement_refs": ["ARR_NOWHERE_001"]}');
COMMIT;
SQL
step "a ref to another transaction's component (23R02)" 23R02 "$COUNTS" "6 1 15" <<'SQL'
BEGIN;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('TXT', 'ANT_CROSS_001', 'ANT', '{"accrual_refs": ["ACC_ONLY_IN_TXU"]}');
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('TXU', '2025-03-02', '{"entity": "Example Corp", "transaction_type": "sale"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('TXU', 'ACC_ONLY_IN_TXU', 'ACC', '{}');
COMMIT;
SQL
step "ref typing (23R01)" 23R01 "$COUNTS" "6 1 15" <<'SQL'
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('TXS', 'ACC_TYPING_001', 'ACC', '{"anticipation_refs": ["ANT_INV_001"]}');
SQL
step "id prefix (23R10)" 23R10 "$COUNTS" "6 1 15" <<'SQL'
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('TXS', 'ACC_PREFIX_001', 'ARR', '{}');
SQL
step "wrong kind (23R03)" 23R03 "$COUNTS" "6 1 15" <<'SQL'
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('TXS', 'ACC_KIND_001', 'ACC', '{"arrangement_refs": ["ACC_FEE_001"]}');
SQL
step "duplicate (23R05)" 23R05 "$COUNTS" "6 1 15" <<'SQL'
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('TXS', 'ACT_DUP_001', 'ACT', '{"arrangement_refs": ["ARR_MSA_001", "ARR_MSA_001"]}');
SQL
step "self reference (23R04)" 23R04 "$COUNTS" "6 1 15" <<'SQL'
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('TXS', 'ACC_SELF_001', 'ACC', '{"arrangement_refs": ["ACC_SELF_001"]}');
SQL
step "empty subject_refs (23R12)" 23R12 "$COUNTS" "6 1 15" <<'SQL'
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
VALUES ('TXS', 'ATT_EMPTY_001', '{"attestor": "x", "attestor_hash": "h", "attestor_type": "auditor",
	"attestation_type": "audit_opinion", "attestation_date": "2025-03-01", "outcome": "approved", "subject_refs": []}');
SQL
step "dangling attestation subject (23R02)" 23R02 "$COUNTS" "6 1 15" <<'SQL'
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
VALUES ('TXS', 'ATT_DANGLE_001', '{"attestor": "x", "attestor_hash": "h", "attestor_type": "auditor",
	"attestation_type": "audit_opinion", "attestation_date": "2025-03-01", "outcome": "approved", "subject_refs": ["ACT_NOWHERE"]}');
SQL
step "attestation cycle (23R06)" 23R06 "$COUNTS" "6 1 15" <<'SQL'
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core) VALUES
('TXS', 'ATT_CYCLE_A', '{"attestor": "x", "attestor_hash": "h", "attestor_type": "auditor", "attestation_type": "audit_opinion",
	"attestation_date": "2025-03-01", "outcome": "approved", "subject_refs": ["ARR_MSA_001"], "dependencies": ["ATT_CYCLE_B"]}'),
('TXS', 'ATT_CYCLE_B', '{"attestor": "x", "attestor_hash": "h", "attestor_type": "auditor", "attestation_type": "audit_opinion",
	"attestation_date": "2025-03-01", "outcome": "approved", "subject_refs": ["ARR_MSA_001"], "dependencies": ["ATT_CYCLE_A"]}');
SQL
step "bad attestation enum (22R02)" 22R02 "$COUNTS" "6 1 15" <<'SQL'
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
VALUES ('TXS', 'ATT_ENUM_001', '{"attestor": "x", "attestor_hash": "h", "attestor_type": "notary",
	"attestation_type": "audit_opinion", "attestation_date": "2025-03-01", "outcome": "approved", "subject_refs": ["ARR_MSA_001"]}');
SQL
step "removal of a referenced component (23R07)" 23R07 "$COUNTS" "6 1 15" <<'SQL'
DELETE FROM foray.foray_components WHERE transaction_id OPERATOR(pg_catalog.=) 'TXS' AND component_id OPERATOR(pg_catalog.=) 'ACT_PAY_001';
SQL
step "status transition (23R20)" 23R20 "$STATUS" \
	"TXS/ACC_FEE_001=ready TXS/ACT_PAY_001=settled TXS/ANT_INV_001=ready TXS/ARR_MSA_001=ready TXT/ACC_FEE_001=pending TXT/ARR_MSA_001=reversed" <<'SQL'
UPDATE foray.foray_components SET status = 'settled' WHERE transaction_id OPERATOR(pg_catalog.=) 'TXT' AND component_id OPERATOR(pg_catalog.=) 'ACC_FEE_001';
SQL
step "direct lifecycle write (23R21)" 23R21 "$LIFE" "TXS=ready_to_anchor TXT=open" <<'SQL'
UPDATE foray.foray_transactions SET lifecycle = 'ready_to_anchor' WHERE transaction_id OPERATOR(pg_catalog.=) 'TXT';
SQL
step "identity change (23R22)" 23R22 "$STATUS" \
	"TXS/ACC_FEE_001=ready TXS/ACT_PAY_001=settled TXS/ANT_INV_001=ready TXS/ARR_MSA_001=ready TXT/ACC_FEE_001=pending TXT/ARR_MSA_001=reversed" <<'SQL'
UPDATE foray.foray_components SET component_id = 'ACC_FEE_002' WHERE transaction_id OPERATOR(pg_catalog.=) 'TXT' AND component_id OPERATOR(pg_catalog.=) 'ACC_FEE_001';
SQL
step "memory_events DELETE (55R01)" 55R01 "$COUNTS" "6 1 15" <<'SQL'
DELETE FROM foray.memory_events;
SQL
step "memory_events UPDATE needs the grant first (42501)" 42501 "$COUNTS" "6 1 15" <<'SQL'
UPDATE foray.memory_events SET payload = '{}';
SQL

# the event log as the app wrote it (the lifecycle is evaluated at the end
# of each statement: TXT turns ready_to_anchor as soon as its ARR is in)
step "the events, in order" "" \
	"SELECT string_agg(event_kind || ':' || subject_id || ':' || actor_kind::text || ':' || actor_id, ' ' ORDER BY event_id) FROM foray.memory_events" \
	"COMPONENT_CREATED:ACT_PAY_001:system:$APP COMPONENT_CREATED:ANT_INV_001:system:$APP ATTESTATION_ATTACHED:ATT_AUDIT_001:system:$APP COMPONENT_CREATED:ACC_FEE_001:system:$APP COMPONENT_CREATED:ARR_MSA_001:system:$APP COMPONENT_STATE_CHANGED:ACC_FEE_001:system:$APP COMPONENT_STATE_CHANGED:ANT_INV_001:system:$APP COMPONENT_STATE_CHANGED:ACT_PAY_001:system:$APP TRANSACTION_CREATED:TXS:system:$APP TRANSACTION_STATE_CHANGED:TXS:system:$APP TRANSACTION_CREATED:TXT:system:$APP COMPONENT_CREATED:ARR_MSA_001:system:$APP TRANSACTION_STATE_CHANGED:TXT:system:$APP COMPONENT_CREATED:ACC_FEE_001:system:$APP COMPONENT_STATE_CHANGED:ACT_PAY_001:system:$APP COMPONENT_STATE_CHANGED:ARR_MSA_001:system:$APP COMPONENT_STATE_CHANGED:ACC_FEE_001:system:$APP TRANSACTION_STATE_CHANGED:TXT:system:$APP" <<'SQL'
SELECT 1;
SQL

# SECURITY DEFINER functions pin their search_path; register_event_kind
# works unchanged on the hostile path
check "SECURITY DEFINER functions of the extension set search_path" "0" \
	"$(observe $EVIL "SELECT count(*) FROM pg_proc p JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
		AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e'
		JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'foray_substrate'
		WHERE p.prosecdef AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search\_path=%')")"
check "foray.register_event_kind pins search_path to pg_catalog, pg_temp" "search_path=pg_catalog, pg_temp" \
	"$(observe $EVIL "SELECT c FROM pg_proc, unnest(proconfig) c WHERE oid = 'foray.register_event_kind(text,text)'::regprocedure AND c LIKE 'search\_path=%'")"
step "register_event_kind, then re-describe" "" \
	"SELECT string_agg(event_kind || '=' || description, ' ' ORDER BY event_kind) FROM foray.event_kinds WHERE origin = 'engine'" \
	"engagement_opened=second" <<'SQL'
SELECT foray.register_event_kind('engagement_opened', 'first');
SELECT foray.register_event_kind('engagement_opened', 'second');
SQL
step "register_event_kind refuses a substrate kind (23514)" 23514 \
	"SELECT description FROM foray.event_kinds WHERE event_kind = 'COMPONENT_CREATED'" \
	"A component was added to a transaction." <<'SQL'
SELECT foray.register_event_kind('COMPONENT_CREATED', 'hijacked');
SQL

check "nothing landed in the planted look-alike tables" "0 0 0 0 0" \
	"$(observe $EVIL "SELECT (SELECT count(*) FROM public.foray_transactions) || ' ' || (SELECT count(*) FROM public.foray_components) || ' ' ||
		(SELECT count(*) FROM public.foray_attestations) || ' ' || (SELECT count(*) FROM public.memory_events) || ' ' ||
		(SELECT count(*) FROM public.event_kinds)")"

foray_psql -d postgres -c "DROP DATABASE IF EXISTS $CLEAN" -c "DROP DATABASE IF EXISTS $EVIL" \
	-c "DROP ROLE IF EXISTS $APP" >/dev/null 2>&1
foray_tally "$pass" "$fail"
