-- Staging data for the insert benchmark: :n transactions, each an
-- ARR <- ACC <- ANT <- ACT chain with realistic foray_core (300-800 bytes).
DROP SCHEMA IF EXISTS bench CASCADE;
CREATE SCHEMA bench;
SELECT setseed(0.42);
CREATE TABLE bench.stage_tx AS
SELECT 'BENCH_2026_' || lpad(g::text, 7, '0') AS transaction_id,
	   '2026-03-' || lpad((1 + g % 28)::text, 2, '0') || 'T10:00:00Z' AS document_timestamp,
	   jsonb_build_object('entity', 'Entity ' || (g % 97), 'entity_hash', 'sha256:' || md5(g::text) || md5((g + 1)::text),
						  'transaction_type', 'vendor_payment', 'total_value', round((random() * 100000)::numeric, 2),
						  'currency', 'USD', 'status', 'active', 'compliance_flags', jsonb_build_array('SOX_404')) AS foray_core
  FROM generate_series(1, :n) g;
CREATE TABLE bench.stage_comp AS
SELECT t.transaction_id, c.ord, c.component_id, c.component_type, c.foray_core
  FROM bench.stage_tx t,
  LATERAL (VALUES
   (1, 'ARR_MSA_' || right(t.transaction_id, 7), 'ARR', jsonb_build_object(
		'type', 'master_service_agreement', 'effective_date', '2026-01-01T00:00:00Z',
		'parties', jsonb_build_array(jsonb_build_object('role', 'buyer', 'name', 'Loomworks Ltd', 'party_id_hash', 'sha256:' || md5(t.transaction_id), 'jurisdiction', 'US'),
									 jsonb_build_object('role', 'vendor', 'name', 'Vendor ' || right(t.transaction_id, 3), 'party_id_hash', 'sha256:' || md5(t.transaction_id || 'v'), 'jurisdiction', 'GB')),
		'description', 'Master services agreement for consulting', 'total_value', 120000.00, 'currency', 'USD',
		'terms', jsonb_build_object('payment_terms', 'NET30', 'late_fee_pct', 1.5), 'legal_documentation', jsonb_build_array('MSA-2026.pdf'), 'dependencies', '[]'::jsonb)),
   (2, 'ACC_INV_' || right(t.transaction_id, 7), 'ACC', jsonb_build_object(
		'arrangement_refs', jsonb_build_array('ARR_MSA_' || right(t.transaction_id, 7)),
		'type', 'invoice', 'description', 'Monthly consulting invoice', 'computation_method', 'Calculated',
		'formula_id', 'sha256:' || md5('formula'), 'inputs', jsonb_build_object('hours', 120, 'rate', 125.50),
		'output', 15060.00, 'currency', 'USD',
		'accounting_entry', jsonb_build_object('debit', jsonb_build_object('account', '6100', 'amount', 15060.00),
											   'credit', jsonb_build_object('account', '2000', 'amount', 15060.00)),
		'fiscal_period', jsonb_build_object('year', 2026, 'quarter', 1, 'month', 3),
		'dependencies', jsonb_build_array('ARR_MSA_' || right(t.transaction_id, 7)))),
   (3, 'ANT_DUE_' || right(t.transaction_id, 7), 'ANT', jsonb_build_object(
		'accrual_refs', jsonb_build_array('ACC_INV_' || right(t.transaction_id, 7)),
		'arrangement_refs', jsonb_build_array('ARR_MSA_' || right(t.transaction_id, 7)),
		'type', 'payment_due', 'description', 'Invoice payment expected', 'expected_amount', 15060.00,
		'currency', 'USD', 'expected_date', '2026-04-15', 'condition', null, 'probability_factor', 0.97,
		'assumptions', jsonb_build_object('terms', 'NET30'),
		'dependencies', jsonb_build_array('ACC_INV_' || right(t.transaction_id, 7)))),
   (4, 'ACT_PAY_' || right(t.transaction_id, 7), 'ACT', jsonb_build_object(
		'anticipation_refs', jsonb_build_array('ANT_DUE_' || right(t.transaction_id, 7)),
		'accrual_refs', jsonb_build_array('ACC_INV_' || right(t.transaction_id, 7)),
		'arrangement_refs', jsonb_build_array('ARR_MSA_' || right(t.transaction_id, 7)),
		'type', 'payment', 'description', 'Wire payment of invoice', 'amount_settled', 15060.00, 'currency', 'USD',
		'settlement_date', '2026-04-14T09:12:00Z', 'settlement_status', 'completed', 'payment_method', 'wire',
		'counterparty', 'Vendor ' || right(t.transaction_id, 3),
		'allocations', jsonb_build_array(jsonb_build_object('ref', 'ANT_DUE_' || right(t.transaction_id, 7), 'ref_type', 'anticipation', 'amount', 15060.00, 'currency', 'USD')),
		'dependencies', jsonb_build_array('ANT_DUE_' || right(t.transaction_id, 7))))
  ) AS c(ord, component_id, component_type, foray_core);
-- the events the substrate writes for these rows, for the untriggered baseline
CREATE TABLE bench.stage_events AS
SELECT 'COMPONENT_CREATED'::text AS event_kind, 'COMPONENT'::text AS subject_kind, component_id AS subject_id, transaction_id,
	   jsonb_build_object('status', 'ready', 'component_hash', 'sha256:' || md5(component_id) || md5(transaction_id), 'component_type', component_type) AS payload
  FROM bench.stage_comp
UNION ALL
SELECT 'TRANSACTION_CREATED', 'TRANSACTION', transaction_id, transaction_id,
	   jsonb_build_object('entity', foray_core->>'entity', 'transaction_type', foray_core->>'transaction_type') FROM bench.stage_tx
UNION ALL
SELECT 'TRANSACTION_STATE_CHANGED', 'TRANSACTION', transaction_id, transaction_id,
	   '{"from": "open", "to": "ready_to_anchor"}'::jsonb FROM bench.stage_tx;
-- untriggered copies of the tables: same columns, generated columns, checks and indexes
CREATE TABLE bench.plain_tx (LIKE foray.foray_transactions INCLUDING ALL);
CREATE TABLE bench.plain_comp (LIKE foray.foray_components INCLUDING ALL);
CREATE TABLE bench.plain_events (LIKE foray.memory_events INCLUDING ALL);
SELECT pg_size_pretty(avg(pg_column_size(foray_core))::bigint) AS avg_core_size,
	   min(length(foray_core::text)) AS min_text, max(length(foray_core::text)) AS max_text
  FROM bench.stage_comp;
