/*
 * immutability.c
 *		Once anchored, a transaction, its components and its attestations
 *		never change: foray_anchored_guard, a BEFORE trigger on the three
 *		tables, refuses every INSERT, UPDATE, DELETE and TRUNCATE that would
 *		touch an anchored or sealed transaction.  Corrections are new
 *		transactions that amend the original (foray.amend_transaction).
 *
 * Exempt: the substrate's own writes (foray_internal_writes > 0: sealing,
 * imports of already-anchored history) and restores (foray_restore_mode).
 *
 * A component write locks its transaction's row FOR SHARE while reading
 * its lifecycle, so record_anchor (which updates that row) waits for the
 * writer to finish, and a writer waiting behind record_anchor sees the new
 * lifecycle.  Having seen "not anchored" once, the same (sub)transaction
 * keeps that lock, so the answer is cached until the transaction ends, a
 * subtransaction aborts, or this backend anchors or seals.
 */
#include "compat.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "substrate.h"
#include "txhash.h"

PG_FUNCTION_INFO_V1(foray_anchored_guard);

static SPIPlanPtr plan_lifecycle = NULL;
static SPIPlanPtr plan_any_anchored = NULL;

/* the last transaction seen open by this (sub)transaction */
static char *cached_tx = NULL;
static SubTransactionId cached_subxid = InvalidSubTransactionId;
static bool callbacks_registered = false;

void
foray_guard_forget(void)
{
	if (cached_tx != NULL)
		pfree(cached_tx);
	cached_tx = NULL;
	cached_subxid = InvalidSubTransactionId;
}

static void
guard_xact_callback(XactEvent event, void *arg)
{
	/* cached_tx lives in TopMemoryContext: free it at every end */
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PARALLEL_COMMIT || event == XACT_EVENT_PARALLEL_ABORT ||
		event == XACT_EVENT_PREPARE)
		foray_guard_forget();
}

static void
guard_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
					   SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB || event == SUBXACT_EVENT_COMMIT_SUB)
		foray_guard_forget();
}

static void
prepare(void)
{
	Oid			types[1] = {TEXTOID};

	if (!callbacks_registered)
	{
		RegisterXactCallback(guard_xact_callback, NULL);
		RegisterSubXactCallback(guard_subxact_callback, NULL);
		callbacks_registered = true;
	}
	if (plan_lifecycle == NULL)
	{
		SPIPlanPtr	p = SPI_prepare("SELECT lifecycle::text FROM foray.foray_transactions "
									" WHERE transaction_id OPERATOR(pg_catalog.=) $1 FOR SHARE",
									1, types);

		if (p == NULL || SPI_keepplan(p) != 0)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		plan_lifecycle = p;
	}
	if (plan_any_anchored == NULL)
	{
		SPIPlanPtr	p = SPI_prepare("SELECT transaction_id FROM foray.foray_transactions "
									" WHERE lifecycle::text OPERATOR(pg_catalog.=) ANY ('{anchored,sealed}'::text[]) "
									" LIMIT 1", 0, NULL);

		if (p == NULL || SPI_keepplan(p) != 0)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		plan_any_anchored = p;
	}
}

static const char *
verb_of(TriggerEvent ev)
{
	if (TRIGGER_FIRED_BY_INSERT(ev))
		return "add";
	if (TRIGGER_FIRED_BY_UPDATE(ev))
		return "change";
	if (TRIGGER_FIRED_BY_DELETE(ev))
		return "delete";
	return "truncate";
}

static void
refuse(const char *what, const char *id, const char *txid, const char *lifecycle,
	   TriggerEvent ev)
{
	ereport(ERROR,
			(errcode(ERRCODE_FORAY_IMMUTABLE),
			 id ?
			 errmsg("cannot %s %s \"%s\" %s %s transaction \"%s\"", verb_of(ev), what, id,
					TRIGGER_FIRED_BY_INSERT(ev) ? "to" : "of", lifecycle, txid) :
			 errmsg("cannot %s %s transaction \"%s\"", verb_of(ev), lifecycle, txid),
			 errdetail("Rule IMM-001: once anchored, a transaction, its components and its attestations never change."),
			 errhint("Record the correction as a new transaction that amends it: foray.amend_transaction('%s', 'NEW_ID').",
					 txid)));
}

