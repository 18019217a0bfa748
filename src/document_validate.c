/*
 * document_validate.c
 *		foray.validate_document(): every violation of a FORAY v4.1 document,
 *		reported at once (rule id, severity, component id, JSON path,
 *		message), and foray.document_rules(), the rule table.
 *
 * The document is walked with getKeyJsonValueFromContainer and
 * getIthJsonbValueFromContainer only: no recursion over user data (the
 * depth check uses the jsonb iterator, which keeps its own stack on the
 * heap; the cycle search uses an explicit stack), so a 10,000-deep or
 * 50 MB document costs memory proportional to its size, never C stack.
 *
 * Rule ids and their classification: docs/rules.md.
 */
#include "compat.h"

#include "document.h"
#include "protocol.h"

#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/hsearch.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

const ForayKindInfo foray_kinds[FORAY_NKINDS] = {
	{"arrangements", "ARR_", "arrangement", "ARR"},
	{"accruals", "ACC_", "accrual", "ACC"},
	{"anticipations", "ANT_", "anticipation", "ANT"},
	{"actions", "ACT_", "action", "ACT"},
	{"attestations", "ATT_", "attestation", "ATT"},
};

/* The *_refs arrays of the DAG components, and the kind each one names. */
typedef struct RefField
{
	const char *field;			/* "arrangement_refs" */
	const char *singular;		/* "arrangement_ref" (deprecated, v4.0) */
	ForayKind	names;			/* kind of every entry */
} RefField;

static const RefField ref_fields[] = {
	{"arrangement_refs", "arrangement_ref", FORAY_ARR},
	{"accrual_refs", "accrual_ref", FORAY_ACC},
	{"anticipation_refs", "anticipation_ref", FORAY_ANT},
};
#define NREF_FIELDS lengthof(ref_fields)

/* which *_refs arrays (bit per referenced kind) a kind may hold: §6.3/§10.2 */
#define KBIT(k) (1 << (k))
static const int may_reference[FORAY_NKINDS] = {
	0,							/* ARR: nothing */
	KBIT(FORAY_ARR),			/* ACC: arrangements */
	KBIT(FORAY_ARR) | KBIT(FORAY_ACC),	/* ANT */
	KBIT(FORAY_ARR) | KBIT(FORAY_ACC) | KBIT(FORAY_ANT),	/* ACT */
	0,							/* ATT: only through subject_refs */
};

/* ------------------------------------------------------------------
 * The rule table
 * ------------------------------------------------------------------ */
typedef struct ForayRule
{
	const char *rule_id;
	bool		structural;
	bool		warning;
	const char *spec;
	const char *description;
} ForayRule;

static const ForayRule rule_table[] = {
	/* structural: the substrate cannot hold it (or its triggers refuse it) */
	{"DOC-001", true, false, "§2.1", "the document is a JSON object"},
	{"DOC-002", true, false, "substrate", "arrays and objects nest at most 64 levels deep"},
	{"SHAPE-001", true, false, "§2.1, §4, §9.3, §10.3", "fields have their protocol types: objects, arrays of strings, strings, numbers"},
	{"SHAPE-002", true, false, "§2.2, §2.1, §9.3", "required fields are present: transaction_id, schema_version, timestamp, foray_core with entity and transaction_type; the attestation fields §9.3 requires"},
	{"SHAPE-003", true, false, "§2.2, §9.3", "timestamp and attestation dates are ISO-8601"},
	{"SHAPE-004", true, false, "§4", "a component holds only id, foray_core and audit_data"},
	{"SHAPE-005", true, false, "RFC 8259 §4", "no key appears twice in one object (checked on the JSON text: validate_document_text, import_document_text)"},
	{"ENUM-001", true, false, "§2.1, §9.3", "foray_core.status, attestor_type, attestation_type and outcome take the values the spec lists"},
	{"ID-001", true, false, "§4, §10.3", "a component id carries its type prefix (ARR_, ACC_, ANT_, ACT_)"},
	{"ID-002", true, false, "substrate", "transaction_id is 1 to 200 characters of [A-Za-z0-9_.:-], starting with a letter or digit"},
	{"ID-003", true, false, "§2.1", "component ids are unique within the transaction"},
	{"ID-004", true, false, "§4", "a component id is a non-empty string of at most 200 characters"},
	{"TX-001", true, false, "§2.2, §6.1 rule 1", "at least one component"},
	{"TX-002", true, false, "§6.1 rule 2, §7.3", "schema_version is 4.1 (4.0 and 3.0 are upgraded, with a warning)"},
	{"TX-003", true, false, "§6.1 rule 3", "every *_refs entry and every dependency names a component of the transaction"},
	{"TX-004", true, false, "§6.1 rule 4", "no circular references or dependencies among components"},
	{"REF-001", true, false, "§3.3, §6.3, §10.2", "a component holds only the *_refs arrays its type may hold, and every entry names that array's type"},
	{"REF-002", true, false, "§3.3", "a component does not reference itself"},
	{"REF-003", true, false, "§3.3", "no entry appears twice in one reference array"},
	{"REF-004", true, false, "§4.2-§4.4, §7.1", "no deprecated singular *_ref field in a 4.1 document"},
	{"ARR-001", true, false, "§6.2", "arrangement dependencies are empty"},
	{"ACC-001", true, false, "§6.2", "accrual output is a number"},
	{"ACT-001", true, false, "§6.2", "amount_settled is a number"},
	{"ALLOC-001", true, false, "§5.3 rule 2", "an allocation's ref names a component of the transaction"},
	{"ALLOC-002", true, false, "§5.3 rule 3", "an allocation's ref_type is the type of the component it names"},
	{"ALLOC-004", true, false, "§5.2, §10.3", "an allocation is an object with ref, ref_type, amount (number) and currency"},
	{"ATT-001", true, false, "§9.6", "an attestation id is unique and begins with ATT_"},
	{"ATT-002", true, false, "§9.6", "subject_refs names at least one component or attestation, all of the transaction"},
	{"ATT-006", true, false, "§9.6", "no circular attestation references"},
	{"ATT-007", true, false, "§9.3", "attestation dependencies name attestations of the transaction"},
	/* content: what the source system recorded */
	{"TX-005", false, false, "§6.1 rule 5, §5.3 rule 1", "an action's allocations sum to amount_settled within 0.01"},
	{"DEP-001", false, false, "§3.3, §4.2-§4.4", "a component's dependencies name only the upstream types it may reference"},
	{"ARR-002", false, false, "§6.2", "an arrangement has at least one party"},
	{"ACC-002", false, false, "§6.2", "accounting_entry debits equal credits"},
	{"ACC-003", false, true, "§4.2", "accounting_entry lines other than debit and credit (e.g. credit2) are summed with them"},
	{"ANT-001", false, false, "§6.2", "probability_factor is a number between 0 and 1"},
	{"ANT-002", false, true, "§6.2", "expected_date is not before the transaction's timestamp"},
	{"ACT-002", false, false, "§6.2, §4.4", "settlement_status is completed, pending, failed or reversed"},
	{"ACT-003", false, true, "§5.3 rule 1", "allocations sum exactly to amount_settled (a difference within the 0.01 tolerance)"},
	{"ALLOC-003", false, true, "§5.3 rule 4", "allocations use the action's currency"},
	{"ATT-003", false, false, "§9.6", "attestation_date is not in the future"},
	{"ATT-004", false, true, "§9.6", "an attestation whose validity_period has ended has outcome expired"},
	{"ATT-005", false, false, "§9.6", "attestor_hash is a SHA-256 (64 hex digits, optionally prefixed sha256:)"},
};

