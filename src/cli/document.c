/*
 * document.c
 *		A FORAY document's commitment, recomputed from its content and
 *		compared with the hashes it carries (docs/merkle.md, both schemes).
 */
#include "verify.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/*
 * The canonicaliser's context of the last check, kept for the next: with
 * several FILEs in one run, each file's hashing starts from buffers, member
 * arrays and kept object shapes already allocated (a jcs_ctx holds no
 * pointer into the values it wrote).  fv_ctx_release frees it.
 */
static jcs_ctx *spare_jcs;

bool
fv_ctx_init(fv_ctx *c, fv_report *r, const fj_doc *d)
{
	memset(c, 0, sizeof(*c));
	c->r = r;
	c->d = d;
	c->jcs = spare_jcs != NULL ? spare_jcs : jcs_ctx_new();
	spare_jcs = NULL;
	c->h = foray_hasher_new();
	return c->jcs != NULL && c->h != NULL;
}

void
fv_ctx_free(fv_ctx *c)
{
	if (spare_jcs == NULL)
		spare_jcs = c->jcs;
	else
		jcs_ctx_free(c->jcs);
	foray_hasher_free(c->h);
	c->jcs = NULL;
	c->h = NULL;
}

void
fv_ctx_release(void)
{
	jcs_ctx_free(spare_jcs);
	spare_jcs = NULL;
}

/* CPU seconds of the process: what --timing reports */
double
fv_cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* the one-line reason a value cannot be hashed, with its path */
static void
hash_failed(fv_ctx *c, jcs_status st, const char *path)
{
	if (st == JCS_ERR_NUMBER_RANGE || st == JCS_ERR_NUMBER_CHANGED)
		fv_unusable(c->r, "the number %s at %s%s cannot be canonicalised: %s%s",
					jcs_error_input(c->jcs), path, jcs_error_path(c->jcs) + 1, jcs_strerror(st),
					st == JCS_ERR_NUMBER_CHANGED ?
					" (docs/hashing.md §3: the substrate refuses such numbers in what it hashes)" : "");
	else if (st == JCS_ERR_DEPTH)
		fv_unusable(c->r, "%s%s nests deeper than %d levels and cannot be canonicalised",
					path, jcs_error_path(c->jcs) + 1, JCS_MAX_DEPTH);
	else
		fv_unusable(c->r, "%s%s cannot be canonicalised: %s", path,
					jcs_error_path(c->jcs) + 1, jcs_strerror(st));
}

/* the hash of node i, or the status that says why there is none */
static jcs_status
hash_raw(fv_ctx *c, uint32_t i, const fj_source *src, uint8_t out[32])
{
	fj_source	own;
	jcs_value	v;

	if (src == NULL)
	{
		fj_jcs_source(&own, c->d);
		src = &own;
	}
	fj_jcs_value(c->d, i, &v);
	if (i == src->skip_node)
		v.count = fj_count_skipping(src, i);
	return jcs_hash(c->jcs, &src->src, &v, JCS_STRICT_NUMBERS, out);
}

bool
fv_hash_node(fv_ctx *c, uint32_t i, const char *path, const fj_source *src, uint8_t out[32])
{
	jcs_status	st = hash_raw(c, i, src, out);

	if (st != JCS_OK)
		hash_failed(c, st, path);
	return st == JCS_OK;
}

char *
fv_canonical_text(fv_ctx *c, const jcs_source *src, const jcs_value *v, const char *what,
				  size_t *len, uint8_t sha[32])
{
	jcs_buf		out = {NULL, 0, 0};
	char	   *text;

	if (jcs_canonicalize(c->jcs, src, v, JCS_STRICT_NUMBERS, &out) != JCS_OK ||
		jcs_sha256_oneshot(out.data, out.len, sha) != 0)
	{
		jcs_buf_free(&out);
		fv_unusable(c->r, "%s could not be canonicalised", what);
		return NULL;
	}
	text = fv_strndup(out.data, out.len);
	*len = out.len;
	jcs_buf_free(&out);
	return text;
}

/* a short rendering of a value for "found": a string's or number's text, else its kind */
char *
fv_render(const fj_doc *d, uint32_t i)
{
	if (i == FJ_NONE)
		return fv_strndup("(absent)", 8);
	if (fj_typeof(d, i) == FJ_STRING)
		return fv_printf("\"%.*s%s\"", fj_count(d, i) > 100 ? 100 : (int) fj_count(d, i),
						 fj_str(d, i), fj_count(d, i) > 100 ? "..." : "");
	if (fj_typeof(d, i) == FJ_NUMBER)
		return fv_printf("%.*s", fj_count(d, i) > 100 ? 100 : (int) fj_count(d, i), fj_str(d, i));
	return fv_strndup(fj_noun(d, i), strlen(fj_noun(d, i)));
}

