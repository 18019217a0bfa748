/*
 * log_anchor.c
 *		Anchoring the log (docs/log.md, "Anchoring checkpoints"): recording
 *		that a checkpoint went on chain, which anchors, in one SQL
 *		transaction, every transaction the checkpoint covers that was not
 *		anchored yet; the index of a transaction in the log; and the whole
 *		proof chain of a component, from its foray_core to the chain.
 *
 * Locks (docs/security.md): the checkpoint anchors' own lock first (one
 * anchorer at a time), then the envelope rows of the transactions it
 * anchors, FOR UPDATE, in log order, then each one's writer lock (waited
 * for and released: a transaction in the log has no writers, the guard
 * refuses them).  The envelopes are read after both.  Appenders never hold
 * the row of a transaction already in the log, so they never meet here.
 */
#include "compat.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "log.h"
#include "substrate.h"
#include "txhash.h"

PG_FUNCTION_INFO_V1(foray_record_checkpoint_anchor);
PG_FUNCTION_INFO_V1(foray_log_index);
PG_FUNCTION_INFO_V1(foray_proof_chain);

/* from proof.c, envelope.c and log.c: the SQL functions a chain is made of */
extern Datum foray_inclusion_proof(PG_FUNCTION_ARGS);
extern Datum foray_anchor_envelope(PG_FUNCTION_ARGS);
extern Datum foray_log_inclusion_proof_tx(PG_FUNCTION_ARGS);

#define HL FORAY_MERKLE_HASH_LEN

/* the transactions locked and anchored per round trip */
#define ANCHOR_BATCH 1000

typedef enum AnchorPlan
{
	AP_CHECKPOINT,
	AP_ANCHOR,
	AP_BELOW,
	AP_ENTRIES,
	AP_LOCK,
	AP_INSERT,
	AP_INDEX,
	AP_TX_ANCHOR,
	AP_LATEST_CP,
	AP_COUNT
} AnchorPlan;

static const struct
{
	const char *sql;
	int			nargs;
	Oid			types[8];
}			plan_defs[AP_COUNT] = {
	[AP_CHECKPOINT] = {
		"SELECT checkpoint FROM foray.log_checkpoints WHERE tree_size OPERATOR(pg_catalog.=) $1",
		1, {INT8OID}
	},
	[AP_ANCHOR] = {
		"SELECT kaspa_tx_id, block_height, confirmation_time_ms, anchored_at, transactions_anchored"
		"  FROM foray.log_anchors WHERE tree_size OPERATOR(pg_catalog.=) $1",
		1, {INT8OID}
	},
	[AP_BELOW] = {
		/* every entry below an anchored checkpoint is anchored */
		"SELECT pg_catalog.max(tree_size) FROM foray.log_anchors"
		" WHERE tree_size OPERATOR(pg_catalog.<) $1", 1, {INT8OID}
	},
	[AP_ENTRIES] = {
		"SELECT log_index, transaction_id, leaf_hash FROM foray.log_entries"
		" WHERE log_index OPERATOR(pg_catalog.>=) $1 AND log_index OPERATOR(pg_catalog.<) $2"
		" ORDER BY log_index", 2, {INT8OID, INT8OID}
	},
	[AP_LOCK] = {
		/* rows locked in the order given (log order); a missing one is not returned */
		"SELECT u.n, t.anchored_at IS NULL"
		"  FROM ROWS FROM (pg_catalog.unnest($1)) WITH ORDINALITY AS u(id, n)"
		"  JOIN foray.foray_transactions t ON t.transaction_id OPERATOR(pg_catalog.=) u.id"
		" ORDER BY u.n FOR UPDATE", 1, {TEXTARRAYOID}
	},
	[AP_INSERT] = {
		"INSERT INTO foray.log_anchors (tree_size, root_hash, kaspa_tx_id, block_height,"
		"                               confirmation_time_ms, anchored_at, transactions_anchored)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7)", 7,
		{INT8OID, BYTEAOID, TEXTOID, INT8OID, INT8OID, TIMESTAMPTZOID, INT8OID}
	},
	[AP_INDEX] = {
		"SELECT log_index FROM foray.log_entries WHERE transaction_id OPERATOR(pg_catalog.=) $1",
		1, {TEXTOID}
	},
	[AP_TX_ANCHOR] = {
		"SELECT blockchain_anchor FROM foray.foray_transactions"
		" WHERE transaction_id OPERATOR(pg_catalog.=) $1", 1, {TEXTOID}
	},
	[AP_LATEST_CP] = {
		"SELECT pg_catalog.max(tree_size) FROM foray.log_checkpoints", 0, {0}
	},
};

