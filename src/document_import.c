/*
 * document_import.c
 *		foray.import_document(): one FORAY document into the substrate, all
 *		or nothing.
 *
 *	1. validate (document_validate.c; 4.0 and 3.0 are upgraded first);
 *	   structural violations always refuse the document, content ones
 *	   unless admit_content_violations;
 *	2. take the transaction's lock (the one the triggers take), then look
 *	   for the transaction with a fresh snapshot: identical content is a
 *	   no-op (no rows, no events), different content is an error naming the
 *	   first difference;
 *	3. insert the envelope, the components (kind order, so every ref points
 *	   at a row already there) and the attestations, through the triggers;
 *	4. record each admitted content violation as a CONTENT_RULE_VIOLATION
 *	   event;
 *	5. report on the hash fields the document carried (docs/documents.md).
 */
#include "compat.h"

#include "document.h"
#include "shards.h"
#include "substrate.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#define MAX_LISTED_VIOLATIONS 50

static SPIPlanPtr plan_insert_tx = NULL;
static SPIPlanPtr plan_insert_components = NULL;
static SPIPlanPtr plan_insert_attestations = NULL;

/* top-level keys with a column (or computed): everything else is extra */
static const char *const standard_keys[] = {
	"transaction_id", "schema_version", "timestamp", "foray_core", "component_hashes",
	"merkle_root", "arrangements", "accruals", "anticipations", "actions", "attestations",
	"audit_data_anchor", "privacy_metadata", "commitment_scheme", NULL
};

static SPIPlanPtr
prepare_kept(const char *sql, int nargs, Oid *argtypes)
{
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, argtypes);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	SPI_keepplan(plan);
	return plan;
}

static bool
key_is(JsonbValue *k, const char *s)
{
	return k->val.string.len == strlen(s) && memcmp(k->val.string.val, s, k->val.string.len) == 0;
}

static Jsonb *
value_jsonb(JsonbValue *v)
{
	if (v == NULL || v->type == jbvNull)
		return NULL;
	return JsonbValueToJsonb(v);
}

