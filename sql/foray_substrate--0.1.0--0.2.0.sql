-- foray_substrate 0.1.0 -> 0.2.0 (ALTER EXTENSION foray_substrate UPDATE).
-- What changed and why: docs/performance.md and docs/schema.md.  The data
-- is kept as it is; existing rows are checked against the new CHECKs.
\echo Use "ALTER EXTENSION foray_substrate UPDATE TO '0.2.0'" to load this file. \quit

-- ---------------------------------------------------------------------
-- CHECK helpers in C, and the CHECKs that use them
-- ---------------------------------------------------------------------
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


ALTER TABLE foray.foray_transactions
	DROP CONSTRAINT foray_transactions_id_check,
	ADD CONSTRAINT foray_transactions_id_check CHECK (foray.is_transaction_id(transaction_id)),
	DROP CONSTRAINT foray_transactions_timestamp_check,
	ADD CONSTRAINT foray_transactions_timestamp_check CHECK (foray.is_document_timestamp(document_timestamp));
ALTER TABLE foray.foray_components
	DROP CONSTRAINT foray_components_transaction_fkey,
	DROP CONSTRAINT foray_components_id_prefix_check,
	ADD CONSTRAINT foray_components_id_prefix_check CHECK (foray.has_id_prefix(component_id, component_type)),
	DROP CONSTRAINT foray_components_ref_typing_check,
	ADD CONSTRAINT foray_components_ref_typing_check
		CHECK (foray.refs_typed(component_type, arrangement_refs, accrual_refs, anticipation_refs)),
	DROP CONSTRAINT foray_components_hash_check,
	ADD CONSTRAINT foray_components_hash_check CHECK (component_hash IS NULL OR foray.is_sha256_text(component_hash));
ALTER TABLE foray.foray_attestations
	DROP CONSTRAINT foray_attestations_transaction_fkey,
	DROP CONSTRAINT foray_attestations_id_prefix_check,
	ADD CONSTRAINT foray_attestations_id_prefix_check CHECK (foray.has_id_prefix(attestation_id, 'ATT')),
	DROP CONSTRAINT foray_attestations_hash_check,
	ADD CONSTRAINT foray_attestations_hash_check CHECK (attestation_hash IS NULL OR foray.is_sha256_text(attestation_hash));

-- ---------------------------------------------------------------------
-- Storage: room for HOT updates, no index on lifecycle
-- (new pages only; VACUUM FULL or pg_repack applies it to old ones)
-- ---------------------------------------------------------------------
ALTER TABLE foray.foray_transactions SET (fillfactor = 50);
ALTER TABLE foray.foray_components SET (fillfactor = 50);
DROP INDEX foray.foray_transactions_lifecycle_idx;
-- The anchor service's work list: transactions not anchored yet, oldest
-- first (foray.anchor_queue).  Not an index on lifecycle: the substrate
-- moves lifecycle (open <-> ready_to_anchor) as components arrive, and an
-- indexed column makes every such update non-HOT.  With this index and room
-- in each page (fillfactor 50), those updates touch no index.
CREATE INDEX foray_transactions_unanchored_idx ON foray.foray_transactions (created_at, transaction_id)
	WHERE anchored_at IS NULL;

-- ---------------------------------------------------------------------
-- The event log: kinds checked by its trigger (LOG-003), version keys
-- as partial unique indexes
-- ---------------------------------------------------------------------
COMMENT ON TABLE foray.event_kinds IS
'The registry of event kinds memory_events accepts (rule LOG-003, checked by the log''s insert trigger).  Substrate kinds (UPPER_CASE) ship with the extension; the Loomworks engine registers its own (lower_case) kinds with foray.register_event_kind().  The registry only grows: a kind cannot be removed or renamed, only re-described.';

ALTER TABLE foray.memory_events
	DROP CONSTRAINT memory_events_kind_fkey,
	DROP CONSTRAINT memory_events_object_version_key,
	DROP CONSTRAINT memory_events_engagement_version_key;
-- One event per object version and per engagement version.  Partial: the
-- substrate's own events carry neither, and a NULL key never conflicts, so
-- indexing them only cost two index insertions per substrate event.
CREATE UNIQUE INDEX memory_events_object_version_key ON foray.memory_events (object_id, object_version)
	WHERE object_id IS NOT NULL;
CREATE UNIQUE INDEX memory_events_engagement_version_key ON foray.memory_events (engagement_id, engagement_version)
	WHERE engagement_id IS NOT NULL;

-- ---------------------------------------------------------------------
-- Triggers: the substrate's own writes skip the row triggers
-- ---------------------------------------------------------------------
CREATE FUNCTION foray.substrate_writing() RETURNS boolean
AS 'MODULE_PATHNAME', 'foray_substrate_writing' LANGUAGE C VOLATILE PARALLEL UNSAFE;
CREATE FUNCTION foray.may_have_waiters(transaction_id text) RETURNS boolean
AS 'MODULE_PATHNAME', 'foray_may_have_waiters' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION foray.substrate_writing() IS 'True while the substrate itself writes derived columns (readiness statuses, lifecycle, anchoring) or appends its own events; the row triggers'' WHEN clauses skip those writes, which the substrate checks and records itself.';
COMMENT ON FUNCTION foray.may_have_waiters(text) IS 'Whether the transaction may hold pending components, as far as this session''s writes under the transaction''s lock show (one index probe per SQL transaction).  The components'' AFTER INSERT trigger fires only when it does: a component arriving usable has nothing to unblock otherwise.';
COMMENT ON FUNCTION foray.foray_memory_events_guard() IS 'Refuses UPDATE, DELETE and TRUNCATE on the append-only event log, events of an unregistered kind, and substrate-kind events not written by the substrate.';