static SPIPlanPtr plans[AP_COUNT];

/* SPI connected */
static SPIPlanPtr
get_plan(AnchorPlan which)
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

static void
run(AnchorPlan which, Datum *values, bool read_only, long count)
{
	int			rc = SPI_execute_plan(get_plan(which), values, NULL, read_only, count);

	if (rc != SPI_OK_SELECT)
		elog(ERROR, "log anchor statement failed (%s): %s", plan_defs[which].sql,
			 SPI_result_code_string(rc));
}

static Datum
col(int row, int column, bool *isnull)
{
	return SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, column, isnull);
}

/* a text value in the server encoding as UTF-8, compared bytewise */
static bool
same_utf8(text *a, text *b)
{
	size_t		la;
	size_t		lb;
	const char *sa = foray_log_utf8(a, &la);
	const char *sb = foray_log_utf8(b, &lb);

	return la == lb && memcmp(sa, sb, la) == 0;
}

static char *
origin_of(const foray_checkpoint *cp)
{
	char	   *s = pnstrdup(cp->origin, cp->origin_len);

	return pg_any_to_server(s, (int) cp->origin_len, PG_UTF8);
}

/* ---------------------------------------------------------------------
 * foray.record_checkpoint_anchor
 * ---------------------------------------------------------------------
 */

typedef struct CpAnchorArgs
{
	/* in */
	text	   *checkpoint;
	foray_checkpoint cp;
	char	   *origin;
	char		root_text[FORAY_HASH_TEXT_LEN_M + 1];
	char	   *kaspa;
	int64		height;
	int64		confirm_ms;
	TimestampTz at;
	char	   *at_iso;
	/* out */
	MemoryContext caller;
	Jsonb	   *result;
} CpAnchorArgs;

static void
changed_behind(uint64 index, const char *txid, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("transaction \"%s\", entry " UINT64_FORMAT " of the log, %s", txid, index, what),
			 errdetail("Rule TLOG-001: a transaction in the log never changes and is never removed; it was altered behind the substrate's back, and the checkpoint cannot anchor it."),
			 errhint("Run foray.verify() to see every difference; restore the transaction as it was logged.")));
}

/* the result: the checkpoint anchor as stored, and how many it anchored */
static Jsonb *
anchor_result(CpAnchorArgs *a, const char *kaspa, int64 height, int64 confirm_ms,
			  const char *at_iso, int64 anchored)
{
	JsonbParseState *st = NULL;

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	foray_jb_string(&st, "origin", a->origin);
	foray_jb_int(&st, "tree_size", (int64) a->cp.size);
	foray_jb_string(&st, "root", a->root_text);
	foray_anchor_push_chain(&st, kaspa, height, confirm_ms, at_iso);
	foray_jb_int(&st, "transactions_anchored", anchored);
	return JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL));
}

/*
 * One logged transaction, its row locked: its writer lock (waited for, not
 * kept), its envelope from the rows with a new snapshot, which must give
 * the logged leaf (every foray_core hashed again, so a core changed behind
 * the triggers' back is caught even when its stored hash was left), then
 * the anchor as record_anchor records it, naming the log and the
 * checkpoint.
 */
