// check-vectors: every expected value of a vector file recomputed from its
// input, every proof checked, every negative case verified.  The format is
// described in test/vectors/commitment/README.md.
'use strict';
const fs = require('fs');
const path = require('path');
const { parseExact, plain } = require('./json');
const S = require('./scheme');

// Where two JSON values differ: ["$.members[3].entry: mine \"…\", expected \"…\"", …]
function differences(mine, expected, where = '$', out = []) {
	if (out.length >= 8)
		return out;
	const kind = (v) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);
	if (kind(mine) !== kind(expected)) {
		out.push(`${where}: mine ${JSON.stringify(mine)}, expected ${JSON.stringify(expected)}`);
	} else if (Array.isArray(mine)) {
		if (mine.length !== expected.length)
			out.push(`${where}: mine has ${mine.length} elements, expected ${expected.length}`);
		for (let i = 0; i < Math.min(mine.length, expected.length); i++)
			differences(mine[i], expected[i], `${where}[${i}]`, out);
	} else if (kind(mine) === 'object') {
		for (const k of new Set(Object.keys(mine).concat(Object.keys(expected)))) {
			const w = `${where}.${/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : JSON.stringify(k)}`;
			if (!Object.hasOwn(expected, k))
				out.push(`${w}: mine ${JSON.stringify(mine[k])}, expected has no such key`);
			else if (!Object.hasOwn(mine, k))
				out.push(`${w}: mine has no such key, expected ${JSON.stringify(expected[k])}`);
			else
				differences(mine[k], expected[k], w, out);
		}
	} else if (S.canonicalText(mine) !== S.canonicalText(expected)) {
		out.push(`${where}: mine ${JSON.stringify(mine)}, expected ${JSON.stringify(expected)}`);
	}
	return out;
}

function sameJSON(mine, expected) {
	return S.canonicalText(plain(mine)) === S.canonicalText(plain(expected));
}

const VECTOR_KEYS = ['input', 'details', 'proofs', 'negative', 'hashes', 'anchor_envelope_text', 'anchor_envelope_sha256', 'comment'];
const NEGATIVE_KEYS = ['subject_id', 'mutation', 'why', 'proof', 'root', 'expect'];
const EXPECTS = ['true', 'false', 'error 22R51', 'error 22R50'];

function outcome(proof, root) {
	try {
		return S.verifyInclusion(proof, root) ? 'true' : 'false';
	} catch (e) {
		if (e instanceof S.ProofError)
			return `error ${e.sqlstate}`;
		throw e;
	}
}

