-- test/pgtap/behaviour.sql
--	The rules of issue 2, each with its SQLSTATE (src/substrate.h,
--	docs/sqlstates.md), and the accepting cases: any insert order inside
--	one SQL transaction, derived readiness and lifecycle, the events.
--
--	Deferred checks fire when the SQL transaction commits.  This file runs
--	in one transaction that is rolled back, so "commit" is simulated with
--	SET CONSTRAINTS ALL IMMEDIATE, which fires every outstanding deferred
--	trigger at once.  The refusal section runs with all constraints
--	IMMEDIATE, so a deferred check fires at the end of the very statement
--	throws_ok runs, inside its subtransaction, and a refused row never
--	lingers in the trigger queue.
BEGIN;
SELECT plan(170);

-- ---------------------------------------------------------------------
-- Helpers (session-local, rolled back)
-- ---------------------------------------------------------------------
CREATE FUNCTION pg_temp.att(subjects text[], deps text[] DEFAULT '{}', extra jsonb DEFAULT '{}')
RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_build_object(
		'attestor', 'Example Audit LLP',
		'attestor_hash', 'sha256:0000000000000000000000000000000000000000000000000000000000000000',
		'attestor_type', 'auditor',
		'attestation_type', 'audit_opinion',
		'attestation_date', '2025-03-01T12:00:00Z',
		'outcome', 'approved',
		'subject_refs', to_jsonb(subjects),
		'dependencies', to_jsonb(deps)) || extra
$$;
CREATE FUNCTION pg_temp.tx_core() RETURNS jsonb LANGUAGE sql AS $$
	SELECT '{"entity": "Example Corp", "transaction_type": "purchase", "status": "active", "currency": "USD"}'::jsonb
$$;
-- Run sql as role r; return the SQLSTATE it fails with, or 'ok'.  Always
-- rolled back (the forced P0001 undoes a success, and the role).
CREATE FUNCTION pg_temp.sqlstate_as(r name, sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE format('SET LOCAL ROLE %I', r);
	EXECUTE sql;
	RAISE EXCEPTION 'foray-tap: no error' USING ERRCODE = 'P0001';
EXCEPTION WHEN OTHERS THEN
	IF SQLSTATE = 'P0001' AND SQLERRM = 'foray-tap: no error' THEN
		RETURN 'ok';
	END IF;
	RETURN SQLSTATE;
END $$;

-- ---------------------------------------------------------------------
-- Accepting: any insert order inside one SQL transaction.
-- TXR: every row before the rows it names, envelope last.
-- ---------------------------------------------------------------------
SET CONSTRAINTS ALL DEFERRED;
SELECT lives_ok($$
	INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES
		('TXR', 'ACT_PAY_001', 'ACT', '{"arrangement_refs": ["ARR_MSA_001"], "anticipation_refs": ["ANT_INV_001"], "amount": 100}'),
		('TXR', 'ANT_INV_001', 'ANT', '{"arrangement_refs": ["ARR_MSA_001"], "accrual_refs": ["ACC_FEE_001"]}')
	$$, 'an ACT may be inserted before the ANT it references');
-- The substrate's first write of the session prepared its queries (with
-- sequential scans off while planning them): the caller's setting is intact.
SELECT is(current_setting('enable_seqscan'), 'on',
	'preparing the substrate''s queries leaves the session''s enable_seqscan as it was');
SELECT lives_ok($$
	INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core) VALUES
		('TXR', 'ATT_AUDIT_002', pg_temp.att('{ATT_AUDIT_001}', '{ATT_AUDIT_001}')),
		('TXR', 'ATT_AUDIT_001', pg_temp.att('{ACT_PAY_001,ARR_MSA_001}'))
	$$, 'an attestation may be inserted before what it names');
SELECT lives_ok($$
	INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES
		('TXR', 'ACC_FEE_001', 'ACC', '{"arrangement_refs": ["ARR_MSA_001"]}')
	$$, 'an ACC before its ARR');
SELECT lives_ok($$
	INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES
		('TXR', 'ARR_MSA_001', 'ARR', '{"parties": ["a", "b"]}')
	$$, 'the ARR');
SELECT lives_ok($$
	INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
	VALUES ('TXR', '2025-03-01T12:00:00Z', pg_temp.tx_core())
	$$, 'the envelope last');

-- TXF: the natural order, envelope first
SELECT lives_ok($$
	INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
	VALUES ('TXF', '2025-03-01', pg_temp.tx_core());
	INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES
		('TXF', 'ARR_MSA_001', 'ARR', '{}'),
		('TXF', 'ACC_FEE_001', 'ACC', '{"arrangement_refs": ["ARR_MSA_001"]}'),
		('TXF', 'ANT_INV_001', 'ANT', '{"accrual_refs": ["ACC_FEE_001"]}'),
		('TXF', 'ACT_PAY_001', 'ACT', '{"anticipation_refs": ["ANT_INV_001"]}');
	INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
	VALUES ('TXF', 'ATT_AUDIT_001', pg_temp.att('{ACT_PAY_001}'))
	$$, 'the natural order');

-- TXM: envelope first, then one multi-row INSERT naming rows that come later in it
SELECT lives_ok($$
	INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
	VALUES ('TXM', '2025-03-01', pg_temp.tx_core());
	INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES
		('TXM', 'ACT_PAY_001', 'ACT', '{"anticipation_refs": ["ANT_INV_001"]}'),
		('TXM', 'ANT_INV_001', 'ANT', '{"accrual_refs": ["ACC_FEE_001"]}'),
		('TXM', 'ACC_FEE_001', 'ACC', '{"arrangement_refs": ["ARR_MSA_001"]}'),
		('TXM', 'ARR_MSA_001', 'ARR', '{}')
	$$, 'one statement, dependents before what they reference');

SELECT lives_ok('SET CONSTRAINTS ALL IMMEDIATE', 'the deferred checks pass ("commit")');

SELECT results_eq($$SELECT component_id, status::text FROM foray.foray_components
					WHERE transaction_id = 'TXM' ORDER BY component_id$$,
	$$VALUES ('ACC_FEE_001', 'ready'), ('ACT_PAY_001', 'ready'), ('ANT_INV_001', 'ready'), ('ARR_MSA_001', 'ready')$$,
	'one statement, reverse order: every component ends ready');
SELECT is((SELECT lifecycle::text FROM foray.foray_transactions WHERE transaction_id = 'TXM'),
	'ready_to_anchor', 'one statement, reverse order: lifecycle is ready_to_anchor');

SELECT results_eq($$SELECT component_id, status::text FROM foray.foray_components
					WHERE transaction_id = 'TXR' ORDER BY component_id$$,
	$$VALUES ('ACC_FEE_001', 'ready'), ('ACT_PAY_001', 'ready'), ('ANT_INV_001', 'ready'), ('ARR_MSA_001', 'ready')$$,
	'reverse order: every component ends ready');
SELECT results_eq($$SELECT component_id, status::text FROM foray.foray_components
					WHERE transaction_id = 'TXF' ORDER BY component_id$$,
	$$VALUES ('ACC_FEE_001', 'ready'), ('ACT_PAY_001', 'ready'), ('ANT_INV_001', 'ready'), ('ARR_MSA_001', 'ready')$$,
	'natural order: every component ends ready');
SELECT is((SELECT lifecycle::text FROM foray.foray_transactions WHERE transaction_id = 'TXF'),
	'ready_to_anchor', 'natural order: lifecycle is ready_to_anchor');
SELECT is((SELECT lifecycle::text FROM foray.foray_transactions WHERE transaction_id = 'TXR'),
	'ready_to_anchor', 'reverse order: lifecycle is ready_to_anchor');
