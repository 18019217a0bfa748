/*
 * proof.c
 *		Inclusion proofs in JSON: rule 1 of docs/merkle.md (the shape) here,
 *		rules 2 to 5 in src/core/inclusion.c.
 */
#include "verify.h"

#include <stdlib.h>
#include <string.h>

static const char *const proof_keys[] = {
	"commitment_scheme", "transaction_id", "subject_id", "component_type", "tree",
	"component_hash", "leaf_hash", "steps", "merkle_root", NULL
};
static const char *const step_keys[] = {"tree", "leaf_index", "tree_size", "path", "root", NULL};

static bool
listed(const fj_doc *d, uint32_t k, const char *const *keys)
{
	for (int i = 0; keys[i]; i++)
		if (fj_streq(d, k, keys[i]))
			return true;
	return false;
}

/* every member of obj is one of keys; failures name the others */
static bool
only_keys(fv_ctx *c, uint32_t obj, const char *const *keys, fv_path *p)
{
	const fj_doc *d = c->d;
	uint32_t	k = obj + 1;
	bool		ok = true;

	for (uint32_t m = 0; m < fj_count(d, obj); m++, k = fj_next(d, k + 1))
		if (!listed(d, k, keys))
		{
			size_t		mark = fv_path_key(p, fj_str(d, k), fj_count(d, k));

			fv_fail(c->r, "PROOF-SHAPE", p->s, "(absent)", fj_str(d, k),
					"an inclusion proof has no member \"%s\"", fj_str(d, k));
			fv_path_cut(p, mark);
			ok = false;
		}
	return ok;
}

/* a required string member; false with a failure */
static bool
get_string(fv_ctx *c, uint32_t obj, const char *key, fv_path *p, const char **s, size_t *len)
{
	uint32_t	v = fj_get(c->d, obj, key);
	size_t		mark = fv_path_key(p, key, strlen(key));
	bool		ok = fj_is(c->d, v, FJ_STRING);

	if (ok)
	{
		*s = fj_str(c->d, v);
		*len = fj_count(c->d, v);
	}
	else
		fv_fail(c->r, "PROOF-SHAPE", p->s, "a string",
				v == FJ_NONE ? "(absent)" : fj_noun(c->d, v),
				"%s must be a string", key);
	fv_path_cut(p, mark);
	return ok;
}

static bool
get_hash_member(fv_ctx *c, uint32_t obj, const char *key, fv_path *p, uint8_t out[32])
{
	size_t		mark = fv_path_key(p, key, strlen(key));
	bool		ok = fv_get_hash(c, fj_get(c->d, obj, key), p->s, "PROOF-SHAPE", out);

	fv_path_cut(p, mark);
	return ok;
}

static bool
get_uint63(fv_ctx *c, uint32_t obj, const char *key, fv_path *p, uint64_t *out)
{
	uint32_t	v = fj_get(c->d, obj, key);
	size_t		mark = fv_path_key(p, key, strlen(key));
	bool		ok = fj_uint63(c->d, v, out);

	if (!ok)
	{
		char	   *f = fv_render(c->d, v);

		fv_fail(c->r, "PROOF-SHAPE", p->s, "an integer from 0 to 2^63-1", f,
				"%s must be an integer from 0 to 2^63-1", key);
		free(f);
	}
	fv_path_cut(p, mark);
	return ok;
}

static bool
decode_step(fv_ctx *c, uint32_t st, fv_path *p, foray_inclusion_step *out, uint8_t *path_bytes)
{
	const fj_doc *d = c->d;
	bool		ok;
	uint32_t	path;
	size_t		mark;

	if (!fj_is(d, st, FJ_OBJECT))
	{
		fv_fail(c->r, "PROOF-SHAPE", p->s, "an object", fj_noun(d, st),
				"a step is an object");
		return false;
	}
	ok = only_keys(c, st, step_keys, p);
	ok &= get_string(c, st, "tree", p, &out->tree, &out->tree_len);
	ok &= get_uint63(c, st, "leaf_index", p, &out->leaf_index);
	ok &= get_uint63(c, st, "tree_size", p, &out->tree_size);
	ok &= get_hash_member(c, st, "root", p, out->root);
	path = fj_get(d, st, "path");
	mark = fv_path_key(p, "path", 4);
	if (!fj_is(d, path, FJ_ARRAY) || fj_count(d, path) > FORAY_MERKLE_MAX_PATH)
	{
		fv_fail(c->r, "PROOF-SHAPE", p->s, "an array of at most 64 hashes",
				path == FJ_NONE ? "(absent)" : fj_is(d, path, FJ_ARRAY) ?
				"a longer array" : fj_noun(d, path),
				"path must be an array of at most 64 hashes");
		ok = false;
	}
	else
	{
		uint32_t	e = path + 1;

		for (uint32_t k = 0; k < fj_count(d, path); k++, e = fj_next(d, e))
		{
			size_t		m2 = fv_path_index(p, k);

			ok &= fv_get_hash(c, e, p->s, "PROOF-SHAPE", path_bytes + 32 * k);
			fv_path_cut(p, m2);
		}
		out->path = path_bytes;
		out->path_len = fj_count(d, path);
	}
	fv_path_cut(p, mark);
	return ok;
}

