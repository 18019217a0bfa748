// The commitment schemes of docs/merkle.md, written from that page alone:
// entries, RFC 9162 trees, foray.commitment_details(tx),
// foray.inclusion_proof(tx, id), foray.verify_inclusion(proof, root) (and the
// 3-argument legacy form), the anchor envelope.  Canonical JSON (RFC 8785,
// docs/hashing.md) is the npm package `canonicalize` by the RFC's author.
'use strict';
const crypto = require('crypto');
const canonicalize = require('canonicalize');
const { JNum } = require('./json');

// ---------------------------------------------------------------- hashing

const H = (...parts) => {
	const h = crypto.createHash('sha256');
	for (const p of parts)
		h.update(p);
	return h.digest();
};
const EMPTY = Buffer.alloc(0);
const HASH_RE = /^sha256:[0-9a-f]{64}$/;
const shaText = (digest) => 'sha256:' + digest.toString('hex');
const rawHash = (text) => Buffer.from(text.slice(7), 'hex');

function canonicalText(v) {
	const t = canonicalize(v);
	if (typeof t !== 'string')
		throw new Error('a value that has no JSON form');
	return t;
}
// hash(v) = H(C(v)), as raw bytes
const hashValue = (v) => H(Buffer.from(canonicalText(v), 'utf8'));

// ---------------------------------------------------------------- trees
// RFC 9162 §2.1.1, written recursively as the RFC defines it.

const LEAF = Buffer.from([0x00]);
const NODE = Buffer.from([0x01]);
const leafHash = (entry) => H(LEAF, entry);
const nodeHash = (left, right) => H(NODE, left, right);

function largestPow2Below(n) {	// n >= 2
	let k = 1;
	while (k * 2 < n)
		k *= 2;
	return k;
}

