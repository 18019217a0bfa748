#!/usr/bin/env bash
# pg_dump -> restore, plain (psql, also --single-transaction) and custom
# (pg_restore, also -j 2 and --single-transaction) formats, and a data-only
# archive restored into a database that already has the extension.
#
# A source database holds a few FORAY transactions (inserted in different
# orders, with settled and reversed components, attestation chains), engine
# event kinds registered with foray.register_event_kind and engine events.
# After each restore: every table's content is identical (md5 over the rows
# in key order), the memory_events sequence has the same value, no second
# round of events was emitted, grants on the extension's tables survived,
# and inserts after the restore get the next event ids and the usual
# readiness.  Each check counts as one pass or one fail.
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
q() { foray_psql -At -d "$1" -c "$2" 2>&1; }

SRC=foray_dump_src
DUMPDIR=$(mktemp -d "${TMPDIR:-/tmp}/foray-dump.XXXXXX")
chmod 755 "$DUMPDIR"
trap 'rm -rf "$DUMPDIR"' EXIT

foray_psql -d postgres -c "DROP ROLE IF EXISTS foray_dump_app" -c "CREATE ROLE foray_dump_app NOLOGIN" >/dev/null 2>&1
foray_fresh_db "$SRC" >/dev/null 2>&1

# ---- the source data, committed the way an application would ----------
foray_psql -d "$SRC" >/dev/null <<'SQL'
CREATE FUNCTION pg_temp.att(subjects text[], deps text[] DEFAULT '{}')
RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_build_object('attestor', 'Example Audit LLP', 'attestor_hash', 'sha256:ab',
		'attestor_type', 'auditor', 'attestation_type', 'audit_opinion',
		'attestation_date', '2025-03-01T12:00:00Z', 'outcome', 'approved',
		'validity_period', jsonb_build_object('start', '2025-03-01', 'end', '2026-03-01'),
		'subject_refs', to_jsonb(subjects), 'dependencies', to_jsonb(deps))
$$;

-- TX_DUMP_1: natural order, one component settled
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, extra_fields)
VALUES ('TX_DUMP_1', '2025-03-01T12:00:00Z',
		'{"entity": "Example Corp", "transaction_type": "purchase", "status": "active", "currency": "USD", "total_value": 1200.50, "compliance_flags": ["SOX"]}',
		'{"source_system": "loomworks"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core, audit_data, ordinal) VALUES
	('TX_DUMP_1', 'ARR_MSA_001', 'ARR', '{"parties": ["Example Corp", "Vendor"], "amount": 1200.50}', '{"note": "signed"}', 0),
	('TX_DUMP_1', 'ACC_FEE_001', 'ACC', '{"arrangement_refs": ["ARR_MSA_001"], "amount": 1200.50}', NULL, 0),
	('TX_DUMP_1', 'ANT_INV_001', 'ANT', '{"accrual_refs": ["ACC_FEE_001"], "arrangement_refs": ["ARR_MSA_001"]}', NULL, 0),
	('TX_DUMP_1', 'ACT_PAY_001', 'ACT', '{"anticipation_refs": ["ANT_INV_001"], "amount": 1200.50}', NULL, 0);
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core) VALUES
	('TX_DUMP_1', 'ATT_AUDIT_001', pg_temp.att('{ACT_PAY_001,ARR_MSA_001}')),
	('TX_DUMP_1', 'ATT_AUDIT_002', pg_temp.att('{ATT_AUDIT_001}', '{ATT_AUDIT_001}'));
COMMIT;
UPDATE foray.foray_components SET status = 'settled' WHERE transaction_id = 'TX_DUMP_1' AND component_id = 'ACT_PAY_001';

-- TX_DUMP_2: reverse order, same component ids as TX_DUMP_1
BEGIN;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES
	('TX_DUMP_2', 'ACT_PAY_001', 'ACT', '{"arrangement_refs": ["ARR_MSA_001"], "accrual_refs": ["ACC_FEE_001"]}'),
	('TX_DUMP_2', 'ACC_FEE_001', 'ACC', '{"arrangement_refs": ["ARR_MSA_001"]}'),
	('TX_DUMP_2', 'ARR_MSA_001', 'ARR', '{}');
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('TX_DUMP_2', '2025-03-02', '{"entity": "Example Corp", "transaction_type": "sale", "status": "completed"}');
COMMIT;

