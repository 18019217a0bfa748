-- Commitment scheme 2 (docs/merkle.md): everything committed is checked
-- when written, the root binds identity, and verify() checks an anchored
-- transaction against the envelope and root its TRANSACTION_ANCHORED event
-- recorded.  (Hash values: sql/merkle.sql, sql/anchor.sql and the vectors.)
\set VERBOSITY terse
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- ---------------------------------------------------------------------
-- What is committed is refused when written if it could not be hashed
-- ---------------------------------------------------------------------
-- a transaction's foray_core: a number that would change value (22R21),
-- one that is not a finite double (22R20), nesting past 1,000 (22R23)
SELECT pg_temp.err($$INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
	VALUES ('CM_BAD', '2026-01-01', '{"entity": "E", "transaction_type": "t", "n": 9007199254740993}')$$);
SELECT pg_temp.err($$INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
	VALUES ('CM_BAD', '2026-01-01', '{"entity": "E", "transaction_type": "t", "x": [1, 1e400]}')$$);
SELECT pg_temp.err(format($$INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
	VALUES ('CM_BAD', '2026-01-01', '{"entity": "E", "transaction_type": "t", "deep": %s1%s}')$$,
	repeat('[', 1001), repeat(']', 1001)));
-- audit_data_anchor: an object or SQL NULL (AUDIT-002), hashable
SELECT pg_temp.err($$INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, audit_data_anchor)
	VALUES ('CM_BAD', '2026-01-01', '{"entity": "E", "transaction_type": "t"}', 'null')$$);
SELECT pg_temp.err($$INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, audit_data_anchor)
	VALUES ('CM_BAD', '2026-01-01', '{"entity": "E", "transaction_type": "t"}', '"s3://audit"')$$);
SELECT pg_temp.err($$INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, audit_data_anchor)
	VALUES ('CM_BAD', '2026-01-01', '{"entity": "E", "transaction_type": "t"}', '["audit_data_hash"]')$$);
SELECT pg_temp.err($$INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, audit_data_anchor)
	VALUES ('CM_BAD', '2026-01-01', '{"entity": "E", "transaction_type": "t"}', '{"size": 12345678901234567.89}')$$);
-- nothing half-written
SELECT count(*) AS cm_bad_rows FROM foray.foray_transactions WHERE transaction_id = 'CM_BAD';

INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, audit_data_anchor)
VALUES ('CM_1', '2026-05-01T10:00:00Z', '{"entity": "E", "transaction_type": "t"}', '{"audit_profile": "p"}');
-- the same on UPDATE
SELECT pg_temp.err($$UPDATE foray.foray_transactions SET foray_core = '{"entity": "E", "transaction_type": "t", "n": 1e400}'
	WHERE transaction_id = 'CM_1'$$);
SELECT pg_temp.err($$UPDATE foray.foray_transactions SET audit_data_anchor = '42' WHERE transaction_id = 'CM_1'$$);
-- a component's and an attestation's audit data: any JSON but null (AUDIT-001), hashable
SELECT pg_temp.err($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core, audit_data)
	VALUES ('CM_1', 'ARR_1', 'ARR', '{}', 'null')$$);
SELECT pg_temp.err($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core, audit_data)
	VALUES ('CM_1', 'ARR_1', 'ARR', '{}', '{"v": [1, 2, 1e400]}')$$);
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core, audit_data)
VALUES ('CM_1', 'ARR_1', 'ARR', '{}', '"a string is audit data"'),
	   ('CM_1', 'ACT_1', 'ACT', '{"arrangement_refs": ["ARR_1"], "amount_settled": 10}', NULL);
SELECT pg_temp.err($$UPDATE foray.foray_components SET audit_data = '{"n": 9007199254740993}'
	WHERE transaction_id = 'CM_1' AND component_id = 'ARR_1'$$);
SELECT pg_temp.err($$INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core, audit_data)
	VALUES ('CM_1', 'ATT_1', '{"attestor": "Lab", "attestor_hash": "sha256:0000000000000000000000000000000000000000000000000000000000000000",
		"attestor_type": "laboratory", "attestor_credentials": [], "subject_refs": ["ACT_1"], "attestation_type": "analysis",
		"attestation_date": "2026-05-01", "outcome": "approved", "dependencies": []}', 'null')$$);
-- commitment_scheme is the substrate's
SELECT pg_temp.err($$INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, commitment_scheme)
	VALUES ('CM_OLD', '2026-01-01', '{"entity": "E", "transaction_type": "t"}', 1)$$);
SELECT pg_temp.err($$UPDATE foray.foray_transactions SET commitment_scheme = 1 WHERE transaction_id = 'CM_1'$$);
SELECT commitment_scheme, lifecycle FROM foray.foray_transactions WHERE transaction_id = 'CM_1';
-- so no stored row can make the hashing fail
SELECT merkle_root IS NOT NULL AS hashable, commitment_scheme FROM foray.transaction_hashes('CM_1');

