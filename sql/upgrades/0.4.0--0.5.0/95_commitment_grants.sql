-- ---------------------------------------------------------------------
-- 95_commitment_grants: the grants of 40_commitment's functions (after
-- 90_roles, which creates the roles; sql/parts/98_roles.sql, 99z_merkle_grants.sql).
-- ---------------------------------------------------------------------

GRANT EXECUTE ON FUNCTION foray.inclusion_proofs(text, text[]) TO foray_application, foray_anchor_service, foray_auditor;
GRANT EXECUTE ON FUNCTION foray.commitment_details(text) TO foray_application, foray_anchor_service, foray_auditor;
GRANT EXECUTE ON FUNCTION foray.anchor_envelope_text(text) TO foray_application, foray_anchor_service, foray_auditor;
GRANT EXECUTE ON FUNCTION foray.anchor_envelope_sha256(text) TO foray_application, foray_anchor_service, foray_auditor;
GRANT EXECUTE ON FUNCTION foray.verify_inclusion(jsonb, text) TO PUBLIC;
