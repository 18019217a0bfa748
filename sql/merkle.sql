-- Merkle commitments (docs/merkle.md).  Every expected hash below comes
-- from outside the extension: the RFC 6962 test tree and the RFC 9162
-- inclusion vectors of transparency-dev/merkle (test/vectors/rfc9162-merkle),
-- or test/core/merkle_ref.py, an independent Python implementation run over
-- test/vectors/merkle/regress_tx.json (its output is
-- test/vectors/merkle/regress_tx.expected.json).
\set VERBOSITY terse
-- refusals are shown as SQLSTATE: message
CREATE FUNCTION pg_temp.err(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- ---------------------------------------------------------------------
-- RFC 9162 Merkle Tree Hash against the RFC 6962 test tree
-- ---------------------------------------------------------------------
CREATE TEMP TABLE leaf (i int, d bytea);
INSERT INTO leaf VALUES (0, ''), (1, '\x00'), (2, '\x10'), (3, '\x2021'), (4, '\x3031'),
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
SELECT p.size,
	   foray.merkle_tree_hash(ARRAY(SELECT d FROM leaf WHERE i < p.size ORDER BY i))
		 = 'sha256:' || p.root AS equals_published
  FROM published p ORDER BY p.size;
SELECT foray.merkle_leaf_hash('') = 'sha256:6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d' AS leaf_0;

-- CVE-2012-2459: duplicating the last leaf changes the root
SELECT foray.merkle_tree_hash('{"\\x61","\\x62","\\x63"}'::bytea[])
	<> foray.merkle_tree_hash('{"\\x61","\\x62","\\x63","\\x63"}'::bytea[]) AS duplicate_changes_root;
-- CVE-2017-12842: a 64-byte leaf equal to two child hashes is not their parent
SELECT foray.merkle_tree_hash(ARRAY[decode(substr(foray.merkle_leaf_hash('\x78'), 8), 'hex')
									|| decode(substr(foray.merkle_leaf_hash('\x79'), 8), 'hex')])
	<> foray.merkle_tree_hash('{"\\x78","\\x79"}'::bytea[]) AS forged_leaf_is_not_parent;
-- refused: a null entry, a two-dimensional array
SELECT pg_temp.err($$SELECT foray.merkle_tree_hash(ARRAY['\x61', NULL]::bytea[])$$);
SELECT pg_temp.err($$SELECT foray.merkle_tree_hash('{{"\\x61"},{"\\x62"}}'::bytea[])$$);

-- ---------------------------------------------------------------------
-- verify_inclusion with the RFC 9162 vectors (inclusion/1 and inclusion/2:
-- leaves 0 and 5 of the 8-leaf tree); hashes are base64 in the vectors
-- ---------------------------------------------------------------------
CREATE FUNCTION pg_temp.h(b64 text) RETURNS text LANGUAGE sql IMMUTABLE
	AS $$ SELECT 'sha256:' || encode(decode(b64, 'base64'), 'hex') $$;
CREATE FUNCTION pg_temp.step(idx bigint, size bigint, VARIADIC p text[]) RETURNS jsonb LANGUAGE sql IMMUTABLE
	AS $$ SELECT jsonb_build_object('leaf_index', idx, 'tree_size', size,
		'path', (SELECT coalesce(jsonb_agg(pg_temp.h(x) ORDER BY n), '[]') FROM unnest(p) WITH ORDINALITY u(x, n))) $$;
\set root8 '\'XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\''
\set leaf0 '\'bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=\''
\set leaf5 '\'QnGia+DYqE8L1UyMMC58s6O10fpngKQLzOKHNHfatlg=\''
\set p0 '\'lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=\', \'Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=\', \'a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ=\''
\set p5 '\'vBoGQ7EuTS18d5GPROD095qDi2z57FtcKD4fTYhZnms=\', \'yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=\', \'037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=\''
SELECT 'happy path 0' AS vector, foray.verify_inclusion(pg_temp.h(:leaf0), pg_temp.step(0, 8, :p0), pg_temp.h(:root8))
UNION ALL SELECT 'happy path 5', foray.verify_inclusion(pg_temp.h(:leaf5), pg_temp.step(5, 8, :p5), pg_temp.h(:root8))
UNION ALL SELECT 'wrong leaf', foray.verify_inclusion(pg_temp.h(:leaf5), pg_temp.step(0, 8, :p0), pg_temp.h(:root8))
UNION ALL SELECT 'leafIdx plus 1', foray.verify_inclusion(pg_temp.h(:leaf0), pg_temp.step(1, 8, :p0), pg_temp.h(:root8))
UNION ALL SELECT 'leafIdx sub 1', foray.verify_inclusion(pg_temp.h(:leaf5), pg_temp.step(4, 8, :p5), pg_temp.h(:root8))
UNION ALL SELECT 'treeSize div 2', foray.verify_inclusion(pg_temp.h(:leaf0), pg_temp.step(0, 4, :p0), pg_temp.h(:root8))
UNION ALL SELECT 'treeSize mul 2', foray.verify_inclusion(pg_temp.h(:leaf0), pg_temp.step(0, 16, :p0), pg_temp.h(:root8))
UNION ALL SELECT 'modified proof[1] bit 3', foray.verify_inclusion(pg_temp.h(:leaf0),
		pg_temp.step(0, 8, 'lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=', 'Vwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=', 'a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ='), pg_temp.h(:root8))
UNION ALL SELECT 'trailing root', foray.verify_inclusion(pg_temp.h(:leaf0), pg_temp.step(0, 8, :p0, :root8), pg_temp.h(:root8))
UNION ALL SELECT 'removed component', foray.verify_inclusion(pg_temp.h(:leaf0),
		pg_temp.step(0, 8, 'lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=', 'Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4='), pg_temp.h(:root8))
UNION ALL SELECT 'random root', foray.verify_inclusion(pg_temp.h(:leaf0), pg_temp.step(0, 8, :p0), pg_temp.h(:leaf5));
-- garbage is refused with an error, not a guess
SELECT pg_temp.err($f$SELECT foray.verify_inclusion(pg_temp.h('bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0='), '{"leaf_index": 0, "tree_size": 8, "path": ["", "sha256:00"]}', pg_temp.h('XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg='))$f$);
SELECT pg_temp.err($f$SELECT foray.verify_inclusion(pg_temp.h('bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0='), '{"leaf_index": -1, "tree_size": 8, "path": []}', pg_temp.h('XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg='))$f$);
SELECT pg_temp.err($f$SELECT foray.verify_inclusion(pg_temp.h('bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0='), '{"steps": []}', pg_temp.h('XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg='))$f$);
SELECT pg_temp.err($f$SELECT foray.verify_inclusion(pg_temp.h('bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0='), '[1, 2]', pg_temp.h('XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg='))$f$);
SELECT pg_temp.err($f$SELECT foray.verify_inclusion('sha256:ABC', pg_temp.step(0, 8, 'lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=', 'Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=', 'a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ='), pg_temp.h('XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg='))$f$);
SELECT pg_temp.err($f$SELECT foray.verify_inclusion(pg_temp.h('bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0='), pg_temp.step(0, 8, 'lqKW0iTyhcZ77pPDD4owkVfw2qNdxbh+QQt4YwoJz8c=', 'Xwg/ChozygdqlSeYMlgNs+DvRYS9/x9UyKNg9Q3jAx4=', 'a0eq8p7jwq+a+Im8H7klTavTEXfxYjLdaqsDXKOb9uQ='), 'XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz')$f$);

-- ---------------------------------------------------------------------
-- A transaction's commitments, against merkle_ref.py
-- ---------------------------------------------------------------------
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, audit_data_anchor)
VALUES ('MRK_1', '2026-03-01T10:00:00Z',
		'{"entity": "Acme", "transaction_type": "purchase", "total_value": 1500, "currency": "USD"}',
		'{"audit_profile": "standard", "storage_locations": ["s3://audit/MRK_1"]}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core, audit_data) VALUES
 ('MRK_1', 'ACT_2', 'ACT', '{"anticipation_refs": ["ANT_1"], "amount_settled": 500}', NULL),
 ('MRK_1', 'ACT_1', 'ACT', '{"anticipation_refs": ["ANT_1"], "amount_settled": 1000}', '{"bank_ref": "B-77"}'),
 ('MRK_1', 'ANT_1', 'ANT', '{"accrual_refs": ["ACC_1", "ACC_2"]}', NULL),
 ('MRK_1', 'ACC_2', 'ACC', '{"arrangement_refs": ["ARR_1"], "amount": 500}', NULL),
 ('MRK_1', 'ACC_1', 'ACC', '{"arrangement_refs": ["ARR_1"], "amount": 1000}', NULL),
 ('MRK_1', 'ARR_1', 'ARR', '{"parties": [{"name": "A"}, {"name": "B"}]}', '{"approver": "alice"}');
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core) VALUES
 ('MRK_1', 'ATT_1', '{"attestor": "Analytica Lab", "attestor_hash": "sha256:def", "attestor_type": "laboratory",
   "subject_refs": ["ARR_1"], "attestation_type": "analysis", "attestation_date": "2026-01-10T09:30:00Z",
   "outcome": "certified"}');
