/*
 * proof.c
 *		Inclusion proofs: the audit path that proves one component or
 *		attestation is committed to by its transaction's merkle_root, and
 *		the verifier that needs nothing but the leaf hash, the proof and the
 *		root.
 *
 * A proof is a chain of RFC 9162 audit paths ("steps"): the first proves
 * the leaf in its tree (arrangements, ..., attestations), each next one
 * proves the previous tree's root, as a leaf (SHA-256(0x00 || root)), in
 * the next tree; the last step ends at the merkle_root.  A plain RFC 9162
 * proof is a one-step chain.
 */
#include "compat.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "txhash.h"

PG_FUNCTION_INFO_V1(foray_inclusion_proof);
PG_FUNCTION_INFO_V1(foray_verify_inclusion);

/* a proof never needs more steps than this (ours have two) */
#define MAX_STEPS 16

static int
cmp_id(const void *key, const void *elem)
{
	return strcmp((const char *) key, *(char *const *) elem);
}

static void
push_path(JsonbParseState **st, const char *key, const uint8 *path, size_t len)
{
	size_t		i;

	foray_jb_key(st, key);
	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < len; i++)
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
push_step(JsonbParseState **st, const char *tree, size_t index, size_t size,
		  const uint8 *path, size_t path_len, const uint8 *root)
{
	char		h[FORAY_HASH_TEXT_LEN_M + 1];

	pushJsonbValue(st, WJB_BEGIN_OBJECT, NULL);
	foray_jb_string(st, "tree", tree);
	foray_jb_int(st, "leaf_index", (int64) index);
	foray_jb_int(st, "tree_size", (int64) size);
	push_path(st, "path", path, path_len);
	foray_hash_to_text(root, h);
	foray_jb_string(st, "root", h);
	pushJsonbValue(st, WJB_END_OBJECT, NULL);
}

/*
 * foray.inclusion_proof(tx text, id text) RETURNS jsonb
 */
Datum
foray_inclusion_proof(PG_FUNCTION_ARGS)
{
	char	   *txid = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *id = text_to_cstring(PG_GETARG_TEXT_PP(1));
	ForayTx		tx;
	int			t;
	int			tree = -1;
	size_t		index = 0;
	uint8		path[FORAY_MERKLE_MAX_PATH * FORAY_MERKLE_HASH_LEN];
	size_t		path_len;
	JsonbParseState *st = NULL;
	JsonbValue *res;
	char		h[FORAY_HASH_TEXT_LEN_M + 1];
	foray_hasher *hs = foray_backend_hasher();
	int			rc;

	foray_tx_load(txid, FORAY_TX_KEEP_IDS, &tx, NULL, NULL);
	foray_tx_require(&tx);
	for (t = 0; t < FORAY_NTREES && tree < 0; t++)
	{
		char	  **hit;

		if (tx.leaves[t].n == 0)
			continue;
		hit = bsearch(id, tx.leaves[t].ids, tx.leaves[t].n, sizeof(char *), cmp_id);
		if (hit != NULL)
		{
			tree = t;
			index = hit - tx.leaves[t].ids;
		}
	}
	if (tree < 0)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_UNKNOWN_SUBJECT),
				 errmsg("transaction \"%s\" has no component or attestation \"%s\"", txid, id)));

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	foray_jb_string(&st, "transaction_id", txid);
	foray_jb_string(&st, "subject_id", id);
	foray_jb_string(&st, "tree", foray_tree_names[tree]);
	foray_hash_to_text(tx.leaves[tree].data + index * FORAY_MERKLE_HASH_LEN, h);
	foray_jb_string(&st, "component_hash", h);
	foray_hash_to_text(tx.leaves[tree].leaf + index * FORAY_MERKLE_HASH_LEN, h);
	foray_jb_string(&st, "leaf_hash", h);

	foray_jb_key(&st, "steps");
	pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	rc = foray_merkle_inclusion_path(hs, tx.leaves[tree].leaf, tx.leaves[tree].n,
									 index, path, &path_len);
	if (rc != FORAY_MERKLE_OK)
		elog(ERROR, "audit path failed: %s", foray_merkle_strerror(rc));
	push_step(&st, foray_tree_names[tree], index, tx.leaves[tree].n, path, path_len,
			  tx.tree_root[tree]);
	rc = foray_merkle_inclusion_path(hs, tx.top_leaf, FORAY_TOP_LEAVES, 1 + tree,
									 path, &path_len);
	if (rc != FORAY_MERKLE_OK)
		elog(ERROR, "audit path failed: %s", foray_merkle_strerror(rc));
	push_step(&st, "merkle_root", 1 + tree, FORAY_TOP_LEAVES, path, path_len,
			  tx.merkle_root);
	pushJsonbValue(&st, WJB_END_ARRAY, NULL);

	foray_hash_to_text(tx.merkle_root, h);
	foray_jb_string(&st, "merkle_root", h);
	res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	PG_RETURN_JSONB_P(JsonbValueToJsonb(res));
}

