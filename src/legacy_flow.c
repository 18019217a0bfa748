/*
 * legacy_flow.c
 *		The foray_core of a component migrated from one row of Loomworks'
 *		credit.foray_action_flows (docs/migration.md, "credit.foray_action_flows
 *		→ foray_transactions + foray_components").
 *
 * The migration script used to build this object with jsonb_build_object
 * and jsonb_strip_nulls: every nested object (the flow's ledger facts, the
 * token inputs, each metadata value) was built, then taken apart and built
 * again by the enclosing call, and the whole core was rebuilt once more to
 * drop its nulls.  For a million flows that was a fifth of the component
 * step.  Here the core is built once, with the same result: the same keys
 * and values, JSON nulls left out at every depth (as jsonb_strip_nulls
 * does), numbers as numeric with the same scale.  test/suites/60_migration.sh
 * compares it with the SQL expressions it replaces, over the fixture's rows
 * and over hand-made edge cases.
 *
 * The mapping decisions themselves (which row is an accrual, the component
 * id, the ledger party's kind, the ISO text of created_at, an accrual's
 * rate per million tokens and where it came from, its currency) stay in the
 * script, which passes their results in (docs/migration.md, "Rates and
 * currency of a token accrual").
 */
#include "compat.h"

#include "fmgr.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "substrate.h"

PG_FUNCTION_INFO_V1(foray_loomworks_flow_core);

static void
push_kv_cstring(JsonbParseState **st, const char *key, const char *s)
{
	foray_push_key(st, key);
	foray_push_string(st, WJB_VALUE, s, strlen(s));
}

static void
push_kv_text(JsonbParseState **st, const char *key, text *t)
{
	foray_push_key(st, key);
	foray_push_string(st, WJB_VALUE, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
}

static void
push_kv_numeric(JsonbParseState **st, const char *key, Numeric n)
{
	JsonbValue	v;

	foray_push_key(st, key);
	v.type = jbvNumeric;
	v.val.numeric = n;
	pushJsonbValue(st, WJB_VALUE, &v);
}

static void
push_kv_empty_array(JsonbParseState **st, const char *key)
{
	foray_push_key(st, key);
	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	pushJsonbValue(st, WJB_END_ARRAY, NULL);
}

/* {"kind": kind, "id": id}: a ledger party as the substrate's typed actor */
static void
push_kv_actor(JsonbParseState **st, const char *key, text *kind, text *id)
{
	foray_push_key(st, key);
	pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
	push_kv_text(st, "kind", kind);
	push_kv_text(st, "id", id);
	pushJsonbValue(st, WJB_END_OBJECT, NULL);
}

/*
 * metadata -> key, as SQL's -> gives it: nothing when metadata is null or
 * not an object or lacks the key.  A JSON null is returned as one (the
 * caller drops it, as jsonb_strip_nulls would).
 */
static bool
meta_get(Jsonb *meta, const char *key, JsonbValue *out)
{
	if (meta == NULL || !JB_ROOT_IS_OBJECT(meta))
		return false;
	return getKeyJsonValueFromContainer(&meta->root, key, strlen(key), out) != NULL;
}

/* metadata ->> key: the text SQL's ->> gives, or NULL */
static char *
meta_text(Jsonb *meta, const char *key)
{
	JsonbValue	v;

	if (!meta_get(meta, key, &v))
		return NULL;
	switch (v.type)
	{
		case jbvNull:
			return NULL;
		case jbvString:
			return pnstrdup(v.val.string.val, v.val.string.len);
		case jbvNumeric:
			return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v.val.numeric)));
		case jbvBool:
			return pstrdup(v.val.boolean ? "true" : "false");
		case jbvBinary:
			return JsonbToCString(NULL, v.val.binary.data, v.val.binary.len);
		default:
			elog(ERROR, "unexpected jsonb value type %d", (int) v.type);
	}
	return NULL;				/* keep the compiler quiet */
}

/*
 * key: value, where value is taken from metadata: left out when missing or
 * a JSON null, and a container copied without the object fields whose value
 * is null, at every depth (jsonb_strip_nulls' rule: array elements that are
 * null stay).
 */
static void
push_kv_stripped(JsonbParseState **st, const char *key, JsonbValue *v)
{
	JsonbIterator *it;
	JsonbIteratorToken tok;
	JsonbValue	k = {0};
	JsonbValue	e;
	bool		pending_key = false;

	if (v->type == jbvNull)
		return;
	foray_push_key(st, key);
	if (v->type != jbvBinary)
	{
		pushJsonbValue(st, WJB_VALUE, v);
		return;
	}
	it = JsonbIteratorInit(v->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &e, false)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			k = e;
			pending_key = true;
			continue;
		}
		if (pending_key)
		{
			pending_key = false;
			if (tok == WJB_VALUE && e.type == jbvNull)
				continue;
			pushJsonbValue(st, WJB_KEY, &k);
		}
		if (tok == WJB_VALUE || tok == WJB_ELEM)
			pushJsonbValue(st, tok, &e);
		else
			pushJsonbValue(st, tok, NULL);
	}
}

