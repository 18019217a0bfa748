/*
 * iso8601.c
 *		ISO-8601 dates and date-times (see iso8601.h).
 */
#include "iso8601.h"

#include <string.h>

/* n digits at s[*p], advancing *p */
static bool
digits(const char *s, size_t len, size_t *p, int n, int *out)
{
	int			v = 0;

	if (*p + (size_t) n > len)
		return false;
	for (int i = 0; i < n; i++)
	{
		char		c = s[*p + i];

		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += (size_t) n;
	*out = v;
	return true;
}

static bool
at(const char *s, size_t len, size_t p, char c)
{
	return p < len && s[p] == c;
}

bool
foray_iso8601_parse(const char *s, size_t len, foray_iso8601 *out)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	foray_iso8601 f;
	size_t		p = 0;
	int			dim;

	memset(&f, 0, sizeof(f));
	if (!digits(s, len, &p, 4, &f.year) || !at(s, len, p++, '-') ||
		!digits(s, len, &p, 2, &f.month) || !at(s, len, p++, '-') ||
		!digits(s, len, &p, 2, &f.day))
		return false;
	if (f.year < 1 || f.month < 1 || f.month > 12 || f.day < 1)
		return false;
	dim = mdays[f.month - 1];
	if (f.month == 2 && ((f.year % 4 == 0 && f.year % 100 != 0) || f.year % 400 == 0))
		dim = 29;
	if (f.day > dim)
		return false;
	if (at(s, len, p, 'T') || at(s, len, p, ' '))
	{
		p++;
		f.has_time = true;
		if (!digits(s, len, &p, 2, &f.hour) || !at(s, len, p++, ':') ||
			!digits(s, len, &p, 2, &f.minute))
			return false;
		if (at(s, len, p, ':'))
		{
			p++;
			if (!digits(s, len, &p, 2, &f.second))
				return false;
			if (at(s, len, p, '.'))
			{
				int			nd = 0;
				int			scale = 100000;

				p++;
				while (p < len && s[p] >= '0' && s[p] <= '9')
				{
					if (nd < 6)
						f.usec += (s[p] - '0') * scale;
					scale /= 10;
					nd++;
					p++;
				}
				if (nd == 0)
					return false;
			}
		}
		if (f.hour > 23 || f.minute > 59 || f.second > 59)
			return false;
		if (at(s, len, p, 'Z'))
			p++;
		else if (at(s, len, p, '+') || at(s, len, p, '-'))
		{
			int			sign = s[p] == '-' ? -1 : 1;
			int			oh,
						om;

			p++;
			if (!digits(s, len, &p, 2, &oh))
				return false;
			if (at(s, len, p, ':'))
				p++;
			if (!digits(s, len, &p, 2, &om) || oh > 23 || om > 59)
				return false;
			f.offset_sec = sign * (oh * 3600 + om * 60);
		}
	}
	if (p != len)
		return false;
	if (out)
		*out = f;
	return true;
}
