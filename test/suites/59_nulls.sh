#!/usr/bin/env bash
# NULL everywhere (docs/security.md): generated from the catalog, so a new
# column or function is covered without editing this file.
#
#  * every non-generated column of every substrate table, set to SQL NULL
#    through INSERT, UPDATE and COPY (the other columns valid): a NOT NULL
#    column is refused with 23502 naming the column; any other column gives
#    a result or a documented refusal, never an internal error (XX000);
#  * every function of the extension's schema but the trigger functions
#    (exercised by the writes above), with SQL NULL in each argument in turn
#    and, for array arguments, an array holding a NULL element;
#  * the server never crashes: each statement's outcome is read from psql,
#    and the server log of the run holds no "terminated by signal".
# Run as an application role holding the grants of docs/roles.md, and again
# as the superuser (who skips no check the application meets).
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

DB=foray_nulls
APP=foray_null_app
out="$FORAY_TMP/nulls"
mkdir -p "$out"
log_start=$(wc -c <"$FORAY_PGDATA/server.log")

foray_psql -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "DROP ROLE IF EXISTS $APP" -c "CREATE ROLE $APP LOGIN" >/dev/null 2>&1
foray_fresh_db $DB >/dev/null
foray_psql -d $DB >/dev/null <<SQL
GRANT foray_application TO $APP;
SELECT foray.register_event_kind('nul_kind', 'A kind for the NULL tests.');
INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, engagement_id, object_id, object_type,
	object_version, actor_kind, actor_id)
