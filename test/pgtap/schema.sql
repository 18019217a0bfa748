-- test/pgtap/schema.sql
--	The structure issue 2 asks for: the schema, the four tables and the
--	event kinds, their columns and keys, the enumerations the database
--	enforces, deferred foreign keys and triggers, privileges, and the
--	pg_dump registration.  Run by test/suites/20_pgtap.sh (pg_prove).
BEGIN;
SELECT plan(230);

-- ---------------------------------------------------------------------
-- Schema and tables
-- ---------------------------------------------------------------------
SELECT has_schema('foray', 'the extension lives in its own schema');
SELECT is((SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'foray_substrate'),
	'foray', 'foray_substrate is installed in schema foray');
SELECT has_table('foray', 'foray_transactions', 'foray.foray_transactions exists');
SELECT has_table('foray', 'foray_components', 'foray.foray_components exists');
SELECT has_table('foray', 'foray_attestations', 'foray.foray_attestations exists');
SELECT has_view('foray', 'memory_events', 'foray.memory_events exists (the view over the two event tables)');
SELECT has_table('foray', 'transaction_events', 'foray.transaction_events exists');
SELECT has_table('foray', 'engine_events', 'foray.engine_events exists');
SELECT has_table('foray', 'event_kinds', 'foray.event_kinds exists');
SELECT is((SELECT count(*)::int FROM pg_class c
			WHERE c.relnamespace = 'public'::regnamespace
			  AND c.relname IN ('foray_transactions', 'foray_components', 'foray_attestations',
								'memory_events', 'event_kinds')),
	0, 'CREATE EXTENSION puts nothing of its own in public');
SELECT has_sequence('foray', 'memory_events_event_id_seq', 'the event ids have their sequence');

-- ---------------------------------------------------------------------
-- Columns: type, nullability, generated or not.  Columns the design adds
-- later are allowed; these must be there as written.
-- ---------------------------------------------------------------------
CREATE TEMP TABLE expected_cols (tbl name, col name, typschema name, typ text, not_null bool, generated bool) ON COMMIT DROP;
INSERT INTO expected_cols VALUES
	('foray_transactions', 'transaction_id',		NULL,	'text',		true,	false),
	('foray_transactions', 'schema_version',		NULL,	'text',		true,	false),
	('foray_transactions', 'document_timestamp',	NULL,	'text',		true,	false),
	('foray_transactions', 'foray_core',			NULL,	'jsonb',	true,	false),
	('foray_transactions', 'entity',				NULL,	'text',		false,	true),
	('foray_transactions', 'transaction_type',		NULL,	'text',		false,	true),
	('foray_transactions', 'business_status',		'foray', 'business_status', false, true),
	('foray_transactions', 'lifecycle',				'foray', 'lifecycle', true,	false),
	('foray_transactions', 'merkle_root',			NULL,	'text',		false,	false),
	('foray_transactions', 'component_hashes',		NULL,	'jsonb',	false,	false),
	('foray_transactions', 'blockchain_anchor',		NULL,	'jsonb',	false,	false),
	('foray_transactions', 'created_at',			NULL,	'timestamp with time zone', true, false),
	('foray_components', 'transaction_id',			NULL,	'text',		true,	false),
	('foray_components', 'component_id',			NULL,	'text',		true,	false),
	('foray_components', 'component_type',			'foray', 'component_type', true, false),
	('foray_components', 'status',					'foray', 'readiness', true,	false),
	('foray_components', 'foray_core',				NULL,	'jsonb',	true,	false),
	('foray_components', 'audit_data',				NULL,	'jsonb',	false,	false),
	('foray_components', 'arrangement_refs',		NULL,	'text[]',	true,	true),
	('foray_components', 'accrual_refs',			NULL,	'text[]',	true,	true),
	('foray_components', 'anticipation_refs',		NULL,	'text[]',	true,	true),
	('foray_components', 'component_hash',			NULL,	'text',		false,	false),
	('foray_components', 'created_at',				NULL,	'timestamp with time zone', true, false),
	('foray_attestations', 'transaction_id',		NULL,	'text',		true,	false),
	('foray_attestations', 'attestation_id',		NULL,	'text',		true,	false),
	('foray_attestations', 'foray_core',			NULL,	'jsonb',	true,	false),
	('foray_attestations', 'audit_data',			NULL,	'jsonb',	false,	false),
	('foray_attestations', 'attestor',				NULL,	'text',		true,	true),
	('foray_attestations', 'attestor_hash',			NULL,	'text',		true,	true),
	('foray_attestations', 'attestor_type',			'foray', 'attestor_type', true, true),
	('foray_attestations', 'subject_refs',			NULL,	'text[]',	true,	true),
	('foray_attestations', 'attestation_type',		'foray', 'attestation_type', true, true),
	('foray_attestations', 'attestation_date',		NULL,	'timestamp with time zone', true, true),
	('foray_attestations', 'outcome',				'foray', 'attestation_outcome', true, true),
	('foray_attestations', 'dependencies',			NULL,	'text[]',	true,	true),
	('transaction_events', 'event_id',					NULL,	'bigint',	true,	false),
	('transaction_events', 'event_kind',					NULL,	'text',		true,	false),
	('transaction_events', 'subject_kind',				'foray', 'subject_kind', true, false),
	('transaction_events', 'subject_id',					NULL,	'text',		true,	false),
	('transaction_events', 'transaction_id',				NULL,	'text',		true,	false),
	('transaction_events', 'engagement_id',				NULL,	'uuid',		false,	false),
	('transaction_events', 'object_id',					NULL,	'uuid',		false,	false),
	('transaction_events', 'object_type',				NULL,	'text',		false,	false),
	('transaction_events', 'object_version',				NULL,	'integer',	false,	false),
	('transaction_events', 'engagement_version',			NULL,	'integer',	false,	false),
	('transaction_events', 'actor_kind',					'foray', 'actor_kind', true, false),
	('transaction_events', 'actor_id',					NULL,	'text',		true,	false),
	('transaction_events', 'payload',					NULL,	'jsonb',	true,	false),
	('transaction_events', 'occurred_at',				NULL,	'timestamp with time zone', true, false);

