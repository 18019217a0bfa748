/*
 * log.c
 *		The append-only log over every anchor envelope (docs/log.md): the
 *		guard of its tables, appending under the log's lock, checkpoints and
 *		their signatures, and roots and proofs read from the stored subtree
 *		hashes (src/core/tlog.c does the tree; this file stores and reads).
 *
 * Entry i of foray.log_entries holds leaf i and the perfect subtrees that
 * appending it completed, so a root, an inclusion proof or a consistency
 * proof reads O(log n) entries, and an append reads the right frontier
 * (one entry per one bit of the size) once per call, whatever the number
 * of entries it appends.
 *
 * Every function here reads and writes the log as the substrate's owner,
 * with fully qualified SQL (schema, operators, types), so no object of the
 * caller's takes part; the EXECUTE grants say who may call them.
 */
#include "compat.h"

#include "access/heapam.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "executor/executor.h"
#include "nodes/makefuncs.h"
#include "utils/lsyscache.h"
#include "utils/resowner.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "common/hashfn.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

#include "log.h"
#include "substrate.h"
#include "txhash.h"

PG_FUNCTION_INFO_V1(foray_log_guard);
PG_FUNCTION_INFO_V1(foray_log_set_origin);
PG_FUNCTION_INFO_V1(foray_log_append);
PG_FUNCTION_INFO_V1(foray_log_append_ready);
PG_FUNCTION_INFO_V1(foray_log_append_leaves);
PG_FUNCTION_INFO_V1(foray_log_checkpoint);
PG_FUNCTION_INFO_V1(foray_log_store_signature);
PG_FUNCTION_INFO_V1(foray_log_size);
PG_FUNCTION_INFO_V1(foray_log_root);
PG_FUNCTION_INFO_V1(foray_log_inclusion_proof);
PG_FUNCTION_INFO_V1(foray_log_inclusion_proof_tx);
PG_FUNCTION_INFO_V1(foray_log_consistency_proof);

#define HL FORAY_MERKLE_HASH_LEN

/* entries written per INSERT, and ready transactions fetched per round trip */
#define APPEND_BATCH 1000
#define READY_FETCH 1000

/* the log's locks: advisory tags of their own class, transaction-scoped */
#define FORAY_LOG_LOCK_CLASS 0x464C4F47 /* 'FLOG' */
#define LOG_LOCK_APPEND	0		/* appenders, one at a time */
#define LOG_LOCK_ORIGIN	1		/* checkpoints (share) against origin changes */
/* FORAY_LOG_LOCK_ANCHOR 2 (log.h): checkpoint anchors, one at a time */

/* true while the log's own functions write its tables (the guard's test) */
static bool log_writing = false;

/* ---------------------------------------------------------------------
 * The statements
 * ---------------------------------------------------------------------
 */

typedef enum LogPlan
{
	LP_SIZE,
	LP_NODES,
	LP_ENTRY,
	LP_BY_TX,
	LP_LOGGED_OF,
	LP_FIRST_LOGGED,
	LP_LOCK_TX,
	LP_READY,
	LP_ANCHORED_SIZE,
	LP_RECENT,
	LP_ENVELOPE,
	LP_ORIGIN,
	LP_NEW_ORIGIN,
	LP_RENAME,
	LP_ANY_CHECKPOINT,
	LP_CP_INSERT,
	LP_CP_GET,
	LP_SIG_INSERT,
	LP_COUNT
} LogPlan;

static const struct
{
	const char *sql;
	int			nargs;
	Oid			types[4];
}			plan_defs[LP_COUNT] = {
	[LP_SIZE] = {
		"SELECT log_index FROM foray.log_entries ORDER BY log_index DESC LIMIT 1", 0, {0}
	},
	[LP_NODES] = {
		"SELECT log_index, leaf_hash, subtree_hashes FROM foray.log_entries"
		" WHERE log_index OPERATOR(pg_catalog.=) ANY ($1)", 1, {INT8ARRAYOID}
	},
	[LP_ENTRY] = {
		"SELECT transaction_id, leaf_hash FROM foray.log_entries"
		" WHERE log_index OPERATOR(pg_catalog.=) $1", 1, {INT8OID}
	},
	[LP_BY_TX] = {
		"SELECT log_index FROM foray.log_entries"
		" WHERE transaction_id OPERATOR(pg_catalog.=) $1", 1, {TEXTOID}
	},
	[LP_LOGGED_OF] = {
		"SELECT transaction_id, log_index FROM foray.log_entries"
		" WHERE transaction_id OPERATOR(pg_catalog.=) ANY ($1) ORDER BY log_index LIMIT 1",
		1, {TEXTARRAYOID}
	},
	[LP_FIRST_LOGGED] = {
		"SELECT e.transaction_id, e.log_index FROM foray.log_entries e"
		" WHERE EXISTS (SELECT FROM foray.foray_transactions t"
		"                WHERE t.transaction_id OPERATOR(pg_catalog.=) e.transaction_id)"
		" LIMIT 1", 0, {0}
	},
	[LP_LOCK_TX] = {
		"SELECT lifecycle::pg_catalog.text FROM foray.foray_transactions"
		" WHERE transaction_id OPERATOR(pg_catalog.=) $1 FOR UPDATE", 1, {TEXTOID}
	},
	[LP_READY] = {
		"SELECT t.transaction_id"
		"  FROM foray.foray_transactions t"
		" WHERE t.anchored_at IS NULL"
		"   AND t.lifecycle OPERATOR(pg_catalog.=) 'ready_to_anchor'::pg_catalog.text"
		" ORDER BY t.created_at, t.transaction_id"
		" LIMIT $1"
		" FOR UPDATE SKIP LOCKED", 1, {INT8OID}
	},
	[LP_ANCHORED_SIZE] = {
		"SELECT pg_catalog.max(tree_size) FROM foray.log_anchors", 0, {0}
	},
	[LP_RECENT] = {
		"SELECT transaction_id FROM foray.log_entries WHERE log_index OPERATOR(pg_catalog.>=) $1",
		1, {INT8OID}
	},
	[LP_ENVELOPE] = {
		"SELECT foray.anchor_envelope_text($1)", 1, {TEXTOID}
	},
	[LP_ORIGIN] = {
		"SELECT origin FROM foray.log_config", 0, {0}
	},
	[LP_NEW_ORIGIN] = {
		"INSERT INTO foray.log_config (singleton, origin) VALUES (true, $1)", 1, {TEXTOID}
	},
	[LP_RENAME] = {
		"UPDATE foray.log_config SET origin = $1, set_at = pg_catalog.now()", 1, {TEXTOID}
	},
	[LP_ANY_CHECKPOINT] = {
		"SELECT tree_size FROM foray.log_checkpoints LIMIT 1", 0, {0}
	},
	[LP_CP_INSERT] = {
		"INSERT INTO foray.log_checkpoints (tree_size, root_hash, checkpoint)"
		" VALUES ($1, $2, $3) ON CONFLICT ON CONSTRAINT log_checkpoints_pkey DO NOTHING",
		3, {INT8OID, BYTEAOID, TEXTOID}
	},
	[LP_CP_GET] = {
		"SELECT root_hash, checkpoint FROM foray.log_checkpoints"
		" WHERE tree_size OPERATOR(pg_catalog.=) $1", 1, {INT8OID}
	},
	[LP_SIG_INSERT] = {
		"INSERT INTO foray.log_signatures (tree_size, vkey, signed_checkpoint)"
		" VALUES ($1, $2, $3) ON CONFLICT ON CONSTRAINT log_signatures_pkey DO NOTHING",
		3, {INT8OID, TEXTOID, TEXTOID}
	},
};

static SPIPlanPtr plans[LP_COUNT];

