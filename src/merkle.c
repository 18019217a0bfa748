/*
 * merkle.c
 *		What a FORAY transaction commits to, computed from its rows
 *		(docs/merkle.md has the definition, precisely enough to
 *		reimplement):
 *
 *		component hash	SHA-256 of the canonical (RFC 8785) foray_core of a
 *						component or attestation (the stored component_hash /
 *						attestation_hash, kept in step by the triggers)
 *		component_hashes.<tree>
 *						RFC 9162 MTH over the tree's components ordered by id
 *						(bytewise), leaf data = the 32 raw bytes of each
 *						component hash
 *		foray_core_hash	SHA-256 of the canonical transaction foray_core
 *		audit_data_hash	MTH over: the audit_data_anchor without its
 *						audit_data_hash key, then every component's and
 *						attestation's audit_data (tree order, id order);
 *						leaf data = SHA-256 of the canonical value (JSON null
 *						when absent)
 *		merkle_root		MTH over seven leaves: foray_core_hash, arrangements,
 *						accruals, anticipations, actions, attestations,
 *						audit_data_hash (leaf data = the 32 raw bytes)
 *
 * Also the SQL functions transaction_hashes(), merkle_tree_hash() and
 * merkle_leaf_hash().
 */
#include "compat.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "canonical.h"
#include "txhash.h"

PG_FUNCTION_INFO_V1(foray_transaction_hashes);
PG_FUNCTION_INFO_V1(foray_merkle_tree_hash);
PG_FUNCTION_INFO_V1(foray_merkle_leaf_hash_sql);

const char *const foray_tree_names[FORAY_NTREES] = {
	"arrangements", "accruals", "anticipations", "actions", "attestations"
};

static const char *const top_leaf_names[FORAY_TOP_LEAVES] = {
	"foray_core_hash", "arrangements", "accruals", "anticipations", "actions",
	"attestations", "audit_data_hash"
};

/* rows fetched per round trip of the component cursors */
#define FETCH_BATCH 10000

/* ---------------------------------------------------------------------
 * Hash text and the process-wide hasher
 * ---------------------------------------------------------------------
 */

static foray_hasher *backend_hasher = NULL;

/*
 * One hasher for the life of the backend: made once, never freed, so no
 * error path can leak it.
 */
foray_hasher *
foray_backend_hasher(void)
{
	if (backend_hasher == NULL)
	{
		backend_hasher = foray_hasher_new();
		if (backend_hasher == NULL)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("could not set up sha-256")));
	}
	return backend_hasher;
}

static void
merkle_check(int rc)
{
	if (rc == FORAY_MERKLE_NOMEM)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory in merkle tree computation")));
	if (rc != FORAY_MERKLE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("merkle tree computation failed: %s",
						foray_merkle_strerror(rc))));
}

void
foray_hash_to_text(const uint8 *raw, char *out)
{
	static const char hex[] = "0123456789abcdef";
	int			i;

	memcpy(out, "sha256:", 7);
	for (i = 0; i < FORAY_MERKLE_HASH_LEN; i++)
	{
		out[7 + 2 * i] = hex[raw[i] >> 4];
		out[8 + 2 * i] = hex[raw[i] & 0x0f];
	}
	out[FORAY_HASH_TEXT_LEN_M] = '\0';
}

/* hex digit values; -1 for anything but 0-9 a-f */
static const int8 hexval[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7,
	['7'] = 8, ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13,
	['d'] = 14, ['e'] = 15, ['f'] = 16
};								/* value + 1, so that 0 means "not a digit" */

/* exactly "sha256:" + 64 lower-case hex digits */
bool
foray_hash_from_text(const char *text, uint8 *raw)
{
	int			i;

	if (text == NULL || strncmp(text, "sha256:", 7) != 0 ||
		strnlen(text, FORAY_HASH_TEXT_LEN_M + 1) != FORAY_HASH_TEXT_LEN_M)
		return false;
	for (i = 0; i < FORAY_MERKLE_HASH_LEN; i++)
	{
		int			hi = hexval[(unsigned char) text[7 + 2 * i]];
		int			lo = hexval[(unsigned char) text[8 + 2 * i]];

		if (hi == 0 || lo == 0)
			return false;
		raw[i] = (uint8) (((hi - 1) << 4) | (lo - 1));
	}
	return true;
}

