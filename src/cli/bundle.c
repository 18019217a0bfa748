/*
 * bundle.c
 *		foray-verify bundle: everything in a bundle exported by
 *		foray.export_bundle (docs/bundle.md) checked against everything
 *		else, offline; what is proved and what is only claimed.
 */
#include "verify.h"

#include "iso8601.h"

#include <stdlib.h>
#include <string.h>

/* the envelope's fields, decoded */
typedef struct envelope
{
	bool		ok;				/* well-formed */
	int			scheme;
	const char *tx;
	size_t		tx_len;
	const char *schema;
	size_t		schema_len;
	const char *ts;
	size_t		ts_len;
	uint8_t		core[32];
	uint8_t		audit[32];
	uint8_t		root[32];
} envelope;

typedef struct bundle
{
	fv_ctx	   *c;
	const fj_doc *d;
	const char *tx;				/* the bundle's transaction_id */
	size_t		tx_len;
	const char *lifecycle;
	bool		have_doc;		/* document present and its commitment computed */
	fv_document doc;
	uint32_t	env_node;
	envelope	env;
	uint32_t	anchor_node;
} bundle;

static const char *const bundle_keys[] = {
	"bundle_version", "transaction_id", "lifecycle", "document", "members", "envelope",
	"envelope_sha256", "anchor", "disclosed", NULL
};
static const char *const envelope_keys[] = {
	"audit_data_hash", "commitment_scheme", "foray_core_hash", "merkle_root",
	"schema_version", "timestamp", "transaction_id", NULL
};
static const char *const anchor_keys[] = {
	"kaspa_tx_id", "block_height", "confirmation_time_ms", "anchored_at", "merkle_root", NULL
};
static const char *const member_keys[] = {"type", "id", "component_hash", "audit_data_hash", NULL};
static const char *const disclosed_keys[] = {"id", "type", "foray_core", "proof", NULL};
static const char *const lifecycles[] = {"open", "ready_to_anchor", "anchored", "sealed", NULL};

/* ---------- helpers ---------- */

static bool
in_list(const fj_doc *d, uint32_t k, const char *const *keys)
{
	for (int i = 0; keys[i]; i++)
		if (fj_streq(d, k, keys[i]))
			return true;
	return false;
}

/* members of obj outside keys are failures under check */
static bool
only_keys(bundle *b, uint32_t obj, const char *const *keys, const char *base, const char *check)
{
	const fj_doc *d = b->d;
	uint32_t	k = obj + 1;
	bool		ok = true;

	for (uint32_t m = 0; m < fj_count(d, obj); m++, k = fj_next(d, k + 1))
		if (!in_list(d, k, keys))
		{
			fv_path		p;

			fv_path_root(&p, base);
			fv_path_key(&p, fj_str(d, k), fj_count(d, k));
			fv_fail(b->c->r, check, p.s, "(absent)", fj_str(d, k),
					"\"%s\" is not part of this object's format", fj_str(d, k));
			ok = false;
		}
	return ok;
}

static void
child_path(fv_path *p, const char *base, const char *key)
{
	fv_path_root(p, base);
	fv_path_key(p, key, strlen(key));
}

/* a string member, or a failure */
static bool
member_string(bundle *b, uint32_t obj, const char *base, const char *key, const char *check,
			  const char **s, size_t *len)
{
	uint32_t	v = fj_get(b->d, obj, key);
	fv_path		p;

	if (fj_is(b->d, v, FJ_STRING))
	{
		*s = fj_str(b->d, v);
		*len = fj_count(b->d, v);
		return true;
	}
	child_path(&p, base, key);
	fv_fail(b->c->r, check, p.s, "a string", v == FJ_NONE ? "(absent)" : fj_type_noun(fj_typeof(b->d, v)),
			"%s must be a string", key);
	return false;
}

static bool
member_hash(bundle *b, uint32_t obj, const char *base, const char *key, const char *check,
			uint8_t out[32])
{
	fv_path		p;

	child_path(&p, base, key);
	return fv_get_hash(b->c, fj_get(b->d, obj, key), p.s, check, out);
}

static bool
same_text(const char *a, size_t alen, const char *b2, size_t blen)
{
	return alen == blen && memcmp(a, b2, alen) == 0;
}

