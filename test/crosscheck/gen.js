// Cross-check corpus for foray_canonicalize / foray_hash.
//
//   node gen.js corpus OUT.tsv [COUNT]   write "id<TAB>hex(UTF-8 JSON text)" lines
//   node gen.js expect IN.tsv OUT.tsv    canonicalise each text with the npm
//                                        package `canonicalize` (the RFC 8785
//                                        author's implementation): "id<TAB>
//                                        hex(canonical UTF-8)<TAB>sha256:hex"
//   node gen.js compare A.tsv B.tsv      compare two such files line by line
//
// The JSON text given to both sides is the same: jsonb keeps a number's
// decimal text exactly, and JSON.parse rounds the same decimal, so both
// sides round the same value.  The generator is deterministic (seeded).
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

// ---------- deterministic PRNG (mulberry32) ----------
let seed = 0x5eed1234;
function rnd() {
	seed = (seed + 0x6D2B79F5) | 0;
	let t = seed;
	t = Math.imul(t ^ (t >>> 15), t | 1);
	t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
	return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const ri = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
const pick = (a) => a[Math.floor(rnd() * a.length)];

// ---------- raw number text (emitted verbatim) ----------
class Num {
	constructor(text) { this.text = text; }
}
const finite = (t) => Number.isFinite(Number(t));

const EDGE_NUMBERS = [
	'0', '-0', '0.0', '-0.0', '0e10', '-0E-5', '1', '-1',
	'5e-324', '-5e-324', '4.9406564584124654e-324', '2.4703282292062328e-324',
	'2.2250738585072014e-308', '2.2250738585072011e-308', '2.225073858507201e-308',
	'1e-323', '1.5e-323', '3e-324',
	'1.7976931348623157e308', '-1.7976931348623157e+308', '1.7976931348623158e308',
	'1e21', '1e+21', '999999999999999999999', '999999999999999900000', '1e20', '100000000000000000000',
	'123456789012345678901', '1.0e21', '9.999999999999999e20', '1e22', '1e23', '9.999999999999999e22',
	'1e-7', '1E-7', '0.0000001', '0.000001', '1e-6', '9.999999999999999e-7', '0.00000099999999999999999',
	'9007199254740991', '9007199254740992', '9007199254740993', '9007199254740994', '9007199254740995',
	'-9007199254740993', '18014398509481985', '9223372036854775807', '18446744073709551615',
	'295147905179352830000', '0.1', '0.2', '0.3', '0.30000000000000004', '1.1', '2.675',
	'333333333.33333329', '333333333.3333333', '1E30', '4.50', '2e-3', '0.000000000000000000000000001',
	'12345678901234567.89', '1424953923781206.2', '-0.0000033333333333333333', '50.00', '150.00',
	'1E2', '1e0', '1e-0', '10e-1', '0.5e1', '123e-20', '1e308', '1e-308', '2e-308',
	'4.4e-324', '2.5e-324', '7e-324', '1e-400', '-1e-400', '0.' + '0'.repeat(330) + '1',
	'1' + '0'.repeat(300), '1' + '0'.repeat(308) + '.000', '3.14159265358979323846264338327950288',
];

function moneyText() {
	const units = ri(0, 6) === 0 ? ri(0, 9) : Math.floor(rnd() * Math.pow(10, ri(1, 12)));
	const dec = pick([0, 1, 2, 2, 2, 3, 4]);
	let t = String(units);
	if (dec > 0)
		t += '.' + String(ri(0, Math.pow(10, dec) - 1)).padStart(dec, '0');
	return (ri(0, 5) === 0 ? '-' : '') + t;
}

function randomDoubleText() {
	// random bit patterns over the whole double range, spelled in several ways
	const b = Buffer.alloc(8);
	for (;;) {
		for (let i = 0; i < 8; i++) b[i] = ri(0, 255);
		const x = b.readDoubleLE(0);
		if (!Number.isFinite(x)) continue;
		switch (ri(0, 4)) {
			case 0: return String(x);
			case 1: return x.toExponential(ri(0, 20));
			case 2: return x.toPrecision(ri(1, 21)).replace('+', '');
			case 3: return x.toExponential(16).toUpperCase();
			default: {
				const t = x.toPrecision(17);
				return t.includes('e') ? t : t + '0'.repeat(ri(0, 3));
			}
		}
	}
}

function randomDecimalText() {
	// random digit strings, random exponents; kept finite
	for (;;) {
		const nd = ri(1, 25);
		let d = String(ri(1, 9));
		for (let i = 1; i < nd; i++) d += String(ri(0, 9));
		const pt = ri(0, nd);
		let t = pt < nd && pt > 0 ? d.slice(0, pt) + '.' + d.slice(pt) : d;
		if (pt === 0) t = '0.' + d;
		if (ri(0, 2) === 0) t += pick(['e', 'E']) + pick(['', '+', '-']) + String(ri(0, 330));
		if (ri(0, 3) === 0) t = '-' + t;
		if (finite(t)) return t;
	}
}

function numberText() {
	switch (ri(0, 5)) {
		case 0: return pick(EDGE_NUMBERS);
		case 1: case 2: return moneyText();
		case 3: return randomDoubleText();
		case 4: return randomDecimalText();
		default: return String(ri(-1000000, 1000000));
	}
}

// ---------- strings and names ----------
const ASTRAL = ['\u{10000}', '\u{1F600}', '\u{1F602}', '\u{10FFFF}', '\u{F0000}', '\u{FFFFD}', '\u{100000}',
	'\u{10FFFD}', '\u{1D11E}', '\u{20000}', '\u{2A6D6}'];
const BMP_HIGH = ['\uE000', '\uE001', '\uF8FF', '\uFB33', '\uFEFF', '\uFFFD', '\uFFFF', '\uFF21', '\uD7FF'];
const MISC = ['\u00e9', '\u00f6', '\u20ac', 'e\u0301', 'A\u030a', '\u2028', '\u2029', '\u0080', '\u00a0',
	'\u0600', '\u4e2d', '\u0416', '"', '\\', '/', "'", '<', '>', '&'];

function randomChar() {
	switch (ri(0, 9)) {
		case 0: return String.fromCharCode(ri(1, 0x1f));
		case 1: return '\u007f';
		case 2: return pick(ASTRAL);
		case 3: return pick(BMP_HIGH);
		case 4: return pick(MISC);
		case 5: return String.fromCodePoint(ri(0xE000, 0xF8FF));
		case 6: return String.fromCodePoint(ri(0x10000, 0x10FFFF));
		default: return String.fromCharCode(ri(0x20, 0x7e));
	}
}

function randomString(max) {
	let s = '';
	const n = ri(0, max);
	for (let i = 0; i < n; i++) s += randomChar();
	return s;
}

// every control character, in one string
const ALL_CONTROLS = Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join('') + '\u007f';

// ---------- JSON text writer (random spelling of the same value) ----------
function strText(s) {
	// JSON.stringify escapes only what it must; sometimes escape more
	if (ri(0, 3) !== 0) return JSON.stringify(s);
	let out = '"';
	for (const ch of s) {
		const cp = ch.codePointAt(0);
		if (ch === '"' || ch === '\\') out += '\\' + ch;
		else if (ch === '/' && ri(0, 1)) out += '\\/';
		else if (cp < 0x20 || (cp > 0x7e && ri(0, 1))) {
			for (let i = 0; i < ch.length; i++)
				out += '\\u' + ch.charCodeAt(i).toString(16).padStart(4, '0')[ri(0, 1) ? 'toUpperCase' : 'toLowerCase']();
		} else out += ch;
	}
	return out + '"';
}

function write(v) {
	const ws = () => (ri(0, 6) === 0 ? pick([' ', '\n', '\t', '  ', '\r\n']) : '');
	if (v instanceof Num) return v.text;
	if (v === null) return 'null';
	if (v === true) return 'true';
	if (v === false) return 'false';
	if (typeof v === 'string') return strText(v);
	if (Array.isArray(v)) return '[' + ws() + v.map(write).join(',' + ws()) + ws() + ']';
	return '{' + ws() + Object.keys(v).map((k) => strText(k) + ws() + ':' + ws() + write(v[k])).join(',' + ws()) + ws() + '}';
}

// ---------- documents ----------
function randomValue(depth) {
	const r = ri(0, depth > 4 ? 5 : 9);
	if (r <= 2) return new Num(numberText());
	if (r <= 4) return randomString(12);
	if (r === 5) return pick([null, true, false]);
	if (r <= 7) {
		const a = [];
		for (let i = ri(0, 6); i > 0; i--) a.push(randomValue(depth + 1));
		return a;
	}
	const o = {};
	for (let i = ri(0, 8); i > 0; i--) o[randomString(6)] = randomValue(depth + 1);
	return o;
}

function keySoup() {
	// many names mixing ASCII, BMP private use / high BMP and astral
	const o = {};
	for (let i = ri(5, 40); i > 0; i--) {
		let k = '';
		for (let j = ri(0, 4); j > 0; j--)
			k += pick([pick(ASTRAL), pick(BMP_HIGH), String.fromCodePoint(ri(0xE000, 0xF8FF)),
				String.fromCodePoint(ri(0xF0000, 0x10FFFD)), String.fromCharCode(ri(0x21, 0x7e)), pick(MISC)]);
		o[k] = new Num(numberText());
	}
	return o;
}

function deep(n) {
	let v = ri(0, 1) ? [] : {};
	for (let i = 0; i < n; i++)
		v = ri(0, 1) ? [v] : { [randomString(3) || 'k']: v };
	return v;
}

const TYPES = ['ARR', 'ANT', 'ACC', 'ACT'];
function foraycore() {
	const id = () => pick(TYPES) + '_' + Math.floor(rnd() * 1e6).toString(36).toUpperCase();
	const date = () => `2026-${String(ri(1, 12)).padStart(2, '0')}-${String(ri(1, 28)).padStart(2, '0')}T${String(ri(0, 23)).padStart(2, '0')}:00:00Z`;
	const o = {
		type: pick(['sale', 'loan_payment', 'depreciation', 'fx_spot', 'repo', 'payroll', 'invoice']),
		description: pick(['Monthly payment', 'Café sale — 3 items', 'Honey batch 42 (Mānuka)', 'Zahlung für Übersetzung',
			'支払い', 'Paiement reçu', 'Solar PPA ⚡ output']),
		amount: new Num(moneyText()),
		currency: pick(['USD', 'EUR', 'JPY', 'GBP', 'NZD', 'MAD']),
		effective_date: date(),
		parties: [{ role: 'buyer', name: 'Main Street Coffee Shop' }, { role: 'seller', name: randomString(8) }],
		arrangement_refs: [id(), id()].filter((x) => x.startsWith('ARR')),
		dependencies: ri(0, 1) ? [id()] : [],
		terms: { rate: new Num(pick(['0.045', '4.50', '0.0325', '1.5e-2', '0.10'])), months: new Num(String(ri(1, 360))),
			fees: [new Num(moneyText()), new Num(moneyText())], collateral: pick([true, false, null]) },
		compliance_flags: ['GAAP', 'IFRS_15', 'SOX'].slice(0, ri(0, 3)),
	};
	if (ri(0, 2) === 0) o.quantity = new Num(String(ri(1, 10000)));
	if (ri(0, 3) === 0) o.fx_rate = new Num(randomDecimalText());
	return o;
}

function exampleDocs() {
	const dirs = [path.join(__dirname, '..', 'examples')];
	for (const d of dirs) {
		if (!fs.existsSync(d)) continue;
		const out = [];
		for (const f of fs.readdirSync(d).sort()) {
			if (!f.endsWith('.json')) continue;
			const text = fs.readFileSync(path.join(d, f), 'utf8');
			out.push(text);
			// each component's foray_core-like object, as its own document
			const doc = JSON.parse(text);
			for (const k of ['arrangements', 'accruals', 'anticipations', 'actions', 'attestations'])
				for (const c of doc[k] || []) out.push(JSON.stringify(c, null, ri(0, 1) ? 2 : 0));
		}
		return out;
	}
	return [];
}

function corpus(outFile, count) {
	const lines = [];
	let id = 0;
	const add = (text) => { lines.push(`${++id}\t${Buffer.from(text, 'utf8').toString('hex')}`); };

	for (const t of exampleDocs()) add(t);
	for (const t of EDGE_NUMBERS) if (finite(t)) add(t);
	add(write([ALL_CONTROLS, { [ALL_CONTROLS]: ALL_CONTROLS }]));
	add(write(Object.fromEntries(ASTRAL.concat(BMP_HIGH).map((k, i) => [k, i]))));
	add(write([[], {}, [[]], [{}], { a: [] }, { b: {} }, '']));
	for (let d = 1; d <= 900; d += ri(20, 60)) add(write(deep(d)));
	add(write(deep(999)));
	while (id < count) {
		const r = ri(0, 9);
		let v;
		if (r <= 3) v = foraycore();
		else if (r <= 5) v = randomValue(0);
		else if (r === 6) v = keySoup();
		else if (r === 7) v = Array.from({ length: ri(1, 30) }, () => new Num(numberText()));
		else if (r === 8) v = { s: randomString(40), t: [randomString(5), randomString(5)] };
		else v = new Num(numberText());
		add(write(v));
	}
	fs.writeFileSync(outFile, lines.join('\n') + '\n');
	console.error(`# ${lines.length} documents written to ${outFile}`);
}

function expect(inFile, outFile) {
	const canonicalize = require('canonicalize');
	const out = [];
	for (const line of fs.readFileSync(inFile, 'utf8').split('\n')) {
		if (!line) continue;
		const [id, hex] = line.split('\t');
		const text = Buffer.from(hex, 'hex').toString('utf8');
		const c = Buffer.from(canonicalize(JSON.parse(text)), 'utf8');
		out.push(`${id}\t${c.toString('hex')}\tsha256:${crypto.createHash('sha256').update(c).digest('hex')}`);
	}
	fs.writeFileSync(outFile, out.join('\n') + '\n');
}

function compare(aFile, bFile, corpusFile) {
	const read = (f) => new Map(fs.readFileSync(f, 'utf8').split('\n').filter(Boolean)
		.map((l) => { const p = l.split('\t'); return [p[0], p.slice(1)]; }));
	const a = read(aFile);
	const b = read(bFile);
	const src = corpusFile ? read(corpusFile) : new Map();
	let compared = 0;
	let diffs = 0;
	for (const [id, va] of a) {
		const vb = b.get(id);
		compared++;
		if (!vb || va[0] !== vb[0] || va[1] !== vb[1]) {
			diffs++;
			if (diffs <= 10) {
				const show = (h) => (h ? JSON.stringify(Buffer.from(h, 'hex').toString('utf8')).slice(0, 400) : '(missing)');
				console.log(`not ok - document ${id}`);
				if (src.has(id)) console.log(`   input:      ${show(src.get(id)[0])}`);
				console.log(`   node:       ${show(va[0])} ${va[1]}`);
				console.log(`   foray:      ${show(vb && vb[0])} ${vb && vb[1]}`);
			}
		}
	}
	if (b.size !== a.size) {
		console.log(`not ok - ${a.size} documents from node, ${b.size} from the database`);
		diffs++;
	}
	console.log(`# compared ${compared} documents (canonical text and hash), ${diffs} differences`);
	process.exit(diffs === 0 && compared >= 10000 ? 0 : 1);
}

const [cmd, a1, a2, a3] = process.argv.slice(2);
if (cmd === 'corpus') corpus(a1, parseInt(a2 || '12000', 10));
else if (cmd === 'expect') expect(a1, a2);
else if (cmd === 'compare') compare(a1, a2, a3);
else {
	console.error('usage: gen.js corpus OUT [COUNT] | expect IN OUT | compare NODE DB [CORPUS]');
	process.exit(2);
}
