/*
 * commitment.c
 *		A transaction's trees and merkle_root from its members' hashes,
 *		scheme 1 or 2 (see commitment.h, docs/merkle.md).
 */
#include "commitment.h"

#include <stdlib.h>
#include <string.h>

int
foray_commit_member_cmp(const foray_commit_member *a, const foray_commit_member *b)
{
	if (a->tree != b->tree)
		return a->tree < b->tree ? -1 : 1;
	return foray_c2_id_cmp(a->id, a->id_len, b->id, b->id_len);
}

static int
member_qsort_cmp(const void *a, const void *b)
{
	return foray_commit_member_cmp(a, b);
}

void
foray_commit_sort(foray_commit_member *m, size_t n)
{
	if (n > 1)
		qsort(m, n, sizeof(foray_commit_member), member_qsort_cmp);
}

/* hash("null"): scheme 1's entry for absent audit data */
static int
null_hash(foray_hasher *h, uint8_t out[FORAY_MERKLE_HASH_LEN])
{
	return foray_sha256(h, (const uint8_t *) "null", 4, out);
}

int
foray_commit_member_leaf(foray_hasher *h, const foray_commit_input *in,
						 const foray_commit_member *m, uint8_t leaf[FORAY_MERKLE_HASH_LEN])
{
	const char *type;

	if (in->scheme == FORAY_COMMIT_SCHEME_1)
		return foray_merkle_leaf_hash(h, m->component_hash, FORAY_MERKLE_HASH_LEN, leaf);
	if (m->tree < 0 || m->tree >= FORAY_C2_NTREES - 1)
		return FORAY_MERKLE_BAD_INDEX;
	type = foray_c2_type_codes[m->tree];
	return foray_c2_member_leaf(h, in->transaction_id, in->transaction_id_len,
								type, strlen(type), m->id, m->id_len, m->component_hash, leaf);
}

int
foray_commit_audit_leaf(foray_hasher *h, const foray_commit_input *in,
						const foray_commit_member *m, uint8_t leaf[FORAY_MERKLE_HASH_LEN])
{
	uint8_t		buf[FORAY_C2_ENTRY_MAX];
	size_t		len;
	const char *type;
	int			rc;

	if (in->scheme == FORAY_COMMIT_SCHEME_1)
	{
		uint8_t		d[FORAY_MERKLE_HASH_LEN];

		if (m->has_audit)
			memcpy(d, m->audit_hash, FORAY_MERKLE_HASH_LEN);
		else if ((rc = null_hash(h, d)) != FORAY_MERKLE_OK)
			return rc;
		return foray_merkle_leaf_hash(h, d, FORAY_MERKLE_HASH_LEN, leaf);
	}
	if (m->tree < 0 || m->tree >= FORAY_C2_NTREES - 1)
		return FORAY_MERKLE_BAD_INDEX;
	type = foray_c2_type_codes[m->tree];
	rc = foray_c2_audit_member_entry(buf, sizeof(buf), &len, in->transaction_id,
									 in->transaction_id_len, type, strlen(type),
									 m->id, m->id_len, m->audit_hash);
	if (rc != FORAY_MERKLE_OK)
		return rc;
	return foray_merkle_leaf_hash(h, buf, len, leaf);
}

/* the audit_data tree's first leaf: the anchor's metadata */
static int
anchor_leaf(foray_hasher *h, const foray_commit_input *in, uint8_t leaf[FORAY_MERKLE_HASH_LEN])
{
	uint8_t		buf[FORAY_C2_ENTRY_MAX];
	size_t		len;
	int			rc;

	if (in->scheme == FORAY_COMMIT_SCHEME_1)
	{
		uint8_t		d[FORAY_MERKLE_HASH_LEN];

		if (in->has_anchor)
			memcpy(d, in->anchor_hash, FORAY_MERKLE_HASH_LEN);
		else if ((rc = null_hash(h, d)) != FORAY_MERKLE_OK)
			return rc;
		return foray_merkle_leaf_hash(h, d, FORAY_MERKLE_HASH_LEN, leaf);
	}
	rc = foray_c2_audit_anchor_entry(buf, sizeof(buf), &len, in->transaction_id,
									 in->transaction_id_len, in->anchor_hash);
	if (rc != FORAY_MERKLE_OK)
		return rc;
	return foray_merkle_leaf_hash(h, buf, len, leaf);
}

