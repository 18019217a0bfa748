-- The main job, shown on a small FORAY transaction: the spec's consolidated
-- payment pattern (an arrangement, an accrual, an anticipation, an action),
-- inserted in reverse order inside one SQL transaction, plus an attestation.
\pset footer off
\pset format wrapped
\echo
\echo '== a FORAY transaction, inserted action-first (refs are checked at commit)'
BEGIN;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES
 ('DEMO_2026_Q1_PAYMENT_001', 'ACT_PAYMENT_001', 'ACT',
  '{"anticipation_refs": ["ANT_INVOICE_DUE_001"], "accrual_refs": ["ACC_INVOICE_001"], "arrangement_refs": ["ARR_VENDOR_MSA_001"],
	"type": "payment", "amount_settled": 3000.00, "currency": "USD", "settlement_date": "2026-02-15T10:00:00Z",
	"settlement_status": "completed", "payment_method": "wire", "counterparty": "Acme Supplies",
	"allocations": [{"ref": "ANT_INVOICE_DUE_001", "ref_type": "anticipation", "amount": 3000.00, "currency": "USD"}]}'),
 ('DEMO_2026_Q1_PAYMENT_001', 'ANT_INVOICE_DUE_001', 'ANT',
  '{"accrual_refs": ["ACC_INVOICE_001"], "arrangement_refs": ["ARR_VENDOR_MSA_001"], "type": "payment_due",
	"expected_amount": 3000.00, "currency": "USD", "expected_date": "2026-02-15", "probability_factor": 0.98}'),
 ('DEMO_2026_Q1_PAYMENT_001', 'ACC_INVOICE_001', 'ACC',
  '{"arrangement_refs": ["ARR_VENDOR_MSA_001"], "type": "invoice", "computation_method": "FixedAmount",
	"output": 3000.00, "currency": "USD",
	"accounting_entry": {"debit": {"account": "6100", "amount": 3000.00}, "credit": {"account": "2000", "amount": 3000.00}}}'),
 ('DEMO_2026_Q1_PAYMENT_001', 'ARR_VENDOR_MSA_001', 'ARR',
  '{"type": "master_service_agreement", "effective_date": "2026-01-01",
	"parties": [{"role": "buyer", "name": "Loomworks"}, {"role": "vendor", "name": "Acme Supplies"}],
	"total_value": 36000.00, "currency": "USD", "dependencies": []}');
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core) VALUES
 ('DEMO_2026_Q1_PAYMENT_001', 'ATT_PAYMENT_VERIFIED_001',
  '{"attestor": "First Bank", "attestor_hash": "sha256:3f0a", "attestor_type": "auditor",
	"subject_refs": ["ACT_PAYMENT_001"], "attestation_type": "verification",
	"attestation_date": "2026-02-15T12:00:00Z", "outcome": "approved"}');
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core) VALUES
 ('DEMO_2026_Q1_PAYMENT_001', '2026-02-15T10:00:00Z',
  '{"entity": "Loomworks", "entity_hash": "sha256:9c1d", "transaction_type": "vendor_payment",
	"total_value": 3000.00, "currency": "USD", "status": "completed", "compliance_flags": ["SOX_404"]}');
COMMIT;

\echo '== the envelope row and its lifecycle'
SELECT transaction_id, lifecycle, business_status, entity, foray_core ->> 'total_value' AS total_value
  FROM foray.foray_transactions WHERE transaction_id = 'DEMO_2026_Q1_PAYMENT_001';
\echo '== components: typed refs (generated from foray_core) and derived readiness'
SELECT component_id, component_type AS type, status,
	   array_to_string(arrangement_refs, ' ') AS arrangement_refs, array_to_string(accrual_refs, ' ') AS accrual_refs,
	   array_to_string(anticipation_refs, ' ') AS anticipation_refs
  FROM foray.foray_components WHERE transaction_id = 'DEMO_2026_Q1_PAYMENT_001' ORDER BY ordinal NULLS LAST, component_id;
\echo '== the attestation'
SELECT attestation_id, attestor, attestation_type, outcome, array_to_string(subject_refs, ' ') AS subject_refs
  FROM foray.foray_attestations WHERE transaction_id = 'DEMO_2026_Q1_PAYMENT_001';
\echo '== the event log the triggers wrote in the same SQL transaction (payloads without hashes, types)'
SELECT event_kind, subject_id, payload - 'component_hash' - 'attestation_hash' - 'component_type' AS payload
  FROM foray.memory_events WHERE transaction_id = 'DEMO_2026_Q1_PAYMENT_001' ORDER BY event_id;
\echo '   in full: SELECT event_kind, jsonb_pretty(payload) FROM foray.memory_events ORDER BY event_id;'
\echo
\echo '== a rule the protocol forbids: an accrual cannot reference an anticipation'
\echo '   (refused, as expected: this refusal is the point)'
CREATE TEMP TABLE demo_refusal (sqlstate text, error text, detail text);
DO $$
DECLARE
	d text;
BEGIN
	INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES
	 ('DEMO_2026_Q1_PAYMENT_001', 'ACC_WRONG', 'ACC', '{"anticipation_refs": ["ANT_INVOICE_DUE_001"]}');
	RAISE EXCEPTION 'the insert was not refused';
EXCEPTION WHEN SQLSTATE '23R01' THEN
	GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL;
	INSERT INTO demo_refusal VALUES (SQLSTATE, SQLERRM, d);
END $$;
\x on
SELECT * FROM demo_refusal;
\x off
