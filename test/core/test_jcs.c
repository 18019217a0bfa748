/*
 * test_jcs.c
 *		Unit tests of the PostgreSQL-independent canonicaliser (src/core).
 *
 * Expected values come from outside this project:
 *   - RFC 8785 Appendix B (number serialisation table), typed from the RFC;
 *   - the RFC author's input/output vectors (test/vectors/rfc8785-jcs) and
 *     SHA-256 sums of their output files computed by coreutils sha256sum;
 *   - the ES6 number file produced by test/core/numgen.js under Node.js (V8)
 *     and checked against the checksums published with the vectors;
 *   - Number(text).toString() as printed by Node.js for the decimal cases
 *     below, and the UTF-16 code unit order written out by hand.
 *
 *   test_jcs unit
 *   test_jcs vectors DIR SHA256SUMS   (sums of DIR/output/<name>.json)
 *   test_jcs es6 FILE
 * Prints "ok"/"not ok" lines and ends with "N passed, N failed".
 */
#include "jcs.h"
#include "jcs_jansson.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int	passed,
			failed;
static jcs_ctx *ctx;

static void
check(int cond, const char *what, const char *got, const char *want)
{
	if (cond)
		passed++;
	else
	{
		failed++;
		printf("not ok - %s\n   got:  %s\n   want: %s\n", what, got ? got : "(null)",
			   want ? want : "(null)");
	}
}

static double
from_hex(const char *h)
{
	unsigned long long u = strtoull(h, NULL, 16);
	double		d;

	memcpy(&d, &u, sizeof d);
	return d;
}

/* ---------- canonicalise a JSON text through jansson ---------- */