/* the top tree's first leaf: the header (scheme 2) or foray_core_hash (1) */
static int
header_leaf(foray_hasher *h, const foray_commit_input *in, uint8_t leaf[FORAY_MERKLE_HASH_LEN])
{
	uint8_t		buf[FORAY_C2_ENTRY_MAX];
	size_t		len;
	int			rc;

	if (in->scheme == FORAY_COMMIT_SCHEME_1)
		return foray_merkle_leaf_hash(h, in->foray_core_hash, FORAY_MERKLE_HASH_LEN, leaf);
	rc = foray_c2_header_entry(buf, sizeof(buf), &len,
							   in->transaction_id, in->transaction_id_len,
							   in->schema_version, in->schema_version_len,
							   in->timestamp, in->timestamp_len, in->foray_core_hash);
	if (rc != FORAY_MERKLE_OK)
		return rc;
	return foray_merkle_leaf_hash(h, buf, len, leaf);
}

int
foray_commit_compute(foray_hasher *h, const foray_commit_input *in, foray_commit *out)
{
	size_t		n = in->n_members;
	uint8_t    *leaves;
	uint8_t    *audit;
	size_t		naudit = 0;
	size_t		start = 0;
	int			rc = FORAY_MERKLE_OK;

	if (in->scheme != FORAY_COMMIT_SCHEME_1 && in->scheme != FORAY_COMMIT_SCHEME_2)
		return FORAY_MERKLE_BAD_INDEX;
	memset(out, 0, sizeof(*out));
	if (n > (SIZE_MAX / FORAY_MERKLE_HASH_LEN) - 1)
		return FORAY_MERKLE_NOMEM;
	leaves = malloc((n + 1) * FORAY_MERKLE_HASH_LEN);
	audit = malloc((n + 1) * FORAY_MERKLE_HASH_LEN);
	if (leaves == NULL || audit == NULL)
	{
		free(leaves);
		free(audit);
		return FORAY_MERKLE_NOMEM;
	}

	/* the audit_data tree: the anchor, then members in leaf order */
	if (in->scheme == FORAY_COMMIT_SCHEME_1 || in->has_anchor)
		rc = anchor_leaf(h, in, audit + FORAY_MERKLE_HASH_LEN * naudit++);

	/* each member tree is a run of the sorted members */
	for (int t = 0; t < FORAY_C2_NTREES - 1 && rc == FORAY_MERKLE_OK; t++)
	{
		size_t		end = start;

		while (end < n && in->members[end].tree == t)
			end++;
		for (size_t i = start; i < end && rc == FORAY_MERKLE_OK; i++)
		{
			const foray_commit_member *m = &in->members[i];

			rc = foray_commit_member_leaf(h, in, m, leaves + FORAY_MERKLE_HASH_LEN * (i - start));
			if (rc == FORAY_MERKLE_OK &&
				(in->scheme == FORAY_COMMIT_SCHEME_1 || m->has_audit))
				rc = foray_commit_audit_leaf(h, in, m, audit + FORAY_MERKLE_HASH_LEN * naudit++);
		}
		if (rc == FORAY_MERKLE_OK)
			rc = foray_merkle_root_inplace(h, leaves, end - start, out->root[t]);
		out->size[t] = end - start;
		start = end;
	}
	if (rc == FORAY_MERKLE_OK && start != n)
		rc = FORAY_MERKLE_BAD_INDEX;	/* not sorted, or a tree outside 0..4 */
	if (rc == FORAY_MERKLE_OK)
	{
		out->size[FORAY_C2_TREE_AUDIT] = naudit;
		rc = foray_merkle_root_inplace(h, audit, naudit, out->root[FORAY_C2_TREE_AUDIT]);
	}
	free(leaves);
	free(audit);

	/* the top tree: header, then the six trees */
	if (rc == FORAY_MERKLE_OK)
		rc = header_leaf(h, in, out->top_leaf[0]);
	for (int t = 0; t < FORAY_C2_NTREES && rc == FORAY_MERKLE_OK; t++)
	{
		const char *name = foray_c2_tree_names[t];

		if (in->scheme == FORAY_COMMIT_SCHEME_1)
			rc = foray_merkle_leaf_hash(h, out->root[t], FORAY_MERKLE_HASH_LEN, out->top_leaf[1 + t]);
		else
			rc = foray_c2_tree_leaf(h, name, strlen(name), out->size[t], out->root[t],
									out->top_leaf[1 + t]);
	}
	if (rc == FORAY_MERKLE_OK)
		rc = foray_merkle_root(h, &out->top_leaf[0][0], FORAY_C2_TOP_LEAVES, out->merkle_root);
	return rc;
}
