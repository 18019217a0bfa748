-- ---------------------------------------------------------------------
-- Grants of the document functions (after 99_privileges.sql, which
-- revokes everything from PUBLIC).  validate/upgrade/rules read no table
-- and are safe for anyone; import and export touch the substrate's tables
-- and are granted by the DBA to the application role.
-- ---------------------------------------------------------------------

GRANT EXECUTE ON FUNCTION foray.validate_document(jsonb, timestamptz),
	foray.validate_document_text(text, timestamptz), foray.upgrade_document(jsonb),
	foray.document_rules() TO PUBLIC;
