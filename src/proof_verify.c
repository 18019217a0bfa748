/*
 * proof_verify.c
 *		foray.verify_inclusion: checks an inclusion proof (docs/merkle.md,
 *		"Inclusion proofs") against the root the caller trusts, reading no
 *		table.  This file reads the proof from jsonb (rule 1: its shape,
 *		every key and value type); the rules that follow live in
 *		src/core/inclusion.c, shared with foray-verify.
 */
#include "compat.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "inclusion.h"
#include "txhash.h"

PG_FUNCTION_INFO_V1(foray_verify_inclusion_proof);
PG_FUNCTION_INFO_V1(foray_verify_inclusion);

static void
path_check(int rc)
{
	if (rc != FORAY_MERKLE_OK)
		elog(ERROR, "inclusion proof verification failed: %s", foray_merkle_strerror(rc));
}

/* ---------------------------------------------------------------------
 * Reading proofs (rule 1 of docs/merkle.md: the shape)
 * ---------------------------------------------------------------------
 */

static void
bad_proof(const char *key, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_FORAY_BAD_PROOF),
			 errmsg("malformed inclusion proof: %s %s", key, what),
			 errdetail("Rule PROOF-SHAPE: a proof has exactly the keys commitment_scheme, transaction_id, subject_id, component_type, tree, component_hash, leaf_hash, steps and merkle_root; steps are two objects with exactly tree, leaf_index, tree_size, path and root (docs/merkle.md).")));
}

/* every key of the object c is one of keys[] (NULL-terminated) */
static void
only_keys(JsonbContainer *c, const char *const *keys, const char *where)
{
	JsonbIterator *it = JsonbIteratorInit(c);
	JsonbValue	v;
	JsonbIteratorToken tok;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		bool		known = false;

		if (tok != WJB_KEY)
			continue;
		for (int i = 0; keys[i] != NULL && !known; i++)
			known = strlen(keys[i]) == (size_t) v.val.string.len &&
				memcmp(keys[i], v.val.string.val, v.val.string.len) == 0;
		if (!known)
			bad_proof(psprintf("%s\"%s\"", where, pnstrdup(v.val.string.val, v.val.string.len)),
					  "is not a key of a proof");
	}
}

static JsonbValue *
get_key(JsonbContainer *c, const char *key)
{
	return getKeyJsonValueFromContainer(c, key, strlen(key), NULL);
}

/* a required string; its bytes (not copied) */
static const char *
get_string(JsonbContainer *c, const char *key, const char *name, size_t *len, bool required)
{
	JsonbValue *v = get_key(c, key);

	if (v == NULL && !required)
		return NULL;
	if (v == NULL || v->type != jbvString)
		bad_proof(name, v == NULL ? "is missing" : "is not a string");
	*len = v->val.string.len;
	return v->val.string.val;
}

static void
get_hash(JsonbContainer *c, const char *key, const char *name, uint8 *raw)
{
	size_t		len;
	const char *s = get_string(c, key, name, &len, true);

	if (!foray_hash_from_text(pnstrdup(s, len), raw))
		bad_proof(name, "is not a sha-256 hash (\"sha256:\" and 64 lower-case hex digits)");
}

/* an integer from 0 to 2^63 - 1 */
static uint64
get_index(JsonbContainer *c, const char *key, const char *name)
{
	JsonbValue *v = get_key(c, key);
	char	   *s;
	size_t		len;

	if (v == NULL || v->type != jbvNumeric)
		bad_proof(name, v == NULL ? "is missing" : "is not a number");
	s = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
	len = strlen(s);
	if (len == 0 || strspn(s, "0123456789") != len || len > 19 ||
		(len == 19 && strcmp(s, "9223372036854775807") > 0))
		bad_proof(name, "is not an integer from 0 to 2^63 - 1");
	return strtoull(s, NULL, 10);
}

static const char *const proof_keys[] = {
	"commitment_scheme", "transaction_id", "subject_id", "component_type", "tree",
	"component_hash", "leaf_hash", "steps", "merkle_root", NULL
};
static const char *const step_keys[] = {"tree", "leaf_index", "tree_size", "path", "root", NULL};

/*
 * Fill p from a step object; false when its path cannot belong to any tree
 * (more than 64 hashes: the proof is well formed but cannot verify).
 */
