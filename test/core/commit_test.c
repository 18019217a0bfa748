/*
 * commit_test.c
 *		The scheme-2 entry encodings of src/core/commit.c against byte
 *		strings laid out by hand from docs/merkle.md ("Scheme 2, Encoding"),
 *		and their refusals.  Prints "ok"/"not ok" lines and ends with
 *		"N passed, N failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commit.h"

static int	passed = 0;
static int	failed = 0;

static void
check(int ok, const char *msg)
{
	if (ok)
		passed++;
	else
		failed++;
	printf("%s %d - %s\n", ok ? "ok" : "not ok", passed + failed, msg);
}

/* hex of the hand-laid expectation, spaces ignored */
static int
same_hex(const uint8_t *got, size_t len, const char *hex)
{
	size_t		n = 0;

	for (const char *p = hex; *p; p++)
	{
		unsigned	v;

		if (*p == ' ')
			continue;
		if (sscanf(p, "%2x", &v) != 1 || n >= len || got[n] != v)
			return 0;
		n++;
		p++;
	}
	return n == len;
}

int
main(void)
{
	uint8_t		buf[FORAY_C2_ENTRY_MAX];
	uint8_t		h[32];
	size_t		len;
	char		big[70000];

	for (int i = 0; i < 32; i++)
		h[i] = (uint8_t) i;
#define H32 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

	check(foray_c2_header_entry(buf, sizeof(buf), &len, "T1", 2, "4.1", 3,
								"2026-01-25T14:30:00Z", 20, h) == FORAY_MERKLE_OK &&
		  same_hex(buf, len, "02 48 0002 5431 0003 342e31 0014 323032362d30312d32355431343a33303a30305a " H32),
		  "header entry: 0x02 'H' str(tx) str(schema_version) str(timestamp) hash");
	check(foray_c2_member_entry(buf, sizeof(buf), &len, "T1", 2, "ACT", 3, "ACT_1", 5, h) == FORAY_MERKLE_OK &&
		  same_hex(buf, len, "02 4d 0002 5431 0003 414354 0005 4143545f31 " H32),
		  "member entry: 0x02 'M' str(tx) str(type) str(id) hash");
	check(foray_c2_audit_member_entry(buf, sizeof(buf), &len, "T1", 2, "ATT", 3, "ATT_\xc3\xa9", 6, h) == FORAY_MERKLE_OK &&
		  same_hex(buf, len, "02 44 0002 5431 0003 415454 0006 4154545fc3a9 " H32),
		  "audit member entry: 0x02 'D', lengths count UTF-8 bytes");
	check(foray_c2_audit_anchor_entry(buf, sizeof(buf), &len, "T1", 2, h) == FORAY_MERKLE_OK &&
		  same_hex(buf, len, "02 41 0002 5431 " H32),
		  "audit anchor entry: 0x02 'A' str(tx) hash");
	check(foray_c2_tree_entry(buf, sizeof(buf), &len, "actions", 7, 258, h) == FORAY_MERKLE_OK &&
		  same_hex(buf, len, "02 54 0007 616374696f6e73 0000000000000102 " H32),
		  "tree entry: 0x02 'T' str(name) u64 big-endian size root");
	check(foray_c2_tree_entry(buf, sizeof(buf), &len, "audit_data", 10, UINT64_MAX, h) == FORAY_MERKLE_OK &&
		  same_hex(buf, len, "02 54 000a 61756469745f64617461 ffffffffffffffff " H32),
		  "tree entry: the largest size");
	check(foray_c2_member_entry(buf, sizeof(buf), &len, "", 0, "ARR", 3, "", 0, h) == FORAY_MERKLE_OK &&
		  same_hex(buf, len, "02 4d 0000 0003 415252 0000 " H32),
		  "empty strings are a zero length");

	memset(big, 'a', sizeof(big));
	check(foray_c2_member_entry(buf, sizeof(buf), &len, big, 65536, "ACT", 3, "ACT_1", 5, h) == FORAY_MERKLE_TOO_LONG,
		  "a string of 65,536 bytes is refused");
	check(foray_c2_member_entry(buf, sizeof(buf), &len, big, 5000, "ACT", 3, "ACT_1", 5, h) == FORAY_MERKLE_TOO_LONG,
		  "an entry longer than the buffer is refused");
	check(foray_c2_tree_entry(buf, 40, &len, "actions", 7, 1, h) == FORAY_MERKLE_TOO_LONG,
		  "a buffer one entry short is refused");

	check(foray_c2_tree_of_type("ATT", 3) == 4 && foray_c2_tree_of_type("ACT", 3) == 3 &&
		  foray_c2_tree_of_type("AC", 2) == -1 && foray_c2_tree_of_type("XYZ", 3) == -1,
		  "type codes map to trees 0..4");
	check(foray_c2_tree_of_name("audit_data", 10) == 5 && foray_c2_tree_of_name("actions", 7) == 3 &&
		  foray_c2_tree_of_name("action", 6) == -1,
		  "tree names map to 0..5");
	check(foray_c2_id_cmp("A", 1, "AB", 2) < 0 && foray_c2_id_cmp("B", 1, "AB", 2) > 0 &&
		  foray_c2_id_cmp("\xc3\xa9", 2, "z", 1) > 0 && foray_c2_id_cmp("ab", 2, "ab", 2) == 0,
		  "ids order bytewise, a prefix first, non-ASCII after ASCII");

	{
		foray_hasher *hs = foray_hasher_new();
		uint8_t		leaf[32];
		uint8_t		direct[32];

		check(hs != NULL &&
			  foray_c2_member_entry(buf, sizeof(buf), &len, "T1", 2, "ACT", 3, "ACT_1", 5, h) == FORAY_MERKLE_OK &&
			  foray_merkle_leaf_hash(hs, buf, len, direct) == FORAY_MERKLE_OK &&
			  foray_c2_member_leaf(hs, "T1", 2, "ACT", 3, "ACT_1", 5, h, leaf) == FORAY_MERKLE_OK &&
			  memcmp(leaf, direct, 32) == 0,
			  "member leaf = SHA-256(0x00 || member entry)");
		foray_hasher_free(hs);
	}
	/*
	 * The stored levels of src/core/merkle.c (foray_merkle_levels_*): every
	 * root and every audit path equal foray_merkle_root and
	 * foray_merkle_inclusion_path (themselves checked against the RFC 9162
	 * recursive definition and vectors by merkle_test.c), sizes 0..300.
	 */
	{
		foray_hasher *hs = foray_hasher_new();
		uint8_t    *leaves = malloc(300 * 32);
		int			roots_ok = 1,
					paths_ok = 1;

		for (size_t i = 0; i < 300; i++)
			for (int b = 0; b < 32; b++)
				leaves[i * 32 + b] = (uint8_t) (i * 7 + b);
		for (size_t n = 0; n <= 300; n++)
		{
			size_t		nodes = foray_merkle_levels_nodes(n);
			uint8_t    *lv = malloc(nodes * 32 + 1);
			uint8_t		root[32];

			if (foray_merkle_levels_build(hs, leaves, n, lv) != FORAY_MERKLE_OK ||
				foray_merkle_root(hs, leaves, n, root) != FORAY_MERKLE_OK ||
				(n > 0 && memcmp(lv + (nodes - 1) * 32, root, 32) != 0))
				roots_ok = 0;
			for (size_t i = 0; i < n; i++)
			{
				uint8_t		p1[FORAY_MERKLE_MAX_PATH * 32],
							p2[FORAY_MERKLE_MAX_PATH * 32];
				size_t		l1,
							l2;

				if (foray_merkle_levels_path(lv, n, i, p1, &l1) != FORAY_MERKLE_OK ||
					foray_merkle_inclusion_path(hs, leaves, n, i, p2, &l2) != FORAY_MERKLE_OK ||
					l1 != l2 || memcmp(p1, p2, l1 * 32) != 0)
					paths_ok = 0;
			}
			if (n > 0 && foray_merkle_levels_path(lv, n, n, leaves, &len) != FORAY_MERKLE_BAD_INDEX)
				paths_ok = 0;
			free(lv);
		}
		check(roots_ok, "stored levels: the last level is the root, sizes 0..300");
		check(paths_ok, "stored levels: every audit path equals foray_merkle_inclusion_path, sizes 1..300");
		free(leaves);
		foray_hasher_free(hs);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
