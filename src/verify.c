/*
 * verify.c
 *		foray.verify(tx): recompute every hash of a stored transaction (or of
 *		all of them) from its rows and report one row per difference, like
 *		amcheck's verify_heapam: (transaction_id, component_id, field,
 *		stored, recomputed).  It never stops at the first finding; a
 *		transaction whose rows cannot even be hashed is reported as one
 *		"error" finding and the check goes on with the next.
 *
 * This is the check that catches changes made behind the triggers' back
 * (session_replication_role = replica, direct catalog access, a restored
 * dump edited by hand).
 */
#include "compat.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/tuplestore.h"

#include "txhash.h"

PG_FUNCTION_INFO_V1(foray_verify);

typedef struct Finding
{
	char	   *transaction_id;
	char	   *component_id;
	char	   *field;
	char	   *stored;
	char	   *recomputed;
} Finding;

typedef struct Collector
{
	const char *transaction_id;
	List	   *findings;
	MemoryContext cxt;			/* where findings live (outlives the
								 * subtransaction) */
} Collector;

static char *
dup_or_null(MemoryContext cxt, const char *s)
{
	return s ? MemoryContextStrdup(cxt, s) : NULL;
}

static void
collect(void *arg, const char *component_id, const char *field,
		const char *stored, const char *recomputed)
{
	Collector  *c = (Collector *) arg;
	MemoryContext old = MemoryContextSwitchTo(c->cxt);
	Finding    *f = palloc(sizeof(Finding));

	f->transaction_id = pstrdup(c->transaction_id);
	f->component_id = dup_or_null(c->cxt, component_id);
	f->field = pstrdup(field);
	f->stored = dup_or_null(c->cxt, stored);
	f->recomputed = dup_or_null(c->cxt, recomputed);
	c->findings = lappend(c->findings, f);
	MemoryContextSwitchTo(old);
}

static void
compare(Collector *c, const char *field, const char *stored, const uint8 *raw,
		bool must_exist)
{
	char		recomputed[FORAY_HASH_TEXT_LEN_M + 1];

	foray_hash_to_text(raw, recomputed);
	if (stored == NULL ? must_exist : strcmp(stored, recomputed) != 0)
		collect(c, NULL, field, stored, recomputed);
}

/* every transaction-level stored hash against its recomputation */
static void
check_transaction(Collector *c, ForayTx *tx)
{
	bool		anchored = strcmp(tx->lifecycle, "anchored") == 0 ||
		strcmp(tx->lifecycle, "sealed") == 0;
	int			t;

	compare(c, "foray_core_hash", tx->stored_foray_core_hash, tx->foray_core_hash, anchored);
	compare(c, "audit_data_hash", tx->stored_audit_data_hash, tx->audit_data_hash, anchored);
	if (tx->stored_component_hashes != NULL || anchored)
	{
		for (t = 0; t < FORAY_NTREES; t++)
		{
			char	   *stored = NULL;
			char		field[64];

			if (tx->stored_component_hashes != NULL &&
				JB_ROOT_IS_OBJECT(tx->stored_component_hashes))
			{
				JsonbValue *v = getKeyJsonValueFromContainer(&tx->stored_component_hashes->root,
															 foray_tree_names[t],
															 strlen(foray_tree_names[t]),
															 NULL);

				if (v != NULL && v->type == jbvString)
					stored = pnstrdup(v->val.string.val, v->val.string.len);
				else if (v != NULL)
					stored = "(not a string)";
			}
			snprintf(field, sizeof(field), "component_hashes.%s", foray_tree_names[t]);
			compare(c, field, stored, tx->tree_root[t], true);
		}
	}
	compare(c, "merkle_root", tx->stored_merkle_root, tx->merkle_root, anchored);
}

