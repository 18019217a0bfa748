-- Anchoring the log (docs/log.md, "Anchoring checkpoints", "Immutable once
-- logged", "The whole chain of one transaction", "Verification").  Only
-- verdicts, counts, fields and SQLSTATEs are printed: the hashes are
-- checked against outside references by test/suites/49_log_anchor.sh.
-- Runs in a database of its own (the other files leave a log behind).
\set VERBOSITY terse
SELECT current_database() AS regress_db \gset
CREATE DATABASE foray_log_anchor_regress;
\c foray_log_anchor_regress
SET client_min_messages = warning;
CREATE EXTENSION foray_substrate;
RESET client_min_messages;
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
SELECT foray.log_set_origin('example.com/foray/anchor-regress');
-- the empty log's checkpoint, taken first
SELECT foray.log_checkpoint() AS empty_cp \gset

-- four ready transactions (one with an attestation), one open
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
SELECT 'LA_' || i, '2026-04-0' || i || 'T08:00:00Z', jsonb_build_object('entity', 'LA', 'transaction_type', 't', 'n', i)
  FROM generate_series(1, 5) i;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core, audit_data)
SELECT 'LA_' || i, 'ARR_1', 'ARR', jsonb_build_object('n', i), CASE WHEN i = 2 THEN '{"seen": true}'::jsonb END
  FROM generate_series(1, 5) i;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('LA_5', 'ACC_1', 'ACC', '{"arrangement_refs": ["ARR_1"]}');
UPDATE foray.foray_components SET status = 'reversed' WHERE transaction_id = 'LA_5' AND component_id = 'ARR_1';
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
VALUES ('LA_3', 'ATT_1', '{"attestor": "Lab", "attestor_hash": "sha256:ab", "attestor_type": "laboratory",
	"subject_refs": ["ARR_1"], "attestation_type": "analysis", "attestation_date": "2026-04-01", "outcome": "approved"}');
SELECT transaction_id, lifecycle FROM foray.foray_transactions ORDER BY 1;

-- ---------------------------------------------------------------------
-- Committed to the log: in the anchor queue with its index, immutable
-- ---------------------------------------------------------------------
SELECT log_index, transaction_id FROM foray.log_append_ready();
SELECT transaction_id, log_index FROM foray.anchor_queue ORDER BY 1;
SELECT foray.log_index('LA_2') AS logged, foray.log_index('LA_5') IS NULL AS open_not_logged;
SELECT pg_temp.err($$INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES ('LA_1', 'ARR_2', 'ARR', '{}')$$);
SELECT pg_temp.err($$UPDATE foray.foray_components SET audit_data = '{"x": 1}' WHERE transaction_id = 'LA_2'$$);
SELECT pg_temp.err($$DELETE FROM foray.foray_components WHERE transaction_id = 'LA_2'$$);
SELECT pg_temp.err($$UPDATE foray.foray_attestations SET audit_data = '{"x": 1}' WHERE transaction_id = 'LA_3'$$);
SELECT pg_temp.err($$UPDATE foray.foray_transactions SET extra_fields = '{"x": 1}' WHERE transaction_id = 'LA_4'$$);
SELECT pg_temp.err($$DELETE FROM foray.foray_transactions WHERE transaction_id = 'LA_4'$$);
SELECT pg_temp.err($$TRUNCATE foray.foray_components$$);
SELECT pg_temp.err($$TRUNCATE foray.foray_attestations$$);
SELECT pg_temp.err($$TRUNCATE foray.foray_transactions, foray.foray_components, foray.foray_attestations$$);
-- the open one is not in the log and can still change
UPDATE foray.foray_components SET foray_core = '{"n": 50}' WHERE transaction_id = 'LA_5' AND component_id = 'ARR_1';
SELECT pg_temp.err($$SELECT foray.amend_transaction('LA_5', 'LA_5_FIX')$$);
SELECT foray.amend_transaction('LA_4', 'LA_4_FIX'), foray.log_index('LA_4_FIX') IS NULL AS fix_not_logged;

