/*
 * jcs.c
 *		RFC 8785 canonical JSON: the value walker, strings, member order,
 *		output buffer and SHA-256 streaming.
 *
 * Memory: the context owns one member array per nesting level (reused from
 * call to call, so a warm context allocates nothing per node), the output
 * buffer used when hashing, the number scratch buffer and the error path.
 * All of it is released by jcs_ctx_free.
 */
#include "jcs.h"
#include "sha256.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Hash mode hands the output to SHA-256 whenever this much has piled up. */
#define FLUSH_AT		8192
#define PATH_MAX_LEN	1024
#define INPUT_MAX_LEN	64
#define SMALL_SORT		32
/* objects of at most SHAPE_MAX members, names of SHAPE_NAMES bytes in all */
#define SHAPE_MAX		16
#define SHAPE_NAMES		512

/*
 * The last objects written at one depth whose names could be kept (two: a
 * document's values alternate between shapes, each component's foray_core
 * and now and then its audit_data): its names in the source's order, the
 * permutation that sorts them, and each member's canonical text up to its
 * value, in canonical order ("{\"name\":" for the first, ",\"name\":" for
 * the others).  An object with exactly those names in that order (the next
 * foray_core of a document, the next row's details) is written from it: no
 * sorting, no comparisons, no escaping of its names.  The permutation and
 * the texts are made when a shape's names come a second time: an object
 * seen once leaves only its names (objects whose names never repeat, as in
 * small varied documents, paid a quarter of their hashing for shapes never
 * used).
 */
#define SHAPES			2
typedef struct shape
{
	size_t		n;				/* members; 0: nothing kept */
	bool		built;			/* perm and text are set (else only the names) */
	uint8_t		perm[SHAPE_MAX];	/* canonical position -> source position */
	uint16_t	name_off[SHAPE_MAX + 1];	/* names, source order */
	uint16_t	text_off[SHAPE_MAX + 1];	/* member prefixes, canonical order */
	char		names[SHAPE_NAMES];
	char		text[SHAPE_NAMES * 6 + 4 * SHAPE_MAX];
} shape;

typedef struct level
{
	jcs_member *items;
	size_t		cap;
	shape	   *shapes[SHAPES];	/* most recently used first; allocated on first use */
} level;

/* one step of the error path, recorded while unwinding */
typedef struct path_step
{
	const char *key;			/* NULL: array index */
	size_t		keylen;
	size_t		index;
} path_step;

struct jcs_ctx
{
	const jcs_source *src;
	int			flags;
	jcs_buf    *out;			/* where text goes */
	jcs_buf		hashbuf;		/* hash mode: pending bytes */
	int			fault;			/* why room() failed */
	bool		hashing;
	jcs_sha256	sha;
	bool		sha_open;
	jcs_buf		numtext;		/* number_text scratch */
	level		levels[JCS_MAX_DEPTH + 1];
	/* error report */
	path_step  *steps;
	size_t		nsteps;
	size_t		capsteps;
	bool		steps_overflow;
	char		path[PATH_MAX_LEN + 8];
	char		input[INPUT_MAX_LEN + 8];
};

/* ---------- buffers ---------- */

