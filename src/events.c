/*
 * events.c
 *		The event log: appending the substrate's own events, refusing any
 *		change to what is already written, and the small session-level
 *		services the triggers share (restore mode, per-transaction locks).
 */
#include "compat.h"

#include "access/hash.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/array.h"

#include "substrate.h"

PG_FUNCTION_INFO_V1(foray_memory_events_guard);

int			foray_internal_writes = 0;
bool		foray_restore_setting = false;

/*
 * Rows being restored (pg_restore, or psql running a pg_dump script) are
 * accepted as they are: no validation beyond the table's constraints, no
 * recomputation, no second round of events.  pg_dump output empties the
 * search_path before any data; an application session never runs with an
 * empty search_path.  Only a superuser's session qualifies, so the restore
 * path can not be used to slip unchecked rows past the rules.  A superuser
 * may also say it outright with SET foray.restore_mode = on.
 */
bool
foray_restore_mode(void)
{
	const char *sp;

	if (!superuser())
		return false;
	if (foray_restore_setting)
		return true;
	sp = GetConfigOption("search_path", true, false);
	return sp != NULL && sp[0] == '\0';
}

/*
 * Writers of one FORAY transaction are serialised by a transaction-scoped
 * advisory lock on (class 'FORA', hash of transaction_id), taken before any
 * readiness read, so two sessions never derive readiness from each other's
 * stale view.  Different FORAY transactions proceed in parallel.
 */
#define FORAY_LOCK_CLASS 0x464F5241		/* 'FORA' */

void
foray_lock_transaction(const char *transaction_id)
{
	LOCKTAG		tag;
	uint32		h = DatumGetUInt32(hash_any((const unsigned char *) transaction_id,
											strlen(transaction_id)));

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, FORAY_LOCK_CLASS, h, 2);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
}

/*
 * The substrate's events are buffered and appended in one INSERT at the end
 * of each statement (and before commit): a single-row INSERT per event would
 * cost an executor start-up per row, the dominant cost of bulk loads.  Each
 * buffered event remembers its subtransaction level, so a rolled-back
 * savepoint takes its events with it.
 */
typedef struct BufferedEvent
{
	int			nest_level;
	Datum		kind;
	Datum		subject_kind;
	Datum		subject_id;
	Datum		transaction_id;	/* 0 when null */
	Datum		actor;
	Datum		payload;
} BufferedEvent;

#define EVENT_FLUSH_THRESHOLD 10000

static MemoryContext event_cxt = NULL;
static BufferedEvent *events = NULL;
static int	nevents = 0;
static int	events_cap = 0;
static bool event_callbacks_registered = false;
static SPIPlanPtr flush_plan = NULL;

static void
reset_events(void)
{
	event_cxt = NULL;			/* a child of TopTransactionContext */
	events = NULL;
	nevents = 0;
	events_cap = 0;
}

static void
events_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			/* events a function emitted outside any statement trigger */
			if (nevents > 0)
			{
				PushActiveSnapshot(GetTransactionSnapshot());
				foray_flush_events();
				PopActiveSnapshot();
			}
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PARALLEL_ABORT:
		case XACT_EVENT_PREPARE:
			reset_events();
			break;
		default:
			break;
	}
}

static void
events_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		int			level = GetCurrentTransactionNestLevel();

		while (nevents > 0 && events[nevents - 1].nest_level >= level)
			nevents--;
	}
}

/* The current role's name as text, looked up once per role. */
static Datum
actor_name(void)
{
	static Oid	cached_uid = InvalidOid;
	static char cached_name[NAMEDATALEN];

	if (GetUserId() != cached_uid)
	{
		strlcpy(cached_name, GetUserNameFromId(GetUserId(), false), NAMEDATALEN);
		cached_uid = GetUserId();
	}
	return CStringGetTextDatum(cached_name);
}