static void
expect_text(bundle *b, const char *path, const char *check, const char *want, size_t wlen,
			const char *got, size_t glen, const char *what)
{
	char	   *e,
			   *f;

	if (same_text(want, wlen, got, glen))
		return;
	e = fv_printf("\"%.*s\"", (int) (wlen > 200 ? 200 : wlen), want);
	f = fv_printf("\"%.*s\"", (int) (glen > 200 ? 200 : glen), got);
	fv_fail(b->c->r, check, path, e, f, "%s", what);
	free(e);
	free(f);
}

static void
expect_hash(bundle *b, const char *path, const char *check, const uint8_t want[32],
			const uint8_t got[32], const char *what)
{
	char		e[72],
				f[72];

	if (memcmp(want, got, 32) == 0)
		return;
	jcs_hash_text(want, e);
	jcs_hash_text(got, f);
	fv_fail(b->c->r, check, path, e, f, "%s", what);
}

/* ---------- the member list ---------- */

/* the hash a document carries for tree t (component_hashes) or audit (5) */
static bool
carried_root(bundle *b, int t, uint8_t out[32])
{
	const fj_doc *d = b->d;
	uint32_t	v;

	if (t < FORAY_C2_TREE_AUDIT)
		v = fj_get(d, fj_get(d, b->doc.root, "component_hashes"), foray_c2_tree_names[t]);
	else
	{
		v = fj_get(d, fj_get(d, b->doc.root, "audit_data_anchor"), "audit_data_hash");
		if (v == FJ_NONE && b->env_node != FJ_NONE)
			v = fj_get(d, b->env_node, "audit_data_hash");
	}
	return fj_is(d, v, FJ_STRING) && jcs_hash_parse(fj_str(d, v), fj_count(d, v), out);
}

/*
 * A mismatch between a member's recomputed hash and the one the member list
 * records: blame the side the carried tree root disagrees with.
 */
static void
attribute(bundle *b, size_t j, int t, const foray_commit *listed, bool audit,
		  const uint8_t recomputed[32], const uint8_t recorded[32])
{
	uint8_t		carried[32];
	bool		have = carried_root(b, t, carried);
	fv_path		p;
	char		e[72],
				f[72];
	const foray_commit_member *m = &b->doc.cm[j];
	const char *field = audit ? "audit_data" : "foray_core";

	jcs_hash_text(recorded, e);
	jcs_hash_text(recomputed, f);
	if (have && memcmp(b->doc.commit.root[t], carried, 32) == 0 &&
		memcmp(listed->root[t], carried, 32) != 0)
	{
		/* the document agrees with its own tree root: the list was changed */
		fv_path_root(&p, "$.members");
		fv_path_index(&p, j);
		fv_path_key(&p, audit ? "audit_data_hash" : "component_hash",
					audit ? 15 : 14);
		fv_fail(b->c->r, "members", p.s, f, e,
				"the member list records another hash for \"%.*s\" than its %s and the tree root give",
				(int) m->id_len, m->id, field);
		return;
	}
	fv_member_path(&b->doc, m, &p);
	fv_path_key(&p, field, strlen(field));
	fv_fail(b->c->r, audit ? "audit_data_hash" : "component_hash", p.s, e, f,
			"the %s of \"%.*s\" does not hash to what the substrate recorded for it (the bundle's member list%s)",
			field, (int) m->id_len, m->id,
			have && memcmp(listed->root[t], carried, 32) == 0 ?
			", which the carried tree root confirms" : "");
}