-- ---------------------------------------------------------------------
-- The root binds identity
-- ---------------------------------------------------------------------
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, audit_data_anchor)
VALUES ('CM_2', '2026-05-01T10:00:00Z', '{"entity": "E", "transaction_type": "t"}', '{"audit_profile": "p"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core, audit_data)
VALUES ('CM_2', 'ARR_1', 'ARR', '{}', '"a string is audit data"'),
	   ('CM_2', 'ACT_1', 'ACT', '{"arrangement_refs": ["ARR_1"], "amount_settled": 10}', NULL);
COMMIT;
-- the same content under another transaction id: every member tree differs
-- (each leaf names its transaction), so does merkle_root
SELECT a.foray_core_hash = b.foray_core_hash AS same_core,
	   a.component_hashes ->> 'actions' <> b.component_hashes ->> 'actions' AS actions_differ,
	   a.audit_data_hash <> b.audit_data_hash AS audit_differs,
	   a.merkle_root <> b.merkle_root AS roots_differ
  FROM foray.transaction_hashes('CM_1') a, foray.transaction_hashes('CM_2') b;
-- a proof of CM_1's member does not prove it in CM_2
SELECT foray.verify_inclusion(foray.inclusion_proof('CM_1', 'ACT_1'),
	(SELECT merkle_root FROM foray.transaction_hashes('CM_2'))) AS cm1_proof_in_cm2;
-- the envelope states its scheme; its canonical text is what goes on chain
SELECT e ->> 'commitment_scheme' AS scheme,
	   foray.anchor_envelope_text('CM_1') = foray.foray_canonicalize(e) AS text_is_canonical,
	   octet_length(foray.anchor_envelope_text('CM_1')) = 353 + length('CM_1') + length('2026-05-01T10:00:00Z') AS size_353_plus,
	   foray.anchor_envelope_sha256('CM_1') = foray.sha256_text(convert_to(foray.anchor_envelope_text('CM_1'), 'UTF8')) AS sha256_of_text
  FROM foray.anchor_envelope('CM_1') e;
-- 146 characters of id and timestamp fit under 500 bytes, 147 do not
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES (repeat('A', 126), '2026-05-01T10:00:00Z', '{"entity": "E", "transaction_type": "t"}'),
	   (repeat('B', 127), '2026-05-01T10:00:00Z', '{"entity": "E", "transaction_type": "t"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES (repeat('A', 126), 'ARR_1', 'ARR', '{}'), (repeat('B', 127), 'ARR_1', 'ARR', '{}');
COMMIT;
SELECT octet_length(foray.anchor_envelope_text(repeat('A', 126))) AS bytes_for_126;
SELECT pg_temp.err(format('SELECT foray.anchor_envelope(%L)', repeat('B', 127)));

-- ---------------------------------------------------------------------
-- verify() checks what was anchored against its TRANSACTION_ANCHORED event
-- ---------------------------------------------------------------------
SELECT foray.record_anchor('CM_1', (SELECT merkle_root FROM foray.transaction_hashes('CM_1')),
	'kaspa:cm1', 10, 900, '2026-05-02T00:00:00Z') ->> 'kaspa_tx_id' AS anchored;
SELECT payload -> 'envelope' = foray.anchor_envelope('CM_1') AS event_holds_the_envelope,
	   (payload ->> 'commitment_scheme')::int AS event_scheme
  FROM foray.memory_events WHERE transaction_id = 'CM_1' AND event_kind = 'TRANSACTION_ANCHORED';
SELECT count(*) AS findings_before FROM foray.verify('CM_1');
-- a superuser edits behind the triggers' back; each edit is found, then undone
SET session_replication_role = replica;
-- a component renamed (the bytewise order unchanged)
UPDATE foray.foray_components SET component_id = 'ACT_2' WHERE transaction_id = 'CM_1' AND component_id = 'ACT_1';
SELECT field FROM foray.verify('CM_1') ORDER BY 1;
SELECT foray.verify_inclusion(foray.inclusion_proof('CM_1', 'ACT_2'),
	(SELECT merkle_root FROM foray.foray_transactions WHERE transaction_id = 'CM_1')) AS renamed_proof_verifies;
UPDATE foray.foray_components SET component_id = 'ACT_1' WHERE transaction_id = 'CM_1' AND component_id = 'ACT_2';
-- the document timestamp changed
UPDATE foray.foray_transactions SET document_timestamp = '2026-05-01T10:00:01Z' WHERE transaction_id = 'CM_1';
SELECT field, stored, recomputed FROM foray.verify('CM_1') WHERE field LIKE 'envelope.timestamp' ORDER BY 1;
SELECT count(*) FILTER (WHERE field = 'merkle_root') AS root_found_changed FROM foray.verify('CM_1');
UPDATE foray.foray_transactions SET document_timestamp = '2026-05-01T10:00:00Z' WHERE transaction_id = 'CM_1';
-- the chain transaction id changed
UPDATE foray.foray_transactions SET blockchain_anchor = blockchain_anchor || '{"kaspa_tx_id": "kaspa:forged"}'
 WHERE transaction_id = 'CM_1';
SELECT field, stored, recomputed FROM foray.verify('CM_1');
UPDATE foray.foray_transactions SET blockchain_anchor = blockchain_anchor || '{"kaspa_tx_id": "kaspa:cm1"}'
 WHERE transaction_id = 'CM_1';
-- a consistent rewrite: a core changed and every stored hash made to match
-- it; only the append-only log still holds the anchored root
UPDATE foray.foray_components SET foray_core = '{"arrangement_refs": ["ARR_1"], "amount_settled": 99}',
	   component_hash = foray.foray_hash('{"arrangement_refs": ["ARR_1"], "amount_settled": 99}')
 WHERE transaction_id = 'CM_1' AND component_id = 'ACT_1';
UPDATE foray.foray_transactions t SET merkle_root = h.merkle_root, component_hashes = h.component_hashes
  FROM foray.transaction_hashes('CM_1') h WHERE t.transaction_id = 'CM_1';
SELECT field FROM foray.verify('CM_1') ORDER BY 1;
-- the event itself removed: reported too
DELETE FROM foray.transaction_events WHERE transaction_id = 'CM_1' AND event_kind = 'TRANSACTION_ANCHORED';
SELECT field, recomputed FROM foray.verify('CM_1') WHERE field = 'TRANSACTION_ANCHORED';
RESET session_replication_role;
