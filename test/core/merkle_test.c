/*
 * merkle_test.c
 *		Unit tests of src/core/merkle.c against independent data:
 *		  - the RFC 6962 test tree (roots at sizes 0..8, transparency-dev);
 *		  - every RFC 9162 inclusion vector (happy paths verify, every
 *			named negative case is refused);
 *		  - a reference MTH written here straight from the RFC's recursive
 *			definition with one-shot EVP_Digest calls (a second
 *			implementation), for sizes 0..130 and every leaf's audit path;
 *		  - CVE-2012-2459 (duplicated last leaf) and CVE-2017-12842
 *			(64-byte leaf equal to two child hashes).
 *
 * usage: merkle_test VECTOR_DIR    (test/vectors/rfc9162-merkle)
 * Prints "ok"/"not ok" lines and ends with "N passed, N failed".
 */
#include "merkle.h"
#include "test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#define HL FORAY_MERKLE_HASH_LEN

static foray_hasher *H;

/* ---- the RFC 6962 tree ------------------------------------------------ */

static uint8_t rfc_leaf_hashes[8 * HL];

static void
test_rfc6962_roots(const char *dir)
{
	char		path[1024];
	char	   *text;
	json_t	   *doc;
	json_error_t err;
	size_t		n;

	snprintf(path, sizeof(path), "%s/rfc6962-roots.json", dir);
	text = slurp(path);
	doc = text ? json_loads(text, 0, &err) : NULL;
	check(doc != NULL, "read %s", path);
	if (doc == NULL)
	{
		free(text);
		return;
	}
	for (n = 0; n < 8; n++)
	{
		uint8_t		data[64];
		uint8_t		mine[HL];
		uint8_t		ref[HL];
		size_t		len = hex_decode(json_string_value(json_array_get(json_object_get(doc, "leaves_hex"), n)),
									 data, sizeof(data));

		foray_merkle_leaf_hash(H, data, len, rfc_leaf_hashes + n * HL);
		foray_merkle_leaf_hash(H, data, len, mine);
		ref_hash(0x00, data, len, NULL, 0, ref);
		if (memcmp(mine, ref, HL) != 0)
			check(0, "leaf hash %s matches SHA-256(0x00||d)", "");
	}
	for (n = 0; n <= 8; n++)
	{
		uint8_t		want[HL];
		uint8_t		got[HL];
		uint8_t		work[8 * HL];
		char		label[64];

		hex_decode(json_string_value(json_array_get(json_object_get(doc, "roots_hex"), n)),
				   want, HL);
		snprintf(label, sizeof(label), "%zu", n);
		check(foray_merkle_root(H, rfc_leaf_hashes, n, got) == FORAY_MERKLE_OK &&
			  memcmp(got, want, HL) == 0,
			  "rfc 6962 tree root at size %s", label);
		memcpy(work, rfc_leaf_hashes, sizeof(work));
		check(foray_merkle_root_inplace(H, work, n, got) == FORAY_MERKLE_OK &&
			  memcmp(got, want, HL) == 0,
			  "rfc 6962 tree root at size %s (in place)", label);
	}
	json_decref(doc);
	free(text);
}

/* ---- inclusion vectors ------------------------------------------------ */