SELECT results_eq($$SELECT arrangement_refs, anticipation_refs FROM foray.foray_components
					WHERE transaction_id = 'TXR' AND component_id = 'ACT_PAY_001'$$,
	$$VALUES ('{ARR_MSA_001}'::text[], '{ANT_INV_001}'::text[])$$,
	'the *_refs columns are generated from foray_core');
SELECT results_eq($$SELECT business_status::text, entity, transaction_type FROM foray.foray_transactions
					WHERE transaction_id = 'TXR'$$,
	$$VALUES ('active', 'Example Corp', 'purchase')$$,
	'business_status, entity, transaction_type come from foray_core');

SELECT results_eq($$SELECT event_kind, subject_kind::text, subject_id FROM foray.memory_events
					WHERE transaction_id = 'TXF' ORDER BY event_id$$,
	$$VALUES ('TRANSACTION_CREATED', 'TRANSACTION', 'TXF'),
			 ('COMPONENT_CREATED', 'COMPONENT', 'ARR_MSA_001'),
			 ('COMPONENT_CREATED', 'COMPONENT', 'ACC_FEE_001'),
			 ('COMPONENT_CREATED', 'COMPONENT', 'ANT_INV_001'),
			 ('COMPONENT_CREATED', 'COMPONENT', 'ACT_PAY_001'),
			 ('TRANSACTION_STATE_CHANGED', 'TRANSACTION', 'TXF'),
			 ('ATTESTATION_ATTACHED', 'ATTESTATION', 'ATT_AUDIT_001')$$,
	'natural order: the events, in order (the lifecycle changes at the end of the statement that completes it)');
SELECT results_eq($$SELECT event_kind, subject_id FROM foray.memory_events
					WHERE transaction_id = 'TXR' ORDER BY event_id$$,
	$$VALUES ('COMPONENT_CREATED', 'ACT_PAY_001'),
			 ('COMPONENT_CREATED', 'ANT_INV_001'),
			 ('ATTESTATION_ATTACHED', 'ATT_AUDIT_002'),
			 ('ATTESTATION_ATTACHED', 'ATT_AUDIT_001'),
			 ('COMPONENT_CREATED', 'ACC_FEE_001'),
			 ('COMPONENT_CREATED', 'ARR_MSA_001'),
			 ('COMPONENT_STATE_CHANGED', 'ACC_FEE_001'),
			 ('COMPONENT_STATE_CHANGED', 'ANT_INV_001'),
			 ('COMPONENT_STATE_CHANGED', 'ACT_PAY_001'),
			 ('TRANSACTION_CREATED', 'TXR'),
			 ('TRANSACTION_STATE_CHANGED', 'TXR')$$,
	'reverse order: the events, in order; the ARR''s arrival cascades readiness at once');
SELECT is((SELECT count(*)::int FROM foray.memory_events
			WHERE transaction_id = 'TXR' AND (actor_kind::text <> 'system' OR actor_id <> current_user)),
	0, 'substrate events carry actor (system, current role)');
SELECT results_eq($$SELECT payload->>'from', payload->>'status' FROM foray.memory_events
					WHERE transaction_id = 'TXR' AND event_kind = 'COMPONENT_STATE_CHANGED'
					  AND subject_id = 'ACT_PAY_001'$$,
	$$VALUES ('pending', 'ready')$$,
	'COMPONENT_STATE_CHANGED carries from and to in its payload');

-- settle and reverse: readiness follows, lifecycle follows at commit
SELECT lives_ok($$UPDATE foray.foray_components SET status = 'settled'
				  WHERE transaction_id = 'TXF' AND component_id = 'ACT_PAY_001'$$,
	'ready -> settled is the application''s to make');
SELECT lives_ok($$UPDATE foray.foray_components SET status = 'reversed'
				  WHERE transaction_id = 'TXF' AND component_id = 'ARR_MSA_001'$$,
	'reversing an arrangement is allowed');
SELECT results_eq($$SELECT component_id, status::text FROM foray.foray_components
					WHERE transaction_id = 'TXF' ORDER BY component_id$$,
	$$VALUES ('ACC_FEE_001', 'pending'), ('ACT_PAY_001', 'settled'), ('ANT_INV_001', 'pending'), ('ARR_MSA_001', 'reversed')$$,
	'a reversed arrangement turns its dependents pending; settled stays settled');
SELECT is((SELECT lifecycle::text FROM foray.foray_transactions WHERE transaction_id = 'TXF'),
	'open', 'a transaction with unready components is open again');
SELECT results_eq($$SELECT event_kind, subject_id, payload->>'from', payload->>'status' FROM foray.memory_events
					WHERE transaction_id = 'TXF' AND event_kind = 'COMPONENT_STATE_CHANGED' ORDER BY event_id$$,
	$$VALUES ('COMPONENT_STATE_CHANGED', 'ACT_PAY_001', 'ready', 'settled'),
			 ('COMPONENT_STATE_CHANGED', 'ARR_MSA_001', 'ready', 'reversed'),
			 ('COMPONENT_STATE_CHANGED', 'ACC_FEE_001', 'ready', 'pending'),
			 ('COMPONENT_STATE_CHANGED', 'ANT_INV_001', 'ready', 'pending')$$,
	'state changes are logged, cascade included');

-- the engine's own events: registered kinds only
SELECT lives_ok($$SELECT foray.register_event_kind('engagement_opened', 'An engagement was opened.')$$,
	'an engine event kind can be registered');
SELECT lives_ok($$INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, engagement_id, object_id,
						object_type, object_version, engagement_version, actor_kind, actor_id, payload)
				  VALUES ('engagement_opened', 'MEMORY_OBJECT', '7d3c8a9e-0d7e-4f5c-9a53-2f4f8e1b6a10',
						'0b7c1f2e-3d4a-4b5c-8d6e-7f8091a2b3c4', '7d3c8a9e-0d7e-4f5c-9a53-2f4f8e1b6a10',
						'Engagement', 1, 1, 'person', '5f0c6a52-8e0a-4a8e-b1d4-3c2b1a0f9e8d', '{"title": "x"}')$$,
	'an engine MemoryObject event with a registered kind is accepted');
SELECT throws_ok($$INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, engagement_id, object_id,
						object_type, object_version, actor_kind, actor_id)
				  VALUES ('engagement_vanished', 'MEMORY_OBJECT', '7d3c8a9e-0d7e-4f5c-9a53-2f4f8e1b6a11',
						'0b7c1f2e-3d4a-4b5c-8d6e-7f8091a2b3c4', '7d3c8a9e-0d7e-4f5c-9a53-2f4f8e1b6a11',
						'Engagement', 1, 'system', 'loomworks')$$,
	'23503', 'event kind "engagement_vanished" is not registered', 'an unregistered event kind is refused (LOG-003)');
SELECT throws_ok($$SELECT foray.register_event_kind('COMPONENT_CREATED', 'hijack')$$,
	'23514', NULL, 'a substrate (UPPER_CASE) kind cannot be registered as an engine kind');
SELECT throws_ok($$INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, transaction_id, actor_kind, actor_id)
				  VALUES ('engagement_opened', 'COMPONENT', 'ARR_MSA_001', 'TXF', 'person', 'alice')$$,
	'23514', NULL, 'person actors carry a UUID (one actor convention)');

-- ---------------------------------------------------------------------
-- Refusals.  From here every deferred check fires at statement end.
-- ---------------------------------------------------------------------
SET CONSTRAINTS ALL IMMEDIATE;

-- ID-001 (23R10)
SELECT throws_ok($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TXR', 'ACC_WRONG_001', 'ARR', '{}')$$,
	'23R10', NULL, 'ID-001: an ARR whose id says ACC_');
SELECT throws_ok($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TXR', 'ARRX001', 'ARR', '{}')$$,
	'23R10', NULL, 'ID-001: the prefix needs its underscore');