static jcs_status
canon_text(const char *json, int flags, char **out, size_t *outlen)
{
	json_error_t err;
	json_t	   *j = json_loads(json, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	jcs_value	root;
	jcs_buf		buf = {0};
	jcs_status	st;

	if (j == NULL)
	{
		fprintf(stderr, "jansson: %s: %s\n", err.text, json);
		exit(2);
	}
	jcs_jansson_value(j, &root);
	st = jcs_canonicalize(ctx, jcs_jansson_source(), &root, flags, &buf);
	json_decref(j);
	if (jcs_buf_append(&buf, "", 1) != 0)
		exit(2);
	*out = buf.data;
	*outlen = buf.len - 1;
	return st;
}

/* ---------- RFC 8785 Appendix B ---------- */

static const struct
{
	const char *hex;
	const char *want;			/* NULL: not a finite double, must be refused */
}			appendix_b[] = {
	{"0000000000000000", "0"},
	{"8000000000000000", "0"},
	{"0000000000000001", "5e-324"},
	{"8000000000000001", "-5e-324"},
	{"7fefffffffffffff", "1.7976931348623157e+308"},
	{"ffefffffffffffff", "-1.7976931348623157e+308"},
	{"4340000000000000", "9007199254740992"},
	{"c340000000000000", "-9007199254740992"},
	{"4430000000000000", "295147905179352830000"},
	{"7fffffffffffffff", NULL},	/* NaN */
	{"7ff0000000000000", NULL},	/* Infinity */
	{"44b52d02c7e14af5", "9.999999999999997e+22"},
	{"44b52d02c7e14af6", "1e+23"},
	{"44b52d02c7e14af7", "1.0000000000000001e+23"},
	{"444b1ae4d6e2ef4e", "999999999999999700000"},
	{"444b1ae4d6e2ef4f", "999999999999999900000"},
	{"444b1ae4d6e2ef50", "1e+21"},
	{"3eb0c6f7a0b5ed8c", "9.999999999999997e-7"},
	{"3eb0c6f7a0b5ed8d", "0.000001"},
	{"41b3de4355555553", "333333333.3333332"},
	{"41b3de4355555554", "333333333.33333325"},
	{"41b3de4355555555", "333333333.3333333"},
	{"41b3de4355555556", "333333333.3333334"},
	{"41b3de4355555557", "333333333.33333343"},
	{"becbf647612f3696", "-0.0000033333333333333333"},
	{"43143ff3c1cb0959", "1424953923781206.2"},
};

/*
 * One double, both ways: jcs_format_double, and the decimal-text path fed
 * the 17-significant-digit decimal of the double and the expected text.
 */
static void
check_double(double v, const char *want, const char *label)
{
	char		out[JCS_NUMBER_MAX];
	char		text[64];
	size_t		n;
	bool		changed;
	jcs_status	st;
	char		what[160];

	st = jcs_format_double(v, out, &n);
	snprintf(what, sizeof what, "%s: format_double", label);
	check(st == JCS_OK && strcmp(out, want) == 0 && n == strlen(want), what,
		  st == JCS_OK ? out : jcs_strerror(st), want);

	snprintf(text, sizeof text, "%.17g", v);
	st = jcs_number(text, strlen(text), out, &n, &changed);
	snprintf(what, sizeof what, "%s: decimal %s", label, text);
	check(st == JCS_OK && strcmp(out, want) == 0, what,
		  st == JCS_OK ? out : jcs_strerror(st), want);

	st = jcs_number(want, strlen(want), out, &n, &changed);
	snprintf(what, sizeof what, "%s: canonical text is a fixed point, unchanged", label);
	check(st == JCS_OK && strcmp(out, want) == 0 && !changed, what,
		  st == JCS_OK ? out : jcs_strerror(st), want);
}

static void
test_appendix_b(void)
{
	for (size_t i = 0; i < sizeof(appendix_b) / sizeof(appendix_b[0]); i++)
	{
		double		v = from_hex(appendix_b[i].hex);
		char		label[64];

		snprintf(label, sizeof label, "appendix B %s", appendix_b[i].hex);
		if (appendix_b[i].want == NULL)
		{
			char		out[JCS_NUMBER_MAX];
			size_t		n;
			jcs_status	st = jcs_format_double(v, out, &n);

			check(st == JCS_ERR_NUMBER_RANGE, label, jcs_strerror(st),
				  jcs_strerror(JCS_ERR_NUMBER_RANGE));
		}
		else
			check_double(v, appendix_b[i].want, label);
	}
}

/* ---------- decimal text cases (expected from Node.js Number(t).toString()) ---------- */

static const struct
{
	const char *in;
	const char *want;
	int			changed;
}			decimals[] = {
	{"50.00", "50", 0},
	{"1E2", "100", 0},
	{"0.1", "0.1", 0},
	{"12345678901234567.89", "12345678901234568", 1},
	{"-0", "0", 0},
	{"-0.0e10", "0", 0},
	{"1e21", "1e+21", 0},
	{"1e20", "100000000000000000000", 0},
	{"1e-7", "1e-7", 0},
	{"0.000001", "0.000001", 0},
	{"123e-9", "1.23e-7", 0},
	{"9007199254740993", "9007199254740992", 1},
	{"9007199254740992", "9007199254740992", 0},
	{"1e-400", "0", 1},
	{"5e-324", "5e-324", 0},
	{"4.9406564584124654e-324", "5e-324", 1},
	{"2.2250738585072014e-308", "2.2250738585072014e-308", 0},
	{"1.7976931348623157e308", "1.7976931348623157e+308", 0},
	{"333333333.33333329", "333333333.3333333", 1},
	{"100.000000000000000000000000", "100", 0},
	{"0.10000000000000000000001", "0.1", 1},
	{"1000000000000000000000000000000", "1e+30", 0},
	{"123456789012345678", "123456789012345680", 1},
	{"-123.4560", "-123.456", 0},
	{"0.0000001", "1e-7", 0},
	{"0.00000123", "0.00000123", 0},
	{"999999999999999.9", "999999999999999.9", 0},
	{"-1.5e-7", "-1.5e-7", 0},
	{"2.5e-324", "5e-324", 1},
	{"1.5e-323", "1.5e-323", 0},
	{"4.4e-324", "5e-324", 1},
	/* from the RFC author's values.json vector */
	{"56.0", "56", 0},
	{"1E30", "1e+30", 0},
	{"4.50", "4.5", 0},
	{"2e-3", "0.002", 0},
	{"0.000000000000000000000000001", "1e-27", 0},
};

static const char *bad_syntax[] = {
	"", "-", "01", "1.", ".5", "+1", "1e", "1e+", "0x1", "1 ", " 1", "NaN",
	"Infinity", "--1", "1.2.3", "1e1.5", "-01", "00", "1E-", "١",
};

static const char *out_of_range[] = {
	"1e400", "-1e309", "1.7976931348623159e308", "1e999999999999999999",
};

static void
test_decimals(void)
{
	char		out[JCS_NUMBER_MAX];
	size_t		n;
	bool		changed;
	jcs_status	st;
	char		what[160];

	for (size_t i = 0; i < sizeof(decimals) / sizeof(decimals[0]); i++)
	{
		st = jcs_number(decimals[i].in, strlen(decimals[i].in), out, &n, &changed);
		snprintf(what, sizeof what, "decimal %s", decimals[i].in);
		check(st == JCS_OK && strcmp(out, decimals[i].want) == 0, what,
			  st == JCS_OK ? out : jcs_strerror(st), decimals[i].want);
		snprintf(what, sizeof what, "decimal %s: changed = %d", decimals[i].in,
				 decimals[i].changed);
		check(st == JCS_OK && changed == (bool) decimals[i].changed, what,
			  changed ? "changed" : "unchanged", decimals[i].changed ? "changed" : "unchanged");
	}
	for (size_t i = 0; i < sizeof(bad_syntax) / sizeof(bad_syntax[0]); i++)
	{
		st = jcs_number(bad_syntax[i], strlen(bad_syntax[i]), out, &n, &changed);
		snprintf(what, sizeof what, "syntax error for \"%s\"", bad_syntax[i]);
		check(st == JCS_ERR_NUMBER_SYNTAX, what, jcs_strerror(st),
			  jcs_strerror(JCS_ERR_NUMBER_SYNTAX));
	}
	for (size_t i = 0; i < sizeof(out_of_range) / sizeof(out_of_range[0]); i++)
	{
		st = jcs_number(out_of_range[i], strlen(out_of_range[i]), out, &n, &changed);
		snprintf(what, sizeof what, "range error for %s", out_of_range[i]);
		check(st == JCS_ERR_NUMBER_RANGE, what, jcs_strerror(st),
			  jcs_strerror(JCS_ERR_NUMBER_RANGE));
	}
}

/* ---------- strings and member order ---------- */

static void
expect_canon(const char *json, const char *want, size_t wantlen, const char *what)
{
	char	   *out;
	size_t		n;
	jcs_status	st = canon_text(json, 0, &out, &n);

	check(st == JCS_OK && n == wantlen && memcmp(out, want, n) == 0, what,
		  st == JCS_OK ? out : jcs_strerror(st), want);
	free(out);
}

static void
test_strings_and_order(void)
{
	/* every control character, DEL and the two escapes (RFC 8785 3.2.2.2) */
	{
		char		json[512];
		char		want[512];
		char	   *p = json;
		char	   *w = want;

		p += sprintf(p, "\"");
		w += sprintf(w, "\"");
		for (int c = 0; c < 0x20; c++)
		{
			p += sprintf(p, "\\u%04X", c);
			switch (c)
			{
				case 8:
					w += sprintf(w, "\\b");
					break;
				case 9:
					w += sprintf(w, "\\t");
					break;
				case 10:
					w += sprintf(w, "\\n");
					break;
				case 12:
					w += sprintf(w, "\\f");
					break;
				case 13:
					w += sprintf(w, "\\r");
					break;
				default:
					w += sprintf(w, "\\u%04x", c);
			}
		}
		p += sprintf(p, "\\u007f\\\"\\\\\\/\\u00e9\\ud83d\\ude00\"");
		w += sprintf(w, "\x7f\\\"\\\\/\xc3\xa9\xf0\x9f\x98\x80\"");
		expect_canon(json, want, strlen(want), "string escapes: controls, DEL, quote, backslash, solidus, raw UTF-8");
	}

	/*
	 * UTF-16 order: "" < "a" < "aa" < U+007F < U+00E9 < U+1F600 (D83D DE00)
	 * < U+E000 < U+FFFF; UTF-8 byte order would put U+1F600 (F0..) last.
	 */
	expect_canon("{\"\\uffff\":4,\"\\ue000\":1,\"\\ud83d\\ude00\":2,\"a\":3,\"\\u00e9\":5,\"\":6,\"aa\":7,\"\\u007f\":8}",
				 "{\"\":6,\"a\":3,\"aa\":7,\"\x7f\":8,\"\xc3\xa9\":5,\"\xf0\x9f\x98\x80\":2,\"\xee\x80\x80\":1,\"\xef\xbf\xbf\":4}",
				 strlen("{\"\":6,\"a\":3,\"aa\":7,\"\x7f\":8,\"\xc3\xa9\":5,\"\xf0\x9f\x98\x80\":2,\"\xee\x80\x80\":1,\"\xef\xbf\xbf\":4}"),
				 "member order by UTF-16 code units (astral before U+E000..U+FFFF)");
	/* private use: U+F8FF vs U+10FFFD (plane 16 PUA, DBFF DFFD) vs U+100000 */
	expect_canon("{\"\\uf8ff\":1,\"\\udbff\\udffd\":2,\"\\udbc0\\udc00\":3,\"\\ud7ff\":4}",
				 "{\"\xed\x9f\xbf\":4,\"\xf4\x80\x80\x80\":3,\"\xf4\x8f\xbf\xbd\":2,\"\xef\xa3\xbf\":1}",
				 strlen("{\"\xed\x9f\xbf\":4,\"\xf4\x80\x80\x80\":3,\"\xf4\x8f\xbf\xbd\":2,\"\xef\xa3\xbf\":1}"),
				 "member order: U+D7FF < U+100000 < U+10FFFD < U+F8FF");
	/* a name that is a prefix of another sorts first; controls are code units */
	expect_canon("{\"ab\":1,\"a\\u0001\":2,\"a\":3}",
				 "{\"a\":3,\"a\\u0001\":2,\"ab\":1}", strlen("{\"a\":3,\"a\\u0001\":2,\"ab\":1}"),
				 "member order: prefixes and controls");
	/* many members: the qsort path */
	expect_canon("{\"p\":0,\"o\":0,\"n\":0,\"m\":0,\"l\":0,\"k\":0,\"j\":0,\"i\":0,\"h\":0,\"g\":0,\"f\":0,\"e\":0,\"d\":0,\"c\":0,\"b\":0,\"a\":0,\"\\ue000\":0,\"\\ud800\\udc00\":0}",
				 "{\"a\":0,\"b\":0,\"c\":0,\"d\":0,\"e\":0,\"f\":0,\"g\":0,\"h\":0,\"i\":0,\"j\":0,\"k\":0,\"l\":0,\"m\":0,\"n\":0,\"o\":0,\"p\":0,\"\xf0\x90\x80\x80\":0,\"\xee\x80\x80\":0}",
				 strlen("{\"a\":0,\"b\":0,\"c\":0,\"d\":0,\"e\":0,\"f\":0,\"g\":0,\"h\":0,\"i\":0,\"j\":0,\"k\":0,\"l\":0,\"m\":0,\"n\":0,\"o\":0,\"p\":0,\"\xf0\x90\x80\x80\":0,\"\xee\x80\x80\":0}"),
				 "member order with 18 members");
	expect_canon("[{},[],\"\",{\"a\":[]}]", "[{},[],\"\",{\"a\":[]}]", 19, "empty containers");
	expect_canon("-0.0", "0", 1, "scalar root -0.0");

	check(jcs_compare_names("\xef\xbf\xbf", 3, "\xf0\x90\x80\x80", 4) > 0, "compare U+FFFF > U+10000", "", "");
	check(jcs_compare_names("\xed\x9f\xbf", 3, "\xf0\x90\x80\x80", 4) < 0, "compare U+D7FF < U+10000", "", "");
	check(jcs_compare_names("\xf0\x90\x80\x80", 4, "\xf0\x90\x80\x81", 4) < 0, "compare U+10000 < U+10001", "", "");
}

/* ---------- errors, through a hand-made source ---------- */

typedef struct node
{
	size_t		n;
	jcs_value  *vals;
	jcs_member *mems;
} node;

static int
t_items(void *arg, const void *ref, size_t count, jcs_value *out)
{
	const node *nd = ref;

	memcpy(out, nd->vals, count * sizeof(jcs_value));
	return 0;
}

static int
t_members(void *arg, const void *ref, size_t count, jcs_member *out)
{
	const node *nd = ref;

	memcpy(out, nd->mems, count * sizeof(jcs_member));
	return 0;
}

static int
t_fail(void *arg, const void *ref, size_t count, jcs_value *out)
{
	return -1;
}

static const jcs_source tsrc = {t_items, t_members, NULL, NULL};
static const jcs_source tsrc_failing = {t_fail, t_members, NULL, NULL};

static jcs_value
sv(const char *s, size_t n)
{
	jcs_value	v = {0};

	v.type = JCS_STRING;
	v.str = s;
	v.len = n;
	return v;
}

static jcs_value
nv(const char *s)
{
	jcs_value	v = {0};

	v.type = JCS_NUMBER;
	v.str = s;
	v.len = strlen(s);
	return v;
}

static void
expect_error(const jcs_source *src, jcs_value *root, int flags, jcs_status want,
			 const char *path, const char *what)
{
	jcs_buf		b = {0};
	uint8_t		d[32];
	jcs_status	st = jcs_canonicalize(ctx, src, root, flags, &b);
	char		label[200];

	jcs_buf_free(&b);
	snprintf(label, sizeof label, "%s: status", what);
	check(st == want, label, jcs_strerror(st), jcs_strerror(want));
	snprintf(label, sizeof label, "%s: path", what);
	check(strcmp(jcs_error_path(ctx), path) == 0, label, jcs_error_path(ctx), path);
	st = jcs_hash(ctx, src, root, flags, d);
	snprintf(label, sizeof label, "%s: same status when hashing", what);
	check(st == want, label, jcs_strerror(st), jcs_strerror(want));
}

static void
test_errors(void)
{
	jcs_member	m[3];
	jcs_value	arr[3];
	node		obj = {3, NULL, m};
	node		list = {3, arr, NULL};
	jcs_value	root = {0};
	jcs_value	inner = {0};

	/* {"a": 1, "b c": [true, 12345678901234567.89, "x"], "d": null} */
	arr[0].type = JCS_TRUE;
	arr[1] = nv("12345678901234567.89");
	arr[2] = sv("x", 1);
	inner.type = JCS_ARRAY;
	inner.ref = &list;
	inner.count = 3;
	m[0].key = sv("d", 1);
	m[0].value.type = JCS_NULL;
	m[1].key = sv("b c", 3);
	m[1].value = inner;
	m[2].key = sv("a", 1);
	m[2].value = nv("1");
	root.type = JCS_OBJECT;
	root.ref = &obj;
	root.count = 3;
	{
		jcs_buf		b = {0};
		jcs_status	st = jcs_canonicalize(ctx, &tsrc, &root, 0, &b);
		const char *want = "{\"a\":1,\"b c\":[true,12345678901234568,\"x\"],\"d\":null}";

		jcs_buf_append(&b, "", 1);
		check(st == JCS_OK && strcmp(b.data, want) == 0, "non-strict accepts a changed number",
			  b.data, want);
		jcs_buf_free(&b);
	}
	expect_error(&tsrc, &root, JCS_STRICT_NUMBERS, JCS_ERR_NUMBER_CHANGED, "$[\"b c\"][1]",
				 "strict refuses a changed number");
	check(strcmp(jcs_error_input(ctx), "12345678901234567.89") == 0, "error input names the number",
		  jcs_error_input(ctx), "12345678901234567.89");

	arr[1] = nv("1e400");
	expect_error(&tsrc, &root, 0, JCS_ERR_NUMBER_RANGE, "$[\"b c\"][1]", "1e400 refused");
	arr[1] = nv("0x10");
	expect_error(&tsrc, &root, 0, JCS_ERR_NUMBER_SYNTAX, "$[\"b c\"][1]", "bad number syntax");
	arr[1].type = JCS_DOUBLE;
	arr[1].dbl = NAN;
	expect_error(&tsrc, &root, 0, JCS_ERR_NUMBER_RANGE, "$[\"b c\"][1]", "NaN double refused");
	arr[1] = nv("2");

	arr[2] = sv("\xc0\xaf", 2);	/* overlong '/' */
	expect_error(&tsrc, &root, 0, JCS_ERR_UTF8, "$[\"b c\"][2]", "overlong UTF-8 refused");
	arr[2] = sv("\xed\xa0\x80", 3);	/* surrogate U+D800 */
	expect_error(&tsrc, &root, 0, JCS_ERR_UTF8, "$[\"b c\"][2]", "UTF-8 surrogate refused");
	arr[2] = sv("\xf4\x90\x80\x80", 4);	/* above U+10FFFF */
	expect_error(&tsrc, &root, 0, JCS_ERR_UTF8, "$[\"b c\"][2]", "code point above U+10FFFF refused");
	arr[2] = sv("ab\xe2\x82", 4);	/* truncated */
	expect_error(&tsrc, &root, 0, JCS_ERR_UTF8, "$[\"b c\"][2]", "truncated UTF-8 refused");
	arr[2] = sv("x", 1);

	m[2].key = sv("\xff", 1);
	expect_error(&tsrc, &root, 0, JCS_ERR_UTF8, "$[\"\\xff\"]", "invalid UTF-8 name refused");
	m[2].key = sv("d", 1);
	expect_error(&tsrc, &root, 0, JCS_ERR_DUPLICATE_KEY, "$.d", "duplicate name refused");
	m[2].key = sv("a", 1);

	expect_error(&tsrc_failing, &root, 0, JCS_ERR_SOURCE, "$[\"b c\"]", "source failure reported");
}

static void
test_depth(void)
{
	size_t		deep = JCS_MAX_DEPTH;
	char	   *json = malloc(2 * (deep + 1) + 1);
	char	   *out;
	size_t		n;
	jcs_status	st;

	/* JCS_MAX_DEPTH nested arrays: accepted */
	memset(json, '[', deep);
	memset(json + deep, ']', deep);
	json[2 * deep] = '\0';
	st = canon_text(json, 0, &out, &n);
	check(st == JCS_OK && n == 2 * deep && memcmp(out, json, n) == 0,
		  "JCS_MAX_DEPTH nested arrays accepted", jcs_strerror(st), "success");
	free(out);

	/* one more: refused, path names the innermost container */
	memset(json, '[', deep + 1);
	memset(json + deep + 1, ']', deep + 1);
	json[2 * deep + 2] = '\0';
	st = canon_text(json, 0, &out, &n);
	free(out);
	check(st == JCS_ERR_DEPTH, "JCS_MAX_DEPTH + 1 nested arrays refused", jcs_strerror(st),
		  jcs_strerror(JCS_ERR_DEPTH));
	{
		size_t		want_len = 1 + 3 * deep;
		const char *p = jcs_error_path(ctx);

		/* the path is cut at 1024 bytes and ends with "..." */
		check(strncmp(p, "$[0][0][0]", 10) == 0 && strlen(p) <= 1030 && strlen(p) < want_len + 4,
			  "depth error path", p, "$[0][0][0]...");
	}
	free(json);
}

/* ---------- vectors and hashes ---------- */

static char *
slurp(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;
	long		n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n + 1);
	if (fread(buf, 1, n, f) != (size_t) n)
		n = 0;
	buf[n] = '\0';
	fclose(f);
	*len = (size_t) n;
	return buf;
}

