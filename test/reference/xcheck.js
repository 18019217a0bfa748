// The JavaScript side of test/suites/47_commitment_xcheck.sh.
//
//   xcheck roots GEN.json SCHEME          "n<TAB>merkle_root" of every generated
//                                         transaction with a component (for record_anchor)
//   xcheck compare GEN.json SERVER.jsonl OUTDIR [--anchored-scheme-1]
//       compares what the server returned (one JSON line per transaction,
//       see the suite's export query) with this implementation, and writes
//       the mutation matrix of every server proof for the server to verify:
//       OUTDIR/mutations.csv  mid, pid, edits (JSON), checksum of the result
//       OUTDIR/roots.csv      pid, the trusted root (this implementation's)
//       OUTDIR/meta.tsv       mid, expected verdict, pid, what was changed
//       OUTDIR/proofs.tsv     pid, the transaction and member it proves
//       With --anchored-scheme-1 anchored and sealed transactions are
//       scheme 1 (a database updated from 0.4.0), the others scheme 2.
//   xcheck compare-040 GEN.json SERVER.jsonl
//       the same comparison against a 0.4.0 database (scheme 1, 0.4.0's
//       proof shape without commitment_scheme and component_type)
//   xcheck verdicts OUTDIR VERDICTS.tsv
//       the server's verdict on every mutation ("mid<TAB>applied<TAB>verdict")
//       against the expected one; prints the totals
// Each command prints "ok"/"not ok" lines and ends with "N passed, N failed".
'use strict';
const fs = require('fs');
const path = require('path');
const { parseExact, plain, writeJSON, JNum } = require('./json');
const S = require('./scheme');
const M = require('./mutate');
const { differences } = require('./vectors');

function tally() {
	const t = { passed: 0, failed: 0 };
	t.check = (name, ok, detail) => {
		if (ok) {
			t.passed++;
			console.log(`ok - ${name}`);
		} else {
			t.failed++;
			console.log(`not ok - ${name}`);
			if (detail)
				console.log('#   ' + String(detail).split('\n').join('\n#   '));
		}
	};
	t.end = () => {
		console.log(`${t.passed} passed, ${t.failed} failed`);
		return t.failed === 0 ? 0 : 1;
	};
	return t;
}

const readGen = (file) => parseExact(fs.readFileSync(file, 'utf8')).map(plain);
const readLines = (file) => fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);

function readServer(file) {
	const byN = new Map();
	for (const line of readLines(file)) {
		const v = parseExact(line);
		byN.set(Number(v.n), v);
	}
	return byN;
}

// {"value": v} or {"error": sqlstate, "message": ...} from the suite's xc.try()
const describe = (r) => (r === null || r === undefined ? 'nothing'
	: Object.hasOwn(r, 'error') ? `error ${r.error} ${r.message}` : writeJSON(r.value));
const isValue = (r) => r !== null && r !== undefined && Object.hasOwn(r, 'value');
const isError = (r, code) => r !== null && r !== undefined && r.error === code;
const short = (s) => (s.length > 40 ? JSON.stringify(s.slice(0, 37)) + '...' : JSON.stringify(s));

function sameValue(name, mine, r, check) {
	if (!isValue(r)) {
		check(name, false, `the server gives ${describe(r)}`);
		return false;
	}
	const d = differences(mine, plain(r.value));
	check(name, d.length === 0, d.map((x) => x.replace(/expected/g, 'server\'s')).join('\n'));
	return d.length === 0;
}

// the server's proofs of one transaction against this implementation
function compareMembers(label, c, s, check) {
	const mine = c.tx.members.map((m) => m.id).sort();
	const server = (s.proofs || []).map((p) => p.id).sort();
	check(`${label}: the server holds exactly the generated members (${mine.length})`,
		JSON.stringify(mine) === JSON.stringify(server),
		`only generated: ${JSON.stringify(mine.filter((x) => !server.includes(x)))}; only on the server: ${JSON.stringify(server.filter((x) => !mine.includes(x)))}`);
}

