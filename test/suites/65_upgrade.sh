#!/usr/bin/env bash
# The upgrade paths: a database created with each earlier release (0.1.0,
# 0.2.0, ...: the frozen scripts in sql/versions/), holding data, is updated with ALTER
# EXTENSION foray_substrate UPDATE.  Afterwards its catalog must be exactly
# that of a fresh install of the current version (every column, constraint,
# index, trigger, function, view, comment and privilege of the extension,
# compared as text), its data must be intact and verify, and the substrate
# must work on it (the rules of the new version included).
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

OLD=foray_upgrade_old
NEW=foray_upgrade_new
current=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" foray_substrate.control)

# Everything the extension owns, one line per fact, sorted: what "the same
# schema" means here.
FINGERPRINT="
WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'foray_substrate'),
rels AS (SELECT c.oid, c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		 WHERE n.nspname = 'foray' AND c.relkind IN ('r', 'v', 'S', 'i'))
SELECT 'rel ' || rels.relname || ' ' || rels.relkind::text || ' ' || coalesce(array_to_string(c.reloptions, ','), '') || ' '
	   || coalesce(c.relacl::text, '') || ' ' || coalesce(obj_description(c.oid, 'pg_class'), '')
  FROM rels JOIN pg_class c USING (oid)
UNION ALL
SELECT 'col ' || r.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' '
	   || a.attnotnull::text || ' ' || a.attgenerated::text || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '') || ' '
	   || coalesce(col_description(r.oid, a.attnum), '') || ' ' || a.attcollation::regcollation::text || ' '
	   || coalesce(a.attacl::text, '')
  FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
  LEFT JOIN pg_attrdef d ON d.adrelid = r.oid AND d.adnum = a.attnum
 WHERE r.relkind IN ('r', 'v')
UNION ALL
SELECT 'con ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace = 'foray'::regnamespace
UNION ALL
SELECT 'idx ' || pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN rels r ON r.oid = i.indrelid
UNION ALL
SELECT 'trg ' || pg_get_triggerdef(t.oid) || ' ' || t.tgenabled::text FROM pg_trigger t JOIN rels r ON r.oid = t.tgrelid
 WHERE NOT t.tgisinternal
UNION ALL
SELECT 'fn ' || p.oid::regprocedure::text || ' ' || pg_get_function_result(p.oid) || ' ' || p.provolatile::text || ' '
	   || p.proisstrict::text || ' ' || p.proparallel::text || ' ' || p.prosecdef::text || ' ' || coalesce(p.proconfig::text, '') || ' '
	   || md5(p.prosrc) || ' ' || coalesce(p.proacl::text, '') || ' ' || coalesce(obj_description(p.oid, 'pg_proc'), '')
  FROM pg_proc p WHERE p.pronamespace = 'foray'::regnamespace
UNION ALL
SELECT 'view ' || c.relname || ' ' || pg_get_viewdef(c.oid) FROM pg_class c
 WHERE c.relnamespace = 'foray'::regnamespace AND c.relkind = 'v'
UNION ALL
SELECT 'type ' || t.typname || ' ' || coalesce(co.conname || ' ' || pg_get_constraintdef(co.oid), '') || ' ' || coalesce(obj_description(t.oid, 'pg_type'), '')
  FROM pg_type t LEFT JOIN pg_constraint co ON co.contypid = t.oid
 WHERE t.typnamespace = 'foray'::regnamespace AND t.typtype = 'd'
UNION ALL
SELECT 'member ' || pg_describe_object(d.classid, d.objid, d.objsubid)
  FROM pg_depend d, ext WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
UNION ALL
SELECT 'dump ' || c::regclass::text || ' ' || cond FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS x(c, cond)
 WHERE e.extname = 'foray_substrate'
UNION ALL
SELECT 'schema ' || n.nspname || ' ' || coalesce(n.nspacl::text, '') FROM pg_namespace n WHERE n.nspname = 'foray'
UNION ALL
SELECT 'initpriv ' || pg_describe_object(i.classoid, i.objoid, i.objsubid) || ' ' || i.privtype::text || ' ' || i.initprivs::text
  FROM pg_init_privs i
 WHERE (i.classoid = 'pg_class'::regclass AND i.objoid IN (SELECT oid FROM rels))
	OR (i.classoid = 'pg_proc'::regclass AND i.objoid IN (SELECT oid FROM pg_proc WHERE pronamespace = 'foray'::regnamespace))
	OR (i.classoid = 'pg_namespace'::regclass AND i.objoid = 'foray'::regnamespace)
