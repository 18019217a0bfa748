/*
 * readiness.c
 *		Derived state: a component's readiness and a transaction's
 *		lifecycle (open <-> ready_to_anchor).
 *
 * A component is ready when every component named in its *_refs is ready or
 * settled (no refs: ready at once), else pending; settled and reversed are
 * the application's.  Readiness is maintained incrementally: when a
 * component's "usable" state (ready or settled) changes, only the
 * components that reference it are re-derived, found through the GIN index
 * on foray.component_ref_keys(); their own changes cascade the same way.
 * Component typing bounds the cascade at three levels (ARR <- ACC <- ANT <-
 * ACT).
 *
 * The lifecycle is evaluated once per touched transaction at commit, by a
 * deferred constraint trigger, from two index probes (any component? any
 * pending or reversed component?), so it is never derived from a
 * half-written SQL transaction.
 */
#include "compat.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"

#include "plans.h"
#include "readiness.h"
#include "substrate.h"

PG_FUNCTION_INFO_V1(foray_lifecycle_check);

/* ---- helpers -------------------------------------------------------- */

text *
foray_ref_key(const char *transaction_id, const char *id)
{
	size_t		tl = strlen(transaction_id);
	size_t		il = strlen(id);
	text	   *k = (text *) palloc(VARHDRSZ + tl + 1 + il);

	SET_VARSIZE(k, VARHDRSZ + tl + 1 + il);
	memcpy(VARDATA(k), transaction_id, tl);
	VARDATA(k)[tl] = '\x1f';
	memcpy(VARDATA(k) + tl + 1, id, il);
	return k;
}

bool
foray_status_usable(const char *status)
{
	return strcmp(status, "ready") == 0 || strcmp(status, "settled") == 0;
}

Jsonb *
foray_jsonb_object(int npairs, const char **keys, const char **values)
{
	JsonbParseState *state = NULL;
	JsonbValue *res;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; i < npairs; i++)
	{
		JsonbValue	k,
					v;

		k.type = jbvString;
		k.val.string.val = (char *) keys[i];
		k.val.string.len = strlen(keys[i]);
		pushJsonbValue(&state, WJB_KEY, &k);
		if (values[i] == NULL)
			v.type = jbvNull;
		else
		{
			v.type = jbvString;
			v.val.string.val = (char *) values[i];
			v.val.string.len = strlen(values[i]);
		}
		pushJsonbValue(&state, WJB_VALUE, &v);
	}
	res = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(res);
}

/*
 * The derived status of a component whose refs are ids[0..n-1]: "ready" when
 * every ref exists and is ready or settled, else "pending".  *missing counts
 * refs that do not exist (yet).  Caller is connected to SPI.
 */
const char *
foray_derive_status(const char *transaction_id, Datum refs_array, int nrefs, int *missing)
{
	Datum		values[2];
	int			rc;
	int			usable = 0;

	*missing = nrefs;
	if (nrefs == 0)
		return "ready";
	values[0] = CStringGetTextDatum(transaction_id);
	values[1] = refs_array;
	rc = SPI_execute_plan(foray_plan(PLAN_REF_STATUS), values, NULL, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "readiness lookup failed: %s", SPI_result_code_string(rc));
	*missing = nrefs - (int) SPI_processed;
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		char	   *st = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);

		if (foray_status_usable(st))
			usable++;
	}
	return (usable == nrefs) ? "ready" : "pending";
}

/* Set a component's derived status (an internal write). */
void
foray_set_status(const char *transaction_id, const char *id, const char *status)
{
	Datum		values[3];
	int			rc;

	values[0] = CStringGetTextDatum(transaction_id);
	values[1] = CStringGetTextDatum(id);
	values[2] = CStringGetTextDatum(status);
	foray_internal_writes++;
	PG_TRY();
	{
		rc = SPI_execute_plan(foray_plan(PLAN_SET_STATUS), values, NULL, false, 0);
		if (rc != SPI_OK_UPDATE)
			elog(ERROR, "readiness update failed: %s", SPI_result_code_string(rc));
	}
	PG_FINALLY();
	{
		foray_internal_writes--;
	}
	PG_END_TRY();
}

