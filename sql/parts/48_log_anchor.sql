-- ---------------------------------------------------------------------
-- Anchoring the log (docs/log.md, "Anchoring checkpoints"): the chain
-- anchors of checkpoints, which anchor every transaction a checkpoint
-- covers; the anchor queue with the log; a transaction's whole proof
-- chain, component to chain.  src/log_anchor.c, src/log_verify.c.
-- ---------------------------------------------------------------------

CREATE TABLE foray.log_anchors (
	tree_size			bigint NOT NULL,
	root_hash			bytea NOT NULL,
	kaspa_tx_id			text NOT NULL,
	block_height		bigint NOT NULL,
	confirmation_time_ms bigint NOT NULL,
	anchored_at			timestamptz NOT NULL,
	transactions_anchored bigint NOT NULL,
	recorded_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT log_anchors_pkey PRIMARY KEY (tree_size),
	CONSTRAINT log_anchors_size_check CHECK (tree_size > 0),
	CONSTRAINT log_anchors_root_check CHECK (pg_catalog.octet_length(root_hash) = 32),
	CONSTRAINT log_anchors_chain_check
		CHECK (block_height >= 0 AND confirmation_time_ms >= 0 AND transactions_anchored >= 0)
);
COMMENT ON TABLE foray.log_anchors IS
'The chain anchors of checkpoints, one per tree size, recorded by foray.record_checkpoint_anchor(): the checkpoint of tree_size entries with root root_hash went on chain in kaspa_tx_id, and that call anchored transactions_anchored transactions (every transaction the checkpoint covers that was not anchored before).  Append-only.';

SELECT pg_catalog.pg_extension_config_dump('foray.log_anchors', '');

CREATE TRIGGER foray_10_log_guard BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON foray.log_anchors
	FOR EACH STATEMENT EXECUTE FUNCTION foray.foray_log_guard();

CREATE FUNCTION foray.record_checkpoint_anchor(checkpoint text, kaspa_tx_id text,
	block_height bigint, confirmation_time_ms bigint, anchored_at timestamptz)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'foray_record_checkpoint_anchor'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION foray.record_checkpoint_anchor(text, text, bigint, bigint, timestamptz) IS
'Called by the anchor service once a checkpoint (the text foray.log_checkpoint() returned, exactly: 23R62 otherwise) is on chain.  In one SQL transaction, every transaction the checkpoint covers (log entries below its tree size) that is not anchored yet is anchored as foray.record_anchor() would, its blockchain_anchor also naming the log (log_origin, log_tree_size, log_root, log_index) and its TRANSACTION_ANCHORED event carrying the checkpoint; refused (XX001) when such a transaction is missing or its envelope no longer gives its logged leaf.  The anchor is kept in foray.log_anchors.  Returns {origin, tree_size, root, kaspa_tx_id, block_height, confirmation_time_ms, anchored_at, transactions_anchored}; repeating the call returns the stored anchor (23R30 for another chain transaction).';

CREATE FUNCTION foray.log_index(tx text)
RETURNS bigint
AS 'MODULE_PATHNAME', 'foray_log_index'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION foray.log_index(text) IS
'The index of the transaction''s entry in the log; NULL when it is not in the log.  A transaction in the log never changes (23R32), as an anchored one.';

CREATE FUNCTION foray.proof_chain(tx text, subject_id text, tree_size bigint DEFAULT NULL)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'foray_proof_chain'
LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL RESTRICTED;
COMMENT ON FUNCTION foray.proof_chain(text, text, bigint) IS
'The whole proof chain of a component or attestation: {transaction_id, subject_id, component: foray.inclusion_proof (component to merkle_root), envelope: foray.anchor_envelope (merkle_root to the envelope), log: foray.log_inclusion_proof (the envelope''s leaf to the checkpoint), checkpoint, anchor}.  tree_size picks a stored checkpoint; NULL: the one that anchored the transaction, the transaction''s own anchor when it was anchored alone (log and checkpoint null), or the latest stored checkpoint covering it (anchor null until it is anchored).  Check it with foray.verify_proof_chain().  22R65 when the transaction is neither anchored nor in the log, 22R67 when no stored checkpoint covers its entry.';

CREATE FUNCTION foray.verify_proof_chain(chain jsonb, anchored text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'foray_verify_proof_chain'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.verify_proof_chain(jsonb, text) IS
'True when every link of a proof chain (as foray.proof_chain returns it) holds and it ends in anchored, the payload read from the chain: the component proof leads to the envelope''s merkle_root, the envelope''s leaf SHA-256(0x00 || canonical envelope) is in the checkpoint by the log inclusion proof, and anchored is exactly the checkpoint text; for a transaction anchored alone (log null), anchored is exactly the canonical envelope text.  Reads no table.  22R66 for a malformed chain (22R51, 22R60, 22R61 for a malformed component proof, log proof or checkpoint inside it).';

-- The anchor service's work list (it was created with the anchor envelope,
-- and names the log's entry since the log exists).
CREATE VIEW foray.anchor_queue AS
SELECT t.transaction_id, t.created_at, e.log_index
  FROM foray.foray_transactions t
  LEFT JOIN foray.log_entries e ON e.transaction_id = t.transaction_id
 WHERE t.anchored_at IS NULL AND t.lifecycle = 'ready_to_anchor';
COMMENT ON VIEW foray.anchor_queue IS
'Transactions waiting for their anchor, for the anchor service, oldest (created_at) first.  log_index NULL: ready, not in the log yet (foray.log_append_ready() commits them; or fetch foray.anchor_envelope(transaction_id) and anchor it alone with foray.record_anchor()).  log_index set: committed to the log, and so immutable; anchored by the first checkpoint covering it that is recorded with foray.record_checkpoint_anchor().  Served by the partial index foray_transactions_unanchored_idx.';
