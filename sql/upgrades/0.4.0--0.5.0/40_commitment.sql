-- ---------------------------------------------------------------------
-- 40_commitment: commitment scheme 2 (docs/merkle.md).  A transaction
-- anchored by 0.4.0 keeps scheme 1, exactly as anchored; every other one
-- commits under scheme 2 from now on.
-- ---------------------------------------------------------------------

ALTER TABLE foray.foray_transactions ADD COLUMN commitment_scheme smallint NOT NULL DEFAULT 2;
ALTER TABLE foray.foray_transactions
	ADD CONSTRAINT foray_transactions_commitment_scheme_check CHECK (commitment_scheme IN (1, 2));
COMMENT ON COLUMN foray.foray_transactions.commitment_scheme IS 'How merkle_root and the envelope commit to the transaction (docs/merkle.md): 2 for every transaction since 0.5.0; 1 for one anchored by 0.4.0 or earlier, which keeps the scheme it was anchored under.  Maintained by the substrate.';

-- The substrate's own bookkeeping, behind its triggers (anchored rows are
-- immutable to everyone else, and these changes are not events):
--  * what is anchored or sealed keeps scheme 1;
--  * audit data that is JSON null becomes SQL NULL (none) in transactions
--    not anchored: scheme 2 refuses JSON null audit data, and scheme 1 hashed
--    both alike, so no root changes.
DO $upgrade$
DECLARE
	previous pg_catalog.text := pg_catalog.current_setting('session_replication_role');
BEGIN
	PERFORM pg_catalog.set_config('session_replication_role', 'replica', true);
	UPDATE foray.foray_transactions SET commitment_scheme = 1
	 WHERE lifecycle::pg_catalog.text OPERATOR(pg_catalog.=) ANY ('{anchored,sealed}'::pg_catalog.text[]);
	UPDATE foray.foray_transactions SET audit_data_anchor = NULL
	 WHERE commitment_scheme OPERATOR(pg_catalog.=) 2
	   AND audit_data_anchor OPERATOR(pg_catalog.=) 'null'::pg_catalog.jsonb;
	UPDATE foray.foray_components c SET audit_data = NULL
	  FROM foray.foray_transactions t
	 WHERE t.transaction_id OPERATOR(pg_catalog.=) c.transaction_id
	   AND t.commitment_scheme OPERATOR(pg_catalog.=) 2
	   AND c.audit_data OPERATOR(pg_catalog.=) 'null'::pg_catalog.jsonb;
	UPDATE foray.foray_attestations a SET audit_data = NULL
	  FROM foray.foray_transactions t
	 WHERE t.transaction_id OPERATOR(pg_catalog.=) a.transaction_id
	   AND t.commitment_scheme OPERATOR(pg_catalog.=) 2
	   AND a.audit_data OPERATOR(pg_catalog.=) 'null'::pg_catalog.jsonb;
	PERFORM pg_catalog.set_config('session_replication_role', previous, true);
END
$upgrade$;

-- transaction_hashes gains commitment_scheme (a new result column: made anew)
DROP FUNCTION foray.transaction_hashes(text);
CREATE FUNCTION foray.transaction_hashes(tx text,
	OUT component_hashes jsonb, OUT foray_core_hash text, OUT audit_data_hash text,
	OUT merkle_root text, OUT components bigint, OUT attestations bigint,
	OUT commitment_scheme integer)
RETURNS record
AS 'MODULE_PATHNAME', 'foray_transaction_hashes'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION foray.transaction_hashes(text) IS
'The hashes the transaction''s current rows commit to, under its commitment scheme (docs/merkle.md): component_hashes (one Merkle root per tree: arrangements, accruals, anticipations, actions, attestations), foray_core_hash, audit_data_hash and merkle_root, with the component and attestation counts and the scheme (2; 1 for a transaction anchored by 0.4.0).  Computed from the stored component/attestation hashes; foray.verify() recomputes those too.';

