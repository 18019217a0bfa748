/*
 * merkle.c
 *		What a FORAY transaction commits to, computed from its rows: the
 *		stored transaction and its members are read, their foray_core and
 *		audit data hashed (RFC 8785 + SHA-256), and the trees, the top tree
 *		and merkle_root computed by src/core/commitment.c under the
 *		transaction's commitment scheme (1 for what 0.4.0 anchored, 2 since
 *		0.5.0).  docs/merkle.md is the definition, precise enough to
 *		reimplement.
 *
 * Also the SQL functions transaction_hashes(), merkle_tree_hash() and
 * merkle_leaf_hash().
 */
#include "compat.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "common/hashfn.h"
#include "utils/array.h"
#include "utils/hsearch.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "catalog/namespace.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "canonical.h"
#include "substrate.h"
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

/*
 * The transaction's row.  A database not yet updated from 0.4.0 or earlier
 * (ALTER EXTENSION foray_substrate UPDATE) has no commitment_scheme column:
 * everything there is scheme 1, as that version computed it.
 */
#define TX_LIST(scheme) \
	"lifecycle::pg_catalog.text, schema_version, document_timestamp, foray_core, " \
	"       audit_data_anchor, " \
	"       foray_core_hash, audit_data_hash, merkle_root, component_hashes, " \
	"       blockchain_anchor, sealed_archive_ref, " \
	"       CASE WHEN pg_catalog.jsonb_typeof(audit_data_anchor) OPERATOR(pg_catalog.=) 'object' " \
	"            THEN audit_data_anchor OPERATOR(pg_catalog.->>) 'audit_data_hash'::pg_catalog.text END, " \
	"       " scheme
#define TX_COLUMNS(scheme) \
	"SELECT " TX_LIST(scheme) \
	"  FROM foray.foray_transactions " \
	" WHERE transaction_id OPERATOR(pg_catalog.=) $1"
#define SCHEME_COLUMN "commitment_scheme::pg_catalog.int4 "
#define SCHEME_BEFORE_0_5 "1 "

/* does this database's foray_transactions have commitment_scheme (0.5.0)? */
static Oid	scheme_cached_rel = InvalidOid;
static bool scheme_cached = false;
static bool scheme_callback_registered = false;

/* ALTER EXTENSION ... UPDATE adds the column: look again after any change */
static void
scheme_relcache_callback(Datum arg, Oid relid)
{
	if (!OidIsValid(relid) || relid == scheme_cached_rel)
		scheme_cached_rel = InvalidOid;
}

bool
foray_has_commitment_scheme(void)
{
	Oid			relid;

	if (!scheme_callback_registered)
	{
		CacheRegisterRelcacheCallback(scheme_relcache_callback, (Datum) 0);
		scheme_callback_registered = true;
	}
	relid = get_relname_relid("foray_transactions", get_namespace_oid("foray", false));
	if (!OidIsValid(scheme_cached_rel) || relid != scheme_cached_rel)
	{
		scheme_cached = OidIsValid(relid) &&
			get_attnum(relid, "commitment_scheme") != InvalidAttrNumber;
		scheme_cached_rel = relid;
	}
	return scheme_cached;
}

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
	static bool plans_scheme = false;	/* the kind of database they are for */

	if (plan_tx != NULL && plans_scheme == foray_has_commitment_scheme())
		return;
	if (plan_tx != NULL)
	{
		SPI_freeplan(plan_tx);
		SPI_freeplan(plan_tx_lock);
		SPI_freeplan(plan_components);
		SPI_freeplan(plan_attestations);
	}
	plans_scheme = foray_has_commitment_scheme();
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
	if (plans_scheme)
	{
		plan_tx_lock = keep_plan(TX_COLUMNS(SCHEME_COLUMN) " FOR UPDATE", 1, args);
		plan_tx = keep_plan(TX_COLUMNS(SCHEME_COLUMN), 1, args);
	}
	else
	{
		plan_tx_lock = keep_plan(TX_COLUMNS(SCHEME_BEFORE_0_5) " FOR UPDATE", 1, args);
		plan_tx = keep_plan(TX_COLUMNS(SCHEME_BEFORE_0_5), 1, args);
	}
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

/* a copy of a jsonb value in another memory context */
static Jsonb *
copy_jsonb(Jsonb *jb, MemoryContext into)
{
	Jsonb	   *copy;

	if (jb == NULL)
		return NULL;
	copy = MemoryContextAlloc(into, VARSIZE(jb));
	memcpy(copy, jb, VARSIZE(jb));
	return copy;
}

