/*
 * tlog_test.c
 *		Unit tests of src/core/tlog.c (roots and proofs over stored
 *		perfect subtrees, the append frontier) and src/core/tlog_note.c
 *		(checkpoints, signed notes, verifier keys), against data nobody on
 *		this project wrote:
 *		  - the RFC 6962 test tree (roots at sizes 0..8) and every RFC 9162
 *			inclusion and consistency vector of transparency-dev/merkle
 *			(happy paths verify and equal the proofs generated here; every
 *			named negative case is refused);
 *		  - a store built here with one-shot EVP_Digest calls and proofs
 *			written straight from the RFC's recursive definitions, for every
 *			tree of up to 130 leaves (every index, every pair of sizes);
 *		  - a tree of about a million leaves: how many stored nodes a root,
 *			an inclusion and a consistency proof read (O(log n));
 *		  - the signed-note, vkey and checkpoint vectors of x/mod, C2SP and
 *			transparency-dev/formats (test/vectors/c2sp-note).
 *
 * usage: tlog_test VECTOR_DIR [BIG_SIZE]     (test/vectors)
 *        tlog_test --answer QUERY_FILE       (for test/core/tlog_ref.py)
 * Prints "ok"/"not ok" lines and ends with "N passed, N failed".
 */
#include "tlog.h"
#include "tlog_note.h"
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define HL FORAY_MERKLE_HASH_LEN

static foray_hasher *H;

/* ---- an in-memory store, built independently of tlog.c ---------------- */

typedef struct Store
{
	uint64_t	count[64];		/* nodes per level */
	uint8_t    *level[64];
	long		reads;
	uint64_t	broken_entry;	/* reading a node stored here fails (or ~0) */
} Store;

static Store *
store_build(const uint8_t *leaves, uint64_t n)
{
	Store	   *s = calloc(1, sizeof(Store));
	unsigned	l;

	s->broken_entry = ~(uint64_t) 0;
	s->count[0] = n;
	s->level[0] = malloc(n * HL + 1);
	memcpy(s->level[0], leaves, n * HL);
	for (l = 1; l < 64 && (n >> l) > 0; l++)
	{
		uint64_t	i;

		s->count[l] = n >> l;
		s->level[l] = malloc(s->count[l] * HL);
		for (i = 0; i < s->count[l]; i++)
			ref_hash(0x01, s->level[l - 1] + 2 * i * HL, HL,
					 s->level[l - 1] + (2 * i + 1) * HL, HL, s->level[l] + i * HL);
	}
	return s;
}

static void
store_free(Store *s)
{
	unsigned	l;

	for (l = 0; l < 64; l++)
		free(s->level[l]);
	free(s);
}

static int
store_read(void *arg, unsigned level, uint64_t index, uint8_t out[HL])
{
	Store	   *s = arg;

	if (level >= 64 || index >= s->count[level] ||
		foray_tlog_node_entry(level, index) == s->broken_entry)
		return -1;
	memcpy(out, s->level[level] + index * HL, HL);
	s->reads++;
	return 0;
}

static foray_tlog_source
source(Store *s)
{
	foray_tlog_source src = {H, store_read, s};

	return src;
}

/* leaf hash i of the test trees: SHA-256(0x00 || 8-byte big-endian i) */
static uint8_t *
make_leaves(uint64_t n)
{
	uint8_t    *leaves = malloc(n * HL + 1);
	uint64_t	i;

	for (i = 0; i < n; i++)
	{
		uint8_t		d[8];
		int			b;

		for (b = 0; b < 8; b++)
			d[b] = (uint8_t) (i >> (56 - 8 * b));
		ref_hash(0x00, d, 8, NULL, 0, leaves + i * HL);
	}
	return leaves;
}

/* ---- proofs straight from the RFC's recursive definitions -------------- */

/*
 * MTH(D[lo:lo+n]) of the small trees' leaves, memoised: the recursive
 * definitions below ask for the same subtrees over and over.
 */
#define MEMO_N 131
static const uint8_t *memo_base = NULL;
static uint8_t memo[MEMO_N][MEMO_N + 1][HL];
static char memo_have[MEMO_N][MEMO_N + 1];

static void
mth(const uint8_t *d, size_t n, uint8_t out[HL])
{
	size_t		lo;

	/* every d of the small trees lies in their leaves (memo_base) */
	if (memo_base == NULL || (lo = (size_t) (d - memo_base) / HL) >= MEMO_N || n > MEMO_N)
	{
		ref_mth(d, n, out);
		return;
	}
	if (!memo_have[lo][n])
	{
		ref_mth(d, n, memo[lo][n]);
		memo_have[lo][n] = 1;
	}
	memcpy(out, memo[lo][n], HL);
}

/* PATH(m, D[n]) of RFC 9162 2.1.3.1 over leaf hashes, leaf first */
static size_t
ref_path(const uint8_t *d, size_t n, size_t m, uint8_t *out)
{
	size_t		k = 1;
	size_t		len;

	if (n <= 1)
		return 0;
	while (k * 2 < n)
		k *= 2;
	if (m < k)
	{
		len = ref_path(d, k, m, out);
		mth(d + k * HL, n - k, out + len * HL);
	}
	else
	{
		len = ref_path(d + k * HL, n - k, m - k, out);
		mth(d, k, out + len * HL);
	}
	return len + 1;
}

