/*
 * run.c
 *		Parse, check, report (see run.h).
 */
#include "run.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "verify.h"

int
fv_run(fv_command cmd, char *text, size_t len, const uint8_t *root, char *core,
	   size_t core_len, bool details, fv_report *r, fv_timing *timing)
{
	fj_doc		doc;
	fj_doc		core_doc;
	bool		have_core = false;
	fj_error	err;
	fv_ctx		c;
	double		t0 = fv_cpu_seconds();
	double		t1;

	if (timing)
		memset(timing, 0, sizeof(*timing));
	if (fj_parse(&doc, text, len, &err) != 0)
	{
		fv_unusable(r, "%s", err.message);
		fj_free(&doc);
		free(core);
		return fv_exit_code(r);
	}
	if (core != NULL)
	{
		if (fj_parse(&core_doc, core, core_len, &err) != 0)
		{
			fv_unusable(r, "--core: %s", err.message);
			fj_free(&core_doc);
			fj_free(&doc);
			return fv_exit_code(r);
		}
		have_core = true;
	}
	t1 = fv_cpu_seconds();
	if (!fv_ctx_init(&c, r, &doc))
		fv_unusable(r, "could not set up sha-256 (libcrypto)");
	else
	{
		c.details = details;
		c.timing = timing != NULL;
		switch (cmd)
		{
			case FV_CMD_DOCUMENT:
				fv_check_document(&c);
				break;
			case FV_CMD_PROOF:
				fv_check_proof(&c, root, have_core ? &core_doc : NULL);
				break;
			case FV_CMD_BUNDLE:
				fv_check_bundle(&c);
				break;
		}
	}
	if (timing)
	{
		timing->parse = t1 - t0;
		timing->check = fv_cpu_seconds() - t1;
		timing->hash = c.hash_seconds;
		timing->canonical = c.canon_seconds;
		timing->sha = c.sha_seconds;
		timing->canonical_bytes = c.sha_bytes;
	}
	fv_ctx_free(&c);
	if (have_core)
		fj_free(&core_doc);
	fj_free(&doc);
	return fv_exit_code(r);
}
