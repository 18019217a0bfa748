/*
 * iso8601.h
 *		The ISO-8601 dates and date-times the substrate accepts (the
 *		timestamp of a transaction, attestation dates), as plain C: used by
 *		the extension's triggers and generated columns (src/fields.c) and by
 *		foray-verify, so both accept exactly the same texts.
 *
 *		YYYY-MM-DD[(T|space)HH:MM[:SS[.fraction]][Z|(+|-)HH[:]MM]]
 *
 * Every field is range-checked (months, days of the month with leap years,
 * hours to 23, minutes and seconds to 59, offsets to 23:59); any number of
 * fraction digits, of which the first six are kept.  A date-time without
 * an offset is UTC.
 */
#ifndef FORAY_CORE_ISO8601_H
#define FORAY_CORE_ISO8601_H

#include <stdbool.h>
#include <stddef.h>

typedef struct foray_iso8601
{
	int			year;
	int			month;
	int			day;
	bool		has_time;		/* false: a date alone (midnight UTC) */
	int			hour;
	int			minute;
	int			second;
	int			usec;			/* the fraction in microseconds */
	int			offset_sec;		/* east of UTC */
} foray_iso8601;

/* true when s[0..len) is such a text; out (may be NULL) gets its fields */
extern bool foray_iso8601_parse(const char *s, size_t len, foray_iso8601 *out);

#endif							/* FORAY_CORE_ISO8601_H */