static void
check_members(bundle *b, uint32_t list)
{
	const fj_doc *d = b->d;
	fv_report  *r = b->c->r;
	fv_document *doc = &b->doc;
	foray_commit_member *lm;
	foray_commit_input in;
	foray_commit listed;
	uint32_t	e;
	size_t		before = r->nfail;
	int			rc;

	if (!fj_is(d, list, FJ_ARRAY))
	{
		fv_fail(r, "members", "$.members", "an array", fj_type_noun(fj_typeof(d, list)),
				"members must be an array");
		return;
	}
	if (fj_count(d, list) != doc->n)
	{
		char	   *e2 = fv_printf("%zu members", doc->n);
		char	   *f2 = fv_printf("%u members", fj_count(d, list));

		fv_fail(r, "members", "$.members", e2, f2,
				"the member list and the document have different numbers of components and attestations");
		free(e2);
		free(f2);
		return;
	}
	lm = fv_calloc(doc->n, sizeof(foray_commit_member));
	e = list + 1;
	for (size_t j = 0; j < doc->n; j++, e = fj_next(d, e))
	{
		const foray_commit_member *m = &doc->cm[j];
		fv_path		p;
		const char *type,
				   *id;
		size_t		tlen,
					idlen;
		uint32_t	ah;

		fv_path_root(&p, "$.members");
		fv_path_index(&p, j);
		if (!fj_is(d, e, FJ_OBJECT))
		{
			fv_fail(r, "members", p.s, "an object", fj_type_noun(fj_typeof(d, e)),
					"a member list entry is an object");
			break;
		}
		if (!only_keys(b, e, member_keys, p.s, "members") ||
			!member_string(b, e, p.s, "type", "members", &type, &tlen) ||
			!member_string(b, e, p.s, "id", "members", &id, &idlen) ||
			!member_hash(b, e, p.s, "component_hash", "members", lm[j].component_hash))
			break;
		if (!same_text(type, tlen, foray_c2_type_codes[m->tree], 3) ||
			!same_text(id, idlen, m->id, m->id_len))
		{
			char	   *e2 = fv_printf("%s \"%.*s\"", foray_c2_type_codes[m->tree], (int) m->id_len, m->id);
			char	   *f2 = fv_printf("%.*s \"%.*s\"", (int) (tlen > 10 ? 10 : tlen), type,
									   (int) (idlen > 200 ? 200 : idlen), id);

			fv_fail(r, "members", p.s, e2, f2,
					"the member list is not the document's components and attestations in leaf order");
			free(e2);
			free(f2);
			break;
		}
		ah = fj_get(d, e, "audit_data_hash");
		if ((ah != FJ_NONE) != m->has_audit)
		{
			fv_path_key(&p, "audit_data_hash", 15);
			fv_fail(r, "members", p.s, m->has_audit ? "a hash" : "(absent)",
					ah == FJ_NONE ? "(absent)" : "a hash",
					"the member list and the document disagree on whether \"%.*s\" has audit_data",
					(int) m->id_len, m->id);
			break;
		}
		if (ah != FJ_NONE && !member_hash(b, e, p.s, "audit_data_hash", "members", lm[j].audit_hash))
			break;
		lm[j].tree = m->tree;
		lm[j].id = m->id;
		lm[j].id_len = m->id_len;
		lm[j].has_audit = m->has_audit;
		lm[j].tag = m->tag;
	}
	if (r->nfail != before)
	{
		free(lm);
		return;
	}

	/* the commitment the list gives, to attribute each difference */
	fv_document_commit_input(doc, lm, &in);
	rc = foray_commit_compute(b->c->h, &in, &listed);
	if (rc != FORAY_MERKLE_OK)
	{
		free(lm);
		fv_unusable(r, "the member list's commitment could not be computed: %s",
					foray_merkle_strerror(rc));
		return;
	}
	for (size_t j = 0; j < doc->n; j++)
	{
		const foray_commit_member *m = &doc->cm[j];

		if (memcmp(m->component_hash, lm[j].component_hash, 32) != 0)
			attribute(b, j, m->tree, &listed, false, m->component_hash, lm[j].component_hash);
		if (m->has_audit && memcmp(m->audit_hash, lm[j].audit_hash, 32) != 0)
			attribute(b, j, FORAY_C2_TREE_AUDIT, &listed, true, m->audit_hash, lm[j].audit_hash);
	}
	if (r->nfail == before)
		fv_proved(r, "every component's and attestation's foray_core (and audit_data) hashes to the hash the substrate recorded for it ($.members, %zu entries)",
				  doc->n);
	free(lm);
}

/* ---------- the envelope ---------- */

static void
decode_envelope(bundle *b, uint32_t node)
{
	const fj_doc *d = b->d;
	envelope   *env = &b->env;
	uint32_t	sv;
	bool		ok;

	memset(env, 0, sizeof(*env));
	if (!fj_is(d, node, FJ_OBJECT))
	{
		fv_fail(b->c->r, "envelope", "$.envelope", "an object", fj_type_noun(fj_typeof(d, node)),
				"the envelope is a JSON object");
		return;
	}
	ok = only_keys(b, node, envelope_keys, "$.envelope", "envelope");
	sv = fj_get(d, node, "commitment_scheme");
	env->scheme = 1;
	if (sv != FJ_NONE)
	{
		uint64_t	v;

		if (fj_uint63(d, sv, &v) && v == 2)
			env->scheme = 2;
		else
		{
			fv_fail(b->c->r, "envelope", "$.envelope.commitment_scheme", "2 (absent for scheme 1)",
					fj_typeof(d, sv) == FJ_NUMBER ? fj_str(d, sv) : fj_type_noun(fj_typeof(d, sv)),
					"an envelope states commitment_scheme 2, or nothing (scheme 1)");
			ok = false;
		}
	}
	ok &= member_string(b, node, "$.envelope", "transaction_id", "envelope", &env->tx, &env->tx_len);
	ok &= member_string(b, node, "$.envelope", "schema_version", "envelope", &env->schema, &env->schema_len);
	ok &= member_string(b, node, "$.envelope", "timestamp", "envelope", &env->ts, &env->ts_len);
	ok &= member_hash(b, node, "$.envelope", "foray_core_hash", "envelope", env->core);
	ok &= member_hash(b, node, "$.envelope", "audit_data_hash", "envelope", env->audit);
	ok &= member_hash(b, node, "$.envelope", "merkle_root", "envelope", env->root);
	env->ok = ok;
}