static void
anchor_one(CpAnchorArgs *a, uint64 index, const char *txid, const uint8 leaf[HL])
{
	ForayTx		tx;
	Jsonb	   *envelope;
	text	   *canon;
	uint8		now_leaf[HL];
	JsonbParseState *st = NULL;
	Jsonb	   *anchor;
	Jsonb	   *extra;

	(void) foray_transaction_writers_done(txid, false);
	/* every foray_core hashed again: the rows, not the stored hashes */
	foray_tx_load(txid, FORAY_TX_RECOMPUTE, &tx, NULL, NULL);
	if (!tx.found)
		changed_behind(index, txid, "is missing from foray.foray_transactions");
	if (strcmp(tx.lifecycle, "ready_to_anchor") != 0)
		changed_behind(index, txid, psprintf("is %s, not ready_to_anchor", tx.lifecycle));
	canon = foray_tx_envelope_text(&tx, &envelope);
	foray_log_text_leaf(canon, now_leaf);
	if (memcmp(now_leaf, leaf, HL) != 0)
		changed_behind(index, txid, "no longer has the envelope whose leaf the log holds");

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	foray_anchor_push_chain(&st, a->kaspa, a->height, a->confirm_ms, a->at_iso);
	foray_jb_string(&st, "log_origin", a->origin);
	foray_jb_int(&st, "log_tree_size", (int64) a->cp.size);
	foray_jb_string(&st, "log_root", a->root_text);
	foray_jb_int(&st, "log_index", (int64) index);
	anchor = JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL));
	st = NULL;
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	foray_jb_string(&st, "checkpoint", text_to_cstring(a->checkpoint));
	extra = JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL));
	foray_store_anchor(&tx, anchor, a->at, envelope, extra);
}

/*
 * A batch of entries (their indices, names and leaves, in log order): lock
 * the rows of their transactions in that order, then anchor those not
 * anchored yet.  Returns how many it anchored.
 */
static int64
anchor_batch(CpAnchorArgs *a, int n, const uint64 *index, Datum *names, const uint8 *leaves,
			 MemoryContext per_tx)
{
	Datum		v[1];
	bool	   *found = palloc0(sizeof(bool) * n);
	bool	   *open = palloc0(sizeof(bool) * n);
	int64		anchored = 0;
	int			i;

	v[0] = PointerGetDatum(construct_array(names, n, TEXTOID, -1, false, TYPALIGN_INT));
	run(AP_LOCK, v, false, 0);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		bool		isnull;
		int64		k = DatumGetInt64(col((int) r, 1, &isnull)) - 1;

		found[k] = true;
		open[k] = DatumGetBool(col((int) r, 2, &isnull));
	}
	SPI_freetuptable(SPI_tuptable);
	for (i = 0; i < n; i++)
	{
		MemoryContext old;

		if (!found[i])
			changed_behind(index[i], TextDatumGetCString(names[i]),
						   "is missing from foray.foray_transactions");
		if (!open[i])
			continue;			/* anchored alone, or by an earlier checkpoint */
		old = MemoryContextSwitchTo(per_tx);
		anchor_one(a, index[i], TextDatumGetCString(names[i]), leaves + (size_t) i * HL);
		MemoryContextSwitchTo(old);
		MemoryContextReset(per_tx);
		anchored++;
	}
	foray_flush_events();
	return anchored;
}

