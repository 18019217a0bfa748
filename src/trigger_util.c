/*
 * trigger_util.c
 *		Column access shared by the substrate's trigger functions.
 */
#include "compat.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/jsonb.h"
#include "utils/rel.h"
#include "utils/elog.h"

#include "canonical.h"
#include "substrate.h"
#include "trigger_util.h"

char *
foray_get_text(HeapTuple tup, TupleDesc desc, int attno)
{
	bool		isnull;
	Datum		d = heap_getattr(tup, attno, desc, &isnull);

	return isnull ? NULL : TextDatumGetCString(d);
}

Jsonb *
foray_get_jsonb(HeapTuple tup, TupleDesc desc, int attno)
{
	bool		isnull;
	Datum		d = heap_getattr(tup, attno, desc, &isnull);

	return isnull ? NULL : DatumGetJsonbP(d);
}

bool
foray_column_changed(HeapTuple oldtup, HeapTuple newtup, TupleDesc desc, int attno)
{
	bool		on,
				nn;
	Datum		o = heap_getattr(oldtup, attno, desc, &on);
	Datum		n = heap_getattr(newtup, attno, desc, &nn);
	struct varlena *ov,
			   *nv;

	if (on || nn)
		return on != nn;
	if (TupleDescAttr(desc, attno - 1)->attlen != -1)
		return !datumIsEqual(o, n, TupleDescAttr(desc, attno - 1)->attbyval,
							 TupleDescAttr(desc, attno - 1)->attlen);
	ov = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(o));
	nv = pg_detoast_datum_packed((struct varlena *) DatumGetPointer(n));
	return VARSIZE_ANY_EXHDR(ov) != VARSIZE_ANY_EXHDR(nv) ||
		memcmp(VARDATA_ANY(ov), VARDATA_ANY(nv), VARSIZE_ANY_EXHDR(ov)) != 0;
}

void
foray_check_not_null(Relation rel, HeapTuple tup)
{
	TupleDesc	desc = RelationGetDescr(rel);

	if (!HeapTupleHasNulls(tup))
		return;
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(desc, i);

		if (a->attisdropped || !a->attnotnull || a->attgenerated)
			continue;
		if (heap_attisnull(tup, i + 1, desc))
			ereport(ERROR,
					(errcode(ERRCODE_NOT_NULL_VIOLATION),
					 errmsg("null value in column \"%s\" of relation \"%s\" violates not-null constraint",
							NameStr(a->attname), RelationGetRelationName(rel)),
					 errtablecol(rel, i + 1)));
	}
}

#define ATTNO_CACHE_SIZE 64

typedef struct AttnoCacheEntry
{
	Oid			relid;
	const char *name;			/* a string literal of the caller */
	int			attno;
} AttnoCacheEntry;

static AttnoCacheEntry attno_cache[ATTNO_CACHE_SIZE];
static int	attno_cache_used = 0;

/*
 * Column numbers by name.  Cached per (relation, literal name); a relation
 * rebuilt under another OID (DROP/CREATE EXTENSION) simply misses.
 */
int
foray_attno(Relation rel, const char *name)
{
	Oid			relid = RelationGetRelid(rel);
	int			attno;

	for (int i = 0; i < attno_cache_used; i++)
		if (attno_cache[i].relid == relid && attno_cache[i].name == name)
			return attno_cache[i].attno;
	attno = SPI_fnumber(RelationGetDescr(rel), name);
	if (attno <= 0)
		elog(ERROR, "foray_substrate: relation \"%s\" has no column \"%s\"",
			 RelationGetRelationName(rel), name);
	if (attno_cache_used < ATTNO_CACHE_SIZE)
	{
		attno_cache[attno_cache_used].relid = relid;
		attno_cache[attno_cache_used].name = name;
		attno_cache[attno_cache_used].attno = attno;
		attno_cache_used++;
	}
	else
	{
		/* a long-lived backend that saw many extension rebuilds: start over */
		attno_cache_used = 0;
	}
	return attno;
}

char **
foray_core_strings(Jsonb *core, const char *field, int *n,
				   const char *who, const char *transaction_id)
{
	JsonbValue *v = foray_core_get(core, field);
	JsonbIterator *it;
	JsonbValue	ev;
	JsonbIteratorToken tok;
	char	  **items;

	*n = 0;
	if (v == NULL || v->type == jbvNull)
		return NULL;
	if (v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data) ||
		JsonContainerIsScalar(v->val.binary.data))
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_INVALID_CORE),
				 errmsg("%s of transaction \"%s\": foray_core field \"%s\" must be an array of strings",
						who, transaction_id, field),
				 errdetail("Rule SHAPE-001: reference and list fields are JSON arrays of strings (spec §4, §9.3).")));
	items = palloc(sizeof(char *) * (JsonContainerSize(v->val.binary.data) + 1));
	it = JsonbIteratorInit(v->val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &ev, true)) != WJB_DONE)
	{
		if (tok != WJB_ELEM)
			continue;
		if (ev.type != jbvString || ev.val.string.len == 0)
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_INVALID_CORE),
					 errmsg("%s of transaction \"%s\": foray_core field \"%s\" must be an array of strings",
							who, transaction_id, field),
					 errdetail("Rule SHAPE-001: element %d is %s.", *n + 1,
							   ev.type == jbvString ? "an empty string" : "not a string")));
		items[(*n)++] = pnstrdup(ev.val.string.val, ev.val.string.len);
	}
	return items;
}

void
foray_check_audit_data(Jsonb *audit, const char *who, const char *transaction_id)
{
	JsonbValue	v;
	uint8		digest[32];

	if (audit == NULL)
		return;
	if (JB_ROOT_IS_SCALAR(audit) && JsonbExtractScalar(&audit->root, &v) && v.type == jbvNull)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_INVALID_CORE),
				 errmsg("%s of transaction \"%s\": audit_data is JSON null", who, transaction_id),
				 errdetail("Rule AUDIT-001: audit_data is a JSON value other than null; SQL NULL means none (docs/merkle.md)."),
				 errhint("Write SQL NULL for no audit data.")));
	foray_hash_jsonb_raw(audit, true, psprintf("the audit_data of %s of transaction \"%s\"", who, transaction_id),
						 digest);
}

Datum
foray_strings_to_array(char **items, int n)
{
	Datum	   *elems = palloc(sizeof(Datum) * (n + 1));

	for (int i = 0; i < n; i++)
		elems[i] = CStringGetTextDatum(items[i]);
	return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
}
