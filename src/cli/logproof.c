/*
 * logproof.c
 *		foray-verify's checks of the append-only log (docs/log.md): an
 *		inclusion proof of an envelope's leaf in a checkpoint, a consistency
 *		proof between two checkpoints, a checkpoint's Ed25519 signature, and
 *		a transaction's whole proof chain (component -> merkle_root ->
 *		envelope -> leaf -> checkpoint -> the payload on chain).
 *
 * The verdicts are the server's: what foray.log_verify_inclusion,
 * foray.log_verify_consistency, foray.log_verify_signature and
 * foray.verify_proof_chain return true for verifies (exit 0); what they
 * return false for fails (exit 1); what they refuse as malformed fails
 * with the rule the server names (TLOG-PROOF 22R60, TLOG-CHAIN 22R66,
 * PROOF-SHAPE 22R51, TLOG-CHECKPOINT 22R61 inside a chain) as the first
 * failure.  A malformed input given on the command line (a checkpoint, a
 * verifier key, a signed note: the server's 22R61, 22R62, 22R63) is
 * unusable (exit 2).  The code is src/core/tlog.c and tlog_note.c, the
 * extension's own.
 */
#include "verify.h"

#include <stdlib.h>
#include <string.h>

#include "tlog.h"
#include "tlog_note.h"

/* ---------- checkpoints and signatures ---------- */

/* the position after the note text (the last blank line), or 0 for none */
static size_t
note_split(const char *s, size_t len)
{
	for (size_t split = len; split >= 2; split--)
		if (s[split - 2] == '\n' && s[split - 1] == '\n')
			return split - 1;
	return 0;
}

static void
describe_checkpoint(const foray_checkpoint *cp, char *out, size_t cap)
{
	char		root[72];

	jcs_hash_text(cp->root, root);
	snprintf(out, cap, "\"%.*s\" of size %llu and root %s", (int) cp->origin_len, cp->origin,
			 (unsigned long long) cp->size, root);
}

bool
fv_log_checkpoint(fv_ctx *c, const char *what, const char *text, size_t len, const char *vkey,
				  foray_checkpoint *cp, size_t *cp_len)
{
	const char *why = NULL;
	size_t		text_len = len;
	char		desc[400];

	if (vkey != NULL)
	{
		foray_vkey	key;
		size_t		sig_off,
					sig_len;
		int			rc = foray_vkey_parse(c->h, vkey, strlen(vkey), &key, &why);

		if (rc == FORAY_NOTE_MALFORMED || rc == FORAY_NOTE_UNSUPPORTED)
		{
			fv_unusable(c->r, "--vkey is not an Ed25519 verifier key: %s (rule TLOG-VKEY, the server's 22R62)",
						why ? why : "another signature type");
			return false;
		}
		if (rc != FORAY_NOTE_OK)
		{
			fv_unusable(c->r, "the verifier key could not be checked (libcrypto)");
			return false;
		}
		rc = foray_note_verify(text, len, &key, &text_len, &sig_off, &sig_len, &why);
		if (rc == FORAY_NOTE_MALFORMED)
		{
			fv_unusable(c->r, "%s is not a signed note: %s (rule TLOG-NOTE, the server's 22R63)", what, why);
			return false;
		}
		if (rc == FORAY_NOTE_CRYPTO)
		{
			fv_unusable(c->r, "the signature could not be checked (libcrypto)");
			return false;
		}
		if (rc == FORAY_NOTE_NO_SIGNATURE)
		{
			char	   *want = fv_printf("a signature line of the key %.*s", (int) key.name_len, key.name);

			fv_fail(c->r, "TLOG-SIGNATURE", what, want, "none",
					"%s carries no signature of the key given with --vkey (its name and key ID)", what);
			free(want);
		}
		else if (rc == FORAY_NOTE_BAD_SIGNATURE)
			fv_fail(c->r, "TLOG-SIGNATURE", what, "a valid Ed25519 signature", "a signature that does not verify",
					"a signature line of the key given with --vkey does not verify over %s's text", what);
		if (rc == FORAY_NOTE_OK)
			fv_proved(c->r, "%s is signed by the key %.*s (Ed25519, C2SP signed note; every signature line of that key verifies)",
					  what, (int) strcspn(vkey, "+"), vkey);
	}
	else
	{
		size_t		split = note_split(text, len);

		if (split > 0)
		{
			text_len = split;
			fv_claimed(c->r, "%s carries signature lines that were not checked (give --vkey with the log's verifier key)", what);
		}
		else
			fv_claimed(c->r, "%s is not signed: nothing but your trust in it shows which log issued it", what);
	}
	if (foray_checkpoint_parse(text, text_len, cp, &why) != FORAY_NOTE_OK)
	{
		fv_unusable(c->r, "%s is not a checkpoint: %s (rule TLOG-CHECKPOINT, the server's 22R61)", what, why);
		return false;
	}
	describe_checkpoint(cp, desc, sizeof(desc));
	fv_proved(c->r, "%s is the checkpoint of log %s", what, desc);
	if (cp_len != NULL)
		*cp_len = text_len;
	return true;
}

