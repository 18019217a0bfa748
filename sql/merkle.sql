-- Merkle commitments (docs/merkle.md).  Every expected hash below comes
-- from outside the extension: the RFC 6962 test tree and the RFC 9162
-- inclusion vectors of transparency-dev/merkle (test/vectors/rfc9162-merkle),
-- or test/reference/commitment.js, an independent JavaScript implementation
-- of commitment scheme 2, run over test/vectors/merkle/regress_tx.json (its
-- output is test/vectors/merkle/regress_tx.v2.expected.json and
-- regress_tx.v2.ACT_2.proof.json).  Scheme 1 against test/core/merkle_ref.py:
-- test/suites/45_merkle_sql.sh.
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

SELECT components, attestations, commitment_scheme,
	   component_hashes = '{"accruals": "sha256:daa2ef167ad07f3d959ea9064ca6aa60eb8dcf8bdc3ba45cb8d669c6a3aaf8ba",
		 "actions": "sha256:3c188af838153e661af63f89099847bd9bacaf3578df35a730db7facb27d82ae",
		 "anticipations": "sha256:a5898e064ae5ecc9357416718e4a970a7ba9716c61b0989f2713541676a178fb",
		 "arrangements": "sha256:7452a10d6b22f63523daa9df4de30f5582f8438dc4a18feecbc531865790a870",
		 "attestations": "sha256:538f6d7726c98b49d2f4293b40a3ab4257c219ee2d2ddf3dc62f21199f41f235"}'::jsonb
		 AS component_hashes_ok,
	   foray_core_hash = 'sha256:28ae858cb8f206ddd6e74e2ebbeee8da1ef64611b6847d6aa23b3ebb5cff4d8c' AS core_ok,
	   audit_data_hash = 'sha256:66e40cc5895c39a3e79a444a8232c6a20f4624e481df43cdd47a81ca19148c31' AS audit_ok,
	   merkle_root
  FROM foray.transaction_hashes('MRK_1');
-- the empty tree is SHA-256(""), the spec's "sha256:e3b0c442..."
SELECT foray.merkle_tree_hash('{}') = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' AS empty_tree;

-- an inclusion proof: the same one the JavaScript implementation derives
SELECT foray.inclusion_proof('MRK_1', 'ACT_2') = '{"commitment_scheme":2,"component_hash":"sha256:0e51f806718313f095c219aec06a0b8d21b6cc1316587859ab3af58048d924fc","component_type":"ACT","leaf_hash":"sha256:51bded39556219bad295355df5063b508f253e17219b0c0c98451baec28daeea","merkle_root":"sha256:732506f87f073b1fbb0d7754afc62fa075691879825c2e24ebe30ead83aac9c2","steps":[{"leaf_index":1,"path":["sha256:040f991a56f72216c002725e82ed65a813e9da187fff8b923fc7e6b4e73cb946"],"root":"sha256:3c188af838153e661af63f89099847bd9bacaf3578df35a730db7facb27d82ae","tree":"actions","tree_size":2},{"leaf_index":4,"path":["sha256:e20e0165e3166b10c99f76255611009f673467eb5dc775f959cd5361060f3362","sha256:5fe54a2029a1e095a1028ad54178f9a93c414e5db885706b9e99905639186446","sha256:0fd3caea7e8248202b184898f629ee6c66e1a712339ee91c581720fba5290fd7"],"root":"sha256:732506f87f073b1fbb0d7754afc62fa075691879825c2e24ebe30ead83aac9c2","tree":"merkle_root","tree_size":7}],"subject_id":"ACT_2","transaction_id":"MRK_1","tree":"actions"}'::jsonb
	AS same_proof;
-- it verifies with nothing but the proof and the root the caller trusts ...
SELECT foray.verify_inclusion(foray.inclusion_proof('MRK_1', 'ACT_2'),
	'sha256:732506f87f073b1fbb0d7754afc62fa075691879825c2e24ebe30ead83aac9c2') AS act_2_included;
-- ... every component and attestation does, all at once too (the ids
-- read first: on Citus a function that reads the tables cannot run per row
-- of a query over them, docs/scale-out.md)
SELECT array_agg(id) AS ids
  FROM (SELECT component_id AS id FROM foray.foray_components WHERE transaction_id = 'MRK_1'
		UNION ALL SELECT attestation_id FROM foray.foray_attestations WHERE transaction_id = 'MRK_1') m \gset
