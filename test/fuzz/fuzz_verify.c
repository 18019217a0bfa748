/*
 * fuzz_verify.c
 *		libFuzzer harness over foray-verify's input path (src/cli): the JSON
 *		reader, then the document, bundle and proof checks, on every input.
 *
 * For every input:
 *   1. fv_run as document, as bundle and as proof (the same bytes): no
 *      crash, no leak, no undefined behaviour (ASan, LSan, UBSan), an exit
 *      code of 0, 1 or 2, and 2 exactly when the report says why.
 *   2. The reader against jansson (an independent parser): both accept or
 *      both refuse, except where the two are known to differ (jansson
 *      refuses integers beyond 64 bits and reals beyond the double range,
 *      which foray-verify keeps as text and refuses only when it must hash
 *      them; jansson nests 2048 levels, foray-verify 1100; jansson 2.14
 *      takes a NUL byte right after a number for the number's end, so it
 *      accepts [1\0] (not JSON), which foray-verify refuses).  When both
 *      accept, the RFC 8785 canonical texts of the two parses are equal.
 * Any violation aborts.
 *
 * Build and run: test/fuzz/run_verify.sh [seconds]
 */
#include "jcs.h"
#include "jcs_jansson.h"
#include "json.h"
#include "report.h"
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static jcs_ctx *ctx;

static void
fail(const char *what, const char *detail)
{
	fprintf(stderr, "FUZZ INVARIANT BROKEN: %s\n  %s\n", what, detail ? detail : "");
	abort();
}

static char *
copy(const uint8_t *data, size_t size)
{
	char	   *buf = malloc(size + 1);

	if (buf == NULL)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	return buf;
}

static void
run(fv_command cmd, const uint8_t *data, size_t size)
{
	static const uint8_t root[32] = {1};
	fv_report	r;
	int			code;

	fv_report_init(&r, "fuzz", "-");
	code = fv_run(cmd, copy(data, size), size, root, NULL, 0, true, &r, NULL);
	if (code < 0 || code > 2 || (code == 2) != (r.unusable != NULL))
		fail("exit code and report disagree", r.unusable);
	fv_report_free(&r);
}

/* what jansson refuses that foray-verify reads: numbers out of its range */
static bool
jansson_number_limit(const char *text)
{
	return strstr(text, "too big") != NULL || strstr(text, "overflow") != NULL ||
		strstr(text, "maximum parsing depth") != NULL;
}

static void
differential(const uint8_t *data, size_t size)
{
	char	   *buf = copy(data, size);
	fj_doc		doc;
	fj_error	err;
	json_error_t jerr;
	json_t	   *j;
	bool		mine;

	mine = fj_parse(&doc, buf, size, &err) == 0;
	j = json_loadb((const char *) data, size, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
	if (mine && j == NULL && !jansson_number_limit(jerr.text))
		fail("foray-verify accepts what jansson refuses", jerr.text);
	if (!mine && j != NULL && strstr(err.message, "nesting too deep") == NULL &&
		memchr(data, '\0', size) == NULL)
		fail("jansson accepts what foray-verify refuses", err.message);
	if (mine && j != NULL)
	{
		fj_source	s;
		jcs_value	a,
					b;
		jcs_buf		ta = {NULL, 0, 0},
					tb = {NULL, 0, 0};
		jcs_status	sa,
					sb;

		fj_jcs_value(&doc, 0, &a);
		jcs_jansson_value(j, &b);
		sa = jcs_canonicalize(ctx, fj_jcs_source(&s, &doc), &a, 0, &ta);
		sb = jcs_canonicalize(ctx, jcs_jansson_source(), &b, 0, &tb);
		if ((sa == JCS_OK) != (sb == JCS_OK))
			fail("one parse canonicalises, the other does not", jcs_strerror(sa == JCS_OK ? sb : sa));
		if (sa == JCS_OK && (ta.len != tb.len || memcmp(ta.data, tb.data, ta.len) != 0))
			fail("the canonical texts of the two parses differ", ta.data);
		jcs_buf_free(&ta);
		jcs_buf_free(&tb);
	}
	json_decref(j);
	fj_free(&doc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (ctx == NULL && (ctx = jcs_ctx_new()) == NULL)
		abort();
	run(FV_CMD_DOCUMENT, data, size);
	run(FV_CMD_BUNDLE, data, size);
	run(FV_CMD_PROOF, data, size);
	differential(data, size);
	return 0;
}
