/*
 * json.c
 *		Strict JSON text to a tape of nodes (see json.h).
 */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* an open array or object */
typedef struct frame
{
	uint32_t	node;			/* its node */
	uint32_t	count;			/* elements or members so far */
	uint32_t	keys_base;		/* objects: where its keys start in keys[] */
	bool		is_object;
} frame;

typedef struct parser
{
	fj_doc	   *doc;
	char	   *p;				/* next byte */
	char	   *end;			/* one past the last byte */
	size_t		line;			/* 1-based, for messages */
	char	   *line_start;
	frame	   *stack;
	int			depth;
	uint32_t   *keys;			/* key nodes of the open objects */
	uint32_t	nkeys;
	uint32_t	capkeys;
	fj_error   *err;
} parser;

typedef struct keyref
{
	const char *s;
	uint32_t	len;
	uint32_t	node;
} keyref;

static void path_of(parser *ps, fv_path *path);

static int
fail(parser *ps, const char *what)
{
	size_t		col = (size_t) (ps->p - ps->line_start) + 1;
	fv_path		path;

	path_of(ps, &path);
	snprintf(ps->err->message, sizeof(ps->err->message),
			 "malformed JSON at line %zu, column %zu (%s): %s", ps->line, col, path.s, what);
	return -1;
}

/* the path of the value being parsed, from the open containers */
static void
path_of(parser *ps, fv_path *path)
{
	fj_doc	   *d = ps->doc;

	fv_path_root(path, "$");
	for (int i = 0; i < ps->depth; i++)
	{
		frame	   *f = &ps->stack[i];

		if (!f->is_object)
			fv_path_index(path, f->count);
		else
		{
			/* its latest key: the last one below the next frame's keys */
			uint32_t	top = (i + 1 < ps->depth) ? ps->stack[i + 1].keys_base : ps->nkeys;

			if (top > f->keys_base)
			{
				uint32_t	k = ps->keys[top - 1];

				fv_path_key(path, d->text + d->nodes[k].x, d->nodes[k].tl >> 3);
			}
		}
	}
}

static int
add_node(parser *ps, fj_type t, uint32_t len, uint32_t x)
{
	fj_doc	   *d = ps->doc;

	if (d->n == d->cap)
	{
		size_t		ncap = (size_t) d->cap + d->cap / 2 + 64;
		fj_node    *nn;

		if (ncap > UINT32_MAX - 1)
			ncap = UINT32_MAX - 1;
		if (ncap <= d->cap)
			return fail(ps, "too many values");
		nn = realloc(d->nodes, ncap * sizeof(fj_node));
		if (nn == NULL)
			return fail(ps, "out of memory");
		d->nodes = nn;
		d->cap = (uint32_t) ncap;
	}
	d->nodes[d->n].tl = (uint32_t) t | (len << 3);
	d->nodes[d->n].x = x;
	d->n++;
	return 0;
}

static inline void
skip_ws(parser *ps)
{
	char	   *p = ps->p;

	while (p < ps->end)
	{
		char		c = *p;

		if (c == ' ' || c == '\t' || c == '\r')
			p++;
		else if (c == '\n')
		{
			p++;
			ps->line++;
			ps->line_start = p;
		}
		else
			break;
	}
	ps->p = p;
}

/* ---------- strings ---------- */

#define ONES		UINT64_C(0x0101010101010101)
#define HAS_ZERO(x)	(((x) - ONES) & ~(x))

