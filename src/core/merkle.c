/*
 * merkle.c
 *		RFC 9162 Merkle Tree Hash and inclusion proofs over byte arrays.
 *
 * SHA-256 comes from OpenSSL's EVP interface.  One EVP_MD_CTX is kept in
 * the hasher and re-initialised for every hash, so computing a root over
 * n leaves does no allocation at all.
 */
#include "merkle.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

struct foray_hasher
{
	EVP_MD_CTX *ctx;
	EVP_MD	   *md;
};

static const uint8_t leaf_prefix = 0x00;
static const uint8_t node_prefix = 0x01;

const char *
foray_merkle_strerror(int rc)
{
	switch (rc)
	{
		case FORAY_MERKLE_OK:
			return "ok";
		case FORAY_MERKLE_NOMEM:
			return "out of memory";
		case FORAY_MERKLE_CRYPTO:
			return "sha-256 computation failed";
		case FORAY_MERKLE_BAD_INDEX:
			return "leaf index is not below the tree size";
		case FORAY_MERKLE_BAD_HASH_LEN:
			return "hash is not 32 bytes";
		case FORAY_MERKLE_BAD_PATH_LEN:
			return "audit path length does not fit the leaf index and tree size";
		case FORAY_MERKLE_MISMATCH:
			return "recomputed root differs";
		case FORAY_MERKLE_TOO_LONG:
			return "a string of the entry is too long";
		case FORAY_MERKLE_BAD_SIZE:
			return "tree sizes are out of order, or the old tree is empty";
		case FORAY_MERKLE_READ:
			return "a stored tree node could not be read";
	}
	return "unknown merkle error";
}

foray_hasher *
foray_hasher_new(void)
{
	foray_hasher *h = malloc(sizeof(foray_hasher));

	if (h == NULL)
		return NULL;
	h->ctx = EVP_MD_CTX_new();
	h->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (h->ctx == NULL || h->md == NULL)
	{
		foray_hasher_free(h);
		return NULL;
	}
	return h;
}

void
foray_hasher_free(foray_hasher *h)
{
	if (h == NULL)
		return;
	EVP_MD_CTX_free(h->ctx);
	EVP_MD_free(h->md);
	free(h);
}

/* SHA-256 over up to three pieces */
static int
hash3(foray_hasher *h,
	  const uint8_t *a, size_t alen,
	  const uint8_t *b, size_t blen,
	  const uint8_t *c, size_t clen,
	  uint8_t out[FORAY_MERKLE_HASH_LEN])
{
	unsigned int outlen = 0;

	if (EVP_DigestInit_ex(h->ctx, h->md, NULL) != 1)
		return FORAY_MERKLE_CRYPTO;
	if (alen > 0 && EVP_DigestUpdate(h->ctx, a, alen) != 1)
		return FORAY_MERKLE_CRYPTO;
	if (blen > 0 && EVP_DigestUpdate(h->ctx, b, blen) != 1)
		return FORAY_MERKLE_CRYPTO;
	if (clen > 0 && EVP_DigestUpdate(h->ctx, c, clen) != 1)
		return FORAY_MERKLE_CRYPTO;
	if (EVP_DigestFinal_ex(h->ctx, out, &outlen) != 1 ||
		outlen != FORAY_MERKLE_HASH_LEN)
		return FORAY_MERKLE_CRYPTO;
	return FORAY_MERKLE_OK;
}

int
foray_sha256(foray_hasher *h, const uint8_t *data, size_t len,
			 uint8_t out[FORAY_MERKLE_HASH_LEN])
{
	return hash3(h, data, len, NULL, 0, NULL, 0, out);
}

int
foray_merkle_leaf_hash(foray_hasher *h, const uint8_t *data, size_t len,
					   uint8_t out[FORAY_MERKLE_HASH_LEN])
{
	return hash3(h, &leaf_prefix, 1, data, len, NULL, 0, out);
}

int
foray_merkle_node_hash(foray_hasher *h,
					   const uint8_t left[FORAY_MERKLE_HASH_LEN],
					   const uint8_t right[FORAY_MERKLE_HASH_LEN],
					   uint8_t out[FORAY_MERKLE_HASH_LEN])
{
	return hash3(h, &node_prefix, 1, left, FORAY_MERKLE_HASH_LEN,
				 right, FORAY_MERKLE_HASH_LEN, out);
}

/*
 * Level by level: pair neighbours, carry an odd last node up unchanged.
 * For every n this is the same tree as RFC 9162's split at the largest
 * power of two below n (the left subtree is always complete), and it
 * never duplicates a node (so CVE-2012-2459 does not apply).  Writing
 * node i of the next level over node 2i of this one is safe in place.
 */