static char *
value_text(JsonbValue *v)
{
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/* ------------------------------------------------------------------
 * Refusal
 * ------------------------------------------------------------------ */
static void
refuse(List *violations, const char *txid, bool admit)
{
	ListCell   *lc;
	int			nstructural = 0,
				ncontent = 0,
				listed = 0;
	int			sqlstate = ERRCODE_FORAY_DOC_CONTENT;
	StringInfoData detail;

	foreach(lc, violations)
	{
		ForayViolation *v = lfirst(lc);

		if (v->warning)
			continue;
		if (v->structural)
			nstructural++;
		else
			ncontent++;
	}
	if (nstructural == 0 && (ncontent == 0 || admit))
		return;

	if (nstructural > 0)
		sqlstate = ERRCODE_FORAY_DOC_INVALID;
	initStringInfo(&detail);
	foreach(lc, violations)
	{
		ForayViolation *v = lfirst(lc);

		if (v->warning || (admit && !v->structural))
			continue;
		if (strcmp(v->rule_id, "DOC-001") == 0)
			sqlstate = ERRCODE_FORAY_DOC_NOT_OBJECT;
		else if (strcmp(v->rule_id, "DOC-002") == 0 && sqlstate != ERRCODE_FORAY_DOC_NOT_OBJECT)
			sqlstate = ERRCODE_FORAY_DOC_TOO_DEEP;
		else if (strcmp(v->rule_id, "TX-002") == 0 && sqlstate == ERRCODE_FORAY_DOC_INVALID)
			sqlstate = ERRCODE_FORAY_DOC_VERSION;
		if (listed++ < MAX_LISTED_VIOLATIONS)
			appendStringInfo(&detail, "%s%s %s%s%s %s: %s", listed > 1 ? "\n" : "",
							 v->rule_id, v->structural ? "(structural)" : "(content)",
							 v->component_id ? " " : "", v->component_id ? v->component_id : "",
							 v->json_path, v->message);
	}
	if (listed > MAX_LISTED_VIOLATIONS)
		appendStringInfo(&detail, "\n... and %d more (foray.validate_document() lists them all)",
						 listed - MAX_LISTED_VIOLATIONS);

	ereport(ERROR,
			(errcode(sqlstate),
			 txid ? errmsg("document \"%s\" breaks %d rule%s of FORAY v4.1", txid,
						   listed, listed == 1 ? "" : "s")
			 : errmsg("the document breaks %d rule%s of FORAY v4.1", listed,
					  listed == 1 ? "" : "s"),
			 errdetail("%s", detail.data),
			 nstructural == 0 ?
			 errhint("Only content rules are broken: foray.import_document(doc, admit_content_violations => true) stores the document and records each violation as a CONTENT_RULE_VIOLATION event.") :
			 errhint("Structural rules describe what the substrate cannot hold; SELECT * FROM foray.document_rules() explains each.")));
}

/* ------------------------------------------------------------------
 * The incoming document as rows
 * ------------------------------------------------------------------ */
static void
document_parts(Jsonb *doc, ForayDocParts *p)
{
	JsonbContainer *root = &doc->root;
	JsonbValue *v;
	JsonbParseState *ps = NULL;
	JsonbIterator *it;
	JsonbValue	k,
				val;
	JsonbIteratorToken tok;
	bool		any_extra = false;
	JsonbValue *extra;

	memset(p, 0, sizeof(*p));
	v = getKeyJsonValueFromContainer(root, "transaction_id", 14, NULL);
	p->transaction_id = value_text(v);
	p->schema_version = "4.1";
	v = getKeyJsonValueFromContainer(root, "timestamp", 9, NULL);
	p->timestamp = value_text(v);
	p->foray_core = value_jsonb(getKeyJsonValueFromContainer(root, "foray_core", 10, NULL));
	p->audit_data_anchor = value_jsonb(getKeyJsonValueFromContainer(root, "audit_data_anchor", 17, NULL));
	/*
	 * A carried audit_data_hash is not ours to trust: it is reported with the
	 * other carried hashes, never stored; record_anchor() writes the computed
	 * one when the transaction is anchored.
	 */
	if (p->audit_data_anchor != NULL && JB_ROOT_IS_OBJECT(p->audit_data_anchor))
		p->audit_data_anchor = DatumGetJsonbP(DirectFunctionCall2(jsonb_delete,
																  JsonbPGetDatum(p->audit_data_anchor),
																  CStringGetTextDatum("audit_data_hash")));
	p->privacy_metadata = value_jsonb(getKeyJsonValueFromContainer(root, "privacy_metadata", 16, NULL));
	p->blockchain_anchor = value_jsonb(getKeyJsonValueFromContainer(root, "blockchain_anchor", 17, NULL));

	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	it = JsonbIteratorInit(root);
	while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
	{
		bool		standard = false;

		if (tok != WJB_KEY)
			continue;
		(void) JsonbIteratorNext(&it, &val, true);
		for (int i = 0; standard_keys[i]; i++)
			if (key_is(&k, standard_keys[i]))
				standard = true;
		if (standard)
			continue;
		pushJsonbValue(&ps, WJB_KEY, &k);
		pushJsonbValue(&ps, WJB_VALUE, &val);
		any_extra = true;
	}
	extra = pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
	p->extra_fields = any_extra ? JsonbValueToJsonb(extra) : NULL;

	for (int kind = 0; kind < FORAY_NKINDS; kind++)
	{
		JsonbValue *arr = getKeyJsonValueFromContainer(root, foray_kinds[kind].array,
													   strlen(foray_kinds[kind].array), NULL);

		if (arr == NULL || arr->type != jbvBinary)
			continue;
		for (int i = 0; i < JsonContainerSize(arr->val.binary.data); i++)
		{
			JsonbValue *e = getIthJsonbValueFromContainer(arr->val.binary.data, i);
			ForayDocComponent *c = palloc0(sizeof(ForayDocComponent));

			c->kind = kind;
			c->ordinal = i;
			c->id = value_text(getKeyJsonValueFromContainer(e->val.binary.data, "id", 2, NULL));
			c->foray_core = value_jsonb(getKeyJsonValueFromContainer(e->val.binary.data,
																	 "foray_core", 10, NULL));
			c->audit_data = value_jsonb(getKeyJsonValueFromContainer(e->val.binary.data,
																	 "audit_data", 10, NULL));
			p->components = lappend(p->components, c);
		}
	}
}

/* ------------------------------------------------------------------
 * The first difference between a stored and an incoming transaction
 * ------------------------------------------------------------------ */
static bool
jbv_equal(JsonbValue *a, JsonbValue *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	if (a->type != b->type)
		return false;
	switch (a->type)
	{
		case jbvNull:
			return true;
		case jbvBool:
			return a->val.boolean == b->val.boolean;
		case jbvString:
			return a->val.string.len == b->val.string.len &&
				memcmp(a->val.string.val, b->val.string.val, a->val.string.len) == 0;
		case jbvNumeric:
			return DatumGetInt32(DirectFunctionCall2(numeric_cmp,
													 NumericGetDatum(a->val.numeric),
													 NumericGetDatum(b->val.numeric))) == 0;
		case jbvBinary:
			return JsonContainerIsObject(a->val.binary.data) ==
				JsonContainerIsObject(b->val.binary.data) &&
				compareJsonbContainers(a->val.binary.data, b->val.binary.data) == 0;
		default:
			return false;
	}
}

/* first key whose value differs between two objects (NULL: none) */
static char *
first_differing_key(Jsonb *a, Jsonb *b)
{
	for (int pass = 0; pass < 2; pass++)
	{
		Jsonb	   *x = pass == 0 ? a : b;
		Jsonb	   *y = pass == 0 ? b : a;
		JsonbIterator *it;
		JsonbValue	k;
		JsonbIteratorToken tok;

		if (x == NULL)
			continue;
		if (y == NULL)
			return pstrdup("");
		if (!JB_ROOT_IS_OBJECT(x) || !JB_ROOT_IS_OBJECT(y))
			return compareJsonbContainers(&x->root, &y->root) == 0 ? NULL : pstrdup("");
		it = JsonbIteratorInit(&x->root);
		while ((tok = JsonbIteratorNext(&it, &k, true)) != WJB_DONE)
		{
			char	   *key;

			if (tok != WJB_KEY)
				continue;
			key = value_text(&k);
			if (!jbv_equal(getKeyJsonValueFromContainer(&x->root, key, strlen(key), NULL),
						   getKeyJsonValueFromContainer(&y->root, key, strlen(key), NULL)))
				return key;
		}
	}
	return NULL;
}

static char *
qualify(const char *base, const char *key)
{
	return key[0] ? psprintf("%s.%s", base, key) : pstrdup(base);
}

static void
conflict(const char *txid, const char *component, const char *fmt, const char *field)
{
	char	   *where = psprintf(fmt, field);

	ereport(ERROR,
			(errcode(ERRCODE_FORAY_DOC_CONFLICT),
			 errmsg("transaction \"%s\" already exists with different content", txid),
			 component ?
			 errdetail("First difference: component \"%s\", %s.", component, where) :
			 errdetail("First difference: %s.", where),
			 errhint("Change an open transaction's rows in place; an anchored one is corrected by a new transaction: foray.amend_transaction('%s', 'NEW_ID').", txid)));
}

static void
report_first_difference(ForayDocParts *stored, ForayDocParts *in)
{
	const char *tx = in->transaction_id;
	char	   *key;
	ListCell   *lc;

	if (strcmp(stored->timestamp, in->timestamp) != 0)
		conflict(tx, NULL, "field %s", "timestamp");
	if ((key = first_differing_key(stored->foray_core, in->foray_core)) != NULL)
		conflict(tx, NULL, "field %s", qualify("foray_core", key));
	if ((key = first_differing_key(stored->audit_data_anchor, in->audit_data_anchor)) != NULL)
		conflict(tx, NULL, "field %s", qualify("audit_data_anchor", key));
	if ((key = first_differing_key(stored->privacy_metadata, in->privacy_metadata)) != NULL)
		conflict(tx, NULL, "field %s", qualify("privacy_metadata", key));
	if ((key = first_differing_key(stored->blockchain_anchor, in->blockchain_anchor)) != NULL)
		conflict(tx, NULL, "field %s", qualify("blockchain_anchor", key));
	if ((key = first_differing_key(stored->extra_fields, in->extra_fields)) != NULL)
		conflict(tx, NULL, "top-level field %s", key);

	foreach(lc, in->components)
	{
		ForayDocComponent *c = lfirst(lc);
		ForayDocComponent *s = NULL;
		ListCell   *lc2;
		int			pos = 0,
					spos = 0;

		foreach(lc2, in->components)
		{
			if (lfirst(lc2) == c)
				break;
			if (((ForayDocComponent *) lfirst(lc2))->kind == c->kind)
				pos++;
		}
		foreach(lc2, stored->components)
		{
			ForayDocComponent *x = lfirst(lc2);

			if (x->kind == c->kind && strcmp(x->id, c->id) == 0)
			{
				s = x;
				break;
			}
			if (x->kind == c->kind)
				spos++;
		}
		if (s == NULL)
			conflict(tx, c->id, "%s", "which the stored transaction does not have");
		if ((key = first_differing_key(s->foray_core, c->foray_core)) != NULL)
			conflict(tx, c->id, "field %s", qualify("foray_core", key));
		if ((key = first_differing_key(s->audit_data, c->audit_data)) != NULL)
			conflict(tx, c->id, "field %s", qualify("audit_data", key));
		if (pos != spos)
			conflict(tx, c->id, "%s", "its position in the component array");
	}
	foreach(lc, stored->components)
	{
		ForayDocComponent *s = lfirst(lc);
		ListCell   *lc2;
		bool		found = false;

		foreach(lc2, in->components)
		{
			ForayDocComponent *c = lfirst(lc2);

			if (c->kind == s->kind && strcmp(c->id, s->id) == 0)
				found = true;
		}
		if (!found)
			conflict(tx, s->id, "%s", "which the document does not have");
	}
	conflict(tx, NULL, "%s", "the document as a whole");
}

/* ------------------------------------------------------------------
 * Writing the rows
 * ------------------------------------------------------------------ */
static ArrayType *
make_array(Datum *values, bool *nulls, int n, Oid elemtype)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;
	int			dims[1] = {n};
	int			lbs[1] = {1};

	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	if (n == 0)
		return construct_empty_array(elemtype);
	return construct_md_array(values, nulls, 1, dims, lbs, elemtype, typlen, typbyval, typalign);
}