-- TX_DUMP_3: an arrangement reversed, its dependents pending, lifecycle open
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('TX_DUMP_3', '2025-03-03T08:30:00+02:00', '{"entity": "Example Corp", "transaction_type": "loan", "status": "active"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES
	('TX_DUMP_3', 'ARR_LOAN_001', 'ARR', '{}'),
	('TX_DUMP_3', 'ACC_INT_001', 'ACC', '{"arrangement_refs": ["ARR_LOAN_001"]}');
COMMIT;
UPDATE foray.foray_components SET status = 'reversed' WHERE transaction_id = 'TX_DUMP_3' AND component_id = 'ARR_LOAN_001';

-- TX_DUMP_4 amends TX_DUMP_2 (a self-reference of foray_transactions)
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, amends_transaction_id)
VALUES ('TX_DUMP_4', '2025-03-04', '{"entity": "Example Corp", "transaction_type": "sale", "status": "reversed"}', 'TX_DUMP_2');

-- engine kinds and engine events
SELECT foray.register_event_kind('engagement_opened', 'An engagement was opened.');
SELECT foray.register_event_kind('memory_object_revised', 'A MemoryObject got a new version.');
INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, engagement_id, object_id, object_type,
								 object_version, engagement_version, actor_kind, actor_id, payload, occurred_at) VALUES
	('engagement_opened', 'MEMORY_OBJECT', '7d3c8a9e-0d7e-4f5c-9a53-2f4f8e1b6a10', '0b7c1f2e-3d4a-4b5c-8d6e-7f8091a2b3c4',
	 '7d3c8a9e-0d7e-4f5c-9a53-2f4f8e1b6a10', 'Engagement', 1, 1, 'person', '5f0c6a52-8e0a-4a8e-b1d4-3c2b1a0f9e8d',
	 '{"title": "Audit 2025"}', '2025-03-01T09:00:00Z'),
	('memory_object_revised', 'MEMORY_OBJECT', '7d3c8a9e-0d7e-4f5c-9a53-2f4f8e1b6a10', '0b7c1f2e-3d4a-4b5c-8d6e-7f8091a2b3c4',
	 '7d3c8a9e-0d7e-4f5c-9a53-2f4f8e1b6a10', 'Engagement', 2, 2, 'agent', '1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6',
	 '{"title": "Audit 2025 (rev)"}', '2025-03-01T10:00:00Z'),
	('engagement_opened', 'MEMORY_OBJECT', '8d3c8a9e-0d7e-4f5c-9a53-2f4f8e1b6a10', '1b7c1f2e-3d4a-4b5c-8d6e-7f8091a2b3c4',
	 '8d3c8a9e-0d7e-4f5c-9a53-2f4f8e1b6a10', 'Engagement', 1, 1, 'institution', 'dunin7', '{}', '2025-03-02T09:00:00Z');

GRANT SELECT, INSERT, UPDATE ON foray.foray_components TO foray_dump_app;
SQL
rc=$?
check "source data committed" 0 "$rc"

# What every comparison reads: one md5 per table, rows in key order.
fingerprint() {
	q "$1" "
	SELECT 'transactions ' || md5(coalesce(string_agg(t::text, '|' ORDER BY transaction_id), '')) FROM foray.foray_transactions t
	UNION ALL
	SELECT 'components ' || md5(coalesce(string_agg(c::text, '|' ORDER BY transaction_id, component_id), '')) FROM foray.foray_components c
	UNION ALL
	SELECT 'attestations ' || md5(coalesce(string_agg(a::text, '|' ORDER BY transaction_id, attestation_id), '')) FROM foray.foray_attestations a
	UNION ALL
	SELECT 'memory_events ' || md5(coalesce(string_agg(e::text, '|' ORDER BY event_id), '')) FROM foray.memory_events e
	UNION ALL
	SELECT 'event_kinds ' || md5(coalesce(string_agg(k::text, '|' ORDER BY event_kind), '')) FROM foray.event_kinds k"
}
seqval() { q "$1" "SELECT last_value || ' ' || is_called FROM foray.memory_events_event_id_seq"; }
events() { q "$1" "SELECT count(*) || ' ' || coalesce(max(event_id), 0) FROM foray.memory_events"; }
states() {
	q "$1" "SELECT string_agg(transaction_id || '=' || lifecycle, ' ' ORDER BY transaction_id) FROM foray.foray_transactions"
}