/* SHA-256 of the canonical form (numbers must keep their value) */
static void
hash_value(Jsonb *jb, const char *context, uint8 *out)
{
	foray_hash_jsonb_raw(jb, true, context, out);
}

static bool
jsonb_is_json_null(Jsonb *jb)
{
	JsonbValue	v;

	return JB_ROOT_IS_SCALAR(jb) && JsonbExtractScalar(&jb->root, &v) && v.type == jbvNull;
}

/* the tree number of a type code text datum ("ARR" ... "ATT") */
static int
tree_of_text(text *t)
{
	int			tree = foray_c2_tree_of_type(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));

	if (tree < 0)
		elog(ERROR, "unknown component type of length %d", (int) VARSIZE_ANY_EXHDR(t));
	return tree;
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

/* the members read so far */
typedef struct Members
{
	foray_commit_member *m;
	size_t		n;
	size_t		cap;
} Members;

/* room for one more member */
static foray_commit_member *
next_member(Members *ms, MemoryContext work)
{
	if (ms->n == ms->cap)
	{
		size_t		cap = Max(ms->cap * 2, 16);

		ms->m = ms->m == NULL ?
			MemoryContextAllocHuge(work, sizeof(foray_commit_member) * cap) :
			repalloc_huge(ms->m, sizeof(foray_commit_member) * cap);
		ms->cap = cap;
	}
	return &ms->m[ms->n];
}

/*
 * One component or attestation row (cols: id, type code, stored hash,
 * foray_core or NULL, audit_data) into ms, hashing what is not stored.
 * Allocates its id in work, anything else in rowcxt (reset here when
 * used).  The common row (stored hash, no audit data) allocates nothing but
 * its id.
 */
static void
add_member(ForayTx *tx, Members *ms, Datum *cols, bool *nulls,
		   ForayFindingFn finding, void *finding_arg, MemoryContext work, MemoryContext rowcxt)
{
	text	   *idt;
	text	   *typet;
	foray_commit_member *m = next_member(ms, work);
	bool		dirty;
	const char *hash_field;
	int			idlen;
	char	   *id;
	MemoryContext rowold = MemoryContextSwitchTo(rowcxt);

	idt = DatumGetTextPP(cols[0]);
	typet = DatumGetTextPP(cols[1]);
	/* detoasting (never for short ids) allocates in rowcxt */
	dirty = (Pointer) idt != DatumGetPointer(cols[0]) ||
		(Pointer) typet != DatumGetPointer(cols[1]);
	memset(m, 0, sizeof(*m));
	m->tree = tree_of_text(typet);
	idlen = VARSIZE_ANY_EXHDR(idt);
	id = MemoryContextAlloc(work, idlen + 1);
	memcpy(id, VARDATA_ANY(idt), idlen);
	id[idlen] = '\0';
	m->id = id;
	m->id_len = idlen;
	hash_field = m->tree == FORAY_TREE_ATT ? "attestation_hash" : "component_hash";

	if (!nulls[3])
	{
		/* hash the foray_core (recompute, or no stored hash) */
		dirty = true;
		hash_value(DatumGetJsonbP(cols[3]), id, m->component_hash);
		if (finding != NULL)
		{
			char		recomputed[FORAY_HASH_TEXT_LEN_M + 1];
			char	   *stored = nulls[2] ? NULL : TextDatumGetCString(cols[2]);

			foray_hash_to_text(m->component_hash, recomputed);
			if (stored == NULL || strcmp(stored, recomputed) != 0)
				finding(finding_arg, id, hash_field, stored, recomputed);
		}
	}
	else
	{
		text	   *ht = nulls[2] ? NULL : DatumGetTextPP(cols[2]);

		if (ht != NULL && (Pointer) ht != DatumGetPointer(cols[2]))
			dirty = true;
		if (ht == NULL || !hash_from_text_datum(ht, m->component_hash))
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_BAD_HASH_TEXT),
					 errmsg("stored %s of \"%s\" in transaction \"%s\" is not a sha-256 hash",
							hash_field, id, tx->transaction_id),
					 errhint("Run foray.verify('%s').", tx->transaction_id)));
	}

	if (!nulls[4])
	{
		Jsonb	   *audit = DatumGetJsonbP(cols[4]);

		dirty = true;
		if (tx->scheme == FORAY_COMMIT_SCHEME_2 && jsonb_is_json_null(audit))
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_INVALID_CORE),
					 errmsg("audit_data of \"%s\" in transaction \"%s\" is JSON null",
							id, tx->transaction_id),
					 errdetail("Rule AUDIT-001: audit_data is a JSON value other than null; SQL NULL means none (docs/merkle.md)."),
					 errhint("Run foray.verify('%s').", tx->transaction_id)));
		m->has_audit = true;
		hash_value(audit, id, m->audit_hash);
	}
	ms->n++;

	/* the common row allocated nothing here: skip the reset */
	MemoryContextSwitchTo(rowold);
	if (dirty)
		MemoryContextReset(rowcxt);
}

