-- foray_transactions: the envelope and its foray_core (spec §2.1).
\set SHOW_CONTEXT never
\set VERBOSITY default

INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('RETAIL_2026_Q1_CASH_SALE_001', '2026-01-25T14:30:00Z',
		'{"entity": "Main Street Coffee Shop", "entity_hash": "sha256:abc123", "transaction_type": "cash_sale",
		  "total_value": 50.00, "currency": "USD", "status": "completed", "compliance_flags": [], "note": "kept"}');
SELECT transaction_id, schema_version, document_timestamp, entity, entity_hash, transaction_type,
	   business_status, currency, compliance_flags, lifecycle, foray_core->>'note' AS unknown_field_kept
  FROM foray.foray_transactions WHERE transaction_id = 'RETAIL_2026_Q1_CASH_SALE_001';

-- refusing
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('TX_NO_TYPE', '2026-01-25', '{"entity": "E"}');
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('TX_STATUS', '2026-01-25', '{"entity": "E", "transaction_type": "t", "status": "open"}');
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('TX_VALUE', '2026-01-25', '{"entity": "E", "transaction_type": "t", "total_value": "50.00"}');
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('TX_FLAGS', '2026-01-25', '{"entity": "E", "transaction_type": "t", "compliance_flags": "SOX"}');
INSERT INTO foray.foray_transactions (transaction_id, schema_version, document_timestamp, foray_core)
VALUES ('TX_V40', '4.0', '2026-01-25', '{"entity": "E", "transaction_type": "t"}');
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('TX_TS', 'yesterday', '{"entity": "E", "transaction_type": "t"}');
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('TX_TS2', '2026-02-30T10:00:00Z', '{"entity": "E", "transaction_type": "t"}');
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('bad id with spaces', '2026-01-25', '{"entity": "E", "transaction_type": "t"}');
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('TX_CORE', '2026-01-25', '"a string"');
UPDATE foray.foray_transactions SET transaction_id = 'RENAMED' WHERE transaction_id = 'RETAIL_2026_Q1_CASH_SALE_001';

-- the ISO-8601 helpers are immutable: no session time zone involved
SET TimeZone = 'Pacific/Auckland';
SELECT foray.iso_timestamptz('2026-01-10T09:30:00+13:00') AT TIME ZONE 'UTC' AS utc,
	   foray.iso_timestamptz('2026-01-10') AT TIME ZONE 'UTC' AS date_only_utc,
	   foray.iso_date('2026-12-31T23:59:59-05:00') AS date_part;
RESET TimeZone;
SELECT foray.iso_date('2026-13-01');