static void
push_kv_meta(JsonbParseState **st, const char *key, Jsonb *meta, const char *meta_key)
{
	JsonbValue	v;

	if (meta_get(meta, meta_key, &v))
		push_kv_stripped(st, key, &v);
}

static text *
required_text(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("foray.loomworks_flow_core: %s must not be null", name)));
	return PG_GETARG_TEXT_PP(argno);
}

static bool
text_is(text *t, const char *s)
{
	size_t		len = strlen(s);

	return VARSIZE_ANY_EXHDR(t) == len && memcmp(VARDATA_ANY(t), s, len) == 0;
}

static Numeric
trim_scale(Numeric n)
{
	return DatumGetNumeric(DirectFunctionCall1(numeric_trim_scale, NumericGetDatum(n)));
}

/*
 * foray.loomworks_flow_core(component_type, flow_type, asset_id, quantity,
 *		from_party, from_kind, to_party, to_kind, created_at, metadata,
 *		accrual_refs, rate_per_million, rate_source, currency) returns jsonb
 *
 * component_type 'ACC' (a provider-token row of a consumption turn: how the
 * charge is computed) or 'ACT' (every other row: value moved); from_kind and
 * to_kind the parties' actor kinds; created_at the row's timestamp as ISO
 * text; accrual_refs, for the credit debit of a consumption turn, the ids of
 * its turn's accruals.  For an accrual, rate_per_million (credits per
 * million tokens, a finite number >= 0), rate_source (where the script found
 * it) and currency (the credit asset the output is in), each left out when
 * null: without a rate there is no output.  An action ignores the last
 * three.  metadata, accrual_refs, rate_per_million, rate_source and currency
 * may be null.
 */