/* the envelope against the document's commitment */
static void
envelope_vs_document(bundle *b)
{
	const fv_document *doc = &b->doc;
	const envelope *env = &b->env;
	size_t		before = b->c->r->nfail;

	if (env->scheme != doc->scheme)
	{
		char	   *e = fv_printf("%d", doc->scheme);
		char	   *f = fv_printf("%d", env->scheme);

		fv_fail(b->c->r, "envelope", "$.envelope.commitment_scheme", e, f,
				"the envelope and the document state different commitment schemes");
		free(e);
		free(f);
	}
	expect_text(b, "$.envelope.transaction_id", "envelope", doc->tx, doc->tx_len, env->tx,
				env->tx_len, "the envelope names another transaction than the document");
	expect_text(b, "$.envelope.schema_version", "envelope", doc->schema, doc->schema_len,
				env->schema, env->schema_len, "the envelope's schema_version is not the document's");
	expect_text(b, "$.envelope.timestamp", "envelope", doc->ts, doc->ts_len, env->ts,
				env->ts_len, "the envelope's timestamp is not the document's");
	expect_hash(b, "$.envelope.foray_core_hash", "envelope", doc->foray_core_hash, env->core,
				"the envelope's foray_core_hash is not the hash of the document's foray_core");
	expect_hash(b, "$.envelope.audit_data_hash", "envelope", doc->commit.root[FORAY_C2_TREE_AUDIT],
				env->audit, "the envelope's audit_data_hash is not the one the document's audit data give");
	expect_hash(b, "$.envelope.merkle_root", "envelope", doc->commit.merkle_root, env->root,
				"the envelope's merkle_root is not the root recomputed from the document");
	if (b->c->r->nfail == before)
		fv_proved(b->c->r, "the envelope is exactly the one the document's content gives: merkle_root, foray_core_hash, audit_data_hash, transaction_id, schema_version and timestamp equal the recomputed values%s",
				  doc->scheme == 2 ? " (and merkle_root alone commits to all of them)" : "");
}

/* envelope_sha256 and the size limit; the canonical text into *text */
static void
envelope_hash(bundle *b, char **text)
{
	const fj_doc *d = b->d;
	uint32_t	sh = fj_get(d, 0, "envelope_sha256");
	fj_source	s;
	jcs_value	v;
	size_t		len;
	uint8_t		sha[32];
	uint8_t		stated[32];

	fj_jcs_source(&s, d);
	fj_jcs_value(d, b->env_node, &v);
	*text = fv_canonical_text(b->c, &s.src, &v, "$.envelope", &len, sha);
	if (*text == NULL)
		return;
	if (len >= 500)
	{
		char	   *f = fv_printf("%zu bytes", len);

		fv_fail(b->c->r, "envelope", "$.envelope", "under 500 bytes", f,
				"the envelope's canonical text is too long to have been anchored");
		free(f);
	}
	if (sh == FJ_NONE)
		fv_fail(b->c->r, "envelope_sha256", "$.envelope_sha256", "the SHA-256 of the envelope's canonical text",
				"(absent)", "a bundle with an envelope states its hash");
	else if (fv_get_hash(b->c, sh, "$.envelope_sha256", "envelope_sha256", stated))
	{
		if (memcmp(sha, stated, 32) == 0)
			fv_proved(b->c->r, "envelope_sha256 is the SHA-256 of the envelope's RFC 8785 canonical text (%zu bytes)",
					  len);
		else
			expect_hash(b, "$.envelope_sha256", "envelope_sha256", sha, stated,
						"envelope_sha256 is not the SHA-256 of the envelope's canonical text");
	}
}

/* ---------- the anchor record ---------- */

