/*
 * sha256.c
 *		SHA-256 through OpenSSL libcrypto (EVP).
 *
 * The digest algorithm is fetched once per jcs_sha256 (OpenSSL 3 would
 * otherwise look it up on every EVP_DigestInit_ex), and the EVP_MD_CTX is
 * reused for every message.
 */
#include "sha256.h"

#include <openssl/evp.h>

int
jcs_sha256_open(jcs_sha256 *h)
{
	h->md = NULL;
	h->ctx = NULL;
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	h->md = EVP_MD_fetch(NULL, "SHA256", NULL);
#else
	h->md = (void *) EVP_sha256();
#endif
	if (h->md == NULL)
		return -1;
	h->ctx = EVP_MD_CTX_new();
	if (h->ctx == NULL)
	{
		jcs_sha256_close(h);
		return -1;
	}
	return 0;
}

int
jcs_sha256_init(jcs_sha256 *h)
{
	return EVP_DigestInit_ex((EVP_MD_CTX *) h->ctx, (const EVP_MD *) h->md, NULL) == 1 ? 0 : -1;
}

int
jcs_sha256_update(jcs_sha256 *h, const void *data, size_t n)
{
	if (n == 0)
		return 0;
	return EVP_DigestUpdate((EVP_MD_CTX *) h->ctx, data, n) == 1 ? 0 : -1;
}

int
jcs_sha256_final(jcs_sha256 *h, uint8_t digest[32])
{
	unsigned int len = 0;

	if (EVP_DigestFinal_ex((EVP_MD_CTX *) h->ctx, digest, &len) != 1 || len != 32)
		return -1;
	return 0;
}

void
jcs_sha256_close(jcs_sha256 *h)
{
	if (h->ctx)
		EVP_MD_CTX_free((EVP_MD_CTX *) h->ctx);
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	if (h->md)
		EVP_MD_free((EVP_MD *) h->md);
#endif
	h->ctx = NULL;
	h->md = NULL;
}

int
jcs_sha256_oneshot(const void *data, size_t n, uint8_t digest[32])
{
	unsigned int len = 0;

	if (EVP_Digest(data, n, digest, &len, EVP_sha256(), NULL) != 1 || len != 32)
		return -1;
	return 0;
}