static Datum
jsonb_or_null(Jsonb *jb, char *null)
{
	*null = jb ? ' ' : 'n';
	return jb ? JsonbPGetDatum(jb) : (Datum) 0;
}

static void
insert_rows(ForayDocParts *p, int *ncomponents, int *nattestations)
{
	Datum		values[7];
	char		nulls[7] = {' ', ' ', ' ', ' ', ' ', ' ', ' '};
	int			n = list_length(p->components);
	Datum	   *ids = palloc(sizeof(Datum) * Max(n, 1));
	Datum	   *types = palloc(sizeof(Datum) * Max(n, 1));
	Datum	   *cores = palloc(sizeof(Datum) * Max(n, 1));
	Datum	   *audits = palloc(sizeof(Datum) * Max(n, 1));
	bool	   *audit_nulls = palloc(sizeof(bool) * Max(n, 1));
	Datum	   *ordinals = palloc(sizeof(Datum) * Max(n, 1));
	int			rc;

	if (plan_insert_tx == NULL)
	{
		Oid			t[7] = {TEXTOID, TEXTOID, TEXTOID, JSONBOID, JSONBOID, JSONBOID, JSONBOID};
		Oid			c[6] = {TEXTOID, TEXTARRAYOID, TEXTARRAYOID, JSONBARRAYOID, JSONBARRAYOID, INT4ARRAYOID};
		Oid			a[5] = {TEXTOID, TEXTARRAYOID, JSONBARRAYOID, JSONBARRAYOID, INT4ARRAYOID};

		plan_insert_tx = prepare_kept("INSERT INTO foray.foray_transactions "
									  "(transaction_id, schema_version, document_timestamp, foray_core, "
									  " audit_data_anchor, privacy_metadata, extra_fields) "
									  "VALUES ($1, $2, $3, $4, $5, $6, $7)", 7, t);
		plan_insert_components = prepare_kept("INSERT INTO foray.foray_components "
											  "(transaction_id, component_id, component_type, foray_core, audit_data, ordinal) "
											  "SELECT $1, u.id, u.t, u.core, u.audit, u.ord "
											  "FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3), pg_catalog.unnest($4), "
											  "pg_catalog.unnest($5), pg_catalog.unnest($6)) AS u(id, t, core, audit, ord)",
											  6, c);
		plan_insert_attestations = prepare_kept("INSERT INTO foray.foray_attestations "
												"(transaction_id, attestation_id, foray_core, audit_data, ordinal) "
												"SELECT $1, u.id, u.core, u.audit, u.ord "
												"FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3), pg_catalog.unnest($4), "
												"pg_catalog.unnest($5)) AS u(id, core, audit, ord)",
												5, a);
	}

	values[0] = CStringGetTextDatum(p->transaction_id);
	values[1] = CStringGetTextDatum(p->schema_version);
	values[2] = CStringGetTextDatum(p->timestamp);
	values[3] = JsonbPGetDatum(p->foray_core);
	values[4] = jsonb_or_null(p->audit_data_anchor, &nulls[4]);
	values[5] = jsonb_or_null(p->privacy_metadata, &nulls[5]);
	values[6] = jsonb_or_null(p->extra_fields, &nulls[6]);
	rc = SPI_execute_plan(plan_insert_tx, values, nulls, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "could not insert into foray.foray_transactions: %s", SPI_result_code_string(rc));

	for (int pass = 0; pass < 2; pass++)
	{
		bool		attestations = (pass == 1);
		ListCell   *lc;
		int			m = 0;
		char		anulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};

		foreach(lc, p->components)
		{
			ForayDocComponent *c = lfirst(lc);

			if ((c->kind == FORAY_ATT) != attestations)
				continue;
			ids[m] = CStringGetTextDatum(c->id);
			types[m] = CStringGetTextDatum(foray_kinds[c->kind].code);
			cores[m] = JsonbPGetDatum(c->foray_core);
			audit_nulls[m] = (c->audit_data == NULL);
			audits[m] = c->audit_data ? JsonbPGetDatum(c->audit_data) : (Datum) 0;
			ordinals[m] = Int32GetDatum(c->ordinal);
			m++;
		}
		if (attestations)
			*nattestations = m;
		else
			*ncomponents = m;
		if (m == 0)
			continue;
		values[0] = CStringGetTextDatum(p->transaction_id);
		if (!attestations)
		{
			values[1] = PointerGetDatum(make_array(ids, NULL, m, TEXTOID));
			values[2] = PointerGetDatum(make_array(types, NULL, m, TEXTOID));
			values[3] = PointerGetDatum(make_array(cores, NULL, m, JSONBOID));
			values[4] = PointerGetDatum(make_array(audits, audit_nulls, m, JSONBOID));
			values[5] = PointerGetDatum(make_array(ordinals, NULL, m, INT4OID));
			rc = SPI_execute_plan(plan_insert_components, values, anulls, false, 0);
		}
		else
		{
			values[1] = PointerGetDatum(make_array(ids, NULL, m, TEXTOID));
			values[2] = PointerGetDatum(make_array(cores, NULL, m, JSONBOID));
			values[3] = PointerGetDatum(make_array(audits, audit_nulls, m, JSONBOID));
			values[4] = PointerGetDatum(make_array(ordinals, NULL, m, INT4OID));
			rc = SPI_execute_plan(plan_insert_attestations, values, anulls, false, 0);
		}
		if (rc != SPI_OK_INSERT || SPI_processed != (uint64) m)
			elog(ERROR, "could not insert the %s of transaction \"%s\": %s",
				 attestations ? "attestations" : "components", p->transaction_id,
				 SPI_result_code_string(rc));
	}
}