static bool
utc_time(const char *s, size_t len)
{
	/* YYYY-MM-DDTHH:MM:SS[.mmm|.uuuuuu]Z, as record_anchor writes it */
	if (len != 20 && len != 24 && len != 27)
		return false;
	if (s[10] != 'T' || s[len - 1] != 'Z' || (len > 20 && s[19] != '.'))
		return false;
	return foray_iso8601_parse(s, len, NULL);
}

static void
check_anchor(bundle *b)
{
	const fj_doc *d = b->d;
	fv_report  *r = b->c->r;
	uint32_t	a = b->anchor_node;
	uint32_t	doc_anchor = b->have_doc ? fj_get(d, b->doc.root, "blockchain_anchor") : FJ_NONE;
	const char *kaspa = NULL;
	size_t		kaspa_len = 0;
	const char *at = NULL;
	size_t		at_len = 0;
	uint64_t	height = 0,
				confirm = 0;
	uint8_t		root[32];
	size_t		before = r->nfail;
	bool		ok;

	if (!fj_is(d, a, FJ_OBJECT))
	{
		fv_fail(r, "anchor", "$.anchor", "an object", fj_type_noun(fj_typeof(d, a)),
				"the anchor record is an object");
		return;
	}
	ok = only_keys(b, a, anchor_keys, "$.anchor", "anchor");
	if (member_string(b, a, "$.anchor", "kaspa_tx_id", "anchor", &kaspa, &kaspa_len))
	{
		bool		printable = kaspa_len >= 1 && kaspa_len <= 200;

		for (size_t i = 0; printable && i < kaspa_len; i++)
			printable = (unsigned char) kaspa[i] >= 0x20 && kaspa[i] != 0x7f;
		if (!printable)
			fv_fail(r, "anchor", "$.anchor.kaspa_tx_id", "1 to 200 printable characters", NULL,
					"kaspa_tx_id is not one record_anchor accepts");
	}
	else
		ok = false;
	if (!fj_uint63(d, fj_get(d, a, "block_height"), &height))
	{
		fv_fail(r, "anchor", "$.anchor.block_height", "an integer from 0 to 2^63-1", NULL,
				"block_height is not a non-negative integer");
		ok = false;
	}
	if (!fj_uint63(d, fj_get(d, a, "confirmation_time_ms"), &confirm))
	{
		fv_fail(r, "anchor", "$.anchor.confirmation_time_ms", "an integer from 0 to 2^63-1", NULL,
				"confirmation_time_ms is not a non-negative integer");
		ok = false;
	}
	if (member_string(b, a, "$.anchor", "anchored_at", "anchor", &at, &at_len) &&
		!utc_time(at, at_len))
		fv_fail(r, "anchor", "$.anchor.anchored_at", "YYYY-MM-DDTHH:MM:SS[.fff]Z", NULL,
				"anchored_at is not an ISO-8601 UTC time as record_anchor writes it");
	ok &= member_hash(b, a, "$.anchor", "merkle_root", "anchor", root);
	if (ok && b->env.ok)
		expect_hash(b, "$.anchor.merkle_root", "anchor", b->env.root, root,
					"the anchor record names another merkle_root than the envelope");

	/* the document's blockchain_anchor is this same record (without merkle_root) */
	if (b->have_doc)
	{
		if (!fj_is(d, doc_anchor, FJ_OBJECT))
			fv_fail(r, "anchor", "$.document.blockchain_anchor", "the anchor record",
					doc_anchor == FJ_NONE ? "(absent)" : fj_type_noun(fj_typeof(d, doc_anchor)),
					"an anchored transaction's document carries its blockchain_anchor");
		else
		{
			static const char *const fields[] = {"kaspa_tx_id", "block_height",
			"confirmation_time_ms", "anchored_at", NULL};
			uint32_t	k = doc_anchor + 1;

			for (int i = 0; fields[i]; i++)
			{
				uint32_t	want = fj_get(d, a, fields[i]);
				uint32_t	got = fj_get(d, doc_anchor, fields[i]);
				bool		same;
				uint64_t	x,
							y;
				fv_path		p;

				if (fj_is(d, want, FJ_NUMBER))
					same = fj_uint63(d, want, &x) && fj_uint63(d, got, &y) && x == y;
				else
					same = fj_is(d, want, FJ_STRING) && fj_is(d, got, FJ_STRING) &&
						same_text(fj_str(d, want), fj_count(d, want), fj_str(d, got), fj_count(d, got));
				if (same)
					continue;
				child_path(&p, "$.document.blockchain_anchor", fields[i]);
				fv_fail(r, "anchor", p.s,
						want == FJ_NONE ? "(absent)" : fj_typeof(d, want) == FJ_OBJECT ||
						fj_typeof(d, want) == FJ_ARRAY ? fj_type_noun(fj_typeof(d, want)) : fj_str(d, want),
						got == FJ_NONE ? "(absent)" : fj_typeof(d, got) == FJ_OBJECT ||
						fj_typeof(d, got) == FJ_ARRAY ? fj_type_noun(fj_typeof(d, got)) : fj_str(d, got),
						"the document's blockchain_anchor differs from the bundle's anchor record ($.anchor.%s)",
						fields[i]);
			}
			for (uint32_t m = 0; m < fj_count(d, doc_anchor); m++, k = fj_next(d, k + 1))
				if (!in_list(d, k, fields))
				{
					fv_path		p;

					child_path(&p, "$.document.blockchain_anchor", fj_str(d, k));
					fv_fail(r, "anchor", p.s, "(absent)", fj_str(d, k),
							"the document's blockchain_anchor has a member the anchor record has not");
				}
		}
	}
	if (r->nfail == before && kaspa != NULL && at != NULL)
	{
		fv_proved(r, "the anchor record names the envelope's merkle_root%s",
				  b->have_doc ? " and is the document's blockchain_anchor" : "");
		fv_claimed(r, "the envelope's presence on chain is not checked offline: the anchor record says Kaspa transaction %.*s, block height %llu, anchored at %.*s (confirmed in %llu ms); fetch that transaction and compare its payload with the envelope's canonical text or envelope_sha256",
				   (int) (kaspa_len > 200 ? 200 : kaspa_len), kaspa, (unsigned long long) height,
				   (int) at_len, at, (unsigned long long) confirm);
	}
}