static void
record_checkpoint_anchor_body(void *arg)
{
	CpAnchorArgs *a = arg;
	Datum		v[7];
	bool		isnull;
	uint64		size;
	uint8		root[HL];
	uint64		lo = 0;
	int64		anchored = 0;
	Portal		portal;
	MemoryContext batch;
	MemoryContext per_tx;
	uint64	   *index = palloc(sizeof(uint64) * ANCHOR_BATCH);
	Datum	   *names = palloc(sizeof(Datum) * ANCHOR_BATCH);
	uint8	   *leaves = palloc((size_t) ANCHOR_BATCH * HL);

	foray_log_lock(FORAY_LOG_LOCK_ANCHOR);

	/* a checkpoint the log issued, as it issued it */
	v[0] = Int64GetDatum((int64) a->cp.size);
	run(AP_CHECKPOINT, v, false, 1);
	if (SPI_processed == 0 || !same_utf8(DatumGetTextPP(col(0, 1, &isnull)), a->checkpoint))
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_LOG_ANCHOR),
				 errmsg("checkpoint is not one this log issued: no checkpoint of " UINT64_FORMAT " entries with that text is stored",
						a->cp.size),
				 errdetail("Rule TLOG-ANCHOR: a checkpoint anchor is recorded for a checkpoint foray.log_checkpoint() took, given exactly as it returned it (origin, size and root lines; no signature lines).")));

	/* anchored before: the same chain transaction again is a no-op */
	run(AP_ANCHOR, v, false, 1);
	if (SPI_processed > 0)
	{
		char	   *had = TextDatumGetCString(col(0, 1, &isnull));
		MemoryContext old;

		if (strcmp(had, a->kaspa) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_NOT_READY),
					 errmsg("the checkpoint of " UINT64_FORMAT " entries is already anchored in %s",
							a->cp.size, had),
					 errdetail("Rule ANCHOR-ONCE: a checkpoint's anchor is recorded once.")));
		old = MemoryContextSwitchTo(a->caller);
		a->result = anchor_result(a, had, DatumGetInt64(col(0, 2, &isnull)),
								  DatumGetInt64(col(0, 3, &isnull)),
								  foray_anchor_time(DatumGetTimestampTz(col(0, 4, &isnull))),
								  DatumGetInt64(col(0, 5, &isnull)));
		MemoryContextSwitchTo(old);
		return;
	}

	/* the log still has that root at that size (nothing removed or rewritten) */
	size = foray_log_stored_size(false);
	if (size < a->cp.size)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("the log has " UINT64_FORMAT " entries, fewer than its stored checkpoint of " UINT64_FORMAT,
						size, a->cp.size),
				 errdetail("Rule TLOG-001: entries are never removed; the log was truncated.")));
	foray_log_root_of(a->cp.size, root, false);
	if (memcmp(root, a->cp.root, HL) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("the log's first " UINT64_FORMAT " entries no longer have the root of their checkpoint",
						a->cp.size),
				 errdetail("Rule TLOG-001: entries are never changed; the log was rewritten.")));

	/* the entries not covered by an anchored checkpoint already */
	run(AP_BELOW, v, false, 1);
	if (SPI_processed > 0)
	{
		Datum		d = col(0, 1, &isnull);

		if (!isnull)
			lo = (uint64) DatumGetInt64(d);
	}
	v[0] = Int64GetDatum((int64) lo);
	v[1] = Int64GetDatum((int64) a->cp.size);
	portal = SPI_cursor_open(NULL, get_plan(AP_ENTRIES), v, NULL, false);
	if (portal == NULL)
		elog(ERROR, "could not list the log's entries: %s", SPI_result_code_string(SPI_result));
	batch = AllocSetContextCreate(CurrentMemoryContext, "foray checkpoint anchor batch",
								  ALLOCSET_DEFAULT_SIZES);
	per_tx = AllocSetContextCreate(CurrentMemoryContext, "foray checkpoint anchor transaction",
								   ALLOCSET_DEFAULT_SIZES);
	for (;;)
	{
		SPITupleTable *tt;
		int			n;
		MemoryContext old;

		SPI_cursor_fetch(portal, true, ANCHOR_BATCH);
		tt = SPI_tuptable;
		n = (int) SPI_processed;
		if (n == 0)
			break;
		old = MemoryContextSwitchTo(batch);
		for (int i = 0; i < n; i++)
		{
			bytea	   *leaf;

			index[i] = (uint64) DatumGetInt64(SPI_getbinval(tt->vals[i], tt->tupdesc, 1, &isnull));
			names[i] = PointerGetDatum(DatumGetTextPCopy(SPI_getbinval(tt->vals[i], tt->tupdesc, 2, &isnull)));
			leaf = DatumGetByteaPP(SPI_getbinval(tt->vals[i], tt->tupdesc, 3, &isnull));
			if (VARSIZE_ANY_EXHDR(leaf) != HL)
				changed_behind(index[i], TextDatumGetCString(names[i]),
							   "has no 32-byte leaf hash in the log");
			memcpy(leaves + (size_t) i * HL, VARDATA_ANY(leaf), HL);
		}
		SPI_freetuptable(tt);
		anchored += anchor_batch(a, n, index, names, leaves, per_tx);
		MemoryContextSwitchTo(old);
		MemoryContextReset(batch);
		CHECK_FOR_INTERRUPTS();
	}
	SPI_cursor_close(portal);

	v[0] = Int64GetDatum((int64) a->cp.size);
	{
		bytea	   *r = palloc(VARHDRSZ + HL);

		SET_VARSIZE(r, VARHDRSZ + HL);
		memcpy(VARDATA(r), a->cp.root, HL);
		v[1] = PointerGetDatum(r);
	}
	v[2] = CStringGetTextDatum(a->kaspa);
	v[3] = Int64GetDatum(a->height);
	v[4] = Int64GetDatum(a->confirm_ms);
	v[5] = TimestampTzGetDatum(a->at);
	v[6] = Int64GetDatum(anchored);
	foray_log_execute_write(get_plan(AP_INSERT), v, SPI_OK_INSERT);
	{
		MemoryContext old = MemoryContextSwitchTo(a->caller);

		a->result = anchor_result(a, a->kaspa, a->height, a->confirm_ms, a->at_iso, anchored);
		MemoryContextSwitchTo(old);
	}
	MemoryContextDelete(batch);
	MemoryContextDelete(per_tx);
}

