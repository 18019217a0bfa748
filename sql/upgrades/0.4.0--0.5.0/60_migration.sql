
-- ------------------------------------------------------------------------
-- 60_migration: the Loomworks migration's helpers (issue 18).
-- foray.loomworks_flow_core takes an accrual's rate, the rate's source and
-- its currency from the script (the rate table and numeric strings are read
-- there); foray.loomworks_validate_transaction validates a migrated
-- transaction and foray.loomworks_admit_content_violations records its
-- content violations as the importer does.
-- ------------------------------------------------------------------------
DROP FUNCTION foray.loomworks_flow_core(text, text, text, numeric, text, text, text, text, text, jsonb, text[]);

CREATE FUNCTION foray.loomworks_flow_core(component_type text, flow_type text, asset_id text,
	quantity numeric, from_party text, from_kind text, to_party text, to_kind text,
	created_at text, metadata jsonb, accrual_refs text[], rate_per_million numeric,
	rate_source text, currency text) RETURNS jsonb
	AS 'MODULE_PATHNAME', 'foray_loomworks_flow_core'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION foray.loomworks_flow_core(text, text, text, numeric, text, text, text, text, text, jsonb, text[], numeric, text, text) IS
	'The foray_core of the component migrated from one legacy credit.foray_action_flows row (docs/migration.md): an ACC (token accrual: inputs, output = tokens x rate_per_million / 10^6, currency) or an ACT (the value movement), each with its flow object of ledger facts; JSON nulls left out at every depth.  The migration script decides component_type, the parties'' kinds (from_kind, to_kind), the ISO text of created_at, a debit''s accrual_refs, and an accrual''s rate (with where it came from) and currency; an accrual without a rate has no output.';
REVOKE ALL ON FUNCTION foray.loomworks_flow_core(text, text, text, numeric, text, text, text, text, text, jsonb, text[], numeric, text, text) FROM PUBLIC;

CREATE FUNCTION foray.loomworks_validate_transaction(transaction_id text, as_of timestamptz)
	RETURNS TABLE (rule_id text, severity text, classification text, component_id text, json_path text, message text)
	AS 'MODULE_PATHNAME', 'foray_loomworks_validate_transaction'
	LANGUAGE C STABLE STRICT PARALLEL RESTRICTED ROWS 1;
COMMENT ON FUNCTION foray.loomworks_validate_transaction(text, timestamptz) IS
	'The findings of foray.validate_document(foray.export_document(transaction_id), as_of), each with its rule''s class (structural or content), from the transaction exported without component_hashes and merkle_root (computed, always well-formed, read by no rule).  22R33 when the transaction does not exist.  The Loomworks migration validates every migrated transaction with it.';
REVOKE ALL ON FUNCTION foray.loomworks_validate_transaction(text, timestamptz) FROM PUBLIC;

CREATE FUNCTION foray.loomworks_admit_content_violations(transaction_id text, as_of timestamptz)
	RETURNS integer
	AS 'MODULE_PATHNAME', 'foray_loomworks_admit_content_violations'
	LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION foray.loomworks_admit_content_violations(text, timestamptz) IS
	'Admits a migrated transaction that breaks content rules, as import_document(doc, admit_content_violations => true) admits a document: validates the stored transaction (as_of for the date rules) and writes one CONTENT_RULE_VIOLATION event per content-rule error not recorded for it yet; returns how many it wrote.  A structural violation cannot be admitted (23R50).  Used by the Loomworks migration (-v admit_content_violations=1).';
REVOKE ALL ON FUNCTION foray.loomworks_admit_content_violations(text, timestamptz) FROM PUBLIC;
