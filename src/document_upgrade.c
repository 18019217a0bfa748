/*
 * document_upgrade.c
 *		Upgrade of schema 4.0 and flat 3.0 documents to 4.1 (spec §7.2-§7.3),
 *		and foray.upgrade_document().
 *
 * 4.0 -> 4.1 is spec §7.2 to the letter, except that a component carrying
 * both a singular *_ref and its *_refs array keeps both (the spec would
 * overwrite the array and lose data; the validator reports REF-005).
 *
 * 3.0 -> 4.1 (not in the spec; the layout of the older published examples):
 *	- the top-level entity, entity_hash, transaction_type, total_value,
 *	  currency, status and compliance_flags move into foray_core;
 *	- every component member except id and audit_data moves into foray_core,
 *	  then the 4.0 rules apply (singular refs wrapped, arrays ensured);
 *	- status and settlement_status written in another letter case
 *	  ("Active", "Completed") are lower-cased when that gives a value of the
 *	  4.1 enumeration; any other value is kept as written;
 *	- everything else (block_height, kaspa_commitment, merkle_root, ...) is
 *	  kept where it is.
 * docs/rules.md and docs/documents.md record the reasoning.
 */
#include "compat.h"

#include "document.h"

#include "fmgr.h"
#include "utils/jsonb.h"

#include "substrate.h"

static const struct
{
	const char *singular;
	const char *array;
	int			ensure_kinds;	/* kinds that always get the array (§7.2) */
}			upgrade_refs[] = {
	{"arrangement_ref", "arrangement_refs",
	(1 << FORAY_ACC) | (1 << FORAY_ANT) | (1 << FORAY_ACT)},
	{"accrual_ref", "accrual_refs", (1 << FORAY_ANT) | (1 << FORAY_ACT)},
	{"anticipation_ref", "anticipation_refs", (1 << FORAY_ACT)},
};

static const char *const v3_core_keys[] = {"entity", "entity_hash", "transaction_type",
"total_value", "currency", "status", "compliance_flags", NULL};
static const char *const business_statuses[] = {"active", "completed", "reversed", NULL};
static const char *const settlement_statuses[] = {"completed", "pending", "failed", "reversed", NULL};

static bool
key_is(JsonbValue *k, const char *s)
{
	return k->type == jbvString && k->val.string.len == strlen(s) &&
		memcmp(k->val.string.val, s, k->val.string.len) == 0;
}

static bool
key_in(JsonbValue *k, const char *const *list)
{
	for (int i = 0; list[i]; i++)
		if (key_is(k, list[i]))
			return true;
	return false;
}

/* "Completed" -> "completed" when the lower-cased form is in the enum */
static void
lower_enum(JsonbValue *v, const char *const *values)
{
	char	   *low;

	if (v->type != jbvString)
		return;
	low = pnstrdup(v->val.string.val, v->val.string.len);
	for (char *p = low; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p += 'a' - 'A';
	for (int i = 0; values[i]; i++)
		if (strcmp(low, values[i]) == 0)
		{
			v->val.string.val = low;
			return;
		}
}

/*
 * Push the upgraded foray_core of a component of the given kind.  src is
 * the component's foray_core (4.0) or the flat component itself (3.0,
 * flat = true: id and audit_data stay outside).
 */
static void
push_core(JsonbParseState **ps, JsonbContainer *src, ForayKind kind, bool flat, bool v3)
{
	JsonbIterator *it;
	JsonbValue	k,
				v;
	JsonbIteratorToken tok;
	bool		has_array[lengthof(upgrade_refs)];
	JsonbValue *single[lengthof(upgrade_refs)];

	for (int f = 0; f < lengthof(upgrade_refs); f++)
	{
		has_array[f] = getKeyJsonValueFromContainer(src, upgrade_refs[f].array,
													strlen(upgrade_refs[f].array), NULL) != NULL;
		single[f] = getKeyJsonValueFromContainer(src, upgrade_refs[f].singular,
												 strlen(upgrade_refs[f].singular), NULL);
	}

	pushJsonbValue(ps, WJB_BEGIN_OBJECT, NULL);
	it = JsonbIteratorInit(src);
	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		bool		skip = false;

		if (tok != WJB_KEY)
			continue;
		tok = JsonbIteratorNext(&it, &v, true);
		Assert(tok == WJB_VALUE);
		if (flat && (key_is(&k, "id") || key_is(&k, "audit_data")))
			continue;
		for (int f = 0; f < lengthof(upgrade_refs); f++)
			if (key_is(&k, upgrade_refs[f].singular) && !has_array[f])
				skip = true;
		if (skip)
			continue;
		if (v3 && kind == FORAY_ACT && key_is(&k, "settlement_status"))
			lower_enum(&v, settlement_statuses);
		pushJsonbValue(ps, WJB_KEY, &k);
		pushJsonbValue(ps, WJB_VALUE, &v);
	}
	for (int f = 0; f < lengthof(upgrade_refs); f++)
	{
		if (has_array[f])
			continue;
		if (single[f] != NULL)
		{
			foray_push_key(ps, upgrade_refs[f].array);
			pushJsonbValue(ps, WJB_BEGIN_ARRAY, NULL);
			/* spec §7.2: a falsy singular ref becomes [] */
			if (!(single[f]->type == jbvNull ||
				  (single[f]->type == jbvString && single[f]->val.string.len == 0)))
				pushJsonbValue(ps, WJB_ELEM, single[f]);
			pushJsonbValue(ps, WJB_END_ARRAY, NULL);
		}
		else if (upgrade_refs[f].ensure_kinds & (1 << kind))
		{
			foray_push_key(ps, upgrade_refs[f].array);
			pushJsonbValue(ps, WJB_BEGIN_ARRAY, NULL);
			pushJsonbValue(ps, WJB_END_ARRAY, NULL);
		}
	}
	pushJsonbValue(ps, WJB_END_OBJECT, NULL);
}

