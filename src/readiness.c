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
 * The lifecycle is evaluated once per touched transaction at the end of each
 * user statement (statement-level trigger) and after the commit-time ref
 * check, from two index probes (any component? any pending or reversed
 * component?), never in the middle of a readiness cascade.
 */
#include "compat.h"

#include "access/hash.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/lsyscache.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "storage/itemptr.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "lookup.h"
#include "plans.h"
#include "trigger_util.h"
#include "readiness.h"
#include "shards.h"
#include "txhash.h"
#include "substrate.h"

PG_FUNCTION_INFO_V1(foray_statement_end);

static bool may_have_pending(const char *transaction_id);
static ForayShards *tx_shards(const char *transaction_id);
struct DirtyEntry;
static int	cmp_entry_group(const void *a, const void *b);
static int	cmp_cstring_ptr(const void *a, const void *b);
static bool known_no_pending(const char *transaction_id);
struct DirtyEntry;
static bool known_ready(struct DirtyEntry *e);
static const char *recent_get(const char *transaction_id, const char *id);
static bool recent_complete(const char *transaction_id);

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
 * refs that do not exist (yet).  With self_id, the same index scan also
 * tells (*self_exists) whether a component of that id exists already.
 * Caller is connected to SPI.
 */
const char *
foray_derive_status_self(const char *transaction_id, Datum refs_array, int nrefs, int *missing,
						 const char *self_id, bool *self_exists)
{
	Datum	   *elems = NULL;
	bool	   *nulls;
	int			n = 0;
	int			nids;
	char	  **ids;
	bool	   *found;
	char	  **statuses;
	int			usable = 0;

	*missing = 0;
	if (nrefs > 0)
		deconstruct_array(DatumGetArrayTypeP(refs_array), TEXTOID, -1, false, TYPALIGN_INT,
						  &elems, &nulls, &n);
	nids = n + (self_id ? 1 : 0);
	if (nids == 0)
		return "ready";
	ids = palloc(sizeof(char *) * nids);
	found = palloc(sizeof(bool) * nids);
	statuses = palloc(sizeof(char *) * nids);
	for (int i = 0; i < n; i++)
		ids[i] = TextDatumGetCString(elems[i]);
	if (self_id)
		ids[n] = (char *) self_id;

	/*
	 * An insert asks the statement's cache first (foray_recent_put); what
	 * it cannot answer is looked up in the index, in one scan.
	 */
	{
		bool		complete = self_id != NULL && recent_complete(transaction_id);
		char	  **probe = palloc(sizeof(char *) * nids);
		int		   *at = palloc(sizeof(int) * nids);
		int			nprobe = 0;

		for (int i = 0; i < nids; i++)
		{
			const char *st = self_id ? recent_get(transaction_id, ids[i]) : NULL;

			if (st != NULL)
			{
				found[i] = true;
				statuses[i] = (char *) st;
			}
			else if (complete)
			{
				found[i] = false;
				statuses[i] = NULL;
			}
			else
			{
				at[nprobe] = i;
				probe[nprobe++] = ids[i];
			}
		}
		if (nprobe > 0)
		{
			bool	   *pf = palloc(sizeof(bool) * nprobe);
			char	  **ps = palloc(sizeof(char *) * nprobe);

			foray_pk_lookup_rel(tx_shards(transaction_id)->relid[FORAY_REL_COMPONENTS],
								transaction_id, probe, nprobe, "status", pf, ps);
			for (int k = 0; k < nprobe; k++)
			{
				found[at[k]] = pf[k];
				statuses[at[k]] = ps[k];
			}
		}
	}
	for (int i = 0; i < n; i++)
	{
		if (!found[i])
			(*missing)++;
		else if (foray_status_usable(statuses[i]))
			usable++;
	}
	if (self_id)
		*self_exists = found[n];
	return (usable == n) ? "ready" : "pending";
}

const char *
foray_derive_status(const char *transaction_id, Datum refs_array, int nrefs, int *missing)
{
	return foray_derive_status_self(transaction_id, refs_array, nrefs, missing, NULL, NULL);
}

/*
 * Run one of the status UPDATEs (an internal write, as the substrate's
 * owner), then write the events of the rows it changed.  The components'
 * row triggers do not fire for the substrate's own writes (their WHEN
 * clauses test foray.substrate_writing()): an AFTER ROW trigger re-fetches
 * both versions of every row, the dominant cost of propagating readiness.
 * So the events are written here, from the UPDATE's RETURNING, in the order
 * of the arrays.  The caller propagates, level by level.
 */