src_fp=$(fingerprint "$SRC")
src_seq=$(seqval "$SRC")
src_events=$(events "$SRC")
src_max=$(q "$SRC" "SELECT max(event_id) FROM foray.memory_events")
check "source holds substrate and engine events" t \
	"$(q "$SRC" "SELECT count(*) FILTER (WHERE subject_kind = 'MEMORY_OBJECT') = 3 AND count(*) > 20 FROM foray.memory_events")"
src_states=$(states "$SRC")
check "source lifecycles (TX_DUMP_2 was inserted in reverse order)" \
	"TX_DUMP_1=ready_to_anchor TX_DUMP_2=ready_to_anchor TX_DUMP_3=open TX_DUMP_4=open" "$src_states"

"$FORAY_PGBIN/pg_dump" -d "$SRC" -Fp -f "$DUMPDIR/plain.sql" 2>"$DUMPDIR/pg_dump.err"
check "pg_dump plain" 0 $?
"$FORAY_PGBIN/pg_dump" -d "$SRC" -Fc -f "$DUMPDIR/custom.dump" 2>>"$DUMPDIR/pg_dump.err"
check "pg_dump custom" 0 $?
check "the plain dump carries the component rows" 1 \
	"$(grep -c '^COPY foray.foray_components ' "$DUMPDIR/plain.sql")"

"$FORAY_PGBIN/pg_dump" -d "$SRC" -Fc --data-only -f "$DUMPDIR/data.dump" 2>>"$DUMPDIR/pg_dump.err"
check "pg_dump custom, data only" 0 $?

# The restores: plain script through psql (also as one transaction), custom
# archive through pg_restore (also in parallel, also as one transaction),
# and a data-only archive into a database where the extension already is.
restore_plain() {
	foray_psql -d "$1" -f "$DUMPDIR/plain.sql" >"$DUMPDIR/$1.log" 2>&1
}
restore_plain1() {
	foray_psql -d "$1" --single-transaction -f "$DUMPDIR/plain.sql" >"$DUMPDIR/$1.log" 2>&1
}
restore_custom() {
	"$FORAY_PGBIN/pg_restore" -d "$1" --exit-on-error "$DUMPDIR/custom.dump" >"$DUMPDIR/$1.log" 2>&1
}
# Parallel workers load tables in any order, each COPY committing on its own,
# and the extension's foreign keys exist before the data arrives: the
# documented way (docs/schema.md) restores everything else with -j and the
# substrate's table data afterwards in one worker, in the archive's order.
# Five fresh restores must all succeed.
restore_customj() {
	local i
	"$FORAY_PGBIN/pg_restore" -l "$DUMPDIR/custom.dump" >"$DUMPDIR/all.list"
	grep -v ' TABLE DATA foray ' "$DUMPDIR/all.list" >"$DUMPDIR/rest.list"
	grep -E '^;| TABLE DATA foray ' "$DUMPDIR/all.list" >"$DUMPDIR/foray_data.list"
	for i in 1 2 3 4 5; do
		foray_psql -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null 2>&1
		{ "$FORAY_PGBIN/pg_restore" -d "$1" --exit-on-error -j 2 -L "$DUMPDIR/rest.list" "$DUMPDIR/custom.dump" &&
		  "$FORAY_PGBIN/pg_restore" -d "$1" --exit-on-error -L "$DUMPDIR/foray_data.list" "$DUMPDIR/custom.dump"; } \
			>"$DUMPDIR/$1.log" 2>&1 ||
			{ echo "# parallel restore failed on attempt $i"; return 1; }
	done
}
restore_custom1() {
	"$FORAY_PGBIN/pg_restore" -d "$1" --exit-on-error --single-transaction "$DUMPDIR/custom.dump" >"$DUMPDIR/$1.log" 2>&1
}
restore_dataonly() {
	foray_psql -d "$1" -c "CREATE EXTENSION foray_substrate" >"$DUMPDIR/$1.log" 2>&1 &&
	"$FORAY_PGBIN/pg_restore" -d "$1" --exit-on-error --data-only "$DUMPDIR/data.dump" >>"$DUMPDIR/$1.log" 2>&1
}