-- ---------------------------------------------------------------------
-- One checkpoint anchors them all
-- ---------------------------------------------------------------------
SELECT foray.log_checkpoint() AS cp \gset
SELECT r->>'transactions_anchored' AS anchored, r->>'tree_size' AS tree_size, r->>'kaspa_tx_id' AS kaspa,
	   r->>'anchored_at' AS anchored_at, r->>'origin' AS origin,
	   r->>'root' = (foray.log_parse_checkpoint(:'cp')).root AS root_is_the_checkpoints
  FROM foray.record_checkpoint_anchor(:'cp', 'kaspa:regress-1', 42, 1000, '2026-04-09T10:00:00Z') r;
SELECT transaction_id, lifecycle, blockchain_anchor - 'log_root' AS anchor,
	   blockchain_anchor->>'log_root' = (foray.log_parse_checkpoint(:'cp')).root AS log_root_is_the_checkpoints
  FROM foray.foray_transactions WHERE transaction_id LIKE 'LA\__' ORDER BY 1;
SELECT count(*) AS queue FROM foray.anchor_queue WHERE log_index IS NOT NULL;
SELECT tree_size, kaspa_tx_id, block_height, confirmation_time_ms, transactions_anchored FROM foray.log_anchors;
-- again: the stored anchor, nothing more
SELECT r->>'transactions_anchored' AS anchored FROM foray.record_checkpoint_anchor(:'cp', 'kaspa:regress-1', 42, 1000, '2026-04-09T10:00:00Z') r;
SELECT pg_temp.err(format('SELECT foray.record_checkpoint_anchor(%L, %L, 1, 1, now())', :'cp', 'kaspa:other'));
SELECT pg_temp.err(format('SELECT foray.record_checkpoint_anchor(%L, %L, 1, 1, now())', replace(:'cp', 'anchor-regress', 'anchor-regres'), 'kaspa:x'));
SELECT pg_temp.err(format('SELECT foray.record_checkpoint_anchor(%L, %L, 1, 1, now())', :'cp' || 'extension line' || chr(10), 'kaspa:x'));
SELECT pg_temp.err(format('SELECT foray.record_checkpoint_anchor(%L, %L, 1, 1, now())', :'empty_cp', 'kaspa:x'));
SELECT pg_temp.err(format('SELECT foray.record_checkpoint_anchor(%L, %L, 1, 1, now())', 'not a checkpoint', 'kaspa:x'));
SELECT pg_temp.err(format('SELECT foray.record_checkpoint_anchor(%L, %L, 1, 1, now())', :'cp', ''));
SELECT pg_temp.err(format('SELECT foray.record_checkpoint_anchor(%L, %L, -1, 1, now())', :'cp', 'kaspa:x'));
SELECT pg_temp.err(format('SELECT foray.record_checkpoint_anchor(%L, %L, 1, -1, now())', :'cp', 'kaspa:x'));
SELECT pg_temp.err(format('SELECT foray.record_checkpoint_anchor(%L, %L, 1, 1, %L)', :'cp', 'kaspa:x', '-infinity'));
SELECT foray.record_checkpoint_anchor(NULL, 'k', 1, 1, now()) IS NULL AS strict;

-- ---------------------------------------------------------------------
-- Proof chains: every member, verified; tampered, refused
-- ---------------------------------------------------------------------
SELECT m.transaction_id, m.id, foray.verify_proof_chain(foray.proof_chain(m.transaction_id, m.id), :'cp') AS verifies
  FROM (SELECT transaction_id, component_id AS id FROM foray.foray_components
		UNION ALL SELECT transaction_id, attestation_id FROM foray.foray_attestations) m
 WHERE m.transaction_id LIKE 'LA\__' AND m.transaction_id <> 'LA_5' ORDER BY 1, 2;
SELECT foray.proof_chain('LA_1', 'ARR_1') AS chain \gset
SELECT foray.verify_proof_chain(:'chain', :'cp' || ' ') AS other_payload,
	   foray.verify_proof_chain(jsonb_set(:'chain', '{envelope,timestamp}', '"2026-04-01T08:00:01Z"'), :'cp') AS other_timestamp,
	   foray.verify_proof_chain(jsonb_set(:'chain', '{subject_id}', '"ARR_2"'), :'cp') AS other_subject,
	   foray.verify_proof_chain(jsonb_set(:'chain', '{log,leaf_index}', '1'), :'cp') AS other_index,
	   foray.verify_proof_chain(jsonb_set(:'chain', '{transaction_id}', '"LA_2"'), :'cp') AS other_transaction;
