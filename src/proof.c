/*
 * proof.c
 *		Inclusion proofs: the audit paths that prove one component or
 *		attestation is committed to by its transaction's merkle_root, and
 *		the verifier that needs nothing but the proof and the root the
 *		caller trusts (docs/merkle.md, "Inclusion proofs").
 *
 * A proof is two RFC 9162 audit paths ("steps"): the first proves the
 * member's leaf in its tree, the second proves that tree's entry in the top
 * tree, whose root is merkle_root.  Under commitment scheme 2 the leaf binds
 * the transaction, the member's id, type and core hash, and the tree's entry
 * binds its size; the verifier computes the leaf itself from the proof's
 * claims.  This file writes proofs; proof_verify.c checks them.
 */
#include "compat.h"

#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"
#include "utils/tuplestore.h"
#include "miscadmin.h"
#include "executor/spi.h"
#include "utils/memutils.h"

#include "substrate.h"

#include "txhash.h"

PG_FUNCTION_INFO_V1(foray_inclusion_proof);
PG_FUNCTION_INFO_V1(foray_inclusion_proofs);

/* ---------------------------------------------------------------------
 * Writing proofs
 * ---------------------------------------------------------------------
 */

static void
push_path(JsonbParseState **st, const char *key, const uint8 *path, size_t len)
{
	foray_jb_key(st, key);
	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	for (size_t i = 0; i < len; i++)
	{
		char		h[FORAY_HASH_TEXT_LEN_M + 1];
		JsonbValue	v;

		foray_hash_to_text(path + i * FORAY_MERKLE_HASH_LEN, h);
		v.type = jbvString;
		v.val.string.val = pstrdup(h);
		v.val.string.len = FORAY_HASH_TEXT_LEN_M;
		pushJsonbValue(st, WJB_ELEM, &v);
	}
	pushJsonbValue(st, WJB_END_ARRAY, NULL);
}

static void
push_hash(JsonbParseState **st, const char *key, const uint8 *raw)
{
	char		h[FORAY_HASH_TEXT_LEN_M + 1];

	foray_hash_to_text(raw, h);
	foray_jb_string(st, key, h);
}

static void
push_step(JsonbParseState **st, const char *tree, size_t index, size_t size,
		  const uint8 *path, size_t path_len, const uint8 *root)
{
	pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
	foray_jb_string(st, "tree", tree);
	foray_jb_int(st, "leaf_index", (int64) index);
	foray_jb_int(st, "tree_size", (int64) size);
	push_path(st, "path", path, path_len);
	push_hash(st, "root", root);
	pushJsonbValue(st, WJB_END_OBJECT, NULL);
}

static void
path_check(int rc)
{
	if (rc != FORAY_MERKLE_OK)
		elog(ERROR, "audit path failed: %s", foray_merkle_strerror(rc));
}

/*
 * Every level of member tree t (src/core/merkle.c), for audit paths at
 * O(log n) each; built from the tree's leaves on first use.
 */
static uint8 *
tree_levels(const ForayTx *tx, int t)
{
	size_t		n = tx->tree_start[t + 1] - tx->tree_start[t];
	uint8	   *leaves = foray_tx_tree_leaves(tx, t);
	uint8	   *levels = palloc_extended(Max(foray_merkle_levels_nodes(n), 1) * FORAY_MERKLE_HASH_LEN,
										 MCXT_ALLOC_HUGE);

	path_check(foray_merkle_levels_build(foray_backend_hasher(), leaves, n, levels));
	pfree(leaves);
	return levels;
}

/*
 * The proof of one member of a transaction loaded with FORAY_TX_KEEP_IDS;
 * levels[t] holds the levels of tree t (built on first use).
 */