/* SUBPROOF(m, D[n], b) of RFC 9162 2.1.4.1 */
static size_t
ref_subproof(const uint8_t *d, size_t n, size_t m, int b, uint8_t *out)
{
	size_t		k = 1;
	size_t		len;

	if (m == n)
	{
		if (b)
			return 0;
		mth(d, m, out);
		return 1;
	}
	while (k * 2 < n)
		k *= 2;
	if (m <= k)
	{
		len = ref_subproof(d, k, m, b, out);
		mth(d + k * HL, n - k, out + len * HL);
	}
	else
	{
		len = ref_subproof(d + k * HL, n - k, m - k, 0, out);
		mth(d, k, out + len * HL);
	}
	return len + 1;
}

/* ---- the RFC 6962 tree and the transparency-dev vectors ---------------- */

static uint8_t rfc_leaves[8 * HL];
static Store *rfc_store;

static void
test_rfc6962(const char *dir)
{
	char		path[1024];
	char	   *text;
	json_t	   *doc;
	json_error_t err;
	int			n;
	int			ok = 1;

	snprintf(path, sizeof(path), "%s/rfc9162-merkle/rfc6962-roots.json", dir);
	text = slurp(path);
	doc = text ? json_loads(text, 0, &err) : NULL;
	check(doc != NULL, "read %s", path);
	if (doc == NULL)
	{
		free(text);
		exit(1);
	}
	for (n = 0; n < 8; n++)
	{
		uint8_t		data[64];
		size_t		len = hex_decode(json_string_value(json_array_get(json_object_get(doc, "leaves_hex"), n)),
									 data, sizeof(data));

		ref_hash(0x00, data, len, NULL, 0, rfc_leaves + n * HL);
	}
	rfc_store = store_build(rfc_leaves, 8);
	for (n = 0; n <= 8; n++)
	{
		foray_tlog_source src = source(rfc_store);
		uint8_t		want[HL];
		uint8_t		got[HL];

		hex_decode(json_string_value(json_array_get(json_object_get(doc, "roots_hex"), n)), want, HL);
		if (foray_tlog_root(&src, n, got) != FORAY_MERKLE_OK || memcmp(got, want, HL) != 0)
			ok = 0;
	}
	check(ok, "roots of the RFC 6962 tree at sizes 0..8 from its stored subtrees%s", "");
	json_decref(doc);
	free(text);
}

/* base64 hashes of a JSON array (null: none) */
static size_t
read_hashes(json_t *arr, uint8_t store[][64], const uint8_t **ptr, size_t *lens, size_t max)
{
	size_t		n = 0;
	size_t		i;

	for (i = 0; json_is_array(arr) && i < json_array_size(arr) && n < max; i++)
	{
		size_t		l = b64_decode(json_string_value(json_array_get(arr, i)), store[n], 64);

		lens[n] = l == (size_t) -1 ? 0 : l;
		ptr[n] = store[n];
		n++;
	}
	return n;
}

static int	incl_generated = 0;
static int	incl_generated_ok = 1;

static void
run_inclusion_vector(const char *file)
{
	char	   *text = slurp(file);
	json_t	   *doc = text ? json_loads(text, JSON_DECODE_INT_AS_REAL, NULL) : NULL;
	uint64_t	idx = 0;
	uint64_t	size = 0;
	uint8_t		leaf[64];
	uint8_t		store[FORAY_MERKLE_MAX_PATH + 8][64];
	const uint8_t *ptr[FORAY_MERKLE_MAX_PATH + 8];
	size_t		lens[FORAY_MERKLE_MAX_PATH + 8];
	size_t		np;
	size_t		leaf_len;

	if (doc == NULL || !raw_u64(text, "leafIdx", &idx) || !raw_u64(text, "treeSize", &size))
	{
		check(0, "parse %s", file);
		json_decref(doc);
		free(text);
		return;
	}
	leaf_len = b64_decode(json_string_value(json_object_get(doc, "leafHash")), leaf, sizeof(leaf));
	np = read_hashes(json_object_get(doc, "proof"), store, ptr, lens, FORAY_MERKLE_MAX_PATH + 8);
	/* happy paths in the RFC 6962 tree: the proof generated from the store is theirs */
	if (!json_is_true(json_object_get(doc, "wantErr")) && size >= 1 && size <= 8 &&
		leaf_len == HL && memcmp(leaf, rfc_leaves + idx * HL, HL) == 0)
	{
		foray_tlog_source src = source(rfc_store);
		uint8_t		gen[FORAY_MERKLE_MAX_PATH * HL];
		size_t		gen_len;
		size_t		i;
		int			same;

		same = foray_tlog_inclusion_proof(&src, idx, size, gen, &gen_len) == FORAY_MERKLE_OK &&
			gen_len == np;
		for (i = 0; same && i < np; i++)
			same = lens[i] == HL && memcmp(gen + i * HL, ptr[i], HL) == 0;
		incl_generated++;
		if (!same)
		{
			incl_generated_ok = 0;
			check(0, "%s: generated inclusion proof differs", file);
		}
	}
	json_decref(doc);
	free(text);
}