static void
record_violation_events(List *violations, const char *txid)
{
	ListCell   *lc;

	foreach(lc, violations)
	{
		ForayViolation *v = lfirst(lc);
		JsonbParseState *ps = NULL;
		const char *keys[4] = {"rule_id", "severity", "json_path", "message"};
		const char *vals[4];
		JsonbValue *res;

		if (v->warning || v->structural)
			continue;
		vals[0] = v->rule_id;
		vals[1] = "error";
		vals[2] = v->json_path;
		vals[3] = v->message;
		pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
		for (int i = 0; i < 4; i++)
		{
			JsonbValue	x;

			x.type = jbvString;
			x.val.string.val = (char *) keys[i];
			x.val.string.len = strlen(keys[i]);
			pushJsonbValue(&ps, WJB_KEY, &x);
			x.val.string.val = (char *) vals[i];
			x.val.string.len = strlen(vals[i]);
			pushJsonbValue(&ps, WJB_VALUE, &x);
		}
		res = pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
		if (v->component_id == NULL)
			foray_emit_event("CONTENT_RULE_VIOLATION", "TRANSACTION", txid, txid,
							 JsonbValueToJsonb(res));
		else
			foray_emit_event("CONTENT_RULE_VIOLATION",
							 strncmp(v->component_id, "ATT_", 4) == 0 ? "ATTESTATION" : "COMPONENT",
							 v->component_id, txid, JsonbValueToJsonb(res));
	}
	foray_flush_events();
}