static const ForayRule *
find_rule(const char *rule_id)
{
	for (int i = 0; i < lengthof(rule_table); i++)
		if (strcmp(rule_table[i].rule_id, rule_id) == 0)
			return &rule_table[i];
	elog(ERROR, "unknown FORAY document rule \"%s\"", rule_id);
	return NULL;				/* keep compiler quiet */
}

bool
foray_rule_is_structural(const char *rule_id)
{
	return find_rule(rule_id)->structural;
}

/* ------------------------------------------------------------------
 * Validation state
 * ------------------------------------------------------------------ */
typedef struct VComp
{
	char	   *id;				/* NULL when missing or unusable */
	ForayKind	kind;
	char	   *path;			/* "$.accruals[3]" */
	JsonbContainer *core;		/* foray_core, NULL when not an object */
	int		   *edges;			/* indexes of referenced components */
	int			nedges;
	int			maxedges;
	int			color;			/* cycle search: 0 white, 1 grey, 2 black */
} VComp;

typedef struct IdEntry
{
	char		key[FORAY_MAX_ID_LEN + 1];
	int			index;
} IdEntry;

typedef struct VState
{
	List	   *out;
	VComp	   *comps;
	int			ncomps;
	HTAB	   *ids;
	TimestampTz as_of;
	bool		have_tx_ts;
	TimestampTz tx_ts;			/* the document's timestamp */
} VState;

static void report(VState *st, const char *rule_id, const char *component_id,
				   const char *path, const char *fmt,...) pg_attribute_printf(5, 6);

static void
report(VState *st, const char *rule_id, const char *component_id,
	   const char *path, const char *fmt,...)
{
	const ForayRule *rule = find_rule(rule_id);
	ForayViolation *v = palloc(sizeof(ForayViolation));
	StringInfoData buf;

	initStringInfo(&buf);
	for (;;)
	{
		va_list		args;
		int			needed;

		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	v->rule_id = rule->rule_id;
	v->warning = rule->warning;
	v->structural = rule->structural;
	v->component_id = component_id ? pstrdup(component_id) : NULL;
	v->json_path = pstrdup(path);
	v->message = buf.data;
	st->out = lappend(st->out, v);
}

/* ------------------------------------------------------------------
 * Small jsonb helpers
 * ------------------------------------------------------------------ */
static JsonbValue *
obj_get(JsonbContainer *c, const char *key)
{
	if (c == NULL || !JsonContainerIsObject(c))
		return NULL;
	return getKeyJsonValueFromContainer(c, key, strlen(key), NULL);
}

static JsonbContainer *
as_object(JsonbValue *v)
{
	if (v && v->type == jbvBinary && JsonContainerIsObject(v->val.binary.data))
		return v->val.binary.data;
	return NULL;
}

static JsonbContainer *
as_array(JsonbValue *v)
{
	if (v && v->type == jbvBinary && JsonContainerIsArray(v->val.binary.data))
		return v->val.binary.data;
	return NULL;
}

static const char *
jtype(JsonbValue *v)
{
	switch (v->type)
	{
		case jbvNull:
			return "null";
		case jbvString:
			return "a string";
		case jbvNumeric:
			return "a number";
		case jbvBool:
			return "a boolean";
		case jbvBinary:
			return JsonContainerIsObject(v->val.binary.data) ? "an object" : "an array";
		default:
			return "a JSON value";
	}
}

static char *
jstr(JsonbValue *v)
{
	return pnstrdup(v->val.string.val, v->val.string.len);
}

static bool
is_string_in(JsonbValue *v, const char *const *values)
{
	if (v == NULL || v->type != jbvString)
		return false;
	for (int i = 0; values[i]; i++)
		if (strlen(values[i]) == v->val.string.len &&
			memcmp(values[i], v->val.string.val, v->val.string.len) == 0)
			return true;
	return false;
}

static char *
num_text(Numeric n)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(n)));
}

static Numeric
num_add(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_add,
											   NumericGetDatum(a), NumericGetDatum(b)));
}

static Numeric
num_absdiff(Numeric a, Numeric b)
{
	Datum		d = DirectFunctionCall2(numeric_sub, NumericGetDatum(a), NumericGetDatum(b));

	return DatumGetNumeric(DirectFunctionCall1(numeric_abs, d));
}

static int
num_cmp(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp,
											 NumericGetDatum(a), NumericGetDatum(b)));
}

static Numeric
num_const(const char *s)
{
	return DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(s),
											   ObjectIdGetDatum(InvalidOid),
											   Int32GetDatum(-1)));
}

/* ------------------------------------------------------------------
 * ISO-8601, without the session time zone: YYYY-MM-DD, optionally
 * followed by [T ]HH:MM[:SS[.fraction]][Z|+HH[:]MM|-HH[:]MM].  A
 * date-time without offset is UTC.  The same grammar as the schema's
 * timestamp check, plus range checks on every field.
 * ------------------------------------------------------------------ */
static bool
digits(const char *s, int len, int pos, int n, int *value)
{
	int			v = 0;

	if (pos + n > len)
		return false;
	for (int i = 0; i < n; i++)
	{
		if (s[pos + i] < '0' || s[pos + i] > '9')
			return false;
		v = v * 10 + (s[pos + i] - '0');
	}
	*value = v;
	return true;
}

bool
foray_parse_iso8601(const char *s, int len, TimestampTz *result, bool *date_only)
{
	int			y,
				m,
				d,
				hh = 0,
				mi = 0,
				ss = 0,
				usec = 0,
				off = 0;
	int			p;
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int			dim;

	if (!digits(s, len, 0, 4, &y) || len < 10 || s[4] != '-' ||
		!digits(s, len, 5, 2, &m) || s[7] != '-' || !digits(s, len, 8, 2, &d))
		return false;
	if (y < 1 || m < 1 || m > 12 || d < 1)
		return false;
	dim = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		dim = 29;
	if (d > dim)
		return false;
	p = 10;
	*date_only = (p == len);
	if (p < len)
	{
		if (s[p] != 'T' && s[p] != ' ')
			return false;
		if (!digits(s, len, p + 1, 2, &hh) || p + 3 >= len || s[p + 3] != ':' ||
			!digits(s, len, p + 4, 2, &mi))
			return false;
		p += 6;
		if (p < len && s[p] == ':')
		{
			if (!digits(s, len, p + 1, 2, &ss))
				return false;
			p += 3;
			if (p < len && s[p] == '.')
			{
				int			nd = 0;

				p++;
				while (p < len && s[p] >= '0' && s[p] <= '9')
				{
					if (nd < 6)
						usec = usec * 10 + (s[p] - '0');
					nd++;
					p++;
				}
				if (nd == 0)
					return false;
				for (; nd < 6; nd++)
					usec *= 10;
			}
		}
		if (p < len && s[p] == 'Z')
			p++;
		else if (p < len && (s[p] == '+' || s[p] == '-'))
		{
			int			oh,
						om;
			int			sign = (s[p] == '-') ? -1 : 1;

			if (!digits(s, len, p + 1, 2, &oh))
				return false;
			p += 3;
			if (p < len && s[p] == ':')
				p++;
			if (!digits(s, len, p, 2, &om))
				return false;
			p += 2;
			if (oh > 15 || om > 59)
				return false;
			off = sign * (oh * 3600 + om * 60);
		}
		if (p != len || hh > 23 || mi > 59 || ss > 59)
			return false;
	}
	*result = ((TimestampTz) (date2j(y, m, d) - POSTGRES_EPOCH_JDATE)) * USECS_PER_DAY +
		((TimestampTz) ((hh * 60 + mi) * 60 + ss - off)) * USECS_PER_SEC + usec;
	return true;
}

