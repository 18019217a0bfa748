#!/usr/bin/env node
// Independent reference implementation of foray_substrate's commitment
// schemes, written from docs/merkle.md and docs/hashing.md alone (never
// from the extension's C sources).
//
//   node commitment.js details TX.json          foray.commitment_details(tx)
//   node commitment.js proof TX.json ID         foray.inclusion_proof(tx, id)
//   node commitment.js hashes TX.json           foray.transaction_hashes(tx)
//   node commitment.js verify PROOF.json ROOT   foray.verify_inclusion(proof, root):
//                                               prints true, false or "error 22R5x <reason>"
//   node commitment.js verify-legacy LEAF_HASH PROOF.json ROOT
//                                               foray.verify_inclusion(leaf_hash, proof, root)
//   node commitment.js mutate PROOF.json        tampered proofs, each with its expected verdict
//   node commitment.js check-vectors DIR        check test/vectors/commitment/-style files
//   node commitment.js gen SEED COUNT           COUNT random transactions (TX.json), one per line
//   node commitment.js selftest                 this implementation's own tests
//
// TX.json: {"transaction_id", "schema_version", "timestamp", "foray_core",
// "audit_data_anchor" (optional), "commitment_scheme" (optional, default 2),
// "components": [{"id", "type", "foray_core", "audit_data" (optional)}],
// "attestations": [{"id", "foray_core", "audit_data" (optional)}]}.
// JSON results are printed in RFC 8785 canonical form.
//
// Exit status: 0 on success (verify: the verdict is true), 1 when verify
// prints false or a check fails, 3 when verify prints an error, 2 on bad
// usage or input.
'use strict';
const fs = require('fs');
const { parseExact, plain, writeJSON } = require('./json');
const S = require('./scheme');

const readJSON = (file) => parseExact(fs.readFileSync(file === '-' ? 0 : file, 'utf8'));
const readTx = (file) => plain(readJSON(file));

function verdict(fn) {
	try {
		return fn() ? 'true' : 'false';
	} catch (e) {
		if (e instanceof S.ProofError)
			return `error ${e.sqlstate} ${e.reason}`;
		throw e;
	}
}

function usage() {
	process.stderr.write(fs.readFileSync(__filename, 'utf8').split('\n').slice(5, 17).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
	process.exit(2);
}

function main(argv) {
	const [cmd, ...args] = argv;
	const need = (n) => {
		if (args.length !== n)
			usage();
	};
	switch (cmd) {
	case 'details':
		need(1);
		console.log(S.canonicalText(S.commit(readTx(args[0])).details));
		return 0;
	case 'hashes':
		need(1);
		console.log(S.canonicalText(S.commit(readTx(args[0])).hashes));
		return 0;
	case 'proof':
		need(2);
		console.log(S.canonicalText(S.proofFrom(S.commit(readTx(args[0])), args[1])));
		return 0;
	case 'verify': {
		need(2);
		const v = verdict(() => S.verifyInclusion(readJSON(args[0]), args[1]));
		console.log(v);
		return v === 'true' ? 0 : v === 'false' ? 1 : 3;
	}
	case 'verify-legacy': {
		need(3);
		const v = verdict(() => S.verifyInclusionLegacy(args[0], readJSON(args[1]), args[2]));
		console.log(v);
		return v === 'true' ? 0 : v === 'false' ? 1 : 3;
	}
	case 'mutate': {
		need(1);
		const ms = require('./mutate').mutations(readJSON(args[0])).map(({ mutation, why, proof, expect }) => ({ mutation, why, proof, expect }));
		process.stdout.write('[\n' + ms.map((m) => writeJSON(m)).join(',\n') + '\n]\n');
		return 0;
	}
	case 'check-vectors':
		need(1);
		return require('./vectors').checkVectors(args[0], (line) => console.log(line)) ? 0 : 1;
	case 'gen': {
		need(2);
		const count = Number(args[1]);
		if (!Number.isInteger(count) || count < 0)
			usage();
		const G = require('./gen');
		process.stdout.write(G.writeGenerated(G.generate(args[0], count)));
		return 0;
	}
	case 'selftest':
		need(0);
		return require('./selftest').run((line) => console.log(line)) ? 0 : 1;
	case 'xcheck':
		return require('./xcheck').main(args);
	default:
		return usage();
	}
}

process.stdout.on('error', (e) => {	// a reader that stopped early (| head)
	if (e.code === 'EPIPE')
		process.exit(process.exitCode || 0);
	throw e;
});
try {
	process.exitCode = main(process.argv.slice(2));
} catch (e) {
	if (e instanceof S.InputError || e instanceof S.NotFound || e instanceof SyntaxError || e.code === 'ENOENT') {
		process.stderr.write(`commitment.js: ${e.sqlstate ? e.sqlstate + ' ' : ''}${e.message}\n`);
		process.exitCode = 2;
	} else {
		throw e;
	}
}
