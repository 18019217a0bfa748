// Tampered proofs and what docs/merkle.md says each must give.
//
// mutations(proof) -> [{mutation, why, proof, expect}], expect one of
//   "error"  the proof is malformed (rule 1): verify_inclusion raises 22R51;
//   "false"  well-formed, but the labels or hashes do not check (rules 2-5);
//   "true"   a change the verdict does not depend on (key order; in scheme 1
//            the fields that scheme does not bind).
// The expectation is derived here from the rules, not by running the
// verifier, so the two can be checked against each other.
'use strict';
const { JNum, writeJSON, clone } = require('./json');
const S = require('./scheme');

const TREE_NAMES = ['arrangements', 'accruals', 'anticipations', 'actions', 'attestations', 'audit_data', 'merkle_root'];
const TYPES = ['ARR', 'ACC', 'ANT', 'ACT', 'ATT'];
const TWO63 = 1n << 63n;

// Variants of a well-formed hash.  "false" ones stay well-formed.
function hashVariants(h, malformedKinds) {
	const hex = h.slice(7);
	const other = (c) => (c === '0' ? '1' : '0');
	const out = [];
	const wellFormed = {
		'last hex digit changed': 'sha256:' + hex.slice(0, 63) + other(hex[63]),
		'first hex digit changed': 'sha256:' + other(hex[0]) + hex.slice(1),
		'all zero': 'sha256:' + '0'.repeat(64),
		'the empty tree hash': 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
	};
	const bad = {
		'upper-case hex': 'sha256:' + hex.toUpperCase(),
		'no "sha256:" prefix': hex,
		'"SHA256:" prefix': 'SHA256:' + hex,
		'63 hex digits': 'sha256:' + hex.slice(0, 63),
		'65 hex digits': 'sha256:' + hex + '0',
		'a non-hex digit': 'sha256:' + hex.slice(0, 10) + 'g' + hex.slice(11),
		'surrounding space': ' ' + h,
	};
	for (const k of malformedKinds.wellFormed)
		out.push([k, wellFormed[k], 'false']);
	for (const k of malformedKinds.bad)
		out.push([k, bad[k], 'error']);
	return out;
}

// The order of left/right combinations an audit path of (index, size) is
// folded with, from the recursive definition of RFC 9162 §2.1.3.1 (a
// second derivation, independent of the fn/sn loop of the verifier).
// 'R': the sibling is on the right.  null when index >= size.
function pathShape(index, size) {
	if (index < 0n || index >= size)
		return null;
	const shape = [];
	let m = index;
	let n = size;
	const levels = [];
	while (n > 1n) {
		let k = 1n;
		while (k * 2n < n)
			k *= 2n;
		if (m < k) {
			levels.push('R');
			n = k;
		} else {
			levels.push('L');
			m -= k;
			n -= k;
		}
	}
	// levels run root-first; a path runs leaf-first
	for (let i = levels.length - 1; i >= 0; i--)
		shape.push(levels[i]);
	return shape;
}
function foldByShape(leaf, shape, path) {
	if (shape === null || shape.length !== path.length)
		return null;
	let r = leaf;
	shape.forEach((d, i) => {
		r = d === 'R' ? S.nodeHash(r, path[i]) : S.nodeHash(path[i], r);
	});
	return r;
}

function sortedText(v) {
	if (Array.isArray(v))
		return '[' + v.map(sortedText).join(',') + ']';
	if (v !== null && typeof v === 'object' && !(v instanceof JNum))
		return '{' + Object.keys(v).sort().map((k) => JSON.stringify(k) + ':' + sortedText(v[k])).join(',') + '}';
	return writeJSON(v);
}

// A mutation is a list of edits, so that the same change can be replayed
// elsewhere (test/suites/47_commitment_xcheck.sh applies them in SQL to the
// server's own proof rather than shipping every tampered proof):
//   ["set", path, value]     set a key or an array element (a key may be new)
//   ["delete", path]         remove a key or an array element
//   ["insert", path, value]  insert into an array before the element at path
//   ["append", path, value]  append to the array at path
//   ["reorder", path]        reverse the key order of the object at path
//                            (no change to the JSON value)
const set = (path, v) => ['set', path, v];
const del = (path) => ['delete', path];
const ins = (path, v) => ['insert', path, v];
const app = (path, v) => ['append', path, v];