static void
push_component(JsonbParseState **ps, JsonbValue *elem, ForayKind kind, bool v3)
{
	JsonbContainer *obj;
	JsonbValue *core;
	JsonbIterator *it;
	JsonbValue	k,
				v;
	JsonbIteratorToken tok;

	if (elem->type != jbvBinary || !JsonContainerIsObject(elem->val.binary.data))
	{
		pushJsonbValue(ps, WJB_ELEM, elem);		/* the validator reports it */
		return;
	}
	obj = elem->val.binary.data;
	core = getKeyJsonValueFromContainer(obj, "foray_core", 10, NULL);
	if (core && !(core->type == jbvBinary && JsonContainerIsObject(core->val.binary.data)))
	{
		pushJsonbValue(ps, WJB_ELEM, elem);
		return;
	}
	pushJsonbValue(ps, WJB_BEGIN_OBJECT, NULL);
	if (core == NULL && v3)
	{
		/* flat 3.0 component: id and audit_data stay, the rest is the core */
		JsonbValue *x;

		if ((x = getKeyJsonValueFromContainer(obj, "id", 2, NULL)) != NULL)
		{
			foray_push_key(ps, "id");
			pushJsonbValue(ps, WJB_VALUE, x);
		}
		if ((x = getKeyJsonValueFromContainer(obj, "audit_data", 10, NULL)) != NULL)
		{
			foray_push_key(ps, "audit_data");
			pushJsonbValue(ps, WJB_VALUE, x);
		}
		foray_push_key(ps, "foray_core");
		push_core(ps, obj, kind, true, v3);
	}
	else
	{
		it = JsonbIteratorInit(obj);
		while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
		{
			if (tok != WJB_KEY)
				continue;
			tok = JsonbIteratorNext(&it, &v, true);
			pushJsonbValue(ps, WJB_KEY, &k);
			if (core && key_is(&k, "foray_core"))
				push_core(ps, core->val.binary.data, kind, false, v3);
			else
				pushJsonbValue(ps, WJB_VALUE, &v);
		}
	}
	pushJsonbValue(ps, WJB_END_OBJECT, NULL);
}

Jsonb *
foray_upgrade_document(Jsonb *doc, const char **from_version)
{
	JsonbContainer *root = &doc->root;
	JsonbValue *sv;
	bool		v3;
	bool		flat_core;
	JsonbParseState *ps = NULL;
	JsonbIterator *it;
	JsonbValue	k,
				v;
	JsonbIteratorToken tok;
	JsonbValue *res;

	if (!JB_ROOT_IS_OBJECT(doc))
		return NULL;
	sv = getKeyJsonValueFromContainer(root, "schema_version", 14, NULL);
	if (sv == NULL || sv->type != jbvString || sv->val.string.len != 3)
		return NULL;
	if (memcmp(sv->val.string.val, "4.0", 3) == 0)
		v3 = false;
	else if (memcmp(sv->val.string.val, "3.0", 3) == 0)
		v3 = true;
	else
		return NULL;
	*from_version = v3 ? "3.0" : "4.0";
	flat_core = v3 && getKeyJsonValueFromContainer(root, "foray_core", 10, NULL) == NULL;

	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	it = JsonbIteratorInit(root);
	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		int			kind = -1;

		if (tok != WJB_KEY)
			continue;
		tok = JsonbIteratorNext(&it, &v, true);
		if (key_is(&k, "schema_version"))
		{
			foray_push_key(&ps, "schema_version");
			foray_push_string(&ps, WJB_VALUE, "4.1", 3);
			continue;
		}
		if (flat_core && key_in(&k, v3_core_keys))
			continue;			/* moved into foray_core below */
		for (int i = 0; i < FORAY_NKINDS; i++)
			if (key_is(&k, foray_kinds[i].array))
				kind = i;
		pushJsonbValue(&ps, WJB_KEY, &k);
		if (kind >= 0 && v.type == jbvBinary && JsonContainerIsArray(v.val.binary.data))
		{
			JsonbContainer *arr = v.val.binary.data;

			pushJsonbValue(&ps, WJB_BEGIN_ARRAY, NULL);
			for (int i = 0; i < JsonContainerSize(arr); i++)
				push_component(&ps, getIthJsonbValueFromContainer(arr, i), kind, v3);
			pushJsonbValue(&ps, WJB_END_ARRAY, NULL);
		}
		else
			pushJsonbValue(&ps, WJB_VALUE, &v);
	}
	if (flat_core)
	{
		foray_push_key(&ps, "foray_core");
		pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
		for (int i = 0; v3_core_keys[i]; i++)
		{
			JsonbValue *x = getKeyJsonValueFromContainer(root, v3_core_keys[i],
														 strlen(v3_core_keys[i]), NULL);

			if (x == NULL)
				continue;
			if (strcmp(v3_core_keys[i], "status") == 0)
				lower_enum(x, business_statuses);
			foray_push_key(&ps, v3_core_keys[i]);
			pushJsonbValue(&ps, WJB_VALUE, x);
		}
		pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
	}
	res = pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(res);
}

PG_FUNCTION_INFO_V1(foray_upgrade_document_sql);
Datum
foray_upgrade_document_sql(PG_FUNCTION_ARGS)
{
	Jsonb	   *doc = PG_GETARG_JSONB_P(0);
	const char *from = NULL;
	Jsonb	   *up = foray_upgrade_document(doc, &from);

	PG_RETURN_JSONB_P(up ? up : doc);
}
