
-- ---------------------------------------------------------------------------
-- Canonical JSON (RFC 8785) and SHA-256 hashing (src/canonical.c, src/core/)
-- The algorithm and the number policy: docs/hashing.md.
-- ---------------------------------------------------------------------------

CREATE FUNCTION @extschema@.foray_canonicalize(doc jsonb)
RETURNS text
AS 'MODULE_PATHNAME', 'foray_canonicalize'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.foray_canonicalize(jsonb) IS
'RFC 8785 (JCS) canonical text of a jsonb value: members sorted by UTF-16 code units, numbers as ECMAScript prints the nearest double, minimal string escapes. Errors: 22R20 number not a finite double, 22R23 nesting deeper than 1000.';

CREATE FUNCTION @extschema@.foray_hash(doc jsonb)
RETURNS text
AS 'MODULE_PATHNAME', 'foray_hash'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.foray_hash(jsonb) IS
'FORAY hash of a jsonb value: ''sha256:'' followed by the 64 lowercase hex digits of SHA-256 over its RFC 8785 canonical text (UTF-8). Same as sha256_text(convert_to(foray_canonicalize(doc), ''UTF8'')), computed without building the text.';

CREATE FUNCTION @extschema@.foray_hash_strict(doc jsonb)
RETURNS text
AS 'MODULE_PATHNAME', 'foray_hash_strict'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.foray_hash_strict(jsonb) IS
'foray_hash, but refuses (SQLSTATE 22R21) a document holding a number whose canonical form differs in value from the stored decimal (e.g. 12345678901234567.89 -> 12345678901234568), so two different stored values can never share a hash. Trailing zeros and exponent spelling are not changes. Used for foray_core.';

CREATE FUNCTION @extschema@.foray_hash_digest(doc jsonb)
RETURNS bytea
AS 'MODULE_PATHNAME', 'foray_hash_digest'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.foray_hash_digest(jsonb) IS
'The 32-byte SHA-256 digest of the RFC 8785 canonical text of a jsonb value (foray_hash without the text form).';

CREATE FUNCTION @extschema@.sha256_text(data bytea)
RETURNS text
AS 'MODULE_PATHNAME', 'foray_sha256_text'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.sha256_text(bytea) IS
'''sha256:'' followed by the 64 lowercase hex digits of SHA-256 over the bytes (OpenSSL libcrypto).';

CREATE FUNCTION @extschema@.foray_canonical_number(num text, strict boolean DEFAULT false)
RETURNS text
AS 'MODULE_PATHNAME', 'foray_canonical_number'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.foray_canonical_number(text, boolean) IS
'RFC 8785 form of a JSON number written as text (nearest double, printed as ECMAScript does). With strict, refuses (22R21) a number whose canonical form differs in value. Errors: 22R25 not a JSON number, 22R20 not a finite double.';

REVOKE ALL ON FUNCTION @extschema@.foray_canonicalize(jsonb), @extschema@.foray_hash(jsonb),
	@extschema@.foray_hash_strict(jsonb), @extschema@.foray_hash_digest(jsonb),
	@extschema@.sha256_text(bytea), @extschema@.foray_canonical_number(text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION @extschema@.foray_canonicalize(jsonb), @extschema@.foray_hash(jsonb),
	@extschema@.foray_hash_strict(jsonb), @extschema@.foray_hash_digest(jsonb),
	@extschema@.sha256_text(bytea), @extschema@.foray_canonical_number(text, boolean) TO PUBLIC;
