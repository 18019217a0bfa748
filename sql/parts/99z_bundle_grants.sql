-- ---------------------------------------------------------------------
-- Grants of the bundle export (after 99_privileges.sql, which revokes
-- everything from PUBLIC).  export_bundle reads the substrate's tables, so
-- PUBLIC gets nothing; it goes to the roles that may read everything
-- (the auditor, the application: docs/roles.md), granted with them.
-- ---------------------------------------------------------------------

REVOKE ALL ON FUNCTION foray.export_bundle(text, text[], boolean) FROM PUBLIC;
