/*
 * canonical.c
 *		Backend glue: RFC 8785 canonical text and SHA-256 of jsonb values.
 *
 * The jsonb value is read straight out of its on-disk container (the same
 * JEntry walk the jsonb iterator does, but with random access, so object
 * members can be put in RFC 8785 order without buffering their output) and
 * handed to the PostgreSQL-independent canonicaliser in src/core/jcs.c.
 *
 * Per call, nothing is allocated once the backend is warm: the core context
 * (member arrays, hash buffer, SHA-256 state) is static and reused, numbers
 * are printed by numeric_out into a small memory context that is reset at
 * the end of every call.  Only in a database whose encoding is not UTF-8
 * are strings converted (pg_server_to_any), in that same context, and the
 * canonical text converted back; SQL_ASCII bytes are taken as UTF-8.
 */
#include "compat.h"

#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "canonical.h"
#include "jcs.h"
#include "sha256.h"

/* SQLSTATEs of this module (docs/hashing.md, docs/sqlstates.md) */
#define ERRCODE_FORAY_NUMBER_RANGE		MAKE_SQLSTATE('2','2','R','2','0')
#define ERRCODE_FORAY_NUMBER_CHANGED	MAKE_SQLSTATE('2','2','R','2','1')
#define ERRCODE_FORAY_BAD_UTF8			MAKE_SQLSTATE('2','2','R','2','2')
#define ERRCODE_FORAY_TOO_DEEP			MAKE_SQLSTATE('2','2','R','2','3')
#define ERRCODE_FORAY_DUPLICATE_NAME	MAKE_SQLSTATE('2','2','R','2','4')
#define ERRCODE_FORAY_NUMBER_SYNTAX		MAKE_SQLSTATE('2','2','R','2','5')

static jcs_ctx *canon_ctx = NULL;
static MemoryContext canon_mcxt = NULL;
static jcs_buf canon_text = {0};

/* ---------- the jsonb source ---------- */

static bool convert_strings = false;

static void
jsonb_string(const char *s, uint32 len, jcs_value *out)
{
	out->type = JCS_STRING;
	if (convert_strings)
	{
		char	   *u = pg_server_to_any(s, (int) len, PG_UTF8);

		if (u != s)
		{
			out->str = u;
			out->len = strlen(u);
			return;
		}
	}
	out->str = s;
	out->len = len;
}

/* Fill one value from entry e at byte offset `offset` of the data area. */
static void
jsonb_entry(JEntry e, const char *base, uint32 offset, uint32 len, jcs_value *out)
{
	out->str = NULL;
	out->len = 0;
	out->ref = NULL;
	out->count = 0;
	if (JBE_ISSTRING(e))
		jsonb_string(base + offset, len, out);
	else if (JBE_ISNUMERIC(e))
	{
		out->type = JCS_NUMBER;
		out->ref = base + INTALIGN(offset);
	}
	else if (JBE_ISBOOL_TRUE(e))
		out->type = JCS_TRUE;
	else if (JBE_ISBOOL_FALSE(e))
		out->type = JCS_FALSE;
	else if (JBE_ISNULL(e))
		out->type = JCS_NULL;
	else
	{
		const JsonbContainer *c = (const JsonbContainer *) (base + INTALIGN(offset));

		out->type = JsonContainerIsObject(c) ? JCS_OBJECT : JCS_ARRAY;
		out->ref = c;
		out->count = JsonContainerSize(c);
	}
}

static int
jsonb_array_items(void *arg, const void *ref, size_t count, jcs_value *out)
{
	const JsonbContainer *jc = ref;
	const char *base = (const char *) &jc->children[count];
	uint32		offset = 0;

	for (size_t i = 0; i < count; i++)
	{
		JEntry		e = jc->children[i];
		uint32		len = JBE_HAS_OFF(e) ? JBE_OFFLENFLD(e) - offset : JBE_OFFLENFLD(e);

		jsonb_entry(e, base, offset, len, &out[i]);
		JBE_ADVANCE_OFFSET(offset, e);
	}
	return 0;
}