int
foray_merkle_root_inplace(foray_hasher *h, uint8_t *hashes, size_t n,
						  uint8_t out[FORAY_MERKLE_HASH_LEN])
{
	if (n == 0)
		return foray_sha256(h, NULL, 0, out);

	while (n > 1)
	{
		size_t		pairs = n / 2;
		size_t		i;
		int			rc;

		for (i = 0; i < pairs; i++)
		{
			uint8_t		tmp[FORAY_MERKLE_HASH_LEN];

			rc = foray_merkle_node_hash(h,
										hashes + (2 * i) * FORAY_MERKLE_HASH_LEN,
										hashes + (2 * i + 1) * FORAY_MERKLE_HASH_LEN,
										tmp);
			if (rc != FORAY_MERKLE_OK)
				return rc;
			memcpy(hashes + i * FORAY_MERKLE_HASH_LEN, tmp, FORAY_MERKLE_HASH_LEN);
		}
		if (n % 2 == 1)
			memmove(hashes + pairs * FORAY_MERKLE_HASH_LEN,
					hashes + (n - 1) * FORAY_MERKLE_HASH_LEN,
					FORAY_MERKLE_HASH_LEN);
		n = pairs + n % 2;
	}
	memcpy(out, hashes, FORAY_MERKLE_HASH_LEN);
	return FORAY_MERKLE_OK;
}

int
foray_merkle_root(foray_hasher *h, const uint8_t *leaf_hashes, size_t n,
				  uint8_t out[FORAY_MERKLE_HASH_LEN])
{
	uint8_t    *copy;
	int			rc;

	if (n == 0)
		return foray_sha256(h, NULL, 0, out);
	if (n > SIZE_MAX / FORAY_MERKLE_HASH_LEN)
		return FORAY_MERKLE_NOMEM;
	copy = malloc(n * FORAY_MERKLE_HASH_LEN);
	if (copy == NULL)
		return FORAY_MERKLE_NOMEM;
	memcpy(copy, leaf_hashes, n * FORAY_MERKLE_HASH_LEN);
	rc = foray_merkle_root_inplace(h, copy, n, out);
	free(copy);
	return rc;
}

/* largest power of two strictly below n (n >= 2) */
static uint64_t
split_point(uint64_t n)
{
	uint64_t	k = 1;

	while (k << 1 < n)
		k <<= 1;
	return k;
}

/*
 * RFC 9162 2.1.3.1: PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) when
 * m < k, else PATH(m - k, D[k:n]) : MTH(D[0:k]).  Walking down from the
 * root yields the siblings top first; the path lists them leaf first.
 */
int
foray_merkle_inclusion_path(foray_hasher *h, const uint8_t *leaf_hashes,
							size_t n, size_t index,
							uint8_t *path, size_t *path_len)
{
	uint8_t		siblings[FORAY_MERKLE_MAX_PATH][FORAY_MERKLE_HASH_LEN];
	size_t		depth = 0;
	size_t		lo = 0;
	size_t		size = n;
	size_t		m = index;
	uint8_t    *scratch;
	size_t		i;
	int			rc = FORAY_MERKLE_OK;

	*path_len = 0;
	if (index >= n)
		return FORAY_MERKLE_BAD_INDEX;
	if (n > SIZE_MAX / FORAY_MERKLE_HASH_LEN)
		return FORAY_MERKLE_NOMEM;
	/* scratch room for the largest sibling subtree (fewer than n leaves) */
	scratch = malloc(n * FORAY_MERKLE_HASH_LEN);
	if (scratch == NULL)
		return FORAY_MERKLE_NOMEM;

	while (size > 1)
	{
		size_t		k = (size_t) split_point(size);
		size_t		sib_lo;
		size_t		sib_n;

		if (m < k)
		{
			sib_lo = lo + k;
			sib_n = size - k;
			size = k;
		}
		else
		{
			sib_lo = lo;
			sib_n = k;
			lo += k;
			m -= k;
			size -= k;
		}
		memcpy(scratch, leaf_hashes + sib_lo * FORAY_MERKLE_HASH_LEN,
			   sib_n * FORAY_MERKLE_HASH_LEN);
		rc = foray_merkle_root_inplace(h, scratch, sib_n, siblings[depth]);
		if (rc != FORAY_MERKLE_OK)
			break;
		depth++;
	}
	free(scratch);
	if (rc != FORAY_MERKLE_OK)
		return rc;

	for (i = 0; i < depth; i++)
		memcpy(path + i * FORAY_MERKLE_HASH_LEN, siblings[depth - 1 - i],
			   FORAY_MERKLE_HASH_LEN);
	*path_len = depth;
	return FORAY_MERKLE_OK;
}

