/*
 * rules.c
 *		The FORAY protocol rules that need no database, with the rule ids of
 *		foray.validate_document (docs/rules.md).
 *
 * Two tiers.  The rules the substrate's triggers enforce on every stored
 * row (docs/rules.md lists their ids: REF-001..004, ID-001, ID-002, ARR-001,
 * TX-002, TX-003 for *_refs, ATT-001, ATT-002, ATT-006, ATT-007,
 * SHAPE-001..003, ENUM-001, plus unique ids) hold for every transaction
 * the substrate exports, so a violation is a failure: the document was
 * not exported like this.  The other structural rules of the validator
 * that a stored transaction may break (TX-001, TX-003 for dependencies,
 * TX-004, DOC-002, SHAPE-004, audit_data's shape) are warnings.  Content
 * rules (sums, balances, dates against the clock) are left to
 * foray.validate_document.
 */
#include "verify.h"

#include "iso8601.h"
#include "protocol.h"

#include <stdlib.h>
#include <string.h>

#define TREE_ATT	(FORAY_C2_NTREES - 2)	/* the attestations tree */

typedef struct rules
{
	fv_ctx	   *c;
	const fv_document *doc;
	const fj_doc *d;
	size_t	   *from;			/* reference edges between members */
	size_t	   *to;
	size_t		nedges;
	size_t		capedges;
} rules;

static const char *const ref_fields[3] = {"arrangement_refs", "accrual_refs", "anticipation_refs"};
static const char *const singular_fields[3] = {"arrangement_ref", "accrual_ref", "anticipation_ref"};
static const char *const prefixes[5] = {"ARR_", "ACC_", "ANT_", "ACT_", "ATT_"};

/* ---------- small helpers ---------- */

static bool
in_list(const fj_doc *d, uint32_t v, const char *const *list)
{
	for (int i = 0; list[i]; i++)
		if (fj_streq(d, v, list[i]))
			return true;
	return false;
}

static bool
has_prefix(const char *s, size_t len, const char *prefix)
{
	return len >= 4 && memcmp(s, prefix, 4) == 0;
}

static const foray_commit_member *
cm_of(const rules *ru, size_t i)
{
	return &ru->doc->cm[ru->doc->members[i].sorted];
}

static int
tree_of_member(const rules *ru, long i)
{
	return i < 0 ? -1 : cm_of(ru, (size_t) i)->tree;
}

static void
add_edge(rules *ru, size_t from, size_t to)
{
	if (ru->nedges == ru->capedges)
	{
		ru->capedges = ru->capedges ? ru->capedges * 2 : 64;
		ru->from = fv_realloc(ru->from, ru->capedges * sizeof(size_t));
		ru->to = fv_realloc(ru->to, ru->capedges * sizeof(size_t));
	}
	ru->from[ru->nedges] = from;
	ru->to[ru->nedges] = to;
	ru->nedges++;
}

/* ---------- the transaction ---------- */

