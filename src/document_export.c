/*
 * document_export.c
 *		foray.export_document(): a stored transaction as a complete FORAY
 *		v4.1 document, and the document builder import uses to compare a
 *		resubmitted document with what is stored.
 *
 * The document is assembled from the rows (ForayDocParts) by one builder,
 * so an incoming document and a stored transaction are compared in the
 * same shape.  component_hashes and merkle_root are computed by
 * foray.transaction_hashes() (the Merkle part of the extension); when that
 * function is not installed they are left out rather than invented.
 */
#include "compat.h"

#include "document.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "nodes/value.h"
#include "parser/parse_func.h"

#include "substrate.h"

static SPIPlanPtr plan_tx = NULL;
static SPIPlanPtr plan_components = NULL;
static SPIPlanPtr plan_attestations = NULL;
static SPIPlanPtr plan_hashes = NULL;

static SPIPlanPtr
prepare_kept(const char *sql, int nargs, Oid *argtypes)
{
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, argtypes);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	SPI_keepplan(plan);
	return plan;
}

static void
push_jsonb(JsonbParseState **ps, JsonbIteratorToken tok, Jsonb *jb)
{
	JsonbValue	v;

	if (JB_ROOT_IS_SCALAR(jb))
	{
		JsonbIterator *it = JsonbIteratorInit(&jb->root);
		JsonbValue	sv;

		(void) JsonbIteratorNext(&it, &sv, true);	/* begin array */
		(void) JsonbIteratorNext(&it, &sv, true);	/* the scalar */
		pushJsonbValue(ps, tok, &sv);
		return;
	}
	v.type = jbvBinary;
	v.val.binary.data = &jb->root;
	v.val.binary.len = VARSIZE(jb) - VARHDRSZ;
	pushJsonbValue(ps, tok, &v);
}

static void
push_text(JsonbParseState **ps, const char *key, const char *s)
{
	foray_push_key(ps, key);
	foray_push_string(ps, WJB_VALUE, s, strlen(s));
}

/*
 * The document a set of rows stands for.  Arrays of the four DAG kinds are
 * always written (spec §2.1 shape); attestations only when there are some.
 * extra_fields are written first so that a standard key always wins.
 */
Jsonb *
foray_build_document(ForayDocParts *p)
{
	JsonbParseState *ps = NULL;
	JsonbValue *res;

	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	if (p->extra_fields && JB_ROOT_IS_OBJECT(p->extra_fields))
	{
		JsonbIterator *it = JsonbIteratorInit(&p->extra_fields->root);
		JsonbValue	v;
		JsonbIteratorToken tok;

		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
			if (tok == WJB_KEY || tok == WJB_VALUE)
				pushJsonbValue(&ps, tok, &v);
	}
	push_text(&ps, "transaction_id", p->transaction_id);
	push_text(&ps, "schema_version", p->schema_version);
	push_text(&ps, "timestamp", p->timestamp);
	foray_push_key(&ps, "foray_core");
	push_jsonb(&ps, WJB_VALUE, p->foray_core);
	if (p->component_hashes)
	{
		foray_push_key(&ps, "component_hashes");
		push_jsonb(&ps, WJB_VALUE, p->component_hashes);
	}
	for (int k = 0; k < FORAY_NKINDS; k++)
	{
		ListCell   *lc;
		bool		any = false;

		foreach(lc, p->components)
			if (((ForayDocComponent *) lfirst(lc))->kind == k)
				any = true;
		if (k == FORAY_ATT && !any)
			continue;
		foray_push_key(&ps, foray_kinds[k].array);
		pushJsonbValue(&ps, WJB_BEGIN_ARRAY, NULL);
		foreach(lc, p->components)
		{
			ForayDocComponent *c = lfirst(lc);

			if (c->kind != k)
				continue;
			pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
			push_text(&ps, "id", c->id);
			foray_push_key(&ps, "foray_core");
			push_jsonb(&ps, WJB_VALUE, c->foray_core);
			if (c->audit_data)
			{
				foray_push_key(&ps, "audit_data");
				push_jsonb(&ps, WJB_VALUE, c->audit_data);
			}
			pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
		}
		pushJsonbValue(&ps, WJB_END_ARRAY, NULL);
	}
	if (p->merkle_root)
		push_text(&ps, "merkle_root", p->merkle_root);
	/* scheme 2 says so; a scheme-1 transaction exports as 0.4.0 did */
	if (p->merkle_root && p->commitment_scheme >= 2)
	{
		JsonbValue	v;

		foray_push_key(&ps, "commitment_scheme");
		v.type = jbvNumeric;
		v.val.numeric = DatumGetNumeric(DirectFunctionCall1(int8_numeric, Int64GetDatum(p->commitment_scheme)));
		pushJsonbValue(&ps, WJB_VALUE, &v);
	}
	if (p->blockchain_anchor)
	{
		foray_push_key(&ps, "blockchain_anchor");
		push_jsonb(&ps, WJB_VALUE, p->blockchain_anchor);
	}
	if (p->audit_data_anchor)
	{
		foray_push_key(&ps, "audit_data_anchor");
		push_jsonb(&ps, WJB_VALUE, p->audit_data_anchor);
	}
	if (p->privacy_metadata)
	{
		foray_push_key(&ps, "privacy_metadata");
		push_jsonb(&ps, WJB_VALUE, p->privacy_metadata);
	}
	res = pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(res);
}

