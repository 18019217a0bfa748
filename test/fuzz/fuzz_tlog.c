/*
 * fuzz_tlog.c
 *		libFuzzer harness for the log's core (src/core/tlog.c, tlog_note.c):
 *		everything a verifier is fed from outside.  The first byte picks:
 *
 *   0  consistency proof: sizes (1..64 leaves) and a path of 32-byte hashes
 *      from the input, checked against the real roots of a tree of test
 *      leaves.  If it verifies, it must be the real proof (anything else
 *      would be a SHA-256 collision, i.e. a verifier bug).
 *   1  inclusion proof: the same, for an index and a path.
 *   2  checkpoint text: if it parses, formatting the parsed fields and
 *      appending its extension lines gives the input back.
 *   3  signed note against a fixed Ed25519 key (x/mod's PeterNeumann): if
 *      it verifies, its text is the one that key signed (else a forgery).
 *   4  verifier key, and base64: whatever parses re-encodes to the input.
 * Any violation aborts; ASan/UBSan/LSan catch memory errors and leaks.
 *
 * Build and run: test/fuzz/run_tlog.sh [seconds]
 */
#include "tlog.h"
#include "tlog_note.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HL FORAY_MERKLE_HASH_LEN
#define MAXN 64

static foray_hasher *H;
static uint8_t leaves[MAXN * HL];
/* nodes[level][index] of the perfect subtrees of the 64 test leaves */
static uint8_t nodes[7][MAXN][HL];

static const char signed_text[] =
"If you think cryptography is the answer to your problem,\n"
"then you don't know what your problem is.\n";
static foray_vkey peter;

static void
fail(const char *what)
{
	fprintf(stderr, "FUZZ INVARIANT BROKEN: %s\n", what);
	abort();
}

static int
read_node(void *arg, unsigned level, uint64_t index, uint8_t out[HL])
{
	if (level > 6 || index >= (MAXN >> level))
		return -1;
	memcpy(out, nodes[level][index], HL);
	return 0;
}

static void
setup(void)
{
	unsigned	l;
	uint64_t	i;
	const char *vk = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
	const char *why;

	H = foray_hasher_new();
	if (H == NULL)
		fail("no hasher");
	for (i = 0; i < MAXN; i++)
	{
		uint8_t		d = (uint8_t) i;

		foray_merkle_leaf_hash(H, &d, 1, leaves + i * HL);
		memcpy(nodes[0][i], leaves + i * HL, HL);
	}
	for (l = 1; l <= 6; l++)
		for (i = 0; i < (MAXN >> l); i++)
			foray_merkle_node_hash(H, nodes[l - 1][2 * i], nodes[l - 1][2 * i + 1], nodes[l][i]);
	if (foray_vkey_parse(H, vk, strlen(vk), &peter, &why) != FORAY_NOTE_OK)
		fail("the fixed vkey does not parse");
}

static void
fuzz_proof(const uint8_t *data, size_t size, int consistency)
{
	foray_tlog_source src = {H, read_node, NULL};
	uint64_t	a;
	uint64_t	n;
	uint8_t		path[FORAY_TLOG_MAX_CONSISTENCY * HL];
	uint8_t		real[FORAY_TLOG_MAX_CONSISTENCY * HL];
	size_t		np;
	size_t		nreal;
	uint8_t		root_a[HL];
	uint8_t		root_n[HL];
	int			rc;

	if (size < 2)
		return;
	n = data[0] % MAXN + 1;
	a = data[1] % (n + 1);
	data += 2;
	size -= 2;
	np = size / HL;
	if (np > FORAY_TLOG_MAX_CONSISTENCY)
		np = FORAY_TLOG_MAX_CONSISTENCY;
	memcpy(path, data, np * HL);
	if (foray_tlog_root(&src, n, root_n) != FORAY_MERKLE_OK)
		fail("root of the test tree");
	if (consistency)
	{
		if (a == 0)
			a = 1;
		if (foray_tlog_root(&src, a, root_a) != FORAY_MERKLE_OK ||
			foray_tlog_consistency_proof(&src, a, n, real, &nreal) != FORAY_MERKLE_OK)
			fail("real consistency proof");
		rc = foray_tlog_verify_consistency(H, a, n, root_a, root_n, path, np);
	}
	else
	{
		if (a == n)
			a = n - 1;
		if (foray_tlog_inclusion_proof(&src, a, n, real, &nreal) != FORAY_MERKLE_OK)
			fail("real inclusion proof");
		rc = np > FORAY_MERKLE_MAX_PATH ? FORAY_MERKLE_BAD_PATH_LEN :
			foray_merkle_root_from_path(H, a, n, leaves + a * HL, path, np, root_a);
		if (rc == FORAY_MERKLE_OK && memcmp(root_a, root_n, HL) != 0)
			rc = FORAY_MERKLE_MISMATCH;
	}
	if (rc == FORAY_MERKLE_OK && (np != nreal || memcmp(path, real, np * HL) != 0))
		fail(consistency ? "a consistency proof that is not the real one verifies"
			 : "an inclusion path that is not the real one verifies");
	/* and the real proof itself always verifies */
	if (consistency && foray_tlog_verify_consistency(H, a, n, root_a, root_n, real, nreal) != FORAY_MERKLE_OK)
		fail("the real consistency proof does not verify");
}