UNION ALL
SELECT 'kind ' || event_kind || ' ' || origin || ' ' || builtin::text || ' ' || description FROM foray.event_kinds WHERE builtin
ORDER BY 1"

upgrade_from() {
	FROM=$1
	foray_psql -d postgres -c "DROP DATABASE IF EXISTS $OLD" -c "DROP DATABASE IF EXISTS $NEW" \
		-c "CREATE DATABASE $OLD" -c "CREATE DATABASE $NEW" >/dev/null
	foray_psql -d "$NEW" -c "CREATE EXTENSION foray_substrate" >/dev/null
	foray_psql -d "$OLD" -c "CREATE EXTENSION foray_substrate VERSION '$FROM'" >/dev/null
	check "a $FROM database can be created from the shipped script" "$FROM" \
		"$(foray_psql -d "$OLD" -Atc "SELECT extversion FROM pg_extension WHERE extname = 'foray_substrate'")"

	# data written under $FROM: two transactions, one anchored, an attestation,
	# an engine event
	foray_psql -d "$OLD" >/dev/null <<-'SQL'
	SELECT foray.register_event_kind('engagement_committed', 'An engagement was committed.');
	BEGIN;
	INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
	VALUES ('UP_1', '2026-03-01T10:00:00Z', '{"entity": "Up", "transaction_type": "t", "status": "active"}'),
		   ('UP_2', '2026-03-02T10:00:00Z', '{"entity": "Up", "transaction_type": "t"}');
	INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
	VALUES ('UP_1', 'ACT_PAY', 'ACT', '{"accrual_refs": ["ACC_FEE"], "amount_settled": 10}'),
		   ('UP_1', 'ACC_FEE', 'ACC', '{"arrangement_refs": ["ARR_MSA"], "output": 10}'),
		   ('UP_1', 'ARR_MSA', 'ARR', '{"parties": ["a", "b"]}'),
		   ('UP_2', 'ARR_ONE', 'ARR', '{}'),
		   ('UP_2', 'ACC_TWO', 'ACC', '{"arrangement_refs": ["ARR_ONE"]}');
	INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
	VALUES ('UP_1', 'ATT_AUDIT', '{"attestor": "Auditor", "attestor_hash": "sha256:0000000000000000000000000000000000000000000000000000000000000000",
			"attestor_type": "auditor", "attestor_credentials": [], "subject_refs": ["ACT_PAY"], "attestation_type": "audit_opinion",
			"attestation_date": "2026-03-05", "outcome": "approved", "dependencies": []}');
	COMMIT;
	INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, engagement_id, object_id, object_type,
									 object_version, engagement_version, actor_kind, actor_id)
	VALUES ('engagement_committed', 'MEMORY_OBJECT', 'a0000000-0000-0000-0000-000000000001',
			'00000000-0000-0000-0000-000000000002', 'a0000000-0000-0000-0000-000000000001', 'Engagement', 1, 1,
			'institution', 'dunin7');
	SELECT foray.record_anchor('UP_2', foray.anchor_envelope('UP_2') ->> 'merkle_root', 'kaspa:up', 1, 1, '2026-03-03T00:00:00Z');
	SQL
	envelope_before=$(foray_psql -d "$OLD" -Atc "SELECT foray.anchor_envelope('UP_2')")
	proof_before=$(foray_psql -d "$OLD" -Atc "SELECT foray.inclusion_proof('UP_2', 'ACC_TWO')")
	before=$(foray_psql -d "$OLD" -Atc "SELECT (SELECT string_agg(transaction_id || ':' || lifecycle || ':' || coalesce(merkle_root, '-'), ' ' ORDER BY 1) FROM foray.foray_transactions)
		|| ' | ' || (SELECT string_agg(transaction_id || '/' || component_id || ':' || status || ':' || component_hash, ' ' ORDER BY 1) FROM foray.foray_components)
		|| ' | ' || (SELECT count(*) FROM foray.memory_events)")

	foray_psql -d "$OLD" -c "ALTER EXTENSION foray_substrate UPDATE" >/dev/null
	check "ALTER EXTENSION foray_substrate UPDATE reaches the current version" "$current" \
		"$(foray_psql -d "$OLD" -Atc "SELECT extversion FROM pg_extension WHERE extname = 'foray_substrate'")"

	old_fp=$(foray_psql -d "$OLD" -Atc "$FINGERPRINT")
	new_fp=$(foray_psql -d "$NEW" -Atc "$FINGERPRINT")
	difference=$(diff <(echo "$new_fp") <(echo "$old_fp") | head -20)
	check "the fingerprint covers the whole extension (hundreds of facts)" "yes" "$([ "$(echo "$new_fp" | wc -l)" -gt 300 ] && echo yes || echo "only $(echo "$new_fp" | wc -l)")"
	check "the updated catalog is exactly a fresh install's ($(echo "$new_fp" | wc -l) facts compared)" "" "$difference"

	after=$(foray_psql -d "$OLD" -Atc "SELECT (SELECT string_agg(transaction_id || ':' || lifecycle || ':' || coalesce(merkle_root, '-'), ' ' ORDER BY 1) FROM foray.foray_transactions)
		|| ' | ' || (SELECT string_agg(transaction_id || '/' || component_id || ':' || status || ':' || component_hash, ' ' ORDER BY 1) FROM foray.foray_components)
		|| ' | ' || (SELECT count(*) FROM foray.memory_events)")
	check "the data is unchanged by the update" "$before" "$after"
	check "every stored hash still verifies" "0" "$(foray_psql -d "$OLD" -Atc "SELECT count(*) FROM foray.verify()")"

	# commitment schemes (docs/merkle.md): what $FROM anchored keeps scheme 1,
	# exactly as anchored; what was not anchored commits under scheme 2
	check "the transaction anchored under $FROM keeps commitment scheme 1, the open one takes 2" "UP_1:2 UP_2:1" \
		"$(foray_psql -d "$OLD" -Atc "SELECT string_agg(transaction_id || ':' || commitment_scheme, ' ' ORDER BY 1) FROM foray.foray_transactions")"
	check "its envelope is the one anchored under $FROM (no commitment_scheme key)" "$envelope_before" \
		"$(foray_psql -d "$OLD" -Atc "SELECT foray.anchor_envelope('UP_2')")"
	check "its recomputed root is still the anchored one" "t" \
		"$(foray_psql -d "$OLD" -Atc "SELECT h.merkle_root = t.merkle_root FROM foray.transaction_hashes('UP_2') h, foray.foray_transactions t WHERE t.transaction_id = 'UP_2'")"
	check "a member's proof (scheme 1) verifies against the anchored root with verify_inclusion(proof, root)" "true|1" \
		"$(foray_psql -d "$OLD" -Atc "SELECT foray.verify_inclusion(p, t.merkle_root) || '|' || (p ->> 'commitment_scheme')
			FROM foray.inclusion_proof('UP_2', 'ACC_TWO') p, foray.foray_transactions t WHERE t.transaction_id = 'UP_2'")"
	check "the proof $FROM issued still verifies with the 0.4.0 form" "t" \
		"$(foray_psql -d "$OLD" -v "p=$proof_before" -At <<<"SELECT foray.verify_inclusion((:'p'::jsonb) ->> 'leaf_hash', :'p'::jsonb, merkle_root) FROM foray.foray_transactions WHERE transaction_id = 'UP_2'")"
	check "the open transaction's envelope states scheme 2 once ready" "2" \
		"$(foray_psql -d "$OLD" -Atc "INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
			VALUES ('UP_1', 'ANT_NEXT', 'ANT', '{\"arrangement_refs\": [\"ARR_MSA\"], \"accrual_refs\": [\"ACC_FEE\"]}')" \
			-c "SELECT foray.anchor_envelope('UP_1') ->> 'commitment_scheme'" 2>&1 | tail -n 1)"

	# the new version's behaviour on the updated database
	check "the anchored transaction is still immutable (IMM-001)" "IMM-001" \
		"$(foray_psql -d "$OLD" -Atc "DO \$\$ BEGIN INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
			VALUES ('UP_2', 'ACC_LATE', 'ACC', '{\"arrangement_refs\": [\"ARR_ONE\"]}'); RAISE NOTICE 'inserted'; END \$\$" 2>&1 | grep -o 'IMM-001' | head -1 || true)"
	foray_psql -d "$OLD" -c "INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
		VALUES ('UP_1', 'ANT_NEXT', 'ANT', '{\"arrangement_refs\": [\"ARR_MSA\"], \"accrual_refs\": [\"ACC_FEE\"]}')" >/dev/null 2>&1
	check "a component added after the update is derived ready" "ready" \
		"$(foray_psql -d "$OLD" -Atc "SELECT status FROM foray.foray_components WHERE transaction_id = 'UP_1' AND component_id = 'ANT_NEXT'")"
	check "an unregistered event kind is refused by the new kind check (LOG-003)" "is not registered" \
		"$(foray_psql -d "$OLD" -Atc "INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, transaction_id, actor_kind, actor_id)
			VALUES ('made_up', 'TRANSACTION', 'UP_1', 'UP_1', 'system', 'x')" 2>&1 | grep -o 'is not registered' | head -1 || true)"
	check "a component without its envelope is refused at commit (ENV-001)" "ENV-001" \
		"$(foray_psql -d "$OLD" -c "INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
			VALUES ('UP_NONE', 'ARR_X', 'ARR', '{}')" 2>&1 | grep -o 'ENV-001' | head -1 || true)"
	check "deleting an open transaction cascades to its components and attestations" "0" \
		"$(foray_psql -d "$OLD" -Atc "DELETE FROM foray.foray_transactions WHERE transaction_id = 'UP_1';
			SELECT (SELECT count(*) FROM foray.foray_components WHERE transaction_id = 'UP_1')
				 + (SELECT count(*) FROM foray.foray_attestations WHERE transaction_id = 'UP_1')")"
	check "the anchor queue view works on the updated database" "0" \
		"$(foray_psql -d "$OLD" -Atc "SELECT count(*) FROM foray.anchor_queue")"

	foray_psql -d postgres -c "DROP DATABASE IF EXISTS $OLD" -c "DROP DATABASE IF EXISTS $NEW" >/dev/null
}

