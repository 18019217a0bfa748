-- ---------------------------------------------------------------------
-- The roles of a Loomworks installation (docs/roles.md).
--
-- Three NOLOGIN group roles hold the privileges; an installation makes
-- its login roles members, one statement per role:
--     GRANT foray_application    TO loomworks_app;
--     GRANT foray_anchor_service TO loomworks_anchor;
--     GRANT foray_auditor        TO loomworks_audit;
-- Roles belong to the cluster, not to the database: CREATE EXTENSION
-- creates the three when they are missing (a restore into a new cluster
-- included) and uses an existing one as it is.  The grants below are the
-- extension's initial privileges (pg_init_privs), so CREATE EXTENSION on
-- restore and every upgrade script give them again.
--
-- What each may do, one line per object; docs/roles.md shows the same
-- table and test/suites/70_roles.sh checks the catalog against it.  A new
-- function is one GRANT line here (and the same line in its upgrade
-- script).  Functions that read no table, and the helpers the tables'
-- generated columns, CHECKs, indexes and trigger conditions call, are
-- granted to PUBLIC in 99_privileges.sql instead.
-- ---------------------------------------------------------------------

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

GRANT USAGE ON SCHEMA foray TO foray_application, foray_anchor_service, foray_auditor;

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
GRANT EXECUTE ON FUNCTION foray.inclusion_proofs(text, text[]) TO foray_application, foray_anchor_service, foray_auditor;
GRANT EXECUTE ON FUNCTION foray.commitment_details(text) TO foray_application, foray_anchor_service, foray_auditor;
GRANT EXECUTE ON FUNCTION foray.anchor_envelope_text(text) TO foray_application, foray_anchor_service, foray_auditor;
GRANT EXECUTE ON FUNCTION foray.anchor_envelope_sha256(text) TO foray_application, foray_anchor_service, foray_auditor;
GRANT EXECUTE ON FUNCTION foray.verify(text) TO foray_application, foray_anchor_service, foray_auditor;
GRANT EXECUTE ON FUNCTION foray.record_anchor(text, text, text, bigint, bigint, timestamptz) TO foray_anchor_service;
GRANT EXECUTE ON FUNCTION foray.seal(text, text) TO foray_anchor_service;
