/*
 * sha_baseline.c
 *		OpenSSL SHA-256 baselines for merkle_bench.sh, over the same bytes a
 *		Merkle root of n leaves hashes: n leaf inputs of 33 bytes (0x00 ||
 *		32-byte component hash) and n - 1 node inputs of 65 bytes.
 *
 *		stream:   one SHA-256 over all those bytes (raw throughput)
 *		messages: the same 2n - 1 messages, each hashed on its own, one
 *				  EVP_MD_CTX re-initialised per message (the per-message limit a
 *				  Merkle tree has to pay)
 *		core:	  foray_merkle_root_inplace() of src/core/merkle.c over n leaf
 *				  hashes (the leaf hashing included)
 *
 * usage: sha_baseline N REPEAT
 * prints "stream_ms messages_ms core_ms" (best of REPEAT)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "merkle.h"

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

int
main(int argc, char **argv)
{
	size_t		n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	int			repeat = argc > 2 ? atoi(argv[2]) : 3;
	size_t		total = n * 33 + (n - 1) * 65;
	unsigned char *buf = malloc(total);
	unsigned char out[32];
	double		best_stream = 1e18;
	double		best_msgs = 1e18;
	double		best_core = 1e18;
	foray_hasher *h = foray_hasher_new();
	EVP_MD	   *md = EVP_MD_fetch(NULL, "SHA256", NULL);	/* fetched once */
	unsigned char *leaves = malloc(n * 32);
	int			r;
	size_t		i;

	for (i = 0; i < total; i++)
		buf[i] = (unsigned char) (i * 131 + 7);
	for (r = 0; r < repeat; r++)
	{
		double		t0 = now_ms();
		double		t1;
		EVP_MD_CTX *ctx = EVP_MD_CTX_new();

		EVP_DigestInit_ex(ctx, md, NULL);
		EVP_DigestUpdate(ctx, buf, total);
		EVP_DigestFinal_ex(ctx, out, NULL);
		EVP_MD_CTX_free(ctx);
		t1 = now_ms();
		if (t1 - t0 < best_stream)
			best_stream = t1 - t0;

		t0 = now_ms();
		ctx = EVP_MD_CTX_new();
		for (i = 0; i < n; i++)
		{
			EVP_DigestInit_ex(ctx, md, NULL);
			EVP_DigestUpdate(ctx, buf + i * 33, 33);
			EVP_DigestFinal_ex(ctx, out, NULL);
		}
		for (i = 0; i + 1 < n; i++)
		{
			EVP_DigestInit_ex(ctx, md, NULL);
			EVP_DigestUpdate(ctx, buf + n * 33 + i * 65, 65);
			EVP_DigestFinal_ex(ctx, out, NULL);
		}
		EVP_MD_CTX_free(ctx);
		t1 = now_ms();
		if (t1 - t0 < best_msgs)
			best_msgs = t1 - t0;

		t0 = now_ms();
		for (i = 0; i < n; i++)
			foray_merkle_leaf_hash(h, buf + i * 32, 32, leaves + i * 32);
		foray_merkle_root_inplace(h, leaves, n, out);
		t1 = now_ms();
		if (t1 - t0 < best_core)
			best_core = t1 - t0;
	}
	printf("%.2f %.2f %.2f\n", best_stream, best_msgs, best_core);
	foray_hasher_free(h);
	EVP_MD_free(md);
	free(leaves);
	free(buf);
	return out[0] == 0x42 ? 0 : 0;
}
