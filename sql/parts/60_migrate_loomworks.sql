
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