int
jcs_buf_reserve(jcs_buf *b, size_t extra)
{
	size_t		need;
	size_t		ncap;
	char	   *nd;

	if (extra > SIZE_MAX - b->len)
		return -1;
	need = b->len + extra;
	if (need <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 256;
	while (ncap < need)
	{
		if (ncap > SIZE_MAX / 2)
		{
			ncap = need;
			break;
		}
		ncap *= 2;
	}
	nd = realloc(b->data, ncap);
	if (nd == NULL)
		return -1;
	b->data = nd;
	b->cap = ncap;
	return 0;
}

int
jcs_buf_append(jcs_buf *b, const char *data, size_t n)
{
	if (jcs_buf_reserve(b, n) != 0)
		return -1;
	if (n)
		memcpy(b->data + b->len, data, n);
	b->len += n;
	return 0;
}

void
jcs_buf_free(jcs_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
jcs_hash_text(const uint8_t digest[32], char *out)
{
	static const char hex[] = "0123456789abcdef";

	memcpy(out, "sha256:", 7);
	for (int i = 0; i < 32; i++)
	{
		out[7 + 2 * i] = hex[digest[i] >> 4];
		out[8 + 2 * i] = hex[digest[i] & 15];
	}
	out[JCS_HASH_TEXT_LEN] = '\0';
}

/* hex digit values + 1; 0 for anything but 0-9 a-f */
static const int8_t hexval[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7,
	['7'] = 8, ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13,
	['d'] = 14, ['e'] = 15, ['f'] = 16
};

bool
jcs_hash_parse(const char *s, size_t len, uint8_t digest[32])
{
	if (len != JCS_HASH_TEXT_LEN || memcmp(s, "sha256:", 7) != 0)
		return false;
	for (int i = 0; i < 32; i++)
	{
		int			hi = hexval[(unsigned char) s[7 + 2 * i]];
		int			lo = hexval[(unsigned char) s[8 + 2 * i]];

		if (hi == 0 || lo == 0)
			return false;
		digest[i] = (uint8_t) (((hi - 1) << 4) | (lo - 1));
	}
	return true;
}

const char *
jcs_strerror(jcs_status code)
{
	switch (code)
	{
		case JCS_OK:
			return "success";
		case JCS_ERR_NOMEM:
			return "out of memory";
		case JCS_ERR_NUMBER_SYNTAX:
			return "invalid number syntax";
		case JCS_ERR_NUMBER_RANGE:
			return "number is not a finite IEEE-754 double";
		case JCS_ERR_NUMBER_CHANGED:
			return "number would change value when canonicalised";
		case JCS_ERR_UTF8:
			return "invalid UTF-8";
		case JCS_ERR_DEPTH:
			return "nesting too deep";
		case JCS_ERR_DUPLICATE_KEY:
			return "duplicate object member name";
		case JCS_ERR_SOURCE:
			return "value source failed";
		case JCS_ERR_HASH:
			return "SHA-256 failed";
		case JCS_ERR_BAD_VALUE:
			return "malformed value";
	}
	return "unknown error";
}

/* ---------- context ---------- */

jcs_ctx *
jcs_ctx_new(void)
{
	jcs_ctx    *ctx = calloc(1, sizeof(jcs_ctx));

	return ctx;
}

void
jcs_ctx_free(jcs_ctx *ctx)
{
	if (ctx == NULL)
		return;
	for (int i = 0; i <= JCS_MAX_DEPTH; i++)
	{
		free(ctx->levels[i].items);
		for (int k = 0; k < SHAPES; k++)
			free(ctx->levels[i].shapes[k]);
	}
	jcs_buf_free(&ctx->hashbuf);
	jcs_buf_free(&ctx->numtext);
	free(ctx->steps);
	if (ctx->sha_open)
		jcs_sha256_close(&ctx->sha);
	free(ctx);
}

const char *
jcs_error_path(const jcs_ctx *ctx)
{
	return ctx->path;
}

const char *
jcs_error_input(const jcs_ctx *ctx)
{
	return ctx->input;
}

static inline size_t utf8_seq(const unsigned char *s, size_t avail, uint32_t *cp);

static void
note_step(jcs_ctx *ctx, const char *key, size_t keylen, size_t index)
{
	if (ctx->nsteps == ctx->capsteps)
	{
		size_t		ncap = ctx->capsteps ? ctx->capsteps * 2 : 16;
		path_step  *ns = realloc(ctx->steps, ncap * sizeof(path_step));

		if (ns == NULL)
		{
			ctx->steps_overflow = true;
			return;
		}
		ctx->steps = ns;
		ctx->capsteps = ncap;
	}
	ctx->steps[ctx->nsteps].key = key;
	ctx->steps[ctx->nsteps].keylen = keylen;
	ctx->steps[ctx->nsteps].index = index;
	ctx->nsteps++;
}

static bool
is_identifier(const char *k, size_t n)
{
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++)
	{
		unsigned char c = (unsigned char) k[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
			  (i > 0 && c >= '0' && c <= '9')))
			return false;
	}
	return true;
}

/* Render one path step ("[2]", ".name" or ["odd name"]) into buf; returns its length. */
static size_t
render_step(const path_step *st, char *buf, size_t cap)
{
	char	   *p = buf;
	char	   *end = buf + cap - 1;

	if (st->key == NULL)
		return (size_t) snprintf(buf, cap, "[%zu]", st->index);
	if (is_identifier(st->key, st->keylen) && st->keylen + 2 <= cap)
	{
		/* ".name" (no formatting: foray-verify writes paths for every member) */
		buf[0] = '.';
		memcpy(buf + 1, st->key, st->keylen);
		buf[st->keylen + 1] = '\0';
		return st->keylen + 1;
	}
	/* ["name"], escaping quote, backslash and controls; long names cut */
	*p++ = '[';
	*p++ = '"';
	for (size_t i = 0; i < st->keylen && end - p > 12; i++)
	{
		unsigned char c = (unsigned char) st->key[i];

		if (i == 64)
		{
			memcpy(p, "...", 3);
			p += 3;
			break;
		}
		if (c == '"' || c == '\\')
		{
			*p++ = '\\';
			*p++ = (char) c;
		}
		else if (c < 0x20 || c == 0x7f)
			p += snprintf(p, end - p, "\\u%04x", c);
		else if (c >= 0x80)
		{
			/* valid UTF-8 as is; a byte of invalid UTF-8 as \xNN */
			uint32_t	cp;
			size_t		n = utf8_seq((const unsigned char *) st->key + i,
									 st->keylen - i, &cp);

			if (n == 0)
				p += snprintf(p, end - p, "\\x%02x", c);
			else
			{
				memcpy(p, st->key + i, n);
				p += n;
				i += n - 1;
			}
		}
		else
			*p++ = (char) c;
	}
	*p++ = '"';
	*p++ = ']';
	*p = '\0';
	return (size_t) (p - buf);
}

