/*
 * util.c
 *		JSON paths, hash text and checked allocation for foray-verify.
 */
#include "util.h"

#include "jcs.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
fv_path_root(fv_path *p, const char *root)
{
	size_t		n = strlen(root);

	if (n >= FV_PATH_MAX)
		n = FV_PATH_MAX - 1;
	memcpy(p->s, root, n);
	p->s[n] = '\0';
	p->len = n;
}

/* append n bytes, keeping room for "..." when the path gets too long */
static void
append(fv_path *p, const char *s, size_t n)
{
	if (p->len + n + 4 >= FV_PATH_MAX)
	{
		if (p->len + 4 < FV_PATH_MAX)
		{
			memcpy(p->s + p->len, "...", 3);
			p->len += 3;
		}
		p->s[p->len] = '\0';
		return;
	}
	memcpy(p->s + p->len, s, n);
	p->len += n;
	p->s[p->len] = '\0';
}

size_t
fv_path_key(fv_path *p, const char *key, size_t len)
{
	size_t		old = p->len;
	char		buf[200];
	size_t		n = jcs_path_key(key, len, buf, sizeof(buf));

	append(p, buf, n);
	return old;
}

size_t
fv_path_index(fv_path *p, size_t index)
{
	size_t		old = p->len;
	char		buf[24];
	size_t		n = sizeof(buf);

	buf[--n] = ']';
	do
	{
		buf[--n] = (char) ('0' + index % 10);
		index /= 10;
	} while (index > 0);
	buf[--n] = '[';
	append(p, buf + n, sizeof(buf) - n);
	return old;
}

char *
fv_hex(const uint8_t *b, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char	   *s = fv_malloc(2 * n + 1);

	for (size_t i = 0; i < n; i++)
	{
		s[2 * i] = hex[b[i] >> 4];
		s[2 * i + 1] = hex[b[i] & 15];
	}
	s[2 * n] = '\0';
	return s;
}

void
fv_die(const char *fmt,...)
{
	va_list		ap;

	fputs("foray-verify: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(FV_EXIT_UNUSABLE);
}

void *
fv_malloc(size_t n)
{
	void	   *p = malloc(n ? n : 1);

	if (p == NULL)
		fv_die("out of memory (%zu bytes)", n);
	return p;
}

void *
fv_calloc(size_t n, size_t size)
{
	void	   *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		fv_die("out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *
fv_realloc(void *p, size_t n)
{
	void	   *q = realloc(p, n ? n : 1);

	if (q == NULL)
		fv_die("out of memory (%zu bytes)", n);
	return q;
}

char *
fv_strndup(const char *s, size_t n)
{
	char	   *d = fv_malloc(n + 1);

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *
fv_printf(const char *fmt,...)
{
	va_list		ap;
	int			n;
	char	   *s;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fv_die("could not format a message");
	s = fv_malloc((size_t) n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t) n + 1, fmt, ap);
	va_end(ap);
	return s;
}
