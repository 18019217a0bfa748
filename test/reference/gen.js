// Random FORAY transactions in the TX.json form, deterministic for a seed:
// transaction i of seed S depends on S and i only, so a longer run repeats
// a shorter one's transactions.  Every transaction is one the substrate
// stores: ids carry their type prefix, refs are well typed and resolve
// inside the transaction, attestations name members of it and depend on
// earlier attestations only (acyclic), and every number keeps its value
// as a double (docs/hashing.md §3), however it is spelled.
//
// writeGenerated(txs) writes a JSON array with one transaction per line
// (numbers as generated: "50.00", "1E21", "-0.0" stay spelled so), the form
// test/suites/47_commitment_xcheck.sh loads line by line.
'use strict';
const crypto = require('crypto');
const { JNum, writeJSON } = require('./json');

function rng(seed, index) {
	const d = crypto.createHash('sha256').update(`foray-commitment-gen:${seed}:${index}`).digest();
	let a = d.readUInt32LE(0);
	const rnd = () => {	// mulberry32
		a = (a + 0x6D2B79F5) | 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const ri = (lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));
	const pick = (arr) => arr[Math.floor(rnd() * arr.length)];
	const chance = (p) => rnd() < p;
	const shuffle = (arr) => {
		const a2 = arr.slice();
		for (let i = a2.length - 1; i > 0; i--) {
			const j = Math.floor(rnd() * (i + 1));
			[a2[i], a2[j]] = [a2[j], a2[i]];
		}
		return a2;
	};
	const subset = (arr, lo, hi) => shuffle(arr).slice(0, Math.min(arr.length, ri(lo, hi)));
	return { rnd, ri, pick, chance, shuffle, subset };
}

// ---------------------------------------------------------------- numbers

// A decimal's exact value as a comparable key (sign of zero ignored).
function decimalKey(text) {
	const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
	if (!m)
		throw new Error('not a JSON number: ' + text);
	let digits = m[2] + (m[3] || '');
	let exp = Number(m[4] || 0) - (m[3] || '').length;
	digits = digits.replace(/^0+/, '');
	if (digits === '')
		return '0';
	while (digits.endsWith('0')) {
		digits = digits.slice(0, -1);
		exp++;
	}
	return `${m[1]}${digits}e${exp}`;
}
// docs/hashing.md §3: stored only if the canonical text has the same value.
const keepsValue = (text) => /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(text)
	&& Number.isFinite(Number(text)) && decimalKey(text) === decimalKey(String(Number(text)));

const TRICKY = ['0', '-0', '-0.0', '0.0', '0e5', '1', '-1', '0.1', '0.2', '0.30000000000000004', '1e21', '1E21', '1e+21',
	'5e-7', '5E-7', '1e-7', '0.000001', '0.0000001', '1e20', '100000000000000000000', '9007199254740992',
	'9007199254740991', '-9007199254740991', '-9007199254740992', '4503599627370495.5', '1.7976931348623157e308',
	'-1.7976931348623157e+308', '5e-324', '2.2250738585072014e-308', '1e300', '1e-300', '123.456', '50.00', '4.50e1',
	'1.5E+2', '0.5e1', '10e-1', '2.675', '1e-6', '9.999999999999997e-7', '333333333.3333333', '1424953923781206.2',
	'0.001', '12345678.9', '-273.15', '99.99', '1000000', '1e6', '2e-3', '7e-10', '144115188075855870', '1e23',
	'0.1e1', '100.0000', '-0.000', '1.0', '6.02214076e23', '1.602176634e-19'];
for (const t of TRICKY)
	if (!keepsValue(t))
		throw new Error('gen: ' + t + ' does not keep its value');

function numberGen(R) {
	// other spellings of the same decimal value
	const respell = (canon) => {
		const out = [canon];
		if (/[eE]/.test(canon))
			out.push(canon.replace('e', 'E'), canon.replace('e+', 'e'));
		else if (canon.includes('.'))
			out.push(canon + '0', canon + '000');
		else if (canon.length < 15 && !/^-?0$/.test(canon))
			out.push(canon + '.0', canon + '.00', canon + 'e0', canon + '0e-1');
		return R.pick(out);
	};
	return () => {
		let t;
		switch (R.ri(0, 7)) {
		case 0:
			t = R.pick(TRICKY);
			break;
		case 1: {	// money
			const units = R.chance(0.2) ? R.ri(0, 99) : Math.floor(R.rnd() * Math.pow(10, R.ri(1, 12)));
			const dec = R.pick([0, 2, 2, 2, 1, 3, 4]);
			t = String(units) + (dec ? '.' + String(R.ri(0, Math.pow(10, dec) - 1)).padStart(dec, '0') : '');
			if (R.chance(0.2))
				t = '-' + t;
			break;
		}
		case 2: {	// an integer of up to 2^53
			const big = (BigInt(R.ri(0, (1 << 26) - 1)) << 27n) | BigInt(R.ri(0, (1 << 27) - 1));
			const v = big % ((1n << 53n) + 1n);
			t = (R.chance(0.3) ? '-' : '') + String(v >> BigInt(R.ri(0, 50)));
			break;
		}
		case 3:	// any double, as ES writes it
			t = String((R.rnd() * 2 - 1) * Math.pow(10, R.ri(-30, 30)));
			break;
		case 4:
			t = String(R.rnd());
			break;
		default:
			t = String(R.ri(0, 1000));
		}
		const t0 = t;
		t = respell(t);
		if (!keepsValue(t))	// e.g. money of 16 significant digits: take the double's own text
			t = String(Number(t0));
		if (!keepsValue(t))
			throw new Error("gen: a number that does not keep its value: " + t + " from " + t0);
		return new JNum(t);
	};
}