/* ---------------------------------------------------------------------
 * verify_inclusion
 * ---------------------------------------------------------------------
 */

static void
bad_proof(const char *what, int step)
{
	ereport(ERROR,
			(errcode(ERRCODE_FORAY_BAD_PROOF),
			 step >= 0 ?
			 errmsg("malformed inclusion proof: step %d: %s", step + 1, what) :
			 errmsg("malformed inclusion proof: %s", what),
			 errdetail("Rule PROOF-SHAPE: a proof is {\"steps\": [{\"leaf_index\": n, \"tree_size\": n, \"path\": [\"sha256:...\", ...]}, ...]} or one such step.")));
}

static JsonbValue *
get_key(JsonbContainer *c, const char *key)
{
	return getKeyJsonValueFromContainer(c, key, strlen(key), NULL);
}

/* a non-negative integer up to 2^64 - 1 */
static uint64
get_u64(JsonbContainer *c, const char *key, int step)
{
	JsonbValue *v = get_key(c, key);
	char	   *s;
	char	   *end;
	uint64		r;

	if (v == NULL || v->type != jbvNumeric)
		bad_proof(psprintf("%s is not a number", key), step);
	s = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
	if (s[0] < '0' || s[0] > '9' || strspn(s, "0123456789") != strlen(s) || strlen(s) > 20)
		bad_proof(psprintf("%s is not a non-negative integer", key), step);
	errno = 0;
	r = strtoull(s, &end, 10);
	if (errno != 0)
		bad_proof(psprintf("%s is out of range", key), step);
	return r;
}

/* one step: the root its path implies for leaf h, false when none */
static bool
run_step(JsonbContainer *c, int step, const uint8 *leaf, uint8 *root_out)
{
	uint64		index = get_u64(c, "leaf_index", step);
	uint64		size = get_u64(c, "tree_size", step);
	JsonbValue *pv = get_key(c, "path");
	JsonbValue *rv = get_key(c, "root");
	uint8		path[FORAY_MERKLE_MAX_PATH * FORAY_MERKLE_HASH_LEN];
	uint32		n;
	uint32		i;
	int			rc;

	if (pv == NULL || pv->type != jbvBinary || !JsonContainerIsArray(pv->val.binary.data))
		bad_proof("path is not an array", step);
	n = JsonContainerSize(pv->val.binary.data);
	if (n > FORAY_MERKLE_MAX_PATH)
		return false;			/* no tree of 2^64 leaves has such a path */
	for (i = 0; i < n; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(pv->val.binary.data, i);
		char	   *s;

		if (e == NULL || e->type != jbvString)
			bad_proof("path element is not a string", step);
		s = pnstrdup(e->val.string.val, e->val.string.len);
		if (!foray_hash_from_text(s, path + i * FORAY_MERKLE_HASH_LEN))
			bad_proof(psprintf("path element %u is not a sha-256 hash", i + 1), step);
	}
	rc = foray_merkle_root_from_path(foray_backend_hasher(), index, size, leaf, path, n,
									 root_out);
	if (rc == FORAY_MERKLE_BAD_INDEX || rc == FORAY_MERKLE_BAD_PATH_LEN)
		return false;
	if (rc != FORAY_MERKLE_OK)
		elog(ERROR, "inclusion proof verification failed: %s", foray_merkle_strerror(rc));

	/* a root stated in the step must be the one the path implies */
	if (rv != NULL)
	{
		uint8		stated[FORAY_MERKLE_HASH_LEN];

		if (rv->type != jbvString ||
			!foray_hash_from_text(pnstrdup(rv->val.string.val, rv->val.string.len), stated))
			bad_proof("root is not a sha-256 hash", step);
		if (memcmp(stated, root_out, FORAY_MERKLE_HASH_LEN) != 0)
			return false;
	}
	return true;
}