static void
check_transaction(rules *ru)
{
	const fj_doc *d = ru->d;
	const fv_document *doc = ru->doc;
	fv_report  *r = ru->c->r;
	fv_path		p;
	size_t		mark;
	bool		ok = doc->tx_len >= 1 && doc->tx_len <= 200;
	static const struct
	{
		const char *field;
		fj_type		type;
		bool		required;
	}			fields[] = {
		{"entity", FJ_STRING, true},
		{"transaction_type", FJ_STRING, true},
		{"entity_hash", FJ_STRING, false},
		{"currency", FJ_STRING, false},
		{"status", FJ_STRING, false},
		{"total_value", FJ_NUMBER, false},
		{"compliance_flags", FJ_ARRAY, false},
	};

	for (size_t i = 0; ok && i < doc->tx_len; i++)
	{
		char		ch = doc->tx[i];
		bool		alnum = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
			(ch >= '0' && ch <= '9');

		if (!alnum && (i == 0 || (ch != '_' && ch != '.' && ch != ':' && ch != '-')))
			ok = false;
	}
	fv_path_root(&p, doc->base);
	mark = fv_path_key(&p, "transaction_id", 14);
	if (!ok)
		fv_fail(r, "ID-002", p.s, "1 to 200 characters of [A-Za-z0-9_.:-], starting with a letter or digit",
				NULL, "transaction_id is not a valid transaction id");
	fv_path_cut(&p, mark);
	mark = fv_path_key(&p, "schema_version", 14);
	if (doc->schema_len != 3 || memcmp(doc->schema, "4.1", 3) != 0)
		fv_fail(r, "TX-002", p.s, "4.1", NULL, "the substrate stores FORAY v4.1 documents only");
	fv_path_cut(&p, mark);
	mark = fv_path_key(&p, "timestamp", 9);
	if (!foray_iso8601_parse(doc->ts, doc->ts_len, NULL))
		fv_fail(r, "SHAPE-003", p.s, "an ISO-8601 date-time", NULL,
				"timestamp is not an ISO-8601 date-time");
	fv_path_cut(&p, mark);

	fv_path_key(&p, "foray_core", 10);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
	{
		uint32_t	v = fj_get(d, doc->core, fields[i].field);
		size_t		m2 = fv_path_key(&p, fields[i].field, strlen(fields[i].field));

		if (v == FJ_NONE || fj_is(d, v, FJ_NULL))
		{
			if (fields[i].required)
				fv_fail(r, "SHAPE-002", p.s, fj_type_noun(fields[i].type), "(absent)",
						"foray_core lacks the required field %s", fields[i].field);
		}
		else if (fj_typeof(d, v) != fields[i].type)
			fv_fail(r, "SHAPE-001", p.s, fj_type_noun(fields[i].type), fj_noun(d, v),
					"%s has the wrong type", fields[i].field);
		else if (fields[i].type == FJ_ARRAY)
		{
			uint32_t	e = v + 1;

			for (uint32_t k = 0; k < fj_count(d, v); k++, e = fj_next(d, e))
				if (!fj_is(d, e, FJ_STRING) || fj_count(d, e) == 0)
				{
					fv_path_index(&p, k);
					fv_fail(r, "SHAPE-001", p.s, "a non-empty string", fj_noun(d, e),
							"%s must be an array of strings", fields[i].field);
					break;
				}
		}
		else if (strcmp(fields[i].field, "status") == 0 && !in_list(d, v, foray_business_statuses))
			fv_fail(r, "ENUM-001", p.s, "active, completed or reversed", fj_str(d, v),
					"status is not a FORAY business status");
		fv_path_cut(&p, m2);
	}
}

/* ---------- reference arrays ---------- */

typedef struct ref_entry
{
	const char *id;
	size_t		len;
	uint32_t	index;			/* in the array */
} ref_entry;

static int
ref_cmp(const void *a, const void *b)
{
	const ref_entry *x = a;
	const ref_entry *y = b;
	int			c = foray_c2_id_cmp(x->id, x->len, y->id, y->len);

	return c != 0 ? c : (x->index < y->index ? -1 : 1);
}

/*
 * A field of a member's foray_core that must be an array of non-empty
 * strings (absent or null: none).  Checks self references (self_rule) and
 * repeated entries (REF-003, found by sorting); returns the array node or
 * FJ_NONE.
 */
