/*
 * sha256.c
 *		SHA-256 through OpenSSL libcrypto.
 *
 * The canonical hash of a document is one digest per value (a component's
 * foray_core, its audit_data, ...): hundreds of thousands of short messages,
 * a few hundred bytes each.  Through EVP each message pays for the
 * provider's dispatch, EVP_DigestInit and EVP_DigestFinal (about 60 ns, a
 * fifth of the digest of 330 bytes); the SHA256_CTX functions run the same
 * libcrypto block code (SHA extensions or AVX2, chosen at startup) with a
 * plain state of 112 bytes, so a digest costs what its blocks cost.  They
 * are deprecated in OpenSSL 3 only in favour of EVP's provider choice
 * (FIPS), which the substrate does not use: its hashes are identifiers
 * (docs/hashing.md), and the bytes hashed are the same either way (the
 * suites' cross-checks compare every hash with Python's hashlib and the
 * database's).  The state is allocated once per jcs_sha256 and reused.
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#define OPENSSL_API_COMPAT 0x10100000L

#include "sha256.h"

#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

int
jcs_sha256_open(jcs_sha256 *h)
{
	h->md = NULL;
	h->ctx = malloc(sizeof(SHA256_CTX));
	return h->ctx == NULL ? -1 : 0;
}

int
jcs_sha256_init(jcs_sha256 *h)
{
	return SHA256_Init((SHA256_CTX *) h->ctx) == 1 ? 0 : -1;
}

int
jcs_sha256_update(jcs_sha256 *h, const void *data, size_t n)
{
	if (n == 0)
		return 0;
	return SHA256_Update((SHA256_CTX *) h->ctx, data, n) == 1 ? 0 : -1;
}

int
jcs_sha256_final(jcs_sha256 *h, uint8_t digest[32])
{
	return SHA256_Final(digest, (SHA256_CTX *) h->ctx) == 1 ? 0 : -1;
}

void
jcs_sha256_close(jcs_sha256 *h)
{
	free(h->ctx);
	h->ctx = NULL;
	h->md = NULL;
}

int
jcs_sha256_oneshot(const void *data, size_t n, uint8_t digest[32])
{
	SHA256_CTX	c;

	if (SHA256_Init(&c) != 1 || SHA256_Update(&c, data, n) != 1 || SHA256_Final(digest, &c) != 1)
		return -1;
	return 0;
}
