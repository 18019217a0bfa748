-- foray_substrate 0.2.0 -> 0.3.0 (ALTER EXTENSION foray_substrate UPDATE).
-- What changed and why: docs/schema.md ("Storage of components") and
-- docs/performance.md.  The data is kept as it is.
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