/* ------------------------------------------------------------------
 * Carried hash fields: placeholder, or well-formed and verified or not
 * ------------------------------------------------------------------ */
static bool
well_formed_hash(JsonbValue *v, char *normalised)
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
	{
		char		ch = s[i];

		if (ch >= 'A' && ch <= 'F')
			ch += 'a' - 'A';
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
			return false;
		normalised[7 + i] = ch;
	}
	memcpy(normalised, "sha256:", 7);
	normalised[71] = '\0';
	return true;
}

static void
push_str(JsonbParseState **ps, const char *key, const char *val)
{
	JsonbValue	x;

	x.type = jbvString;
	x.val.string.val = (char *) key;
	x.val.string.len = strlen(key);
	pushJsonbValue(ps, WJB_KEY, &x);
	if (val == NULL)
	{
		x.type = jbvNull;
		pushJsonbValue(ps, WJB_VALUE, &x);
		return;
	}
	x.val.string.val = (char *) val;
	x.val.string.len = strlen(val);
	pushJsonbValue(ps, WJB_VALUE, &x);
}

static void
push_int(JsonbParseState **ps, const char *key, int64 n)
{
	JsonbValue	x;

	x.type = jbvString;
	x.val.string.val = (char *) key;
	x.val.string.len = strlen(key);
	pushJsonbValue(ps, WJB_KEY, &x);
	x.type = jbvNumeric;
	x.val.numeric = DatumGetNumeric(DirectFunctionCall1(int8_numeric, Int64GetDatum(n)));
	pushJsonbValue(ps, WJB_VALUE, &x);
}

