-- ---------------------------------------------------------------------
-- Anyone may check a proof or compute a Merkle hash: these functions read
-- no table.  (After 99_privileges.sql, which revokes everything first.)
-- ---------------------------------------------------------------------

GRANT EXECUTE ON FUNCTION foray.merkle_leaf_hash(bytea), foray.merkle_tree_hash(bytea[]),
	foray.verify_inclusion(text, jsonb, text), foray.verify_inclusion(jsonb, text) TO PUBLIC;