/* SPI must be connected */
static SPIPlanPtr
get_plan(LogPlan which)
{
	if (plans[which] == NULL)
	{
		SPIPlanPtr	p = SPI_prepare(plan_defs[which].sql, plan_defs[which].nargs,
									(Oid *) plan_defs[which].types);

		if (p == NULL || SPI_keepplan(p) != 0)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s", plan_defs[which].sql,
				 SPI_result_code_string(SPI_result));
		plans[which] = p;
	}
	return plans[which];
}

/* run a statement; expect rc */
static void
run(LogPlan which, Datum *values, const char *nulls, bool read_only, long count, int expect)
{
	int			rc = SPI_execute_plan(get_plan(which), values, nulls, read_only, count);

	if (rc != expect)
		elog(ERROR, "log statement failed (%s): %s", plan_defs[which].sql,
			 SPI_result_code_string(rc));
}

/* a write to the log's tables, which the guard lets through */
static void
run_write(LogPlan which, Datum *values, int expect)
{
	log_writing = true;
	PG_TRY();
	{
		run(which, values, NULL, false, 0, expect);
	}
	PG_FINALLY();
	{
		log_writing = false;
	}
	PG_END_TRY();
}

/*
 * Run body(arg) connected to SPI, as the substrate's owner.  The body
 * leaves its results in arg (allocated by the caller, or with SPI_palloc).
 */
static void
log_run(void (*body) (void *arg), void *arg)
{
	ForayOwnerWrite ow;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	foray_begin_owner_write(&ow);
	PG_TRY();
	{
		body(arg);
	}
	PG_FINALLY();
	{
		foray_end_owner_write(&ow);
	}
	PG_END_TRY();
	SPI_finish();
}

static void
log_lock(uint32 key, LOCKMODE mode)
{
	LOCKTAG		tag;

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, FORAY_LOG_LOCK_CLASS, key, 2);
	(void) LockAcquire(&tag, mode, false, false);
}

/* ---------------------------------------------------------------------
 * Reading the stored tree
 * ---------------------------------------------------------------------
 */

static void
damaged(uint64 entry, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("log entry " UINT64_FORMAT " %s", entry, what),
			 errdetail("Rule TLOG-001: entries are never removed or changed; the log's table was altered behind the substrate's back."),
			 errhint("Compare the log with a checkpoint held outside the database (foray.log_consistency_proof).")));
}

/* the number of entries, as of the current snapshot (read_only) or a new one */
static uint64
stored_size(bool read_only)
{
	bool		isnull;
	int64		last;

	run(LP_SIZE, NULL, NULL, read_only, 1, SPI_OK_SELECT);
	if (SPI_processed == 0)
		return 0;
	last = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_freetuptable(SPI_tuptable);
	return (uint64) last + 1;
}

/*
 * The stored nodes a tree computation reads, fetched in one statement.  What
 * a root, a proof or a frontier reads depends on the sizes and indices only,
 * never on hash values: so the computation runs once recording the nodes it
 * asks for (getting zeros), they are fetched with one index scan, and it
 * runs again on them.  One query instead of one per node (up to ~130).
 */
#define NODESET_MAX 512

typedef struct NodeSet
{
	bool		recording;
	bool		read_only;
	int			n;
	uint64		entry[NODESET_MAX];
	uint8		level[NODESET_MAX];
	uint8		hash[NODESET_MAX][HL];
} NodeSet;

/* the tlog_read_fn of src/core/tlog.h */
static int
nodeset_read(void *arg, unsigned level, uint64_t index, uint8_t out[HL])
{
	NodeSet    *s = arg;
	uint64		entry = foray_tlog_node_entry(level, index);
	int			i;

	for (i = 0; i < s->n; i++)
		if (s->entry[i] == entry && s->level[i] == level)
		{
			memcpy(out, s->hash[i], HL);
			return 0;
		}
	if (!s->recording)
		return -1;
	if (s->n == NODESET_MAX)
		elog(ERROR, "a log computation asked for more than %d nodes", NODESET_MAX);
	s->entry[s->n] = entry;
	s->level[s->n] = (uint8) level;
	memset(s->hash[s->n], 0, HL);
	s->n++;
	memset(out, 0, HL);
	return 0;
}

static void
nodeset_fetch(NodeSet *s)
{
	Datum	   *keys = palloc(sizeof(Datum) * (s->n + 1));
	Datum		v[1];
	bool	   *found = palloc0(sizeof(bool) * (s->n + 1));
	SPITupleTable *tt;
	uint64		r;
	int			i;

	for (i = 0; i < s->n; i++)
		keys[i] = Int64GetDatum((int64) s->entry[i]);
	v[0] = PointerGetDatum(construct_array(keys, s->n, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	run(LP_NODES, v, NULL, s->read_only, 0, SPI_OK_SELECT);
	tt = SPI_tuptable;
	for (r = 0; r < SPI_processed; r++)
	{
		bool		isnull;
		uint64		entry = (uint64) DatumGetInt64(SPI_getbinval(tt->vals[r], tt->tupdesc, 1, &isnull));
		bytea	   *leaf = DatumGetByteaPP(SPI_getbinval(tt->vals[r], tt->tupdesc, 2, &isnull));
		bytea	   *subtrees = DatumGetByteaPP(SPI_getbinval(tt->vals[r], tt->tupdesc, 3, &isnull));

		for (i = 0; i < s->n; i++)
		{
			bytea	   *b = s->level[i] == 0 ? leaf : subtrees;
			size_t		off = s->level[i] == 0 ? 0 : (size_t) (s->level[i] - 1) * HL;

			if (s->entry[i] != entry)
				continue;
			if (VARSIZE_ANY_EXHDR(b) < off + HL)
				damaged(entry, psprintf("does not hold the hash of its level-%u subtree", s->level[i]));
			memcpy(s->hash[i], VARDATA_ANY(b) + off, HL);
			found[i] = true;
		}
	}
	for (i = 0; i < s->n; i++)
		if (!found[i])
			damaged(s->entry[i], "is missing: the log has a gap");
	SPI_freetuptable(tt);
}

/* run op(src, arg) over the stored tree, with one read of the nodes it needs */
static void
with_nodes(int (*op) (const foray_tlog_source *src, void *arg), void *arg, bool read_only)
{
	NodeSet    *s = palloc0(sizeof(NodeSet));
	foray_tlog_source src = {foray_backend_hasher(), nodeset_read, s};
	int			rc;

	s->recording = true;
	s->read_only = read_only;
	rc = op(&src, arg);
	if (rc != FORAY_MERKLE_OK)
		elog(ERROR, "log tree computation failed: %s", foray_merkle_strerror(rc));
	if (s->n > 0)
		nodeset_fetch(s);
	s->recording = false;
	rc = op(&src, arg);
	if (rc != FORAY_MERKLE_OK)
		elog(ERROR, "log tree computation failed: %s", foray_merkle_strerror(rc));
	pfree(s);
}

static void
tree_check(int rc)
{
	if (rc != FORAY_MERKLE_OK)
		elog(ERROR, "log tree computation failed: %s", foray_merkle_strerror(rc));
}

/* the size asked for: NULL for the whole log; 22R64 beyond it */
static uint64
size_within(bool isnull, int64 asked, uint64 have, const char *what)
{
	uint64		n;

	if (isnull)
		return have;
	n = foray_log_size_arg(asked, what);
	if (n > have)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_LOG_BAD_ARGUMENT),
				 errmsg("%s " UINT64_FORMAT " is beyond the log, which has " UINT64_FORMAT " entries",
						what, n, have),
				 errdetail("Rule TLOG-SIZE: a proof or root is for a tree the log has reached.")));
	return n;
}

/* the tree computations with_nodes runs */

static int
op_frontier(const foray_tlog_source *src, void *arg)
{
	foray_tlog_frontier *f = arg;

	return foray_tlog_frontier_load(src, f->size, f);
}