static void
run_consistency_vector(const char *file)
{
	char	   *text = slurp(file);
	json_t	   *doc = text ? json_loads(text, JSON_DECODE_INT_AS_REAL, NULL) : NULL;
	uint64_t	size1 = 0;
	uint64_t	size2 = 0;
	uint8_t		root1[64];
	uint8_t		root2[64];
	size_t		r1;
	size_t		r2;
	uint8_t		store[FORAY_TLOG_MAX_CONSISTENCY + 8][64];
	const uint8_t *ptr[FORAY_TLOG_MAX_CONSISTENCY + 8];
	size_t		lens[FORAY_TLOG_MAX_CONSISTENCY + 8];
	size_t		np;
	int			want_err;
	int			rc;
	const char *desc;
	char		label[1200];

	if (doc == NULL || !raw_u64(text, "size1", &size1) || !raw_u64(text, "size2", &size2))
	{
		check(0, "parse %s", file);
		json_decref(doc);
		free(text);
		return;
	}
	want_err = json_is_true(json_object_get(doc, "wantErr"));
	desc = json_string_value(json_object_get(doc, "desc"));
	r1 = b64_decode(json_string_value(json_object_get(doc, "root1")), root1, sizeof(root1));
	r2 = b64_decode(json_string_value(json_object_get(doc, "root2")), root2, sizeof(root2));
	np = read_hashes(json_object_get(doc, "proof"), store, ptr, lens, FORAY_TLOG_MAX_CONSISTENCY + 8);
	rc = foray_tlog_verify_consistency_checked(H, size1, size2,
											   root1, r1 == (size_t) -1 ? 0 : r1,
											   root2, r2 == (size_t) -1 ? 0 : r2,
											   ptr, lens, np);
	if (!want_err && (r1 != HL || r2 != HL))
	{
		/*
		 * "sizes are equal (one) and proof is empty" uses 12-byte stand-ins
		 * for the roots; every root here is a SHA-256 hash, so a hash of
		 * another length is refused as malformed before anything is compared.
		 */
		snprintf(label, sizeof(label), "%s (%s): roots that are not 32 bytes are refused as malformed",
				 file, desc);
		check(rc == FORAY_MERKLE_BAD_HASH_LEN, "%s", label);
	}
	else
	{
		snprintf(label, sizeof(label), "%s (%s): %s", file, desc, want_err ? "refused" : "verifies");
		check(want_err ? rc != FORAY_MERKLE_OK : rc == FORAY_MERKLE_OK, "%s", label);
	}

	/* happy paths in the RFC 6962 tree: generated proof and roots are theirs */
	if (!want_err && size2 <= 8 && size1 >= 1 && r1 == HL && r2 == HL)
	{
		foray_tlog_source src = source(rfc_store);
		uint8_t		gen[FORAY_TLOG_MAX_CONSISTENCY * HL];
		uint8_t		g1[HL];
		uint8_t		g2[HL];
		size_t		gen_len;
		size_t		i;
		int			same;

		same = foray_tlog_consistency_proof(&src, size1, size2, gen, &gen_len) == FORAY_MERKLE_OK &&
			foray_tlog_root(&src, size1, g1) == FORAY_MERKLE_OK &&
			foray_tlog_root(&src, size2, g2) == FORAY_MERKLE_OK &&
			memcmp(g1, root1, HL) == 0 && memcmp(g2, root2, HL) == 0 && gen_len == np;
		for (i = 0; same && i < np; i++)
			same = lens[i] == HL && memcmp(gen + i * HL, ptr[i], HL) == 0;
		check(same, "%s: generated consistency proof and roots equal the vector's", file);
	}
	json_decref(doc);
	free(text);
}

/* ---- every tree of up to 130 leaves against the RFC definitions ------- */