static Jsonb *
build_proof(const ForayTx *tx, int tree, size_t index, uint8 **levels)
{
	const foray_commit_member *m = &tx->members[tx->tree_start[tree] + index];
	size_t		n = tx->tree_start[tree + 1] - tx->tree_start[tree];
	uint8		path[FORAY_MERKLE_MAX_PATH * FORAY_MERKLE_HASH_LEN];
	size_t		path_len;
	JsonbParseState *st = NULL;
	foray_hasher *hs = foray_backend_hasher();

	if (levels[tree] == NULL)
		levels[tree] = tree_levels(tx, tree);

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	/* (a database not yet updated from 0.4.0 gets 0.4.0's proofs) */
	if (foray_has_commitment_scheme())
		foray_jb_int(&st, "commitment_scheme", tx->scheme);
	foray_jb_string(&st, "transaction_id", tx->transaction_id);
	foray_jb_string(&st, "subject_id", m->id);
	if (foray_has_commitment_scheme())
		foray_jb_string(&st, "component_type", foray_c2_type_codes[tree]);
	foray_jb_string(&st, "tree", foray_tree_names[tree]);
	push_hash(&st, "component_hash", m->component_hash);
	push_hash(&st, "leaf_hash", levels[tree] + index * FORAY_MERKLE_HASH_LEN);

	foray_jb_key(&st, "steps");
	pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	path_check(foray_merkle_levels_path(levels[tree], n, index, path, &path_len));
	push_step(&st, foray_tree_names[tree], index, n, path, path_len, tx->tree_root[tree]);
	path_check(foray_merkle_inclusion_path(hs, tx->top_leaf, FORAY_TOP_LEAVES, 1 + tree,
										   path, &path_len));
	push_step(&st, "merkle_root", 1 + tree, FORAY_TOP_LEAVES, path, path_len, tx->merkle_root);
	pushJsonbValue(&st, WJB_END_ARRAY, NULL);

	push_hash(&st, "merkle_root", tx->merkle_root);
	return JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL));
}

/* the tree and index of member id, or an error naming it */
static int
locate(const ForayTx *tx, const char *id, size_t *index)
{
	for (int t = 0; t < FORAY_NTREES; t++)
		if (foray_tx_find_member(tx, t, id, index) != NULL)
			return t;
	ereport(ERROR,
			(errcode(ERRCODE_FORAY_UNKNOWN_SUBJECT),
			 errmsg("transaction \"%s\" has no component or attestation \"%s\"",
					tx->transaction_id, id)));
	return -1;
}

/*
 * The last anchored transaction this backend proved members of, kept with
 * its trees' leaves: an anchored transaction never changes, so the next
 * proof of one of its members costs its paths only (docs/merkle.md).  The
 * cache is checked against the transaction's row at every call: it serves
 * while the transaction is anchored or sealed with the same stored
 * merkle_root and scheme, in the same database.
 */
static MemoryContext proof_cache_cxt = NULL;
static bool proof_cache_valid = false;
static Oid	proof_cache_db = InvalidOid;
static ForayTx proof_cache_tx;
static uint8 *proof_cache_leaves[FORAY_NTREES];	/* the trees' levels */