static int
run_vectors(const char *dir, const char *sums)
{
	FILE	   *f = fopen(sums, "r");
	char		line[1024];
	int			count = 0;

	if (!f)
	{
		perror(sums);
		return 2;
	}
	/* lines of coreutils sha256sum: "<hex>  <dir>/output/<name>.json" */
	while (fgets(line, sizeof line, f))
	{
		char		hex[65],
					outpath[900],
					inpath[1900],
					name[900];
		char	   *slash;
		char	   *want,
				   *in,
				   *got;
		size_t		wantlen,
					inlen,
					gotlen;
		jcs_status	st;
		json_t	   *j;
		json_error_t err;
		jcs_value	root;
		uint8_t		d[32];
		char		htext[JCS_HASH_TEXT_LEN + 1];
		char		wanthash[JCS_HASH_TEXT_LEN + 1];
		char		what[1100];

		if (sscanf(line, "%64s %899s", hex, outpath) != 2)
			continue;
		slash = strrchr(outpath, '/');
		snprintf(name, sizeof name, "%s", slash ? slash + 1 : outpath);
		snprintf(inpath, sizeof inpath, "%s/input/%s", dir, name);
		want = slurp(outpath, &wantlen);
		in = slurp(inpath, &inlen);
		if (!want || !in)
		{
			fprintf(stderr, "cannot read %s or %s\n", outpath, inpath);
			return 2;
		}
		st = canon_text(in, 0, &got, &gotlen);
		snprintf(what, sizeof what, "vector %s: canonical bytes", name);
		check(st == JCS_OK && gotlen == wantlen && memcmp(got, want, wantlen) == 0, what,
			  got, want);

		j = json_loads(in, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
		jcs_jansson_value(j, &root);
		st = jcs_hash(ctx, jcs_jansson_source(), &root, 0, d);
		json_decref(j);
		jcs_hash_text(d, htext);
		snprintf(wanthash, sizeof wanthash, "sha256:%s", hex);
		snprintf(what, sizeof what, "vector %s: hash equals sha256sum of the output file", name);
		check(st == JCS_OK && strcmp(htext, wanthash) == 0, what, htext, wanthash);
		free(want);
		free(in);
		free(got);
		count++;
	}
	fclose(f);
	check(count >= 6, "at least 6 vectors read", "", "");
	return 0;
}

static int
run_es6(const char *path)
{
	FILE	   *f = fopen(path, "r");
	char		line[256];
	long		lines = 0,
				bad = 0;

	if (!f)
	{
		perror(path);
		return 2;
	}
	while (fgets(line, sizeof line, f))
	{
		char	   *comma = strchr(line, ',');
		char	   *want;
		double		v;
		char		out[JCS_NUMBER_MAX];
		char		text[64];
		size_t		n;
		bool		changed;
		jcs_status	st;
		int			ok;

		if (!comma)
			continue;
		*comma = '\0';
		want = comma + 1;
		want[strcspn(want, "\r\n")] = '\0';
		v = from_hex(line);
		lines++;

		st = jcs_format_double(v, out, &n);
		ok = (st == JCS_OK && strcmp(out, want) == 0);
		/* the decimal path, from 17 significant digits */
		snprintf(text, sizeof text, "%.17g", v);
		st = jcs_number(text, strlen(text), out, &n, &changed);
		ok = ok && st == JCS_OK && strcmp(out, want) == 0;
		/* the expected text itself is canonical and unchanged */
		st = jcs_number(want, strlen(want), out, &n, &changed);
		ok = ok && st == JCS_OK && strcmp(out, want) == 0 && !changed;
		if (!ok)
		{
			if (bad < 20)
				printf("not ok - es6 %s: want %s, got %s (decimal path from %s)\n", line, want, out, text);
			bad++;
		}
	}
	fclose(f);
	printf("# es6 numbers: %ld lines, %ld mismatches\n", lines, bad);
	if (bad == 0 && lines > 0)
		passed++;
	else
		failed++;
	return 0;
}

/*
 * The writer prints a number already in canonical form as it stands
 * (jcs.c, number_is_canonical) without jcs_number: over half a million
 * generated texts, plain decimals near that form and random strings of
 * number characters, jcs_canonicalize must give what jcs_number gives (or
 * the same error), strict or not.
 */
static void
test_number_texts(void)
{
	static const char chars[] = "0123456789000-.eE+";
	uint64_t	rs = UINT64_C(88172645463325252);
	long		bad = 0;
	char		first[160] = "";

	for (long it = 0; it < 500000; it++)
	{
		char		t[48];		/* at most 41 */
		int			len = 0;
		char		want[JCS_NUMBER_MAX];
		size_t		wantlen;
		bool		changed;
		jcs_status	st,
					st2;
		jcs_value	v;
		jcs_buf		b = {0};

#define RND() (rs ^= rs << 13, rs ^= rs >> 7, rs ^= rs << 17, (unsigned) rs)
		if (it % 2)
		{
			int			il = RND() % 18;

			if (RND() % 3 == 0)
				t[len++] = '-';
			if (il == 0)
				t[len++] = '0';
			else
			{
				t[len++] = (char) ('1' + RND() % 9);
				for (int i = 1; i < il; i++)
					t[len++] = (char) ('0' + (RND() % 3 ? RND() % 10 : 0));
			}
			if (RND() % 4)
			{
				int			fl = RND() % 20;

				t[len++] = '.';
				for (int i = 0; i < fl; i++)
					t[len++] = (char) ('0' + (RND() % 3 ? RND() % 10 : 0));
			}
			if (RND() % 10 == 0)
			{
				t[len++] = 'e';
				t[len++] = (char) ('0' + RND() % 10);
			}
		}
		else
		{
			len = 1 + RND() % 12;
			for (int i = 0; i < len; i++)
				t[i] = chars[RND() % (sizeof(chars) - 1)];
		}
#undef RND
		t[len] = '\0';
		st = jcs_number(t, (size_t) len, want, &wantlen, &changed);
		v = nv(t);
		for (int strict = 0; strict < 2; strict++)
		{
			jcs_status	expect = (st == JCS_OK && strict && changed) ? JCS_ERR_NUMBER_CHANGED : st;

			b.len = 0;
			st2 = jcs_canonicalize(ctx, &tsrc, &v, strict ? JCS_STRICT_NUMBERS : 0, &b);
			if (st2 != expect ||
				(st2 == JCS_OK && (b.len != wantlen || memcmp(b.data, want, wantlen) != 0)))
			{
				if (bad++ == 0)
					snprintf(first, sizeof first, "%s: %s %.*s", t, jcs_strerror(st2),
							 st2 == JCS_OK ? (int) b.len : 0, st2 == JCS_OK ? b.data : "");
			}
		}
		jcs_buf_free(&b);
	}
	check(bad == 0, "numbers: the writer's output equals jcs_number's for 500,000 generated texts",
		  first, "no difference");
}

int
main(int argc, char **argv)
{
	int			rc = 0;

	ctx = jcs_ctx_new();
	if (!ctx)
		return 2;
	if (argc >= 2 && strcmp(argv[1], "unit") == 0)
	{
		test_appendix_b();
		test_decimals();
		test_number_texts();
		test_strings_and_order();
		test_errors();
		test_depth();
	}
	else if (argc >= 4 && strcmp(argv[1], "vectors") == 0)
		rc = run_vectors(argv[2], argv[3]);
	else if (argc >= 3 && strcmp(argv[1], "es6") == 0)
		rc = run_es6(argv[2]);
	else
	{
		fprintf(stderr, "usage: test_jcs unit | vectors DIR SUMS | es6 FILE\n");
		rc = 2;
	}
	jcs_ctx_free(ctx);
	printf("%d passed, %d failed\n", passed, failed);
	return rc ? rc : (failed ? 1 : 0);
}
