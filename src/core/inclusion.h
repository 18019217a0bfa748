/*
 * inclusion.h
 *		Verification of a component's (or attestation's) inclusion proof
 *		against a root the caller trusts, commitment scheme 1 or 2: the rules
 *		2 to 5 of docs/merkle.md, "Inclusion proofs", as a pure function over
 *		a C struct.  foray-verify fills the struct from JSON text; the
 *		extension can fill it from jsonb and call the same function.
 *
 * Rule 1 (the proof's JSON shape: exactly the documented keys, integer
 * ranges, hash text) belongs to the caller, who reads the JSON; every
 * field here is already decoded.  What remains is decided here, in this
 * order, and the first check that fails is returned:
 *
 *	 scheme        commitment_scheme is 1 or 2
 *	 type, tree    component_type names a member tree (ARR ACC ANT ACT ATT;
 *				   optional in scheme 1, where it must still agree) and tree
 *				   is that type's tree
 *	 step labels   steps[0].tree = tree, steps[1].tree = "merkle_root",
 *				   steps[1].leaf_index = the tree's position in the top tree
 *				   (1..5), steps[1].tree_size = 7
 *	 leaf          the leaf computed from the proof's own claims equals
 *				   leaf_hash (scheme 2: H(0x00 || member entry(transaction_id,
 *				   component_type, subject_id, component_hash)); scheme 1:
 *				   H(0x00 || component_hash))
 *	 step 0        RFC 9162 §2.1.3.2 from the leaf: index below size, path of
 *				   exactly the length the algorithm consumes, root = steps[0].root
 *	 step 1        from the tree's top-tree leaf (scheme 2: H(0x00 || tree
 *				   entry(tree, steps[0].tree_size, r0)); scheme 1: H(0x00 || r0))
 *				   to steps[1].root
 *	 roots         steps[1].root = merkle_root = the trusted root
 */
#ifndef FORAY_CORE_INCLUSION_H
#define FORAY_CORE_INCLUSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "commit.h"

typedef struct foray_inclusion_step
{
	const char *tree;
	size_t		tree_len;
	uint64_t	leaf_index;
	uint64_t	tree_size;
	const uint8_t *path;		/* path_len hashes of 32 bytes, leaf upwards */
	size_t		path_len;
	uint8_t		root[FORAY_MERKLE_HASH_LEN];
} foray_inclusion_step;

typedef struct foray_inclusion_proof
{
	int			scheme;			/* commitment_scheme */
	const char *transaction_id;
	size_t		transaction_id_len;
	const char *subject_id;
	size_t		subject_id_len;
	const char *component_type; /* NULL when the proof has none (scheme 1) */
	size_t		component_type_len;
	const char *tree;
	size_t		tree_len;
	uint8_t		component_hash[FORAY_MERKLE_HASH_LEN];
	uint8_t		leaf_hash[FORAY_MERKLE_HASH_LEN];
	foray_inclusion_step steps[2];
	uint8_t		merkle_root[FORAY_MERKLE_HASH_LEN];
} foray_inclusion_proof;

typedef enum foray_inclusion_rc
{
	FORAY_INCLUSION_OK = 0,
	FORAY_INCLUSION_SCHEME,
	FORAY_INCLUSION_TYPE,
	FORAY_INCLUSION_TREE,
	FORAY_INCLUSION_STEP0_TREE,
	FORAY_INCLUSION_STEP1_TREE,
	FORAY_INCLUSION_TOP_INDEX,
	FORAY_INCLUSION_TOP_SIZE,
	FORAY_INCLUSION_LEAF,
	FORAY_INCLUSION_STEP0_PATH,
	FORAY_INCLUSION_STEP0_ROOT,
	FORAY_INCLUSION_STEP1_PATH,
	FORAY_INCLUSION_STEP1_ROOT,
	FORAY_INCLUSION_MERKLE_ROOT,
	FORAY_INCLUSION_TRUSTED_ROOT,
	FORAY_INCLUSION_TOO_LONG,	/* a string too long for an entry */
	FORAY_INCLUSION_ERROR		/* libcrypto failed or memory ran out */
} foray_inclusion_rc;

/*
 * What the hashes gave, for a caller reporting expected against found:
 * filled as far as the verification got (leaf first, then r0, top, r1).
 */
typedef struct foray_inclusion_trace
{
	uint8_t		leaf[FORAY_MERKLE_HASH_LEN];	/* the leaf computed from the claims */
	uint8_t		r0[FORAY_MERKLE_HASH_LEN];	/* the root steps[0] leads to */
	uint8_t		top[FORAY_MERKLE_HASH_LEN]; /* the tree's leaf in the top tree */
	uint8_t		r1[FORAY_MERKLE_HASH_LEN];	/* the root steps[1] leads to */
} foray_inclusion_trace;

/* trace may be NULL */
extern foray_inclusion_rc foray_inclusion_verify(foray_hasher *h,
												 const foray_inclusion_proof *p,
												 const uint8_t trusted_root[FORAY_MERKLE_HASH_LEN],
												 foray_inclusion_trace *trace);

/* what failed, in words */
extern const char *foray_inclusion_strerror(foray_inclusion_rc rc);
/* the proof's JSON key the failure is about ("steps[0].root", ...) */
extern const char *foray_inclusion_field(foray_inclusion_rc rc);

#endif							/* FORAY_CORE_INCLUSION_H */