/* ---------- proofs in JSON ---------- */

/*
 * The path: hashes into out (room for max).  A longer path cannot belong to
 * any tree of up to 2^63 entries: *too_long (a false verdict, as the
 * server's), when its elements are not looked at.
 */
static bool
proof_path(fv_ctx *c, uint32_t obj, fv_path *p, uint8_t *out, size_t max, size_t *n,
		   bool *too_long)
{
	const fj_doc *d = c->d;
	uint32_t	path = fj_get(d, obj, "path");
	size_t		mark = fv_path_key(p, "path", 4);
	bool		ok = true;

	*n = 0;
	*too_long = false;
	if (!fj_is(d, path, FJ_ARRAY))
	{
		fv_fail(c->r, "TLOG-PROOF", p->s, "an array of hashes", fj_noun(d, path),
				"path must be an array of \"sha256:<64 hex digits>\" strings");
		ok = false;
	}
	else if (fj_count(d, path) > max)
		*too_long = true;
	else
	{
		uint32_t	e = path + 1;

		for (uint32_t k = 0; k < fj_count(d, path); k++, e = fj_next(d, e))
		{
			size_t		m2 = fv_path_index(p, k);

			ok &= fv_get_hash(c, e, p->s, "TLOG-PROOF", out + 32 * k);
			fv_path_cut(p, m2);
		}
		*n = fj_count(d, path);
	}
	fv_path_cut(p, mark);
	return ok;
}

typedef struct fv_log_proof
{
	uint64_t	a;				/* leaf_index, or old_size */
	uint64_t	b;				/* tree_size, or new_size */
	size_t		n;
	bool		too_long;
	uint8_t		path[FORAY_TLOG_MAX_CONSISTENCY * 32];
} fv_log_proof;

static bool
decode_log_proof(fv_ctx *c, uint32_t node, const char *base, bool consistency, fv_log_proof *out)
{
	fv_path		p;
	bool		ok;

	memset(out, 0, sizeof(*out));
	fv_path_root(&p, base);
	if (!fj_is(c->d, node, FJ_OBJECT))
	{
		fv_fail(c->r, "TLOG-PROOF", p.s, "an object", fj_noun(c->d, node),
				"a log %s proof is a JSON object", consistency ? "consistency" : "inclusion");
		return false;
	}
	ok = fv_get_uint63(c, node, consistency ? "old_size" : "leaf_index", &p, "TLOG-PROOF", &out->a);
	ok &= fv_get_uint63(c, node, consistency ? "new_size" : "tree_size", &p, "TLOG-PROOF", &out->b);
	ok &= proof_path(c, node, &p, out->path,
					 consistency ? FORAY_TLOG_MAX_CONSISTENCY : FORAY_MERKLE_MAX_PATH,
					 &out->n, &out->too_long);
	return ok;
}