/* RFC 9162 2.1.3.2, steps 1 to 5 except the final root comparison */
int
foray_merkle_root_from_path(foray_hasher *h, uint64_t index, uint64_t size,
							const uint8_t leaf_hash[FORAY_MERKLE_HASH_LEN],
							const uint8_t *path, size_t path_len,
							uint8_t out[FORAY_MERKLE_HASH_LEN])
{
	uint64_t	fn;
	uint64_t	sn;
	uint8_t		r[FORAY_MERKLE_HASH_LEN];
	size_t		i;
	int			rc;

	if (index >= size)
		return FORAY_MERKLE_BAD_INDEX;
	fn = index;
	sn = size - 1;
	memcpy(r, leaf_hash, FORAY_MERKLE_HASH_LEN);

	for (i = 0; i < path_len; i++)
	{
		const uint8_t *p = path + i * FORAY_MERKLE_HASH_LEN;

		if (sn == 0)
			return FORAY_MERKLE_BAD_PATH_LEN;
		if ((fn & 1) == 1 || fn == sn)
		{
			rc = foray_merkle_node_hash(h, p, r, r);
			if (rc != FORAY_MERKLE_OK)
				return rc;
			if ((fn & 1) == 0)
			{
				while ((fn & 1) == 0 && fn != 0)
				{
					fn >>= 1;
					sn >>= 1;
				}
			}
		}
		else
		{
			rc = foray_merkle_node_hash(h, r, p, r);
			if (rc != FORAY_MERKLE_OK)
				return rc;
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		return FORAY_MERKLE_BAD_PATH_LEN;
	memcpy(out, r, FORAY_MERKLE_HASH_LEN);
	return FORAY_MERKLE_OK;
}

int
foray_merkle_verify_inclusion(foray_hasher *h, uint64_t index, uint64_t size,
							  const uint8_t *leaf_hash, size_t leaf_len,
							  const uint8_t *const *path,
							  const size_t *path_lens, size_t path_len,
							  const uint8_t *root, size_t root_len)
{
	uint8_t		flat[FORAY_MERKLE_MAX_PATH * FORAY_MERKLE_HASH_LEN];
	uint8_t		computed[FORAY_MERKLE_HASH_LEN];
	size_t		i;
	int			rc;

	if (index >= size)
		return FORAY_MERKLE_BAD_INDEX;
	if (leaf_len != FORAY_MERKLE_HASH_LEN || root_len != FORAY_MERKLE_HASH_LEN)
		return FORAY_MERKLE_BAD_HASH_LEN;
	if (path_len > FORAY_MERKLE_MAX_PATH)
		return FORAY_MERKLE_BAD_PATH_LEN;
	for (i = 0; i < path_len; i++)
	{
		if (path_lens[i] != FORAY_MERKLE_HASH_LEN)
			return FORAY_MERKLE_BAD_HASH_LEN;
		memcpy(flat + i * FORAY_MERKLE_HASH_LEN, path[i], FORAY_MERKLE_HASH_LEN);
	}
	rc = foray_merkle_root_from_path(h, index, size, leaf_hash, flat, path_len,
									 computed);
	if (rc != FORAY_MERKLE_OK)
		return rc;
	if (memcmp(computed, root, FORAY_MERKLE_HASH_LEN) != 0)
		return FORAY_MERKLE_MISMATCH;
	return FORAY_MERKLE_OK;
}

size_t
foray_merkle_levels_nodes(size_t n)
{
	size_t		total = 0;

	if (n == 0)
		return 0;
	for (;;)
	{
		total += n;
		if (n == 1)
			return total;
		n = (n + 1) / 2;
	}
}

int
foray_merkle_levels_build(foray_hasher *h, const uint8_t *leaf_hashes, size_t n, uint8_t *nodes)
{
	size_t		level = 0;		/* offset of the current level, in hashes */
	size_t		count = n;

	if (n == 0)
		return FORAY_MERKLE_OK;
	memcpy(nodes, leaf_hashes, n * FORAY_MERKLE_HASH_LEN);
	while (count > 1)
	{
		size_t		next = level + count;
		size_t		i;

		for (i = 0; i + 1 < count; i += 2)
		{
			int			rc = foray_merkle_node_hash(h, nodes + (level + i) * FORAY_MERKLE_HASH_LEN,
													nodes + (level + i + 1) * FORAY_MERKLE_HASH_LEN,
													nodes + (next + i / 2) * FORAY_MERKLE_HASH_LEN);

			if (rc != FORAY_MERKLE_OK)
				return rc;
		}
		if (count % 2 == 1)
			memcpy(nodes + (next + count / 2) * FORAY_MERKLE_HASH_LEN,
				   nodes + (level + count - 1) * FORAY_MERKLE_HASH_LEN, FORAY_MERKLE_HASH_LEN);
		level = next;
		count = (count + 1) / 2;
	}
	return FORAY_MERKLE_OK;
}

int
foray_merkle_levels_path(const uint8_t *nodes, size_t n, size_t index,
						 uint8_t *path, size_t *path_len)
{
	size_t		level = 0;
	size_t		count = n;
	size_t		j = index;
	size_t		len = 0;

	*path_len = 0;
	if (index >= n)
		return FORAY_MERKLE_BAD_INDEX;
	while (count > 1)
	{
		size_t		sibling = (j % 2 == 1) ? j - 1 : j + 1;

		/* the last node of an odd level has no sibling: it is carried up */
		if (sibling < count)
		{
			if (len >= FORAY_MERKLE_MAX_PATH)
				return FORAY_MERKLE_BAD_PATH_LEN;
			memcpy(path + len * FORAY_MERKLE_HASH_LEN,
				   nodes + (level + sibling) * FORAY_MERKLE_HASH_LEN, FORAY_MERKLE_HASH_LEN);
			len++;
		}
		level += count;
		count = (count + 1) / 2;
		j /= 2;
	}
	*path_len = len;
	return FORAY_MERKLE_OK;
}