static void
run_status_update(ForayPlan plan, const char *transaction_id, Datum keys,
				  char **ids, const char **froms, const char **statuses, int n)
{
	Datum		values[3];
	int			rc;
	ForayOwnerWrite ow;
	const char **types;
	const char **hashes;
	bool		any_pending = false;

	values[0] = CStringGetTextDatum(transaction_id);
	values[1] = keys;
	values[2] = foray_strings_to_array((char **) statuses, n);
	foray_begin_owner_write(&ow);
	foray_internal_writes++;
	PG_TRY();
	{
		rc = SPI_execute_plan(foray_plan(tx_shards(transaction_id), plan), values, NULL, false, 0);
		if (rc != SPI_OK_UPDATE_RETURNING)
			elog(ERROR, "readiness update failed: %s", SPI_result_code_string(rc));
	}
	PG_FINALLY();
	{
		foray_internal_writes--;
		foray_end_owner_write(&ow);
	}
	PG_END_TRY();
	if (SPI_processed != (uint64) n)
		elog(ERROR, "readiness update of transaction \"%s\" changed " UINT64_FORMAT " rows, expected %d",
			 transaction_id, SPI_processed, n);

	types = palloc0(sizeof(char *) * n);
	hashes = palloc0(sizeof(char *) * n);
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		TupleDesc	d = SPI_tuptable->tupdesc;
		bool		isnull;
		int64		at = DatumGetInt64(SPI_getbinval(t, d, 1, &isnull)) - 1;

		if (isnull || at < 0 || at >= n || types[at] != NULL)
			elog(ERROR, "readiness update returned an unexpected row");
		types[at] = SPI_getvalue(t, d, 2);
		hashes[at] = SPI_getvalue(t, d, 3);
	}
	SPI_freetuptable(SPI_tuptable);
	for (int i = 0; i < n; i++)
	{
		const char *k[4] = {"component_type", "status", "component_hash", "from"};
		const char *v[4] = {types[i], statuses[i], hashes[i], froms[i]};

		foray_emit_event("COMPONENT_STATE_CHANGED", "COMPONENT", ids[i], transaction_id,
						 foray_jsonb_object(4, k, v));
		if (strcmp(statuses[i], "pending") == 0)
			any_pending = true;
	}
	foray_mark_transaction_dirty(transaction_id);
	if (any_pending)
		foray_note_pending(transaction_id);
}

static void
set_statuses(const char *transaction_id, char **ids, const char **froms,
			 const char **statuses, int n)
{
	run_status_update(PLAN_SET_STATUSES, transaction_id, foray_strings_to_array(ids, n),
					  ids, froms, statuses, n);
}

/* The same, for rows just read by the propagation: addressed by ctid. */
static void
set_statuses_by_tid(const char *transaction_id, ItemPointerData *tids, char **ids,
					const char **froms, const char **statuses, int n)
{
	Datum	   *tidd = palloc(sizeof(Datum) * n);

	for (int i = 0; i < n; i++)
		tidd[i] = PointerGetDatum(&tids[i]);
	run_status_update(PLAN_SET_STATUSES_BY_TID, transaction_id,
					  PointerGetDatum(construct_array(tidd, n, TIDOID, sizeof(ItemPointerData),
													  false, TYPALIGN_SHORT)),
					  ids, froms, statuses, n);
}

/*
 * What one propagation knows of its transaction's components: every row it
 * has read or written, with its status (or that it does not exist).  Exact
 * for the propagation's duration: it runs under the FORAY transaction's lock
 * and its own writes update the map.  Refs known here skip the
 * primary-key probe.
 */
#define KNOWN_KEY 208
typedef struct KnownStatus
{
	char		id[KNOWN_KEY];
	bool		found;
	char		status[12];
} KnownStatus;

static void
known_put(HTAB *known, const char *id, bool found, const char *status)
{
	KnownStatus *k;

	if (strlen(id) >= KNOWN_KEY)
		return;					/* not cached: probed each time */
	k = hash_search(known, id, HASH_ENTER, NULL);
	k->found = found;
	strlcpy(k->status, found && status ? status : "", sizeof(k->status));
}

static KnownStatus *
known_get(HTAB *known, const char *id)
{
	if (strlen(id) >= KNOWN_KEY)
		return NULL;
	return hash_search(known, id, HASH_FIND, NULL);
}

/* Set one component's derived status and propagate the change. */
void
foray_set_status(const char *transaction_id, const char *id, const char *from,
				 const char *status)
{
	char	   *ids[1] = {(char *) id};
	const char *froms[1] = {from};
	const char *statuses[1] = {status};

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	set_statuses(transaction_id, ids, froms, statuses, 1);
	SPI_finish();
	foray_propagate(transaction_id, id, false);
}

typedef struct Dependent
{
	ItemPointerData tid;
	char	   *id;
	char	   *status;
	char	  **refs;
	int			nrefs;
} Dependent;

#define DEPENDENTS_CHUNK 64

static int
cmp_dependent(const void *a, const void *b)
{
	return strcmp(((const Dependent *) a)->id, ((const Dependent *) b)->id);
}

/*
 * Re-derive what depends on (transaction_id, id) after its usable state
 * (ready or settled) changed, set-based and level by level: one GIN lookup
 * finds every pending or ready component referencing the frontier, one
 * UPDATE moves those whose derived status changed, and they become the next
 * frontier.  Typing bounds it at three levels (ARR <- ACC <- ANT <- ACT), so
 * the work is proportional to the dependents touched, in at most six
 * statements.  With pending_only (a component just inserted), only pending
 * dependents can change.
 */