static TimestampTz
day_of(TimestampTz t)
{
	TimestampTz r = t - (t % USECS_PER_DAY);

	if (t < 0 && t % USECS_PER_DAY != 0)
		r -= USECS_PER_DAY;
	return r;
}

/* ------------------------------------------------------------------
 * Id table
 * ------------------------------------------------------------------ */
static int
lookup_id(VState *st, const char *id, int len)
{
	char		key[FORAY_MAX_ID_LEN + 1];
	IdEntry    *e;

	if (len < 1 || len > FORAY_MAX_ID_LEN || memchr(id, '\0', len) != NULL)
		return -1;
	memset(key, 0, sizeof(key));
	memcpy(key, id, len);
	e = hash_search(st->ids, key, HASH_FIND, NULL);
	return e ? e->index : -1;
}

static void
add_edge(VComp *c, int target)
{
	if (c->nedges == c->maxedges)
	{
		c->maxedges = c->maxedges ? c->maxedges * 2 : 8;
		c->edges = c->edges ? repalloc(c->edges, c->maxedges * sizeof(int))
			: palloc(c->maxedges * sizeof(int));
	}
	c->edges[c->nedges++] = target;
}

static bool
has_prefix(const char *s, int len, const char *prefix)
{
	int			pl = strlen(prefix);

	return len > pl && memcmp(s, prefix, pl) == 0;
}

/* ------------------------------------------------------------------
 * Reference arrays
 * ------------------------------------------------------------------ */
typedef struct RefEntry
{
	const char *s;
	int			len;
	int			index;
} RefEntry;

static int
refentry_cmp(const void *a, const void *b)
{
	const RefEntry *x = a;
	const RefEntry *y = b;
	int			r = memcmp(x->s, y->s, Min(x->len, y->len));

	if (r != 0)
		return r;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->index - y->index;
}

/*
 * Checks shared by every reference array: it is an array of strings
 * (shape_rule), no entry is the component itself (REF-002), no entry
 * appears twice (REF-003).  Returns the array, or NULL when it is not one.
 */
static JsonbContainer *
check_ref_array(VState *st, VComp *c, JsonbValue *v, const char *field,
				const char *path, const char *shape_rule)
{
	JsonbContainer *arr = as_array(v);
	int			n;
	RefEntry   *entries;
	int			nentries = 0;

	if (arr == NULL)
	{
		report(st, shape_rule, c->id, path, "%s must be an array of component ids, not %s",
			   field, jtype(v));
		return NULL;
	}
	n = JsonContainerSize(arr);
	if (n == 0)
		return arr;
	entries = palloc(n * sizeof(RefEntry));
	for (int i = 0; i < n; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(arr, i);

		if (e->type != jbvString)
		{
			report(st, shape_rule, c->id, psprintf("%s[%d]", path, i),
				   "%s entries must be strings, not %s", field, jtype(e));
			continue;
		}
		if (c->id && e->val.string.len == strlen(c->id) &&
			memcmp(e->val.string.val, c->id, e->val.string.len) == 0)
			report(st, "REF-002", c->id, psprintf("%s[%d]", path, i),
				   "component \"%s\" references itself in %s", c->id, field);
		entries[nentries].s = e->val.string.val;
		entries[nentries].len = e->val.string.len;
		entries[nentries].index = i;
		nentries++;
	}
	qsort(entries, nentries, sizeof(RefEntry), refentry_cmp);
	for (int i = 1; i < nentries; i++)
		if (entries[i].len == entries[i - 1].len &&
			memcmp(entries[i].s, entries[i - 1].s, entries[i].len) == 0)
			report(st, "REF-003", c->id, psprintf("%s[%d]", path, entries[i].index),
				   "%s lists \"%s\" more than once", field,
				   pnstrdup(entries[i].s, entries[i].len));
	pfree(entries);
	return arr;
}

/* ------------------------------------------------------------------
 * Pass 1: components, ids, prefixes, duplicates
 * ------------------------------------------------------------------ */
static void
collect_components(VState *st, JsonbContainer *root)
{
	int			total = 0;
	HASHCTL		ctl;

	for (int k = 0; k < FORAY_NKINDS; k++)
	{
		JsonbContainer *arr = as_array(obj_get(root, foray_kinds[k].array));

		if (arr)
			total += JsonContainerSize(arr);
	}
	st->comps = palloc0(Max(total, 1) * sizeof(VComp));
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = FORAY_MAX_ID_LEN + 1;
	ctl.entrysize = sizeof(IdEntry);
	ctl.hcxt = CurrentMemoryContext;
	st->ids = hash_create("foray document ids", Max(total, 16), &ctl,
						  HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);

	for (int k = 0; k < FORAY_NKINDS; k++)
	{
		const ForayKindInfo *ki = &foray_kinds[k];
		JsonbContainer *arr = as_array(obj_get(root, ki->array));
		int			n;

		if (arr == NULL)
			continue;
		n = JsonContainerSize(arr);
		for (int i = 0; i < n; i++)
		{
			JsonbValue *elem = getIthJsonbValueFromContainer(arr, i);
			VComp	   *c = &st->comps[st->ncomps++];
			JsonbContainer *obj = as_object(elem);
			JsonbValue *idv;
			JsonbValue *v;

			c->kind = k;
			c->path = psprintf("$.%s[%d]", ki->array, i);
			if (obj == NULL)
			{
				report(st, "SHAPE-001", NULL, c->path, "%s entries must be objects, not %s",
					   ki->array, jtype(elem));
				continue;
			}
			idv = obj_get(obj, "id");
			if (idv == NULL || idv->type != jbvString || idv->val.string.len == 0 ||
				idv->val.string.len > FORAY_MAX_ID_LEN ||
				memchr(idv->val.string.val, '\0', idv->val.string.len) != NULL)
			{
				report(st, "ID-004", NULL, psprintf("%s.id", c->path),
					   idv == NULL ? "component has no id" :
					   idv->type != jbvString ? "component id must be a string" :
					   "component id must be 1 to 200 characters");
			}
			else
			{
				IdEntry    *e;
				bool		found;

				c->id = jstr(idv);
				if (!has_prefix(c->id, strlen(c->id), ki->prefix))
					report(st, k == FORAY_ATT ? "ATT-001" : "ID-001", c->id,
						   psprintf("%s.id", c->path),
						   "id \"%s\" in %s must begin with %s", c->id, ki->array, ki->prefix);
				e = hash_search(st->ids, c->id, HASH_ENTER, &found);
				if (found)
					report(st, k == FORAY_ATT ? "ATT-001" : "ID-003", c->id,
						   psprintf("%s.id", c->path),
						   "id \"%s\" is already used by %s", c->id,
						   st->comps[e->index].path);
				else
					e->index = c - st->comps;
			}

			v = obj_get(obj, "foray_core");
			c->core = as_object(v);
			if (c->core == NULL)
				report(st, "SHAPE-001", c->id, psprintf("%s.foray_core", c->path),
					   v == NULL ? "component has no foray_core object" :
					   "foray_core must be an object, not %s", v ? jtype(v) : "");
			v = obj_get(obj, "audit_data");
			if (v && as_object(v) == NULL && v->type != jbvNull)
				report(st, "SHAPE-001", c->id, psprintf("%s.audit_data", c->path),
					   "audit_data must be an object, not %s", jtype(v));

			/* any other member has no place in the substrate */
			{
				JsonbIterator *it = JsonbIteratorInit(obj);
				JsonbValue	kv;
				JsonbIteratorToken tok;

				while ((tok = JsonbIteratorNext(&it, &kv, true)) != WJB_DONE)
				{
					if (tok != WJB_KEY)
						continue;
					if ((kv.val.string.len == 2 && memcmp(kv.val.string.val, "id", 2) == 0) ||
						(kv.val.string.len == 10 && memcmp(kv.val.string.val, "foray_core", 10) == 0) ||
						(kv.val.string.len == 10 && memcmp(kv.val.string.val, "audit_data", 10) == 0))
						continue;
					report(st, "SHAPE-004", c->id, psprintf("%s.%s", c->path, jstr(&kv)),
						   "component field \"%s\" belongs in foray_core or audit_data",
						   jstr(&kv));
				}
			}
		}
	}
}

