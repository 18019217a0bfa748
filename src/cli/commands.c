/*
 * commands.c
 *		foray-verify document and foray-verify proof.
 */
#include "verify.h"

#include <string.h>

void
fv_uncommitted_claims(fv_ctx *c, const fv_document *doc)
{
	static const char *const committed[] = {
		"transaction_id", "schema_version", "timestamp", "foray_core", "arrangements",
		"accruals", "anticipations", "actions", "attestations", "audit_data_anchor",
		"component_hashes", "merkle_root", "commitment_scheme", "blockchain_anchor", NULL
	};
	const fj_doc *d = c->d;
	uint32_t	k = doc->root + 1;
	char		list[400];
	size_t		len = 0;
	size_t		n = 0;

	list[0] = '\0';
	for (uint32_t m = 0; m < fj_count(d, doc->root); m++, k = fj_next(d, k + 1))
	{
		bool		known = false;

		for (int i = 0; committed[i]; i++)
			known |= fj_streq(d, k, committed[i]);
		if (known)
			continue;
		n++;
		if (len < sizeof(list) - 80)
			len += (size_t) snprintf(list + len, sizeof(list) - len, "%s%.60s",
									 len ? ", " : "", fj_str(d, k));
	}
	if (n > 0)
		fv_claimed(c->r, "%s: %zu top-level member%s not committed by merkle_root, so not verified: %s",
				   doc->base, n, n == 1 ? " is" : "s are", list);
}

void
fv_check_document(fv_ctx *c)
{
	fv_document doc;

	if (fv_document_load(c, 0, "$", &doc))
	{
		fv_document_compare(c, &doc);
		fv_document_rules(c, &doc);
		fv_document_recomputed(c, &doc, c->r->recomputed);
		fv_uncommitted_claims(c, &doc);
		if (fj_get(c->d, 0, "blockchain_anchor") != FJ_NONE)
			fv_claimed(c->r, "$.blockchain_anchor is a claim: a document alone cannot show that its merkle_root is on chain (check a bundle, or the chain)");
	}
	fv_document_free(&doc);
}

void
fv_check_proof(fv_ctx *c, const uint8_t root[32], const fj_doc *core_doc)
{
	fv_proof	pr;
	char		rt[72];

	if (!fv_proof_decode(c, 0, "$", &pr))
		return;
	if (!fv_proof_check(c, &pr, "$", root))
		return;
	jcs_hash_text(root, rt);
	if (pr.p.scheme == 2)
		fv_proved(c->r, "%.*s \"%.*s\" of transaction \"%.*s\", whose foray_core hashes to its component_hash, is committed to by the trusted root %s (commitment scheme 2: id, type and transaction are bound)",
				  (int) pr.p.component_type_len, pr.p.component_type,
				  (int) pr.p.subject_id_len, pr.p.subject_id,
				  (int) pr.p.transaction_id_len, pr.p.transaction_id, rt);
	else
	{
		fv_proved(c->r, "a member of tree %.*s whose foray_core hashes to the proof's component_hash is committed to by the trusted root %s (commitment scheme 1)",
				  (int) pr.p.tree_len, pr.p.tree, rt);
		fv_claimed(c->r, "scheme 1 does not commit to ids, types or the transaction: subject_id \"%.*s\" and transaction_id \"%.*s\" are the proof's claims",
				   (int) pr.p.subject_id_len, pr.p.subject_id,
				   (int) pr.p.transaction_id_len, pr.p.transaction_id);
	}
	if (core_doc != NULL)
	{
		fv_ctx		cc;
		uint8_t		h[32];
		char		e[72],
					f[72];

		if (!fv_ctx_init(&cc, c->r, core_doc))
		{
			fv_ctx_free(&cc);
			fv_unusable(c->r, "could not set up sha-256");
			return;
		}
		if (fv_hash_node(&cc, 0, "$(--core)", NULL, h))
		{
			if (memcmp(h, pr.p.component_hash, 32) == 0)
				fv_proved(c->r, "the foray_core given with --core hashes to the proof's component_hash");
			else
			{
				jcs_hash_text(pr.p.component_hash, e);
				jcs_hash_text(h, f);
				fv_fail(c->r, "component_hash", "$(--core)", e, f,
						"the foray_core given with --core does not hash to the proof's component_hash");
			}
		}
		fv_ctx_free(&cc);
	}
	else
		fv_claimed(c->r, "the component's foray_core was not given (--core): the proof shows only that its component_hash is committed");
	fv_claimed(c->r, "the root was given by you (--root): whether it is the anchored merkle_root (an envelope on chain) is not checked here");
}