Datum
foray_loomworks_flow_core(PG_FUNCTION_ARGS)
{
	text	   *ctype = required_text(fcinfo, 0, "component_type");
	text	   *flow_type = required_text(fcinfo, 1, "flow_type");
	text	   *asset_id = required_text(fcinfo, 2, "asset_id");
	Numeric		quantity;
	text	   *from_party = required_text(fcinfo, 4, "from_party");
	text	   *from_kind = required_text(fcinfo, 5, "from_kind");
	text	   *to_party = required_text(fcinfo, 6, "to_party");
	text	   *to_kind = required_text(fcinfo, 7, "to_kind");
	text	   *created_at = required_text(fcinfo, 8, "created_at");
	Jsonb	   *meta = PG_ARGISNULL(9) ? NULL : PG_GETARG_JSONB_P(9);
	ArrayType  *acc_refs = PG_ARGISNULL(10) ? NULL : PG_GETARG_ARRAYTYPE_P(10);
	Numeric		rate = PG_ARGISNULL(11) ? NULL : PG_GETARG_NUMERIC(11);
	text	   *rate_source = PG_ARGISNULL(12) ? NULL : PG_GETARG_TEXT_PP(12);
	text	   *currency = PG_ARGISNULL(13) ? NULL : PG_GETARG_TEXT_PP(13);
	bool		is_acc;
	Numeric		qty_trimmed;
	JsonbParseState *st = NULL;
	JsonbValue *res;
	char	   *ft = text_to_cstring(flow_type);

	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("foray.loomworks_flow_core: quantity must not be null")));
	quantity = PG_GETARG_NUMERIC(3);
	if (numeric_is_nan(quantity) || numeric_is_inf(quantity))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("foray.loomworks_flow_core: quantity must be a finite number, not %s",
						DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(quantity))))));
	if (text_is(ctype, "ACC"))
		is_acc = true;
	else if (text_is(ctype, "ACT"))
		is_acc = false;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("foray.loomworks_flow_core: component_type must be ACC or ACT, not \"%s\"",
						text_to_cstring(ctype))));
	qty_trimmed = trim_scale(quantity);

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	if (is_acc)
	{
		char	   *parts[4];
		StringInfoData desc;
		bool		first = true;

		if (rate != NULL && (numeric_is_nan(rate) || numeric_is_inf(rate) ||
							 DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(rate),
															   DirectFunctionCall1(int4_numeric, Int32GetDatum(0)))) < 0))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("foray.loomworks_flow_core: rate_per_million must be a finite number >= 0, not %s",
							DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(rate))))));

		push_kv_cstring(&st, "type", "token_consumption");
		/* concat_ws(' ', role, direction, 'tokens,', model) */
		parts[0] = meta_text(meta, "role");
		parts[1] = meta_text(meta, "direction");
		parts[2] = "tokens,";
		parts[3] = meta_text(meta, "model");
		initStringInfo(&desc);
		for (int i = 0; i < 4; i++)
		{
			if (parts[i] == NULL)
				continue;
			if (!first)
				appendStringInfoChar(&desc, ' ');
			appendStringInfoString(&desc, parts[i]);
			first = false;
		}
		push_kv_cstring(&st, "description", desc.data);
		push_kv_cstring(&st, "computation_method", "Calculated");

		foray_push_key(&st, "inputs");
		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		push_kv_numeric(&st, "tokens", qty_trimmed);
		if (rate != NULL)
			push_kv_numeric(&st, "rate_per_million", trim_scale(rate));
		if (rate_source != NULL)
			push_kv_text(&st, "rate_source", rate_source);
		push_kv_meta(&st, "model", meta, "model");
		push_kv_meta(&st, "role", meta, "role");
		push_kv_meta(&st, "direction", meta, "direction");
		pushJsonbValue(&st, WJB_END_OBJECT, NULL);

		/* the credit charge: tokens × rate / 10^6, when there is a rate */
		if (rate != NULL)
		{
			Datum		charge;

			charge = DirectFunctionCall2(numeric_mul, NumericGetDatum(quantity),
										 NumericGetDatum(rate));
			charge = DirectFunctionCall2(numeric_div, charge,
										 DirectFunctionCall1(int4_numeric, Int32GetDatum(1000000)));
			push_kv_numeric(&st, "output", trim_scale(DatumGetNumeric(charge)));
		}
		if (currency != NULL)
			push_kv_text(&st, "currency", currency);
		push_kv_empty_array(&st, "arrangement_refs");
	}
	else
	{
		const char *type;
		char	   *type_buf = NULL;
		StringInfoData desc;

		if (strcmp(ft, "consumption") == 0)
			type = "credit_debit";
		else if (strcmp(ft, "suspension") == 0)
			type = "account_suspension";
		else if (strcmp(ft, "reactivation") == 0)
			type = "account_reactivation";
		else if (strcmp(ft, "deletion") == 0)
			type = "account_deletion";
		else
			type = type_buf = psprintf("credit_%s", ft);
		push_kv_cstring(&st, "type", type);

		/* flow_type of <quantity> <asset> from <party> to <party> */
		initStringInfo(&desc);
		appendStringInfo(&desc, "%s of %s %s from %s to %s", ft,
						 DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(qty_trimmed))),
						 text_to_cstring(asset_id), text_to_cstring(from_party),
						 text_to_cstring(to_party));
		push_kv_cstring(&st, "description", desc.data);

		foray_push_key(&st, "accrual_refs");
		pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
		if (strcmp(ft, "consumption") == 0 && acc_refs != NULL)
		{
			Datum	   *elems;
			bool	   *nulls;
			int			n;

			deconstruct_array(acc_refs, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
			for (int i = 0; i < n; i++)
			{
				JsonbValue	v;

				if (nulls[i])
					v.type = jbvNull;
				else
				{
					text	   *t = DatumGetTextPP(elems[i]);

					v.type = jbvString;
					v.val.string.val = VARDATA_ANY(t);
					v.val.string.len = VARSIZE_ANY_EXHDR(t);
				}
				pushJsonbValue(&st, WJB_ELEM, &v);
			}
		}
		pushJsonbValue(&st, WJB_END_ARRAY, NULL);

		push_kv_numeric(&st, "amount_settled", qty_trimmed);
		push_kv_text(&st, "currency", asset_id);
		push_kv_text(&st, "settlement_date", created_at);
		push_kv_cstring(&st, "settlement_status", "completed");
		push_kv_cstring(&st, "payment_method", "other");
		/* the party on the other side of the person, if one is a person */
		push_kv_text(&st, "counterparty", text_is(from_kind, "person") ? to_party : from_party);
		if (text_is(asset_id, "loomworks_account_status"))
		{
			foray_push_key(&st, "account_status");
			pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
			push_kv_meta(&st, "previous", meta, "previous_status");
			push_kv_meta(&st, "new", meta, "new_status");
			pushJsonbValue(&st, WJB_END_OBJECT, NULL);
		}
		if (type_buf)
			pfree(type_buf);
	}
	push_kv_empty_array(&st, "dependencies");

	/* the ledger facts, in one uniform place */
	foray_push_key(&st, "flow");
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	push_kv_text(&st, "flow_type", flow_type);
	push_kv_text(&st, "asset_id", asset_id);
	push_kv_cstring(&st, "quantity",
					DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(quantity))));
	push_kv_actor(&st, "from_party", from_kind, from_party);
	push_kv_actor(&st, "to_party", to_kind, to_party);
	push_kv_text(&st, "created_at", created_at);
	pushJsonbValue(&st, WJB_END_OBJECT, NULL);

	res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	PG_RETURN_JSONB_P(JsonbValueToJsonb(res));
}