size_t
jcs_path_key(const char *key, size_t keylen, char *buf, size_t cap)
{
	path_step	st = {key, keylen, 0};

	if (cap < 160)
	{
		if (cap > 0)
			buf[0] = '\0';
		return 0;
	}
	return render_step(&st, buf, cap);
}

/*
 * Build "$.a[2]["odd key"]" from the steps (recorded innermost first).  A
 * long path keeps its outer steps and its last steps: "$.a[0][0]...[0][3]".
 */
#define PATH_HEAD	120
#define PATH_TAIL	100
static void
build_path(jcs_ctx *ctx)
{
	char		step[160];
	char		tail[PATH_TAIL + 200];
	size_t		plen = 1,
				tlen = 0;
	size_t		s = ctx->nsteps;	/* next step to render, outermost first */
	size_t		last = 0;		/* steps [0, last) go to the tail */

	ctx->path[0] = '$';
	/* head: outermost steps while they fit */
	while (s > 0)
	{
		size_t		n = render_step(&ctx->steps[s - 1], step, sizeof(step));

		if (plen + n > PATH_HEAD)
			break;
		memcpy(ctx->path + plen, step, n);
		plen += n;
		s--;
	}
	/* tail: innermost steps, prepended, while they fit */
	while (last < s)
	{
		size_t		n = render_step(&ctx->steps[last], step, sizeof(step));

		if (tlen + n > PATH_TAIL)
			break;
		memmove(tail + n, tail, tlen);
		memcpy(tail, step, n);
		tlen += n;
		last++;
	}
	if (last < s || ctx->steps_overflow)
	{
		memcpy(ctx->path + plen, "...", 3);
		plen += 3;
	}
	memcpy(ctx->path + plen, tail, tlen);
	plen += tlen;
	ctx->path[plen] = '\0';
}

/* ---------- output ---------- */

/*
 * Room for n more bytes at the end of the output.  When hashing, the
 * output is a buffer of FLUSH_AT bytes whose pending bytes go to SHA-256
 * whenever the next write would not fit, so the text passes through one
 * small buffer that stays in the cache (it grows only for a write longer
 * than itself); otherwise the buffer grows.  NULL on a failure (ctx->fault
 * says which).
 */
static char *
room_slow(jcs_ctx *ctx, size_t n)
{
	jcs_buf    *b = ctx->out;

	if (ctx->hashing && b == &ctx->hashbuf && b->len > 0)
	{
		if (jcs_sha256_update(&ctx->sha, b->data, b->len) != 0)
		{
			ctx->fault = JCS_ERR_HASH;
			return NULL;
		}
		b->len = 0;
	}
	if (b->cap - b->len < n && jcs_buf_reserve(b, n) != 0)
	{
		ctx->fault = JCS_ERR_NOMEM;
		return NULL;
	}
	return b->data + b->len;
}

static inline char *
room(jcs_ctx *ctx, size_t n)
{
	jcs_buf    *b = ctx->out;

	if (b->cap - b->len >= n)
		return b->data + b->len;
	return room_slow(ctx, n);
}

/* memcpy for the short texts written most (names, numbers): no call below 17 bytes */
static inline void
copy_short(char *w, const char *s, size_t n)
{
	uint64_t	x,
				y;
	uint32_t	u,
				v;

	if (n > 16)
		memcpy(w, s, n);
	else if (n >= 8)
	{
		memcpy(&x, s, 8);
		memcpy(&y, s + n - 8, 8);
		memcpy(w, &x, 8);
		memcpy(w + n - 8, &y, 8);
	}
	else if (n >= 4)
	{
		memcpy(&u, s, 4);
		memcpy(&v, s + n - 4, 4);
		memcpy(w, &u, 4);
		memcpy(w + n - 4, &v, 4);
	}
	else
		for (size_t i = 0; i < n; i++)
			w[i] = s[i];
}

static inline int
put(jcs_ctx *ctx, const char *s, size_t n)
{
	char	   *w = room(ctx, n);

	if (w == NULL)
		return ctx->fault;
	copy_short(w, s, n);
	ctx->out->len += n;
	return JCS_OK;
}

static inline int
putc1(jcs_ctx *ctx, char c)
{
	char	   *w = room(ctx, 1);

	if (w == NULL)
		return ctx->fault;
	*w = c;
	ctx->out->len++;
	return JCS_OK;
}

