-- FORAY documents: foray.validate_document() (issue 5).
-- Every published example, a document for each pattern of spec §3.1, an
-- attestation chain, documents breaking rules on purpose, and bad input.
-- test/suites/50_documents.sh cross-checks every file against the
-- independent checker test/documents/check_rules.py.
\set SHOW_CONTEXT never
\set VERBOSITY default
\pset null '-'
-- "now" for the attestation date rules, fixed so the output never ages
\set as_of '2026-11-25T00:00:00Z'

-- the rules, their classification and default severity (docs/rules.md)
SELECT rule_id, classification, severity, spec FROM foray.document_rules()
 ORDER BY classification DESC, rule_id;

-- ---------------------------------------------------------------------
-- published examples (test/examples/)
-- ---------------------------------------------------------------------
\set doc `cat test/examples/auto-loan-john-doe-v3.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');
\set doc `cat test/examples/batch-payment-v41.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');
\set doc `cat test/examples/cash-sale-v41.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');
\set doc `cat test/examples/depreciation-v41.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');
\set doc `cat test/examples/energy-solar-ppa-morocco-spain-v3.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');
\set doc `cat test/examples/fx-spot-usdjpy-v41.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');
\set doc `cat test/examples/luxury-watch-authentication-v41.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');
\set doc `cat test/examples/manufacturing-work-order-v41.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');
\set doc `cat test/examples/manuka-honey-provenance-v41.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');
\set doc `cat test/examples/overnight-repo-v41.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');
\set doc `cat test/examples/rmbs-transaction-v3.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');
\set doc `cat test/examples/salesforce-opportunity-v41.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');
-- ---------------------------------------------------------------------
-- our documents (test/documents/)
-- ---------------------------------------------------------------------
\set doc `cat test/documents/pattern-full-lifecycle.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');
\set doc `cat test/documents/pattern-commitment-only.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');
\set doc `cat test/documents/pattern-recognition-only.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');
\set doc `cat test/documents/pattern-settlement-only.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');
\set doc `cat test/documents/pattern-expectation-chain.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');
\set doc `cat test/documents/pattern-immediate-recognition.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');
\set doc `cat test/documents/pattern-deferred-settlement.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');
\set doc `cat test/documents/pattern-multi-arrangement.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');
\set doc `cat test/documents/pattern-consolidated-payment.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');
\set doc `cat test/documents/pattern-waterfall-distribution.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');
\set doc `cat test/documents/attestation-chain.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');
\set doc `cat test/documents/legacy-v40.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');
\set doc `cat test/documents/bad-ref-typing.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');
\set doc `cat test/documents/bad-cycles.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');
\set doc `cat test/documents/bad-allocations.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');
\set doc `cat test/documents/bad-content.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');
\set doc `cat test/documents/bad-attestations.json`
SELECT rule_id, severity, component_id, json_path, message
  FROM foray.validate_document(:'doc', :'as_of');