static uint32_t
ref_array(rules *ru, size_t mi, const char *field, fv_path *p, const char *self_rule)
{
	const fj_doc *d = ru->d;
	fv_report  *r = ru->c->r;
	const foray_commit_member *cm = cm_of(ru, mi);
	uint32_t	v = fj_get(d, ru->doc->members[mi].core, field);
	uint32_t	e;
	ref_entry  *seen;
	size_t		n = 0;

	if (v == FJ_NONE || fj_is(d, v, FJ_NULL))
		return FJ_NONE;
	if (!fj_is(d, v, FJ_ARRAY))
	{
		fv_fail(r, "SHAPE-001", p->s, "an array of strings", fj_noun(d, v),
				"%s must be an array of ids", field);
		return FJ_NONE;
	}
	seen = fv_calloc(fj_count(d, v), sizeof(ref_entry));
	e = v + 1;
	for (uint32_t k = 0; k < fj_count(d, v); k++, e = fj_next(d, e))
	{
		size_t		mark = fv_path_index(p, k);

		if (!fj_is(d, e, FJ_STRING) || fj_count(d, e) == 0)
			fv_fail(r, "SHAPE-001", p->s, "a non-empty string", fj_noun(d, e),
					"%s entries must be non-empty strings", field);
		else
		{
			if (fj_count(d, e) == cm->id_len && memcmp(fj_str(d, e), cm->id, cm->id_len) == 0)
				fv_fail(r, self_rule, p->s, NULL, fj_str(d, e),
						"\"%s\" references itself in %s", cm->id, field);
			seen[n].id = fj_str(d, e);
			seen[n].len = fj_count(d, e);
			seen[n].index = k;
			n++;
		}
		fv_path_cut(p, mark);
	}
	if (n > 1)
		qsort(seen, n, sizeof(ref_entry), ref_cmp);
	for (size_t j = 1; j < n; j++)
		if (foray_c2_id_cmp(seen[j].id, seen[j].len, seen[j - 1].id, seen[j - 1].len) == 0)
		{
			size_t		mark = fv_path_index(p, seen[j].index);

			fv_fail(r, "REF-003", p->s, NULL, seen[j].id, "%s lists \"%s\" more than once",
					field, seen[j].id);
			fv_path_cut(p, mark);
		}
	free(seen);
	return v;
}

/* what to do with one entry of a reference array, and its target (-1: none) */
typedef void (*ref_fn) (rules *ru, size_t mi, const char *entry, long target,
						const fv_path *p, int arg);

static void
each_ref(rules *ru, size_t mi, uint32_t arr, fv_path *p, ref_fn fn, int arg)
{
	const fj_doc *d = ru->d;
	uint32_t	e = arr + 1;

	for (uint32_t i = 0; i < fj_count(d, arr); i++, e = fj_next(d, e))
	{
		size_t		mark = fv_path_index(p, i);

		if (fj_is(d, e, FJ_STRING) && fj_count(d, e) > 0)
			fn(ru, mi, fj_str(d, e), fv_document_find(ru->doc, fj_str(d, e), fj_count(d, e)), p, arg);
		fv_path_cut(p, mark);
	}
}

/* an entry of arrangement_refs (k 0), accrual_refs (1), anticipation_refs (2) */
static void
typed_ref(rules *ru, size_t mi, const char *entry, long target, const fv_path *p, int k)
{
	if (!has_prefix(entry, strlen(entry), prefixes[k]))
		fv_fail(ru->c->r, "REF-001", p->s, prefixes[k], entry, "%s entry must name %s",
				ref_fields[k], foray_c2_tree_names[k]);
	if (target < 0 || tree_of_member(ru, target) == TREE_ATT)
		fv_fail(ru->c->r, "TX-003", p->s, "a component of the transaction", entry,
				"referenced id does not exist in the transaction");
	else if ((size_t) target != mi)
		add_edge(ru, mi, (size_t) target);
}

/* a dependency of a component: the validator's TX-003, not the triggers' */
static void
component_dependency(rules *ru, size_t mi, const char *entry, long target, const fv_path *p, int arg)
{
	if (target < 0)
		fv_warn(ru->c->r, "TX-003", p->s, "dependency \"%s\" does not exist in the transaction", entry);
	else if ((size_t) target != mi && tree_of_member(ru, target) != TREE_ATT)
		add_edge(ru, mi, (size_t) target);
}