void
foray_propagate(const char *transaction_id, const char *id, bool pending_only)
{
	char	  **frontier;
	int			nfrontier = 1;
	HTAB	   *known;
	MemoryContext work;
	MemoryContext oldcxt;
	ForayShards *shards = tx_shards(transaction_id);

	/* known (under this backend's lock) to hold nothing waiting: done */
	if (pending_only && known_no_pending(transaction_id))
		return;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (pending_only && !may_have_pending(transaction_id))
	{
		SPI_finish();
		return;
	}

	work = AllocSetContextCreate(CurrentMemoryContext, "foray propagate",
								 ALLOCSET_DEFAULT_SIZES);
	oldcxt = MemoryContextSwitchTo(work);
	frontier = palloc(sizeof(char *));
	frontier[0] = pstrdup(id);
	{
		HASHCTL		ctl;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = KNOWN_KEY;
		ctl.entrysize = sizeof(KnownStatus);
		ctl.hcxt = work;
		known = hash_create("foray propagation statuses", 256, &ctl,
							HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	}

	for (int level = 0; nfrontier > 0 && level < 8; level++)
	{
		Datum		values[1];
		int			rc;
		char	  **keys = palloc(sizeof(char *) * nfrontier);
		char	  **ids;
		ItemPointerData *tids;
		const char **froms;
		const char **targets;
		int			nchanges = 0;
		uint64		n;
		uint64		dcap;
		Dependent  *deps;

		for (int i = 0; i < nfrontier; i++)
			keys[i] = text_to_cstring(foray_ref_key(transaction_id, frontier[i]));

		/*
		 * The GIN overlap test checks each candidate against every key, so
		 * the frontier goes in chunks: the work stays linear in the number
		 * of dependents.  A dependent reached through two chunks is kept
		 * once.
		 */
		n = 0;
		dcap = 64;
		deps = palloc(sizeof(Dependent) * dcap);
		for (int c = 0; c < nfrontier; c += DEPENDENTS_CHUNK)
		{
			int			m = Min(DEPENDENTS_CHUNK, nfrontier - c);

			values[0] = foray_strings_to_array(keys + c, m);
			rc = SPI_execute_plan(foray_plan(shards, PLAN_DEPENDENTS), values, NULL, false, 0);
			if (rc != SPI_OK_SELECT)
				elog(ERROR, "dependents lookup failed: %s", SPI_result_code_string(rc));
			for (uint64 i = 0; i < SPI_processed; i++)
			{
				HeapTuple	t = SPI_tuptable->vals[i];
				TupleDesc	d = SPI_tuptable->tupdesc;
				bool		isnull;
				Datum	   *elems;
				bool	   *enulls;
				int			ne;

				if (n == dcap)
				{
					dcap *= 2;
					deps = repalloc(deps, sizeof(Dependent) * dcap);
				}
				deps[n].tid = *(ItemPointer) DatumGetPointer(SPI_getbinval(t, d, 4, &isnull));
				deps[n].id = SPI_getvalue(t, d, 1);
				deps[n].status = SPI_getvalue(t, d, 2);
				deconstruct_array(DatumGetArrayTypeP(SPI_getbinval(t, d, 3, &isnull)),
								  TEXTOID, -1, false, TYPALIGN_INT, &elems, &enulls, &ne);
				deps[n].refs = palloc(sizeof(char *) * (ne + 1));
				deps[n].nrefs = ne;
				for (int k = 0; k < ne; k++)
					deps[n].refs[k] = TextDatumGetCString(elems[k]);
				n++;
			}
			SPI_freetuptable(SPI_tuptable);
		}
		if (n > 1)
		{
			uint64		u = 0;

			qsort(deps, n, sizeof(Dependent), cmp_dependent);
			for (uint64 i = 0; i < n; i++)
				if (u == 0 || strcmp(deps[u - 1].id, deps[i].id) != 0)
					deps[u++] = deps[i];
			n = u;
		}
		ids = palloc(sizeof(char *) * (n + 1));
		froms = palloc(sizeof(char *) * (n + 1));
		tids = palloc(sizeof(ItemPointerData) * (n + 1));
		targets = palloc(sizeof(char *) * (n + 1));
		{
			/*
			 * Every ref of every dependent: from the map when this
			 * propagation has seen it, else looked up (once) by primary key.
			 * The dependents' own statuses are the ones just read, before
			 * this level's changes, as a lookup would return them.
			 */
			char	  **probe;
			int			nprobe = 0;
			int			nuniq = 0;
			bool	   *found;
			char	  **statuses;
			int			nall = 0;

			for (uint64 i = 0; i < n; i++)
			{
				known_put(known, deps[i].id, true, deps[i].status);
				nall += deps[i].nrefs;
			}
			probe = palloc(sizeof(char *) * (nall + 1));
			for (uint64 i = 0; i < n; i++)
				for (int k = 0; k < deps[i].nrefs; k++)
					if (known_get(known, deps[i].refs[k]) == NULL)
						probe[nprobe++] = deps[i].refs[k];
			if (nprobe > 0)
			{
				qsort(probe, nprobe, sizeof(char *), cmp_cstring_ptr);
				for (int k = 0; k < nprobe; k++)
					if (nuniq == 0 || strcmp(probe[nuniq - 1], probe[k]) != 0)
						probe[nuniq++] = probe[k];
				found = palloc(sizeof(bool) * nuniq);
				statuses = palloc(sizeof(char *) * nuniq);
				foray_pk_lookup_rel(shards->relid[FORAY_REL_COMPONENTS], transaction_id,
									probe, nuniq, "status", found, statuses);
				for (int k = 0; k < nuniq; k++)
					known_put(known, probe[k], found[k], statuses[k]);
			}
			else
			{
				found = NULL;
				statuses = NULL;
			}

			for (uint64 i = 0; i < n; i++)
			{
				int			usable = 0;
				const char *derived;

				if (level == 0 && pending_only && strcmp(deps[i].status, "pending") != 0)
					continue;
				for (int k = 0; k < deps[i].nrefs; k++)
				{
					KnownStatus *ks = known_get(known, deps[i].refs[k]);
					bool		ok;

					if (ks != NULL)
						ok = ks->found && foray_status_usable(ks->status);
					else
					{
						/* too long for the map: it was probed above */
						char	  **hit = bsearch(&deps[i].refs[k], probe, nuniq, sizeof(char *),
												  cmp_cstring_ptr);
						int			at = hit ? (int) (hit - probe) : -1;

						ok = at >= 0 && found[at] && foray_status_usable(statuses[at]);
					}
					if (ok)
						usable++;
				}
				derived = (usable == deps[i].nrefs) ? "ready" : "pending";
				if (strcmp(derived, deps[i].status) != 0)
				{
					ids[nchanges] = deps[i].id;
					froms[nchanges] = deps[i].status;
					tids[nchanges] = deps[i].tid;
					targets[nchanges] = derived;
					nchanges++;
				}
			}
		}
		if (nchanges > 0)
		{
			set_statuses_by_tid(transaction_id, tids, ids, froms, targets, nchanges);
			for (int i = 0; i < nchanges; i++)
				known_put(known, ids[i], true, targets[i]);
		}
		/* every change flips usability: the changed ones are the next frontier */
		frontier = ids;
		nfrontier = nchanges;
		SPI_freetuptable(SPI_tuptable);
	}
	MemoryContextSwitchTo(oldcxt);
	MemoryContextDelete(work);
	SPI_finish();
}

/* ---- lifecycle ---------------------------------------------------------- */

/*
 * Per SQL transaction, one entry per FORAY transaction touched: whether its
 * lifecycle needs evaluating, and whether it is known to hold pending
 * components.  The knowledge is safe to keep because the writer holds the
 * FORAY transaction's lock (foray_lock_transaction) until it commits.
 */
typedef struct DirtyEntry
{
	char		key[256];
	ForayShards *shards;		/* where its rows are (shards.c) */
	bool		dirty;
	bool		pending_known;
	bool		has_pending;
	bool		locked;
	bool		created_here;	/* its row was inserted by this SQL transaction */
	/* what this backend wrote to it (exact while created_here) */
	int64		ncomponents;	/* components inserted */
	bool		has_reversed;	/* a component was set reversed */
	bool		had_delete;		/* a component was deleted */
	/* its events (exact under the writer lock, until a subtransaction aborts) */
	bool		seq_known;
	int64		last_seq;		/* the seq of its last event */
} DirtyEntry;

static HTAB *dirty_txs = NULL;
static List *dirty_list = NIL;	/* entries marked dirty since the last evaluation */
static int	nlocks = 0;
/*
 * Escalation (below) is per shard group: ForayShards.escalated_in holds the
 * escalation generation of this SQL transaction when its tables are locked.
 * A new generation begins at every end and every subtransaction abort.
 */
static uint64 escalation_generation = 1;
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
			dirty_list = NIL;
			foray_recent_forget();
			all_dirty = false;
			nlocks = 0;
			escalation_generation++;
			break;
		default:
			break;
	}
}