bool
fv_get_hash(fv_ctx *c, uint32_t i, const char *path, const char *check, uint8_t out[32])
{
	char	   *found;

	if (fj_is(c->d, i, FJ_STRING) && jcs_hash_parse(fj_str(c->d, i), fj_count(c->d, i), out))
		return true;
	found = fv_render(c->d, i);
	fv_fail(c->r, check, path, "\"sha256:\" followed by 64 lower-case hex digits", found,
			i == FJ_NONE ? "a hash is missing" : "not a sha-256 hash");
	free(found);
	return false;
}

/* compare a carried hash with the recomputed one; true when equal */
static bool
compare_hash(fv_ctx *c, uint32_t node, const char *path, const char *check,
			 const uint8_t expected[32], const char *what)
{
	uint8_t		h[32];
	char		e[72];
	char		f[72];

	if (!fv_get_hash(c, node, path, check, h))
		return false;
	if (memcmp(h, expected, 32) == 0)
		return true;
	jcs_hash_text(expected, e);
	jcs_hash_text(h, f);
	fv_fail(c->r, check, path, e, f, "%s differs from the value recomputed from the content", what);
	return false;
}

void
fv_member_path(const fv_document *doc, const foray_commit_member *m, fv_path *p)
{
	fv_path_root(p, doc->base);
	fv_path_key(p, foray_c2_tree_names[m->tree], strlen(foray_c2_tree_names[m->tree]));
	fv_path_index(p, doc->members[m->tag].index);
}

/* a required top-level string; false (with a failure) when it is not one */
static bool
required_string(fv_ctx *c, fv_document *doc, const char *key, const char **s, size_t *len)
{
	uint32_t	v = fj_get(c->d, doc->root, key);
	fv_path		p;
	char	   *found;

	fv_path_root(&p, doc->base);
	fv_path_key(&p, key, strlen(key));
	if (fj_is(c->d, v, FJ_STRING))
	{
		*s = fj_str(c->d, v);
		*len = fj_count(c->d, v);
		return true;
	}
	found = fv_render(c->d, v);
	if (v == FJ_NONE)
		fv_fail(c->r, "SHAPE-002", p.s, "a string", found, "required field %s is missing", key);
	else
		fv_fail(c->r, "SHAPE-001", p.s, "a string", found, "%s must be a string, not %s",
				key, fj_noun(c->d, v));
	free(found);
	return false;
}

/* characters of valid UTF-8 text: the bytes that do not continue one */
static size_t
utf8_chars(const char *s, size_t len)
{
	size_t		n = 0;

	for (size_t i = 0; i < len; i++)
		n += ((unsigned char) s[i] & 0xC0) != 0x80;
	return n;
}

