/*
 * test_util.h
 *		What the core unit tests (merkle_test.c, tlog_test.c) share: TAP-ish
 *		"ok"/"not ok" lines, reading vector files, and a SHA-256 Merkle tree
 *		written straight from RFC 9162 2.1.1 with one-shot EVP_Digest calls,
 *		independent of src/core/.
 */
#ifndef FORAY_TEST_UTIL_H
#define FORAY_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define TU_HL 32

extern int	tu_passed;
extern int	tu_failed;

/* one test line: "ok N - msg" or "not ok N - msg", msg = fmt with arg */
extern void check(int cond, const char *fmt, const char *arg);

/* hex (at most max bytes) */
extern size_t hex_decode(const char *hex, uint8_t *out, size_t max);

/* base64 through OpenSSL's EVP_DecodeBlock; the length, or (size_t) -1 */
extern size_t b64_decode(const char *s, uint8_t *out, size_t max);

/* a whole file, NUL-terminated, malloc'd; NULL when unreadable */
extern char *slurp(const char *path);

/* an unsigned integer field read from raw JSON text (2^64 - 1 included) */
extern int	raw_u64(const char *text, const char *key, uint64_t *out);

/* SHA-256(prefix || a || b), prefix < 0 for none */
extern void ref_hash(int prefix, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
					 uint8_t out[TU_HL]);

/* MTH over n leaf hashes, recursive, straight from the RFC */
extern void ref_mth(const uint8_t *leaf_hashes, size_t n, uint8_t out[TU_HL]);

/* call fn on every *.json file below dir, depth first, in directory order */
extern void walk_json(const char *dir, void (*fn) (const char *file));

#endif							/* FORAY_TEST_UTIL_H */
