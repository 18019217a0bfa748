/*
 * json.h
 *		foray-verify's JSON reader: strict RFC 8259 text into a flat "tape"
 *		of 8-byte nodes that point back into the input buffer.
 *
 * Why not a jansson tree: the verifier must keep every number's decimal
 * text (the substrate refuses numbers whose canonical form changes their
 * value, docs/hashing.md §3, and proof indices are integers up to 2^63-1),
 * and a 50 MB document must fit in a few times its size (a jansson tree
 * takes about eight).  jansson is still linked: it writes the --json
 * report, and the tests and the fuzzer use it as an independent parser to
 * compare with this one.
 *
 * What is refused (every refusal is one line naming the position or JSON
 * path):  anything RFC 8259 does not allow (no comments, no trailing
 * commas, no leading zeros, no bare control characters in strings, no
 * byte order mark); invalid UTF-8 (overlong forms, surrogates, code points
 * above U+10FFFF) and escapes that decode to a lone surrogate; the escape
 * \u0000 (PostgreSQL's jsonb cannot hold it, so no exported document has
 * it); two members of one object with the same name (after unescaping);
 * nesting deeper than FJ_MAX_DEPTH; inputs above FJ_MAX_INPUT bytes.
 *
 * The parser is iterative (no recursion over the input), reads each byte
 * once, and never reads past the buffer.  Strings are unescaped in place
 * and NUL-terminated in place (the byte after a string's content is either
 * its closing quote or part of its escaped form), so fj_str() returns a C
 * string; strings cannot contain NUL since \u0000 is refused.
 */
#ifndef FORAY_CLI_JSON_H
#define FORAY_CLI_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "jcs.h"

/* nesting limit of a whole input: a bundle around a document around
 * foray_cores that may themselves nest JCS_MAX_DEPTH (1000) levels */
#define FJ_MAX_DEPTH	1100
/* largest input, and longest single string or number (29-bit lengths) */
#define FJ_MAX_INPUT	((size_t) 1 << 30)
#define FJ_MAX_LEN		(((uint32_t) 1 << 29) - 1)

/* no node: what lookups return when a member or element is absent */
#define FJ_NONE			UINT32_MAX

typedef enum fj_type
{
	FJ_NULL = 0,
	FJ_FALSE,
	FJ_TRUE,
	FJ_NUMBER,
	FJ_STRING,
	FJ_ARRAY,
	FJ_OBJECT
} fj_type;

/*
 * One value.  tl = type | (length << 3): for a string or number the byte
 * length of its (unescaped) text, for an array or object its number of
 * elements or members.  x: for a string or number the offset of its text
 * in the buffer; for an array or object the index of the first node after
 * its subtree.  An object's members follow it as key node, value subtree,
 * key node, ...; an array's elements follow it in order.
 */
typedef struct fj_node
{
	uint32_t	tl;
	uint32_t	x;
} fj_node;

typedef struct fj_doc
{
	char	   *text;			/* the input, modified in place; owned */
	size_t		len;
	fj_node    *nodes;
	uint32_t	n;
	uint32_t	cap;
} fj_doc;

/* why a parse failed */
typedef struct fj_error
{
	char		message[1024];	/* one line, ends with the position or path */
} fj_error;

/*
 * Parse text[0..len) (the caller's malloc'd buffer of at least len + 1
 * bytes; the document takes it over and frees it in fj_free, also on
 * failure).  Returns 0, or -1 with err filled in.
 */
extern int	fj_parse(fj_doc *doc, char *text, size_t len, fj_error *err);
extern void fj_free(fj_doc *doc);

/* the type of node i; FJ_NULL for FJ_NONE (an absent member reads as null) */
static inline fj_type
fj_typeof(const fj_doc *d, uint32_t i)
{
	return i == FJ_NONE ? FJ_NULL : (fj_type) (d->nodes[i].tl & 7);
}

/* elements, members, or the byte length of a string or number */
static inline uint32_t
fj_count(const fj_doc *d, uint32_t i)
{
	return d->nodes[i].tl >> 3;
}

/* the node after i's subtree */
static inline uint32_t
fj_next(const fj_doc *d, uint32_t i)
{
	fj_type		t = fj_typeof(d, i);

	return (t == FJ_ARRAY || t == FJ_OBJECT) ? d->nodes[i].x : i + 1;
}

/* a string's (or number's) text, NUL-terminated for strings */
static inline const char *
fj_str(const fj_doc *d, uint32_t i)
{
	return d->text + d->nodes[i].x;
}

extern bool fj_is(const fj_doc *d, uint32_t i, fj_type t);
/* string node i equals s (C string) */
extern bool fj_streq(const fj_doc *d, uint32_t i, const char *s);
/* object member value by name, FJ_NONE when absent or i is no object */
extern uint32_t fj_get(const fj_doc *d, uint32_t obj, const char *key);
/* array element k, FJ_NONE when out of range (O(k) for nested elements) */
extern uint32_t fj_at(const fj_doc *d, uint32_t arr, uint32_t k);
/* "an object", "a string", ... */
extern const char *fj_type_noun(fj_type t);
/* the same for node i, "(absent)" for FJ_NONE: for messages */
extern const char *fj_noun(const fj_doc *d, uint32_t i);

/*
 * A number that is an integer from 0 to 2^63 - 1 in any spelling
 * ("7", "7.0", "7e0", "70e-1"): true with its value.
 */
extern bool fj_uint63(const fj_doc *d, uint32_t i, uint64_t *out);

/* canonicalisation (RFC 8785) of a node through src/core/jcs.c */
extern void fj_jcs_value(const fj_doc *d, uint32_t i, jcs_value *out);

/*
 * A jcs_source over the document.  With a skip rule, the container node
 * 'skip_node' is read without its member named skip_key (an object) or
 * without its string elements equal to skip_key (an array): the
 * audit_data_anchor "without its audit_data_hash key" of docs/merkle.md
 * (arrays: how scheme 1, PostgreSQL's jsonb '-' operator, treated them).
 */
typedef struct fj_source
{
	jcs_source	src;
	const fj_doc *doc;
	uint32_t	skip_node;		/* FJ_NONE: no skipping */
	const char *skip_key;
} fj_source;

extern const jcs_source *fj_jcs_source(fj_source *s, const fj_doc *d);
extern const jcs_source *fj_jcs_source_skipping(fj_source *s, const fj_doc *d,
												uint32_t node, const char *key);
/* the number of members or elements node i has once the skip rule applies */
extern uint32_t fj_count_skipping(const fj_source *s, uint32_t i);

#endif							/* FORAY_CLI_JSON_H */