/*
 * Re-derive the components that reference (transaction_id, id) after its
 * usable state changed.  Only dependents still pending or ready are
 * touched; each change cascades through that dependent's own AFTER trigger.
 * With pending_only, dependents already ready are skipped (a newly inserted
 * ready component can only unblock pending ones).
 */
void
foray_propagate(const char *transaction_id, const char *id, bool pending_only)
{
	Datum		values[1];
	int			rc;
	uint64		n;
	SPITupleTable *tt;
	MemoryContext oldcxt;
	MemoryContext work;
	char	  **ids;
	const char **targets;
	int			nchanges = 0;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");

	if (pending_only)
	{
		values[0] = CStringGetTextDatum(transaction_id);
		rc = SPI_execute_plan(foray_plan(PLAN_HAS_PENDING), values, NULL, true, 1);
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "readiness lookup failed: %s", SPI_result_code_string(rc));
		if (SPI_processed == 0)
		{
			SPI_finish();
			return;
		}
	}

	values[0] = PointerGetDatum(foray_ref_key(transaction_id, id));
	rc = SPI_execute_plan(foray_plan(PLAN_DEPENDENTS), values, NULL, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "dependents lookup failed: %s", SPI_result_code_string(rc));
	n = SPI_processed;
	tt = SPI_tuptable;

	/* collect the changes first: the updates reuse SPI's tuple table */
	work = AllocSetContextCreate(CurrentMemoryContext, "foray propagate",
								 ALLOCSET_SMALL_SIZES);
	oldcxt = MemoryContextSwitchTo(work);
	ids = palloc(sizeof(char *) * (n + 1));
	targets = palloc(sizeof(char *) * (n + 1));
	for (uint64 i = 0; i < n; i++)
	{
		bool		isnull;
		char	   *did = SPI_getvalue(tt->vals[i], tt->tupdesc, 1);
		char	   *st = SPI_getvalue(tt->vals[i], tt->tupdesc, 2);
		int64		ok = DatumGetInt64(SPI_getbinval(tt->vals[i], tt->tupdesc, 3, &isnull));
		int32		total = DatumGetInt32(SPI_getbinval(tt->vals[i], tt->tupdesc, 4, &isnull));
		const char *derived = (ok == total) ? "ready" : "pending";

		if (pending_only && strcmp(st, "pending") != 0)
			continue;
		if (strcmp(derived, st) != 0)
		{
			ids[nchanges] = pstrdup(did);
			targets[nchanges] = derived;
			nchanges++;
		}
	}
	MemoryContextSwitchTo(oldcxt);

	for (int i = 0; i < nchanges; i++)
		foray_set_status(transaction_id, ids[i], targets[i]);

	MemoryContextDelete(work);
	SPI_finish();
}

/* ---- lifecycle ---------------------------------------------------------- */

typedef struct DirtyEntry
{
	char		key[256];
	bool		dirty;
} DirtyEntry;

static HTAB *dirty_txs = NULL;
static bool all_dirty = false;
static bool callbacks_registered = false;

static void
lifecycle_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			dirty_txs = NULL;	/* lived in TopTransactionContext */
			all_dirty = false;
			break;
		default:
			break;
	}
}

static void
lifecycle_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						   SubTransactionId parentSubid, void *arg)
{
	/* an aborted subtransaction may have undone an evaluation */
	if (event == SUBXACT_EVENT_ABORT_SUB)
		all_dirty = true;
}