bool
fv_proof_decode(fv_ctx *c, uint32_t node, const char *base, fv_proof *out)
{
	const fj_doc *d = c->d;
	foray_inclusion_proof *pr = &out->p;
	fv_path		p;
	bool		ok;
	uint32_t	sv;
	uint32_t	steps;
	size_t		mark;

	memset(out, 0, sizeof(*out));
	fv_path_root(&p, base);
	if (!fj_is(d, node, FJ_OBJECT))
	{
		fv_fail(c->r, "PROOF-SHAPE", p.s, "an object", fj_noun(d, node),
				"an inclusion proof is a JSON object");
		return false;
	}
	ok = only_keys(c, node, proof_keys, &p);

	/*
	 * commitment_scheme: 2, or 1.  A proof 0.4.0 issued (no such key) is
	 * refused, as foray.verify_inclusion(proof, root) refuses it: the 0.5.0
	 * substrate issues scheme-1 proofs with the key.
	 */
	sv = fj_get(d, node, "commitment_scheme");
	{
		uint64_t	v = 0;

		if (!fj_uint63(d, sv, &v) || (v != 1 && v != 2))
		{
			char	   *f = sv == FJ_NONE ? fv_strndup("(absent: a proof issued by 0.4.0)", 33) :
				fv_render(d, sv);

			mark = fv_path_key(&p, "commitment_scheme", 17);
			fv_fail(c->r, "PROOF-SHAPE", p.s, "1 or 2", f, "commitment_scheme must be 1 or 2");
			free(f);
			fv_path_cut(&p, mark);
			return false;
		}
		pr->scheme = (int) v;
	}
	ok &= get_string(c, node, "transaction_id", &p, &pr->transaction_id, &pr->transaction_id_len);
	ok &= get_string(c, node, "subject_id", &p, &pr->subject_id, &pr->subject_id_len);
	ok &= get_string(c, node, "tree", &p, &pr->tree, &pr->tree_len);
	ok &= get_string(c, node, "component_type", &p, &pr->component_type,
					 &pr->component_type_len);
	ok &= get_hash_member(c, node, "component_hash", &p, pr->component_hash);
	ok &= get_hash_member(c, node, "leaf_hash", &p, pr->leaf_hash);
	ok &= get_hash_member(c, node, "merkle_root", &p, pr->merkle_root);

	steps = fj_get(d, node, "steps");
	mark = fv_path_key(&p, "steps", 5);
	if (!fj_is(d, steps, FJ_ARRAY) || fj_count(d, steps) != 2)
	{
		fv_fail(c->r, "PROOF-SHAPE", p.s, "an array of two steps",
				steps == FJ_NONE ? "(absent)" : fj_is(d, steps, FJ_ARRAY) ?
				"another number of steps" : fj_noun(d, steps),
				"steps must be an array of exactly two steps");
		ok = false;
	}
	else
	{
		uint32_t	st = steps + 1;

		for (int k = 0; k < 2; k++, st = fj_next(d, st))
		{
			size_t		m2 = fv_path_index(&p, (size_t) k);

			ok &= decode_step(c, st, &p, &pr->steps[k], out->path_bytes[k]);
			fv_path_cut(&p, m2);
		}
	}
	fv_path_cut(&p, mark);
	return ok;
}