/* ------------------------------------------------------------------
 * Pass 2: per-component rules
 * ------------------------------------------------------------------ */
static void
check_dag_refs(VState *st, VComp *c, bool is_41)
{
	for (int f = 0; f < NREF_FIELDS; f++)
	{
		const RefField *rf = &ref_fields[f];
		char	   *path = psprintf("%s.foray_core.%s", c->path, rf->field);
		JsonbValue *v = obj_get(c->core, rf->field);
		JsonbContainer *arr;
		int			n;

		if (obj_get(c->core, rf->singular) != NULL)
			report(st, "REF-004", c->id, psprintf("%s.foray_core.%s", c->path, rf->singular),
				   is_41 ? "%s is deprecated in schema 4.1: use %s" :
				   "%s cannot be upgraded: the component also has %s",
				   rf->singular, rf->field);
		if (v == NULL)
			continue;
		arr = check_ref_array(st, c, v, rf->field, path, "SHAPE-001");
		if (arr == NULL)
			continue;
		n = JsonContainerSize(arr);
		if (n > 0 && !(may_reference[c->kind] & KBIT(rf->names)))
		{
			report(st, "REF-001", c->id, path, "%s cannot have %s",
				   foray_kinds[c->kind].array, rf->field);
			continue;
		}
		for (int i = 0; i < n; i++)
		{
			JsonbValue *e = getIthJsonbValueFromContainer(arr, i);
			int			t;

			if (e->type != jbvString)
				continue;
			if (!has_prefix(e->val.string.val, e->val.string.len, foray_kinds[rf->names].prefix))
				report(st, "REF-001", c->id, psprintf("%s[%d]", path, i),
					   "%s entry \"%s\" must name %s (%s)", rf->field, jstr(e),
					   foray_kinds[rf->names].array, foray_kinds[rf->names].prefix);
			t = lookup_id(st, e->val.string.val, e->val.string.len);
			if (t < 0)
				report(st, "TX-003", c->id, psprintf("%s[%d]", path, i),
					   "referenced id \"%s\" does not exist in the transaction", jstr(e));
			else if (st->comps[t].kind != FORAY_ATT && &st->comps[t] != c)
				add_edge(c, t);
		}
	}
}

static void
check_dependencies(VState *st, VComp *c)
{
	JsonbValue *v = obj_get(c->core, "dependencies");
	char	   *path = psprintf("%s.foray_core.dependencies", c->path);
	JsonbContainer *arr;
	int			n;

	if (v == NULL)
		return;
	arr = check_ref_array(st, c, v, "dependencies", path, "SHAPE-001");
	if (arr == NULL)
		return;
	n = JsonContainerSize(arr);
	if (c->kind == FORAY_ARR && n > 0)
		report(st, "ARR-001", c->id, path,
			   "arrangement \"%s\" lists %d dependenc%s; arrangements are entry points",
			   c->id ? c->id : "?", n, n == 1 ? "y" : "ies");
	for (int i = 0; i < n; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(arr, i);
		char	   *epath;
		int			t;

		if (e->type != jbvString)
			continue;
		epath = psprintf("%s[%d]", path, i);
		t = lookup_id(st, e->val.string.val, e->val.string.len);
		if (c->kind == FORAY_ATT)
		{
			if (t < 0 || st->comps[t].kind != FORAY_ATT)
				report(st, "ATT-007", c->id, epath,
					   t < 0 ? "dependency \"%s\" is not an attestation of the transaction" :
					   "dependency \"%s\" is not an attestation", jstr(e));
			else if (&st->comps[t] != c)
				add_edge(c, t);
			continue;
		}
		if (t < 0)
		{
			report(st, "TX-003", c->id, epath,
				   "dependency \"%s\" does not exist in the transaction", jstr(e));
			continue;
		}
		if (&st->comps[t] == c)
			continue;
		if (c->kind != FORAY_ARR && !(may_reference[c->kind] & KBIT(st->comps[t].kind)))
			report(st, "DEP-001", c->id, epath, "%s cannot depend on %s \"%s\"",
				   foray_kinds[c->kind].array, foray_kinds[st->comps[t].kind].array, jstr(e));
		if (st->comps[t].kind != FORAY_ATT)
			add_edge(c, t);
	}
}

static void
check_number(VState *st, VComp *c, const char *field, const char *rule, Numeric *out)
{
	JsonbValue *v = obj_get(c->core, field);

	*out = NULL;
	if (v == NULL)
		report(st, rule, c->id, psprintf("%s.foray_core", c->path),
			   "%s has no %s", foray_kinds[c->kind].type_name, field);
	else if (v->type != jbvNumeric)
		report(st, rule, c->id, psprintf("%s.foray_core.%s", c->path, field),
			   "%s must be a number, not %s", field, jtype(v));
	else
		*out = v->val.numeric;
}

static void
check_arrangement(VState *st, VComp *c)
{
	JsonbValue *v = obj_get(c->core, "parties");
	JsonbContainer *arr = as_array(v);

	if (arr == NULL || JsonContainerSize(arr) == 0)
		report(st, "ARR-002", c->id, psprintf("%s.foray_core.parties", c->path),
			   v == NULL ? "arrangement has no parties" :
			   arr == NULL ? "parties must be an array" :
			   "arrangement has no parties");
}

