-- The published FORAY examples (test/examples/, from the protocol's
-- repository): each validated, imported when the substrate can hold it,
-- then its hashes, anchor envelope and verification shown.
\pset footer off
\pset format wrapped
\set ON_ERROR_STOP 0
\set VERBOSITY terse
CREATE TEMP TABLE demo_docs (file text, doc jsonb);
\set f auto-loan-john-doe-v3.json
\set doc `cat :examples/:f`
INSERT INTO demo_docs VALUES (:'f', :'doc');
\set f batch-payment-v41.json
\set doc `cat :examples/:f`
INSERT INTO demo_docs VALUES (:'f', :'doc');
\set f cash-sale-v41.json
\set doc `cat :examples/:f`
INSERT INTO demo_docs VALUES (:'f', :'doc');
\set f depreciation-v41.json
\set doc `cat :examples/:f`
INSERT INTO demo_docs VALUES (:'f', :'doc');
\set f energy-solar-ppa-morocco-spain-v3.json
\set doc `cat :examples/:f`
INSERT INTO demo_docs VALUES (:'f', :'doc');
\set f fx-spot-usdjpy-v41.json
\set doc `cat :examples/:f`
INSERT INTO demo_docs VALUES (:'f', :'doc');
\set f luxury-watch-authentication-v41.json
\set doc `cat :examples/:f`
INSERT INTO demo_docs VALUES (:'f', :'doc');
\set f manufacturing-work-order-v41.json
\set doc `cat :examples/:f`
INSERT INTO demo_docs VALUES (:'f', :'doc');
\set f manuka-honey-provenance-v41.json
\set doc `cat :examples/:f`
INSERT INTO demo_docs VALUES (:'f', :'doc');
\set f overnight-repo-v41.json
\set doc `cat :examples/:f`
INSERT INTO demo_docs VALUES (:'f', :'doc');
\set f rmbs-transaction-v3.json
\set doc `cat :examples/:f`
INSERT INTO demo_docs VALUES (:'f', :'doc');
\set f salesforce-opportunity-v41.json
\set doc `cat :examples/:f`
INSERT INTO demo_docs VALUES (:'f', :'doc');

\echo
\echo '== every published example, validated: the rules each one breaks, how often (w: warning)'
SELECT d.file, coalesce(sum(r.n), 0) AS findings,
	   coalesce(string_agg(r.rule || CASE WHEN r.n > 1 THEN ' x' || r.n ELSE '' END, ', ' ORDER BY r.rule), 'valid') AS rules
  FROM demo_docs d
  LEFT JOIN LATERAL (SELECT v.rule_id || CASE WHEN v.severity = 'warning' THEN ' (w)' ELSE '' END AS rule, count(*) AS n
					   FROM foray.validate_document(d.doc) v GROUP BY 1) r ON true
 GROUP BY d.file ORDER BY d.file;
\echo '   every finding of one: \\set doc `cat test/examples/fx-spot-usdjpy-v41.json`'
\echo '                         SELECT * FROM foray.validate_document(:''doc'');'

\echo '== imported: a structural violation refuses a document; content ones are admitted on request, logged'
CREATE TEMP TABLE demo_import AS
SELECT file, doc ->> 'transaction_id' AS transaction_id, NULL::text AS outcome FROM demo_docs;
DO $$
DECLARE
	r record;
	res jsonb;
BEGIN
	FOR r IN SELECT d.file, d.doc FROM demo_docs d ORDER BY d.file LOOP
		BEGIN
			res := foray.import_document(r.doc, admit_content_violations => true);
			UPDATE demo_import SET outcome = res ->> 'status' WHERE file = r.file;
		EXCEPTION WHEN OTHERS THEN
			UPDATE demo_import SET outcome = 'refused, ' || SQLSTATE || ': ' || regexp_replace(SQLERRM, '^document "[^"]*" ', '')
			 WHERE file = r.file;
		END;
	END LOOP;
END $$;
SELECT file, outcome FROM demo_import ORDER BY file;

\echo '== their lifecycle, Merkle roots (shortened) and anchor envelopes (canonical form, bytes)'
SELECT t.transaction_id, t.lifecycle, left(h.merkle_root, 23) || '...' AS merkle_root,
	   octet_length(foray.foray_canonicalize(foray.anchor_envelope(t.transaction_id))) AS envelope_bytes
  FROM foray.foray_transactions t, LATERAL foray.transaction_hashes(t.transaction_id) h
 ORDER BY t.transaction_id;
\echo '   in full: SELECT * FROM foray.transaction_hashes(''RETAIL_2026_CASH_SALE_001'');'
\echo '== one envelope in full; what goes on chain is its canonical text, 376 bytes:'
\echo '   SELECT foray.foray_canonicalize(foray.anchor_envelope(''RETAIL_2026_CASH_SALE_001''));'
SELECT jsonb_pretty(foray.anchor_envelope('RETAIL_2026_CASH_SALE_001')) AS envelope;

\echo '== anchoring a ready transaction: the anchor service records what it anchored'
SELECT jsonb_pretty(foray.record_anchor(t.transaction_id, h.merkle_root, 'kaspa:qr' || left(md5(t.transaction_id), 20), 2850000,
										1100, '2026-02-15T10:00:02Z')) AS blockchain_anchor
  FROM foray.foray_transactions t, LATERAL foray.transaction_hashes(t.transaction_id) h
 WHERE t.transaction_id = 'DEMO_2026_Q1_PAYMENT_001';
\echo '== an inclusion proof for one component, checked with nothing but the leaf, the path and the root'
SELECT left(p ->> 'leaf_hash', 23) || '...' AS leaf_hash, jsonb_array_length(p -> 'steps') AS steps,
	   foray.verify_inclusion(p ->> 'leaf_hash', p, p ->> 'merkle_root') AS verifies,
	   foray.verify_inclusion(p ->> 'leaf_hash', p, (SELECT merkle_root FROM foray.foray_transactions
													 WHERE transaction_id = 'DEMO_2026_Q1_PAYMENT_001')) AS against_anchored_root
  FROM foray.inclusion_proof('DEMO_2026_Q1_PAYMENT_001', 'ACT_PAYMENT_001') p;
\echo '   the proof in full:'
\echo '   SELECT jsonb_pretty(foray.inclusion_proof(''DEMO_2026_Q1_PAYMENT_001'', ''ACT_PAYMENT_001''));'
\echo '== verification: every stored hash recomputed (no rows = nothing to report)'
SELECT * FROM foray.verify();
\echo '== tampering behind the triggers'' back is caught (DEMO_2026_Q1_PAYMENT_001; hashes shortened)'
SET session_replication_role = replica;
UPDATE foray.foray_components SET foray_core = jsonb_set(foray_core, '{amount_settled}', '3100.00')
 WHERE transaction_id = 'DEMO_2026_Q1_PAYMENT_001' AND component_id = 'ACT_PAYMENT_001';
RESET session_replication_role;
SELECT component_id, field, left(stored, 23) || '...' AS stored, left(recomputed, 23) || '...' AS recomputed
  FROM foray.verify('DEMO_2026_Q1_PAYMENT_001');
\echo '   in full: SELECT * FROM foray.verify(''DEMO_2026_Q1_PAYMENT_001'');'