void
foray_hash_from_text_or_error(const char *text, uint8 *raw, const char *what)
{
	if (!foray_hash_from_text(text, raw))
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_BAD_HASH_TEXT),
				 errmsg("%s is not a sha-256 hash: \"%s\"", what, text ? text : "(null)"),
				 errdetail("Rule HASH-TEXT: hashes are written \"sha256:\" followed by 64 lower-case hexadecimal digits.")));
}

/* ---------------------------------------------------------------------
 * jsonb builders
 * ---------------------------------------------------------------------
 */

void
foray_jb_key(JsonbParseState **st, const char *key)
{
	JsonbValue	k;

	/* pushJsonbValue keeps pointers: copy, the callers reuse buffers */
	k.type = jbvString;
	k.val.string.val = pstrdup(key);
	k.val.string.len = strlen(key);
	pushJsonbValue(st, WJB_KEY, &k);
}

void
foray_jb_string(JsonbParseState **st, const char *key, const char *val)
{
	JsonbValue	v;

	foray_jb_key(st, key);
	if (val == NULL)
		v.type = jbvNull;
	else
	{
		v.type = jbvString;
		v.val.string.val = pstrdup(val);
		v.val.string.len = strlen(val);
	}
	pushJsonbValue(st, WJB_VALUE, &v);
}

void
foray_jb_int(JsonbParseState **st, const char *key, int64 val)
{
	JsonbValue	v;

	foray_jb_key(st, key);
	v.type = jbvNumeric;
	v.val.numeric = DatumGetNumeric(DirectFunctionCall1(int8_numeric, Int64GetDatum(val)));
	pushJsonbValue(st, WJB_VALUE, &v);
}

Jsonb *
foray_component_hashes_jsonb(const ForayTx *tx)
{
	JsonbParseState *st = NULL;
	JsonbValue *res;
	int			t;

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	for (t = 0; t < FORAY_NTREES; t++)
	{
		char		h[FORAY_HASH_TEXT_LEN_M + 1];

		foray_hash_to_text(tx->tree_root[t], h);
		foray_jb_string(&st, foray_tree_names[t], h);
	}
	res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(res);
}

/* ---------------------------------------------------------------------
 * Loading a transaction
 * ---------------------------------------------------------------------
 */

static SPIPlanPtr plan_tx = NULL;
static SPIPlanPtr plan_tx_lock = NULL;
static SPIPlanPtr plan_components = NULL;
static SPIPlanPtr plan_attestations = NULL;

#define TX_COLUMNS \
	"SELECT lifecycle::pg_catalog.text, schema_version, document_timestamp, foray_core, " \
	"       audit_data_anchor OPERATOR(pg_catalog.-) 'audit_data_hash'::pg_catalog.text, " \
	"       foray_core_hash, audit_data_hash, merkle_root, component_hashes, " \
	"       blockchain_anchor, sealed_archive_ref, " \
	"       audit_data_anchor OPERATOR(pg_catalog.->>) 'audit_data_hash'::pg_catalog.text " \
	"  FROM foray.foray_transactions " \
	" WHERE transaction_id OPERATOR(pg_catalog.=) $1"

static SPIPlanPtr
keep_plan(const char *sql, int nargs, Oid *argtypes)
{
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, argtypes);

	if (plan == NULL)
		elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "SPI_keepplan failed");
	return plan;
}

static void
prepare_plans(void)
{
	Oid			args[2] = {TEXTOID, BOOLOID};

	if (plan_tx != NULL)
		return;
	plan_components = keep_plan(
								"SELECT component_id, component_type::pg_catalog.text, component_hash, "
								"       CASE WHEN $2 OR component_hash IS NULL THEN foray_core END, "
								"       audit_data "
								"  FROM foray.foray_components "
								" WHERE transaction_id OPERATOR(pg_catalog.=) $1", 2, args);
	plan_attestations = keep_plan(
								  "SELECT attestation_id, 'ATT'::pg_catalog.text, attestation_hash, "
								  "       CASE WHEN $2 OR attestation_hash IS NULL THEN foray_core END, "
								  "       audit_data "
								  "  FROM foray.foray_attestations "
								  " WHERE transaction_id OPERATOR(pg_catalog.=) $1", 2, args);
	plan_tx_lock = keep_plan(TX_COLUMNS " FOR UPDATE", 1, args);
	plan_tx = keep_plan(TX_COLUMNS, 1, args);
}

