// JSON text in and out, exactly.
//
// parseExact(text) reads JSON keeping every number's text (class JNum), so an
// index of 9223372036854775807 is not silently rounded to 2^63 the way
// JSON.parse would round it.  plain(v) turns such a value into what
// JSON.parse gives (numbers become doubles), for the hashing side, where
// RFC 8785 reads every number as a double anyway.
//
// writeJSON(v) writes a value keeping object key order as inserted, numbers
// of class JNum as their text, BigInt as its digits: the form the tampered
// proofs of `mutate` need (a key order changed, an index of 2^63).
'use strict';

class JNum {
	constructor(text) {
		this.text = text;
	}
	// The exact integer this number denotes, or null when it is not an
	// integer (1.5, 1e-1) -- decided on the decimal text, not on a double.
	get integer() {
		const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(this.text);
		if (!m)
			return null;
		let digits = m[2] + (m[3] || '');
		let exp = BigInt(m[4] || '0') - BigInt((m[3] || '').length);
		digits = digits.replace(/^0+(?=\d)/, '');
		if (/^0+$/.test(digits))
			return 0n;
		while (exp < 0n && digits.endsWith('0')) {
			digits = digits.slice(0, -1);
			exp += 1n;
		}
		if (exp < 0n)
			return null;
		if (exp > 4000n)	// far beyond any range a check cares about
			return (m[1] ? -1n : 1n) * (10n ** 4000n);
		const v = BigInt(digits) * (10n ** exp);
		return m[1] ? -v : v;
	}
	get value() {
		return Number(this.text);
	}
	valueOf() {
		return Number(this.text);
	}
}

// obj[key] = value, also for a key named "__proto__" (an own data property,
// as JSON.parse makes it)
function defineKey(obj, key, value) {
	if (key === '__proto__')
		Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
	else
		obj[key] = value;
}

function parseExact(text) {
	let i = 0;
	const ws = () => {
		while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r'))
			i++;
	};
	const fail = (what) => {
		throw new SyntaxError(`JSON: ${what} at offset ${i}`);
	};
	const value = () => {
		ws();
		const c = text[i];
		if (c === '{') {
			i++;
			const obj = {};
			ws();
			if (text[i] === '}') {
				i++;
				return obj;
			}
			for (;;) {
				ws();
				if (text[i] !== '"')
					fail('expected a member name');
				const key = string();
				ws();
				if (text[i] !== ':')
					fail('expected ":"');
				i++;
				defineKey(obj, key, value());
				ws();
				if (text[i] === ',') {
					i++;
					continue;
				}
				if (text[i] === '}') {
					i++;
					return obj;
				}
				fail('expected "," or "}"');
			}
		}
		if (c === '[') {
			i++;
			const arr = [];
			ws();
			if (text[i] === ']') {
				i++;
				return arr;
			}
			for (;;) {
				arr.push(value());
				ws();
				if (text[i] === ',') {
					i++;
					continue;
				}
				if (text[i] === ']') {
					i++;
					return arr;
				}
				fail('expected "," or "]"');
			}
		}
		if (c === '"')
			return string();
		for (const [lit, v] of [['true', true], ['false', false], ['null', null]]) {
			if (text.startsWith(lit, i)) {
				i += lit.length;
				return v;
			}
		}
		const m = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
		m.lastIndex = i;
		const r = m.exec(text);
		if (!r || r[0].length === 0)
			fail('unexpected character');
		i += r[0].length;
		return new JNum(r[0]);
	};
	const string = () => {
		const start = i;
		i++;
		while (i < text.length && text[i] !== '"') {
			if (text[i] === '\\')
				i++;
			i++;
		}
		if (i >= text.length)
			fail('unterminated string');
		i++;
		return JSON.parse(text.slice(start, i));
	};
	const v = value();
	ws();
	if (i !== text.length)
		fail('trailing text');
	return v;
}

// JNum -> double, recursively; everything else as is (what JSON.parse gives).
function plain(v) {
	if (v instanceof JNum)
		return v.value;
	if (Array.isArray(v))
		return v.map(plain);
	if (v !== null && typeof v === 'object') {
		const o = {};
		for (const k of Object.keys(v))
			defineKey(o, k, plain(v[k]));
		return o;
	}
	return v;
}

function writeJSON(v) {
	if (v === null || v === undefined)
		return 'null';
	if (v instanceof JNum)
		return v.text;
	if (typeof v === 'bigint')
		return v.toString();
	if (typeof v === 'number') {
		if (!Number.isFinite(v))
			throw new Error('writeJSON: a number that is not finite');
		return JSON.stringify(v);
	}
	if (typeof v === 'string' || typeof v === 'boolean')
		return JSON.stringify(v);
	if (Array.isArray(v))
		return '[' + v.map(writeJSON).join(',') + ']';
	return '{' + Object.keys(v).map((k) => JSON.stringify(k) + ':' + writeJSON(v[k])).join(',') + '}';
}

// A deep copy that keeps JNum and BigInt values and key order.
function clone(v) {
	if (Array.isArray(v))
		return v.map(clone);
	if (v !== null && typeof v === 'object' && !(v instanceof JNum)) {
		const o = {};
		for (const k of Object.keys(v))
			defineKey(o, k, clone(v[k]));
		return o;
	}
	return v;
}

module.exports = { JNum, parseExact, plain, writeJSON, clone, defineKey };