// ---------------------------------------------------------------- strings

const SNIPPETS = ['a', 'B', 'z', ' ', '0', '9', '_', '-', '.', 'é', 'e\u0301', 'A\u030a', 'ß', 'Ω', '中文', '日本語', 'مرحبا',
	'😀', '🏦', '𝄞', '\u2028', '\u2029', '\u007f', '\u0080', '\u00ff', '\u0100', '\u0001', '\u001f', '\n', '\t', '\r', '\b',
	'\f', '"', '\\', '/', '\ue000', '\uffff', '\ufffd', '\u200b', 'ﬁ', '\ud7ff', 'Acme', 'invoice', 'USD', '€', '<', '>',
	'&', "'", '%', '+'];
const WORDS = ['Acme Corporation', 'TechSupply Inc', 'payment', 'invoice', 'Net 30', 'wire', 'settlement', 'accrual',
	'Müller GmbH', '株式会社テスト', 'Société Générale', 'José Ñúñez', 'quarterly fee', 'USD', 'EUR', 'JPY'];
const KEYS = ['amount', 'currency', 'note', 'memo', 'rate', 'a', 'A', 'b', 'B', 'aa', '', '10', '2', 'Z', '_', 'key with space',
	'é', 'e\u0301', '😀', '\ue000', '\uffff', '\u0080', 'ö', '\u00ff', '\u0100', 'ﬁ', '𝄞', 'line\nbreak', 'tab\t', 'quote"',
	'back\\slash', 'items', 'nested', 'flags', 'id', 'type'];

function stringGen(R) {
	return () => {
		if (R.chance(0.4))
			return R.pick(WORDS);
		let s = '';
		const n = R.ri(0, 12);
		for (let i = 0; i < n; i++)
			s += R.pick(SNIPPETS);
		return s;
	};
}

// ---------------------------------------------------------------- JSON values

function valueGen(R) {
	const num = numberGen(R);
	const str = stringGen(R);
	const value = (depth) => {
		const k = R.ri(0, depth > 4 ? 5 : 9);
		switch (k) {
		case 0: case 1: return num();
		case 2: case 3: return str();
		case 4: return R.pick([true, false]);
		case 5: return null;
		case 6: case 7: {
			const a = [];
			for (let i = R.ri(0, 5); i > 0; i--)
				a.push(value(depth + 1));
			return a;
		}
		default: {
			const o = {};
			for (const key of R.subset(KEYS, 0, 6))
				Object.defineProperty(o, key, { value: value(depth + 1), enumerable: true, writable: true });
			return o;
		}
		}
	};
	const deep = () => {	// a long chain of nested containers
		let v = num();
		for (let d = R.ri(20, 120); d > 0; d--)
			v = R.chance(0.5) ? [v] : { n: v };
		return v;
	};
	// the substrate refuses empty strings in arrays of strings (SHAPE-001)
	// and in the fields it turns into columns
	const word = () => {
		const s = str();
		return s === '' ? 'x' : s;
	};
	return { value, deep, num, str, word };
}

// ---------------------------------------------------------------- ids and timestamps

const ID_PLAIN = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_';
const ID_ODD = ['a', 'b', 'z', 'é', 'É', '中', '😀', '\ue000', '\uffff', 'ß', '-', '.', ' ', '"', '\\', '\n', '\u0001', 'e\u0301'];

function idGen(R) {
	return (type) => {
		const len = R.chance(0.05) ? 196 : R.chance(0.05) ? 1 : R.ri(2, 24);	// body: 1..196 characters
		const odd = R.chance(0.25);
		const chars = [];
		while (chars.length < len) {
			const c = odd && R.chance(0.3) ? R.pick(ID_ODD) : ID_PLAIN[R.ri(0, ID_PLAIN.length - 1)];
			for (const cp of c)
				if (chars.length < len)
					chars.push(cp);
		}
		return `${type}_${chars.join('')}`;
	};
}