static Jsonb *
get_jsonb(HeapTuple tup, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);

	return isnull ? NULL : DatumGetJsonbPCopy(d);
}

static char *
get_text(HeapTuple tup, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

static bool
have_hash_functions(void)
{
	Oid			argtype = TEXTOID;

	return OidIsValid(LookupFuncName(list_make2(makeString("foray"),
												makeString("transaction_hashes")),
									 1, &argtype, true));
}

/*
 * The computed component_hashes and merkle_root of a stored transaction,
 * or false when the hashing functions are not installed.  Call inside SPI.
 */
bool
foray_computed_hashes(const char *txid, Jsonb **component_hashes, char **merkle_root,
					  int *scheme)
{
	Datum		arg = CStringGetTextDatum(txid);
	Oid			argtype = TEXTOID;
	int			rc;
	char	   *s;

	*component_hashes = NULL;
	*merkle_root = NULL;
	*scheme = 0;
	if (!have_hash_functions())
		return false;
	/* (commitment_scheme: absent from a database not yet updated to 0.5.0) */
	if (plan_hashes == NULL)
		plan_hashes = prepare_kept("SELECT h.component_hashes, h.merkle_root, "
								   "       pg_catalog.to_jsonb(h) OPERATOR(pg_catalog.->>) 'commitment_scheme' "
								   "FROM foray.transaction_hashes($1) AS h",
								   1, &argtype);
	rc = SPI_execute_plan(plan_hashes, &arg, NULL, false, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		return false;
	*component_hashes = get_jsonb(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	*merkle_root = get_text(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	s = get_text(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3);
	*scheme = s ? atoi(s) : 1;
	return true;
}

/*
 * Load the rows of a stored transaction.  Call inside SPI (the results live
 * in the SPI procedure context: callers copy out what they keep).
 * fresh_snapshot: read with a new snapshot (import, after taking the
 * transaction's lock, must see a concurrent import that just committed).
 * Returns false when the transaction does not exist.
 */
bool
foray_load_document_parts(const char *txid, ForayDocParts *p, bool fresh_snapshot)
{
	Datum		arg = CStringGetTextDatum(txid);
	Oid			argtype = TEXTOID;
	int			rc;
	HeapTuple	t;
	TupleDesc	d;

	memset(p, 0, sizeof(*p));
	if (plan_tx == NULL)
		plan_tx = prepare_kept("SELECT t.schema_version, t.document_timestamp, t.foray_core, "
							   "t.audit_data_anchor, t.privacy_metadata, t.extra_fields, "
							   "t.blockchain_anchor "
							   "FROM foray.foray_transactions AS t "
							   "WHERE t.transaction_id OPERATOR(pg_catalog.=) $1",
							   1, &argtype);
	if (plan_components == NULL)
		plan_components = prepare_kept("SELECT c.component_type::pg_catalog.text, c.component_id, "
									   "c.foray_core, c.audit_data "
									   "FROM foray.foray_components AS c "
									   "WHERE c.transaction_id OPERATOR(pg_catalog.=) $1 "
									   "ORDER BY c.ordinal NULLS LAST, c.component_id COLLATE pg_catalog.\"C\"",
									   1, &argtype);
	if (plan_attestations == NULL)
		plan_attestations = prepare_kept("SELECT a.attestation_id, a.foray_core, a.audit_data "
										 "FROM foray.foray_attestations AS a "
										 "WHERE a.transaction_id OPERATOR(pg_catalog.=) $1 "
										 "ORDER BY a.ordinal NULLS LAST, a.attestation_id COLLATE pg_catalog.\"C\"",
										 1, &argtype);

	rc = SPI_execute_plan(plan_tx, &arg, NULL, !fresh_snapshot, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not read foray.foray_transactions: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
		return false;
	t = SPI_tuptable->vals[0];
	d = SPI_tuptable->tupdesc;
	p->transaction_id = pstrdup(txid);
	p->schema_version = get_text(t, d, 1);
	p->timestamp = get_text(t, d, 2);
	p->foray_core = get_jsonb(t, d, 3);
	p->audit_data_anchor = get_jsonb(t, d, 4);
	p->privacy_metadata = get_jsonb(t, d, 5);
	p->extra_fields = get_jsonb(t, d, 6);
	p->blockchain_anchor = get_jsonb(t, d, 7);

	/* a carried anchor (import keeps it in extra_fields) unless anchored here */
	if (p->extra_fields)
	{
		JsonbValue *v = getKeyJsonValueFromContainer(&p->extra_fields->root,
													 "blockchain_anchor", 17, NULL);

		if (v && p->blockchain_anchor == NULL)
			p->blockchain_anchor = JsonbValueToJsonb(v);
	}

	rc = SPI_execute_plan(plan_components, &arg, NULL, !fresh_snapshot, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not read foray.foray_components: %s", SPI_result_code_string(rc));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		ForayDocComponent *c = palloc0(sizeof(ForayDocComponent));
		char	   *type;

		t = SPI_tuptable->vals[i];
		d = SPI_tuptable->tupdesc;
		type = get_text(t, d, 1);
		for (int k = 0; k < FORAY_ATT; k++)
			if (strcmp(type, foray_kinds[k].code) == 0)
				c->kind = k;
		c->id = get_text(t, d, 2);
		c->foray_core = get_jsonb(t, d, 3);
		c->audit_data = get_jsonb(t, d, 4);
		p->components = lappend(p->components, c);
	}
	rc = SPI_execute_plan(plan_attestations, &arg, NULL, !fresh_snapshot, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not read foray.foray_attestations: %s", SPI_result_code_string(rc));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		ForayDocComponent *c = palloc0(sizeof(ForayDocComponent));

		t = SPI_tuptable->vals[i];
		d = SPI_tuptable->tupdesc;
		c->kind = FORAY_ATT;
		c->id = get_text(t, d, 1);
		c->foray_core = get_jsonb(t, d, 2);
		c->audit_data = get_jsonb(t, d, 3);
		p->components = lappend(p->components, c);
	}
	return true;
}

static Jsonb *
copy_out(Jsonb *jb, MemoryContext cxt)
{
	Jsonb	   *copy = MemoryContextAlloc(cxt, VARSIZE(jb));

	memcpy(copy, jb, VARSIZE(jb));
	return copy;
}

/*
 * The stored transaction as a document, allocated in the caller's memory
 * context; NULL when it does not exist.
 */
Jsonb *
foray_export_transaction(const char *txid, bool with_hashes)
{
	MemoryContext caller = CurrentMemoryContext;
	ForayDocParts p;
	Jsonb	   *res = NULL;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (foray_load_document_parts(txid, &p, false))
	{
		if (with_hashes)
			(void) foray_computed_hashes(txid, &p.component_hashes, &p.merkle_root,
										 &p.commitment_scheme);
		res = copy_out(foray_build_document(&p), caller);
	}
	SPI_finish();
	return res;
}

PG_FUNCTION_INFO_V1(foray_export_document);
Datum
foray_export_document(PG_FUNCTION_ARGS)
{
	char	   *txid = text_to_cstring(PG_GETARG_TEXT_PP(0));
	Jsonb	   *doc = foray_export_transaction(txid, true);

	if (doc == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_DOC_NOT_FOUND),
				 errmsg("transaction \"%s\" does not exist", txid)));
	PG_RETURN_JSONB_P(doc);
}