/* collect the members of the five arrays; false when one is unusable */
static bool
collect_members(fv_ctx *c, fv_document *doc)
{
	const fj_doc *d = c->d;
	size_t		total = 0;
	bool		ok = true;

	for (int t = 0; t < FORAY_C2_NTREES - 1; t++)
	{
		uint32_t	arr = fj_get(d, doc->root, foray_c2_tree_names[t]);

		if (fj_is(d, arr, FJ_ARRAY))
			total += fj_count(d, arr);
	}
	doc->members = fv_calloc(total, sizeof(fv_member));
	doc->cm = fv_calloc(total, sizeof(foray_commit_member));
	for (int t = 0; t < FORAY_C2_NTREES - 1; t++)
	{
		const char *name = foray_c2_tree_names[t];
		uint32_t	arr = fj_get(d, doc->root, name);
		uint32_t	e;
		fv_path		p;

		if (arr == FJ_NONE)
			continue;
		fv_path_root(&p, doc->base);
		fv_path_key(&p, name, strlen(name));
		if (!fj_is(d, arr, FJ_ARRAY))
		{
			fv_fail(c->r, "SHAPE-001", p.s, "an array", fj_noun(d, arr),
					"%s must be an array", name);
			ok = false;
			continue;
		}
		e = arr + 1;
		for (uint32_t k = 0; k < fj_count(d, arr); k++, e = fj_next(d, e))
		{
			size_t		mark = fv_path_index(&p, k);
			uint32_t	id = fj_get(d, e, "id");
			uint32_t	core = fj_get(d, e, "foray_core");
			uint32_t	audit = fj_get(d, e, "audit_data");
			fv_member  *m;
			foray_commit_member *cm;

			if (!fj_is(d, e, FJ_OBJECT))
			{
				fv_fail(c->r, "SHAPE-001", p.s, "an object", fj_noun(d, e),
						"%s entries must be objects", name);
				ok = false;
			}
			else if (!fj_is(d, id, FJ_STRING) || fj_count(d, id) == 0 ||
					 utf8_chars(fj_str(d, id), fj_count(d, id)) > 200)
			{
				char	   *found = fv_render(d, id);

				fv_path_key(&p, "id", 2);
				fv_fail(c->r, "ID-004", p.s, "a string of 1 to 200 characters", found,
						id == FJ_NONE ? "component has no id" :
						!fj_is(d, id, FJ_STRING) ? "component id must be a string" :
						"component id must be 1 to 200 characters");
				free(found);
				ok = false;
			}
			else if (!fj_is(d, core, FJ_OBJECT))
			{
				fv_path_key(&p, "foray_core", 10);
				fv_fail(c->r, "SHAPE-001", p.s, "an object",
						core == FJ_NONE ? "(absent)" : fj_noun(d, core),
						core == FJ_NONE ? "component has no foray_core object" :
						"foray_core must be an object");
				ok = false;
			}
			else
			{
				m = &doc->members[doc->n];
				cm = &doc->cm[doc->n];
				m->node = e;
				m->core = core;
				/* "audit_data": null is no audit data (import reads it so) */
				m->audit = fj_is(d, audit, FJ_NULL) ? FJ_NONE : audit;
				m->index = k;
				cm->tree = t;
				cm->id = fj_str(d, id);
				cm->id_len = fj_count(d, id);
				cm->tag = doc->n;
				doc->n++;
			}
			fv_path_cut(&p, mark);
		}
	}
	return ok;
}

/*
 * Every member's hashes; false when a value cannot be canonicalised.  The
 * path is written only then: this loop is the hashing of the document.
 */
static bool
hash_members(fv_ctx *c, fv_document *doc)
{
	for (size_t i = 0; i < doc->n; i++)
	{
		fv_member  *m = &doc->members[i];
		foray_commit_member *cm = &doc->cm[i];
		bool		audit = false;
		jcs_status	st = hash_raw(c, m->core, NULL, cm->component_hash);

		if (st == JCS_OK && m->audit != FJ_NONE)
		{
			audit = true;
			st = hash_raw(c, m->audit, NULL, cm->audit_hash);
			cm->has_audit = true;
		}
		if (st != JCS_OK)
		{
			fv_path		p;

			fv_member_path(doc, cm, &p);
			fv_path_key(&p, audit ? "audit_data" : "foray_core", 10);
			hash_failed(c, st, p.s);
			return false;
		}
	}
	return true;
}

/*
 * --timing: the same values again, the two parts of the hashing measured
 * apart.  First each value's canonical text alone, written into one reused
 * buffer as the streamed hashing writes it (timed).  Then the same texts
 * written into one buffer whose pages were touched first, and each text
 * hashed on its own with the program's SHA-256 (timed): the digest over
 * bytes in memory, as openssl sha256 digests a file in the page cache.  (A
 * buffer grown while writing and then read once pays, on the development
 * VM, a page-table fault per page, which tripled that figure before.)
 */
