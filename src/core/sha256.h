/*
 * sha256.h
 *		SHA-256 through OpenSSL libcrypto, without PostgreSQL (sha256.c: why not EVP).
 */
#ifndef FORAY_SHA256_H
#define FORAY_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct jcs_sha256
{
	void	   *md;				/* unused (kept for the layout) */
	void	   *ctx;			/* SHA256_CTX *, allocated once */
} jcs_sha256;

/* Each returns 0 on success, -1 on a libcrypto failure. */
extern int	jcs_sha256_open(jcs_sha256 *h);	/* allocate; then init per message */
extern int	jcs_sha256_init(jcs_sha256 *h);
extern int	jcs_sha256_update(jcs_sha256 *h, const void *data, size_t n);
extern int	jcs_sha256_final(jcs_sha256 *h, uint8_t digest[32]);
extern void jcs_sha256_close(jcs_sha256 *h);

/* One-shot digest of a byte string. */
extern int	jcs_sha256_oneshot(const void *data, size_t n, uint8_t digest[32]);

#endif							/* FORAY_SHA256_H */
