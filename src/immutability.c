/*
 * immutability.c
 *		Once committed to the log or anchored, a transaction, its components
 *		and its attestations never change: foray_anchored_guard, a BEFORE
 *		trigger on the three tables, refuses every INSERT, UPDATE, DELETE and
 *		TRUNCATE that would touch an anchored or sealed transaction, or one
 *		with an entry in foray.log_entries (docs/log.md).  Corrections are
 *		new transactions that amend the original (foray.amend_transaction).
 *
 * Exempt: the substrate's own writes (foray_internal_writes > 0: sealing,
 * imports of already-anchored history) and restores (foray_restore_mode).
 *
 * A component write locks its transaction's row FOR SHARE while reading
 * its lifecycle, so record_anchor (which updates that row) waits for the
 * writer to finish, and a writer waiting behind record_anchor sees the new
 * lifecycle.  A transaction in the log keeps its lifecycle (ready_to_anchor
 * until it is anchored): for a ready one the guard then asks the log, with
 * the latest snapshot, after the row lock, so a write queued behind an
 * append (which holds the row FOR UPDATE) finds the entry.  Having seen
 * "not anchored" once, the same (sub)transaction
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
#include "utils/snapmgr.h"

#include "lookup.h"
#include "plans.h"
#include "shards.h"
#include "trigger_util.h"
#include "readiness.h"
#include "substrate.h"
#include "txhash.h"

PG_FUNCTION_INFO_V1(foray_anchored_guard);


/* the last transaction seen open by this (sub)transaction */
static char *cached_tx = NULL;
static bool cached_exists = false;	/* its row was there (and is locked) */
static SubTransactionId cached_subxid = InvalidSubTransactionId;
static bool callbacks_registered = false;
/* this SQL transaction anchored or sealed something: always look */
static bool anchored_here = false;

/* called by record_anchor and seal */
void
foray_guard_anchored(void)
{
	anchored_here = true;
	foray_guard_forget();
}

bool
foray_guard_anchored_here(void)
{
	return anchored_here;
}

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
	{
		foray_guard_forget();
		anchored_here = false;
	}
}

static void
guard_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
					   SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB || event == SUBXACT_EVENT_COMMIT_SUB)
		foray_guard_forget();
}

/*
 * The guard's queries run on the shard group of the transaction they are
 * about (plans.c; on a single node, the tables themselves).
 */