function compare(genFile, serverFile, outDir, anchoredScheme1) {
	const t = tally();
	const gen = readGen(genFile);
	const server = readServer(serverFile);
	fs.mkdirSync(outDir, { recursive: true });
	const muts = writer(path.join(outDir, 'mutations.csv'));
	const meta = writer(path.join(outDir, 'meta.tsv'));
	const roots = writer(path.join(outDir, 'roots.csv'));
	const pids = writer(path.join(outDir, 'proofs.tsv'));
	let mid = 0;
	let proofCount = 0;
	const counts = { ready: 0, anchored: 0, open: 0, scheme1: 0 };
	gen.forEach((tx0, n) => {
		const s = server.get(n + 1);
		const label = `tx ${n + 1} ${short(tx0.transaction_id)}`;
		if (!s || s.lifecycle === null) {
			t.check(`${label}: loaded`, false, 'not in foray.foray_transactions (see the load log)');
			return;
		}
		const anchored = s.lifecycle === 'anchored' || s.lifecycle === 'sealed';
		const scheme = anchoredScheme1 && anchored ? 1 : 2;
		counts.scheme1 += scheme === 1;
		const c = S.commit(Object.assign({}, tx0, { commitment_scheme: scheme }));
		const hasComponents = c.tx.members.some((m) => m.type !== 'ATT');
		const lifecycleOk = anchored || s.lifecycle === (hasComponents ? 'ready_to_anchor' : 'open');
		t.check(`${label}: lifecycle ${s.lifecycle}`, lifecycleOk,
			`${c.tx.members.length} members, expected ${hasComponents ? 'ready_to_anchor' : 'open'}`);
		counts[anchored ? 'anchored' : s.lifecycle === 'open' ? 'open' : 'ready']++;

		sameValue(`${label}: foray.commitment_details (scheme ${scheme})`, c.details, s.details, t.check);
		sameValue(`${label}: foray.transaction_hashes`, c.hashes, s.hashes, t.check);
		if (s.lifecycle === 'open') {
			t.check(`${label}: anchor_envelope, _text and _sha256 of an open transaction are 23R30`,
				isError(s.envelope, '23R30') && isError(s.envelope_text, '23R30') && isError(s.envelope_sha256, '23R30'),
				`the server gives ${describe(s.envelope)} / ${describe(s.envelope_text)} / ${describe(s.envelope_sha256)}`);
		} else {
			sameValue(`${label}: foray.anchor_envelope`, c.details.envelope, s.envelope, t.check);
			t.check(`${label}: foray.anchor_envelope_text (${Buffer.byteLength(c.details.envelope_text)} bytes)`,
				isValue(s.envelope_text) && s.envelope_text.value === c.details.envelope_text,
				`mine ${JSON.stringify(c.details.envelope_text)}\nserver's ${describe(s.envelope_text)}`);
			t.check(`${label}: foray.anchor_envelope_sha256`,
				isValue(s.envelope_sha256) && s.envelope_sha256.value === c.details.envelope_sha256,
				`mine ${c.details.envelope_sha256}, server's ${describe(s.envelope_sha256)}`);
		}
		t.check(`${label}: inclusion_proof of an unknown id is 22R54`, isError(s.unknown_member, '22R54'),
			`the server gives ${describe(s.unknown_member)}`);

		compareMembers(label, c, s, t.check);
		for (const p of s.proofs || []) {
			if (!c.tx.members.some((m) => m.id === p.id))
				continue;
			proofCount++;
			const name = `${label}: foray.inclusion_proof(${short(p.id)})`;
			const mine = S.proofFrom(c, p.id);
			if (!sameValue(name, mine, p.proof, t.check))
				continue;
			t.check(`${name}: the 3-argument verify_inclusion(leaf_hash, proof, merkle_root) accepts it`,
				isValue(p.legacy) && p.legacy.value === true, `the server gives ${describe(p.legacy)}`);
			const pid = Number(p.pid);
			roots.write(`${pid}\x02${c.details.merkle_root}\n`);
			pids.write(`${pid}\t${JSON.stringify({ tx: tx0.transaction_id, id: p.id })}\n`);
			// the honest proof first (no edits), then every mutation
			const list = [{ mutation: 'none (the honest proof)', expect: 'true', ops: [], proof: p.proof.value }]
				.concat(M.mutations(p.proof.value));
			for (const mu of list) {
				mid++;
				const sum = S.shaText(S.hashValue(plain(toNumbers(mu.proof)))).slice(0, 23);
				muts.write(`${mid}\x02${pid}\x02${writeJSON(mu.ops)}\x02${sum}\n`);
				meta.write(`${mid}\t${mu.expect}\t${pid}\t${mu.mutation}\n`);
			}
		}
	});
	[muts, meta, roots, pids].forEach((w) => w.close());
	console.log(`# ${gen.length} transactions (${counts.ready} ready to anchor, ${counts.anchored} anchored, ${counts.open} open`
		+ `${anchoredScheme1 ? `, ${counts.scheme1} of scheme 1` : ''}), ${proofCount} proofs, ${mid} verifications to run on the server`);
	return t.end();
}