void
foray_emit_event(const char *event_kind, const char *subject_kind,
				 const char *subject_id, const char *transaction_id,
				 Jsonb *payload)
{
	MemoryContext old;
	BufferedEvent *e;

	if (!event_callbacks_registered)
	{
		RegisterXactCallback(events_xact_callback, NULL);
		RegisterSubXactCallback(events_subxact_callback, NULL);
		event_callbacks_registered = true;
	}
	if (event_cxt == NULL)
		event_cxt = AllocSetContextCreate(TopTransactionContext, "foray events",
										  ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(event_cxt);
	if (nevents == events_cap)
	{
		events_cap = events_cap ? events_cap * 2 : 256;
		events = events ? repalloc(events, sizeof(BufferedEvent) * events_cap)
			: palloc(sizeof(BufferedEvent) * events_cap);
	}
	e = &events[nevents++];
	e->nest_level = GetCurrentTransactionNestLevel();
	e->kind = CStringGetTextDatum(event_kind);
	e->subject_kind = CStringGetTextDatum(subject_kind);
	e->subject_id = CStringGetTextDatum(subject_id);
	e->transaction_id = transaction_id ? CStringGetTextDatum(transaction_id) : (Datum) 0;
	e->actor = actor_name();
	e->payload = PointerGetDatum(palloc(VARSIZE(payload)));
	memcpy(DatumGetPointer(e->payload), payload, VARSIZE(payload));
	MemoryContextSwitchTo(old);

	if (nevents >= EVENT_FLUSH_THRESHOLD)
		foray_flush_events();
}

static Datum
column_array(int field, Oid elemtype)
{
	Datum	   *vals = palloc(sizeof(Datum) * nevents);
	bool	   *nulls = palloc(sizeof(bool) * nevents);
	int			dims[1] = {nevents};
	int			lbs[1] = {1};
	int16		typlen;
	bool		typbyval;
	char		typalign;

	for (int i = 0; i < nevents; i++)
	{
		Datum	   *f = &events[i].kind;

		vals[i] = f[field];
		nulls[i] = (vals[i] == (Datum) 0);
	}
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	return PointerGetDatum(construct_md_array(vals, nulls, 1, dims, lbs, elemtype,
											  typlen, typbyval, typalign));
}

/* Append the buffered events to foray.memory_events, in emission order. */
void
foray_flush_events(void)
{
	Datum		values[6];
	int			rc;

	if (nevents == 0)
		return;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (flush_plan == NULL)
	{
		Oid			argtypes[6] = {TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID,
		TEXTARRAYOID, JSONBARRAYOID};
		SPIPlanPtr	plan;

		plan = SPI_prepare_cursor("INSERT INTO foray.memory_events "
								  "(event_kind, subject_kind, subject_id, transaction_id, "
								  " actor_kind, actor_id, payload) "
								  "SELECT e.k, e.sk, e.sid, e.tx, 'system', e.a, e.p "
								  "FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), "
								  "     pg_catalog.unnest($3), pg_catalog.unnest($4), "
								  "     pg_catalog.unnest($5), pg_catalog.unnest($6)) "
								  "     WITH ORDINALITY AS e(k, sk, sid, tx, a, p, n) "
								  "ORDER BY e.n",
								  6, argtypes, CURSOR_OPT_GENERIC_PLAN);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		flush_plan = plan;
	}
	values[0] = column_array(0, TEXTOID);
	values[1] = column_array(1, TEXTOID);
	values[2] = column_array(2, TEXTOID);
	values[3] = column_array(3, TEXTOID);
	values[4] = column_array(4, TEXTOID);
	values[5] = column_array(5, JSONBOID);
	nevents = 0;				/* taken, whatever happens next */
	rc = SPI_execute_plan(flush_plan, values, NULL, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "could not append to foray.memory_events: %s",
			 SPI_result_code_string(rc));
	SPI_finish();
	if (event_cxt != NULL && nevents == 0)
	{
		MemoryContextReset(event_cxt);
		events = NULL;
		events_cap = 0;
	}
}

/*
 * BEFORE UPDATE OR DELETE (row) and BEFORE TRUNCATE (statement) on
 * memory_events: the log is append-only, for the table owner too.
 */
Datum
foray_memory_events_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	const char *what;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "foray_memory_events_guard: not called by trigger manager");
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		what = "UPDATE";
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		what = "DELETE";
	else
		what = "TRUNCATE";
	ereport(ERROR,
			(errcode(ERRCODE_FORAY_APPEND_ONLY),
			 errmsg("foray.memory_events is append-only: %s is not allowed", what),
			 errdetail("Rule LOG-001: events are never changed or removed once written."),
			 errhint("Record a correction as a new event.")));
	PG_RETURN_NULL();
}