# every earlier release, each frozen in sql/versions/
for v in $(ls sql/versions | sed -n "s/^foray_substrate--\(.*\)\.sql$/\1/p" | sort -V); do
	echo "# from $v"
	upgrade_from "$v"
done

# foray.apply_table_ddl, the update scripts' way of changing a table
# (docs/scale-out.md; on Citus: 80_citus.sh): on one node it runs the statement
APPLY=foray_upgrade_apply
foray_fresh_db $APPLY >/dev/null
check "apply_table_ddl on one node runs the statement" "note" \
	"$(foray_psql -d $APPLY -At -c "SELECT foray.apply_table_ddl('foray.foray_components', 'ALTER TABLE foray.foray_components ADD COLUMN note text')" >/dev/null
	   foray_psql -d $APPLY -Atc "SELECT attname FROM pg_attribute WHERE attrelid = 'foray.foray_components'::regclass AND attname = 'note'")"
check "apply_table_ddl refuses a NULL (22004) and passes on the statement's error" "22004 42P07" \
	"$(foray_psql -d $APPLY -Atc "DO \$\$ DECLARE s text := ''; BEGIN
		BEGIN PERFORM foray.apply_table_ddl(NULL, 'SELECT 1'); EXCEPTION WHEN OTHERS THEN s := SQLSTATE; END;
		BEGIN PERFORM foray.apply_table_ddl('foray.foray_components', 'CREATE INDEX foray_components_pkey ON foray.foray_components (note)');
		EXCEPTION WHEN OTHERS THEN s := s || ' ' || SQLSTATE; END;
		RAISE NOTICE '%', s; END \$\$" 2>&1 | sed -n 's/^NOTICE:  //p')"
foray_psql -d postgres -c "DROP DATABASE IF EXISTS $APPLY" >/dev/null
foray_tally "$pass" "$fail"