/* one accounting_entry line set: an {account, amount} object or an array of them */
static bool
sum_lines(JsonbValue *v, Numeric *sum)
{
	JsonbContainer *arr = as_array(v);
	JsonbContainer *obj = as_object(v);

	if (obj)
	{
		JsonbValue *amt = obj_get(obj, "amount");

		if (amt == NULL || amt->type != jbvNumeric)
			return false;
		*sum = num_add(*sum, amt->val.numeric);
		return true;
	}
	if (arr)
	{
		for (int i = 0; i < JsonContainerSize(arr); i++)
		{
			JsonbValue *e = getIthJsonbValueFromContainer(arr, i);

			if (as_object(e) == NULL || !sum_lines(e, sum))
				return false;
		}
		return true;
	}
	return false;
}

static void
check_accrual(VState *st, VComp *c)
{
	Numeric		output;
	JsonbValue *v;
	JsonbContainer *ae;
	char	   *path = psprintf("%s.foray_core.accounting_entry", c->path);

	check_number(st, c, "output", "ACC-001", &output);

	v = obj_get(c->core, "accounting_entry");
	if (v == NULL || v->type == jbvNull)
		return;
	ae = as_object(v);
	if (ae == NULL)
	{
		report(st, "ACC-002", c->id, path, "accounting_entry must be an object, not %s", jtype(v));
		return;
	}
	{
		Numeric		debits = num_const("0");
		Numeric		credits = num_const("0");
		int			ndebit = 0,
					ncredit = 0;
		bool		ok = true;
		JsonbIterator *it = JsonbIteratorInit(ae);
		JsonbValue	kv;
		JsonbIteratorToken tok;
		char	   *key = NULL;

		while ((tok = JsonbIteratorNext(&it, &kv, true)) != WJB_DONE)
		{
			bool		is_debit,
						is_credit;

			if (tok == WJB_KEY)
			{
				key = jstr(&kv);
				continue;
			}
			if (tok != WJB_VALUE)
				continue;
			is_debit = strncmp(key, "debit", 5) == 0;
			is_credit = strncmp(key, "credit", 6) == 0;
			if (!is_debit && !is_credit)
				continue;
			if (strcmp(key, "debit") != 0 && strcmp(key, "credit") != 0)
				report(st, "ACC-003", c->id, psprintf("%s.%s", path, key),
					   "accounting_entry line \"%s\" is not a protocol field; counted as a %s",
					   key, is_debit ? "debit" : "credit");
			if (!sum_lines(&kv, is_debit ? &debits : &credits))
			{
				report(st, "ACC-002", c->id, psprintf("%s.%s", path, key),
					   "accounting_entry line \"%s\" has no numeric amount", key);
				ok = false;
			}
			if (is_debit)
				ndebit++;
			else
				ncredit++;
		}
		if (!ok)
			return;
		if (ndebit == 0 || ncredit == 0)
			report(st, "ACC-002", c->id, path, "accounting_entry has no %s line",
				   ndebit == 0 ? "debit" : "credit");
		else if (num_cmp(debits, credits) != 0)
			report(st, "ACC-002", c->id, path, "debits (%s) do not equal credits (%s)",
				   num_text(debits), num_text(credits));
	}
}

static void
check_anticipation(VState *st, VComp *c)
{
	JsonbValue *v = obj_get(c->core, "probability_factor");

	if (v != NULL)
	{
		if (v->type != jbvNumeric)
			report(st, "ANT-001", c->id, psprintf("%s.foray_core.probability_factor", c->path),
				   "probability_factor must be a number, not %s", jtype(v));
		else if (num_cmp(v->val.numeric, num_const("0")) < 0 ||
				 num_cmp(v->val.numeric, num_const("1")) > 0)
			report(st, "ANT-001", c->id, psprintf("%s.foray_core.probability_factor", c->path),
				   "probability_factor %s is outside [0, 1]", num_text(v->val.numeric));
	}
	v = obj_get(c->core, "expected_date");
	if (v != NULL && v->type != jbvNull)
	{
		TimestampTz t;
		bool		date_only;
		char	   *path = psprintf("%s.foray_core.expected_date", c->path);

		if (v->type != jbvString ||
			!foray_parse_iso8601(v->val.string.val, v->val.string.len, &t, &date_only))
			report(st, "ANT-002", c->id, path, "expected_date is not an ISO-8601 date");
		else if (st->have_tx_ts &&
				 (date_only ? t < day_of(st->tx_ts) : t < st->tx_ts))
			report(st, "ANT-002", c->id, path,
				   "expected_date %s is before the transaction's timestamp", jstr(v));
	}
}

static const char *const settlement_statuses[] = {"completed", "pending", "failed", "reversed", NULL};
static const char *const ref_types[] = {"anticipation", "accrual", "arrangement", NULL};

static void
check_action(VState *st, VComp *c)
{
	Numeric		settled;
	JsonbValue *v;
	JsonbContainer *allocs;
	JsonbValue *act_currency;
	char	   *apath = psprintf("%s.foray_core.allocations", c->path);

	check_number(st, c, "amount_settled", "ACT-001", &settled);

	v = obj_get(c->core, "settlement_status");
	if (!is_string_in(v, settlement_statuses))
		report(st, "ACT-002", c->id, psprintf("%s.foray_core.settlement_status", c->path),
			   v == NULL ? "action has no settlement_status" :
			   v->type == jbvString ?
			   "settlement_status \"%s\" is not completed, pending, failed or reversed" :
			   "settlement_status must be a string",
			   v && v->type == jbvString ? jstr(v) : "");

	v = obj_get(c->core, "allocations");
	if (v == NULL || v->type == jbvNull)
		return;
	allocs = as_array(v);
	if (allocs == NULL)
	{
		report(st, "ALLOC-004", c->id, apath, "allocations must be an array, not %s", jtype(v));
		return;
	}
	act_currency = obj_get(c->core, "currency");
	if (act_currency && act_currency->type != jbvString)
		act_currency = NULL;
	{
		Numeric		sum = num_const("0");
		bool		summable = true;
		int			n = JsonContainerSize(allocs);

		for (int i = 0; i < n; i++)
		{
			JsonbValue *e = getIthJsonbValueFromContainer(allocs, i);
			JsonbContainer *a = as_object(e);
			char	   *path = psprintf("%s[%d]", apath, i);
			JsonbValue *ref,
					   *rt,
					   *amt,
					   *cur;

			if (a == NULL)
			{
				report(st, "ALLOC-004", c->id, path, "allocation must be an object, not %s", jtype(e));
				summable = false;
				continue;
			}
			ref = obj_get(a, "ref");
			rt = obj_get(a, "ref_type");
			amt = obj_get(a, "amount");
			cur = obj_get(a, "currency");
			if (ref == NULL || ref->type != jbvString)
				report(st, "ALLOC-004", c->id, path, "allocation ref must be a string");
			if (!is_string_in(rt, ref_types))
				report(st, "ALLOC-004", c->id, path,
					   "allocation ref_type must be anticipation, accrual or arrangement");
			if (amt == NULL || amt->type != jbvNumeric)
			{
				report(st, "ALLOC-004", c->id, path, "allocation amount must be a number");
				summable = false;
			}
			else
				sum = num_add(sum, amt->val.numeric);
			if (cur == NULL || cur->type != jbvString)
				report(st, "ALLOC-004", c->id, path, "allocation currency must be a string");
			else if (act_currency &&
					 (cur->val.string.len != act_currency->val.string.len ||
					  memcmp(cur->val.string.val, act_currency->val.string.val,
							 cur->val.string.len) != 0))
				report(st, "ALLOC-003", c->id, psprintf("%s.currency", path),
					   "allocation currency %s differs from the action's currency %s",
					   jstr(cur), jstr(act_currency));

			if (ref && ref->type == jbvString)
			{
				int			t = lookup_id(st, ref->val.string.val, ref->val.string.len);

				if (t < 0)
					report(st, "ALLOC-001", c->id, psprintf("%s.ref", path),
						   "allocation ref \"%s\" does not exist in the transaction", jstr(ref));
				else if (rt && rt->type == jbvString &&
						 (strlen(foray_kinds[st->comps[t].kind].type_name) != rt->val.string.len ||
						  memcmp(foray_kinds[st->comps[t].kind].type_name, rt->val.string.val,
								 rt->val.string.len) != 0))
					report(st, "ALLOC-002", c->id, psprintf("%s.ref_type", path),
						   "allocation ref_type \"%s\" but \"%s\" is an %s",
						   jstr(rt), jstr(ref), foray_kinds[st->comps[t].kind].type_name);
			}
		}
		if (n > 0 && summable && settled != NULL)
		{
			Numeric		diff = num_absdiff(sum, settled);

			if (num_cmp(diff, num_const("0.01")) > 0)
				report(st, "TX-005", c->id, apath,
					   "allocation sum (%s) does not match amount_settled (%s)",
					   num_text(sum), num_text(settled));
			else if (num_cmp(diff, num_const("0")) != 0)
				report(st, "ACT-003", c->id, apath,
					   "allocation sum (%s) differs from amount_settled (%s) by %s",
					   num_text(sum), num_text(settled), num_text(diff));
		}
	}
}