static int
jsonb_object_members(void *arg, const void *ref, size_t count, jcs_member *out)
{
	const JsonbContainer *jc = ref;
	const char *base = (const char *) &jc->children[count * 2];
	uint32		offset = 0;

	/* keys are children 0..n-1, values n..2n-1, their data in that order */
	for (size_t i = 0; i < count * 2; i++)
	{
		JEntry		e = jc->children[i];
		uint32		len = JBE_HAS_OFF(e) ? JBE_OFFLENFLD(e) - offset : JBE_OFFLENFLD(e);

		if (i < count)
			jsonb_entry(e, base, offset, len, &out[i].key);
		else
			jsonb_entry(e, base, offset, len, &out[i - count].value);
		JBE_ADVANCE_OFFSET(offset, e);
	}
	return 0;
}

/*
 * The decimal text of a jsonb number, read straight from numeric's on-disk
 * form (a stable format: pg_upgrade keeps it): a sign, a weight and base-10000
 * digits.  Trailing zeros are dropped (they do not change the value), so
 * 150.00 comes out as "150".  Special values cannot occur in jsonb; they are
 * handed to numeric_out and refused by the core as a syntax error.
 */
#define NUM_SIGN_MASK		0xC000
#define NUM_NEG				0x4000
#define NUM_SHORT			0x8000
#define NUM_SPECIAL			0xC000
#define NUM_SHORT_SIGN		0x2000
#define NUM_SHORT_WSIGN		0x0040
#define NUM_SHORT_WMASK		0x003F

static int
jsonb_number_text(void *arg, const void *ref, jcs_buf *scratch)
{
	const char *p = VARDATA_ANY(ref);
	size_t		sz = VARSIZE_ANY_EXHDR(ref);
	uint16		header;
	int16		digits[8];
	const char *dp;
	size_t		ndigits;
	int			weight;
	bool		neg;
	char	   *w;
	char	   *s;
	size_t		slen;
	long		exp;

	if (sz < sizeof(uint16))
		return -1;
	memcpy(&header, p, sizeof(uint16));
	if ((header & NUM_SIGN_MASK) == NUM_SPECIAL)
	{
		char	   *t = DatumGetCString(DirectFunctionCall1(numeric_out,
															PointerGetDatum(ref)));
		int			rc = jcs_buf_append(scratch, t, strlen(t));

		pfree(t);
		return rc;
	}
	if (header & NUM_SHORT)
	{
		neg = (header & NUM_SHORT_SIGN) != 0;
		weight = (header & NUM_SHORT_WSIGN) ? (int) (~NUM_SHORT_WMASK | (header & NUM_SHORT_WMASK))
			: (int) (header & NUM_SHORT_WMASK);
		dp = p + sizeof(uint16);
		ndigits = (sz - sizeof(uint16)) / sizeof(int16);
	}
	else
	{
		int16		w16;

		if (sz < 2 * sizeof(uint16))
			return -1;
		neg = (header & NUM_SIGN_MASK) == NUM_NEG;
		memcpy(&w16, p + sizeof(uint16), sizeof(int16));
		weight = w16;
		dp = p + 2 * sizeof(uint16);
		ndigits = (sz - 2 * sizeof(uint16)) / sizeof(int16);
	}
	if (ndigits == 0)
		return jcs_buf_append(scratch, "0", 1);

	/* digits: at most 4 per base-10000 digit, plus sign, point and zeros */
	exp = 4L * ((long) weight - (long) ndigits + 1);
	if (jcs_buf_reserve(scratch, ndigits * 4 + (size_t) Abs(exp) + 8) != 0)
		return -1;
	w = scratch->data + scratch->len;
	if (neg)
		*w++ = '-';
	s = w;
	for (size_t i = 0; i < ndigits; i++)
	{
		int16		d;

		if (i % lengthof(digits) == 0)
			memcpy(digits, dp + i * sizeof(int16),
				   Min(lengthof(digits), ndigits - i) * sizeof(int16));
		d = digits[i % lengthof(digits)];
		if (d < 0 || d > 9999 || (i == 0 && d == 0))
			return -1;			/* not a valid numeric */
		if (i == 0)
			w += sprintf(w, "%d", d);
		else
		{
			w[0] = '0' + d / 1000;
			w[1] = '0' + d / 100 % 10;
			w[2] = '0' + d / 10 % 10;
			w[3] = '0' + d % 10;
			w += 4;
		}
	}
	/* drop trailing zeros into the exponent */
	while (w - s > 1 && w[-1] == '0')
	{
		w--;
		exp++;
	}
	slen = (size_t) (w - s);
	if (exp >= 0)
	{
		memset(w, '0', (size_t) exp);
		w += exp;
	}
	else if ((long) slen > -exp)
	{
		/* point inside the digits */
		size_t		ip = slen - (size_t) (-exp);

		memmove(s + ip + 1, s + ip, slen - ip);
		s[ip] = '.';
		w++;
	}
	else
	{
		/* 0.000ddd */
		size_t		lead = (size_t) (-exp) - slen;

		memmove(s + 2 + lead, s, slen);
		s[0] = '0';
		s[1] = '.';
		memset(s + 2, '0', lead);
		w += 2 + lead;
	}
	scratch->len = (size_t) (w - scratch->data);
	return 0;
}