static void
attestation_subject(rules *ru, size_t mi, const char *entry, long target, const fv_path *p, int arg)
{
	bool		typed = false;

	for (int k = 0; k < 5; k++)
		typed |= has_prefix(entry, strlen(entry), prefixes[k]);
	if (!typed)
		fv_fail(ru->c->r, "ATT-002", p->s, "an id beginning ARR_, ACC_, ANT_, ACT_ or ATT_",
				entry, "subject_refs entry names no component or attestation");
	else if (target < 0)
		fv_fail(ru->c->r, "ATT-002", p->s, "a component or attestation of the transaction",
				entry, "subject does not exist in the transaction");
	else if ((size_t) target != mi && tree_of_member(ru, target) == TREE_ATT)
		add_edge(ru, mi, (size_t) target);
}

static void
attestation_dependency(rules *ru, size_t mi, const char *entry, long target, const fv_path *p, int arg)
{
	if (!has_prefix(entry, strlen(entry), "ATT_"))
		fv_fail(ru->c->r, "ATT-007", p->s, "an attestation id (ATT_)", entry,
				"an attestation's dependencies name other attestations");
	else if (target < 0 || tree_of_member(ru, target) != TREE_ATT)
		fv_fail(ru->c->r, "ATT-007", p->s, "an attestation of the transaction", entry,
				"dependency is not an attestation of the transaction");
	else if ((size_t) target != mi)
		add_edge(ru, mi, (size_t) target);
}

/* ---------- components ---------- */

static void
check_component(rules *ru, size_t mi, int t)
{
	const fj_doc *d = ru->d;
	fv_report  *r = ru->c->r;
	const foray_commit_member *cm = cm_of(ru, mi);
	uint32_t	core = ru->doc->members[mi].core;
	fv_path		p;
	size_t		mark;
	uint32_t	deps;

	fv_member_path(ru->doc, cm, &p);
	mark = fv_path_key(&p, "id", 2);
	if (!has_prefix(cm->id, cm->id_len, prefixes[t]) || cm->id_len < 5)
		fv_fail(r, "ID-001", p.s, prefixes[t], cm->id,
				"a component id is its type code, '_' and at least one more character");
	fv_path_cut(&p, mark);
	fv_path_key(&p, "foray_core", 10);

	for (int k = 0; k < 3; k++)
	{
		size_t		m2 = fv_path_key(&p, singular_fields[k], strlen(singular_fields[k]));

		if (fj_get(d, core, singular_fields[k]) != FJ_NONE)
			fv_fail(r, "REF-004", p.s, "(absent)", singular_fields[k],
					"%s is deprecated in schema 4.1: use %s", singular_fields[k], ref_fields[k]);
		fv_path_cut(&p, m2);
	}
	for (int k = 0; k < 3; k++)
	{
		size_t		m2 = fv_path_key(&p, ref_fields[k], strlen(ref_fields[k]));
		uint32_t	arr = ref_array(ru, mi, ref_fields[k], &p, "REF-002");

		if (arr != FJ_NONE && fj_count(d, arr) > 0 && k >= t)
			fv_fail(r, "REF-001", p.s, "(empty)", ref_fields[k], "%s cannot have %s",
					foray_c2_tree_names[t], ref_fields[k]);
		else if (arr != FJ_NONE)
			each_ref(ru, mi, arr, &p, typed_ref, k);
		fv_path_cut(&p, m2);
	}

	fv_path_key(&p, "dependencies", 12);
	deps = ref_array(ru, mi, "dependencies", &p, "REF-002");
	if (deps != FJ_NONE && t == 0 && fj_count(d, deps) > 0)
		fv_fail(r, "ARR-001", p.s, "[]", NULL, "an arrangement is an entry point; its dependencies must be empty");
	else if (deps != FJ_NONE)
		each_ref(ru, mi, deps, &p, component_dependency, 0);
}

/* ---------- attestations ---------- */

/* a string field of an attestation's foray_core; FJ_NONE when absent */
static uint32_t
att_string(rules *ru, uint32_t core, const char *field, bool required, fv_path *p)
{
	uint32_t	v = fj_get(ru->d, core, field);
	size_t		mark = fv_path_key(p, field, strlen(field));

	if (v == FJ_NONE || fj_is(ru->d, v, FJ_NULL))
	{
		if (required)
			fv_fail(ru->c->r, "SHAPE-002", p->s, "a string", "(absent)",
					"attestation has no %s", field);
		v = FJ_NONE;
	}
	else if (!fj_is(ru->d, v, FJ_STRING))
	{
		fv_fail(ru->c->r, "SHAPE-001", p->s, "a string", fj_noun(ru->d, v),
				"%s must be a string", field);
		v = FJ_NONE;
	}
	fv_path_cut(p, mark);
	return v;
}

