/*
 * fuzz_verify.c
 *		libFuzzer harness over foray-verify's input path (src/cli): the JSON
 *		reader, then the document, bundle and proof checks, on every input.
 *
 * For every input:
 *   1. fv_run as document, as bundle and as proof (the same bytes), and
 *      fv_run_log as the log's commands: a log inclusion proof against a
 *      checkpoint (with and without a trusted leaf), a consistency proof
 *      between two checkpoints, a proof chain (with and without the payload
 *      on chain and a signed checkpoint), and the bytes as a checkpoint or
 *      signed note (with and without a verifier key) and as the envelope
 *      of --envelope: no crash, no leak, no undefined behaviour (ASan,
 *      LSan, UBSan), an exit code of 0, 1 or 2, and 2 exactly when the
 *      report says why.
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
#include "verify.h"

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

/* the log's inputs besides the fuzzed bytes (test/fuzz/seeds_verify has
 * proofs, chains and notes of this log) */
static const char cp20[] = "example.com/foray/scratch\n20\navNIh83c263zfDYUw2qmSRDmx+Xy2hY+TcL7g89Q048=\n";
static const char cp7[] = "example.com/foray/scratch\n7\nwrBulknwU2Z/E8UuQ6xjs7LEjY8BvN4d2ygOE4q+jPg=\n";
static const char cp20_signed[] = "example.com/foray/scratch\n20\navNIh83c263zfDYUw2qmSRDmx+Xy2hY+TcL7g89Q048=\n"
	"\n\xe2\x80\x94 example.com/foray/scratch QO0YAo2NdN6QQsi96O0TTfbvrlM6bU1z9dhirxKLMiwFOTtUVegSxBOiwcWfaIW+HroQXWXIxLNNFYrc4AGDOBwAqwU=\n";
static const char vkey[] = "example.com/foray/scratch+40ed1802+AXBfg1hmGlQeICXgffbbDQGwC53U+sx52a6CvluLG+qZ";

static void
run_log(fv_command cmd, const uint8_t *data, size_t size, fv_log_args *a)
{
	fv_report	r;
	int			code;

	fv_report_init(&r, "fuzz", "-");
	code = fv_run_log(cmd, copy(data, size), size, a, &r);
	if (code < 0 || code > 2 || (code == 2) != (r.unusable != NULL))
		fail("exit code and report disagree (log)", r.unusable);
	fv_report_free(&r);
}

static void
log_commands(const uint8_t *data, size_t size)
{
	fv_log_args a;

	memset(&a, 0, sizeof(a));
	a.checkpoint = cp20;
	a.checkpoint_len = sizeof(cp20) - 1;
	run_log(FV_CMD_LOG_INCLUSION, data, size, &a);
	a.has_leaf = true;
	a.leaf_from = "--leaf";
	memset(a.leaf, 0xa4, sizeof(a.leaf));
	run_log(FV_CMD_LOG_INCLUSION, data, size, &a);
	/* the bytes as the envelope whose leaf is proved */
	memset(&a, 0, sizeof(a));
	a.checkpoint = cp20;
	a.checkpoint_len = sizeof(cp20) - 1;
	a.envelope = copy(data, size);
	a.envelope_len = size;
	run_log(FV_CMD_LOG_INCLUSION, (const uint8_t *) "{\"leaf_index\": 3, \"tree_size\": 20, \"path\": []}", 46, &a);

	memset(&a, 0, sizeof(a));
	a.old_cp = cp7;
	a.old_len = sizeof(cp7) - 1;
	a.checkpoint = cp20_signed;
	a.checkpoint_len = sizeof(cp20_signed) - 1;
	run_log(FV_CMD_LOG_CONSISTENCY, data, size, &a);

	memset(&a, 0, sizeof(a));
	run_log(FV_CMD_CHAIN, data, size, &a);
	a.anchored = cp20;
	a.anchored_len = sizeof(cp20) - 1;
	a.checkpoint = cp20_signed;
	a.checkpoint_len = sizeof(cp20_signed) - 1;
	a.vkey = vkey;
	run_log(FV_CMD_CHAIN, data, size, &a);

	memset(&a, 0, sizeof(a));
	run_log(FV_CMD_CHECKPOINT, data, size, &a);
	memset(&a, 0, sizeof(a));
	a.vkey = vkey;
	run_log(FV_CMD_CHECKPOINT, data, size, &a);
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
	log_commands(data, size);
	differential(data, size);
	return 0;
}