const TXID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.:-';
function transactionId(R, index, maxLen) {
	const head = index.toString(36).toUpperCase();	// unique
	if (R.chance(0.1) && head.length === 1)
		return head;
	const len = R.chance(0.08) ? maxLen : R.ri(head.length + 1, Math.min(maxLen, 40));
	let s = head + '.';
	while (s.length < len)
		s += TXID_CHARS[R.ri(0, TXID_CHARS.length - 1)];
	return s.slice(0, Math.max(len, head.length));
}

function timestamp(R) {
	const p2 = (n) => String(n).padStart(2, '0');
	const date = `20${R.ri(20, 29)}-${p2(R.ri(1, 12))}-${p2(R.ri(1, 28))}`;
	const time = `${p2(R.ri(0, 23))}:${p2(R.ri(0, 59))}`;
	const sec = p2(R.ri(0, 59));
	return R.pick([
		`${date}T${time}:${sec}Z`, `${date}T${time}:${sec}Z`, `${date}T${time}:${sec}Z`, `${date}T${time}:${sec}Z`,
		date, `${date} ${time}`, `${date}T${time}`, `${date}T${time}:${sec}.${R.ri(0, 999)}Z`,
		`${date}T${time}:${sec}+05:30`, `${date}T${time}:${sec}-0800`, `${date}T${time}:${sec}.123456+01:00`,
		`${date} ${time}:${sec}Z`]);
}

// ---------------------------------------------------------------- a transaction

const hex64 = (R) => {
	let s = '';
	while (s.length < 64)
		s += R.ri(0, 0xffff).toString(16).padStart(4, '0');
	return s;
};
const isoDate = (R) => `2026-${String(R.ri(1, 12)).padStart(2, '0')}-${String(R.ri(1, 28)).padStart(2, '0')}`;

// Member counts: most transactions small, a few of a few hundred members.
function memberCount(R) {
	const u = R.rnd();
	if (u < 0.05)
		return 0;
	if (u < 0.15)
		return 1;
	if (u < 0.6)
		return R.ri(2, 6);
	if (u < 0.88)
		return R.ri(7, 20);
	if (u < 0.985)
		return R.ri(21, 60);
	return R.ri(100, 300);
}

function object(R, pairs) {	// a JSON object with its keys in a random order
	const o = {};
	for (const [k, v] of R.shuffle(pairs))
		if (v !== undefined)
			Object.defineProperty(o, k, { value: v, enumerable: true, writable: true });
	return o;
}

