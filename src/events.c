/*
 * events.c
 *		The event log: appending the substrate's own events, refusing any
 *		change to what is already written, and the small session-level
 *		services the triggers share (restore mode, per-transaction locks).
 */
#include "compat.h"

#include "access/hash.h"
#include "access/htup_details.h"
#include "catalog/dependency.h"
#include "catalog/namespace.h"
#include "commands/sequence.h"
#include "catalog/pg_class.h"
#include "utils/syscache.h"
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
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/array.h"

#include "plans.h"
#include "shards.h"
#include "substrate.h"
#include "trigger_util.h"

PG_FUNCTION_INFO_V1(foray_memory_events_guard);
PG_FUNCTION_INFO_V1(foray_event_kinds_guard);

int			foray_internal_writes = 0;
bool		foray_restore_setting = false;

/*
 * Rows being restored (pg_restore, or psql running a pg_dump script) are
 * accepted as they are: no validation beyond the table's constraints, no
 * recomputation, no second round of events.  pg_dump output empties the
 * search_path before any data; an application session never runs with an
 * empty search_path.  Only a superuser's session qualifies, so the restore
 * path can not be used to slip unchecked rows past the rules; and it takes
 * the whole signature of a dump (empty search_path, check_function_bodies
 * and row_security off), so a hardened superuser session with an empty
 * search_path is not mistaken for one.  A superuser may also say it
 * outright with SET foray.restore_mode = on.
 */