static void
test_small_trees(void)
{
	const uint64_t maxn = 130;
	uint8_t    *leaves = make_leaves(maxn);
	Store	   *s = store_build(leaves, maxn);
	foray_tlog_source src = source(s);
	uint64_t	n;
	int			roots_ok = 1;
	int			incl_ok = 1;
	int			cons_ok = 1;
	int			neg_ok = 1;
	int			front_ok = 1;
	foray_tlog_frontier f;
	uint8_t		nodes[64 * HL];
	unsigned	nn;
	char		label[64];

	memo_base = leaves;
	foray_tlog_frontier_init(&f);
	for (n = 0; n <= maxn; n++)
	{
		uint8_t		want[HL];
		uint8_t		got[HL];
		uint64_t	i;
		uint64_t	m;

		mth(leaves, n, want);
		if (foray_tlog_root(&src, n, got) != FORAY_MERKLE_OK || memcmp(got, want, HL) != 0)
			roots_ok = 0;

		/* the frontier of size n: appended one leaf at a time, and loaded */
		{
			foray_tlog_frontier loaded;
			unsigned	c;

			if (foray_tlog_frontier_root(H, &f, got) != FORAY_MERKLE_OK || memcmp(got, want, HL) != 0 ||
				foray_tlog_frontier_load(&src, n, &loaded) != FORAY_MERKLE_OK ||
				loaded.count != f.count || loaded.size != n)
				front_ok = 0;
			for (c = 0; c < f.count && c < loaded.count; c++)
				if (loaded.level[c] != f.level[c] || memcmp(loaded.hash[c], f.hash[c], HL) != 0)
					front_ok = 0;
			if (n < maxn)
			{
				unsigned	l;

				if (foray_tlog_frontier_append(H, &f, leaves + n * HL, nodes, &nn) != FORAY_MERKLE_OK ||
					nn != foray_tlog_nodes_at(n))
					front_ok = 0;
				/* the nodes appending leaf n completes are the stored ones */
				for (l = 1; l <= nn; l++)
					if (foray_tlog_node_entry(l, ((n + 1) >> l) - 1) != n ||
						memcmp(nodes + (l - 1) * HL, s->level[l] + (((n + 1) >> l) - 1) * HL, HL) != 0)
						front_ok = 0;
			}
		}

		for (i = 0; i < n; i++)
		{
			uint8_t		path[FORAY_MERKLE_MAX_PATH * HL];
			uint8_t		refp[FORAY_MERKLE_MAX_PATH * HL];
			size_t		plen;
			size_t		rlen = ref_path(leaves, n, i, refp);
			uint8_t		r[HL];

			if (foray_tlog_inclusion_proof(&src, i, n, path, &plen) != FORAY_MERKLE_OK ||
				plen != rlen || memcmp(path, refp, plen * HL) != 0 ||
				foray_merkle_root_from_path(H, i, n, leaves + i * HL, path, plen, r) != FORAY_MERKLE_OK ||
				memcmp(r, want, HL) != 0)
				incl_ok = 0;
		}
		for (m = 1; m <= n; m++)
		{
			uint8_t		proof[FORAY_TLOG_MAX_CONSISTENCY * HL];
			uint8_t		refp[FORAY_TLOG_MAX_CONSISTENCY * HL];
			uint8_t		old[HL];
			uint8_t		other[HL];
			size_t		plen;
			size_t		rlen = ref_subproof(leaves, n, m, 1, refp);

			mth(leaves, m, old);
			if (foray_tlog_consistency_proof(&src, m, n, proof, &plen) != FORAY_MERKLE_OK ||
				plen != rlen || memcmp(proof, refp, plen * HL) != 0 ||
				foray_tlog_verify_consistency(H, m, n, old, want, proof, plen) != FORAY_MERKLE_OK)
				cons_ok = 0;
			/* the same proof proves nothing about other sizes or roots */
			if (m > 1 && m < n)
			{
				mth(leaves, m - 1, other);
				if (foray_tlog_verify_consistency(H, m - 1, n, other, want, proof, plen) == FORAY_MERKLE_OK)
					neg_ok = 0;
			}
			if (m + 1 < n)
			{
				mth(leaves, m + 1, other);
				if (foray_tlog_verify_consistency(H, m + 1, n, other, want, proof, plen) == FORAY_MERKLE_OK)
					neg_ok = 0;
			}
			if (m < n)
			{
				mth(leaves, n - 1, other);
				if (n - 1 >= m &&
					foray_tlog_verify_consistency(H, m, n - 1, old, other, proof, plen) == FORAY_MERKLE_OK)
					neg_ok = 0;
				if (foray_tlog_verify_consistency(H, m, n, old, want, proof, plen - 1) == FORAY_MERKLE_OK)
					neg_ok = 0;
				proof[(plen - 1) * HL + 3] ^= 0x40;
				if (foray_tlog_verify_consistency(H, m, n, old, want, proof, plen) == FORAY_MERKLE_OK)
					neg_ok = 0;
				proof[(plen - 1) * HL + 3] ^= 0x40;
				old[0] ^= 1;
				if (foray_tlog_verify_consistency(H, m, n, old, want, proof, plen) == FORAY_MERKLE_OK)
					neg_ok = 0;
			}
		}
	}
	snprintf(label, sizeof(label), "%llu", (unsigned long long) maxn);
	check(roots_ok, "roots from stored subtrees equal the recursive RFC definition, sizes 0..%s", label);
	check(front_ok, "appending leaf by leaf: roots, completed nodes and frontiers equal the stored tree, sizes 0..%s", label);
	check(incl_ok, "every inclusion proof of every leaf equals RFC 9162 PATH and verifies, sizes 1..%s", label);
	check(cons_ok, "every consistency proof (1 <= m <= n) equals RFC 9162 PROOF and verifies, n <= %s", label);
	check(neg_ok, "those proofs prove nothing for m +- 1, n - 1, a dropped or flipped hash, or another old root (n <= %s)", label);
	memo_base = NULL;
	store_free(s);
	free(leaves);
}

/* ---- a big tree: what each operation reads ---------------------------- */

static unsigned
ceil_log2(uint64_t n)
{
	unsigned	l = 0;

	while (((uint64_t) 1 << l) < n)
		l++;
	return l;
}

static unsigned
popcount64(uint64_t n)
{
	unsigned	c = 0;

	for (; n; n &= n - 1)
		c++;
	return c;
}

