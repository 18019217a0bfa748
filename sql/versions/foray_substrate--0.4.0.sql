\echo Use "CREATE EXTENSION foray_substrate" to load this file. \quit

-- ---------------------------------------------------------------------------
-- Canonical JSON (RFC 8785) and SHA-256 hashing (src/canonical.c, src/core/)
-- The algorithm and the number policy: docs/hashing.md.
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.foray_canonicalize(doc jsonb)
RETURNS text
AS 'MODULE_PATHNAME', 'foray_canonicalize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.foray_canonicalize(jsonb) IS
'RFC 8785 (JCS) canonical text of a jsonb value: members sorted by UTF-16 code units, numbers as ECMAScript prints the nearest double, minimal string escapes. Errors: 22R20 number not a finite double, 22R23 nesting deeper than 1000.';

CREATE FUNCTION @extschema@.foray_hash(doc jsonb)
RETURNS text
AS 'MODULE_PATHNAME', 'foray_hash'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.foray_hash(jsonb) IS
'FORAY hash of a jsonb value: ''sha256:'' followed by the 64 lowercase hex digits of SHA-256 over its RFC 8785 canonical text (UTF-8). Same as sha256_text(convert_to(foray_canonicalize(doc), ''UTF8'')), computed without building the text.';

CREATE FUNCTION @extschema@.foray_hash_strict(doc jsonb)
RETURNS text
AS 'MODULE_PATHNAME', 'foray_hash_strict'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.foray_hash_strict(jsonb) IS
'foray_hash, but refuses (SQLSTATE 22R21) a document holding a number whose canonical form differs in value from the stored decimal (e.g. 12345678901234567.89 -> 12345678901234568), so two different stored values can never share a hash. Trailing zeros and exponent spelling are not changes. Used for foray_core.';

CREATE FUNCTION @extschema@.foray_hash_digest(doc jsonb)
RETURNS bytea
AS 'MODULE_PATHNAME', 'foray_hash_digest'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.foray_hash_digest(jsonb) IS
'The 32-byte SHA-256 digest of the RFC 8785 canonical text of a jsonb value (foray_hash without the text form).';