COMMIT;

SELECT components, attestations,
	   component_hashes = '{"accruals": "sha256:45cab6125a9bc68a1da9a619d4c643370d82d1e83b2f0d6b05a94b5d71903e16",
		 "actions": "sha256:c5c4a2fc3ad4a18adeaf1049a41d033f2d47a4252c2fa0c18a49595c4586e91f",
		 "anticipations": "sha256:22adcb520e7b18ac46b83439d0d423768b849d85c29bdfef439350f34462ca48",
		 "arrangements": "sha256:241bb5f0440be609a28978ccc42fa83fdd6608fcbb6d00f3f8c00fd303ff6a78",
		 "attestations": "sha256:66bbf19d6631bde4714a775d40be35e1bdc7e3c235e069533a7341fd4235acac"}'::jsonb
		 AS component_hashes_ok,
	   foray_core_hash = 'sha256:28ae858cb8f206ddd6e74e2ebbeee8da1ef64611b6847d6aa23b3ebb5cff4d8c' AS core_ok,
	   audit_data_hash = 'sha256:5ae4a418f7de309e0799b05401c86376152273ed762868fb85f18c0f428b9ede' AS audit_ok,
	   merkle_root
  FROM foray.transaction_hashes('MRK_1');
-- the empty tree is SHA-256(""), the spec's "sha256:e3b0c442..."
SELECT foray.merkle_tree_hash('{}') = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' AS empty_tree;

