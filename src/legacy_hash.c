/*
 * legacy_hash.c
 *		Recompute Loomworks' legacy memory_events.content_hash.
 *
 * Loomworks (memory/events.py compute_content_hash) wrote, on every event,
 * the SHA-256 hex digest of Python's
 *
 *		json.dumps(payload_without_foray, sort_keys=True)
 *
 * i.e. default separators ", " and ": ", ensure_ascii=True (every character
 * outside U+0020..U+007E escaped, astral characters as UTF-16 surrogate
 * pairs, lowercase hex), keys sorted by code point, and the top-level
 * "_foray" block left out.  It is not canonical JSON (RFC 8785); the
 * migration recomputes it only to tell which legacy rows still match what
 * Loomworks wrote, and reports every one that does not.
 *
 * Numbers: jsonb keeps the decimal text it was given.  Text without a
 * decimal point was a Python int and prints as stored; anything else was a
 * Python float and prints as repr(float) (see legacy_dump_number), which
 * also restores the exponent form of tiny floats that numeric stores
 * positionally ("1.5e-05").  A float of 1e16 or more that Python wrote as
 * "1e+16" comes back from jsonb as an integer, so such payloads report as
 * mismatches; docs/migration.md records the limitation.
 */
#include "compat.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/cryptohash.h"
#include "common/sha2.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

typedef struct LegacyPair
{
	const char *key;
	int			keylen;
	JsonbValue	val;
} LegacyPair;

static void legacy_dump_value(StringInfo out, JsonbValue *v, bool top);

static int
legacy_pair_cmp(const void *a, const void *b)
{
	const LegacyPair *pa = (const LegacyPair *) a;
	const LegacyPair *pb = (const LegacyPair *) b;
	int			n = Min(pa->keylen, pb->keylen);
	int			c = memcmp(pa->key, pb->key, n);

	/* bytewise UTF-8 order is code point order, as Python sorts str */
	if (c != 0)
		return c;
	return pa->keylen - pb->keylen;
}

/* Python json.dumps string with ensure_ascii=True. */
static void
legacy_dump_string(StringInfo out, const char *s, int len)
{
	const unsigned char *p = (const unsigned char *) s;
	const unsigned char *end = p + len;

	appendStringInfoChar(out, '"');
	while (p < end)
	{
		unsigned char c = *p;

		if (c < 0x80)
		{
			switch (c)
			{
				case '"':
					appendBinaryStringInfo(out, "\\\"", 2);
					break;
				case '\\':
					appendBinaryStringInfo(out, "\\\\", 2);
					break;
				case '\n':
					appendBinaryStringInfo(out, "\\n", 2);
					break;
				case '\r':
					appendBinaryStringInfo(out, "\\r", 2);
					break;
				case '\t':
					appendBinaryStringInfo(out, "\\t", 2);
					break;
				case '\b':
					appendBinaryStringInfo(out, "\\b", 2);
					break;
				case '\f':
					appendBinaryStringInfo(out, "\\f", 2);
					break;
				default:
					if (c < 0x20 || c == 0x7f)
						appendStringInfo(out, "\\u%04x", c);
					else
						appendStringInfoChar(out, (char) c);
			}
			p++;
		}
		else
		{
			int			l = pg_utf_mblen(p);
			pg_wchar	cp;

			if (p + l > end || !pg_utf8_islegal(p, l))
				ereport(ERROR,
						(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
						 errmsg("invalid UTF-8 in legacy payload string")));
			cp = utf8_to_unicode(p);
			if (cp >= 0x10000)
			{
				cp -= 0x10000;
				appendStringInfo(out, "\\u%04x\\u%04x",
								 0xd800 + (unsigned int) (cp >> 10),
								 0xdc00 + (unsigned int) (cp & 0x3ff));
			}
			else
				appendStringInfo(out, "\\u%04x", (unsigned int) cp);
			p += l;
		}
	}
	appendStringInfoChar(out, '"');
}

/*
 * A jsonb number as json.dumps printed it.  Integers (no decimal point)
 * were Python ints and print as stored.  Anything else was a Python float:
 * print repr(float), i.e. the shortest digits that round-trip, positional
 * when 1e-4 <= |x| < 1e16 (always with a fractional part, "150.0"), else
 * in exponent form ("1.5e-05", "1e+16").
 */