DROP TRIGGER foray_10_before ON foray.foray_transactions;
CREATE TRIGGER foray_10_before BEFORE INSERT OR UPDATE ON foray.foray_transactions
	FOR EACH ROW WHEN (NOT foray.substrate_writing())
	EXECUTE FUNCTION foray.foray_transactions_before();
DROP TRIGGER foray_10_before ON foray.foray_components;
CREATE TRIGGER foray_10_before BEFORE INSERT OR UPDATE ON foray.foray_components
	FOR EACH ROW WHEN (NOT foray.substrate_writing())
	EXECUTE FUNCTION foray.foray_components_before();
DROP TRIGGER foray_20_after ON foray.foray_components;
CREATE TRIGGER foray_20_after AFTER UPDATE OR DELETE ON foray.foray_components
	FOR EACH ROW WHEN (NOT foray.substrate_writing())
	EXECUTE FUNCTION foray.foray_components_after();
DROP TRIGGER foray_21_after_insert ON foray.foray_components;
CREATE TRIGGER foray_21_after_insert AFTER INSERT ON foray.foray_components
	FOR EACH ROW WHEN (NEW.status::text <> 'pending' AND foray.may_have_waiters(NEW.transaction_id))
	EXECUTE FUNCTION foray.foray_components_after();
DROP TRIGGER foray_12_substrate_kinds ON foray.memory_events;
CREATE TRIGGER foray_12_event_kind BEFORE INSERT ON foray.memory_events
	FOR EACH ROW WHEN (NOT foray.substrate_writing())
	EXECUTE FUNCTION foray.foray_memory_events_guard();

CREATE FUNCTION foray.foray_event_kinds_guard() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_event_kinds_guard' LANGUAGE C;
COMMENT ON FUNCTION foray.foray_event_kinds_guard() IS 'Refuses removing or renaming a registered event kind (LOG-003); only its description may change.';
CREATE TRIGGER foray_10_grow_only BEFORE UPDATE OR DELETE ON foray.event_kinds
	FOR EACH ROW EXECUTE FUNCTION foray.foray_event_kinds_guard();
CREATE TRIGGER foray_11_grow_only BEFORE TRUNCATE ON foray.event_kinds
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_event_kinds_guard();

DROP TRIGGER foray_05_anchored_guard ON foray.foray_transactions;
CREATE TRIGGER foray_05_anchored_guard BEFORE UPDATE OR DELETE ON foray.foray_transactions
	FOR EACH ROW WHEN (NOT foray.substrate_writing())
	EXECUTE FUNCTION foray.foray_anchored_guard();
DROP TRIGGER foray_05_anchored_guard ON foray.foray_components;
CREATE TRIGGER foray_05_anchored_guard BEFORE INSERT OR UPDATE OR DELETE ON foray.foray_components
	FOR EACH ROW WHEN (NOT foray.substrate_writing())
	EXECUTE FUNCTION foray.foray_anchored_guard();

-- ---------------------------------------------------------------------
-- ENV-001 as triggers instead of the transaction foreign keys
-- ---------------------------------------------------------------------
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

-- ---------------------------------------------------------------------
-- The anchor service's work list
-- ---------------------------------------------------------------------
CREATE VIEW foray.anchor_queue AS
SELECT transaction_id, created_at
  FROM foray.foray_transactions
 WHERE anchored_at IS NULL AND lifecycle = 'ready_to_anchor';
COMMENT ON VIEW foray.anchor_queue IS
'Transactions ready to anchor, for the anchor service: fetch foray.anchor_envelope(transaction_id) for each, oldest (created_at) first.  Served by the partial index foray_transactions_unanchored_idx.';

-- ---------------------------------------------------------------------
-- Privileges of the new objects, as a fresh install has them
-- ---------------------------------------------------------------------
REVOKE ALL ON foray.anchor_queue FROM PUBLIC;
REVOKE ALL ON FUNCTION foray.is_transaction_id(text), foray.is_document_timestamp(text),
	foray.is_sha256_text(text), foray.has_id_prefix(text, text),
	foray.refs_typed(text, text[], text[], text[]), foray.substrate_writing(),
	foray.may_have_waiters(text), foray.envelope_unconfirmed(text),
	foray.foray_event_kinds_guard(), foray.foray_check_envelope(),
	foray.foray_transactions_cascade(), foray.foray_transactions_truncated() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION foray.is_transaction_id(text), foray.is_document_timestamp(text),
	foray.is_sha256_text(text), foray.has_id_prefix(text, text),
	foray.refs_typed(text, text[], text[], text[]), foray.substrate_writing(),
	foray.may_have_waiters(text), foray.envelope_unconfirmed(text) TO PUBLIC;