static void
run_inclusion_vector(const char *file)
{
	char	   *text = slurp(file);
	json_t	   *doc;
	json_error_t err;
	uint64_t	idx = 0;
	uint64_t	size = 0;
	uint8_t		leaf[64];
	uint8_t		root[64];
	size_t		leaf_len;
	size_t		root_len;
	const uint8_t *path[FORAY_MERKLE_MAX_PATH + 8];
	size_t		lens[FORAY_MERKLE_MAX_PATH + 8];
	uint8_t		store[FORAY_MERKLE_MAX_PATH + 8][64];
	json_t	   *proof;
	size_t		np = 0;
	size_t		i;
	int			want_err;
	int			rc;
	char		label[1200];

	doc = text ? json_loads(text, JSON_DECODE_INT_AS_REAL, &err) : NULL;
	if (doc == NULL || !raw_u64(text, "leafIdx", &idx) || !raw_u64(text, "treeSize", &size))
	{
		check(0, "parse %s", file);
		json_decref(doc);
		free(text);
		return;
	}
	want_err = json_is_true(json_object_get(doc, "wantErr"));
	leaf_len = b64_decode(json_string_value(json_object_get(doc, "leafHash")), leaf, sizeof(leaf));
	root_len = b64_decode(json_string_value(json_object_get(doc, "root")), root, sizeof(root));
	proof = json_object_get(doc, "proof");
	if (json_is_array(proof))
	{
		for (i = 0; i < json_array_size(proof) && np < FORAY_MERKLE_MAX_PATH + 8; i++)
		{
			lens[np] = b64_decode(json_string_value(json_array_get(proof, i)),
								  store[np], sizeof(store[np]));
			path[np] = store[np];
			np++;
		}
	}
	rc = foray_merkle_verify_inclusion(H, idx, size,
									   leaf, leaf_len == (size_t) -1 ? 0 : leaf_len,
									   path, lens, np,
									   root, root_len == (size_t) -1 ? 0 : root_len);
	snprintf(label, sizeof(label), "%s (%s): %s", file,
			 json_string_value(json_object_get(doc, "desc")),
			 want_err ? "refused" : "verifies");
	check(want_err ? rc != FORAY_MERKLE_OK : rc == FORAY_MERKLE_OK, "%s", label);

	/* happy paths in the RFC 6962 tree: our generated path equals theirs */
	if (!want_err && size >= 2 && size <= 8 &&
		memcmp(leaf, rfc_leaf_hashes + idx * HL, HL) == 0)
	{
		uint8_t		gen[FORAY_MERKLE_MAX_PATH * HL];
		size_t		gen_len = 0;
		int			same;

		rc = foray_merkle_inclusion_path(H, rfc_leaf_hashes, (size_t) size, (size_t) idx,
										 gen, &gen_len);
		same = rc == FORAY_MERKLE_OK && gen_len == np;
		for (i = 0; same && i < np; i++)
			same = memcmp(gen + i * HL, path[i], HL) == 0;
		check(same, "%s: generated audit path equals the vector's", file);
	}
	json_decref(doc);
	free(text);
}

/* ---- against the reference implementation ----------------------------- */

static void
test_against_reference(void)
{
	const size_t maxn = 130;
	uint8_t    *leaves = malloc(maxn * HL);
	size_t		n;
	int			roots_ok = 1;
	int			paths_ok = 1;
	int			neg_ok = 1;
	char		label[128];

	for (n = 0; n < maxn; n++)
	{
		uint8_t		d[8];

		memcpy(d, &n, sizeof(d) < sizeof(n) ? sizeof(d) : sizeof(n));
		ref_hash(0x00, d, sizeof(d), NULL, 0, leaves + n * HL);
	}
	for (n = 0; n <= maxn; n++)
	{
		uint8_t		want[HL];
		uint8_t		got[HL];
		size_t		i;

		ref_mth(leaves, n, want);
		if (foray_merkle_root(H, leaves, n, got) != FORAY_MERKLE_OK ||
			memcmp(want, got, HL) != 0)
			roots_ok = 0;
		for (i = 0; i < n; i++)
		{
			uint8_t		path[FORAY_MERKLE_MAX_PATH * HL];
			size_t		plen;
			uint8_t		r[HL];

			if (foray_merkle_inclusion_path(H, leaves, n, i, path, &plen) != FORAY_MERKLE_OK ||
				foray_merkle_root_from_path(H, i, n, leaves + i * HL, path, plen, r) != FORAY_MERKLE_OK ||
				memcmp(r, want, HL) != 0)
				paths_ok = 0;
			/* the same path must not prove a neighbour or a bigger tree */
			if (i + 1 < n &&
				foray_merkle_root_from_path(H, i + 1, n, leaves + i * HL, path, plen, r) == FORAY_MERKLE_OK &&
				memcmp(r, want, HL) == 0)
				neg_ok = 0;
			if (foray_merkle_root_from_path(H, i, n * 2, leaves + i * HL, path, plen, r) == FORAY_MERKLE_OK &&
				memcmp(r, want, HL) == 0)
				neg_ok = 0;
			if (plen > 0)
			{
				path[plen / 2 * HL + 7] ^= 0x10;
				if (foray_merkle_root_from_path(H, i, n, leaves + i * HL, path, plen, r) == FORAY_MERKLE_OK &&
					memcmp(r, want, HL) == 0)
					neg_ok = 0;
			}
		}
	}
	snprintf(label, sizeof(label), "%zu", maxn);
	check(roots_ok, "roots equal the recursive RFC definition for sizes 0..%s", label);
	check(paths_ok, "every audit path of every leaf in trees of size 1..%s verifies", label);
	check(neg_ok, "those paths prove neither index+1, nor size*2, nor a flipped bit (sizes 1..%s)", label);
	free(leaves);
}

/* ---- CVE-2012-2459 and CVE-2017-12842 ---------------------------------- */

