/*
 * canonical.h
 *		Canonical JSON (RFC 8785) and SHA-256 hashing of jsonb values.
 *
 * The values are walked straight out of the jsonb container (no text
 * re-parse) by the PostgreSQL-independent canonicaliser in src/core/jcs.c.
 * See docs/hashing.md for the algorithm and the number policy.
 */
#ifndef FORAY_CANONICAL_H
#define FORAY_CANONICAL_H

#include "utils/jsonb.h"

#define FORAY_HASH_TEXT_LEN 71	/* "sha256:" + 64 hex digits */

/*
 * Canonicalise (RFC 8785) and SHA-256 a jsonb value.
 *
 * strict: refuse (ereport ERROR, SQLSTATE 22R21) a number whose canonical
 * form changes its value; the message names `context` (for instance
 * "component \"ACT_X\" of transaction \"T\"", may be NULL) and the JSON path
 * ($.a.b[2]).  Numbers that are not finite doubles are refused in both modes.
 *
 * out: FORAY_HASH_TEXT_LEN + 1 bytes, receives "sha256:<64 lowercase hex>".
 */
extern void foray_hash_jsonb(Jsonb *jb, bool strict, const char *context, char *out);
extern void foray_hash_jsonb_raw(Jsonb *jb, bool strict, const char *context, uint8 *digest32);

/* The RFC 8785 text of a jsonb value (non-strict), palloc'd. */
extern text *foray_canonicalize_jsonb(Jsonb *jb);

#endif							/* FORAY_CANONICAL_H */
