/*
 * fields.c
 *		Immutable helpers behind the generated columns: the *_refs text[]
 *		arrays taken from foray_core, ISO-8601 dates parsed without the
 *		session's time zone, and the reverse-lookup index keys.
 */
#include "compat.h"

#include "catalog/pg_type.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "iso8601.h"
#include "substrate.h"

PG_FUNCTION_INFO_V1(foray_core_text_array);
PG_FUNCTION_INFO_V1(foray_iso_timestamptz);
PG_FUNCTION_INFO_V1(foray_iso_date);
PG_FUNCTION_INFO_V1(foray_component_ref_keys);
PG_FUNCTION_INFO_V1(foray_attestation_ref_keys);

/*
 * The value of key in a jsonb object, or NULL when the key is absent or the
 * container is not an object.  The result is palloc'd.
 */
JsonbValue *
foray_core_get(Jsonb *core, const char *key)
{
	if (!JB_ROOT_IS_OBJECT(core))
		return NULL;
	return getKeyJsonValueFromContainer(&core->root, key, strlen(key), NULL);
}

/* Push an object key (building jsonb with pushJsonbValue). */
void
foray_push_key(JsonbParseState **ps, const char *key)
{
	JsonbValue	k;

	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = strlen(key);
	pushJsonbValue(ps, WJB_KEY, &k);
}

/* Push a string of len bytes as a value or an array element (tok). */
void
foray_push_string(JsonbParseState **ps, JsonbIteratorToken tok, const char *s, int len)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) s;
	v.val.string.len = len;
	pushJsonbValue(ps, tok, &v);
}

/*
 * The array of strings under key as a text[]; {} for an absent or null key.
 * Anything else is a shape error naming what (e.g. "arrangement_refs").
 */
ArrayType *
foray_core_text_array_internal(Jsonb *core, const char *key, const char *what)
{
	JsonbValue *v = foray_core_get(core, key);
	Datum	   *elems;
	int			n = 0;
	JsonbIterator *it;
	JsonbValue	ev;
	JsonbIteratorToken tok;

	if (v == NULL || v->type == jbvNull)
		return construct_empty_array(TEXTOID);
	if (v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data) ||
		JsonContainerIsScalar(v->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_INVALID_CORE),
				 errmsg("foray_core field \"%s\" must be an array of strings", what)));

	elems = palloc(sizeof(Datum) * (JsonContainerSize(v->val.binary.data) + 1));
	it = JsonbIteratorInit(v->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &ev, true)) != WJB_DONE)
	{
		if (tok != WJB_ELEM)
			continue;
		if (ev.type != jbvString)
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_INVALID_CORE),
					 errmsg("foray_core field \"%s\" must be an array of strings", what),
					 errdetail("Element %d is not a string.", n + 1)));
		elems[n++] = PointerGetDatum(cstring_to_text_with_len(ev.val.string.val,
															  ev.val.string.len));
	}
	return construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT);
}

Datum
foray_core_text_array(PG_FUNCTION_ARGS)
{
	Jsonb	   *core = PG_GETARG_JSONB_P(0);
	char	   *key = text_to_cstring(PG_GETARG_TEXT_PP(1));

	PG_RETURN_ARRAYTYPE_P(foray_core_text_array_internal(core, key, key));
}

/* ---- ISO-8601 ---------------------------------------------------------- */

/*
 * Parse YYYY-MM-DD[(T|space)HH:MM[:SS[.frac]]][Z|(+|-)HH[:]MM] (the grammar
 * of src/core/iso8601.c, shared with foray-verify).
 * A date-time without an offset is read as UTC; a date alone is midnight UTC.
 * Returns false on any malformation.  Pure: no session settings consulted.
 */
static bool
parse_iso(const char *s, int *jd, int64 *usec_of_day, int *offset_sec, bool *has_time)
{
	foray_iso8601 f;

	if (!foray_iso8601_parse(s, strlen(s), &f))
		return false;
	*jd = date2j(f.year, f.month, f.day);
	*usec_of_day = ((int64) f.hour * 3600 + f.minute * 60 + f.second) * USECS_PER_SEC + f.usec;
	*offset_sec = f.offset_sec;
	*has_time = f.has_time;
	return true;
}

bool
foray_is_iso8601(const char *value)
{
	int			jd;
	int64		usec;
	int			off;
	bool		has_time;

	return parse_iso(value, &jd, &usec, &off, &has_time);
}

Datum
foray_iso_timestamptz(PG_FUNCTION_ARGS)
{
	char	   *s = text_to_cstring(PG_GETARG_TEXT_PP(0));
	int			jd;
	int64		usec;
	int			off;
	bool		has_time;
	TimestampTz result;

	if (!parse_iso(s, &jd, &usec, &off, &has_time))
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_INVALID_DATETIME),
				 errmsg("\"%s\" is not an ISO-8601 date or date-time", s),
				 errhint("Use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS with Z or an offset such as +02:00.")));
	result = (int64) (jd - POSTGRES_EPOCH_JDATE) * USECS_PER_DAY + usec -
		(int64) off * USECS_PER_SEC;
	PG_RETURN_TIMESTAMPTZ(result);
}