/* a hash member the server ignores: a warning when it is not the one proved */
static void
informative_hash(fv_ctx *c, uint32_t obj, const char *base, const char *key,
				 const uint8_t proved[32], const char *what)
{
	uint32_t	v = fj_get(c->d, obj, key);
	uint8_t		h[32];
	fv_path		p;

	if (v == FJ_NONE)
		return;
	fv_path_root(&p, base);
	fv_path_key(&p, key, strlen(key));
	if (!fj_is(c->d, v, FJ_STRING) || !jcs_hash_parse(fj_str(c->d, v), fj_count(c->d, v), h) ||
		memcmp(h, proved, 32) != 0)
		fv_warn(c->r, "log-proof", p.s, "the proof's %s is not %s (the verification does not use it)",
				key, what);
}

/*
 * RFC 9162 2.1.3.2: the leaf is entry leaf_index of the log whose head is
 * cp.  False with a failure under base.
 */
static bool
inclusion_holds(fv_ctx *c, const fv_log_proof *pr, const char *base, const uint8_t leaf[32],
				const foray_checkpoint *cp)
{
	uint8_t		got[32];
	char		e[72],
				f[72];
	fv_path		p;
	int			rc;

	fv_path_root(&p, base);
	if (pr->too_long)
	{
		fv_path_key(&p, "path", 4);
		fv_fail(c->r, "log-inclusion", p.s, "at most 64 hashes", "a longer path",
				"the path is longer than any tree of up to 2^63 entries needs");
		return false;
	}
	if (pr->b != cp->size)
	{
		char	   *want = fv_printf("%llu", (unsigned long long) cp->size);
		char	   *have = fv_printf("%llu", (unsigned long long) pr->b);

		fv_path_key(&p, "tree_size", 9);
		fv_fail(c->r, "log-inclusion", p.s, want, have,
				"the proof is for a tree of another size than the checkpoint's: it says nothing about this one");
		free(want);
		free(have);
		return false;
	}
	rc = foray_merkle_root_from_path(c->h, pr->a, pr->b, leaf, pr->path, pr->n, got);
	if (rc == FORAY_MERKLE_BAD_INDEX || rc == FORAY_MERKLE_BAD_PATH_LEN)
	{
		char	   *want = fv_printf("a path for entry %llu of a tree of %llu entries",
									 (unsigned long long) pr->a, (unsigned long long) pr->b);
		char	   *have = fv_printf("%zu hashes", pr->n);

		fv_path_key(&p, rc == FORAY_MERKLE_BAD_INDEX ? "leaf_index" : "path",
					rc == FORAY_MERKLE_BAD_INDEX ? 10 : 4);
		fv_fail(c->r, "log-inclusion", p.s, want, have, "%s",
				rc == FORAY_MERKLE_BAD_INDEX ? "leaf_index is not below tree_size" :
				"the path is not as long as RFC 9162 needs for this entry and size");
		free(want);
		free(have);
		return false;
	}
	if (rc != FORAY_MERKLE_OK)
	{
		fv_unusable(c->r, "sha-256 failed while verifying the log inclusion proof");
		return false;
	}
	if (memcmp(got, cp->root, 32) != 0)
	{
		jcs_hash_text(cp->root, e);
		jcs_hash_text(got, f);
		fv_path_key(&p, "path", 4);
		fv_fail(c->r, "log-inclusion", p.s, e, f,
				"the path does not take the leaf to the checkpoint's root (RFC 9162 2.1.3.2)");
		return false;
	}
	return true;
}

/* ---------- foray-verify log-inclusion ---------- */

