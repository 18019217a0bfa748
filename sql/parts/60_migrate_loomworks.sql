
-- ------------------------------------------------------------------------
-- 60_migrate_loomworks: helpers for the one-off Loomworks migration
-- (sql/migrate/foray_substrate_migrate_loomworks.sql, docs/migration.md).
-- ------------------------------------------------------------------------

CREATE FUNCTION foray.loomworks_json_dumps(payload jsonb) RETURNS text
	AS 'MODULE_PATHNAME', 'foray_loomworks_json_dumps'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.loomworks_json_dumps(jsonb) IS
	'The text Python''s json.dumps(payload, sort_keys=True) printed for this payload in Loomworks (", " / ": " separators, ensure_ascii). Not canonical JSON; used only to recompute legacy content hashes.';

CREATE FUNCTION foray.loomworks_content_hash(payload jsonb) RETURNS text
	AS 'MODULE_PATHNAME', 'foray_loomworks_content_hash'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.loomworks_content_hash(jsonb) IS
	'Loomworks'' legacy memory_events.content_hash: lowercase hex SHA-256 of json.dumps(payload without its top-level _foray block, sort_keys=True). The migration compares it with the stored value and reports every mismatch.';

CREATE FUNCTION foray.loomworks_flow_core(component_type text, flow_type text, asset_id text,
	quantity numeric, from_party text, from_kind text, to_party text, to_kind text,
	created_at text, metadata jsonb, accrual_refs text[]) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'foray_loomworks_flow_core'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION foray.loomworks_flow_core(text, text, text, numeric, text, text, text, text, text, jsonb, text[]) IS
	'The foray_core of the component migrated from one legacy credit.foray_action_flows row (docs/migration.md): an ACC (token accrual: inputs, output = tokens x rate / 10^6) or an ACT (the value movement), each with its flow object of ledger facts; JSON nulls left out at every depth.  The migration script decides component_type, the parties'' kinds (from_kind, to_kind), the ISO text of created_at and a debit''s accrual_refs.';
