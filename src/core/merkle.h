/*
 * merkle.h
 *		RFC 9162 Merkle Tree Hash, inclusion proofs and their verification,
 *		as plain C over byte arrays (no PostgreSQL headers).
 *
 * The tree is the one of RFC 9162 section 2.1.1 (the same as RFC 6962):
 *
 *		MTH({})        = SHA-256()
 *		MTH({d(0)})    = SHA-256(0x00 || d(0))
 *		MTH(D[n])      = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))
 *						 with k the largest power of two smaller than n.
 *
 * Most functions take leaf hashes (already SHA-256(0x00 || d)) packed
 * 32 bytes each in one array.  Every function returns a foray_merkle_rc;
 * nothing here longjmps, and nothing allocated here outlives the call
 * except the hasher, which the caller frees.
 */
#ifndef FORAY_CORE_MERKLE_H
#define FORAY_CORE_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#define FORAY_MERKLE_HASH_LEN	32
/* an inclusion path has at most one hash per level of a 2^64-leaf tree */
#define FORAY_MERKLE_MAX_PATH	64

typedef enum foray_merkle_rc
{
	FORAY_MERKLE_OK = 0,
	FORAY_MERKLE_NOMEM,			/* allocation failed */
	FORAY_MERKLE_CRYPTO,		/* OpenSSL reported an error */
	FORAY_MERKLE_BAD_INDEX,		/* leaf index not below the tree size */
	FORAY_MERKLE_BAD_HASH_LEN,	/* a leaf, path or root hash is not 32 bytes */
	FORAY_MERKLE_BAD_PATH_LEN,	/* path too short or too long for the index
								 * and size */
	FORAY_MERKLE_MISMATCH,		/* the recomputed root differs */
	FORAY_MERKLE_TOO_LONG,		/* an entry's string or the entry is too long */
	FORAY_MERKLE_BAD_SIZE,		/* tree sizes out of order, or a consistency
								 * proof from the empty tree */
	FORAY_MERKLE_READ			/* a node source (src/core/tlog.h) failed */
} foray_merkle_rc;

/* short lower-case description of a return code */
extern const char *foray_merkle_strerror(int rc);

/* a reusable SHA-256 state; one per thread of use */
typedef struct foray_hasher foray_hasher;

extern foray_hasher *foray_hasher_new(void);
extern void foray_hasher_free(foray_hasher *h);

/* plain SHA-256 */
extern int	foray_sha256(foray_hasher *h, const uint8_t *data, size_t len,
						 uint8_t out[FORAY_MERKLE_HASH_LEN]);

/* SHA-256(0x00 || data) */
extern int	foray_merkle_leaf_hash(foray_hasher *h, const uint8_t *data, size_t len,
								   uint8_t out[FORAY_MERKLE_HASH_LEN]);

/* SHA-256(0x01 || left || right) */
extern int	foray_merkle_node_hash(foray_hasher *h,
								   const uint8_t left[FORAY_MERKLE_HASH_LEN],
								   const uint8_t right[FORAY_MERKLE_HASH_LEN],
								   uint8_t out[FORAY_MERKLE_HASH_LEN]);

/*
 * Root over n leaf hashes (n * 32 bytes).  The _inplace form overwrites
 * the array (no allocation); the other one works on a copy.
 */
extern int	foray_merkle_root_inplace(foray_hasher *h, uint8_t *leaf_hashes, size_t n,
									  uint8_t out[FORAY_MERKLE_HASH_LEN]);
extern int	foray_merkle_root(foray_hasher *h, const uint8_t *leaf_hashes, size_t n,
							  uint8_t out[FORAY_MERKLE_HASH_LEN]);

/*
 * The audit path of RFC 9162 section 2.1.3.1 for leaf 'index' of the tree
 * over n leaf hashes: *path_len hashes of 32 bytes, written to 'path'
 * (room for FORAY_MERKLE_MAX_PATH hashes), ordered from the leaf upwards.
 */
extern int	foray_merkle_inclusion_path(foray_hasher *h, const uint8_t *leaf_hashes,
										size_t n, size_t index,
										uint8_t *path, size_t *path_len);

/*
 * Every level of the tree over n leaf hashes, for many audit paths at
 * O(log n) each: level 0 is the n leaves, each next level pairs
 * neighbours and carries an odd last node up (the same tree as RFC 9162's
 * recursive definition), the last level is the root.  The caller provides
 * room for foray_merkle_levels_nodes(n) hashes (0 when n is 0).
 */
extern size_t foray_merkle_levels_nodes(size_t n);
extern int	foray_merkle_levels_build(foray_hasher *h, const uint8_t *leaf_hashes, size_t n,
									  uint8_t *nodes);
/* the RFC 9162 audit path of leaf 'index' from built levels: no hashing */
extern int	foray_merkle_levels_path(const uint8_t *nodes, size_t n, size_t index,
									 uint8_t *path, size_t *path_len);

/*
 * The root that the audit path implies (RFC 9162 section 2.1.3.2, steps 1
 * to 4).  Fails with BAD_INDEX or BAD_PATH_LEN when the path cannot belong
 * to that index and size.
 */
extern int	foray_merkle_root_from_path(foray_hasher *h, uint64_t index, uint64_t size,
										const uint8_t leaf_hash[FORAY_MERKLE_HASH_LEN],
										const uint8_t *path, size_t path_len,
										uint8_t out[FORAY_MERKLE_HASH_LEN]);

/*
 * Full verification from untrusted inputs: every hash comes with its own
 * length (anything but 32 bytes is refused).  Returns FORAY_MERKLE_OK only
 * when the path proves the leaf at that index in the tree with that root.
 */
extern int	foray_merkle_verify_inclusion(foray_hasher *h, uint64_t index, uint64_t size,
										  const uint8_t *leaf_hash, size_t leaf_len,
										  const uint8_t *const *path,
										  const size_t *path_lens, size_t path_len,
										  const uint8_t *root, size_t root_len);

#endif							/* FORAY_CORE_MERKLE_H */
