#!/usr/bin/env node
// Independent reference of foray.verify_proof_chain(chain, anchored), written
// from docs/log.md ("The whole chain of one transaction") and docs/merkle.md
// alone: a component's proof to its transaction's merkle_root (scheme.js),
// the envelope's RFC 8785 text and its RFC 9162 leaf, the log inclusion proof
// to the checkpoint (RFC 9162 §2.1.3.2), and the checkpoint (or, for a
// transaction anchored alone, the envelope) as the payload on chain.
//
//   node chain.js verify CASES.jsonl
//
// CASES.jsonl: one {"chain": ..., "anchored": "..."} per line.  Prints one
// verdict per line: true, false, or "error 22R6x <reason>" (22R51 and 22R50
// from the component proof's own rules).
'use strict';
const fs = require('fs');
const { parseExact, plain } = require('./json');
const S = require('./scheme');

class ChainError extends Error {
	constructor(sqlstate, reason) {
		super(reason);
		this.sqlstate = sqlstate;
		this.reason = reason;
	}
}
const malformedChain = (reason) => new ChainError('22R66', reason);

const isNull = (v) => v === null;
const isString = (v) => typeof v === 'string';

// a key of the chain: an object (or null when nullOk)
function member(obj, key, kind, nullOk) {
	if (!Object.hasOwn(obj, key))
		throw malformedChain(`${key} is missing`);
	const v = obj[key];
	if (nullOk && isNull(v))
		return null;
	if (kind === 'object' ? !S.isObject(v) : !isString(v))
		throw malformedChain(`${key} is not ${kind === 'object' ? 'an object' : 'a string'}`);
	return v;
}

// C2SP tlog-checkpoint: origin, size, base64 root, then non-empty extension lines
const MAX = (1n << 63n) - 1n;
function parseCheckpoint(text) {
	const bad = (why) => new ChainError('22R61', `checkpoint: ${why}`);
	if (!text.endsWith('\n'))
		throw bad('does not end with a newline');
	const lines = text.slice(0, -1).split('\n');
	if (lines.length < 3)
		throw bad('fewer than three lines');
	const [origin, size, root] = lines;
	if (origin.length === 0)
		throw bad('empty origin');
	if (!/^(0|[1-9][0-9]*)$/.test(size) || BigInt(size) > MAX)
		throw bad('the size is not a decimal integer from 0 to 2^63-1');
	const raw = Buffer.from(root, 'base64');
	if (raw.length !== 32 || raw.toString('base64') !== root)
		throw bad('the root is not the base64 of 32 bytes');
	if (lines.slice(3).some((l) => l.length === 0))
		throw bad('an empty extension line');
	return { origin, size: BigInt(size), root: raw };
}

// docs/log.md: a log inclusion proof against a trusted tree size and root
function verifyLogInclusion(leaf, proof, size, root) {
	const bad = (why) => new ChainError('22R60', `log proof: ${why}`);
	if (!S.isObject(proof))
		throw bad('not an object');
	const count = (key) => {
		if (!Object.hasOwn(proof, key))
			throw bad(`${key} is missing`);
		const n = S.integerOf(proof[key]);
		if (n === null || n < 0n || n > MAX || !/^(0|[1-9][0-9]*)$/.test(proof[key].text ?? String(proof[key])))
			throw bad(`${key} is not an integer from 0 to 2^63-1`);
		return n;
	};
	const index = count('leaf_index');
	const treeSize = count('tree_size');
	if (!Object.hasOwn(proof, 'path') || !Array.isArray(proof.path))
		throw bad('path is not an array');
	if (proof.path.length > 63)
		return false;
	proof.path.forEach((p, i) => {
		if (!isString(p) || !S.HASH_RE.test(p))
			throw bad(`path element ${i + 1} is not a hash`);
	});
	if (treeSize !== size)
		return false;
	const got = S.rootFromPath(index, treeSize, leaf, proof.path.map(S.rawHash));
	return got !== null && got.equals(root);
}

// docs/log.md, verify_proof_chain: the steps in their order, the first that
// fails decides
function verifyChain(chain, anchored) {
	if (!S.isObject(chain))
		throw malformedChain('not a JSON object');
	const component = member(chain, 'component', 'object', false);
	const envelope = member(chain, 'envelope', 'object', false);
	const log = member(chain, 'log', 'object', true);
	const checkpoint = member(chain, 'checkpoint', 'string', true);
	if ((log === null) !== (checkpoint === null))
		throw malformedChain('log and checkpoint are not both null or both given');
	const txid = member(envelope, 'transaction_id', 'string', false);
	const root = member(envelope, 'merkle_root', 'string', false);
	if (member(chain, 'transaction_id', 'string', false) !== txid)
		return false;
	if (component.transaction_id !== txid || !isString(component.subject_id)
		|| component.subject_id !== member(chain, 'subject_id', 'string', false))
		return false;
	if (!S.HASH_RE.test(root))
		return false;
	if (!S.verifyInclusion(component, root))
		return false;
	const text = Buffer.from(S.canonicalText(plain(envelope)), 'utf8');
	const payload = Buffer.from(anchored, 'utf8');
	if (log === null)
		return payload.equals(text);
	const cp = parseCheckpoint(checkpoint);
	if (!verifyLogInclusion(S.leafHash(text), log, cp.size, cp.root))
		return false;
	return payload.equals(Buffer.from(checkpoint, 'utf8'));
}

function main(argv) {
	if (argv[0] !== 'verify' || argv.length !== 2) {
		process.stderr.write('usage: node chain.js verify CASES.jsonl\n');
		process.exit(2);
	}
	const lines = fs.readFileSync(argv[1], 'utf8').split('\n').filter((l) => l.length > 0);
	for (const line of lines) {
		const c = parseExact(line);
		let out;
		try {
			out = verifyChain(c.chain, c.anchored) ? 'true' : 'false';
		} catch (e) {
			if (!(e instanceof ChainError) && !(e instanceof S.ProofError))
				throw e;
			out = `error ${e.sqlstate} ${e.reason}`;
		}
		process.stdout.write(out + '\n');
	}
}

main(process.argv.slice(2));