bool
foray_restore_mode(void)
{
	const char *sp;
	const char *cfb;
	const char *rls;

	/*
	 * Never inside the substrate's own writes (which run as the owner, often
	 * a superuser, on behalf of whatever role caused them), and only for a
	 * superuser session: the current role and the session's role are both
	 * superusers (a SECURITY DEFINER function owned by a superuser does not
	 * make its caller's session one).
	 */
	if (OidIsValid(foray_acting_user))
		return false;
	if (!superuser_arg(GetUserId()) || !superuser_arg(GetSessionUserId()))
		return false;
	if (foray_restore_setting)
		return true;
	/* the session settings every pg_dump script and pg_restore begin with */
	sp = GetConfigOption("search_path", true, false);
	cfb = GetConfigOption("check_function_bodies", true, false);
	rls = GetConfigOption("row_security", true, false);
	return sp != NULL && sp[0] == '\0' &&
		cfb != NULL && strcmp(cfb, "off") == 0 &&
		rls != NULL && strcmp(rls, "off") == 0;
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
	ForayShards *shards;		/* the shard group of its transaction */
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

/*
 * The role that caused an event: the current role, or, while the substrate
 * writes as its owner, the role it writes for.
 */
Oid			foray_acting_user = InvalidOid;

static Datum
actor_name(void)
{
	static Oid	cached_uid = InvalidOid;
	static char cached_name[NAMEDATALEN];
	Oid			uid = OidIsValid(foray_acting_user) ? foray_acting_user : GetUserId();

	if (uid != cached_uid)
	{
		strlcpy(cached_name, GetUserNameFromId(uid, false), NAMEDATALEN);
		cached_uid = uid;
	}
	return CStringGetTextDatum(cached_name);
}

/*
 * Become the substrate's owner for one of its own writes; the acting user
 * stays the events' actor.  foray_end_owner_write() undoes it.
 */
void
foray_begin_owner_write(ForayOwnerWrite *w)
{
	GetUserIdAndSecContext(&w->save_userid, &w->save_sec);
	w->save_acting = foray_acting_user;
	w->guc_nest = foray_safe_search_path_push();
	if (!OidIsValid(foray_acting_user))
		foray_acting_user = w->save_userid;
	SetUserIdAndSecContext(foray_substrate_owner(), w->save_sec | SECURITY_LOCAL_USERID_CHANGE);
}

void
foray_end_owner_write(ForayOwnerWrite *w)
{
	SetUserIdAndSecContext(w->save_userid, w->save_sec);
	foray_acting_user = w->save_acting;
	foray_safe_search_path_pop(w->guc_nest);
}

int
foray_safe_search_path_push(void)
{
	int			nest;

	if (namespace_search_path != NULL &&
		strcmp(namespace_search_path, FORAY_SAFE_SEARCH_PATH) == 0)
		return 0;
	nest = NewGUCNestLevel();
	(void) set_config_option("search_path", FORAY_SAFE_SEARCH_PATH, PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	return nest;
}

void
foray_safe_search_path_pop(int nest)
{
	if (nest > 0)
		AtEOXact_GUC(true, nest);
}

void
foray_emit_event(const char *event_kind, const char *subject_kind,
				 const char *subject_id, const char *transaction_id,
				 Jsonb *payload)
{
	MemoryContext old;
	BufferedEvent *e;
	ForayShards *shards;

	if (transaction_id == NULL)
		elog(ERROR, "foray_emit_event: a substrate event names its transaction");
	/* where the transaction's rows are, and so its events */
	shards = foray_shards_for_tx(transaction_id);
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
	e->shards = shards;
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

/* one field of events[from .. to) as an array */
static Datum
column_array(int from, int to, int field, Oid elemtype)
{
	Datum	   *vals = palloc(sizeof(Datum) * (to - from));
	bool	   *nulls = palloc(sizeof(bool) * (to - from));
	int			dims[1] = {to - from};
	int			lbs[1] = {1};
	int16		typlen;
	bool		typbyval;
	char		typalign;

	for (int i = from; i < to; i++)
	{
		Datum	   *f = &events[i].kind;

		vals[i - from] = f[field];
		nulls[i - from] = (vals[i - from] == (Datum) 0);
	}
	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	return PointerGetDatum(construct_md_array(vals, nulls, 1, dims, lbs, elemtype,
											  typlen, typbyval, typalign));
}

static bool flushing = false;

/* this node's event id sequence (foray.memory_events_event_id_seq) */
static Oid
event_id_sequence(void)
{
	Oid			seqid = get_relname_relid("memory_events_event_id_seq",
										  get_namespace_oid("foray", false));

	if (!OidIsValid(seqid))
		elog(ERROR, "sequence foray.memory_events_event_id_seq does not exist");
	return seqid;
}

/* The owner of the substrate's tables (that of foray.foray_transactions). */
Oid
foray_substrate_owner(void)
{
	Oid			relid = foray_logical_relid(FORAY_REL_TRANSACTIONS);
	HeapTuple	tup;
	Oid			owner;

	tup = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for relation foray.foray_transactions");
	owner = ((Form_pg_class) GETSTRUCT(tup))->relowner;
	ReleaseSysCache(tup);
	return owner;
}

/*
 * Append the buffered events to the events table of their transactions'
 * shard group (on a single node, foray.memory_events), in emission order:
 * one INSERT per run of events of one group.
 */
void
foray_flush_events(void)
{
	int			total = nevents;
	int			nruns = 0;
	bool		legacy = !OidIsValid(foray_logical_relid(FORAY_REL_EVENTS));
	ForayShards **run_shards;
	Datum	   *run_values;
	ForayOwnerWrite ow;

	if (nevents == 0)
		return;
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	/*
	 * Every run's arrays first: the buffer is reused as soon as it is taken.
	 * Each event is numbered now, in emission order: its event_id from this
	 * node's sequence, its seq in its transaction (under the transaction's
	 * writer lock, which numbering takes).
	 */
	run_shards = palloc(sizeof(ForayShards *) * total);
	run_values = palloc(sizeof(Datum) * 8 * total);
	if (legacy)
	{
		/* a database not updated to 0.5.0: memory_events numbers them */
		run_shards[0] = events[0].shards;
		for (int f = 0; f < 6; f++)
			run_values[f] = column_array(0, total, f, f == 5 ? JSONBOID : TEXTOID);
		nruns = 1;
	}
	else
	{
		Oid			seqid = event_id_sequence();
		Datum	   *ids = palloc(sizeof(Datum) * total);
		Datum	   *seqs = palloc(sizeof(Datum) * total);
		const char **txids = palloc(sizeof(char *) * total);

		for (int i = 0; i < total; i++)
			txids[i] = TextDatumGetCString(events[i].transaction_id);
		foray_known_event_seqs(txids, total);
		for (int i = 0; i < total; i++)
		{
			seqs[i] = Int64GetDatum(foray_next_event_seq(txids[i]));
			ids[i] = Int64GetDatum(nextval_internal(seqid, false));
		}
		for (int from = 0, to; from < total; from = to, nruns++)
		{
			Datum	   *values = &run_values[8 * nruns];

			for (to = from; to < total && events[to].shards == events[from].shards; to++)
				;
			run_shards[nruns] = events[from].shards;
			values[0] = column_array(from, to, 0, TEXTOID);
			values[1] = column_array(from, to, 1, TEXTOID);
			values[2] = column_array(from, to, 2, TEXTOID);
			values[3] = column_array(from, to, 3, TEXTOID);
			values[4] = column_array(from, to, 4, TEXTOID);
			values[5] = column_array(from, to, 5, JSONBOID);
			values[6] = PointerGetDatum(construct_array(ids + from, to - from, INT8OID, 8,
														FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
			values[7] = PointerGetDatum(construct_array(seqs + from, to - from, INT8OID, 8,
														FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		}
	}
	nevents = 0;				/* taken, whatever happens next */

	/*
	 * The substrate writes its own events: as the owner of the log, so the
	 * application's role needs no INSERT on it, and with flushing set, so the
	 * log's guard can tell them from forgeries.
	 */
	foray_begin_owner_write(&ow);
	flushing = true;
	PG_TRY();
	{
		for (int r = 0; r < nruns; r++)
		{
			int			rc = SPI_execute_plan(foray_plan(run_shards[r],
														 legacy ? PLAN_APPEND_EVENTS_LEGACY : PLAN_APPEND_EVENTS),
											  &run_values[8 * r], NULL, false, 0);

			if (rc != SPI_OK_INSERT)
				elog(ERROR, "could not append the substrate's events: %s", SPI_result_code_string(rc));
		}
	}
	PG_FINALLY();
	{
		flushing = false;
		foray_end_owner_write(&ow);
	}
	PG_END_TRY();
	SPI_finish();
	if (event_cxt != NULL && nevents == 0)
	{
		MemoryContextReset(event_cxt);
		events = NULL;
		events_cap = 0;
	}
}

/* The statement a guard refuses, for its message. */
static const char *
refused_verb(TriggerEvent ev)
{
	if (TRIGGER_FIRED_BY_UPDATE(ev))
		return "UPDATE";
	if (TRIGGER_FIRED_BY_DELETE(ev))
		return "DELETE";
	return "TRUNCATE";
}

/*
 * The registry of event kinds (foray.event_kinds) only grows: a kind, once
 * registered, stays (rule LOG-003).  That makes a per-backend cache of the
 * kinds seen registered safe to keep, and the check of each event's kind
 * nearly free, where a foreign key costs a query per event.  A kind found in
 * this session's own transaction may yet be rolled back: the cache is
 * emptied whenever a transaction or subtransaction aborts.
 */
typedef struct KnownKind
{
	char		kind[NAMEDATALEN * 2];
} KnownKind;

static HTAB *known_kinds = NULL;
static bool kinds_callbacks_registered = false;
static SPIPlanPtr kind_plan = NULL;

static void
forget_kinds(void)
{
	if (known_kinds != NULL)
	{
		hash_destroy(known_kinds);
		known_kinds = NULL;
	}
}

static void
kinds_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_ABORT)
		forget_kinds();
}

static void
kinds_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
					   SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		forget_kinds();
}

/* Is kind registered in foray.event_kinds (as of the latest snapshot)? */
static bool
kind_registered(const char *kind)
{
	bool		found;
	Datum		values[1];
	int			rc;
	size_t		len = strlen(kind);
	ForayOwnerWrite ow;

	if (len >= sizeof(((KnownKind *) 0)->kind))
		return false;			/* longer than any registrable kind */
	if (!kinds_callbacks_registered)
	{
		RegisterXactCallback(kinds_xact_callback, NULL);
		RegisterSubXactCallback(kinds_subxact_callback, NULL);
		kinds_callbacks_registered = true;
	}
	if (known_kinds == NULL)
	{
		HASHCTL		ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(((KnownKind *) 0)->kind);
		ctl.entrysize = sizeof(KnownKind);
		ctl.hcxt = TopMemoryContext;
		known_kinds = hash_create("foray registered event kinds", 64, &ctl,
								  HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	}
	if (hash_search(known_kinds, kind, HASH_FIND, NULL) != NULL)
		return true;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (kind_plan == NULL)
	{
		Oid			argtypes[1] = {TEXTOID};
		SPIPlanPtr	plan = SPI_prepare("SELECT 1 FROM foray.event_kinds"
									   " WHERE event_kind OPERATOR(pg_catalog.=) $1",
									   1, argtypes);

		if (plan == NULL || SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		kind_plan = plan;
	}
	values[0] = CStringGetTextDatum(kind);
	/*
	 * The latest snapshot, as a foreign key check would use; as the
	 * substrate's owner, as a foreign key's check runs (the writer of an
	 * event needs no privilege on the registry).
	 */
	foray_begin_owner_write(&ow);
	PG_TRY();
	{
		rc = SPI_execute_snapshot(kind_plan, values, NULL, GetLatestSnapshot(),
								  InvalidSnapshot, true, false, 1);
	}
	PG_FINALLY();
	{
		foray_end_owner_write(&ow);
	}
	PG_END_TRY();
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "event kind lookup failed: %s", SPI_result_code_string(rc));
	found = (SPI_processed > 0);
	SPI_finish();
	if (found)
		(void) hash_search(known_kinds, kind, HASH_ENTER, NULL);
	return found;
}

/*
 * Event ids are the substrate's to assign (LOG-004): an event's event_id is
 * drawn from this node's sequence here, as the row is written, whatever the
 * writer put there; so is an event's seq in its transaction.  A writer could
 * otherwise choose ids ahead of the sequence and make every later write of
 * the substrate fail on a key.  Ids stay unique and increase in the order
 * rows are written on a node (docs/scale-out.md for several nodes).
 */
static HeapTuple
number_event(Relation rel, HeapTuple tup, bool per_transaction)
{
	int			cols[2];
	Datum		vals[2];
	bool		nulls[2] = {false, false};
	int			n = 0;

	if (per_transaction)
	{
		char	   *tx = foray_get_text(tup, RelationGetDescr(rel), foray_attno(rel, "transaction_id"));

		if (tx == NULL)
			return tup;			/* NOT NULL refuses it */
		cols[n] = foray_attno(rel, "seq");
		vals[n++] = Int64GetDatum(foray_next_event_seq(tx));
	}
	cols[n] = foray_attno(rel, "event_id");
	vals[n++] = Int64GetDatum(nextval_internal(event_id_sequence(), false));
	return heap_modify_tuple_by_cols(tup, RelationGetDescr(rel), n, cols, vals, nulls);
}

/*
 * A database not updated to 0.5.0 keeps its events in the table
 * memory_events, whose identity column numbers them: the identity's
 * sequence draws the id here (LOG-004 as 0.4.0 had it).
 */
static HeapTuple
number_legacy_event(Relation rel, HeapTuple tup)
{
	int			attno = foray_attno(rel, "event_id");
	Datum		id;
	bool		isnull = false;

	id = Int64GetDatum(nextval_internal(FORAY_IDENTITY_SEQUENCE(rel, attno), false));
	return heap_modify_tuple_by_cols(tup, RelationGetDescr(rel), 1, &attno, &id, &isnull);
}

/* LOG-002 and LOG-003 for an event of kind written by someone else than the substrate */
static void
check_kind(const char *kind)
{
	if (kind[0] >= 'A' && kind[0] <= 'Z')
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("substrate events are written by the substrate only"),
				 errdetail("Rule LOG-002: UPPER_CASE event kinds record what the substrate's triggers and functions did; the application writes its own (lower_case) kinds."),
				 errhint("Register an engine kind with foray.register_event_kind().")));
	if (!kind_registered(kind))
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("event kind \"%s\" is not registered", kind),
				 errdetail("Rule LOG-003: every event's kind is a kind in foray.event_kinds."),
				 errhint("Register an engine kind with foray.register_event_kind().")));
}

/*
 * An INSERT into the view foray.memory_events goes to the table of its
 * subject: a MemoryObject's event to engine_events, any other to
 * transaction_events; as the substrate's owner (the writer needs INSERT on
 * the view only), through that table's own trigger, which numbers it.
 * Returns the view's row as written.  The routing columns are checked here,
 * so that a distributed substrate refuses what a single node does, the same
 * way (Citus refuses a NULL distribution value with an error of its own).
 */
static HeapTuple
route_view_insert(Relation view, HeapTuple tup)
{
	static const char *const cols[] = {
		"event_id", "event_kind", "subject_kind", "subject_id", "transaction_id", "engagement_id",
		"object_id", "object_type", "object_version", "engagement_version", "actor_kind",
		"actor_id", "payload", "occurred_at", "source_ref"
	};
#define NCOLS (sizeof(cols) / sizeof(cols[0]))
	static SPIPlanPtr plans[2];
	TupleDesc	desc = RelationGetDescr(view);
	Datum		values[NCOLS];
	char		nulls[NCOLS];
	Oid			types[NCOLS];
	char	   *subject_kind;
	bool		engine;
	int			rc;
	ForayOwnerWrite ow;
	int			ret_cols[2];
	Datum		ret_vals[2];
	bool		ret_nulls[2] = {false, false};
	bool		isnull;

	for (int i = 0; i < (int) NCOLS; i++)
	{
		int			att = foray_attno(view, cols[i]);

		values[i] = heap_getattr(tup, att, desc, &isnull);
		nulls[i] = isnull ? 'n' : ' ';
		types[i] = TupleDescAttr(desc, att - 1)->atttypid;
	}
	subject_kind = foray_get_text(tup, desc, foray_attno(view, "subject_kind"));
	engine = subject_kind != NULL && strcmp(subject_kind, "MEMORY_OBJECT") == 0;
	if (engine && nulls[5] == 'n')
		ereport(ERROR,
				(errcode(ERRCODE_CHECK_VIOLATION),
				 errmsg("new row for relation \"engine_events\" violates check constraint \"engine_events_subject_check\""),
				 errdetail("A MemoryObject event names its engagement, object, object type and version."),
				 errtable(view)));
	if (!engine && subject_kind != NULL && nulls[4] == 'n')
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("null value in column \"transaction_id\" of relation \"transaction_events\" violates not-null constraint"),
				 errdetail("An event about a transaction, component or attestation names its transaction."),
				 errtablecol(view, foray_attno(view, "transaction_id"))));
	if (subject_kind == NULL)
		engine = true;			/* the table's NOT NULL refuses it */

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (plans[engine] == NULL)
	{
		SPIPlanPtr	p = SPI_prepare(engine ?
									"INSERT INTO foray.engine_events (event_id, event_kind, subject_kind,"
									" subject_id, transaction_id, engagement_id, object_id, object_type,"
									" object_version, engagement_version, actor_kind, actor_id, payload,"
									" occurred_at, source_ref)"
									" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
									" RETURNING event_id, NULL::pg_catalog.int8" :
									"INSERT INTO foray.transaction_events (event_id, event_kind, subject_kind,"
									" subject_id, transaction_id, engagement_id, object_id, object_type,"
									" object_version, engagement_version, actor_kind, actor_id, payload,"
									" occurred_at, source_ref, seq)"
									" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 0)"
									" RETURNING event_id, seq",
									NCOLS, types);

		if (p == NULL || SPI_keepplan(p) != 0)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		plans[engine] = p;
	}
	foray_begin_owner_write(&ow);
	PG_TRY();
	{
		rc = SPI_execute_plan(plans[engine], values, nulls, false, 1);
	}
	PG_FINALLY();
	{
		foray_end_owner_write(&ow);
	}
	PG_END_TRY();
	if (rc != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
		elog(ERROR, "could not write the event: %s", SPI_result_code_string(rc));
	ret_cols[0] = foray_attno(view, "event_id");
	ret_vals[0] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &ret_nulls[0]);
	ret_cols[1] = foray_attno(view, "transaction_seq");
	ret_vals[1] = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &ret_nulls[1]);
	tup = heap_modify_tuple_by_cols(tup, desc, 2, ret_cols, ret_vals, ret_nulls);
	SPI_finish();
	return tup;