/*
 * foray.record_checkpoint_anchor(checkpoint text, kaspa_tx_id text,
 *		block_height bigint, confirmation_time_ms bigint,
 *		anchored_at timestamptz) RETURNS jsonb
 */
Datum
foray_record_checkpoint_anchor(PG_FUNCTION_ARGS)
{
	CpAnchorArgs a;
	size_t		len;
	const char *s;
	const char *why;

	memset(&a, 0, sizeof(a));
	a.checkpoint = PG_GETARG_TEXT_PP(0);
	a.kaspa = text_to_cstring(PG_GETARG_TEXT_PP(1));
	a.height = PG_GETARG_INT64(2);
	a.confirm_ms = PG_GETARG_INT64(3);
	a.at = PG_GETARG_TIMESTAMPTZ(4);
	a.caller = CurrentMemoryContext;

	s = foray_log_utf8(a.checkpoint, &len);
	if (foray_checkpoint_parse(s, len, &a.cp, &why) != FORAY_NOTE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_LOG_BAD_CHECKPOINT),
				 errmsg("checkpoint is not a checkpoint: %s", why),
				 errdetail("Rule TLOG-CHECKPOINT: a checkpoint is \"<origin>\\n<tree size>\\n<base64 of the 32-byte root>\\n\" (C2SP tlog-checkpoint).")));
	if (a.cp.size == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_LOG_BAD_ARGUMENT),
				 errmsg("the checkpoint of the empty log anchors nothing"),
				 errdetail("Rule TLOG-SIZE: a checkpoint anchor covers at least one entry.")));
	if (a.cp.size > (uint64) PG_INT64_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_LOG_BAD_ARGUMENT),
				 errmsg("checkpoint size " UINT64_FORMAT " is beyond any log", a.cp.size)));
	a.origin = origin_of(&a.cp);
	foray_hash_to_text(a.cp.root, a.root_text);
	a.at_iso = foray_anchor_check_args(psprintf("the checkpoint of " UINT64_FORMAT " entries", a.cp.size),
									   a.kaspa, a.height, a.confirm_ms, a.at);
	foray_log_run(record_checkpoint_anchor_body, &a);
	PG_RETURN_JSONB_P(a.result);
}

/* ---------------------------------------------------------------------
 * foray.log_index
 * ---------------------------------------------------------------------
 */

typedef struct IndexArgs
{
	text	   *txid;
	bool		found;
	int64		index;
} IndexArgs;

static void
index_body(void *arg)
{
	IndexArgs  *x = arg;
	Datum		v[1] = {PointerGetDatum(x->txid)};
	bool		isnull;

	run(AP_INDEX, v, true, 1);
	x->found = SPI_processed > 0;
	if (x->found)
		x->index = DatumGetInt64(col(0, 1, &isnull));
}

/* foray.log_index(tx text) RETURNS bigint */
Datum
foray_log_index(PG_FUNCTION_ARGS)
{
	IndexArgs	x;

	x.txid = PG_GETARG_TEXT_PP(0);
	x.found = false;
	foray_log_run(index_body, &x);
	if (!x.found)
		PG_RETURN_NULL();
	PG_RETURN_INT64(x.index);
}

