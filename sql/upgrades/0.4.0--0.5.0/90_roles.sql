-- ---------------------------------------------------------------------
-- 90_roles: the roles of a Loomworks installation and their grants
-- (sql/parts/98_roles.sql, 99_privileges.sql; docs/roles.md); the
-- enumeration domains' CHECK constraints named after their rule
-- (sql/parts/20_schema.sql); register_event_kind runs as the owner
-- (sql/parts/30_triggers.sql).  A function added in 0.5.0 that a role
-- needs gets its GRANT line here as well as in 98_roles.sql.
-- ---------------------------------------------------------------------

ALTER DOMAIN foray.component_type RENAME CONSTRAINT component_type_check TO "is_ARR_ACC_ANT_or_ACT";
ALTER DOMAIN foray.readiness RENAME CONSTRAINT readiness_check TO "is_pending_ready_settled_or_reversed";
ALTER DOMAIN foray.lifecycle RENAME CONSTRAINT lifecycle_check TO "is_open_ready_to_anchor_anchored_or_sealed";
ALTER DOMAIN foray.business_status RENAME CONSTRAINT business_status_check TO "is_active_completed_or_reversed";
ALTER DOMAIN foray.attestor_type RENAME CONSTRAINT attestor_type_check TO "is_a_spec_9.3_attestor_type";
ALTER DOMAIN foray.attestation_type RENAME CONSTRAINT attestation_type_check TO "is_a_spec_9.3_attestation_type";
ALTER DOMAIN foray.attestation_outcome RENAME CONSTRAINT attestation_outcome_check TO "is_a_spec_9.3_outcome";
ALTER DOMAIN foray.subject_kind RENAME CONSTRAINT subject_kind_check TO "is_TRANSACTION_COMPONENT_ATTESTATION_or_MEMORY_OBJECT";
ALTER DOMAIN foray.actor_kind RENAME CONSTRAINT actor_kind_check TO "is_person_contributor_agent_companion_institution_or_system";

-- SECURITY DEFINER: the application registers kinds without any privilege
-- on event_kinds, which would let it add substrate kinds or re-describe
-- them.  Everything in the body is schema-qualified.
CREATE OR REPLACE FUNCTION foray.register_event_kind(event_kind pg_catalog.text, description pg_catalog.text)
RETURNS pg_catalog.void
LANGUAGE sql VOLATILE STRICT SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
	INSERT INTO foray.event_kinds (event_kind, origin, description)
	VALUES ($1, 'engine'::pg_catalog.text, $2)
	ON CONFLICT ON CONSTRAINT event_kinds_pkey
	DO UPDATE SET description = EXCLUDED.description
	WHERE foray.event_kinds.origin OPERATOR(pg_catalog.=) 'engine'::pg_catalog.text;
$$;
COMMENT ON FUNCTION foray.register_event_kind(text, text) IS
'Registers (or re-describes) a Loomworks engine event kind, lower_snake_case, so memory_events accepts it.  Substrate kinds cannot be redefined.  Runs as the extension''s owner: foray_application needs no privilege on event_kinds (docs/roles.md).';

DO $roles$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT * FROM (VALUES
		('foray_application', 'writes FORAY transactions, components, attestations and engine events'),
		('foray_anchor_service', 'reads the anchor queue and envelopes, records anchors and seals'),
		('foray_auditor', 'reads everything and runs every verification; writes nothing')) AS v(name, what)
	LOOP
		IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) r.name) THEN
			EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r.name);
			EXECUTE pg_catalog.format('COMMENT ON ROLE %I IS %L', r.name,
				'foray_substrate: ' OPERATOR(pg_catalog.||) r.what OPERATOR(pg_catalog.||) ' (docs/roles.md).');
		END IF;
	END LOOP;
END
$roles$;

-- (PUBLIC's USAGE revoked and given back after the roles' inside this
-- transaction: the schema's ACL then lists them in a fresh install's order)
REVOKE USAGE ON SCHEMA foray FROM PUBLIC;
GRANT USAGE ON SCHEMA foray TO foray_application, foray_anchor_service, foray_auditor;
GRANT USAGE ON SCHEMA foray TO PUBLIC;

