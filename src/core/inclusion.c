/*
 * inclusion.c
 *		Inclusion proof verification, schemes 1 and 2 (see inclusion.h).
 */
#include "inclusion.h"

#include <string.h>

static const struct
{
	const char *field;
	const char *what;
}			rc_text[] = {
	[FORAY_INCLUSION_OK] = {"", "the proof verifies"},
	[FORAY_INCLUSION_SCHEME] = {"commitment_scheme", "commitment_scheme is neither 1 nor 2"},
	[FORAY_INCLUSION_TYPE] = {"component_type", "component_type is not ARR, ACC, ANT, ACT or ATT"},
	[FORAY_INCLUSION_TREE] = {"tree", "tree is not the tree of component_type"},
	[FORAY_INCLUSION_STEP0_TREE] = {"steps[0].tree", "the first step's tree is not the proof's tree"},
	[FORAY_INCLUSION_STEP1_TREE] = {"steps[1].tree", "the second step's tree is not merkle_root"},
	[FORAY_INCLUSION_TOP_INDEX] = {"steps[1].leaf_index", "the second step's leaf_index is not the tree's position in the top tree"},
	[FORAY_INCLUSION_TOP_SIZE] = {"steps[1].tree_size", "the top tree has 7 leaves"},
	[FORAY_INCLUSION_LEAF] = {"leaf_hash", "leaf_hash is not the leaf the proof's claims give"},
	[FORAY_INCLUSION_STEP0_PATH] = {"steps[0].path", "the first step's path does not fit its leaf_index and tree_size"},
	[FORAY_INCLUSION_STEP0_ROOT] = {"steps[0].root", "the first step's path does not lead to its root"},
	[FORAY_INCLUSION_STEP1_PATH] = {"steps[1].path", "the second step's path does not fit its leaf_index and tree_size"},
	[FORAY_INCLUSION_STEP1_ROOT] = {"steps[1].root", "the second step's path does not lead to its root"},
	[FORAY_INCLUSION_MERKLE_ROOT] = {"merkle_root", "merkle_root is not the root the path leads to"},
	[FORAY_INCLUSION_TRUSTED_ROOT] = {"merkle_root", "the proof leads to another root than the trusted one"},
	[FORAY_INCLUSION_TOO_LONG] = {"subject_id", "an id is too long to be committed"},
	[FORAY_INCLUSION_ERROR] = {"", "sha-256 failed or memory ran out"},
};

const char *
foray_inclusion_strerror(foray_inclusion_rc rc)
{
	if ((int) rc < 0 || (size_t) rc >= sizeof(rc_text) / sizeof(rc_text[0]))
		return "unknown result";
	return rc_text[rc].what;
}

const char *
foray_inclusion_field(foray_inclusion_rc rc)
{
	if ((int) rc < 0 || (size_t) rc >= sizeof(rc_text) / sizeof(rc_text[0]))
		return "";
	return rc_text[rc].field;
}

/* RFC 9162 §2.1.3.2 for one step: its path from leaf must end at its root */
static foray_inclusion_rc
run_step(foray_hasher *h, const foray_inclusion_step *s, const uint8_t *leaf,
		 uint8_t out[FORAY_MERKLE_HASH_LEN], foray_inclusion_rc bad_path,
		 foray_inclusion_rc bad_root)
{
	int			rc = foray_merkle_root_from_path(h, s->leaf_index, s->tree_size, leaf,
												 s->path, s->path_len, out);

	if (rc == FORAY_MERKLE_BAD_INDEX || rc == FORAY_MERKLE_BAD_PATH_LEN)
		return bad_path;
	if (rc != FORAY_MERKLE_OK)
		return FORAY_INCLUSION_ERROR;
	if (memcmp(out, s->root, FORAY_MERKLE_HASH_LEN) != 0)
		return bad_root;
	return FORAY_INCLUSION_OK;
}

static bool
same(const char *a, size_t alen, const char *b)
{
	return a != NULL && alen == strlen(b) && memcmp(a, b, alen) == 0;
}