typedef struct TreeArgs
{
	uint64		index;			/* inclusion */
	uint64		m;				/* consistency: the old size */
	uint64		n;				/* the tree size */
	uint8		leaf[HL];
	uint8		root_m[HL];
	uint8		root_n[HL];
	uint8		path[FORAY_TLOG_MAX_CONSISTENCY * HL];
	size_t		path_len;
} TreeArgs;

static int
op_root(const foray_tlog_source *src, void *arg)
{
	TreeArgs   *t = arg;

	return foray_tlog_root(src, t->n, t->root_n);
}

static int
op_inclusion(const foray_tlog_source *src, void *arg)
{
	TreeArgs   *t = arg;
	int			rc = foray_tlog_inclusion_proof(src, t->index, t->n, t->path, &t->path_len);

	return rc != FORAY_MERKLE_OK ? rc : foray_tlog_root(src, t->n, t->root_n);
}

static int
op_consistency(const foray_tlog_source *src, void *arg)
{
	TreeArgs   *t = arg;
	int			rc = foray_tlog_consistency_proof(src, t->m, t->n, t->path, &t->path_len);

	if (rc == FORAY_MERKLE_OK)
		rc = foray_tlog_root(src, t->m, t->root_m);
	return rc != FORAY_MERKLE_OK ? rc : foray_tlog_root(src, t->n, t->root_n);
}

/* ---------------------------------------------------------------------
 * For the other files of the log (log_anchor.c, log_check.c)
 * ---------------------------------------------------------------------
 */

void
foray_log_run(void (*body) (void *arg), void *arg)
{
	log_run(body, arg);
}

void
foray_log_lock(uint32 key)
{
	log_lock(key, ExclusiveLock);
}

uint64
foray_log_stored_size(bool read_only)
{
	return stored_size(read_only);
}

void
foray_log_root_of(uint64 size, uint8 root[HL], bool read_only)
{
	TreeArgs	t;

	t.n = size;
	with_nodes(op_root, &t, read_only);
	memcpy(root, t.root_n, HL);
}

/*
 * Whether the stored tree proves leaf at index in the tree of size entries
 * with that root: its inclusion path (RFC 9162), from the stored nodes,
 * verified against the root.  A missing node is XX001.
 */
bool
foray_log_proves(uint64 index, uint64 size, const uint8 leaf[HL], const uint8 root[HL], bool read_only)
{
	TreeArgs	t;
	uint8		got[HL];

	if (index >= size)
		return false;
	t.index = index;
	t.n = size;
	with_nodes(op_inclusion, &t, read_only);
	tree_check(foray_merkle_root_from_path(foray_backend_hasher(), index, size, leaf,
										   t.path, t.path_len, got));
	return memcmp(got, root, HL) == 0;
}

void
foray_log_execute_write(SPIPlanPtr plan, Datum *values, int expect)
{
	int			rc;

	log_writing = true;
	PG_TRY();
	{
		rc = SPI_execute_plan(plan, values, NULL, false, 0);
	}
	PG_FINALLY();
	{
		log_writing = false;
	}
	PG_END_TRY();
	if (rc != expect)
		elog(ERROR, "log write failed: %s", SPI_result_code_string(rc));
}

/* ---------------------------------------------------------------------
 * The guard
 * ---------------------------------------------------------------------
 */

/*
 * BEFORE INSERT, UPDATE, DELETE, TRUNCATE (statement) on the log's tables.
 * Nothing is ever changed or removed (TLOG-001), for the owner too, in a
 * restore too; only the origin may be renamed, by log_set_origin, before
 * the first checkpoint.  Rows are added by the log's functions or by a
 * restore (TLOG-002).
 */
Datum
foray_log_guard(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	const char *rel;
	const char *verb;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "foray_log_guard: not called by trigger manager");
	rel = RelationGetRelationName(td->tg_relation);
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		if (log_writing || foray_restore_mode())
			return PointerGetDatum(NULL);
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("foray.%s is written by the log's functions only", rel),
				 errdetail("Rule TLOG-002: entries, checkpoints and signatures are added by foray.log_append, foray.log_append_ready, foray.log_checkpoint and foray.log_store_signature; the origin by foray.log_set_origin."),
				 errhint("Restoring a dump is the one exception.")));
	}
	if (TRIGGER_FIRED_BY_UPDATE(td->tg_event) && log_writing && strcmp(rel, "log_config") == 0)
		return PointerGetDatum(NULL);
	verb = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? "UPDATE" :
		TRIGGER_FIRED_BY_DELETE(td->tg_event) ? "DELETE" : "TRUNCATE";
	ereport(ERROR,
			(errcode(ERRCODE_FORAY_APPEND_ONLY),
			 errmsg("foray.%s is append-only: %s is not allowed", rel, verb),
			 errdetail("Rule TLOG-001: the log, its checkpoints and their signatures are never changed or removed, by anyone."),
			 errhint("A transaction is logged once; a correction is a new (amending) transaction, logged in its turn.")));
	PG_RETURN_NULL();
}

/* ---------------------------------------------------------------------
 * What the protocol tables' guards ask the log
 * ---------------------------------------------------------------------
 */

/*
 * Run a read of the log as the substrate's owner (the writer asking may not
 * read the log) with the latest snapshot: under REPEATABLE READ a writer
 * whose snapshot predates an append that has committed since must still see
 * it.  SPI is connected.
 */
static void
run_latest(LogPlan which, Datum *values)
{
	ForayOwnerWrite ow;
	int			rc;

	foray_begin_owner_write(&ow);
	PG_TRY();
	{
		rc = SPI_execute_snapshot(get_plan(which), values, NULL, GetLatestSnapshot(),
								  InvalidSnapshot, true, false, 1);
	}
	PG_FINALLY();
	{
		foray_end_owner_write(&ow);
	}
	PG_END_TRY();
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "log lookup failed (%s): %s", plan_defs[which].sql, SPI_result_code_string(rc));
}

/*
 * A database whose catalog predates the log (0.4.0 and earlier, until
 * ALTER EXTENSION ... UPDATE) has no foray.log_entries: nothing is logged.
 */
bool
foray_log_exists(void)
{
	Oid			nsp = get_namespace_oid("foray", true);

	return OidIsValid(nsp) && OidIsValid(get_relname_relid("log_entries", nsp));
}

int64
foray_log_entry_latest(const char *transaction_id)
{
	Datum		v[1];
	bool		isnull;

	if (!foray_log_exists())
		return -1;
	v[0] = CStringGetTextDatum(transaction_id);
	run_latest(LP_BY_TX, v);
	if (SPI_processed == 0)
		return -1;
	return DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/*
 * The first transaction that is in the log and still in foray_transactions,
 * with its index in *index; NULL when there is none (TRUNCATE's guard).
 */
char *
foray_log_first_logged(int64 *index)
{
	bool		isnull;

	if (!foray_log_exists())
		return NULL;
	run_latest(LP_FIRST_LOGGED, NULL);
	if (SPI_processed == 0)
		return NULL;
	*index = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

void
foray_log_refuse_reopened(const char **changes, uint64 n)
{
	Datum	   *ids;
	int			k = 0;
	Datum		v[1];

	if (!foray_log_exists())
		return;
	ids = palloc(sizeof(Datum) * (n + 1));

	for (uint64 i = 0; i < n; i++)
	{
		const char *tx = changes[i];
		const char *from = tx + strlen(tx) + 1;
		const char *to = from + strlen(from) + 1;

		if (strcmp(from, "ready_to_anchor") == 0 && strcmp(to, "open") == 0)
			ids[k++] = CStringGetTextDatum(tx);
	}
	if (k == 0)
		return;
	v[0] = PointerGetDatum(construct_array(ids, k, TEXTOID, -1, false, TYPALIGN_INT));
	run_latest(LP_LOGGED_OF, v);
	if (SPI_processed > 0)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_IMMUTABLE),
				 errmsg("transaction \"%s\" is in the log (entry %s) and cannot go back to open",
						SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1),
						SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2)),
				 errdetail("Rule IMM-001: once committed to the log, a transaction, its components and its attestations never change."),
				 errhint("The immutability guard refuses such writes; this one got past it (a trigger disabled?).")));
}

