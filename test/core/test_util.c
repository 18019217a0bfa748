/*
 * test_util.c
 *		Helpers of the core unit tests (see test_util.h).
 */
#include "test_util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

int			tu_passed = 0;
int			tu_failed = 0;

void
check(int cond, const char *fmt, const char *arg)
{
	char		msg[1024];

	snprintf(msg, sizeof(msg), fmt, arg);
	if (cond)
	{
		tu_passed++;
		printf("ok %d - %s\n", tu_passed + tu_failed, msg);
	}
	else
	{
		tu_failed++;
		printf("not ok %d - %s\n", tu_passed + tu_failed, msg);
	}
}

size_t
hex_decode(const char *hex, uint8_t *out, size_t max)
{
	size_t		n = strlen(hex) / 2;
	size_t		i;

	if (n > max)
		n = max;
	for (i = 0; i < n; i++)
	{
		unsigned int b;

		sscanf(hex + 2 * i, "%2x", &b);
		out[i] = (uint8_t) b;
	}
	return n;
}

size_t
b64_decode(const char *s, uint8_t *out, size_t max)
{
	size_t		len = strlen(s);
	int			n;
	size_t		pad = 0;

	if (len == 0)
		return 0;
	if (len % 4 != 0 || len / 4 * 3 > max)
		return (size_t) -1;
	n = EVP_DecodeBlock(out, (const unsigned char *) s, (int) len);
	if (n < 0)
		return (size_t) -1;
	if (s[len - 1] == '=')
		pad++;
	if (s[len - 2] == '=')
		pad++;
	return (size_t) n - pad;
}

void
ref_hash(int prefix, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
		 uint8_t out[TU_HL])
{
	uint8_t    *buf = malloc(1 + alen + blen);
	size_t		off = 0;

	if (prefix >= 0)
		buf[off++] = (uint8_t) prefix;
	if (alen)
		memcpy(buf + off, a, alen);
	off += alen;
	if (blen)
		memcpy(buf + off, b, blen);
	off += blen;
	EVP_Digest(buf, off, out, NULL, EVP_sha256(), NULL);
	free(buf);
}

void
ref_mth(const uint8_t *leaf_hashes, size_t n, uint8_t out[TU_HL])
{
	uint8_t		l[TU_HL];
	uint8_t		r[TU_HL];
	size_t		k = 1;

	if (n == 0)
	{
		ref_hash(-1, NULL, 0, NULL, 0, out);
		return;
	}
	if (n == 1)
	{
		memcpy(out, leaf_hashes, TU_HL);
		return;
	}
	while (k * 2 < n)
		k *= 2;
	ref_mth(leaf_hashes, k, l);
	ref_mth(leaf_hashes + k * TU_HL, n - k, r);
	ref_hash(0x01, l, TU_HL, r, TU_HL, out);
}

int
raw_u64(const char *text, const char *key, uint64_t *out)
{
	char		pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(text, pat);
	if (p == NULL)
		return 0;
	p += strlen(pat);
	while (*p == ' ')
		p++;
	*out = strtoull(p, NULL, 10);
	return 1;
}

char *
slurp(const char *path)
{
	FILE	   *f = fopen(path, "rb");
	long		len;
	char	   *buf;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(len + 1);
	if (fread(buf, 1, len, f) != (size_t) len)
		len = 0;
	buf[len] = '\0';
	fclose(f);
	return buf;
}

void
walk_json(const char *dir, void (*fn) (const char *file))
{
	DIR		   *d = opendir(dir);
	struct dirent *e;
	char	  **names = NULL;
	size_t		n = 0;
	size_t		i;

	if (d == NULL)
	{
		check(0, "open %s", dir);
		return;
	}
	while ((e = readdir(d)) != NULL)
	{
		if (e->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof(char *));
		names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2);
		sprintf(names[n], "%s/%s", dir, e->d_name);
		n++;
	}
	closedir(d);
	for (i = 0; i < n; i++)
	{
		size_t		l = strlen(names[i]);

		if (l > 5 && strcmp(names[i] + l - 5, ".json") == 0)
			fn(names[i]);
		else
			walk_json(names[i], fn);
		free(names[i]);
	}
	free(names);
}
