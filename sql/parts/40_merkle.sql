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