static const jcs_source jsonb_source = {
	jsonb_array_items, jsonb_object_members, jsonb_number_text, NULL
};

/* The root: a scalar is stored as a one-element array flagged scalar. */
static void
jsonb_root(Jsonb *jb, jcs_value *root)
{
	JsonbContainer *jc = &jb->root;

	if (JsonContainerIsScalar(jc))
		jsonb_array_items(NULL, jc, 1, root);
	else
	{
		root->type = JsonContainerIsObject(jc) ? JCS_OBJECT : JCS_ARRAY;
		root->str = NULL;
		root->len = 0;
		root->ref = jc;
		root->count = JsonContainerSize(jc);
	}
}

/* ---------- errors ---------- */

static void
canon_error(jcs_status st, const char *context)
{
	const char *path = jcs_error_path(canon_ctx);
	const char *input = jcs_error_input(canon_ctx);
	char	   *where = context ? psprintf("%s of %s", path, context) : pstrdup(path);

	switch (st)
	{
		case JCS_ERR_NUMBER_RANGE:
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_NUMBER_RANGE),
					 errmsg("number at %s is not a finite double", where),
					 errdetail("Rule JCS-NUM-RANGE: RFC 8785 numbers are finite IEEE-754 doubles; %s is not.",
							   input)));
			break;
		case JCS_ERR_NUMBER_CHANGED:
			{
				char		canon[JCS_NUMBER_MAX];
				size_t		n;
				bool		changed;

				if (jcs_number(input, strlen(input), canon, &n, &changed) != JCS_OK)
					strlcpy(canon, "?", sizeof(canon));
				ereport(ERROR,
						(errcode(ERRCODE_FORAY_NUMBER_CHANGED),
						 errmsg("number at %s would change value when canonicalised", where),
						 errdetail("Rule JCS-NUM-VALUE: %s canonicalises to %s, a different value.",
								   input, canon),
						 errhint("Store the number as %s, or as a string.", canon)));
			}
			break;
		case JCS_ERR_UTF8:
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_BAD_UTF8),
					 errmsg("string at %s is not valid UTF-8", where),
					 errdetail("Rule JCS-UTF8: RFC 8785 strings are Unicode text.")));
			break;
		case JCS_ERR_DEPTH:
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_TOO_DEEP),
					 errmsg("JSON value at %s is nested too deeply", where),
					 errdetail("Rule JCS-DEPTH: at most %d nested arrays and objects.",
							   JCS_MAX_DEPTH)));
			break;
		case JCS_ERR_DUPLICATE_KEY:
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_DUPLICATE_NAME),
					 errmsg("duplicate member name at %s", where),
					 errdetail("Rule JCS-NAMES: member names must be unique.")));
			break;
		case JCS_ERR_NUMBER_SYNTAX:
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_NUMBER_SYNTAX),
					 errmsg("invalid number \"%s\" at %s", input, where),
					 errdetail("Rule JCS-NUM-SYNTAX: numbers follow the JSON grammar (RFC 8259).")));
			break;
		case JCS_ERR_NOMEM:
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory while canonicalising JSON at %s", where)));
			break;
		case JCS_ERR_HASH:
			ereport(ERROR,
					(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
					 errmsg("SHA-256 failed in libcrypto")));
			break;
		default:
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("malformed jsonb value at %s", where),
					 errdetail("%s", jcs_strerror(st))));
	}
}

