-- The anchor envelope, record_anchor, seal, immutability once anchored,
-- amendments and verify().  Expected hashes come from
-- test/reference/commitment.js (an independent JavaScript implementation
-- of commitment scheme 2) over test/vectors/merkle/anchor_tx.json and
-- anchor_tx_tampered.json (anchor_tx*.v2.expected.json).
\set VERBOSITY terse
-- refusals are shown as SQLSTATE: message
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	-- the 200-character id of L200 below is shown short
	RETURN SQLSTATE || ': ' || replace(SQLERRM, repeat('L', 200), 'L200');
END $$;

-- an open transaction (no component yet) has no envelope and no anchor
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, audit_data_anchor)
VALUES ('ANC_1', '2026-01-25T14:30:00Z',
		'{"entity": "Main Street Coffee Shop", "transaction_type": "cash_sale", "total_value": 50,
		  "currency": "USD", "status": "completed", "compliance_flags": []}',
		'{"audit_profile": "minimal"}');
SELECT pg_temp.err($$SELECT foray.anchor_envelope('ANC_1')$$);
SELECT pg_temp.err($$SELECT foray.record_anchor('ANC_1', 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
	'kaspa:qr0', 1, 1, now())$$);

-- the spec's cash sale: one action, ready at once
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core, audit_data)
VALUES ('ANC_1', 'ACT_CASH_SALE_001', 'ACT',
		'{"anticipation_refs": [], "accrual_refs": [], "arrangement_refs": [], "type": "cash_receipt",
		  "amount_settled": 50, "currency": "USD", "payment_method": "cash"}', '{"till": "T1"}');
SELECT lifecycle FROM foray.foray_transactions WHERE transaction_id = 'ANC_1';

-- the envelope: six fields, the hashes merkle_ref.py derives
SELECT e->>'transaction_id' AS transaction_id, e->>'schema_version' AS schema_version, e->>'timestamp' AS timestamp,
	   e->>'foray_core_hash' = 'sha256:12ecd53ddf59eecc74038f766eafd48924cbcbcbec13152e5017038f7edae267' AS core_ok,
	   e->>'audit_data_hash' = 'sha256:d7b89cc269d8e8c516ce298fc86f2fd13e30ba39f057b89e9192f0576b88eab9' AS audit_ok,
	   e->>'merkle_root' AS merkle_root,
	   (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(e) k) AS keys
  FROM foray.anchor_envelope('ANC_1') e;
-- its canonical form (flat object of ASCII strings: sorted keys, no
-- whitespace), written out here independently, is 356 bytes, under 500
SELECT octet_length('{' || string_agg(to_jsonb(k)::text || ':' || to_jsonb(v)::text, ',' ORDER BY k COLLATE "C") || '}') AS canonical_bytes
  FROM jsonb_each_text(foray.anchor_envelope('ANC_1')) AS kv(k, v);
