-- The second implementation of a flow-derived component's foray_core: the
-- SQL expressions the migration script built it with up to 0.3.0
-- (jsonb_build_object, jsonb_strip_nulls), which foray.loomworks_flow_core
-- (src/legacy_flow.c) replaces.  test/suites/60_migration.sh compares the
-- two over the fixture's migrated rows and over hand-made edge cases.
-- Same arguments as foray.loomworks_flow_core; acc_refs as the ordered
-- list of the turn's accrual ids; rate, rate_source and currency as the
-- script decides them for an accrual (docs/migration.md, "Rates and
-- currency of a token accrual").
CREATE SCHEMA IF NOT EXISTS flow_core_reference;

CREATE OR REPLACE FUNCTION flow_core_reference.core(ctype text, flow_type text, asset_id text,
	quantity numeric, from_party text, from_kind text, to_party text, to_kind text,
	created_iso text, metadata jsonb, acc_refs text[], rate numeric, rate_source text,
	currency text) RETURNS jsonb
LANGUAGE sql IMMUTABLE
RETURN (
	WITH l AS (
		SELECT flow_type, asset_id, quantity, from_party, to_party, metadata, created_iso,
			to_jsonb(acc_refs) AS acc_refs,
			jsonb_build_object('kind', from_kind, 'id', from_party) AS from_actor,
			jsonb_build_object('flow_type', flow_type, 'asset_id', asset_id,
				'quantity', quantity::text,
				'from_party', jsonb_build_object('kind', from_kind, 'id', from_party),
				'to_party', jsonb_build_object('kind', to_kind, 'id', to_party),
				'created_at', created_iso) AS flow)
	SELECT CASE WHEN ctype = 'ACC' THEN jsonb_strip_nulls(jsonb_build_object(
				'type', 'token_consumption',
				'description', concat_ws(' ', l.metadata ->> 'role', l.metadata ->> 'direction',
										 'tokens,', l.metadata ->> 'model'),
				'computation_method', 'Calculated',
				'inputs', jsonb_build_object(
					'tokens', trim_scale(l.quantity),
					'rate_per_million', trim_scale(rate),
					'rate_source', rate_source,
					'model', l.metadata -> 'model',
					'role', l.metadata -> 'role',
					'direction', l.metadata -> 'direction'),
				'output', trim_scale(l.quantity * rate / 1000000),
				'currency', currency,
				'arrangement_refs', '[]'::jsonb,
				'dependencies', '[]'::jsonb,
				'flow', l.flow))
			ELSE jsonb_strip_nulls(jsonb_build_object(
				'type', CASE l.flow_type WHEN 'consumption' THEN 'credit_debit'
					WHEN 'suspension' THEN 'account_suspension'
					WHEN 'reactivation' THEN 'account_reactivation'
					WHEN 'deletion' THEN 'account_deletion'
					ELSE 'credit_' || l.flow_type END,
				'description', l.flow_type || ' of ' || trim_scale(l.quantity) || ' ' || l.asset_id
					|| ' from ' || l.from_party || ' to ' || l.to_party,
				'accrual_refs', CASE WHEN l.flow_type = 'consumption' THEN coalesce(l.acc_refs, '[]'::jsonb)
					ELSE '[]'::jsonb END,
				'amount_settled', trim_scale(l.quantity),
				'currency', l.asset_id,
				'settlement_date', l.created_iso,
				'settlement_status', 'completed',
				'payment_method', 'other',
				'counterparty', CASE WHEN l.from_actor ->> 'kind' = 'person' THEN l.to_party ELSE l.from_party END,
				'account_status', CASE WHEN l.asset_id = 'loomworks_account_status' THEN jsonb_build_object(
					'previous', l.metadata -> 'previous_status', 'new', l.metadata -> 'new_status') END,
				'dependencies', '[]'::jsonb,
				'flow', l.flow))
		END
	FROM l);
