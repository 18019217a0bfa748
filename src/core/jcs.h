/*
 * jcs.h
 *		RFC 8785 JSON Canonicalization Scheme, independent of PostgreSQL.
 *
 * The canonicaliser does not parse JSON text.  It walks a value through a
 * small source interface (jcs_source), so the backend feeds it jsonb
 * containers directly and the tests feed it jansson trees.  Output goes to
 * a growable buffer or is streamed into SHA-256.
 *
 * No function here longjmps or aborts: every error is returned as a JCS_ERR_*
 * code, the context keeps the JSON path of the failing value, and every
 * allocation is released by jcs_ctx_free / jcs_buf_free.
 *
 * The algorithm, the number policy and the limits are written down in
 * docs/hashing.md.
 */
#ifndef FORAY_JCS_H
#define FORAY_JCS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A value may sit inside at most this many arrays/objects. */
#define JCS_MAX_DEPTH		1000

/* Longest canonical number text, plus its terminating NUL. */
#define JCS_NUMBER_MAX		32

/* "sha256:" + 64 lowercase hex digits */
#define JCS_HASH_TEXT_LEN	71

/* Flags */
#define JCS_STRICT_NUMBERS	0x01	/* refuse numbers whose canonical value differs */

/* Error codes (0 is success) */
typedef enum jcs_status
{
	JCS_OK = 0,
	JCS_ERR_NOMEM,				/* allocation failed */
	JCS_ERR_NUMBER_SYNTAX,		/* number text is not a JSON number */
	JCS_ERR_NUMBER_RANGE,		/* number is not a finite IEEE-754 double */
	JCS_ERR_NUMBER_CHANGED,		/* strict: canonical number differs in value */
	JCS_ERR_UTF8,				/* string or name is not valid UTF-8 */
	JCS_ERR_DEPTH,				/* nesting deeper than JCS_MAX_DEPTH */
	JCS_ERR_DUPLICATE_KEY,		/* object has two members with one name */
	JCS_ERR_SOURCE,				/* the source callback failed */
	JCS_ERR_HASH,				/* libcrypto failed */
	JCS_ERR_BAD_VALUE			/* malformed jcs_value (programming error) */
} jcs_status;

typedef enum jcs_type
{
	JCS_NULL,
	JCS_FALSE,
	JCS_TRUE,
	JCS_NUMBER,					/* decimal text in str/len, or via number_text */
	JCS_DOUBLE,					/* binary double in dbl */
	JCS_STRING,					/* UTF-8 bytes in str/len (not NUL-terminated) */
	JCS_ARRAY,					/* container ref, count elements */
	JCS_OBJECT					/* container ref, count members */
} jcs_type;

typedef struct jcs_value
{
	jcs_type	type;
	const char *str;
	size_t		len;
	double		dbl;
	const void *ref;			/* ARRAY/OBJECT: the source's container;
								 * NUMBER with str == NULL: the source's handle */
	size_t		count;
} jcs_value;

typedef struct jcs_member
{
	jcs_value	key;			/* type JCS_STRING */
	jcs_value	value;
} jcs_member;

/* Growable byte buffer; zero-initialise, release with jcs_buf_free. */
typedef struct jcs_buf
{
	char	   *data;
	size_t		len;
	size_t		cap;
} jcs_buf;

/*
 * How the canonicaliser reads containers.  Each callback returns 0 on
 * success, non-zero on failure (reported as JCS_ERR_SOURCE).
 *   array_items:    fill out[0..count-1] with the elements, in order;
 *   object_members: fill out[0..count-1] with the members, in any order;
 *   number_text:    for a JCS_NUMBER whose str is NULL, append the decimal
 *                   text of the number `ref` to `scratch` (may be NULL when
 *                   the source always sets str).
 * Pointers written into values must stay valid until the call returns.
 */
typedef struct jcs_source
{
	int			(*array_items) (void *arg, const void *ref, size_t count, jcs_value *out);
	int			(*object_members) (void *arg, const void *ref, size_t count, jcs_member *out);
	int			(*number_text) (void *arg, const void *ref, jcs_buf *scratch);
	void	   *arg;
} jcs_source;

typedef struct jcs_ctx jcs_ctx;

/* A reusable context: scratch buffers, SHA-256 state, last error. */
extern jcs_ctx *jcs_ctx_new(void);
extern void jcs_ctx_free(jcs_ctx *ctx);

/* Append the canonical text of root to out. */
extern jcs_status jcs_canonicalize(jcs_ctx *ctx, const jcs_source *src,
								   const jcs_value *root, int flags, jcs_buf *out);

/* SHA-256 of the canonical text of root, streamed (the text is not kept). */
extern jcs_status jcs_hash(jcs_ctx *ctx, const jcs_source *src,
						   const jcs_value *root, int flags, uint8_t digest[32]);

/* After an error: the JSON path of the failing value ("$", "$.a[2]", ...) */
extern const char *jcs_error_path(const jcs_ctx *ctx);

/* After a number error: the number text (truncated), else "" */
extern const char *jcs_error_input(const jcs_ctx *ctx);

/* A short, lower-case description of a status code. */
extern const char *jcs_strerror(jcs_status code);

/*
 * Numbers.
 *
 * jcs_number: canonical text of the JSON number `text` (len bytes): the
 * decimal is rounded to the nearest double (ties to even) and printed as
 * ECMAScript Number.prototype.toString does.  *changed tells whether the
 * printed decimal differs in value from the input decimal (trailing zeros
 * and exponent spelling are not changes; 0.1 is not a change; 1e-400 and
 * 12345678901234567.89 are).  out gets a NUL-terminated string.
 *
 * jcs_format_double: canonical text of a double (JCS_ERR_NUMBER_RANGE for
 * NaN and infinities).
 */
extern jcs_status jcs_number(const char *text, size_t len, char out[JCS_NUMBER_MAX],
							 size_t *outlen, bool *changed);
extern jcs_status jcs_format_double(double v, char out[JCS_NUMBER_MAX], size_t *outlen);

/* Buffers */
extern int	jcs_buf_reserve(jcs_buf *b, size_t extra);
extern int	jcs_buf_append(jcs_buf *b, const char *data, size_t n);
extern void jcs_buf_free(jcs_buf *b);

/* "sha256:" + lowercase hex of digest; out must hold JCS_HASH_TEXT_LEN + 1 */
extern void jcs_hash_text(const uint8_t digest[32], char *out);
/* the inverse: true when s[0..len) is exactly such a text */
extern bool jcs_hash_parse(const char *s, size_t len, uint8_t digest[32]);

/*
 * One member step of a JSON path as the error paths write it: ".name" for
 * an identifier, else ["name"] with quotes, backslashes and controls
 * escaped and names cut after 64 characters.  Returns the length written
 * into buf (NUL-terminated; cap of at least 160 bytes holds any step).
 */
extern size_t jcs_path_key(const char *key, size_t keylen, char *buf, size_t cap);

/* Compare two UTF-8 names as UTF-16 code-unit sequences (<0, 0, >0). */
extern int	jcs_compare_names(const char *a, size_t alen, const char *b, size_t blen);

#endif							/* FORAY_JCS_H */