/* length of the valid UTF-8 sequence at s (first byte >= 0x80), or 0 */
static size_t
utf8_len(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80,
				hi = 0xBF;
	size_t		n;

	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
	{
		n = 3;
		if (c == 0xE0)
			lo = 0xA0;			/* no overlong forms */
		else if (c == 0xED)
			hi = 0x9F;			/* no surrogates */
	}
	else if (c >= 0xF0 && c <= 0xF4)
	{
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;			/* nothing above U+10FFFF */
	}
	else
		return 0;
	if (avail < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

static int
hex4(const char *s, uint32_t *out)
{
	uint32_t	v = 0;

	for (int i = 0; i < 4; i++)
	{
		char		c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t) (c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t) (c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t) (c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static char *
put_utf8(char *w, uint32_t cp)
{
	if (cp < 0x80)
		*w++ = (char) cp;
	else if (cp < 0x800)
	{
		*w++ = (char) (0xC0 | (cp >> 6));
		*w++ = (char) (0x80 | (cp & 0x3F));
	}
	else if (cp < 0x10000)
	{
		*w++ = (char) (0xE0 | (cp >> 12));
		*w++ = (char) (0x80 | ((cp >> 6) & 0x3F));
		*w++ = (char) (0x80 | (cp & 0x3F));
	}
	else
	{
		*w++ = (char) (0xF0 | (cp >> 18));
		*w++ = (char) (0x80 | ((cp >> 12) & 0x3F));
		*w++ = (char) (0x80 | ((cp >> 6) & 0x3F));
		*w++ = (char) (0x80 | (cp & 0x3F));
	}
	return w;
}

/*
 * A string starting at ps->p (the opening quote): validated, unescaped in
 * place, NUL-terminated, and added as a node.
 */
static int
parse_string(parser *ps)
{
	char	   *start = ps->p + 1;
	char	   *r = start;
	char	   *w = NULL;		/* write position once an escape was seen */
	char	   *end = ps->end;
	size_t		len;

	for (;;)
	{
		unsigned char c;

		/* eight plain bytes at a time: none < 0x20, '"', '\\' or >= 0x80 */
		while (end - r >= 8)
		{
			uint64_t	x;

			memcpy(&x, r, 8);
			if (((x - ONES * 0x20) | HAS_ZERO(x ^ (ONES * '"')) |
				 HAS_ZERO(x ^ (ONES * '\\')) | x) & (ONES * 0x80))
				break;
			if (w)
			{
				memmove(w, r, 8);
				w += 8;
			}
			r += 8;
		}
		if (r >= end)
		{
			ps->p = r;
			return fail(ps, "unterminated string");
		}
		c = (unsigned char) *r;
		if (c == '"')
			break;
		if (c < 0x20)
		{
			ps->p = r;
			return fail(ps, "control character in a string (write it as an escape)");
		}
		if (c < 0x80 && c != '\\')
		{
			if (w)
				*w++ = (char) c;
			r++;
			continue;
		}
		if (c >= 0x80)
		{
			size_t		n = utf8_len((const unsigned char *) r, (size_t) (end - r));

			if (n == 0)
			{
				ps->p = r;
				return fail(ps, "invalid UTF-8 in a string");
			}
			if (w)
			{
				memmove(w, r, n);
				w += n;
			}
			r += n;
			continue;
		}
		/* an escape */
		if (w == NULL)
			w = r;
		if (end - r < 2)
		{
			ps->p = r;
			return fail(ps, "unterminated escape");
		}
		switch (r[1])
		{
			case '"':
			case '\\':
			case '/':
				*w++ = r[1];
				r += 2;
				break;
			case 'b':
				*w++ = '\b';
				r += 2;
				break;
			case 'f':
				*w++ = '\f';
				r += 2;
				break;
			case 'n':
				*w++ = '\n';
				r += 2;
				break;
			case 'r':
				*w++ = '\r';
				r += 2;
				break;
			case 't':
				*w++ = '\t';
				r += 2;
				break;
			case 'u':
				{
					uint32_t	cp,
								lo;

					if (end - r < 6 || hex4(r + 2, &cp) != 0)
					{
						ps->p = r;
						return fail(ps, "invalid \\u escape");
					}
					if (cp >= 0xDC00 && cp <= 0xDFFF)
					{
						ps->p = r;
						return fail(ps, "\\u escape of a lone low surrogate");
					}
					if (cp >= 0xD800 && cp <= 0xDBFF)
					{
						if (end - r < 12 || r[6] != '\\' || r[7] != 'u' ||
							hex4(r + 8, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF)
						{
							ps->p = r;
							return fail(ps, "\\u escape of a lone high surrogate");
						}
						cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
						r += 6;
					}
					if (cp == 0)
					{
						ps->p = r;
						return fail(ps, "\\u0000 is not supported (PostgreSQL's jsonb cannot hold it)");
					}
					w = put_utf8(w, cp);
					r += 6;
					break;
				}
			default:
				ps->p = r;
				return fail(ps, "invalid escape");
		}
	}
	len = (size_t) ((w ? w : r) - start);
	if (len > FJ_MAX_LEN)
	{
		ps->p = start;
		return fail(ps, "string longer than 512 MiB");
	}
	(w ? w : r)[0] = '\0';		/* the closing quote, or inside the escaped form */
	ps->p = r + 1;
	return add_node(ps, FJ_STRING, (uint32_t) len, (uint32_t) (start - ps->doc->text));
}

/* ---------- numbers and literals ---------- */

static inline bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int
parse_number(parser *ps)
{
	char	   *s = ps->p;
	char	   *p = s;
	char	   *end = ps->end;

	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0')
	{
		p++;
		if (p < end && is_digit(*p))
		{
			ps->p = p;
			return fail(ps, "a number with a leading zero");
		}
	}
	else if (p < end && is_digit(*p))
		while (p < end && is_digit(*p))
			p++;
	else
	{
		ps->p = p;
		return fail(ps, "invalid number");
	}
	if (p < end && *p == '.')
	{
		p++;
		if (p >= end || !is_digit(*p))
		{
			ps->p = p;
			return fail(ps, "a number needs digits after its decimal point");
		}
		while (p < end && is_digit(*p))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E'))
	{
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (p >= end || !is_digit(*p))
		{
			ps->p = p;
			return fail(ps, "a number needs digits in its exponent");
		}
		while (p < end && is_digit(*p))
			p++;
	}
	if ((size_t) (p - s) > FJ_MAX_LEN)
		return fail(ps, "number longer than 512 MiB");
	ps->p = p;
	return add_node(ps, FJ_NUMBER, (uint32_t) (p - s), (uint32_t) (s - ps->doc->text));
}

static int
parse_literal(parser *ps)
{
	static const struct
	{
		const char *word;
		size_t		len;
		fj_type		type;
	}			lits[] = {{"true", 4, FJ_TRUE}, {"false", 5, FJ_FALSE}, {"null", 4, FJ_NULL}};

	for (int i = 0; i < 3; i++)
		if ((size_t) (ps->end - ps->p) >= lits[i].len &&
			memcmp(ps->p, lits[i].word, lits[i].len) == 0)
		{
			ps->p += lits[i].len;
			return add_node(ps, lits[i].type, 0, 0);
		}
	return fail(ps, "unexpected character");
}

/* ---------- objects ---------- */

static int
keyref_cmp(const void *a, const void *b)
{
	const keyref *x = a;
	const keyref *y = b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->s, y->s, x->len);
}

/*
 * The object's members, keys[base..nkeys), have distinct names: FJ_NONE,
 * else the key node of a repeated name (or 0 with the error set, out of
 * memory).
 */
static uint32_t
find_duplicate(parser *ps, uint32_t base)
{
	fj_doc	   *d = ps->doc;
	uint32_t	n = ps->nkeys - base;
	const uint32_t *k = ps->keys + base;
	uint32_t	dup = FJ_NONE;

	if (n < 2)
		return FJ_NONE;
	if (n <= 16)
	{
		for (uint32_t i = 1; i < n && dup == FJ_NONE; i++)
			for (uint32_t j = 0; j < i; j++)
				if (d->nodes[k[i]].tl == d->nodes[k[j]].tl &&
					d->text[d->nodes[k[i]].x] == d->text[d->nodes[k[j]].x] &&
					memcmp(d->text + d->nodes[k[i]].x, d->text + d->nodes[k[j]].x,
						   d->nodes[k[i]].tl >> 3) == 0)
				{
					dup = k[i];
					break;
				}
	}
	else
	{
		keyref	   *refs = malloc(sizeof(keyref) * n);

		if (refs == NULL)
		{
			fail(ps, "out of memory");
			return 0;
		}
		for (uint32_t i = 0; i < n; i++)
		{
			refs[i].s = d->text + d->nodes[k[i]].x;
			refs[i].len = d->nodes[k[i]].tl >> 3;
			refs[i].node = k[i];
		}
		qsort(refs, n, sizeof(keyref), keyref_cmp);
		for (uint32_t i = 1; i < n; i++)
			if (keyref_cmp(&refs[i - 1], &refs[i]) == 0)
			{
				dup = refs[i].node;
				break;
			}
		free(refs);
	}
	return dup;
}

/* a member name, then ':' */
static int
parse_key(parser *ps)
{
	skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != '"')
		return fail(ps, "expected a member name (a string)");
	if (parse_string(ps) != 0)
		return -1;
	if (ps->nkeys == ps->capkeys)
	{
		uint32_t	ncap = ps->capkeys ? ps->capkeys * 2 : 256;
		uint32_t   *nk;

		if (ncap <= ps->capkeys)
			return fail(ps, "too many members");
		nk = realloc(ps->keys, sizeof(uint32_t) * ncap);
		if (nk == NULL)
			return fail(ps, "out of memory");
		ps->keys = nk;
		ps->capkeys = ncap;
	}
	ps->keys[ps->nkeys++] = ps->doc->n - 1;
	skip_ws(ps);
	if (ps->p >= ps->end || *ps->p != ':')
		return fail(ps, "expected ':' after a member name");
	ps->p++;
	return 0;
}

/* ---------- the value loop ---------- */

static int
run(parser *ps)
{
	fj_doc	   *d = ps->doc;

	for (;;)
	{
		char		c;

		/* a value is expected */
		skip_ws(ps);
		if (ps->p >= ps->end)
			return fail(ps, "unexpected end of input");
		c = *ps->p;
		if (c == '{' || c == '[')
		{
			frame	   *f;

			if (ps->depth >= FJ_MAX_DEPTH)
				return fail(ps, "nesting too deep (more than 1100 levels)");
			if (add_node(ps, c == '{' ? FJ_OBJECT : FJ_ARRAY, 0, 0) != 0)
				return -1;
			f = &ps->stack[ps->depth++];
			f->node = d->n - 1;
			f->count = 0;
			f->keys_base = ps->nkeys;
			f->is_object = (c == '{');
			ps->p++;
			skip_ws(ps);
			if (ps->p < ps->end && *ps->p == (c == '{' ? '}' : ']'))
			{
				ps->p++;
				d->nodes[f->node].x = d->n;
				ps->depth--;
				goto after_value;
			}
			if (c == '{' && parse_key(ps) != 0)
				return -1;
			continue;
		}
		if (c == '"')
		{
			if (parse_string(ps) != 0)
				return -1;
		}
		else if (c == '-' || is_digit(c))
		{
			if (parse_number(ps) != 0)
				return -1;
		}
		else if (parse_literal(ps) != 0)
			return -1;

after_value:
		for (;;)
		{
			frame	   *f;
			char		close;

			if (ps->depth == 0)
			{
				skip_ws(ps);
				if (ps->p != ps->end)
					return fail(ps, "unexpected text after the JSON value");
				return 0;
			}
			f = &ps->stack[ps->depth - 1];
			if (++f->count > FJ_MAX_LEN)
				return fail(ps, "too many elements in one array or object");
			skip_ws(ps);
			if (ps->p >= ps->end)
				return fail(ps, "unexpected end of input");
			close = f->is_object ? '}' : ']';
			if (*ps->p == ',')
			{
				ps->p++;
				if (f->is_object && parse_key(ps) != 0)
					return -1;
				break;			/* the next value */
			}
			if (*ps->p != close)
				return fail(ps, f->is_object ? "expected ',' or '}'" : "expected ',' or ']'");
			if (f->is_object)
			{
				uint32_t	dup = find_duplicate(ps, f->keys_base);

				if (dup == 0)
					return -1;
				ps->nkeys = f->keys_base;
				if (dup != FJ_NONE)
				{
					char		what[200];

					/* named with the path of the object itself */
					ps->depth--;
					snprintf(what, sizeof(what), "duplicate member name \"%.64s%s\"",
							 d->text + d->nodes[dup].x, (d->nodes[dup].tl >> 3) > 64 ? "..." : "");
					return fail(ps, what);
				}
			}
			ps->p++;
			d->nodes[f->node].tl = (d->nodes[f->node].tl & 7) | (f->count << 3);
			d->nodes[f->node].x = d->n;
			ps->depth--;
		}
	}
}

int
fj_parse(fj_doc *doc, char *text, size_t len, fj_error *err)
{
	parser		ps;
	int			rc;

	memset(doc, 0, sizeof(*doc));
	doc->text = text;
	doc->len = len;
	err->message[0] = '\0';
	memset(&ps, 0, sizeof(ps));
	ps.doc = doc;
	ps.p = text;
	ps.end = text + len;
	ps.line = 1;
	ps.line_start = text;
	ps.err = err;
	if (len > FJ_MAX_INPUT)
	{
		snprintf(err->message, sizeof(err->message),
				 "input of %zu bytes is larger than the 1 GiB limit", len);
		return -1;
	}
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
	{
		snprintf(err->message, sizeof(err->message),
				 "malformed JSON: the input starts with a byte order mark (RFC 8259 §8.1)");
		return -1;
	}
	ps.stack = malloc(sizeof(frame) * FJ_MAX_DEPTH);
	doc->cap = (uint32_t) (len / 16 + 64);
	doc->nodes = malloc(sizeof(fj_node) * doc->cap);
	if (ps.stack == NULL || doc->nodes == NULL)
	{
		snprintf(err->message, sizeof(err->message), "out of memory");
		rc = -1;
	}
	else
		rc = run(&ps);
	free(ps.stack);
	free(ps.keys);
	return rc;
}

void
fj_free(fj_doc *doc)
{
	free(doc->text);
	free(doc->nodes);
	memset(doc, 0, sizeof(*doc));
}

/* ---------- access ---------- */

bool
fj_is(const fj_doc *d, uint32_t i, fj_type t)
{
	return i != FJ_NONE && fj_typeof(d, i) == t;
}

bool
fj_streq(const fj_doc *d, uint32_t i, const char *s)
{
	size_t		n = strlen(s);

	return fj_is(d, i, FJ_STRING) && fj_count(d, i) == n && memcmp(fj_str(d, i), s, n) == 0;
}

uint32_t
fj_get(const fj_doc *d, uint32_t obj, const char *key)
{
	size_t		n;
	uint32_t	k;
	uint32_t	count;

	if (!fj_is(d, obj, FJ_OBJECT))
		return FJ_NONE;
	n = strlen(key);
	count = fj_count(d, obj);
	k = obj + 1;
	for (uint32_t m = 0; m < count; m++)
	{
		if (fj_count(d, k) == n && (n == 0 || fj_str(d, k)[0] == key[0]) &&
			memcmp(fj_str(d, k), key, n) == 0)
			return k + 1;
		k = fj_next(d, k + 1);
	}
	return FJ_NONE;
}

uint32_t
fj_at(const fj_doc *d, uint32_t arr, uint32_t k)
{
	uint32_t	e;

	if (!fj_is(d, arr, FJ_ARRAY) || k >= fj_count(d, arr))
		return FJ_NONE;
	e = arr + 1;
	while (k-- > 0)
		e = fj_next(d, e);
	return e;
}

const char *
fj_type_noun(fj_type t)
{
	switch (t)
	{
		case FJ_NULL:
			return "null";
		case FJ_FALSE:
		case FJ_TRUE:
			return "a boolean";
		case FJ_NUMBER:
			return "a number";
		case FJ_STRING:
			return "a string";
		case FJ_ARRAY:
			return "an array";
		case FJ_OBJECT:
			return "an object";
	}
	return "a JSON value";
}

const char *
fj_noun(const fj_doc *d, uint32_t i)
{
	return i == FJ_NONE ? "(absent)" : fj_type_noun(fj_typeof(d, i));
}

bool
fj_uint63(const fj_doc *d, uint32_t i, uint64_t *out)
{
	const char *s;
	const char *end;
	char		digits[24];
	int			nd = 0;			/* significant digits kept */
	long		exp10 = 0;		/* value = digits * 10^exp10 */
	long		nfrac = 0;		/* digits written after the point */
	long		e = 0;			/* the exponent part */
	bool		neg = false;
	bool		seen_nonzero = false;
	uint64_t	v = 0;

	if (!fj_is(d, i, FJ_NUMBER))
		return false;
	s = fj_str(d, i);
	end = s + fj_count(d, i);
	if (*s == '-')
	{
		neg = true;
		s++;
	}
	/* integer and fraction digits (the parser checked the grammar) */
	for (bool frac = false; s < end && *s != 'e' && *s != 'E'; s++)
	{
		if (*s == '.')
		{
			frac = true;
			continue;
		}
		if (frac)
		{
			exp10--;
			nfrac++;
		}
		if (*s == '0' && !seen_nonzero)
			continue;
		seen_nonzero = true;
		if (nd == (int) sizeof(digits))
		{
			/* more than 24 significant digits: only trailing zeros may follow */
			if (*s != '0')
				return false;
			exp10++;
			continue;
		}
		digits[nd++] = *s;
	}
	if (s < end)
	{
		bool		eneg = false;

		s++;
		if (*s == '+' || *s == '-')
			eneg = (*s++ == '-');
		for (; s < end; s++)
			if (e < 100000)
				e = e * 10 + (*s - '0');
		if (eneg)
			e = -e;
		exp10 += e;
	}

	/*
	 * The server reads a number as jsonb's numeric, whose scale is the
	 * digits after the point less the exponent, and refuses one with a
	 * scale (numeric_out writes "7.0"): 22R51, 22R60.  So "7.0" and
	 * "70e-1" are not integers; "7", "7e0" and "0.7e1" are.
	 */
	if (nfrac - e > 0)
		return false;
	/* drop trailing zeros of the significant digits */
	while (nd > 0 && digits[nd - 1] == '0')
	{
		nd--;
		exp10++;
	}
	if (nd == 0)
	{
		*out = 0;				/* zero, in any spelling, "-0" included */
		return true;
	}
	if (neg || exp10 < 0 || nd + exp10 > 19)
		return false;
	for (int k = 0; k < nd; k++)
		v = v * 10 + (uint64_t) (digits[k] - '0');
	for (long k = 0; k < exp10; k++)
		v *= 10;				/* at most 19 digits in all: no overflow */
	if (v > (uint64_t) INT64_MAX)
		return false;
	*out = v;
	return true;
}

/* ---------- canonicalisation ---------- */

/* RFC 8785's type of each node type (indexed by fj_type; 7 is not used) */
static const jcs_type jcs_type_of[8] = {
	[FJ_NULL] = JCS_NULL, [FJ_FALSE] = JCS_FALSE, [FJ_TRUE] = JCS_TRUE,
	[FJ_NUMBER] = JCS_NUMBER, [FJ_STRING] = JCS_STRING, [FJ_ARRAY] = JCS_ARRAY,
	[FJ_OBJECT] = JCS_OBJECT, [7] = JCS_NULL
};

/*
 * Without a switch: the canonicaliser reads str and len of strings and
 * numbers, ref and count of arrays and objects, and nothing of the others,
 * so every field is set from the node alike (a switch on the type here, one
 * call per value, was a tenth of the hashing).
 */
static inline void
node_value(const fj_doc *d, uint32_t i, jcs_value *out)
{
	uint32_t	tl,
				t;

	tl = d->nodes[i].tl;
	t = tl & 7;
	out->type = jcs_type_of[t];
	out->str = (t == FJ_NUMBER || t == FJ_STRING) ? d->text + d->nodes[i].x : NULL;
	out->len = tl >> 3;
	out->count = tl >> 3;
	out->dbl = 0;
	out->ref = (const void *) (uintptr_t) (i + 1);	/* never NULL */
}

void
fj_jcs_value(const fj_doc *d, uint32_t i, jcs_value *out)
{
	if (i == FJ_NONE)
	{
		memset(out, 0, sizeof(*out));
		out->type = JCS_NULL;
		return;
	}
	node_value(d, i, out);
}

static bool
skipped(const fj_source *s, uint32_t container, uint32_t k)
{
	return container == s->skip_node && fj_streq(s->doc, k, s->skip_key);
}

uint32_t
fj_count_skipping(const fj_source *s, uint32_t i)
{
	const fj_doc *d = s->doc;
	uint32_t	n = 0;
	uint32_t	e = i + 1;
	bool		obj = fj_typeof(d, i) == FJ_OBJECT;

	if (i != s->skip_node)
		return fj_count(d, i);
	for (uint32_t k = 0; k < fj_count(d, i); k++)
	{
		if (!skipped(s, i, e))
			n++;
		e = obj ? fj_next(d, e + 1) : fj_next(d, e);
	}
	return n;
}

static void
source_value(const fj_source *s, uint32_t i, jcs_value *out)
{
	fj_jcs_value(s->doc, i, out);
	if (i == s->skip_node)
		out->count = fj_count_skipping(s, i);
}

static int
src_array_items(void *arg, const void *ref, size_t count, jcs_value *out)
{
	const fj_source *s = arg;
	const fj_doc *d = s->doc;
	uint32_t	i = (uint32_t) ((uintptr_t) ref - 1);
	uint32_t	e = i + 1;
	size_t		k = 0;

	for (uint32_t m = 0; m < fj_count(d, i); m++)
	{
		if (!skipped(s, i, e))
		{
			if (k == count)
				return -1;
			source_value(s, e, &out[k++]);
		}
		e = fj_next(d, e);
	}
	return k == count ? 0 : -1;
}

static int
src_object_members(void *arg, const void *ref, size_t count, jcs_member *out)
{
	const fj_source *s = arg;
	const fj_doc *d = s->doc;
	uint32_t	i = (uint32_t) ((uintptr_t) ref - 1);
	uint32_t	k = i + 1;
	size_t		n = 0;

	if (s->skip_node == FJ_NONE)
	{
		/* the common case, every value hashed whole: no skip test */
		if (count != fj_count(d, i))
			return -1;
		for (size_t m = 0; m < count; m++)
		{
			node_value(d, k, &out[m].key);
			node_value(d, k + 1, &out[m].value);
			k = fj_next(d, k + 1);
		}
		return 0;
	}

	for (uint32_t m = 0; m < fj_count(d, i); m++)
	{
		if (!skipped(s, i, k))
		{
			if (n == count)
				return -1;
			fj_jcs_value(d, k, &out[n].key);
			source_value(s, k + 1, &out[n].value);
			n++;
		}
		k = fj_next(d, k + 1);
	}
	return n == count ? 0 : -1;
}

const jcs_source *
fj_jcs_source_skipping(fj_source *s, const fj_doc *d, uint32_t node, const char *key)
{
	s->src.array_items = src_array_items;
	s->src.object_members = src_object_members;
	s->src.number_text = NULL;
	s->src.arg = s;
	s->doc = d;
	s->skip_node = node;
	s->skip_key = key;
	return &s->src;
}

const jcs_source *
fj_jcs_source(fj_source *s, const fj_doc *d)
{
	return fj_jcs_source_skipping(s, d, FJ_NONE, NULL);
}
