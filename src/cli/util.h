/*
 * util.h
 *		Small helpers of foray-verify: JSON paths, hash text, allocation
 *		that ends the program cleanly when memory runs out.
 */
#ifndef FORAY_CLI_UTIL_H
#define FORAY_CLI_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* exit codes */
#define FV_EXIT_VERIFIED	0
#define FV_EXIT_FAILED		1
#define FV_EXIT_UNUSABLE	2

/* a JSON path being built: "$", then ".name", "[3]" or ["odd name"] steps */
#define FV_PATH_MAX		512
typedef struct fv_path
{
	char		s[FV_PATH_MAX];
	size_t		len;
} fv_path;

extern void fv_path_root(fv_path *p, const char *root);
/* append a member name (len bytes) or an index; returns the previous length */
extern size_t fv_path_key(fv_path *p, const char *key, size_t len);
extern size_t fv_path_index(fv_path *p, size_t index);
/* cut back to a length returned by fv_path_key / fv_path_index */
static inline void
fv_path_cut(fv_path *p, size_t len)
{
	p->len = len;
	p->s[len] = '\0';
}

/* lower-case hex of n bytes into a new string */
extern char *fv_hex(const uint8_t *b, size_t n);

/* allocation: on failure the program reports "out of memory" and exits 2 */
extern void *fv_malloc(size_t n);
extern void *fv_calloc(size_t n, size_t size);
extern void *fv_realloc(void *p, size_t n);
extern char *fv_strndup(const char *s, size_t n);
extern char *fv_printf(const char *fmt,...) __attribute__((format(printf, 1, 2)));

/* the process-wide exit for unusable input: one line on stderr */
extern void fv_die(const char *fmt,...) __attribute__((format(printf, 1, 2), noreturn));

#endif							/* FORAY_CLI_UTIL_H */