static void
time_canonical_texts(fv_ctx *c, const fv_document *doc)
{
	fj_source	s;
	jcs_buf		one = {NULL, 0, 0},
				all = {NULL, 0, 0};
	uint32_t   *nodes = fv_calloc(2 * doc->n + 2, sizeof(uint32_t));
	size_t	   *ends = fv_calloc(2 * doc->n + 2, sizeof(size_t));
	size_t		nv = 0,
				n = 0,
				total = 0;
	jcs_sha256	sha;
	uint8_t		digest[32];
	double		t0;

	fj_jcs_source(&s, c->d);
	for (size_t i = 0; i <= doc->n; i++)
	{
		nodes[nv++] = i < doc->n ? doc->members[i].core : doc->core;
		if (i < doc->n && doc->members[i].audit != FJ_NONE)
			nodes[nv++] = doc->members[i].audit;
	}
	t0 = fv_cpu_seconds();
	for (size_t k = 0; k < nv; k++)
	{
		jcs_value	v;

		fj_jcs_value(c->d, nodes[k], &v);
		one.len = 0;
		if (jcs_canonicalize(c->jcs, &s.src, &v, JCS_STRICT_NUMBERS, &one) == JCS_OK)
			total += one.len;
	}
	c->canon_seconds += fv_cpu_seconds() - t0;
	if (total > 0 && jcs_buf_reserve(&all, total) == 0)
	{
		memset(all.data, 0, total);
		for (size_t k = 0; k < nv; k++)
		{
			jcs_value	v;

			fj_jcs_value(c->d, nodes[k], &v);
			if (jcs_canonicalize(c->jcs, &s.src, &v, JCS_STRICT_NUMBERS, &all) == JCS_OK)
				ends[n++] = all.len;
		}
	}
	t0 = fv_cpu_seconds();
	if (jcs_sha256_open(&sha) == 0)
	{
		for (size_t k = 0; k < n; k++)
		{
			size_t		start = k == 0 ? 0 : ends[k - 1];

			if (jcs_sha256_init(&sha) != 0 ||
				jcs_sha256_update(&sha, all.data + start, ends[k] - start) != 0 ||
				jcs_sha256_final(&sha, digest) != 0)
				break;
		}
		jcs_sha256_close(&sha);
	}
	c->sha_seconds += fv_cpu_seconds() - t0;
	c->sha_bytes += total;
	jcs_buf_free(&one);
	jcs_buf_free(&all);
	free(ends);
	free(nodes);
}

/* audit_data_anchor without its audit_data_hash key; false on a failure */
static bool
hash_anchor(fv_ctx *c, fv_document *doc)
{
	const fj_doc *d = c->d;
	uint32_t	a = fj_get(d, doc->root, "audit_data_anchor");
	fv_path		p;
	fj_source	s;

	fv_path_root(&p, doc->base);
	fv_path_key(&p, "audit_data_anchor", 17);
	if (a == FJ_NONE)
		return true;
	if (fj_is(d, a, FJ_OBJECT) || (doc->scheme == 1 && fj_is(d, a, FJ_ARRAY)))
	{
		fj_jcs_source_skipping(&s, d, a, "audit_data_hash");
		if (!fv_hash_node(c, a, p.s, &s, doc->anchor_hash))
			return false;
		doc->has_anchor = true;
		return true;
	}
	fv_fail(c->r, "SHAPE-001", p.s, doc->scheme == 1 ? "an object (or, scheme 1, an array)" : "an object",
			fj_noun(d, a),
			"audit_data_anchor must be an object: the substrate cannot hash it otherwise");
	return false;
}

void
fv_document_commit_input(const fv_document *doc, const foray_commit_member *members,
						 foray_commit_input *in)
{
	memset(in, 0, sizeof(*in));
	in->scheme = doc->scheme;
	in->transaction_id = doc->tx;
	in->transaction_id_len = doc->tx_len;
	in->schema_version = doc->schema;
	in->schema_version_len = doc->schema_len;
	in->timestamp = doc->ts;
	in->timestamp_len = doc->ts_len;
	memcpy(in->foray_core_hash, doc->foray_core_hash, 32);
	in->has_anchor = doc->has_anchor;
	memcpy(in->anchor_hash, doc->anchor_hash, 32);
	in->members = members;
	in->n_members = doc->n;
}

/* the id index: members ordered by id alone (across trees) */
static const fv_document *sorting_doc;

static int
by_id_cmp(const void *a, const void *b)
{
	const foray_commit_member *x = &sorting_doc->cm[sorting_doc->members[*(const size_t *) a].sorted];
	const foray_commit_member *y = &sorting_doc->cm[sorting_doc->members[*(const size_t *) b].sorted];
	int			c = foray_c2_id_cmp(x->id, x->id_len, y->id, y->id_len);

	if (c != 0)
		return c;
	return *(const size_t *) a < *(const size_t *) b ? -1 : 1;
}

static void
index_ids(fv_document *doc)
{
	doc->by_id = fv_calloc(doc->n, sizeof(size_t));
	for (size_t i = 0; i < doc->n; i++)
		doc->by_id[i] = i;
	sorting_doc = doc;
	if (doc->n > 1)
		qsort(doc->by_id, doc->n, sizeof(size_t), by_id_cmp);
	sorting_doc = NULL;
}