static void
legacy_dump_number(StringInfo out, Numeric num)
{
	char	   *txt = DatumGetCString(DirectFunctionCall1(numeric_out,
														  NumericGetDatum(num)));
	double		d;
	char		buf[64];
	char		digits[32];
	int			nd = 0;
	int			exp10;
	int			prec;
	char	   *e;
	char	   *p;

	if (strchr(txt, '.') == NULL)
	{
		appendStringInfoString(out, txt);
		pfree(txt);
		return;
	}
	d = strtod(txt, NULL);
	pfree(txt);
	if (!isfinite(d))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("legacy payload number is out of the range of a Python float")));
	if (d == 0.0)
	{
		appendStringInfoString(out, signbit(d) ? "-0.0" : "0.0");
		return;
	}
	/* shortest %e precision that round-trips: the digits Python's repr uses */
	for (prec = 1; prec <= 17; prec++)
	{
		snprintf(buf, sizeof(buf), "%.*e", prec - 1, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	e = strchr(buf, 'e');
	exp10 = atoi(e + 1);
	for (p = buf; p < e; p++)
		if (*p >= '0' && *p <= '9')
			digits[nd++] = *p;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = '\0';

	if (d < 0)
		appendStringInfoChar(out, '-');
	if (exp10 >= -4 && exp10 < 16)
	{
		if (exp10 < 0)
		{
			appendStringInfoString(out, "0.");
			for (int i = 0; i < -exp10 - 1; i++)
				appendStringInfoChar(out, '0');
			appendStringInfoString(out, digits);
		}
		else
		{
			int			intlen = exp10 + 1;

			for (int i = 0; i < intlen; i++)
				appendStringInfoChar(out, i < nd ? digits[i] : '0');
			appendStringInfoChar(out, '.');
			if (nd > intlen)
				appendStringInfoString(out, digits + intlen);
			else
				appendStringInfoChar(out, '0');
		}
	}
	else
	{
		appendStringInfoChar(out, digits[0]);
		if (nd > 1)
		{
			appendStringInfoChar(out, '.');
			appendStringInfoString(out, digits + 1);
		}
		appendStringInfo(out, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
	}
}

static void
legacy_dump_container(StringInfo out, JsonbContainer *jc, bool top)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	check_stack_depth();
	it = JsonbIteratorInit(jc);
	tok = JsonbIteratorNext(&it, &v, true);

	if (tok == WJB_BEGIN_ARRAY)
	{
		bool		scalar = v.val.array.rawScalar;
		bool		first = true;

		if (!scalar)
			appendStringInfoChar(out, '[');
		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_END_ARRAY)
		{
			if (tok != WJB_ELEM)
				continue;
			if (!first)
				appendBinaryStringInfo(out, ", ", 2);
			first = false;
			legacy_dump_value(out, &v, false);
		}
		if (!scalar)
			appendStringInfoChar(out, ']');
	}
	else if (tok == WJB_BEGIN_OBJECT)
	{
		int			cap = Max(v.val.object.nPairs, 1);
		int			n = 0;
		int			i;
		LegacyPair *pairs = palloc(sizeof(LegacyPair) * cap);

		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_END_OBJECT)
		{
			if (tok == WJB_KEY)
			{
				if (n >= cap)
				{
					cap *= 2;
					pairs = repalloc(pairs, sizeof(LegacyPair) * cap);
				}
				pairs[n].key = v.val.string.val;
				pairs[n].keylen = v.val.string.len;
			}
			else if (tok == WJB_VALUE)
			{
				pairs[n].val = v;
				/* Loomworks hashed the payload with its _foray block left out */
				if (top && pairs[n].keylen == 6 &&
					memcmp(pairs[n].key, "_foray", 6) == 0)
					continue;
				n++;
			}
		}
		qsort(pairs, n, sizeof(LegacyPair), legacy_pair_cmp);
		appendStringInfoChar(out, '{');
		for (i = 0; i < n; i++)
		{
			if (i > 0)
				appendBinaryStringInfo(out, ", ", 2);
			legacy_dump_string(out, pairs[i].key, pairs[i].keylen);
			appendBinaryStringInfo(out, ": ", 2);
			legacy_dump_value(out, &pairs[i].val, false);
		}
		appendStringInfoChar(out, '}');
		pfree(pairs);
	}
}

static void
legacy_dump_value(StringInfo out, JsonbValue *v, bool top)
{
	switch (v->type)
	{
		case jbvNull:
			appendBinaryStringInfo(out, "null", 4);
			break;
		case jbvBool:
			if (v->val.boolean)
				appendBinaryStringInfo(out, "true", 4);
			else
				appendBinaryStringInfo(out, "false", 5);
			break;
		case jbvString:
			legacy_dump_string(out, v->val.string.val, v->val.string.len);
			break;
		case jbvNumeric:
			legacy_dump_number(out, v->val.numeric);
			break;
		case jbvBinary:
			legacy_dump_container(out, v->val.binary.data, top);
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("unexpected jsonb value type %d in legacy payload",
							(int) v->type)));
	}
}

static void
legacy_dumps(StringInfo out, Jsonb *jb, bool strip_foray)
{
	legacy_dump_container(out, &jb->root, strip_foray);
}

PG_FUNCTION_INFO_V1(foray_loomworks_json_dumps);
Datum
foray_loomworks_json_dumps(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	StringInfoData out;

	initStringInfo(&out);
	legacy_dumps(&out, jb, false);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(out.data, out.len));
}

PG_FUNCTION_INFO_V1(foray_loomworks_content_hash);
Datum
foray_loomworks_content_hash(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	StringInfoData out;
	pg_cryptohash_ctx *ctx;
	uint8		digest[PG_SHA256_DIGEST_LENGTH];
	char		hex[PG_SHA256_DIGEST_LENGTH * 2 + 1];
	int			i;

	initStringInfo(&out);
	legacy_dumps(&out, jb, true);

	ctx = pg_cryptohash_create(PG_SHA256);
	if (pg_cryptohash_init(ctx) < 0 ||
		pg_cryptohash_update(ctx, (uint8 *) out.data, out.len) < 0 ||
		pg_cryptohash_final(ctx, digest, sizeof(digest)) < 0)
	{
		pg_cryptohash_free(ctx);
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("could not compute SHA-256 of legacy payload")));
	}
	pg_cryptohash_free(ctx);

	for (i = 0; i < PG_SHA256_DIGEST_LENGTH; i++)
	{
		static const char hx[] = "0123456789abcdef";

		hex[2 * i] = hx[digest[i] >> 4];
		hex[2 * i + 1] = hx[digest[i] & 0xf];
	}
	hex[PG_SHA256_DIGEST_LENGTH * 2] = '\0';
	pfree(out.data);
	PG_RETURN_TEXT_P(cstring_to_text(hex));
}
