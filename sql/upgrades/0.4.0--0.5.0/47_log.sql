-- 0.5.0: the append-only log over every anchor envelope (sql/parts/47_log.sql).
-- ---------------------------------------------------------------------
-- The append-only log over every anchor envelope: RFC 9162 Merkle tree,
-- C2SP checkpoints, inclusion and consistency proofs (docs/log.md).
-- src/log.c and src/core/tlog*.c.
-- ---------------------------------------------------------------------

CREATE FUNCTION foray.log_nodes_at(log_index bigint)
RETURNS integer
AS 'MODULE_PATHNAME', 'foray_log_nodes_at'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.log_nodes_at(bigint) IS
'How many perfect-subtree hashes log entry log_index stores: the number of trailing one bits of log_index (appending that entry completed the subtrees of 2, 4, ... leaves ending at it).  Behind log_entries_subtrees_check.';

-- The log's identity: the origin line of its checkpoints.
CREATE TABLE foray.log_config (
	singleton			boolean NOT NULL DEFAULT true,
	origin				text NOT NULL,
	set_at				timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT log_config_pkey PRIMARY KEY (singleton),
	CONSTRAINT log_config_singleton_check CHECK (singleton)
);
COMMENT ON TABLE foray.log_config IS
'One row: the origin of the log, the first line of every checkpoint (C2SP tlog-checkpoint), set with foray.log_set_origin().  There is no default: a log has no checkpoint until its operator names it.  Fixed once a checkpoint exists.';

-- The entries.  log_index is assigned under the log's lock from the stored
-- size (never a sequence), so the indices are 0, 1, 2, ... with no gap.
CREATE TABLE foray.log_entries (
	log_index			bigint NOT NULL,
	appended_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	transaction_id		text NOT NULL,
	leaf_hash			bytea NOT NULL,
	subtree_hashes		bytea NOT NULL,
	CONSTRAINT log_entries_pkey PRIMARY KEY (log_index),
	CONSTRAINT log_entries_transaction_key UNIQUE (transaction_id),
	CONSTRAINT log_entries_index_check CHECK (log_index >= 0),
	CONSTRAINT log_entries_leaf_check CHECK (pg_catalog.octet_length(leaf_hash) = 32),
	CONSTRAINT log_entries_subtrees_check
		CHECK (pg_catalog.octet_length(subtree_hashes) = 32 * foray.log_nodes_at(log_index))
);
COMMENT ON TABLE foray.log_entries IS
'The log: one entry per FORAY transaction committed to it, in append order.  leaf_hash is SHA-256(0x00 || the RFC 8785 canonical bytes of the transaction''s anchor envelope); subtree_hashes holds the roots of the perfect subtrees this entry completes (levels 1 .. log_nodes_at(log_index), 32 bytes each), so roots and proofs read O(log n) entries.  Append-only: UPDATE, DELETE and TRUNCATE are refused for everyone, and rows come only from the log''s functions (or a restore).';
COMMENT ON COLUMN foray.log_entries.subtree_hashes IS
'Node (level l, index j) of the tree, the root of leaves [j * 2^l, (j + 1) * 2^l), is stored in entry (j + 1) * 2^l - 1 at bytes 32 (l - 1) .. 32 l - 1; level 0 is leaf_hash.';

CREATE TABLE foray.log_checkpoints (
	tree_size			bigint NOT NULL,
	taken_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	root_hash			bytea NOT NULL,
	checkpoint			text NOT NULL,
	CONSTRAINT log_checkpoints_pkey PRIMARY KEY (tree_size),
	CONSTRAINT log_checkpoints_size_check CHECK (tree_size >= 0),
	CONSTRAINT log_checkpoints_root_check CHECK (pg_catalog.octet_length(root_hash) = 32)
);
COMMENT ON TABLE foray.log_checkpoints IS
'Every checkpoint foray.log_checkpoint() took: the C2SP tlog-checkpoint text "<origin>\n<tree_size>\n<base64 root>\n".  Append-only.';

CREATE TABLE foray.log_signatures (
	tree_size			bigint NOT NULL,
	vkey				text NOT NULL,
	stored_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	signed_checkpoint	text NOT NULL,
	CONSTRAINT log_signatures_pkey PRIMARY KEY (tree_size, vkey)
);
COMMENT ON TABLE foray.log_signatures IS
'Signed forms of stored checkpoints (C2SP signed notes), stored by foray.log_store_signature() only when the signature verifies with vkey (a C2SP Ed25519 verifier key).  signed_checkpoint is the checkpoint, a blank line and that one signature line.  Append-only.';

SELECT pg_catalog.pg_extension_config_dump('foray.log_config', '');
SELECT pg_catalog.pg_extension_config_dump('foray.log_entries', '');
SELECT pg_catalog.pg_extension_config_dump('foray.log_checkpoints', '');
SELECT pg_catalog.pg_extension_config_dump('foray.log_signatures', '');