// Lines to a file, written in blocks.
function writer(file) {
	const fd = fs.openSync(file, 'w');
	let buf = [];
	let size = 0;
	const flush = () => {
		fs.writeSync(fd, buf.join(''));
		buf = [];
		size = 0;
	};
	return {
		write(s) {
			buf.push(s);
			size += s.length;
			if (size > 1 << 20)
				flush();
		},
		close() {
			flush();
			fs.closeSync(fd);
		},
	};
}

// JNum and BigInt as doubles: what RFC 8785 (and foray_hash) reads them as
function toNumbers(v) {
	if (v instanceof JNum || typeof v === 'bigint')
		return Number(v instanceof JNum ? v.text : v);
	if (Array.isArray(v))
		return v.map(toNumbers);
	if (v !== null && typeof v === 'object') {
		const o = {};
		for (const k of Object.keys(v))
			o[k] = toNumbers(v[k]);
		return o;
	}
	return v;
}

// A 0.4.0 database: scheme 1, 0.4.0's proofs (no commitment_scheme, no component_type)
function compare040(genFile, serverFile) {
	const t = tally();
	const gen = readGen(genFile);
	const server = readServer(serverFile);
	gen.forEach((tx0, n) => {
		const s = server.get(n + 1);
		if (!s)
			return;	// the suite loads only the first transactions into the 0.4.0 database
		const label = `0.4.0 tx ${n + 1} ${short(tx0.transaction_id)}`;
		if (s.lifecycle === null) {
			t.check(`${label}: loaded`, false, 'not in foray.foray_transactions (see the load log)');
			return;
		}
		const c = S.commit(Object.assign({}, tx0, { commitment_scheme: 1 }));
		const h = Object.assign({}, c.hashes);
		delete h.commitment_scheme;
		sameValue(`${label}: transaction_hashes = scheme 1`, h, s.hashes, t.check);
		if (s.lifecycle !== 'open') {
			sameValue(`${label}: anchor_envelope = the scheme-1 envelope`, c.details.envelope, s.envelope, t.check);
		}
		compareMembers(label, c, s, t.check);
		for (const p of s.proofs || []) {
			if (!c.tx.members.some((m) => m.id === p.id))
				continue;
			const mine = S.proofFrom(c, p.id);
			delete mine.commitment_scheme;
			delete mine.component_type;
			sameValue(`${label}: inclusion_proof(${short(p.id)}) = the scheme-1 proof (0.4.0 keys)`, mine, p.proof, t.check);
			t.check(`${label}: verify_inclusion(leaf_hash, proof, root) of ${short(p.id)}`, p.verified === 'true',
				`the server gives ${p.verified}`);
		}
	});
	return t.end();
}

function roots(genFile, scheme) {
	readGen(genFile).forEach((tx, n) => {
		const c = S.commit(Object.assign({}, tx, { commitment_scheme: Number(scheme) }));
		if (c.tx.members.some((m) => m.type !== 'ATT'))
			console.log(`${n + 1}\t${c.details.merkle_root}`);
	});
	return 0;
}

