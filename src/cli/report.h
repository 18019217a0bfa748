/*
 * report.h
 *		What foray-verify found: failures (each with its JSON path, what was
 *		expected and what was found), warnings, what was proved and what was
 *		only claimed, the recomputed values, and whether the input was
 *		unusable.  Printed as text or, with --json, as one JSON object.
 */
#ifndef FORAY_CLI_REPORT_H
#define FORAY_CLI_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

typedef enum fv_kind
{
	FV_FAIL,
	FV_WARN,
	FV_PROVED,
	FV_CLAIMED
} fv_kind;

typedef struct fv_item
{
	fv_kind		kind;
	char	   *check;			/* "merkle_root", "REF-001", ... */
	char	   *path;			/* JSON path in the input, or NULL */
	char	   *expected;		/* what the check requires, or NULL */
	char	   *found;			/* what the input has, or NULL */
	char	   *message;
} fv_item;

/* at most this many failures and warnings are kept (all are counted) */
#define FV_MAX_KEPT		1000

typedef struct fv_report
{
	const char *command;
	const char *input;
	fv_item    *items;
	size_t		n;
	size_t		cap;
	size_t		nfail;			/* all failures, kept or not */
	size_t		nwarn;
	size_t		kept_fail;
	size_t		kept_warn;
	char	   *unusable;		/* the one-line reason, when the input is unusable */
	json_t	   *recomputed;		/* object: what was computed from the input */
} fv_report;

extern void fv_report_init(fv_report *r, const char *command, const char *input);
extern void fv_report_free(fv_report *r);

/* a failed check: path, expected and found may be NULL */
extern void fv_fail(fv_report *r, const char *check, const char *path,
					const char *expected, const char *found, const char *fmt,...)
			__attribute__((format(printf, 6, 7)));
extern void fv_warn(fv_report *r, const char *check, const char *path,
					const char *fmt,...) __attribute__((format(printf, 4, 5)));
extern void fv_proved(fv_report *r, const char *fmt,...) __attribute__((format(printf, 2, 3)));
extern void fv_claimed(fv_report *r, const char *fmt,...) __attribute__((format(printf, 2, 3)));
/* the input cannot be checked; the first reason is kept */
extern void fv_unusable(fv_report *r, const char *fmt,...) __attribute__((format(printf, 2, 3)));

/* 0 verified, 1 does not verify, 2 unusable */
extern int	fv_exit_code(const fv_report *r);

/* output */
extern void fv_print_text(const fv_report *r, FILE *out);
extern void fv_print_json(const fv_report *r, FILE *out);

#endif							/* FORAY_CLI_REPORT_H */
