// The reference implementation's own tests: RFC vectors, the 0.4.0
// (scheme 1) vectors of test/vectors/merkle/, the claims docs/merkle.md
// makes (what each scheme binds, envelope sizes), generated transactions
// with every proof and every mutation, the generator's own rules, and
// check-vectors on vectors that must pass and on vectors that must fail.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { parseExact, plain, writeJSON, JNum } = require('./json');
const S = require('./scheme');
const M = require('./mutate');
const G = require('./gen');
const V = require('./vectors');

const ROOT = path.join(__dirname, '..', '..');

function run(print) {
	let passed = 0;
	let failed = 0;
	const check = (name, ok, detail) => {
		if (ok) {
			passed++;
			print(`ok - ${name}`);
		} else {
			failed++;
			print(`not ok - ${name}${detail ? '\n#   ' + detail : ''}`);
		}
	};
	const outcome = (fn) => {
		try {
			return fn() ? 'true' : 'false';
		} catch (e) {
			if (e instanceof S.ProofError)
				return `error ${e.sqlstate}`;
			throw e;
		}
	};
	const hex = (b) => b.toString('hex');

	// ---- RFC 6962 / RFC 9162
	const roots = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/vectors/rfc9162-merkle/rfc6962-roots.json'), 'utf8'));
	const leaves6962 = roots.leaves_hex.map((h) => S.leafHash(Buffer.from(h, 'hex')));
	check('RFC 6962 test tree: MTH at every size 0..8',
		roots.roots_hex.every((r, n) => hex(S.mth(leaves6962.slice(0, n))) === r));
	const incDir = path.join(ROOT, 'test/vectors/rfc9162-merkle/inclusion');
	let vectors = 0;
	let wrong = [];
	const vectorFiles = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory()
		? vectorFiles(path.join(dir, e.name)) : e.name.endsWith('.json') ? [path.join(dir, e.name)] : []));
	for (const file of vectorFiles(incDir).sort()) {
		const name = path.relative(incDir, file);
		const v = JSON.parse(fs.readFileSync(file, 'utf8'));
		const b = (s) => Buffer.from(s, 'base64');
		const r = v.leafIdx < 0 || v.treeSize < 0 ? null
			: S.rootFromPath(BigInt(v.leafIdx), BigInt(v.treeSize), b(v.leafHash), (v.proof || []).map(b));
		// proofs carry sha256: strings, so a hash is always 32 bytes
		const ok = r !== null && b(v.root).length === 32 && b(v.leafHash).length === 32 && r.equals(b(v.root));
		vectors++;
		if (ok === Boolean(v.wantErr))
			wrong.push(name);
		if (!v.wantErr && v.treeSize <= 8 && b(v.leafHash).equals(leaves6962[v.leafIdx] || Buffer.alloc(0))) {
			const gen = S.auditPath(v.leafIdx, leaves6962.slice(0, v.treeSize)).map((x) => x.toString('base64'));
			if (JSON.stringify(gen) !== JSON.stringify(v.proof || []))
				wrong.push(`${name} (generated path)`);
		}
		}
	check(`RFC 9162 inclusion vectors: ${vectors} (happy paths verify and regenerate, negatives refused)`,
		vectors >= 98 && wrong.length === 0, wrong.join(', '));

	// the level-by-level tree (pair neighbours, carry the odd node) is the same tree
	const levelRoot = (ls) => {
		if (ls.length === 0)
			return S.H(Buffer.alloc(0));
		let level = ls;
		while (level.length > 1) {
			const next = [];
			for (let i = 0; i + 1 < level.length; i += 2)
				next.push(S.nodeHash(level[i], level[i + 1]));
			if (level.length % 2)
				next.push(level[level.length - 1]);
			level = next;
		}
		return level[0];
	};
	const many = Array.from({ length: 131 }, (_, i) => S.leafHash(Buffer.from([i, i >> 8])));
	let treeBad = [];
	for (let n = 0; n <= 130; n++) {
		const ls = many.slice(0, n);
		const r = S.mth(ls);
		if (!r.equals(levelRoot(ls)))
			treeBad.push(`root ${n}`);
		if (n <= 70)
			for (let m = 0; m < n; m++) {
				const p = S.auditPath(m, ls);
				const got = S.rootFromPath(BigInt(m), BigInt(n), ls[m], p);
				if (!got || !got.equals(r))
					treeBad.push(`path ${m}/${n}`);
				const shifted = S.rootFromPath(BigInt((m + 1) % n), BigInt(n), ls[m], p);
				if (n > 1 && shifted && shifted.equals(r))
					treeBad.push(`index ${m}+1 of ${n} accepted`);
				const shape = M.pathShape(BigInt(m), BigInt(n));
				const folded = M.foldByShape(ls[m], shape, p);
				if (!folded || !folded.equals(r))
					treeBad.push(`shape ${m}/${n}`);
			}
	}
	check('RFC 9162 recursive MTH = level-by-level tree for n = 0..130; every audit path verifies (n <= 70)',
		treeBad.length === 0, treeBad.slice(0, 5).join(', '));
	{
		const [a, b] = [S.leafHash(Buffer.from('a')), S.leafHash(Buffer.from('b'))];
		const parent = S.mth([a, b]);
		check('CVE-2017-12842: a 64-byte leaf equal to two child hashes is not their parent',
			!S.leafHash(Buffer.concat([a, b])).equals(parent));
		const three = [a, b, S.leafHash(Buffer.from('c'))];
		check('CVE-2012-2459: repeating the last leaf changes the root',
			!S.mth(three).equals(S.mth(three.concat([three[2]]))));
	}

	// ---- hashing.md §2 example
	check('docs/hashing.md example: {"b": 2.50, "a": [1E2, "x"]}',
		S.shaText(S.hashValue(plain(parseExact('{"b": 2.50, "a": [1E2, "x"]}'))))
			=== 'sha256:86c263339aeddb7cef9aa1c514eb62a78f5ed3d0d2575873914f685ad865288f');

	// ---- scheme 1 against the 0.4.0 vectors (test/vectors/merkle/, from sql/merkle.sql and sql/anchor.sql)
	for (const f of ['regress_tx', 'anchor_tx', 'anchor_tx_tampered']) {
		const tx = plain(parseExact(fs.readFileSync(path.join(ROOT, `test/vectors/merkle/${f}.json`), 'utf8')));
		tx.commitment_scheme = 1;
		const exp = JSON.parse(fs.readFileSync(path.join(ROOT, `test/vectors/merkle/${f}.expected.json`), 'utf8'));
		const c = S.commit(tx);
		const diffs = V.differences(
			{ component_hashes: c.hashes.component_hashes, foray_core_hash: c.hashes.foray_core_hash,
				audit_data_hash: c.hashes.audit_data_hash, merkle_root: c.hashes.merkle_root, envelope: c.details.envelope,
				envelope_canonical_bytes: Buffer.byteLength(c.details.envelope_text) },
			{ component_hashes: exp.component_hashes, foray_core_hash: exp.foray_core_hash, audit_data_hash: exp.audit_data_hash,
				merkle_root: exp.merkle_root, envelope: exp.envelope, envelope_canonical_bytes: exp.envelope_canonical_bytes });
		for (const [id, p] of Object.entries(exp.proofs)) {
			const mine = S.proofFrom(c, id);
			const strip = (q) => ({ tree: q.tree, component_hash: q.component_hash, leaf_hash: q.leaf_hash,
				steps: q.steps.map((s) => ({ leaf_index: s.leaf_index, tree_size: s.tree_size, path: s.path })) });
			V.differences(strip(mine), strip(p), `$.proofs.${id}`, diffs);
		}
		check(`scheme 1 = the 0.4.0 vector test/vectors/merkle/${f}.expected.json (hashes, envelope, every proof's path)`,
			diffs.length === 0, diffs.join('\n#   '));
	}

	// ---- the claims of docs/merkle.md on small transactions
	const base = {
		transaction_id: 'MRK_1', schema_version: '4.1', timestamp: '2026-01-25T14:30:00Z',
		foray_core: { entity: 'Acme', transaction_type: 'purchase' },
		components: [{ id: 'ARR_1', type: 'ARR', foray_core: { a: 1 } }, { id: 'ARR_2', type: 'ARR', foray_core: { a: 2 } },
			{ id: 'ACT_1', type: 'ACT', foray_core: { arrangement_refs: ['ARR_1'] } }],
		attestations: [],
	};
	const with_ = (over) => Object.assign(JSON.parse(JSON.stringify(base)), over);
	const rootOf = (tx) => S.commit(tx).details.merkle_root;
	{
		const c = S.commit(base);
		check('envelope: 353 + |transaction_id| + |timestamp| bytes (scheme 2)',
			Buffer.byteLength(c.details.envelope_text) === 353 + 5 + 20 && Buffer.byteLength(c.details.envelope_text) === 378);
		const c1 = S.commit(with_({ commitment_scheme: 1 }));
		check('envelope: 331 + |transaction_id| + |timestamp| bytes and no commitment_scheme key (scheme 1)',
			Buffer.byteLength(c1.details.envelope_text) === 331 + 25 && !('commitment_scheme' in c1.details.envelope));
		check('entries start with their tags (0248 header, 024d member, 0254 tree)',
			c.details.header.entry.startsWith('0248') && c.details.members.every((m) => m.entry.startsWith('024d'))
			&& c.details.trees.every((t) => t.entry.startsWith('0254')));
		check('an empty tree\'s root is H("") = sha256:e3b0c442...',
			c.details.trees[1].root === 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
			&& c.details.trees[1].size === 0);
		check('no audit data: the audit tree is empty in scheme 2, two H("null") leaves plus the anchor\'s in scheme 1',
			c.details.audit.length === 0 && c.details.audit_data_hash === c.details.trees[1].root
			&& c1.details.audit.length === 1 + base.components.length && c1.details.audit.every((a) => a.data_hash === S.shaText(S.hashValue(null))));
		check('scheme 2: transactions differing only in their id have different roots; scheme 1: the same root',
			rootOf(base) !== rootOf(with_({ transaction_id: 'MRK_2' }))
			&& rootOf(with_({ commitment_scheme: 1 })) === rootOf(with_({ commitment_scheme: 1, transaction_id: 'MRK_2' })));
		check('scheme 2 binds schema_version and timestamp; scheme 1\'s merkle_root does not',
			rootOf(base) !== rootOf(with_({ timestamp: '2026-01-25T14:30:01Z' }))
			&& rootOf(base) !== rootOf(with_({ schema_version: '4.2' }))
			&& rootOf(with_({ commitment_scheme: 1 })) === rootOf(with_({ commitment_scheme: 1, timestamp: '2027-01-01' })));
		check('scheme 2 binds a member\'s id; scheme 1 does not',
			rootOf(base) !== rootOf(with_({ components: [base.components[0], base.components[1], Object.assign({}, base.components[2], { id: 'ACT_2' })] }))
			&& rootOf(with_({ commitment_scheme: 1 })) === rootOf(with_({ commitment_scheme: 1,
				components: [base.components[0], base.components[1], Object.assign({}, base.components[2], { id: 'ACT_2' })] })));
		const anchored = (a) => S.commit(with_({ audit_data_anchor: a })).details;
		check('audit_data_anchor: its "audit_data_hash" key is left out; an empty anchor object still has an entry',
			anchored({ audit_data_hash: 'sha256:00', k: 1 }).audit_data_hash === anchored({ k: 1 }).audit_data_hash
			&& anchored({ audit_data_hash: 'x' }).audit.length === 1
			&& anchored({}).audit_data_hash !== c.details.audit_data_hash);
		check('audit data is outside component_hashes but inside merkle_root',
			S.canonicalText(S.commit(with_({ components: [Object.assign({ audit_data: 0 }, base.components[0])].concat(base.components.slice(1)) })).hashes.component_hashes)
				=== S.canonicalText(c.hashes.component_hashes)
			&& rootOf(with_({ components: [Object.assign({ audit_data: 0 }, base.components[0])].concat(base.components.slice(1)) })) !== c.details.merkle_root);
		const order = ['ACT_\ue000', 'ACT_😀', 'ACT_b', 'ACT_B', 'ACT_é', 'ACT_e\u0301'];
		const ordered = S.commit(with_({ components: order.map((id) => ({ id, type: 'ACT', foray_core: {} })) }))
			.details.members.map((m) => m.id);
		check('ids are ordered bytewise (UTF-8), not by UTF-16 or a collation',
			JSON.stringify(ordered) === JSON.stringify(['ACT_B', 'ACT_b', 'ACT_e\u0301', 'ACT_é', 'ACT_\ue000', 'ACT_😀']),
			JSON.stringify(ordered));
		check('a string of more than 65535 UTF-8 bytes cannot be committed',
			(() => {
				try {
					S.commit(with_({ transaction_id: 'x'.repeat(65536) }));
					return false;
				} catch (e) {
					return e instanceof RangeError;
				}
			})());
		{	// scheme 1: equal sibling subtrees let a proof move (SPEC_QUESTIONS.md 8)
			const twin = S.commit(with_({ commitment_scheme: 1, components: base.components.concat([
				{ id: 'ACC_1', type: 'ACC', foray_core: {} }, { id: 'ANT_1', type: 'ANT', foray_core: {} }]) }));
			const relabelled = M.mutations(S.proofFrom(twin, 'ACC_1')).find((mu) => mu.mutation.startsWith('relabelled as ANT'));
			check('scheme 1: an accrual\'s proof relabelled as the anticipation with the same core verifies (equal sibling roots)',
				relabelled && relabelled.expect === 'true'
				&& outcome(() => S.verifyInclusion(relabelled.proof, twin.details.merkle_root)) === 'true');
		}
		const p = S.proofFrom(c, 'ARR_2');
		const withIndex = (text) => {
			const q = parseExact(writeJSON(p));
			q.steps[0].leaf_index = new JNum(text);
			return q;
		};
		check('verify: a trusted root that is not a hash is 22R50; a malformed proof is 22R51 first',
			outcome(() => S.verifyInclusion(p, 'SHA256:' + c.details.merkle_root.slice(7))) === 'error 22R50'
			&& outcome(() => S.verifyInclusion(p, c.details.merkle_root.toUpperCase().replace('SHA256', 'sha256'))) === 'error 22R50'
			&& outcome(() => S.verifyInclusion(Object.assign({}, p, { extra: 1 }), 'x')) === 'error 22R51'
			&& outcome(() => S.verifyInclusion([], c.details.merkle_root)) === 'error 22R51');
		check('verify: a proof checked against another transaction\'s root is false',
			outcome(() => S.verifyInclusion(p, rootOf(with_({ transaction_id: 'MRK_2' })))) === 'false');
		check('verify: an index of 2^63-1 is well-formed, 2^63 is not (read exactly, not as a double); 1.0 is the integer 1',
			outcome(() => S.verifyInclusion(withIndex('9223372036854775807'), c.details.merkle_root)) === 'false'
			&& outcome(() => S.verifyInclusion(withIndex('9223372036854775808'), c.details.merkle_root)) === 'error 22R51'
			&& outcome(() => S.verifyInclusion(withIndex('1.0'), c.details.merkle_root)) === 'true'
			&& outcome(() => S.verifyInclusion(withIndex('10e-1'), c.details.merkle_root)) === 'true');
		const leg = (leaf, proof) => outcome(() => S.verifyInclusionLegacy(leaf, proof, c.details.merkle_root));
		check('legacy 3-argument form: full proof with its own leaf true, another leaf false; bare RFC 9162 step',
			leg(p.leaf_hash, p) === 'true' && leg(p.component_hash, p) === 'false'
			&& outcome(() => S.verifyInclusionLegacy(p.leaf_hash, { leaf_index: 1, tree_size: 2, path: p.steps[0].path }, p.steps[0].root)) === 'true'
			&& outcome(() => S.verifyInclusionLegacy(p.leaf_hash, { leaf_index: 0, tree_size: 2, path: p.steps[0].path }, p.steps[0].root)) === 'false'
			&& outcome(() => S.verifyInclusionLegacy('sha256:x', p, c.details.merkle_root)) === 'error 22R50');
	}

	// ---- the generator
	const all = G.generate('selftest', 200);
	{
		const again = G.generate('selftest', 25);
		check('gen: deterministic, and a shorter run is a prefix of a longer one',
			G.writeGenerated(again) === G.writeGenerated(all.slice(0, 25)));
		const txs = all;
		const text = G.writeGenerated(txs);
		const lines = text.split('\n');
		check('gen: a JSON array, one transaction per line', lines[0] === '[' && lines[lines.length - 2] === ']'
			&& lines.length === txs.length + 3 && JSON.parse(text).length === txs.length);
		const problems = [];
		const numbers = [];
		const walk = (v) => {
			if (v instanceof JNum)
				numbers.push(v.text);
			else if (Array.isArray(v))
				v.forEach(walk);
			else if (v !== null && typeof v === 'object')
				Object.values(v).forEach(walk);
		};
		const cps = (s) => [...s].length;
		const txids = new Set();
		for (const tx of txs) {
			walk(tx);
			const where = tx.transaction_id;
			if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,125}$/.test(tx.transaction_id) || txids.has(tx.transaction_id))
				problems.push(`${where}: transaction id`);
			txids.add(tx.transaction_id);
			if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(tx.timestamp)
				|| tx.transaction_id.length + tx.timestamp.length > 146)
				problems.push(`${where}: timestamp`);
			if (typeof tx.foray_core.entity !== 'string' || typeof tx.foray_core.transaction_type !== 'string')
				problems.push(`${where}: foray_core`);
			const stringArrays = [tx.foray_core.compliance_flags || []].concat(tx.attestations.map((a) => a.foray_core.attestor_credentials));
			if (stringArrays.some((arr) => arr.some((x) => typeof x !== 'string' || x === '')))
				problems.push(`${where}: an array of strings holds an empty string`);
			const ids = new Map(tx.components.map((c) => [c.id, c.type]));
			const attIds = tx.attestations.map((a) => a.id);
			for (const c of tx.components) {
				if (!c.id.startsWith(c.type + '_') || cps(c.id) < 5 || cps(c.id) > 200)
					problems.push(`${where}: id ${c.id}`);
				const allowed = { ARR: [], ACC: ['arrangement_refs'], ANT: ['arrangement_refs', 'accrual_refs'],
					ACT: ['arrangement_refs', 'accrual_refs', 'anticipation_refs'] }[c.type];
				const target = { arrangement_refs: 'ARR', accrual_refs: 'ACC', anticipation_refs: 'ANT' };
				for (const k of Object.keys(target))
					if (k in c.foray_core && (!allowed.includes(k)
						|| c.foray_core[k].some((r) => ids.get(r) !== target[k] || r === c.id)
						|| new Set(c.foray_core[k]).size !== c.foray_core[k].length))
						problems.push(`${where}: ${c.id}.${k}`);
				if (c.audit_data === null)
					problems.push(`${where}: ${c.id} audit_data null`);
			}
			const edges = new Map(tx.attestations.map((a) => [a.id,
				a.foray_core.subject_refs.concat(a.foray_core.dependencies).filter((r) => attIds.includes(r))]));
			const cyclic = (id, stack = []) => stack.includes(id) || edges.get(id).some((r) => cyclic(r, stack.concat([id])));
			for (const a of tx.attestations) {
				const core = a.foray_core;
				if (!a.id.startsWith('ATT_') || cps(a.id) < 5 || cps(a.id) > 200 || core.subject_refs.length === 0
					|| !core.subject_refs.every((r) => ids.has(r) || attIds.includes(r))
					|| !core.dependencies.every((r) => attIds.includes(r)) || cyclic(a.id)
					|| !/^sha256:[0-9a-f]{64}$/.test(core.attestor_hash))
					problems.push(`${where}: attestation ${a.id}`);
			}
		}
		check(`gen: ids, refs, attestations, timestamps and transaction ids follow the substrate's rules (${txs.length} transactions)`,
			problems.length === 0, problems.slice(0, 5).join('; '));
		const changing = numbers.filter((t) => !G.keepsValue(t));
		const spellings = ['-0.0', '1E21', '50.00', '9007199254740992', '5e-324', '0.1'].filter((t) => !numbers.includes(t));
		check(`gen: every number keeps its value as a double (${numbers.length} numbers, ${new Set(numbers).size} spellings)`,
			changing.length === 0 && spellings.length === 0, `changing ${changing.slice(0, 5).join(' ')}; never generated ${spellings.join(' ')}`);
		const sizes = txs.map((t) => t.components.length);
		check('gen: empty, single-member and large transactions, attestations, audit data and anchors all occur',
			sizes.includes(0) && sizes.includes(1) && Math.max(...sizes) >= 100
			&& txs.some((t) => t.attestations.length > 0) && txs.some((t) => t.audit_data_anchor)
			&& txs.some((t) => t.components.some((c) => 'audit_data' in c)));
	}

	// ---- every proof of the generated transactions, both schemes, and every mutation
	// (small and middle-sized ones: the large ones cost time, not coverage)
	const txs = all.filter((t) => t.components.length <= 40).slice(0, 24);
	let proofs = 0;
	let mutationCount = 0;
	const byExpect = {};
	const mismatches = [];
	let insertOrder = true;
	for (const scheme of [2, 1])
		for (const tx0 of txs) {
			const tx = plain(parseExact(writeJSON(Object.assign({}, tx0, { commitment_scheme: scheme }))));
			const c = S.commit(tx);
			const reversed = Object.assign({}, tx, { components: tx.components.slice().reverse(), attestations: tx.attestations.slice().reverse() });
			if (S.canonicalText(S.commit(reversed).details) !== S.canonicalText(c.details))
				insertOrder = false;
			for (const m of c.tx.members) {
				const p = parseExact(writeJSON(S.proofFrom(c, m.id)));
				proofs++;
				const honest = outcome(() => S.verifyInclusion(p, c.details.merkle_root));
				const legacy = outcome(() => S.verifyInclusionLegacy(p.leaf_hash, p, c.details.merkle_root));
				if (honest !== 'true' || legacy !== 'true')
					mismatches.push(`scheme ${scheme} ${tx.transaction_id} ${m.id}: honest proof gives ${honest}, legacy ${legacy}`);
				for (const mu of M.mutations(p)) {
					mutationCount++;
					const got = outcome(() => S.verifyInclusion(parseExact(writeJSON(mu.proof)), c.details.merkle_root)).replace(/ 22R51$/, '');
					byExpect[`scheme ${scheme} ${mu.expect}`] = (byExpect[`scheme ${scheme} ${mu.expect}`] || 0) + 1;
					if (got !== mu.expect)
						mismatches.push(`scheme ${scheme} ${tx.transaction_id} ${m.id}: ${mu.mutation}: verify gives ${got}, mutate expects ${mu.expect}`);
				}
			}
		}
	check('details do not depend on the order of components and attestations in the input', insertOrder);
	check(`every honest proof verifies (2- and 3-argument forms) and every mutation gives what mutate expects: ${proofs} proofs, `
		+ `${mutationCount} mutations (${Object.entries(byExpect).map(([k, n]) => `${k}: ${n}`).join(', ')})`,
	mismatches.length === 0 && mutationCount > 100 * proofs, mismatches.slice(0, 10).join('\n#   '));

	// ---- check-vectors: on vectors that must pass, and on vectors with one thing wrong each
	{
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foray-vectors-'));
		const vecs = txs.slice(0, 6).map((tx0) => {
			const tx = plain(parseExact(writeJSON(tx0)));
			const c = S.commit(tx);
			const proofsById = {};
			const negative = [];
			for (const m of c.tx.members) {
				const p = S.proofFrom(c, m.id);
				proofsById[m.id] = p;
				for (const mu of M.mutations(p).filter((x, i) => i % 25 === 0))
					negative.push({ subject_id: m.id, mutation: mu.mutation, why: mu.why, proof: mu.proof, root: c.details.merkle_root,
						expect: mu.expect === 'error' ? 'error 22R51' : mu.expect });
				negative.push({ subject_id: m.id, mutation: 'trusted root in upper case', why: 'a root that is not a hash', proof: p,
					root: c.details.merkle_root.toUpperCase(), expect: 'error 22R50' });
			}
			return { input: tx0, details: c.details, proofs: proofsById, negative };
		});
		const write = (doc) => fs.writeFileSync(path.join(dir, 'v.json'), writeJSON(doc));
		const quiet = [];
		write({ description: 'selftest', transactions: vecs });
		const good = V.checkVectors(dir, (l) => quiet.push(l));
		const summary = quiet[quiet.length - 1];
		check(`check-vectors passes on correct vectors (${summary})`, good, quiet.filter((l) => l.startsWith('not ok')).slice(0, 3).join('; '));
		const withMember = vecs.findIndex((v) => Object.keys(v.proofs).length > 1);
		const corruptions = [
			['a details entry', (d) => { d.transactions[withMember].details.members[0].entry += '00'; }],
			['a tree size', (d) => { d.transactions[withMember].details.trees[0].size += 1; }],
			['the envelope text', (d) => { d.transactions[0].details.envelope_text += ' '; }],
			['a proof path', (d) => { const p = Object.values(d.transactions[withMember].proofs)[0]; p.steps[1].path.reverse(); }],
			['a missing proof', (d) => { const k = Object.keys(d.transactions[withMember].proofs)[0]; delete d.transactions[withMember].proofs[k]; }],
			['a negative case expecting true', (d) => { d.transactions[withMember].negative.find((n) => n.expect === 'false').expect = 'true'; }],
			['a negative case expecting false instead of an error', (d) => { d.transactions[withMember].negative.find((n) => n.expect === 'error 22R51').expect = 'false'; }],
			['an unknown key', (d) => { d.transactions[0].expected = {}; }],
		];
		for (const [what, corrupt] of corruptions) {
			const doc = parseExact(writeJSON({ transactions: vecs }));
			corrupt(doc);
			write(doc);
			const lines = [];
			check(`check-vectors fails on ${what}`, !V.checkVectors(dir, (l) => lines.push(l)));
		}
		fs.rmSync(dir, { recursive: true });
	}

	print(`${passed} passed, ${failed} failed`);
	return failed === 0;
}

module.exports = { run };