#undef NCOLS
}

/*
 * The event log's rules (the trigger's argument names its table):
 *   on transaction_events and engine_events, BEFORE INSERT (row): the
 *   event's kind is registered (LOG-003), substrate kinds (UPPER_CASE) come
 *   from the substrate only (LOG-002), and the substrate numbers the event
 *   (LOG-004); BEFORE UPDATE OR DELETE (row) and BEFORE TRUNCATE
 *   (statement): the log is append-only, for the table owner too (LOG-001);
 *   on the view memory_events, INSTEAD OF INSERT: to the table of its
 *   subject; INSTEAD OF UPDATE OR DELETE: refused (LOG-001).
 */
Datum
foray_memory_events_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	const char *table;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "foray_memory_events_guard: not called by trigger manager");
	table = trigdata->tg_trigger->tgnargs >= 1 ? trigdata->tg_trigger->tgargs[0]
		: RelationGetRelationName(trigdata->tg_relation);
	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
	{
		HeapTuple	tup = trigdata->tg_trigtuple;
		bool		isnull;
		Datum		d;

		if (TRIGGER_FIRED_INSTEAD(trigdata->tg_event))
			return PointerGetDatum(route_view_insert(trigdata->tg_relation, tup));
		/* the substrate's own events name built-in kinds; restores carry rows as they were */
		if (flushing || foray_restore_mode())
			return PointerGetDatum(tup);
		d = heap_getattr(tup, foray_attno(trigdata->tg_relation, "event_kind"),
						 trigdata->tg_relation->rd_att, &isnull);
		if (isnull)
			return PointerGetDatum(tup);	/* NOT NULL says so */
		check_kind(TextDatumGetCString(d));
		if (strcmp(table, "memory_events") == 0)
			return PointerGetDatum(number_legacy_event(trigdata->tg_relation, tup));
		if (strcmp(table, "transaction_events") == 0)
		{
			ForayRel	which;

			if (foray_shards_for_trigger(trigdata, &which) == NULL)
				return PointerGetDatum(tup);	/* a Citus shell: the shard numbers it */
			return PointerGetDatum(number_event(trigdata->tg_relation, tup, true));
		}
		return PointerGetDatum(number_event(trigdata->tg_relation, tup, false));
	}
	ereport(ERROR,
			(errcode(ERRCODE_FORAY_APPEND_ONLY),
			 errmsg("foray.%s is append-only: %s is not allowed", table,
					refused_verb(trigdata->tg_event)),
			 errdetail("Rule LOG-001: events are never changed or removed once written."),
			 errhint("Record a correction as a new event.")));
	PG_RETURN_NULL();
}

