/*
 * report.c
 *		Collecting and printing foray-verify's findings (see report.h).
 */
#include "report.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void
fv_report_init(fv_report *r, const char *command, const char *input)
{
	memset(r, 0, sizeof(*r));
	r->command = command;
	r->input = input;
	r->recomputed = json_object();
	if (r->recomputed == NULL)
		fv_die("out of memory");
}

void
fv_report_free(fv_report *r)
{
	for (size_t i = 0; i < r->n; i++)
	{
		free(r->items[i].check);
		free(r->items[i].path);
		free(r->items[i].expected);
		free(r->items[i].found);
		free(r->items[i].message);
	}
	free(r->items);
	free(r->unusable);
	json_decref(r->recomputed);
	memset(r, 0, sizeof(*r));
}

static char *
dup_or_null(const char *s)
{
	return s ? fv_strndup(s, strlen(s)) : NULL;
}

static void
add(fv_report *r, fv_kind kind, const char *check, const char *path,
	const char *expected, const char *found, const char *fmt, va_list ap)
{
	fv_item    *it;
	va_list		ap2;
	int			n;

	if (r->n == r->cap)
	{
		r->cap = r->cap ? r->cap * 2 : 32;
		r->items = fv_realloc(r->items, r->cap * sizeof(fv_item));
	}
	it = &r->items[r->n++];
	it->kind = kind;
	it->check = dup_or_null(check);
	it->path = dup_or_null(path);
	it->expected = dup_or_null(expected);
	it->found = dup_or_null(found);
	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	it->message = fv_malloc(n > 0 ? (size_t) n + 1 : 1);
	vsnprintf(it->message, n > 0 ? (size_t) n + 1 : 1, fmt, ap);
}

/* a failure or warning: all are counted, the first FV_MAX_KEPT kept */
static void
counted(fv_report *r, fv_kind kind, const char *check, const char *path,
		const char *expected, const char *found, const char *fmt, va_list ap)
{
	size_t	   *all = kind == FV_FAIL ? &r->nfail : &r->nwarn;
	size_t	   *kept = kind == FV_FAIL ? &r->kept_fail : &r->kept_warn;

	(*all)++;
	if (*kept >= FV_MAX_KEPT)
		return;
	(*kept)++;
	add(r, kind, check, path, expected, found, fmt, ap);
}

void
fv_fail(fv_report *r, const char *check, const char *path, const char *expected,
		const char *found, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	counted(r, FV_FAIL, check, path, expected, found, fmt, ap);
	va_end(ap);
}

void
fv_warn(fv_report *r, const char *check, const char *path, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	counted(r, FV_WARN, check, path, NULL, NULL, fmt, ap);
	va_end(ap);
}

void
fv_proved(fv_report *r, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	add(r, FV_PROVED, NULL, NULL, NULL, NULL, fmt, ap);
	va_end(ap);
}

void
fv_claimed(fv_report *r, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	add(r, FV_CLAIMED, NULL, NULL, NULL, NULL, fmt, ap);
	va_end(ap);
}

void
fv_unusable(fv_report *r, const char *fmt,...)
{
	va_list		ap;
	int			n;

	if (r->unusable != NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	r->unusable = fv_malloc(n > 0 ? (size_t) n + 1 : 1);
	va_start(ap, fmt);
	vsnprintf(r->unusable, n > 0 ? (size_t) n + 1 : 1, fmt, ap);
	va_end(ap);
}

int
fv_exit_code(const fv_report *r)
{
	if (r->unusable)
		return FV_EXIT_UNUSABLE;
	return r->nfail > 0 ? FV_EXIT_FAILED : FV_EXIT_VERIFIED;
}

/* ---------- text ---------- */

/* s, with control characters written as \u escapes (input may be hostile) */
static void
put_clean(FILE *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *) s; *p; p++)
	{
		if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
}