void
fv_check_log_inclusion(fv_ctx *c, const fv_log_args *a)
{
	foray_checkpoint cp;
	fv_log_proof pr;
	uint8_t		leaf[32];
	char		lt[72],
				desc[400];

	if (!fv_log_checkpoint(c, "--checkpoint", a->checkpoint, a->checkpoint_len, a->vkey, &cp, NULL))
		return;
	if (!decode_log_proof(c, 0, "$", false, &pr))
		return;
	if (a->has_leaf)
	{
		memcpy(leaf, a->leaf, 32);
		if (strcmp(a->leaf_from, "--envelope") == 0)
			fv_proved(c->r, "the leaf is SHA-256(0x00 || the canonical text of the envelope given with --envelope)");
		else
			fv_claimed(c->r, "the leaf was given by you (--leaf): which envelope it is the leaf of is not checked here");
	}
	else
	{
		fv_path		p;

		fv_path_root(&p, "$.leaf_hash");
		if (!fv_get_hash(c, fj_get(c->d, 0, "leaf_hash"), p.s, "TLOG-PROOF", leaf))
			return;
		fv_claimed(c->r, "the leaf is the proof's own leaf_hash: which envelope it is the leaf of is not checked (give --envelope FILE or --leaf sha256:HEX)");
	}
	if (a->has_leaf)
		informative_hash(c, 0, "$", "leaf_hash", leaf, "the leaf verified");
	informative_hash(c, 0, "$", "root", cp.root, "the checkpoint's root");
	if (!inclusion_holds(c, &pr, "$", leaf, &cp))
		return;
	jcs_hash_text(leaf, lt);
	describe_checkpoint(&cp, desc, sizeof(desc));
	fv_proved(c->r, "the leaf %s is entry %llu of the log %s (RFC 9162 inclusion proof)%s",
			  lt, (unsigned long long) pr.a, desc,
			  a->has_leaf && strcmp(a->leaf_from, "--envelope") == 0 ?
			  ": so is the envelope given with --envelope" : "");
	json_object_set_new(c->r->recomputed, "leaf_hash", json_string(lt));
	json_object_set_new(c->r->recomputed, "leaf_index", json_integer((json_int_t) pr.a));
	json_object_set_new(c->r->recomputed, "tree_size", json_integer((json_int_t) pr.b));
}

/* ---------- foray-verify log-consistency ---------- */

void
fv_check_log_consistency(fv_ctx *c, const fv_log_args *a)
{
	foray_checkpoint oc,
				nc;
	fv_log_proof pr;
	char		d1[400],
				d2[400];
	int			rc;

	if (!fv_log_checkpoint(c, "--old", a->old_cp, a->old_len, a->vkey, &oc, NULL) ||
		!fv_log_checkpoint(c, "--new", a->checkpoint, a->checkpoint_len, a->vkey, &nc, NULL))
		return;
	if (!decode_log_proof(c, 0, "$", true, &pr))
		return;
	if (pr.too_long)
	{
		fv_fail(c->r, "log-consistency", "$.path", "at most 65 hashes", "a longer path",
				"the path is longer than any consistency proof between trees of up to 2^63 entries");
		return;
	}
	if (pr.a != oc.size || pr.b != nc.size)
	{
		char	   *want = fv_printf("%llu", (unsigned long long) (pr.a != oc.size ? oc.size : nc.size));
		char	   *have = fv_printf("%llu", (unsigned long long) (pr.a != oc.size ? pr.a : pr.b));

		fv_fail(c->r, "log-consistency", pr.a != oc.size ? "$.old_size" : "$.new_size", want, have,
				"the proof is between other sizes than the checkpoints': it says nothing about them");
		free(want);
		free(have);
		return;
	}
	if (oc.origin_len != nc.origin_len || memcmp(oc.origin, nc.origin, oc.origin_len) != 0)
	{
		char	   *want = fv_strndup(oc.origin, oc.origin_len);
		char	   *have = fv_strndup(nc.origin, nc.origin_len);

		fv_fail(c->r, "log-consistency", "--new", want, have,
				"the two checkpoints are of different logs (origins): no proof can make them consistent");
		free(want);
		free(have);
		return;
	}
	informative_hash(c, 0, "$", "old_root", oc.root, "the old checkpoint's root");
	informative_hash(c, 0, "$", "new_root", nc.root, "the new checkpoint's root");
	rc = foray_tlog_verify_consistency(c->h, pr.a, pr.b, oc.root, nc.root, pr.path, pr.n);
	if (rc == FORAY_MERKLE_CRYPTO || rc == FORAY_MERKLE_NOMEM)
	{
		fv_unusable(c->r, "sha-256 failed while verifying the consistency proof");
		return;
	}
	if (rc != FORAY_MERKLE_OK)
	{
		const char *why = rc == FORAY_MERKLE_BAD_SIZE ?
			(pr.a == 0 ? "a proof from the empty tree proves nothing (every tree extends it)" :
			 "the old size is larger than the new one") :
			rc == FORAY_MERKLE_BAD_PATH_LEN ?
			"the path is not as long as RFC 9162 needs between these sizes" :
			"the path does not lead to both checkpoints' roots (RFC 9162 2.1.4.2): the log was rewritten, or the proof is not of these checkpoints";

		fv_fail(c->r, "log-consistency", rc == FORAY_MERKLE_BAD_SIZE ? "$.old_size" : "$.path",
				NULL, NULL, "%s", why);
		return;
	}
	describe_checkpoint(&oc, d1, sizeof(d1));
	describe_checkpoint(&nc, d2, sizeof(d2));
	fv_proved(c->r, "the log %s begins with exactly the %llu entries of the log %s: nothing was removed, reordered or changed, only appended (RFC 9162 consistency proof)",
			  d2, (unsigned long long) oc.size, d1);
}

