/*
 * commitment.h
 *		What a transaction commits to, from its members' hashes: the six
 *		trees, the top tree and merkle_root, under commitment scheme 1 or 2
 *		(docs/merkle.md).  Plain C over structs, no PostgreSQL headers:
 *		foray-verify computes a document's commitment with it, and the
 *		extension can compute a transaction's from its rows with the same
 *		code.
 *
 * The caller hashes the JSON values (src/core/jcs.c) and fills one
 * foray_commit_member per component and attestation; foray_commit_sort
 * puts them in leaf order (trees in order, ids bytewise), which
 * foray_commit_compute requires.  Every function returns a foray_merkle_rc.
 */
#ifndef FORAY_CORE_COMMITMENT_H
#define FORAY_CORE_COMMITMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "commit.h"

typedef struct foray_commit_member
{
	int			tree;			/* 0..4: arrangements .. attestations */
	const char *id;
	size_t		id_len;
	uint8_t		component_hash[FORAY_MERKLE_HASH_LEN];	/* hash(foray_core) */
	bool		has_audit;		/* the member has audit_data */
	uint8_t		audit_hash[FORAY_MERKLE_HASH_LEN];	/* hash(audit_data) */
	size_t		tag;			/* the caller's, left untouched */
} foray_commit_member;

typedef struct foray_commit_input
{
	int			scheme;			/* FORAY_COMMIT_SCHEME_1 or _2 */
	const char *transaction_id;
	size_t		transaction_id_len;
	const char *schema_version;
	size_t		schema_version_len;
	const char *timestamp;		/* the document's timestamp as written */
	size_t		timestamp_len;
	uint8_t		foray_core_hash[FORAY_MERKLE_HASH_LEN];
	/*
	 * has_anchor: the transaction has an audit_data_anchor; anchor_hash is
	 * the hash of it without its "audit_data_hash" key.  Scheme 1 uses
	 * hash("null") when there is none (computed here).
	 */
	bool		has_anchor;
	uint8_t		anchor_hash[FORAY_MERKLE_HASH_LEN];
	const foray_commit_member *members; /* in foray_commit_sort order */
	size_t		n_members;
} foray_commit_input;

typedef struct foray_commit
{
	uint64_t	size[FORAY_C2_NTREES];	/* leaves of each tree */
	/* MTH of each tree: component_hashes.<tree> (0..4), audit_data_hash (5) */
	uint8_t		root[FORAY_C2_NTREES][FORAY_MERKLE_HASH_LEN];
	/* leaf hashes of the top tree: header (scheme 1: foray_core_hash), trees */
	uint8_t		top_leaf[FORAY_C2_TOP_LEAVES][FORAY_MERKLE_HASH_LEN];
	uint8_t		merkle_root[FORAY_MERKLE_HASH_LEN];
} foray_commit;

/* leaf order: tree, then id bytewise (a proper prefix first) */
extern int	foray_commit_member_cmp(const foray_commit_member *a, const foray_commit_member *b);
extern void foray_commit_sort(foray_commit_member *m, size_t n);

/*
 * The commitment.  Members with the same tree and id make the commitment
 * ill-defined: the caller checks (ids are unique in a transaction).
 */
extern int	foray_commit_compute(foray_hasher *h, const foray_commit_input *in,
								 foray_commit *out);

/*
 * The leaf hash a member has in its tree, and the one its audit data has
 * in the audit_data tree (scheme 1: hash("null") when it has none; scheme 2:
 * only when has_audit).
 */
extern int	foray_commit_member_leaf(foray_hasher *h, const foray_commit_input *in,
									 const foray_commit_member *m,
									 uint8_t leaf[FORAY_MERKLE_HASH_LEN]);
extern int	foray_commit_audit_leaf(foray_hasher *h, const foray_commit_input *in,
									const foray_commit_member *m,
									uint8_t leaf[FORAY_MERKLE_HASH_LEN]);

#endif							/* FORAY_CORE_COMMITMENT_H */
