-- Ref typing (spec §3.3, §6.3, §10.2): ARR refs nothing; ACC -> ARR;
-- ANT -> ARR, ACC; ACT -> ARR, ACC, ANT.  Refs resolve at commit inside
-- their own transaction.
\set SHOW_CONTEXT never
\set VERBOSITY default

INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('REFS_OK', '2026-01-25T14:30:00Z',
		'{"entity": "Acme", "transaction_type": "invoice_payment", "status": "active"}');

-- accepting: the full chain, every type holding what it may
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES
 ('REFS_OK', 'ARR_MSA', 'ARR', '{"type": "msa", "parties": [{"role": "vendor", "name": "V"}], "dependencies": []}'),
 ('REFS_OK', 'ACC_INV', 'ACC', '{"arrangement_refs": ["ARR_MSA"], "output": 100.00}'),
 ('REFS_OK', 'ANT_DUE', 'ANT', '{"arrangement_refs": ["ARR_MSA"], "accrual_refs": ["ACC_INV"], "expected_amount": 100}'),
 ('REFS_OK', 'ACT_PAY', 'ACT', '{"arrangement_refs": ["ARR_MSA"], "accrual_refs": ["ACC_INV"], "anticipation_refs": ["ANT_DUE"], "amount_settled": 100}');
SELECT component_id, component_type, arrangement_refs, accrual_refs, anticipation_refs
  FROM foray.foray_components WHERE transaction_id = 'REFS_OK' ORDER BY component_id;

-- the same ids may live in another transaction: identity is (transaction_id, component_id)
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('REFS_OTHER', '2026-01-26', '{"entity": "Beta", "transaction_type": "msa"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('REFS_OTHER', 'ARR_MSA', 'ARR', '{"parties": []}');
SELECT transaction_id, component_id FROM foray.foray_components WHERE component_id = 'ARR_MSA' ORDER BY 1;

-- refusing: an arrangement holds no refs
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('REFS_OK', 'ARR_BAD', 'ARR', '{"arrangement_refs": ["ARR_MSA"]}');
-- an accrual holds arrangement_refs only
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('REFS_OK', 'ACC_BAD', 'ACC', '{"accrual_refs": ["ACC_INV"]}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('REFS_OK', 'ACC_BAD', 'ACC', '{"anticipation_refs": ["ANT_DUE"]}');
-- an anticipation holds no anticipation_refs
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('REFS_OK', 'ANT_BAD', 'ANT', '{"anticipation_refs": ["ANT_DUE"]}');
-- each array names its own type
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('REFS_OK', 'ACT_BAD', 'ACT', '{"anticipation_refs": ["ACC_INV"]}');
-- no self-reference (an action's refs cannot name an action; shown on a duplicate id instead)
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('REFS_OK', 'ACT_DUP', 'ACT', '{"arrangement_refs": ["ARR_MSA", "ARR_MSA"]}');
-- v4.0 singular fields are refused, not silently ignored
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('REFS_OK', 'ACC_OLD', 'ACC', '{"arrangement_ref": "ARR_MSA"}');
-- refs must be arrays of strings
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('REFS_OK', 'ACC_STR', 'ACC', '{"arrangement_refs": "ARR_MSA"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('REFS_OK', 'ACC_NUM', 'ACC', '{"arrangement_refs": [42]}');
-- ids carry their type prefix
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('REFS_OK', 'ACT_X', 'ACC', '{}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('REFS_OK', 'ATT_X', 'ATT', '{}');
-- arrangements have empty dependencies (spec §6.2)
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('REFS_OK', 'ARR_DEP', 'ARR', '{"dependencies": ["ARR_MSA"]}');
-- foray_core is an object
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('REFS_OK', 'ARR_ARRAY', 'ARR', '[1, 2]');
-- a ref to a component of another transaction does not resolve (checked at commit)
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('REFS_ELSEWHERE', '2026-01-27', '{"entity": "Gamma", "transaction_type": "accrual"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('REFS_ELSEWHERE', 'ACC_ORPHAN', 'ACC', '{"arrangement_refs": ["ARR_MSA"]}');
-- (nothing half-written)
SELECT count(*) FROM foray.foray_components WHERE transaction_id = 'REFS_ELSEWHERE';

-- any order inside one SQL transaction: the action first, its refs later
BEGIN;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('REFS_LATE', 'ACT_FIRST', 'ACT', '{"anticipation_refs": ["ANT_SECOND"]}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('REFS_LATE', 'ANT_SECOND', 'ANT', '{"accrual_refs": ["ACC_THIRD"]}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('REFS_LATE', 'ACC_THIRD', 'ACC', '{}');
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('REFS_LATE', '2026-02-01T09:00:00+01:00', '{"entity": "Late", "transaction_type": "payment"}');
COMMIT;
SELECT component_id, status FROM foray.foray_components WHERE transaction_id = 'REFS_LATE' ORDER BY 1;

-- the same order with a ref that never arrives: refused at commit, nothing kept
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('REFS_DANGLING', '2026-02-01', '{"entity": "D", "transaction_type": "payment"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('REFS_DANGLING', 'ACT_LONELY', 'ACT', '{"anticipation_refs": ["ANT_NEVER"]}');
COMMIT;
SELECT count(*) FROM foray.foray_transactions WHERE transaction_id = 'REFS_DANGLING';

-- a component without its transaction row: the deferred ENV-001 check refuses
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('REFS_NO_TX', 'ARR_A', 'ARR', '{}');

-- a referenced component cannot be removed; replacing it in the same SQL transaction is fine
DELETE FROM foray.foray_components WHERE transaction_id = 'REFS_OK' AND component_id = 'ANT_DUE';
BEGIN;
DELETE FROM foray.foray_components WHERE transaction_id = 'REFS_OK' AND component_id = 'ANT_DUE';
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('REFS_OK', 'ANT_DUE', 'ANT', '{"accrual_refs": ["ACC_INV"], "expected_amount": 90}');
COMMIT;
SELECT component_id, status FROM foray.foray_components WHERE transaction_id = 'REFS_OK' ORDER BY 1;

-- refs follow foray_core: the columns cannot be written on their own
UPDATE foray.foray_components SET arrangement_refs = '{}' WHERE transaction_id = 'REFS_OK' AND component_id = 'ACC_INV';
UPDATE foray.foray_components SET foray_core = foray_core || '{"arrangement_refs": []}'
 WHERE transaction_id = 'REFS_OK' AND component_id = 'ACC_INV';
SELECT component_id, arrangement_refs, foray_core->'arrangement_refs' AS core_refs
  FROM foray.foray_components WHERE transaction_id = 'REFS_OK' AND component_id = 'ACC_INV';
-- identity is fixed
UPDATE foray.foray_components SET component_id = 'ACC_RENAMED' WHERE transaction_id = 'REFS_OK' AND component_id = 'ACC_INV';
