/*
 * jcs_number.c
 *		RFC 8785 numbers: decimal text -> nearest double -> ECMAScript
 *		Number.prototype.toString, and the "did the value change" check.
 *
 * A decimal is first reduced to its significant digits s (k of them, no
 * leading or trailing zeros) and its decimal exponent n, so that the value
 * is 0.s x 10^n (ECMAScript's s x 10^(n-k)).
 *
 * Fast path: when k <= 15 and the value lies well inside the normal double
 * range (10^-291 <= |v| < 10^289), the nearest double's shortest round-trip
 * decimal is the input decimal itself (every decimal of at most DBL_DIG = 15
 * significant digits survives decimal -> double -> 15 digits unchanged, so
 * no shorter decimal can reach the same double and the digits are unique).
 * The canonical text is then printed straight from (s, n), without strtod.
 *
 * General path: strtod (correctly rounded, ties to even, in glibc) gives the
 * double; its shortest round-trip digits are found with printf("%.*e") at 15,
 * 16, 17 digits (1..17 for subnormals), checking each candidate and its
 * neighbour on the other side of the value by reading it back.
 */
#include "jcs.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* digits kept from the input; more significant digits always mean "changed" */
#define KEEP_DIGITS 17

typedef struct decimal
{
	bool		neg;
	bool		zero;
	int			k;				/* significant digits (may exceed KEEP_DIGITS) */
	long		n;				/* value = 0.s x 10^n */
	char		s[KEEP_DIGITS + 1];
} decimal;

/*
 * Validate the JSON number grammar and reduce to (s, n).
 *   number = [ "-" ] int [ frac ] [ exp ]
 *   int = "0" / ( digit1-9 *DIGIT ); frac = "." 1*DIGIT;
 *   exp = ("e" / "E") [ "-" / "+" ] 1*DIGIT
 */
static jcs_status
parse_decimal(const char *t, size_t len, decimal *d)
{
	size_t		i = 0;
	size_t		int_start,
				int_end,
				frac_start = 0,
				frac_end = 0;
	long		idx = 0;		/* index of the digit in int ++ frac */
	long		first = -1;		/* index of the first non-zero digit */
	long		zeros_pending = 0;
	long		exp = 0;

	memset(d, 0, sizeof(*d));
	if (i < len && t[i] == '-')
	{
		d->neg = true;
		i++;
	}
	if (i >= len)
		return JCS_ERR_NUMBER_SYNTAX;

	int_start = i;
	if (t[i] == '0')
		i++;
	else if (t[i] >= '1' && t[i] <= '9')
	{
		while (i < len && t[i] >= '0' && t[i] <= '9')
			i++;
	}
	else
		return JCS_ERR_NUMBER_SYNTAX;
	int_end = i;

	if (i < len && t[i] == '.')
	{
		frac_start = ++i;
		while (i < len && t[i] >= '0' && t[i] <= '9')
			i++;
		if (i == frac_start)
			return JCS_ERR_NUMBER_SYNTAX;
		frac_end = i;
	}

	if (i < len && (t[i] == 'e' || t[i] == 'E'))
	{
		bool		eneg = false;
		size_t		estart;

		i++;
		if (i < len && (t[i] == '+' || t[i] == '-'))
		{
			eneg = (t[i] == '-');
			i++;
		}
		estart = i;
		while (i < len && t[i] >= '0' && t[i] <= '9')
		{
			if (exp < 100000000)	/* saturate: far beyond any double */
				exp = exp * 10 + (t[i] - '0');
			i++;
		}
		if (i == estart)
			return JCS_ERR_NUMBER_SYNTAX;
		if (eneg)
			exp = -exp;
	}
	if (i != len)
		return JCS_ERR_NUMBER_SYNTAX;

	/* significant digits of int ++ frac, trailing zeros dropped */
	for (int part = 0; part < 2; part++)
	{
		size_t		a = part ? frac_start : int_start;
		size_t		b = part ? frac_end : int_end;

		for (size_t j = a; j < b; j++, idx++)
		{
			char		c = t[j];

			if (c == '0')
			{
				if (first >= 0)
					zeros_pending++;
				continue;
			}
			if (first < 0)
				first = idx;
			for (; zeros_pending > 0; zeros_pending--, d->k++)
				if (d->k < KEEP_DIGITS)
					d->s[d->k] = '0';
			if (d->k < KEEP_DIGITS)
				d->s[d->k] = c;
			d->k++;
		}
	}

	if (first < 0)
	{
		d->zero = true;
		return JCS_OK;
	}
	/* value = 0.(int ++ frac) x 10^(len(int) + exp), leading zeros removed */
	d->n = (long) (int_end - int_start) - first + exp;
	d->s[d->k < KEEP_DIGITS ? d->k : KEEP_DIGITS] = '\0';
	return JCS_OK;
}

/*
 * Print (neg, s[0..k), n) as ECMAScript Number::toString (ECMA-262
 * 7.1.12.1, steps 6-10).  Returns the length written (without the NUL).
 */
static size_t
format_es(bool neg, const char *s, int k, int n, char *out)
{
	char	   *p = out;

	if (neg)
		*p++ = '-';
	if (k <= n && n <= 21)
	{
		memcpy(p, s, k);
		p += k;
		for (int i = 0; i < n - k; i++)
			*p++ = '0';
	}
	else if (0 < n && n <= 21)
	{
		memcpy(p, s, n);
		p += n;
		*p++ = '.';
		memcpy(p, s + n, k - n);
		p += k - n;
	}
	else if (-6 < n && n <= 0)
	{
		*p++ = '0';
		*p++ = '.';
		for (int i = 0; i < -n; i++)
			*p++ = '0';
		memcpy(p, s, k);
		p += k;
	}
	else
	{
		int			e = n - 1;

		*p++ = s[0];
		if (k > 1)
		{
			*p++ = '.';
			memcpy(p, s + 1, k - 1);
			p += k - 1;
		}
		*p++ = 'e';
		*p++ = (e < 0) ? '-' : '+';
		p += sprintf(p, "%d", e < 0 ? -e : e);
	}
	*p = '\0';
	return (size_t) (p - out);
}

