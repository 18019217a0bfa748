-- ---------------------------------------------------------------------
-- The anchor envelope, the anchoring lifecycle after ready_to_anchor,
-- immutability once anchored, and amendments (docs/merkle.md).
-- ---------------------------------------------------------------------

CREATE FUNCTION foray.anchor_envelope(tx text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'foray_anchor_envelope'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION foray.anchor_envelope(text) IS
'The minimal payload the anchor service puts on chain: {transaction_id, schema_version, timestamp, foray_core_hash, audit_data_hash, merkle_root, commitment_scheme} (a transaction anchored by 0.4.0: without commitment_scheme), whose canonical form stays under 500 bytes (22R52 otherwise).  For a ready_to_anchor transaction, from its current rows; for an anchored or sealed one, as recorded.  23R30 for an open transaction.  The bytes that go on chain: foray.anchor_envelope_text().';

CREATE FUNCTION foray.anchor_envelope_text(tx text)
RETURNS text
AS 'MODULE_PATHNAME', 'foray_anchor_envelope_text'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION foray.anchor_envelope_text(text) IS
'The RFC 8785 canonical text of foray.anchor_envelope(tx): its UTF-8 bytes are what goes on chain (docs/merkle.md).';

CREATE FUNCTION foray.anchor_envelope_sha256(tx text)
RETURNS text
AS 'MODULE_PATHNAME', 'foray_anchor_envelope_sha256'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION foray.anchor_envelope_sha256(text) IS
'SHA-256 of the UTF-8 bytes of foray.anchor_envelope_text(tx), as "sha256:<hex>".';

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
	EXECUTE FUNCTION foray.foray_anchored_guard('foray_transactions');
CREATE TRIGGER foray_05_anchored_guard_truncate BEFORE TRUNCATE ON foray.foray_transactions
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_anchored_guard('foray_transactions');
CREATE TRIGGER foray_05_anchored_guard BEFORE INSERT OR UPDATE OR DELETE ON foray.foray_components
	FOR EACH ROW WHEN (NOT foray.substrate_writing())
	EXECUTE FUNCTION foray.foray_anchored_guard('foray_components');
CREATE TRIGGER foray_05_anchored_guard_truncate BEFORE TRUNCATE ON foray.foray_components
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_anchored_guard('foray_components');
CREATE TRIGGER foray_05_anchored_guard BEFORE INSERT OR UPDATE OR DELETE ON foray.foray_attestations
	FOR EACH ROW EXECUTE FUNCTION foray.foray_anchored_guard('foray_attestations');
CREATE TRIGGER foray_05_anchored_guard_truncate BEFORE TRUNCATE ON foray.foray_attestations
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_anchored_guard('foray_attestations');

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
	EXECUTE FUNCTION foray.foray_check_envelope('foray_components');
CREATE CONSTRAINT TRIGGER foray_31_envelope AFTER INSERT ON foray.foray_attestations
	DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW WHEN (foray.envelope_unconfirmed(NEW.transaction_id))
	EXECUTE FUNCTION foray.foray_check_envelope('foray_attestations');
CREATE TRIGGER foray_25_cascade AFTER DELETE ON foray.foray_transactions
	FOR EACH ROW EXECUTE FUNCTION foray.foray_transactions_cascade('foray_transactions');
CREATE TRIGGER foray_26_truncate AFTER TRUNCATE ON foray.foray_transactions
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_transactions_truncated('foray_transactions');

-- The anchor service's work list, foray.anchor_queue: with the log
-- (48_log_anchor.sql).

-- Corrections: FORAY amendments are new, append-only transactions.
CREATE FUNCTION foray.amend_transaction(original text, new_transaction_id text)
RETURNS text
LANGUAGE plpgsql VOLATILE STRICT PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	orig_lifecycle text;
BEGIN
	SELECT t.lifecycle::pg_catalog.text INTO orig_lifecycle
	  FROM foray.foray_transactions t
	 WHERE t.transaction_id OPERATOR(pg_catalog.=) original
	   FOR SHARE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'transaction "%" does not exist', original
			USING ERRCODE = '22R54';
	END IF;
	IF orig_lifecycle NOT IN ('anchored', 'sealed') AND foray.log_index(original) IS NULL THEN
		RAISE EXCEPTION 'transaction "%" is % and can be corrected in place', original, orig_lifecycle
			USING ERRCODE = '23R34',
				  DETAIL = 'Rule AMEND-001: only a transaction committed to the log, anchored or sealed is amended by a new transaction.';
	END IF;

	INSERT INTO foray.foray_transactions
		(transaction_id, schema_version, document_timestamp, foray_core,
		 audit_data_anchor, privacy_metadata, extra_fields, amends_transaction_id)
	SELECT new_transaction_id, t.schema_version, t.document_timestamp, t.foray_core,
		   t.audit_data_anchor OPERATOR(pg_catalog.-) 'audit_data_hash'::pg_catalog.text,
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
'Starts the correction of a transaction committed to the log, anchored or sealed: a new open transaction new_transaction_id with amends_transaction_id = original and copies of its foray_core, audit data, components and attestations (readiness derived afresh).  Edit the copy, then anchor it as usual; the original never changes.  23R34 unless the original is in the log, anchored or sealed.';