static void
att_date(rules *ru, uint32_t v, const char *field, fv_path *p)
{
	size_t		mark = fv_path_key(p, field, strlen(field));

	if (v != FJ_NONE && !foray_iso8601_parse(fj_str(ru->d, v), fj_count(ru->d, v), NULL))
		fv_fail(ru->c->r, "SHAPE-003", p->s, "an ISO-8601 date or date-time", fj_str(ru->d, v),
				"%s is not an ISO-8601 date", field);
	fv_path_cut(p, mark);
}

static void
check_validity_period(rules *ru, uint32_t core, fv_path *p)
{
	const fj_doc *d = ru->d;
	uint32_t	v = fj_get(d, core, "validity_period");
	size_t		mark = fv_path_key(p, "validity_period", 15);

	if (v != FJ_NONE && !fj_is(d, v, FJ_NULL) && !fj_is(d, v, FJ_OBJECT))
		fv_fail(ru->c->r, "SHAPE-001", p->s, "an object", fj_noun(d, v),
				"validity_period must be an object with start and end dates");
	else if (fj_is(d, v, FJ_OBJECT))
		for (int k = 0; k < 2; k++)
		{
			const char *end = k == 0 ? "start" : "end";
			uint32_t	e = fj_get(d, v, end);

			if (fj_is(d, e, FJ_STRING))
				att_date(ru, e, end, p);
			else if (e != FJ_NONE && !fj_is(d, e, FJ_NULL))
			{
				size_t		m2 = fv_path_key(p, end, strlen(end));

				fv_fail(ru->c->r, "SHAPE-001", p->s, "a date string", fj_noun(d, e),
						"validity_period.%s must be a date string", end);
				fv_path_cut(p, m2);
			}
		}
	fv_path_cut(p, mark);
}

static void
check_attestation(rules *ru, size_t mi)
{
	const fj_doc *d = ru->d;
	fv_report  *r = ru->c->r;
	const foray_commit_member *cm = cm_of(ru, mi);
	uint32_t	core = ru->doc->members[mi].core;
	static const struct
	{
		const char *field;
		const char *const *values;
	}			enums[] = {
		{"attestor_type", foray_attestor_types},
		{"attestation_type", foray_attestation_types},
		{"outcome", foray_outcomes},
	};
	fv_path		p;
	size_t		mark;
	uint32_t	v;

	fv_member_path(ru->doc, cm, &p);
	mark = fv_path_key(&p, "id", 2);
	if (!has_prefix(cm->id, cm->id_len, "ATT_") || cm->id_len < 5)
		fv_fail(r, "ATT-001", p.s, "ATT_", cm->id,
				"an attestation id is ATT_ and at least one more character");
	fv_path_cut(&p, mark);
	fv_path_key(&p, "foray_core", 10);

	(void) att_string(ru, core, "attestor", true, &p);
	(void) att_string(ru, core, "attestor_hash", true, &p);
	for (size_t i = 0; i < sizeof(enums) / sizeof(enums[0]); i++)
	{
		v = att_string(ru, core, enums[i].field, true, &p);
		if (v != FJ_NONE && !in_list(d, v, enums[i].values))
		{
			mark = fv_path_key(&p, enums[i].field, strlen(enums[i].field));
			fv_fail(r, "ENUM-001", p.s, "a value of spec §9.3", fj_str(d, v),
					"%s is not one of the values of spec §9.3", enums[i].field);
			fv_path_cut(&p, mark);
		}
	}
	att_date(ru, att_string(ru, core, "attestation_date", true, &p), "attestation_date", &p);
	(void) att_string(ru, core, "evidence_hash", false, &p);
	(void) att_string(ru, core, "evidence_location", false, &p);
	mark = fv_path_key(&p, "attestor_credentials", 20);
	(void) ref_array(ru, mi, "attestor_credentials", &p, "REF-002");
	fv_path_cut(&p, mark);
	check_validity_period(ru, core, &p);

	/* subject_refs: at least one component or attestation of the transaction */
	mark = fv_path_key(&p, "subject_refs", 12);
	v = fj_get(d, core, "subject_refs");
	if (v == FJ_NONE || fj_is(d, v, FJ_NULL) || (fj_is(d, v, FJ_ARRAY) && fj_count(d, v) == 0))
		fv_fail(r, "ATT-002", p.s, "at least one component or attestation", NULL,
				"an attestation names at least one component or attestation it attests to");
	else if ((v = ref_array(ru, mi, "subject_refs", &p, "ATT-006")) != FJ_NONE)
		each_ref(ru, mi, v, &p, attestation_subject, 0);
	fv_path_cut(&p, mark);

	/* dependencies: other attestations of the transaction */
	fv_path_key(&p, "dependencies", 12);
	if ((v = ref_array(ru, mi, "dependencies", &p, "ATT-006")) != FJ_NONE)
		each_ref(ru, mi, v, &p, attestation_dependency, 0);
}