-- a 200-character transaction_id would push it over 500 bytes: refused
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES (repeat('L', 200), '2026-01-25T14:30:00Z', '{"entity": "E", "transaction_type": "t"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES (repeat('L', 200), 'ARR_1', 'ARR', '{}');
SELECT pg_temp.err(format('SELECT foray.anchor_envelope(%L)', repeat('L', 200)));

-- record_anchor refuses bad arguments and a stale root
SELECT pg_temp.err($$SELECT foray.record_anchor('ANC_1', 'sha256:TOO-SHORT', 'kaspa:qr1', 2850000, 1100, '2026-01-25T14:30:02Z')$$);
SELECT pg_temp.err($$SELECT foray.record_anchor('ANC_1', 'sha256:d90615a80586a64bec6876221f400f374f81ec0b3c39ee463a3c3988cae8a653', '', 2850000, 1100, '2026-01-25T14:30:02Z')$$);
SELECT pg_temp.err($$SELECT foray.record_anchor('ANC_1', 'sha256:d90615a80586a64bec6876221f400f374f81ec0b3c39ee463a3c3988cae8a653', 'kaspa:qr1', -1, 1100, '2026-01-25T14:30:02Z')$$);
SELECT pg_temp.err($$SELECT foray.record_anchor('ANC_1', 'sha256:d90615a80586a64bec6876221f400f374f81ec0b3c39ee463a3c3988cae8a653', 'kaspa:qr1', 2850000, 1100, 'infinity')$$);
SELECT pg_temp.err($$SELECT foray.record_anchor('NOPE', 'sha256:d90615a80586a64bec6876221f400f374f81ec0b3c39ee463a3c3988cae8a653', 'kaspa:qr1', 2850000, 1100, '2026-01-25T14:30:02Z')$$);
-- the root of an earlier state: a second action arrives after the envelope was built
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('ANC_1', 'ACT_TIP_001', 'ACT', '{"amount_settled": 2}');
SELECT pg_temp.err($$SELECT foray.record_anchor('ANC_1', 'sha256:d90615a80586a64bec6876221f400f374f81ec0b3c39ee463a3c3988cae8a653', 'kaspa:qr1', 2850000, 1100, '2026-01-25T14:30:02Z')$$);
DELETE FROM foray.foray_components WHERE transaction_id = 'ANC_1' AND component_id = 'ACT_TIP_001';

-- the current root: anchored
SELECT foray.record_anchor('ANC_1', 'sha256:d90615a80586a64bec6876221f400f374f81ec0b3c39ee463a3c3988cae8a653',
	'kaspa:qr1', 2850000, 1100, '2026-01-25T14:30:02Z');
SELECT lifecycle, merkle_root, foray_core_hash, audit_data_hash, audit_data_anchor, anchored_at AT TIME ZONE 'UTC' AS anchored_at_utc,
	   component_hashes->>'actions' = 'sha256:76ae4b0c3a0eaca3d94450dcb57693debd1d44d991fed71a7caa3f2c1a2b3ec9' AS actions_ok
  FROM foray.foray_transactions WHERE transaction_id = 'ANC_1';
SELECT event_kind, subject_kind, subject_id, payload->>'merkle_root' AS merkle_root, payload->>'kaspa_tx_id' AS kaspa_tx_id
  FROM foray.memory_events WHERE event_kind = 'TRANSACTION_ANCHORED' AND transaction_id = 'ANC_1';
-- the anchor service retrying the same call changes nothing; another anchor is refused
SELECT foray.record_anchor('ANC_1', 'sha256:d90615a80586a64bec6876221f400f374f81ec0b3c39ee463a3c3988cae8a653',
	'kaspa:qr1', 2850000, 1100, '2026-01-25T14:30:02Z') ->> 'kaspa_tx_id' AS retried;
SELECT count(*) AS anchored_events FROM foray.memory_events WHERE event_kind = 'TRANSACTION_ANCHORED' AND transaction_id = 'ANC_1';
SELECT pg_temp.err($$SELECT foray.record_anchor('ANC_1', 'sha256:d90615a80586a64bec6876221f400f374f81ec0b3c39ee463a3c3988cae8a653', 'kaspa:qr2', 2850001, 900, '2026-01-25T14:30:05Z')$$);
-- the envelope of an anchored transaction is what was anchored
SELECT foray.anchor_envelope('ANC_1')->>'merkle_root' AS anchored_root;

-- immutable from now on: every write touching it is refused (23R32)
SELECT pg_temp.err($$UPDATE foray.foray_components SET foray_core = '{"amount_settled": 60}' WHERE transaction_id = 'ANC_1'$$);
SELECT pg_temp.err($$UPDATE foray.foray_components SET audit_data = NULL WHERE transaction_id = 'ANC_1'$$);
SELECT pg_temp.err($$UPDATE foray.foray_components SET status = 'settled' WHERE transaction_id = 'ANC_1'$$);
SELECT pg_temp.err($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES ('ANC_1', 'ARR_LATE', 'ARR', '{}')$$);
SELECT pg_temp.err($$DELETE FROM foray.foray_components WHERE transaction_id = 'ANC_1'$$);
SELECT pg_temp.err($$INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core) VALUES ('ANC_1', 'ATT_LATE',
	'{"attestor": "A", "attestor_hash": "h", "attestor_type": "auditor", "subject_refs": ["ACT_CASH_SALE_001"],
	  "attestation_type": "audit_opinion", "attestation_date": "2026-02-01", "outcome": "approved"}')$$);
SELECT pg_temp.err($$UPDATE foray.foray_transactions SET foray_core = foray_core || '{"total_value": 55}' WHERE transaction_id = 'ANC_1'$$);
SELECT pg_temp.err($$UPDATE foray.foray_transactions SET privacy_metadata = '{}' WHERE transaction_id = 'ANC_1'$$);
SELECT pg_temp.err($$DELETE FROM foray.foray_transactions WHERE transaction_id = 'ANC_1'$$);
SELECT pg_temp.err($$TRUNCATE foray.foray_components$$);
SELECT pg_temp.err($$TRUNCATE foray.foray_attestations$$);
SELECT pg_temp.err($$TRUNCATE foray.foray_transactions CASCADE$$);
-- moving a component of another transaction into it is refused too
SELECT pg_temp.err(format('UPDATE foray.foray_components SET transaction_id = %L WHERE transaction_id = %L', 'ANC_1', repeat('L', 200)));
-- other transactions stay writable
SELECT pg_temp.err(format('UPDATE foray.foray_components SET foray_core = %L WHERE transaction_id = %L', '{"x": 1}', repeat('L', 200)));

-- seal: only after the anchor, once
SELECT pg_temp.err(format('SELECT foray.seal(%L, %L)', repeat('L', 200), 's3://archive/L'));
SELECT pg_temp.err($$SELECT foray.seal('ANC_1', '')$$);
SELECT foray.seal('ANC_1', 's3://archive/ANC_1') IS NOT NULL AS sealed;
SELECT lifecycle, sealed_archive_ref, sealed_at IS NOT NULL AS has_sealed_at FROM foray.foray_transactions WHERE transaction_id = 'ANC_1';
SELECT event_kind, payload FROM foray.memory_events WHERE event_kind = 'TRANSACTION_SEALED' AND transaction_id = 'ANC_1';
SELECT foray.seal('ANC_1', 's3://archive/ANC_1') IS NOT NULL AS sealed_again;
SELECT pg_temp.err($$SELECT foray.seal('ANC_1', 's3://archive/OTHER')$$);
SELECT pg_temp.err($$UPDATE foray.foray_transactions SET sealed_archive_ref = 'x' WHERE transaction_id = 'ANC_1'$$);

-- verify(): nothing to report ...
SELECT count(*) AS findings FROM foray.verify('ANC_1') WHERE component_id IS NULL;
-- ... until a superuser edits rows behind the triggers' back
SET session_replication_role = replica;
UPDATE foray.foray_components SET foray_core = jsonb_set(foray_core, '{amount_settled}', '5000'),
	   audit_data = '{"till": "T2"}'
 WHERE transaction_id = 'ANC_1';
UPDATE foray.foray_transactions SET foray_core = jsonb_set(foray_core, '{total_value}', '5000')
 WHERE transaction_id = 'ANC_1';
RESET session_replication_role;
-- every difference is reported, with what the tampered rows hash to now
-- (stored values are left out: the anchored ones above)
SELECT component_id, field,
	   recomputed = CASE field
			WHEN 'component_hash' THEN 'sha256:bf063c4b675ee357a5f93770bef9cb3ebabc4e52c662778c2c4ea5d4318282ad'
			WHEN 'foray_core_hash' THEN 'sha256:e20f88a27ecb4a22ed407528b094b899456ad44adc576e1b59dd1ea4744b89e7'
			WHEN 'audit_data_hash' THEN 'sha256:ef87a6a5419258e4bfff087d87306d3f865c062217ff423da26227d4946fbb75'
			WHEN 'audit_data_anchor.audit_data_hash' THEN 'sha256:ef87a6a5419258e4bfff087d87306d3f865c062217ff423da26227d4946fbb75'
			WHEN 'component_hashes.actions' THEN 'sha256:c1a8be5075decd99346c09c4e08dc755d9f1ce21bcc83cdef41db6fd2c2a0ec6'
			WHEN 'merkle_root' THEN 'sha256:1c06c6b1951d828f6632828d3ff03c1deccb36a59214f005812bebbac4bafe18'
	   END AS recomputed_ok,
	   stored IS NOT DISTINCT FROM CASE field
			WHEN 'foray_core_hash' THEN 'sha256:12ecd53ddf59eecc74038f766eafd48924cbcbcbec13152e5017038f7edae267'
			WHEN 'merkle_root' THEN 'sha256:d90615a80586a64bec6876221f400f374f81ec0b3c39ee463a3c3988cae8a653'
			ELSE stored END AS stored_is_anchored
  FROM foray.verify('ANC_1')
 WHERE component_id IS NULL OR component_id = 'ACT_CASH_SALE_001'
 ORDER BY field COLLATE "C";
-- verify() of everything reports the same rows for it
SELECT count(*) AS findings_for_anc_1 FROM foray.verify() WHERE transaction_id = 'ANC_1'
   AND (component_id IS NULL OR component_id = 'ACT_CASH_SALE_001');

-- corrections are new transactions that amend the original
SELECT pg_temp.err(format('SELECT foray.amend_transaction(%L, %L)', repeat('L', 200), 'L_FIX'));
SELECT pg_temp.err($$SELECT foray.amend_transaction('NOPE', 'NOPE_FIX')$$);
SELECT foray.amend_transaction('ANC_1', 'ANC_1_FIX');
SELECT transaction_id, lifecycle, amends_transaction_id, audit_data_anchor
  FROM foray.foray_transactions WHERE transaction_id IN ('ANC_1', 'ANC_1_FIX') ORDER BY 1;
SELECT component_id, status FROM foray.foray_components WHERE transaction_id = 'ANC_1_FIX';
-- the copy is open for correction, the original is not
UPDATE foray.foray_components SET foray_core = jsonb_set(foray_core, '{amount_settled}', '50')
 WHERE transaction_id = 'ANC_1_FIX';
SELECT (SELECT merkle_root FROM foray.transaction_hashes('ANC_1_FIX')) <> 'sha256:d90615a80586a64bec6876221f400f374f81ec0b3c39ee463a3c3988cae8a653' AS differs_from_original_because_core_total_was_tampered;
