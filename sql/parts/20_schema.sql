-- ---------------------------------------------------------------------
-- The substrate's four tables.  See docs/schema.md for the reasoning
-- behind every departure from the primer.
-- ---------------------------------------------------------------------

-- ---------------------------------------------------------------------
-- Helper functions the table definitions need (generated columns).
-- ---------------------------------------------------------------------

CREATE FUNCTION foray.core_text_array(core jsonb, field text)
RETURNS text[]
AS 'MODULE_PATHNAME', 'foray_core_text_array'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.core_text_array(jsonb, text) IS
'The array of strings held in field of a foray_core object, as text[]; an absent or null field gives {}. Used by the generated *_refs columns, so the columns and foray_core can never disagree.';

CREATE FUNCTION foray.iso_timestamptz(value text)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'foray_iso_timestamptz'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.iso_timestamptz(text) IS
'Parses an ISO-8601 timestamp (date-only, or date-time with Z or an explicit offset; a date-time without offset is read as UTC). Immutable because it never consults the session time zone.';

CREATE FUNCTION foray.iso_date(value text)
RETURNS date
AS 'MODULE_PATHNAME', 'foray_iso_date'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.iso_date(text) IS
'The calendar date of an ISO-8601 date or date-time (YYYY-MM-DD prefix), independent of session settings.';