-- Append-only, for the owner too; rows only from the log's functions or a
-- restore.  Statement triggers: the rule depends on no row.
CREATE FUNCTION foray.foray_log_guard() RETURNS trigger
AS 'MODULE_PATHNAME', 'foray_log_guard' LANGUAGE C;
COMMENT ON FUNCTION foray.foray_log_guard() IS
'Refuses UPDATE, DELETE and TRUNCATE on the log''s tables (TLOG-001; the origin may be changed by foray.log_set_origin() alone, before the first checkpoint), and INSERT except by the log''s own functions or a restore (TLOG-002).';
CREATE TRIGGER foray_10_log_guard BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON foray.log_config
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_log_guard();
CREATE TRIGGER foray_10_log_guard BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON foray.log_entries
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_log_guard();
CREATE TRIGGER foray_10_log_guard BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON foray.log_checkpoints
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_log_guard();
CREATE TRIGGER foray_10_log_guard BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON foray.log_signatures
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_log_guard();

-- ---------------------------------------------------------------------
-- Writing the log (the anchor service; not granted to PUBLIC)
-- ---------------------------------------------------------------------

CREATE FUNCTION foray.log_set_origin(origin text)
RETURNS text
AS 'MODULE_PATHNAME', 'foray_log_set_origin'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION foray.log_set_origin(text) IS
'Names the log: the origin line of its checkpoints, 1 to 255 bytes of UTF-8 without white space, control characters or ''+'' (a C2SP key name, so the log''s signing key can carry the same name), e.g. ''example.com/foray/ledger-1''; 22R61 otherwise.  Can be changed until the first checkpoint is taken (23R60 after).  Returns the origin.';

CREATE FUNCTION foray.log_append(tx text)
RETURNS bigint
AS 'MODULE_PATHNAME', 'foray_log_append'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION foray.log_append(text) IS
'Commits one transaction to the log and returns its log index (its existing index when it is in the log already: a transaction is logged once).  The leaf is SHA-256(0x00 || canonical foray.anchor_envelope(tx)), so the transaction must have an envelope: ready_to_anchor, anchored or sealed (23R30 when open, 22R54 when unknown).';

CREATE FUNCTION foray.log_append_ready(max_entries integer DEFAULT NULL)
RETURNS TABLE (log_index bigint, transaction_id text, leaf_hash text)
AS 'MODULE_PATHNAME', 'foray_log_append_ready'
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL UNSAFE;
COMMENT ON FUNCTION foray.log_append_ready(integer) IS
'Commits to the log every ready_to_anchor transaction not anchored and not yet logged, oldest created_at first (then transaction_id), at most max_entries of them (NULL: all), in this SQL transaction.  Returns the entries appended, in log order.  22R64 for a negative max_entries.';

CREATE FUNCTION foray.log_append_leaves(transaction_ids text[], leaf_hashes bytea[])
RETURNS bigint
AS 'MODULE_PATHNAME', 'foray_log_append_leaves'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION foray.log_append_leaves(text[], bytea[]) IS
'For tests and benchmarks only (superuser only, 42501 otherwise): appends the given 32-byte leaf hashes under the given names, exactly as foray.log_append would, but without building any envelope; the names need not be transactions.  Returns the new tree size.  A log holding such entries does not describe the substrate''s transactions.';

CREATE FUNCTION foray.log_checkpoint()
RETURNS text
AS 'MODULE_PATHNAME', 'foray_log_checkpoint'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION foray.log_checkpoint() IS
'The checkpoint of the log as it is now (every entry committed before this call): "<origin>\n<tree size>\n<base64 root>\n" (C2SP tlog-checkpoint), stored in foray.log_checkpoints and returned.  23R60 when no origin is set.  Sign it outside the database, then store the signature with foray.log_store_signature().';

CREATE FUNCTION foray.log_store_signature(signed_checkpoint text, vkey text)
RETURNS bigint
AS 'MODULE_PATHNAME', 'foray_log_store_signature'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION foray.log_store_signature(text, text) IS
'Stores the signed form of a stored checkpoint: signed_checkpoint is a C2SP signed note whose text is a checkpoint in foray.log_checkpoints and which carries a signature by vkey (a C2SP Ed25519 verifier key, "<name>+<key ID>+<base64 key>") that verifies.  23R61 otherwise (22R62 for a malformed vkey, 22R63 for a malformed note).  Stores the checkpoint with that one signature line; repeating is a no-op.  Returns the tree size.';

-- ---------------------------------------------------------------------
-- Reading the log: sizes, roots and proofs, O(log n) entries each
-- ---------------------------------------------------------------------

CREATE FUNCTION foray.log_size()
RETURNS bigint
AS 'MODULE_PATHNAME', 'foray_log_size'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION foray.log_size() IS
'The number of entries in the log.';

CREATE FUNCTION foray.log_root(tree_size bigint DEFAULT NULL)
RETURNS text
AS 'MODULE_PATHNAME', 'foray_log_root'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED;
COMMENT ON FUNCTION foray.log_root(bigint) IS
'The RFC 9162 root ("sha256:<hex>") of the log''s first tree_size entries (NULL: all of them).  22R64 for a size beyond the log.';