/* ---------- foray-verify checkpoint ---------- */

void
fv_check_checkpoint(fv_ctx *c, const fv_log_args *a)
{
	foray_checkpoint cp;

	if (fv_log_checkpoint(c, c->r->input, a->checkpoint, a->checkpoint_len, a->vkey, &cp, NULL))
	{
		char		root[72];

		jcs_hash_text(cp.root, root);
		json_object_set_new(c->r->recomputed, "origin", json_stringn(cp.origin, cp.origin_len));
		json_object_set_new(c->r->recomputed, "tree_size", json_integer((json_int_t) cp.size));
		json_object_set_new(c->r->recomputed, "root", json_string(root));
	}
}

/* ---------- foray-verify chain ---------- */

/* a member of the chain: the object (or string), FJ_NONE with a failure */
static bool
chain_member(fv_ctx *c, uint32_t obj, const char *base, const char *key, fj_type type,
			 bool null_ok, uint32_t *out)
{
	uint32_t	v = fj_get(c->d, obj, key);
	fv_path		p;

	*out = FJ_NONE;
	fv_path_root(&p, base);
	fv_path_key(&p, key, strlen(key));
	if (null_ok && v != FJ_NONE && fj_typeof(c->d, v) == FJ_NULL)
		return true;
	if (fj_is(c->d, v, type))
	{
		*out = v;
		return true;
	}
	fv_fail(c->r, "TLOG-CHAIN", p.s, null_ok ? "an object or null" : fj_type_noun(type), fj_noun(c->d, v),
			"%s is %s", key, v == FJ_NONE ? "missing" : "of the wrong kind");
	return false;
}

/* string node v equals s[0..len) */
static bool
same_string(const fj_doc *d, uint32_t v, const char *s, size_t len)
{
	return fj_is(d, v, FJ_STRING) && fj_count(d, v) == len && memcmp(fj_str(d, v), s, len) == 0;
}

static void
label_failure(fv_ctx *c, const char *path, uint32_t want, uint32_t got, const char *msg)
{
	char	   *e = fv_render(c->d, want);
	char	   *f = fv_render(c->d, got);

	fv_fail(c->r, "chain-label", path, e, f, "%s", msg);
	free(e);
	free(f);
}