static void
test_big_tree(uint64_t n)
{
	uint8_t    *leaves = make_leaves(n);
	Store	   *s = store_build(leaves, n);
	foray_tlog_source src = source(s);
	uint8_t		want[HL];
	uint8_t		got[HL];
	long		max_incl = 0;
	long		max_cons = 0;
	int			ok = 1;
	uint64_t	sizes[6];
	int			k;
	char		label[160];

	ref_mth(leaves, n, want);
	s->reads = 0;
	ok = foray_tlog_root(&src, n, got) == FORAY_MERKLE_OK && memcmp(got, want, HL) == 0;
	snprintf(label, sizeof(label), "root of %llu leaves equals the RFC definition, from %ld stored nodes (popcount %u)",
			 (unsigned long long) n, s->reads, popcount64(n));
	check(ok && s->reads == (long) popcount64(n), "%s", label);

	sizes[0] = n;
	sizes[1] = n - 1;
	sizes[2] = (n / 2) | 1;
	sizes[3] = ((uint64_t) 1 << (ceil_log2(n) - 1)) + 1;
	sizes[4] = n - n / 3;
	sizes[5] = 3;
	ok = 1;
	for (k = 0; k < 6; k++)
	{
		uint64_t	size = sizes[k];
		uint8_t		root[HL];
		uint64_t	probe[6] = {0, 1, size / 2, size - 2, size - 1, size / 3 * 2 + 1};
		int			p;

		if (foray_tlog_root(&src, size, root) != FORAY_MERKLE_OK)
			ok = 0;
		for (p = 0; p < 6; p++)
		{
			uint8_t		path[FORAY_MERKLE_MAX_PATH * HL];
			uint8_t		proof[FORAY_TLOG_MAX_CONSISTENCY * HL];
			uint8_t		old[HL];
			size_t		plen;
			uint64_t	i = probe[p] % size;
			uint64_t	m = probe[p] % size + 1;

			s->reads = 0;
			if (foray_tlog_inclusion_proof(&src, i, size, path, &plen) != FORAY_MERKLE_OK ||
				foray_merkle_root_from_path(H, i, size, leaves + i * HL, path, plen, got) != FORAY_MERKLE_OK ||
				memcmp(got, root, HL) != 0)
				ok = 0;
			if (s->reads > max_incl)
				max_incl = s->reads;
			if (foray_tlog_root(&src, m, old) != FORAY_MERKLE_OK)
				ok = 0;
			s->reads = 0;
			if (foray_tlog_consistency_proof(&src, m, size, proof, &plen) != FORAY_MERKLE_OK ||
				foray_tlog_verify_consistency(H, m, size, old, root, proof, plen) != FORAY_MERKLE_OK)
				ok = 0;
			if (s->reads > max_cons)
				max_cons = s->reads;
		}
	}
	check(ok, "inclusion and consistency proofs at six sizes of the big tree verify%s", "");
	snprintf(label, sizeof(label), "an inclusion proof reads at most 2 log2(n) = %u stored nodes (read %ld)",
			 2 * ceil_log2(n), max_incl);
	check(max_incl <= (long) (2 * ceil_log2(n)), "%s", label);
	snprintf(label, sizeof(label), "a consistency proof reads at most 2 log2(n) + 1 = %u stored nodes (read %ld)",
			 2 * ceil_log2(n) + 1, max_cons);
	check(max_cons <= (long) (2 * ceil_log2(n) + 1), "%s", label);
	store_free(s);
	free(leaves);
}

/* ---- argument errors --------------------------------------------------- */

static void
test_errors(void)
{
	uint8_t    *leaves = make_leaves(5);
	Store	   *s = store_build(leaves, 5);
	foray_tlog_source src = source(s);
	uint8_t		buf[FORAY_TLOG_MAX_CONSISTENCY * HL];
	uint8_t		r[HL] = {0};
	size_t		len;
	foray_tlog_frontier f;
	unsigned	nn;

	check(foray_tlog_inclusion_proof(&src, 5, 5, buf, &len) == FORAY_MERKLE_BAD_INDEX,
		  "inclusion proof of index 5 in a tree of 5 is refused%s", "");
	check(foray_tlog_consistency_proof(&src, 0, 5, buf, &len) == FORAY_MERKLE_BAD_SIZE,
		  "consistency proof from the empty tree is refused%s", "");
	check(foray_tlog_consistency_proof(&src, 5, 4, buf, &len) == FORAY_MERKLE_BAD_SIZE,
		  "consistency proof to a smaller tree is refused%s", "");
	check(foray_tlog_consistency_proof(&src, 3, 3, buf, &len) == FORAY_MERKLE_OK && len == 0,
		  "consistency proof between equal sizes is empty%s", "");
	check(foray_tlog_root(&src, 6, r) == FORAY_MERKLE_READ,
		  "a node the store does not have is a read error, not a root%s", "");
	s->broken_entry = 3;		/* node (2, 0) and (1, 1) and leaf 3 live there */
	check(foray_tlog_root(&src, 5, r) == FORAY_MERKLE_READ &&
		  foray_tlog_inclusion_proof(&src, 4, 5, buf, &len) == FORAY_MERKLE_READ &&
		  foray_tlog_consistency_proof(&src, 2, 5, buf, &len) == FORAY_MERKLE_READ &&
		  foray_tlog_frontier_load(&src, 5, &f) == FORAY_MERKLE_READ,
		  "a failing read fails the root, the proofs and the frontier%s", "");
	check(foray_tlog_subtree_hash(&src, 1, 4, r) == FORAY_MERKLE_BAD_INDEX &&
		  foray_tlog_subtree_hash(&src, 2, 2, r) == FORAY_MERKLE_BAD_INDEX,
		  "a range that is no RFC 9162 subtree is refused%s", "");
	check(foray_tlog_verify_consistency(H, 2, 4, r, r, buf, 0) == FORAY_MERKLE_BAD_PATH_LEN &&
		  foray_tlog_verify_consistency(H, 2, 2, r, r, buf, 1) == FORAY_MERKLE_BAD_PATH_LEN &&
		  foray_tlog_verify_consistency(H, 0, 0, r, r, buf, 0) == FORAY_MERKLE_BAD_SIZE,
		  "empty proofs between different sizes, non-empty between equal ones, and size 0 are refused%s", "");
	f.size = (uint64_t) INT64_MAX;
	f.count = 0;
	check(foray_tlog_frontier_append(H, &f, r, buf, &nn) == FORAY_MERKLE_BAD_SIZE,
		  "a log of 2^63 - 1 entries takes no more%s", "");
	check(foray_tlog_nodes_at(0) == 0 && foray_tlog_nodes_at(7) == 3 && foray_tlog_nodes_at(8) == 0 &&
		  foray_tlog_node_entry(0, 9) == 9 && foray_tlog_node_entry(3, 1) == 15,
		  "node placement: entry i stores its trailing-one-bits levels%s", "");
	check(strcmp(foray_merkle_strerror(FORAY_MERKLE_READ), "a stored tree node could not be read") == 0 &&
		  strcmp(foray_merkle_strerror(FORAY_MERKLE_BAD_SIZE), "tree sizes are out of order, or the old tree is empty") == 0,
		  "the new return codes have messages%s", "");
	store_free(s);
	free(leaves);
}