foray_inclusion_rc
foray_inclusion_verify(foray_hasher *h, const foray_inclusion_proof *p,
					   const uint8_t trusted_root[FORAY_MERKLE_HASH_LEN],
					   foray_inclusion_trace *trace)
{
	foray_inclusion_trace own;
	int			tree;
	uint8_t    *leaf,
			   *r0,
			   *top,
			   *r1;
	foray_inclusion_rc v;
	int			rc;

	if (trace == NULL)
		trace = &own;
	memset(trace, 0, sizeof(*trace));
	leaf = trace->leaf;
	r0 = trace->r0;
	top = trace->top;
	r1 = trace->r1;

	if (p->scheme != FORAY_COMMIT_SCHEME_1 && p->scheme != FORAY_COMMIT_SCHEME_2)
		return FORAY_INCLUSION_SCHEME;

	/* the labels */
	tree = foray_c2_tree_of_name(p->tree, p->tree_len);
	if (p->component_type != NULL || p->scheme == FORAY_COMMIT_SCHEME_2)
	{
		int			t = p->component_type == NULL ? -1 :
			foray_c2_tree_of_type(p->component_type, p->component_type_len);

		if (t < 0)
			return FORAY_INCLUSION_TYPE;
		if (tree != t)
			return FORAY_INCLUSION_TREE;
	}
	else if (tree < 0 || tree >= FORAY_C2_TREE_AUDIT)
		return FORAY_INCLUSION_TREE;
	if (p->steps[0].tree_len != p->tree_len ||
		memcmp(p->steps[0].tree, p->tree, p->tree_len) != 0)
		return FORAY_INCLUSION_STEP0_TREE;
	if (!same(p->steps[1].tree, p->steps[1].tree_len, "merkle_root"))
		return FORAY_INCLUSION_STEP1_TREE;
	if (p->steps[1].leaf_index != (uint64_t) (1 + tree))
		return FORAY_INCLUSION_TOP_INDEX;
	if (p->steps[1].tree_size != FORAY_C2_TOP_LEAVES)
		return FORAY_INCLUSION_TOP_SIZE;

	/* the leaf, computed from what the proof claims */
	if (p->scheme == FORAY_COMMIT_SCHEME_1)
		rc = foray_merkle_leaf_hash(h, p->component_hash, FORAY_MERKLE_HASH_LEN, leaf);
	else
		rc = foray_c2_member_leaf(h, p->transaction_id, p->transaction_id_len,
								  p->component_type, p->component_type_len,
								  p->subject_id, p->subject_id_len, p->component_hash, leaf);
	if (rc == FORAY_MERKLE_TOO_LONG)
		return FORAY_INCLUSION_TOO_LONG;
	if (rc != FORAY_MERKLE_OK)
		return FORAY_INCLUSION_ERROR;
	if (memcmp(leaf, p->leaf_hash, FORAY_MERKLE_HASH_LEN) != 0)
		return FORAY_INCLUSION_LEAF;

	/* the member's tree, then the top tree */
	v = run_step(h, &p->steps[0], leaf, r0, FORAY_INCLUSION_STEP0_PATH,
				 FORAY_INCLUSION_STEP0_ROOT);
	if (v != FORAY_INCLUSION_OK)
		return v;
	if (p->scheme == FORAY_COMMIT_SCHEME_1)
		rc = foray_merkle_leaf_hash(h, r0, FORAY_MERKLE_HASH_LEN, top);
	else
		rc = foray_c2_tree_leaf(h, p->tree, p->tree_len, p->steps[0].tree_size, r0, top);
	if (rc != FORAY_MERKLE_OK)
		return FORAY_INCLUSION_ERROR;
	v = run_step(h, &p->steps[1], top, r1, FORAY_INCLUSION_STEP1_PATH,
				 FORAY_INCLUSION_STEP1_ROOT);
	if (v != FORAY_INCLUSION_OK)
		return v;
	if (memcmp(r1, p->merkle_root, FORAY_MERKLE_HASH_LEN) != 0)
		return FORAY_INCLUSION_MERKLE_ROOT;
	if (memcmp(r1, trusted_root, FORAY_MERKLE_HASH_LEN) != 0)
		return FORAY_INCLUSION_TRUSTED_ROOT;
	return FORAY_INCLUSION_OK;
}