/* lifecycle of txid, row-locked FOR SHARE; NULL when there is no such row */
static char *
locked_lifecycle(const char *txid)
{
	Datum		values[1];
	char	   *res = NULL;
	int			rc;
	ForayOwnerWrite ow;

	values[0] = CStringGetTextDatum(txid);
	/* the row lock needs UPDATE privilege: take it as the substrate's owner */
	foray_begin_owner_write(&ow);
	PG_TRY();
	{
		rc = SPI_execute_plan(plan_lifecycle, values, NULL, false, 1);
	}
	PG_FINALLY();
	{
		foray_end_owner_write(&ow);
	}
	PG_END_TRY();
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "lifecycle lookup failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 1)
		res = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	return res;
}

static bool
is_fixed(const char *lifecycle)
{
	return lifecycle != NULL &&
		(strcmp(lifecycle, "anchored") == 0 || strcmp(lifecycle, "sealed") == 0);
}

/* refuse a write of one component/attestation row of transaction txid */
static void
check_member(const char *what, const char *id, const char *txid, TriggerEvent ev)
{
	char	   *lifecycle;

	if (cached_tx != NULL && cached_subxid == GetCurrentSubTransactionId() &&
		strcmp(cached_tx, txid) == 0)
		return;
	lifecycle = locked_lifecycle(txid);
	if (is_fixed(lifecycle))
		refuse(what, id, txid, lifecycle, ev);
	foray_guard_forget();
	cached_tx = MemoryContextStrdup(TopMemoryContext, txid);
	cached_subxid = GetCurrentSubTransactionId();
}

static char *
column(Relation rel, HeapTuple tup, const char *name)
{
	int			attno = SPI_fnumber(RelationGetDescr(rel), name);
	bool		isnull;
	Datum		d;

	if (attno <= 0)
		elog(ERROR, "column \"%s\" missing from %s", name, RelationGetRelationName(rel));
	d = heap_getattr(tup, attno, RelationGetDescr(rel), &isnull);
	return isnull ? NULL : TextDatumGetCString(d);
}

/*
 * BEFORE INSERT OR UPDATE OR DELETE (row) and BEFORE TRUNCATE (statement)
 * on foray_transactions, foray_components and foray_attestations.
 */
Datum
foray_anchored_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TriggerEvent ev;
	Relation	rel;
	const char *relname;
	HeapTuple	ret;
	bool		is_tx;
	const char *what;
	const char *idcol;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "foray_anchored_guard: not called by trigger manager");
	ev = td->tg_event;
	rel = td->tg_relation;
	relname = RelationGetRelationName(rel);
	ret = TRIGGER_FIRED_BY_UPDATE(ev) ? td->tg_newtuple : td->tg_trigtuple;

	if (foray_internal_writes > 0 || foray_restore_mode())
		return PointerGetDatum(ret);

	is_tx = strcmp(relname, "foray_transactions") == 0;
	if (is_tx)
	{
		what = "transaction";
		idcol = "transaction_id";
	}
	else if (strcmp(relname, "foray_attestations") == 0)
	{
		what = "attestation";
		idcol = "attestation_id";
	}
	else
	{
		what = "component";
		idcol = "component_id";
	}

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	prepare();

	if (TRIGGER_FIRED_BY_TRUNCATE(ev))
	{
		int			rc = SPI_execute_plan(plan_any_anchored, NULL, NULL, false, 1);

		if (rc != SPI_OK_SELECT)
			elog(ERROR, "lifecycle lookup failed: %s", SPI_result_code_string(rc));
		if (SPI_processed > 0)
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_IMMUTABLE),
					 errmsg("cannot truncate foray.%s: it holds anchored transactions", relname),
					 errdetail("Rule IMM-001: once anchored, a transaction, its components and its attestations never change; transaction \"%s\" is one.",
							   SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1))));
		SPI_finish();
		return PointerGetDatum(NULL);
	}

	if (is_tx)
	{
		/* INSERT is the lead's lifecycle rules' business: a new row is open */
		if (!TRIGGER_FIRED_BY_INSERT(ev))
		{
			char	   *lifecycle = column(rel, td->tg_trigtuple, "lifecycle");

			if (is_fixed(lifecycle))
				refuse(what, NULL, column(rel, td->tg_trigtuple, "transaction_id"),
					   lifecycle, ev);
		}
	}
	else
	{
		HeapTuple	old = td->tg_trigtuple;
		char	   *txid = column(rel, old, "transaction_id");
		char	   *id = column(rel, old, idcol);

		check_member(what, id, txid, ev);
		if (TRIGGER_FIRED_BY_UPDATE(ev))
		{
			char	   *newtx = column(rel, td->tg_newtuple, "transaction_id");

			if (strcmp(newtx, txid) != 0)
				check_member(what, id, newtx, ev);
		}
	}
	SPI_finish();
	return PointerGetDatum(ret);
}