-- an inclusion proof: the same path the Python implementation derives
SELECT p->>'tree' AS tree, p->>'component_hash' AS component_hash, p->>'leaf_hash' AS leaf_hash,
	   jsonb_path_query_array(p, '$.steps[*].leaf_index') AS indices,
	   jsonb_path_query_array(p, '$.steps[*].tree_size') AS sizes,
	   p #> '{steps,0,path}' = '["sha256:2d7895551e43da4c3a0653198d4657adbb41cba78d8ac84b5df5986f1db21ca6"]' AS path_in_actions_ok,
	   p #> '{steps,1,path}' = '["sha256:aceeb93170f9bd109232bfa164c63fa684fdced80699b9cafa0a119ccc906d76",
								 "sha256:f276167b9ce381d4ad883d358c13a975d59ad4f1b10f82cc62f6b40cf3a3ba27",
								 "sha256:db979fc0e981dcd21cd640d74d35657f16c392b2607f590f665ad1bde750f487"]' AS path_to_root_ok
  FROM foray.inclusion_proof('MRK_1', 'ACT_2') p;
-- it verifies with nothing but the leaf hash, the proof and the root ...
SELECT foray.verify_inclusion(
	foray.merkle_leaf_hash(decode('0e51f806718313f095c219aec06a0b8d21b6cc1316587859ab3af58048d924fc', 'hex')),
	foray.inclusion_proof('MRK_1', 'ACT_2'),
	'sha256:072929c505ad74b19cde25ca93cf16b8673b2c8da098867f1b42b2882ca0f179') AS act_2_included;
-- ... every component and attestation does
SELECT m.id, foray.verify_inclusion(p->>'leaf_hash', p, (SELECT merkle_root FROM foray.transaction_hashes('MRK_1'))) AS included
  FROM (SELECT component_id AS id FROM foray.foray_components WHERE transaction_id = 'MRK_1'
		UNION ALL SELECT attestation_id FROM foray.foray_attestations WHERE transaction_id = 'MRK_1') m,
	   LATERAL foray.inclusion_proof('MRK_1', m.id) p
 ORDER BY m.id COLLATE "C";
-- and nothing else does: another leaf, another root, an edited path, a stated root that lies
WITH p AS (SELECT foray.inclusion_proof('MRK_1', 'ACT_2') AS p)
SELECT foray.verify_inclusion(foray.inclusion_proof('MRK_1', 'ACT_1')->>'leaf_hash', p, p->>'merkle_root') AS other_leaf,
	   foray.verify_inclusion(p->>'leaf_hash', p, 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855') AS other_root,
	   foray.verify_inclusion(p->>'leaf_hash', jsonb_set(p, '{steps,1,leaf_index}', '5'), p->>'merkle_root') AS moved_to_attestations,
	   foray.verify_inclusion(p->>'leaf_hash', jsonb_set(p, '{steps,0,root}', to_jsonb(p->>'leaf_hash')), p->>'merkle_root') AS lying_root,
	   foray.verify_inclusion(p->>'leaf_hash', p #- '{steps,1}', p->>'merkle_root') AS first_step_only
  FROM p;
-- refused: unknown transaction, unknown component
SELECT pg_temp.err($$SELECT foray.inclusion_proof('MRK_1', 'ACT_9')$$);
SELECT pg_temp.err($$SELECT foray.inclusion_proof('NOPE', 'ACT_1')$$);
SELECT pg_temp.err($$SELECT * FROM foray.transaction_hashes('NOPE')$$);