static bool
is_sha256(JsonbValue *v)
{
	const char *s = v->val.string.val;
	int			len = v->val.string.len;

	if (len == 71 && memcmp(s, "sha256:", 7) == 0)
	{
		s += 7;
		len -= 7;
	}
	if (len != 64)
		return false;
	for (int i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
			  (s[i] >= 'A' && s[i] <= 'F')))
			return false;
	return true;
}

static bool
att_date(VState *st, VComp *c, JsonbValue *v, const char *field, const char *path,
		 bool required, TimestampTz *t, bool *date_only)
{
	if (v == NULL || v->type == jbvNull)
	{
		if (required)
			report(st, "SHAPE-002", c->id, path, "attestation has no %s", field);
		return false;
	}
	if (v->type != jbvString)
	{
		report(st, "SHAPE-001", c->id, path, "%s must be a string, not %s", field, jtype(v));
		return false;
	}
	if (!foray_parse_iso8601(v->val.string.val, v->val.string.len, t, date_only))
	{
		report(st, "SHAPE-003", c->id, path, "%s \"%s\" is not an ISO-8601 date", field, jstr(v));
		return false;
	}
	return true;
}

/* a string field: required ones are missing when absent or null (SHAPE-002) */
static JsonbValue *
string_field(VState *st, VComp *c, const char *path, const char *field, bool required)
{
	JsonbValue *v = obj_get(c->core, field);

	if (v == NULL || v->type == jbvNull)
	{
		if (required)
			report(st, "SHAPE-002", c->id, psprintf("%s.%s", path, field),
				   "attestation has no %s", field);
		return NULL;
	}
	if (v->type != jbvString)
	{
		report(st, "SHAPE-001", c->id, psprintf("%s.%s", path, field),
			   "%s must be a string, not %s", field, jtype(v));
		return NULL;
	}
	return v;
}

static void
check_attestation(VState *st, VComp *c)
{
	static const struct
	{
		const char *field;
		const char *const *values;
	}			enums[] = {
		{"attestor_type", foray_attestor_types},
		{"attestation_type", foray_attestation_types},
		{"outcome", foray_outcomes},
	};
	JsonbValue *v;
	TimestampTz t;
	bool		date_only;
	JsonbContainer *subjects;
	char	   *cpath = psprintf("%s.foray_core", c->path);

	(void) string_field(st, c, cpath, "attestor", true);
	v = string_field(st, c, cpath, "attestor_hash", true);
	if (v && !is_sha256(v))
		report(st, "ATT-005", c->id, psprintf("%s.attestor_hash", cpath),
			   "attestor_hash \"%s\" is not a SHA-256", jstr(v));
	for (int i = 0; i < lengthof(enums); i++)
	{
		v = string_field(st, c, cpath, enums[i].field, true);
		if (v && !is_string_in(v, enums[i].values))
			report(st, "ENUM-001", c->id, psprintf("%s.%s", cpath, enums[i].field),
				   "%s \"%s\" is not one of the values of spec §9.3", enums[i].field, jstr(v));
	}
	v = obj_get(c->core, "attestor_credentials");
	if (v && v->type != jbvNull)
	{
		JsonbContainer *arr = as_array(v);
		bool		ok = arr != NULL;

		for (int i = 0; ok && i < JsonContainerSize(arr); i++)
			ok = getIthJsonbValueFromContainer(arr, i)->type == jbvString;
		if (!ok)
			report(st, "SHAPE-001", c->id, psprintf("%s.attestor_credentials", cpath),
				   "attestor_credentials must be an array of strings");
	}
	(void) string_field(st, c, cpath, "evidence_hash", false);
	(void) string_field(st, c, cpath, "evidence_location", false);

	if (att_date(st, c, obj_get(c->core, "attestation_date"), "attestation_date",
				 psprintf("%s.attestation_date", cpath), true, &t, &date_only) &&
		(date_only ? t > day_of(st->as_of) : t > st->as_of))
		report(st, "ATT-003", c->id, psprintf("%s.attestation_date", cpath),
			   "attestation_date is in the future");

	v = obj_get(c->core, "validity_period");
	if (v && v->type != jbvNull)
	{
		JsonbContainer *vp = as_object(v);

		if (vp == NULL)
			report(st, "SHAPE-001", c->id, psprintf("%s.validity_period", cpath),
				   "validity_period must be an object, not %s", jtype(v));
		else
		{
			TimestampTz start;

			(void) att_date(st, c, obj_get(vp, "start"), "validity_period.start",
							psprintf("%s.validity_period.start", cpath), false, &start, &date_only);
			if (att_date(st, c, obj_get(vp, "end"), "validity_period.end",
						 psprintf("%s.validity_period.end", cpath), false, &t, &date_only) &&
				(date_only ? t < day_of(st->as_of) : t < st->as_of))
			{
				JsonbValue *o = obj_get(c->core, "outcome");

				if (!(o && o->type == jbvString && o->val.string.len == 7 &&
					  memcmp(o->val.string.val, "expired", 7) == 0))
					report(st, "ATT-004", c->id, psprintf("%s.outcome", cpath),
						   "validity_period ended %s but outcome is not expired",
						   jstr(obj_get(vp, "end")));
			}
		}
	}

	/* subject_refs: any component or attestation of the transaction */
	v = obj_get(c->core, "subject_refs");
	if (v == NULL || v->type == jbvNull)
	{
		report(st, "SHAPE-002", c->id, psprintf("%s.subject_refs", cpath),
			   "attestation has no subject_refs");
		return;
	}
	subjects = check_ref_array(st, c, v, "subject_refs",
							   psprintf("%s.subject_refs", cpath), "SHAPE-001");
	if (subjects == NULL)
		return;
	if (JsonContainerSize(subjects) == 0)
		report(st, "ATT-002", c->id, psprintf("%s.subject_refs", cpath),
			   "subject_refs must name at least one component");
	for (int i = 0; i < JsonContainerSize(subjects); i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(subjects, i);
		int			tgt;

		if (e->type != jbvString)
			continue;
		tgt = lookup_id(st, e->val.string.val, e->val.string.len);
		if (tgt < 0)
			report(st, "ATT-002", c->id, psprintf("%s.subject_refs[%d]", cpath, i),
				   "subject \"%s\" does not exist in the transaction", jstr(e));
		else if (st->comps[tgt].kind == FORAY_ATT && &st->comps[tgt] != c)
			add_edge(c, tgt);
	}
}