/* ---------- cycles: ATT-006 (failure), TX-004 (warning) ---------- */

static void
find_cycles(rules *ru)
{
	size_t		n = ru->doc->n;
	size_t	   *start = fv_calloc(n + 1, sizeof(size_t));
	size_t	   *fill = fv_calloc(n + 1, sizeof(size_t));
	size_t	   *edges = fv_calloc(ru->nedges, sizeof(size_t));
	unsigned char *color = fv_calloc(n, 1);
	size_t	   *stack = fv_calloc(n, sizeof(size_t));
	size_t	   *pos = fv_calloc(n, sizeof(size_t));

	/* the edges grouped by their source (CSR) */
	for (size_t e = 0; e < ru->nedges; e++)
		start[ru->from[e] + 1]++;
	for (size_t i = 0; i < n; i++)
		start[i + 1] += start[i];
	for (size_t e = 0; e < ru->nedges; e++)
		edges[start[ru->from[e]] + fill[ru->from[e]]++] = ru->to[e];

	/* iterative depth-first search; a grey target closes a cycle */
	for (size_t root = 0; root < n; root++)
	{
		size_t		depth = 1;

		if (color[root] != 0)
			continue;
		stack[0] = root;
		pos[0] = 0;
		color[root] = 1;
		while (depth > 0)
		{
			size_t		v = stack[depth - 1];
			size_t		t;

			if (pos[depth - 1] >= start[v + 1] - start[v])
			{
				color[v] = 2;
				depth--;
				continue;
			}
			t = edges[start[v] + pos[depth - 1]++];
			if (color[t] == 0)
			{
				color[t] = 1;
				stack[depth] = t;
				pos[depth] = 0;
				depth++;
			}
			else if (color[t] == 1)
			{
				const foray_commit_member *cm = cm_of(ru, v);
				fv_path		p;

				fv_member_path(ru->doc, cm, &p);
				fv_path_key(&p, "foray_core", 10);
				if (cm->tree == TREE_ATT)
					fv_fail(ru->c->r, "ATT-006", p.s, "no cycle", NULL,
							"circular attestation references through \"%s\"", cm->id);
				else
					fv_warn(ru->c->r, "TX-004", p.s,
							"circular references or dependencies among components through \"%s\"", cm->id);
			}
		}
	}
	free(start);
	free(fill);
	free(edges);
	free(color);
	free(stack);
	free(pos);
}

/* ---------- the validator's other structural rules: warnings ---------- */