/* ---------------------------------------------------------------------
 * Appending
 * ---------------------------------------------------------------------
 */

typedef struct Appender
{
	foray_tlog_frontier f;
	MemoryContext cxt;			/* the batch's datums */
	int			n;
	Datum		idx[APPEND_BATCH];
	Datum		tx[APPEND_BATCH];
	Datum		leaf[APPEND_BATCH];
	Datum		nodes[APPEND_BATCH];
	/* the entries appended, for log_append_ready (NULL otherwise) */
	Tuplestorestate *out;
	TupleDesc	out_desc;
} Appender;

/*
 * Take the log's append lock and read the right frontier of the stored
 * tree.  The lock is held to the end of the SQL transaction, and the size is
 * read after it is granted, with a new snapshot: every append committed
 * before is seen, so indices continue with no gap and no duplicate.  Under
 * REPEATABLE READ the transaction's snapshot may predate an append: then
 * the transaction must be retried (40001), as any serialization conflict.
 */
static Appender *
appender_begin(void)
{
	Appender   *a = palloc0(sizeof(Appender));
	uint64		size;

	log_lock(LOG_LOCK_APPEND, ExclusiveLock);
	size = stored_size(false);
	if (IsolationUsesXactSnapshot())
	{
		int			rc = SPI_execute_snapshot(get_plan(LP_SIZE), NULL, NULL, GetLatestSnapshot(),
											  InvalidSnapshot, true, false, 1);
		uint64		latest = 0;

		if (rc != SPI_OK_SELECT)
			elog(ERROR, "log size lookup failed: %s", SPI_result_code_string(rc));
		if (SPI_processed > 0)
		{
			bool		isnull;

			latest = (uint64) DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
														  SPI_tuptable->tupdesc, 1, &isnull)) + 1;
		}
		if (latest != size)
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access due to a concurrent append to the log"),
					 errhint("Retry the transaction; or append in READ COMMITTED.")));
	}
	a->f.size = size;
	with_nodes(op_frontier, &a->f, false);
	a->cxt = AllocSetContextCreate(CurrentMemoryContext, "foray log batch", ALLOCSET_DEFAULT_SIZES);
	return a;
}

/* the columns of foray.log_entries, in the order the appender fills them */
static const char *const entry_columns[] = {"log_index", "appended_at", "transaction_id",
"leaf_hash", "subtree_hashes"};
#define ENTRY_NCOLS lengthof(entry_columns)

/*
 * Write the batch as COPY does: the rows formed in memory, their CHECK
 * constraints evaluated, the heap written page by page (table_multi_insert:
 * one WAL record per page rather than per row), then both indexes.  No
 * statement runs, so the log's guard trigger does not fire: this is the
 * log's own write.  The rows are visible to the next command.
 */
static void
insert_entries(Appender *a)
{
	Oid			relid = get_relname_relid("log_entries", get_namespace_oid("foray", false));
	Relation	rel;
	TupleDesc	desc;
	EState	   *estate;
	RangeTblEntry *rte;
	ResultRelInfo *rri;
	TupleTableSlot **slots;
	BulkInsertState bis;
	AttrNumber	att[ENTRY_NCOLS];
	Datum		appended_at = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	int			live = 0;
	MemoryContext old;

	if (!OidIsValid(relid))
		elog(ERROR, "relation foray.log_entries does not exist");
	rel = table_open(relid, RowExclusiveLock);
	desc = RelationGetDescr(rel);
	for (int c = 0; c < desc->natts; c++)
		live += TupleDescAttr(desc, c)->attisdropped ? 0 : 1;
	for (int c = 0; c < (int) ENTRY_NCOLS; c++)
		att[c] = SPI_fnumber(desc, entry_columns[c]);
	if (live != (int) ENTRY_NCOLS)
		elog(ERROR, "foray.log_entries has %d columns, the log writes %d", live, (int) ENTRY_NCOLS);
	for (int c = 0; c < (int) ENTRY_NCOLS; c++)
		if (att[c] <= 0)
			elog(ERROR, "column foray.log_entries.%s is missing", entry_columns[c]);

	estate = CreateExecutorState();
	rte = makeNode(RangeTblEntry);
	rte->rtekind = RTE_RELATION;
	rte->relid = relid;
	rte->relkind = RELKIND_RELATION;
	rte->rellockmode = RowExclusiveLock;
	ExecInitRangeTable(estate, list_make1(rte));
	rri = makeNode(ResultRelInfo);
	InitResultRelInfo(rri, rel, 1, NULL, 0);
	estate->es_output_cid = GetCurrentCommandId(true);
	ExecOpenIndices(rri, false);

	/* the slots live in the executor state's memory, freed with it */
	old = MemoryContextSwitchTo(estate->es_query_cxt);
	slots = palloc(sizeof(TupleTableSlot *) * a->n);
	for (int i = 0; i < a->n; i++)
	{
		TupleTableSlot *slot = table_slot_create(rel, &estate->es_tupleTable);
		Datum		values[ENTRY_NCOLS] = {a->idx[i], appended_at, a->tx[i], a->leaf[i], a->nodes[i]};

		ExecClearTuple(slot);
		for (int c = 0; c < desc->natts; c++)
			slot->tts_isnull[c] = true;
		for (int c = 0; c < (int) ENTRY_NCOLS; c++)
		{
			slot->tts_values[att[c] - 1] = values[c];
			slot->tts_isnull[att[c] - 1] = false;
		}
		ExecStoreVirtualTuple(slot);
		if (rel->rd_att->constr)
			ExecConstraints(rri, slot, estate);
		ResetPerTupleExprContext(estate);
		slots[i] = slot;
	}
	MemoryContextSwitchTo(old);
	bis = GetBulkInsertState();
	table_multi_insert(rel, slots, a->n, estate->es_output_cid, 0, bis);
	FreeBulkInsertState(bis);
	for (int i = 0; i < a->n; i++)
	{
		List	   *recheck = ExecInsertIndexTuples(rri, slots[i], estate, false, false, NULL, NIL);

		if (recheck != NIL)
			elog(ERROR, "log_entries has a deferrable unique index");
		ResetPerTupleExprContext(estate);
	}
	ExecCloseIndices(rri);
	ExecResetTupleTable(estate->es_tupleTable, false);
	FreeExecutorState(estate);
	table_close(rel, NoLock);
	CommandCounterIncrement();
}

static void
appender_flush(Appender *a)
{
	if (a->n == 0)
		return;
	insert_entries(a);
	MemoryContextReset(a->cxt);
	a->n = 0;
	/* logged transactions are immutable: the guard must look again */
	foray_guard_anchored();
}

static bytea *
make_bytea(const uint8 *data, size_t len)
{
	bytea	   *b = palloc(VARHDRSZ + len);

	SET_VARSIZE(b, VARHDRSZ + len);
	if (len > 0)
		memcpy(VARDATA(b), data, len);
	return b;
}

