-- ---------------------------------------------------------------------
-- FORAY documents in and out (issue 5): validation, upgrade, rules.
-- Rule ids and their classification: docs/rules.md.
-- ---------------------------------------------------------------------

CREATE FUNCTION foray.validate_document(doc jsonb, as_of timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (rule_id text, severity text, component_id text, json_path text, message text)
AS 'MODULE_PATHNAME', 'foray_validate_document_sql'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.validate_document(jsonb, timestamptz) IS
'Every violation of a FORAY document at once: rule id (docs/rules.md), severity error|warning, the component id (NULL for transaction-level findings), the JSON path and a message.  Documents of schema_version 4.0 and 3.0 are upgraded first (one TX-002 warning) and paths refer to the upgraded document.  as_of is "now" for the attestation date rules ATT-003/ATT-004.  No rows: the document is valid.';

CREATE FUNCTION foray.upgrade_document(doc jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'foray_upgrade_document_sql'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.upgrade_document(jsonb) IS
'A schema 4.0 or flat 3.0 document rewritten as 4.1 (spec §7.2-§7.3: singular *_ref fields wrapped into *_refs arrays, missing arrays added; 3.0: top-level and component members moved into foray_core).  Any other document is returned unchanged.';

CREATE FUNCTION foray.document_rules()
RETURNS TABLE (rule_id text, classification text, severity text, spec text, description text)
AS 'MODULE_PATHNAME', 'foray_document_rules'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.document_rules() IS
'The rules foray.validate_document() applies: id, structural (always refused by import) or content (admitted on request, recorded as CONTENT_RULE_VIOLATION events), default severity, spec section, description.';

CREATE FUNCTION foray.import_document(doc jsonb, admit_content_violations boolean DEFAULT false)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'foray_import_document'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION foray.import_document(jsonb, boolean) IS
'Stores one FORAY document (transaction, components, attestations) through the triggers, all or nothing.  Documents breaking a structural rule are refused (SQLSTATE 23R50, 22R30-22R32), documents breaking content rules too (23R51) unless admit_content_violations, which records each violation as a CONTENT_RULE_VIOLATION event.  4.0 and 3.0 documents are upgraded and stored as 4.1.  Importing an identical document again is a no-op (status "unchanged"); a different one with the same transaction_id is refused (23R52) naming the first difference.  Returns a report: status, upgraded_from, counts, and what became of the hash fields the document carried (docs/documents.md).';

CREATE FUNCTION foray.export_document(transaction_id text)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'foray_export_document'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION foray.export_document(text) IS
'A stored transaction as a complete FORAY v4.1 document: components in their document order, unknown fields kept, component_hashes and merkle_root computed by foray.transaction_hashes() (left out when that function is not installed).  22R33 when the transaction does not exist.';

-- The JSON text forms: jsonb keeps only the last value of a repeated key,
-- so duplicate keys (SHAPE-005) can only be seen before the cast.
CREATE FUNCTION foray.validate_document_text(doc text, as_of timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (rule_id text, severity text, component_id text, json_path text, message text)
AS 'MODULE_PATHNAME', 'foray_validate_document_text_sql'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION foray.validate_document_text(text, timestamptz) IS
'foray.validate_document() for a JSON text, which also reports every key repeated in one object (SHAPE-005, with its path); invalid JSON is an error (22P02).';

CREATE FUNCTION foray.import_document_text(doc text, admit_content_violations boolean DEFAULT false)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'foray_import_document_text'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION foray.import_document_text(text, boolean) IS
'foray.import_document() for a JSON text: a document with a key repeated in one object is refused (SHAPE-005, SQLSTATE 23R50) instead of silently keeping the last value.';