function verdicts(outDir, verdictFile) {
	const t = tally();
	const subjects = new Map();
	for (const line of readLines(path.join(outDir, 'proofs.tsv'))) {
		const [pid, what] = line.split('\t');
		subjects.set(pid, JSON.parse(what));
	}
	const expected = new Map();
	for (const line of readLines(path.join(outDir, 'meta.tsv'))) {
		const [mid, expect, pid, mutation] = line.split('\t');
		expected.set(Number(mid), { expect, what: Object.assign({ mutation }, subjects.get(pid)) });
	}
	const got = new Map();
	for (const line of readLines(verdictFile)) {
		const [mid, applied, verdict] = line.split('\t');
		got.set(Number(mid), { applied: applied === 't', verdict });
	}
	const n = { honest: 0, honestBad: 0, asFalse: 0, as22R51: 0, benign: 0, accepted: 0, other: 0, missing: 0, misapplied: 0 };
	const shown = [];
	const show = (s) => {
		if (shown.length < 60)
			shown.push(s);
	};
	for (const [mid, e] of expected) {
		const g = got.get(mid);
		const where = `${short(e.what.tx)} ${short(e.what.id)}: ${e.what.mutation}`;
		if (!g) {
			n.missing++;
			show(`${where}: no verdict from the server`);
			continue;
		}
		if (!g.applied) {
			n.misapplied++;
			show(`${where}: the edits applied in SQL do not give the proof this implementation built`);
			continue;
		}
		const v = g.verdict;
		const cls = v === 'true' ? 'true' : v === 'false' ? 'false' : v.startsWith('error 22R51') ? 'error' : 'other';
		if (e.what.mutation.startsWith('none')) {
			n.honest++;
			if (cls !== 'true') {
				n.honestBad++;
				show(`${where}: the honest proof gives ${v} against this implementation's root`);
			}
			continue;
		}
		if (cls === e.expect) {
			if (cls === 'false')
				n.asFalse++;
			else if (cls === 'error')
				n.as22R51++;
			else
				n.benign++;
			continue;
		}
		if (cls === 'true')
			n.accepted++;
		else
			n.other++;
		show(`${where}: the server gives ${v}, the specification ${e.expect === 'error' ? 'error 22R51' : e.expect}`);
	}
	for (const s of shown)
		console.log(`# ${s}`);
	t.check(`every mutation was applied in SQL exactly as built here and got a verdict (${expected.size})`,
		n.missing === 0 && n.misapplied === 0, `${n.missing} without a verdict, ${n.misapplied} applied differently`);
	t.check(`the server's verify_inclusion accepts every honest proof (${n.honest})`, n.honestBad === 0 && n.honest > 0,
		`${n.honestBad} refused`);
	t.check(`the server's verify_inclusion rejects every mutation as the specification says`, n.accepted === 0 && n.other === 0,
		`${n.accepted} accepted that must not be, ${n.other} with another verdict than the specification's`);
	console.log(`${n.honest - n.honestBad} honest proofs verified, ${n.asFalse + n.as22R51} mutations rejected `
		+ `(${n.asFalse} as false, ${n.as22R51} as 22R51), ${n.accepted} accepted`
		+ `${n.benign ? `; ${n.benign} benign variants (key order${n.benign > 2 * n.honest ? ', fields scheme 1 does not bind' : ''}) verified` : ''}`
		+ `${n.other ? `; ${n.other} other disagreements` : ''}`);
	return t.end();
}

function main(args) {
	const [cmd, ...rest] = args;
	if (cmd === 'roots' && rest.length === 2)
		return roots(rest[0], rest[1]);
	if (cmd === 'compare' && (rest.length === 3 || (rest.length === 4 && rest[3] === '--anchored-scheme-1')))
		return compare(rest[0], rest[1], rest[2], rest.length === 4);
	if (cmd === 'compare-040' && rest.length === 2)
		return compare040(rest[0], rest[1]);
	if (cmd === 'verdicts' && rest.length === 2)
		return verdicts(rest[0], rest[1]);
	process.stderr.write(fs.readFileSync(__filename, 'utf8').split('\n').slice(2, 22).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
	return 2;
}

module.exports = { main };