/* append one leaf under a name; returns its index */
static uint64
appender_add(Appender *a, const char *txid, int txlen, const uint8 leaf[HL])
{
	uint8		nodes[63 * HL];
	unsigned	nn;
	uint64		index = a->f.size;
	MemoryContext old;
	int			rc = foray_tlog_frontier_append(foray_backend_hasher(), &a->f, leaf, nodes, &nn);

	if (rc == FORAY_MERKLE_BAD_SIZE)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the log holds 2^63 - 1 entries and takes no more")));
	tree_check(rc);
	old = MemoryContextSwitchTo(a->cxt);
	a->idx[a->n] = Int64GetDatum((int64) index);
	a->tx[a->n] = PointerGetDatum(cstring_to_text_with_len(txid, txlen));
	a->leaf[a->n] = PointerGetDatum(make_bytea(leaf, HL));
	a->nodes[a->n] = PointerGetDatum(make_bytea(nodes, (size_t) nn * HL));
	if (a->out != NULL)
	{
		char		h[FORAY_HASH_TEXT_LEN_M + 1];
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		foray_hash_to_text(leaf, h);
		values[0] = Int64GetDatum((int64) index);
		values[1] = PointerGetDatum(cstring_to_text_with_len(txid, txlen));
		values[2] = CStringGetTextDatum(h);
		/* (the tuplestore copies the row into its own context) */
		tuplestore_putvalues(a->out, a->out_desc, values, nulls);
	}
	MemoryContextSwitchTo(old);
	if (++a->n == APPEND_BATCH)
		appender_flush(a);
	return index;
}

/* the index of the transaction's entry, or -1 */
static int64
entry_of(text *txid, bool read_only)
{
	Datum		v[1] = {PointerGetDatum(txid)};
	bool		isnull;
	int64		r = -1;

	run(LP_BY_TX, v, NULL, read_only, 1, SPI_OK_SELECT);
	if (SPI_processed == 1)
		r = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	SPI_freetuptable(SPI_tuptable);
	return r;
}

typedef struct AppendOneArgs
{
	text	   *txid;
	int64		index;
} AppendOneArgs;

static void
append_one_body(void *arg)
{
	AppendOneArgs *args = arg;
	Appender   *a;
	Datum		v[1] = {PointerGetDatum(args->txid)};
	bool		isnull;
	Datum		env;
	uint8		leaf[HL];

	a = appender_begin();
	/* a transaction is logged once */
	args->index = entry_of(args->txid, false);
	if (args->index >= 0)
		return;

	/*
	 * Lock order (docs/security.md): the envelope row, then the writer lock,
	 * as record_anchor takes them; the envelope is read after both, with a
	 * new snapshot, so no component committed before is missed and none can
	 * be written after (the immutability guard waits for the row, then finds
	 * the entry).  The writer lock is waited for, not kept.
	 */
	run(LP_LOCK_TX, v, NULL, false, 1, SPI_OK_SELECT);
	if (SPI_processed == 1)
		(void) foray_transaction_writers_done(text_to_cstring(args->txid), false);
	run(LP_ENVELOPE, v, NULL, false, 1, SPI_OK_SELECT);
	env = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	if (isnull)
		elog(ERROR, "foray.anchor_envelope_text returned NULL");
	foray_log_text_leaf(DatumGetTextPP(env), leaf);
	args->index = (int64) appender_add(a, VARDATA_ANY(args->txid), VARSIZE_ANY_EXHDR(args->txid), leaf);
	appender_flush(a);
}

/* foray.log_append(tx text) RETURNS bigint */
Datum
foray_log_append(PG_FUNCTION_ARGS)
{
	AppendOneArgs args;

	args.txid = PG_GETARG_TEXT_PP(0);
	args.index = -1;
	log_run(append_one_body, &args);
	PG_RETURN_INT64(args.index);
}

typedef struct AppendReadyArgs
{
	bool		unlimited;
	int64		max;
	Tuplestorestate *out;
	TupleDesc	desc;
} AppendReadyArgs;

/*
 * Errors that keep one transaction out of the log (its envelope cannot be
 * built: 22R52 too large, or it changed since it was listed: 23R30 no longer
 * ready, 22R54 deleted) rather than stopping the whole append: data
 * exceptions and integrity violations.  Anything else (a cancel, out of
 * memory, a deadlock, a bug) stops it.
 */
static bool
skippable(int sqlerrcode)
{
	return ERRCODE_TO_CATEGORY(sqlerrcode) == ERRCODE_DATA_EXCEPTION ||
		ERRCODE_TO_CATEGORY(sqlerrcode) == ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION;
}

/*
 * The leaves of ids[from .. from + count) (the envelopes of
 * foray.anchor_envelope_text, their rows read together), in a subtransaction.  False, with *err, when a skippable
 * error stopped it; other errors are thrown.
 */
static bool
try_leaves(Datum *ids, int from, int count, uint8 *leaves, ErrorData **err)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	volatile bool ok = true;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(cxt);
	PG_TRY();
	{
		const char **cids = palloc(sizeof(char *) * count);
		text	  **texts = palloc(sizeof(text *) * count);

		for (int i = 0; i < count; i++)
			cids[i] = TextDatumGetCString(ids[from + i]);
		foray_envelope_texts(cids, count, texts);
		for (int i = 0; i < count; i++)
		{
			foray_log_text_leaf(texts[i], leaves + (from + i) * HL);
			pfree(texts[i]);
		}
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
	}
	PG_CATCH();
	{
		ErrorData  *e;

		MemoryContextSwitchTo(cxt);
		e = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(cxt);
		CurrentResourceOwner = owner;
		if (!skippable(e->sqlerrcode))
			ReThrowError(e);
		*err = e;
		ok = false;
	}
	PG_END_TRY();
	return ok;
}

/*
 * The transactions of the entries not covered by an anchored checkpoint:
 * the only logged ones that can still be ready_to_anchor and unanchored.
 * Every entry below the largest anchored checkpoint is anchored
 * (record_checkpoint_anchor anchors every entry below its size, or
 * nothing), so the ready transactions minus these are those not in the log
 * yet.  Reading them costs the entries appended since the last anchored
 * checkpoint, never the whole log.  (A log altered behind the substrate's
 * back, with an unanchored transaction below an anchored checkpoint, makes
 * the append fail on the log's unique key, 23505; foray.verify() names it.)
 */
static uint32
recent_hash(const void *key, Size keysize)
{
	const char *s = *(const char *const *) key;

	return hash_bytes((const unsigned char *) s, (int) strlen(s));
}

static int
recent_match(const void *a, const void *b, Size keysize)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static HTAB *
recent_entries(uint64 size)
{
	HASHCTL		ctl;
	HTAB	   *h;
	uint64		from = 0;
	Datum		v[1];
	bool		isnull;
	Portal		portal;

	run(LP_ANCHORED_SIZE, NULL, NULL, false, 1, SPI_OK_SELECT);
	if (SPI_processed > 0)
	{
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
			from = (uint64) DatumGetInt64(d);
	}
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(char *);
	ctl.entrysize = sizeof(char *);
	ctl.hash = recent_hash;
	ctl.match = recent_match;
	ctl.hcxt = CurrentMemoryContext;
	h = hash_create("foray log entries since the last anchored checkpoint",
					(long) Min(size > from ? size - from : 0, 100000) + 16, &ctl,
					HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
	if (size <= from)
		return h;
	v[0] = Int64GetDatum((int64) from);
	portal = SPI_cursor_open(NULL, get_plan(LP_RECENT), v, NULL, false);
	if (portal == NULL)
		elog(ERROR, "could not read the log: %s", SPI_result_code_string(SPI_result));
	for (;;)
	{
		SPI_cursor_fetch(portal, true, READY_FETCH);
		if (SPI_processed == 0)
			break;
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			char	   *id = TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[r],
															  SPI_tuptable->tupdesc, 1, &isnull));

			(void) hash_search(h, &id, HASH_ENTER, NULL);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	return h;
}

/*
 * The ready transactions are listed first (a cursor over their ids), then
 * their envelopes are built 1000 at a time in one statement.  A batch that
 * fails is built again one transaction at a time, and a transaction whose
 * envelope cannot be built is left out with a WARNING naming it (it stays
 * ready, and in the anchor queue): one such transaction must not keep every
 * other one out of the log.
 */