static char *
getstr(HeapTuple tup, TupleDesc desc, int col, MemoryContext into)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);

	if (isnull)
		return NULL;
	return MemoryContextStrdup(into, TextDatumGetCString(d));
}

static Jsonb *
getjsonb(HeapTuple tup, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tup, desc, col, &isnull);

	if (isnull)
		return NULL;
	return DatumGetJsonbP(d);
}

/* SHA-256 of the canonical form; of the JSON text "null" when absent */
static void
hash_value(Jsonb *jb, const char *context, uint8 *out)
{
	if (jb == NULL)
		merkle_check(foray_sha256(foray_backend_hasher(), (const uint8 *) "null", 4, out));
	else
		foray_hash_jsonb_raw(jb, true, context, out);
}

static int
tree_of(const char *type)
{
	if (strcmp(type, "ARR") == 0)
		return FORAY_TREE_ARR;
	if (strcmp(type, "ACC") == 0)
		return FORAY_TREE_ACC;
	if (strcmp(type, "ANT") == 0)
		return FORAY_TREE_ANT;
	if (strcmp(type, "ACT") == 0)
		return FORAY_TREE_ACT;
	if (strcmp(type, "ATT") == 0)
		return FORAY_TREE_ATT;
	elog(ERROR, "unknown component type \"%s\"", type);
	return -1;					/* keep the compiler quiet */
}

/* the type code of a row ("ARR", ...) as a tree number */
static int
tree_of_text(text *t)
{
	char		buf[4];
	int			len = VARSIZE_ANY_EXHDR(t);

	if (len != 3)
		elog(ERROR, "unknown component type of length %d", len);
	memcpy(buf, VARDATA_ANY(t), 3);
	buf[3] = '\0';
	return tree_of(buf);
}

/* "sha256:<64 hex>" held in a text datum, without copying it */
static bool
hash_from_text_datum(text *t, uint8 *raw)
{
	char		buf[FORAY_HASH_TEXT_LEN_M + 1];

	if (VARSIZE_ANY_EXHDR(t) != FORAY_HASH_TEXT_LEN_M)
		return false;
	memcpy(buf, VARDATA_ANY(t), FORAY_HASH_TEXT_LEN_M);
	buf[FORAY_HASH_TEXT_LEN_M] = '\0';
	return foray_hash_from_text(buf, raw);
}

/* one member (component or attestation) as read, before ordering */
typedef struct Member
{
	char	   *id;
	int			tree;
	uint8		data[FORAY_MERKLE_HASH_LEN];	/* its component hash */
	uint8		leaf[FORAY_MERKLE_HASH_LEN];	/* H(0x00 || data) */
	uint8		audit[FORAY_MERKLE_HASH_LEN];	/* its audit leaf */
} Member;

typedef struct Members
{
	Member	   *m;
	int			n;
	int			cap;
} Members;

/* tree order, then id bytewise (strcmp on UTF-8 is code-point order) */
static int
member_cmp(const void *a, const void *b)
{
	const Member *x = (const Member *) a;
	const Member *y = (const Member *) b;

	if (x->tree != y->tree)
		return x->tree < y->tree ? -1 : 1;
	return strcmp(x->id, y->id);
}

/*
 * Read every component (or attestation) of the transaction through a
 * cursor, FETCH_BATCH rows at a time, hashing as it goes.  The rows come
 * unordered (a sort in C is several times cheaper than one in the
 * executor); the caller orders them.  The common row (stored hash, no audit
 * data) allocates nothing but its id.
 */