static void
validator_warnings(rules *ru)
{
	const fj_doc *d = ru->d;
	const fv_document *doc = ru->doc;
	size_t		ndag = 0;
	uint32_t	end = fj_next(d, doc->root);
	uint32_t   *ends = fv_calloc(FJ_MAX_DEPTH + 1, sizeof(uint32_t));
	int			depth = 0,
				maxdepth = 0;

	for (int t = 0; t < TREE_ATT; t++)
		ndag += doc->commit.size[t];
	if (ndag == 0)
		fv_warn(ru->c->r, "TX-001", doc->base,
				"a transaction needs at least one arrangement, accrual, anticipation or action (foray.validate_document refuses it; the substrate can hold it)");

	/* DOC-002: the document nests at most 64 levels */
	for (uint32_t i = doc->root; i < end; i++)
	{
		while (depth > 0 && i >= ends[depth - 1])
			depth--;
		if (fj_typeof(d, i) == FJ_ARRAY || fj_typeof(d, i) == FJ_OBJECT)
		{
			ends[depth++] = fj_next(d, i);
			if (depth > maxdepth)
				maxdepth = depth;
		}
	}
	free(ends);
	if (maxdepth > 64)
		fv_warn(ru->c->r, "DOC-002", doc->base, "the document nests %d levels (foray.validate_document allows 64)",
				maxdepth);

	for (size_t i = 0; i < doc->n; i++)
	{
		const fv_member *m = &doc->members[i];
		uint32_t	k = m->node + 1;
		fv_path		p;

		fv_member_path(doc, cm_of(ru, i), &p);
		for (uint32_t j = 0; j < fj_count(d, m->node); j++, k = fj_next(d, k + 1))
			if (!fj_streq(d, k, "id") && !fj_streq(d, k, "foray_core") &&
				!fj_streq(d, k, "audit_data"))
			{
				size_t		mark = fv_path_key(&p, fj_str(d, k), fj_count(d, k));

				fv_warn(ru->c->r, "SHAPE-004", p.s,
						"a component holds only id, foray_core and audit_data (this member is not committed)");
				fv_path_cut(&p, mark);
			}
		if (m->audit != FJ_NONE && !fj_is(d, m->audit, FJ_OBJECT))
		{
			fv_path_key(&p, "audit_data", 10);
			fv_warn(ru->c->r, "SHAPE-001", p.s,
					"audit_data is %s; foray.validate_document expects an object",
					fj_noun(d, m->audit));
		}
	}
}

void
fv_document_rules(fv_ctx *c, const fv_document *doc)
{
	rules		ru;
	size_t		before = c->r->nfail;

	if (!doc->computed)
		return;
	memset(&ru, 0, sizeof(ru));
	ru.c = c;
	ru.doc = doc;
	ru.d = c->d;

	/* ids: unique across the transaction (ID-003; ATT-001 for attestations) */
	for (size_t j = 1; j < doc->n; j++)
	{
		const foray_commit_member *a = cm_of(&ru, doc->by_id[j - 1]);
		const foray_commit_member *b = cm_of(&ru, doc->by_id[j]);

		if (foray_c2_id_cmp(a->id, a->id_len, b->id, b->id_len) == 0)
		{
			fv_path		p;

			fv_member_path(doc, b, &p);
			fv_path_key(&p, "id", 2);
			fv_fail(c->r, b->tree == TREE_ATT ? "ATT-001" : "ID-003", p.s,
					"an id used once", b->id, "id \"%s\" is used twice in the transaction", b->id);
		}
	}

	check_transaction(&ru);
	for (size_t j = 0; j < doc->n; j++)
	{
		if (doc->cm[j].tree == TREE_ATT)
			check_attestation(&ru, doc->cm[j].tag);
		else
			check_component(&ru, doc->cm[j].tag, doc->cm[j].tree);
	}
	find_cycles(&ru);
	validator_warnings(&ru);
	if (c->r->nfail == before)
		fv_proved(c->r, "%s: the protocol rules the substrate enforces on every stored transaction hold (ids, reference typing, references resolve, no attestation cycles; docs/rules.md); content rules are foray.validate_document's",
				  doc->base);
	free(ru.from);
	free(ru.to);
}