/* ---------------------------------------------------------------------
 * foray.proof_chain
 * ---------------------------------------------------------------------
 */

typedef struct ChainArgs
{
	/* in */
	text	   *txid;
	bool		size_given;
	int64		size;
	MemoryContext caller;
	/* out, in caller */
	bool		logged;
	int64		index;
	Jsonb	   *tx_anchor;		/* blockchain_anchor, NULL when not anchored */
	bool		use_log;
	int64		tree_size;
	text	   *checkpoint;
	Jsonb	   *anchor;			/* the checkpoint's chain anchor, or NULL */
} ChainArgs;

static Jsonb *
copy_jsonb(MemoryContext cxt, Jsonb *j)
{
	Jsonb	   *c = MemoryContextAlloc(cxt, VARSIZE(j));

	memcpy(c, j, VARSIZE(j));
	return c;
}

/* the size the chain goes through: given, the anchoring one, or the latest */
static void
chain_size(ChainArgs *c)
{
	JsonbValue *v = NULL;
	bool		isnull;

	if (c->size_given)
	{
		c->tree_size = c->size;
		return;
	}
	if (c->tx_anchor != NULL && JB_ROOT_IS_OBJECT(c->tx_anchor))
		v = getKeyJsonValueFromContainer(&c->tx_anchor->root, "log_tree_size", 13, NULL);
	if (v != NULL && v->type == jbvNumeric)
	{
		c->tree_size = DatumGetInt64(DirectFunctionCall1(numeric_int8, NumericGetDatum(v->val.numeric)));
		return;
	}
	c->tree_size = -1;
	run(AP_LATEST_CP, NULL, true, 1);
	if (SPI_processed > 0)
	{
		Datum		d = col(0, 1, &isnull);

		if (!isnull)
			c->tree_size = DatumGetInt64(d);
	}
}

static void
chain_body(void *arg)
{
	ChainArgs  *c = arg;
	Datum		v[1];
	bool		isnull;

	v[0] = PointerGetDatum(c->txid);
	run(AP_TX_ANCHOR, v, true, 1);
	if (SPI_processed > 0)
	{
		Datum		d = col(0, 1, &isnull);

		if (!isnull)
			c->tx_anchor = copy_jsonb(c->caller, DatumGetJsonbP(d));
	}
	run(AP_INDEX, v, true, 1);
	c->logged = SPI_processed > 0;
	if (c->logged)
		c->index = DatumGetInt64(col(0, 1, &isnull));

	/* anchored alone, no size asked: its own anchor ends the chain */
	c->use_log = c->size_given ||
		(c->logged && (c->tx_anchor == NULL ||
					   getKeyJsonValueFromContainer(&c->tx_anchor->root, "log_tree_size", 13, NULL) != NULL));
	if (!c->use_log)
	{
		if (c->tx_anchor == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_LOG_UNKNOWN_ENTRY),
					 errmsg("transaction \"%s\" is neither anchored nor in the log", text_to_cstring(c->txid)),
					 errdetail("Rule TLOG-CHAIN: a proof chain ends in an anchor: the transaction's own, or a checkpoint's."),
					 errhint("Commit it with foray.log_append_ready() or foray.log_append().")));
		return;
	}
	if (!c->logged)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_LOG_UNKNOWN_ENTRY),
				 errmsg("transaction \"%s\" is not in the log", text_to_cstring(c->txid)),
				 errhint("Commit it with foray.log_append_ready() or foray.log_append().")));
	chain_size(c);
	if (c->tree_size < 0 || c->tree_size <= c->index)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_LOG_NO_CHECKPOINT),
				 c->size_given ?
				 errmsg("entry " INT64_FORMAT " of transaction \"%s\" is not in the checkpoint of " INT64_FORMAT " entries",
						c->index, text_to_cstring(c->txid), c->tree_size) :
				 errmsg("no stored checkpoint covers entry " INT64_FORMAT " of transaction \"%s\"",
						c->index, text_to_cstring(c->txid)),
				 errdetail("Rule TLOG-CHAIN: a proof chain goes through a stored checkpoint whose tree holds the entry."),
				 errhint("Take one with foray.log_checkpoint().")));
	v[0] = Int64GetDatum(c->tree_size);
	run(AP_CHECKPOINT, v, true, 1);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_LOG_NO_CHECKPOINT),
				 errmsg("no checkpoint of " INT64_FORMAT " entries is stored", c->tree_size),
				 errdetail("Rule TLOG-CHAIN: a proof chain goes through a stored checkpoint whose tree holds the entry.")));
	{
		text	   *t = DatumGetTextPP(col(0, 1, &isnull));

		c->checkpoint = (text *) MemoryContextAlloc(c->caller, VARSIZE_ANY(t));
		memcpy(c->checkpoint, t, VARSIZE_ANY(t));
	}
	run(AP_ANCHOR, v, true, 1);
	if (SPI_processed > 0)
	{
		JsonbParseState *st = NULL;
		MemoryContext old = MemoryContextSwitchTo(c->caller);
		char	   *kaspa = TextDatumGetCString(col(0, 1, &isnull));

		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		foray_anchor_push_chain(&st, kaspa, DatumGetInt64(col(0, 2, &isnull)),
								DatumGetInt64(col(0, 3, &isnull)),
								foray_anchor_time(DatumGetTimestampTz(col(0, 4, &isnull))));
		c->anchor = JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL));
		MemoryContextSwitchTo(old);
	}
}