static void
lifecycle_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						   SubTransactionId parentSubid, void *arg)
{
	/*
	 * An aborted subtransaction may have undone an evaluation or a write, and
	 * released the locks it took: forget what we knew.
	 */
	if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		foray_recent_forget();	/* its rows are gone */
		all_dirty = true;
		escalation_generation++;	/* its table locks may have gone with it */
		if (dirty_txs != NULL)
		{
			HASH_SEQ_STATUS seq;
			DirtyEntry *e;

			hash_seq_init(&seq, dirty_txs);
			while ((e = hash_seq_search(&seq)) != NULL)
			{
				e->locked = false;
				e->created_here = false;
				e->seq_known = false;	/* its events may have gone with it */
			}
		}
	}
}

static DirtyEntry *
dirty_entry(const char *transaction_id, bool create)
{
	bool		found;
	DirtyEntry *e;

	if (!callbacks_registered)
	{
		RegisterXactCallback(lifecycle_xact_callback, NULL);
		RegisterSubXactCallback(lifecycle_subxact_callback, NULL);
		callbacks_registered = true;
	}
	if (dirty_txs == NULL)
	{
		HASHCTL		ctl;

		if (!create)
			return NULL;

		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(((DirtyEntry *) 0)->key);
		ctl.entrysize = sizeof(DirtyEntry);
		ctl.hcxt = TopTransactionContext;
		dirty_txs = hash_create("foray dirty transactions", 64, &ctl,
								HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
	}
	if (strlen(transaction_id) >= sizeof(((DirtyEntry *) 0)->key))
	{
		if (!create)
			return NULL;
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_ID_PREFIX),
				 errmsg("\"%.40s...\" is not a valid transaction_id: it has %d bytes",
						transaction_id, (int) strlen(transaction_id)),
				 errdetail("Rule ID-002: a transaction_id is 1 to 200 characters from A-Z a-z 0-9 _ . : -, starting with a letter or digit.")));
	}
	e = hash_search(dirty_txs, transaction_id, create ? HASH_ENTER : HASH_FIND, &found);
	if (e != NULL && !found)
	{
		ForayShards *shards;

		/* everything but the key: dynahash does not zero a new entry */
		memset((char *) e + sizeof(e->key), 0, sizeof(DirtyEntry) - sizeof(e->key));
		/* where its rows are: refused here when on another node */
		PG_TRY();
		{
			shards = foray_shards_for_tx(transaction_id);
		}
		PG_CATCH();
		{
			(void) hash_search(dirty_txs, transaction_id, HASH_REMOVE, NULL);
			PG_RE_THROW();
		}
		PG_END_TRY();
		e->shards = shards;
	}
	return e;
}