SELECT throws_ok($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TXR', 'arr_lower_001', 'ARR', '{}')$$,
	'23R10', NULL, 'ID-001: the prefix is upper case');
SELECT throws_ok($$INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
				  VALUES ('TXR', 'AT_001', pg_temp.att('{ARR_MSA_001}'))$$,
	'23R10', NULL, 'ATT-001: attestation ids begin with ATT_');
SELECT throws_ok($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TXR', 'ATT_AS_COMPONENT', 'ATT', '{}')$$,
	'23514', NULL, 'component_type ATT is not a component type (domain)');

-- REF-001 typing (23R01)
SELECT throws_ok($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TXR', 'ARR_REFS_001', 'ARR', '{"arrangement_refs": ["ARR_MSA_001"]}')$$,
	'23R01', NULL, 'REF-001: an ARR holds no arrangement_refs');
SELECT throws_ok($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TXR', 'ARR_REFS_002', 'ARR', '{"anticipation_refs": ["ANT_INV_001"]}')$$,
	'23R01', NULL, 'REF-001: an ARR holds no anticipation_refs');
SELECT throws_ok($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TXR', 'ACC_REFS_001', 'ACC', '{"accrual_refs": ["ACC_FEE_001"]}')$$,
	'23R01', NULL, 'REF-001: an ACC holds no accrual_refs');
SELECT throws_ok($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TXR', 'ACC_REFS_002', 'ACC', '{"arrangement_refs": ["ARR_MSA_001"], "anticipation_refs": ["ANT_INV_001"]}')$$,
	'23R01', NULL, 'REF-001: an ACC holds no anticipation_refs');
SELECT throws_ok($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TXR', 'ANT_REFS_001', 'ANT', '{"anticipation_refs": ["ANT_INV_001"]}')$$,
	'23R01', NULL, 'REF-001: an ANT holds no anticipation_refs');

-- REF-004: the v4.0 singular field (22R01)
SELECT throws_ok($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TXR', 'ACC_V40_001', 'ACC', '{"arrangement_ref": "ARR_MSA_001"}')$$,
	'22R01', NULL, 'REF-004: the singular v4.0 arrangement_ref is refused');
SELECT throws_ok($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TXR', 'ACC_SHAPE_001', 'ACC', '{"arrangement_refs": "ARR_MSA_001"}')$$,
	'22R01', NULL, 'SHAPE-001: *_refs is an array');

-- wrong kind in an array (23R03)
SELECT throws_ok($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TXR', 'ACC_KIND_001', 'ACC', '{"arrangement_refs": ["ACC_FEE_001"]}')$$,
	'23R03', NULL, 'REF-001: arrangement_refs names arrangements only');
SELECT throws_ok($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TXR', 'ACT_KIND_001', 'ACT', '{"anticipation_refs": ["ACC_FEE_001"]}')$$,
	'23R03', NULL, 'REF-001: anticipation_refs names anticipations only');
SELECT throws_ok($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TXR', 'ANT_KIND_001', 'ANT', '{"accrual_refs": ["ARR_MSA_001"]}')$$,
	'23R03', NULL, 'REF-001: accrual_refs names accruals only');
SELECT throws_ok($$INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
				  VALUES ('TXR', 'ATT_KIND_001', pg_temp.att('{INV_42}'))$$,
	'23R03', NULL, 'ATT-002: subject_refs name components or attestations');

-- self reference (23R04)
SELECT throws_ok($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TXR', 'ACC_SELF_001', 'ACC', '{"arrangement_refs": ["ACC_SELF_001"]}')$$,
	'23R04', NULL, 'REF-002: a component never references itself');
SELECT throws_ok($$INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
				  VALUES ('TXR', 'ATT_SELF_001', pg_temp.att('{ATT_SELF_001}'))$$,
	'23R04', NULL, 'ATT-006: an attestation never names itself in subject_refs');
SELECT throws_ok($$INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
				  VALUES ('TXR', 'ATT_SELF_002', pg_temp.att('{ARR_MSA_001}', '{ATT_SELF_002}'))$$,
	'23R04', NULL, 'ATT-006: an attestation never depends on itself');

-- duplicates (23R05)
SELECT throws_ok($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TXR', 'ACT_DUP_001', 'ACT', '{"arrangement_refs": ["ARR_MSA_001", "ARR_MSA_001"]}')$$,
	'23R05', NULL, 'REF-003: no duplicate in one array');
SELECT throws_ok($$INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
				  VALUES ('TXR', 'ATT_DUP_001', pg_temp.att('{ARR_MSA_001,ARR_MSA_001}'))$$,
	'23R05', NULL, 'REF-003: no duplicate in subject_refs');
SELECT throws_ok($$INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
				  VALUES ('TXR', 'ATT_DUP_002', pg_temp.att('{ARR_MSA_001}', '{ATT_AUDIT_001,ATT_AUDIT_001}'))$$,
	'23R05', NULL, 'REF-003: no duplicate in dependencies');

-- dangling at commit (23R02)
SELECT throws_ok($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TXR', 'ACC_DANGLE_001', 'ACC', '{"arrangement_refs": ["ARR_NOWHERE_001"]}')$$,
	'23R02', NULL, 'TX-003: a ref that resolves to nothing is refused at commit');
SELECT throws_ok($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TXF', 'ACT_CROSS_001', 'ACT', '{"anticipation_refs": ["ANT_ONLY_IN_TXR"]}');
				  INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TXR', 'ANT_ONLY_IN_TXR', 'ANT', '{"arrangement_refs": ["ARR_MSA_001"]}')$$,
	'23R02', NULL, 'TX-003: refs resolve inside their own transaction only');
SELECT throws_ok($$INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
				  VALUES ('TXR', 'ATT_DANGLE_001', pg_temp.att('{ACT_NOWHERE_001}'))$$,
	'23R02', NULL, 'ATT-002: a subject that does not exist');
SELECT throws_ok($$INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
				  VALUES ('TXR', 'ATT_DANGLE_002', pg_temp.att('{ARR_MSA_001}', '{ATT_NOWHERE_001}'))$$,
	'23R02', NULL, 'ATT-007: a dependency that does not exist');
SELECT throws_ok($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TX_NO_ENVELOPE', 'ARR_LONELY_001', 'ARR', '{}')$$,
	'23503', NULL, 'a component needs its transaction envelope by commit');

-- ENV-001: the envelope may come later in the same SQL transaction; a row
-- removed again needs none; deleting a transaction cascades
SELECT throws_ok($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TX_NO_ENVELOPE', 'ARR_LONELY_001', 'ARR', '{}')$$,
	'23503', 'component "ARR_LONELY_001" belongs to transaction "TX_NO_ENVELOPE", which has no row in foray.foray_transactions',
	'ENV-001: the error names the component and its transaction');
SELECT lives_ok($$SET CONSTRAINTS ALL DEFERRED;
				 INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				 VALUES ('TX_LATE_ENV', 'ARR_LATE_001', 'ARR', '{}');
				 INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
				 VALUES ('TX_LATE_ENV', 'ATT_LATE_001', pg_temp.att('{ARR_LATE_001}'));
				 INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
				 VALUES ('TX_LATE_ENV', '2026-06-01', '{"entity": "Late", "transaction_type": "t"}');
				 SET CONSTRAINTS ALL IMMEDIATE$$,
	'ENV-001: a component and an attestation written before their envelope pass once it arrives');
SELECT lives_ok($$SET CONSTRAINTS ALL DEFERRED;
				 INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				 VALUES ('TX_NEVER_ENV', 'ARR_GONE_001', 'ARR', '{}');
				 DELETE FROM foray.foray_components WHERE transaction_id = 'TX_NEVER_ENV';
				 SET CONSTRAINTS ALL IMMEDIATE$$,
	'ENV-001: a component removed again before commit needs no envelope');