static void
prepare(void)
{
	if (!callbacks_registered)
	{
		RegisterXactCallback(guard_xact_callback, NULL);
		RegisterSubXactCallback(guard_subxact_callback, NULL);
		callbacks_registered = true;
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

/* log_index: the transaction's log entry, or -1 (refused as anchored) */
static void
refuse(const char *what, const char *id, const char *txid, const char *lifecycle,
	   TriggerEvent ev, int64 log_index)
{
	ereport(ERROR,
			(errcode(ERRCODE_FORAY_IMMUTABLE),
			 id ?
			 errmsg("cannot %s %s \"%s\" %s %s transaction \"%s\"", verb_of(ev), what, id,
					TRIGGER_FIRED_BY_INSERT(ev) ? "to" : "of", lifecycle, txid) :
			 errmsg("cannot %s %s transaction \"%s\"", verb_of(ev), lifecycle, txid),
			 log_index < 0 ?
			 errdetail("Rule IMM-001: once anchored, a transaction, its components and its attestations never change.") :
			 errdetail("Rule IMM-001: once committed to the log (it is entry " INT64_FORMAT "), a transaction, its components and its attestations never change.",
					   log_index),
			 errhint("Record the correction as a new transaction that amends it: foray.amend_transaction('%s', 'NEW_ID').",
					 txid)));
}

/*
 * A ready_to_anchor transaction may be in the log: refuse then.  (Open
 * ones are not: an append needs an envelope, and a logged transaction never
 * goes back to open.)  SPI connected.
 */
static void
refuse_if_logged(const char *what, const char *id, const char *txid, const char *lifecycle,
				 TriggerEvent ev)
{
	int64		log_index;

	if (lifecycle == NULL || strcmp(lifecycle, "ready_to_anchor") != 0)
		return;
	log_index = foray_log_entry_latest(txid);
	if (log_index >= 0)
		refuse(what, id, txid, "logged", ev, log_index);
}

/* run a lifecycle lookup as the substrate's owner (a row lock needs UPDATE) */
static void
owner_lookup(ForayPlan which, const char *txid)
{
	SPIPlanPtr	plan = foray_plan(foray_shards_for_tx(txid), which);
	Datum		values[1];
	int			rc;
	ForayOwnerWrite ow;

	values[0] = CStringGetTextDatum(txid);
	foray_begin_owner_write(&ow);
	PG_TRY();
	{
		rc = SPI_execute_plan(plan, values, NULL, false, 1);
	}
	PG_FINALLY();
	{
		foray_end_owner_write(&ow);
	}
	PG_END_TRY();
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "lifecycle lookup failed: %s", SPI_result_code_string(rc));
}

/*
 * Lifecycle of txid, its row locked FOR SHARE; NULL when there is no such
 * row.  Lock order (docs/security.md): the envelope row, then the writer
 * lock.  When the row is not there, this takes the writer lock (whoever is
 * creating the row holds it until it commits) and looks again.  Once the
 * writer lock is held, the row is locked without waiting, since waiting for
 * it then is the other order: if another session holds the row
 * (record_anchor, an update), the write fails with 40001.
 */
static char *
locked_lifecycle(const char *txid)
{
	char	   *locked;

	if (!foray_holds_transaction_lock(txid))
	{
		/* no writer lock held: waiting for the row is in order */
		owner_lookup(PLAN_GUARD_LIFECYCLE, txid);
		if (SPI_processed == 1)
			return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		foray_lock_transaction(txid);
	}
	owner_lookup(PLAN_GUARD_LIFECYCLE_SKIP, txid);
	if (SPI_processed == 0)
		return NULL;			/* none: the deferred ENV-001 check decides */
	locked = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	if (locked == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access to transaction \"%s\": another session holds its row while this one holds its writer lock",
						txid),
				 errdetail("Rule LOCK-001: a writer never waits for a transaction's row while it holds the transaction's writer lock (docs/security.md)."),
				 errhint("Retry the SQL transaction.")));
	return locked;
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
	if (!anchored_here && foray_created_here(txid))
		lifecycle = "open";		/* our own new row: there, open, and no one else's to delete */
	else
		lifecycle = locked_lifecycle(txid);
	if (is_fixed(lifecycle))
		refuse(what, id, txid, lifecycle, ev, -1);
	refuse_if_logged(what, id, txid, lifecycle, ev);
	foray_guard_forget();
	cached_tx = MemoryContextStrdup(TopMemoryContext, txid);
	cached_exists = (lifecycle != NULL);
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
	ForayShards *shards;
	ForayRel	which;
	const char *what;
	const char *idcol;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "foray_anchored_guard: not called by trigger manager");
	ev = td->tg_event;
	rel = td->tg_relation;
	ret = TRIGGER_FIRED_BY_UPDATE(ev) ? td->tg_newtuple : td->tg_trigtuple;

	if (foray_internal_writes > 0 || foray_restore_mode())
		return PointerGetDatum(ret);
	/* the table by the trigger's argument: a Citus shard's name has a suffix */
	shards = foray_shards_for_trigger(td, &which);
	relname = foray_rel_names[which];
	if (shards == NULL)
		return PointerGetDatum(ret);	/* a Citus shell: its shards' triggers guard the rows */
	if (!TRIGGER_FIRED_BY_TRUNCATE(ev) && !TRIGGER_FIRED_BY_DELETE(ev))
		foray_check_not_null(rel, ret);

	is_tx = which == FORAY_REL_TRANSACTIONS;
	if (is_tx)
	{
		what = "transaction";
		idcol = "transaction_id";
	}
	else if (which == FORAY_REL_ATTESTATIONS)
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
		int			rc = SPI_execute_plan(foray_plan(shards, PLAN_GUARD_ANY_FIXED), NULL, NULL, false, 1);

		if (rc != SPI_OK_SELECT)
			elog(ERROR, "lifecycle lookup failed: %s", SPI_result_code_string(rc));
		if (SPI_processed > 0)
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_IMMUTABLE),
					 errmsg("cannot truncate foray.%s: it holds anchored transactions", relname),
					 errdetail("Rule IMM-001: once anchored, a transaction, its components and its attestations never change; transaction \"%s\" is one.",
							   SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1))));
		/*
		 * (On Citus the log is the coordinator's; a shard's trigger cannot
		 * read it: docs/scale-out.md.)
		 */
		if (shards->identity)
		{
			int64		log_index;
			char	   *logged = foray_log_first_logged(&log_index);

			if (logged != NULL)
				ereport(ERROR,
						(errcode(ERRCODE_FORAY_IMMUTABLE),
						 errmsg("cannot truncate foray.%s: it holds transactions committed to the log", relname),
						 errdetail("Rule IMM-001: once committed to the log, a transaction, its components and its attestations never change; transaction \"%s\" is entry " INT64_FORMAT ".",
								   logged, log_index)));
		}
		SPI_finish();
		return PointerGetDatum(NULL);
	}

	if (is_tx)
	{
		/* INSERT is the lead's lifecycle rules' business: a new row is open */
		if (!TRIGGER_FIRED_BY_INSERT(ev))
		{
			char	   *lifecycle = column(rel, td->tg_trigtuple, "lifecycle");
			char	   *txid = column(rel, td->tg_trigtuple, "transaction_id");

			if (is_fixed(lifecycle))
				refuse(what, NULL, txid, lifecycle, ev, -1);
			refuse_if_logged(what, NULL, txid, lifecycle, ev);
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

/*
 * ENV-001: every component and attestation belongs, by commit, to a row of
 * foray_transactions.  The guard above has just read (and locked FOR SHARE,
 * so it cannot be deleted under us) the transaction row of the row being
 * written; when it was there, nothing is left to check.  Otherwise the
 * deferred constraint trigger foray_31_envelope checks again at commit: the
 * envelope may arrive later in the same SQL transaction.  This replaces a
 * foreign key, which ran one query per component at commit.
 *
 * foray.envelope_unconfirmed(transaction_id): its WHEN clause.
 */
PG_FUNCTION_INFO_V1(foray_envelope_unconfirmed);
Datum
foray_envelope_unconfirmed(PG_FUNCTION_ARGS)
{
	char	   *txid = text_to_cstring(PG_GETARG_TEXT_PP(0));

	if (foray_restore_mode())
		PG_RETURN_BOOL(false);	/* rows are restored as they were */
	PG_RETURN_BOOL(!(cached_tx != NULL && cached_exists &&
					 cached_subxid == GetCurrentSubTransactionId() &&
					 strcmp(cached_tx, txid) == 0));
}

/* Deferred, for the rows whose envelope was not there when written. */
PG_FUNCTION_INFO_V1(foray_check_envelope);
Datum
foray_check_envelope(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	bool		is_component;
	char	   *txid;
	char	   *id;
	char	   *lifecycle;
	bool		live;
	ForayShards *shards;
	ForayRel	which;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "foray_check_envelope: not called by trigger manager");
	if (foray_restore_mode())
		return PointerGetDatum(NULL);
	rel = td->tg_relation;
	shards = foray_shards_for_trigger(td, &which);
	if (shards == NULL)
		return PointerGetDatum(NULL);	/* a Citus shell: its shards check their rows */
	is_component = which == FORAY_REL_COMPONENTS;
	txid = column(rel, td->tg_trigtuple, "transaction_id");
	id = column(rel, td->tg_trigtuple, is_component ? "component_id" : "attestation_id");

	/* a row removed again before commit needs no envelope */
	{
		char	   *ids[1] = {id};
		bool		found[1];

		foray_pk_lookup_rel(RelationGetRelid(rel), txid, ids, 1, NULL, found, NULL);
		live = found[0];
	}
	if (!live)
		return PointerGetDatum(NULL);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	prepare();
	lifecycle = locked_lifecycle(txid);
	SPI_finish();
	if (lifecycle == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("%s \"%s\" belongs to transaction \"%s\", which has no row in foray.foray_transactions",
						is_component ? "component" : "attestation", id, txid),
				 errdetail("Rule ENV-001: every component and attestation belongs, when the SQL transaction commits, to a transaction envelope."),
				 errhint("Insert the transaction's row into foray.foray_transactions in the same SQL transaction.")));
	return PointerGetDatum(NULL);
}