/* ---- signed notes, vkeys, checkpoints --------------------------------- */

static const char *
vkey_outcome(const char *s, size_t len, foray_vkey *k)
{
	const char *why;

	switch (foray_vkey_parse(H, s, len, k, &why))
	{
		case FORAY_NOTE_OK:
			return "valid";
		case FORAY_NOTE_MALFORMED:
			return why != NULL ? "malformed" : "malformed without a reason";
		case FORAY_NOTE_UNSUPPORTED:
			return "unsupported";
	}
	return "error";
}

static void
test_vkeys(json_t *vkeys)
{
	size_t		i;

	for (i = 0; i < json_array_size(vkeys); i++)
	{
		json_t	   *v = json_array_get(vkeys, i);
		const char *s = json_string_value(json_object_get(v, "vkey"));
		const char *want = json_string_value(json_object_get(v, "want"));
		foray_vkey	k;
		const char *got = vkey_outcome(s, strlen(s), &k);
		char		label[512];

		snprintf(label, sizeof(label), "vkey %s: %s", s, want);
		if (strcmp(want, "valid") == 0 && strcmp(got, "valid") == 0)
		{
			const char *name = json_string_value(json_object_get(v, "name"));
			char		id[9];

			snprintf(id, sizeof(id), "%08x", k.key_id);
			check(k.name_len == strlen(name) && memcmp(k.name, name, k.name_len) == 0 &&
				  strcmp(id, json_string_value(json_object_get(v, "key_id"))) == 0,
				  "%s (name and key ID)", label);

			/* every proper substring and every byte + 1 is refused (as x/mod tests) */
			{
				size_t		len = strlen(s);
				char	   *b = malloc(len + 1);
				size_t		x;
				size_t		y;
				int			refused = 1;

				for (x = 0; x < len; x++)
					for (y = x + 1; y <= len; y++)
						if ((x != 0 || y != len) &&
							strcmp(vkey_outcome(s + x, y - x, &k), "valid") == 0)
							refused = 0;
				memcpy(b, s, len + 1);
				for (x = 0; x < len; x++)
				{
					b[x]++;
					if (strcmp(vkey_outcome(b, len, &k), "valid") == 0)
						refused = 0;
					b[x]--;
				}
				free(b);
				check(refused, "%s: every proper substring and every byte + 1 is refused", label);
			}
		}
		else
			check(strcmp(got, want) == 0, "%s", label);
	}
}

static void
test_notes(json_t *notes)
{
	size_t		i;

	for (i = 0; i < json_array_size(notes); i++)
	{
		json_t	   *v = json_array_get(notes, i);
		const char *vk = json_string_value(json_object_get(v, "vkey"));
		const char *want = json_string_value(json_object_get(v, "want"));
		const char *hex = json_string_value(json_object_get(v, "note_hex"));
		char	   *note;
		size_t		len;
		foray_vkey	k;
		const char *why;
		size_t		tlen;
		size_t		soff;
		size_t		slen;
		const char *got;
		char		label[512];

		if (hex != NULL)
		{
			note = malloc(strlen(hex) / 2 + 1);
			len = hex_decode(hex, (uint8_t *) note, strlen(hex) / 2);
		}
		else
		{
			note = strdup(json_string_value(json_object_get(v, "note")));
			len = strlen(note);
		}
		if (foray_vkey_parse(H, vk, strlen(vk), &k, &why) != FORAY_NOTE_OK)
		{
			check(0, "note vector key %s parses", vk);
			free(note);
			continue;
		}
		switch (foray_note_verify(note, len, &k, &tlen, &soff, &slen, &why))
		{
			case FORAY_NOTE_OK:
				got = "verified";
				break;
			case FORAY_NOTE_NO_SIGNATURE:
				got = "no_signature";
				break;
			case FORAY_NOTE_BAD_SIGNATURE:
				got = "bad_signature";
				break;
			case FORAY_NOTE_MALFORMED:
				got = why != NULL ? "malformed" : "malformed without a reason";
				break;
			default:
				got = "error";
		}
		snprintf(label, sizeof(label), "signed note (%s) with %.40s: %s",
				 json_string_value(json_object_get(v, "desc")), vk, want);
		if (strcmp(got, "verified") == 0 && strcmp(want, "verified") == 0)
		{
			/* the text ends at the blank line; the signature found is on a line of the key */
			check(tlen < len && note[tlen - 1] == '\n' && note[tlen] == '\n' &&
				  soff > tlen && soff + slen < len && note[soff + slen] == '\n' &&
				  memcmp(note + soff - 1 - k.name_len, k.name, k.name_len) == 0,
				  "%s (text and signature located)", label);
		}
		else
			check(strcmp(got, want) == 0, "%s", label);
		free(note);
	}
}