SELECT throws_ok($$SET CONSTRAINTS ALL DEFERRED;
				 INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				 VALUES ('TX_LATE_ENV2', 'ARR_LATE_002', 'ARR', '{}');
				 INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
				 VALUES ('TX_LATE_ENV2', 'ATT_LATE_002', pg_temp.att('{ARR_LATE_002}'));
				 DELETE FROM foray.foray_components WHERE transaction_id = 'TX_LATE_ENV2';
				 SET CONSTRAINTS ALL IMMEDIATE$$,
	'23R02', NULL, 'an attestation left naming a removed component is refused at commit, envelope or not');
SELECT lives_ok($$DELETE FROM foray.foray_transactions WHERE transaction_id = 'TX_LATE_ENV'$$,
	'an open transaction can be deleted');
SELECT is((SELECT count(*)::int FROM foray.foray_components WHERE transaction_id = 'TX_LATE_ENV')
		  + (SELECT count(*)::int FROM foray.foray_attestations WHERE transaction_id = 'TX_LATE_ENV'), 0,
	'deleting a transaction deletes its components and attestations');
SELECT results_eq($$SELECT event_kind, subject_id FROM foray.memory_events
					WHERE transaction_id = 'TX_LATE_ENV' AND event_kind IN ('COMPONENT_DELETED', 'ATTESTATION_DETACHED')
					ORDER BY event_id$$,
	$$VALUES ('ATTESTATION_DETACHED'::text, 'ATT_LATE_001'::text), ('COMPONENT_DELETED', 'ARR_LATE_001')$$,
	'the cascade goes through their triggers: each removal is logged');
SELECT throws_ok($$TRUNCATE foray.foray_transactions$$, '0A000', NULL,
	'ENV-001: foray_transactions cannot be truncated alone while components or attestations belong to it');

-- what a session knows of transactions it created itself is forgotten with
-- them: a savepoint rolled back, a delete, an anchor in the same transaction
SAVEPOINT env_sp;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('TX_SP_ENV', '2026-06-01', '{"entity": "Sp", "transaction_type": "t"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('TX_SP_ENV', 'ARR_SP_001', 'ARR', '{}');
ROLLBACK TO SAVEPOINT env_sp;
SELECT throws_ok($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TX_SP_ENV', 'ARR_SP_002', 'ARR', '{}')$$,
	'23503', NULL, 'ENV-001: a transaction row rolled back with its savepoint no longer counts as an envelope');
SELECT throws_ok($$INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
				  VALUES ('TX_DEL_ENV', '2026-06-01', '{"entity": "Del", "transaction_type": "t"}');
				  INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TX_DEL_ENV', 'ARR_DEL_001', 'ARR', '{}');
				  DELETE FROM foray.foray_transactions WHERE transaction_id = 'TX_DEL_ENV';
				  INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TX_DEL_ENV', 'ARR_DEL_002', 'ARR', '{}')$$,
	'23503', NULL, 'ENV-001: a transaction row deleted in the same SQL transaction no longer counts as an envelope');
SELECT results_eq($$SELECT transaction_id FROM foray.anchor_queue WHERE transaction_id IN ('TXM', 'TXR', 'TX_NO_ENVELOPE') ORDER BY 1$$,
	$$SELECT transaction_id FROM foray.foray_transactions
	   WHERE transaction_id IN ('TXM', 'TXR', 'TX_NO_ENVELOPE') AND lifecycle = 'ready_to_anchor' ORDER BY 1$$,
	'anchor_queue holds exactly the transactions ready to anchor');
SELECT throws_ok($$INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
				  VALUES ('TX_ANC_HERE', '2026-06-01', '{"entity": "Anc", "transaction_type": "t"}');
				  INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TX_ANC_HERE', 'ARR_ANC_001', 'ARR', '{}');
				  SELECT foray.record_anchor('TX_ANC_HERE', foray.anchor_envelope('TX_ANC_HERE') ->> 'merkle_root',
											 'kaspa:here', 1, 1, '2026-06-01T00:00:00Z');
				  INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TX_ANC_HERE', 'ACC_ANC_002', 'ACC', '{"arrangement_refs": ["ARR_ANC_001"]}')$$,
	'23R32', NULL, 'IMM-001: a transaction created and anchored in the same SQL transaction is immutable at once');

-- the lifecycle of transactions created in this SQL transaction, which the
-- substrate follows without asking the index: every way back to open
SELECT lives_ok($$INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
				 VALUES ('TX_LC_REV', '2026-06-01', '{"entity": "L", "transaction_type": "t"}'),
						('TX_LC_DEL', '2026-06-01', '{"entity": "L", "transaction_type": "t"}'),
						('TX_LC_SET', '2026-06-01', '{"entity": "L", "transaction_type": "t"}');
				 INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				 VALUES ('TX_LC_REV', 'ARR_1', 'ARR', '{}'), ('TX_LC_DEL', 'ARR_1', 'ARR', '{}'),
						('TX_LC_SET', 'ARR_1', 'ARR', '{}')$$,
	'three new transactions, one arrangement each');
SELECT is((SELECT string_agg(lifecycle::text, ',' ORDER BY transaction_id) FROM foray.foray_transactions
			WHERE transaction_id IN ('TX_LC_REV', 'TX_LC_DEL', 'TX_LC_SET')),
	'ready_to_anchor,ready_to_anchor,ready_to_anchor', 'each is ready_to_anchor at once');
SELECT lives_ok($$UPDATE foray.foray_components SET status = 'reversed' WHERE transaction_id = 'TX_LC_REV';
				 DELETE FROM foray.foray_components WHERE transaction_id = 'TX_LC_DEL';
				 UPDATE foray.foray_components SET status = 'settled' WHERE transaction_id = 'TX_LC_SET';
				 INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				 VALUES ('TX_LC_SET', 'ACC_1', 'ACC', '{"arrangement_refs": ["ARR_1"]}')$$,
	'reverse one, empty another, settle and extend the third');
SELECT is((SELECT string_agg(transaction_id || '=' || lifecycle::text, ',' ORDER BY transaction_id) FROM foray.foray_transactions
			WHERE transaction_id IN ('TX_LC_REV', 'TX_LC_DEL', 'TX_LC_SET')),
	'TX_LC_DEL=open,TX_LC_REV=open,TX_LC_SET=ready_to_anchor',
	'a reversed component or no component makes a new transaction open again; settled stays ready');

-- one statement, dependency order, more components than the statement's
-- cache holds (16): refs to early rows are looked up in the index again
SET CONSTRAINTS ALL DEFERRED;
SELECT lives_ok($$INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
				 VALUES ('TX_RING', '2026-06-01', '{"entity": "R", "transaction_type": "t"}');
				 INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				 SELECT 'TX_RING', 'ARR_0', 'ARR', '{}'::jsonb
				 UNION ALL
				 SELECT 'TX_RING', 'ACC_' || i, 'ACC', '{"arrangement_refs": ["ARR_0"]}'::jsonb FROM generate_series(1, 20) i
				 UNION ALL
				 SELECT 'TX_RING', 'ANT_1', 'ANT', '{"accrual_refs": ["ACC_1", "ACC_20"], "arrangement_refs": ["ARR_0"]}'::jsonb
				 UNION ALL
				 SELECT 'TX_RING', 'ACT_1', 'ACT', '{"anticipation_refs": ["ANT_1"], "accrual_refs": ["ACC_2", "ACC_NONE"]}'::jsonb$$,
	'a 23-component transaction in one statement (one ref dangling for now)');
SELECT is((SELECT string_agg(component_id || '=' || status::text, ',' ORDER BY component_id COLLATE "C")
			 FROM foray.foray_components WHERE transaction_id = 'TX_RING' AND component_id IN ('ARR_0', 'ACC_1', 'ACC_20', 'ANT_1', 'ACT_1')),
	'ACC_1=ready,ACC_20=ready,ACT_1=pending,ANT_1=ready,ARR_0=ready',
	'early and late refs both resolve; the dangling one keeps its component pending');
SELECT is((SELECT count(*)::int FROM foray.memory_events WHERE transaction_id = 'TX_RING' AND event_kind = 'COMPONENT_CREATED'), 23,
	'one COMPONENT_CREATED per component');
SELECT throws_ok($$SET CONSTRAINTS ALL IMMEDIATE$$, '23R02', NULL,
	'the dangling ref is still refused at commit');
SELECT lives_ok($$DELETE FROM foray.foray_components WHERE transaction_id = 'TX_RING' AND component_id = 'ACT_1'$$,
	'(the dangling component removed)');
SET CONSTRAINTS ALL IMMEDIATE;

-- an insert whose id is taken logs nothing, also when ON CONFLICT skips it
CREATE TEMP TABLE events_before AS SELECT count(*) AS n FROM foray.memory_events;
SELECT lives_ok($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				 VALUES ('TXR', 'ARR_MSA_001', 'ARR', '{}'),
						('TXR', 'ANT_INV_001', 'ANT', '{"arrangement_refs": ["ARR_MSA_001"]}')
				 ON CONFLICT DO NOTHING$$,
	'INSERT ... ON CONFLICT DO NOTHING of existing components is accepted');
SELECT is((SELECT count(*) FROM foray.memory_events), (SELECT n FROM events_before),
	'a skipped insert writes no COMPONENT_CREATED (nor any other event)');
SELECT lives_ok($$INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
				 VALUES ('TX_DUP_NEW', '2026-06-01', '{"entity": "D", "transaction_type": "t"}');
				 INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				 VALUES ('TX_DUP_NEW', 'ARR_TWICE', 'ARR', '{}'), ('TX_DUP_NEW', 'ARR_TWICE', 'ARR', '{}')
				 ON CONFLICT DO NOTHING$$,
	'the same new id twice in one statement, ON CONFLICT DO NOTHING');
SELECT is((SELECT count(*)::int FROM foray.memory_events
			WHERE transaction_id = 'TX_DUP_NEW' AND event_kind = 'COMPONENT_CREATED'), 1,
	'one row landed, one COMPONENT_CREATED');

-- ARR-001 (23R11)
SELECT throws_ok($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TXR', 'ARR_DEPS_001', 'ARR', '{"dependencies": ["ATT_AUDIT_001"]}')$$,
	'23R11', NULL, 'ARR-001: an arrangement''s dependencies are empty');
SELECT lives_ok($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TXR', 'ARR_DEPS_002', 'ARR', '{"dependencies": []}')$$,
	'ARR-001: an empty dependencies list is fine');

-- STATUS-001 (23R20)
SELECT throws_ok($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, status, foray_core)
				  VALUES ('TXR', 'ARR_READY_001', 'ARR', 'ready', '{}')$$,
	'23R20', NULL, 'STATUS-001: a component is inserted pending');
