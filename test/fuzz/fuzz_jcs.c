/*
 * fuzz_jcs.c
 *		libFuzzer harness for the core canonicaliser (src/core).
 *
 * For every input:
 *   1. Numbers: if the input is a short byte string that the core accepts
 *      as a JSON number, the decimal path (jcs_number, with its fast path)
 *      must print exactly what the double path prints for strtod(input)
 *      (jcs_format_double), and refuse it as out of range exactly when
 *      strtod overflows.
 *   2. Documents: if jansson parses the input, the canonical text must
 *      (a) hash, streamed, to SHA-256 of the text itself, (b) be valid JSON
 *      for jansson, and (c) canonicalise to itself.
 * Any violation aborts; ASan/UBSan/LSan catch memory errors and leaks.
 *
 * Build and run: test/fuzz/run.sh [seconds]
 */
#include "jcs.h"
#include "jcs_jansson.h"
#include "sha256.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static jcs_ctx *ctx;

static void
fail(const char *what, const char *a, size_t alen, const char *b, size_t blen)
{
	fprintf(stderr, "FUZZ INVARIANT BROKEN: %s\n  a: %.*s\n  b: %.*s\n", what,
			(int) alen, a ? a : "", (int) blen, b ? b : "");
	abort();
}

static void
check_number(const uint8_t *data, size_t size)
{
	char		out[JCS_NUMBER_MAX];
	char		ref[JCS_NUMBER_MAX];
	char		z[80];
	size_t		n,
				rn;
	bool		changed;
	jcs_status	st;
	double		v;

	if (size == 0 || size >= sizeof(z))
		return;
	st = jcs_number((const char *) data, size, out, &n, &changed);
	if (st == JCS_ERR_NUMBER_SYNTAX)
		return;
	memcpy(z, data, size);
	z[size] = '\0';
	v = strtod(z, NULL);
	if (st == JCS_ERR_NUMBER_RANGE)
	{
		if (isfinite(v))
			fail("range error on a finite number", z, size, "", 0);
		return;
	}
	if (st != JCS_OK)
		fail("unexpected number status", z, size, jcs_strerror(st), strlen(jcs_strerror(st)));
	if (jcs_format_double(v, ref, &rn) != JCS_OK)
		fail("double path refused an accepted number", z, size, out, n);
	if (n != rn || memcmp(out, ref, n) != 0)
		fail("decimal path differs from double path", out, n, ref, rn);
	if (strtod(out, NULL) != v)
		fail("canonical number does not read back", z, size, out, n);
	if (!changed)
	{
		/* an unchanged number's canonical text is a fixed point */
		char		again[JCS_NUMBER_MAX];
		size_t		an;
		bool		ch2;

		if (jcs_number(out, n, again, &an, &ch2) != JCS_OK || an != n ||
			memcmp(again, out, n) != 0 || ch2)
			fail("canonical number is not a fixed point", out, n, again, an);
	}
}

static void
check_document(const uint8_t *data, size_t size)
{
	json_error_t err;
	json_t	   *j = json_loadb((const char *) data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	json_t	   *j2;
	jcs_value	root;
	jcs_buf		b1 = {0};
	jcs_buf		b2 = {0};
	jcs_status	st;
	uint8_t		d1[32],
				d2[32];

	if (j == NULL)
		return;
	jcs_jansson_value(j, &root);
	st = jcs_canonicalize(ctx, jcs_jansson_source(), &root, 0, &b1);
	if (st != JCS_OK)
	{
		/* the only refusals possible for jansson input */
		if (st != JCS_ERR_DEPTH && st != JCS_ERR_NUMBER_RANGE)
			fail("unexpected refusal", jcs_strerror(st), strlen(jcs_strerror(st)),
				 jcs_error_path(ctx), strlen(jcs_error_path(ctx)));
		if (jcs_hash(ctx, jcs_jansson_source(), &root, 0, d1) != st)
			fail("hash and text disagree on the refusal", "", 0, "", 0);
		json_decref(j);
		jcs_buf_free(&b1);
		return;
	}
	if (jcs_hash(ctx, jcs_jansson_source(), &root, 0, d1) != JCS_OK ||
		jcs_sha256_oneshot(b1.data, b1.len, d2) != 0 || memcmp(d1, d2, 32) != 0)
		fail("streamed hash differs from SHA-256 of the text", b1.data, b1.len, "", 0);
	json_decref(j);

	/* integers as doubles: the canonical text may hold integers above 2^63 */
	j2 = json_loadb(b1.data, b1.len, JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL, &err);
	if (j2 == NULL)
		fail("canonical text is not valid JSON", b1.data, b1.len, err.text, strlen(err.text));
	jcs_jansson_value(j2, &root);
	st = jcs_canonicalize(ctx, jcs_jansson_source(), &root, 0, &b2);
	json_decref(j2);
	if (st != JCS_OK || b1.len != b2.len || memcmp(b1.data, b2.data, b1.len) != 0)
		fail("canonical text does not canonicalise to itself", b1.data, b1.len, b2.data, b2.len);
	jcs_buf_free(&b1);
	jcs_buf_free(&b2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (ctx == NULL && (ctx = jcs_ctx_new()) == NULL)
		abort();
	check_number(data, size);
	check_document(data, size);
	return 0;
}
