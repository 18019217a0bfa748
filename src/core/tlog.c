/*
 * tlog.c
 *		RFC 9162 roots, inclusion and consistency proofs over a store of
 *		perfect-subtree hashes, and the right frontier that appending keeps.
 *		Nothing here allocates: every buffer is on the stack or the caller's.
 */
#include "tlog.h"

#include <string.h>

#define HL FORAY_MERKLE_HASH_LEN

/* the largest tree the log may hold (the database keeps indices as bigint) */
#define TLOG_MAX_SIZE ((uint64_t) INT64_MAX)

uint64_t
foray_tlog_node_entry(unsigned level, uint64_t index)
{
	return ((index + 1) << level) - 1;
}

unsigned
foray_tlog_nodes_at(uint64_t entry)
{
	unsigned	n = 0;

	while (entry & 1)
	{
		n++;
		entry >>= 1;
	}
	return n;
}

static int
is_pow2(uint64_t n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

/* log2 of a power of two */
static unsigned
log2_exact(uint64_t p)
{
	unsigned	l = 0;

	while (p > 1)
	{
		p >>= 1;
		l++;
	}
	return l;
}

/* the largest power of two strictly below n (n >= 2) */
static uint64_t
split_below(uint64_t n)
{
	uint64_t	k = 1;

	while ((k << 1) < n)
		k <<= 1;
	return k;
}

static int
read_node(const foray_tlog_source *src, unsigned level, uint64_t index, uint8_t out[HL])
{
	return src->read(src->arg, level, index, out) == 0 ? FORAY_MERKLE_OK : FORAY_MERKLE_READ;
}

int
foray_tlog_subtree_hash(const foray_tlog_source *src, uint64_t lo, uint64_t hi,
						uint8_t out[HL])
{
	uint8_t		part[64][HL];
	unsigned	nparts = 0;
	int			rc;

	if (lo >= hi)
		return FORAY_MERKLE_BAD_INDEX;
	/* split left to right: the largest power of two below what is left */
	while (lo < hi)
	{
		uint64_t	s = hi - lo;
		uint64_t	p = is_pow2(s) ? s : split_below(s);

		if (lo % p != 0 || nparts == 64)
			return FORAY_MERKLE_BAD_INDEX;
		rc = read_node(src, log2_exact(p), lo / p, part[nparts]);
		if (rc != FORAY_MERKLE_OK)
			return rc;
		nparts++;
		lo += p;
	}
	/* MTH(D[lo:hi]) = H(0x01 || left || MTH(rest)): fold from the right */
	memcpy(out, part[nparts - 1], HL);
	while (nparts > 1)
	{
		nparts--;
		rc = foray_merkle_node_hash(src->hasher, part[nparts - 1], out, out);
		if (rc != FORAY_MERKLE_OK)
			return rc;
	}
	return FORAY_MERKLE_OK;
}

int
foray_tlog_root(const foray_tlog_source *src, uint64_t size, uint8_t out[HL])
{
	if (size == 0)
		return foray_sha256(src->hasher, NULL, 0, out);
	return foray_tlog_subtree_hash(src, 0, size, out);
}

/* reverse n hashes in place */
static void
reverse_hashes(uint8_t *h, size_t n)
{
	size_t		i;

	for (i = 0; i < n / 2; i++)
	{
		uint8_t		tmp[HL];

		memcpy(tmp, h + i * HL, HL);
		memcpy(h + i * HL, h + (n - 1 - i) * HL, HL);
		memcpy(h + (n - 1 - i) * HL, tmp, HL);
	}
}

/*
 * RFC 9162 2.1.3.1, walking down from the root:
 *   PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n])      for m < k
 *   PATH(m, D[n]) = PATH(m - k, D[k:n]) : MTH(D[0:k])  for m >= k
 * The siblings come top first; the path lists them leaf first.  Only the
 * first right sibling can be an imperfect subtree (every later one lies in
 * a perfect subtree), so the reads stay O(log n).
 */
int
foray_tlog_inclusion_proof(const foray_tlog_source *src, uint64_t index, uint64_t size,
						   uint8_t *path, size_t *path_len)
{
	uint64_t	lo = 0;
	uint64_t	n = size;
	uint64_t	m = index;
	size_t		depth = 0;
	int			rc;

	*path_len = 0;
	if (index >= size)
		return FORAY_MERKLE_BAD_INDEX;
	while (n > 1)
	{
		uint64_t	k = split_below(n);

		if (depth == FORAY_MERKLE_MAX_PATH)
			return FORAY_MERKLE_BAD_PATH_LEN;
		if (m < k)
		{
			rc = foray_tlog_subtree_hash(src, lo + k, lo + n, path + depth * HL);
			n = k;
		}
		else
		{
			rc = foray_tlog_subtree_hash(src, lo, lo + k, path + depth * HL);
			lo += k;
			m -= k;
			n -= k;
		}
		if (rc != FORAY_MERKLE_OK)
			return rc;
		depth++;
	}
	reverse_hashes(path, depth);
	*path_len = depth;
	return FORAY_MERKLE_OK;
}

/*
 * RFC 9162 2.1.4.1, walking down from the root:
 *   SUBPROOF(m, D[m], true)  = {}
 *   SUBPROOF(m, D[m], false) = {MTH(D[m])}
 *   SUBPROOF(m, D[n], b) = SUBPROOF(m, D[0:k], b) : MTH(D[k:n])          m <= k
 *   SUBPROOF(m, D[n], b) = SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])  m > k
 * The hashes met on the way down come last, in reverse order; the final
 * {MTH(D[m])} (a perfect subtree: it is always a left part) comes first.
 */
int
foray_tlog_consistency_proof(const foray_tlog_source *src, uint64_t size1, uint64_t size2,
							 uint8_t *path, size_t *path_len)
{
	uint8_t		down[FORAY_TLOG_MAX_CONSISTENCY][HL];
	size_t		ndown = 0;
	uint64_t	lo = 0;
	uint64_t	n = size2;
	uint64_t	m = size1;
	int			complete = 1;	/* b of the RFC */
	size_t		out = 0;
	size_t		i;
	int			rc;

	*path_len = 0;
	if (size1 == 0 || size1 > size2)
		return FORAY_MERKLE_BAD_SIZE;
	while (m < n)
	{
		uint64_t	k = split_below(n);

		if (ndown == FORAY_TLOG_MAX_CONSISTENCY - 1)
			return FORAY_MERKLE_BAD_PATH_LEN;
		if (m <= k)
		{
			rc = foray_tlog_subtree_hash(src, lo + k, lo + n, down[ndown]);
			n = k;
		}
		else
		{
			rc = foray_tlog_subtree_hash(src, lo, lo + k, down[ndown]);
			lo += k;
			m -= k;
			n -= k;
			complete = 0;
		}
		if (rc != FORAY_MERKLE_OK)
			return rc;
		ndown++;
	}
	if (!complete)
	{
		rc = foray_tlog_subtree_hash(src, lo, lo + m, path);
		if (rc != FORAY_MERKLE_OK)
			return rc;
		out = 1;
	}
	for (i = 0; i < ndown; i++)
		memcpy(path + (out + i) * HL, down[ndown - 1 - i], HL);
	*path_len = out + ndown;
	return FORAY_MERKLE_OK;
}

/* RFC 9162 2.1.4.2, steps 1 to 7 (with the equal-size case added) */
int
foray_tlog_verify_consistency(foray_hasher *h, uint64_t size1, uint64_t size2,
							  const uint8_t root1[HL], const uint8_t root2[HL],
							  const uint8_t *path, size_t path_len)
{
	uint64_t	fn;
	uint64_t	sn;
	uint8_t		fr[HL];
	uint8_t		sr[HL];
	size_t		i;
	int			rc;

	if (size1 == 0 || size1 > size2)
		return FORAY_MERKLE_BAD_SIZE;
	if (size1 == size2)
	{
		if (path_len != 0)
			return FORAY_MERKLE_BAD_PATH_LEN;
		return memcmp(root1, root2, HL) == 0 ? FORAY_MERKLE_OK : FORAY_MERKLE_MISMATCH;
	}
	/* 1. an empty path proves nothing */
	if (path_len == 0 || path_len > FORAY_TLOG_MAX_CONSISTENCY)
		return FORAY_MERKLE_BAD_PATH_LEN;

	/* 3, 4 */
	fn = size1 - 1;
	sn = size2 - 1;
	while (fn & 1)
	{
		fn >>= 1;
		sn >>= 1;
	}
	/* 2, 5: the first hash, with first_hash prepended when size1 is 2^k */
	i = 0;
	if (is_pow2(size1))
		memcpy(fr, root1, HL);
	else
		memcpy(fr, path + HL * i++, HL);
	memcpy(sr, fr, HL);

	/* 6 */
	for (; i < path_len; i++)
	{
		const uint8_t *c = path + i * HL;

		if (sn == 0)
			return FORAY_MERKLE_BAD_PATH_LEN;
		if ((fn & 1) || fn == sn)
		{
			rc = foray_merkle_node_hash(h, c, fr, fr);
			if (rc == FORAY_MERKLE_OK)
				rc = foray_merkle_node_hash(h, c, sr, sr);
			if (rc != FORAY_MERKLE_OK)
				return rc;
			while (!(fn & 1) && fn != 0)
			{
				fn >>= 1;
				sn >>= 1;
			}
		}
		else
		{
			rc = foray_merkle_node_hash(h, sr, c, sr);
			if (rc != FORAY_MERKLE_OK)
				return rc;
		}
		fn >>= 1;
		sn >>= 1;
	}
	/* 7 */
	if (sn != 0)
		return FORAY_MERKLE_BAD_PATH_LEN;
	if (memcmp(fr, root1, HL) != 0 || memcmp(sr, root2, HL) != 0)
		return FORAY_MERKLE_MISMATCH;
	return FORAY_MERKLE_OK;
}

int
foray_tlog_verify_consistency_checked(foray_hasher *h, uint64_t size1, uint64_t size2,
									  const uint8_t *root1, size_t root1_len,
									  const uint8_t *root2, size_t root2_len,
									  const uint8_t *const *path,
									  const size_t *path_lens, size_t path_len)
{
	uint8_t		flat[FORAY_TLOG_MAX_CONSISTENCY * HL];
	size_t		i;

	if (root1_len != HL || root2_len != HL)
		return FORAY_MERKLE_BAD_HASH_LEN;
	if (path_len > FORAY_TLOG_MAX_CONSISTENCY)
		return FORAY_MERKLE_BAD_PATH_LEN;
	for (i = 0; i < path_len; i++)
	{
		if (path_lens[i] != HL)
			return FORAY_MERKLE_BAD_HASH_LEN;
		memcpy(flat + i * HL, path[i], HL);
	}
	return foray_tlog_verify_consistency(h, size1, size2, root1, root2, flat, path_len);
}

void
foray_tlog_frontier_init(foray_tlog_frontier *f)
{
	f->size = 0;
	f->count = 0;
}

int
foray_tlog_frontier_load(const foray_tlog_source *src, uint64_t size,
						 foray_tlog_frontier *f)
{
	uint64_t	lo = 0;
	int			bit;

	foray_tlog_frontier_init(f);
	if (size > TLOG_MAX_SIZE)
		return FORAY_MERKLE_BAD_SIZE;
	for (bit = 63; bit >= 0; bit--)
	{
		uint64_t	p = (uint64_t) 1 << bit;
		int			rc;

		if (!(size & p))
			continue;
		rc = read_node(src, (unsigned) bit, lo >> bit, f->hash[f->count]);
		if (rc != FORAY_MERKLE_OK)
			return rc;
		f->level[f->count++] = (uint8_t) bit;
		lo += p;
	}
	f->size = size;
	return FORAY_MERKLE_OK;
}

/*
 * Push the leaf as a level-0 subtree, then merge while the two rightmost
 * subtrees have the same level: each merge completes one perfect subtree.
 */
int
foray_tlog_frontier_append(foray_hasher *h, foray_tlog_frontier *f,
						   const uint8_t leaf[HL], uint8_t *nodes, unsigned *nnodes)
{
	*nnodes = 0;
	if (f->size >= TLOG_MAX_SIZE)
		return FORAY_MERKLE_BAD_SIZE;
	memcpy(f->hash[f->count], leaf, HL);
	f->level[f->count] = 0;
	f->count++;
	while (f->count >= 2 && f->level[f->count - 2] == f->level[f->count - 1])
	{
		uint8_t    *left = f->hash[f->count - 2];
		int			rc = foray_merkle_node_hash(h, left, f->hash[f->count - 1], left);

		if (rc != FORAY_MERKLE_OK)
			return rc;
		f->level[f->count - 2]++;
		f->count--;
		memcpy(nodes + (*nnodes)++ * HL, left, HL);
	}
	f->size++;
	return FORAY_MERKLE_OK;
}

int
foray_tlog_frontier_root(foray_hasher *h, const foray_tlog_frontier *f, uint8_t out[HL])
{
	unsigned	i;

	if (f->count == 0)
		return foray_sha256(h, NULL, 0, out);
	memcpy(out, f->hash[f->count - 1], HL);
	for (i = f->count - 1; i > 0; i--)
	{
		int			rc = foray_merkle_node_hash(h, f->hash[i - 1], out, out);

		if (rc != FORAY_MERKLE_OK)
			return rc;
	}
	return FORAY_MERKLE_OK;
}