-- 49 columns x 3 tests = 147
SELECT CASE WHEN typschema IS NULL
			THEN col_type_is('foray', tbl, col, typ, format('%s.%s is %s', tbl, col, typ))
			ELSE col_type_is('foray', tbl, col, typschema, typ, format('%s.%s is %s.%s', tbl, col, typschema, typ))
	   END
  FROM expected_cols ORDER BY tbl, col;
SELECT CASE WHEN not_null
			THEN col_not_null('foray', tbl, col, format('%s.%s is NOT NULL', tbl, col))
			ELSE col_is_null('foray', tbl, col, format('%s.%s is nullable', tbl, col))
	   END
  FROM expected_cols ORDER BY tbl, col;
SELECT is(coalesce((SELECT a.attgenerated = 's' FROM pg_attribute a
					 WHERE a.attrelid = format('foray.%I', tbl)::regclass AND a.attname = col), false),
		  generated,
		  format('%s.%s is %s', tbl, col, CASE WHEN generated THEN 'GENERATED ALWAYS ... STORED' ELSE 'not generated' END))
  FROM expected_cols ORDER BY tbl, col;

-- memory_events, cleaned: the readiness-wiring columns are gone
SELECT hasnt_column('foray', 'memory_events', 'content_hash', 'memory_events has no content_hash (readiness wiring)');
SELECT hasnt_column('foray', 'memory_events', 'attestation', 'memory_events has no attestation column (readiness wiring)');
SELECT hasnt_column('foray', 'memory_events', 'foray_tx_ref', 'memory_events has no foray_tx_ref (readiness wiring)');

