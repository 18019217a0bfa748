-- Canonical JSON (RFC 8785) and SHA-256 hashing (docs/hashing.md).
-- Expected texts are the RFC author's output files (test/vectors/rfc8785-jcs),
-- expected hashes are coreutils sha256sum of those files, expected numbers
-- come from RFC 8785 Appendix B and Node.js Number.prototype.toString.
\set VERBOSITY terse
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- the RFC author's vectors: canonical bytes and their SHA-256
\set arrays `cat test/vectors/rfc8785-jcs/input/arrays.json`
\set arrays_out `cat test/vectors/rfc8785-jcs/output/arrays.json`
\set french `cat test/vectors/rfc8785-jcs/input/french.json`
\set french_out `cat test/vectors/rfc8785-jcs/output/french.json`
\set structures `cat test/vectors/rfc8785-jcs/input/structures.json`
\set structures_out `cat test/vectors/rfc8785-jcs/output/structures.json`
\set unicode `cat test/vectors/rfc8785-jcs/input/unicode.json`
\set unicode_out `cat test/vectors/rfc8785-jcs/output/unicode.json`
\set values `cat test/vectors/rfc8785-jcs/input/values.json`
\set values_out `cat test/vectors/rfc8785-jcs/output/values.json`
\set weird `cat test/vectors/rfc8785-jcs/input/weird.json`
\set weird_out `cat test/vectors/rfc8785-jcs/output/weird.json`
SELECT name, foray.foray_canonicalize(doc::jsonb) = expected AS canonical_ok,
       foray.foray_hash(doc::jsonb) = sha AS hash_ok
  FROM (VALUES
    ('arrays', :'arrays', :'arrays_out', 'sha256:099601b171cafed97c333f8878d68e7f8c8f795412adb34b2fdcf0e7c7beac42'),
    ('french', :'french', :'french_out', 'sha256:d99d0ebdcb0033cb858cfa830ae46bc0fb3309413b271f1da828c89901a27ed5'),
    ('structures', :'structures', :'structures_out', 'sha256:605f65004ec2db7692522a0852c22f1c989e036d547e88963d1a3143cf3195d5'),
    ('unicode', :'unicode', :'unicode_out', 'sha256:0d99aad92a125196ff887876643fd3206786a84ddce2cee52ba4ad256d2381d3'),
    ('values', :'values', :'values_out', 'sha256:2d5e01a318d0f0879ab568c4be289c8b1f64ef8921a53c6277d5e069978baacb'),
    ('weird', :'weird', :'weird_out', 'sha256:6af595a9aa80110b964b4de3f82a05fa6ae7423005019bacfa2620dddc4e94d1'))
    AS v(name, doc, expected, sha)
 ORDER BY name;
SELECT foray.foray_canonicalize(:'structures');
SELECT foray.foray_canonicalize(:'values');

-- member order is by UTF-16 code units: U+1F600 (D83D DE00) before U+E000
SELECT foray.foray_canonicalize('{"\ue000": 1, "\ud83d\ude00": 2, "\u00e9": 3, "z": 4}')
       = '{"z":4,"é":3,"😀":2,"' || chr(57344) || '":1}' AS utf16_order;

-- scalars at the root; -0 is 0
SELECT foray.foray_canonicalize(d::jsonb) FROM (VALUES ('null'), ('true'), ('-0'), ('"\u001f\""'), ('[]'), ('{}')) AS v(d);

-- numbers: RFC 8785 Appendix B values written as decimals, money-like
-- decimals, and what changes (changed = the canonical value differs)
SELECT n AS input, foray.foray_canonical_number(n) AS canonical, want,
       foray.foray_canonical_number(n) = want AS ok,
       pg_temp.err(format('SELECT foray.foray_canonical_number(%L, true)', n)) <> 'no error' AS changed
  FROM (VALUES
    ('5e-324', '5e-324'),
    ('1.7976931348623157e308', '1.7976931348623157e+308'),
    ('9007199254740992', '9007199254740992'),
    ('295147905179352830000', '295147905179352830000'),
    ('1e23', '1e+23'),
    ('999999999999999700000', '999999999999999700000'),
    ('1e21', '1e+21'),
    ('0.000001', '0.000001'),
    ('9.999999999999997e-7', '9.999999999999997e-7'),
    ('333333333.33333329', '333333333.3333333'),
    ('-0.0000033333333333333333', '-0.0000033333333333333333'),
    ('1424953923781206.2', '1424953923781206.2'),
    ('50.00', '50'),
    ('1E2', '100'),
    ('0.1', '0.1'),
    ('-123.4560', '-123.456'),
    ('12345678901234567.89', '12345678901234568'),
    ('9007199254740993', '9007199254740992'),
    ('1e-400', '0'),
    ('-0.0', '0')) AS v(n, want);

-- the same numbers inside jsonb (jsonb keeps the decimal text exactly)
SELECT foray.foray_canonicalize('[50.00, 1E2, 0.1, 1e21, 1e-7, 333333333.33333329, 1e-400, -0]');

-- the hash is SHA-256 of the canonical UTF-8 text (checked with PostgreSQL's own sha256())
SELECT foray.foray_hash(d::jsonb) = 'sha256:' || encode(sha256(convert_to(foray.foray_canonicalize(d::jsonb), 'UTF8')), 'hex') AS hash_is_sha256_of_text,
       foray.foray_hash_digest(d::jsonb) = sha256(convert_to(foray.foray_canonicalize(d::jsonb), 'UTF8')) AS digest_ok,
       foray.foray_hash_strict(d::jsonb) = foray.foray_hash(d::jsonb) AS strict_same
  FROM (VALUES (:'french'), (:'weird'), ('{"amount": 150.00, "currency": "USD", "n": [1E2, 0.1]}')) AS v(d);

-- FIPS 180-2 SHA-256 examples
SELECT foray.sha256_text('abc'), foray.sha256_text('');

-- refusals
SELECT pg_temp.err($$SELECT foray.foray_hash('{"a": [1, 1e400]}')$$);
SELECT pg_temp.err($$SELECT foray.foray_canonicalize('-1e309')$$);
SELECT pg_temp.err($$SELECT foray.foray_hash_strict('{"x": [{"y": 12345678901234567.89}]}')$$);
SELECT pg_temp.err($$SELECT foray.foray_hash_strict('{"odd key": {"ä": [0, 9007199254740993]}}')$$);
SELECT pg_temp.err($$SELECT foray.foray_hash_strict('{"tiny": 1e-400}')$$);
SELECT pg_temp.err(format('SELECT foray.foray_hash(%L)', repeat('[', 1000) || repeat(']', 1000)));
SELECT pg_temp.err(format('SELECT foray.foray_hash(%L)', '{"a":' || repeat('[', 1000) || repeat(']', 1000) || '}'));
SELECT pg_temp.err($$SELECT foray.foray_canonical_number('01')$$);
SELECT pg_temp.err($$SELECT foray.foray_canonical_number('1e400')$$);
SELECT pg_temp.err($$SELECT foray.foray_canonical_number('0.10000000000000000001', true)$$);

-- one refusal in full
\set VERBOSITY default
\set SHOW_CONTEXT never
SELECT foray.foray_hash_strict('{"components": [{"amount": 12345678901234567.89}]}');
\set VERBOSITY terse