/*
 * Read every component (or attestation) of the transaction through a
 * cursor, FETCH_BATCH rows at a time.  The rows come unordered (a sort in C
 * is several times cheaper than one in the executor); foray_commit_sort
 * orders them.
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
		for (i = 0; i < SPI_processed; i++)
		{
			Datum		cols[5];
			bool		nulls[5];

			heap_deform_tuple(SPI_tuptable->vals[i], desc, cols, nulls);
			add_member(tx, ms, cols, nulls, finding, finding_arg, work, rowcxt);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	MemoryContextDelete(rowcxt);
}

/* refuse what no commitment can be computed from */
static void
commit_check(int rc, const ForayTx *tx)
{
	if (rc == FORAY_MERKLE_TOO_LONG)
		ereport(ERROR,
				(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
				 errmsg("an id or timestamp of transaction \"%s\" is too long to be committed",
						tx->transaction_id)));
	merkle_check(rc);
}

/*
 * The envelope row's columns (TX_LIST, from column first) into tx, and the
 * commitment's input header: foray_core_hash, the anchor's metadata hash.
 * *stored_in_anchor: the audit_data_hash the row's audit_data_anchor states.
 */
static void
tx_header(ForayTx *tx, HeapTuple tup, TupleDesc desc, int first, MemoryContext caller,
		  char **stored_in_anchor)
{
	Jsonb	   *core;
	Jsonb	   *anchor;
	bool		isnull;
	foray_commit_input *in = &tx->input;
	const char *transaction_id = tx->transaction_id;

	tx->found = true;
	tx->lifecycle = getstr(tup, desc, first + 0, caller);
	tx->schema_version = getstr(tup, desc, first + 1, caller);
	tx->document_timestamp = getstr(tup, desc, first + 2, caller);
	core = getjsonb(tup, desc, first + 3);
	anchor = getjsonb(tup, desc, first + 4);
	tx->stored_foray_core_hash = getstr(tup, desc, first + 5, caller);
	tx->stored_audit_data_hash = getstr(tup, desc, first + 6, caller);
	tx->stored_merkle_root = getstr(tup, desc, first + 7, caller);
	tx->stored_component_hashes = copy_jsonb(getjsonb(tup, desc, first + 8), caller);
	tx->blockchain_anchor = copy_jsonb(getjsonb(tup, desc, first + 9), caller);
	tx->sealed_archive_ref = getstr(tup, desc, first + 10, caller);
	*stored_in_anchor = getstr(tup, desc, first + 11, caller);
	tx->scheme = DatumGetInt32(SPI_getbinval(tup, desc, first + 12, &isnull));
	if (isnull || (tx->scheme != FORAY_COMMIT_SCHEME_1 && tx->scheme != FORAY_COMMIT_SCHEME_2))
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_INVALID_CORE),
				 errmsg("transaction \"%s\" has no commitment scheme the substrate knows", transaction_id)));

	/* foray_core_hash, and the anchor's metadata (without its audit_data_hash) */
	memset(in, 0, sizeof(*in));
	in->scheme = tx->scheme;
	in->transaction_id = tx->transaction_id;
	in->transaction_id_len = strlen(tx->transaction_id);
	in->schema_version = tx->schema_version;
	in->schema_version_len = strlen(tx->schema_version);
	in->timestamp = tx->document_timestamp;
	in->timestamp_len = strlen(tx->document_timestamp);
	hash_value(core, transaction_id, tx->foray_core_hash);
	memcpy(in->foray_core_hash, tx->foray_core_hash, FORAY_MERKLE_HASH_LEN);
	if (anchor != NULL)
	{
		if (!JB_ROOT_IS_OBJECT(anchor))
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_INVALID_CORE),
					 errmsg("audit_data_anchor of transaction \"%s\" is not a JSON object", transaction_id),
					 errdetail("Rule AUDIT-002: audit_data_anchor is a JSON object or SQL NULL (docs/merkle.md)."),
					 errhint("Run foray.verify('%s').", transaction_id)));
		in->has_anchor = true;
		hash_value(DatumGetJsonbP(DirectFunctionCall2(jsonb_delete,
													  JsonbPGetDatum(anchor),
													  CStringGetTextDatum("audit_data_hash"))),
				   transaction_id, in->anchor_hash);
	}
}

