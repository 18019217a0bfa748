-- 0.5.0: the log's privileges (sql/parts/99z_log_grants.sql).
-- ---------------------------------------------------------------------
-- Privileges of the log (after 99_privileges.sql).  Self-contained, so the
-- upgrade script (sql/upgrades/0.4.0--0.5.0/, after the fragment that
-- creates the roles) reaches the same ACLs: every function of the log is
-- revoked from PUBLIC here first.  Anyone may verify (those functions read
-- no table); the anchor service writes the log (origin, append, checkpoint,
-- signatures, checkpoint anchors) and reads it; the auditor reads it (docs/roles.md, the table;
-- docs/log.md, Privileges).  log_append_leaves is the superuser's alone.
-- ---------------------------------------------------------------------

REVOKE ALL ON TABLE foray.log_config, foray.log_entries, foray.log_checkpoints,
	foray.log_signatures, foray.log_anchors FROM PUBLIC;
REVOKE ALL ON FUNCTION foray.log_nodes_at(bigint), foray.foray_log_guard(),
	foray.log_set_origin(text), foray.log_append(text), foray.log_append_ready(integer),
	foray.log_append_leaves(text[], bytea[]), foray.log_checkpoint(),
	foray.log_store_signature(text, text), foray.log_size(), foray.log_root(bigint),
	foray.log_inclusion_proof(bigint, bigint), foray.log_inclusion_proof(text, bigint),
	foray.log_consistency_proof(bigint, bigint), foray.log_leaf_hash(jsonb),
	foray.log_verify_inclusion(text, jsonb, bigint, text),
	foray.log_verify_inclusion(text, jsonb, text),
	foray.log_verify_consistency(bigint, text, bigint, text, jsonb),
	foray.log_verify_consistency(text, text, jsonb), foray.log_parse_checkpoint(text),
	foray.log_verify_signature(text, text),
	foray.record_checkpoint_anchor(text, text, bigint, bigint, timestamptz), foray.log_index(text),
	foray.proof_chain(text, text, bigint), foray.verify_proof_chain(jsonb, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION foray.log_nodes_at(bigint), foray.log_leaf_hash(jsonb),
	foray.log_verify_inclusion(text, jsonb, bigint, text),
	foray.log_verify_inclusion(text, jsonb, text),
	foray.log_verify_consistency(bigint, text, bigint, text, jsonb),
	foray.log_verify_consistency(text, text, jsonb), foray.log_parse_checkpoint(text),
	foray.log_verify_signature(text, text), foray.verify_proof_chain(jsonb, text) TO PUBLIC;
GRANT SELECT ON foray.log_config, foray.log_entries, foray.log_checkpoints, foray.log_signatures,
	foray.log_anchors TO foray_anchor_service, foray_auditor;
GRANT EXECUTE ON FUNCTION foray.log_set_origin(text), foray.log_append(text),
	foray.log_append_ready(integer), foray.log_checkpoint(), foray.log_store_signature(text, text),
	foray.record_checkpoint_anchor(text, text, bigint, bigint, timestamptz) TO foray_anchor_service;
GRANT EXECUTE ON FUNCTION foray.log_size(), foray.log_root(bigint),
	foray.log_inclusion_proof(bigint, bigint), foray.log_inclusion_proof(text, bigint),
	foray.log_consistency_proof(bigint, bigint), foray.proof_chain(text, text, bigint)
	TO foray_anchor_service, foray_auditor;
-- amend_transaction asks whether its original is in the log, as its caller
GRANT EXECUTE ON FUNCTION foray.log_index(text) TO foray_application, foray_anchor_service, foray_auditor;