void
foray_mark_transaction_dirty(const char *transaction_id)
{
	DirtyEntry *e;
	bool		found;

	if (!callbacks_registered)
	{
		RegisterXactCallback(lifecycle_xact_callback, NULL);
		RegisterSubXactCallback(lifecycle_subxact_callback, NULL);
		callbacks_registered = true;
	}
	if (dirty_txs == NULL)
	{
		HASHCTL		ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(((DirtyEntry *) 0)->key);
		ctl.entrysize = sizeof(DirtyEntry);
		ctl.hcxt = TopTransactionContext;
		dirty_txs = hash_create("foray dirty transactions", 64, &ctl,
								HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	}
	if (strlen(transaction_id) >= sizeof(((DirtyEntry *) 0)->key))
	{
		all_dirty = true;		/* cannot happen: ids are at most 200 bytes */
		return;
	}
	e = hash_search(dirty_txs, transaction_id, HASH_ENTER, &found);
	e->dirty = true;
}

static bool
take_dirty(const char *transaction_id)
{
	DirtyEntry *e;

	if (all_dirty)
		return true;
	if (dirty_txs == NULL || strlen(transaction_id) >= sizeof(((DirtyEntry *) 0)->key))
		return false;
	e = hash_search(dirty_txs, transaction_id, HASH_FIND, NULL);
	if (e == NULL || !e->dirty)
		return false;
	e->dirty = false;
	return true;
}

static bool
probe(ForayPlan plan, const char *transaction_id)
{
	Datum		values[1];
	int			rc;

	values[0] = CStringGetTextDatum(transaction_id);
	rc = SPI_execute_plan(foray_plan(plan), values, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "lifecycle probe failed: %s", SPI_result_code_string(rc));
	return SPI_processed > 0;
}

/* Bring one transaction's lifecycle in line with its components. */
static void
evaluate_lifecycle(const char *transaction_id)
{
	Datum		values[2];
	int			rc;
	char	   *current;
	const char *target;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	values[0] = CStringGetTextDatum(transaction_id);
	rc = SPI_execute_plan(foray_plan(PLAN_LIFECYCLE), values, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "lifecycle lookup failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
	{
		/* no envelope row (yet): the deferred foreign key will speak */
		SPI_finish();
		return;
	}
	current = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	if (strcmp(current, "open") != 0 && strcmp(current, "ready_to_anchor") != 0)
	{
		SPI_finish();
		return;
	}
	target = (probe(PLAN_HAS_COMPONENT, transaction_id) &&
			  !probe(PLAN_HAS_UNREADY, transaction_id)) ? "ready_to_anchor" : "open";
	if (strcmp(target, current) != 0)
	{
		const char *keys[2] = {"from", "to"};
		const char *vals[2] = {current, target};

		values[1] = CStringGetTextDatum(target);
		foray_internal_writes++;
		PG_TRY();
		{
			rc = SPI_execute_plan(foray_plan(PLAN_SET_LIFECYCLE), values, NULL, false, 0);
			if (rc != SPI_OK_UPDATE)
				elog(ERROR, "lifecycle update failed: %s", SPI_result_code_string(rc));
		}
		PG_FINALLY();
		{
			foray_internal_writes--;
		}
		PG_END_TRY();
		foray_emit_event("TRANSACTION_STATE_CHANGED", "TRANSACTION", transaction_id,
						 transaction_id, foray_jsonb_object(2, keys, vals));
	}
	SPI_finish();
}

/*
 * Deferred constraint trigger (components: insert, update, delete;
 * transactions: insert).  Evaluates each touched transaction once.
 */
Datum
foray_lifecycle_check(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	HeapTuple	tup;
	int			attno;
	bool		isnull;
	Datum		d;
	char	   *tx;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "foray_lifecycle_check: not called by trigger manager");
	if (foray_restore_mode())
		return PointerGetDatum(NULL);
	tup = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	attno = SPI_fnumber(td->tg_relation->rd_att, "transaction_id");
	d = heap_getattr(tup, attno, td->tg_relation->rd_att, &isnull);
	if (isnull)
		return PointerGetDatum(NULL);
	tx = TextDatumGetCString(d);
	if (take_dirty(tx))
		evaluate_lifecycle(tx);
	return PointerGetDatum(NULL);
}