-- ---------------------------------------------------------------------
-- Keys: identity is (transaction_id, id); every primary and unique key of
-- the protocol tables leads with transaction_id.
-- ---------------------------------------------------------------------
SELECT col_is_pk('foray', 'foray_transactions', ARRAY['transaction_id']::name[], 'foray_transactions PK is (transaction_id)');
SELECT col_is_pk('foray', 'foray_components', ARRAY['transaction_id', 'component_id']::name[],
	'foray_components PK is (transaction_id, component_id)');
SELECT col_is_pk('foray', 'foray_attestations', ARRAY['transaction_id', 'attestation_id']::name[],
	'foray_attestations PK is (transaction_id, attestation_id)');
SELECT col_is_pk('foray', 'transaction_events', ARRAY['transaction_id', 'seq']::name[],
	'transaction_events PK is (transaction_id, seq)');
SELECT col_is_pk('foray', 'engine_events', ARRAY['engagement_id', 'event_id']::name[],
	'engine_events PK is (engagement_id, event_id)');
SELECT is((SELECT reloptions FROM pg_class WHERE oid = 'foray.foray_components'::regclass), '{fillfactor=50}'::text[],
	'foray_components pages keep room for one in-page (HOT) readiness update of every row');
SELECT is((SELECT reloptions FROM pg_class WHERE oid = 'foray.foray_transactions'::regclass), '{fillfactor=50}'::text[],
	'foray_transactions pages keep room for one in-page (HOT) lifecycle update of every row');
SELECT matches(pg_get_indexdef('foray.foray_components_ref_keys_idx'::regclass),
	'WHERE \(\(arrangement_refs <> ''\{\}''::text\[\]\) OR \(accrual_refs <> ''\{\}''::text\[\]\) OR \(anticipation_refs <> ''\{\}''::text\[\]\)\)$',
	'the reverse-reference index holds only components that reference something');
-- the substrate's two lookups through it (src/plans.c), as written there:
-- the planner must be able to use the partial index for both
CREATE FUNCTION pg_temp.plan_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	line text;
	plan text := '';
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
		plan := plan || line || E'\n';
	END LOOP;
	RETURN plan;
END
$$;
SET LOCAL enable_seqscan = off;
SELECT matches(pg_temp.plan_of($q$
	SELECT d.component_id FROM foray.foray_components d
	 WHERE foray.component_ref_keys(d.transaction_id, d.arrangement_refs, d.accrual_refs, d.anticipation_refs)
		   OPERATOR(pg_catalog.&&) '{T:ARR_X}'::text[]
	   AND (d.arrangement_refs OPERATOR(pg_catalog.<>) '{}'::pg_catalog.text[]
			OR d.accrual_refs OPERATOR(pg_catalog.<>) '{}'::pg_catalog.text[]
			OR d.anticipation_refs OPERATOR(pg_catalog.<>) '{}'::pg_catalog.text[])$q$),
	'Bitmap Index Scan on foray_components_ref_keys_idx',
	'the dependents lookup can use the partial reverse-reference index');
SELECT matches(pg_temp.plan_of($q$
	SELECT component_id FROM foray.foray_components
	 WHERE foray.component_ref_keys(transaction_id, arrangement_refs, accrual_refs, anticipation_refs)
		   OPERATOR(pg_catalog.@>) ARRAY['T:ARR_X']
	   AND (arrangement_refs OPERATOR(pg_catalog.<>) '{}'::pg_catalog.text[]
			OR accrual_refs OPERATOR(pg_catalog.<>) '{}'::pg_catalog.text[]
			OR anticipation_refs OPERATOR(pg_catalog.<>) '{}'::pg_catalog.text[])
	 ORDER BY component_id COLLATE "C" LIMIT 1$q$),
	'Bitmap Index Scan on foray_components_ref_keys_idx',
	'the referrers lookup can use the partial reverse-reference index');