/*
 * Every hash of a transaction whose header and members are read: the
 * members (in work) sorted, the commitment computed.  With KEEP_IDS the
 * members move to the caller's context, else work is deleted.
 */
static void
tx_finish(ForayTx *tx, int flags, Members *ms, MemoryContext work, MemoryContext caller,
		  ForayFindingFn finding, void *finding_arg, const char *stored_in_anchor)
{
	foray_commit out;
	foray_commit_input *in = &tx->input;

	foray_commit_sort(ms->m, ms->n);
	in->members = ms->m;
	in->n_members = ms->n;
	commit_check(foray_commit_compute(foray_backend_hasher(), in, &out), tx);

	memcpy(tx->audit_data_hash, out.root[FORAY_C2_TREE_AUDIT], FORAY_MERKLE_HASH_LEN);
	tx->n_components = 0;
	for (int t = 0; t < FORAY_C2_NTREES; t++)
	{
		tx->tree_size[t] = out.size[t];
		if (t < FORAY_NTREES)
			memcpy(tx->tree_root[t], out.root[t], FORAY_MERKLE_HASH_LEN);
		if (t < FORAY_TREE_ATT)
			tx->n_components += out.size[t];
	}
	memcpy(tx->top_leaf, out.top_leaf, sizeof(tx->top_leaf));
	memcpy(tx->merkle_root, out.merkle_root, FORAY_MERKLE_HASH_LEN);

	if (flags & FORAY_TX_KEEP_IDS)
	{
		size_t		start = 0;

		/* the members outlive this call: they move to the caller's context */
		MemoryContextSetParent(work, caller);
		tx->members = ms->m;
		tx->n_members = ms->n;
		for (int t = 0; t < FORAY_NTREES; t++)
		{
			tx->tree_start[t] = start;
			start += out.size[t];
		}
		tx->tree_start[FORAY_NTREES] = start;
	}
	else
	{
		if (work != NULL)
			MemoryContextDelete(work);
		in->members = NULL;
		in->n_members = 0;
	}

	if (finding != NULL && stored_in_anchor != NULL)
	{
		char		recomputed[FORAY_HASH_TEXT_LEN_M + 1];

		foray_hash_to_text(tx->audit_data_hash, recomputed);
		if (strcmp(stored_in_anchor, recomputed) != 0)
			finding(finding_arg, NULL, "audit_data_anchor.audit_data_hash",
					stored_in_anchor, recomputed);
	}
}

/*
 * Load the transaction's envelope row and all its components and
 * attestations, and compute every hash under the transaction's commitment
 * scheme (src/core/commitment.c).  With FORAY_TX_RECOMPUTE every
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
	Members		ms = {NULL, 0, 0};
	MemoryContext work;
	char	   *stored_in_anchor;
	int			nest;

	memset(tx, 0, sizeof(ForayTx));
	tx->transaction_id = pstrdup(transaction_id);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	nest = foray_safe_search_path_push();
	prepare_plans();

	values[0] = CStringGetTextDatum(transaction_id);
	rc = SPI_execute_plan((flags & FORAY_TX_LOCK) ? plan_tx_lock : plan_tx,
						  values, NULL, false, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "transaction lookup failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
	{
		foray_safe_search_path_pop(nest);
		SPI_finish();
		return;
	}
	tx_header(tx, SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, caller, &stored_in_anchor);
	SPI_freetuptable(SPI_tuptable);

	work = AllocSetContextCreate(caller, "foray merkle members", ALLOCSET_DEFAULT_SIZES);
	load_members(plan_components, tx, flags, &ms, finding, finding_arg, work);
	load_members(plan_attestations, tx, flags, &ms, finding, finding_arg, work);
	tx_finish(tx, flags, &ms, work, caller, finding, finding_arg, stored_in_anchor);

	foray_safe_search_path_pop(nest);
	SPI_finish();
}

/* ---------------------------------------------------------------------
 * Many transactions at once (the log's append): three statements for a
 * batch instead of three per transaction
 * ---------------------------------------------------------------------
 */