static void
push_jsonb(JsonbParseState **st, const char *key, Jsonb *j)
{
	JsonbValue	v;

	foray_jb_key(st, key);
	if (j == NULL)
	{
		v.type = jbvNull;
		pushJsonbValue(st, WJB_VALUE, &v);
		return;
	}
	v.type = jbvBinary;
	v.val.binary.data = &j->root;
	v.val.binary.len = VARSIZE(j) - VARHDRSZ;
	pushJsonbValue(st, WJB_VALUE, &v);
}

/* foray.proof_chain(tx text, subject_id text, tree_size bigint) RETURNS jsonb */
Datum
foray_proof_chain(PG_FUNCTION_ARGS)
{
	ChainArgs	c;
	Datum		component;
	Datum		envelope;
	Jsonb	   *log_proof = NULL;
	JsonbParseState *st = NULL;
	JsonbValue	null_value;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	memset(&c, 0, sizeof(c));
	c.txid = PG_GETARG_TEXT_PP(0);
	c.size_given = !PG_ARGISNULL(2);
	if (c.size_given)
		c.size = (int64) foray_log_size_arg(PG_GETARG_INT64(2), "tree_size");
	c.caller = CurrentMemoryContext;

	/* component -> merkle_root, merkle_root -> envelope: as the caller */
	component = DirectFunctionCall2(foray_inclusion_proof, PointerGetDatum(c.txid),
									PG_GETARG_DATUM(1));
	envelope = DirectFunctionCall1(foray_anchor_envelope, PointerGetDatum(c.txid));
	/* envelope -> checkpoint -> anchor: the log, read as the owner */
	foray_log_run(chain_body, &c);
	if (c.use_log)
		log_proof = DatumGetJsonbP(DirectFunctionCall2(foray_log_inclusion_proof_tx,
													   PointerGetDatum(c.txid),
													   Int64GetDatum(c.tree_size)));

	null_value.type = jbvNull;
	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	foray_jb_string(&st, "transaction_id", text_to_cstring(c.txid));
	foray_jb_string(&st, "subject_id", TextDatumGetCString(PG_GETARG_DATUM(1)));
	push_jsonb(&st, "component", DatumGetJsonbP(component));
	push_jsonb(&st, "envelope", DatumGetJsonbP(envelope));
	push_jsonb(&st, "log", log_proof);
	foray_jb_key(&st, "checkpoint");
	if (c.use_log)
	{
		JsonbValue	v;

		v.type = jbvString;
		v.val.string.val = text_to_cstring(c.checkpoint);
		v.val.string.len = strlen(v.val.string.val);
		pushJsonbValue(&st, WJB_VALUE, &v);
	}
	else
		pushJsonbValue(&st, WJB_VALUE, &null_value);
	push_jsonb(&st, "anchor", c.use_log ? c.anchor : c.tx_anchor);
	PG_RETURN_JSONB_P(JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL)));
}