// Checks one transaction vector; calls check(name, ok, detail) per check.
function checkTransaction(v, label, check) {
	const bad = Object.keys(v).filter((k) => !VECTOR_KEYS.includes(k));
	if (bad.length || !S.isObject(v.input) || !S.isObject(v.details) || !S.isObject(v.proofs)) {
		check(`${label}: vector format`, false,
			bad.length ? `unknown keys ${bad.join(', ')}` : 'needs "input", "details" and "proofs" objects');
		return;
	}
	const input = plain(v.input);
	const txid = typeof input.transaction_id === 'string' ? input.transaction_id : '?';
	const name = `${label} ${JSON.stringify(txid)}`;
	let c;
	try {
		c = S.commit(input);
	} catch (e) {
		check(`${name}: input`, false, e.message);
		return;
	}
	const diffs = differences(c.details, plain(v.details));
	check(`${name}: commitment_details`, diffs.length === 0, diffs.join('\n#   '));
	if (v.hashes !== undefined) {
		const d = differences(c.hashes, plain(v.hashes));
		check(`${name}: transaction_hashes`, d.length === 0, d.join('\n#   '));
	}
	if (v.anchor_envelope_text !== undefined)
		check(`${name}: anchor_envelope_text`, v.anchor_envelope_text === c.details.envelope_text,
			`mine ${JSON.stringify(c.details.envelope_text)}, expected ${JSON.stringify(v.anchor_envelope_text)}`);
	if (v.anchor_envelope_sha256 !== undefined)
		check(`${name}: anchor_envelope_sha256`, v.anchor_envelope_sha256 === c.details.envelope_sha256,
			`mine ${c.details.envelope_sha256}, expected ${v.anchor_envelope_sha256}`);

	const root = c.details.merkle_root;
	const members = c.tx.members.map((m) => m.id);
	const given = Object.keys(v.proofs);
	const missing = members.filter((id) => !given.includes(id));
	const extra = given.filter((id) => !members.includes(id));
	check(`${name}: a proof for every member (${members.length})`, missing.length === 0 && extra.length === 0,
		`missing ${JSON.stringify(missing)}, not members ${JSON.stringify(extra)}`);
	for (const id of given) {
		if (!members.includes(id))
			continue;
		const mine = S.proofFrom(c, id);
		const d = differences(mine, plain(v.proofs[id]));
		let verified;
		try {
			verified = S.verifyInclusion(v.proofs[id], root);
		} catch (e) {
			if (!(e instanceof S.ProofError))
				throw e;
			verified = `error ${e.sqlstate} ${e.reason}`;
		}
		check(`${name}: proof ${JSON.stringify(id)}`, d.length === 0 && verified === true,
			d.concat(verified === true ? [] : [`verify_inclusion(proof, ${root}) gives ${verified}`]).join('\n#   '));
	}
	(v.negative || []).forEach((n, i) => {
		const what = `${name}: negative ${i} (${n && n.mutation})`;
		const keys = S.isObject(n) ? Object.keys(n) : [];
		if (!S.isObject(n) || keys.length !== NEGATIVE_KEYS.length || !NEGATIVE_KEYS.every((k) => keys.includes(k))
			|| !EXPECTS.includes(n.expect) || !members.includes(n.subject_id)) {
			check(what, false, `a negative case is {${NEGATIVE_KEYS.join(', ')}}, expect one of ${EXPECTS.join(' | ')}, subject_id a member`);
			return;
		}
		const got = outcome(n.proof, n.root);
		check(what, got === n.expect, `verify_inclusion gives ${got}, expected ${n.expect} (${n.why})`);
		if (n.expect !== 'true' && n.expect !== 'error 22R50' && sameJSON(n.proof, S.proofFrom(c, n.subject_id)) && n.root === root)
			check(`${what}: differs from the honest proof`, false, 'the "tampered" proof and root are the honest ones');
	});
}

function checkVectors(dir, print) {
	let passed = 0;
	let failed = 0;
	let n = 0;
	const check = (name, ok, detail) => {
		n++;
		if (ok) {
			passed++;
			print(`ok ${n} - ${name}`);
		} else {
			failed++;
			print(`not ok ${n} - ${name}`);
			if (detail)
				print(`#   ${detail}`);
		}
	};
	const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
	for (const f of files) {
		let doc;
		try {
			doc = parseExact(fs.readFileSync(path.join(dir, f), 'utf8'));
		} catch (e) {
			check(`${f}: readable JSON`, false, e.message);
			continue;
		}
		if (!S.isObject(doc) || !Array.isArray(doc.transactions)
			|| Object.keys(doc).some((k) => !['transactions', 'description', 'format'].includes(k))) {
			check(`${f}: vector file format`, false, 'a vector file is {"description"?, "format"?, "transactions": [...]}');
			continue;
		}
		doc.transactions.forEach((v, i) => {
			if (!S.isObject(v))
				check(`${f}[${i}]: vector format`, false, 'a transaction vector is an object');
			else
				checkTransaction(v, `${f}[${i}]`, check);
		});
	}
	print(`${passed} passed, ${failed} failed`);
	return failed === 0 && passed > 0;
}

module.exports = { checkVectors, checkTransaction, differences };