bool
fv_proof_check(fv_ctx *c, const fv_proof *pr, const char *base, const uint8_t root[32])
{
	const foray_inclusion_proof *p = &pr->p;
	foray_inclusion_trace tr;
	foray_inclusion_rc rc = foray_inclusion_verify(c->h, p, root, &tr);
	fv_path		path;
	char		e[72],
				f[72];
	char	   *expected = NULL;
	char	   *found = NULL;
	int			tree = foray_c2_tree_of_name(p->tree, p->tree_len);
	int			ttype = p->component_type ?
		foray_c2_tree_of_type(p->component_type, p->component_type_len) : -1;

	if (rc == FORAY_INCLUSION_OK)
		return true;
	if (rc == FORAY_INCLUSION_ERROR)
	{
		fv_unusable(c->r, "sha-256 failed while verifying the proof at %s", base);
		return false;
	}
	fv_path_root(&path, base);
	if (foray_inclusion_field(rc)[0] != '\0')
	{
		/* "steps[0].root" is two steps of a path */
		const char *f0 = foray_inclusion_field(rc);

		if (strncmp(f0, "steps[", 6) == 0)
		{
			fv_path_key(&path, "steps", 5);
			fv_path_index(&path, (size_t) (f0[6] - '0'));
			fv_path_key(&path, f0 + 9, strlen(f0 + 9));
		}
		else
			fv_path_key(&path, f0, strlen(f0));
	}
	switch (rc)
	{
		case FORAY_INCLUSION_TYPE:
			expected = fv_printf("ARR, ACC, ANT, ACT or ATT");
			found = p->component_type ? fv_strndup(p->component_type, p->component_type_len) :
				fv_printf("(absent)");
			break;
		case FORAY_INCLUSION_TREE:
			expected = fv_printf("%s", ttype >= 0 ? foray_c2_tree_names[ttype] : "a member tree");
			found = fv_strndup(p->tree, p->tree_len);
			break;
		case FORAY_INCLUSION_STEP0_TREE:
			expected = fv_strndup(p->tree, p->tree_len);
			found = fv_strndup(p->steps[0].tree, p->steps[0].tree_len);
			break;
		case FORAY_INCLUSION_STEP1_TREE:
			expected = fv_printf("merkle_root");
			found = fv_strndup(p->steps[1].tree, p->steps[1].tree_len);
			break;
		case FORAY_INCLUSION_TOP_INDEX:
			expected = fv_printf("%d", 1 + tree);
			found = fv_printf("%llu", (unsigned long long) p->steps[1].leaf_index);
			break;
		case FORAY_INCLUSION_TOP_SIZE:
			expected = fv_printf("7");
			found = fv_printf("%llu", (unsigned long long) p->steps[1].tree_size);
			break;
		case FORAY_INCLUSION_LEAF:
			jcs_hash_text(tr.leaf, e);
			jcs_hash_text(p->leaf_hash, f);
			break;
		case FORAY_INCLUSION_STEP0_PATH:
		case FORAY_INCLUSION_STEP1_PATH:
			{
				const foray_inclusion_step *s = &p->steps[rc == FORAY_INCLUSION_STEP0_PATH ? 0 : 1];

				expected = fv_printf("a path for leaf %llu of a tree of %llu leaves",
									 (unsigned long long) s->leaf_index,
									 (unsigned long long) s->tree_size);
				found = fv_printf("%zu hashes", s->path_len);
				break;
			}
		case FORAY_INCLUSION_STEP0_ROOT:
			jcs_hash_text(tr.r0, e);
			jcs_hash_text(p->steps[0].root, f);
			break;
		case FORAY_INCLUSION_STEP1_ROOT:
			jcs_hash_text(tr.r1, e);
			jcs_hash_text(p->steps[1].root, f);
			break;
		case FORAY_INCLUSION_MERKLE_ROOT:
			jcs_hash_text(tr.r1, e);
			jcs_hash_text(p->merkle_root, f);
			break;
		case FORAY_INCLUSION_TRUSTED_ROOT:
			jcs_hash_text(root, e);
			jcs_hash_text(tr.r1, f);
			break;
		default:
			break;
	}
	if (expected == NULL && found == NULL &&
		(rc == FORAY_INCLUSION_LEAF || rc == FORAY_INCLUSION_STEP0_ROOT ||
		 rc == FORAY_INCLUSION_STEP1_ROOT || rc == FORAY_INCLUSION_MERKLE_ROOT ||
		 rc == FORAY_INCLUSION_TRUSTED_ROOT))
		fv_fail(c->r, "inclusion", path.s, e, f, "%s", foray_inclusion_strerror(rc));
	else
		fv_fail(c->r, "inclusion", path.s, expected, found, "%s", foray_inclusion_strerror(rc));
	free(expected);
	free(found);
	return false;
}