SELECT m.id, foray.verify_inclusion(p, (SELECT merkle_root FROM foray.transaction_hashes('MRK_1'))) AS included
  FROM pg_catalog.unnest(:'ids'::text[]) m(id),
	   LATERAL foray.inclusion_proof('MRK_1', m.id) p
 ORDER BY m.id COLLATE "C";
SELECT count(*) AS proofs, bool_and(p.proof = foray.inclusion_proof('MRK_1', p.subject_id)) AS same_as_one_by_one
  FROM foray.inclusion_proofs('MRK_1') p;
-- and nothing else does: a label changed (the review's examples), another
-- root, an edited path, a stated root that lies, a step missing
WITH p AS (SELECT foray.inclusion_proof('MRK_1', 'ACT_2') AS p)
SELECT foray.verify_inclusion(jsonb_set(p, '{steps,0,tree}', '"accruals"'), p->>'merkle_root') AS other_tree,
	   foray.verify_inclusion(jsonb_set(p, '{subject_id}', '"ACT_1"'), p->>'merkle_root') AS other_subject,
	   foray.verify_inclusion(jsonb_set(p, '{component_type}', '"ACC"'), p->>'merkle_root') AS other_type,
	   foray.verify_inclusion(jsonb_set(p, '{transaction_id}', '"MRK_2"'), p->>'merkle_root') AS other_transaction,
	   foray.verify_inclusion(jsonb_set(p, '{steps,0,tree_size}', '3'), p->>'merkle_root') AS other_size,
	   foray.verify_inclusion(jsonb_set(p, '{steps,1,tree_size}', '8'), p->>'merkle_root') AS top_size_8,
	   foray.verify_inclusion(p, 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855') AS other_root,
	   foray.verify_inclusion(jsonb_set(p, '{steps,1,leaf_index}', '5'), p->>'merkle_root') AS moved_to_attestations,
	   foray.verify_inclusion(jsonb_set(p, '{steps,0,root}', to_jsonb(p->>'leaf_hash')), p->>'merkle_root') AS lying_root
  FROM p;
-- an internal node posing as the leaf, with the path shortened (the
-- review's forgery against 0.4.0): the verifier computes the leaf itself
WITH p AS (SELECT foray.inclusion_proof('MRK_1', 'ACT_2') AS p)
SELECT foray.verify_inclusion(jsonb_set(jsonb_set(p, '{leaf_hash}', to_jsonb(p #>> '{steps,0,root}')),
		'{steps,0,path}', '[]'), p->>'merkle_root') AS internal_node_as_leaf
  FROM p;
-- malformed: one SQLSTATE, the key named; a trusted root that is no hash: 22R50
WITH p AS (SELECT foray.inclusion_proof('MRK_1', 'ACT_2') AS p)
SELECT pg_temp.err(format('SELECT foray.verify_inclusion(%L, %L)', q, p->>'merkle_root'))
  FROM p, LATERAL (VALUES (p #- '{steps,1}'), (p - 'subject_id'), (p || '{"extra": 1}'),
					(jsonb_set(p, '{steps,0,leaf_index}', '-1')), (jsonb_set(p, '{steps,0,path,0}', '"sha256:00"')),
					(jsonb_set(p, '{commitment_scheme}', '3')), ('[1, 2]'::jsonb)) AS v(q);
SELECT pg_temp.err($$SELECT foray.verify_inclusion(foray.inclusion_proof('MRK_1', 'ACT_2'), 'sha256:ABC')$$);
-- the 0.4.0 form still answers: with the proof's own leaf hash ...
WITH p AS (SELECT foray.inclusion_proof('MRK_1', 'ACT_2') AS p)
SELECT foray.verify_inclusion(p->>'leaf_hash', p, p->>'merkle_root') AS legacy_form,
	   foray.verify_inclusion(foray.inclusion_proof('MRK_1', 'ACT_1')->>'leaf_hash', p, p->>'merkle_root') AS legacy_other_leaf
  FROM p;
-- refused: unknown transaction, unknown component
SELECT pg_temp.err($$SELECT foray.inclusion_proof('MRK_1', 'ACT_9')$$);
SELECT pg_temp.err($$SELECT foray.inclusion_proof('NOPE', 'ACT_1')$$);
SELECT pg_temp.err($$SELECT * FROM foray.transaction_hashes('NOPE')$$);