-- tables and views.  The application writes its own columns and no other:
-- not lifecycle, the hashes, the anchor columns, created_at, updated_at or
-- source_ref, which the substrate maintains (42501 for the application;
-- the triggers also refuse lifecycle, hashes and anchor columns to every
-- role, 23R21), not the identity columns in an UPDATE, never a generated
-- column.
GRANT SELECT, DELETE ON foray.foray_transactions, foray.foray_components, foray.foray_attestations
	TO foray_application;
GRANT INSERT (transaction_id, schema_version, document_timestamp, foray_core, audit_data_anchor,
	privacy_metadata, extra_fields, amends_transaction_id) ON foray.foray_transactions TO foray_application;
GRANT UPDATE (schema_version, document_timestamp, foray_core, audit_data_anchor, privacy_metadata,
	extra_fields, amends_transaction_id) ON foray.foray_transactions TO foray_application;
GRANT INSERT (transaction_id, component_id, component_type, status, foray_core, audit_data, ordinal)
	ON foray.foray_components TO foray_application;
GRANT UPDATE (status, foray_core, audit_data, ordinal) ON foray.foray_components TO foray_application;
GRANT INSERT (transaction_id, attestation_id, foray_core, audit_data, ordinal)
	ON foray.foray_attestations TO foray_application;
GRANT UPDATE (foray_core, audit_data, ordinal) ON foray.foray_attestations TO foray_application;
GRANT SELECT ON foray.foray_transactions, foray.foray_components, foray.foray_attestations
	TO foray_anchor_service, foray_auditor;
GRANT SELECT ON foray.memory_events, foray.event_kinds TO foray_application, foray_auditor;
-- engine events: every column but event_id (the log numbers its events)
GRANT INSERT (event_kind, subject_kind, subject_id, transaction_id, engagement_id, object_id, object_type,
	object_version, engagement_version, actor_kind, actor_id, payload, occurred_at, source_ref)
	ON foray.memory_events TO foray_application;
GRANT SELECT ON foray.anchor_queue TO foray_anchor_service, foray_auditor;

-- functions that read or write the substrate's tables
GRANT EXECUTE ON FUNCTION foray.import_document(jsonb, boolean) TO foray_application;
GRANT EXECUTE ON FUNCTION foray.import_document_text(text, boolean) TO foray_application;
GRANT EXECUTE ON FUNCTION foray.amend_transaction(text, text) TO foray_application;
GRANT EXECUTE ON FUNCTION foray.register_event_kind(text, text) TO foray_application;
GRANT EXECUTE ON FUNCTION foray.export_document(text) TO foray_application, foray_auditor;
GRANT EXECUTE ON FUNCTION foray.anchor_envelope(text) TO foray_application, foray_anchor_service, foray_auditor;
GRANT EXECUTE ON FUNCTION foray.inclusion_proof(text, text) TO foray_application, foray_anchor_service, foray_auditor;
GRANT EXECUTE ON FUNCTION foray.verify(text) TO foray_application, foray_anchor_service, foray_auditor;
GRANT EXECUTE ON FUNCTION foray.record_anchor(text, text, text, bigint, bigint, timestamptz) TO foray_anchor_service;
GRANT EXECUTE ON FUNCTION foray.seal(text, text) TO foray_anchor_service;

-- PUBLIC: transaction_hashes, which import and export call as their
-- caller (it reads the tables as its caller), and canonical JSON and
-- hashing, which read no table (sql/parts/99_privileges.sql).
GRANT EXECUTE ON FUNCTION foray.transaction_hashes(text) TO PUBLIC;
GRANT EXECUTE ON FUNCTION foray.foray_canonicalize(jsonb), foray.foray_hash(jsonb),
	foray.foray_hash_strict(jsonb), foray.foray_hash_digest(jsonb),
	foray.sha256_text(bytea), foray.foray_canonical_number(text, boolean) TO PUBLIC;