/* the row's lifecycle, stored merkle_root and scheme; false when none */
static bool
row_state(const char *txid, char **lifecycle, char **root, int *scheme)
{
	static SPIPlanPtr plan = NULL;
	Datum		arg = CStringGetTextDatum(txid);
	int			rc;
	bool		found;
	MemoryContext caller = CurrentMemoryContext;
	int			nest;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	nest = foray_safe_search_path_push();
	if (plan == NULL || !foray_has_commitment_scheme())
	{
		Oid			types[1] = {TEXTOID};
		SPIPlanPtr	p = SPI_prepare(foray_has_commitment_scheme() ?
									"SELECT lifecycle::pg_catalog.text, merkle_root, commitment_scheme::pg_catalog.int4"
									"  FROM foray.foray_transactions WHERE transaction_id OPERATOR(pg_catalog.=) $1" :
									"SELECT lifecycle::pg_catalog.text, merkle_root, 1"
									"  FROM foray.foray_transactions WHERE transaction_id OPERATOR(pg_catalog.=) $1",
									1, types);

		if (p == NULL || SPI_keepplan(p) != 0)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		if (plan != NULL)
			SPI_freeplan(plan);
		plan = p;
	}
	rc = SPI_execute_plan(plan, &arg, NULL, false, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "transaction lookup failed: %s", SPI_result_code_string(rc));
	found = SPI_processed == 1;
	if (found)
	{
		HeapTuple	t = SPI_tuptable->vals[0];
		TupleDesc	d = SPI_tuptable->tupdesc;
		char	   *l = SPI_getvalue(t, d, 1);
		char	   *r = SPI_getvalue(t, d, 2);
		bool		isnull;

		*lifecycle = MemoryContextStrdup(caller, l);
		*root = r ? MemoryContextStrdup(caller, r) : NULL;
		*scheme = DatumGetInt32(SPI_getbinval(t, d, 3, &isnull));
	}
	foray_safe_search_path_pop(nest);
	SPI_finish();
	return found;
}

/* the transaction, from the cache when it holds it, else loaded */
static const ForayTx *
proof_source(const char *txid, ForayTx *tx, uint8 **leaves)
{
	char	   *lifecycle;
	char	   *root;
	int			scheme;
	bool		anchored;
	MemoryContext old;

	if (!row_state(txid, &lifecycle, &root, &scheme))
	{
		tx->found = false;
		tx->transaction_id = pstrdup(txid);
		return tx;
	}
	anchored = root != NULL &&
		(strcmp(lifecycle, "anchored") == 0 || strcmp(lifecycle, "sealed") == 0);
	if (anchored && proof_cache_valid && proof_cache_db == MyDatabaseId &&
		strcmp(proof_cache_tx.transaction_id, txid) == 0 &&
		proof_cache_tx.stored_merkle_root != NULL &&
		strcmp(proof_cache_tx.stored_merkle_root, root) == 0 &&
		proof_cache_tx.scheme == scheme)
	{
		memcpy(leaves, proof_cache_leaves, sizeof(proof_cache_leaves));
		return &proof_cache_tx;
	}
	if (!anchored)
	{
		foray_tx_load(txid, FORAY_TX_KEEP_IDS, tx, NULL, NULL);
		return tx;
	}
	/* load it into the cache, its leaves computed once */
	proof_cache_valid = false;
	if (proof_cache_cxt == NULL)
		proof_cache_cxt = AllocSetContextCreate(TopMemoryContext, "foray proof cache",
												ALLOCSET_DEFAULT_SIZES);
	else
		MemoryContextReset(proof_cache_cxt);
	old = MemoryContextSwitchTo(proof_cache_cxt);
	foray_tx_load(txid, FORAY_TX_KEEP_IDS, &proof_cache_tx, NULL, NULL);
	for (int t = 0; t < FORAY_NTREES; t++)
		proof_cache_leaves[t] = proof_cache_tx.found &&
			proof_cache_tx.tree_start[t + 1] > proof_cache_tx.tree_start[t] ?
			tree_levels(&proof_cache_tx, t) : NULL;
	MemoryContextSwitchTo(old);
	/* kept only when the rows give the anchored root (the rows cannot change) */
	if (proof_cache_tx.found && proof_cache_tx.stored_merkle_root != NULL)
	{
		char		h[FORAY_HASH_TEXT_LEN_M + 1];

		foray_hash_to_text(proof_cache_tx.merkle_root, h);
		proof_cache_valid = strcmp(h, proof_cache_tx.stored_merkle_root) == 0;
	}
	proof_cache_db = MyDatabaseId;
	memcpy(leaves, proof_cache_leaves, sizeof(proof_cache_leaves));
	return &proof_cache_tx;
}

/*
 * foray.inclusion_proof(tx text, id text) RETURNS jsonb
 */
