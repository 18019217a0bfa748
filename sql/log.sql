-- The append-only log over every anchor envelope (docs/log.md).  Every
-- expected hash below comes from outside the extension: the RFC 6962 test
-- tree and the RFC 9162 inclusion and consistency vectors of
-- transparency-dev/merkle (test/vectors/rfc9162-merkle), the signed-note
-- vectors of golang.org/x/mod and C2SP (test/vectors/c2sp-note), or
-- PostgreSQL's own sha256() over foray_canonicalize() of the envelope.
\set VERBOSITY terse
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
-- base64 (as in the vectors) to the substrate's hash text
CREATE FUNCTION pg_temp.h(b64 text) RETURNS text LANGUAGE sql IMMUTABLE
	AS $$ SELECT 'sha256:' || encode(decode(b64, 'base64'), 'hex') $$;
CREATE FUNCTION pg_temp.hs(VARIADIC b64 text[]) RETURNS jsonb LANGUAGE sql IMMUTABLE
	AS $$ SELECT coalesce(jsonb_agg(pg_temp.h(x) ORDER BY n), '[]') FROM unnest(b64) WITH ORDINALITY u(x, n) $$;

-- ---------------------------------------------------------------------
-- The log's tables take nothing but what its functions write (TLOG-002)
-- and never change (TLOG-001), for the owner too
-- ---------------------------------------------------------------------
SELECT foray.log_size() AS empty_log, foray.log_root() = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' AS empty_root;
SELECT pg_temp.err($$INSERT INTO foray.log_entries (log_index, transaction_id, leaf_hash, subtree_hashes) VALUES (0, 'X', decode(repeat('00', 32), 'hex'), '')$$);
SELECT pg_temp.err($$INSERT INTO foray.log_config (origin) VALUES ('x')$$);
SELECT pg_temp.err($$INSERT INTO foray.log_checkpoints (tree_size, root_hash, checkpoint) VALUES (0, decode(repeat('00', 32), 'hex'), 'x')$$);
SELECT pg_temp.err($$INSERT INTO foray.log_signatures (tree_size, vkey, signed_checkpoint) VALUES (0, 'k', 'x')$$);
SELECT pg_temp.err($$UPDATE foray.log_entries SET transaction_id = 'Y'$$);
SELECT pg_temp.err($$DELETE FROM foray.log_checkpoints$$);
SELECT pg_temp.err($$TRUNCATE foray.log_signatures$$);
SELECT pg_temp.err($$TRUNCATE foray.log_config$$);

-- ---------------------------------------------------------------------
-- The origin: explicit, checked, fixed by the first checkpoint
-- ---------------------------------------------------------------------
SELECT pg_temp.err($$SELECT foray.log_checkpoint()$$);
SELECT pg_temp.err($$SELECT foray.log_set_origin('')$$);
SELECT pg_temp.err($$SELECT foray.log_set_origin('has space')$$);
SELECT pg_temp.err($$SELECT foray.log_set_origin('a+b')$$);
SELECT pg_temp.err($$SELECT foray.log_set_origin(E'two\nlines')$$);
SELECT pg_temp.err($$SELECT foray.log_set_origin(repeat('x', 256))$$);
SELECT foray.log_set_origin('example.com/typo');
SELECT foray.log_set_origin('example.com/foray/regress');
SELECT origin FROM foray.log_config;