/* ------------------------------------------------------------------
 * Cycles (TX-004 among components, ATT-006 among attestations):
 * iterative depth-first search, one report per back edge.
 * ------------------------------------------------------------------ */
static void
find_cycles(VState *st)
{
	int		   *stack = palloc(sizeof(int) * Max(st->ncomps, 1));
	int		   *pos = palloc(sizeof(int) * Max(st->ncomps, 1));

	for (int root = 0; root < st->ncomps; root++)
	{
		int			depth = 0;

		if (st->comps[root].color != 0)
			continue;
		stack[0] = root;
		pos[0] = 0;
		st->comps[root].color = 1;
		depth = 1;
		while (depth > 0)
		{
			VComp	   *c = &st->comps[stack[depth - 1]];
			int			t;

			CHECK_FOR_INTERRUPTS();
			if (pos[depth - 1] >= c->nedges)
			{
				c->color = 2;
				depth--;
				continue;
			}
			t = c->edges[pos[depth - 1]++];
			if (st->comps[t].color == 0)
			{
				st->comps[t].color = 1;
				stack[depth] = t;
				pos[depth] = 0;
				depth++;
			}
			else if (st->comps[t].color == 1)
			{
				StringInfoData buf;
				int			from = depth - 1;

				while (from > 0 && stack[from] != t)
					from--;
				initStringInfo(&buf);
				for (int i = from; i < depth; i++)
					appendStringInfo(&buf, "%s -> ", st->comps[stack[i]].id);
				appendStringInfoString(&buf, st->comps[t].id);
				report(st, c->kind == FORAY_ATT ? "ATT-006" : "TX-004", c->id,
					   psprintf("%s.foray_core", c->path), "circular reference: %s", buf.data);
			}
		}
	}
}

/* ------------------------------------------------------------------
 * Document-level rules
 * ------------------------------------------------------------------ */
static int
max_depth(Jsonb *doc)
{
	JsonbIterator *it = JsonbIteratorInit(&doc->root);
	JsonbValue	v;
	JsonbIteratorToken tok;
	int			depth = 0,
				max = 0;

	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		if (tok == WJB_BEGIN_ARRAY || tok == WJB_BEGIN_OBJECT)
		{
			if (++depth > max)
				max = depth;
			if (max > FORAY_MAX_DOC_DEPTH)
				break;			/* enough to know */
		}
		else if (tok == WJB_END_ARRAY || tok == WJB_END_OBJECT)
			depth--;
	}
	return max;
}

static bool
valid_transaction_id(JsonbValue *v)
{
	const char *s = v->val.string.val;
	int			len = v->val.string.len;

	if (len < 1 || len > FORAY_MAX_ID_LEN || !isalnum((unsigned char) s[0]))
		return false;
	for (int i = 0; i < len; i++)
	{
		unsigned char ch = s[i];

		if (!(isalnum(ch) || ch == '_' || ch == '.' || ch == ':' || ch == '-') || ch > 127)
			return false;
	}
	return true;
}