function generateOne(seed, index) {
	const R = rng(seed, index);
	const V = valueGen(R);
	const newId = idGen(R);
	const ts = timestamp(R);
	const txid = transactionId(R, index, Math.min(126, 146 - ts.length));
	const extras = () => (R.chance(0.4) ? [[R.pick(['metadata', 'notes', 'x_extra', 'é_field', '😀']), R.chance(0.05) ? V.deep() : V.value(1)]] : []);

	const core = object(R, [
		['entity', V.word()],
		['transaction_type', R.pick(['batch_payment', 'cash_sale', 'depreciation', 'fx_spot', 'repo', V.word()])],
		['entity_hash', R.chance(0.5) ? 'sha256:' + hex64(R) : undefined],
		['total_value', R.chance(0.7) ? V.num() : undefined],
		['currency', R.chance(0.7) ? R.pick(['USD', 'EUR', 'JPY', 'GBP']) : undefined],
		['status', R.chance(0.6) ? R.pick(['active', 'completed', 'reversed']) : undefined],
		['compliance_flags', R.chance(0.4) ? R.subset(['SOX_404', 'GAAP', 'IFRS', 'AML', V.word()], 0, 3) : undefined],
	].concat(extras()));

	// components: types in DAG order so refs point upstream
	const n = memberCount(R);
	const byType = { ARR: [], ACC: [], ANT: [], ACT: [] };
	const used = new Set();
	const components = [];
	for (let i = 0; i < n; i++) {
		const type = i === 0 ? 'ARR' : R.pick(['ARR', 'ACC', 'ACC', 'ANT', 'ACT', 'ACT', 'ACT']);
		let id;
		do
			id = newId(type);
		while (used.has(id));
		used.add(id);
		const refs = {};
		const allowed = { ARR: [], ACC: ['ARR'], ANT: ['ARR', 'ACC'], ACT: ['ARR', 'ACC', 'ANT'] }[type];
		const refName = { ARR: 'arrangement_refs', ACC: 'accrual_refs', ANT: 'anticipation_refs' };
		for (const t of allowed)
			if (byType[t].length > 0 && R.chance(0.8))
				refs[refName[t]] = R.subset(byType[t], t === 'ARR' ? 1 : 0, 3);
			else if (R.chance(0.2))
				refs[refName[t]] = [];
		const deps = [].concat(...Object.values(refs));
		const fields = {
			ARR: [['type', R.pick(['contract', 'master_service_agreement', 'loan'])], ['effective_date', isoDate(R)],
				['parties', [object(R, [['role', 'buyer'], ['name', V.str()]]), object(R, [['role', 'seller'], ['name', V.str()]])]],
				['total_value', V.num()], ['dependencies', R.chance(0.7) ? [] : undefined]],
			ACC: [['type', 'invoice_amount'], ['output', V.num()], ['inputs', V.value(1)], ['formula_id', 'sha256:' + hex64(R)]],
			ANT: [['type', 'scheduled_payment'], ['expected_amount', V.num()], ['expected_date', isoDate(R)],
				['probability_factor', new JNum(R.pick(['1', '1.0', '0.5', '0', '0.25', '0.999']))]],
			ACT: [['type', 'payment'], ['amount_settled', V.num()], ['settlement_date', isoDate(R)],
				['settlement_status', R.pick(['completed', 'pending', 'failed', 'reversed'])],
				['allocations', R.chance(0.3) ? [object(R, [['amount', V.num()], ['ref', V.str()]])] : undefined]],
		}[type];
		const pairs = Object.entries(refs).concat(fields, extras(), [
			['currency', R.chance(0.6) ? 'USD' : undefined], ['description', R.chance(0.5) ? V.str() : undefined]]);
		if (type !== 'ARR')
			pairs.push(['dependencies', R.chance(0.6) ? R.subset(deps, 0, 2) : undefined]);
		const c = { id, type, foray_core: object(R, pairs) };
		if (R.chance(0.3))
			c.audit_data = R.chance(0.7) ? object(R, [['approver', V.str()], ['bank_ref', V.str()]].concat(extras()))
				: R.pick([V.str(), V.num(), [V.value(2)], true, false, {}, [], '', V.value(1) ?? 0]);
		components.push(c);
		byType[type].push(id);
	}

	// attestations, only when there is something to attest
	const attestations = [];
	const attIds = [];
	const memberIds = components.map((c) => c.id);
	const nAtt = n === 0 ? 0 : R.chance(0.4) ? R.ri(1, n > 50 ? 12 : 5) : 0;
	for (let i = 0; i < nAtt; i++) {
		let id;
		do
			id = newId('ATT');
		while (used.has(id));
		used.add(id);
		const subjects = R.subset(memberIds.concat(attIds), 1, 3);
		const a = {
			id,
			foray_core: object(R, [
				['attestor', V.word()],
				['attestor_hash', 'sha256:' + hex64(R)],
				['attestor_type', R.pick(['certification_body', 'laboratory', 'auditor', 'inspector', 'oracle', 'regulator'])],
				['attestor_credentials', R.subset(['ISO_17025', 'ISO_9001', 'CPA', V.word()], 0, 2)],
				['subject_refs', subjects],
				['attestation_type', R.pick(['certification', 'inspection', 'analysis', 'audit_opinion', 'verification', 'approval'])],
				['attestation_date', R.chance(0.5) ? isoDate(R) : isoDate(R) + 'T09:30:00Z'],
				['validity_period', R.chance(0.5) ? object(R, [['start', isoDate(R)], ['end', '2027-01-01']]) : undefined],
				['outcome', R.pick(['certified', 'approved', 'rejected', 'conditional', 'expired', 'revoked', 'pending'])],
				['evidence_hash', R.chance(0.5) ? 'sha256:' + hex64(R) : undefined],
				['dependencies', R.subset(attIds, 0, 2)],
			].concat(extras())),
		};
		if (R.chance(0.3))
			a.audit_data = R.chance(0.5) ? object(R, [['lab_report', V.str()]]) : V.num();
		attestations.push(a);
		attIds.push(id);
	}

	const tx = { transaction_id: txid, schema_version: '4.1', timestamp: ts, foray_core: core };
	if (R.chance(0.5)) {
		const k = R.rnd();
		tx.audit_data_anchor = k < 0.08 ? {}
			: object(R, [['audit_profile', R.pick(['standard', 'full', V.str()])], ['storage_locations', [V.word()]],
				['retention_years', new JNum(R.pick(['7', '10', '7.0']))],
				['audit_data_hash', k < 0.25 ? 'sha256:' + hex64(R) : undefined]].concat(extras()));
	}
	tx.components = R.shuffle(components);
	tx.attestations = R.shuffle(attestations);
	return tx;
}

function generate(seed, count) {
	const out = [];
	for (let i = 0; i < count; i++)
		out.push(generateOne(seed, i));
	return out;
}

function writeGenerated(txs) {
	if (txs.length === 0)
		return '[]\n';
	return '[\n' + txs.map(writeJSON).join(',\n') + '\n]\n';
}

module.exports = { generate, writeGenerated, keepsValue, decimalKey };
