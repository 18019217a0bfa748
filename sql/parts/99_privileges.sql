-- ---------------------------------------------------------------------
-- Privileges: nothing relies on PUBLIC defaults.  The roles and what each
-- may do: 98_roles.sql and docs/roles.md.  Here: everything is revoked
-- from PUBLIC, then PUBLIC gets back only what reveals and changes nothing
-- by itself.
-- ---------------------------------------------------------------------

REVOKE ALL ON ALL TABLES IN SCHEMA foray FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA foray FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA foray FROM PUBLIC;
GRANT USAGE ON SCHEMA foray TO PUBLIC;
-- What the tables' generated columns, CHECKs, index expressions and
-- trigger conditions call, and what the substrate's functions call through
-- SPI (import and export call transaction_hashes): the caller's privileges
-- are checked for each, so every writer and reader needs them, granted or
-- not.  transaction_hashes reads the tables as its caller: without SELECT
-- on them it is refused.
GRANT EXECUTE ON FUNCTION foray.core_text_array(jsonb, text), foray.iso_timestamptz(text),
	foray.iso_date(text), foray.component_ref_keys(text, text[], text[], text[]),
	foray.attestation_ref_keys(text, text[], text[]), foray.is_transaction_id(text),
	foray.is_document_timestamp(text), foray.is_sha256_text(text), foray.is_uuid_text(text),
	foray.has_id_prefix(text, text),
	foray.refs_typed(text, text[], text[], text[]), foray.substrate_writing(),
	foray.may_have_waiters(text), foray.envelope_unconfirmed(text),
	foray.transaction_hashes(text) TO PUBLIC;
-- Canonical JSON and hashing read no table (docs/hashing.md).
GRANT EXECUTE ON FUNCTION foray.foray_canonicalize(jsonb), foray.foray_hash(jsonb),
	foray.foray_hash_strict(jsonb), foray.foray_hash_digest(jsonb),
	foray.sha256_text(bytea), foray.foray_canonical_number(text, boolean) TO PUBLIC;
