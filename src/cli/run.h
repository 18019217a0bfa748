/*
 * run.h
 *		One verification from bytes to report: what main() and the fuzzer
 *		call.  Nothing here exits the process or prints.
 */
#ifndef FORAY_CLI_RUN_H
#define FORAY_CLI_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report.h"

typedef enum fv_command
{
	FV_CMD_DOCUMENT,
	FV_CMD_PROOF,
	FV_CMD_BUNDLE
} fv_command;

/* CPU seconds of each phase (--timing) */
typedef struct fv_timing
{
	double		parse;
	double		check;
	double		hash;			/* canonicalising and hashing the documents' values */
	double		canonical;		/* writing the same canonical texts, unhashed */
	double		sha;			/* SHA-256 of those texts, one value at a time */
	size_t		canonical_bytes;	/* their length */
} fv_timing;

/*
 * Verify text[0..len) (a malloc'd buffer of len + 1 bytes, taken over and
 * freed here) as the command says.  For proof: root is the trusted root,
 * core (optional, taken over likewise) a foray_core to check against the
 * proof.  Returns the exit code; r holds the findings.
 */
extern int	fv_run(fv_command cmd, char *text, size_t len, const uint8_t *root,
				   char *core, size_t core_len, bool details, fv_report *r,
				   fv_timing *timing);

/* with timing: the canonical texts are also written unhashed, and timed */

#endif							/* FORAY_CLI_RUN_H */
