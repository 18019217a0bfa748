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

CREATE FUNCTION foray.inclusion_proof(tx text, id text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'foray_inclusion_proof'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION foray.inclusion_proof(text, text) IS
'The proof that component or attestation id is committed to by the transaction''s merkle_root: {commitment_scheme, transaction_id, subject_id, component_type, tree, component_hash, leaf_hash, steps: [{tree, leaf_index, tree_size, path, root}, {tree: "merkle_root", ...}], merkle_root} (docs/merkle.md).  Check it with foray.verify_inclusion(proof, trusted_root); it reveals nothing about the other members but hashes.';

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

CREATE FUNCTION foray.verify_inclusion(leaf_hash text, proof jsonb, root text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'foray_verify_inclusion'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.verify_inclusion(text, jsonb, text) IS
'The 0.4.0 form.  With a full proof: foray.verify_inclusion(proof, root), and leaf_hash must be the leaf the proof''s claims give (a 0.4.0 proof without commitment_scheme is read as scheme 1).  With one bare RFC 9162 step {leaf_index, tree_size, path}: a plain RFC 9162 check of leaf_hash against root.  Reads no table.  22R50/22R51 as the two-argument form.';

CREATE FUNCTION foray.verify(tx text DEFAULT NULL)
RETURNS TABLE (transaction_id text, component_id text, field text, stored text, recomputed text)
AS 'MODULE_PATHNAME', 'foray_verify'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE;
COMMENT ON FUNCTION foray.verify(text) IS
'Recomputes every hash of one stored transaction (or, with NULL, of all of them) from its rows and returns one row per difference: component_hash, attestation_hash, foray_core_hash, audit_data_hash, audit_data_anchor.audit_data_hash, component_hashes.<tree>, merkle_root; for an anchored or sealed transaction also its TRANSACTION_ANCHORED event (event.merkle_root, event.blockchain_anchor.<field>, and envelope.<field>: the envelope recomputed from the rows against the anchored one); "error" when the rows cannot be hashed.  No rows: everything checks out.  Catches changes made behind the triggers'' back.';