static void
test_checkpoints(json_t *cps)
{
	size_t		i;

	for (i = 0; i < json_array_size(cps); i++)
	{
		json_t	   *v = json_array_get(cps, i);
		const char *text = json_string_value(json_object_get(v, "text"));
		const char *want = json_string_value(json_object_get(v, "want"));
		foray_checkpoint cp;
		const char *why;
		int			rc = foray_checkpoint_parse(text, strlen(text), &cp, &why);
		char		label[512];

		char		shown[80];
		size_t		c;

		/* the text on one line: newlines shown as | */
		for (c = 0; text[c] != '\0' && c + 1 < sizeof(shown); c++)
			shown[c] = text[c] == '\n' ? '|' : text[c];
		shown[c] = '\0';
		snprintf(label, sizeof(label), "checkpoint %s: %s", shown, want);
		if (strcmp(want, "valid") == 0)
		{
			const char *origin = json_string_value(json_object_get(v, "origin"));
			uint8_t		root[64];
			size_t		rl = b64_decode(json_string_value(json_object_get(v, "root_b64")), root, sizeof(root));
			char		again[512];

			/* and formatting the parsed fields gives the text back */
			check(rc == FORAY_NOTE_OK && cp.origin_len == strlen(origin) &&
				  memcmp(cp.origin, origin, cp.origin_len) == 0 &&
				  cp.size == (uint64_t) json_integer_value(json_object_get(v, "size")) &&
				  rl == HL && memcmp(cp.root, root, HL) == 0 && cp.extension_off == strlen(text) &&
				  foray_checkpoint_format(cp.origin, cp.origin_len, cp.size, cp.root, again,
										  sizeof(again)) == strlen(text) &&
				  strcmp(again, text) == 0,
				  "%s (fields, and formatted back)", label);
		}
		else
			check(rc == FORAY_NOTE_MALFORMED && why != NULL, "%s", label);
	}
}

/* variants of a valid checkpoint, each breaking one rule of tlog-checkpoint */
static void
test_checkpoint_rules(void)
{
	static const struct
	{
		const char *text;
		int			ok;
		const char *rule;
	}			cases[] = {
		{"o\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n", 1, "size 0"},
		{"o\n9223372036854775807\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n", 1, "size 2^63 - 1"},
		{"o\n9223372036854775808\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n", 0, "size 2^63"},
		{"o\n01\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n", 0, "a leading zero"},
		{"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\next\nmore\n", 1, "extension lines"},
		{"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n", 0, "an empty extension line"},
		{"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=\n", 0, "non-zero padding bits"},
		{"o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\n", 0, "unpadded base64"},
		{"o\n1\n47DEQpj8HBSa-_TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n", 0, "the URL alphabet"},
		{"o\n1\nAAAA47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n", 0, "a 35-byte root"},
		{"o\t\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n", 0, "a control character"},
		{"o\r\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n", 0, "a carriage return"},
		{"o\n+1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n", 0, "a signed size"},
	};
	size_t		i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		foray_checkpoint cp;
		const char *why;
		int			rc = foray_checkpoint_parse(cases[i].text, strlen(cases[i].text), &cp, &why);

		check(cases[i].ok ? rc == FORAY_NOTE_OK : rc == FORAY_NOTE_MALFORMED,
			  cases[i].ok ? "checkpoint with %s is accepted" : "checkpoint with %s is refused",
			  cases[i].rule);
	}
	check(foray_note_name_valid("example.com/log42", 17) && !foray_note_name_valid("a b", 3) &&
		  !foray_note_name_valid("a+b", 3) && !foray_note_name_valid("", 0) &&
		  !foray_note_name_valid("a\xc2\xa0" "b", 4) && !foray_note_name_valid("a\xe3\x80\x80", 4) &&
		  foray_note_name_valid("caf\xc3\xa9", 5) && !foray_note_name_valid("\xc0\xaf", 2),
		  "origin / key name rule: no space (Unicode ones included), no '+', valid UTF-8%s", "");
}