/* ---------- strings ---------- */

/*
 * Length of the valid UTF-8 sequence starting at s[0] (a byte >= 0x80), or 0.
 * Refuses overlong forms, surrogates (U+D800..U+DFFF) and values above
 * U+10FFFF (RFC 3629).
 */
static inline size_t
utf8_seq(const unsigned char *s, size_t avail, uint32_t *cp)
{
	unsigned char c = s[0];

	if (c >= 0xC2 && c <= 0xDF)
	{
		if (avail < 2 || (s[1] & 0xC0) != 0x80)
			return 0;
		*cp = ((uint32_t) (c & 0x1F) << 6) | (s[1] & 0x3F);
		return 2;
	}
	if (c >= 0xE0 && c <= 0xEF)
	{
		if (avail < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && s[1] < 0xA0)
			return 0;			/* overlong */
		if (c == 0xED && s[1] >= 0xA0)
			return 0;			/* surrogate */
		*cp = ((uint32_t) (c & 0x0F) << 12) | ((uint32_t) (s[1] & 0x3F) << 6) | (s[2] & 0x3F);
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4)
	{
		if (avail < 4 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 ||
			(s[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && s[1] < 0x90)
			return 0;			/* overlong */
		if (c == 0xF4 && s[1] >= 0x90)
			return 0;			/* above U+10FFFF */
		*cp = ((uint32_t) (c & 0x07) << 18) | ((uint32_t) (s[1] & 0x3F) << 12) |
			((uint32_t) (s[2] & 0x3F) << 6) | (s[3] & 0x3F);
		return 4;
	}
	return 0;
}

/* which ASCII bytes need an escape: 0 none, else the escape letter or 'u' */
static const char esc_table[128] = {
	'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'b', 't', 'n', 'u', 'f', 'r', 'u', 'u',
	'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
	0, 0, '"', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '\\', 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* SWAR helpers: a byte of x is zero / x has a byte below n (for n <= 0x80) */
#define ONES		UINT64_C(0x0101010101010101)
static inline uint64_t
has_zero(uint64_t x)
{
	return (x - ONES) & ~x;
}

/* none of the eight bytes of x is below 0x20, '"', '\\' or above 0x7F */
static inline bool
plain8(uint64_t x)
{
	return (((x - ONES * 0x20) | has_zero(x ^ (ONES * '"')) |
			 has_zero(x ^ (ONES * '\\')) | x) & (ONES * 0x80)) == 0;
}

/*
 * RFC 8785 section 3.2.2.2: '"' and '\' escaped, U+0008/09/0A/0C/0D as
 * \b \t \n \f \r, other controls below U+0020 as \u00xx (lowercase hex),
 * everything else (including U+007F and all non-ASCII) as raw UTF-8.
 */
static int
put_string(jcs_ctx *ctx, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *) str;
	size_t		i = 0;
	char	   *w;

	/* worst case: every byte becomes \u00xx */
	if (len > (SIZE_MAX - 2) / 6)
		return JCS_ERR_NOMEM;
	if ((w = room(ctx, len * 6 + 2)) == NULL)
		return ctx->fault;
	*w++ = '"';
	if (len >= 4 && len < 8)
	{
		/* a short plain string ("USD", "payment"): its first and last four bytes */
		uint32_t	u,
					v;

		memcpy(&u, s, 4);
		memcpy(&v, s + len - 4, 4);
		if (plain8((uint64_t) u | ((uint64_t) v << 32)))
		{
			memcpy(w, &u, 4);
			memcpy(w + len - 4, &v, 4);
			i = len;
			w += len;
		}
	}
	while (i < len)
	{
		unsigned char c;

		/* eight plain ASCII bytes at a time */
		while (len - i >= 8)
		{
			uint64_t	x;

			memcpy(&x, s + i, 8);
			if (!plain8(x))
				break;
			memcpy(w, s + i, 8);
			w += 8;
			i += 8;
		}
		if (i >= len)
			break;

		/*
		 * Fewer than eight left: when the last eight bytes are plain, copy
		 * them whole.  Those before i were plain too, so they were written
		 * as they are and end the output: they are written again, the same.
		 */
		if (len - i < 8 && len >= 8)
		{
			uint64_t	x;

			memcpy(&x, s + len - 8, 8);
			if (plain8(x))
			{
				memcpy(w - (8 - (len - i)), s + len - 8, 8);
				w += len - i;
				break;
			}
		}
		c = s[i];

		if (c < 0x80)
		{
			char		e = esc_table[c];

			if (e == 0)
			{
				*w++ = (char) c;
				i++;
				continue;
			}
			*w++ = '\\';
			if (e == 'u')
			{
				*w++ = 'u';
				*w++ = '0';
				*w++ = '0';
				*w++ = hex[c >> 4];
				*w++ = hex[c & 15];
			}
			else
				*w++ = e;
			i++;
		}
		else
		{
			uint32_t	cp;
			size_t		n = utf8_seq(s + i, len - i, &cp);

			if (n == 0)
				return JCS_ERR_UTF8;
			memcpy(w, s + i, n);
			w += n;
			i += n;
		}
	}
	*w++ = '"';
	ctx->out->len = (size_t) (w - ctx->out->data);
	return JCS_OK;
}

/* ---------- member order ---------- */

static inline uint32_t
decode_at(const unsigned char *s, size_t len, size_t i)
{
	uint32_t	cp = 0;

	if (s[i] < 0x80)
		return s[i];
	if (utf8_seq(s + i, len - i, &cp) == 0)
		return 0xFFFFFFFF;		/* invalid: caught when the name is printed */
	return cp;
}

/*
 * UTF-16 code-unit order.  UTF-8 byte order equals code-point order, which
 * equals UTF-16 order except that a supplementary character (a surrogate
 * pair, first unit 0xD800..0xDBFF) sorts before U+E000..U+FFFF.
 */
int
jcs_compare_names(const char *a, size_t alen, const char *b, size_t blen)
{
	const unsigned char *x = (const unsigned char *) a;
	const unsigned char *y = (const unsigned char *) b;
	size_t		n = alen < blen ? alen : blen;
	size_t		i = 0;
	size_t		j;
	uint32_t	ca,
				cb;

	while (i < n && x[i] == y[i])
		i++;
	if (i == n)
		return (alen > blen) - (alen < blen);
	if (x[i] < 0x80 || y[i] < 0x80)
		return (int) x[i] - (int) y[i];
	/* back up to the start of the differing characters (same in both) */
	j = i;
	while (j > 0 && (x[j] & 0xC0) == 0x80)
		j--;
	ca = decode_at(x, alen, j);
	cb = decode_at(y, blen, j);
	if (ca == 0xFFFFFFFF || cb == 0xFFFFFFFF)
		return (int) x[i] - (int) y[i];	/* invalid UTF-8: refused when printed */
	if ((ca >= 0x10000) != (cb >= 0x10000))
	{
		/* one supplementary (lead surrogate 0xD800..0xDBFF) vs one BMP */
		uint32_t	ua = ca >= 0x10000 ? 0xD800 : ca;
		uint32_t	ub = cb >= 0x10000 ? 0xD800 : cb;

		if (ua != ub)
			return ua < ub ? -1 : 1;
	}
	return ca < cb ? -1 : (ca > cb ? 1 : 0);
}

static int
member_cmp(const void *pa, const void *pb)
{
	const jcs_member *a = pa;
	const jcs_member *b = pb;

	return jcs_compare_names(a->key.str, a->key.len, b->key.str, b->key.len);
}

static void
sort_members(jcs_member *m, size_t n)
{
	if (n > SMALL_SORT)
	{
		qsort(m, n, sizeof(jcs_member), member_cmp);
		return;
	}
	for (size_t i = 1; i < n; i++)
	{
		jcs_member	t = m[i];
		size_t		j = i;

		while (j > 0 && member_cmp(&m[j - 1], &t) > 0)
		{
			m[j] = m[j - 1];
			j--;
		}
		m[j] = t;
	}
}

/* ---------- the walk ---------- */

static int	put_value(jcs_ctx *ctx, const jcs_value *v, int depth);

/* an element or member value: strings, the most frequent, without the dispatch */
static inline int
put_child(jcs_ctx *ctx, const jcs_value *v, int depth)
{
	if (v->type == JCS_STRING)
		return put_string(ctx, v->str, v->len);
	return put_value(ctx, v, depth);
}

static void
note_input(jcs_ctx *ctx, const char *s, size_t n)
{
	size_t		m = n > INPUT_MAX_LEN ? INPUT_MAX_LEN : n;

	memcpy(ctx->input, s, m);
	if (m < n)
		memcpy(ctx->input + m, "...", 4);
	else
		ctx->input[m] = '\0';
}

/*
 * A number text that is its own canonical form: [-]int[.frac] with no
 * exponent, no leading zeros, no zero ending the fraction, at most 15
 * significant digits and, below 1, at most five zeros after the point
 * (ECMAScript writes 0.0000001 as 1e-7); not "-0".  Such a decimal is the
 * shortest round trip of its nearest double and prints as it is written
 * (jcs_number.c, its fast path): "26.93", "0.0825", "-7", "100.5".
 */
static inline bool
number_is_canonical(const char *t, size_t len)
{
	size_t		i = 0,
				int_len = 0,
				frac_start,
				zeros = 0;

	if (len == 0 || len > 24)
		return false;
	if (t[0] == '-')
		i = 1;
	if (i == len)
		return false;
	if (t[i] == '0')
		i++;
	else
	{
		while (i < len && t[i] >= '0' && t[i] <= '9')
			i++;
		int_len = i - (t[0] == '-');
		if (int_len == 0 || int_len > 15)
			return false;
	}
	if (i == len)
		return int_len > 0 || t[0] != '-';	/* "0", not "-0" */
	if (t[i] != '.')
		return false;
	frac_start = ++i;
	while (i < len && t[i] >= '0' && t[i] <= '9')
		i++;
	if (i != len || i == frac_start || t[len - 1] == '0')
		return false;
	if (int_len > 0)
		return int_len + (len - frac_start) <= 15;
	while (t[frac_start + zeros] == '0')
		zeros++;
	return zeros <= 5 && len - frac_start - zeros <= 15;
}

static int
put_number(jcs_ctx *ctx, const jcs_value *v)
{
	char		out[JCS_NUMBER_MAX];
	size_t		outlen;
	bool		changed = false;
	jcs_status	st;
	const char *text = v->str;
	size_t		len = v->len;

	if (v->type == JCS_DOUBLE)
	{
		st = jcs_format_double(v->dbl, out, &outlen);
		if (st != JCS_OK)
		{
			snprintf(ctx->input, sizeof(ctx->input), "%g", v->dbl);
			return st;
		}
		return put(ctx, out, outlen);
	}
	if (text == NULL)
	{
		if (ctx->src->number_text == NULL)
			return JCS_ERR_BAD_VALUE;
		ctx->numtext.len = 0;
		if (ctx->src->number_text(ctx->src->arg, v->ref, &ctx->numtext) != 0)
			return JCS_ERR_SOURCE;
		text = ctx->numtext.data;
		len = ctx->numtext.len;
	}
	if (number_is_canonical(text, len))
		return put(ctx, text, len);
	st = jcs_number(text, len, out, &outlen, &changed);
	if (st == JCS_OK && changed && (ctx->flags & JCS_STRICT_NUMBERS))
		st = JCS_ERR_NUMBER_CHANGED;
	if (st != JCS_OK)
	{
		note_input(ctx, text, len);
		return st;
	}
	return put(ctx, out, outlen);
}

static level *
level_items(jcs_ctx *ctx, int depth, size_t count)
{
	level	   *lv = &ctx->levels[depth];

	if (count > lv->cap)
	{
		size_t		ncap = lv->cap ? lv->cap : 8;
		jcs_member *ni;

		while (ncap < count)
		{
			if (ncap > SIZE_MAX / 2 / sizeof(jcs_member))
				return NULL;
			ncap *= 2;
		}
		ni = realloc(lv->items, ncap * sizeof(jcs_member));
		if (ni == NULL)
			return NULL;
		lv->items = ni;
		lv->cap = ncap;
	}
	return lv;
}

static int
put_array(jcs_ctx *ctx, const jcs_value *v, int depth)
{
	level	   *lv;
	jcs_value  *vals;
	int			st;

	if (v->count == 0)
		return put(ctx, "[]", 2);
	if ((lv = level_items(ctx, depth, v->count)) == NULL)
		return JCS_ERR_NOMEM;
	/* jcs_member is larger than jcs_value: reuse the level's storage */
	vals = (jcs_value *) lv->items;
	if (ctx->src->array_items(ctx->src->arg, v->ref, v->count, vals) != 0)
		return JCS_ERR_SOURCE;
	if ((st = putc1(ctx, '[')) != JCS_OK)
		return st;
	for (size_t i = 0; i < v->count; i++)
	{
		/* the level array cannot move while deeper levels run */
		jcs_value	elem = ((jcs_value *) ctx->levels[depth].items)[i];

		if (i > 0 && (st = putc1(ctx, ',')) != JCS_OK)
			return st;
		if ((st = put_child(ctx, &elem, depth + 1)) != JCS_OK)
		{
			note_step(ctx, NULL, 0, i);
			return st;
		}
	}
	return putc1(ctx, ']');
}

/*
 * a[0..n) equals b[0..n): short names without a call to memcmp, in words
 * (the last word may overlap the one before; nothing is read past n)
 */
static inline bool
same_bytes(const char *a, const char *b, size_t n)
{
	uint64_t	x,
				y;
	uint32_t	u,
				v;

	if (n >= 8)
	{
		for (size_t i = 0; i + 8 < n; i += 8)
		{
			memcpy(&x, a + i, 8);
			memcpy(&y, b + i, 8);
			if (x != y)
				return false;
		}
		memcpy(&x, a + n - 8, 8);
		memcpy(&y, b + n - 8, 8);
		return x == y;
	}
	if (n >= 4)
	{
		memcpy(&u, a, 4);
		memcpy(&v, b, 4);
		if (u != v)
			return false;
		memcpy(&u, a + n - 4, 4);
		memcpy(&v, b + n - 4, 4);
		return u == v;
	}
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/* the members m[0..n) have the shape's names, in its source order */
static bool
shape_matches(const shape *sh, const jcs_member *m, size_t n)
{
	if (sh == NULL || sh->n != n)
		return false;
	for (size_t i = 0; i < n; i++)
	{
		size_t		len = (size_t) (sh->name_off[i + 1] - sh->name_off[i]);

		if (m[i].key.type != JCS_STRING || m[i].key.len != len ||
			!same_bytes(m[i].key.str, sh->names + sh->name_off[i], len))
			return false;
	}
	return true;
}

/* a kept shape of level lv for the members m[0..n), moved to the front; NULL if none */
static shape *
shape_find(level *lv, const jcs_member *m, size_t n)
{
	for (int k = 0; k < SHAPES; k++)
		if (shape_matches(lv->shapes[k], m, n))
		{
			shape	   *sh = lv->shapes[k];

			memmove(&lv->shapes[1], &lv->shapes[0], k * sizeof(shape *));
			lv->shapes[0] = sh;
			return sh;
		}
	return NULL;
}

/*
 * Note the names of an object just written (src[] and lens[], source
 * order) as a shape of its level, replacing the least recently used one;
 * nothing when they do not fit.
 */
static void
shape_note(level *lv, const char *const *src, const size_t *lens, size_t n)
{
	shape	   *sh = lv->shapes[SHAPES - 1];
	size_t		total = 0;

	if (n == 0 || n > SHAPE_MAX)
		return;
	for (size_t i = 0; i < n; i++)
		total += lens[i];
	if (total > SHAPE_NAMES)
		return;
	if (sh == NULL && (sh = malloc(sizeof(shape))) == NULL)
		return;
	memmove(&lv->shapes[1], &lv->shapes[0], (SHAPES - 1) * sizeof(shape *));
	lv->shapes[0] = sh;
	sh->built = false;
	sh->name_off[0] = 0;
	for (size_t i = 0; i < n; i++)
	{
		memcpy(sh->names + sh->name_off[i], src[i], lens[i]);
		sh->name_off[i + 1] = (uint16_t) (sh->name_off[i] + lens[i]);
	}
	sh->n = n;
}

/*
 * Complete a noted shape whose names came again: src[] its names in source
 * order (this object's), m[0..n) its members sorted.  The shape is dropped
 * if that fails.
 */
static void
shape_build(jcs_ctx *ctx, shape *sh, const char *const *src, const size_t *lens,
			const jcs_member *m, size_t n)
{
	jcs_buf		text;
	jcs_buf    *saved = ctx->out;
	int			st = JCS_OK;

	/* the texts fit: at most 6 bytes per name byte, quotes, a separator and a colon */
	text.data = sh->text;
	text.len = 0;
	text.cap = sizeof(sh->text);
	ctx->out = &text;
	sh->text_off[0] = 0;
	for (size_t j = 0; j < n && st == JCS_OK; j++)
	{
		size_t		i = 0;

		/* an empty name may share its pointer with the next: compare lengths too */
		while (i < n && (src[i] != m[j].key.str || lens[i] != m[j].key.len))
			i++;
		if (i == n)
			st = JCS_ERR_BAD_VALUE;		/* cannot happen: the same members */
		else
		{
			sh->perm[j] = (uint8_t) i;
			st = putc1(ctx, j == 0 ? '{' : ',');
			if (st == JCS_OK)
				st = put_string(ctx, m[j].key.str, m[j].key.len);
			if (st == JCS_OK)
				st = putc1(ctx, ':');
			sh->text_off[j + 1] = (uint16_t) text.len;
		}
	}
	ctx->out = saved;
	if (st == JCS_OK && text.data == sh->text)
		sh->built = true;
	else
		sh->n = 0;
}

static int
put_object(jcs_ctx *ctx, const jcs_value *v, int depth)
{
	level	   *lv;
	jcs_member *m;
	shape	   *sh;
	int			st;
	const char *src[SHAPE_MAX];
	size_t		lens[SHAPE_MAX];

	if (v->count == 0)
		return put(ctx, "{}", 2);
	if ((lv = level_items(ctx, depth, v->count)) == NULL)
		return JCS_ERR_NOMEM;
	m = lv->items;
	if (ctx->src->object_members(ctx->src->arg, v->ref, v->count, m) != 0)
		return JCS_ERR_SOURCE;
	if ((sh = shape_find(lv, m, v->count)) != NULL && sh->built)
	{
		/* sh stays valid: deeper objects keep their shapes at deeper levels */
		for (size_t j = 0; j < v->count; j++)
		{
			const jcs_member *mem = &m[sh->perm[j]];

			if ((st = put(ctx, sh->text + sh->text_off[j],
						  (size_t) (sh->text_off[j + 1] - sh->text_off[j]))) != JCS_OK ||
				(st = put_child(ctx, &mem->value, depth + 1)) != JCS_OK)
			{
				note_step(ctx, mem->key.str, mem->key.len, 0);
				return st;
			}
		}
		return putc1(ctx, '}');
	}
	for (size_t i = 0; i < v->count; i++)
	{
		if (m[i].key.type != JCS_STRING)
			return JCS_ERR_BAD_VALUE;
		if (i < SHAPE_MAX)
		{
			src[i] = m[i].key.str;
			lens[i] = m[i].key.len;
		}
	}
	sort_members(m, v->count);
	if ((st = putc1(ctx, '{')) != JCS_OK)
		return st;
	for (size_t i = 0; i < v->count; i++)
	{
		jcs_member	mem = m[i];

		if (i > 0)
		{
			if (member_cmp(&m[i - 1], &mem) == 0)
			{
				note_step(ctx, mem.key.str, mem.key.len, 0);
				return JCS_ERR_DUPLICATE_KEY;
			}
			if ((st = putc1(ctx, ',')) != JCS_OK)
				return st;
		}
		if ((st = put_string(ctx, mem.key.str, mem.key.len)) != JCS_OK ||
			(st = putc1(ctx, ':')) != JCS_OK ||
			(st = put_child(ctx, &mem.value, depth + 1)) != JCS_OK)
		{
			note_step(ctx, mem.key.str, mem.key.len, 0);
			return st;
		}
	}
	if ((st = putc1(ctx, '}')) != JCS_OK)
		return st;
	/* the members' values were written at depth + 1: this level's items and shapes stand */
	if (sh != NULL)
		shape_build(ctx, sh, src, lens, m, v->count);
	else
		shape_note(lv, src, lens, v->count);
	return JCS_OK;
}

static int
put_value(jcs_ctx *ctx, const jcs_value *v, int depth)
{
	int			st;

	switch (v->type)
	{
		case JCS_NULL:
			st = put(ctx, "null", 4);
			break;
		case JCS_TRUE:
			st = put(ctx, "true", 4);
			break;
		case JCS_FALSE:
			st = put(ctx, "false", 5);
			break;
		case JCS_NUMBER:
		case JCS_DOUBLE:
			st = put_number(ctx, v);
			break;
		case JCS_STRING:
			st = put_string(ctx, v->str, v->len);
			break;
		case JCS_ARRAY:
		case JCS_OBJECT:
			if (depth >= JCS_MAX_DEPTH)
				return JCS_ERR_DEPTH;
			st = (v->type == JCS_ARRAY) ? put_array(ctx, v, depth) : put_object(ctx, v, depth);
			break;
		default:
			return JCS_ERR_BAD_VALUE;
	}
	return st;
}

static void
begin(jcs_ctx *ctx, const jcs_source *src, int flags)
{
	ctx->src = src;
	ctx->flags = flags;
	ctx->nsteps = 0;
	ctx->steps_overflow = false;
	ctx->path[0] = '\0';
	ctx->input[0] = '\0';
}

static jcs_status
finish(jcs_ctx *ctx, int st)
{
	if (st != JCS_OK)
		build_path(ctx);
	return (jcs_status) st;
}

jcs_status
jcs_canonicalize(jcs_ctx *ctx, const jcs_source *src, const jcs_value *root,
				 int flags, jcs_buf *out)
{
	begin(ctx, src, flags);
	ctx->hashing = false;
	ctx->out = out;
	return finish(ctx, put_value(ctx, root, 0));
}

jcs_status
jcs_hash(jcs_ctx *ctx, const jcs_source *src, const jcs_value *root,
		 int flags, uint8_t digest[32])
{
	int			st;

	begin(ctx, src, flags);
	if (!ctx->sha_open)
	{
		if (jcs_sha256_open(&ctx->sha) != 0)
			return finish(ctx, JCS_ERR_HASH);
		ctx->sha_open = true;
	}
	if (jcs_sha256_init(&ctx->sha) != 0)
		return finish(ctx, JCS_ERR_HASH);
	ctx->hashing = true;
	ctx->hashbuf.len = 0;
	if (ctx->hashbuf.cap < FLUSH_AT && jcs_buf_reserve(&ctx->hashbuf, FLUSH_AT) != 0)
		return finish(ctx, JCS_ERR_NOMEM);
	ctx->out = &ctx->hashbuf;
	st = put_value(ctx, root, 0);
	if (st == JCS_OK &&
		(jcs_sha256_update(&ctx->sha, ctx->hashbuf.data, ctx->hashbuf.len) != 0 ||
		 jcs_sha256_final(&ctx->sha, digest) != 0))
		st = JCS_ERR_HASH;
	ctx->hashing = false;
	ctx->hashbuf.len = 0;
	return finish(ctx, st);
}