/*
 * foray.verify_inclusion(leaf_hash text, proof jsonb, root text) RETURNS boolean
 * True when the proof takes the leaf hash (SHA-256(0x00 || component hash))
 * to the root; false otherwise.  Malformed input is an error.
 */
Datum
foray_verify_inclusion(PG_FUNCTION_ARGS)
{
	char	   *leaf_text = text_to_cstring(PG_GETARG_TEXT_PP(0));
	Jsonb	   *proof = PG_GETARG_JSONB_P(1);
	char	   *root_text = text_to_cstring(PG_GETARG_TEXT_PP(2));
	uint8		leaf[FORAY_MERKLE_HASH_LEN];
	uint8		root[FORAY_MERKLE_HASH_LEN];
	uint8		cur[FORAY_MERKLE_HASH_LEN];
	JsonbValue *steps;
	int			nsteps;
	int			s;

	foray_hash_from_text_or_error(leaf_text, leaf, "leaf_hash");
	foray_hash_from_text_or_error(root_text, root, "root");
	if (!JB_ROOT_IS_OBJECT(proof))
		bad_proof("not an object", -1);

	memcpy(cur, leaf, FORAY_MERKLE_HASH_LEN);
	steps = get_key(&proof->root, "steps");
	if (steps == NULL)
	{
		/* one bare RFC 9162 step */
		uint8		r[FORAY_MERKLE_HASH_LEN];

		if (!run_step(&proof->root, 0, cur, r))
			PG_RETURN_BOOL(false);
		PG_RETURN_BOOL(memcmp(r, root, FORAY_MERKLE_HASH_LEN) == 0);
	}
	if (steps->type != jbvBinary || !JsonContainerIsArray(steps->val.binary.data))
		bad_proof("steps is not an array", -1);
	nsteps = JsonContainerSize(steps->val.binary.data);
	if (nsteps < 1 || nsteps > MAX_STEPS)
		bad_proof("a proof has 1 to 16 steps", -1);
	for (s = 0; s < nsteps; s++)
	{
		JsonbValue *st = getIthJsonbValueFromContainer(steps->val.binary.data, s);
		uint8		r[FORAY_MERKLE_HASH_LEN];

		if (st == NULL || st->type != jbvBinary || !JsonContainerIsObject(st->val.binary.data))
			bad_proof("step is not an object", s);
		if (!run_step(st->val.binary.data, s, cur, r))
			PG_RETURN_BOOL(false);
		if (s + 1 < nsteps)
		{
			/* this tree's root is a leaf of the next tree */
			int			rc = foray_merkle_leaf_hash(foray_backend_hasher(), r,
													FORAY_MERKLE_HASH_LEN, cur);

			if (rc != FORAY_MERKLE_OK)
				elog(ERROR, "leaf hash failed: %s", foray_merkle_strerror(rc));
		}
		else
			memcpy(cur, r, FORAY_MERKLE_HASH_LEN);
	}
	PG_RETURN_BOOL(memcmp(cur, root, FORAY_MERKLE_HASH_LEN) == 0);
}