static void
test_cves(void)
{
	uint8_t		leaves[7 * HL];
	uint8_t		r1[HL];
	uint8_t		r2[HL];
	uint8_t		x[HL];
	uint8_t		y[HL];
	uint8_t		parent[HL];
	uint8_t		both[2 * HL];
	uint8_t		forged_leaf[HL];
	uint8_t		forged_root[HL];
	int			i;

	for (i = 0; i < 6; i++)
	{
		uint8_t		d = (uint8_t) ('a' + i);

		foray_merkle_leaf_hash(H, &d, 1, leaves + i * HL);
	}
	/* [a b c] against [a b c c], and [a..f] against [a..f f] */
	foray_merkle_root(H, leaves, 3, r1);
	memcpy(leaves + 3 * HL, leaves + 2 * HL, HL);
	foray_merkle_root(H, leaves, 4, r2);
	check(memcmp(r1, r2, HL) != 0,
		  "cve-2012-2459: duplicating the last of 3 leaves changes the root%s", "");
	for (i = 0; i < 6; i++)
	{
		uint8_t		d = (uint8_t) ('a' + i);

		foray_merkle_leaf_hash(H, &d, 1, leaves + i * HL);
	}
	foray_merkle_root(H, leaves, 6, r1);
	memcpy(leaves + 6 * HL, leaves + 5 * HL, HL);
	foray_merkle_root(H, leaves, 7, r2);
	check(memcmp(r1, r2, HL) != 0,
		  "cve-2012-2459: duplicating the last of 6 leaves changes the root%s", "");

	/* the parent of two leaves, computed independently */
	{
		uint8_t		dx = 'x';
		uint8_t		dy = 'y';

		ref_hash(0x00, &dx, 1, NULL, 0, x);
		ref_hash(0x00, &dy, 1, NULL, 0, y);
	}
	ref_hash(0x01, x, HL, y, HL, parent);
	memcpy(both, x, HL);
	memcpy(both + HL, y, HL);
	foray_merkle_root(H, both, 2, r1);
	check(memcmp(r1, parent, HL) == 0,
		  "two-leaf root is SHA-256(0x01||x||y) computed independently%s", "");
	/* a 64-byte leaf whose data is x||y */
	foray_merkle_leaf_hash(H, both, sizeof(both), forged_leaf);
	foray_merkle_root(H, forged_leaf, 1, forged_root);
	check(memcmp(forged_leaf, parent, HL) != 0 && memcmp(forged_root, parent, HL) != 0,
		  "cve-2017-12842: a 64-byte leaf equal to two child hashes does not reproduce their parent%s", "");
}

/* ---- argument errors --------------------------------------------------- */

static void
test_errors(void)
{
	uint8_t		leaves[3 * HL] = {0};
	uint8_t		path[FORAY_MERKLE_MAX_PATH * HL];
	size_t		plen;
	uint8_t		r[HL];
	const uint8_t *p[1] = {leaves};
	size_t		l[1] = {HL};

	check(foray_merkle_inclusion_path(H, leaves, 3, 3, path, &plen) == FORAY_MERKLE_BAD_INDEX,
		  "path for index 3 of 3 leaves is refused%s", "");
	check(foray_merkle_inclusion_path(H, leaves, 0, 0, path, &plen) == FORAY_MERKLE_BAD_INDEX,
		  "path in the empty tree is refused%s", "");
	check(foray_merkle_root_from_path(H, 0, 0, leaves, path, 0, r) == FORAY_MERKLE_BAD_INDEX,
		  "verification in a tree of size 0 is refused%s", "");
	check(foray_merkle_verify_inclusion(H, 0, 2, leaves, HL, p, l, 1, leaves, 31) == FORAY_MERKLE_BAD_HASH_LEN,
		  "a 31-byte root is refused%s", "");
	check(foray_merkle_verify_inclusion(H, 0, 2, leaves, HL, p, l, 0, leaves, HL) == FORAY_MERKLE_BAD_PATH_LEN,
		  "an empty path for a 2-leaf tree is refused%s", "");
	check(strcmp(foray_merkle_strerror(FORAY_MERKLE_MISMATCH), "recomputed root differs") == 0,
		  "error codes have messages%s", "");
}

int
main(int argc, char **argv)
{
	char		dir[1024];

	if (argc != 2)
	{
		fprintf(stderr, "usage: %s VECTOR_DIR\n", argv[0]);
		return 2;
	}
	H = foray_hasher_new();
	if (H == NULL)
	{
		fprintf(stderr, "cannot create a hasher\n");
		return 2;
	}
	test_rfc6962_roots(argv[1]);
	snprintf(dir, sizeof(dir), "%s/inclusion", argv[1]);
	walk_json(dir, run_inclusion_vector);
	test_against_reference();
	test_cves();
	test_errors();
	foray_hasher_free(H);
	printf("%d passed, %d failed\n", tu_passed, tu_failed);
	return tu_failed == 0 ? 0 : 1;
}