-- ---------------------------------------------------------------------
-- bad input: each ends in violation rows, never an error or a crash
-- ---------------------------------------------------------------------
-- not an object
SELECT * FROM foray.validate_document('[{"transaction_id": "X"}]', :'as_of');
SELECT * FROM foray.validate_document('"FORAY"', :'as_of');
SELECT * FROM foray.validate_document('42', :'as_of');
-- missing required fields
SELECT * FROM foray.validate_document('{}', :'as_of');
SELECT * FROM foray.validate_document('{"transaction_id": "T_MISSING", "schema_version": "4.1", "timestamp": "2026-01-01", "foray_core": {}, "actions": [{"foray_core": {"amount_settled": 1, "settlement_status": "completed"}}]}', :'as_of');
-- wrong types: a string amount, refs that are not arrays, numbers for strings
SELECT * FROM foray.validate_document('{"transaction_id": 17, "schema_version": 4.1, "timestamp": "26/01/2026", "foray_core": {"entity": "E", "transaction_type": "t", "total_value": "10.00", "compliance_flags": "SOX"}, "accruals": {"id": "ACC_1"}, "actions": [{"id": "ACT_1", "foray_core": {"amount_settled": "10.00", "settlement_status": "completed", "arrangement_refs": "ARR_1", "accrual_refs": [1, 2]}}]}', :'as_of');
-- ids without their prefix, duplicate ids (across arrays too), a member outside foray_core
SELECT * FROM foray.validate_document('{"transaction_id": "T_IDS", "schema_version": "4.1", "timestamp": "2026-01-01T00:00:00Z", "foray_core": {"entity": "E", "transaction_type": "t"}, "arrangements": [{"id": "CONTRACT_1", "foray_core": {"parties": [{"name": "A"}]}}, {"id": "ARR_1", "foray_core": {"parties": [{"name": "A"}]}}], "actions": [{"id": "ARR_1", "foray_core": {"amount_settled": 1, "settlement_status": "completed"}}, {"id": "", "foray_core": {}}, {"id": "ACT_2", "amount_settled": 5, "foray_core": {"amount_settled": 5, "settlement_status": "completed"}}]}', :'as_of');
-- an unknown schema version; an empty transaction; an over-long transaction_id
SELECT * FROM foray.validate_document('{"transaction_id": "T_V5", "schema_version": "5.0", "timestamp": "2026-01-01", "foray_core": {"entity": "E", "transaction_type": "t"}, "arrangements": [], "accruals": [], "anticipations": [], "actions": []}', :'as_of');
SELECT rule_id, json_path FROM foray.validate_document(jsonb_build_object('transaction_id', repeat('T', 201), 'schema_version', '4.1', 'timestamp', '2026-01-01', 'foray_core', '{"entity": "E", "transaction_type": "t"}'::jsonb, 'actions', '[]'::jsonb), :'as_of');
-- 10,000-deep nesting: one DOC-002 row (the jsonb iterator walks it on the heap)
SELECT rule_id, json_path, message FROM foray.validate_document(
  ('{"transaction_id": "T_DEEP", "schema_version": "4.1", "timestamp": "2026-01-01", "foray_core": {"entity": "E", "transaction_type": "t", "deep": ' || repeat('[', 10000) || repeat(']', 10000) || '}, "actions": [{"id": "ACT_1", "foray_core": {"amount_settled": 1, "settlement_status": "completed"}}]}')::jsonb, :'as_of');
-- duplicate keys: jsonb keeps the last value of a repeated key, so
-- validate_document(jsonb) sees only the last value; the text form sees
-- the JSON before the cast and reports every repeated key (SHAPE-005)
SELECT '{"transaction_id": "T_DUP", "transaction_id": "T_DUP_LAST"}'::jsonb ->> 'transaction_id' AS kept;
\set dup '{"transaction_id": "T_DUP", "schema_version": "4.1", "timestamp": "2026-01-01", "foray_core": {"entity": "E", "transaction_type": "t"}, "actions": [{"id": "ACT_1", "foray_core": {"amount_settled": 1, "settlement_status": "completed", "settlement_status": "done"}}, {"id": "ACT_2", "id": "ACT_3", "foray_core": {"amount_settled": 2, "settlement_status": "pending"}}]}'
SELECT rule_id, json_path FROM foray.validate_document(:'dup', :'as_of');
SELECT rule_id, json_path, message FROM foray.validate_document_text(:'dup', :'as_of');
SELECT foray.import_document_text(:'dup');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM foray.validate_document_text('{"a": 1', :'as_of');
\echo :LAST_ERROR_SQLSTATE
-- upgrade: 4.0 singular refs become arrays, 3.0 members move into foray_core
\set doc `cat test/documents/legacy-v40.json`
SELECT jsonb_pretty(foray.upgrade_document(:'doc') -> 'actions');
\set doc `cat test/examples/auto-loan-john-doe-v3.json`
SELECT jsonb_pretty(foray.upgrade_document(:'doc') -> 'foray_core') AS core,
       foray.upgrade_document(:'doc') #> '{accruals,0,foray_core,arrangement_refs}' AS accrual_refs,
       foray.upgrade_document(:'doc') #> '{actions,0,foray_core,settlement_status}' AS settlement_status;