static void
load_members(SPIPlanPtr plan, ForayTx *tx, int flags, Members *ms,
			 ForayFindingFn finding, void *finding_arg, MemoryContext work)
{
	Datum		values[2];
	Portal		portal;
	bool		recompute = (flags & FORAY_TX_RECOMPUTE) != 0;
	MemoryContext rowcxt = AllocSetContextCreate(CurrentMemoryContext,
												 "foray merkle row",
												 ALLOCSET_DEFAULT_SIZES);
	foray_hasher *h = foray_backend_hasher();
	uint8		null_leaf[FORAY_MERKLE_HASH_LEN];

	/* the audit leaf of a member without audit data: H(0x00 || H("null")) */
	{
		uint8		d[FORAY_MERKLE_HASH_LEN];

		hash_value(NULL, NULL, d);
		merkle_check(foray_merkle_leaf_hash(h, d, FORAY_MERKLE_HASH_LEN, null_leaf));
	}

	values[0] = CStringGetTextDatum(tx->transaction_id);
	values[1] = BoolGetDatum(recompute);
	/*
	 * Not read-only: a fresh snapshot, taken after the envelope row lock, so
	 * record_anchor sees every component committed while it waited.
	 */
	portal = SPI_cursor_open(NULL, plan, values, NULL, false);
	for (;;)
	{
		uint64		i;
		TupleDesc	desc;

		SPI_cursor_fetch(portal, true, FETCH_BATCH);
		if (SPI_processed == 0)
			break;
		desc = SPI_tuptable->tupdesc;
		if (ms->n + SPI_processed > (uint64) ms->cap)
		{
			int			cap = Max(ms->cap * 2, ms->n + (int) SPI_processed);

			ms->m = ms->m == NULL ?
				MemoryContextAlloc(work, sizeof(Member) * cap) :
				repalloc_huge(ms->m, sizeof(Member) * cap);
			ms->cap = cap;
		}
		for (i = 0; i < SPI_processed; i++)
		{
			Datum		cols[5];
			bool		nulls[5];
			text	   *idt;
			text	   *typet;
			Member	   *m = &ms->m[ms->n];
			bool		dirty;
			const char *hash_field;
			int			idlen;
			MemoryContext rowold = MemoryContextSwitchTo(rowcxt);

			heap_deform_tuple(SPI_tuptable->vals[i], desc, cols, nulls);
			idt = DatumGetTextPP(cols[0]);
			typet = DatumGetTextPP(cols[1]);
			/* detoasting (never for short ids) allocates in rowcxt */
			dirty = (Pointer) idt != DatumGetPointer(cols[0]) ||
				(Pointer) typet != DatumGetPointer(cols[1]);
			m->tree = tree_of_text(typet);
			idlen = VARSIZE_ANY_EXHDR(idt);
			m->id = MemoryContextAlloc(work, idlen + 1);
			memcpy(m->id, VARDATA_ANY(idt), idlen);
			m->id[idlen] = '\0';
			hash_field = m->tree == FORAY_TREE_ATT ? "attestation_hash" : "component_hash";

			if (!nulls[3])
			{
				/* hash the foray_core (recompute, or no stored hash) */
				dirty = true;
				hash_value(DatumGetJsonbP(cols[3]), m->id, m->data);
				if (finding != NULL)
				{
					char		recomputed[FORAY_HASH_TEXT_LEN_M + 1];
					char	   *stored = nulls[2] ? NULL : TextDatumGetCString(cols[2]);

					foray_hash_to_text(m->data, recomputed);
					if (stored == NULL || strcmp(stored, recomputed) != 0)
						finding(finding_arg, m->id, hash_field, stored, recomputed);
				}
			}
			else
			{
				text	   *ht = nulls[2] ? NULL : DatumGetTextPP(cols[2]);

				if (ht != NULL && (Pointer) ht != DatumGetPointer(cols[2]))
					dirty = true;
				if (ht == NULL || !hash_from_text_datum(ht, m->data))
					ereport(ERROR,
							(errcode(ERRCODE_FORAY_BAD_HASH_TEXT),
							 errmsg("stored %s of \"%s\" in transaction \"%s\" is not a sha-256 hash",
									hash_field, m->id, tx->transaction_id),
							 errhint("Run foray.verify('%s').", tx->transaction_id)));
			}
			merkle_check(foray_merkle_leaf_hash(h, m->data, FORAY_MERKLE_HASH_LEN, m->leaf));

			if (nulls[4])
				memcpy(m->audit, null_leaf, FORAY_MERKLE_HASH_LEN);
			else
			{
				uint8		d[FORAY_MERKLE_HASH_LEN];

				dirty = true;
				hash_value(DatumGetJsonbP(cols[4]), m->id, d);
				merkle_check(foray_merkle_leaf_hash(h, d, FORAY_MERKLE_HASH_LEN, m->audit));
			}
			ms->n++;

			/* the common row allocated nothing here: skip the reset */
			MemoryContextSwitchTo(rowold);
			if (dirty)
				MemoryContextReset(rowcxt);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	MemoryContextDelete(rowcxt);
}

/*
 * Order the members (tree, then id) and lay them out as the five trees'
 * leaves and the audit leaves; duplicate ids cannot occur (primary keys).
 */
static void
arrange_members(Members *ms, ForayTx *tx, int flags, uint8 *audit_out,
				MemoryContext into)
{
	int			i;

	if (ms->n > 1)
		qsort(ms->m, ms->n, sizeof(Member), member_cmp);
	for (i = 0; i < ms->n; i++)
		tx->leaves[ms->m[i].tree].cap++;
	for (i = 0; i < FORAY_NTREES; i++)
	{
		ForayLeaves *lv = &tx->leaves[i];

		if (lv->cap == 0)
			continue;
		lv->leaf = MemoryContextAllocHuge(into, (Size) lv->cap * FORAY_MERKLE_HASH_LEN);
		if (flags & FORAY_TX_KEEP_IDS)
		{
			lv->idcap = lv->cap;
			lv->ids = MemoryContextAllocHuge(into, sizeof(char *) * lv->cap);
			lv->data = MemoryContextAllocHuge(into, (Size) lv->cap * FORAY_MERKLE_HASH_LEN);
		}
	}
	for (i = 0; i < ms->n; i++)
	{
		Member	   *m = &ms->m[i];
		ForayLeaves *lv = &tx->leaves[m->tree];

		memcpy(lv->leaf + (Size) lv->n * FORAY_MERKLE_HASH_LEN, m->leaf, FORAY_MERKLE_HASH_LEN);
		if (flags & FORAY_TX_KEEP_IDS)
		{
			lv->ids[lv->n] = MemoryContextStrdup(into, m->id);
			memcpy(lv->data + (Size) lv->n * FORAY_MERKLE_HASH_LEN, m->data, FORAY_MERKLE_HASH_LEN);
		}
		lv->n++;
		/* audit leaves follow the same order */
		memcpy(audit_out + (Size) i * FORAY_MERKLE_HASH_LEN, m->audit, FORAY_MERKLE_HASH_LEN);
	}
}

/*
 * Load the transaction's envelope row and all its components and
 * attestations, and compute every hash.  With FORAY_TX_RECOMPUTE every
 * foray_core is hashed again and each difference from the stored hash is
 * reported through 'finding'.  Results are allocated in the caller's
 * memory context.  tx->found is false when there is no such transaction.
 */
void
foray_tx_load(const char *transaction_id, int flags, ForayTx *tx,
			  ForayFindingFn finding, void *finding_arg)
{
	MemoryContext caller = CurrentMemoryContext;
	Datum		values[1];
	int			rc;
	HeapTuple	tup;
	TupleDesc	desc;
	Jsonb	   *core;
	Jsonb	   *anchor_meta;
	Members		ms = {NULL, 0, 0};
	MemoryContext work;
	char	   *stored_in_anchor;
	int			t;
	uint8	   *audit_all;
	uint8		d[FORAY_MERKLE_HASH_LEN];
	foray_hasher *h = foray_backend_hasher();

	memset(tx, 0, sizeof(ForayTx));
	tx->transaction_id = pstrdup(transaction_id);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	prepare_plans();

	values[0] = CStringGetTextDatum(transaction_id);
	rc = SPI_execute_plan((flags & FORAY_TX_LOCK) ? plan_tx_lock : plan_tx,
						  values, NULL, false, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "transaction lookup failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
	{
		SPI_finish();
		return;
	}
	tx->found = true;
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	tx->lifecycle = getstr(tup, desc, 1, caller);
	tx->schema_version = getstr(tup, desc, 2, caller);
	tx->document_timestamp = getstr(tup, desc, 3, caller);
	core = getjsonb(tup, desc, 4);
	anchor_meta = getjsonb(tup, desc, 5);
	tx->stored_foray_core_hash = getstr(tup, desc, 6, caller);
	tx->stored_audit_data_hash = getstr(tup, desc, 7, caller);
	tx->stored_merkle_root = getstr(tup, desc, 8, caller);
	{
		Jsonb	   *ch = getjsonb(tup, desc, 9);
		Jsonb	   *ba = getjsonb(tup, desc, 10);
		MemoryContext old = MemoryContextSwitchTo(caller);

		if (ch != NULL)
		{
			tx->stored_component_hashes = palloc(VARSIZE(ch));
			memcpy(tx->stored_component_hashes, ch, VARSIZE(ch));
		}
		if (ba != NULL)
		{
			tx->blockchain_anchor = palloc(VARSIZE(ba));
			memcpy(tx->blockchain_anchor, ba, VARSIZE(ba));
		}
		MemoryContextSwitchTo(old);
	}
	tx->sealed_archive_ref = getstr(tup, desc, 11, caller);

	/* foray_core_hash and the first audit leaf (the anchor's metadata) */
	hash_value(core, transaction_id, tx->foray_core_hash);
	hash_value(anchor_meta, transaction_id, d);
	stored_in_anchor = getstr(tup, desc, 12, caller);
	SPI_freetuptable(SPI_tuptable);

	work = AllocSetContextCreate(caller, "foray merkle members", ALLOCSET_DEFAULT_SIZES);
	load_members(plan_components, tx, flags, &ms, finding, finding_arg, work);
	load_members(plan_attestations, tx, flags, &ms, finding, finding_arg, work);

	/* audit_data_hash: the anchor's metadata, then every member in order */
	audit_all = MemoryContextAllocHuge(work, (Size) (ms.n + 1) * FORAY_MERKLE_HASH_LEN);
	merkle_check(foray_merkle_leaf_hash(h, d, FORAY_MERKLE_HASH_LEN, audit_all));
	arrange_members(&ms, tx, flags, audit_all + FORAY_MERKLE_HASH_LEN, caller);
	merkle_check(foray_merkle_root_inplace(h, audit_all, ms.n + 1, tx->audit_data_hash));
	MemoryContextDelete(work);

	if (finding != NULL && stored_in_anchor != NULL)
	{
		char		recomputed[FORAY_HASH_TEXT_LEN_M + 1];

		foray_hash_to_text(tx->audit_data_hash, recomputed);
		if (strcmp(stored_in_anchor, recomputed) != 0)
			finding(finding_arg, NULL, "audit_data_anchor.audit_data_hash",
					stored_in_anchor, recomputed);
	}
	SPI_finish();

	/* the five tree roots (on a copy: the leaves are kept for proofs) */
	tx->n_components = 0;
	for (t = 0; t < FORAY_NTREES; t++)
	{
		merkle_check(foray_merkle_root(h, tx->leaves[t].leaf, tx->leaves[t].n,
									   tx->tree_root[t]));
		if (t != FORAY_TREE_ATT)
			tx->n_components += tx->leaves[t].n;
	}

	/* the top tree */
	merkle_check(foray_merkle_leaf_hash(h, tx->foray_core_hash, FORAY_MERKLE_HASH_LEN,
										tx->top_leaf + FORAY_TOP_CORE * FORAY_MERKLE_HASH_LEN));
	for (t = 0; t < FORAY_NTREES; t++)
		merkle_check(foray_merkle_leaf_hash(h, tx->tree_root[t], FORAY_MERKLE_HASH_LEN,
											tx->top_leaf + (1 + t) * FORAY_MERKLE_HASH_LEN));
	merkle_check(foray_merkle_leaf_hash(h, tx->audit_data_hash, FORAY_MERKLE_HASH_LEN,
										tx->top_leaf + FORAY_TOP_AUDIT * FORAY_MERKLE_HASH_LEN));
	merkle_check(foray_merkle_root(h, tx->top_leaf, FORAY_TOP_LEAVES, tx->merkle_root));
}

/* error unless the transaction exists */
void
foray_tx_require(const ForayTx *tx)
{
	if (!tx->found)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_UNKNOWN_SUBJECT),
				 errmsg("transaction \"%s\" does not exist", tx->transaction_id)));
}