/* one carried hash: {"carried": ..., "status": ..., "computed": ...} */
static void
push_hash_report(JsonbParseState **ps, const char *name, JsonbValue *carried,
				 bool have_computed, const char *computed)
{
	char		norm[72];
	const char *status;

	if (carried == NULL)
		return;
	if (carried->type != jbvString)
		status = "not a string";
	else if (!well_formed_hash(carried, norm))
		status = "placeholder";
	else if (!have_computed || computed == NULL)
		status = "unverified: the hashing functions are not installed";
	else if (strcmp(norm, computed) == 0)
		status = "verified";
	else
		status = "does not verify";
	{
		JsonbValue	x;

		x.type = jbvString;
		x.val.string.val = (char *) name;
		x.val.string.len = strlen(name);
		pushJsonbValue(ps, WJB_KEY, &x);
	}
	pushJsonbValue(ps, WJB_BEGIN_OBJECT, NULL);
	push_str(ps, "carried", carried->type == jbvString ? value_text(carried) : NULL);
	push_str(ps, "status", status);
	push_str(ps, "computed", have_computed ? computed : NULL);
	pushJsonbValue(ps, WJB_END_OBJECT, NULL);
}

static void
push_carried_hashes(JsonbParseState **ps, Jsonb *doc, const char *txid)
{
	JsonbValue *mr = getKeyJsonValueFromContainer(&doc->root, "merkle_root", 11, NULL);
	JsonbValue *ch = getKeyJsonValueFromContainer(&doc->root, "component_hashes", 16, NULL);
	Jsonb	   *computed_ch = NULL;
	char	   *computed_mr = NULL;
	bool		have = false;
	JsonbValue	x;

	/* compute the tree only when there is something to compare it with */
	if (mr != NULL || ch != NULL)
	{
		int			scheme;

		have = foray_computed_hashes(txid, &computed_ch, &computed_mr, &scheme);
	}

	x.type = jbvString;
	x.val.string.val = "carried_hashes";
	x.val.string.len = strlen("carried_hashes");
	pushJsonbValue(ps, WJB_KEY, &x);
	pushJsonbValue(ps, WJB_BEGIN_OBJECT, NULL);
	push_hash_report(ps, "merkle_root", mr, have, computed_mr);
	if (ch && ch->type == jbvBinary && JsonContainerIsObject(ch->val.binary.data))
	{
		for (int k = 0; k < FORAY_NKINDS; k++)
		{
			const char *tree = foray_kinds[k].array;
			JsonbValue *c = getKeyJsonValueFromContainer(ch->val.binary.data, tree,
														 strlen(tree), NULL);
			JsonbValue *comp = computed_ch ?
				getKeyJsonValueFromContainer(&computed_ch->root, tree, strlen(tree), NULL) : NULL;

			push_hash_report(ps, psprintf("component_hashes.%s", tree), c, have,
							 comp && comp->type == jbvString ? value_text(comp) : NULL);
		}
	}
	pushJsonbValue(ps, WJB_END_OBJECT, NULL);
}