static bool
read_step(JsonbContainer *c, int s, foray_inclusion_step *step, uint8 *pathbuf)
{
	char		where[32];
	JsonbValue *pv;
	uint32		n;

	snprintf(where, sizeof(where), "steps[%d].", s);
	only_keys(c, step_keys, where);
	step->tree = get_string(c, "tree", psprintf("%stree", where), &step->tree_len, true);
	step->leaf_index = get_index(c, "leaf_index", psprintf("%sleaf_index", where));
	step->tree_size = get_index(c, "tree_size", psprintf("%stree_size", where));
	get_hash(c, "root", psprintf("%sroot", where), step->root);
	pv = get_key(c, "path");
	if (pv == NULL || pv->type != jbvBinary || !JsonContainerIsArray(pv->val.binary.data) ||
		JsonContainerIsScalar(pv->val.binary.data))
		bad_proof(psprintf("%spath", where), pv == NULL ? "is missing" : "is not an array");
	n = JsonContainerSize(pv->val.binary.data);
	for (uint32 i = 0; i < n; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(pv->val.binary.data, i);

		if (e == NULL || e->type != jbvString ||
			!foray_hash_from_text(pnstrdup(e->val.string.val, e->val.string.len),
								  pathbuf + (Min(i, FORAY_MERKLE_MAX_PATH - 1)) * FORAY_MERKLE_HASH_LEN))
			bad_proof(psprintf("%spath[%u]", where, i), "is not a sha-256 hash");
	}
	step->path = pathbuf;
	step->path_len = n;
	return n <= FORAY_MERKLE_MAX_PATH;
}

/*
 * Read a full proof (rule 1).  legacy: a proof of 0.4.0, without
 * commitment_scheme and component_type (scheme 1).  Returns false when a
 * step's path is longer than any tree's.
 */
static bool
read_proof(Jsonb *proof, foray_inclusion_proof *p, uint8 *paths, bool legacy)
{
	JsonbContainer *c = &proof->root;
	JsonbValue *sv;
	bool		ok = true;

	memset(p, 0, sizeof(*p));
	if (!JB_ROOT_IS_OBJECT(proof))
		bad_proof("the proof", "is not a JSON object");
	only_keys(c, proof_keys, "");
	if (legacy && get_key(c, "commitment_scheme") == NULL)
		p->scheme = FORAY_COMMIT_SCHEME_1;
	else
	{
		uint64		scheme = get_index(c, "commitment_scheme", "commitment_scheme");

		if (scheme != FORAY_COMMIT_SCHEME_1 && scheme != FORAY_COMMIT_SCHEME_2)
			bad_proof("commitment_scheme", "is neither 1 nor 2");
		p->scheme = (int) scheme;
	}
	p->transaction_id = get_string(c, "transaction_id", "transaction_id", &p->transaction_id_len, true);
	p->subject_id = get_string(c, "subject_id", "subject_id", &p->subject_id_len, true);
	/* required, but in a proof of 0.4.0 (no commitment_scheme: scheme 1) */
	p->component_type = get_string(c, "component_type", "component_type", &p->component_type_len,
								   !(legacy && get_key(c, "commitment_scheme") == NULL));
	p->tree = get_string(c, "tree", "tree", &p->tree_len, true);
	get_hash(c, "component_hash", "component_hash", p->component_hash);
	get_hash(c, "leaf_hash", "leaf_hash", p->leaf_hash);
	get_hash(c, "merkle_root", "merkle_root", p->merkle_root);
	sv = get_key(c, "steps");
	if (sv == NULL || sv->type != jbvBinary || !JsonContainerIsArray(sv->val.binary.data) ||
		JsonContainerIsScalar(sv->val.binary.data))
		bad_proof("steps", sv == NULL ? "is missing" : "is not an array");
	if (JsonContainerSize(sv->val.binary.data) != 2)
		bad_proof("steps", "does not have exactly two steps");
	for (int s = 0; s < 2; s++)
	{
		JsonbValue *st = getIthJsonbValueFromContainer(sv->val.binary.data, s);

		if (st == NULL || st->type != jbvBinary || !JsonContainerIsObject(st->val.binary.data))
			bad_proof(psprintf("steps[%d]", s), "is not an object");
		ok = read_step(st->val.binary.data, s, &p->steps[s],
					   paths + s * FORAY_MERKLE_MAX_PATH * FORAY_MERKLE_HASH_LEN) && ok;
	}
	return ok;
}

static bool
verify_read_proof(foray_inclusion_proof *p, const uint8 *root)
{
	foray_inclusion_rc rc = foray_inclusion_verify(foray_backend_hasher(), p, root, NULL);

	if (rc == FORAY_INCLUSION_ERROR)
		elog(ERROR, "inclusion proof verification failed: %s", foray_inclusion_strerror(rc));
	return rc == FORAY_INCLUSION_OK;
}

/*
 * foray.verify_inclusion(proof jsonb, root text) RETURNS boolean
 * True when every label of the proof is what its hashes prove and it leads
 * to the root the caller trusts.  Malformed proofs: 22R51; a root that is
 * not a hash: 22R50.  Reads no table.
 */