/*
 * Writers of one FORAY transaction are serialised by a transaction-scoped
 * advisory lock on (class 'FORA', hash of transaction_id), taken before any
 * readiness read, so two sessions never derive readiness from each other's
 * stale view; different FORAY transactions proceed in parallel.
 *
 * A bulk load touches thousands of FORAY transactions in one SQL
 * transaction, more than the shared lock table holds.  Past
 * FORAY_LOCK_ESCALATION locks the backend escalates: it takes SHARE ROW
 * EXCLUSIVE on the three protocol tables and the events table of the shard
 * group it writes (which excludes every other writer of them, and so covers
 * every FORAY transaction of the group; on a single node, every FORAY
 * transaction) and stops taking per-transaction locks in that group until
 * it commits.
 */
#define FORAY_LOCK_CLASS 0x464F5241		/* 'FORA' */
#define FORAY_LOCK_ESCALATION 1000


static bool
escalated(const ForayShards *s)
{
	return s->escalated_in == escalation_generation;
}

static void
escalate_locks(ForayShards *s)
{
	const ForayRel tables[4] = {FORAY_REL_TRANSACTIONS, FORAY_REL_COMPONENTS, FORAY_REL_ATTESTATIONS,
	FORAY_REL_EVENTS};

	for (int i = 0; i < 4; i++)
	{
		/* (no events table: a database not updated to 0.5.0) */
		if (!OidIsValid(s->relid[tables[i]]) && tables[i] != FORAY_REL_EVENTS)
			elog(ERROR, "relation %s does not exist", s->qname[tables[i]]);
		if (OidIsValid(s->relid[tables[i]]))
			LockRelationOid(s->relid[tables[i]], ShareRowExclusiveLock);
	}
	s->escalated_in = escalation_generation;
}

static void
transaction_lock_tag(const char *transaction_id, LOCKTAG *tag)
{
	uint32		h = DatumGetUInt32(hash_any((const unsigned char *) transaction_id,
											strlen(transaction_id)));

	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, FORAY_LOCK_CLASS, h, 2);
}

void
foray_lock_transaction(const char *transaction_id)
{
	DirtyEntry *e;
	LOCKTAG		tag;

	e = dirty_entry(transaction_id, true);
	if (e->locked || escalated(e->shards))
		return;
	if (nlocks >= FORAY_LOCK_ESCALATION)
	{
		escalate_locks(e->shards);
		return;
	}
	transaction_lock_tag(transaction_id, &tag);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
	e->locked = true;
	nlocks++;
}

/*
 * The seq of the next event of a transaction (transaction_events: 1, 2, 3
 * ... without gaps), under its writer lock, which this takes: the last
 * one is read once per SQL transaction (with the latest snapshot: every
 * event committed before the lock was granted), then counted here.
 */
int64
foray_next_event_seq(const char *transaction_id)
{
	DirtyEntry *e = dirty_entry(transaction_id, true);

	/* known: its lock is held (an aborted subtransaction forgets both) */
	if (!e->seq_known)
	{
		foray_known_event_seqs(&transaction_id, 1);
		e = dirty_entry(transaction_id, true);
	}
	return ++e->last_seq;
}

/*
 * Take the writer lock of each of these transactions, in the order given,
 * then read the seq of the last event of those whose last seq is not known
 * yet: one query per shard group for all of them (a statement that creates
 * 10,000 transactions numbers their events with one query, not 10,000).
 */
void
foray_known_event_seqs(const char *const *transaction_ids, int n)
{
	const char **unknown = palloc(sizeof(char *) * n);
	Datum	   *ids = palloc(sizeof(Datum) * n);
	int			nunknown = 0;

	for (int i = 0; i < n; i++)
	{
		DirtyEntry *e;

		foray_lock_transaction(transaction_ids[i]);
		e = dirty_entry(transaction_ids[i], true);
		if (!e->seq_known)
		{
			e->seq_known = true;	/* listed once; counted from 0 unless read below */
			e->last_seq = 0;
			unknown[nunknown++] = transaction_ids[i];
		}
	}
	while (nunknown > 0)
	{
		/* the transactions of the first one's shard group, in order */
		ForayShards *group = dirty_entry(unknown[0], true)->shards;
		const char **rest = palloc(sizeof(char *) * nunknown);
		int			nids = 0,
					nrest = 0;
		Datum		values[1];
		int			rc;
		ForayOwnerWrite ow;

		for (int i = 0; i < nunknown; i++)
		{
			if (dirty_entry(unknown[i], true)->shards == group)
				ids[nids++] = CStringGetTextDatum(unknown[i]);
			else
				rest[nrest++] = unknown[i];
		}
		values[0] = PointerGetDatum(construct_array(ids, nids, TEXTOID, -1, false, TYPALIGN_INT));
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		CommandCounterIncrement();
		/* as the log's owner: the writer of an event need not read the log */
		foray_begin_owner_write(&ow);
		PG_TRY();
		{
			rc = SPI_execute_snapshot(foray_plan(group, PLAN_LAST_EVENT_SEQS), values, NULL,
									  GetLatestSnapshot(), InvalidSnapshot, true, false, 0);
		}
		PG_FINALLY();
		{
			foray_end_owner_write(&ow);
		}
		PG_END_TRY();
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "event lookup failed: %s", SPI_result_code_string(rc));
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			bool		isnull;
			char	   *tx = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, 1);
			int64		last = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[r],
														   SPI_tuptable->tupdesc, 2, &isnull));

			dirty_entry(tx, true)->last_seq = last;
		}
		SPI_finish();
		memcpy(unknown, rest, sizeof(char *) * nrest);
		nunknown = nrest;
		pfree(rest);
	}
	pfree(unknown);
	pfree(ids);
}