SELECT throws_ok($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, status, foray_core)
				  VALUES ('TXR', 'ARR_SETTLED_001', 'ARR', 'settled', '{}')$$,
	'23R20', NULL, 'STATUS-001: a component is not inserted settled');
SELECT throws_ok($$UPDATE foray.foray_components SET status = 'pending'
				  WHERE transaction_id = 'TXR' AND component_id = 'ACT_PAY_001'$$,
	'23R20', NULL, 'STATUS-001: the application does not set pending');
SELECT throws_ok($$UPDATE foray.foray_components SET status = 'ready'
				  WHERE transaction_id = 'TXF' AND component_id = 'ACC_FEE_001'$$,
	'23R20', NULL, 'STATUS-001: the application does not set ready');
SELECT throws_ok($$UPDATE foray.foray_components SET status = 'settled'
				  WHERE transaction_id = 'TXF' AND component_id = 'ACC_FEE_001'$$,
	'23R20', NULL, 'STATUS-001: settled only from ready (ACC is pending)');
SELECT throws_ok($$UPDATE foray.foray_components SET status = 'settled'
				  WHERE transaction_id = 'TXF' AND component_id = 'ARR_MSA_001'$$,
	'23R20', NULL, 'STATUS-001: a reversed component stays reversed');
SELECT throws_ok($$UPDATE foray.foray_components SET status = 'done'
				  WHERE transaction_id = 'TXR' AND component_id = 'ACT_PAY_001'$$,
	'23514', NULL, 'status outside the readiness domain');

-- LIFECYCLE-001 (23R21)
SELECT throws_ok($$UPDATE foray.foray_transactions SET lifecycle = 'ready_to_anchor' WHERE transaction_id = 'TXF'$$,
	'23R21', NULL, 'LIFECYCLE-001: lifecycle is derived, not written');
SELECT throws_ok($$UPDATE foray.foray_transactions SET lifecycle = 'anchored' WHERE transaction_id = 'TXR'$$,
	'23R21', NULL, 'LIFECYCLE-001: anchored is recorded by the substrate only');
SELECT throws_ok($$UPDATE foray.foray_transactions SET merkle_root = 'x' WHERE transaction_id = 'TXR'$$,
	'23R21', NULL, 'LIFECYCLE-001: merkle_root is the substrate''s');
SELECT throws_ok($$INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, lifecycle)
				  VALUES ('TX_BORN_READY', '2025-03-01', pg_temp.tx_core(), 'ready_to_anchor')$$,
	'23R21', NULL, 'LIFECYCLE-001: a transaction is inserted open');
SELECT throws_ok($$UPDATE foray.foray_transactions SET lifecycle = 'closed' WHERE transaction_id = 'TXR'$$,
	'23514', NULL, 'lifecycle outside its domain');

-- IDENTITY-001 (23R22)
SELECT throws_ok($$UPDATE foray.foray_components SET component_id = 'ACT_PAY_002'
				  WHERE transaction_id = 'TXR' AND component_id = 'ACT_PAY_001'$$,
	'23R22', NULL, 'IDENTITY-001: component_id is fixed');
SELECT throws_ok($$UPDATE foray.foray_components SET transaction_id = 'TXF'
				  WHERE transaction_id = 'TXR' AND component_id = 'ARR_DEPS_002'$$,
	'23R22', NULL, 'IDENTITY-001: a component stays in its transaction');
SELECT throws_ok($$UPDATE foray.foray_components SET component_type = 'ACC'
				  WHERE transaction_id = 'TXR' AND component_id = 'ARR_DEPS_002'$$,
	'23R22', NULL, 'IDENTITY-001: component_type is fixed');
SELECT throws_ok($$UPDATE foray.foray_attestations SET attestation_id = 'ATT_AUDIT_009'
				  WHERE transaction_id = 'TXR' AND attestation_id = 'ATT_AUDIT_002'$$,
	'23R22', NULL, 'IDENTITY-001: attestation_id is fixed');
SELECT throws_ok($$UPDATE foray.foray_transactions SET transaction_id = 'TXR2' WHERE transaction_id = 'TXR'$$,
	'23R22', NULL, 'IDENTITY-001: transaction_id is fixed');

-- one source of truth: the *_refs columns cannot be written apart from foray_core
SELECT throws_ok($$UPDATE foray.foray_components SET arrangement_refs = '{}'
				  WHERE transaction_id = 'TXR' AND component_id = 'ACT_PAY_001'$$,
	'428C9', NULL, 'the *_refs columns are generated, never written');

-- attestation fields (22R01, 22R02, 22R03)
SELECT throws_ok($$INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
				  VALUES ('TXR', 'ATT_FIELD_001', pg_temp.att('{ARR_MSA_001}') - 'attestor')$$,
	'22R01', NULL, 'SHAPE-002: attestor is required');