Datum
foray_verify_inclusion_proof(PG_FUNCTION_ARGS)
{
	Jsonb	   *proof = PG_GETARG_JSONB_P(0);
	char	   *root_text = text_to_cstring(PG_GETARG_TEXT_PP(1));
	uint8		root[FORAY_MERKLE_HASH_LEN];
	uint8		paths[2 * FORAY_MERKLE_MAX_PATH * FORAY_MERKLE_HASH_LEN];
	foray_inclusion_proof p;

	foray_hash_from_text_or_error(root_text, root, "root");
	if (!read_proof(proof, &p, paths, false))
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(verify_read_proof(&p, root));
}

/*
 * foray.verify_inclusion(leaf_hash text, proof jsonb, root text) RETURNS boolean
 * The 0.4.0 form.  A full proof (with or without commitment_scheme): the
 * rules of the two-argument form, and leaf_hash must be the leaf the proof's
 * claims give.  A bare RFC 9162 step {leaf_index, tree_size, path[, root]}:
 * a plain RFC 9162 check of leaf_hash against root.
 */
Datum
foray_verify_inclusion(PG_FUNCTION_ARGS)
{
	char	   *leaf_text = text_to_cstring(PG_GETARG_TEXT_PP(0));
	Jsonb	   *proof = PG_GETARG_JSONB_P(1);
	char	   *root_text = text_to_cstring(PG_GETARG_TEXT_PP(2));
	uint8		leaf[FORAY_MERKLE_HASH_LEN];
	uint8		root[FORAY_MERKLE_HASH_LEN];
	uint8		paths[2 * FORAY_MERKLE_MAX_PATH * FORAY_MERKLE_HASH_LEN];
	foray_inclusion_proof p;

	foray_hash_from_text_or_error(leaf_text, leaf, "leaf_hash");
	foray_hash_from_text_or_error(root_text, root, "root");
	if (!JB_ROOT_IS_OBJECT(proof))
		bad_proof("the proof", "is not a JSON object");
	if (get_key(&proof->root, "steps") == NULL)
	{
		/* one bare RFC 9162 step */
		static const char *const bare_keys[] = {"leaf_index", "tree_size", "path", "root", NULL};
		foray_inclusion_step step;
		uint8		r[FORAY_MERKLE_HASH_LEN];
		int			rc;

		only_keys(&proof->root, bare_keys, "");
		memset(&step, 0, sizeof(step));
		step.leaf_index = get_index(&proof->root, "leaf_index", "leaf_index");
		step.tree_size = get_index(&proof->root, "tree_size", "tree_size");
		if (get_key(&proof->root, "root") != NULL)
			get_hash(&proof->root, "root", "root", step.root);
		else
			memcpy(step.root, root, FORAY_MERKLE_HASH_LEN);
		{
			JsonbValue *pv = get_key(&proof->root, "path");
			uint32		n;

			if (pv == NULL || pv->type != jbvBinary || !JsonContainerIsArray(pv->val.binary.data) ||
				JsonContainerIsScalar(pv->val.binary.data))
				bad_proof("path", pv == NULL ? "is missing" : "is not an array");
			n = JsonContainerSize(pv->val.binary.data);
			for (uint32 i = 0; i < n; i++)
			{
				JsonbValue *e = getIthJsonbValueFromContainer(pv->val.binary.data, i);

				if (e == NULL || e->type != jbvString ||
					!foray_hash_from_text(pnstrdup(e->val.string.val, e->val.string.len),
										  paths + Min(i, FORAY_MERKLE_MAX_PATH - 1) * FORAY_MERKLE_HASH_LEN))
					bad_proof(psprintf("path[%u]", i), "is not a sha-256 hash");
			}
			if (n > FORAY_MERKLE_MAX_PATH)
				PG_RETURN_BOOL(false);
			step.path = paths;
			step.path_len = n;
		}
		rc = foray_merkle_root_from_path(foray_backend_hasher(), step.leaf_index, step.tree_size,
										 leaf, step.path, step.path_len, r);
		if (rc == FORAY_MERKLE_BAD_INDEX || rc == FORAY_MERKLE_BAD_PATH_LEN)
			PG_RETURN_BOOL(false);
		path_check(rc);
		PG_RETURN_BOOL(memcmp(r, root, FORAY_MERKLE_HASH_LEN) == 0 &&
					   memcmp(step.root, root, FORAY_MERKLE_HASH_LEN) == 0);
	}
	if (!read_proof(proof, &p, paths, true))
		PG_RETURN_BOOL(false);
	if (memcmp(p.leaf_hash, leaf, FORAY_MERKLE_HASH_LEN) != 0)
		PG_RETURN_BOOL(false);
	PG_RETURN_BOOL(verify_read_proof(&p, root));
}