void
fv_print_text(const fv_report *r, FILE *out)
{
	static const char *const label[] = {"FAIL", "warning", "proved", "claimed"};

	if (r->unusable)
	{
		fputs("unusable input: ", out);
		put_clean(out, r->unusable);
		fputc('\n', out);
		return;
	}
	for (int pass = 0; pass < 4; pass++)
	{
		for (size_t i = 0; i < r->n; i++)
		{
			const fv_item *it = &r->items[i];

			if ((int) it->kind != pass)
				continue;
			fprintf(out, "%-8s ", label[pass]);
			if (it->check)
			{
				fputc('[', out);
				put_clean(out, it->check);
				fputs("] ", out);
			}
			if (it->path)
			{
				put_clean(out, it->path);
				fputs(": ", out);
			}
			put_clean(out, it->message);
			fputc('\n', out);
			if (it->expected)
			{
				fputs("           expected: ", out);
				put_clean(out, it->expected);
				fputc('\n', out);
			}
			if (it->found)
			{
				fputs("           found:    ", out);
				put_clean(out, it->found);
				fputc('\n', out);
			}
		}
		if (pass == FV_FAIL && r->nfail > r->kept_fail)
			fprintf(out, "FAIL     ... and %zu more failures\n", r->nfail - r->kept_fail);
	}
	if (r->nfail > 0)
		fprintf(out, "result: DOES NOT VERIFY (%zu failure%s)\n", r->nfail, r->nfail == 1 ? "" : "s");
	else
		fprintf(out, "result: verified%s\n", r->nwarn ? " (with warnings)" : "");
}

/* ---------- JSON ---------- */

/* a JSON string of s; bytes that are not UTF-8 (cut messages) become '?' */
static json_t *
jstr(const char *s)
{
	json_t	   *j;
	char	   *copy;

	if (s == NULL)
		return json_null();
	j = json_string(s);
	if (j != NULL)
		return j;
	copy = fv_strndup(s, strlen(s));
	for (char *p = copy; *p; p++)
		if ((unsigned char) *p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j ? j : json_null();
}

void
fv_print_json(const fv_report *r, FILE *out)
{
	json_t	   *o = json_object();
	json_t	   *fails = json_array();
	json_t	   *warns = json_array();
	json_t	   *proved = json_array();
	json_t	   *claimed = json_array();
	int			code = fv_exit_code(r);

	json_object_set_new(o, "foray_verify", json_integer(1));
	json_object_set_new(o, "command", jstr(r->command));
	json_object_set_new(o, "input", jstr(r->input));
	json_object_set_new(o, "result", json_string(code == 0 ? "verified" :
												 code == 1 ? "does not verify" : "unusable"));
	json_object_set_new(o, "exit_code", json_integer(code));
	if (r->unusable)
		json_object_set_new(o, "error", jstr(r->unusable));
	for (size_t i = 0; i < r->n; i++)
	{
		const fv_item *it = &r->items[i];
		json_t	   *e;

		if (it->kind == FV_PROVED || it->kind == FV_CLAIMED)
		{
			json_array_append_new(it->kind == FV_PROVED ? proved : claimed, jstr(it->message));
			continue;
		}
		e = json_object();
		json_object_set_new(e, "check", jstr(it->check));
		json_object_set_new(e, "path", jstr(it->path));
		if (it->kind == FV_FAIL)
		{
			json_object_set_new(e, "expected", jstr(it->expected));
			json_object_set_new(e, "found", jstr(it->found));
		}
		json_object_set_new(e, "message", jstr(it->message));
		json_array_append_new(it->kind == FV_FAIL ? fails : warns, e);
	}
	json_object_set_new(o, "failure_count", json_integer((json_int_t) r->nfail));
	json_object_set_new(o, "failures", fails);
	json_object_set_new(o, "warnings", warns);
	json_object_set_new(o, "proved", proved);
	json_object_set_new(o, "claimed", claimed);
	json_object_set(o, "recomputed", r->recomputed);
	if (json_dumpf(o, out, JSON_INDENT(1) | JSON_PRESERVE_ORDER) != 0)
		fv_die("could not write the report");
	fputc('\n', out);
	json_decref(o);
}