Datum
foray_inclusion_proof(PG_FUNCTION_ARGS)
{
	char	   *txid = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *id = text_to_cstring(PG_GETARG_TEXT_PP(1));
	ForayTx		loaded;
	const ForayTx *tx;
	uint8	   *leaves[FORAY_NTREES] = {NULL};
	size_t		index;
	int			tree;

	tx = proof_source(txid, &loaded, leaves);
	foray_tx_require(tx);
	tree = locate(tx, id, &index);
	PG_RETURN_JSONB_P(build_proof(tx, tree, index, leaves));
}

/*
 * foray.inclusion_proofs(tx text, ids text[] DEFAULT NULL)
 *	 RETURNS TABLE (subject_id text, proof jsonb)
 * The proofs of the given members (every member when ids is NULL), from one
 * reading of the transaction: a proof each costs only its paths.
 */
Datum
foray_inclusion_proofs(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	char	   *txid;
	ForayTx		tx;
	uint8	   *leaves[FORAY_NTREES] = {NULL};
	Tuplestorestate *store;
	TupleDesc	desc;
	MemoryContext old;
	MemoryContext rowcxt;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	if (rsinfo == NULL || !IsA(rsinfo, ReturnSetInfo) ||
		(rsinfo->allowedModes & SFRM_Materialize) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("foray.inclusion_proofs must be called where a set is accepted")));
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "foray.inclusion_proofs must return rows");
	txid = text_to_cstring(PG_GETARG_TEXT_PP(0));
	foray_tx_load(txid, FORAY_TX_KEEP_IDS, &tx, NULL, NULL);
	foray_tx_require(&tx);

	old = MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory);
	desc = CreateTupleDescCopy(desc);
	store = tuplestore_begin_heap(true, false, work_mem);
	MemoryContextSwitchTo(old);
	rowcxt = AllocSetContextCreate(CurrentMemoryContext, "foray proof", ALLOCSET_DEFAULT_SIZES);

#define EMIT_PROOF(tree_, index_) \
	do { \
		Datum		values_[2]; \
		bool		nulls_[2] = {false, false}; \
		MemoryContext o_ = MemoryContextSwitchTo(rowcxt); \
		values_[0] = CStringGetTextDatum(tx.members[tx.tree_start[(tree_)] + (index_)].id); \
		values_[1] = JsonbPGetDatum(build_proof(&tx, (tree_), (index_), leaves)); \
		MemoryContextSwitchTo(rsinfo->econtext->ecxt_per_query_memory); \
		tuplestore_putvalues(store, desc, values_, nulls_); \
		MemoryContextSwitchTo(o_); \
		MemoryContextReset(rowcxt); \
	} while (0)

	/* the levels of each tree are built once, outside the row context */
	for (int t = 0; t < FORAY_NTREES; t++)
		if (tx.tree_start[t + 1] > tx.tree_start[t])
			leaves[t] = tree_levels(&tx, t);

	if (PG_ARGISNULL(1))
	{
		for (int t = 0; t < FORAY_NTREES; t++)
			for (size_t i = 0; i < tx.tree_start[t + 1] - tx.tree_start[t]; i++)
				EMIT_PROOF(t, i);
	}
	else
	{
		Datum	   *elems;
		bool	   *enulls;
		int			n;

		deconstruct_array(PG_GETARG_ARRAYTYPE_P(1), TEXTOID, -1, false, TYPALIGN_INT,
						  &elems, &enulls, &n);
		for (int i = 0; i < n; i++)
		{
			size_t		index;
			int			tree;

			if (enulls[i])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("member id %d of the list is null", i + 1)));
			tree = locate(&tx, TextDatumGetCString(elems[i]), &index);
			EMIT_PROOF(tree, index);
		}
	}
#undef EMIT_PROOF
	MemoryContextDelete(rowcxt);
	rsinfo->returnMode = SFRM_Materialize;
	rsinfo->setResult = store;
	rsinfo->setDesc = desc;
	return (Datum) 0;
}

