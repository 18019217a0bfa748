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
			default:
				fv_unusable(r, "a log command (fv_run_log)");
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

/* the leaf H(0x00 || canonical envelope) of the --envelope text: false when unusable */
static bool
envelope_leaf(fv_log_args *a, fv_report *r)
{
	fj_doc		env;
	fj_error	err;
	fv_ctx		c;
	bool		ok = false;

	if (fj_parse(&env, a->envelope, a->envelope_len, &err) != 0)
		fv_unusable(r, "--envelope: %s", err.message);
	else if (!fv_ctx_init(&c, r, &env))
	{
		fv_unusable(r, "could not set up sha-256 (libcrypto)");
		fv_ctx_free(&c);
	}
	else
	{
		fj_source	src;
		jcs_value	v;
		uint8_t		sha[32];
		size_t		n;
		char	   *text;

		fj_jcs_value(&env, 0, &v);
		if (!fj_is(&env, 0, FJ_OBJECT))
			fv_unusable(r, "--envelope is not a JSON object (an anchor envelope)");
		else if ((text = fv_canonical_text(&c, fj_jcs_source(&src, &env), &v, "--envelope", &n, sha)) != NULL)
		{
			ok = foray_merkle_leaf_hash(c.h, (const uint8_t *) text, n, a->leaf) == FORAY_MERKLE_OK;
			if (!ok)
				fv_unusable(r, "sha-256 failed");
			free(text);
		}
		fv_ctx_free(&c);
	}
	fj_free(&env);
	a->envelope = NULL;
	a->has_leaf = ok;
	a->leaf_from = "--envelope";
	return ok;
}

int
fv_run_log(fv_command cmd, char *text, size_t len, fv_log_args *a, fv_report *r)
{
	fj_doc		doc;
	fj_error	err;
	fv_ctx		c;
	bool		parsed = false;

	if (a->envelope != NULL && !envelope_leaf(a, r))
	{
		free(text);
		return fv_exit_code(r);
	}
	if (cmd == FV_CMD_CHECKPOINT)
	{
		a->checkpoint = text;
		a->checkpoint_len = len;
	}
	else
	{
		if (fj_parse(&doc, text, len, &err) != 0)
		{
			fv_unusable(r, "%s", err.message);
			fj_free(&doc);
			return fv_exit_code(r);
		}
		parsed = true;
	}
	if (!fv_ctx_init(&c, r, parsed ? &doc : NULL))
		fv_unusable(r, "could not set up sha-256 (libcrypto)");
	else
		switch (cmd)
		{
			case FV_CMD_LOG_INCLUSION:
				fv_check_log_inclusion(&c, a);
				break;
			case FV_CMD_LOG_CONSISTENCY:
				fv_check_log_consistency(&c, a);
				break;
			case FV_CMD_CHAIN:
				fv_check_chain(&c, a);
				break;
			case FV_CMD_CHECKPOINT:
				fv_check_checkpoint(&c, a);
				break;
			default:
				fv_unusable(r, "not a log command");
				break;
		}
	fv_ctx_free(&c);
	if (parsed)
		fj_free(&doc);
	else
		free(text);
	return fv_exit_code(r);
}