static SPIPlanPtr plan_many_tx = NULL;
static SPIPlanPtr plan_many_components = NULL;
static SPIPlanPtr plan_many_attestations = NULL;

typedef struct ManyEntry
{
	const char *id;				/* the key */
	int			index;
} ManyEntry;

static uint32
many_hash(const void *key, Size keysize)
{
	const char *s = *(const char *const *) key;

	return hash_bytes((const unsigned char *) s, (int) strlen(s));
}

static int
many_match(const void *a, const void *b, Size keysize)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* the members of one statement's rows (cols: transaction_id, then as load_members) */
static void
load_many_members(SPIPlanPtr plan, Datum ids, HTAB *index, ForayTx *txs, Members *ms,
				  MemoryContext work, MemoryContext rowcxt)
{
	Datum		values[1] = {ids};
	Portal		portal = SPI_cursor_open(NULL, plan, values, NULL, false);

	for (;;)
	{
		SPI_cursor_fetch(portal, true, FETCH_BATCH);
		if (SPI_processed == 0)
			break;
		for (uint64 i = 0; i < SPI_processed; i++)
		{
			Datum		cols[6];
			bool		nulls[6];
			char	   *txid;
			ManyEntry  *e;

			heap_deform_tuple(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, cols, nulls);
			txid = TextDatumGetCString(cols[0]);
			e = hash_search(index, &txid, HASH_FIND, NULL);
			pfree(txid);
			if (e == NULL || !txs[e->index].found)
				continue;		/* a row of a transaction not read (inserted since) */
			add_member(&txs[e->index], &ms[e->index], cols + 1, nulls + 1, NULL, NULL,
					   work, rowcxt);
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
}

/*
 * foray_tx_load(ids[i], 0, &txs[i], NULL, NULL) for each of n distinct
 * transactions, read with three statements (rows, components,
 * attestations) instead of three per transaction.  The statements share
 * one snapshot, taken when each starts (as foray_tx_load's do).  On a
 * database before 0.5.0 each transaction is loaded alone.
 */
void
foray_tx_load_many(const char *const *ids, int n, ForayTx *txs)
{
	MemoryContext caller = CurrentMemoryContext;
	MemoryContext work;
	MemoryContext rowcxt;
	Members    *ms;
	char	  **anchored_hash;
	Datum	   *idd;
	Datum		arr;
	HASHCTL		ctl;
	HTAB	   *index;
	int			rc;
	int			nest;

	if (n <= 0)
		return;
	if (!foray_has_commitment_scheme())
	{
		for (int i = 0; i < n; i++)
			foray_tx_load(ids[i], 0, &txs[i], NULL, NULL);
		return;
	}

	work = AllocSetContextCreate(caller, "foray merkle batch", ALLOCSET_DEFAULT_SIZES);
	rowcxt = AllocSetContextCreate(work, "foray merkle row", ALLOCSET_DEFAULT_SIZES);
	ms = MemoryContextAllocZero(work, sizeof(Members) * n);
	anchored_hash = MemoryContextAllocZero(work, sizeof(char *) * n);
	idd = MemoryContextAlloc(work, sizeof(Datum) * n);

	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(char *);
	ctl.entrysize = sizeof(ManyEntry);
	ctl.hash = many_hash;
	ctl.match = many_match;
	ctl.hcxt = work;
	index = hash_create("foray transactions loaded together", n, &ctl,
						HASH_ELEM | HASH_FUNCTION | HASH_COMPARE | HASH_CONTEXT);
	for (int i = 0; i < n; i++)
	{
		bool		found;
		ManyEntry  *e;

		memset(&txs[i], 0, sizeof(ForayTx));
		txs[i].transaction_id = pstrdup(ids[i]);
		e = hash_search(index, &txs[i].transaction_id, HASH_ENTER, &found);
		if (found)
			elog(ERROR, "transaction \"%s\" asked twice", ids[i]);
		e->index = i;
		idd[i] = PointerGetDatum(cstring_to_text(ids[i]));
	}

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	nest = foray_safe_search_path_push();
	if (plan_many_tx == NULL)
	{
		Oid			args[1] = {TEXTARRAYOID};

		plan_many_tx = keep_plan(
								 "SELECT transaction_id, " TX_LIST(SCHEME_COLUMN)
								 "  FROM foray.foray_transactions "
								 " WHERE transaction_id OPERATOR(pg_catalog.=) ANY ($1)", 1, args);
		plan_many_components = keep_plan(
										 "SELECT transaction_id, component_id, component_type::pg_catalog.text, component_hash, "
										 "       CASE WHEN component_hash IS NULL THEN foray_core END, audit_data "
										 "  FROM foray.foray_components "
										 " WHERE transaction_id OPERATOR(pg_catalog.=) ANY ($1)", 1, args);
		plan_many_attestations = keep_plan(
										   "SELECT transaction_id, attestation_id, 'ATT'::pg_catalog.text, attestation_hash, "
										   "       CASE WHEN attestation_hash IS NULL THEN foray_core END, audit_data "
										   "  FROM foray.foray_attestations "
										   " WHERE transaction_id OPERATOR(pg_catalog.=) ANY ($1)", 1, args);
	}
	{
		MemoryContext old = MemoryContextSwitchTo(work);

		arr = PointerGetDatum(construct_array(idd, n, TEXTOID, -1, false, TYPALIGN_INT));
		MemoryContextSwitchTo(old);
	}

	rc = SPI_execute_plan(plan_many_tx, &arr, NULL, false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "transaction lookup failed: %s", SPI_result_code_string(rc));
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		HeapTuple	tup = SPI_tuptable->vals[r];
		char	   *txid = SPI_getvalue(tup, SPI_tuptable->tupdesc, 1);
		ManyEntry  *e = hash_search(index, &txid, HASH_FIND, NULL);

		if (e == NULL)
			elog(ERROR, "transaction \"%s\" read but not asked", txid);
		tx_header(&txs[e->index], tup, SPI_tuptable->tupdesc, 2, caller, &anchored_hash[e->index]);
		pfree(txid);
	}
	SPI_freetuptable(SPI_tuptable);

	load_many_members(plan_many_components, arr, index, txs, ms, work, rowcxt);
	load_many_members(plan_many_attestations, arr, index, txs, ms, work, rowcxt);
	for (int i = 0; i < n; i++)
		if (txs[i].found)
			tx_finish(&txs[i], 0, &ms[i], NULL, caller, NULL, NULL, anchored_hash[i]);
	MemoryContextDelete(work);

	foray_safe_search_path_pop(nest);
	SPI_finish();
}

uint8 *
foray_tx_tree_leaves(const ForayTx *tx, int t)
{
	size_t		n = tx->tree_start[t + 1] - tx->tree_start[t];
	uint8	   *leaves = palloc_extended(Max(n, 1) * FORAY_MERKLE_HASH_LEN, MCXT_ALLOC_HUGE);
	foray_hasher *h = foray_backend_hasher();

	Assert(tx->members != NULL || n == 0);
	for (size_t i = 0; i < n; i++)
		commit_check(foray_commit_member_leaf(h, &tx->input, &tx->members[tx->tree_start[t] + i],
											  leaves + i * FORAY_MERKLE_HASH_LEN), tx);
	return leaves;
}

const foray_commit_member *
foray_tx_find_member(const ForayTx *tx, int t, const char *id, size_t *index)
{
	size_t		lo = tx->tree_start[t];
	size_t		hi = tx->tree_start[t + 1];
	size_t		idlen = strlen(id);

	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;
		const foray_commit_member *m = &tx->members[mid];
		int			c = foray_c2_id_cmp(m->id, m->id_len, id, idlen);

		if (c == 0)
		{
			*index = mid - tx->tree_start[t];
			return m;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
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
 *					attestations bigint, commitment_scheme integer)
 * The hashes the transaction's current rows commit to.
 */
Datum
foray_transaction_hashes(PG_FUNCTION_ARGS)
{
	char	   *txid = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ForayTx		tx;
	TupleDesc	desc;
	Datum		values[7];
	bool		nulls[7] = {false, false, false, false, false, false, false};
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
	values[5] = Int64GetDatum((int64) tx.tree_size[FORAY_TREE_ATT]);
	values[6] = Int32GetDatum(tx.scheme);
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