/* verify one transaction inside a subtransaction; errors become findings */
static void
verify_one(const char *txid, Collector *c, MemoryContext txcxt)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;

	c->transaction_id = txid;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(txcxt);
	PG_TRY();
	{
		ForayTx		tx;

		foray_tx_load(txid, FORAY_TX_RECOMPUTE, &tx, collect, c);
		foray_tx_require(&tx);
		check_transaction(c, &tx);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(c->cxt);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcxt);
		CurrentResourceOwner = oldowner;
		/* a cancel or a lost connection is not a finding */
		if (edata->sqlerrcode == ERRCODE_QUERY_CANCELED ||
			edata->sqlerrcode == ERRCODE_ADMIN_SHUTDOWN)
			ReThrowError(edata);
		collect(c, NULL, "error", NULL, edata->message);
	}
	PG_END_TRY();
	MemoryContextReset(txcxt);
}

/*
 * foray.verify(tx text DEFAULT NULL)
 *	 RETURNS TABLE (transaction_id text, component_id text, field text,
 *					stored text, recomputed text)
 */
Datum
foray_verify(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TupleDesc	desc;
	Tuplestorestate *store;
	MemoryContext per_query;
	MemoryContext old;
	MemoryContext txcxt;
	List	   *ids = NIL;
	ListCell   *lc;
	Collector	c;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		(rsinfo->allowedModes & SFRM_Materialize) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("foray.verify must be called where a set is accepted")));
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "foray.verify must return rows");

	per_query = rsinfo->econtext->ecxt_per_query_memory;
	old = MemoryContextSwitchTo(per_query);
	desc = CreateTupleDescCopy(desc);
	store = tuplestore_begin_heap(true, false, work_mem);
	MemoryContextSwitchTo(old);

	if (PG_ARGISNULL(0))
	{
		int			rc;
		uint64		i;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		rc = SPI_execute("SELECT transaction_id FROM foray.foray_transactions "
						 "ORDER BY transaction_id COLLATE pg_catalog.\"C\"", true, 0);
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "transaction listing failed: %s", SPI_result_code_string(rc));
		for (i = 0; i < SPI_processed; i++)
		{
			char	   *id = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
			MemoryContext spicxt = MemoryContextSwitchTo(old);

			/* the list must outlive SPI_finish: build it in the caller's context */
			ids = lappend(ids, pstrdup(id));
			MemoryContextSwitchTo(spicxt);
		}
		SPI_finish();
	}
	else
		ids = list_make1(text_to_cstring(PG_GETARG_TEXT_PP(0)));

	c.findings = NIL;
	c.cxt = AllocSetContextCreate(CurrentMemoryContext, "foray verify findings",
								  ALLOCSET_DEFAULT_SIZES);
	txcxt = AllocSetContextCreate(CurrentMemoryContext, "foray verify transaction",
								  ALLOCSET_DEFAULT_SIZES);
	foreach(lc, ids)
	{
		const char *txid = (const char *) lfirst(lc);
		ListCell   *fc;

		CHECK_FOR_INTERRUPTS();
		verify_one(txid, &c, txcxt);
		foreach(fc, c.findings)
		{
			Finding    *f = (Finding *) lfirst(fc);
			Datum		values[5];
			bool		nulls[5] = {false, false, false, false, false};

			values[0] = CStringGetTextDatum(f->transaction_id);
			if (f->component_id)
				values[1] = CStringGetTextDatum(f->component_id);
			else
				nulls[1] = true;
			values[2] = CStringGetTextDatum(f->field);
			if (f->stored)
				values[3] = CStringGetTextDatum(f->stored);
			else
				nulls[3] = true;
			if (f->recomputed)
				values[4] = CStringGetTextDatum(f->recomputed);
			else
				nulls[4] = true;
			old = MemoryContextSwitchTo(per_query);
			tuplestore_putvalues(store, desc, values, nulls);
			MemoryContextSwitchTo(old);
		}
		c.findings = NIL;
		MemoryContextReset(c.cxt);
	}
	MemoryContextDelete(txcxt);
	MemoryContextDelete(c.cxt);

	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = store;
	rsinfo->setDesc = desc;
	return (Datum) 0;
}