RESET enable_seqscan;
SELECT is((SELECT count(*)::int FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attname = 'lifecycle'
			WHERE i.indrelid = 'foray.foray_transactions'::regclass
			  AND (a.attnum = ANY (i.indkey::int2[])
				   OR pg_get_expr(i.indpred, i.indrelid) LIKE '%lifecycle%'
				   OR pg_get_expr(i.indexprs, i.indrelid) LIKE '%lifecycle%')), 0,
	'no index involves lifecycle, so the substrate''s lifecycle updates can be HOT');
SELECT has_view('foray', 'anchor_queue', 'foray.anchor_queue lists what the anchor service should anchor');
SELECT col_is_pk('foray', 'event_kinds', ARRAY['event_kind']::name[], 'event_kinds PK is (event_kind)');
SELECT is_empty($$
	SELECT i.indexrelid::regclass::text
	  FROM pg_index i
	 WHERE i.indrelid IN ('foray.foray_transactions'::regclass, 'foray.foray_components'::regclass,
						  'foray.foray_attestations'::regclass)
	   AND (i.indisunique OR i.indisprimary)
	   AND (i.indkey[0] = 0 OR
			(SELECT attname FROM pg_attribute WHERE attrelid = i.indrelid AND attnum = i.indkey[0])
				<> 'transaction_id')$$,
	'every primary and unique key of the protocol tables leads with transaction_id');

-- ---------------------------------------------------------------------
-- Envelopes (ENV-001): components and attestations belong to a transaction
-- row, checked at commit (a DEFERRABLE INITIALLY DEFERRED constraint
-- trigger) so any insert order works; deleting a transaction cascades.
-- ---------------------------------------------------------------------
SELECT results_eq($$
	SELECT c.conrelid::regclass::text, c.condeferrable, c.condeferred, t.tgfoid::regproc::text
	  FROM pg_constraint c JOIN pg_trigger t ON t.tgconstraint = c.oid
	 WHERE c.contype = 't' AND t.tgname = 'foray_31_envelope'
	 ORDER BY 1$$,
	$$VALUES ('foray.foray_attestations', true, true, 'foray.foray_check_envelope'),
			 ('foray.foray_components', true, true, 'foray.foray_check_envelope')$$,
	'components and attestations need their transaction row by commit (deferred ENV-001 constraint triggers)');
SELECT trigger_is('foray', 'foray_transactions', 'foray_25_cascade', 'foray', 'foray_transactions_cascade',
	'deleting a transaction deletes its components and attestations');
SELECT trigger_is('foray', t, 'foray_12_event_kind', 'foray', 'foray_memory_events_guard',
	t || '.event_kind is checked against event_kinds by the log''s insert trigger (DB-enforced, extensible kinds)')
  FROM unnest('{transaction_events,engine_events}'::name[]) t;

-- ---------------------------------------------------------------------
-- Enumerations: each enforced by a domain.  For each, the accepted subset
-- of a candidate list (the allowed values plus near misses) is exactly the
-- allowed set, and a bad value fails with check_violation (23514).
-- ---------------------------------------------------------------------
CREATE FUNCTION pg_temp.accepted(typ regtype, candidates text[]) RETURNS text[]
LANGUAGE plpgsql AS $$
DECLARE
	v text;
	ok text[] := '{}';
BEGIN
	FOREACH v IN ARRAY candidates LOOP
		BEGIN
			EXECUTE format('SELECT %L::%s', v, typ);
			ok := ok || v;
		EXCEPTION WHEN check_violation THEN
			NULL;
		END;
	END LOOP;
	RETURN ok;
END $$;

SELECT domain_type_is('foray', 'component_type', 'text', 'component_type is a domain over text');
SELECT is(pg_temp.accepted('foray.component_type', '{ARR,ACC,ANT,ACT,ATT,arr,ARR_,"",XYZ}'),
	'{ARR,ACC,ANT,ACT}', 'component_type accepts exactly ARR, ACC, ANT, ACT');
SELECT is(pg_temp.accepted('foray.readiness', '{pending,ready,settled,reversed,Pending,done,open,active,""}'),
	'{pending,ready,settled,reversed}', 'readiness accepts exactly pending, ready, settled, reversed');