/* ---------------------------------------------------------------------
 * SQL: transaction_hashes, merkle_tree_hash, merkle_leaf_hash
 * ---------------------------------------------------------------------
 */

/*
 * foray.transaction_hashes(tx text)
 *	 RETURNS TABLE (component_hashes jsonb, foray_core_hash text,
 *					audit_data_hash text, merkle_root text, components bigint,
 *					attestations bigint)
 * The hashes the transaction's current rows commit to.
 */
Datum
foray_transaction_hashes(PG_FUNCTION_ARGS)
{
	char	   *txid = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ForayTx		tx;
	TupleDesc	desc;
	Datum		values[6];
	bool		nulls[6] = {false, false, false, false, false, false};
	char		h1[FORAY_HASH_TEXT_LEN_M + 1];
	char		h2[FORAY_HASH_TEXT_LEN_M + 1];
	char		h3[FORAY_HASH_TEXT_LEN_M + 1];

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "transaction_hashes must return a row");
	foray_tx_load(txid, 0, &tx, NULL, NULL);
	foray_tx_require(&tx);

	foray_hash_to_text(tx.foray_core_hash, h1);
	foray_hash_to_text(tx.audit_data_hash, h2);
	foray_hash_to_text(tx.merkle_root, h3);
	values[0] = JsonbPGetDatum(foray_component_hashes_jsonb(&tx));
	values[1] = CStringGetTextDatum(h1);
	values[2] = CStringGetTextDatum(h2);
	values[3] = CStringGetTextDatum(h3);
	values[4] = Int64GetDatum(tx.n_components);
	values[5] = Int64GetDatum(tx.leaves[FORAY_TREE_ATT].n);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(desc), values, nulls)));
}