SELECT throws_ok($$INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
				  VALUES ('TXR', 'ATT_FIELD_002', pg_temp.att('{ARR_MSA_001}') - 'outcome')$$,
	'22R01', NULL, 'SHAPE-002: outcome is required');
SELECT throws_ok($$INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
				  VALUES ('TXR', 'ATT_FIELD_003', pg_temp.att('{ARR_MSA_001}') - 'attestation_date')$$,
	'22R01', NULL, 'SHAPE-002: attestation_date is required');
SELECT throws_ok($$INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
				  VALUES ('TXR', 'ATT_ENUM_001', pg_temp.att('{ARR_MSA_001}', '{}', '{"attestor_type": "notary"}'))$$,
	'22R02', NULL, 'ENUM-001: attestor_type per spec §9.3');
SELECT throws_ok($$INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
				  VALUES ('TXR', 'ATT_ENUM_002', pg_temp.att('{ARR_MSA_001}', '{}', '{"attestation_type": "audit"}'))$$,
	'22R02', NULL, 'ENUM-001: attestation_type per spec §9.3');
SELECT throws_ok($$INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
				  VALUES ('TXR', 'ATT_ENUM_003', pg_temp.att('{ARR_MSA_001}', '{}', '{"outcome": "passed"}'))$$,
	'22R02', NULL, 'ENUM-001: outcome per spec §9.3');
SELECT throws_ok($$INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
				  VALUES ('TXR', 'ATT_DATE_001', pg_temp.att('{ARR_MSA_001}', '{}', '{"attestation_date": "March 1st"}'))$$,
	'22R03', NULL, 'SHAPE-003: attestation_date is ISO-8601');
SELECT throws_ok($$INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
				  VALUES ('TX_BAD_STATUS', '2025-03-01', pg_temp.tx_core() || '{"status": "open"}')$$,
	'22R02', NULL, 'ENUM-001: foray_core.status is active|completed|reversed');

-- ATT-002: subject_refs non-empty (23R12)
SELECT throws_ok($$INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
				  VALUES ('TXR', 'ATT_EMPTY_001', pg_temp.att('{}'))$$,
	'23R12', NULL, 'ATT-002: subject_refs is not empty');
SELECT throws_ok($$INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
				  VALUES ('TXR', 'ATT_EMPTY_002', pg_temp.att('{ARR_MSA_001}') - 'subject_refs')$$,
	'23R12', NULL, 'ATT-002: subject_refs is present');

-- ATT-007: dependencies are attestations (23R13)
SELECT throws_ok($$INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
				  VALUES ('TXR', 'ATT_DEPS_001', pg_temp.att('{ARR_MSA_001}', '{ACT_PAY_001}'))$$,
	'23R13', NULL, 'ATT-007: a dependency that is a component');

-- ATT-006: cycles (23R06)
SELECT throws_ok($$INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core) VALUES
					('TXR', 'ATT_CYCLE_A', pg_temp.att('{ARR_MSA_001}', '{ATT_CYCLE_B}')),
					('TXR', 'ATT_CYCLE_B', pg_temp.att('{ARR_MSA_001}', '{ATT_CYCLE_A}'))$$,
	'23R06', NULL, 'ATT-006: a dependency cycle');
SELECT throws_ok($$INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core) VALUES
					('TXR', 'ATT_CYCLE_C', pg_temp.att('{ATT_CYCLE_D}')),
					('TXR', 'ATT_CYCLE_D', pg_temp.att('{ATT_CYCLE_E}')),
					('TXR', 'ATT_CYCLE_E', pg_temp.att('{ATT_CYCLE_C}'))$$,
	'23R06', NULL, 'ATT-006: a three-step subject_refs cycle');
SELECT throws_ok($$UPDATE foray.foray_attestations
					 SET foray_core = pg_temp.att('{ARR_MSA_001}', '{ATT_AUDIT_002}')
				   WHERE transaction_id = 'TXR' AND attestation_id = 'ATT_AUDIT_001'$$,
	'23R06', NULL, 'ATT-006: an update that closes a cycle');

-- TX-003: removal of what is referenced (23R07)
SELECT throws_ok($$SET CONSTRAINTS ALL DEFERRED;
				  DELETE FROM foray.foray_components WHERE transaction_id = 'TXR' AND component_id = 'ANT_INV_001';
				  SET CONSTRAINTS ALL IMMEDIATE$$,
	'23R07', NULL, 'TX-003: an ANT an ACT references cannot be removed (checked at commit)');
SELECT throws_ok($$DELETE FROM foray.foray_components WHERE transaction_id = 'TXR' AND component_id = 'ACT_PAY_001'$$,
	'23R07', NULL, 'TX-003: a component an attestation names cannot be removed');
SELECT throws_ok($$DELETE FROM foray.foray_attestations WHERE transaction_id = 'TXR' AND attestation_id = 'ATT_AUDIT_001'$$,
	'23R07', NULL, 'ATT-002: an attestation another names cannot be removed');
SELECT lives_ok($$DELETE FROM foray.foray_components WHERE transaction_id = 'TXR' AND component_id = 'ARR_DEPS_002'$$,
	'an unreferenced component can be removed');

-- nothing half-written: the refused statements left no rows and no events
SELECT is((SELECT count(*)::int FROM foray.foray_components WHERE transaction_id = 'TXR'), 4,
	'TXR still holds exactly its four components');
SELECT is((SELECT count(*)::int FROM foray.foray_attestations WHERE transaction_id = 'TXR'), 2,
	'TXR still holds exactly its two attestations');
SELECT is((SELECT count(*)::int FROM foray.memory_events
			WHERE transaction_id = 'TXR' AND subject_id NOT IN ('TXR', 'ACT_PAY_001', 'ANT_INV_001', 'ACC_FEE_001',
				'ARR_MSA_001', 'ATT_AUDIT_001', 'ATT_AUDIT_002', 'ARR_DEPS_002')),
	0, 'no event of a refused row survived');

-- errors name the transaction, the component and the rule
SELECT throws_like($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TXR', 'ACC_MSG_001', 'ACC', '{"arrangement_refs": ["ACC_MSG_001"]}')$$,
	'%ACC_MSG_001%TXR%', 'the message names the component and the transaction');