/* ---------- disclosed components ---------- */

static void
check_disclosed(bundle *b, uint32_t list)
{
	const fj_doc *d = b->d;
	fv_report  *r = b->c->r;
	uint32_t	e;
	fv_proof   *pr;

	if (!fj_is(d, list, FJ_ARRAY))
	{
		fv_fail(r, "disclosed", "$.disclosed", "an array", fj_type_noun(fj_typeof(d, list)),
				"disclosed must be an array");
		return;
	}
	if (fj_count(d, list) > 0 && !b->env.ok)
	{
		fv_fail(r, "disclosed", "$.disclosed", "an envelope to verify against", "(none)",
				"disclosed components are proved against the envelope's merkle_root, and the bundle has no valid envelope");
		return;
	}
	pr = fv_malloc(sizeof(fv_proof));
	e = list + 1;
	for (uint32_t k = 0; k < fj_count(d, list); k++, e = fj_next(d, e))
	{
		fv_path		base;
		fv_path		p;
		const char *id = NULL,
				   *type = NULL;
		size_t		idlen = 0,
					tlen = 0;
		uint32_t	core;
		uint8_t		h[32];
		size_t		before = r->nfail;
		int			t;

		fv_path_root(&base, "$.disclosed");
		fv_path_index(&base, k);
		if (!fj_is(d, e, FJ_OBJECT))
		{
			fv_fail(r, "disclosed", base.s, "an object", fj_type_noun(fj_typeof(d, e)),
					"a disclosed component is an object");
			continue;
		}
		(void) only_keys(b, e, disclosed_keys, base.s, "disclosed");
		if (!member_string(b, e, base.s, "id", "disclosed", &id, &idlen) ||
			!member_string(b, e, base.s, "type", "disclosed", &type, &tlen))
			continue;
		t = foray_c2_tree_of_type(type, tlen);
		core = fj_get(d, e, "foray_core");
		child_path(&p, base.s, "foray_core");
		if (!fj_is(d, core, FJ_OBJECT))
		{
			fv_fail(r, "disclosed", p.s, "an object", core == FJ_NONE ? "(absent)" :
					fj_type_noun(fj_typeof(d, core)), "a disclosed component carries its foray_core");
			continue;
		}
		if (!fv_hash_node(b->c, core, p.s, NULL, h))
			break;
		child_path(&p, base.s, "proof");
		if (!fv_proof_decode(b->c, fj_get(d, e, "proof"), p.s, pr) ||
			!fv_proof_check(b->c, pr, p.s, b->env.root))
			continue;

		/* the proof verifies: now what it proves must be what is disclosed */
		child_path(&p, base.s, "foray_core");
		expect_hash(b, p.s, "disclosed", pr->p.component_hash, h,
					"the disclosed foray_core does not hash to the proof's component_hash");
		child_path(&p, base.s, "id");
		expect_text(b, p.s, "disclosed", pr->p.subject_id, pr->p.subject_id_len, id, idlen,
					"the disclosed id is not the proof's subject_id");
		child_path(&p, base.s, "type");
		if (t < 0 || !same_text(foray_c2_tree_names[t], strlen(foray_c2_tree_names[t]),
								pr->p.tree, pr->p.tree_len))
		{
			int			pt = foray_c2_tree_of_name(pr->p.tree, pr->p.tree_len);
			char	   *f = fv_strndup(type, tlen > 10 ? 10 : tlen);

			fv_fail(r, "disclosed", p.s, pt >= 0 && pt < FORAY_C2_TREE_AUDIT ?
					foray_c2_type_codes[pt] : "the type of the proof's tree", f,
					"the disclosed type is not the type the proof proves");
			free(f);
		}
		child_path(&p, base.s, "proof");
		fv_path_key(&p, "transaction_id", 14);
		expect_text(b, p.s, "disclosed", b->tx, b->tx_len, pr->p.transaction_id,
					pr->p.transaction_id_len, "the proof is for another transaction than the bundle's");
		if (pr->p.scheme != b->env.scheme)
		{
			child_path(&p, base.s, "proof");
			fv_path_key(&p, "commitment_scheme", 17);
			fv_fail(r, "disclosed", p.s, b->env.scheme == 2 ? "2" : "1", pr->p.scheme == 2 ? "2" : "1",
					"the proof's commitment scheme is not the envelope's");
		}
		if (b->have_doc)
		{
			/* the same component in the full document */
			long		j = fv_document_find(&b->doc, id, idlen);

			child_path(&p, base.s, "foray_core");
			if (j < 0)
				fv_fail(r, "disclosed", p.s, "a component of the document", id,
						"the disclosed component is not in the bundle's document");
			else
				expect_hash(b, p.s, "disclosed",
							b->doc.cm[b->doc.members[j].sorted].component_hash, h,
							"the disclosed foray_core is not the document's");
		}
		if (r->nfail == before)
		{
			fv_proved(r, "%s: %.*s \"%.*s\" with the disclosed foray_core is committed to by the envelope's merkle_root%s",
					  base.s, (int) (tlen > 10 ? 10 : tlen), type, (int) (idlen > 200 ? 200 : idlen), id,
					  pr->p.scheme == 2 ? "" : " (scheme 1: its id and type are claims, not committed)");
		}
	}
	free(pr);
}