SELECT is(pg_temp.accepted('foray.lifecycle', '{open,ready_to_anchor,anchored,sealed,active,completed,ready,closed}'),
	'{open,ready_to_anchor,anchored,sealed}', 'lifecycle accepts exactly open, ready_to_anchor, anchored, sealed');
SELECT is(pg_temp.accepted('foray.business_status', '{active,completed,reversed,open,pending,sealed,Active}'),
	'{active,completed,reversed}', 'business_status accepts exactly active, completed, reversed');
SELECT is(pg_temp.accepted('foray.attestor_type',
		'{certification_body,laboratory,auditor,inspector,oracle,regulator,notary,Auditor,person}'),
	'{certification_body,laboratory,auditor,inspector,oracle,regulator}',
	'attestor_type accepts exactly the spec §9.3 attestor types');
SELECT is(pg_temp.accepted('foray.attestation_type',
		'{certification,inspection,analysis,audit_opinion,verification,approval,audit,opinion,Approval}'),
	'{certification,inspection,analysis,audit_opinion,verification,approval}',
	'attestation_type accepts exactly the spec §9.3 attestation types');
SELECT is(pg_temp.accepted('foray.attestation_outcome',
		'{certified,approved,rejected,conditional,expired,revoked,pending,passed,failed,Approved}'),
	'{certified,approved,rejected,conditional,expired,revoked,pending}',
	'outcome accepts exactly the spec §9.3 outcome values');
SELECT is(pg_temp.accepted('foray.subject_kind',
		'{TRANSACTION,COMPONENT,ATTESTATION,MEMORY_OBJECT,component,EVENT,ENGAGEMENT}'),
	'{TRANSACTION,COMPONENT,ATTESTATION,MEMORY_OBJECT}',
	'subject_kind accepts exactly TRANSACTION, COMPONENT, ATTESTATION, MEMORY_OBJECT');
SELECT is(pg_temp.accepted('foray.actor_kind',
		'{person,contributor,agent,companion,institution,system,user,Person,role}'),
	'{person,contributor,agent,companion,institution,system}',
	'actor_kind accepts exactly the one actor convention');
SELECT throws_ok($$SELECT 'ATT'::foray.component_type$$, '23514', NULL,
	'a bad enumeration value is a check_violation');
SELECT results_eq($$SELECT event_kind FROM foray.event_kinds WHERE origin = 'substrate' AND event_kind = ANY (
		'{COMPONENT_CREATED,COMPONENT_STATE_CHANGED,ATTESTATION_ATTACHED,TRANSACTION_CREATED}') ORDER BY 1$$,
	$$VALUES ('ATTESTATION_ATTACHED'), ('COMPONENT_CREATED'), ('COMPONENT_STATE_CHANGED'), ('TRANSACTION_CREATED')$$,
	'the substrate''s own event kinds are registered');

-- ---------------------------------------------------------------------
-- Triggers: the rules are C triggers, in a fixed order, the reference
-- checks deferred to commit; the anchoring guard fires first.
-- ---------------------------------------------------------------------
SELECT triggers_are('foray', 'foray_transactions',
	ARRAY['foray_05_anchored_guard', 'foray_05_anchored_guard_truncate', 'foray_10_before',
		  'foray_20_after', 'foray_25_cascade', 'foray_26_truncate', 'foray_90_statement_end']::name[],
	'foray_transactions has its triggers');
SELECT triggers_are('foray', 'foray_components',
	ARRAY['foray_05_anchored_guard', 'foray_05_anchored_guard_truncate', 'foray_10_before',
		  'foray_20_after', 'foray_21_after_insert', 'foray_30_refs', 'foray_31_envelope', 'foray_40_removal',
		  'foray_90_statement_end']::name[],
	'foray_components has its triggers');
SELECT triggers_are('foray', 'foray_attestations',
	ARRAY['foray_05_anchored_guard', 'foray_05_anchored_guard_truncate', 'foray_10_before',
		  'foray_20_after', 'foray_30_refs', 'foray_31_envelope', 'foray_40_removal', 'foray_90_statement_end']::name[],
	'foray_attestations has its triggers');