CREATE FUNCTION foray.log_inclusion_proof(log_index bigint, tree_size bigint DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'foray_log_inclusion_proof'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED;
COMMENT ON FUNCTION foray.log_inclusion_proof(bigint, bigint) IS
'The RFC 9162 inclusion proof of entry log_index in the tree of tree_size entries (NULL: the whole log): {"leaf_index", "tree_size", "transaction_id", "leaf_hash", "path": ["sha256:...", ...] (leaf first), "root"}.  22R64 when the index or size is out of range.';

CREATE FUNCTION foray.log_inclusion_proof(transaction_id text, tree_size bigint DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'foray_log_inclusion_proof_tx'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED;
COMMENT ON FUNCTION foray.log_inclusion_proof(text, bigint) IS
'The inclusion proof of the entry of transaction_id (22R65 when it is not in the log), as foray.log_inclusion_proof(bigint, bigint).';

CREATE FUNCTION foray.log_consistency_proof(old_size bigint, new_size bigint DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'foray_log_consistency_proof'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED;
COMMENT ON FUNCTION foray.log_consistency_proof(bigint, bigint) IS
'The RFC 9162 consistency proof between the log''s trees of old_size and new_size entries (NULL: the whole log): {"old_size", "new_size", "path": ["sha256:...", ...], "old_root", "new_root"}.  22R64 unless 0 < old_size <= new_size <= the log''s size.';

-- ---------------------------------------------------------------------
-- Verification: reads no table (granted to PUBLIC)
-- ---------------------------------------------------------------------

CREATE FUNCTION foray.log_leaf_hash(envelope jsonb)
RETURNS text
AS 'MODULE_PATHNAME', 'foray_log_leaf_hash'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.log_leaf_hash(jsonb) IS
'The log leaf of an anchor envelope: "sha256:" || hex(SHA-256(0x00 || RFC 8785 canonical UTF-8 bytes of envelope)).';

CREATE FUNCTION foray.log_verify_inclusion(leaf_hash text, proof jsonb, tree_size bigint, root text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'foray_log_verify_inclusion'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.log_verify_inclusion(text, jsonb, bigint, text) IS
'True when proof (as foray.log_inclusion_proof returns it: leaf_index, tree_size, path) proves leaf_hash in the tree of tree_size entries with that root (RFC 9162 2.1.3.2); false otherwise, a proof made for another tree size included.  Reads no table.  22R60 for a malformed proof, 22R50 for a malformed hash, 22R64 for a negative size.';

CREATE FUNCTION foray.log_verify_inclusion(leaf_hash text, proof jsonb, checkpoint text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'foray_log_verify_inclusion_cp'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.log_verify_inclusion(text, jsonb, text) IS
'foray.log_verify_inclusion against the size and root of a checkpoint text (whose signature the caller has checked).  22R61 for a malformed checkpoint.';

CREATE FUNCTION foray.log_verify_consistency(old_size bigint, old_root text, new_size bigint,
											  new_root text, proof jsonb)
RETURNS boolean
AS 'MODULE_PATHNAME', 'foray_log_verify_consistency'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.log_verify_consistency(bigint, text, bigint, text, jsonb) IS
'True when proof (as foray.log_consistency_proof returns it: old_size, new_size, path) proves that the tree of new_size entries with new_root extends the tree of old_size entries with old_root (RFC 9162 2.1.4.2); false otherwise (old_size 0, old_size > new_size, a proof made for other sizes).  Reads no table.  22R60 for a malformed proof, 22R50 for a malformed hash, 22R64 for a negative size.';

CREATE FUNCTION foray.log_verify_consistency(old_checkpoint text, new_checkpoint text, proof jsonb)
RETURNS boolean
AS 'MODULE_PATHNAME', 'foray_log_verify_consistency_cp'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.log_verify_consistency(text, text, jsonb) IS
'foray.log_verify_consistency between two checkpoint texts (whose signatures the caller has checked); false when their origins differ.  22R61 for a malformed checkpoint.';

CREATE FUNCTION foray.log_parse_checkpoint(checkpoint text,
	OUT origin text, OUT tree_size bigint, OUT root text)
RETURNS record
AS 'MODULE_PATHNAME', 'foray_log_parse_checkpoint'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.log_parse_checkpoint(text) IS
'The origin, tree size and root ("sha256:<hex>") of a C2SP checkpoint text; extension lines are allowed and ignored.  Checks no signature.  22R61 for a malformed checkpoint.';

CREATE FUNCTION foray.log_verify_signature(signed_note text, vkey text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'foray_log_verify_signature'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.log_verify_signature(text, text) IS
'True when the C2SP signed note carries a signature line of the key vkey (a C2SP Ed25519 verifier key: same key name and key ID) and every such line verifies over the note text (Ed25519, OpenSSL libcrypto); false otherwise.  Other keys'' lines are ignored.  Reads no table.  22R62 for a malformed or non-Ed25519 vkey, 22R63 for a malformed note.';