List *
foray_validate_document(Jsonb *doc, TimestampTz as_of, Jsonb **upgraded)
{
	VState		st;
	JsonbContainer *root;
	JsonbValue *v;
	const char *from = NULL;
	Jsonb	   *up;
	bool		is_41 = true;

	memset(&st, 0, sizeof(st));
	st.as_of = as_of;
	if (upgraded)
		*upgraded = doc;

	if (!JB_ROOT_IS_OBJECT(doc))
	{
		report(&st, "DOC-001", NULL, "$", "a FORAY document must be a JSON object, not %s",
			   JB_ROOT_IS_SCALAR(doc) ? "a scalar" : "an array");
		return st.out;
	}
	if (max_depth(doc) > FORAY_MAX_DOC_DEPTH)
		report(&st, "DOC-002", NULL, "$", "the document nests deeper than %d levels",
			   FORAY_MAX_DOC_DEPTH);

	up = foray_upgrade_document(doc, &from);
	if (up != NULL)
	{
		report(&st, "TX-002", NULL, "$.schema_version",
			   "schema_version \"%s\" is upgraded to \"4.1\" (spec §7.2-§7.3); paths refer to the upgraded document",
			   from);
		/* an upgrade is a warning, not the error TX-002 normally is */
		((ForayViolation *) llast(st.out))->warning = true;
		doc = up;
		is_41 = false;
		if (upgraded)
			*upgraded = doc;
	}
	root = &doc->root;

	/* required fields and their types */
	v = obj_get(root, "transaction_id");
	if (v == NULL)
		report(&st, "SHAPE-002", NULL, "$", "required field transaction_id is missing");
	else if (v->type != jbvString)
		report(&st, "SHAPE-001", NULL, "$.transaction_id", "transaction_id must be a string, not %s", jtype(v));
	else if (!valid_transaction_id(v))
		report(&st, "ID-002", NULL, "$.transaction_id",
			   "transaction_id must be 1 to 200 characters of [A-Za-z0-9_.:-] starting with a letter or digit");

	v = obj_get(root, "schema_version");
	if (v == NULL)
		report(&st, "SHAPE-002", NULL, "$", "required field schema_version is missing");
	else if (v->type != jbvString)
		report(&st, "SHAPE-001", NULL, "$.schema_version", "schema_version must be a string, not %s", jtype(v));
	else if (!(v->val.string.len == 3 && memcmp(v->val.string.val, "4.1", 3) == 0))
		report(&st, "TX-002", NULL, "$.schema_version",
			   "schema_version \"%s\" is not 4.1 (4.0 and 3.0 are upgraded)", jstr(v));

	v = obj_get(root, "timestamp");
	if (v == NULL)
		report(&st, "SHAPE-002", NULL, "$", "required field timestamp is missing");
	else if (v->type != jbvString)
		report(&st, "SHAPE-001", NULL, "$.timestamp", "timestamp must be a string, not %s", jtype(v));
	else
	{
		bool		date_only;

		if (foray_parse_iso8601(v->val.string.val, v->val.string.len, &st.tx_ts, &date_only))
			st.have_tx_ts = true;
		else
			report(&st, "SHAPE-003", NULL, "$.timestamp", "timestamp \"%s\" is not an ISO-8601 date-time", jstr(v));
	}

	v = obj_get(root, "foray_core");
	if (v == NULL)
		report(&st, "SHAPE-002", NULL, "$", "required field foray_core is missing");
	else if (as_object(v) == NULL)
		report(&st, "SHAPE-001", NULL, "$.foray_core", "foray_core must be an object, not %s", jtype(v));
	else
	{
		JsonbContainer *core = as_object(v);
		static const struct
		{
			const char *field;
			enum jbvType type;
			bool		required;
		}			fields[] = {
			{"entity", jbvString, true},
			{"transaction_type", jbvString, true},
			{"entity_hash", jbvString, false},
			{"currency", jbvString, false},
			{"status", jbvString, false},
			{"total_value", jbvNumeric, false},
			{"compliance_flags", jbvBinary, false},
		};

		for (int i = 0; i < lengthof(fields); i++)
		{
			JsonbValue *f = obj_get(core, fields[i].field);
			char	   *path = psprintf("$.foray_core.%s", fields[i].field);

			if (f == NULL || f->type == jbvNull)
			{
				if (fields[i].required)
					report(&st, "SHAPE-002", NULL, "$.foray_core",
						   "foray_core lacks the required field %s", fields[i].field);
				continue;
			}
			if (fields[i].type == jbvBinary)
			{
				JsonbContainer *arr = as_array(f);
				bool		ok = arr != NULL;

				for (int j = 0; ok && j < JsonContainerSize(arr); j++)
					ok = getIthJsonbValueFromContainer(arr, j)->type == jbvString;
				if (!ok)
					report(&st, "SHAPE-001", NULL, path, "%s must be an array of strings",
						   fields[i].field);
			}
			else if (f->type != fields[i].type)
				report(&st, "SHAPE-001", NULL, path, "%s must be %s, not %s", fields[i].field,
					   fields[i].type == jbvString ? "a string" : "a number", jtype(f));
			else if (strcmp(fields[i].field, "status") == 0 &&
					 !is_string_in(f, foray_business_statuses))
				report(&st, "ENUM-001", NULL, path,
					   "status \"%s\" is not active, completed or reversed", jstr(f));
		}
	}

	for (int i = 0; i < 4; i++)
	{
		static const char *const objs[] = {"component_hashes", "blockchain_anchor",
		"audit_data_anchor", "privacy_metadata"};

		v = obj_get(root, objs[i]);
		if (v && v->type != jbvNull && as_object(v) == NULL)
			report(&st, "SHAPE-001", NULL, psprintf("$.%s", objs[i]),
				   "%s must be an object, not %s", objs[i], jtype(v));
	}
	v = obj_get(root, "merkle_root");
	if (v && v->type != jbvString && v->type != jbvNull)
		report(&st, "SHAPE-001", NULL, "$.merkle_root", "merkle_root must be a string, not %s", jtype(v));

	for (int k = 0; k < FORAY_NKINDS; k++)
	{
		v = obj_get(root, foray_kinds[k].array);
		if (v && as_array(v) == NULL)
			report(&st, "SHAPE-001", NULL, psprintf("$.%s", foray_kinds[k].array),
				   "%s must be an array, not %s", foray_kinds[k].array, jtype(v));
	}

	collect_components(&st, root);
	{
		int			ndag = 0;

		for (int i = 0; i < st.ncomps; i++)
			if (st.comps[i].kind != FORAY_ATT)
				ndag++;
		if (ndag == 0)
			report(&st, "TX-001", NULL, "$",
				   "a transaction needs at least one arrangement, accrual, anticipation or action");
	}

	for (int i = 0; i < st.ncomps; i++)
	{
		VComp	   *c = &st.comps[i];

		CHECK_FOR_INTERRUPTS();
		if (c->core == NULL)
			continue;
		if (c->kind != FORAY_ATT)
			check_dag_refs(&st, c, is_41);
		check_dependencies(&st, c);
		switch (c->kind)
		{
			case FORAY_ARR:
				check_arrangement(&st, c);
				break;
			case FORAY_ACC:
				check_accrual(&st, c);
				break;
			case FORAY_ANT:
				check_anticipation(&st, c);
				break;
			case FORAY_ACT:
				check_action(&st, c);
				break;
			case FORAY_ATT:
				check_attestation(&st, c);
				break;
			default:
				break;
		}
	}
	find_cycles(&st);
	return st.out;
}

/* ------------------------------------------------------------------
 * SQL-callable wrappers
 * ------------------------------------------------------------------ */
static Tuplestorestate *
begin_srf(FunctionCallInfo fcinfo, TupleDesc *tupdesc)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext oldcxt;
	Tuplestorestate *ts;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		!(rsinfo->allowedModes & SFRM_Materialize))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("set-valued function called in context that cannot accept a set")));
	if (get_call_result_type(fcinfo, NULL, tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	oldcxt = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	*tupdesc = CreateTupleDescCopy(*tupdesc);
	ts = tuplestore_begin_heap(true, false, work_mem);
	MemoryContextSwitchTo(oldcxt);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = ts;
	rsinfo->setDesc = *tupdesc;
	return ts;
}

static Datum
text_or_null(const char *s, bool *isnull)
{
	*isnull = (s == NULL);
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

static void
put_violations(FunctionCallInfo fcinfo, List *violations)
{
	TupleDesc	tupdesc;
	Tuplestorestate *ts = begin_srf(fcinfo, &tupdesc);
	ListCell   *lc;

	foreach(lc, violations)
	{
		ForayViolation *v = lfirst(lc);
		Datum		values[5];
		bool		nulls[5];

		values[0] = text_or_null(v->rule_id, &nulls[0]);
		values[1] = text_or_null(v->warning ? "warning" : "error", &nulls[1]);
		values[2] = text_or_null(v->component_id, &nulls[2]);
		values[3] = text_or_null(v->json_path, &nulls[3]);
		values[4] = text_or_null(v->message, &nulls[4]);
		tuplestore_putvalues(ts, tupdesc, values, nulls);
	}
}

PG_FUNCTION_INFO_V1(foray_validate_document_sql);
Datum
foray_validate_document_sql(PG_FUNCTION_ARGS)
{
	put_violations(fcinfo, foray_validate_document(PG_GETARG_JSONB_P(0),
												   PG_GETARG_TIMESTAMPTZ(1), NULL));
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(foray_validate_document_text_sql);
Datum
foray_validate_document_text_sql(PG_FUNCTION_ARGS)
{
	text	   *json = PG_GETARG_TEXT_PP(0);

	put_violations(fcinfo, foray_validate_document_text(json, foray_text_to_jsonb(json),
														PG_GETARG_TIMESTAMPTZ(1), NULL));
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(foray_document_rules);
Datum
foray_document_rules(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Tuplestorestate *ts = begin_srf(fcinfo, &tupdesc);

	for (int i = 0; i < lengthof(rule_table); i++)
	{
		const ForayRule *r = &rule_table[i];
		Datum		values[5];
		bool		nulls[5];

		values[0] = text_or_null(r->rule_id, &nulls[0]);
		values[1] = text_or_null(r->structural ? "structural" : "content", &nulls[1]);
		values[2] = text_or_null(r->warning ? "warning" : "error", &nulls[2]);
		values[3] = text_or_null(r->spec, &nulls[3]);
		values[4] = text_or_null(r->description, &nulls[4]);
		tuplestore_putvalues(ts, tupdesc, values, nulls);
	}
	return (Datum) 0;
}