SELECT pg_temp.err(format('SELECT foray.verify_proof_chain(%L, %L)', '[]', :'cp'));
SELECT pg_temp.err(format('SELECT foray.verify_proof_chain(%L, %L)', :'chain'::jsonb - 'envelope', :'cp'));
SELECT pg_temp.err(format('SELECT foray.verify_proof_chain(%L, %L)', jsonb_set(:'chain', '{log}', 'null'), :'cp'));
SELECT pg_temp.err(format('SELECT foray.verify_proof_chain(%L, %L)', jsonb_set(:'chain', '{log,path}', '"x"'), :'cp'));
SELECT pg_temp.err(format('SELECT foray.verify_proof_chain(%L, %L)', jsonb_set(:'chain', '{checkpoint}', '"x"'), :'cp'));
SELECT pg_temp.err(format('SELECT foray.verify_proof_chain(%L, %L)', :'chain'::jsonb #- '{component,steps}', :'cp'));
SELECT foray.verify_proof_chain(NULL, 'x') IS NULL AS strict, foray.proof_chain(NULL, 'ARR_1') IS NULL AS null_tx,
	   foray.proof_chain('LA_1', NULL) IS NULL AS null_subject;
SELECT pg_temp.err($$SELECT foray.proof_chain('LA_5', 'ARR_1')$$);
SELECT pg_temp.err($$SELECT foray.proof_chain('LA_4_FIX', 'ARR_1')$$);
SELECT pg_temp.err($$SELECT foray.proof_chain('LA_1', 'ARR_9')$$);
SELECT pg_temp.err($$SELECT foray.proof_chain('LA_1', 'ARR_1', 3)$$);
SELECT pg_temp.err($$SELECT foray.proof_chain('LA_1', 'ARR_1', -1)$$);
SELECT foray.log_append('LA_4_FIX') AS fix_index;
SELECT pg_temp.err($$SELECT foray.proof_chain('LA_4_FIX', 'ARR_1')$$);
SELECT foray.log_checkpoint() AS cp2 \gset
SELECT (c->'anchor') IS NULL OR c->'anchor' = 'null' AS not_anchored_yet, (c->'log'->>'tree_size')::int AS tree_size,
	   foray.verify_proof_chain(c, :'cp2') AS verifies
  FROM foray.proof_chain('LA_4_FIX', 'ARR_1') c;

-- ---------------------------------------------------------------------
-- foray.verify(): the log as a whole, and what changed behind its back
-- ---------------------------------------------------------------------
SELECT count(*) AS findings FROM foray.verify();
SET session_replication_role = replica;
UPDATE foray.foray_components SET foray_core = '{"n": 9}', component_hash = NULL WHERE transaction_id = 'LA_4_FIX';
DELETE FROM foray.foray_transactions WHERE transaction_id = 'LA_2';
UPDATE foray.log_entries SET subtree_hashes = overlay(subtree_hashes placing '\x00'::bytea from 1) WHERE log_index = 3;
UPDATE foray.log_anchors SET root_hash = sha256('x'::bytea);
UPDATE foray.foray_transactions SET blockchain_anchor = blockchain_anchor || '{"log_tree_size": 3}' WHERE transaction_id = 'LA_3';
INSERT INTO foray.log_checkpoints (tree_size, root_hash, checkpoint)
	SELECT 7, root_hash, replace(checkpoint, E'\n5\n', E'\n7\n') FROM foray.log_checkpoints WHERE tree_size = 5;
RESET session_replication_role;
SELECT transaction_id, field FROM foray.verify() WHERE field LIKE 'log.%' OR field LIKE '%log_%' ORDER BY 1, 2;
SELECT transaction_id, field FROM foray.verify('LA_1') ORDER BY 1, 2;
-- a changed logged transaction: the checkpoint cannot anchor it
SELECT substr(pg_temp.err(format('SELECT foray.record_checkpoint_anchor(%L, %L, 1, 1, now())', :'cp2', 'kaspa:regress-2')), 1, 5) AS refused;

\c :regress_db
DROP DATABASE foray_log_anchor_regress;