/* ------------------------------------------------------------------
 * SQL entry point
 * ------------------------------------------------------------------ */
static Jsonb *
import_validated(Jsonb *doc, List *violations, Jsonb *upgraded, bool admit)
{
	MemoryContext caller = CurrentMemoryContext;
	ForayDocParts in;
	ForayDocParts stored;
	JsonbParseState *ps = NULL;
	JsonbValue *res;
	Jsonb	   *report;
	Jsonb	   *out;
	const char *from = NULL;
	int			ncomp = 0,
				natt = 0,
				nadmitted = 0,
				nwarnings = 0;
	bool		unchanged;
	bool		remote;
	ListCell   *lc;

	{
		JsonbValue *tid = JB_ROOT_IS_OBJECT(upgraded) ?
			getKeyJsonValueFromContainer(&upgraded->root, "transaction_id", 14, NULL) : NULL;

		refuse(violations, tid && tid->type == jbvString ? value_text(tid) : NULL, admit);
	}
	foreach(lc, violations)
	{
		ForayViolation *v = lfirst(lc);

		if (v->warning)
			nwarnings++;
		else if (!v->structural)
			nadmitted++;
	}
	if (upgraded != doc)
		from = value_text(getKeyJsonValueFromContainer(&doc->root, "schema_version", 14, NULL));
	document_parts(upgraded, &in);

	/*
	 * On a Citus coordinator the transaction's shard group is on a worker:
	 * the rows go there through the distributed tables, and the shards'
	 * triggers take the transaction's writer lock on that node and record
	 * its events (docs/scale-out.md).  The violation events this function writes
	 * itself need the group here.
	 */
	remote = foray_shards_for_tx_if_local(in.transaction_id) == NULL;
	if (remote && nadmitted > 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot admit content-rule violations of transaction \"%s\" through the Citus coordinator",
						in.transaction_id),
				 errdetail("Its CONTENT_RULE_VIOLATION events are written on the node holding the transaction's shards."),
				 errhint("Correct the document, or import it with admit_content_violations => false (docs/scale-out.md).")));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (!remote)
		foray_lock_transaction(in.transaction_id);
	if (foray_load_document_parts(in.transaction_id, &stored, true))
	{
		Jsonb	   *a = foray_build_document(&stored);
		Jsonb	   *b = foray_build_document(&in);

		if (compareJsonbContainers(&a->root, &b->root) != 0)
			report_first_difference(&stored, &in);
		unchanged = true;
	}
	else
	{
		insert_rows(&in, &ncomp, &natt);
		record_violation_events(violations, in.transaction_id);
		unchanged = false;
	}

	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	push_str(&ps, "transaction_id", in.transaction_id);
	push_str(&ps, "status", unchanged ? "unchanged" : "imported");
	push_str(&ps, "upgraded_from", from);
	push_int(&ps, "components", unchanged ? 0 : ncomp);
	push_int(&ps, "attestations", unchanged ? 0 : natt);
	push_int(&ps, "content_violations_recorded", unchanged ? 0 : nadmitted);
	push_int(&ps, "warnings", nwarnings);
	push_carried_hashes(&ps, doc, in.transaction_id);
	res = pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
	report = JsonbValueToJsonb(res);
	out = MemoryContextAlloc(caller, VARSIZE(report));
	memcpy(out, report, VARSIZE(report));
	SPI_finish();
	return out;
}

PG_FUNCTION_INFO_V1(foray_import_document);
Datum
foray_import_document(PG_FUNCTION_ARGS)
{
	Jsonb	   *doc = PG_GETARG_JSONB_P(0);
	Jsonb	   *upgraded;
	List	   *violations = foray_validate_document(doc, GetCurrentTransactionStartTimestamp(),
													 &upgraded);

	PG_RETURN_JSONB_P(import_validated(doc, violations, upgraded, PG_GETARG_BOOL(1)));
}

/* The JSON text form: duplicate keys (SHAPE-005) are refused too. */
PG_FUNCTION_INFO_V1(foray_import_document_text);
Datum
foray_import_document_text(PG_FUNCTION_ARGS)
{
	text	   *json = PG_GETARG_TEXT_PP(0);
	Jsonb	   *doc = foray_text_to_jsonb(json);
	Jsonb	   *upgraded;
	List	   *violations = foray_validate_document_text(json, doc,
														  GetCurrentTransactionStartTimestamp(),
														  &upgraded);

	PG_RETURN_JSONB_P(import_validated(doc, violations, upgraded, PG_GETARG_BOOL(1)));
}
