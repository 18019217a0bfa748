-- FORAY documents in and out: foray.import_document() and
-- foray.export_document() (issue 5).
\set SHOW_CONTEXT never
\set VERBOSITY default
\pset null '-'
-- Everything runs in one transaction, rolled back at the end so that the
-- other regression files never see these rows; deferred checks (refs
-- resolve, lifecycle) run at the end of each statement instead of at commit.
\set ON_ERROR_ROLLBACK on
BEGIN;
SET CONSTRAINTS ALL IMMEDIATE;

-- A document as export writes it back: upgraded to 4.1, the computed hash
-- fields left out (the extension computes its own: component_hashes,
-- merkle_root, audit_data_anchor.audit_data_hash), the four DAG arrays
-- always present (docs/documents.md, "Round trip").
CREATE FUNCTION pg_temp.normalised(d jsonb) RETURNS jsonb LANGUAGE sql AS $$
  SELECT (u - 'component_hashes' - 'merkle_root' #- '{audit_data_anchor,audit_data_hash}')
         || jsonb_build_object('arrangements', coalesce(u -> 'arrangements', '[]'),
                               'accruals', coalesce(u -> 'accruals', '[]'),
                               'anticipations', coalesce(u -> 'anticipations', '[]'),
                               'actions', coalesce(u -> 'actions', '[]'))
    FROM foray.upgrade_document(d) AS u $$;
CREATE FUNCTION pg_temp.round_trip(d jsonb) RETURNS boolean LANGUAGE sql AS $$
  SELECT (foray.export_document(d ->> 'transaction_id') - 'component_hashes' - 'merkle_root' - 'commitment_scheme'
          #- '{audit_data_anchor,audit_data_hash}')
         = pg_temp.normalised(d) $$;
CREATE FUNCTION pg_temp.rows_of(tx text) RETURNS text LANGUAGE sql AS $$
  SELECT format('%s transaction, %s components, %s attestations, %s events',
    (SELECT count(*) FROM foray.foray_transactions WHERE transaction_id = tx),
    (SELECT count(*) FROM foray.foray_components WHERE transaction_id = tx),
    (SELECT count(*) FROM foray.foray_attestations WHERE transaction_id = tx),
    (SELECT count(*) FROM foray.memory_events WHERE transaction_id = tx)) $$;

-- ---------------------------------------------------------------------
-- valid documents: imported, then exported equal to what went in
-- ---------------------------------------------------------------------
\set doc `cat test/examples/cash-sale-v41.json`
SELECT foray.import_document(:'doc') - 'carried_hashes' AS report;
SELECT pg_temp.round_trip(:'doc') AS round_trip;
\set doc `cat test/examples/batch-payment-v41.json`
SELECT foray.import_document(:'doc') - 'carried_hashes' AS report;
SELECT pg_temp.round_trip(:'doc') AS round_trip;
\set doc `cat test/examples/depreciation-v41.json`
SELECT foray.import_document(:'doc') - 'carried_hashes' AS report;
SELECT pg_temp.round_trip(:'doc') AS round_trip;
\set doc `cat test/examples/luxury-watch-authentication-v41.json`
SELECT foray.import_document(:'doc') - 'carried_hashes' AS report;
SELECT pg_temp.round_trip(:'doc') AS round_trip;
\set doc `cat test/examples/auto-loan-john-doe-v3.json`
SELECT foray.import_document(:'doc') - 'carried_hashes' AS report;
SELECT pg_temp.round_trip(:'doc') AS round_trip;
\set doc `cat test/documents/pattern-full-lifecycle.json`
SELECT foray.import_document(:'doc') - 'carried_hashes' AS report;
SELECT pg_temp.round_trip(:'doc') AS round_trip;
\set doc `cat test/documents/pattern-commitment-only.json`
SELECT foray.import_document(:'doc') - 'carried_hashes' AS report;
SELECT pg_temp.round_trip(:'doc') AS round_trip;
\set doc `cat test/documents/pattern-recognition-only.json`
SELECT foray.import_document(:'doc') - 'carried_hashes' AS report;
SELECT pg_temp.round_trip(:'doc') AS round_trip;
\set doc `cat test/documents/pattern-settlement-only.json`
SELECT foray.import_document(:'doc') - 'carried_hashes' AS report;
SELECT pg_temp.round_trip(:'doc') AS round_trip;
\set doc `cat test/documents/pattern-expectation-chain.json`
SELECT foray.import_document(:'doc') - 'carried_hashes' AS report;
SELECT pg_temp.round_trip(:'doc') AS round_trip;
\set doc `cat test/documents/pattern-immediate-recognition.json`
SELECT foray.import_document(:'doc') - 'carried_hashes' AS report;
SELECT pg_temp.round_trip(:'doc') AS round_trip;
\set doc `cat test/documents/pattern-deferred-settlement.json`
SELECT foray.import_document(:'doc') - 'carried_hashes' AS report;
SELECT pg_temp.round_trip(:'doc') AS round_trip;
\set doc `cat test/documents/pattern-multi-arrangement.json`
SELECT foray.import_document(:'doc') - 'carried_hashes' AS report;
SELECT pg_temp.round_trip(:'doc') AS round_trip;
\set doc `cat test/documents/pattern-consolidated-payment.json`
SELECT foray.import_document(:'doc') - 'carried_hashes' AS report;
SELECT pg_temp.round_trip(:'doc') AS round_trip;
\set doc `cat test/documents/pattern-waterfall-distribution.json`
SELECT foray.import_document(:'doc') - 'carried_hashes' AS report;
SELECT pg_temp.round_trip(:'doc') AS round_trip;
\set doc `cat test/documents/attestation-chain.json`
SELECT foray.import_document(:'doc') - 'carried_hashes' AS report;
SELECT pg_temp.round_trip(:'doc') AS round_trip;
\set doc `cat test/documents/legacy-v40.json`
SELECT foray.import_document(:'doc') - 'carried_hashes' AS report;
SELECT pg_temp.round_trip(:'doc') AS round_trip;

-- the exported document has computed hashes exactly when the Merkle part
-- of the extension is installed (never carried placeholders)
SELECT (foray.export_document('RETAIL_2026_CASH_SALE_001') ? 'merkle_root')
       = (to_regprocedure('foray.transaction_hashes(text)') IS NOT NULL) AS hashes_iff_computable,
       foray.export_document('RETAIL_2026_CASH_SALE_001') ->> 'merkle_root' IS DISTINCT FROM 'sha256:cashsale123...' AS placeholder_dropped;
-- components keep their document order; the carried anchor comes back
SELECT jsonb_path_query_array(foray.export_document('AP_2026_Q1_BATCH_PAYMENT_001'), '$.anticipations[*].id') AS order_kept,
       foray.export_document('RETAIL_2026_CASH_SALE_001') -> 'blockchain_anchor' ->> 'kaspa_tx_id' AS carried_anchor;

-- ---------------------------------------------------------------------
-- carried hash fields: placeholders are reported as such, well-formed
-- hashes verified against the computed ones when those can be computed
-- ---------------------------------------------------------------------
\set doc `cat test/examples/cash-sale-v41.json`
SELECT key, value ->> 'status' AS status
  FROM jsonb_each(foray.import_document(:'doc') -> 'carried_hashes') ORDER BY key;
\set doc `cat test/examples/auto-loan-john-doe-v3.json`
-- the 3.0 demo merkle_root is a flat SHA-256 of non-canonical JSON: well-formed, never ours
SELECT r #>> '{carried_hashes,merkle_root,status}' IN ('does not verify', 'unverified: the hashing functions are not installed') AS not_verified
  FROM foray.import_document(:'doc') AS r;
-- a document carrying the hashes this substrate computed verifies: export,
-- remove, import the export again; a copy under another id does not (the
-- root commits to the transaction_id, docs/merkle.md)
CREATE TEMP TABLE exported AS SELECT foray.export_document('TEST_FULL_LIFECYCLE') AS doc;
DELETE FROM foray.foray_transactions WHERE transaction_id = 'TEST_FULL_LIFECYCLE';
SELECT r #>> '{carried_hashes,merkle_root,status}' AS reimported
  FROM exported, foray.import_document(doc) AS r;
SELECT r #>> '{carried_hashes,merkle_root,status}' AS copy_under_another_id
  FROM exported, foray.import_document(jsonb_set(doc, '{transaction_id}', '"TEST_FULL_LIFECYCLE_COPY"')) AS r;

-- ---------------------------------------------------------------------
-- unknown fields inside foray_core and audit_data, and at the top level, survive
-- ---------------------------------------------------------------------
\set doc '{"transaction_id": "TEST_EXTRA_FIELDS", "schema_version": "4.1", "timestamp": "2026-02-01T10:00:00.125+01:00", "source_system": {"name": "erp", "batch": 7}, "foray_core": {"entity": "E", "transaction_type": "cash_sale", "x_region": "EMEA"}, "actions": [{"id": "ACT_1", "foray_core": {"amount_settled": 12.50, "settlement_status": "completed", "x_till": {"id": 4, "drawer": [1, 2]}}, "audit_data": {"operator": "u17", "x_review": {"by": "auditor", "flags": []}}}]}'
SELECT foray.import_document(:'doc') - 'carried_hashes' AS report;
SELECT pg_temp.round_trip(:'doc') AS round_trip;
SELECT e -> 'source_system' AS source_system, e #> '{foray_core,x_region}' AS x_region, e ->> 'timestamp' AS ts,
       e #> '{actions,0,foray_core,x_till}' AS x_till, e #> '{actions,0,audit_data,x_review}' AS x_review,
       e #> '{actions,0,foray_core,amount_settled}' AS amount
  FROM foray.export_document('TEST_EXTRA_FIELDS') AS e;

-- ---------------------------------------------------------------------
-- resubmission: identical is a no-op, different is refused by name
-- ---------------------------------------------------------------------
\set doc `cat test/documents/pattern-full-lifecycle.json`
SELECT pg_temp.rows_of('TEST_FULL_LIFECYCLE') AS before;
SELECT r ->> 'status' AS status, r -> 'components' AS components FROM foray.import_document(:'doc') AS r;
SELECT pg_temp.rows_of('TEST_FULL_LIFECYCLE') AS after;
-- key order and number spelling do not matter (jsonb equality)
SELECT foray.import_document(jsonb_set(:'doc', '{actions,0,foray_core,amount_settled}', '100.0')) ->> 'status' AS status;
SELECT foray.import_document(jsonb_set(:'doc', '{accruals,0,foray_core,output}', '99.99'));
\echo :LAST_ERROR_SQLSTATE
SELECT foray.import_document(jsonb_set(:'doc', '{foray_core,total_value}', '101'));
SELECT foray.import_document(:'doc'::jsonb - 'anticipations');
SELECT foray.import_document(jsonb_set(:'doc', '{actions,0,audit_data}', '{"note": "added later"}'));
SELECT pg_temp.rows_of('TEST_FULL_LIFECYCLE') AS still;

-- ---------------------------------------------------------------------
-- documents that break rules are refused, naming rule and component;
-- nothing is written
-- ---------------------------------------------------------------------
\set doc `cat test/examples/energy-solar-ppa-morocco-spain-v3.json`
SELECT foray.import_document(:'doc');
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.rows_of(:'doc'::jsonb ->> 'transaction_id') AS written;
\set doc `cat test/examples/fx-spot-usdjpy-v41.json`
SELECT foray.import_document(:'doc');
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.rows_of(:'doc'::jsonb ->> 'transaction_id') AS written;
\set doc `cat test/examples/manufacturing-work-order-v41.json`
SELECT foray.import_document(:'doc');
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.rows_of(:'doc'::jsonb ->> 'transaction_id') AS written;
\set doc `cat test/examples/manuka-honey-provenance-v41.json`
SELECT foray.import_document(:'doc');
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.rows_of(:'doc'::jsonb ->> 'transaction_id') AS written;
\set doc `cat test/examples/overnight-repo-v41.json`
SELECT foray.import_document(:'doc');
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.rows_of(:'doc'::jsonb ->> 'transaction_id') AS written;
\set doc `cat test/examples/rmbs-transaction-v3.json`
SELECT foray.import_document(:'doc');
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.rows_of(:'doc'::jsonb ->> 'transaction_id') AS written;
\set doc `cat test/examples/salesforce-opportunity-v41.json`
SELECT foray.import_document(:'doc');
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.rows_of(:'doc'::jsonb ->> 'transaction_id') AS written;
\set doc `cat test/documents/bad-cycles.json`
SELECT foray.import_document(:'doc');
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.rows_of(:'doc'::jsonb ->> 'transaction_id') AS written;
\set doc `cat test/documents/bad-allocations.json`
SELECT foray.import_document(:'doc');
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.rows_of(:'doc'::jsonb ->> 'transaction_id') AS written;

-- ---------------------------------------------------------------------
-- content rules can be admitted; each violation becomes an event
-- ---------------------------------------------------------------------
\set doc `cat test/examples/manufacturing-work-order-v41.json`
SELECT foray.import_document(:'doc', admit_content_violations => true) - 'carried_hashes' AS report;
SELECT pg_temp.round_trip(:'doc') AS round_trip;
SELECT subject_kind, subject_id, payload ->> 'rule_id' AS rule_id, payload ->> 'json_path' AS json_path
  FROM foray.memory_events
 WHERE transaction_id = 'MFG_WO_2026_Q1_WIDGET_500' AND event_kind = 'CONTENT_RULE_VIOLATION'
 ORDER BY event_id;
-- again: unchanged, and no second set of events
SELECT foray.import_document(:'doc', true) ->> 'status' AS status,
       (SELECT count(*) FROM foray.memory_events WHERE transaction_id = 'MFG_WO_2026_Q1_WIDGET_500'
           AND event_kind = 'CONTENT_RULE_VIOLATION') AS events;
-- structural rules are never admitted
\set doc `cat test/examples/fx-spot-usdjpy-v41.json`
SELECT foray.import_document(:'doc', admit_content_violations => true);
\echo :LAST_ERROR_SQLSTATE
\set doc `cat test/documents/bad-content.json`
SELECT foray.import_document(:'doc', admit_content_violations => true);
\echo :LAST_ERROR_SQLSTATE

-- ---------------------------------------------------------------------
-- bad input
-- ---------------------------------------------------------------------
SELECT foray.import_document('[1, 2, 3]');
\echo :LAST_ERROR_SQLSTATE
SELECT foray.import_document('{"transaction_id": "T_V5", "schema_version": "5.0", "timestamp": "2026-01-01", "foray_core": {"entity": "E", "transaction_type": "t"}, "actions": [{"id": "ACT_1", "foray_core": {"amount_settled": 1, "settlement_status": "completed"}}]}');
\echo :LAST_ERROR_SQLSTATE
SELECT foray.import_document(('{"transaction_id": "T_DEEP", "schema_version": "4.1", "timestamp": "2026-01-01", "foray_core": {"entity": "E", "transaction_type": "t", "deep": ' || repeat('[', 10000) || repeat(']', 10000) || '}, "actions": [{"id": "ACT_1", "foray_core": {"amount_settled": 1, "settlement_status": "completed"}}]}')::jsonb);
\echo :LAST_ERROR_SQLSTATE
SELECT foray.import_document('{"transaction_id": "T_TYPES", "schema_version": "4.1", "timestamp": "2026-01-01", "foray_core": {"entity": "E", "transaction_type": "t"}, "actions": [{"id": "ACT_1", "foray_core": {"amount_settled": "12.00", "settlement_status": "completed", "accrual_refs": "ACC_1"}}]}');
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.rows_of('T_V5') AS v5, pg_temp.rows_of('T_DEEP') AS deep, pg_temp.rows_of('T_TYPES') AS types;
SELECT foray.export_document('NO_SUCH_TRANSACTION');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK;