VALUES ('nul_kind', 'MEMORY_OBJECT', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000002',
	'00000000-0000-4000-8000-000000000002', 'note', 0, 'system', 'x');
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('NUL_BASE', '2026-01-01T00:00:00Z', '{"entity": "E", "transaction_type": "t"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('NUL_BASE', 'ARR_BASE', 'ARR', '{}'), ('NUL_BASE', 'ACC_BASE', 'ACC', '{"arrangement_refs": ["ARR_BASE"]}');
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
VALUES ('NUL_BASE', 'ATT_BASE', '{"attestor": "Lab", "attestor_hash": "sha256:0000000000000000000000000000000000000000000000000000000000000000",
	"attestor_type": "laboratory", "attestor_credentials": [], "subject_refs": ["ARR_BASE"],
	"attestation_type": "analysis", "attestation_date": "2026-01-02", "outcome": "approved", "dependencies": []}');
COMMIT;
SQL
check "fixture" 0 $?

# One valid value per column (the @N@ of an id: a number unique to the
# statement), and the key of the existing row an UPDATE changes.
ATT_CORE='{"attestor": "Lab", "attestor_hash": "sha256:0000000000000000000000000000000000000000000000000000000000000000", "attestor_type": "laboratory", "attestor_credentials": [], "subject_refs": ["ARR_BASE"], "attestation_type": "analysis", "attestation_date": "2026-01-02", "outcome": "approved", "dependencies": []}'
foray_psql -d $DB >/dev/null <<SQL
CREATE TABLE public.null_values (tbl text, col text, val text, PRIMARY KEY (tbl, col));
CREATE TABLE public.null_keys (tbl text PRIMARY KEY, key_where text);
INSERT INTO public.null_values VALUES
 ('foray_transactions', 'transaction_id', \$\$'NUL_T_@N@'\$\$), ('foray_transactions', 'schema_version', \$\$'4.1'\$\$),
 ('foray_transactions', 'document_timestamp', \$\$'2026-01-01'\$\$),
 ('foray_transactions', 'foray_core', \$\${"entity": "E", "transaction_type": "t"}\$\$),
 ('foray_transactions', 'lifecycle', \$\$'open'\$\$),
 ('foray_transactions', 'audit_data_anchor', \$\${"profile": "p"}\$\$), ('foray_transactions', 'privacy_metadata', \$\${}\$\$),
 ('foray_transactions', 'extra_fields', \$\${}\$\$), ('foray_transactions', 'amends_transaction_id', 'NULL'),
 ('foray_transactions', 'foray_core_hash', 'NULL'), ('foray_transactions', 'audit_data_hash', 'NULL'),
 ('foray_transactions', 'component_hashes', 'NULL'), ('foray_transactions', 'merkle_root', 'NULL'),
 ('foray_transactions', 'blockchain_anchor', 'NULL'), ('foray_transactions', 'sealed_archive_ref', 'NULL'),
 ('foray_transactions', 'source_ref', \$\$'src'\$\$), ('foray_transactions', 'created_at', \$\$'2026-01-01'\$\$),
 ('foray_transactions', 'anchored_at', 'NULL'), ('foray_transactions', 'sealed_at', 'NULL'),
 ('foray_transactions', 'commitment_scheme', '2'),
 ('foray_components', 'transaction_id', \$\$'NUL_BASE'\$\$), ('foray_components', 'component_id', \$\$'ARR_N@N@'\$\$),
 ('foray_components', 'component_type', \$\$'ARR'\$\$), ('foray_components', 'status', \$\$'pending'\$\$),
 ('foray_components', 'foray_core', \$\${}\$\$), ('foray_components', 'audit_data', \$\${"a": 1}\$\$),
 ('foray_components', 'component_hash', 'NULL'), ('foray_components', 'ordinal', '1'),
 ('foray_components', 'source_ref', \$\$'src'\$\$), ('foray_components', 'created_at', \$\$'2026-01-01'\$\$),
 ('foray_components', 'updated_at', \$\$'2026-01-01'\$\$),
 ('foray_attestations', 'transaction_id', \$\$'NUL_BASE'\$\$), ('foray_attestations', 'attestation_id', \$\$'ATT_N@N@'\$\$),
 ('foray_attestations', 'foray_core', \$\$'$ATT_CORE'\$\$), ('foray_attestations', 'audit_data', \$\${"a": 1}\$\$),
 ('foray_attestations', 'attestation_hash', 'NULL'), ('foray_attestations', 'ordinal', '1'),
 ('foray_attestations', 'source_ref', \$\$'src'\$\$), ('foray_attestations', 'created_at', \$\$'2026-01-01'\$\$),
 ('transaction_events', 'event_kind', \$\$'nul_kind'\$\$), ('transaction_events', 'subject_kind', \$\$'TRANSACTION'\$\$),
 ('transaction_events', 'subject_id', \$\$'NUL_BASE'\$\$), ('transaction_events', 'transaction_id', \$\$'NUL_BASE'\$\$),
 ('transaction_events', 'engagement_id', 'NULL'), ('transaction_events', 'object_id', 'NULL'),
 ('transaction_events', 'object_type', 'NULL'), ('transaction_events', 'object_version', 'NULL'),
 ('transaction_events', 'engagement_version', 'NULL'),
 ('transaction_events', 'actor_kind', \$\$'system'\$\$), ('transaction_events', 'actor_id', \$\$'x'\$\$),
 ('transaction_events', 'payload', \$\${}\$\$), ('transaction_events', 'occurred_at', \$\$'2026-01-01'\$\$),
 ('transaction_events', 'source_ref', \$\$'src'\$\$), ('transaction_events', 'event_id', '1'),
 ('transaction_events', 'seq', '1'),
 ('engine_events', 'event_kind', \$\$'nul_kind'\$\$), ('engine_events', 'subject_kind', \$\$'MEMORY_OBJECT'\$\$),
 ('engine_events', 'subject_id', \$\$'00000000-0000-4000-8000-000000000001'\$\$), ('engine_events', 'transaction_id', 'NULL'),
 ('engine_events', 'engagement_id', \$\$'00000000-0000-4000-8000-000000000001'\$\$), ('engine_events', 'object_id', \$\$'00000000-0000-4000-8000-000000000001'\$\$),
 ('engine_events', 'object_type', \$\$'note'\$\$), ('engine_events', 'object_version', '@N@'),
 ('engine_events', 'engagement_version', 'NULL'),
 ('engine_events', 'actor_kind', \$\$'system'\$\$), ('engine_events', 'actor_id', \$\$'x'\$\$),
 ('engine_events', 'payload', \$\${}\$\$), ('engine_events', 'occurred_at', \$\$'2026-01-01'\$\$),
 ('engine_events', 'source_ref', \$\$'src'\$\$), ('engine_events', 'event_id', '1'),
 ('event_kinds', 'event_kind', \$\$'nul_k@N@'\$\$), ('event_kinds', 'origin', \$\$'engine'\$\$),
 ('event_kinds', 'description', \$\$'d'\$\$), ('event_kinds', 'builtin', 'false'),
 ('log_config', 'singleton', 'true'), ('log_config', 'origin', \$\$'example.com/nul'\$\$),
 ('log_config', 'set_at', \$\$'2026-01-01'\$\$),
 ('log_entries', 'log_index', '@N@'), ('log_entries', 'appended_at', \$\$'2026-01-01'\$\$),
 ('log_entries', 'transaction_id', \$\$'NUL_L_@N@'\$\$), ('log_entries', 'leaf_hash', \$\$'\\x00'\$\$),
 ('log_entries', 'subtree_hashes', \$\$''\$\$),
 ('log_checkpoints', 'tree_size', '@N@'), ('log_checkpoints', 'taken_at', \$\$'2026-01-01'\$\$),
 ('log_checkpoints', 'root_hash', \$\$'\\x00'\$\$), ('log_checkpoints', 'checkpoint', \$\$'c'\$\$),
 ('log_signatures', 'tree_size', '@N@'), ('log_signatures', 'vkey', \$\$'k'\$\$),
 ('log_signatures', 'stored_at', \$\$'2026-01-01'\$\$), ('log_signatures', 'signed_checkpoint', \$\$'s'\$\$),
 ('log_anchors', 'tree_size', '@N@'), ('log_anchors', 'root_hash', \$\$'\\x00'\$\$),
 ('log_anchors', 'kaspa_tx_id', \$\$'k'\$\$), ('log_anchors', 'block_height', '1'),
 ('log_anchors', 'confirmation_time_ms', '1'), ('log_anchors', 'anchored_at', \$\$'2026-01-01'\$\$),
 ('log_anchors', 'transactions_anchored', '0'), ('log_anchors', 'recorded_at', \$\$'2026-01-01'\$\$);
-- jsonb values are written bare above: quote them
UPDATE public.null_values SET val = quote_literal(val) WHERE val LIKE '{%';
INSERT INTO public.null_keys VALUES
 ('foray_transactions', \$\$transaction_id = 'NUL_BASE'\$\$),
 ('foray_components', \$\$transaction_id = 'NUL_BASE' AND component_id = 'ARR_BASE'\$\$),
 ('foray_attestations', \$\$transaction_id = 'NUL_BASE' AND attestation_id = 'ATT_BASE'\$\$),
 ('transaction_events', \$\$transaction_id = 'NUL_BASE' AND seq = 1\$\$),
 ('engine_events', \$\$object_version = 0\$\$),
 ('event_kinds', \$\$event_kind = 'nul_kind'\$\$),
 ('log_config', 'singleton'), ('log_entries', 'log_index = 0'), ('log_checkpoints', 'tree_size = 0'),
 ('log_signatures', 'tree_size = 0'), ('log_anchors', 'tree_size = 1');
SQL

# every writable column of every table must have a value above
check "every non-generated column of the substrate's tables has a test value" "" \
	"$(foray_psql -d $DB -Atc "SELECT string_agg(c.relname || '.' || a.attname, ' ') FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
		WHERE c.relnamespace = 'foray'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
		  AND a.attgenerated = '' AND a.attidentity = ''
		  AND NOT EXISTS (SELECT 1 FROM public.null_values v WHERE v.tbl = c.relname AND v.col = a.attname)")"

# the statements: "-- CASE <label> <expected>" then the statement
foray_psql -d $DB -At >"$out/cases.sql" <<'SQL'
WITH cols AS (
	SELECT c.relname AS tbl, a.attname AS col, a.attnotnull AS not_null, a.attnum
	  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
	 WHERE c.relnamespace = 'foray'::regnamespace AND c.relkind = 'r' AND a.attnum > 0
	   AND NOT a.attisdropped AND a.attgenerated = '' AND a.attidentity = ''
	   -- numbered by the substrate whatever the writer gives, as an identity is (LOG-004)
	   AND NOT (c.relname IN ('transaction_events', 'engine_events') AND a.attname IN ('event_id', 'seq'))),
cases AS (
	SELECT t.tbl, t.col, t.not_null, row_number() OVER () AS n,
		   (SELECT string_agg(quote_ident(v.col), ', ' ORDER BY v.col) FROM public.null_values v WHERE v.tbl = t.tbl) AS collist,
		   (SELECT string_agg(CASE WHEN v.col = t.col THEN 'NULL' ELSE v.val END, ', ' ORDER BY v.col)
			  FROM public.null_values v WHERE v.tbl = t.tbl) AS vallist,
		   (SELECT string_agg(CASE WHEN v.col = t.col THEN '\N' WHEN v.val = 'NULL' THEN '\N'
								   ELSE replace(trim(both '''' from v.val), '''''', '''') END, E'\t' ORDER BY v.col)
			  FROM public.null_values v WHERE v.tbl = t.tbl) AS copyrow,
		   k.key_where
	  FROM cols t JOIN public.null_keys k ON k.tbl = t.tbl)
SELECT format(E'-- CASE insert %1$s.%2$s %3$s\nINSERT INTO foray.%1$I (%4$s) VALUES (%5$s);\n'
			  '-- CASE update %1$s.%2$s %8$s\nUPDATE foray.%1$I SET %2$I = NULL WHERE %6$s;\n'
			  '-- CASE copy %1$s.%2$s %3$s\nCOPY foray.%1$I (%4$s) FROM STDIN;\n%7$s\n\\.',
			  -- (42501: the role may not write that column at all)
			  tbl, col, CASE WHEN not_null THEN '23502,42501' ELSE 'any' END,
			  collist, replace(vallist, '@N@', n::text), key_where, replace(copyrow, '@N@', (n + 100000)::text),
			  -- an append-only table refuses the UPDATE itself (55R01), or the
			  -- role may not update it at all (42501)
			  CASE WHEN not_null THEN '23502,55R01,42501' ELSE 'any' END)
  FROM cases ORDER BY tbl, col;

-- every function: NULL in each argument in turn, the others valid; for
-- array arguments also an array with a NULL element
WITH fns AS (
	SELECT p.oid, p.oid::regprocedure::text AS sig, p.proname, p.proargtypes::oid[] AS args, p.proretset
	  FROM pg_proc p WHERE p.pronamespace = 'foray'::regnamespace AND p.prorettype <> 'trigger'::regtype),
sample(typ, val) AS (VALUES
	('text'::regtype, $$'NUL_BASE'$$), ('jsonb'::regtype, $$'{"transaction_id": "NUL_X", "components": [1, null]}'$$),
	('bytea'::regtype, $$'\x00'$$), ('boolean'::regtype, 'true'), ('bigint'::regtype, '1'), ('integer'::regtype, '1'),
	('numeric'::regtype, '1.5'), ('timestamptz'::regtype, $$'2026-01-01T00:00:00Z'$$),
	('text[]'::regtype, $$'{ARR_BASE}'$$), ('bytea[]'::regtype, $$'{"\\x00"}'$$)),
calls AS (
	SELECT f.sig, f.proname, f.proretset, i AS which, kind,
		   (SELECT string_agg(CASE WHEN j = i AND kind = 'null' THEN 'NULL::' || format_type(t, NULL)
								   WHEN j = i AND kind = 'null element' THEN 'ARRAY[NULL]::' || format_type(t, NULL)
								   ELSE s.val || '::' || format_type(t, NULL) END, ', ' ORDER BY j)
			  FROM unnest(f.args) WITH ORDINALITY AS a(t, j) LEFT JOIN sample s ON s.typ = a.t) AS arglist
	  FROM fns f,
		   LATERAL generate_series(1, greatest(cardinality(f.args), 1)) AS i,
		   LATERAL (VALUES ('null'), ('null element')) AS k(kind)
	 WHERE (cardinality(f.args) > 0 OR (i = 1 AND kind = 'null'))
	   AND (kind = 'null' OR (cardinality(f.args) > 0 AND f.args[i] IN ('text[]'::regtype, 'bytea[]'::regtype))))
SELECT format(E'-- CASE call %s[%s:%s] any\nSELECT %s foray.%I(%s);',
			  sig, which, kind, CASE WHEN proretset THEN 'count(*) FROM' ELSE '' END, proname, coalesce(arglist, ''))
  FROM calls
 ORDER BY sig, which, kind;
SQL
ncases=$(grep -c '^-- CASE' "$out/cases.sql")
check "cases generated from the catalog (over 150)" "yes" "$([ "$ncases" -gt 150 ] && echo yes || echo "only $ncases")"

# run them in one session per role: "\echo CASE <label> <expected>" before
# each statement, then each case's output is read back (its SQLSTATE from
# psql's verbose error).  Should the server crash, psql stops there: that
# case is a CRASH and the run resumes with the next one.
run_cases() {	# role resultfile
	local role=$1 res=$2 start=1 total
	: >"$res"
	total=$(grep -c '^-- CASE' "$out/cases.sql")
	while [ "$start" -le "$total" ]; do
		awk -v start="$start" '/^-- CASE /{n++; if (n >= start) {sub(/^-- /, ""); print "\\echo " $0}; next} n >= start {print}' \
			"$out/cases.sql" >"$out/run.sql"
		"$FORAY_PGBIN/psql" -X -q -U "$role" -d $DB -v VERBOSITY=verbose -f "$out/run.sql" >"$out/run.out" 2>&1
		awk -v res="$res" '
			function finish() {
				if (label == "") return
				if (body ~ /ERROR:  XX000/) print "INTERNAL " label > res
				else if (expected != "any") {
					state = "success"
					if (match(body, /ERROR:  [0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z][0-9A-Z]:/)) state = substr(body, RSTART + 8, 5)
					if (index(expected, state) == 0) print "WRONG " label ": expected " expected ", got " state > res
				}
			}
			/^CASE /{finish(); expected = $NF; label = substr($0, 6, length($0) - 6 - length($NF)); body = ""; seen++; next}
			{body = body "\n" $0}
			END{finish(); print seen}' "$out/run.out" >"$out/seen"
		local seen
		seen=$(cat "$out/seen")
		if grep -qE 'server closed the connection|connection to server was lost' "$out/run.out"; then
			echo "CRASH at case $((start + seen - 1)): $(grep -m1 '^CASE' <(tail -n 50 "$out/run.out"))" >>"$res"
			foray_cluster_start >/dev/null 2>&1
			sleep 2
		fi
		start=$((start + seen))
		[ "$seen" -eq 0 ] && break
	done
}
run_cases $APP "$out/app.res"
check "as the application role: no crash, no internal error, NOT NULL refused with 23502 ($ncases statements)" "" "$(head -5 "$out/app.res")"
run_cases postgres "$out/super.res"
check "as the superuser: the same ($ncases statements)" "" "$(head -5 "$out/super.res")"

check "the server is up and the fixture intact" "2" \
	"$(foray_psql -d $DB -Atc "SELECT count(*) FROM foray.foray_components WHERE transaction_id = 'NUL_BASE' AND component_id IN ('ARR_BASE', 'ACC_BASE')")"
check "no backend was terminated by a signal during the run" "0" \
	"$(tail -c +"$log_start" "$FORAY_PGDATA/server.log" | grep -c 'terminated by signal' || true)"

foray_psql -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "DROP ROLE IF EXISTS $APP" >/dev/null 2>&1
foray_tally "$pass" "$fail"