SELECT triggers_are('foray', t,
	ARRAY['foray_10_append_only', 'foray_11_append_only', 'foray_12_event_kind']::name[],
	t || ' has its append-only guards')
  FROM unnest('{transaction_events,engine_events}'::name[]) t;
SELECT triggers_are('foray', 'memory_events', ARRAY['foray_10_route']::name[],
	'the view memory_events routes inserts and refuses UPDATE and DELETE');
SELECT triggers_are('foray', 'event_kinds',
	ARRAY['foray_10_grow_only', 'foray_11_grow_only']::name[],
	'event_kinds has its grow-only guards');
SELECT trigger_is('foray', 'foray_components', 'foray_10_before', 'foray', 'foray_components_before',
	'components BEFORE trigger calls foray_components_before');
SELECT trigger_is('foray', 'foray_components', 'foray_30_refs', 'foray', 'foray_components_check_refs',
	'components deferred ref check calls foray_components_check_refs');
SELECT trigger_is('foray', 'foray_attestations', 'foray_30_refs', 'foray', 'foray_attestations_check_refs',
	'attestations deferred ref check calls foray_attestations_check_refs');
SELECT trigger_is('foray', t, 'foray_11_append_only', 'foray', 'foray_memory_events_guard',
	t || ' TRUNCATE guard calls foray_memory_events_guard')
  FROM unnest('{transaction_events,engine_events}'::name[]) t;
SELECT is_empty($$
	SELECT t.tgrelid::regclass || '.' || t.tgname
	  FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
	 WHERE t.tgrelid IN ('foray.foray_transactions'::regclass, 'foray.foray_components'::regclass,
						 'foray.foray_attestations'::regclass, 'foray.memory_events'::regclass,
						 'foray.transaction_events'::regclass, 'foray.engine_events'::regclass)
	   AND NOT t.tgisinternal
	   AND p.prolang <> (SELECT oid FROM pg_language WHERE lanname = 'c')$$,
	'every substrate trigger is written in C');
SELECT results_eq($$
	SELECT t.tgrelid::regclass::text, t.tgname::text COLLATE "default", t.tgdeferrable, t.tginitdeferred
	  FROM pg_trigger t
	 WHERE t.tgrelid IN ('foray.foray_components'::regclass, 'foray.foray_attestations'::regclass)
	   AND t.tgname IN ('foray_30_refs', 'foray_40_removal')
	 ORDER BY 1, 2$$,
	$$VALUES ('foray.foray_attestations', 'foray_30_refs', true, true),
			 ('foray.foray_attestations', 'foray_40_removal', true, true),
			 ('foray.foray_components', 'foray_30_refs', true, true),
			 ('foray.foray_components', 'foray_40_removal', true, true)$$,
	'reference checks are DEFERRABLE INITIALLY DEFERRED constraint triggers');
SELECT ok((SELECT (tgtype & 32) <> 0 FROM pg_trigger
			WHERE tgrelid = format('foray.%I', t)::regclass AND tgname = 'foray_11_append_only'),
	t || ' has a TRUNCATE trigger')
  FROM unnest('{transaction_events,engine_events}'::name[]) t;

-- ---------------------------------------------------------------------
-- Privileges: PUBLIC gets no table, sequence or trigger-function rights.
-- A fresh role holds exactly what PUBLIC holds.
-- ---------------------------------------------------------------------
CREATE ROLE foray_tap_nobody NOLOGIN;
SELECT table_privs_are('foray', t, 'foray_tap_nobody', '{}'::name[], format('PUBLIC has no privileges on foray.%s', t))
  FROM unnest('{foray_transactions,foray_components,foray_attestations,memory_events,transaction_events,engine_events,event_kinds,log_entries,log_checkpoints,log_signatures,log_config,log_anchors}'::name[]) t;
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	 WHERE p.pronamespace = 'foray'::regnamespace
	   AND (p.proname LIKE 'log\_%' OR p.proname IN ('record_checkpoint_anchor', 'proof_chain', 'verify_proof_chain'))
	   AND p.oid::regprocedure::text !~ '^foray\.(log_(leaf_hash|verify_inclusion|verify_consistency|parse_checkpoint|verify_signature|nodes_at)|verify_proof_chain)\('
	   AND pg_catalog.has_function_privilege('foray_tap_nobody', p.oid, 'EXECUTE')$$,
	'PUBLIC may execute none of the log''s functions but those that read no table');