Datum
foray_iso_date(PG_FUNCTION_ARGS)
{
	char	   *s = text_to_cstring(PG_GETARG_TEXT_PP(0));
	int			jd;
	int64		usec;
	int			off;
	bool		has_time;

	if (!parse_iso(s, &jd, &usec, &off, &has_time))
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_INVALID_DATETIME),
				 errmsg("\"%s\" is not an ISO-8601 date or date-time", s)));
	PG_RETURN_DATEADT(jd - POSTGRES_EPOCH_JDATE);
}

/* ---- reverse-lookup keys ------------------------------------------------ */

#define FORAY_KEY_SEPARATOR '\x1f'

static int
append_keys(Datum *out, int n, text *tx, ArrayType *refs)
{
	Datum	   *elems;
	bool	   *nulls;
	int			nelems;
	int			txlen = VARSIZE_ANY_EXHDR(tx);

	deconstruct_array(refs, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &nelems);
	for (int i = 0; i < nelems; i++)
	{
		text	   *r;
		int			rlen;
		text	   *k;
		char	   *dst;

		if (nulls[i])
			continue;
		r = DatumGetTextPP(elems[i]);
		rlen = VARSIZE_ANY_EXHDR(r);
		k = (text *) palloc(VARHDRSZ + txlen + 1 + rlen);
		SET_VARSIZE(k, VARHDRSZ + txlen + 1 + rlen);
		dst = VARDATA(k);
		memcpy(dst, VARDATA_ANY(tx), txlen);
		dst[txlen] = FORAY_KEY_SEPARATOR;
		memcpy(dst + txlen + 1, VARDATA_ANY(r), rlen);
		out[n++] = PointerGetDatum(k);
	}
	return n;
}

static Datum
ref_keys(text *tx, ArrayType **arrays, int narrays)
{
	int			total = 0;
	int			n = 0;
	Datum	   *keys;

	for (int i = 0; i < narrays; i++)
		total += ArrayGetNItems(ARR_NDIM(arrays[i]), ARR_DIMS(arrays[i]));
	keys = palloc(sizeof(Datum) * (total + 1));
	for (int i = 0; i < narrays; i++)
		n = append_keys(keys, n, tx, arrays[i]);
	return PointerGetDatum(construct_array(keys, n, TEXTOID, -1, false, TYPALIGN_INT));
}

Datum
foray_component_ref_keys(PG_FUNCTION_ARGS)
{
	ArrayType  *arrays[3];

	arrays[0] = PG_GETARG_ARRAYTYPE_P(1);
	arrays[1] = PG_GETARG_ARRAYTYPE_P(2);
	arrays[2] = PG_GETARG_ARRAYTYPE_P(3);
	return ref_keys(PG_GETARG_TEXT_PP(0), arrays, 3);
}

Datum
foray_attestation_ref_keys(PG_FUNCTION_ARGS)
{
	ArrayType  *arrays[2];

	arrays[0] = PG_GETARG_ARRAYTYPE_P(1);
	arrays[1] = PG_GETARG_ARRAYTYPE_P(2);
	return ref_keys(PG_GETARG_TEXT_PP(0), arrays, 2);
}

/*
 * The two CHECK constraints of foray_transactions that used to be regular
 * expressions: a CHECK runs on every update of the row too (the substrate
 * moves each transaction's lifecycle), and the regex engine cost a tenth of
 * a bulk load.  Both accept ASCII only.
 *
 * foray.is_transaction_id(id): ^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$
 */
PG_FUNCTION_INFO_V1(foray_is_transaction_id);
Datum
foray_is_transaction_id(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	const char *s = VARDATA_ANY(t);
	int			n = VARSIZE_ANY_EXHDR(t);

	if (n < 1 || n > 200)
		PG_RETURN_BOOL(false);
	for (int i = 0; i < n; i++)
	{
		unsigned char c = (unsigned char) s[i];
		bool		ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
			(i > 0 && (c == '_' || c == '.' || c == ':' || c == '-'));

		if (!ok)
			PG_RETURN_BOOL(false);
	}
	PG_RETURN_BOOL(true);
}

static bool
digits(const char *s, int n, int *pos, int count)
{
	for (int i = 0; i < count; i++)
	{
		if (*pos >= n || s[*pos] < '0' || s[*pos] > '9')
			return false;
		(*pos)++;
	}
	return true;
}

/*
 * foray.is_document_timestamp(ts): the shapes of ISO-8601 the document
 * "timestamp" may take,
 *   ^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$
 */
