-- ---------------------------------------------------------------------
-- Privileges: nothing relies on PUBLIC defaults.  Grant the application's
-- role what it needs (docs/schema.md lists the usual grants).
-- ---------------------------------------------------------------------

REVOKE ALL ON ALL TABLES IN SCHEMA foray FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA foray FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA foray FROM PUBLIC;
GRANT USAGE ON SCHEMA foray TO PUBLIC;
GRANT EXECUTE ON FUNCTION foray.core_text_array(jsonb, text), foray.iso_timestamptz(text),
	foray.iso_date(text), foray.component_ref_keys(text, text[], text[], text[]),
	foray.attestation_ref_keys(text, text[], text[]), foray.is_transaction_id(text),
	foray.is_document_timestamp(text), foray.is_sha256_text(text), foray.is_uuid_text(text),
	foray.has_id_prefix(text, text),
	foray.refs_typed(text, text[], text[], text[]), foray.substrate_writing(),
	foray.may_have_waiters(text), foray.envelope_unconfirmed(text) TO PUBLIC;
