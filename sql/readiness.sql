-- Readiness (derived) and the transaction lifecycle.
\set SHOW_CONTEXT never
\set VERBOSITY default

CREATE TEMP VIEW rd AS
SELECT component_id, status FROM foray.foray_components
 WHERE transaction_id = 'READY_1' ORDER BY component_id COLLATE "C";

-- inserted in reverse order inside one SQL transaction: all pending until
-- the arrangement arrives, then ready at once
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('READY_1', '2026-03-01T10:00:00Z', '{"entity": "Acme", "transaction_type": "purchase"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES
 ('READY_1', 'ACT_1', 'ACT', '{"anticipation_refs": ["ANT_1"], "amount_settled": 10}'),
 ('READY_1', 'ANT_1', 'ANT', '{"accrual_refs": ["ACC_1"]}'),
 ('READY_1', 'ACC_1', 'ACC', '{"arrangement_refs": ["ARR_1"]}');
SELECT * FROM rd;
SELECT lifecycle FROM foray.foray_transactions WHERE transaction_id = 'READY_1';
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('READY_1', 'ARR_1', 'ARR', '{"parties": [{"name": "A"}]}');
SELECT * FROM rd;
COMMIT;
SELECT lifecycle FROM foray.foray_transactions WHERE transaction_id = 'READY_1';

-- settled only from ready; the application never sets pending or ready
UPDATE foray.foray_components SET status = 'settled' WHERE transaction_id = 'READY_1' AND component_id = 'ARR_1';
UPDATE foray.foray_components SET status = 'ready' WHERE transaction_id = 'READY_1' AND component_id = 'ARR_1';
UPDATE foray.foray_components SET status = 'pending' WHERE transaction_id = 'READY_1' AND component_id = 'ACC_1';
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core, status)
VALUES ('READY_1', 'ARR_2', 'ARR', '{}', 'ready');
SELECT * FROM rd;

-- a pending component arriving sends the transaction back to open
BEGIN;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('READY_1', 'ACC_2', 'ACC', '{"arrangement_refs": ["ARR_3"]}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('READY_1', 'ARR_3', 'ARR', '{}');
COMMIT;
SELECT * FROM rd;
SELECT lifecycle FROM foray.foray_transactions WHERE transaction_id = 'READY_1';

-- reversing a component makes its dependents pending again, and the
-- transaction open; the dependents' dependents follow
UPDATE foray.foray_components SET status = 'reversed' WHERE transaction_id = 'READY_1' AND component_id = 'ACC_1';
SELECT * FROM rd;
SELECT lifecycle FROM foray.foray_transactions WHERE transaction_id = 'READY_1';
-- reversed is final
UPDATE foray.foray_components SET status = 'settled' WHERE transaction_id = 'READY_1' AND component_id = 'ACC_1';
-- an action can be settled only once ready
UPDATE foray.foray_components SET status = 'settled' WHERE transaction_id = 'READY_1' AND component_id = 'ACT_1';
-- pointing the anticipation at the other accrual makes the chain ready again
UPDATE foray.foray_components SET foray_core = '{"accrual_refs": ["ACC_2"]}'
 WHERE transaction_id = 'READY_1' AND component_id = 'ANT_1';
SELECT * FROM rd;
-- the reversed accrual still keeps the transaction open
SELECT lifecycle FROM foray.foray_transactions WHERE transaction_id = 'READY_1';

-- the lifecycle is the substrate's: the application cannot write it
UPDATE foray.foray_transactions SET lifecycle = 'ready_to_anchor' WHERE transaction_id = 'READY_1';
UPDATE foray.foray_transactions SET merkle_root = 'sha256:00' WHERE transaction_id = 'READY_1';
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, lifecycle)
VALUES ('READY_2', '2026-03-01', '{"entity": "E", "transaction_type": "t"}', 'anchored');

-- a transaction with no component stays open
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('READY_EMPTY', '2026-03-02', '{"entity": "E", "transaction_type": "t"}');
SELECT lifecycle FROM foray.foray_transactions WHERE transaction_id = 'READY_EMPTY';

-- every change left its event, in order
SELECT event_kind, subject_id, payload->>'from' AS from_status, payload->>'status' AS status, payload->>'to' AS to_lifecycle
  FROM foray.memory_events WHERE transaction_id = 'READY_1' ORDER BY event_id;

-- one multi-row statement in reverse order, the envelope row last: ready at
-- the end of the statement; the envelope row arriving makes it ready_to_anchor
BEGIN;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES
 ('READY_4', 'ACT_1', 'ACT', '{"anticipation_refs": ["ANT_1"], "accrual_refs": ["ACC_1"]}'),
 ('READY_4', 'ANT_1', 'ANT', '{"accrual_refs": ["ACC_1"], "arrangement_refs": ["ARR_1"]}'),
 ('READY_4', 'ACC_1', 'ACC', '{"arrangement_refs": ["ARR_1"]}'),
 ('READY_4', 'ARR_1', 'ARR', '{}');
SELECT component_id, status FROM foray.foray_components WHERE transaction_id = 'READY_4' ORDER BY 1;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('READY_4', '2026-03-03', '{"entity": "E", "transaction_type": "t"}');
COMMIT;
SELECT lifecycle FROM foray.foray_transactions WHERE transaction_id = 'READY_4';
SELECT event_kind, subject_id, payload->>'to' AS to_lifecycle
  FROM foray.memory_events WHERE transaction_id = 'READY_4' ORDER BY event_id;

-- a bulk load touching more FORAY transactions than the lock table holds
-- locks per transaction escalates to table locks; the rules still hold
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
SELECT 'BULK_' || g, '2026-03-04', '{"entity": "Bulk", "transaction_type": "t"}' FROM generate_series(1, 1500) g;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
SELECT 'BULK_' || g, c.id, c.t, c.core FROM generate_series(1, 1500) g,
	(VALUES ('ARR_1', 'ARR', '{}'::jsonb), ('ACC_1', 'ACC', '{"arrangement_refs": ["ARR_1"]}')) AS c(id, t, core);
SELECT mode, count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'advisory' GROUP BY mode;
SELECT c.relname, l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
 WHERE l.pid = pg_backend_pid() AND l.mode = 'ShareRowExclusiveLock' ORDER BY 1;
COMMIT;
SELECT lifecycle, count(*) FROM foray.foray_transactions WHERE transaction_id LIKE 'BULK\_%' GROUP BY lifecycle;
SELECT status, count(*) FROM foray.foray_components WHERE transaction_id LIKE 'BULK\_%' GROUP BY status;