CREATE FUNCTION foray.is_transaction_id(value text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'foray_is_transaction_id'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.is_transaction_id(text) IS
'Whether value is a well-formed transaction id: ^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$ (ASCII).  Behind foray_transactions_id_check; C rather than a regular expression because the CHECK also runs on every lifecycle update.';

CREATE FUNCTION foray.is_document_timestamp(value text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'foray_is_document_timestamp'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.is_document_timestamp(text) IS
'Whether value has a shape of ISO-8601 the document timestamp may take: ^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$ (ASCII digits).  Behind foray_transactions_timestamp_check.';

CREATE FUNCTION foray.is_sha256_text(value text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'foray_is_sha256_text'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.is_sha256_text(text) IS
'Whether value is ''sha256:'' followed by 64 lowercase hex digits.  Behind the hash CHECKs (C: a CHECK runs on every update of the row).';

CREATE FUNCTION foray.is_uuid_text(value text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'foray_is_uuid_text'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.is_uuid_text(text) IS
'Whether value is a UUID in canonical lower-case text form: ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$.  Behind the actor checks of the event tables (C rather than a regular expression: every engine event pays the CHECK).';

CREATE FUNCTION foray.has_id_prefix(id text, prefix text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'foray_has_id_prefix'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.has_id_prefix(text, text) IS
'Whether id begins with prefix || ''_'' and is 5 to 200 characters long (rule ID-001).  Behind the id prefix CHECKs.';

CREATE FUNCTION foray.refs_typed(component_type text, arrangement_refs text[], accrual_refs text[],
								 anticipation_refs text[])
RETURNS boolean
AS 'MODULE_PATHNAME', 'foray_refs_typed'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.refs_typed(text, text[], text[], text[]) IS
'Ref typing by array (REF-001): ARR holds no refs, ACC arrangement_refs only, ANT no anticipation_refs, ACT any.  Behind foray_components_ref_typing_check; whether each ref resolves is the triggers'' business.';

CREATE FUNCTION foray.component_ref_keys(transaction_id text, arrangement_refs text[],
										accrual_refs text[], anticipation_refs text[])
RETURNS text[]
AS 'MODULE_PATHNAME', 'foray_component_ref_keys'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.component_ref_keys(text, text[], text[], text[]) IS
'Index keys for the reverse lookup "which components of this transaction reference X": one key per ref, transaction_id || U+001F || ref.';

CREATE FUNCTION foray.attestation_ref_keys(transaction_id text, subject_refs text[], dependencies text[])
RETURNS text[]
AS 'MODULE_PATHNAME', 'foray_attestation_ref_keys'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.attestation_ref_keys(text, text[], text[]) IS
'Index keys for the reverse lookup "which attestations of this transaction name X": one key per subject ref or dependency.';

-- ---------------------------------------------------------------------
-- Enumerations: one domain per concept, so the database enforces them.
-- ---------------------------------------------------------------------

CREATE DOMAIN foray.component_type AS text
	CONSTRAINT "is_ARR_ACC_ANT_or_ACT"
	CHECK (VALUE IN ('ARR', 'ACC', 'ANT', 'ACT'));
COMMENT ON DOMAIN foray.component_type IS
'The four DAG component types: ARR arrangement, ACC accrual, ANT anticipation, ACT action.  Attestations (ATT) live in foray_attestations.';

CREATE DOMAIN foray.readiness AS text
	CONSTRAINT "is_pending_ready_settled_or_reversed"
	CHECK (VALUE IN ('pending', 'ready', 'settled', 'reversed'));
COMMENT ON DOMAIN foray.readiness IS
'A component''s readiness: pending and ready are derived by the substrate; settled and reversed are set by the application.';

CREATE DOMAIN foray.lifecycle AS text
	CONSTRAINT "is_open_ready_to_anchor_anchored_or_sealed"
	CHECK (VALUE IN ('open', 'ready_to_anchor', 'anchored', 'sealed'));
COMMENT ON DOMAIN foray.lifecycle IS
'A transaction''s anchoring lifecycle.  Not to be confused with business_status (foray_core.status).';

CREATE DOMAIN foray.business_status AS text
	CONSTRAINT "is_active_completed_or_reversed"
	CHECK (VALUE IN ('active', 'completed', 'reversed'));
COMMENT ON DOMAIN foray.business_status IS
'A transaction''s business status, foray_core.status in the document (spec §2.1).';

CREATE DOMAIN foray.attestor_type AS text
	CONSTRAINT "is_a_spec_9.3_attestor_type"
	CHECK (VALUE IN ('certification_body', 'laboratory', 'auditor', 'inspector', 'oracle', 'regulator'));
COMMENT ON DOMAIN foray.attestor_type IS 'Spec §9.3 attestor types.';

CREATE DOMAIN foray.attestation_type AS text
	CONSTRAINT "is_a_spec_9.3_attestation_type"
	CHECK (VALUE IN ('certification', 'inspection', 'analysis', 'audit_opinion', 'verification', 'approval'));
COMMENT ON DOMAIN foray.attestation_type IS 'Spec §9.3 attestation types.';

CREATE DOMAIN foray.attestation_outcome AS text
	CONSTRAINT "is_a_spec_9.3_outcome"
	CHECK (VALUE IN ('certified', 'approved', 'rejected', 'conditional', 'expired', 'revoked', 'pending'));
COMMENT ON DOMAIN foray.attestation_outcome IS 'Spec §9.3 outcome values.';

CREATE DOMAIN foray.subject_kind AS text
	CONSTRAINT "is_TRANSACTION_COMPONENT_ATTESTATION_or_MEMORY_OBJECT"
	CHECK (VALUE IN ('TRANSACTION', 'COMPONENT', 'ATTESTATION', 'MEMORY_OBJECT'));
COMMENT ON DOMAIN foray.subject_kind IS
'What a memory_events row is about: a substrate transaction, component or attestation, or a Loomworks engine MemoryObject.';

CREATE DOMAIN foray.actor_kind AS text
	CONSTRAINT "is_person_contributor_agent_companion_institution_or_system"
	CHECK (VALUE IN ('person', 'contributor', 'agent', 'companion', 'institution', 'system'));
COMMENT ON DOMAIN foray.actor_kind IS
'The one actor convention of the substrate: (actor_kind, actor_id).  person/contributor/agent/companion carry a UUID in actor_id; institution carries the institution''s name (''dunin7'', ''anthropic''); system carries the database role that wrote the row.';

-- ---------------------------------------------------------------------
-- foray_transactions: the envelope, one row per FORAY transaction.
-- ---------------------------------------------------------------------

CREATE TABLE foray.foray_transactions (
	transaction_id		text NOT NULL,
	schema_version		text NOT NULL DEFAULT '4.1',
	document_timestamp	text NOT NULL,
	foray_core			jsonb NOT NULL,
	entity				text GENERATED ALWAYS AS (foray_core ->> 'entity') STORED,
	entity_hash			text GENERATED ALWAYS AS (foray_core ->> 'entity_hash') STORED,
	transaction_type	text GENERATED ALWAYS AS (foray_core ->> 'transaction_type') STORED,
	business_status		foray.business_status GENERATED ALWAYS AS (foray_core ->> 'status') STORED,
	currency			text GENERATED ALWAYS AS (foray_core ->> 'currency') STORED,
	compliance_flags	text[] GENERATED ALWAYS AS (foray.core_text_array(foray_core, 'compliance_flags')) STORED,
	lifecycle			foray.lifecycle NOT NULL DEFAULT 'open',
	audit_data_anchor	jsonb,
	privacy_metadata	jsonb,
	extra_fields		jsonb,
	amends_transaction_id text,
	foray_core_hash		text,
	audit_data_hash		text,
	component_hashes	jsonb,
	merkle_root			text,
	blockchain_anchor	jsonb,
	sealed_archive_ref	text,
	source_ref			text,
	created_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	anchored_at			timestamptz,
	sealed_at			timestamptz,
	commitment_scheme	smallint NOT NULL DEFAULT 2,
	CONSTRAINT foray_transactions_pkey PRIMARY KEY (transaction_id),
	CONSTRAINT foray_transactions_id_check CHECK (foray.is_transaction_id(transaction_id)),
	CONSTRAINT foray_transactions_schema_version_check CHECK (schema_version = '4.1'),
	CONSTRAINT foray_transactions_timestamp_check CHECK (foray.is_document_timestamp(document_timestamp)),
	CONSTRAINT foray_transactions_core_check CHECK (pg_catalog.jsonb_typeof(foray_core) = 'object'),
	CONSTRAINT foray_transactions_anchor_check
		CHECK ((lifecycle IN ('anchored', 'sealed')) = (blockchain_anchor IS NOT NULL AND merkle_root IS NOT NULL)),
	CONSTRAINT foray_transactions_sealed_check
		CHECK ((lifecycle = 'sealed') = (sealed_archive_ref IS NOT NULL)),
	CONSTRAINT foray_transactions_commitment_scheme_check CHECK (commitment_scheme IN (1, 2))
) WITH (fillfactor = 50);
COMMENT ON TABLE foray.foray_transactions IS
'The FORAY transaction envelope (spec §2.1): one row per transaction.  foray_core is the transaction-level core exactly as written; entity, entity_hash, transaction_type, business_status, currency and compliance_flags are generated from it.  lifecycle is the anchoring lifecycle, derived by the substrate.';
COMMENT ON COLUMN foray.foray_transactions.document_timestamp IS 'The document''s "timestamp" field, kept exactly as written (ISO-8601 text).';
COMMENT ON COLUMN foray.foray_transactions.extra_fields IS 'Top-level document fields the protocol does not define (e.g. source_system), kept for a lossless round trip.';
COMMENT ON COLUMN foray.foray_transactions.amends_transaction_id IS 'For a correction: the transaction this one amends (FORAY amendments are new, append-only transactions).  Checked by the BEFORE trigger rather than a self-referencing foreign key, which would make pg_dump''s data ordering cyclic.';
COMMENT ON COLUMN foray.foray_transactions.source_ref IS 'Provenance: the legacy row this transaction was migrated from, if any.';
COMMENT ON COLUMN foray.foray_transactions.commitment_scheme IS 'How merkle_root and the envelope commit to the transaction (docs/merkle.md): 2 for every transaction since 0.5.0; 1 for one anchored by 0.4.0 or earlier, which keeps the scheme it was anchored under.  Maintained by the substrate.';
-- The anchor service's work list: transactions not anchored yet, oldest
-- first (foray.anchor_queue).  Not an index on lifecycle: the substrate
-- moves lifecycle (open <-> ready_to_anchor) as components arrive, and an
-- indexed column makes every such update non-HOT.  With this index and room
-- in each page (fillfactor 50), those updates touch no index.
CREATE INDEX foray_transactions_unanchored_idx ON foray.foray_transactions (created_at, transaction_id)
	WHERE anchored_at IS NULL;

-- ---------------------------------------------------------------------
-- foray_components: the four DAG component types.
-- ---------------------------------------------------------------------

CREATE TABLE foray.foray_components (
	transaction_id		text NOT NULL,
	component_id		text NOT NULL,
	component_type		foray.component_type NOT NULL,
	status				foray.readiness NOT NULL DEFAULT 'pending',
	foray_core			jsonb NOT NULL,
	audit_data			jsonb,
	arrangement_refs	text[] NOT NULL GENERATED ALWAYS AS (foray.core_text_array(foray_core, 'arrangement_refs')) STORED,
	accrual_refs		text[] NOT NULL GENERATED ALWAYS AS (foray.core_text_array(foray_core, 'accrual_refs')) STORED,
	anticipation_refs	text[] NOT NULL GENERATED ALWAYS AS (foray.core_text_array(foray_core, 'anticipation_refs')) STORED,
	component_hash		text,
	ordinal				integer,
	source_ref			text,
	created_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT foray_components_pkey PRIMARY KEY (transaction_id, component_id),
	CONSTRAINT foray_components_id_prefix_check CHECK (foray.has_id_prefix(component_id, component_type)),
	CONSTRAINT foray_components_core_check CHECK (pg_catalog.jsonb_typeof(foray_core) = 'object'),
	CONSTRAINT foray_components_ref_typing_check
		CHECK (foray.refs_typed(component_type, arrangement_refs, accrual_refs, anticipation_refs)),
	CONSTRAINT foray_components_hash_check CHECK (component_hash IS NULL OR foray.is_sha256_text(component_hash))
) WITH (fillfactor = 50);
-- status is in no index, and each page keeps room for a second version of
-- every row it holds (fillfactor 50), so readiness updates are HOT: no index
-- is touched.  A component's readiness typically changes once in the very
-- SQL transaction that writes it (pending until its refs arrive), and that
-- old version cannot be pruned before commit: with less room, most of those
-- updates went to another page and into every index (readiness propagation
-- 25% slower at fillfactor 60, 35% at 80; docs/performance.md).  Later
-- settle/reverse updates reuse the room once pruned.
COMMENT ON TABLE foray.foray_components IS
'The four DAG component types (ARR, ACC, ANT, ACT).  Identity is (transaction_id, component_id): refs resolve inside their own transaction.  The *_refs columns are generated from foray_core, the single source of truth.  status is derived (pending/ready) or set by the application (settled/reversed).';
COMMENT ON COLUMN foray.foray_components.foray_core IS 'The component''s protocol core, hashed into component_hash and the transaction''s Merkle tree.';
COMMENT ON COLUMN foray.foray_components.audit_data IS 'Optional audit-profile data, never part of component_hash (hashed separately into audit_data_hash).';
COMMENT ON COLUMN foray.foray_components.ordinal IS 'Position of the component in its document array, for a lossless export order.';
COMMENT ON COLUMN foray.foray_components.source_ref IS 'Provenance: the legacy row this component was migrated from, if any.';
-- Partial: only components that reference something are ever looked up
-- through it (who references X?), and a component without refs (every
-- arrangement, most actions of a ledger) would cost a GIN insertion for an
-- empty key set.  The substrate's lookups repeat the predicate (src/plans.c).
CREATE INDEX foray_components_ref_keys_idx ON foray.foray_components
	USING gin (foray.component_ref_keys(transaction_id, arrangement_refs, accrual_refs, anticipation_refs))
	WITH (fastupdate = off)
	WHERE arrangement_refs <> '{}' OR accrual_refs <> '{}' OR anticipation_refs <> '{}';

-- ---------------------------------------------------------------------
-- foray_attestations: the cross-cutting fifth.
-- ---------------------------------------------------------------------

CREATE TABLE foray.foray_attestations (
	transaction_id		text NOT NULL,
	attestation_id		text NOT NULL,
	foray_core			jsonb NOT NULL,
	audit_data			jsonb,
	attestor			text NOT NULL GENERATED ALWAYS AS (foray_core ->> 'attestor') STORED,
	attestor_hash		text NOT NULL GENERATED ALWAYS AS (foray_core ->> 'attestor_hash') STORED,
	attestor_type		foray.attestor_type NOT NULL GENERATED ALWAYS AS (foray_core ->> 'attestor_type') STORED,
	attestor_credentials text[] NOT NULL GENERATED ALWAYS AS (foray.core_text_array(foray_core, 'attestor_credentials')) STORED,
	subject_refs		text[] NOT NULL GENERATED ALWAYS AS (foray.core_text_array(foray_core, 'subject_refs')) STORED,
	attestation_type	foray.attestation_type NOT NULL GENERATED ALWAYS AS (foray_core ->> 'attestation_type') STORED,
	attestation_date	timestamptz NOT NULL GENERATED ALWAYS AS (foray.iso_timestamptz(foray_core ->> 'attestation_date')) STORED,
	validity_period_start date GENERATED ALWAYS AS (foray.iso_date(foray_core #>> '{validity_period,start}')) STORED,
	validity_period_end	date GENERATED ALWAYS AS (foray.iso_date(foray_core #>> '{validity_period,end}')) STORED,
	outcome				foray.attestation_outcome NOT NULL GENERATED ALWAYS AS (foray_core ->> 'outcome') STORED,
	evidence_hash		text GENERATED ALWAYS AS (foray_core ->> 'evidence_hash') STORED,
	evidence_location	text GENERATED ALWAYS AS (foray_core ->> 'evidence_location') STORED,
	dependencies		text[] NOT NULL GENERATED ALWAYS AS (foray.core_text_array(foray_core, 'dependencies')) STORED,
	attestation_hash	text,
	ordinal				integer,
	source_ref			text,
	created_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT foray_attestations_pkey PRIMARY KEY (transaction_id, attestation_id),
	CONSTRAINT foray_attestations_id_prefix_check CHECK (foray.has_id_prefix(attestation_id, 'ATT')),
	CONSTRAINT foray_attestations_core_check CHECK (pg_catalog.jsonb_typeof(foray_core) = 'object'),
	CONSTRAINT foray_attestations_subject_refs_check CHECK (pg_catalog.cardinality(subject_refs) > 0),
	CONSTRAINT foray_attestations_hash_check CHECK (attestation_hash IS NULL OR foray.is_sha256_text(attestation_hash))
);
COMMENT ON TABLE foray.foray_attestations IS
'Attestations (spec §9): who vouches for what.  foray_core is the attestation''s core as the spec writes it (§9.2); every other descriptive column is generated from it.  subject_refs may name components or attestations of the same transaction; dependencies name attestations.';
COMMENT ON COLUMN foray.foray_attestations.attestation_hash IS 'sha256 of the canonical (RFC 8785) foray_core, kept in step by the substrate.';
CREATE INDEX foray_attestations_ref_keys_idx ON foray.foray_attestations
	USING gin (foray.attestation_ref_keys(transaction_id, subject_refs, dependencies))
	WITH (fastupdate = off);

-- ---------------------------------------------------------------------
-- memory_events: the append-only event log.
-- ---------------------------------------------------------------------

CREATE TABLE foray.event_kinds (
	event_kind			text NOT NULL,
	origin				text NOT NULL,
	description			text NOT NULL,
	builtin				boolean NOT NULL DEFAULT false,
	CONSTRAINT event_kinds_pkey PRIMARY KEY (event_kind),
	CONSTRAINT event_kinds_origin_check CHECK (origin IN ('substrate', 'engine')),
	CONSTRAINT event_kinds_name_check CHECK (
		(origin = 'substrate' AND event_kind ~ '^[A-Z][A-Z0-9_]{1,63}$') OR
		(origin = 'engine' AND event_kind ~ '^[a-z][a-z0-9_]{1,63}$'))
);
COMMENT ON TABLE foray.event_kinds IS
'The registry of event kinds memory_events accepts (rule LOG-003, checked by the log''s insert trigger).  Substrate kinds (UPPER_CASE) ship with the extension; the Loomworks engine registers its own (lower_case) kinds with foray.register_event_kind().  The registry only grows: a kind cannot be removed or renamed, only re-described.';

INSERT INTO foray.event_kinds (event_kind, origin, description, builtin) VALUES
	('TRANSACTION_CREATED', 'substrate', 'A FORAY transaction was created.', true),
	('TRANSACTION_STATE_CHANGED', 'substrate', 'A transaction''s lifecycle changed (open, ready_to_anchor).', true),
	('TRANSACTION_ANCHORED', 'substrate', 'The anchor service recorded the transaction''s merkle_root on chain.', true),
	('TRANSACTION_SEALED', 'substrate', 'The transaction was sealed into an archive.', true),
	('COMPONENT_CREATED', 'substrate', 'A component was added to a transaction.', true),
	('COMPONENT_UPDATED', 'substrate', 'A component''s foray_core or audit_data changed.', true),
	('COMPONENT_STATE_CHANGED', 'substrate', 'A component''s readiness changed.', true),
	('COMPONENT_DELETED', 'substrate', 'A component was removed before anchoring.', true),
	('ATTESTATION_ATTACHED', 'substrate', 'An attestation was attached to a transaction.', true),
	('ATTESTATION_UPDATED', 'substrate', 'An attestation''s foray_core changed.', true),
	('ATTESTATION_DETACHED', 'substrate', 'An attestation was removed before anchoring.', true),
	('CONTENT_RULE_VIOLATION', 'substrate', 'A document admitted with content-rule violations (one event per violation).', true);

-- The events are kept in two tables, one per kind of subject, so that each
-- can live where its subjects live when the substrate is distributed
-- (docs/scale-out.md): events about a FORAY transaction, its components and
-- attestations (the substrate's own, and the engine's about them) in
-- transaction_events, numbered 1, 2, 3 ... per transaction (seq, without
-- gaps); the engine's MemoryObject events in engine_events.  Readers and
-- writers use the view foray.memory_events over both.  Event ids come from
-- one sequence per node, drawn by the substrate (LOG-004).
CREATE SEQUENCE foray.memory_events_event_id_seq;
COMMENT ON SEQUENCE foray.memory_events_event_id_seq IS
'The event ids of this node, drawn by the substrate as each event is written (LOG-004).  On a Citus node foray.distribute() starts it at the node''s group id times 2^48, so ids are unique across nodes.';

CREATE TABLE foray.transaction_events (
	event_id			bigint NOT NULL,
	event_kind			text NOT NULL,
	subject_kind		foray.subject_kind NOT NULL,
	subject_id			text NOT NULL,
	transaction_id		text NOT NULL,
	engagement_id		uuid,
	object_id			uuid,
	object_type			text,
	object_version		integer,
	engagement_version	integer,
	actor_kind			foray.actor_kind NOT NULL,
	actor_id			text NOT NULL,
	payload				jsonb NOT NULL DEFAULT '{}',
	occurred_at			timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	source_ref			text,
	seq					bigint NOT NULL,
	CONSTRAINT transaction_events_pkey PRIMARY KEY (transaction_id, seq),
	CONSTRAINT transaction_events_seq_check CHECK (seq > 0),
	CONSTRAINT transaction_events_payload_check CHECK (pg_catalog.jsonb_typeof(payload) = 'object'),
	CONSTRAINT transaction_events_subject_check CHECK (
		subject_kind::text <> 'MEMORY_OBJECT'
		AND (subject_kind::text <> 'TRANSACTION' OR subject_id = transaction_id)),
	CONSTRAINT transaction_events_actor_check CHECK (
		actor_kind NOT IN ('person', 'contributor', 'agent', 'companion')
		OR foray.is_uuid_text(actor_id))
);
COMMENT ON TABLE foray.transaction_events IS
'The events about FORAY transactions, their components and attestations: the substrate''s own (written by its triggers in the same SQL transaction) and the engine''s about them.  seq numbers each transaction''s events 1, 2, 3 ... in the order they were written, without gaps.  Append-only: UPDATE, DELETE and TRUNCATE are refused for everyone.  Read through foray.memory_events.';
COMMENT ON COLUMN foray.transaction_events.seq IS 'The event''s place in its transaction''s history: 1, 2, 3 ... without gaps, assigned by the substrate under the transaction''s writer lock.';

CREATE TABLE foray.engine_events (
	event_id			bigint NOT NULL,
	event_kind			text NOT NULL,
	subject_kind		foray.subject_kind NOT NULL,
	subject_id			text NOT NULL,
	transaction_id		text,
	engagement_id		uuid NOT NULL,
	object_id			uuid NOT NULL,
	object_type			text NOT NULL,
	object_version		integer NOT NULL,
	engagement_version	integer,
	actor_kind			foray.actor_kind NOT NULL,
	actor_id			text NOT NULL,
	payload				jsonb NOT NULL DEFAULT '{}',
	occurred_at			timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	source_ref			text,
	CONSTRAINT engine_events_pkey PRIMARY KEY (engagement_id, event_id),
	CONSTRAINT engine_events_payload_check CHECK (pg_catalog.jsonb_typeof(payload) = 'object'),
	CONSTRAINT engine_events_subject_check CHECK (
		subject_kind::text = 'MEMORY_OBJECT' AND subject_id = object_id::text),
	CONSTRAINT engine_events_actor_check CHECK (
		actor_kind NOT IN ('person', 'contributor', 'agent', 'companion')
		OR foray.is_uuid_text(actor_id))
);
COMMENT ON TABLE foray.engine_events IS
'The Loomworks engine''s MemoryObject events, one per object version.  Append-only: UPDATE, DELETE and TRUNCATE are refused for everyone.  Read and written through foray.memory_events.';
-- One event per object version and per engagement version (a NULL
-- engagement_version never conflicts).
CREATE UNIQUE INDEX engine_events_object_version_key ON foray.engine_events (object_id, object_version);
CREATE UNIQUE INDEX engine_events_engagement_version_key ON foray.engine_events (engagement_id, engagement_version)
	WHERE engagement_version IS NOT NULL;
CREATE INDEX engine_events_engagement_idx ON foray.engine_events (engagement_id, occurred_at);
CREATE INDEX engine_events_object_type_idx ON foray.engine_events (engagement_id, object_type);

CREATE VIEW foray.memory_events AS
SELECT event_id, event_kind, subject_kind, subject_id, transaction_id, engagement_id, object_id,
	   object_type, object_version, engagement_version, actor_kind, actor_id, payload, occurred_at,
	   source_ref, seq AS transaction_seq
  FROM foray.transaction_events
UNION ALL
SELECT event_id, event_kind, subject_kind, subject_id, transaction_id, engagement_id, object_id,
	   object_type, object_version, engagement_version, actor_kind, actor_id, payload, occurred_at,
	   source_ref, NULL::bigint
  FROM foray.engine_events;
ALTER VIEW foray.memory_events ALTER COLUMN payload SET DEFAULT '{}';
ALTER VIEW foray.memory_events ALTER COLUMN occurred_at SET DEFAULT pg_catalog.clock_timestamp();
COMMENT ON VIEW foray.memory_events IS
'The append-only event log, one view over foray.transaction_events and foray.engine_events: the substrate''s events (written by its triggers in the same SQL transaction) and the Loomworks engine''s, with one actor convention.  An INSERT goes to the table of its subject (MEMORY_OBJECT: engine_events; a transaction, component or attestation: transaction_events); UPDATE and DELETE are refused for everyone (LOG-001).  transaction_seq orders a transaction''s events without gaps; event_id follows the order of writing on one node (docs/scale-out.md).';
COMMENT ON COLUMN foray.memory_events.transaction_seq IS 'transaction_events.seq: the event''s place in its transaction''s history (NULL for a MemoryObject event).';

-- pg_dump must carry the substrate's rows (extension tables are otherwise
-- skipped), the event log's sequence included.
SELECT pg_catalog.pg_extension_config_dump('foray.foray_transactions', '');
SELECT pg_catalog.pg_extension_config_dump('foray.foray_components', '');
SELECT pg_catalog.pg_extension_config_dump('foray.foray_attestations', '');
SELECT pg_catalog.pg_extension_config_dump('foray.transaction_events', '');
SELECT pg_catalog.pg_extension_config_dump('foray.engine_events', '');
SELECT pg_catalog.pg_extension_config_dump('foray.memory_events_event_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('foray.event_kinds', 'WHERE NOT builtin');