CREATE FUNCTION pg_temp.detail_of(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE d text;
BEGIN
	EXECUTE sql;
	RETURN NULL;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
	RETURN d;
END $$;
SELECT matches(pg_temp.detail_of($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TXR', 'ACC_MSG_002', 'ACC', '{"arrangement_refs": ["ARR_NOWHERE_002"]}')$$),
	'^Rule TX-003', 'the detail names the rule');

-- ---------------------------------------------------------------------
-- Envelope rules, updates of foray_core, savepoints.
-- ---------------------------------------------------------------------
SELECT throws_ok($$INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
				  VALUES ('bad id!', '2025-03-01', pg_temp.tx_core())$$,
	'23R10', NULL, 'ID-002: a transaction_id is [A-Za-z0-9_.:-], starting with a letter or digit');
SELECT throws_ok($$INSERT INTO foray.foray_transactions (transaction_id, schema_version, document_timestamp, foray_core)
				  VALUES ('TX_V40', '4.0', '2025-03-01', pg_temp.tx_core())$$,
	'22R01', NULL, 'TX-002: the substrate stores schema_version 4.1');
SELECT throws_ok($$INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
				  VALUES ('TX_NO_TYPE', '2025-03-01', '{"entity": "Example Corp"}')$$,
	'22R01', NULL, 'SHAPE-002: foray_core.transaction_type is required');
SELECT throws_ok($$INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
				  VALUES ('TX_BAD_TS', 'yesterday', pg_temp.tx_core())$$,
	'22R03', NULL, 'SHAPE-003: the document timestamp is ISO-8601');
SELECT throws_ok($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
				  VALUES ('TXR', 'ARR_MSA_001', 'ARR', '{}')$$,
	'23505', NULL, 'a component id is unique within its transaction');
SELECT throws_ok($$INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
				  VALUES ('TXR', 'ATT_VALID_001', pg_temp.att('{ARR_MSA_001}', '{}', '{"validity_period": {"start": "2025-03-01", "end": "soon"}}'))$$,
	'22R03', NULL, 'SHAPE-003: validity_period dates are ISO-8601');

SELECT throws_ok($$UPDATE foray.foray_components SET foray_core = '{"arrangement_refs": ["ARR_MSA_001"], "anticipation_refs": ["ANT_INV_001"]}'
				  WHERE transaction_id = 'TXR' AND component_id = 'ACC_FEE_001'$$,
	'23R01', NULL, 'REF-001 holds on UPDATE of foray_core too');
SELECT throws_ok($$UPDATE foray.foray_components SET foray_core = '{"accrual_refs": ["ACC_NOWHERE_001"]}'
				  WHERE transaction_id = 'TXR' AND component_id = 'ANT_INV_001'$$,
	'23R02', NULL, 'TX-003 holds on UPDATE of foray_core too');
SELECT lives_ok($$UPDATE foray.foray_components SET foray_core = '{"accrual_refs": ["ACC_FEE_001"], "note": "revised"}'
				  WHERE transaction_id = 'TXR' AND component_id = 'ANT_INV_001'$$,
	'an ANT''s foray_core may change');
SELECT results_eq($$SELECT arrangement_refs, accrual_refs, status::text FROM foray.foray_components
					WHERE transaction_id = 'TXR' AND component_id = 'ANT_INV_001'$$,
	$$VALUES ('{}'::text[], '{ACC_FEE_001}'::text[], 'ready')$$,
	'the *_refs columns follow foray_core on UPDATE');
SELECT is((SELECT count(*)::int FROM foray.memory_events
			WHERE transaction_id = 'TXR' AND event_kind = 'COMPONENT_UPDATED' AND subject_id = 'ANT_INV_001'),
	1, 'COMPONENT_UPDATED is logged once');
SELECT lives_ok($$UPDATE foray.foray_attestations SET foray_core = pg_temp.att('{ACT_PAY_001,ARR_MSA_001}', '{}', '{"outcome": "conditional"}')
				  WHERE transaction_id = 'TXR' AND attestation_id = 'ATT_AUDIT_001'$$,
	'an attestation''s foray_core may change');
SELECT results_eq($$SELECT event_kind, payload->>'outcome' FROM foray.memory_events
					WHERE transaction_id = 'TXR' AND subject_id = 'ATT_AUDIT_001' ORDER BY event_id$$,
	$$VALUES ('ATTESTATION_ATTACHED', 'approved'), ('ATTESTATION_UPDATED', 'conditional')$$,
	'ATTESTATION_UPDATED is logged with the new outcome');

SAVEPOINT before_sp;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('TXF', 'ARR_SP_001', 'ARR', '{}');
ROLLBACK TO SAVEPOINT before_sp;
SAVEPOINT keep_sp;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('TXF', 'ARR_SP_002', 'ARR', '{}');
RELEASE SAVEPOINT keep_sp;
SELECT results_eq($$SELECT subject_id FROM foray.memory_events
					WHERE transaction_id = 'TXF' AND subject_id LIKE 'ARR\_SP\_%' ORDER BY event_id$$,
	$$VALUES ('ARR_SP_002')$$,
	'a rolled-back savepoint takes its rows'' events with it; a released one keeps them');
SELECT results_eq($$SELECT component_id FROM foray.foray_components
					WHERE transaction_id = 'TXF' AND component_id LIKE 'ARR\_SP\_%'$$,
	$$VALUES ('ARR_SP_002')$$,
	'and its rows');

-- ---------------------------------------------------------------------
-- memory_events is append-only (55R01), for the owner and for grantees:
-- the view and its two tables (a view cannot be truncated; its tables
-- refuse TRUNCATE).
-- ---------------------------------------------------------------------
SELECT throws_ok($$UPDATE foray.memory_events SET payload = '{}'$$, '55R01', NULL,
	'LOG-001: UPDATE refused to the table owner');
SELECT throws_ok($$DELETE FROM foray.memory_events$$, '55R01', NULL,
	'LOG-001: DELETE refused to the table owner');
SELECT throws_ok(format('UPDATE foray.%I SET payload = ''{}''', t), '55R01', NULL,
	'LOG-001: UPDATE of ' || t || ' refused to the table owner')
  FROM unnest('{transaction_events,engine_events}'::name[]) t;
SELECT throws_ok(format('DELETE FROM foray.%I', t), '55R01', NULL,
	'LOG-001: DELETE from ' || t || ' refused to the table owner')
  FROM unnest('{transaction_events,engine_events}'::name[]) t;
SELECT throws_ok(format('TRUNCATE foray.%I', t), '55R01', NULL,
	'LOG-001: TRUNCATE of ' || t || ' refused to the table owner')
  FROM unnest('{transaction_events,engine_events}'::name[]) t;
SELECT throws_ok($$TRUNCATE foray.transaction_events, foray.engine_events CASCADE$$, '55R01', NULL,
	'LOG-001: TRUNCATE ... CASCADE refused too');

CREATE ROLE foray_tap_writer NOLOGIN;
GRANT USAGE ON SCHEMA foray TO foray_tap_writer;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON foray.memory_events, foray.transaction_events,
	foray.engine_events TO foray_tap_writer;
SELECT is(pg_temp.sqlstate_as('foray_tap_writer', 'UPDATE foray.memory_events SET payload = ''{}'''), '55R01',
	'LOG-001: UPDATE refused to a role granted UPDATE');
SELECT is(pg_temp.sqlstate_as('foray_tap_writer', 'DELETE FROM foray.memory_events'), '55R01',
	'LOG-001: DELETE refused to a role granted DELETE');
SELECT is(pg_temp.sqlstate_as('foray_tap_writer', format('TRUNCATE foray.%I', t)), '55R01',
	'LOG-001: TRUNCATE of ' || t || ' refused to a role granted TRUNCATE')
  FROM unnest('{transaction_events,engine_events}'::name[]) t;

CREATE ROLE foray_tap_owner NOLOGIN;
GRANT USAGE ON SCHEMA foray TO foray_tap_owner;
ALTER TABLE foray.transaction_events OWNER TO foray_tap_owner;
ALTER TABLE foray.engine_events OWNER TO foray_tap_owner;
SELECT is(pg_temp.sqlstate_as('foray_tap_owner', format('UPDATE foray.%I SET payload = ''{}''', t)), '55R01',
	'LOG-001: UPDATE of ' || t || ' refused to a non-superuser owner')
  FROM unnest('{transaction_events,engine_events}'::name[]) t;
SELECT is(pg_temp.sqlstate_as('foray_tap_owner', format('DELETE FROM foray.%I', t)), '55R01',
	'LOG-001: DELETE from ' || t || ' refused to a non-superuser owner')
  FROM unnest('{transaction_events,engine_events}'::name[]) t;
SELECT is(pg_temp.sqlstate_as('foray_tap_owner', format('TRUNCATE foray.%I', t)), '55R01',
	'LOG-001: TRUNCATE of ' || t || ' refused to a non-superuser owner')
  FROM unnest('{transaction_events,engine_events}'::name[]) t;
SELECT isnt((SELECT count(*) FROM foray.memory_events), 0::bigint, 'the log still holds its events');

-- ---------------------------------------------------------------------
-- The transaction id and document timestamp CHECKs are C functions; the
-- regular expressions they replace are the oracle, over edge cases and
-- 20,000 random strings drawn from the characters that matter.
-- ---------------------------------------------------------------------
CREATE TEMP TABLE shape_corpus AS
SELECT s FROM (VALUES (''), ('A'), ('_A'), ('A_'), ('a.b:c-d_e'), ('-x'), ('x y'), ('é'), ('Aé'),
		(repeat('a', 200)), (repeat('a', 201)), ('2026-01-02'), ('2026-01-02T03:04'), ('2026-01-02 03:04:05'),
		('2026-01-02T03:04:05.123456Z'), ('2026-01-02T03:04:05+01:00'), ('2026-01-02T03:04:05-0130'),
		('2026-01-02T03:04:05.Z'), ('2026-01-02T03:04Z'), ('2026-01-02T03Z'), ('2026-1-02'), ('20260-01-02'),
		('2026-01-02T03:04:05+01'), ('2026-01-02T03:04:05+01:0'), ('2026-01-02Z'), ('2026-01-02T'),
		(E'2026-01-02\n'), ('2026-01-02T03:04:05+01:00x')) v(s)
UNION ALL
SELECT (SELECT string_agg(substr('0123456789-:T .Z+aZ_é', 1 + floor(random() * 21)::int, 1), '')
		  FROM generate_series(1, 1 + (g % 30)))
  FROM generate_series(1, 10000) g
UNION ALL
SELECT '20' || lpad((g % 100)::text, 2, '0') || '-0' || (g % 10) || '-1' || (g % 10)
	   || (ARRAY['', 'T10:11', 'T10:11:12', 'T10:11:12.5', ' 10:11:12.345Z', 'T10:11+0100', 'T10:11:12-01:00', 'T1:11', 'T10:11:1', 'T10:11:12.', 'T10:11:12+1'])[1 + g % 11]
  FROM generate_series(1, 10000) g;
SELECT is((SELECT count(*) FROM shape_corpus
			WHERE foray.is_transaction_id(s) IS DISTINCT FROM (s ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$')),
	0::bigint, 'foray.is_transaction_id agrees with its regular expression on every corpus string');
SELECT is((SELECT count(*) FROM shape_corpus
			WHERE foray.is_document_timestamp(s) IS DISTINCT FROM
				  (s ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?$')),
	0::bigint, 'foray.is_document_timestamp agrees with its regular expression on every corpus string');
SELECT cmp_ok((SELECT count(*) FROM shape_corpus WHERE foray.is_document_timestamp(s)), '>', 3000::bigint,
	'the timestamp corpus holds thousands of valid shapes, not only invalid ones');

-- the component and attestation CHECK helpers against the SQL they replace
CREATE TEMP TABLE check_corpus AS
SELECT s FROM (VALUES (''), ('ACC_'), ('ACC_1'), ('ACC_X'), ('ACC-1'), ('acc_1'), ('ACCX1'), ('ATT_é'), ('ACC_é'),
		('ACC_' || repeat('x', 196)), ('ACC_' || repeat('x', 197)), ('ACC_' || repeat('é', 196)), ('ACC_' || repeat('é', 197)),
		('sha256:' || repeat('a', 64)), ('sha256:' || repeat('A', 64)), ('sha256:' || repeat('0', 63)),
		('sha256:' || repeat('f', 65)), ('SHA256:' || repeat('0', 64)), ('sha256:' || repeat('0', 63) || 'g'),
		('sha256:' || repeat('0', 63) || 'é')) v(s)
UNION ALL
SELECT 'sha256:' || (SELECT string_agg(substr('0123456789abcdefABg', 1 + floor(random() * i.width)::int, 1), '')
					   FROM generate_series(1, 63 + (g % 3)), LATERAL (SELECT CASE WHEN g % 3 = 0 THEN 19 ELSE 16 END AS width) i)
  FROM generate_series(1, 3000) g
UNION ALL
SELECT (ARRAY['ACC', 'ATT', 'ARR', 'acc', 'AC'])[1 + g % 5] || (ARRAY['_', '-', '', '__'])[1 + (g / 5) % 4]
	   || repeat('z', (g * 7) % 203)
  FROM generate_series(1, 3000) g;
SELECT is((SELECT count(*) FROM check_corpus
			WHERE foray.is_sha256_text(s) IS DISTINCT FROM
				  (pg_catalog.length(s) = 71 AND pg_catalog.left(s, 7) = 'sha256:'
				   AND pg_catalog.ltrim(pg_catalog.substr(s, 8), '0123456789abcdef') = '')),
	0::bigint, 'foray.is_sha256_text agrees with the SQL expression it replaced');
SELECT is((SELECT count(*) FROM check_corpus, (VALUES ('ACC'), ('ATT'), ('ARR')) p(prefix)
			WHERE foray.has_id_prefix(s, prefix) IS DISTINCT FROM
				  (pg_catalog.left(s, 4) = prefix || '_' AND pg_catalog.length(s) BETWEEN 5 AND 200)),
	0::bigint, 'foray.has_id_prefix agrees with the SQL expression it replaced');
SELECT is((SELECT count(*)
			 FROM (VALUES ('ARR'), ('ACC'), ('ANT'), ('ACT')) t(ty),
				  (VALUES ('{}'::text[]), ('{A}'), ('{A,B}')) a(arr), (VALUES ('{}'::text[]), ('{C}')) b(acc),
				  (VALUES ('{}'::text[]), ('{D}')) c(ant)
			WHERE foray.refs_typed(ty, arr, acc, ant) IS DISTINCT FROM
				  CASE ty WHEN 'ARR' THEN arr = '{}' AND acc = '{}' AND ant = '{}'
						  WHEN 'ACC' THEN acc = '{}' AND ant = '{}'
						  WHEN 'ANT' THEN ant = '{}' ELSE true END),
	0::bigint, 'foray.refs_typed agrees with the CASE expression it replaced, for every type and combination');
-- the engine events' actor CHECK helper against the regular expression it replaced
CREATE TEMP TABLE uuid_corpus AS
SELECT s FROM (VALUES (''), ('00000000-0000-0000-0000-000000000000'), ('0000000-00000-0000-0000-000000000000'),
		('00000000-0000-0000-0000-00000000000'), ('00000000-0000-0000-0000-0000000000000'),
		('A0000000-0000-0000-0000-000000000000'), ('g0000000-0000-0000-0000-000000000000'),
		('00000000000000000000000000000000'), ('{00000000-0000-0000-0000-000000000000}'),
		('00000000-0000-0000-0000-00000000000é'), (E'00000000-0000-0000-0000-000000000000\n')) v(s)
UNION ALL
SELECT (SELECT string_agg(CASE WHEN i IN (9, 14, 19, 24) AND g % 4 <> 0 THEN '-'
							   ELSE substr('0123456789abcdef-Ag', 1 + floor(random() * (CASE WHEN g % 3 = 0 THEN 19 ELSE 16 END))::int, 1) END, '')
		  FROM generate_series(1, 35 + (g % 3)) i)
  FROM generate_series(1, 6000) g;
SELECT is((SELECT count(*) FROM uuid_corpus
			WHERE foray.is_uuid_text(s) IS DISTINCT FROM (s ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')),
	0::bigint, 'foray.is_uuid_text agrees with the regular expression it replaced on every corpus string');
SELECT cmp_ok((SELECT count(*) FROM uuid_corpus WHERE foray.is_uuid_text(s)), '>', 500::bigint,
	'the uuid corpus holds hundreds of valid uuids');
SELECT cmp_ok((SELECT count(*) FROM check_corpus WHERE foray.is_sha256_text(s)), '>', 500::bigint,
	'the hash corpus holds hundreds of valid hashes');

SELECT * FROM finish();
ROLLBACK;