CREATE FUNCTION @extschema@.sha256_text(data bytea)
RETURNS text
AS 'MODULE_PATHNAME', 'foray_sha256_text'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.sha256_text(bytea) IS
'''sha256:'' followed by the 64 lowercase hex digits of SHA-256 over the bytes (OpenSSL libcrypto).';

CREATE FUNCTION @extschema@.foray_canonical_number(num text, strict boolean DEFAULT false)
RETURNS text
AS 'MODULE_PATHNAME', 'foray_canonical_number'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.foray_canonical_number(text, boolean) IS
'RFC 8785 form of a JSON number written as text (nearest double, printed as ECMAScript does). With strict, refuses (22R21) a number whose canonical form differs in value. Errors: 22R25 not a JSON number, 22R20 not a finite double.';

REVOKE ALL ON FUNCTION @extschema@.foray_canonicalize(jsonb), @extschema@.foray_hash(jsonb),
	@extschema@.foray_hash_strict(jsonb), @extschema@.foray_hash_digest(jsonb),
	@extschema@.sha256_text(bytea), @extschema@.foray_canonical_number(text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.foray_canonicalize(jsonb), @extschema@.foray_hash(jsonb),
	@extschema@.foray_hash_strict(jsonb), @extschema@.foray_hash_digest(jsonb),
	@extschema@.sha256_text(bytea), @extschema@.foray_canonical_number(text, boolean) TO PUBLIC;
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
'Whether value is a UUID in canonical lower-case text form: ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$.  Behind memory_events_actor_check (C rather than a regular expression: every engine event pays the CHECK).';

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
	CHECK (VALUE IN ('ARR', 'ACC', 'ANT', 'ACT'));
COMMENT ON DOMAIN foray.component_type IS
'The four DAG component types: ARR arrangement, ACC accrual, ANT anticipation, ACT action.  Attestations (ATT) live in foray_attestations.';

CREATE DOMAIN foray.readiness AS text
	CHECK (VALUE IN ('pending', 'ready', 'settled', 'reversed'));
COMMENT ON DOMAIN foray.readiness IS
'A component''s readiness: pending and ready are derived by the substrate; settled and reversed are set by the application.';

CREATE DOMAIN foray.lifecycle AS text
	CHECK (VALUE IN ('open', 'ready_to_anchor', 'anchored', 'sealed'));
COMMENT ON DOMAIN foray.lifecycle IS
'A transaction''s anchoring lifecycle.  Not to be confused with business_status (foray_core.status).';

CREATE DOMAIN foray.business_status AS text
	CHECK (VALUE IN ('active', 'completed', 'reversed'));
COMMENT ON DOMAIN foray.business_status IS
'A transaction''s business status, foray_core.status in the document (spec §2.1).';

CREATE DOMAIN foray.attestor_type AS text
	CHECK (VALUE IN ('certification_body', 'laboratory', 'auditor', 'inspector', 'oracle', 'regulator'));
COMMENT ON DOMAIN foray.attestor_type IS 'Spec §9.3 attestor types.';

CREATE DOMAIN foray.attestation_type AS text
	CHECK (VALUE IN ('certification', 'inspection', 'analysis', 'audit_opinion', 'verification', 'approval'));
COMMENT ON DOMAIN foray.attestation_type IS 'Spec §9.3 attestation types.';

CREATE DOMAIN foray.attestation_outcome AS text
	CHECK (VALUE IN ('certified', 'approved', 'rejected', 'conditional', 'expired', 'revoked', 'pending'));
COMMENT ON DOMAIN foray.attestation_outcome IS 'Spec §9.3 outcome values.';

CREATE DOMAIN foray.subject_kind AS text
	CHECK (VALUE IN ('TRANSACTION', 'COMPONENT', 'ATTESTATION', 'MEMORY_OBJECT'));
COMMENT ON DOMAIN foray.subject_kind IS
'What a memory_events row is about: a substrate transaction, component or attestation, or a Loomworks engine MemoryObject.';

CREATE DOMAIN foray.actor_kind AS text
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
	CONSTRAINT foray_transactions_pkey PRIMARY KEY (transaction_id),
	CONSTRAINT foray_transactions_id_check CHECK (foray.is_transaction_id(transaction_id)),
	CONSTRAINT foray_transactions_schema_version_check CHECK (schema_version = '4.1'),
	CONSTRAINT foray_transactions_timestamp_check CHECK (foray.is_document_timestamp(document_timestamp)),
	CONSTRAINT foray_transactions_core_check CHECK (pg_catalog.jsonb_typeof(foray_core) = 'object'),
	CONSTRAINT foray_transactions_anchor_check
		CHECK ((lifecycle IN ('anchored', 'sealed')) = (blockchain_anchor IS NOT NULL AND merkle_root IS NOT NULL)),
	CONSTRAINT foray_transactions_sealed_check
		CHECK ((lifecycle = 'sealed') = (sealed_archive_ref IS NOT NULL))
) WITH (fillfactor = 50);
COMMENT ON TABLE foray.foray_transactions IS
'The FORAY transaction envelope (spec §2.1): one row per transaction.  foray_core is the transaction-level core exactly as written; entity, entity_hash, transaction_type, business_status, currency and compliance_flags are generated from it.  lifecycle is the anchoring lifecycle, derived by the substrate.';
COMMENT ON COLUMN foray.foray_transactions.document_timestamp IS 'The document''s "timestamp" field, kept exactly as written (ISO-8601 text).';
COMMENT ON COLUMN foray.foray_transactions.extra_fields IS 'Top-level document fields the protocol does not define (e.g. source_system), kept for a lossless round trip.';
COMMENT ON COLUMN foray.foray_transactions.amends_transaction_id IS 'For a correction: the transaction this one amends (FORAY amendments are new, append-only transactions).  Checked by the BEFORE trigger rather than a self-referencing foreign key, which would make pg_dump''s data ordering cyclic.';
COMMENT ON COLUMN foray.foray_transactions.source_ref IS 'Provenance: the legacy row this transaction was migrated from, if any.';
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

CREATE TABLE foray.memory_events (
	event_id			bigint GENERATED ALWAYS AS IDENTITY,
	event_kind			text NOT NULL,
	subject_kind		foray.subject_kind NOT NULL,
	subject_id			text NOT NULL,
	transaction_id		text,
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
	CONSTRAINT memory_events_pkey PRIMARY KEY (event_id),
	CONSTRAINT memory_events_payload_check CHECK (pg_catalog.jsonb_typeof(payload) = 'object'),
	CONSTRAINT memory_events_subject_check CHECK (
		CASE subject_kind::text
			WHEN 'MEMORY_OBJECT' THEN engagement_id IS NOT NULL AND object_id IS NOT NULL
				AND object_type IS NOT NULL AND object_version IS NOT NULL
				AND subject_id = object_id::text
			WHEN 'TRANSACTION' THEN transaction_id IS NOT NULL AND subject_id = transaction_id
			ELSE transaction_id IS NOT NULL
		END),
	CONSTRAINT memory_events_actor_check CHECK (
		actor_kind NOT IN ('person', 'contributor', 'agent', 'companion')
		OR foray.is_uuid_text(actor_id))
);
COMMENT ON TABLE foray.memory_events IS
'The append-only event log: the substrate''s own events (written by its triggers in the same SQL transaction) and the Loomworks engine''s MemoryObject events, without the old readiness-wiring columns.  UPDATE, DELETE and TRUNCATE are refused for everyone.';
-- One event per object version and per engagement version.  Partial: the
-- substrate's own events carry neither, and a NULL key never conflicts, so
-- indexing them only cost two index insertions per substrate event.
CREATE UNIQUE INDEX memory_events_object_version_key ON foray.memory_events (object_id, object_version)
	WHERE object_id IS NOT NULL;
CREATE UNIQUE INDEX memory_events_engagement_version_key ON foray.memory_events (engagement_id, engagement_version)
	WHERE engagement_id IS NOT NULL;
CREATE INDEX memory_events_transaction_idx ON foray.memory_events (transaction_id, event_id)
	WHERE transaction_id IS NOT NULL;
CREATE INDEX memory_events_engagement_idx ON foray.memory_events (engagement_id, occurred_at)
	WHERE engagement_id IS NOT NULL;
CREATE INDEX memory_events_object_type_idx ON foray.memory_events (engagement_id, object_type)
	WHERE engagement_id IS NOT NULL;

-- pg_dump must carry the substrate's rows (extension tables are otherwise
-- skipped), the event log's identity sequence included.
SELECT pg_catalog.pg_extension_config_dump('foray.foray_transactions', '');
SELECT pg_catalog.pg_extension_config_dump('foray.foray_components', '');
SELECT pg_catalog.pg_extension_config_dump('foray.foray_attestations', '');
SELECT pg_catalog.pg_extension_config_dump('foray.memory_events', '');
SELECT pg_catalog.pg_extension_config_dump('foray.memory_events_event_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('foray.event_kinds', 'WHERE NOT builtin');
-- ---------------------------------------------------------------------
-- The rules, enforced by C triggers (src/components.c, attestations.c,
-- transactions.c, readiness.c, events.c).  Trigger names carry a number so
-- their firing order (by name) is the order written here.
-- ---------------------------------------------------------------------

CREATE FUNCTION foray.foray_transactions_before() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_transactions_before' LANGUAGE C;
CREATE FUNCTION foray.foray_transactions_after() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_transactions_after' LANGUAGE C;
CREATE FUNCTION foray.foray_components_before() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_components_before' LANGUAGE C;
CREATE FUNCTION foray.foray_components_after() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_components_after' LANGUAGE C;
CREATE FUNCTION foray.foray_components_check_refs() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_components_check_refs' LANGUAGE C;
CREATE FUNCTION foray.foray_components_check_removal() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_components_check_removal' LANGUAGE C;
CREATE FUNCTION foray.foray_attestations_before() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_attestations_before' LANGUAGE C;
CREATE FUNCTION foray.foray_attestations_after() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_attestations_after' LANGUAGE C;
CREATE FUNCTION foray.foray_attestations_check_refs() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_attestations_check_refs' LANGUAGE C;
CREATE FUNCTION foray.foray_attestations_check_removal() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_attestations_check_removal' LANGUAGE C;
CREATE FUNCTION foray.foray_statement_end() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_statement_end' LANGUAGE C;
CREATE FUNCTION foray.foray_memory_events_guard() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_memory_events_guard' LANGUAGE C;
CREATE FUNCTION foray.substrate_writing() RETURNS boolean
AS 'MODULE_PATHNAME', 'foray_substrate_writing' LANGUAGE C VOLATILE PARALLEL UNSAFE;
CREATE FUNCTION foray.may_have_waiters(transaction_id text) RETURNS boolean
AS 'MODULE_PATHNAME', 'foray_may_have_waiters' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;

COMMENT ON FUNCTION foray.foray_transactions_before() IS 'Validates a transaction''s foray_core, schema version and timestamp; refuses direct writes to substrate-maintained columns.';
COMMENT ON FUNCTION foray.foray_transactions_after() IS 'Writes TRANSACTION_CREATED.';
COMMENT ON FUNCTION foray.foray_components_before() IS 'Component rules: id prefix, ref typing, no self/duplicate refs, ARR dependencies empty, readiness transitions; derives status.';
COMMENT ON FUNCTION foray.foray_components_after() IS 'Component events and readiness propagation to dependents.';
COMMENT ON FUNCTION foray.foray_components_check_refs() IS 'At commit: every ref of a still-pending component resolves in its transaction.';
COMMENT ON FUNCTION foray.foray_components_check_removal() IS 'At commit: no component or attestation still references a removed component.';
COMMENT ON FUNCTION foray.foray_attestations_before() IS 'Attestation rules: ATT_ prefix, required fields and enumerations, subject_refs non-empty, dependencies are attestations.';
COMMENT ON FUNCTION foray.foray_attestations_after() IS 'Attestation events.';
COMMENT ON FUNCTION foray.foray_attestations_check_refs() IS 'At commit: subject_refs and dependencies resolve; no attestation cycle (ATT-006).';
COMMENT ON FUNCTION foray.foray_attestations_check_removal() IS 'At commit: no attestation still names a removed attestation.';
COMMENT ON FUNCTION foray.substrate_writing() IS 'True while the substrate itself writes derived columns (readiness statuses, lifecycle, anchoring) or appends its own events; the row triggers'' WHEN clauses skip those writes, which the substrate checks and records itself.';
COMMENT ON FUNCTION foray.may_have_waiters(text) IS 'Whether the transaction may hold pending components, as far as this session''s writes under the transaction''s lock show (one index probe per SQL transaction).  The components'' AFTER INSERT trigger fires only when it does: a component arriving usable has nothing to unblock otherwise.';
COMMENT ON FUNCTION foray.foray_statement_end() IS 'At the end of each statement: every touched transaction''s lifecycle follows its components (open / ready_to_anchor), and the statement''s events are appended to memory_events.';
COMMENT ON FUNCTION foray.foray_memory_events_guard() IS 'Refuses UPDATE, DELETE and TRUNCATE on the append-only event log, events of an unregistered kind, and substrate-kind events not written by the substrate.';

-- transactions
CREATE TRIGGER foray_10_before BEFORE INSERT OR UPDATE ON foray.foray_transactions
	FOR EACH ROW WHEN (NOT foray.substrate_writing())
	EXECUTE FUNCTION foray.foray_transactions_before();
CREATE TRIGGER foray_20_after AFTER INSERT ON foray.foray_transactions
	FOR EACH ROW EXECUTE FUNCTION foray.foray_transactions_after();
CREATE TRIGGER foray_90_statement_end AFTER INSERT OR UPDATE OR DELETE ON foray.foray_transactions
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_statement_end();

-- components
-- (the substrate's own status writes skip the row triggers: readiness.c
-- writes their events itself; an AFTER ROW trigger would re-fetch both
-- versions of every row it changes)
CREATE TRIGGER foray_10_before BEFORE INSERT OR UPDATE ON foray.foray_components
	FOR EACH ROW WHEN (NOT foray.substrate_writing())
	EXECUTE FUNCTION foray.foray_components_before();
CREATE TRIGGER foray_20_after AFTER UPDATE OR DELETE ON foray.foray_components
	FOR EACH ROW WHEN (NOT foray.substrate_writing())
	EXECUTE FUNCTION foray.foray_components_after();
CREATE TRIGGER foray_21_after_insert AFTER INSERT ON foray.foray_components
	FOR EACH ROW WHEN (NEW.status::text <> 'pending' AND foray.may_have_waiters(NEW.transaction_id))
	EXECUTE FUNCTION foray.foray_components_after();
CREATE CONSTRAINT TRIGGER foray_30_refs AFTER INSERT OR UPDATE ON foray.foray_components
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW WHEN (NEW.status::text = 'pending')
	EXECUTE FUNCTION foray.foray_components_check_refs();
CREATE CONSTRAINT TRIGGER foray_40_removal AFTER DELETE ON foray.foray_components
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION foray.foray_components_check_removal();
CREATE TRIGGER foray_90_statement_end AFTER INSERT OR UPDATE OR DELETE ON foray.foray_components
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_statement_end();

-- attestations
CREATE TRIGGER foray_10_before BEFORE INSERT OR UPDATE ON foray.foray_attestations
	FOR EACH ROW EXECUTE FUNCTION foray.foray_attestations_before();
CREATE TRIGGER foray_20_after AFTER INSERT OR UPDATE OR DELETE ON foray.foray_attestations
	FOR EACH ROW EXECUTE FUNCTION foray.foray_attestations_after();
CREATE CONSTRAINT TRIGGER foray_30_refs AFTER INSERT OR UPDATE ON foray.foray_attestations
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION foray.foray_attestations_check_refs();
CREATE CONSTRAINT TRIGGER foray_40_removal AFTER DELETE ON foray.foray_attestations
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION foray.foray_attestations_check_removal();
CREATE TRIGGER foray_90_statement_end AFTER INSERT OR UPDATE OR DELETE ON foray.foray_attestations
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_statement_end();

-- the event log is append-only
CREATE TRIGGER foray_10_append_only BEFORE UPDATE OR DELETE ON foray.memory_events
	FOR EACH ROW EXECUTE FUNCTION foray.foray_memory_events_guard();
CREATE TRIGGER foray_11_append_only BEFORE TRUNCATE ON foray.memory_events
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_memory_events_guard();
-- every event's kind is registered (LOG-003); substrate kinds (UPPER_CASE)
-- are written by the substrate only (LOG-002).  A trigger rather than a
-- foreign key: the registry only grows (below), so each backend caches the
-- kinds it has seen, where a foreign key runs a query for every event.
CREATE TRIGGER foray_12_event_kind BEFORE INSERT ON foray.memory_events
	FOR EACH ROW WHEN (NOT foray.substrate_writing())
	EXECUTE FUNCTION foray.foray_memory_events_guard();

-- the registry of kinds only grows
CREATE FUNCTION foray.foray_event_kinds_guard() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_event_kinds_guard' LANGUAGE C;
COMMENT ON FUNCTION foray.foray_event_kinds_guard() IS 'Refuses removing or renaming a registered event kind (LOG-003); only its description may change.';
CREATE TRIGGER foray_10_grow_only BEFORE UPDATE OR DELETE ON foray.event_kinds
	FOR EACH ROW EXECUTE FUNCTION foray.foray_event_kinds_guard();
CREATE TRIGGER foray_11_grow_only BEFORE TRUNCATE ON foray.event_kinds
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_event_kinds_guard();

-- ---------------------------------------------------------------------
-- Registering the engine's event kinds.
-- ---------------------------------------------------------------------

CREATE FUNCTION foray.register_event_kind(event_kind text, description text)
RETURNS void
LANGUAGE sql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
	INSERT INTO foray.event_kinds (event_kind, origin, description)
	VALUES ($1, 'engine', $2)
	ON CONFLICT ON CONSTRAINT event_kinds_pkey
	DO UPDATE SET description = EXCLUDED.description
	WHERE foray.event_kinds.origin = 'engine';
$$;
COMMENT ON FUNCTION foray.register_event_kind(text, text) IS
'Registers (or re-describes) a Loomworks engine event kind, lower_snake_case, so memory_events accepts it.  Substrate kinds cannot be redefined.';

-- ---------------------------------------------------------------------
-- Merkle commitments, inclusion proofs and verification (docs/merkle.md).
-- ---------------------------------------------------------------------

CREATE FUNCTION foray.merkle_leaf_hash(entry bytea)
RETURNS text
AS 'MODULE_PATHNAME', 'foray_merkle_leaf_hash_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.merkle_leaf_hash(bytea) IS
'RFC 9162 leaf hash SHA-256(0x00 || entry), as "sha256:<hex>".  For a component, entry is the 32 raw bytes of its component_hash: foray.merkle_leaf_hash(decode(substr(component_hash, 8), ''hex'')).';

CREATE FUNCTION foray.merkle_tree_hash(entries bytea[])
RETURNS text
AS 'MODULE_PATHNAME', 'foray_merkle_tree_hash'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.merkle_tree_hash(bytea[]) IS
'RFC 9162 Merkle Tree Hash over the entries in array order (empty array: SHA-256 of the empty string), as "sha256:<hex>".';

CREATE FUNCTION foray.transaction_hashes(tx text,
	OUT component_hashes jsonb, OUT foray_core_hash text, OUT audit_data_hash text,
	OUT merkle_root text, OUT components bigint, OUT attestations bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'foray_transaction_hashes'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION foray.transaction_hashes(text) IS
'The hashes the transaction''s current rows commit to: component_hashes (one Merkle root per tree: arrangements, accruals, anticipations, actions, attestations), foray_core_hash, audit_data_hash and merkle_root, with the component and attestation counts.  Computed from the stored component/attestation hashes; foray.verify() recomputes those too.';

CREATE FUNCTION foray.inclusion_proof(tx text, id text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'foray_inclusion_proof'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION foray.inclusion_proof(text, text) IS
'The audit path proving that component or attestation id is committed to by the transaction''s merkle_root: {transaction_id, subject_id, tree, component_hash, leaf_hash, steps: [{tree, leaf_index, tree_size, path, root}, ...], merkle_root}.  Check it with foray.verify_inclusion(leaf_hash, proof, merkle_root); it reveals nothing about the other components but their hashes'' hashes.';

CREATE FUNCTION foray.verify_inclusion(leaf_hash text, proof jsonb, root text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'foray_verify_inclusion'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.verify_inclusion(text, jsonb, text) IS
'True when the proof (a chain of RFC 9162 audit paths, or one bare {leaf_index, tree_size, path} step) takes leaf_hash to root; false otherwise.  Reads no table.  Malformed hashes or proofs raise 22R50/22R51.';

CREATE FUNCTION foray.verify(tx text DEFAULT NULL)
RETURNS TABLE (transaction_id text, component_id text, field text, stored text, recomputed text)
AS 'MODULE_PATHNAME', 'foray_verify'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE;
COMMENT ON FUNCTION foray.verify(text) IS
'Recomputes every hash of one stored transaction (or, with NULL, of all of them) from its rows and returns one row per difference: component_hash, attestation_hash, foray_core_hash, audit_data_hash, audit_data_anchor.audit_data_hash, component_hashes.<tree>, merkle_root; "error" when the rows cannot be hashed.  No rows: everything checks out.  Catches changes made behind the triggers'' back.';
-- ---------------------------------------------------------------------
-- The anchor envelope, the anchoring lifecycle after ready_to_anchor,
-- immutability once anchored, and amendments (docs/merkle.md).
-- ---------------------------------------------------------------------

CREATE FUNCTION foray.anchor_envelope(tx text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'foray_anchor_envelope'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION foray.anchor_envelope(text) IS
'The minimal payload the anchor service puts on chain: {transaction_id, schema_version, timestamp, foray_core_hash, audit_data_hash, merkle_root}, whose canonical form stays under 500 bytes (22R52 otherwise).  For a ready_to_anchor transaction, from its current rows; for an anchored or sealed one, as recorded.  23R30 for an open transaction.';

CREATE FUNCTION foray.record_anchor(tx text, merkle_root text, kaspa_tx_id text,
	block_height bigint, confirmation_time_ms bigint, anchored_at timestamptz)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'foray_record_anchor'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION foray.record_anchor(text, text, text, bigint, bigint, timestamptz) IS
'Called by the anchor service once merkle_root is on chain.  Refuses unless the transaction is ready_to_anchor (23R30) and merkle_root is the root of its current rows (23R31); then stores foray_core_hash, audit_data_hash, component_hashes, merkle_root and blockchain_anchor, moves the transaction to anchored and writes TRANSACTION_ANCHORED.  Returns the blockchain_anchor.  Repeating the same call is a no-op.';

CREATE FUNCTION foray.seal(tx text, archive_ref text)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'foray_seal'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION foray.seal(text, text) IS
'Records the sealed archive of an anchored transaction: lifecycle anchored -> sealed, sealed_archive_ref, sealed_at, TRANSACTION_SEALED.  23R33 unless anchored; repeating the same seal is a no-op.  Returns sealed_at.';

CREATE FUNCTION foray.foray_anchored_guard()
RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_anchored_guard'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION foray.foray_anchored_guard() IS
'Immutability once anchored (IMM-001): refuses INSERT, UPDATE, DELETE and TRUNCATE touching an anchored or sealed transaction, its components or its attestations (23R32).';

CREATE TRIGGER foray_05_anchored_guard BEFORE UPDATE OR DELETE ON foray.foray_transactions
	FOR EACH ROW WHEN (NOT foray.substrate_writing())
	EXECUTE FUNCTION foray.foray_anchored_guard();
CREATE TRIGGER foray_05_anchored_guard_truncate BEFORE TRUNCATE ON foray.foray_transactions
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_anchored_guard();
CREATE TRIGGER foray_05_anchored_guard BEFORE INSERT OR UPDATE OR DELETE ON foray.foray_components
	FOR EACH ROW WHEN (NOT foray.substrate_writing())
	EXECUTE FUNCTION foray.foray_anchored_guard();
CREATE TRIGGER foray_05_anchored_guard_truncate BEFORE TRUNCATE ON foray.foray_components
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_anchored_guard();
CREATE TRIGGER foray_05_anchored_guard BEFORE INSERT OR UPDATE OR DELETE ON foray.foray_attestations
	FOR EACH ROW EXECUTE FUNCTION foray.foray_anchored_guard();
CREATE TRIGGER foray_05_anchored_guard_truncate BEFORE TRUNCATE ON foray.foray_attestations
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_anchored_guard();

-- ENV-001: components and attestations belong to a transaction row by
-- commit.  The guard above reads and locks that row for every write; the
-- deferred check runs only for rows whose envelope was not there yet (it
-- may arrive later in the same SQL transaction).  Deleting a transaction
-- removes its components and attestations; TRUNCATE takes all three.
-- (Triggers rather than a foreign key, which ran a query per row at commit.)
CREATE FUNCTION foray.envelope_unconfirmed(transaction_id text) RETURNS boolean
AS 'MODULE_PATHNAME', 'foray_envelope_unconfirmed' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION foray.envelope_unconfirmed(text) IS
'Whether the row just written may lack its transaction row (the guard did not find and lock it): the WHEN clause of the deferred ENV-001 check.';
CREATE FUNCTION foray.foray_check_envelope() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_check_envelope' LANGUAGE C;
COMMENT ON FUNCTION foray.foray_check_envelope() IS
'At commit (ENV-001): a component or attestation written before its transaction row finds that row by now (23503).';
CREATE FUNCTION foray.foray_transactions_cascade() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_transactions_cascade' LANGUAGE C;
COMMENT ON FUNCTION foray.foray_transactions_cascade() IS
'Deleting a transaction deletes its attestations and components, through their own triggers.';
CREATE FUNCTION foray.foray_transactions_truncated() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_transactions_truncated' LANGUAGE C;
COMMENT ON FUNCTION foray.foray_transactions_truncated() IS
'Refuses a TRUNCATE of foray_transactions that leaves components or attestations behind.';

CREATE CONSTRAINT TRIGGER foray_31_envelope AFTER INSERT ON foray.foray_components
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW WHEN (foray.envelope_unconfirmed(NEW.transaction_id))
	EXECUTE FUNCTION foray.foray_check_envelope();
CREATE CONSTRAINT TRIGGER foray_31_envelope AFTER INSERT ON foray.foray_attestations
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW WHEN (foray.envelope_unconfirmed(NEW.transaction_id))
	EXECUTE FUNCTION foray.foray_check_envelope();
CREATE TRIGGER foray_25_cascade AFTER DELETE ON foray.foray_transactions
	FOR EACH ROW EXECUTE FUNCTION foray.foray_transactions_cascade();
CREATE TRIGGER foray_26_truncate AFTER TRUNCATE ON foray.foray_transactions
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_transactions_truncated();

-- The anchor service's work list.
CREATE VIEW foray.anchor_queue AS
SELECT transaction_id, created_at
  FROM foray.foray_transactions
 WHERE anchored_at IS NULL AND lifecycle = 'ready_to_anchor';
COMMENT ON VIEW foray.anchor_queue IS
'Transactions ready to anchor, for the anchor service: fetch foray.anchor_envelope(transaction_id) for each, oldest (created_at) first.  Served by the partial index foray_transactions_unanchored_idx.';

-- Corrections: FORAY amendments are new, append-only transactions.
CREATE FUNCTION foray.amend_transaction(original text, new_transaction_id text)
RETURNS text
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	orig_lifecycle text;
BEGIN
	SELECT t.lifecycle::text INTO orig_lifecycle
	  FROM foray.foray_transactions t
	 WHERE t.transaction_id OPERATOR(pg_catalog.=) original
	   FOR SHARE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'transaction "%" does not exist', original
			USING ERRCODE = '22R54';
	END IF;
	IF orig_lifecycle NOT IN ('anchored', 'sealed') THEN
		RAISE EXCEPTION 'transaction "%" is % and can be corrected in place', original, orig_lifecycle
			USING ERRCODE = '23R34',
				  DETAIL = 'Rule AMEND-001: only an anchored or sealed transaction is amended by a new transaction.';
	END IF;

	INSERT INTO foray.foray_transactions
		(transaction_id, schema_version, document_timestamp, foray_core,
		 audit_data_anchor, privacy_metadata, extra_fields, amends_transaction_id)
	SELECT new_transaction_id, t.schema_version, t.document_timestamp, t.foray_core,
		   t.audit_data_anchor OPERATOR(pg_catalog.-) 'audit_data_hash'::text,
		   t.privacy_metadata, t.extra_fields, t.transaction_id
	  FROM foray.foray_transactions t
	 WHERE t.transaction_id OPERATOR(pg_catalog.=) original;

	INSERT INTO foray.foray_components
		(transaction_id, component_id, component_type, foray_core, audit_data, ordinal)
	SELECT new_transaction_id, c.component_id, c.component_type, c.foray_core, c.audit_data, c.ordinal
	  FROM foray.foray_components c
	 WHERE c.transaction_id OPERATOR(pg_catalog.=) original
	 ORDER BY c.component_id COLLATE "C";

	INSERT INTO foray.foray_attestations
		(transaction_id, attestation_id, foray_core, audit_data, ordinal)
	SELECT new_transaction_id, a.attestation_id, a.foray_core, a.audit_data, a.ordinal
	  FROM foray.foray_attestations a
	 WHERE a.transaction_id OPERATOR(pg_catalog.=) original
	 ORDER BY a.attestation_id COLLATE "C";

	RETURN new_transaction_id;
END
$$;
COMMENT ON FUNCTION foray.amend_transaction(text, text) IS
'Starts the correction of an anchored (or sealed) transaction: a new open transaction new_transaction_id with amends_transaction_id = original and copies of its foray_core, audit data, components and attestations (readiness derived afresh).  Edit the copy, then anchor it as usual; the original never changes.  23R34 unless the original is anchored or sealed.';
-- ---------------------------------------------------------------------
-- FORAY documents in and out (issue 5): validation, upgrade, rules.
-- Rule ids and their classification: docs/rules.md.
-- ---------------------------------------------------------------------

CREATE FUNCTION foray.validate_document(doc jsonb, as_of timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (rule_id text, severity text, component_id text, json_path text, message text)
AS 'MODULE_PATHNAME', 'foray_validate_document_sql'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.validate_document(jsonb, timestamptz) IS
'Every violation of a FORAY document at once: rule id (docs/rules.md), severity error|warning, the component id (NULL for transaction-level findings), the JSON path and a message.  Documents of schema_version 4.0 and 3.0 are upgraded first (one TX-002 warning) and paths refer to the upgraded document.  as_of is "now" for the attestation date rules ATT-003/ATT-004.  No rows: the document is valid.';

CREATE FUNCTION foray.upgrade_document(doc jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'foray_upgrade_document_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.upgrade_document(jsonb) IS
'A schema 4.0 or flat 3.0 document rewritten as 4.1 (spec §7.2-§7.3: singular *_ref fields wrapped into *_refs arrays, missing arrays added; 3.0: top-level and component members moved into foray_core).  Any other document is returned unchanged.';

CREATE FUNCTION foray.document_rules()
RETURNS TABLE (rule_id text, classification text, severity text, spec text, description text)
AS 'MODULE_PATHNAME', 'foray_document_rules'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.document_rules() IS
'The rules foray.validate_document() applies: id, structural (always refused by import) or content (admitted on request, recorded as CONTENT_RULE_VIOLATION events), default severity, spec section, description.';

CREATE FUNCTION foray.import_document(doc jsonb, admit_content_violations boolean DEFAULT false)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'foray_import_document'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION foray.import_document(jsonb, boolean) IS
'Stores one FORAY document (transaction, components, attestations) through the triggers, all or nothing.  Documents breaking a structural rule are refused (SQLSTATE 23R50, 22R30-22R32), documents breaking content rules too (23R51) unless admit_content_violations, which records each violation as a CONTENT_RULE_VIOLATION event.  4.0 and 3.0 documents are upgraded and stored as 4.1.  Importing an identical document again is a no-op (status "unchanged"); a different one with the same transaction_id is refused (23R52) naming the first difference.  Returns a report: status, upgraded_from, counts, and what became of the hash fields the document carried (docs/documents.md).';

CREATE FUNCTION foray.export_document(transaction_id text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'foray_export_document'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION foray.export_document(text) IS
'A stored transaction as a complete FORAY v4.1 document: components in their document order, unknown fields kept, component_hashes and merkle_root computed by foray.transaction_hashes() (left out when that function is not installed).  22R33 when the transaction does not exist.';

-- The JSON text forms: jsonb keeps only the last value of a repeated key,
-- so duplicate keys (SHAPE-005) can only be seen before the cast.
CREATE FUNCTION foray.validate_document_text(doc text, as_of timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (rule_id text, severity text, component_id text, json_path text, message text)
AS 'MODULE_PATHNAME', 'foray_validate_document_text_sql'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.validate_document_text(text, timestamptz) IS
'foray.validate_document() for a JSON text, which also reports every key repeated in one object (SHAPE-005, with its path); invalid JSON is an error (22P02).';

CREATE FUNCTION foray.import_document_text(doc text, admit_content_violations boolean DEFAULT false)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'foray_import_document_text'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION foray.import_document_text(text, boolean) IS
'foray.import_document() for a JSON text: a document with a key repeated in one object is refused (SHAPE-005, SQLSTATE 23R50) instead of silently keeping the last value.';

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
-- ---------------------------------------------------------------------
-- Privileges: nothing relies on PUBLIC defaults.  Grant the application's
-- role what it needs (docs/schema.md lists the usual grants).
-- ---------------------------------------------------------------------

REVOKE ALL ON ALL TABLES IN SCHEMA foray FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA foray FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA foray FROM PUBLIC;
GRANT USAGE ON SCHEMA foray TO PUBLIC;
GRANT EXECUTE ON FUNCTION foray.core_text_array(jsonb, text), foray.iso_timestamptz(text),
	foray.iso_date(text), foray.component_ref_keys(text, text[], text[], text[]),
	foray.attestation_ref_keys(text, text[], text[]), foray.is_transaction_id(text),
	foray.is_document_timestamp(text), foray.is_sha256_text(text), foray.is_uuid_text(text),
	foray.has_id_prefix(text, text),
	foray.refs_typed(text, text[], text[], text[]), foray.substrate_writing(),
	foray.may_have_waiters(text), foray.envelope_unconfirmed(text) TO PUBLIC;
-- ---------------------------------------------------------------------
-- Grants of the document functions (after 99_privileges.sql, which
-- revokes everything from PUBLIC).  validate/upgrade/rules read no table
-- and are safe for anyone; import and export touch the substrate's tables
-- and are granted by the DBA to the application role.
-- ---------------------------------------------------------------------

GRANT EXECUTE ON FUNCTION foray.validate_document(jsonb, timestamptz),
	foray.validate_document_text(text, timestamptz), foray.upgrade_document(jsonb),
	foray.document_rules() TO PUBLIC;
-- ---------------------------------------------------------------------
-- Anyone may check a proof or compute a Merkle hash: these functions read
-- no table.  (After 99_privileges.sql, which revokes everything first.)
-- ---------------------------------------------------------------------

GRANT EXECUTE ON FUNCTION foray.merkle_leaf_hash(bytea), foray.merkle_tree_hash(bytea[]),
	foray.verify_inclusion(text, jsonb, text) TO PUBLIC;