/* ---------- the walk ---------- */

static void
canon_prepare(void)
{
	if (canon_ctx == NULL)
	{
		canon_ctx = jcs_ctx_new();
		if (canon_ctx == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory")));
	}
	if (canon_mcxt == NULL)
		canon_mcxt = AllocSetContextCreate(TopMemoryContext,
										   "foray canonical JSON",
										   ALLOCSET_SMALL_SIZES);
	else
		MemoryContextReset(canon_mcxt);
	/* SQL_ASCII: bytes are taken as UTF-8 and checked by the core (22R22) */
	convert_strings = (GetDatabaseEncoding() != PG_UTF8 &&
					   GetDatabaseEncoding() != PG_SQL_ASCII);
}

/* Run the core; text != NULL: canonical text into it, else digest. */
static void
canon_run(Jsonb *jb, bool strict, const char *context, jcs_buf *text, uint8 *digest)
{
	MemoryContext old;
	jcs_value	root;
	jcs_status	st;
	int			flags = strict ? JCS_STRICT_NUMBERS : 0;

	canon_prepare();
	old = MemoryContextSwitchTo(canon_mcxt);
	jsonb_root(jb, &root);
	if (text)
		st = jcs_canonicalize(canon_ctx, &jsonb_source, &root, flags, text);
	else
		st = jcs_hash(canon_ctx, &jsonb_source, &root, flags, digest);
	MemoryContextSwitchTo(old);
	if (st != JCS_OK)
		canon_error(st, context);	/* its strings are read before the reset */
	MemoryContextReset(canon_mcxt);
}

void
foray_hash_jsonb_raw(Jsonb *jb, bool strict, const char *context, uint8 *digest32)
{
	canon_run(jb, strict, context, NULL, digest32);
}

void
foray_hash_jsonb(Jsonb *jb, bool strict, const char *context, char *out)
{
	uint8		d[32];

	canon_run(jb, strict, context, NULL, d);
	jcs_hash_text(d, out);
}

text *
foray_canonicalize_jsonb(Jsonb *jb)
{
	text	   *t;

	canon_text.len = 0;
	canon_run(jb, false, NULL, &canon_text, NULL);
	if (convert_strings && canon_text.len > 0)
	{
		/* the text is UTF-8; a text datum is in the database encoding */
		char	   *conv;

		if (jcs_buf_append(&canon_text, "", 1) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory")));
		canon_text.len--;
		conv = pg_any_to_server(canon_text.data, (int) canon_text.len, PG_UTF8);
		t = cstring_to_text(conv);
	}
	else
		t = cstring_to_text_with_len(canon_text.data ? canon_text.data : "", (int) canon_text.len);
	/* do not keep a huge buffer around after a huge document */
	if (canon_text.cap > 1024 * 1024)
		jcs_buf_free(&canon_text);
	return t;
}

/* ---------- SQL-callable ---------- */

PG_FUNCTION_INFO_V1(foray_canonicalize);
Datum
foray_canonicalize(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);

	PG_RETURN_TEXT_P(foray_canonicalize_jsonb(jb));
}

PG_FUNCTION_INFO_V1(foray_hash);
Datum
foray_hash(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	char		hex[FORAY_HASH_TEXT_LEN + 1];

	foray_hash_jsonb(jb, false, NULL, hex);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(hex, FORAY_HASH_TEXT_LEN));
}