/* ---------- the bundle ---------- */

void
fv_check_bundle(fv_ctx *c)
{
	const fj_doc *d = c->d;
	fv_report  *r = c->r;
	bundle		b;
	uint32_t	v;
	uint64_t	version;
	uint32_t	doc_node;
	char	   *text = NULL;
	bool		anchored;

	memset(&b, 0, sizeof(b));
	b.c = c;
	b.d = d;
	b.env_node = FJ_NONE;
	b.anchor_node = FJ_NONE;
	if (!fj_is(d, 0, FJ_OBJECT))
	{
		fv_fail(r, "bundle", "$", "an object", fj_type_noun(fj_typeof(d, 0)), "a bundle is a JSON object");
		return;
	}
	(void) only_keys(&b, 0, bundle_keys, "$", "bundle");
	v = fj_get(d, 0, "bundle_version");
	if (!fj_uint63(d, v, &version) || version != 1)
		fv_fail(r, "bundle", "$.bundle_version", "1",
				v == FJ_NONE ? "(absent)" : fj_typeof(d, v) == FJ_NUMBER ? fj_str(d, v) :
				fj_type_noun(fj_typeof(d, v)), "this is not a bundle of version 1");
	if (!member_string(&b, 0, "$", "transaction_id", "bundle", &b.tx, &b.tx_len))
		return;
	v = fj_get(d, 0, "lifecycle");
	if (!fj_is(d, v, FJ_STRING) || !in_list(d, v, lifecycles))
	{
		fv_fail(r, "bundle", "$.lifecycle", "open, ready_to_anchor, anchored or sealed",
				v == FJ_NONE ? "(absent)" : fj_is(d, v, FJ_STRING) ? fj_str(d, v) :
				fj_type_noun(fj_typeof(d, v)), "lifecycle is not a lifecycle of the substrate");
		return;
	}
	b.lifecycle = fj_str(d, v);
	anchored = strcmp(b.lifecycle, "anchored") == 0 || strcmp(b.lifecycle, "sealed") == 0;
	b.env_node = fj_get(d, 0, "envelope");
	b.anchor_node = fj_get(d, 0, "anchor");

	/* the document, and the member list beside it */
	doc_node = fj_get(d, 0, "document");
	if (doc_node != FJ_NONE)
	{
		b.have_doc = fv_document_load(c, doc_node, "$.document", &b.doc);
		if (r->unusable)
			goto done;
		if (b.have_doc)
		{
			expect_text(&b, "$.transaction_id", "bundle", b.doc.tx, b.doc.tx_len, b.tx, b.tx_len,
						"the bundle names another transaction than its document");
			if (fj_get(d, 0, "members") != FJ_NONE)
				check_members(&b, fj_get(d, 0, "members"));
			else
				fv_claimed(r, "the bundle has no member list: a changed component shows as a changed tree root, not by its id");
			if (r->unusable)
				goto done;
			fv_document_compare(c, &b.doc);
			fv_document_rules(c, &b.doc);
			fv_document_recomputed(c, &b.doc, r->recomputed);
			fv_uncommitted_claims(c, &b.doc);
		}
	}
	else
	{
		if (fj_get(d, 0, "members") != FJ_NONE)
			fv_fail(r, "members", "$.members", "(absent)", "a member list",
					"a member list goes with a document");
		fv_claimed(r, "the bundle withholds the document (selective disclosure): only the disclosed components are checked");
	}

	/* the lifecycle says what must be there */
	if (strcmp(b.lifecycle, "open") == 0 && b.env_node != FJ_NONE)
		fv_fail(r, "bundle", "$.envelope", "(absent)", "an envelope",
				"an open transaction has no envelope");
	if (strcmp(b.lifecycle, "open") != 0 && b.env_node == FJ_NONE)
		fv_fail(r, "bundle", "$.envelope", "the anchor envelope", "(absent)",
				"a transaction that is %s has an envelope", b.lifecycle);
	if (anchored && b.anchor_node == FJ_NONE)
		fv_fail(r, "bundle", "$.anchor", "the anchor record", "(absent)",
				"an %s transaction has an anchor record", b.lifecycle);
	if (!anchored && b.anchor_node != FJ_NONE)
		fv_fail(r, "bundle", "$.anchor", "(absent)", "an anchor record",
				"a transaction that is %s has no anchor record", b.lifecycle);
	if (strcmp(b.lifecycle, "open") == 0)
		fv_claimed(r, "the transaction is open: it has no envelope and is not anchored; only the document's consistency was checked");

	/* the envelope */
	if (b.env_node != FJ_NONE)
	{
		decode_envelope(&b, b.env_node);
		if (b.env.ok)
		{
			expect_text(&b, "$.envelope.transaction_id", "envelope", b.tx, b.tx_len, b.env.tx,
						b.env.tx_len, "the envelope names another transaction than the bundle");
			if (b.have_doc)
				envelope_vs_document(&b);
			envelope_hash(&b, &text);
			if (r->unusable)
				goto done;
			if (text != NULL)
				json_object_set_new(r->recomputed, "envelope_text", json_string(text));
		}
	}
	else if (fj_get(d, 0, "envelope_sha256") != FJ_NONE)
		fv_fail(r, "envelope_sha256", "$.envelope_sha256", "(absent)", "a hash",
				"envelope_sha256 goes with an envelope");

	/* the anchor record */
	if (b.anchor_node != FJ_NONE)
		check_anchor(&b);
	else if (b.have_doc && fj_get(d, b.doc.root, "blockchain_anchor") != FJ_NONE)
		fv_claimed(r, "$.document.blockchain_anchor was carried from an imported document; this substrate did not record it, and it is not checked");
	if (b.env_node != FJ_NONE && b.anchor_node == FJ_NONE)
		fv_claimed(r, "the transaction is not anchored yet: the envelope is what the anchor service would put on chain");

	/* disclosed components and their proofs */
	v = fj_get(d, 0, "disclosed");
	if (v != FJ_NONE)
		check_disclosed(&b, v);
	fv_claimed(r, "the lifecycle \"%s\" is the exporting database's statement", b.lifecycle);

done:
	free(text);
	if (doc_node != FJ_NONE)
		fv_document_free(&b.doc);
}
