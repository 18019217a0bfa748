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
	fv_fail(b->c->r, check, p.s, "a string", v == FJ_NONE ? "(absent)" : fj_noun(b->d, v),
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

/* the merkle_root the bundle states: the document's, else the envelope's */
static bool
carried_merkle_root(bundle *b, uint8_t out[32])
{
	const fj_doc *d = b->d;
	uint32_t	v = fj_get(d, b->doc.root, "merkle_root");

	if (v == FJ_NONE && b->env_node != FJ_NONE)
		v = fj_get(d, b->env_node, "merkle_root");
	return fj_is(d, v, FJ_STRING) && jcs_hash_parse(fj_str(d, v), fj_count(d, v), out);
}

/*
 * A mismatch between a member's recomputed hash and the one the member list
 * records: blame the list when the document's content still gives the
 * stated root (its tree's root, or else merkle_root) and the list does not.
 */
static void
attribute(bundle *b, size_t j, int t, const foray_commit *listed, bool audit,
		  const uint8_t recomputed[32], const uint8_t recorded[32])
{
	uint8_t		carried[32];
	bool		list_wrong;
	fv_path		p;
	char		e[72],
				f[72];
	const foray_commit_member *m = &b->doc.cm[j];
	const char *field = audit ? "audit_data" : "foray_core";

	if (carried_root(b, t, carried))
		list_wrong = memcmp(b->doc.commit.root[t], carried, 32) == 0 &&
			memcmp(listed->root[t], carried, 32) != 0;
	else
		list_wrong = carried_merkle_root(b, carried) &&
			memcmp(b->doc.commit.merkle_root, carried, 32) == 0 &&
			memcmp(listed->merkle_root, carried, 32) != 0;
	jcs_hash_text(recorded, e);
	jcs_hash_text(recomputed, f);
	if (list_wrong)
	{
		fv_path_root(&p, "$.members");
		fv_path_index(&p, j);
		fv_path_key(&p, audit ? "audit_data_hash" : "component_hash",
					audit ? 15 : 14);
		fv_fail(b->c->r, "members", p.s, f, e,
				"the member list records another hash for \"%.*s\" than its %s and the stated root give",
				(int) m->id_len, m->id, field);
		return;
	}
	fv_member_path(&b->doc, m, &p);
	fv_path_key(&p, field, strlen(field));
	fv_fail(b->c->r, audit ? "audit_data_hash" : "component_hash", p.s, e, f,
			"the %s of \"%.*s\" does not hash to what the substrate recorded for it (the bundle's member list)",
			field, (int) m->id_len, m->id);
}

/* one entry of the member list, decoded */
typedef struct listed_member
{
	foray_commit_member m;		/* tree, id and the recorded hashes */
	size_t		pos;			/* its index in $.members */
} listed_member;

static int
commit_member_cmp(const void *a, const void *b)
{
	return foray_commit_member_cmp(a, b);
}

static int
listed_cmp(const void *a, const void *b)
{
	return foray_commit_member_cmp(&((const listed_member *) a)->m, &((const listed_member *) b)->m);
}

/* decode $.members; false (with a failure) when an entry is malformed */
static bool
decode_members(bundle *b, uint32_t list, listed_member *lm)
{
	const fj_doc *d = b->d;
	uint32_t	e = list + 1;

	for (uint32_t j = 0; j < fj_count(d, list); j++, e = fj_next(d, e))
	{
		fv_path		p;
		const char *type;
		size_t		tlen;
		uint32_t	ah;
		int			t;

		fv_path_root(&p, "$.members");
		fv_path_index(&p, j);
		if (!fj_is(d, e, FJ_OBJECT))
		{
			fv_fail(b->c->r, "members", p.s, "an object", fj_noun(d, e),
					"a member list entry is an object");
			return false;
		}
		if (!only_keys(b, e, member_keys, p.s, "members") ||
			!member_string(b, e, p.s, "type", "members", &type, &tlen) ||
			!member_string(b, e, p.s, "id", "members", &lm[j].m.id, &lm[j].m.id_len) ||
			!member_hash(b, e, p.s, "component_hash", "members", lm[j].m.component_hash))
			return false;
		if ((t = foray_c2_tree_of_type(type, tlen)) < 0)
		{
			fv_path_key(&p, "type", 4);
			fv_fail(b->c->r, "members", p.s, "ARR, ACC, ANT, ACT or ATT", type,
					"a member list entry names no member type");
			return false;
		}
		lm[j].m.tree = t;
		lm[j].pos = j;
		ah = fj_get(d, e, "audit_data_hash");
		lm[j].m.has_audit = ah != FJ_NONE;
		if (ah != FJ_NONE && !member_hash(b, e, p.s, "audit_data_hash", "members", lm[j].m.audit_hash))
			return false;
	}
	return true;
}

/*
 * The list names exactly the document's members, in leaf order; a
 * difference is named where it most likely is: a document member the list
 * does not know (added, renamed, retyped), a listed member the document
 * lacks (removed), or the list's own order.
 */
static bool
same_members(bundle *b, const listed_member *lm, size_t n)
{
	fv_document *doc = &b->doc;
	listed_member *sorted = fv_calloc(n, sizeof(listed_member));
	bool		ok = true;
	fv_path		p;

	memcpy(sorted, lm, n * sizeof(listed_member));
	qsort(sorted, n, sizeof(listed_member), listed_cmp);
	for (size_t i = 0; ok && i < doc->n; i++)
	{
		listed_member key;

		key.m = doc->cm[doc->members[i].sorted];
		if (bsearch(&key, sorted, n, sizeof(listed_member), listed_cmp) == NULL)
		{
			fv_member_path(doc, &key.m, &p);
			fv_path_key(&p, "id", 2);
			fv_fail(b->c->r, "members", p.s, "a member the substrate recorded ($.members)", key.m.id,
					"the substrate recorded no %s of this id in the transaction: the member was added, renamed or moved",
					foray_c2_type_codes[key.m.tree]);
			ok = false;
		}
	}
	for (size_t j = 0; ok && j < n; j++)
		if (doc->n == 0 ||
			bsearch(&lm[j].m, doc->cm, doc->n, sizeof(foray_commit_member), commit_member_cmp) == NULL)
		{
			fv_path_root(&p, "$.members");
			fv_path_index(&p, j);
			fv_fail(b->c->r, "members", p.s, "(a member of the document)", lm[j].m.id,
					"the document has no %s of this id, which the substrate recorded: it was removed from the document",
					foray_c2_type_codes[lm[j].m.tree]);
			ok = false;
		}
	for (size_t j = 1; ok && j < n; j++)
		if (listed_cmp(&sorted[j - 1], &sorted[j]) == 0)
		{
			fv_path_root(&p, "$.members");
			fv_path_index(&p, sorted[j].pos);
			fv_fail(b->c->r, "members", p.s, "each member once", sorted[j].m.id,
					"the member list names a member twice");
			ok = false;
		}
	if (ok && n != doc->n)
	{
		char	   *e = fv_printf("%zu entries", doc->n);
		char	   *f = fv_printf("%zu entries", n);

		fv_fail(b->c->r, "members", "$.members", e, f,
				"the member list and the document have different numbers of members");
		free(e);
		free(f);
		ok = false;
	}
	for (size_t j = 0; ok && j < n; j++)
		if (foray_commit_member_cmp(&lm[j].m, &doc->cm[j]) != 0)
		{
			char	   *e = fv_printf("%s \"%.*s\"", foray_c2_type_codes[doc->cm[j].tree],
									  (int) doc->cm[j].id_len, doc->cm[j].id);

			fv_path_root(&p, "$.members");
			fv_path_index(&p, j);
			fv_fail(b->c->r, "members", p.s, e, lm[j].m.id,
					"the member list is not in leaf order (trees in order, ids bytewise)");
			free(e);
			ok = false;
		}
	free(sorted);
	return ok;
}

static void
check_members(bundle *b, uint32_t list)
{
	const fj_doc *d = b->d;
	fv_report  *r = b->c->r;
	fv_document *doc = &b->doc;
	listed_member *lm;
	foray_commit_member *lcm;
	foray_commit_input in;
	foray_commit listed;
	size_t		before = r->nfail;
	size_t		n;
	int			rc;

	if (!fj_is(d, list, FJ_ARRAY))
	{
		fv_fail(r, "members", "$.members", "an array", fj_noun(d, list),
				"members must be an array");
		return;
	}
	n = fj_count(d, list);
	lm = fv_calloc(n, sizeof(listed_member));
	if (!decode_members(b, list, lm) || !same_members(b, lm, n))
	{
		free(lm);
		return;
	}
	for (size_t j = 0; j < n; j++)
		if (lm[j].m.has_audit != doc->cm[j].has_audit)
		{
			fv_path		p;

			fv_member_path(doc, &doc->cm[j], &p);
			fv_path_key(&p, "audit_data", 10);
			fv_fail(r, "members", p.s, lm[j].m.has_audit ? "audit data" : "(absent)",
					doc->cm[j].has_audit ? "audit data" : "(absent)",
					"the substrate recorded %s audit data for \"%.*s\" (the member list)",
					lm[j].m.has_audit ? "" : "no", (int) doc->cm[j].id_len, doc->cm[j].id);
			free(lm);
			return;
		}

	/* the commitment the list gives, to attribute each difference */
	lcm = fv_calloc(n, sizeof(foray_commit_member));
	for (size_t j = 0; j < n; j++)
		lcm[j] = lm[j].m;
	fv_document_commit_input(doc, lcm, &in);
	rc = foray_commit_compute(b->c->h, &in, &listed);
	if (rc != FORAY_MERKLE_OK)
	{
		free(lm);
		free(lcm);
		fv_unusable(r, "the member list's commitment could not be computed: %s",
					foray_merkle_strerror(rc));
		return;
	}
	for (size_t j = 0; j < doc->n; j++)
	{
		const foray_commit_member *m = &doc->cm[j];

		if (memcmp(m->component_hash, lcm[j].component_hash, 32) != 0)
			attribute(b, j, m->tree, &listed, false, m->component_hash, lcm[j].component_hash);
		if (m->has_audit && memcmp(m->audit_hash, lcm[j].audit_hash, 32) != 0)
			attribute(b, j, FORAY_C2_TREE_AUDIT, &listed, true, m->audit_hash, lcm[j].audit_hash);
	}
	if (r->nfail == before)
		fv_proved(r, "every component's and attestation's foray_core (and audit_data) hashes to the hash the substrate recorded for it ($.members, %zu entries)",
				  doc->n);
	free(lm);
	free(lcm);
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
		fv_fail(b->c->r, "envelope", "$.envelope", "an object", fj_noun(d, node),
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
			char	   *f = fv_render(d, sv);

			fv_fail(b->c->r, "envelope", "$.envelope.commitment_scheme", "2 (absent for scheme 1)", f,
					"an envelope states commitment_scheme 2, or nothing (scheme 1)");
			free(f);
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

/*
 * The envelope against the document's commitment.  A difference is named
 * on the side that most likely changed: the envelope when its own hash
 * (envelope_sha256) does not hold or when its merkle_root still equals the
 * root recomputed from the document (the root commits to the other hash
 * fields in both schemes, and to transaction_id, schema_version and
 * timestamp in scheme 2); the document otherwise.
 */
static void
envelope_vs_document(bundle *b, bool env_sha_ok)
{
	const fv_document *doc = &b->doc;
	const envelope *env = &b->env;
	const fj_doc *d = b->d;
	size_t		before = b->c->r->nfail;
	bool		content_gives_env = memcmp(env->root, doc->commit.merkle_root, 32) == 0;
	bool		blame_env_hash = !env_sha_ok || content_gives_env;
	bool		blame_env_text = !env_sha_ok || (doc->scheme == 2 && content_gives_env);
	uint8_t		carried[32];
	uint32_t	mr = fj_get(d, doc->root, "merkle_root");
	bool		doc_consistent = fj_is(d, mr, FJ_STRING) &&
		jcs_hash_parse(fj_str(d, mr), fj_count(d, mr), carried) &&
		memcmp(carried, doc->commit.merkle_root, 32) == 0;
	static const char *const text_fields[3] = {"transaction_id", "schema_version", "timestamp"};
	const char *doc_text[3] = {doc->tx, doc->schema, doc->ts};
	size_t		doc_len[3] = {doc->tx_len, doc->schema_len, doc->ts_len};
	const char *env_text[3] = {env->tx, env->schema, env->ts};
	size_t		env_len[3] = {env->tx_len, env->schema_len, env->ts_len};
	fv_path		p;

	if (env->scheme != doc->scheme)
	{
		char	   *e = fv_printf("%d", env_sha_ok ? env->scheme : doc->scheme);
		char	   *f = fv_printf("%d", env_sha_ok ? doc->scheme : env->scheme);

		fv_path_root(&p, env_sha_ok ? doc->base : "$.envelope");
		fv_path_key(&p, "commitment_scheme", 17);
		fv_fail(b->c->r, "envelope", p.s, e, f,
				"the envelope and the document state different commitment schemes");
		free(e);
		free(f);
	}
	for (int i = 0; i < 3; i++)
	{
		fv_path_root(&p, blame_env_text ? "$.envelope" : doc->base);
		fv_path_key(&p, text_fields[i], strlen(text_fields[i]));
		if (blame_env_text)
			expect_text(b, p.s, "envelope", doc_text[i], doc_len[i], env_text[i], env_len[i],
						"the envelope does not say what the document says");
		else
			expect_text(b, p.s, "envelope", env_text[i], env_len[i], doc_text[i], doc_len[i],
						"the document does not say what the anchor envelope says");
	}
	if (memcmp(doc->foray_core_hash, env->core, 32) != 0)
	{
		if (blame_env_hash)
			expect_hash(b, "$.envelope.foray_core_hash", "envelope", doc->foray_core_hash, env->core,
						"the envelope's foray_core_hash is not the hash of the document's foray_core");
		else
		{
			fv_path_root(&p, doc->base);
			fv_path_key(&p, "foray_core", 10);
			expect_hash(b, p.s, "foray_core_hash", env->core, doc->foray_core_hash,
						"the transaction's foray_core does not hash to the envelope's foray_core_hash");
		}
	}
	if (memcmp(doc->commit.root[FORAY_C2_TREE_AUDIT], env->audit, 32) != 0)
	{
		if (blame_env_hash)
			expect_hash(b, "$.envelope.audit_data_hash", "envelope", doc->commit.root[FORAY_C2_TREE_AUDIT],
						env->audit, "the envelope's audit_data_hash is not the one the document's audit data give");
		else
		{
			/* member audit data were matched against the member list already */
			fv_path_root(&p, doc->base);
			fv_path_key(&p, "audit_data_anchor", 17);
			expect_hash(b, p.s, "audit_data_hash", env->audit, doc->commit.root[FORAY_C2_TREE_AUDIT],
						"the document's audit data (audit_data_anchor and the members' audit_data) do not give the envelope's audit_data_hash");
		}
	}
	if (!content_gives_env)
	{
		if (!env_sha_ok || doc_consistent)
			expect_hash(b, "$.envelope.merkle_root", "envelope", doc->commit.merkle_root, env->root,
						"the envelope's merkle_root is not the root recomputed from the document");
		else
			expect_hash(b, doc->base, "merkle_root", env->root, doc->commit.merkle_root,
						"the document's content no longer gives the envelope's merkle_root");
	}
	if (b->c->r->nfail == before)
		fv_proved(b->c->r, "merkle_root equals the envelope's: the envelope is exactly the one the document's content gives (merkle_root, foray_core_hash, audit_data_hash, transaction_id, schema_version and timestamp)%s",
				  doc->scheme == 2 ? "; in scheme 2 merkle_root alone commits to all of them" : "");
}

/* the canonical text of the envelope as given, and whether envelope_sha256 holds */
static bool
envelope_sha_holds(bundle *b, char **text, size_t *len, uint8_t sha[32])
{
	const fj_doc *d = b->d;
	uint32_t	sh = fj_get(d, 0, "envelope_sha256");
	fj_source	s;
	jcs_value	v;
	uint8_t		stated[32];

	fj_jcs_source(&s, d);
	fj_jcs_value(d, b->env_node, &v);
	*text = fv_canonical_text(b->c, &s.src, &v, "$.envelope", len, sha);
	return *text != NULL && fj_is(d, sh, FJ_STRING) &&
		jcs_hash_parse(fj_str(d, sh), fj_count(d, sh), stated) && memcmp(sha, stated, 32) == 0;
}

/* envelope_sha256 and the size limit, from the canonical text */
static void
envelope_hash(bundle *b, size_t len, const uint8_t sha[32])
{
	const fj_doc *d = b->d;
	uint32_t	sh = fj_get(d, 0, "envelope_sha256");
	uint8_t		stated[32];

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
		fv_fail(r, "anchor", "$.anchor", "an object", fj_noun(d, a),
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
					doc_anchor == FJ_NONE ? "(absent)" : fj_noun(d, doc_anchor),
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
				{
					char	   *e = fv_render(d, want);
					char	   *f = fv_render(d, got);

					fv_fail(r, "anchor", p.s, e, f,
							"the document's blockchain_anchor differs from the bundle's anchor record ($.anchor.%s)",
							fields[i]);
					free(e);
					free(f);
				}
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
	const uint8_t *root = NULL;

	if (!fj_is(d, list, FJ_ARRAY))
	{
		fv_fail(r, "disclosed", "$.disclosed", "an array", fj_noun(d, list),
				"disclosed must be an array");
		return;
	}
	if (b->env.ok)
		root = b->env.root;
	else if (b->have_doc && b->env_node == FJ_NONE)
	{
		/* an open transaction: the root its own document gives */
		root = b->doc.commit.merkle_root;
		if (fj_count(d, list) > 0)
			fv_claimed(r, "there is no envelope (the transaction is not ready to anchor): the disclosed components are proved against the root of the bundle's own document, which nothing anchors");
	}
	else if (fj_count(d, list) > 0)
	{
		fv_fail(r, "disclosed", "$.disclosed", "an envelope (or the document) to verify against", "(none)",
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
			fv_fail(r, "disclosed", base.s, "an object", fj_noun(d, e),
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
					fj_noun(d, core), "a disclosed component carries its foray_core");
			continue;
		}
		if (!fv_hash_node(b->c, core, p.s, NULL, h))
			break;
		child_path(&p, base.s, "proof");
		if (!fv_proof_decode(b->c, fj_get(d, e, "proof"), p.s, pr) ||
			!fv_proof_check(b->c, pr, p.s, root))
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
		if (pr->p.scheme != (b->env.ok ? b->env.scheme : b->doc.scheme))
		{
			child_path(&p, base.s, "proof");
			fv_path_key(&p, "commitment_scheme", 17);
			fv_fail(r, "disclosed", p.s, pr->p.scheme == 2 ? "1" : "2", pr->p.scheme == 2 ? "2" : "1",
					"the proof's commitment scheme is not the envelope's (or the document's)");
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
			fv_proved(r, "%s: %.*s \"%.*s\" with the disclosed foray_core is committed to by the %s merkle_root%s",
					  base.s, (int) (tlen > 10 ? 10 : tlen), type, (int) (idlen > 200 ? 200 : idlen), id,
					  b->env.ok ? "envelope's" : "document's",
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
	size_t		text_len = 0;
	uint8_t		sha[32];
	bool		env_sha_ok = false;
	bool		anchored;

	memset(&b, 0, sizeof(b));
	b.c = c;
	b.d = d;
	b.env_node = FJ_NONE;
	b.anchor_node = FJ_NONE;
	if (!fj_is(d, 0, FJ_OBJECT))
	{
		fv_fail(r, "bundle", "$", "an object", fj_noun(d, 0), "a bundle is a JSON object");
		return;
	}
	(void) only_keys(&b, 0, bundle_keys, "$", "bundle");
	v = fj_get(d, 0, "bundle_version");
	if (!fj_uint63(d, v, &version) || version != 1)
	{
		char	   *f = fv_render(d, v);

		fv_fail(r, "bundle", "$.bundle_version", "1", f, "this is not a bundle of version 1");
		free(f);
	}
	if (!member_string(&b, 0, "$", "transaction_id", "bundle", &b.tx, &b.tx_len))
		return;
	v = fj_get(d, 0, "lifecycle");
	if (!fj_is(d, v, FJ_STRING) || !in_list(d, v, lifecycles))
	{
		char	   *f = fv_render(d, v);

		fv_fail(r, "bundle", "$.lifecycle", "open, ready_to_anchor, anchored or sealed", f,
				"lifecycle is not a lifecycle of the substrate");
		free(f);
		return;
	}
	b.lifecycle = fj_str(d, v);
	anchored = strcmp(b.lifecycle, "anchored") == 0 || strcmp(b.lifecycle, "sealed") == 0;
	b.env_node = fj_get(d, 0, "envelope");
	b.anchor_node = fj_get(d, 0, "anchor");

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
	if (b.env_node == FJ_NONE && fj_get(d, 0, "envelope_sha256") != FJ_NONE)
		fv_fail(r, "envelope_sha256", "$.envelope_sha256", "(absent)", "a hash",
				"envelope_sha256 goes with an envelope");

	/* the envelope as given, and its own hash */
	if (b.env_node != FJ_NONE)
	{
		decode_envelope(&b, b.env_node);
		if (b.env.ok)
		{
			env_sha_ok = envelope_sha_holds(&b, &text, &text_len, sha);
			if (r->unusable)
				goto done;
		}
	}

	/* the document, its members against the list, against the envelope */
	doc_node = fj_get(d, 0, "document");
	if (doc_node != FJ_NONE)
	{
		b.have_doc = fv_document_load(c, doc_node, "$.document", &b.doc);
		if (r->unusable)
			goto done;
	}
	else
	{
		if (fj_get(d, 0, "members") != FJ_NONE)
			fv_fail(r, "members", "$.members", "(absent)", "a member list",
					"a member list goes with a document");
		fv_claimed(r, "the bundle withholds the document (selective disclosure): only the disclosed components are checked");
	}
	if (b.have_doc)
	{
		if (fj_get(d, 0, "members") != FJ_NONE)
			check_members(&b, fj_get(d, 0, "members"));
		else
			fv_claimed(r, "the bundle has no member list: a changed component shows as a changed tree root, not by its id");
		if (r->unusable)
			goto done;
		if (b.env.ok)
			envelope_vs_document(&b, env_sha_ok);
		else
			expect_text(&b, "$.transaction_id", "bundle", b.doc.tx, b.doc.tx_len, b.tx, b.tx_len,
						"the bundle names another transaction than its document");
		fv_document_compare(c, &b.doc);
		fv_document_rules(c, &b.doc);
		fv_document_recomputed(c, &b.doc, r->recomputed);
		fv_uncommitted_claims(c, &b.doc);
	}
	if (b.env.ok && env_sha_ok)
		expect_text(&b, "$.transaction_id", "bundle", b.env.tx, b.env.tx_len, b.tx, b.tx_len,
					"the bundle names another transaction than its envelope");
	else if (b.env.ok)
		expect_text(&b, "$.envelope.transaction_id", "envelope", b.tx, b.tx_len, b.env.tx, b.env.tx_len,
					"the envelope names another transaction than the bundle (and does not hash to envelope_sha256)");
	if (strcmp(b.lifecycle, "open") == 0)
		fv_claimed(r, "the transaction is open: it has no envelope and is not anchored; only the document's consistency was checked");

	/* the envelope's hash and size */
	if (b.env.ok)
	{
		envelope_hash(&b, text_len, sha);
		json_object_set_new(r->recomputed, "envelope_text", json_string(text));
	}

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
	fv_document_free(&b.doc);
}