static void
fuzz_checkpoint(const char *s, size_t size)
{
	foray_checkpoint cp;
	const char *why;
	char		buf[2048];
	size_t		len;

	if (foray_checkpoint_parse(s, size, &cp, &why) != FORAY_NOTE_OK)
	{
		if (why == NULL)
			fail("a refused checkpoint without a reason");
		return;
	}
	len = foray_checkpoint_format(cp.origin, cp.origin_len, cp.size, cp.root, buf, sizeof(buf));
	if (len != cp.extension_off || memcmp(buf, s, len) != 0)
		fail("a checkpoint does not format back to itself");
}

static void
fuzz_note(const char *s, size_t size)
{
	size_t		tlen;
	size_t		off;
	size_t		slen;
	const char *why;
	int			rc = foray_note_verify(s, size, &peter, &tlen, &off, &slen, &why);

	if (rc == FORAY_NOTE_MALFORMED && why == NULL)
		fail("a refused note without a reason");
	if (rc == FORAY_NOTE_OK &&
		(tlen != strlen(signed_text) || memcmp(s, signed_text, tlen) != 0))
		fail("a signature verifies over a text the key never signed");
}

static void
fuzz_vkey(const char *s, size_t size)
{
	foray_vkey	k;
	const char *why;
	uint8_t		raw[1024];
	size_t		n;

	if (foray_vkey_parse(H, s, size, &k, &why) == FORAY_NOTE_OK)
	{
		char		again[512];
		char		b64[64];
		uint8_t		key[1 + FORAY_ED25519_KEY_LEN];
		int			len;

		key[0] = k.type;
		memcpy(key + 1, k.pub, FORAY_ED25519_KEY_LEN);
		foray_base64_encode(key, sizeof(key), b64);
		len = snprintf(again, sizeof(again), "%.*s+%08x+%s", (int) k.name_len, k.name, k.key_id, b64);
		if ((size_t) len != size || memcmp(again, s, size) != 0)
			fail("a verifier key does not re-encode to itself");
	}
	if (size <= 1024 && foray_base64_decode(s, size, raw, sizeof(raw), &n) == 0)
	{
		char	   *enc = malloc(size + 5);

		foray_base64_encode(raw, n, enc);
		if (strlen(enc) != size || memcmp(enc, s, size) != 0)
			fail("base64 does not re-encode to itself");
		free(enc);
	}
}

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (H == NULL)
		setup();
	if (size == 0)
		return 0;
	switch (data[0] % 5)
	{
		case 0:
		case 1:
			fuzz_proof(data + 1, size - 1, data[0] % 5 == 0);
			break;
		case 2:
			fuzz_checkpoint((const char *) data + 1, size - 1);
			break;
		case 3:
			fuzz_note((const char *) data + 1, size - 1);
			break;
		default:
			fuzz_vkey((const char *) data + 1, size - 1);
	}
	return 0;
}