/*
 * BEFORE UPDATE OR DELETE (row) and BEFORE TRUNCATE (statement) on
 * event_kinds: a registered kind stays registered, under its name and
 * origin; only its description may be reworded (LOG-003).
 */
Datum
foray_event_kinds_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	const char *what;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "foray_event_kinds_guard: not called by trigger manager");
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
	{
		TupleDesc	desc = trigdata->tg_relation->rd_att;
		const char *cols[3] = {"event_kind", "origin", "builtin"};
		bool		same = true;

		for (int i = 0; i < 3 && same; i++)
		{
			int			att = SPI_fnumber(desc, cols[i]);
			char	   *a = SPI_getvalue(trigdata->tg_trigtuple, desc, att);
			char	   *b = SPI_getvalue(trigdata->tg_newtuple, desc, att);

			same = (a != NULL && b != NULL && strcmp(a, b) == 0);
		}
		if (same)
			return PointerGetDatum(trigdata->tg_newtuple);
		what = "changing a kind's name, origin or builtin flag";
	}
	else
		what = refused_verb(trigdata->tg_event);
	ereport(ERROR,
			(errcode(ERRCODE_FORAY_APPEND_ONLY),
			 errmsg("foray.event_kinds only grows: %s is not allowed", what),
			 errdetail("Rule LOG-003: events name their kind; a registered kind stays registered (only its description may change)."),
			 errhint("Stop using a kind instead of removing it.")));
	PG_RETURN_NULL();
}

/*
 * foray.substrate_writing(): whether the substrate is writing its own
 * derived columns, or appending its own events, right now.  The WHEN clauses of the row triggers use it
 * to skip those writes (the substrate records their events itself).  A
 * session can not make it true: the counter only moves inside the
 * substrate's C code.
 */
PG_FUNCTION_INFO_V1(foray_substrate_writing);
Datum
foray_substrate_writing(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(foray_internal_writes > 0 || flushing);
}