-- ---------------------------------------------------------------------
-- The RFC 6962 test tree, appended leaf by leaf (log_append_leaves: the
-- test path, with the leaf hashes of the tree's eight entries)
-- ---------------------------------------------------------------------
CREATE TEMP TABLE rfc_leaf (i int, d bytea);
INSERT INTO rfc_leaf VALUES (0, ''), (1, '\x00'), (2, '\x10'), (3, '\x2021'), (4, '\x3031'),
	(5, '\x40414243'), (6, '\x5051525354555657'), (7, '\x606162636465666768696a6b6c6d6e6f');
CREATE TEMP TABLE published (size int, root text);
INSERT INTO published VALUES
	(0, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'),
	(1, '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d'),
	(2, 'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'),
	(3, 'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77'),
	(4, 'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7'),
	(5, '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4'),
	(6, '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef'),
	(7, 'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c'),
	(8, '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328');
-- leaves 0..2 in one call, then one at a time: the tree does not care
SELECT foray.log_append_leaves(ARRAY['RFC_0', 'RFC_1', 'RFC_2'],
	ARRAY(SELECT sha256('\x00'::bytea || d) FROM rfc_leaf WHERE i < 3 ORDER BY i));
SELECT foray.log_append_leaves(ARRAY['RFC_' || i], ARRAY[sha256('\x00'::bytea || d)])
  FROM rfc_leaf WHERE i >= 3 ORDER BY i;
-- the root at every size equals the published one
SELECT p.size, foray.log_root(p.size) = 'sha256:' || p.root AS equals_published
  FROM published p ORDER BY p.size;
-- each entry stores the subtrees it completes: 0, 1, 0, 2, 0, 1, 0, 3
SELECT string_agg(foray.log_nodes_at(log_index)::text || ':' || (octet_length(subtree_hashes) / 32)::text, ' ' ORDER BY log_index)
  FROM foray.log_entries;
-- the checkpoint: origin, size, base64 root (the vectors' root of size 8)
SELECT foray.log_checkpoint() = E'example.com/foray/regress\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n' AS checkpoint_8;
SELECT * FROM foray.log_parse_checkpoint(foray.log_checkpoint());
-- taking it again stores nothing new
SELECT count(*) AS checkpoints FROM foray.log_checkpoints;
-- and now the origin is fixed
SELECT pg_temp.err($$SELECT foray.log_set_origin('example.com/other')$$);
SELECT foray.log_set_origin('example.com/foray/regress') AS same_origin_is_fine;

-- ---------------------------------------------------------------------
-- Proofs equal the RFC 9162 vectors, and verify
-- ---------------------------------------------------------------------
\set root8 '\'XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\''
\set leaf0 '\'bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=\''
\set leaf5 '\'QnGia+DYqE8L1UyMMC58s6O10fpngKQLzOKHNHfatlg=\''
\set p0 '\'lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=\', \'Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=\', \'a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ=\''
\set p5 '\'vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=\', \'yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=\', \'037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=\''
-- inclusion/1, inclusion/2, inclusion/3 (leaf 2 of 3), inclusion/4 (leaf 1 of 5)
SELECT 'inclusion/1' AS vector, p->'path' = pg_temp.hs(:p0) AS path_equal, p->>'leaf_hash' = pg_temp.h(:leaf0) AS leaf_equal,
	   p->>'root' = pg_temp.h(:root8) AS root_equal, p->>'transaction_id' AS entry
  FROM foray.log_inclusion_proof(0, 8) p
UNION ALL
SELECT 'inclusion/2', p->'path' = pg_temp.hs(:p5), p->>'leaf_hash' = pg_temp.h(:leaf5), p->>'root' = pg_temp.h(:root8), p->>'transaction_id'
  FROM foray.log_inclusion_proof('RFC_5') p
UNION ALL
SELECT 'inclusion/3', p->'path' = pg_temp.hs('+sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwSU='),
	   p->>'leaf_hash' = pg_temp.h('ApjRIpBtz8EIkstTpzmS/FufST6kybrbJ7eRtBJ6f+c='),
	   p->>'root' = pg_temp.h('rra8/idLcKFPsGel5VeCZNsPqbUa9eC6FZFY8yngbnc='), p->>'transaction_id'
  FROM foray.log_inclusion_proof(2, 3) p
UNION ALL
SELECT 'inclusion/4', p->'path' = pg_temp.hs('bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=', 'Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=', 'vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms='),
	   p->>'leaf_hash' = pg_temp.h('lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c='),
	   p->>'root' = pg_temp.h('Tju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ='), p->>'transaction_id'
  FROM foray.log_inclusion_proof('RFC_1', 5) p;
-- consistency/1 (1 -> 8), /2 (6 -> 8), /3 (2 -> 5), /4 (6 -> 7)
SELECT c.vector, p->'path' = c.path AS path_equal, p->>'old_root' = c.r1 AS old_root_equal, p->>'new_root' = c.r2 AS new_root_equal,
	   foray.log_verify_consistency(c.m, c.r1, c.n, c.r2, p) AS verifies
  FROM (VALUES
	('consistency/1', 1, 8, pg_temp.hs(:p0), pg_temp.h(:leaf0), pg_temp.h(:root8)),
	('consistency/2', 6, 8, pg_temp.hs('DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=', 'yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=', '037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc='),
		pg_temp.h('duZ9rbzfHhDht03cYIq9L5jfsW+851J3tSMqEn8gh+8='), pg_temp.h(:root8)),
	('consistency/3', 2, 5, pg_temp.hs('Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=', 'vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms='),
		pg_temp.h('+sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwSU='), pg_temp.h('Tju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=')),
	('consistency/4', 6, 7, pg_temp.hs('DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=', 'sIaT7C5yFZcTBkHoIR5+7cy0wmQTlj7ubB4u0W/7Gl8=', '037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc='),
		pg_temp.h('duZ9rbzfHhDht03cYIq9L5jfsW+851J3tSMqEn8gh+8='), pg_temp.h('3bib5AOAnjJXUNPSY814kpwpQreUKjS3fhIslZSnTIw='))
	) c(vector, m, n, path, r1, r2),
	LATERAL foray.log_consistency_proof(c.m, c.n) p
 ORDER BY 1;

-- verification reads no table: the vectors' happy paths and named negatives
CREATE FUNCTION pg_temp.incl(idx bigint, size bigint, VARIADIC p text[]) RETURNS jsonb LANGUAGE sql IMMUTABLE
	AS $$ SELECT jsonb_build_object('leaf_index', idx, 'tree_size', size, 'path', pg_temp.hs(VARIADIC p)) $$;
SELECT 'happy path 0' AS vector, foray.log_verify_inclusion(pg_temp.h(:leaf0), pg_temp.incl(0, 8, :p0), 8, pg_temp.h(:root8)) AS verifies
UNION ALL SELECT 'happy path 5', foray.log_verify_inclusion(pg_temp.h(:leaf5), pg_temp.incl(5, 8, :p5), 8, pg_temp.h(:root8))
UNION ALL SELECT 'against the checkpoint', foray.log_verify_inclusion(pg_temp.h(:leaf5), pg_temp.incl(5, 8, :p5), E'example.com/foray/regress\n8\n' || :root8 || E'\n')
UNION ALL SELECT 'wrong leaf', foray.log_verify_inclusion(pg_temp.h(:leaf5), pg_temp.incl(0, 8, :p0), 8, pg_temp.h(:root8))
UNION ALL SELECT 'leafIdx plus 1', foray.log_verify_inclusion(pg_temp.h(:leaf0), pg_temp.incl(1, 8, :p0), 8, pg_temp.h(:root8))
UNION ALL SELECT 'leafIdx sub 1', foray.log_verify_inclusion(pg_temp.h(:leaf5), pg_temp.incl(4, 8, :p5), 8, pg_temp.h(:root8))
UNION ALL SELECT 'treeSize div 2', foray.log_verify_inclusion(pg_temp.h(:leaf0), pg_temp.incl(0, 4, :p0), 4, pg_temp.h(:root8))
UNION ALL SELECT 'treeSize mul 2', foray.log_verify_inclusion(pg_temp.h(:leaf0), pg_temp.incl(0, 16, :p0), 16, pg_temp.h(:root8))
UNION ALL SELECT 'a proof for another size', foray.log_verify_inclusion(pg_temp.h(:leaf0), pg_temp.incl(0, 8, :p0), 9, pg_temp.h(:root8))
UNION ALL SELECT 'modified proof[1] bit 3', foray.log_verify_inclusion(pg_temp.h(:leaf0),
		pg_temp.incl(0, 8, 'lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=', 'Vwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=', 'a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ='), 8, pg_temp.h(:root8))
UNION ALL SELECT 'trailing root', foray.log_verify_inclusion(pg_temp.h(:leaf0), pg_temp.incl(0, 8, :p0, :root8), 8, pg_temp.h(:root8))
UNION ALL SELECT 'random root', foray.log_verify_inclusion(pg_temp.h(:leaf0), pg_temp.incl(0, 8, :p0), 8, pg_temp.h(:leaf5));
CREATE FUNCTION pg_temp.cons(m bigint, n bigint, VARIADIC p text[]) RETURNS jsonb LANGUAGE sql IMMUTABLE
	AS $$ SELECT jsonb_build_object('old_size', m, 'new_size', n, 'path', pg_temp.hs(VARIADIC p)) $$;
\set c2 '\'DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=\', \'yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=\', \'037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=\''
\set r6 '\'duZ9rbzfHhDht03cYIq9L5jfsW+851J3tSMqEn8gh+8=\''
SELECT 'consistency/2 happy path' AS vector, foray.log_verify_consistency(6, pg_temp.h(:r6), 8, pg_temp.h(:root8), pg_temp.cons(6, 8, :c2)) AS verifies
UNION ALL SELECT 'between the checkpoints', foray.log_verify_consistency(E'example.com/foray/regress\n6\n' || :r6 || E'\n', E'example.com/foray/regress\n8\n' || :root8 || E'\n', pg_temp.cons(6, 8, :c2))
UNION ALL SELECT 'checkpoints of two logs', foray.log_verify_consistency(E'example.com/other\n6\n' || :r6 || E'\n', E'example.com/foray/regress\n8\n' || :root8 || E'\n', pg_temp.cons(6, 8, :c2))
UNION ALL SELECT 'swapped roots', foray.log_verify_consistency(6, pg_temp.h(:root8), 8, pg_temp.h(:r6), pg_temp.cons(6, 8, :c2))
UNION ALL SELECT 'size1 plus 1', foray.log_verify_consistency(7, pg_temp.h(:r6), 8, pg_temp.h(:root8), pg_temp.cons(7, 8, :c2))
UNION ALL SELECT 'size2 mul 2', foray.log_verify_consistency(6, pg_temp.h(:r6), 16, pg_temp.h(:root8), pg_temp.cons(6, 16, :c2))
UNION ALL SELECT 'truncated proof', foray.log_verify_consistency(6, pg_temp.h(:r6), 8, pg_temp.h(:root8),
		pg_temp.cons(6, 8, 'DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=', 'yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA='))
UNION ALL SELECT 'empty proof', foray.log_verify_consistency(6, pg_temp.h(:r6), 8, pg_temp.h(:root8), '{"old_size": 6, "new_size": 8, "path": []}')
UNION ALL SELECT 'a proof for other sizes', foray.log_verify_consistency(6, pg_temp.h(:r6), 8, pg_temp.h(:root8), pg_temp.cons(5, 8, :c2))
UNION ALL SELECT 'from the empty tree', foray.log_verify_consistency(0, pg_temp.h(:r6), 8, pg_temp.h(:root8), '{"old_size": 0, "new_size": 8, "path": []}')
UNION ALL SELECT 'equal sizes, equal roots', foray.log_verify_consistency(8, pg_temp.h(:root8), 8, pg_temp.h(:root8), '{"old_size": 8, "new_size": 8, "path": []}')
UNION ALL SELECT 'equal sizes, other roots', foray.log_verify_consistency(8, pg_temp.h(:root8), 8, pg_temp.h(:r6), '{"old_size": 8, "new_size": 8, "path": []}');
-- malformed input is an error, one SQLSTATE each
SELECT pg_temp.err($f$SELECT foray.log_verify_inclusion(pg_temp.h('bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0='), '[1]', 8, pg_temp.h('XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg='))$f$);
SELECT pg_temp.err($f$SELECT foray.log_verify_inclusion(pg_temp.h('bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0='), '{"tree_size": 8, "path": []}', 8, pg_temp.h('XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg='))$f$);
SELECT pg_temp.err($f$SELECT foray.log_verify_inclusion(pg_temp.h('bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0='), '{"leaf_index": 1.5, "tree_size": 8, "path": []}', 8, pg_temp.h('XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg='))$f$);
SELECT pg_temp.err($f$SELECT foray.log_verify_inclusion(pg_temp.h('bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0='), '{"leaf_index": -1, "tree_size": 8, "path": []}', 8, pg_temp.h('XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg='))$f$);
SELECT pg_temp.err($f$SELECT foray.log_verify_inclusion(pg_temp.h('bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0='), '{"leaf_index": 0, "tree_size": 9223372036854775808, "path": []}', 8, pg_temp.h('XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg='))$f$);
SELECT pg_temp.err($f$SELECT foray.log_verify_inclusion(pg_temp.h('bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0='), '{"leaf_index": 0, "tree_size": 8, "path": "x"}', 8, pg_temp.h('XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg='))$f$);
SELECT pg_temp.err($f$SELECT foray.log_verify_inclusion(pg_temp.h('bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0='), '{"leaf_index": 0, "tree_size": 8, "path": ["sha256:00"]}', 8, pg_temp.h('XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg='))$f$);
SELECT pg_temp.err($f$SELECT foray.log_verify_inclusion('sha256:XYZ', '{"leaf_index": 0, "tree_size": 8, "path": []}', 8, pg_temp.h('XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg='))$f$);
SELECT pg_temp.err($f$SELECT foray.log_verify_inclusion(pg_temp.h('bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0='), '{"leaf_index": 0, "tree_size": 8, "path": []}', -8, pg_temp.h('XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg='))$f$);
SELECT pg_temp.err($f$SELECT foray.log_verify_inclusion(pg_temp.h('bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0='), '{"leaf_index": 0, "tree_size": 8, "path": []}', E'log\n08\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n')$f$);
SELECT pg_temp.err($f$SELECT foray.log_verify_consistency(1, pg_temp.h('bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0='), 8, pg_temp.h('XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg='), '{"old_size": 1, "path": []}')$f$);
SELECT pg_temp.err($f$SELECT foray.log_verify_consistency(E'log\n1\nbjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=', E'log\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n', '{"old_size": 1, "new_size": 8, "path": []}')$f$);
-- the RFC 9162 vectors' 12-byte stand-in roots are not hashes here
SELECT pg_temp.err($f$SELECT foray.log_verify_consistency(1, 'ZG9uJ3QgY2FyZSAy', 1, 'ZG9uJ3QgY2FyZSAy', '{"old_size": 1, "new_size": 1, "path": []}')$f$);
-- NULL in, NULL out
SELECT foray.log_verify_inclusion(NULL, '{}', 8, 'x') IS NULL AS null_leaf, foray.log_parse_checkpoint(NULL) IS NULL AS null_checkpoint,
	   foray.log_verify_signature(NULL, 'k') IS NULL AS null_note, foray.log_inclusion_proof(NULL::bigint) IS NULL AS null_index,
	   foray.log_consistency_proof(NULL) IS NULL AS null_size;

-- ---------------------------------------------------------------------
-- Proof generation refuses what is not in the log
-- ---------------------------------------------------------------------
SELECT pg_temp.err($$SELECT foray.log_inclusion_proof(8, 8)$$);
SELECT pg_temp.err($$SELECT foray.log_inclusion_proof(0, 9)$$);
SELECT pg_temp.err($$SELECT foray.log_inclusion_proof(-1)$$);
SELECT pg_temp.err($$SELECT foray.log_inclusion_proof('NOT_LOGGED')$$);
SELECT pg_temp.err($$SELECT foray.log_consistency_proof(0, 8)$$);
SELECT pg_temp.err($$SELECT foray.log_consistency_proof(5, 4)$$);
SELECT pg_temp.err($$SELECT foray.log_consistency_proof(1, 9)$$);
SELECT pg_temp.err($$SELECT foray.log_root(9)$$);
SELECT foray.log_consistency_proof(8)->'path' = '[]' AS same_size_empty_proof;

-- ---------------------------------------------------------------------
-- Signed notes: Ed25519 verifier keys of x/mod and C2SP
-- ---------------------------------------------------------------------
\set peter '\'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW\''
\set enoch '\'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop\''
\set text 'E\'If you think cryptography is the answer to your problem,\\nthen you don\\\'t know what your problem is.\\n\''
\set psig 'E\'— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\\n\''
\set esig 'E\'— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\\n\''
SELECT 'both signatures, Peter''s key' AS note, foray.log_verify_signature(:text || E'\n' || :psig || :esig, :peter) AS verifies
UNION ALL SELECT 'both signatures, Enoch''s key', foray.log_verify_signature(:text || E'\n' || :psig || :esig, :enoch)
UNION ALL SELECT 'only Enoch''s signature, Peter''s key', foray.log_verify_signature(:text || E'\n' || :esig, :peter)
UNION ALL SELECT 'a corrupt signature', foray.log_verify_signature(:text || E'\n' || overlay(:psig placing 'ABCD' from 59 for 0), :peter)
UNION ALL SELECT 'another text', foray.log_verify_signature(replace(:text, 'answer', 'question') || E'\n' || :psig, :peter)
UNION ALL SELECT 'the C2SP example', foray.log_verify_signature(E'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n',
		'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k');
SELECT pg_temp.err($f$SELECT foray.log_verify_signature('x', 'PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==')$f$);
SELECT pg_temp.err($f$SELECT foray.log_verify_signature('x', 'PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')$f$);
SELECT pg_temp.err($f$SELECT foray.log_verify_signature('x', 'PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW')$f$);
SELECT pg_temp.err($f$SELECT foray.log_verify_signature('x', 'bananas.sigstore.dev+12344556')$f$);
SELECT pg_temp.err(format($f$SELECT foray.log_verify_signature(%L, %L)$f$, :text, :peter));
SELECT pg_temp.err(format($f$SELECT foray.log_verify_signature(%L, %L)$f$, :text || E'\n' || :psig || 'Unexpected line.' || E'\n', :peter));
SELECT pg_temp.err(format($f$SELECT foray.log_verify_signature(%L, %L)$f$, chr(1) || :text || E'\n' || :psig, :peter));
SELECT pg_temp.err(format($f$SELECT foray.log_verify_signature(%L, %L)$f$, :text || E'\n' || repeat(:psig, 101), :peter));
-- a signature is stored only for a stored checkpoint, and only if it verifies
SELECT pg_temp.err(format($f$SELECT foray.log_store_signature(%L, %L)$f$, :text || E'\n' || :psig, :peter));
SELECT pg_temp.err(format($f$SELECT foray.log_store_signature(%L, %L)$f$, :text || E'\n' || :esig, :peter));
SELECT pg_temp.err(format($f$SELECT foray.log_store_signature(%L, %L)$f$, E'example.com/foray/regress\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n' || :psig, :peter));

-- ---------------------------------------------------------------------
-- Transactions: the leaf is SHA-256(0x00 || canonical envelope)
-- ---------------------------------------------------------------------
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('LOG_B', '2026-03-01T10:00:00Z', '{"entity": "Log", "transaction_type": "t"}'),
	   ('LOG_OPEN', '2026-03-01T10:00:00Z', '{"entity": "Log", "transaction_type": "t"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES
	('LOG_B', 'ARR_1', 'ARR', '{"n": 1}'),
	('LOG_OPEN', 'ACC_1', 'ACC', '{"arrangement_refs": ["ARR_LATER"]}'),
	('LOG_OPEN', 'ARR_LATER', 'ARR', '{}');
COMMIT;
-- LOG_OPEN is open again once its arrangement is reversed
UPDATE foray.foray_components SET status = 'reversed' WHERE transaction_id = 'LOG_OPEN' AND component_id = 'ARR_LATER';
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('LOG_A', '2026-03-02T10:00:00Z', '{"entity": "Log", "transaction_type": "t"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES ('LOG_A', 'ARR_1', 'ARR', '{"n": 2}');
SELECT transaction_id, lifecycle FROM foray.foray_transactions WHERE transaction_id LIKE 'LOG\_%' ORDER BY 1;

-- the open one has no envelope; an unknown one is unknown
SELECT pg_temp.err($$SELECT foray.log_append('LOG_OPEN')$$);
SELECT pg_temp.err($$SELECT foray.log_append('LOG_NONE')$$);
-- a rolled-back append leaves no hole
BEGIN;
SELECT foray.log_append('LOG_A') AS rolled_back_index;
ROLLBACK;
SELECT foray.log_size() AS size_after_rollback;
-- every ready transaction, oldest first: LOG_B (created first), then LOG_A
-- (the other ready transactions of the regression database go in too; the
-- warnings about those whose envelope cannot be built are not shown here:
-- test/suites/47_log.sh checks them)
CREATE TEMP TABLE appended (log_index bigint, transaction_id text, leaf_hash text);
SET client_min_messages = error;
WITH a AS (SELECT * FROM foray.log_append_ready())
INSERT INTO appended SELECT * FROM a WHERE a.transaction_id LIKE 'LOG\_%';
SELECT transaction_id FROM appended ORDER BY log_index;
SELECT count(*) = max(log_index) + 1 AND min(log_index) = 0 AS no_gap FROM foray.log_entries;
SELECT count(*) AS again FROM foray.log_append_ready();
RESET client_min_messages;
-- in the log once: appending again returns the same index
SELECT foray.log_append('LOG_A') = (SELECT log_index FROM appended WHERE transaction_id = 'LOG_A') AS same_index;
-- the leaves, computed without the log's code
SELECT a.transaction_id,
	   a.leaf_hash = 'sha256:' || encode(sha256('\x00'::bytea || convert_to(foray.foray_canonicalize(foray.anchor_envelope(a.transaction_id)), 'UTF8')), 'hex') AS leaf_is_envelope,
	   a.leaf_hash = foray.log_leaf_hash(foray.anchor_envelope(a.transaction_id)) AS log_leaf_hash_agrees
  FROM appended a ORDER BY a.log_index;
-- each one's proof against the new checkpoint
SELECT foray.log_checkpoint() ~ E'^example\\.com/foray/regress\\n[0-9]+\\n[A-Za-z0-9+/]{43}=\\n$' AS checkpoint_shape;
SELECT a.transaction_id,
	   foray.log_verify_inclusion(foray.log_leaf_hash(foray.anchor_envelope(a.transaction_id)),
								  foray.log_inclusion_proof(a.transaction_id), foray.log_checkpoint()) AS included,
	   foray.log_verify_inclusion(foray.log_leaf_hash(foray.anchor_envelope('LOG_B')),
								  foray.log_inclusion_proof(a.transaction_id), foray.log_checkpoint()) AS other_envelope_included
  FROM appended a WHERE a.transaction_id = 'LOG_A';
-- and the log's head grew consistently from the RFC tree's
SELECT foray.log_verify_consistency(E'example.com/foray/regress\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n',
									foray.log_checkpoint(), foray.log_consistency_proof(8)) AS consistent_with_8;
-- max_entries
SELECT pg_temp.err($$SELECT * FROM foray.log_append_ready(-1)$$);
SELECT count(*) AS zero_asked FROM foray.log_append_ready(0);
