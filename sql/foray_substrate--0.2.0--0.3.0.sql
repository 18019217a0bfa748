-- foray_substrate 0.2.0 -> 0.3.0 (ALTER EXTENSION foray_substrate UPDATE).
-- What changed and why: docs/schema.md and docs/performance.md.  The data is kept as it is.
\echo Use "ALTER EXTENSION foray_substrate UPDATE TO '0.3.0'" to load this file. \quit

-- The reverse-reference index holds only components that reference
-- something: nothing looks a component without refs up through it, and each
-- one cost a GIN insertion for an empty key set.  The substrate's lookups
-- (src/plans.c) repeat the predicate from this version of the library on.
DROP INDEX foray.foray_components_ref_keys_idx;
CREATE INDEX foray_components_ref_keys_idx ON foray.foray_components
	USING gin (foray.component_ref_keys(transaction_id, arrangement_refs, accrual_refs, anticipation_refs))
	WITH (fastupdate = off)
	WHERE arrangement_refs <> '{}' OR accrual_refs <> '{}' OR anticipation_refs <> '{}';

-- The engine events' actor CHECK: a C function instead of a regular
-- expression (every engine event pays it; the same strings pass).
CREATE FUNCTION foray.is_uuid_text(value text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'foray_is_uuid_text'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.is_uuid_text(text) IS
'Whether value is a UUID in canonical lower-case text form: ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$.  Behind memory_events_actor_check (C rather than a regular expression: every engine event pays the CHECK).';
REVOKE ALL ON FUNCTION foray.is_uuid_text(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION foray.is_uuid_text(text) TO PUBLIC;
ALTER TABLE foray.memory_events DROP CONSTRAINT memory_events_actor_check;
ALTER TABLE foray.memory_events ADD CONSTRAINT memory_events_actor_check CHECK (
		actor_kind NOT IN ('person', 'contributor', 'agent', 'companion')
		OR foray.is_uuid_text(actor_id));