static void
append_ready_body(void *arg)
{
	AppendReadyArgs *args = arg;
	Appender   *a = appender_begin();
	HTAB	   *recent = recent_entries(a->f.size);
	/* the logged ones come first (oldest): list that many more */
	int64		wanted = args->max;
	Datum		v[1] = {Int64GetDatum(args->max + hash_get_num_entries(recent))};
	Portal		portal;
	MemoryContext chunk = AllocSetContextCreate(CurrentMemoryContext, "foray log ready chunk",
												ALLOCSET_DEFAULT_SIZES);
	Datum	   *ids = palloc(sizeof(Datum) * READY_FETCH);
	uint8	   *leaves = palloc((size_t) READY_FETCH * HL);
	bool	   *ok = palloc(sizeof(bool) * READY_FETCH);

	a->out = args->out;
	a->out_desc = args->desc;
	/* opened after the lock: it sees every entry appended before */
	portal = SPI_cursor_open(NULL, get_plan(LP_READY), v, args->unlimited ? "n" : " ", false);
	if (portal == NULL)
		elog(ERROR, "could not list the ready transactions: %s", SPI_result_code_string(SPI_result));
	for (;;)
	{
		SPITupleTable *tt;
		int			n;
		int			m;
		int			i;
		ErrorData  *err = NULL;
		MemoryContext old;

		if (!args->unlimited && wanted <= 0)
			break;
		SPI_cursor_fetch(portal, true, READY_FETCH);
		tt = SPI_tuptable;
		n = (int) SPI_processed;
		if (n == 0)
			break;
		old = MemoryContextSwitchTo(chunk);
		m = 0;
		for (i = 0; i < n && (args->unlimited || wanted > 0); i++)
		{
			bool		isnull;
			text	   *id = DatumGetTextPCopy(SPI_getbinval(tt->vals[i], tt->tupdesc, 1, &isnull));
			char	   *cid = text_to_cstring(id);

			/* in the log already, waiting for a checkpoint's anchor */
			if (hash_search(recent, &cid, HASH_FIND, NULL) != NULL)
				continue;

			/*
			 * The cursor has locked the row (skipping rows other sessions
			 * hold: a writer between its guard and its commit); now the
			 * writer lock, without waiting, and not kept: this appender holds
			 * many rows, so it must never wait (docs/security.md).  A busy
			 * transaction stays in the queue for the next call.
			 */
			if (!foray_transaction_writers_done(cid, true))
				continue;
			ids[m] = PointerGetDatum(id);
			ok[m++] = true;
			wanted--;
		}
		n = m;
		SPI_freetuptable(tt);
		if (!try_leaves(ids, 0, n, leaves, &err))
		{
			for (i = 0; i < n; i++)
			{
				err = NULL;
				if (try_leaves(ids, i, 1, leaves, &err))
					continue;
				ok[i] = false;
				ereport(WARNING,
						(errcode(err->sqlerrcode),
						 errmsg("transaction \"%s\" was not appended to the log: %s",
								TextDatumGetCString(ids[i]), err->message),
						 errdetail("Rule TLOG-READY: a transaction whose anchor envelope cannot be built stays out of the log (and in the anchor queue); the others are appended.")));
			}
		}
		MemoryContextSwitchTo(old);
		for (i = 0; i < n; i++)
		{
			text	   *t = DatumGetTextPP(ids[i]);

			if (ok[i])
				(void) appender_add(a, VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t), leaves + i * HL);
		}
		MemoryContextReset(chunk);
		CHECK_FOR_INTERRUPTS();
	}
	SPI_cursor_close(portal);
	appender_flush(a);
	MemoryContextDelete(chunk);
}

/* foray.log_append_ready(max_entries integer) RETURNS TABLE (log_index, transaction_id, leaf_hash) */
Datum
foray_log_append_ready(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	AppendReadyArgs args;
	TupleDesc	desc;
	MemoryContext old;

	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		(rsinfo->allowedModes & SFRM_Materialize) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("foray.log_append_ready must be called where a set is accepted")));
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "foray.log_append_ready must return rows");
	args.unlimited = PG_ARGISNULL(0);
	args.max = args.unlimited ? 0 : PG_GETARG_INT32(0);
	if (args.max < 0)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_LOG_BAD_ARGUMENT),
				 errmsg("max_entries must not be negative (it is " INT64_FORMAT ")", args.max),
				 errdetail("Rule TLOG-SIZE: max_entries is how many transactions to append at most; NULL for all.")));
	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	args.desc = CreateTupleDescCopy(desc);
	args.out = tuplestore_begin_heap(true, false, work_mem);
	MemoryContextSwitchTo(old);

	log_run(append_ready_body, &args);

	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = args.out;
	rsinfo->setDesc = args.desc;
	return (Datum) 0;
}

typedef struct AppendLeavesArgs
{
	Datum	   *names;
	Datum	   *leaves;
	int			n;
	uint64		size;
} AppendLeavesArgs;

static void
append_leaves_body(void *arg)
{
	AppendLeavesArgs *args = arg;
	Appender   *a = appender_begin();
	int			i;

	for (i = 0; i < args->n; i++)
	{
		text	   *name = DatumGetTextPP(args->names[i]);

		(void) appender_add(a, VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name),
							(const uint8 *) VARDATA_ANY(DatumGetByteaPP(args->leaves[i])));
		if (i % APPEND_BATCH == 0)
			CHECK_FOR_INTERRUPTS();
	}
	appender_flush(a);
	args->size = a->f.size;
}

static void
bad_leaves(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_FORAY_LOG_BAD_ARGUMENT),
			 errmsg("foray.log_append_leaves: %s", what),
			 errdetail("Rule TLOG-SIZE: one name and one 32-byte leaf hash per entry, in two one-dimensional arrays of equal length without NULLs.")));
}

/* foray.log_append_leaves(transaction_ids text[], leaf_hashes bytea[]) RETURNS bigint */
Datum
foray_log_append_leaves(PG_FUNCTION_ARGS)
{
	ArrayType  *names = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType  *leaves = PG_GETARG_ARRAYTYPE_P(1);
	AppendLeavesArgs args;
	bool	   *nn;
	bool	   *ln;
	int			nl;
	int			i;

	if (!superuser())
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("foray.log_append_leaves is for tests and benchmarks: superuser only"),
				 errdetail("Rule TLOG-002: the log's leaves are the hashes of anchor envelopes; foray.log_append builds them.")));
	if (ARR_NDIM(names) > 1 || ARR_NDIM(leaves) > 1)
		bad_leaves("the arrays must be one-dimensional");
	deconstruct_array(names, TEXTOID, -1, false, TYPALIGN_INT, &args.names, &nn, &args.n);
	deconstruct_array(leaves, BYTEAOID, -1, false, TYPALIGN_INT, &args.leaves, &ln, &nl);
	if (nl != args.n)
		bad_leaves(psprintf("%d names but %d leaf hashes", args.n, nl));
	for (i = 0; i < args.n; i++)
	{
		if (nn[i] || ln[i])
			bad_leaves(psprintf("element %d is NULL", i + 1));
		if (VARSIZE_ANY_EXHDR(DatumGetByteaPP(args.leaves[i])) != HL)
			bad_leaves(psprintf("leaf hash %d is not 32 bytes", i + 1));
	}
	log_run(append_leaves_body, &args);
	PG_RETURN_INT64((int64) args.size);
}

/* ---------------------------------------------------------------------
 * Origin, checkpoints, signatures
 * ---------------------------------------------------------------------
 */

static void
bad_origin(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_FORAY_LOG_BAD_CHECKPOINT),
			 errmsg("the origin must be 1 to 255 bytes of UTF-8 without white space, control characters or '+'"),
			 errdetail("Rule TLOG-ORIGIN: the origin is the first line of every checkpoint and the name of the key that signs them (C2SP tlog-checkpoint, signed-note), e.g. example.com/foray/ledger-1.")));
}

typedef struct OriginArgs
{
	text	   *origin;
} OriginArgs;