static int
cascade_delete(SPIPlanPtr plan, Datum *values)
{
	if (!IsolationUsesXactSnapshot())
		return SPI_execute_plan(plan, values, NULL, false, 0);
	CommandCounterIncrement();
	return SPI_execute_snapshot(plan, values, NULL, GetLatestSnapshot(),
								GetTransactionSnapshot(), false, false, 0);
}

/*
 * Deleting a transaction removes its components and attestations (what a
 * foreign key ON DELETE CASCADE did), through their own triggers: events,
 * removal checks.  AFTER DELETE (row) on foray_transactions.
 */
PG_FUNCTION_INFO_V1(foray_transactions_cascade);
Datum
foray_transactions_cascade(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Datum		values[1];
	ForayOwnerWrite ow;
	ForayShards *shards;
	ForayRel	which;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BY_DELETE(td->tg_event))
		elog(ERROR, "foray_transactions_cascade: must be an AFTER DELETE trigger");
	shards = foray_shards_for_trigger(td, &which);
	if (shards == NULL)
		return PointerGetDatum(NULL);	/* a Citus shell: its shards cascade */
	values[0] = CStringGetTextDatum(column(td->tg_relation, td->tg_trigtuple, "transaction_id"));
	foray_forget_created(TextDatumGetCString(values[0]));
	foray_guard_forget();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/*
	 * The row is locked (being deleted): now the writer lock, so no writer of
	 * the transaction is between its check and its commit (lock order,
	 * docs/security.md).  Then delete every member committed so far: under
	 * REPEATABLE READ or SERIALIZABLE a member committed after this
	 * transaction's snapshot is found with the latest snapshot and refused
	 * with a serialization failure (as a foreign key's cascade does), rather
	 * than left without its envelope.  As the tables' owner.
	 */
	foray_lock_transaction(TextDatumGetCString(values[0]));
	foray_begin_owner_write(&ow);
	PG_TRY();
	{
		if (cascade_delete(foray_plan(shards, PLAN_CASCADE_ATTESTATIONS), values) != SPI_OK_DELETE ||
			cascade_delete(foray_plan(shards, PLAN_CASCADE_COMPONENTS), values) != SPI_OK_DELETE)
			elog(ERROR, "cascading delete of transaction \"%s\" failed", TextDatumGetCString(values[0]));
	}
	PG_FINALLY();
	{
		foray_end_owner_write(&ow);
	}
	PG_END_TRY();
	SPI_finish();
	return PointerGetDatum(NULL);
}