/*
 * For a caller that holds the FORAY transaction's envelope row FOR UPDATE
 * (so no new writer can begin, docs/security.md): wait until no other
 * session holds its writer lock (nowait: answer false at once when one
 * does), without keeping the lock.  The log's appenders take it this way,
 * so that appending any number of transactions neither fills the lock table
 * nor escalates to table locks.
 */
bool
foray_transaction_writers_done(const char *transaction_id, bool nowait)
{
	LOCKTAG		tag;
	ForayShards *s = foray_shards_for_tx_if_local(transaction_id);

	/*
	 * On a Citus coordinator the writers run on the transaction's worker,
	 * under its writer lock there; each holds the envelope row FOR SHARE
	 * until it commits (the immutability guard), so the caller's FOR UPDATE
	 * of that row has already waited for them (docs/scale-out.md).
	 */
	if (s == NULL)
		return true;
	if (escalated(s))
		return true;			/* this backend's table locks exclude every writer */
	transaction_lock_tag(transaction_id, &tag);
	if (LockAcquire(&tag, ExclusiveLock, false, nowait) == LOCKACQUIRE_NOT_AVAIL)
		return false;
	/* (held already by this backend: one count more, one less) */
	LockRelease(&tag, ExclusiveLock, false);
	return true;
}

/* Does this SQL transaction hold the FORAY transaction's writer lock? */
bool
foray_holds_transaction_lock(const char *transaction_id)
{
	DirtyEntry *e = dirty_entry(transaction_id, false);

	if (e != NULL && e->locked)
		return true;
	return escalated(e != NULL ? e->shards : foray_shards_for_tx(transaction_id));
}

void
foray_mark_transaction_dirty(const char *transaction_id)
{
	DirtyEntry *e = dirty_entry(transaction_id, true);

	if (!e->dirty)
	{
		MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);

		e->dirty = true;
		dirty_list = lappend(dirty_list, e);	/* entries never move: HASH_ENTER only */
		MemoryContextSwitchTo(old);
	}
}

/* A component of this transaction is (now) pending. */
void
foray_note_pending(const char *transaction_id)
{
	DirtyEntry *e = dirty_entry(transaction_id, true);

	e->has_pending = true;
}

static bool
known_no_pending(const char *transaction_id)
{
	DirtyEntry *e = dirty_entry(transaction_id, true);

	return e->pending_known && !e->has_pending && !all_dirty;
}

/*
 * May this transaction hold pending components?  Probes the index once per
 * SQL transaction, then follows the writes this backend makes under the
 * transaction's lock.
 */
static bool
may_have_pending(const char *transaction_id)
{
	DirtyEntry *e = dirty_entry(transaction_id, true);
	Datum		values[1];
	int			rc;

	if (e->pending_known && !all_dirty)
		return e->has_pending;
	values[0] = CStringGetTextDatum(transaction_id);
	rc = SPI_execute_plan(foray_plan(e->shards, PLAN_HAS_PENDING), values, NULL, false, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "readiness lookup failed: %s", SPI_result_code_string(rc));
	e = dirty_entry(transaction_id, true);
	e->has_pending = (SPI_processed > 0);
	e->pending_known = !all_dirty;
	return e->has_pending;
}