static void
test_base64(void)
{
	static const char *const good[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	static const char *const bad[] = {"Z", "Zg=", "Zh==", "Zm9=", "Z===", "====", "Zg==Zg==", "Zm9v\n", "Zm 9"};
	static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	int			ok = 1;
	size_t		i;

	/* RFC 4648 section 10 */
	for (i = 0; i < 7; i++)
	{
		uint8_t		out[16];
		char		enc[16];
		size_t		n;

		if (foray_base64_decode(good[i], strlen(good[i]), out, sizeof(out), &n) != 0 ||
			n != strlen(plain[i]) || memcmp(out, plain[i], n) != 0)
			ok = 0;
		foray_base64_encode((const uint8_t *) plain[i], strlen(plain[i]), enc);
		if (strcmp(enc, good[i]) != 0)
			ok = 0;
	}
	check(ok, "base64 of the RFC 4648 test vectors, both ways%s", "");
	ok = 1;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		uint8_t		out[16];
		size_t		n;

		if (foray_base64_decode(bad[i], strlen(bad[i]), out, sizeof(out), &n) == 0)
			ok = 0;
	}
	check(ok, "non-canonical or broken base64 is refused%s", "");
}

static void
test_note_vectors(const char *dir)
{
	char		path[1024];
	char	   *text;
	json_t	   *doc;
	json_error_t err;

	snprintf(path, sizeof(path), "%s/c2sp-note/vectors.json", dir);
	text = slurp(path);
	doc = text ? json_loads(text, 0, &err) : NULL;
	check(doc != NULL, "read %s", path);
	if (doc != NULL)
	{
		test_vkeys(json_object_get(doc, "vkeys"));
		test_notes(json_object_get(doc, "notes"));
		test_checkpoints(json_object_get(doc, "checkpoints"));
	}
	json_decref(doc);
	free(text);
}

/* ---- answers for the Python reference (test/core/tlog_ref.py) ---------- */

static void
print_hashes(const uint8_t *h, size_t n)
{
	size_t		i;
	size_t		b;

	for (i = 0; i < n; i++)
	{
		printf(i ? "," : " ");
		for (b = 0; b < HL; b++)
			printf("%02x", h[i * HL + b]);
	}
	if (n == 0)
		printf(" -");
	printf("\n");
}

static int
answer(const char *file)
{
	FILE	   *f = fopen(file, "r");
	char		line[256];
	uint64_t	maxn = 0;
	uint8_t    *leaves = NULL;
	Store	   *s = NULL;
	foray_tlog_source src;

	if (f == NULL)
		return 2;
	while (fgets(line, sizeof(line), f) != NULL)
	{
		char		op[16];
		unsigned long long a = 0;
		unsigned long long b = 0;
		uint8_t		out[FORAY_TLOG_MAX_CONSISTENCY * HL];
		size_t		len = 0;
		int			rc;

		if (sscanf(line, "%15s %llu %llu", op, &a, &b) < 2)
			continue;
		if (strcmp(op, "leaves") == 0)
		{
			maxn = a;
			leaves = make_leaves(maxn);
			s = store_build(leaves, maxn);
			src = source(s);
			continue;
		}
		if (s == NULL)
			return 2;
		if (strcmp(op, "root") == 0)
		{
			rc = foray_tlog_root(&src, a, out);
			len = 1;
		}
		else if (strcmp(op, "incl") == 0)
			rc = foray_tlog_inclusion_proof(&src, a, b, out, &len);
		else
			rc = foray_tlog_consistency_proof(&src, a, b, out, &len);
		printf("%s %llu %llu", op, a, b);
		if (rc != FORAY_MERKLE_OK)
			printf(" error:%s\n", foray_merkle_strerror(rc));
		else
			print_hashes(out, len);
	}
	fclose(f);
	if (s != NULL)
		store_free(s);
	free(leaves);
	return 0;
}

int
main(int argc, char **argv)
{
	char		dir[1024];
	uint64_t	big = (1u << 20) + 12345;

	H = foray_hasher_new();
	if (H == NULL)
	{
		fprintf(stderr, "cannot create a hasher\n");
		return 2;
	}
	if (argc == 3 && strcmp(argv[1], "--answer") == 0)
	{
		int			rc = answer(argv[2]);

		foray_hasher_free(H);
		return rc;
	}
	if (argc < 2 || argc > 3)
	{
		fprintf(stderr, "usage: %s VECTOR_DIR [BIG_SIZE] | --answer QUERY_FILE\n", argv[0]);
		return 2;
	}
	if (argc == 3)
		big = strtoull(argv[2], NULL, 10);

	test_rfc6962(argv[1]);
	snprintf(dir, sizeof(dir), "%s/rfc9162-merkle/inclusion", argv[1]);
	walk_json(dir, run_inclusion_vector);
	{
		char		n[16];

		snprintf(n, sizeof(n), "%d", incl_generated);
		check(incl_generated >= 4 && incl_generated_ok,
			  "the inclusion proofs generated from the store equal the %s happy-path vectors in the RFC 6962 tree", n);
	}
	snprintf(dir, sizeof(dir), "%s/rfc9162-merkle/consistency", argv[1]);
	walk_json(dir, run_consistency_vector);
	test_small_trees();
	if (big >= 16)
		test_big_tree(big);
	test_errors();
	test_base64();
	test_checkpoint_rules();
	test_note_vectors(argv[1]);
	store_free(rfc_store);
	foray_hasher_free(H);
	printf("%d passed, %d failed\n", tu_passed, tu_failed);
	return tu_failed == 0 ? 0 : 1;
}