/*
 * AFTER TRUNCATE (statement) on foray_transactions: the components and
 * attestations go with it, in the same TRUNCATE (a foreign key refused a
 * TRUNCATE of the referenced table alone the same way).
 */
PG_FUNCTION_INFO_V1(foray_transactions_truncated);
Datum
foray_transactions_truncated(PG_FUNCTION_ARGS)
{
	int			rc;
	ForayOwnerWrite ow;
	ForayShards *shards;
	ForayRel	which;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "foray_transactions_truncated: not called by trigger manager");
	/* what this backend knew of the rows is gone with them */
	foray_guard_forget();
	foray_forget_all();
	shards = foray_shards_for_trigger((TriggerData *) fcinfo->context, &which);
	if (shards == NULL || !shards->identity)
	{
		/*
		 * A Citus shell, or a shard: Citus truncates the tables shard by
		 * shard, each shard of foray_transactions before its colocated
		 * members, so "alone" cannot be told here (docs/scale-out.md).
		 */
		return PointerGetDatum(NULL);
	}
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	foray_begin_owner_write(&ow);
	PG_TRY();
	{
		rc = SPI_execute_plan(foray_plan(shards, PLAN_GUARD_ANY_MEMBER), NULL, NULL, true, 1);
	}
	PG_FINALLY();
	{
		foray_end_owner_write(&ow);
	}
	PG_END_TRY();
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "truncate check failed: %s", SPI_result_code_string(rc));
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot truncate foray.foray_transactions alone: components or attestations belong to its transactions"),
				 errdetail("Rule ENV-001: every component and attestation belongs to a transaction envelope."),
				 errhint("Truncate foray.foray_transactions, foray.foray_components and foray.foray_attestations in one TRUNCATE.")));
	SPI_finish();
	return PointerGetDatum(NULL);
}