/* the payload read from the chain equals these bytes */
static void
anchored_link(fv_ctx *c, const fv_log_args *a, const char *what, const char *bytes, size_t len,
			  uint32_t anchor)
{
	if (a->anchored == NULL)
		fv_claimed(c->r, "the last link, %s on chain, was not checked: give --anchored FILE with the payload read from the chain transaction", what);
	else if (a->anchored_len == len && memcmp(a->anchored, bytes, len) == 0)
		fv_proved(c->r, "the payload given with --anchored is exactly %s", what);
	else
		fv_fail(c->r, "anchored", "--anchored", what, "other bytes",
				"the payload given with --anchored is not exactly %s", what);
	if (fj_is(c->d, anchor, FJ_OBJECT))
	{
		uint32_t	tx = fj_get(c->d, anchor, "kaspa_tx_id");
		char	   *t = fv_render(c->d, tx);

		fv_claimed(c->r, "$.anchor (chain transaction %s) is the database's record: that the payload is in that chain transaction, and when, is not checked offline",
				   t);
		free(t);
	}
	else
		fv_claimed(c->r, "the chain has no anchor record ($.anchor): the checkpoint is not anchored yet, as far as the database knew");
}

void
fv_check_chain(fv_ctx *c, const fv_log_args *a)
{
	const fj_doc *d = c->d;
	uint32_t	comp,
				env,
				log,
				cpn,
				env_tx,
				env_root,
				chain_tx,
				chain_subject;
	bool		ok;
	uint8_t		root[32],
				leaf[32],
				sha[32];
	char		rt[72],
				lt[72],
				desc[400];
	fv_proof	pr;
	fj_source	src;
	jcs_value	v;
	char	   *text;
	size_t		len;

	if (!fj_is(d, 0, FJ_OBJECT))
	{
		fv_fail(c->r, "TLOG-CHAIN", "$", "an object", fj_noun(d, 0), "a proof chain is a JSON object");
		return;
	}
	ok = chain_member(c, 0, "$", "component", FJ_OBJECT, false, &comp);
	ok &= chain_member(c, 0, "$", "envelope", FJ_OBJECT, false, &env);
	ok &= chain_member(c, 0, "$", "log", FJ_OBJECT, true, &log);
	ok &= chain_member(c, 0, "$", "checkpoint", FJ_STRING, true, &cpn);
	if (!ok)
		return;
	if ((log == FJ_NONE) != (cpn == FJ_NONE))
	{
		fv_fail(c->r, "TLOG-CHAIN", log == FJ_NONE ? "$.log" : "$.checkpoint", "both null or both given",
				"one of them", "log and checkpoint must both be null (a transaction anchored alone) or both be given");
		return;
	}
	if (!chain_member(c, env, "$.envelope", "transaction_id", FJ_STRING, false, &env_tx) ||
		!chain_member(c, env, "$.envelope", "merkle_root", FJ_STRING, false, &env_root) ||
		!chain_member(c, 0, "$", "transaction_id", FJ_STRING, false, &chain_tx))
		return;

	/* the labels say what the links prove */
	if (!same_string(d, chain_tx, fj_str(d, env_tx), fj_count(d, env_tx)))
	{
		label_failure(c, "$.transaction_id", env_tx, chain_tx,
					  "the chain's transaction_id is not the envelope's");
		return;
	}
	if (!same_string(d, fj_get(d, comp, "transaction_id"), fj_str(d, env_tx), fj_count(d, env_tx)))
	{
		label_failure(c, "$.component.transaction_id", env_tx, fj_get(d, comp, "transaction_id"),
					  "the component proof is not of the envelope's transaction");
		return;
	}
	if (!fj_is(d, fj_get(d, comp, "subject_id"), FJ_STRING))
	{
		label_failure(c, "$.component.subject_id", fj_get(d, 0, "subject_id"), fj_get(d, comp, "subject_id"),
					  "the component proof names no subject");
		return;
	}
	if (!chain_member(c, 0, "$", "subject_id", FJ_STRING, false, &chain_subject))
		return;
	if (!same_string(d, fj_get(d, comp, "subject_id"), fj_str(d, chain_subject), fj_count(d, chain_subject)))
	{
		label_failure(c, "$.component.subject_id", chain_subject, fj_get(d, comp, "subject_id"),
					  "the component proof is not of the chain's subject");
		return;
	}

	/* component -> merkle_root */
	if (!fv_get_hash(c, env_root, "$.envelope.merkle_root", "chain-envelope", root))
		return;
	if (!fv_proof_decode(c, comp, "$.component", &pr) || !fv_proof_check(c, &pr, "$.component", root))
		return;
	jcs_hash_text(root, rt);
	fv_proved(c->r, "%.*s \"%.*s\" of transaction \"%.*s\" is committed to by the envelope's merkle_root %s (commitment scheme %d%s)",
			  (int) pr.p.component_type_len, pr.p.component_type,
			  (int) pr.p.subject_id_len, pr.p.subject_id,
			  (int) pr.p.transaction_id_len, pr.p.transaction_id, rt, pr.p.scheme,
			  pr.p.scheme == 1 ? ": the id, type and transaction are the proof's claims" : "");
	fv_claimed(c->r, "the component's foray_core is not in the chain: the proof shows only that its component_hash is committed");

	/* merkle_root -> envelope -> its canonical bytes and leaf */
	fj_jcs_value(d, env, &v);
	text = fv_canonical_text(c, fj_jcs_source(&src, d), &v, "$.envelope", &len, sha);
	if (text == NULL)
		return;
	if (foray_merkle_leaf_hash(c->h, (const uint8_t *) text, len, leaf) != FORAY_MERKLE_OK)
	{
		free(text);
		fv_unusable(c->r, "sha-256 failed");
		return;
	}
	jcs_hash_text(leaf, lt);
	json_object_set_new(c->r->recomputed, "merkle_root", json_string(rt));
	json_object_set_new(c->r->recomputed, "envelope_text", json_stringn(text, len));
	json_object_set_new(c->r->recomputed, "leaf_hash", json_string(lt));
	if (log == FJ_NONE)
	{
		fv_proved(c->r, "the transaction was anchored alone (log and checkpoint null): its canonical envelope is the payload that goes on chain");
		anchored_link(c, a, "the canonical envelope text", text, len, fj_get(d, 0, "anchor"));
		free(text);
		return;
	}
	free(text);

	/* leaf -> checkpoint -> the chain */
	{
		foray_checkpoint cp;
		const char *why;
		fv_log_proof lp;

		if (foray_checkpoint_parse(fj_str(d, cpn), fj_count(d, cpn), &cp, &why) != FORAY_NOTE_OK)
		{
			char	   *f = fv_render(d, cpn);

			fv_fail(c->r, "TLOG-CHECKPOINT", "$.checkpoint", "a C2SP checkpoint text", f,
					"the chain's checkpoint is not a checkpoint: %s", why);
			free(f);
			return;
		}
		if (a->checkpoint != NULL)
		{
			foray_checkpoint trusted;
			size_t		tlen;

			if (!fv_log_checkpoint(c, "--checkpoint", a->checkpoint, a->checkpoint_len, a->vkey,
								   &trusted, &tlen))
				return;
			if (tlen != fj_count(d, cpn) || memcmp(a->checkpoint, fj_str(d, cpn), tlen) != 0)
			{
				fv_fail(c->r, "checkpoint", "$.checkpoint", "the checkpoint given with --checkpoint", "another text",
						"the chain's checkpoint is not the one you trust");
				return;
			}
		}
		if (!decode_log_proof(c, log, "$.log", false, &lp))
			return;
		informative_hash(c, log, "$.log", "leaf_hash", leaf, "the envelope's leaf");
		if (!inclusion_holds(c, &lp, "$.log", leaf, &cp))
			return;
		describe_checkpoint(&cp, desc, sizeof(desc));
		fv_proved(c->r, "the envelope (leaf %s) is entry %llu of the log %s (RFC 9162 inclusion proof)",
				  lt, (unsigned long long) lp.a, desc);
		{
			char	   *cptext = fv_strndup(fj_str(d, cpn), fj_count(d, cpn));

			anchored_link(c, a, "the checkpoint text", cptext, fj_count(d, cpn), fj_get(d, 0, "anchor"));
			free(cptext);
		}
	}
}