for fmt in plain plain1 custom customj custom1 dataonly; do
	db=foray_dump_$fmt
	foray_psql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null 2>&1
	restore_$fmt "$db"
	rc=$?
	check "$fmt: restore succeeds" 0 "$rc"
	if [ $rc -ne 0 ]; then
		sed -n 1,20p "$DUMPDIR/$db.log"
		continue	# the checks below would only repeat this failure
	fi

	got_fp=$(fingerprint "$db")
	for tbl in transactions components attestations memory_events event_kinds; do
		check "$fmt: $tbl identical" "$(grep "^$tbl " <<<"$src_fp")" "$(grep "^$tbl " <<<"$got_fp")"
	done
	check "$fmt: memory_events sequence value" "$src_seq" "$(seqval "$db")"
	check "$fmt: no second round of events (count, max id)" "$src_events" "$(events "$db")"
	check "$fmt: lifecycles as they were" "$src_states" "$(states "$db")"
	[ $fmt != dataonly ] &&
	check "$fmt: grants on extension tables survive" "true true false" \
		"$(q "$db" "SELECT has_table_privilege('foray_dump_app', 'foray.foray_components', 'SELECT') || ' ' ||
						  has_table_privilege('foray_dump_app', 'foray.foray_components', 'INSERT') || ' ' ||
						  has_table_privilege('foray_dump_app', 'foray.memory_events', 'SELECT')")"
	check "$fmt: registered engine kinds restored, builtins not doubled" "engine=2 substrate=12" \
		"$(q "$db" "SELECT string_agg(origin || '=' || n, ' ' ORDER BY origin) FROM (SELECT origin, count(*) n FROM foray.event_kinds GROUP BY origin) s")"

	# the restored database works as usual: rules, readiness, next event ids
	out=$(foray_psql -At -d "$db" 2>&1 <<'SQL'
BEGIN;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('TX_DUMP_1', 'ACT_PAY_002', 'ACT', '{"anticipation_refs": ["ANT_INV_001"]}');
COMMIT;
SELECT status FROM foray.foray_components WHERE transaction_id = 'TX_DUMP_1' AND component_id = 'ACT_PAY_002';
SQL
)
	check "$fmt: a new component over restored rows is ready at once" "ready" "$out"
	check "$fmt: new events continue the sequence" "$((src_max + 1))" \
		"$(q "$db" "SELECT min(event_id) FROM foray.memory_events WHERE event_id > $src_max")"
	check "$fmt: the new events are the new component's" "COMPONENT_CREATED:ACT_PAY_002" \
		"$(q "$db" "SELECT string_agg(event_kind || ':' || subject_id, ' ' ORDER BY event_id) FROM foray.memory_events WHERE event_id > $src_max")"
	check "$fmt: the rules still hold after restore" "23R01" \
		"$(foray_psql -At -d "$db" -v VERBOSITY=verbose -c "INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES ('TX_DUMP_1', 'ARR_BAD_001', 'ARR', '{\"accrual_refs\": [\"ACC_FEE_001\"]}')" 2>&1 | sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p')"
	check "$fmt: memory_events still append-only" "55R01" \
		"$(foray_psql -At -d "$db" -v VERBOSITY=verbose -c "DELETE FROM foray.memory_events" 2>&1 | sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p')"
done

for fmt in plain plain1 custom customj custom1 dataonly; do
	foray_psql -d postgres -c "DROP DATABASE IF EXISTS foray_dump_$fmt" >/dev/null 2>&1
done
foray_psql -d postgres -c "DROP DATABASE IF EXISTS $SRC" -c "DROP ROLE IF EXISTS foray_dump_app" >/dev/null 2>&1

foray_tally "$pass" "$fail"