/*
 * foray.merkle_tree_hash(entries bytea[]) RETURNS text
 * RFC 9162 MTH over the raw entries d(0)..d(n-1), in array order.
 */
Datum
foray_merkle_tree_hash(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	Datum	   *elems;
	bool	   *elem_nulls;
	int			n;
	int			i;
	uint8	   *leaves;
	uint8		root[FORAY_MERKLE_HASH_LEN];
	char		out[FORAY_HASH_TEXT_LEN_M + 1];
	foray_hasher *h = foray_backend_hasher();

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("merkle tree entries must be a one-dimensional array")));
	deconstruct_array(arr, BYTEAOID, -1, false, TYPALIGN_INT, &elems, &elem_nulls, &n);
	leaves = palloc((Size) Max(n, 1) * FORAY_MERKLE_HASH_LEN);
	for (i = 0; i < n; i++)
	{
		bytea	   *b;

		if (elem_nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("merkle tree entry %d is null", i + 1),
					 errdetail("Rule MERKLE-ENTRY: every entry of the tree is a byte string; use '\\x' for an empty one.")));
		b = DatumGetByteaPP(elems[i]);
		merkle_check(foray_merkle_leaf_hash(h, (const uint8 *) VARDATA_ANY(b),
											VARSIZE_ANY_EXHDR(b),
											leaves + (Size) i * FORAY_MERKLE_HASH_LEN));
	}
	merkle_check(foray_merkle_root_inplace(h, leaves, n, root));
	foray_hash_to_text(root, out);
	PG_RETURN_TEXT_P(cstring_to_text(out));
}

/*
 * foray.merkle_leaf_hash(entry bytea) RETURNS text
 * SHA-256(0x00 || entry): the leaf hash an inclusion proof starts from.
 */
Datum
foray_merkle_leaf_hash_sql(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	uint8		leaf[FORAY_MERKLE_HASH_LEN];
	char		out[FORAY_HASH_TEXT_LEN_M + 1];

	merkle_check(foray_merkle_leaf_hash(foray_backend_hasher(),
										(const uint8 *) VARDATA_ANY(b),
										VARSIZE_ANY_EXHDR(b), leaf));
	foray_hash_to_text(leaf, out);
	PG_RETURN_TEXT_P(cstring_to_text(out));
}

/* names of the top tree's leaves, for proofs and documentation */
const char *
foray_top_leaf_name(int i)
{
	return top_leaf_names[i];
}
