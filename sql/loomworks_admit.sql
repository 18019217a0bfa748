-- foray.loomworks_admit_content_violations: the migration's admission of a
-- stored transaction that breaks content rules, recorded as the importer
-- records them (one CONTENT_RULE_VIOLATION event per violation), never
-- twice, and never for a structural violation.
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core) VALUES
 ('ADMIT_T1', '2026-01-25T14:30:00Z', '{"entity": "E", "transaction_type": "t", "status": "completed"}'),
 ('ADMIT_T2', '2026-01-25T14:30:00Z', '{"entity": "E", "transaction_type": "t", "status": "completed"}');
-- ACT-002 (content): a settlement status outside the spec's list
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES
 ('ADMIT_T1', 'ACT_PAY', 'ACT', '{"amount_settled": 5, "settlement_status": "executed"}');
-- ACC-001 (structural): an accrual without output
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES
 ('ADMIT_T2', 'ACC_FEE', 'ACC', '{"currency": "USD"}');
COMMIT;

SELECT rule_id, component_id FROM foray.validate_document(foray.export_document('ADMIT_T1'));
SELECT foray.loomworks_admit_content_violations('ADMIT_T1', '2026-06-01T00:00:00Z') AS written;
SELECT subject_kind, subject_id, transaction_id, payload - 'message' AS payload, payload ->> 'message' <> '' AS has_message
FROM foray.memory_events WHERE event_kind = 'CONTENT_RULE_VIOLATION' ORDER BY event_id;
-- a second call finds the same violation recorded: nothing written
SELECT foray.loomworks_admit_content_violations('ADMIT_T1', '2026-06-01T00:00:00Z') AS written_again;
SELECT count(*) FROM foray.memory_events WHERE event_kind = 'CONTENT_RULE_VIOLATION';

-- refused: a structural violation, an unknown transaction; NULL in, NULL out
SELECT foray.loomworks_admit_content_violations('ADMIT_T2', '2026-06-01T00:00:00Z');
SELECT foray.loomworks_admit_content_violations('NO_SUCH_TX', '2026-06-01T00:00:00Z');
SELECT foray.loomworks_admit_content_violations(NULL, '2026-06-01T00:00:00Z') IS NULL AS null_tx,
	foray.loomworks_admit_content_violations('ADMIT_T1', NULL) IS NULL AS null_as_of;
-- not for PUBLIC
SELECT has_function_privilege('public', 'foray.loomworks_admit_content_violations(text, timestamptz)', 'EXECUTE') AS public_may_execute;

-- foray.loomworks_validate_transaction: validate_document(export_document(tx))
-- with each rule's class, without computing the hashes
SELECT * FROM foray.loomworks_validate_transaction('ADMIT_T1', '2026-06-01T00:00:00Z');
SELECT * FROM foray.loomworks_validate_transaction('ADMIT_T2', '2026-06-01T00:00:00Z');
-- the same findings as validate_document(export_document()), over every
-- transaction the regression database holds at this point
SELECT bool_and(NOT EXISTS (
		(SELECT * FROM foray.validate_document(foray.export_document(t.transaction_id), '2026-06-01T00:00:00Z')
		 EXCEPT ALL
		 SELECT rule_id, severity, component_id, json_path, message FROM foray.loomworks_validate_transaction(t.transaction_id, '2026-06-01T00:00:00Z'))
		UNION ALL
		(SELECT rule_id, severity, component_id, json_path, message FROM foray.loomworks_validate_transaction(t.transaction_id, '2026-06-01T00:00:00Z')
		 EXCEPT ALL
		 SELECT * FROM foray.validate_document(foray.export_document(t.transaction_id), '2026-06-01T00:00:00Z'))))
	AND count(*) >= 2 AS same_findings
FROM foray.foray_transactions t;
SELECT * FROM foray.loomworks_validate_transaction('NO_SUCH_TX', '2026-06-01T00:00:00Z');
SELECT count(*) AS null_rows FROM foray.loomworks_validate_transaction(NULL, '2026-06-01T00:00:00Z');
SELECT has_function_privilege('public', 'foray.loomworks_validate_transaction(text, timestamptz)', 'EXECUTE') AS public_may_execute;