SELECT sequence_privs_are('foray', 'memory_events_event_id_seq', 'foray_tap_nobody', '{}'::name[],
	'PUBLIC has no privileges on the memory_events sequence');
SELECT schema_privs_are('foray', 'foray_tap_nobody', ARRAY['USAGE']::name[], 'PUBLIC may only look up names in schema foray');
SELECT function_privs_are('foray', 'register_event_kind', ARRAY['text', 'text']::name[], 'foray_tap_nobody', '{}'::name[],
	'PUBLIC may not register event kinds');
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	 WHERE p.pronamespace = 'foray'::regnamespace
	   AND p.prorettype = 'trigger'::regtype
	   AND pg_catalog.has_function_privilege('foray_tap_nobody', p.oid, 'EXECUTE')$$,
	'PUBLIC may not execute any trigger function');
SELECT is_empty($$
	SELECT c.relname FROM pg_class c, aclexplode(c.relacl) a
	 WHERE c.relnamespace = 'foray'::regnamespace AND a.grantee = 0$$,
	'no ACL entry in schema foray names PUBLIC');

-- SECURITY DEFINER functions, if any, pin their search_path.
SELECT is_empty($$
	SELECT p.oid::regprocedure::text FROM pg_proc p
	 WHERE p.pronamespace = 'foray'::regnamespace AND p.prosecdef
	   AND NOT EXISTS (SELECT 1 FROM unnest(p.proconfig) c WHERE c LIKE 'search\_path=%')$$,
	'every SECURITY DEFINER function in schema foray sets its own search_path');
SELECT ok((SELECT EXISTS (SELECT 1 FROM unnest(proconfig) c WHERE c LIKE 'search\_path=%')
		     FROM pg_proc WHERE oid = 'foray.register_event_kind(text,text)'::regprocedure),
	'foray.register_event_kind pins its search_path');

-- ---------------------------------------------------------------------
-- pg_dump: the extension's tables and the event sequence are dumped.
-- ---------------------------------------------------------------------
SELECT results_eq($$
	SELECT c::regclass::text FROM pg_extension e, unnest(e.extconfig) c
	 WHERE e.extname = 'foray_substrate' ORDER BY 1$$,
	$$VALUES ('foray.engine_events'), ('foray.event_kinds'), ('foray.foray_attestations'), ('foray.foray_components'),
			 ('foray.foray_transactions'), ('foray.log_anchors'), ('foray.log_checkpoints'), ('foray.log_config'),
			 ('foray.log_entries'), ('foray.log_signatures'), ('foray.memory_events_event_id_seq'),
			 ('foray.transaction_events')$$,
	'pg_extension_config_dump covers the protocol tables, the two event tables, event_kinds, the event sequence and the log''s five tables');
SELECT is((SELECT cond FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS x(c, cond)
			WHERE e.extname = 'foray_substrate' AND c = 'foray.event_kinds'::regclass),
	'WHERE NOT builtin', 'only registered (non-builtin) event kinds are dumped');
SELECT is_empty($$
	SELECT c::regclass::text FROM pg_extension e, unnest(e.extconfig, e.extcondition) AS x(c, cond)
	 WHERE e.extname = 'foray_substrate' AND c <> 'foray.event_kinds'::regclass AND cond <> ''$$,
	'every other registered table and sequence is dumped whole');

SELECT * FROM finish();
ROLLBACK;