PG_FUNCTION_INFO_V1(foray_is_document_timestamp);
Datum
foray_is_document_timestamp(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	const char *s = VARDATA_ANY(t);
	int			n = VARSIZE_ANY_EXHDR(t);
	int			p = 0;

#define EXPECT(ch) do { if (p >= n || s[p] != (ch)) PG_RETURN_BOOL(false); p++; } while (0)
#define DIGITS(k) do { if (!digits(s, n, &p, (k))) PG_RETURN_BOOL(false); } while (0)
	DIGITS(4);
	EXPECT('-');
	DIGITS(2);
	EXPECT('-');
	DIGITS(2);
	if (p == n)
		PG_RETURN_BOOL(true);
	if (s[p] != 'T' && s[p] != ' ')
		PG_RETURN_BOOL(false);
	p++;
	DIGITS(2);
	EXPECT(':');
	DIGITS(2);
	if (p < n && s[p] == ':')
	{
		p++;
		DIGITS(2);
		if (p < n && s[p] == '.')
		{
			p++;
			DIGITS(1);
			while (p < n && s[p] >= '0' && s[p] <= '9')
				p++;
		}
	}
	if (p == n)
		PG_RETURN_BOOL(true);
	if (s[p] == 'Z')
		p++;
	else if (s[p] == '+' || s[p] == '-')
	{
		p++;
		DIGITS(2);
		if (p < n && s[p] == ':')
			p++;
		DIGITS(2);
	}
	else
		PG_RETURN_BOOL(false);
#undef EXPECT
#undef DIGITS
	PG_RETURN_BOOL(p == n);
}

/*
 * The CHECK constraints of foray_components and foray_attestations, in C:
 * they run on every update of a row too, and readiness updates components
 * by the thousand.  Each mirrors the SQL it replaced (docs/schema.md).
 *
 * foray.is_sha256_text(h): 'sha256:' followed by 64 lowercase hex digits.
 */
PG_FUNCTION_INFO_V1(foray_is_sha256_text);
Datum
foray_is_sha256_text(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	const char *s = VARDATA_ANY(t);
	int			n = VARSIZE_ANY_EXHDR(t);

	if (n != 71 || memcmp(s, "sha256:", 7) != 0)
		PG_RETURN_BOOL(false);
	for (int i = 7; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(true);
}

/*
 * foray.is_uuid_text(value): value is a UUID in its canonical text form,
 * lower-case: ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$.
 * Behind memory_events_actor_check (every engine event pays it).
 */
PG_FUNCTION_INFO_V1(foray_is_uuid_text);
Datum
foray_is_uuid_text(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	const char *s = VARDATA_ANY(t);
	int			n = VARSIZE_ANY_EXHDR(t);

	if (n != 36)
		PG_RETURN_BOOL(false);
	for (int i = 0; i < n; i++)
	{
		if (i == 8 || i == 13 || i == 18 || i == 23)
		{
			if (s[i] != '-')
				PG_RETURN_BOOL(false);
		}
		else if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			PG_RETURN_BOOL(false);
	}
	PG_RETURN_BOOL(true);
}

/*
 * foray.has_id_prefix(id, prefix): id begins with prefix || '_' and is 5 to
 * 200 characters long.
 */
PG_FUNCTION_INFO_V1(foray_has_id_prefix);
Datum
foray_has_id_prefix(PG_FUNCTION_ARGS)
{
	text	   *t = PG_GETARG_TEXT_PP(0);
	text	   *p = PG_GETARG_TEXT_PP(1);
	const char *s = VARDATA_ANY(t);
	int			n = VARSIZE_ANY_EXHDR(t);
	int			pn = VARSIZE_ANY_EXHDR(p);
	int			chars;

	if (n < pn + 1 || memcmp(s, VARDATA_ANY(p), pn) != 0 || s[pn] != '_')
		PG_RETURN_BOOL(false);
	chars = pg_mbstrlen_with_len(s, n);
	PG_RETURN_BOOL(chars >= 5 && chars <= 200);
}

static bool
array_empty(ArrayType *a)
{
	return ARR_NDIM(a) == 0 || ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a)) == 0;
}

/*
 * foray.refs_typed(component_type, arrangement_refs, accrual_refs,
 * anticipation_refs): ARR holds no refs; ACC arrangement_refs only; ANT no
 * anticipation_refs; ACT anything.
 */
PG_FUNCTION_INFO_V1(foray_refs_typed);
Datum
foray_refs_typed(PG_FUNCTION_ARGS)
{
	char	   *type = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
	ArrayType  *acc = PG_GETARG_ARRAYTYPE_P(2);
	ArrayType  *ant = PG_GETARG_ARRAYTYPE_P(3);

	if (strcmp(type, "ARR") == 0)
		PG_RETURN_BOOL(array_empty(arr) && array_empty(acc) && array_empty(ant));
	if (strcmp(type, "ACC") == 0)
		PG_RETURN_BOOL(array_empty(acc) && array_empty(ant));
	if (strcmp(type, "ANT") == 0)
		PG_RETURN_BOOL(array_empty(ant));
	PG_RETURN_BOOL(true);
}