// MTH of the entries whose leaf hashes are given.
function mth(leaves) {
	if (leaves.length === 0)
		return H(EMPTY);
	if (leaves.length === 1)
		return leaves[0];
	const k = largestPow2Below(leaves.length);
	return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

// RFC 9162 §2.1.3.1 PATH(m, D[n]): nearest sibling first.
function auditPath(m, leaves) {
	const n = leaves.length;
	if (n <= 1)
		return [];
	const k = largestPow2Below(n);
	if (m < k)
		return auditPath(m, leaves.slice(0, k)).concat([mth(leaves.slice(k))]);
	return auditPath(m - k, leaves.slice(k)).concat([mth(leaves.slice(0, k))]);
}

// RFC 9162 §2.1.3.2: the root an audit path gives, or null when the index,
// size and path length do not fit together.  Indices are BigInt.
function rootFromPath(leafIndex, treeSize, leaf, path) {
	if (leafIndex >= treeSize)
		return null;
	let fn = leafIndex;
	let sn = treeSize - 1n;
	let r = leaf;
	for (const p of path) {
		if (sn === 0n)
			return null;
		if ((fn & 1n) === 1n || fn === sn) {
			r = nodeHash(p, r);
			while ((fn & 1n) === 0n && fn !== 0n) {
				fn >>= 1n;
				sn >>= 1n;
			}
		} else {
			r = nodeHash(r, p);
		}
		fn >>= 1n;
		sn >>= 1n;
	}
	return sn === 0n ? r : null;
}

// ---------------------------------------------------------------- entries (scheme 2)

function str(s) {
	const b = Buffer.from(s, 'utf8');
	if (b.length > 0xffff)
		throw new RangeError(`a string of ${b.length} UTF-8 bytes cannot be committed (str() holds at most 65535)`);
	const len = Buffer.alloc(2);
	len.writeUInt16BE(b.length);
	return Buffer.concat([len, b]);
}
function u64(n) {
	const b = Buffer.alloc(8);
	b.writeBigUInt64BE(BigInt(n));
	return b;
}
const tag = (letter) => Buffer.from([0x02, letter.charCodeAt(0)]);

const headerEntry = (txid, schemaVersion, timestamp, coreHash) =>
	Buffer.concat([tag('H'), str(txid), str(schemaVersion), str(timestamp), coreHash]);
const memberEntry = (txid, type, id, componentHash) =>
	Buffer.concat([tag('M'), str(txid), str(type), str(id), componentHash]);
const anchorEntry = (txid, anchorHash) => Buffer.concat([tag('A'), str(txid), anchorHash]);
const auditMemberEntry = (txid, type, id, dataHash) =>
	Buffer.concat([tag('D'), str(txid), str(type), str(id), dataHash]);
const treeEntry = (name, size, root) => Buffer.concat([tag('T'), str(name), u64(size), root]);

// ---------------------------------------------------------------- the transaction

const TREES = [
	{ name: 'arrangements', type: 'ARR' },
	{ name: 'accruals', type: 'ACC' },
	{ name: 'anticipations', type: 'ANT' },
	{ name: 'actions', type: 'ACT' },
	{ name: 'attestations', type: 'ATT' },
];
const TREE_OF_TYPE = Object.fromEntries(TREES.map((t) => [t.type, t.name]));
// leaf index of each tree's entry in the top tree
const TOP_POSITION = { arrangements: 1, accruals: 2, anticipations: 3, actions: 4, attestations: 5, audit_data: 6 };
const TOP_SIZE = 7;

const bytewise = (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof JNum);

class InputError extends Error {}

// TX.json -> the rows the substrate would hold.
function readTx(tx) {
	if (!isObject(tx))
		throw new InputError('a transaction is a JSON object');
	if (tx.schema_version === undefined)
		tx = Object.assign({}, tx, { schema_version: '4.1' });	// the column's default
	for (const k of ['transaction_id', 'schema_version', 'timestamp'])
		if (typeof tx[k] !== 'string')
			throw new InputError(`"${k}" must be a string`);
	if (!isObject(tx.foray_core))
		throw new InputError('"foray_core" must be an object');
	const scheme = tx.commitment_scheme === undefined ? 2 : Number(tx.commitment_scheme);
	if (scheme !== 1 && scheme !== 2)
		throw new InputError('"commitment_scheme" must be 1 or 2');
	let anchor = tx.audit_data_anchor;
	if (anchor === null)
		anchor = undefined;
	if (anchor !== undefined && !isObject(anchor))
		throw new InputError('"audit_data_anchor" must be an object (or absent)');
	const members = [];
	const seen = new Set();
	const add = (m, type, where) => {
		if (!isObject(m) || typeof m.id !== 'string')
			throw new InputError(`${where}: a member is an object with a string "id"`);
		if (!TREE_OF_TYPE[type])
			throw new InputError(`${where}: unknown component type ${JSON.stringify(type)}`);
		if (!isObject(m.foray_core))
			throw new InputError(`${where} ${m.id}: "foray_core" must be an object`);
		const key = type + '\u0000' + m.id;
		if (seen.has(key))
			throw new InputError(`${where}: id ${JSON.stringify(m.id)} twice`);
		seen.add(key);
		const audit = m.audit_data === null ? undefined : m.audit_data;
		members.push({ type, id: m.id, core: m.foray_core, audit });
	};
	for (const c of tx.components || [])
		add(c, c && c.type, 'components');
	for (const a of tx.attestations || [])
		add(a, 'ATT', 'attestations');
	return {
		scheme, id: tx.transaction_id, schemaVersion: tx.schema_version, timestamp: tx.timestamp,
		core: tx.foray_core, anchor, members,
	};
}

function anchorWithoutHash(anchor) {
	const o = {};
	for (const k of Object.keys(anchor))
		if (k !== 'audit_data_hash')
			Object.defineProperty(o, k, { value: anchor[k], enumerable: true });
	return o;
}

// The whole computation: the commitment_details object, plus what proofs need.
function commit(txJson) {
	const t = readTx(txJson);
	const s2 = t.scheme === 2;
	const coreHash = hashValue(t.core);

	// members in leaf order: trees in order, ids bytewise
	const trees = TREES.map((tr) => {
		const ms = t.members.filter((m) => m.type === tr.type).sort((a, b) => bytewise(a.id, b.id));
		const rows = ms.map((m) => {
			const ch = hashValue(m.core);
			const entry = s2 ? memberEntry(t.id, m.type, m.id, ch) : ch;
			return { member: m, componentHash: ch, entry, leaf: leafHash(entry) };
		});
		const leaves = rows.map((r) => r.leaf);
		return { name: tr.name, type: tr.type, rows, leaves, root: mth(leaves) };
	});

	// the audit_data tree
	const audit = [];
	if (s2) {
		if (t.anchor !== undefined) {
			const dh = hashValue(anchorWithoutHash(t.anchor));
			audit.push({ kind: 'anchor', dataHash: dh, entry: anchorEntry(t.id, dh) });
		}
		for (const tr of trees)
			for (const r of tr.rows)
				if (r.member.audit !== undefined) {
					const dh = hashValue(r.member.audit);
					audit.push({ kind: 'member', member: r.member, dataHash: dh,
						entry: auditMemberEntry(t.id, r.member.type, r.member.id, dh) });
				}
	} else {
		const dh = t.anchor !== undefined ? hashValue(anchorWithoutHash(t.anchor)) : hashValue(null);
		audit.push({ kind: 'anchor', dataHash: dh, entry: dh });
		for (const tr of trees)
			for (const r of tr.rows) {
				const mdh = hashValue(r.member.audit === undefined ? null : r.member.audit);
				audit.push({ kind: 'member', member: r.member, dataHash: mdh, entry: mdh });
			}
	}
	for (const a of audit)
		a.leaf = leafHash(a.entry);
	const auditLeaves = audit.map((a) => a.leaf);
	const auditRoot = mth(auditLeaves);

	// the top tree
	const treeRows = trees.map((tr) => ({ name: tr.name, size: tr.leaves.length, root: tr.root }))
		.concat([{ name: 'audit_data', size: audit.length, root: auditRoot }]);
	for (const tr of treeRows) {
		tr.entry = s2 ? treeEntry(tr.name, tr.size, tr.root) : tr.root;
		tr.leaf = leafHash(tr.entry);
	}
	const header = s2 ? headerEntry(t.id, t.schemaVersion, t.timestamp, coreHash) : coreHash;
	const topLeaves = [leafHash(header)].concat(treeRows.map((tr) => tr.leaf));
	const merkleRoot = mth(topLeaves);

	const envelope = {
		audit_data_hash: shaText(auditRoot),
		foray_core_hash: shaText(coreHash),
		merkle_root: shaText(merkleRoot),
		schema_version: t.schemaVersion,
		timestamp: t.timestamp,
		transaction_id: t.id,
	};
	if (s2)
		envelope.commitment_scheme = 2;
	const envelopeText = canonicalText(envelope);

	const details = {
		commitment_scheme: t.scheme,
		transaction_id: t.id,
		schema_version: t.schemaVersion,
		timestamp: t.timestamp,
		foray_core_hash: shaText(coreHash),
	};
	if (s2)
		details.header = { entry: header.toString('hex'), leaf_hash: shaText(topLeaves[0]) };
	details.members = [];
	for (const tr of trees)
		for (const r of tr.rows)
			details.members.push({
				type: r.member.type, id: r.member.id, component_hash: shaText(r.componentHash),
				entry: r.entry.toString('hex'), leaf_hash: shaText(r.leaf),
			});
	details.audit = audit.map((a) => {
		const o = { kind: a.kind };
		if (a.kind === 'member') {
			o.type = a.member.type;
			o.id = a.member.id;
		}
		o.data_hash = shaText(a.dataHash);
		o.entry = a.entry.toString('hex');
		o.leaf_hash = shaText(a.leaf);
		return o;
	});
	details.trees = treeRows.map((tr) => ({
		name: tr.name, size: tr.size, root: shaText(tr.root), entry: tr.entry.toString('hex'), leaf_hash: shaText(tr.leaf),
	}));
	details.audit_data_hash = shaText(auditRoot);
	details.merkle_root = shaText(merkleRoot);
	details.envelope = envelope;
	details.envelope_text = envelopeText;
	details.envelope_sha256 = shaText(H(Buffer.from(envelopeText, 'utf8')));

	// foray.transaction_hashes(tx)
	const hashes = {
		component_hashes: Object.fromEntries(trees.map((tr) => [tr.name, shaText(tr.root)])),
		foray_core_hash: shaText(coreHash),
		audit_data_hash: shaText(auditRoot),
		merkle_root: shaText(merkleRoot),
		components: t.members.filter((m) => m.type !== 'ATT').length,
		attestations: t.members.filter((m) => m.type === 'ATT').length,
		commitment_scheme: t.scheme,
	};
	return { tx: t, details, hashes, trees, topLeaves, merkleRoot };
}

class NotFound extends Error {
	constructor(msg) {
		super(msg);
		this.sqlstate = '22R54';
	}
}

// foray.inclusion_proof(tx, id)
function proofFrom(c, id) {
	for (const tr of c.trees) {
		const i = tr.rows.findIndex((r) => r.member.id === id);
		if (i < 0)
			continue;
		const r = tr.rows[i];
		const pos = TOP_POSITION[tr.name];
		return {
			commitment_scheme: c.tx.scheme,
			transaction_id: c.tx.id,
			subject_id: id,
			component_type: tr.type,
			tree: tr.name,
			component_hash: shaText(r.componentHash),
			leaf_hash: shaText(r.leaf),
			steps: [
				{ tree: tr.name, leaf_index: i, tree_size: tr.leaves.length,
					path: auditPath(i, tr.leaves).map(shaText), root: shaText(tr.root) },
				{ tree: 'merkle_root', leaf_index: pos, tree_size: TOP_SIZE,
					path: auditPath(pos, c.topLeaves).map(shaText), root: shaText(c.merkleRoot) },
			],
			merkle_root: shaText(c.merkleRoot),
		};
	}
	throw new NotFound(`no component or attestation ${JSON.stringify(id)} in transaction ${JSON.stringify(c.tx.id)}`);
}

function envelopeBytesExpected(scheme, txid, timestamp) {
	return (scheme === 2 ? 353 : 331) + Buffer.byteLength(txid, 'utf8') + Buffer.byteLength(timestamp, 'utf8');
}

// ---------------------------------------------------------------- verification

class ProofError extends Error {
	constructor(sqlstate, reason) {
		super(reason);
		this.sqlstate = sqlstate;
		this.reason = reason;
	}
}

const PROOF_KEYS = ['commitment_scheme', 'transaction_id', 'subject_id', 'component_type', 'tree',
	'component_hash', 'leaf_hash', 'steps', 'merkle_root'];
const STEP_KEYS = ['tree', 'leaf_index', 'tree_size', 'path', 'root'];
const MAX_INDEX = (1n << 63n) - 1n;

// The exact integer a JSON number denotes (JNum from json.js, a double or a
// BigInt), or null when the value is not a number with an integer value.
function integerOf(v) {
	if (v instanceof JNum)
		return v.integer;
	if (typeof v === 'bigint')
		return v;
	if (typeof v === 'number' && Number.isInteger(v))
		return BigInt(v);
	return null;
}

const malformed = (reason) => new ProofError('22R51', reason);

function exactKeys(obj, keys, where) {
	if (!isObject(obj))
		throw malformed(`${where} is not a JSON object`);
	for (const k of keys)
		if (!Object.hasOwn(obj, k))
			throw malformed(`${where} has no key "${k}"`);
	for (const k of Object.keys(obj))
		if (!keys.includes(k))
			throw malformed(`${where} has an unexpected key ${JSON.stringify(k)}`);
}
function checkHash(v, where) {
	if (typeof v !== 'string' || !HASH_RE.test(v))
		throw malformed(`${where} is not "sha256:" followed by 64 lower-case hex digits`);
}
function checkIndex(v, where) {
	const n = integerOf(v);
	if (n === null || n < 0n || n > MAX_INDEX)
		throw malformed(`${where} is not an integer from 0 to 2^63-1`);
	return n;
}
function checkString(v, where) {
	if (typeof v !== 'string')
		throw malformed(`${where} is not a string`);
}

// Rule 1: the shape.  Returns the proof's numbers as BigInt.
function checkShape(proof) {
	exactKeys(proof, PROOF_KEYS, 'the proof');
	const scheme = integerOf(proof.commitment_scheme);
	if (scheme !== 1n && scheme !== 2n)
		throw malformed('"commitment_scheme" is not 1 or 2');
	for (const k of ['transaction_id', 'subject_id', 'component_type', 'tree'])
		checkString(proof[k], `"${k}"`);
	for (const k of ['component_hash', 'leaf_hash', 'merkle_root'])
		checkHash(proof[k], `"${k}"`);
	if (!Array.isArray(proof.steps) || proof.steps.length !== 2)
		throw malformed('"steps" is not an array of exactly two steps');
	const steps = proof.steps.map((s, i) => {
		const w = `steps[${i}]`;
		exactKeys(s, STEP_KEYS, w);
		checkString(s.tree, `${w}.tree`);
		const leafIndex = checkIndex(s.leaf_index, `${w}.leaf_index`);
		const treeSize = checkIndex(s.tree_size, `${w}.tree_size`);
		if (!Array.isArray(s.path))
			throw malformed(`${w}.path is not an array`);
		s.path.forEach((p, j) => checkHash(p, `${w}.path[${j}]`));
		checkHash(s.root, `${w}.root`);
		return { tree: s.tree, leafIndex, treeSize, path: s.path.map(rawHash), root: rawHash(s.root) };
	});
	return { scheme: Number(scheme), steps };
}

// The leaf the proof's own fields give (rule 3), or null when no leaf can
// be built from them (a string too long for str()).
function leafOfProof(proof, scheme) {
	if (scheme === 1)
		return leafHash(rawHash(proof.component_hash));
	try {
		return leafHash(memberEntry(proof.transaction_id, proof.component_type, proof.subject_id, rawHash(proof.component_hash)));
	} catch (e) {
		if (e instanceof RangeError)
			return null;
		throw e;
	}
}

// foray.verify_inclusion(proof, root): true or false, or throws ProofError.
function verifyInclusion(proof, root) {
	const shape = checkShape(proof);
	if (typeof root !== 'string' || !HASH_RE.test(root))
		throw new ProofError('22R50', 'the trusted root is not "sha256:" followed by 64 lower-case hex digits');
	return verifyChecked(proof, shape, root);
}

function verifyChecked(proof, { scheme, steps }, root) {
	// rule 2: the labels
	const tree = TREE_OF_TYPE[proof.component_type];
	if (tree === undefined || proof.tree !== tree || steps[0].tree !== tree || steps[1].tree !== 'merkle_root'
		|| steps[1].leafIndex !== BigInt(TOP_POSITION[tree]) || steps[1].treeSize !== BigInt(TOP_SIZE))
		return false;
	// rule 3: the leaf
	const leaf = leafOfProof(proof, scheme);
	if (leaf === null || !leaf.equals(rawHash(proof.leaf_hash)))
		return false;
	// rule 4: the member's tree
	const r0 = rootFromPath(steps[0].leafIndex, steps[0].treeSize, leaf, steps[0].path);
	if (r0 === null || !r0.equals(steps[0].root))
		return false;
	// rule 5: the top tree
	let top;
	if (scheme === 2) {
		// tree_size <= 2^63-1 always fits u64
		top = leafHash(treeEntry(tree, steps[0].treeSize, r0));
	} else {
		top = leafHash(r0);
	}
	const r1 = rootFromPath(steps[1].leafIndex, steps[1].treeSize, top, steps[1].path);
	if (r1 === null || !r1.equals(steps[1].root))
		return false;
	const rootBytes = rawHash(root);
	return r1.equals(rawHash(proof.merkle_root)) && r1.equals(rootBytes);
}

// foray.verify_inclusion(leaf_hash, proof, root), the 0.4.0 form.
function verifyInclusionLegacy(leaf, proof, root) {
	const bare = isObject(proof) && Object.keys(proof).every((k) => ['leaf_index', 'tree_size', 'path'].includes(k));
	if (bare) {
		exactKeys(proof, ['leaf_index', 'tree_size', 'path'], 'the proof');
		const leafIndex = checkIndex(proof.leaf_index, '"leaf_index"');
		const treeSize = checkIndex(proof.tree_size, '"tree_size"');
		if (!Array.isArray(proof.path))
			throw malformed('"path" is not an array');
		proof.path.forEach((p, j) => checkHash(p, `path[${j}]`));
		if (typeof leaf !== 'string' || !HASH_RE.test(leaf))
			throw new ProofError('22R50', 'the leaf hash is not "sha256:" followed by 64 lower-case hex digits');
		if (typeof root !== 'string' || !HASH_RE.test(root))
			throw new ProofError('22R50', 'the trusted root is not "sha256:" followed by 64 lower-case hex digits');
		const r = rootFromPath(leafIndex, treeSize, rawHash(leaf), proof.path.map(rawHash));
		return r !== null && r.equals(rawHash(root));
	}
	const shape = checkShape(proof);
	if (typeof leaf !== 'string' || !HASH_RE.test(leaf))
		throw new ProofError('22R50', 'the leaf hash is not "sha256:" followed by 64 lower-case hex digits');
	if (typeof root !== 'string' || !HASH_RE.test(root))
		throw new ProofError('22R50', 'the trusted root is not "sha256:" followed by 64 lower-case hex digits');
	const own = leafOfProof(proof, shape.scheme);
	if (own === null || !own.equals(rawHash(leaf)))
		return false;
	return verifyChecked(proof, shape, root);
}

module.exports = {
	H, shaText, rawHash, HASH_RE, canonicalText, hashValue, leafHash, nodeHash, mth, auditPath, rootFromPath,
	largestPow2Below, str, u64, memberEntry, treeEntry, headerEntry, anchorEntry, auditMemberEntry,
	TREES, TREE_OF_TYPE, TOP_POSITION, TOP_SIZE, PROOF_KEYS, STEP_KEYS, MAX_INDEX,
	commit, proofFrom, readTx, verifyInclusion, verifyInclusionLegacy, envelopeBytesExpected, integerOf,
	bytewise, isObject, InputError, ProofError, NotFound,
};