CREATE FUNCTION foray.commitment_details(tx text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'foray_commitment_details'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION foray.commitment_details(text) IS
'Every step of the transaction''s commitment as one object (docs/merkle.md): the header, member, audit and tree entries (hex) with their leaf hashes, each tree''s size and root, audit_data_hash, merkle_root, and the envelope these give with its canonical text and SHA-256.  For comparing an independent implementation entry by entry.';

REVOKE ALL ON FUNCTION foray.transaction_hashes(text) FROM PUBLIC;

CREATE FUNCTION foray.inclusion_proofs(tx text, ids text[] DEFAULT NULL)
RETURNS TABLE (subject_id text, proof jsonb)
AS 'MODULE_PATHNAME', 'foray_inclusion_proofs'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED;
COMMENT ON FUNCTION foray.inclusion_proofs(text, text[]) IS
'The inclusion proofs of the members named in ids (every member when ids is NULL), from one reading of the transaction: the same proofs as foray.inclusion_proof, each costing only its audit paths.';

CREATE FUNCTION foray.verify_inclusion(proof jsonb, root text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'foray_verify_inclusion_proof'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.verify_inclusion(jsonb, text) IS
'True when every label of the proof (transaction, subject id, type, tree, hashes, indices, sizes, roots) is what its hashes prove and it leads to root, the merkle_root the caller trusts; false for a well-formed proof that does not.  The leaf is computed from the proof''s own claims.  Reads no table.  22R51: a malformed proof (the key named); 22R50: root is not a sha256 hash.  docs/merkle.md.';

COMMENT ON FUNCTION foray.inclusion_proof(text, text) IS
'The proof that component or attestation id is committed to by the transaction''s merkle_root: {commitment_scheme, transaction_id, subject_id, component_type, tree, component_hash, leaf_hash, steps: [{tree, leaf_index, tree_size, path, root}, {tree: "merkle_root", ...}], merkle_root} (docs/merkle.md).  Check it with foray.verify_inclusion(proof, trusted_root); it reveals nothing about the other members but hashes.';


COMMENT ON FUNCTION foray.verify_inclusion(text, jsonb, text) IS
'The 0.4.0 form.  With a full proof: foray.verify_inclusion(proof, root), and leaf_hash must be the leaf the proof''s claims give (a 0.4.0 proof without commitment_scheme is read as scheme 1).  With one bare RFC 9162 step {leaf_index, tree_size, path}: a plain RFC 9162 check of leaf_hash against root.  Reads no table.  22R50/22R51 as the two-argument form.';

COMMENT ON FUNCTION foray.verify(text) IS
'Recomputes every hash of one stored transaction (or, with NULL, of all of them) from its rows and returns one row per difference: component_hash, attestation_hash, foray_core_hash, audit_data_hash, audit_data_anchor.audit_data_hash, component_hashes.<tree>, merkle_root; for an anchored or sealed transaction also its TRANSACTION_ANCHORED event (event.merkle_root, event.blockchain_anchor.<field>, and envelope.<field>: the envelope recomputed from the rows against the anchored one); "error" when the rows cannot be hashed.  No rows: everything checks out.  Catches changes made behind the triggers'' back.';


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

COMMENT ON FUNCTION foray.anchor_envelope(text) IS
'The minimal payload the anchor service puts on chain: {transaction_id, schema_version, timestamp, foray_core_hash, audit_data_hash, merkle_root, commitment_scheme} (a transaction anchored by 0.4.0: without commitment_scheme), whose canonical form stays under 500 bytes (22R52 otherwise).  For a ready_to_anchor transaction, from its current rows; for an anchored or sealed one, as recorded.  23R30 for an open transaction.  The bytes that go on chain: foray.anchor_envelope_text().';


CREATE OR REPLACE FUNCTION foray.amend_transaction(original text, new_transaction_id text)
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

REVOKE ALL ON FUNCTION foray.commitment_details(text), foray.inclusion_proofs(text, text[]),
	foray.verify_inclusion(jsonb, text), foray.anchor_envelope_text(text),
	foray.anchor_envelope_sha256(text) FROM PUBLIC;
