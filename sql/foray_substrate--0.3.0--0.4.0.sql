-- foray_substrate 0.3.0 -> 0.4.0 (ALTER EXTENSION foray_substrate UPDATE).
-- What changed and why: docs/migration.md ("Speed").  The data is kept as it is.
\echo Use "ALTER EXTENSION foray_substrate UPDATE TO '0.4.0'" to load this file. \quit

-- The Loomworks migration builds each flow-derived component's foray_core
-- in C (src/legacy_flow.c) instead of nested jsonb_build_object calls.
CREATE FUNCTION foray.loomworks_flow_core(component_type text, flow_type text, asset_id text,
	quantity numeric, from_party text, from_kind text, to_party text, to_kind text,
	created_at text, metadata jsonb, accrual_refs text[]) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'foray_loomworks_flow_core'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION foray.loomworks_flow_core(text, text, text, numeric, text, text, text, text, text, jsonb, text[]) IS
	'The foray_core of the component migrated from one legacy credit.foray_action_flows row (docs/migration.md): an ACC (token accrual: inputs, output = tokens x rate / 10^6) or an ACT (the value movement), each with its flow object of ledger facts; JSON nulls left out at every depth.  The migration script decides component_type, the parties'' kinds (from_kind, to_kind), the ISO text of created_at and a debit''s accrual_refs.';
REVOKE ALL ON FUNCTION foray.loomworks_flow_core(text, text, text, numeric, text, text, text, text, text, jsonb, text[]) FROM PUBLIC;
