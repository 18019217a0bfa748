/*
 * tlog_note.c
 *		C2SP checkpoints, signed notes and Ed25519 verifier keys
 *		(https://c2sp.org/tlog-checkpoint, https://c2sp.org/signed-note).
 */
#include "tlog_note.h"

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#define HL FORAY_MERKLE_HASH_LEN

/* U+2014 EM DASH, then a space: the start of every signature line */
static const char sig_prefix[] = "\xe2\x80\x94 ";
#define SIG_PREFIX_LEN 4

/* ---- base64 ------------------------------------------------------------ */

static const char b64_alphabet[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
foray_base64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t		o = 0;
	size_t		i;

	for (i = 0; i + 2 < n; i += 3)
	{
		uint32_t	v = ((uint32_t) in[i] << 16) | ((uint32_t) in[i + 1] << 8) | in[i + 2];

		out[o++] = b64_alphabet[(v >> 18) & 63];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = b64_alphabet[(v >> 6) & 63];
		out[o++] = b64_alphabet[v & 63];
	}
	if (n - i == 1)
	{
		uint32_t	v = (uint32_t) in[i] << 16;

		out[o++] = b64_alphabet[(v >> 18) & 63];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = '=';
		out[o++] = '=';
	}
	else if (n - i == 2)
	{
		uint32_t	v = ((uint32_t) in[i] << 16) | ((uint32_t) in[i + 1] << 8);

		out[o++] = b64_alphabet[(v >> 18) & 63];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = b64_alphabet[(v >> 6) & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

static int
b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
foray_base64_decode(const char *s, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
	size_t		pad = 0;
	size_t		n;
	size_t		i;
	size_t		o = 0;

	*out_len = 0;
	if (len % 4 != 0)
		return -1;
	if (len > 0 && s[len - 1] == '=')
		pad++;
	if (len > 1 && s[len - 2] == '=')
		pad++;
	n = len / 4 * 3 - pad;
	if (n > cap)
		return -1;
	for (i = 0; i < len; i += 4)
	{
		int			last = (i + 4 == len);
		size_t		chars = last ? 4 - pad : 4;
		int			v[4] = {0, 0, 0, 0};
		uint8_t		b[3];
		size_t		k;

		for (k = 0; k < chars; k++)
			if ((v[k] = b64_value(s[i + k])) < 0)
				return -1;
		b[0] = (uint8_t) ((v[0] << 2) | (v[1] >> 4));
		b[1] = (uint8_t) (((v[1] & 0x0f) << 4) | (v[2] >> 2));
		b[2] = (uint8_t) (((v[2] & 0x03) << 6) | v[3]);
		/* the bits padding leaves unused are zero in canonical base64 */
		if ((pad == 1 && last && (v[2] & 0x03) != 0) ||
			(pad == 2 && last && (v[1] & 0x0f) != 0))
			return -1;
		for (k = 0; k + 1 < chars; k++)
			out[o++] = b[k];
	}
	*out_len = o;
	return 0;
}

/* ---- UTF-8 ------------------------------------------------------------- */

/* the code point at s (at most len bytes), its length in *n; -1 if invalid */
static int32_t
utf8_next(const unsigned char *s, size_t len, size_t *n)
{
	int32_t		cp;
	size_t		need;
	size_t		i;

	if (s[0] < 0x80)
	{
		*n = 1;
		return s[0];
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
	{
		need = 2;
		cp = s[0] & 0x1f;
	}
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
	{
		need = 3;
		cp = s[0] & 0x0f;
	}
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
	{
		need = 4;
		cp = s[0] & 0x07;
	}
	else
		return -1;
	if (len < need)
		return -1;
	for (i = 1; i < need; i++)
	{
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond U+10FFFF */
	if ((need == 3 && cp < 0x800) || (need == 4 && cp < 0x10000) ||
		(cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return -1;
	*n = need;
	return cp;
}

int
foray_note_text_valid(const char *s, size_t len)
{
	size_t		i = 0;

	while (i < len)
	{
		size_t		n;
		int32_t		cp = utf8_next((const unsigned char *) s + i, len - i, &n);

		if (cp < 0 || (cp < 0x20 && cp != '\n'))
			return 0;
		i += n;
	}
	return 1;
}

/* Unicode White_Space */
static int
is_unicode_space(int32_t cp)
{
	return (cp >= 0x09 && cp <= 0x0d) || cp == 0x20 || cp == 0x85 || cp == 0xa0 ||
		cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 ||
		cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

int
foray_note_name_valid(const char *s, size_t len)
{
	size_t		i = 0;

	if (len == 0 || len > FORAY_NOTE_MAX_NAME)
		return 0;
	while (i < len)
	{
		size_t		n;
		int32_t		cp = utf8_next((const unsigned char *) s + i, len - i, &n);

		if (cp < 0x20 || cp == '+' || is_unicode_space(cp))
			return 0;
		i += n;
	}
	return 1;
}

/* ---- verifier keys ----------------------------------------------------- */

/* key ID = SHA-256(name || 0x0A || type || public key)[:4], big-endian */
static int
key_id(foray_hasher *h, const char *name, size_t name_len, uint8_t type,
	   const uint8_t *pub, size_t pub_len, uint32_t *out)
{
	uint8_t		buf[FORAY_NOTE_MAX_NAME + 2 + FORAY_ED25519_KEY_LEN];
	uint8_t		d[HL];
	int			rc;

	if (name_len > FORAY_NOTE_MAX_NAME || pub_len > FORAY_ED25519_KEY_LEN)
		return FORAY_NOTE_MALFORMED;
	memcpy(buf, name, name_len);
	buf[name_len] = '\n';
	buf[name_len + 1] = type;
	memcpy(buf + name_len + 2, pub, pub_len);
	rc = foray_sha256(h, buf, name_len + 2 + pub_len, d);
	if (rc != FORAY_MERKLE_OK)
		return FORAY_NOTE_CRYPTO;
	*out = ((uint32_t) d[0] << 24) | ((uint32_t) d[1] << 16) | ((uint32_t) d[2] << 8) | d[3];
	return FORAY_NOTE_OK;
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
foray_vkey_parse(foray_hasher *h, const char *s, size_t len, foray_vkey *out,
				 const char **why)
{
	const char *p1 = memchr(s, '+', len);
	const char *p2;
	const char *mat;
	size_t		mat_len;
	uint8_t		key[1024];		/* any signature type's key, to tell it apart */
	size_t		key_len;
	uint32_t	id = 0;
	uint32_t	want;
	int			i;
	int			rc;

	*why = NULL;
	p2 = p1 ? memchr(p1 + 1, '+', len - (size_t) (p1 + 1 - s)) : NULL;
	if (p1 == NULL || p2 == NULL)
	{
		*why = "a verifier key is <key name>+<key ID>+<key>";
		return FORAY_NOTE_MALFORMED;
	}
	out->name = s;
	out->name_len = (size_t) (p1 - s);
	if (!foray_note_name_valid(out->name, out->name_len))
	{
		*why = "the key name must be 1 to 255 bytes of UTF-8 without control characters, white space or '+'";
		return FORAY_NOTE_MALFORMED;
	}
	if (p2 - p1 - 1 != 8)
	{
		*why = "the key ID must be 8 lower-case hexadecimal digits";
		return FORAY_NOTE_MALFORMED;
	}
	for (i = 0; i < 8; i++)
	{
		int			d = hex_digit(p1[1 + i]);

		if (d < 0)
		{
			*why = "the key ID must be 8 lower-case hexadecimal digits";
			return FORAY_NOTE_MALFORMED;
		}
		id = (id << 4) | (uint32_t) d;
	}
	mat = p2 + 1;
	mat_len = len - (size_t) (mat - s);
	if (foray_base64_decode(mat, mat_len, key, sizeof(key), &key_len) != 0 || key_len == 0)
	{
		*why = "the key must be standard base64 of a signature type byte and the public key";
		return FORAY_NOTE_MALFORMED;
	}
	if (key[0] != 0x01)
	{
		*why = "only Ed25519 keys (signature type 0x01) are supported";
		return FORAY_NOTE_UNSUPPORTED;
	}
	if (key_len != 1 + FORAY_ED25519_KEY_LEN)
	{
		*why = "an Ed25519 key is 32 bytes";
		return FORAY_NOTE_MALFORMED;
	}
	rc = key_id(h, out->name, out->name_len, key[0], key + 1, FORAY_ED25519_KEY_LEN, &want);
	if (rc != FORAY_NOTE_OK)
		return rc;
	if (want != id)
	{
		*why = "the key ID is not SHA-256(key name || 0x0A || 0x01 || public key)[:4]";
		return FORAY_NOTE_MALFORMED;
	}
	out->key_id = id;
	out->type = key[0];
	memcpy(out->pub, key + 1, FORAY_ED25519_KEY_LEN);
	return FORAY_NOTE_OK;
}

/* ---- signed notes ------------------------------------------------------ */

/* 1 valid, 0 invalid, -1 libcrypto failure */
static int
ed25519_verify(const uint8_t pub[FORAY_ED25519_KEY_LEN], const uint8_t *sig, size_t sig_len,
			   const char *msg, size_t len)
{
	EVP_PKEY   *pkey;
	EVP_MD_CTX *ctx;
	int			r = -1;

	if (sig_len != FORAY_ED25519_SIG_LEN)
		return 0;
	pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pub, FORAY_ED25519_KEY_LEN);
	ctx = EVP_MD_CTX_new();
	if (pkey != NULL && ctx != NULL &&
		EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, pkey) == 1)
	{
		r = EVP_DigestVerify(ctx, sig, sig_len, (const unsigned char *) msg, len);
		if (r != 1)
			r = 0;
	}
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return r;
}

int
foray_note_verify(const char *msg, size_t len, const foray_vkey *key,
				  size_t *text_len, size_t *sig_off, size_t *sig_len, const char **why)
{
	size_t		split;
	size_t		pos;
	int			found = 0;
	int			nsigs = 0;

	*why = NULL;
	*text_len = *sig_off = *sig_len = 0;
	if (!foray_note_text_valid(msg, len))
	{
		*why = "a signed note is UTF-8 without control characters other than newline";
		return FORAY_NOTE_MALFORMED;
	}
	/* the text ends at the last blank line */
	for (split = len; split >= 2; split--)
		if (msg[split - 2] == '\n' && msg[split - 1] == '\n')
			break;
	if (split < 2)
	{
		*why = "a signed note is its text, a blank line, and signature lines";
		return FORAY_NOTE_MALFORMED;
	}
	*text_len = split - 1;
	if (split == len || msg[len - 1] != '\n')
	{
		*why = "the signature lines must end with a newline";
		return FORAY_NOTE_MALFORMED;
	}
	for (pos = split; pos < len;)
	{
		const char *line = msg + pos;
		const char *end = memchr(line, '\n', len - pos);
		size_t		line_len = (size_t) (end - line);
		const char *name = line + SIG_PREFIX_LEN;
		const char *space;
		size_t		name_len;
		const char *b64;
		size_t		b64_len;
		uint8_t		sig[8192];
		size_t		raw_len;
		uint32_t	id;

		pos += line_len + 1;
		if (++nsigs > FORAY_NOTE_MAX_SIGS)
		{
			*why = "a signed note carries at most 100 signature lines";
			return FORAY_NOTE_MALFORMED;
		}
		if (line_len < SIG_PREFIX_LEN || memcmp(line, sig_prefix, SIG_PREFIX_LEN) != 0)
		{
			*why = "a signature line begins with an em dash (U+2014) and a space";
			return FORAY_NOTE_MALFORMED;
		}
		space = memchr(name, ' ', line_len - SIG_PREFIX_LEN);
		if (space == NULL)
		{
			*why = "a signature line is: em dash, space, key name, space, base64 signature";
			return FORAY_NOTE_MALFORMED;
		}
		name_len = (size_t) (space - name);
		b64 = space + 1;
		b64_len = (size_t) (end - b64);
		if (!foray_note_name_valid(name, name_len))
		{
			*why = "a key name must be 1 to 255 bytes of UTF-8 without control characters, white space or '+'";
			return FORAY_NOTE_MALFORMED;
		}
		if (b64_len == 0 ||
			foray_base64_decode(b64, b64_len, sig, sizeof(sig), &raw_len) != 0 || raw_len < 5)
		{
			*why = "a signature must be standard base64 of a 4-byte key ID and the signature";
			return FORAY_NOTE_MALFORMED;
		}
		id = ((uint32_t) sig[0] << 24) | ((uint32_t) sig[1] << 16) |
			((uint32_t) sig[2] << 8) | sig[3];
		/* other keys' signatures are not ours to judge */
		if (name_len != key->name_len || memcmp(name, key->name, name_len) != 0 ||
			id != key->key_id)
			continue;
		switch (ed25519_verify(key->pub, sig + 4, raw_len - 4, msg, *text_len))
		{
			case 1:
				if (!found)
				{
					*sig_off = (size_t) (b64 - msg);
					*sig_len = b64_len;
				}
				found = 1;
				break;
			case 0:
				return FORAY_NOTE_BAD_SIGNATURE;
			default:
				return FORAY_NOTE_CRYPTO;
		}
	}
	return found ? FORAY_NOTE_OK : FORAY_NOTE_NO_SIGNATURE;
}

/* ---- checkpoints ------------------------------------------------------- */

int
foray_checkpoint_parse(const char *s, size_t len, foray_checkpoint *out, const char **why)
{
	const char *line[3];
	size_t		line_len[3];
	size_t		pos = 0;
	size_t		root_len;
	uint64_t	size = 0;
	int			i;

	*why = NULL;
	if (!foray_note_text_valid(s, len))
	{
		*why = "a checkpoint is UTF-8 without control characters other than newline";
		return FORAY_NOTE_MALFORMED;
	}
	if (len == 0 || s[len - 1] != '\n')
	{
		*why = "a checkpoint ends with a newline";
		return FORAY_NOTE_MALFORMED;
	}
	for (i = 0; i < 3; i++)
	{
		const char *end = pos < len ? memchr(s + pos, '\n', len - pos) : NULL;

		if (end == NULL)
		{
			*why = "a checkpoint has an origin, a tree size and a root hash line";
			return FORAY_NOTE_MALFORMED;
		}
		line[i] = s + pos;
		line_len[i] = (size_t) (end - line[i]);
		pos += line_len[i] + 1;
	}
	if (line_len[0] == 0)
	{
		*why = "the origin line must not be empty";
		return FORAY_NOTE_MALFORMED;
	}
	if (line_len[1] == 0 || line_len[1] > 19 || (line[1][0] == '0' && line_len[1] > 1))
	{
		*why = "the tree size is decimal without leading zeroes, at most 2^63 - 1";
		return FORAY_NOTE_MALFORMED;
	}
	for (i = 0; i < (int) line_len[1]; i++)
	{
		char		c = line[1][i];

		if (c < '0' || c > '9' || size > ((uint64_t) INT64_MAX - (uint64_t) (c - '0')) / 10)
		{
			*why = "the tree size is decimal without leading zeroes, at most 2^63 - 1";
			return FORAY_NOTE_MALFORMED;
		}
		size = size * 10 + (uint64_t) (c - '0');
	}
	if (foray_base64_decode(line[2], line_len[2], out->root, HL, &root_len) != 0 ||
		root_len != HL)
	{
		*why = "the root hash is standard base64 of 32 bytes";
		return FORAY_NOTE_MALFORMED;
	}
	out->extension_off = pos;
	/* extension lines: opaque, but not empty */
	while (pos < len)
	{
		const char *end = memchr(s + pos, '\n', len - pos);

		if (end == s + pos)
		{
			*why = "extension lines must not be empty";
			return FORAY_NOTE_MALFORMED;
		}
		pos = (size_t) (end - s) + 1;
	}
	out->origin = line[0];
	out->origin_len = line_len[0];
	out->size = size;
	return FORAY_NOTE_OK;
}

size_t
foray_checkpoint_format(const char *origin, size_t origin_len, uint64_t size,
						const uint8_t root[HL], char *out, size_t cap)
{
	char		num[24];
	char		b64[48];
	size_t		nlen = (size_t) snprintf(num, sizeof(num), "%llu", (unsigned long long) size);
	size_t		blen = foray_base64_encode(root, HL, b64);
	size_t		total = origin_len + 1 + nlen + 1 + blen + 1;

	if (total + 1 <= cap)
	{
		memcpy(out, origin, origin_len);
		out[origin_len] = '\n';
		memcpy(out + origin_len + 1, num, nlen);
		out[origin_len + 1 + nlen] = '\n';
		memcpy(out + origin_len + nlen + 2, b64, blen);
		out[total - 1] = '\n';
		out[total] = '\0';
	}
	return total;
}