long
fv_document_find(const fv_document *doc, const char *id, size_t len)
{
	size_t		lo = 0,
				hi = doc->n;

	/* the first member with that id */
	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;
		const foray_commit_member *m = &doc->cm[doc->members[doc->by_id[mid]].sorted];

		if (foray_c2_id_cmp(m->id, m->id_len, id, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < doc->n)
	{
		const foray_commit_member *m = &doc->cm[doc->members[doc->by_id[lo]].sorted];

		if (foray_c2_id_cmp(m->id, m->id_len, id, len) == 0)
			return (long) doc->by_id[lo];
	}
	return -1;
}

bool
fv_document_load(fv_ctx *c, uint32_t root, const char *base, fv_document *doc)
{
	const fj_doc *d = c->d;
	bool		ok = true;
	uint32_t	sv;
	fv_path		p;
	foray_commit_input in;
	int			rc;
	double		t0;

	memset(doc, 0, sizeof(*doc));
	doc->root = root;
	snprintf(doc->base, sizeof(doc->base), "%s", base);
	if (!fj_is(d, root, FJ_OBJECT))
	{
		fv_fail(c->r, "DOC-001", base, "an object", fj_noun(d, root),
				"a FORAY document must be a JSON object");
		return false;
	}

	/* the commitment scheme: stated (2, or 1) or, when absent, 1 */
	sv = fj_get(d, root, "commitment_scheme");
	doc->scheme = 1;
	if (sv != FJ_NONE)
	{
		uint64_t	v;

		doc->scheme_stated = true;
		if (fj_uint63(d, sv, &v) && (v == 1 || v == 2))
			doc->scheme = (int) v;
		else
		{
			char	   *found = fv_render(d, sv);

			fv_path_root(&p, base);
			fv_path_key(&p, "commitment_scheme", 17);
			fv_fail(c->r, "commitment_scheme", p.s, "1 or 2", found,
					"commitment_scheme must be 1 or 2");
			free(found);
			doc->scheme = 0;
			ok = false;
		}
	}

	ok &= required_string(c, doc, "transaction_id", &doc->tx, &doc->tx_len);
	ok &= required_string(c, doc, "schema_version", &doc->schema, &doc->schema_len);
	ok &= required_string(c, doc, "timestamp", &doc->ts, &doc->ts_len);
	if (ok && (doc->tx_len > 0xffff || doc->schema_len > 0xffff || doc->ts_len > 0xffff))
	{
		fv_path_root(&p, base);
		fv_fail(c->r, "ID-002", p.s, "at most 65,535 bytes each", NULL,
				"transaction_id, schema_version or timestamp is too long to be committed");
		ok = false;
	}
	doc->core = fj_get(d, root, "foray_core");
	if (!fj_is(d, doc->core, FJ_OBJECT))
	{
		fv_path_root(&p, base);
		fv_path_key(&p, "foray_core", 10);
		fv_fail(c->r, doc->core == FJ_NONE ? "SHAPE-002" : "SHAPE-001", p.s, "an object",
				doc->core == FJ_NONE ? "(absent)" : fj_noun(d, doc->core),
				doc->core == FJ_NONE ? "required field foray_core is missing" :
				"foray_core must be an object");
		ok = false;
	}
	ok &= collect_members(c, doc);
	if (!ok)
		return false;

	/* the hashes of the content (the CPU time of this is --timing's hashing) */
	t0 = fv_cpu_seconds();
	ok = hash_members(c, doc);
	fv_path_root(&p, base);
	fv_path_key(&p, "foray_core", 10);
	ok = ok && fv_hash_node(c, doc->core, p.s, NULL, doc->foray_core_hash) && hash_anchor(c, doc);
	c->hash_seconds += fv_cpu_seconds() - t0;
	if (!ok)
		return false;
	if (c->timing)
		time_canonical_texts(c, doc);

	/* the commitment */
	foray_commit_sort(doc->cm, doc->n);
	for (size_t j = 0; j < doc->n; j++)
		doc->members[doc->cm[j].tag].sorted = j;
	index_ids(doc);
	fv_document_commit_input(doc, doc->cm, &in);
	rc = foray_commit_compute(c->h, &in, &doc->commit);
	if (rc != FORAY_MERKLE_OK)
	{
		fv_unusable(c->r, "the commitment could not be computed: %s", foray_merkle_strerror(rc));
		return false;
	}
	doc->computed = true;
	return true;
}

void
fv_document_compare(fv_ctx *c, const fv_document *doc)
{
	const fj_doc *d = c->d;
	uint32_t	ch = fj_get(d, doc->root, "component_hashes");
	uint32_t	mr = fj_get(d, doc->root, "merkle_root");
	uint32_t	ada = fj_get(d, doc->root, "audit_data_anchor");
	size_t		before = c->r->nfail;
	fv_path		p;
	size_t		mark;

	fv_path_root(&p, doc->base);
	mark = fv_path_key(&p, "component_hashes", 16);
	if (ch == FJ_NONE)
		fv_claimed(c->r, "%s: the document carries no component_hashes", doc->base);
	else if (!fj_is(d, ch, FJ_OBJECT))
		fv_fail(c->r, "SHAPE-001", p.s, "an object", fj_noun(d, ch),
				"component_hashes must be an object");
	else
	{
		uint32_t	k = ch + 1;

		for (int t = 0; t < FORAY_C2_NTREES - 1; t++)
		{
			const char *name = foray_c2_tree_names[t];
			uint32_t	v = fj_get(d, ch, name);
			size_t		m2 = fv_path_key(&p, name, strlen(name));
			char	   *what = fv_printf("component_hashes.%s", name);

			if (v == FJ_NONE)
			{
				char		e[72];

				jcs_hash_text(doc->commit.root[t], e);
				fv_fail(c->r, "component_hashes", p.s, e, "(absent)", "%s is missing", what);
			}
			else
				compare_hash(c, v, p.s, "component_hashes", doc->commit.root[t], what);
			free(what);
			fv_path_cut(&p, m2);
		}
		for (uint32_t m = 0; m < fj_count(d, ch); m++, k = fj_next(d, k + 1))
			if (foray_c2_tree_of_name(fj_str(d, k), fj_count(d, k)) < 0 ||
				foray_c2_tree_of_name(fj_str(d, k), fj_count(d, k)) == FORAY_C2_TREE_AUDIT)
			{
				size_t		m2 = fv_path_key(&p, fj_str(d, k), fj_count(d, k));

				fv_fail(c->r, "component_hashes", p.s, "only arrangements, accruals, anticipations, actions, attestations",
						fj_str(d, k), "component_hashes has a member that names no tree");
				fv_path_cut(&p, m2);
			}
	}
	fv_path_cut(&p, mark);

	mark = fv_path_key(&p, "merkle_root", 11);
	if (mr == FJ_NONE)
		fv_claimed(c->r, "%s: the document carries no merkle_root", doc->base);
	else
		compare_hash(c, mr, p.s, "merkle_root", doc->commit.merkle_root, "merkle_root");
	fv_path_cut(&p, mark);

	if (fj_is(d, ada, FJ_OBJECT) && fj_get(d, ada, "audit_data_hash") != FJ_NONE)
	{
		fv_path_key(&p, "audit_data_anchor", 17);
		fv_path_key(&p, "audit_data_hash", 15);
		compare_hash(c, fj_get(d, ada, "audit_data_hash"), p.s, "audit_data_hash",
					 doc->commit.root[FORAY_C2_TREE_AUDIT], "audit_data_anchor.audit_data_hash");
	}

	if (c->r->nfail == before)
		fv_proved(c->r, "%s: every hash the document carries (%s%s%s) equals the value recomputed from its content (commitment scheme %d%s)",
				  doc->base, ch != FJ_NONE ? "component_hashes" : "",
				  mr != FJ_NONE ? (ch != FJ_NONE ? ", merkle_root" : "merkle_root") : "",
				  fj_is(d, ada, FJ_OBJECT) && fj_get(d, ada, "audit_data_hash") != FJ_NONE ?
				  ", audit_data_anchor.audit_data_hash" : "",
				  doc->scheme, doc->scheme_stated ? "" : ", the scheme of documents without a commitment_scheme key");
	if (doc->scheme == 1)
		fv_claimed(c->r, "%s: commitment scheme 1 does not commit to the transaction_id, schema_version, timestamp, nor to the ids and types of components: those are read from the document, not proved",
				   doc->base);
}

/* ---------- the envelope ---------- */

/* a jcs_source over one flat object of string and number members */
typedef struct flat_object
{
	size_t		n;
	jcs_member	m[8];
} flat_object;

static int
flat_members(void *arg, const void *ref, size_t count, jcs_member *out)
{
	const flat_object *o = arg;

	if (count != o->n)
		return -1;
	memcpy(out, o->m, count * sizeof(jcs_member));
	return 0;
}

static void
flat_put(flat_object *o, const char *key, jcs_type type, const char *val, size_t len)
{
	jcs_member *m = &o->m[o->n++];

	memset(m, 0, sizeof(*m));
	m->key.type = JCS_STRING;
	m->key.str = key;
	m->key.len = strlen(key);
	m->value.type = type;
	m->value.str = val;
	m->value.len = len;
}

char *
fv_document_envelope(fv_ctx *c, const fv_document *doc, uint8_t sha[32])
{
	flat_object o;
	jcs_source	src = {NULL, flat_members, NULL, &o};
	jcs_value	root;
	char		core[72],
				audit[72],
				mroot[72];
	size_t		len;

	jcs_hash_text(doc->foray_core_hash, core);
	jcs_hash_text(doc->commit.root[FORAY_C2_TREE_AUDIT], audit);
	jcs_hash_text(doc->commit.merkle_root, mroot);
	o.n = 0;
	flat_put(&o, "transaction_id", JCS_STRING, doc->tx, doc->tx_len);
	flat_put(&o, "schema_version", JCS_STRING, doc->schema, doc->schema_len);
	flat_put(&o, "timestamp", JCS_STRING, doc->ts, doc->ts_len);
	flat_put(&o, "foray_core_hash", JCS_STRING, core, 71);
	flat_put(&o, "audit_data_hash", JCS_STRING, audit, 71);
	flat_put(&o, "merkle_root", JCS_STRING, mroot, 71);
	if (doc->scheme == 2)
		flat_put(&o, "commitment_scheme", JCS_NUMBER, "2", 1);
	memset(&root, 0, sizeof(root));
	root.type = JCS_OBJECT;
	root.ref = &o;
	root.count = o.n;
	return fv_canonical_text(c, &src, &root, "the envelope", &len, sha);
}

/* ---------- the report ---------- */

static json_t *
jhash(const uint8_t h[32])
{
	char		t[72];

	jcs_hash_text(h, t);
	return json_string(t);
}

static json_t *
jstrn(const char *s, size_t n)
{
	json_t	   *j = json_stringn(s, n);

	return j ? j : json_null();
}

static json_t *
jentry(const uint8_t *b, size_t n)
{
	char	   *hex = fv_hex(b, n);
	json_t	   *j = json_string(hex);

	free(hex);
	return j;
}

/* every entry and leaf hash, in the shape of foray.commitment_details */
static void
details(fv_ctx *c, const fv_document *doc, json_t *o)
{
	json_t	   *members = json_array();
	json_t	   *audit = json_array();
	json_t	   *trees = json_array();
	uint8_t		buf[FORAY_C2_ENTRY_MAX];
	uint8_t		leaf[32];
	size_t		len;
	foray_commit_input in;
	uint8_t		sha[32];
	char	   *env;

	fv_document_commit_input(doc, doc->cm, &in);
	if (doc->scheme == 2)
	{
		json_t	   *hdr = json_object();

		foray_c2_header_entry(buf, sizeof(buf), &len, doc->tx, doc->tx_len, doc->schema,
							  doc->schema_len, doc->ts, doc->ts_len, doc->foray_core_hash);
		json_object_set_new(hdr, "entry", jentry(buf, len));
		json_object_set_new(hdr, "leaf_hash", jhash(doc->commit.top_leaf[0]));
		json_object_set_new(o, "header", hdr);
	}
	if (doc->scheme == 1 || doc->has_anchor)
	{
		json_t	   *a = json_object();
		uint8_t		d[32];

		if (doc->has_anchor)
			memcpy(d, doc->anchor_hash, 32);
		else
			foray_sha256(c->h, (const uint8_t *) "null", 4, d);
		json_object_set_new(a, "kind", json_string("anchor"));
		json_object_set_new(a, "data_hash", jhash(d));
		if (doc->scheme == 2)
			foray_c2_audit_anchor_entry(buf, sizeof(buf), &len, doc->tx, doc->tx_len, d);
		else
		{
			memcpy(buf, d, 32);
			len = 32;
		}
		json_object_set_new(a, "entry", jentry(buf, len));
		foray_merkle_leaf_hash(c->h, buf, len, leaf);
		json_object_set_new(a, "leaf_hash", jhash(leaf));
		json_array_append_new(audit, a);
	}
	for (size_t j = 0; j < doc->n; j++)
	{
		const foray_commit_member *m = &doc->cm[j];
		const char *type = foray_c2_type_codes[m->tree];
		json_t	   *e = json_object();

		json_object_set_new(e, "type", json_string(type));
		json_object_set_new(e, "id", jstrn(m->id, m->id_len));
		json_object_set_new(e, "component_hash", jhash(m->component_hash));
		if (doc->scheme == 2)
			foray_c2_member_entry(buf, sizeof(buf), &len, doc->tx, doc->tx_len, type, 3,
								  m->id, m->id_len, m->component_hash);
		else
		{
			memcpy(buf, m->component_hash, 32);
			len = 32;
		}
		json_object_set_new(e, "entry", jentry(buf, len));
		foray_merkle_leaf_hash(c->h, buf, len, leaf);
		json_object_set_new(e, "leaf_hash", jhash(leaf));
		json_array_append_new(members, e);

		if (doc->scheme == 1 || m->has_audit)
		{
			json_t	   *a = json_object();
			uint8_t		d[32];

			if (m->has_audit)
				memcpy(d, m->audit_hash, 32);
			else
				foray_sha256(c->h, (const uint8_t *) "null", 4, d);
			json_object_set_new(a, "kind", json_string("member"));
			json_object_set_new(a, "type", json_string(type));
			json_object_set_new(a, "id", jstrn(m->id, m->id_len));
			json_object_set_new(a, "data_hash", jhash(d));
			if (doc->scheme == 2)
				foray_c2_audit_member_entry(buf, sizeof(buf), &len, doc->tx, doc->tx_len, type, 3,
											m->id, m->id_len, d);
			else
			{
				memcpy(buf, d, 32);
				len = 32;
			}
			json_object_set_new(a, "entry", jentry(buf, len));
			foray_commit_audit_leaf(c->h, &in, m, leaf);
			json_object_set_new(a, "leaf_hash", jhash(leaf));
			json_array_append_new(audit, a);
		}
	}
	for (int t = 0; t < FORAY_C2_NTREES; t++)
	{
		json_t	   *e = json_object();
		const char *name = foray_c2_tree_names[t];

		json_object_set_new(e, "name", json_string(name));
		json_object_set_new(e, "size", json_integer((json_int_t) doc->commit.size[t]));
		json_object_set_new(e, "root", jhash(doc->commit.root[t]));
		if (doc->scheme == 2)
			foray_c2_tree_entry(buf, sizeof(buf), &len, name, strlen(name), doc->commit.size[t],
								doc->commit.root[t]);
		else
		{
			memcpy(buf, doc->commit.root[t], 32);
			len = 32;
		}
		json_object_set_new(e, "entry", jentry(buf, len));
		json_object_set_new(e, "leaf_hash", jhash(doc->commit.top_leaf[1 + t]));
		json_array_append_new(trees, e);
	}
	json_object_set_new(o, "members", members);
	json_object_set_new(o, "audit", audit);
	json_object_set_new(o, "trees", trees);
	env = fv_document_envelope(c, doc, sha);
	if (env != NULL)
	{
		json_t	   *parsed = json_loads(env, 0, NULL);

		json_object_set_new(o, "envelope", parsed ? parsed : json_null());
		json_object_set_new(o, "envelope_text", json_string(env));
		json_object_set_new(o, "envelope_sha256", jhash(sha));
		free(env);
	}
}

void
fv_document_recomputed(fv_ctx *c, const fv_document *doc, json_t *o)
{
	json_t	   *ch = json_object();
	size_t		ncomp = 0;

	if (!doc->computed)
		return;
	for (int t = 0; t < FORAY_C2_NTREES - 1; t++)
	{
		json_object_set_new(ch, foray_c2_tree_names[t], jhash(doc->commit.root[t]));
		if (t != FORAY_C2_NTREES - 2)
			ncomp += doc->commit.size[t];
	}
	json_object_set_new(o, "commitment_scheme", json_integer(doc->scheme));
	json_object_set_new(o, "transaction_id", jstrn(doc->tx, doc->tx_len));
	json_object_set_new(o, "schema_version", jstrn(doc->schema, doc->schema_len));
	json_object_set_new(o, "timestamp", jstrn(doc->ts, doc->ts_len));
	json_object_set_new(o, "component_hashes", ch);
	json_object_set_new(o, "foray_core_hash", jhash(doc->foray_core_hash));
	json_object_set_new(o, "audit_data_hash", jhash(doc->commit.root[FORAY_C2_TREE_AUDIT]));
	json_object_set_new(o, "merkle_root", jhash(doc->commit.merkle_root));
	json_object_set_new(o, "components", json_integer((json_int_t) ncomp));
	json_object_set_new(o, "attestations",
						json_integer((json_int_t) doc->commit.size[FORAY_C2_NTREES - 2]));
	if (c->details)
		details(c, doc, o);
}

void
fv_document_free(fv_document *doc)
{
	free(doc->members);
	free(doc->cm);
	free(doc->by_id);
	doc->members = NULL;
	doc->cm = NULL;
	doc->by_id = NULL;
}
