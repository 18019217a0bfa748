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
#include "utils/numeric.h"

#include "log.h"
#include "substrate.h"
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
	bool		single;			/* verify(tx): one transaction */
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

	f->transaction_id = dup_or_null(c->cxt, c->transaction_id);
	f->component_id = dup_or_null(c->cxt, component_id);
	f->field = pstrdup(field);
	f->stored = dup_or_null(c->cxt, stored);
	f->recomputed = dup_or_null(c->cxt, recomputed);
	c->findings = lappend(c->findings, f);
	MemoryContextSwitchTo(old);
}

/* a finding of the log's checks, which name the transaction (or none) */
static void
collect_log(void *arg, const char *transaction_id, const char *field, const char *stored,
			const char *recomputed)
{
	Collector  *c = (Collector *) arg;
	const char *had = c->transaction_id;

	c->transaction_id = transaction_id;
	collect(c, NULL, field, stored, recomputed);
	c->transaction_id = had;
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

/* a text field of a jsonb object (numbers as their text), NULL when absent */
static char *
field_text(Jsonb *jb, const char *key)
{
	JsonbValue *v;

	if (jb == NULL || !JB_ROOT_IS_OBJECT(jb))
		return NULL;
	v = getKeyJsonValueFromContainer(&jb->root, key, strlen(key), NULL);
	if (v == NULL || v->type == jbvNull)
		return NULL;
	if (v->type == jbvString)
		return pnstrdup(v->val.string.val, v->val.string.len);
	if (v->type == jbvNumeric)
		return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
	return pstrdup("(not a string or number)");
}

static Jsonb *
field_object(Jsonb *jb, const char *key)
{
	JsonbValue *v;

	if (jb == NULL || !JB_ROOT_IS_OBJECT(jb))
		return NULL;
	v = getKeyJsonValueFromContainer(&jb->root, key, strlen(key), NULL);
	if (v == NULL || v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
		return NULL;
	return JsonbValueToJsonb(v);
}

/* a difference between what the rows say and what was recorded */
static void
differ(Collector *c, const char *field, const char *rows, const char *recorded)
{
	if (rows == NULL ? recorded != NULL : (recorded == NULL || strcmp(rows, recorded) != 0))
		collect(c, NULL, field, rows, recorded);
}

/*
 * An anchored (or sealed) transaction against its TRANSACTION_ANCHORED
 * event in the append-only log: the stored root and anchor record must be
 * what the event recorded, and the envelope recomputed from the rows (the
 * transaction's own fields, the hashes computed from its members) must be
 * the envelope the event says was anchored (events of 0.5.0 and later carry
 * it; 0.4.0's carry the root and the anchor record only).  Findings name
 * the field, with the rows' value as "stored" and the event's as
 * "recomputed".
 */
static void
check_anchor_event(Collector *c, ForayTx *tx)
{
	static SPIPlanPtr plan = NULL;
	Datum		values[1];
	int			rc;
	Jsonb	   *payload = NULL;
	uint64		nevents;
	ForayOwnerWrite ow;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (plan == NULL)
	{
		Oid			types[1] = {TEXTOID};
		SPIPlanPtr	p = SPI_prepare("SELECT payload FROM foray.memory_events"
									" WHERE transaction_id OPERATOR(pg_catalog.=) $1"
									"   AND event_kind OPERATOR(pg_catalog.=) 'TRANSACTION_ANCHORED'"
									" ORDER BY event_id", 1, types);

		if (p == NULL || SPI_keepplan(p) != 0)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		plan = p;
	}
	values[0] = CStringGetTextDatum(tx->transaction_id);
	/* the log is read as the substrate's owner: any role that may verify, may */
	foray_begin_owner_write(&ow);
	PG_TRY();
	{
		rc = SPI_execute_plan(plan, values, NULL, true, 0);
	}
	PG_FINALLY();
	{
		foray_end_owner_write(&ow);
	}
	PG_END_TRY();
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "event lookup failed: %s", SPI_result_code_string(rc));
	nevents = SPI_processed;
	if (nevents > 0)
	{
		bool		isnull;
		Datum		d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
		{
			Jsonb	   *jb = DatumGetJsonbP(d);
			MemoryContext old = MemoryContextSwitchTo(c->cxt);

			payload = palloc(VARSIZE(jb));
			memcpy(payload, jb, VARSIZE(jb));
			MemoryContextSwitchTo(old);
		}
	}
	SPI_finish();

	if (nevents == 0)
	{
		collect(c, NULL, "TRANSACTION_ANCHORED", NULL, "no such event in foray.memory_events");
		return;
	}
	if (nevents > 1)
		collect(c, NULL, "TRANSACTION_ANCHORED", psprintf("%llu events", (unsigned long long) nevents),
				"1 event");

	differ(c, "event.merkle_root", tx->stored_merkle_root, field_text(payload, "merkle_root"));
	{
		static const char *const anchor_keys[] = {"kaspa_tx_id", "block_height",
			"confirmation_time_ms", "anchored_at", "log_origin", "log_tree_size", "log_root",
		"log_index", NULL};

		for (int i = 0; anchor_keys[i] != NULL; i++)
			differ(c, psprintf("event.blockchain_anchor.%s", anchor_keys[i]),
				   field_text(tx->blockchain_anchor, anchor_keys[i]),
				   field_text(payload, anchor_keys[i]));
	}

	/* the anchored envelope against the one the rows give now */
	{
		Jsonb	   *env = field_object(payload, "envelope");
		char		h[FORAY_HASH_TEXT_LEN_M + 1];

		if (env == NULL)
		{
			if (field_text(payload, "commitment_scheme") != NULL)
				collect(c, NULL, "event.envelope", NULL, "missing from the event");
			return;				/* an event of 0.4.0: no envelope recorded */
		}
		differ(c, "envelope.transaction_id", tx->transaction_id, field_text(env, "transaction_id"));
		differ(c, "envelope.schema_version", tx->schema_version, field_text(env, "schema_version"));
		differ(c, "envelope.timestamp", tx->document_timestamp, field_text(env, "timestamp"));
		differ(c, "envelope.commitment_scheme",
			   tx->scheme == FORAY_COMMIT_SCHEME_1 ? NULL : psprintf("%d", tx->scheme),
			   field_text(env, "commitment_scheme"));
		foray_hash_to_text(tx->foray_core_hash, h);
		differ(c, "envelope.foray_core_hash", h, field_text(env, "foray_core_hash"));
		foray_hash_to_text(tx->audit_data_hash, h);
		differ(c, "envelope.audit_data_hash", h, field_text(env, "audit_data_hash"));
		foray_hash_to_text(tx->merkle_root, h);
		differ(c, "envelope.merkle_root", h, field_text(env, "merkle_root"));
	}
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
	if (anchored)
		check_anchor_event(c, tx);
	/* its entry in the log, a checkpoint anchor's record (docs/log.md) */
	foray_log_check_tx(tx, c->single, collect_log, c);
}

static void
check_one(Collector *c)
{
	ForayTx		tx;

	foray_tx_load(c->transaction_id, FORAY_TX_RECOMPUTE, &tx, collect, c);
	foray_tx_require(&tx);
	check_transaction(c, &tx);
}

static void
check_log(Collector *c)
{
	foray_log_check_all(collect_log, c);
}

/*
 * Run a check inside a subtransaction (one transaction's, txid, or the
 * log's, NULL); an error becomes a finding "error" (the log's: "log.error").
 */
static void
verify_one(void (*check) (Collector *c), const char *txid, Collector *c, MemoryContext txcxt)
{
	MemoryContext oldcxt = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;

	c->transaction_id = txid;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(txcxt);
	PG_TRY();
	{
		check(c);
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
		collect(c, NULL, txid ? "error" : "log.error", NULL, edata->message);
	}
	PG_END_TRY();
	MemoryContextReset(txcxt);
}

/* the findings collected so far as rows of the result */
static void
emit(Collector *c, Tuplestorestate *store, TupleDesc desc, MemoryContext per_query)
{
	ListCell   *fc;

	foreach(fc, c->findings)
	{
		Finding    *f = (Finding *) lfirst(fc);
		const char *cols[5] = {f->transaction_id, f->component_id, f->field, f->stored,
		f->recomputed};
		Datum		values[5];
		bool		nulls[5];
		MemoryContext old;

		for (int i = 0; i < 5; i++)
		{
			nulls[i] = cols[i] == NULL;
			values[i] = nulls[i] ? (Datum) 0 : CStringGetTextDatum(cols[i]);
		}
		old = MemoryContextSwitchTo(per_query);
		tuplestore_putvalues(store, desc, values, nulls);
		MemoryContextSwitchTo(old);
	}
	c->findings = NIL;
	MemoryContextReset(c->cxt);
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
	c.single = !PG_ARGISNULL(0);
	c.cxt = AllocSetContextCreate(CurrentMemoryContext, "foray verify findings",
								  ALLOCSET_DEFAULT_SIZES);
	txcxt = AllocSetContextCreate(CurrentMemoryContext, "foray verify transaction",
								  ALLOCSET_DEFAULT_SIZES);
	foreach(lc, ids)
	{
		CHECK_FOR_INTERRUPTS();
		verify_one(check_one, (const char *) lfirst(lc), &c, txcxt);
		emit(&c, store, desc, per_query);
	}
	/* all of them: the log as a whole too */
	if (!c.single)
	{
		verify_one(check_log, NULL, &c, txcxt);
		emit(&c, store, desc, per_query);
	}
	MemoryContextDelete(txcxt);
	MemoryContextDelete(c.cxt);

	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = store;
	rsinfo->setDesc = desc;
	return (Datum) 0;
}