static void
set_origin_body(void *arg)
{
	OriginArgs *args = arg;
	Datum		v[1] = {PointerGetDatum(args->origin)};
	char	   *had;
	bool		checkpoints;

	log_lock(LOG_LOCK_ORIGIN, ExclusiveLock);
	run(LP_ANY_CHECKPOINT, NULL, NULL, false, 1, SPI_OK_SELECT);
	checkpoints = SPI_processed > 0;
	run(LP_ORIGIN, NULL, NULL, false, 1, SPI_OK_SELECT);
	had = SPI_processed > 0 ? SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1) : NULL;
	if (had != NULL && strcmp(had, text_to_cstring(args->origin)) == 0)
		return;
	if (checkpoints)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_LOG_ORIGIN),
				 errmsg("the log's origin is \"%s\" and checkpoints have been taken under it",
						had ? had : ""),
				 errdetail("Rule TLOG-ORIGIN: the origin names the log in every checkpoint; once one is taken (and perhaps signed and anchored), the name is fixed.")));
	if (had == NULL)
		run_write(LP_NEW_ORIGIN, v, SPI_OK_INSERT);
	else
		run_write(LP_RENAME, v, SPI_OK_UPDATE);
}

/* foray.log_set_origin(origin text) RETURNS text */
Datum
foray_log_set_origin(PG_FUNCTION_ARGS)
{
	OriginArgs	args;
	size_t		len;
	const char *s;

	args.origin = PG_GETARG_TEXT_PP(0);
	s = foray_log_utf8(args.origin, &len);
	if (!foray_note_name_valid(s, len))
		bad_origin();
	log_run(set_origin_body, &args);
	PG_RETURN_TEXT_P(args.origin);
}

typedef struct CheckpointArgs
{
	MemoryContext caller;
	text	   *checkpoint;		/* in the caller's context */
} CheckpointArgs;

static text *
copy_text(MemoryContext cxt, text *t)
{
	text	   *c = (text *) MemoryContextAlloc(cxt, VARSIZE_ANY(t));

	memcpy(c, t, VARSIZE_ANY(t));
	return c;
}

/* text in the server encoding, from UTF-8 bytes, allocated in cxt */
static text *
server_text(MemoryContext cxt, const char *utf8, size_t len)
{
	MemoryContext old = MemoryContextSwitchTo(cxt);
	char	   *s = pg_any_to_server(utf8, (int) len, PG_UTF8);
	text	   *t = s == utf8 ? cstring_to_text_with_len(utf8, (int) len) : cstring_to_text(s);

	MemoryContextSwitchTo(old);
	return t;
}

static void
checkpoint_body(void *arg)
{
	CheckpointArgs *args = arg;
	TreeArgs	t;
	text	   *origin;
	size_t		olen;
	const char *o;
	uint64		size;
	uint8		root[HL];
	char	   *cp;
	size_t		cplen;
	Datum		v[3];
	bool		isnull;

	log_lock(LOG_LOCK_ORIGIN, ShareLock);
	run(LP_ORIGIN, NULL, NULL, false, 1, SPI_OK_SELECT);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_LOG_ORIGIN),
				 errmsg("the log has no origin yet"),
				 errdetail("Rule TLOG-ORIGIN: every checkpoint names its log on its first line; the substrate does not make a name up."),
				 errhint("Name the log once: SELECT foray.log_set_origin('example.com/foray/ledger-1');")));
	origin = DatumGetTextPP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	o = foray_log_utf8(origin, &olen);

	/* every entry committed before this statement, with a new snapshot */
	size = stored_size(false);
	t.n = size;
	with_nodes(op_root, &t, false);
	memcpy(root, t.root_n, HL);
	cplen = foray_checkpoint_format(o, olen, size, root, NULL, 0);
	cp = palloc(cplen + 1);
	foray_checkpoint_format(o, olen, size, root, cp, cplen + 1);
	args->checkpoint = server_text(CurrentMemoryContext, cp, cplen);

	v[0] = Int64GetDatum((int64) size);
	v[1] = PointerGetDatum(make_bytea(root, HL));
	v[2] = PointerGetDatum(args->checkpoint);
	run_write(LP_CP_INSERT, v, SPI_OK_INSERT);
	if (SPI_processed == 0)
	{
		bytea	   *had;

		/* taken before at this size: the same tree, or the log was rewritten */
		run(LP_CP_GET, v, NULL, false, 1, SPI_OK_SELECT);
		had = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		if (VARSIZE_ANY_EXHDR(had) != HL || memcmp(VARDATA_ANY(had), root, HL) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("the log's first " UINT64_FORMAT " entries no longer have the root of the checkpoint stored for that size",
							size),
					 errdetail("Rule TLOG-001: entries are never changed; the log was rewritten.")));
		args->checkpoint = DatumGetTextPP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	}
	/* the result outlives SPI */
	args->checkpoint = copy_text(args->caller, args->checkpoint);
}

/* foray.log_checkpoint() RETURNS text */
Datum
foray_log_checkpoint(PG_FUNCTION_ARGS)
{
	CheckpointArgs args;

	args.caller = CurrentMemoryContext;
	args.checkpoint = NULL;
	log_run(checkpoint_body, &args);
	PG_RETURN_TEXT_P(args.checkpoint);
}

typedef struct SignatureArgs
{
	text	   *note;
	text	   *vkey;
	uint64		size;
} SignatureArgs;

static void
refuse_signature(const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_FORAY_LOG_SIGNATURE),
			 errmsg("signature refused: %s", why),
			 errdetail("Rule TLOG-SIGNATURE: a signed form is stored for a stored checkpoint only, and only with a signature by the given key that verifies.")));
}

static void
store_signature_body(void *arg)
{
	SignatureArgs *args = arg;
	size_t		len;
	const char *note = foray_log_utf8(args->note, &len);
	foray_vkey	key;
	size_t		text_len;
	size_t		sig_off;
	size_t		sig_len;
	foray_checkpoint cp;
	const char *why;
	Datum		v[3];
	bool		isnull;
	text	   *stored;
	StringInfoData signed_cp;

	switch (foray_log_check_note(note, len, args->vkey, &key, &text_len, &sig_off, &sig_len))
	{
		case FORAY_NOTE_OK:
			break;
		case FORAY_NOTE_NO_SIGNATURE:
			refuse_signature("the note carries no signature line of that key (its name and key ID)");
			break;
		default:
			refuse_signature("the signature of that key does not verify over the note's text");
	}
	if (foray_checkpoint_parse(note, text_len, &cp, &why) != FORAY_NOTE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_LOG_BAD_CHECKPOINT),
				 errmsg("the signed text is not a checkpoint: %s", why)));
	args->size = cp.size;
	v[0] = Int64GetDatum((int64) cp.size);
	run(LP_CP_GET, v, NULL, false, 1, SPI_OK_SELECT);
	if (SPI_processed == 0)
		refuse_signature(psprintf("no checkpoint of size " UINT64_FORMAT " is stored", cp.size));
	stored = DatumGetTextPP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	{
		size_t		slen;
		const char *s = foray_log_utf8(stored, &slen);

		if (slen != text_len || memcmp(s, note, slen) != 0)
			refuse_signature(psprintf("the signed text is not the checkpoint stored for size " UINT64_FORMAT,
									  cp.size));
	}
	/* the checkpoint with the one signature line that verified */
	initStringInfo(&signed_cp);
	appendBinaryStringInfo(&signed_cp, note, (int) text_len);
	appendStringInfoString(&signed_cp, "\n\xe2\x80\x94 ");
	appendBinaryStringInfo(&signed_cp, key.name, (int) key.name_len);
	appendStringInfoChar(&signed_cp, ' ');
	appendBinaryStringInfo(&signed_cp, note + sig_off, (int) sig_len);
	appendStringInfoChar(&signed_cp, '\n');
	v[1] = PointerGetDatum(args->vkey);
	v[2] = PointerGetDatum(server_text(CurrentMemoryContext, signed_cp.data, signed_cp.len));
	run_write(LP_SIG_INSERT, v, SPI_OK_INSERT);
}