PG_FUNCTION_INFO_V1(foray_hash_strict);
Datum
foray_hash_strict(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	char		hex[FORAY_HASH_TEXT_LEN + 1];

	foray_hash_jsonb(jb, true, NULL, hex);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(hex, FORAY_HASH_TEXT_LEN));
}

PG_FUNCTION_INFO_V1(foray_hash_digest);
Datum
foray_hash_digest(PG_FUNCTION_ARGS)
{
	Jsonb	   *jb = PG_GETARG_JSONB_P(0);
	bytea	   *res = (bytea *) palloc(VARHDRSZ + 32);

	SET_VARSIZE(res, VARHDRSZ + 32);
	foray_hash_jsonb_raw(jb, false, NULL, (uint8 *) VARDATA(res));
	PG_RETURN_BYTEA_P(res);
}

PG_FUNCTION_INFO_V1(foray_sha256_text);
Datum
foray_sha256_text(PG_FUNCTION_ARGS)
{
	bytea	   *data = PG_GETARG_BYTEA_PP(0);
	uint8		d[32];
	char		hex[FORAY_HASH_TEXT_LEN + 1];

	if (jcs_sha256_oneshot(VARDATA_ANY(data), VARSIZE_ANY_EXHDR(data), d) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_EXTERNAL_ROUTINE_EXCEPTION),
				 errmsg("SHA-256 failed in libcrypto")));
	jcs_hash_text(d, hex);
	PG_RETURN_TEXT_P(cstring_to_text_with_len(hex, FORAY_HASH_TEXT_LEN));
}

PG_FUNCTION_INFO_V1(foray_canonical_number);
Datum
foray_canonical_number(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	bool		strict = PG_GETARG_BOOL(1);
	char		out[JCS_NUMBER_MAX];
	size_t		n;
	bool		changed;
	jcs_status	st;

	st = jcs_number(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), out, &n, &changed);
	if (st == JCS_OK && changed && strict)
		st = JCS_ERR_NUMBER_CHANGED;
	if (st != JCS_OK)
	{
		char	   *shown = pnstrdup(VARDATA_ANY(t), Min(VARSIZE_ANY_EXHDR(t), 64));

		switch (st)
		{
			case JCS_ERR_NUMBER_SYNTAX:
				ereport(ERROR,
						(errcode(ERRCODE_FORAY_NUMBER_SYNTAX),
						 errmsg("invalid number \"%s\"", shown),
						 errdetail("Rule JCS-NUM-SYNTAX: numbers follow the JSON grammar (RFC 8259).")));
				break;
			case JCS_ERR_NUMBER_RANGE:
				ereport(ERROR,
						(errcode(ERRCODE_FORAY_NUMBER_RANGE),
						 errmsg("number %s is not a finite double", shown),
						 errdetail("Rule JCS-NUM-RANGE: RFC 8785 numbers are finite IEEE-754 doubles.")));
				break;
			case JCS_ERR_NUMBER_CHANGED:
				ereport(ERROR,
						(errcode(ERRCODE_FORAY_NUMBER_CHANGED),
						 errmsg("number %s would change value when canonicalised", shown),
						 errdetail("Rule JCS-NUM-VALUE: %s canonicalises to %s, a different value.",
								   shown, out)));
				break;
			default:
				ereport(ERROR,
						(errcode(ERRCODE_OUT_OF_MEMORY),
						 errmsg("out of memory")));
		}
	}
	PG_RETURN_TEXT_P(cstring_to_text_with_len(out, (int) n));
}