static int
cmp_cstring_ptr(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/*
 * Evaluate the lifecycle of every transaction touched since the last
 * evaluation.  Runs at the end of each user statement (and after the
 * commit-time readiness check), never inside the substrate's own writes,
 * so it sees the statement's final readiness.
 */
void
foray_evaluate_dirty(void)
{
	HASH_SEQ_STATUS seq;
	DirtyEntry *e;
	DirtyEntry **ids;
	int			n = 0;
	DirtyEntry **ready_ids = NULL;
	int			nready = 0;
	long		total;
	bool		all = all_dirty;
	Datum		values[1];
	int			rc;
	uint64		nchanged;
	char	  **changed;
	ForayOwnerWrite ow;

	if (dirty_txs == NULL || foray_internal_writes > 0)
		return;
	all_dirty = false;
	if (all)
	{
		/* after a rolled-back savepoint: everything touched, once more */
		total = hash_get_num_entries(dirty_txs);
		ids = palloc(sizeof(DirtyEntry *) * (total + 1));
		hash_seq_init(&seq, dirty_txs);
		while ((e = hash_seq_search(&seq)) != NULL)
		{
			e->pending_known = false;
			e->created_here = false;	/* the row may have gone with the savepoint */
			e->dirty = false;
			ids[n++] = e;
		}
	}
	else
	{
		ListCell   *lc;

		ids = palloc(sizeof(DirtyEntry *) * (list_length(dirty_list) + 1));
		ready_ids = palloc(sizeof(DirtyEntry *) * (list_length(dirty_list) + 1));
		foreach(lc, dirty_list)
		{
			e = (DirtyEntry *) lfirst(lc);
			e->dirty = false;
			if (known_ready(e))
				ready_ids[nready++] = e;
			else
				ids[n++] = e;
		}
	}
	list_free(dirty_list);
	dirty_list = NIL;
	if (n == 0 && nready == 0)
		return;

	/*
	 * One statement for those whose state this backend knows (known_ready:
	 * open -> ready_to_anchor, no component to count), one for the others;
	 * each per shard group (on a single node, one).
	 */
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	changed = NULL;
	nchanged = 0;
	if (nready > 1)
		qsort(ready_ids, nready, sizeof(DirtyEntry *), cmp_entry_group);
	if (n > 1)
		qsort(ids, n, sizeof(DirtyEntry *), cmp_entry_group);
	for (int step = 0, from = 0; step < 2;)
	{
		DirtyEntry **list = (step == 0) ? ready_ids : ids;
		int			count = (step == 0) ? nready : n;
		int			end = from;
		char	  **keys;

		if (from >= count)
		{
			step++;
			from = 0;
			continue;
		}
		while (end < count && list[end]->shards == list[from]->shards)
			end++;
		keys = palloc(sizeof(char *) * (end - from));
		for (int i = from; i < end; i++)
			keys[i - from] = list[i]->key;
		values[0] = foray_strings_to_array(keys, end - from);
		foray_begin_owner_write(&ow);
		foray_internal_writes++;
		PG_TRY();
		{
			rc = SPI_execute_plan(foray_plan(list[from]->shards,
											 step == 0 ? PLAN_LIFECYCLE_SET_READY : PLAN_LIFECYCLE_BATCH),
								  values, NULL, false, 0);
			if (rc != SPI_OK_UPDATE_RETURNING)
				elog(ERROR, "lifecycle update failed: %s", SPI_result_code_string(rc));
		}
		PG_FINALLY();
		{
			foray_internal_writes--;
			foray_end_owner_write(&ow);
		}
		PG_END_TRY();
		from = end;
		changed = changed ? repalloc(changed, sizeof(char *) * (nchanged + SPI_processed + 1))
			: palloc(sizeof(char *) * (SPI_processed + 1));
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			HeapTuple	t = SPI_tuptable->vals[i];
			TupleDesc	d = SPI_tuptable->tupdesc;
			char	   *tx = SPI_getvalue(t, d, 1);
			char	   *from = SPI_getvalue(t, d, 2);
			char	   *to = SPI_getvalue(t, d, 3);

			/* "tx\0from\0to": sorted by transaction_id for a stable event order */
			changed[nchanged++] = psprintf("%s%c%s%c%s", tx, '\0', from, '\0', to);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	/* a transaction in the log never goes back to open (docs/log.md) */
	foray_log_refuse_reopened((const char **) changed, nchanged);
	if (nchanged == 0)
	{
		SPI_finish();
		return;
	}
	qsort(changed, nchanged, sizeof(char *), cmp_cstring_ptr);
	for (uint64 i = 0; i < nchanged; i++)
	{
		const char *tx = changed[i];
		const char *from = tx + strlen(tx) + 1;
		const char *to = from + strlen(from) + 1;
		const char *keys[2] = {"from", "to"};
		const char *vals[2] = {from, to};

		foray_emit_event("TRANSACTION_STATE_CHANGED", "TRANSACTION", tx, tx,
						 foray_jsonb_object(2, keys, vals));
	}
	SPI_finish();
}

/* Entries of one shard group together. */
static int
cmp_entry_group(const void *a, const void *b)
{
	uintptr_t	x = (uintptr_t) (*(DirtyEntry *const *) a)->shards;
	uintptr_t	y = (uintptr_t) (*(DirtyEntry *const *) b)->shards;

	return (x > y) - (x < y);
}

/* Where a transaction's rows are, as its entry knows (one lookup per SQL transaction). */
static ForayShards *
tx_shards(const char *transaction_id)
{
	return dirty_entry(transaction_id, true)->shards;
}

/*
 * AFTER ... FOR EACH STATEMENT on components (insert, update, delete) and
 * transactions (insert, update).
 */
Datum
foray_statement_end(PG_FUNCTION_ARGS)
{
	ForayRel	which;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "foray_statement_end: not called by trigger manager");
	if (foray_shards_for_trigger((TriggerData *) fcinfo->context, &which) == NULL)
		return PointerGetDatum(NULL);	/* a Citus shell */
	foray_recent_forget();		/* statuses may move from here on */
	if (!foray_restore_mode() && foray_internal_writes == 0)
	{
		foray_evaluate_dirty();
		foray_flush_events();
	}
	return PointerGetDatum(NULL);
}

/*
 * foray.may_have_waiters(transaction_id): may the transaction hold pending
 * components (which a component arriving usable could unblock)?  The WHEN
 * clause of the components' AFTER INSERT trigger, so that a bulk load in
 * dependency order queues no AFTER trigger per row.  Exact under the
 * FORAY transaction's lock, which the BEFORE trigger has taken: one index
 * probe per SQL transaction, then this backend's own writes are followed
 * (every pending row it writes is noted before the next row arrives).
 */
PG_FUNCTION_INFO_V1(foray_may_have_waiters);
Datum
foray_may_have_waiters(PG_FUNCTION_ARGS)
{
	char	   *tx = text_to_cstring(PG_GETARG_TEXT_PP(0));
	DirtyEntry *e;
	bool		r;

	/* knowledge is only exact under the lock; without it, assume waiters */
	e = dirty_entry(tx, false);
	if (!(e != NULL ? (e->locked || escalated(e->shards)) : escalated(foray_shards_for_tx(tx))))
		PG_RETURN_BOOL(true);
	if (known_no_pending(tx))
		PG_RETURN_BOOL(false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	r = may_have_pending(tx);
	SPI_finish();
	PG_RETURN_BOOL(r);
}

/*
 * The transaction's row was just inserted by this SQL transaction (AFTER
 * INSERT: it did land), under the transaction's lock, taken by the BEFORE
 * trigger.  Every component it holds was then written by this backend: no
 * other can have committed one without the row (ENV-001), and none can
 * write one before we commit.  So whether it holds pending components is
 * known without asking the index, and the anchoring guard knows the row is
 * there and open.
 */
void
foray_note_created(const char *transaction_id)
{
	DirtyEntry *e = dirty_entry(transaction_id, true);

	if (all_dirty || !(escalated(e->shards) || e->locked))
		return;
	e->created_here = true;
	if (!e->pending_known)
	{
		e->pending_known = true;	/* has_pending: what this backend noted */
	}
}

/* The transaction's row is gone again (deleted by this SQL transaction). */
void
foray_forget_created(const char *transaction_id)
{
	DirtyEntry *e = dirty_entry(transaction_id, false);

	if (e != NULL)
		e->created_here = false;
}

/* Was the transaction's row inserted by this SQL transaction (and kept)? */
bool
foray_created_here(const char *transaction_id)
{
	DirtyEntry *e;

	if (all_dirty || dirty_txs == NULL)
		return false;
	e = dirty_entry(transaction_id, false);
	return e != NULL && e->created_here;
}

/* Rows were truncated: forget everything known about this SQL transaction. */
void
foray_forget_all(void)
{
	all_dirty = true;
}

/* Bookkeeping of a created transaction's components (see known_ready). */
void
foray_note_component_added(const char *transaction_id)
{
	dirty_entry(transaction_id, true)->ncomponents++;
}

void
foray_note_reversed(const char *transaction_id)
{
	dirty_entry(transaction_id, true)->has_reversed = true;
}

void
foray_note_component_deleted(const char *transaction_id)
{
	dirty_entry(transaction_id, true)->had_delete = true;
}

/*
 * A transaction created by this SQL transaction (every component of it
 * written by this backend, under its lock) whose components are all ready
 * or settled: it holds at least one, none was ever pending or reversed, none
 * was deleted.  Its lifecycle is ready_to_anchor without asking the index.
 */
static bool
known_ready(DirtyEntry *e)
{
	return e->created_here && !all_dirty && !foray_guard_anchored_here() &&
		e->ncomponents > 0 && e->pending_known && !e->has_pending &&
		!e->has_reversed && !e->had_delete;
}


/*
 * The components inserted by the current statement, the last RECENT_MAX of
 * them, with the status each was derived (and will land) with.  Within one
 * statement no status changes (propagation runs in AFTER triggers, at the
 * statement's end), so the entries are exact until the statement-level
 * trigger empties them; a rolled-back savepoint empties them too.  When the
 * cache holds every component a transaction created by this SQL transaction
 * has, it answers the readiness lookup of the next component, and whether
 * its id is taken, without an index probe (a bulk load in dependency order).
 */
#define RECENT_MAX 16
typedef struct RecentComponent
{
	char		tx[256];
	char		id[208];
	char		status[12];
} RecentComponent;

static RecentComponent recent[RECENT_MAX];
static int	nrecent = 0;
static int	recent_next = 0;

void
foray_recent_forget(void)
{
	nrecent = 0;
	recent_next = 0;
}

void
foray_recent_put(const char *transaction_id, const char *id, const char *status)
{
	RecentComponent *r;

	/* not kept: the transaction's set is incomplete, and it is probed */
	if (strlen(transaction_id) >= sizeof(r->tx) || strlen(id) >= sizeof(r->id) ||
		strlen(status) >= sizeof(r->status))
		return;
	r = &recent[recent_next];
	strcpy(r->tx, transaction_id);
	strcpy(r->id, id);
	strcpy(r->status, status);
	recent_next = (recent_next + 1) % RECENT_MAX;
	if (nrecent < RECENT_MAX)
		nrecent++;
}

static const char *
recent_get(const char *transaction_id, const char *id)
{
	for (int i = 0; i < nrecent; i++)
		if (strcmp(recent[i].id, id) == 0 && strcmp(recent[i].tx, transaction_id) == 0)
			return recent[i].status;
	return NULL;
}

/*
 * Does the cache hold every component the transaction has?  Also when it
 * has none yet: a transaction created by this SQL transaction, none of
 * whose components this backend has written, has none (nobody else can
 * have written one, see foray_note_created).
 */
static bool
recent_complete(const char *transaction_id)
{
	DirtyEntry *e;
	int			n = 0;

	if (!foray_created_here(transaction_id))
		return false;
	e = dirty_entry(transaction_id, false);
	if (e == NULL || e->had_delete)
		return false;
	for (int i = 0; i < nrecent; i++)
		if (strcmp(recent[i].tx, transaction_id) == 0)
			n++;
	return n == e->ncomponents;
}