/* Parse the output of printf("%.*e") into digits (trailing zeros dropped) and n. */
static void
split_e(const char *buf, char *s, int *k, int *n)
{
	const char *p = buf;
	int			kk = 0;

	s[kk++] = *p++;
	if (*p == '.')
	{
		p++;
		while (*p >= '0' && *p <= '9')
			s[kk++] = *p++;
	}
	/* *p == 'e' */
	*n = atoi(p + 1) + 1;
	while (kk > 1 && s[kk - 1] == '0')
		kk--;
	s[kk] = '\0';
	*k = kk;
}

/* Does the decimal s x 10^(n-k) read back as v? */
static bool
reads_back(const char *s, int k, int n, double v)
{
	char		buf[48];

	snprintf(buf, sizeof(buf), "%.*se%d", k, s, n - k);
	return strtod(buf, NULL) == v;
}

/*
 * The neighbour of the p-digit decimal s (k digits after trimming, n) one
 * unit in the p-th digit towards `up`.  Returns false when it leaves the
 * p-digit range (those decimals are covered at fewer digits).
 */
static bool
neighbour(const char *s, int k, int n, int p, bool up, char *ns, int *nk, int *nn)
{
	char		full[KEEP_DIGITS + 2];
	unsigned long long m = 0;
	unsigned long long lim = 1;
	char		tmp[24];
	int			len;

	memcpy(full, s, k);
	for (int i = k; i < p; i++)
		full[i] = '0';
	for (int i = 0; i < p; i++)
	{
		m = m * 10 + (unsigned) (full[i] - '0');
		lim *= 10;
	}
	if (up)
		m++;
	else
		m--;
	if (m >= lim || m < lim / 10)
		return false;
	len = snprintf(tmp, sizeof(tmp), "%llu", m);
	while (len > 1 && tmp[len - 1] == '0')
		len--;
	memcpy(ns, tmp, len);
	ns[len] = '\0';
	*nk = len;
	*nn = n;
	return true;
}

/* Shortest round-trip digits of a finite, positive, non-zero double. */
static void
shortest_digits(double v, char *s, int *k, int *n)
{
	char		buf[48];
	int			pmin = (v < DBL_MIN) ? 1 : 15;

	for (int p = pmin; p <= 17; p++)
	{
		char		ns[KEEP_DIGITS + 2];
		int			nk,
					nn;

		snprintf(buf, sizeof(buf), "%.*e", p - 1, v);
		split_e(buf, s, k, n);
		if (reads_back(s, *k, *n, v))
			return;
		/* the nearest p-digit decimal misses; its other-side neighbour may not */
		if (neighbour(s, *k, *n, p, strtod(buf, NULL) < v, ns, &nk, &nn) &&
			reads_back(ns, nk, nn, v))
		{
			memcpy(s, ns, nk + 1);
			*k = nk;
			*n = nn;
			return;
		}
	}
	/* 17 digits always read back (DBL_DECIMAL_DIG); not reached */
	snprintf(buf, sizeof(buf), "%.16e", v);
	split_e(buf, s, k, n);
}

jcs_status
jcs_format_double(double v, char out[JCS_NUMBER_MAX], size_t *outlen)
{
	char		s[KEEP_DIGITS + 2];
	int			k,
				n;

	if (!isfinite(v))
		return JCS_ERR_NUMBER_RANGE;
	if (v == 0)
	{
		out[0] = '0';
		out[1] = '\0';
		*outlen = 1;
		return JCS_OK;
	}
	shortest_digits(fabs(v), s, &k, &n);
	*outlen = format_es(v < 0, s, k, n, out);
	return JCS_OK;
}

jcs_status
jcs_number(const char *text, size_t len, char out[JCS_NUMBER_MAX],
		   size_t *outlen, bool *changed)
{
	decimal		d;
	jcs_status	st;
	char		local[64];
	char	   *z;
	double		v;
	char		s[KEEP_DIGITS + 2];
	int			k,
				n;

	st = parse_decimal(text, len, &d);
	if (st != JCS_OK)
		return st;
	*changed = false;
	if (d.zero)
	{
		out[0] = '0';
		out[1] = '\0';
		*outlen = 1;
		return JCS_OK;
	}
	if (d.k <= 15 && d.n > -290 && d.n < 290)
	{
		*outlen = format_es(d.neg, d.s, d.k, (int) d.n, out);
		return JCS_OK;
	}

	/* general path: correctly rounded strtod on a NUL-terminated copy */
	if (len < sizeof(local))
		z = local;
	else if ((z = malloc(len + 1)) == NULL)
		return JCS_ERR_NOMEM;
	memcpy(z, text, len);
	z[len] = '\0';
	errno = 0;
	v = strtod(z, NULL);
	if (z != local)
		free(z);
	if (!isfinite(v))
		return JCS_ERR_NUMBER_RANGE;
	if (v == 0)
	{
		/* a non-zero decimal that underflows to zero */
		*changed = true;
		out[0] = '0';
		out[1] = '\0';
		*outlen = 1;
		return JCS_OK;
	}
	shortest_digits(fabs(v), s, &k, &n);
	*outlen = format_es(v < 0, s, k, n, out);
	*changed = !(d.k == k && d.n == n && memcmp(d.s, s, k) == 0);
	return JCS_OK;
}