function walk(doc, path) {
	let o = doc;
	for (const k of path)
		o = o[k];
	return o;
}
function applyEdits(proof, ops) {
	const p = clone(proof);
	let root = p;
	for (const [op, path, v] of ops) {
		const parent = walk(root, path.slice(0, -1));
		const k = path[path.length - 1];
		switch (op) {
		case 'set':
			if (Array.isArray(parent) && !(k >= 0 && k < parent.length))
				throw new Error('set: no such element');
			parent[k] = clone(v);
			break;
		case 'delete':
			if (Array.isArray(parent))
				parent.splice(k, 1);
			else
				delete parent[k];
			break;
		case 'insert':
			parent.splice(k, 0, clone(v));
			break;
		case 'append':
			walk(root, path).push(clone(v));
			break;
		case 'reorder': {
			const o = walk(root, path);
			const r = {};
			for (const key of Object.keys(o).reverse())
				r[key] = o[key];
			if (path.length === 0)
				root = r;
			else
				parent[k] = r;
			break;
		}
		default:
			throw new Error('unknown edit ' + op);
		}
	}
	return root;
}

function mutations(proof) {
	const scheme = Number(S.integerOf(proof.commitment_scheme));
	if (scheme !== 1 && scheme !== 2)
		throw new Error('mutate: the proof is not a scheme 1 or scheme 2 proof');
	S.verifyInclusion(proof, proof.merkle_root);	// throws when malformed
	const s1 = scheme === 1;
	const original = sortedText(proof);
	const out = [];
	const seen = new Set();
	const texts = new Set();
	const add = (mutation, why, expect, ops) => {
		const p = applyEdits(proof, ops);
		const text = sortedText(p);
		if (expect !== 'true' && (text === original || texts.has(text)))
			return;	// no change at all (swapping two equal path elements), or one listed already
		if (seen.has(mutation))
			throw new Error('mutate: two mutations named ' + mutation);
		seen.add(mutation);
		texts.add(text);
		out.push({ mutation, why, proof: p, expect, ops });
	};
	const steps = proof.steps;

	// ---- benign: JSON objects are unordered
	add('key order of the proof reversed', 'an object\'s members are unordered', 'true', [['reorder', []]]);
	add('key order of every step reversed', 'an object\'s members are unordered', 'true',
		[['reorder', ['steps', 0]], ['reorder', ['steps', 1]]]);

	// ---- rule 1: keys
	for (const k of S.PROOF_KEYS)
		add(`key "${k}" removed`, 'rule 1: exactly the keys of a proof', 'error', [del([k])]);
	add('extra key "verified" added', 'rule 1: exactly the keys of a proof', 'error', [set(['verified'], true)]);
	steps.forEach((s, i) => {
		for (const k of S.STEP_KEYS)
			add(`steps[${i}]: key "${k}" removed`, 'rule 1: exactly the keys of a step', 'error', [del(['steps', i, k])]);
		add(`steps[${i}]: extra key "leaf_hash" added`, 'rule 1: exactly the keys of a step', 'error',
			[set(['steps', i, 'leaf_hash'], proof.leaf_hash)]);
	});

	// ---- steps as a whole
	add('steps: empty array', 'rule 1: exactly two steps', 'error', [set(['steps'], [])]);
	add('steps: only the first', 'rule 1: exactly two steps', 'error', [del(['steps', 1])]);
	add('steps: the second repeated as a third', 'rule 1: exactly two steps', 'error', [app(['steps'], steps[1])]);
	add('steps: an object instead of an array', 'rule 1: steps is an array', 'error', [set(['steps'], steps[0])]);
	add('steps: the two swapped', 'rule 2: steps[0].tree is the proof\'s tree', 'false',
		[set(['steps', 0], steps[1]), set(['steps', 1], steps[0])]);
	add('steps: the first replaced by the second', 'rule 2: steps[0].tree is the proof\'s tree', 'false',
		[set(['steps', 0], steps[1])]);

	// ---- commitment_scheme
	add(`commitment_scheme ${scheme} -> ${3 - scheme}`,
		`rule 3: the scheme-${3 - scheme} leaf of these fields is not leaf_hash`, 'false', [set(['commitment_scheme'], 3 - scheme)]);
	for (const v of [0, 3, -1, new JNum('2.5'), '2', null])
		add(`commitment_scheme ${scheme} -> ${writeJSON(v)}`, 'rule 1: commitment_scheme is 1 or 2', 'error',
			[set(['commitment_scheme'], v)]);

	// ---- transaction_id, subject_id: bound by the scheme-2 leaf only
	const unbound = (field) => (s1
		? [`scheme 1 does not bind ${field}`, 'true']
		: [`rule 3: the leaf binds ${field}`, 'false']);
	const txVariants = {
		'one character appended': proof.transaction_id + 'X',
		'the empty string': '',
		'upper-cased': proof.transaction_id.toUpperCase() === proof.transaction_id
			? proof.transaction_id.toLowerCase() : proof.transaction_id.toUpperCase(),
		'last character removed': proof.transaction_id.slice(0, -1),
	};
	for (const [what, v] of Object.entries(txVariants))
		add(`transaction_id ${what}`, ...unbound('the transaction id'), [set(['transaction_id'], v)]);
	const id = proof.subject_id;
	const subjVariants = {
		'one character appended': id + '0',
		'last character changed': [...id].slice(0, -1).join('') + ([...id].slice(-1)[0] === 'X' ? 'Y' : 'X'),
		'another type\'s prefix': (proof.component_type === 'ARR' ? 'ACT' : 'ARR') + id.slice(3),
		'the empty string': '',
		'upper-cased': id.toUpperCase() === id ? id.toLowerCase() : id.toUpperCase(),
	};
	for (const [what, v] of Object.entries(subjVariants))
		add(`subject_id ${what}`, ...unbound('the subject id'), [set(['subject_id'], v)]);

	// ---- component_type, tree (rule 2), and consistent relabelling
	for (const t of TYPES.concat(['act', 'XYZ', '']))
		if (t !== proof.component_type)
			add(`component_type ${proof.component_type} -> ${JSON.stringify(t)}`,
				'rule 2: tree is the tree of component_type', 'false', [set(['component_type'], t)]);
	for (const t of TREE_NAMES.concat(['Actions', 'foo']))
		if (t !== proof.tree)
			add(`tree ${proof.tree} -> ${t}`, 'rule 2: tree is the tree of component_type', 'false', [set(['tree'], t)]);
	for (const t of TYPES)
		if (t !== proof.component_type) {
			const tree = S.TREE_OF_TYPE[t];
			// scheme 1: the same leaf and tree root, placed at another top-tree
			// position; it checks only if the path gives the root from there
			// too (equal sibling hashes)
			let expect = 'false';
			if (s1) {
				const r = foldByShape(S.leafHash(S.rawHash(proof.steps[0].root)),
					pathShape(BigInt(S.TOP_POSITION[tree]), BigInt(S.TOP_SIZE)), proof.steps[1].path.map(S.rawHash));
				expect = r !== null && r.equals(S.rawHash(proof.merkle_root)) ? 'true' : 'false';
			}
			add(`relabelled as ${t}: component_type, tree, steps[0].tree and steps[1].leaf_index all changed`,
				s1 ? 'rule 5: the top-tree path does not lead from that position' : 'rule 3: the leaf binds the type',
				expect, [set(['component_type'], t), set(['tree'], tree), set(['steps', 0, 'tree'], tree),
					set(['steps', 1, 'leaf_index'], S.TOP_POSITION[tree])]);
		}
	// an attacker who recomputes leaf_hash for another subject id
	const forged = id + '_FORGED';
	add('subject_id changed and leaf_hash recomputed for it',
		s1 ? 'scheme 1 does not bind the subject id' : 'rule 4: the forged leaf is not in the tree',
		s1 ? 'true' : 'false', [set(['subject_id'], forged)].concat(s1 ? [] : [set(['leaf_hash'],
			S.shaText(S.leafHash(S.memberEntry(proof.transaction_id, proof.component_type, forged, S.rawHash(proof.component_hash))))) ]));

	// ---- hashes
	const hashFields = [
		['component_hash', { wellFormed: ['last hex digit changed', 'first hex digit changed', 'all zero'], bad: ['upper-case hex', 'a non-hex digit'] }],
		['leaf_hash', { wellFormed: ['last hex digit changed', 'the empty tree hash'], bad: ['no "sha256:" prefix', '"SHA256:" prefix'] }],
		['merkle_root', { wellFormed: ['last hex digit changed', 'first hex digit changed'], bad: ['63 hex digits', '65 hex digits', 'surrounding space'] }],
	];
	const hashWhy = {
		component_hash: 'rule 3: the leaf is computed from component_hash',
		leaf_hash: 'rule 3: leaf_hash must be the leaf computed from the proof\'s fields',
		merkle_root: 'rule 5: merkle_root must be the top tree\'s root and the trusted root',
	};
	for (const [field, kinds] of hashFields)
		for (const [what, v, expect] of hashVariants(proof[field], kinds))
			add(`${field} ${what}`, expect === 'error' ? 'rule 1: every hash is sha256: + 64 lower-case hex' : hashWhy[field],
				expect, [set([field], v)]);
	add('leaf_hash replaced by the component hash', 'rule 3: the leaf is computed, never taken from the proof', 'false',
		[set(['leaf_hash'], proof.component_hash)]);
	add('merkle_root replaced by steps[0].root', 'rule 5: merkle_root is the top tree\'s root', 'false',
		[set(['merkle_root'], steps[0].root)]);

	// ---- each step
	steps.forEach((s, i) => {
		const w = `steps[${i}]`;
		const index = S.integerOf(s.leaf_index);
		const size = S.integerOf(s.tree_size);
		const path = s.path.map(S.rawHash);
		// in scheme 1 the first step's index and size are bound only through
		// the path they give: the root is the same when the shape is
		const shapeExpect = (newIndex, newSize) => {
			if (!s1 || i !== 0)
				return 'false';
			const leaf = S.rawHash(proof.leaf_hash);
			const r = foldByShape(leaf, pathShape(newIndex, newSize), path);
			return r !== null && r.equals(S.rawHash(s.root)) ? 'true' : 'false';
		};
		const rule = i === 0
			? (s1 ? 'rule 4: the path does not give the root from there' : 'rules 4-5: the index and size are bound')
			: 'rule 2: the top-tree position and size are fixed';

		for (const t of TREE_NAMES.concat(['foo']))
			if (t !== s.tree)
				add(`${w}.tree ${s.tree} -> ${t}`, 'rule 2: the steps\' trees are fixed by the proof\'s tree', 'false',
					[set(['steps', i, 'tree'], t)]);

		// leaf_index and tree_size: neighbours, bounds, and values out of range or not integers
		const numeric = [
			['leaf_index', index, [index + 1n, index - 1n, 0n, size, size - 1n, S.MAX_INDEX, -1n, TWO63, 1n << 64n],
				(v) => shapeExpect(v, size), [new JNum(`${index}.5`), String(index)]],
			['tree_size', size, [size + 1n, size - 1n, 0n, 1n, index, size * 2n, S.MAX_INDEX, -1n, TWO63],
				(v) => shapeExpect(index, v), [new JNum(`${size}.25`)]],
		];
		for (const [key, current, values, expectOf, notIntegers] of numeric) {
			for (const v of new Set(values)) {
				if (v === current)
					continue;
				const bad = v < 0n || v > S.MAX_INDEX;
				add(`${w}.${key} ${current} -> ${v}`, bad ? `rule 1: ${key} is an integer from 0 to 2^63-1` : rule,
					bad ? 'error' : expectOf(v), [set(['steps', i, key], v)]);
			}
			for (const v of notIntegers)
				add(`${w}.${key} ${current} -> ${writeJSON(v)}`, `rule 1: ${key} is an integer`, 'error', [set(['steps', i, key], v)]);
		}

		// the path
		const P = ['steps', i, 'path'];
		const other = (h) => 'sha256:' + h.slice(7, 70) + (h[70] === '0' ? '1' : '0');
		s.path.forEach((h, j) => {
			add(`${w}.path[${j}] changed`, 'rule 4/5: the path no longer gives the root', 'false', [set(P.concat([j]), other(h))]);
			add(`${w}.path[${j}] removed`, 'rule 4/5: the path is exactly as long as the algorithm consumes', 'false',
				[del(P.concat([j]))]);
			add(`${w}.path[${j}] duplicated`, 'rule 4/5: the path is exactly as long as the algorithm consumes', 'false',
				[ins(P.concat([j]), h)]);
			if (j + 1 < s.path.length)
				add(`${w}.path[${j}] and [${j + 1}] swapped`, 'rule 4/5: the path no longer gives the root', 'false',
					[set(P.concat([j]), s.path[j + 1]), set(P.concat([j + 1]), h)]);
		});
		add(`${w}.path: a hash appended`, 'rule 4/5: the path is exactly as long as the algorithm consumes', 'false',
			[app(P, proof.leaf_hash)]);
		if (s.path.length > 0) {
			add(`${w}.path: a hash prepended`, 'rule 4/5: the path no longer gives the root', 'false',
				[ins(P.concat([0]), proof.component_hash)]);
			add(`${w}.path emptied`, 'rule 4/5: the path is exactly as long as the algorithm consumes', 'false', [set(P, [])]);
			add(`${w}.path[0] in upper-case hex`, 'rule 1: every hash is sha256: + 64 lower-case hex', 'error',
				[set(P.concat([0]), 'sha256:' + s.path[0].slice(7).toUpperCase())]);
			add(`${w}.path: a hash instead of an array`, 'rule 1: a path is an array of hashes', 'error', [set(P, s.path[0])]);
		}
		add(`${w}.path: a number in it`, 'rule 1: a path is an array of hashes', 'error', [app(P, 1)]);

		// the step's root
		for (const [what, v, expect] of hashVariants(s.root, {
			wellFormed: ['last hex digit changed', 'all zero'], bad: i === 0 ? ['upper-case hex', '65 hex digits'] : ['a non-hex digit', 'no "sha256:" prefix'],
		}))
			add(`${w}.root ${what}`, expect === 'error' ? 'rule 1: every hash is sha256: + 64 lower-case hex'
				: `rule ${i === 0 ? 4 : 5}: the step's root is what its path gives`, expect, [set(['steps', i, 'root'], v)]);
		add(`${w}: not an object`, 'rule 1: a step is an object', 'error', [set(['steps', i], [s.tree])]);
	});
	return out;
}

module.exports = { mutations, applyEdits, pathShape, foldByShape, sortedText };
