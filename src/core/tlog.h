/*
 * tlog.h
 *		An append-only RFC 9162 Merkle log whose nodes live in a store:
 *		roots, inclusion proofs (RFC 9162 section 2.1.3) and consistency
 *		proofs (section 2.1.4) read O(log n) stored nodes, and appending
 *		keeps only the right frontier in memory.  Plain C over byte arrays
 *		(no PostgreSQL headers); hashing comes from merkle.h.
 *
 * The store holds perfect subtrees.  Node (level, index) is the root of the
 * perfect subtree over leaves [index * 2^level, (index + 1) * 2^level):
 * level 0 is a leaf hash, level l > 0 is SHA-256(0x01 || left || right) of
 * its two children at level l - 1.  A node exists once its last leaf is
 * appended, and never changes.  The database keeps node (level, index) with
 * the entry of its last leaf, (index + 1) * 2^level - 1 (foray_tlog_node_entry):
 * entry i holds its leaf and the nodes at levels 1 .. foray_tlog_nodes_at(i),
 * the perfect subtrees that appending leaf i completed.
 *
 * Every RFC 9162 subtree MTH(D[lo:hi]) that a root or a proof needs is a
 * right fold of at most 64 perfect subtrees, so each costs O(log n) reads.
 */
#ifndef FORAY_CORE_TLOG_H
#define FORAY_CORE_TLOG_H

#include <stddef.h>
#include <stdint.h>

#include "merkle.h"

/* a consistency proof holds at most one hash per level, plus one */
#define FORAY_TLOG_MAX_CONSISTENCY	(FORAY_MERKLE_MAX_PATH + 1)

/*
 * Reads node (level, index) into out; returns 0 on success, anything else
 * on failure (the proof functions then return FORAY_MERKLE_READ).  A reader
 * that reports errors by longjmp (PostgreSQL's ereport) may do so: nothing
 * here holds memory across a read.
 */
typedef int (*foray_tlog_read_fn) (void *arg, unsigned level, uint64_t index,
								   uint8_t out[FORAY_MERKLE_HASH_LEN]);

typedef struct foray_tlog_source
{
	foray_hasher *hasher;
	foray_tlog_read_fn read;
	void	   *arg;
} foray_tlog_source;

/* the entry that stores node (level, index): (index + 1) * 2^level - 1 */
extern uint64_t foray_tlog_node_entry(unsigned level, uint64_t index);

/* how many nodes above its leaf entry i stores: its trailing one bits */
extern unsigned foray_tlog_nodes_at(uint64_t entry);

/*
 * MTH(D[lo:hi]) for a subtree RFC 9162 recursion produces: [lo, hi) splits
 * into perfect subtrees of decreasing size each aligned to its size (lo is
 * a multiple of the largest power of two below hi - lo).  BAD_INDEX when it
 * does not, or when lo >= hi.
 */
extern int	foray_tlog_subtree_hash(const foray_tlog_source *src, uint64_t lo, uint64_t hi,
									uint8_t out[FORAY_MERKLE_HASH_LEN]);

/* MTH(D[0:size]); SHA-256 of nothing for size 0 */
extern int	foray_tlog_root(const foray_tlog_source *src, uint64_t size,
							uint8_t out[FORAY_MERKLE_HASH_LEN]);

/*
 * PATH(index, D[size]) of RFC 9162 2.1.3.1, leaf first: *path_len hashes
 * into path (room for FORAY_MERKLE_MAX_PATH).  Verify it with
 * foray_merkle_verify_inclusion / foray_merkle_root_from_path (merkle.h).
 */
extern int	foray_tlog_inclusion_proof(const foray_tlog_source *src, uint64_t index,
									   uint64_t size, uint8_t *path, size_t *path_len);

/*
 * PROOF(size1, D[size2]) of RFC 9162 2.1.4.1: *path_len hashes into path
 * (room for FORAY_TLOG_MAX_CONSISTENCY).  BAD_SIZE unless
 * 0 < size1 <= size2; size1 == size2 gives the empty proof.
 */
extern int	foray_tlog_consistency_proof(const foray_tlog_source *src, uint64_t size1,
										 uint64_t size2, uint8_t *path, size_t *path_len);

/*
 * RFC 9162 2.1.4.2: whether path proves that the tree of size2 with root2
 * extends the tree of size1 with root1.  OK, or MISMATCH (a root differs),
 * BAD_PATH_LEN (the path cannot be a proof between those sizes), BAD_SIZE
 * (size1 == 0 or size1 > size2).  Equal sizes need an empty path and equal
 * roots.
 */
extern int	foray_tlog_verify_consistency(foray_hasher *h, uint64_t size1, uint64_t size2,
										  const uint8_t root1[FORAY_MERKLE_HASH_LEN],
										  const uint8_t root2[FORAY_MERKLE_HASH_LEN],
										  const uint8_t *path, size_t path_len);

/*
 * The same from untrusted inputs: every hash with its own length
 * (BAD_HASH_LEN for anything but 32 bytes).
 */
extern int	foray_tlog_verify_consistency_checked(foray_hasher *h, uint64_t size1, uint64_t size2,
												  const uint8_t *root1, size_t root1_len,
												  const uint8_t *root2, size_t root2_len,
												  const uint8_t *const *path,
												  const size_t *path_lens, size_t path_len);

/*
 * The right frontier of a tree: its perfect subtrees left to right, levels
 * strictly decreasing (one per one bit of size).  Enough to append a leaf
 * and to compute the root without reading the store.
 */
typedef struct foray_tlog_frontier
{
	uint64_t	size;
	unsigned	count;
	uint8_t		level[64];
	uint8_t		hash[64][FORAY_MERKLE_HASH_LEN];
} foray_tlog_frontier;

/* the empty tree */
extern void foray_tlog_frontier_init(foray_tlog_frontier *f);

/* the frontier of the stored tree of that size: one read per one bit */
extern int	foray_tlog_frontier_load(const foray_tlog_source *src, uint64_t size,
									 foray_tlog_frontier *f);

/*
 * Append one leaf hash.  The nodes this completes (levels 1, 2, ...: the
 * ones the new entry stores) are written to nodes, *nnodes of them (room
 * for 63).  BAD_SIZE when the tree already holds 2^63 - 1 leaves.
 */
extern int	foray_tlog_frontier_append(foray_hasher *h, foray_tlog_frontier *f,
									   const uint8_t leaf[FORAY_MERKLE_HASH_LEN],
									   uint8_t *nodes, unsigned *nnodes);

/* the root of the frontier's tree */
extern int	foray_tlog_frontier_root(foray_hasher *h, const foray_tlog_frontier *f,
									 uint8_t out[FORAY_MERKLE_HASH_LEN]);

#endif							/* FORAY_CORE_TLOG_H */