/* foray.log_store_signature(signed_checkpoint text, vkey text) RETURNS bigint */
Datum
foray_log_store_signature(PG_FUNCTION_ARGS)
{
	SignatureArgs args;

	args.note = PG_GETARG_TEXT_PP(0);
	args.vkey = PG_GETARG_TEXT_PP(1);
	args.size = 0;
	log_run(store_signature_body, &args);
	PG_RETURN_INT64((int64) args.size);
}

/* ---------------------------------------------------------------------
 * Sizes, roots, proofs
 * ---------------------------------------------------------------------
 */

typedef struct ReadArgs
{
	/* in */
	bool		by_tx;
	text	   *txid;
	bool		a_null;
	int64		a;				/* log_index, old_size or tree_size */
	bool		b_null;
	int64		b;				/* tree_size or new_size */
	/* out */
	uint64		size;			/* the log's */
	TreeArgs	t;
	text	   *entry_txid;		/* SPI_palloc'd */
} ReadArgs;

static void
size_body(void *arg)
{
	((ReadArgs *) arg)->size = stored_size(true);
}

static void
root_body(void *arg)
{
	ReadArgs   *r = arg;

	r->size = stored_size(true);
	r->t.n = size_within(r->a_null, r->a, r->size, "tree_size");
	with_nodes(op_root, &r->t, true);
}

static void
inclusion_body(void *arg)
{
	ReadArgs   *r = arg;
	Datum		v[1];
	bool		isnull;
	bytea	   *leaf;
	text	   *t;

	r->size = stored_size(true);
	if (r->by_tx)
	{
		int64		i = entry_of(r->txid, true);

		if (i < 0)
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_LOG_UNKNOWN_ENTRY),
					 errmsg("transaction \"%s\" is not in the log", text_to_cstring(r->txid)),
					 errhint("Commit it with foray.log_append or foray.log_append_ready.")));
		r->t.index = (uint64) i;
	}
	else
		r->t.index = foray_log_size_arg(r->a, "log_index");
	r->t.n = size_within(r->b_null, r->b, r->size, "tree_size");
	if (r->t.index >= r->t.n)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_LOG_BAD_ARGUMENT),
				 errmsg("entry " UINT64_FORMAT " is not in the tree of " UINT64_FORMAT " entries",
						r->t.index, r->t.n),
				 errdetail("Rule TLOG-SIZE: an inclusion proof is for an entry below the tree size.")));
	v[0] = Int64GetDatum((int64) r->t.index);
	run(LP_ENTRY, v, NULL, true, 1, SPI_OK_SELECT);
	if (SPI_processed != 1)
		damaged(r->t.index, "is missing: the log has a gap");
	t = DatumGetTextPP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	r->entry_txid = SPI_palloc(VARSIZE_ANY(t));
	memcpy(r->entry_txid, t, VARSIZE_ANY(t));
	leaf = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	if (VARSIZE_ANY_EXHDR(leaf) != HL)
		damaged(r->t.index, "does not hold a 32-byte leaf hash");
	memcpy(r->t.leaf, VARDATA_ANY(leaf), HL);
	with_nodes(op_inclusion, &r->t, true);
}

static void
consistency_body(void *arg)
{
	ReadArgs   *r = arg;

	r->size = stored_size(true);
	r->t.m = foray_log_size_arg(r->a, "old_size");
	r->t.n = size_within(r->b_null, r->b, r->size, "new_size");
	if (r->t.m == 0 || r->t.m > r->t.n)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_LOG_BAD_ARGUMENT),
				 errmsg("no consistency proof from " UINT64_FORMAT " to " UINT64_FORMAT " entries",
						r->t.m, r->t.n),
				 errdetail("Rule TLOG-SIZE: a consistency proof goes from a non-empty tree to one at least as large (every tree extends the empty one).")));
	with_nodes(op_consistency, &r->t, true);
}

static void
read_args(ReadArgs *r, FunctionCallInfo fcinfo)
{
	memset(r, 0, sizeof(ReadArgs));
	r->a_null = PG_NARGS() < 1 || PG_ARGISNULL(0);
	r->b_null = PG_NARGS() < 2 || PG_ARGISNULL(1);
	if (!r->b_null)
		r->b = PG_GETARG_INT64(1);
}

static void
push_hash(JsonbParseState **st, const char *key, const uint8 *h)
{
	char		t[FORAY_HASH_TEXT_LEN_M + 1];

	foray_hash_to_text(h, t);
	foray_jb_string(st, key, t);
}

/* foray.log_size() RETURNS bigint */
Datum
foray_log_size(PG_FUNCTION_ARGS)
{
	ReadArgs	r;

	read_args(&r, fcinfo);
	log_run(size_body, &r);
	PG_RETURN_INT64((int64) r.size);
}

/* foray.log_root(tree_size bigint) RETURNS text */
Datum
foray_log_root(PG_FUNCTION_ARGS)
{
	ReadArgs	r;
	char		t[FORAY_HASH_TEXT_LEN_M + 1];

	read_args(&r, fcinfo);
	if (!r.a_null)
		r.a = PG_GETARG_INT64(0);
	log_run(root_body, &r);
	foray_hash_to_text(r.t.root_n, t);
	PG_RETURN_TEXT_P(cstring_to_text(t));
}

static Datum
inclusion_proof(FunctionCallInfo fcinfo, bool by_tx)
{
	ReadArgs	r;
	JsonbParseState *st = NULL;
	JsonbValue *res;

	read_args(&r, fcinfo);
	if (r.a_null)
		PG_RETURN_NULL();
	r.by_tx = by_tx;
	if (by_tx)
		r.txid = PG_GETARG_TEXT_PP(0);
	else
		r.a = PG_GETARG_INT64(0);
	log_run(inclusion_body, &r);

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	foray_jb_int(&st, "leaf_index", (int64) r.t.index);
	foray_jb_int(&st, "tree_size", (int64) r.t.n);
	foray_jb_string(&st, "transaction_id", text_to_cstring(r.entry_txid));
	push_hash(&st, "leaf_hash", r.t.leaf);
	foray_log_push_hashes(&st, "path", r.t.path, r.t.path_len);
	push_hash(&st, "root", r.t.root_n);
	res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	PG_RETURN_JSONB_P(JsonbValueToJsonb(res));
}

/* foray.log_inclusion_proof(log_index bigint, tree_size bigint) RETURNS jsonb */
Datum
foray_log_inclusion_proof(PG_FUNCTION_ARGS)
{
	return inclusion_proof(fcinfo, false);
}

/* foray.log_inclusion_proof(transaction_id text, tree_size bigint) RETURNS jsonb */
Datum
foray_log_inclusion_proof_tx(PG_FUNCTION_ARGS)
{
	return inclusion_proof(fcinfo, true);
}

/* foray.log_consistency_proof(old_size bigint, new_size bigint) RETURNS jsonb */
Datum
foray_log_consistency_proof(PG_FUNCTION_ARGS)
{
	ReadArgs	r;
	JsonbParseState *st = NULL;
	JsonbValue *res;

	read_args(&r, fcinfo);
	if (r.a_null)
		PG_RETURN_NULL();
	r.a = PG_GETARG_INT64(0);
	log_run(consistency_body, &r);

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	foray_jb_int(&st, "old_size", (int64) r.t.m);
	foray_jb_int(&st, "new_size", (int64) r.t.n);
	foray_log_push_hashes(&st, "path", r.t.path, r.t.path_len);
	push_hash(&st, "old_root", r.t.root_m);
	push_hash(&st, "new_root", r.t.root_n);
	res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	PG_RETURN_JSONB_P(JsonbValueToJsonb(res));
}
