/*
 * attestations.c
 *		Triggers of foray.foray_attestations, the cross-cutting fifth.
 *
 *	foray_attestations_before  BEFORE INSERT OR UPDATE: id prefix (ATT-001),
 *		the required fields of spec §9.3 with their enumerations, subject_refs
 *		non-empty (ATT-002), dependencies name attestations (ATT-007), no
 *		self-reference or duplicates (REF-002, REF-003).
 *	foray_attestations_after   AFTER INSERT OR UPDATE OR DELETE: events.
 *	foray_attestations_check_refs  deferred: subject_refs and dependencies
 *		resolve in the same transaction (ATT-002, ATT-007), no cycle (ATT-006).
 *	foray_attestations_check_removal deferred: nothing still names a removed
 *		attestation.
 */
#include "compat.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/rel.h"

#include "canonical.h"
#include "lookup.h"
#include "plans.h"
#include "readiness.h"
#include "protocol.h"
#include "shards.h"
#include "substrate.h"
#include "trigger_util.h"

PG_FUNCTION_INFO_V1(foray_attestations_before);
PG_FUNCTION_INFO_V1(foray_attestations_after);
PG_FUNCTION_INFO_V1(foray_attestations_check_refs);
PG_FUNCTION_INFO_V1(foray_attestations_check_removal);


typedef struct AttRow
{
	char	   *tx;
	char	   *id;
	Jsonb	   *core;
} AttRow;

static void
read_row(Relation rel, HeapTuple tup, AttRow *row)
{
	TupleDesc	desc = RelationGetDescr(rel);

	row->tx = foray_get_text(tup, desc, foray_attno(rel, "transaction_id"));
	row->id = foray_get_text(tup, desc, foray_attno(rel, "attestation_id"));
	row->core = foray_get_jsonb(tup, desc, foray_attno(rel, "foray_core"));
}

/* A required (or optional) string field; returns NULL when absent. */
static char *
string_field(AttRow *row, const char *field, bool required)
{
	JsonbValue *v = foray_core_get(row->core, field);

	if (v == NULL || v->type == jbvNull)
	{
		if (required)
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_INVALID_CORE),
					 errmsg("attestation \"%s\" of transaction \"%s\" lacks the required field \"%s\"",
							row->id, row->tx, field),
					 errdetail("Rule SHAPE-002: attestor, attestor_hash, attestor_type, subject_refs, attestation_type, attestation_date and outcome are required (spec §9.3).")));
		return NULL;
	}
	if (v->type != jbvString)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_INVALID_CORE),
				 errmsg("attestation \"%s\" of transaction \"%s\": field \"%s\" must be a string",
						row->id, row->tx, field),
				 errdetail("Rule SHAPE-001: spec §9.3 types.")));
	return pnstrdup(v->val.string.val, v->val.string.len);
}

static void
enum_field(AttRow *row, const char *field, const char *const *allowed)
{
	char	   *v = string_field(row, field, true);
	StringInfoData list;

	for (int i = 0; allowed[i]; i++)
		if (strcmp(v, allowed[i]) == 0)
			return;
	initStringInfo(&list);
	for (int i = 0; allowed[i]; i++)
		appendStringInfo(&list, "%s%s", i ? ", " : "", allowed[i]);
	ereport(ERROR,
			(errcode(ERRCODE_FORAY_INVALID_ENUM),
			 errmsg("attestation \"%s\" of transaction \"%s\": \"%s\" is not a valid %s",
					row->id, row->tx, v, field),
			 errdetail("Rule ENUM-001: %s is one of %s (spec §9.3).", field, list.data)));
}

static void
date_field(AttRow *row, const char *field, const char *value)
{
	if (!foray_is_iso8601(value))
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_INVALID_DATETIME),
				 errmsg("attestation \"%s\" of transaction \"%s\": %s \"%s\" is not an ISO-8601 date or date-time",
						row->id, row->tx, field, value),
				 errdetail("Rule SHAPE-003: dates are ISO-8601: YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS[.fff]] with Z or an offset.")));
}

Datum
foray_attestations_before(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	bool		is_insert;
	HeapTuple	newtup;
	AttRow		row;
	char		who[512];
	char	  **subjects;
	char	  **deps;
	int			nsubjects,
				ndeps;
	JsonbValue *vp;
	ForayShards *shards;
	ForayRel	which;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event))
		elog(ERROR, "foray_attestations_before: must be a BEFORE ROW trigger");
	rel = td->tg_relation;
	is_insert = TRIGGER_FIRED_BY_INSERT(td->tg_event);
	newtup = is_insert ? td->tg_trigtuple : td->tg_newtuple;
	if (foray_restore_mode())
		return PointerGetDatum(newtup);
	shards = foray_shards_for_trigger(td, &which);
	if (shards == NULL)
		return PointerGetDatum(newtup);	/* a Citus shell: its shards do the work */
	foray_check_not_null(rel, newtup);

	read_row(rel, newtup, &row);
	foray_check_row_group(shards, row.tx, rel);
	if (!is_insert)
	{
		AttRow		old;

		read_row(rel, td->tg_trigtuple, &old);
		if (strcmp(old.tx, row.tx) != 0 || strcmp(old.id, row.id) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_IDENTITY),
					 errmsg("attestation \"%s\" of transaction \"%s\" cannot change its transaction or id",
							old.id, old.tx),
					 errdetail("Rule IDENTITY-001: an attestation's identity is fixed; delete it and insert a new one.")));
	}
	if (strncmp(row.id, "ATT_", 4) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_ID_PREFIX),
				 errmsg("attestation id \"%s\" of transaction \"%s\" does not begin with ATT_",
						row.id, row.tx),
				 errdetail("Rule ATT-001: attestation ids are unique and begin with ATT_ (spec §9.6).")));
	if (!JB_ROOT_IS_OBJECT(row.core))
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_INVALID_CORE),
				 errmsg("attestation \"%s\" of transaction \"%s\": foray_core must be a JSON object",
						row.id, row.tx),
				 errdetail("Rule SHAPE-001: an attestation's foray_core is an object (spec §9.2).")));

	foray_lock_transaction(row.tx);

	(void) string_field(&row, "attestor", true);
	(void) string_field(&row, "attestor_hash", true);
	enum_field(&row, "attestor_type", foray_attestor_types);
	enum_field(&row, "attestation_type", foray_attestation_types);
	enum_field(&row, "outcome", foray_outcomes);
	date_field(&row, "attestation_date", string_field(&row, "attestation_date", true));
	(void) string_field(&row, "evidence_hash", false);
	(void) string_field(&row, "evidence_location", false);

	snprintf(who, sizeof(who), "attestation \"%s\"", row.id);
	(void) foray_core_strings(row.core, "attestor_credentials", &nsubjects, who, row.tx);

	vp = foray_core_get(row.core, "validity_period");
	if (vp != NULL && vp->type != jbvNull)
	{
		Jsonb	   *period;
		const char *ends[2] = {"start", "end"};

		if (vp->type != jbvBinary || !JsonContainerIsObject(vp->val.binary.data))
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_INVALID_CORE),
					 errmsg("attestation \"%s\" of transaction \"%s\": validity_period must be an object with start and end dates",
							row.id, row.tx),
					 errdetail("Rule SHAPE-001: spec §9.3 types.")));
		period = JsonbValueToJsonb(vp);
		for (int i = 0; i < 2; i++)
		{
			JsonbValue *e = foray_core_get(period, ends[i]);

			if (e == NULL || e->type == jbvNull)
				continue;
			if (e->type != jbvString)
				ereport(ERROR,
						(errcode(ERRCODE_FORAY_INVALID_CORE),
						 errmsg("attestation \"%s\" of transaction \"%s\": validity_period.%s must be a date string",
								row.id, row.tx, ends[i]),
						 errdetail("Rule SHAPE-001: spec §9.3 types.")));
			date_field(&row, ends[i], pnstrdup(e->val.string.val, e->val.string.len));
		}
	}

	subjects = foray_core_strings(row.core, "subject_refs", &nsubjects, who, row.tx);
	if (nsubjects == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_ATT_SUBJECTS),
				 errmsg("attestation \"%s\" of transaction \"%s\" has no subject_refs", row.id, row.tx),
				 errdetail("Rule ATT-002: an attestation names at least one component or attestation it attests to (spec §9.3, §9.6).")));
	deps = foray_core_strings(row.core, "dependencies", &ndeps, who, row.tx);

	for (int i = 0; i < nsubjects; i++)
	{
		const char *s = subjects[i];

		if (strcmp(s, row.id) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_REF_SELF),
					 errmsg("attestation \"%s\" of transaction \"%s\" names itself in subject_refs", row.id, row.tx),
					 errdetail("Rule ATT-006: circular attestation references are prohibited (spec §9.6).")));
		if (strncmp(s, "ARR_", 4) != 0 && strncmp(s, "ACC_", 4) != 0 && strncmp(s, "ANT_", 4) != 0 &&
			strncmp(s, "ACT_", 4) != 0 && strncmp(s, "ATT_", 4) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_REF_KIND),
					 errmsg("attestation \"%s\" of transaction \"%s\": subject_refs entry \"%s\" names no component or attestation",
							row.id, row.tx, s),
					 errdetail("Rule ATT-002: subject_refs name components (ARR_, ACC_, ANT_, ACT_) or attestations (ATT_).")));
		for (int j = 0; j < i; j++)
			if (strcmp(s, subjects[j]) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_FORAY_REF_DUPLICATE),
						 errmsg("attestation \"%s\" of transaction \"%s\" lists \"%s\" twice in subject_refs",
								row.id, row.tx, s),
						 errdetail("Rule REF-003: a reference array holds each id once.")));
	}
	for (int i = 0; i < ndeps; i++)
	{
		if (strcmp(deps[i], row.id) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_REF_SELF),
					 errmsg("attestation \"%s\" of transaction \"%s\" depends on itself", row.id, row.tx),
					 errdetail("Rule ATT-006: circular attestation references are prohibited (spec §9.6).")));
		if (strncmp(deps[i], "ATT_", 4) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_ATT_DEPENDENCIES),
					 errmsg("attestation \"%s\" of transaction \"%s\": dependencies entry \"%s\" is not an attestation",
							row.id, row.tx, deps[i]),
					 errdetail("Rule ATT-007: an attestation's dependencies name other attestations (spec §9.3).")));
		for (int j = 0; j < i; j++)
			if (strcmp(deps[i], deps[j]) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_FORAY_REF_DUPLICATE),
						 errmsg("attestation \"%s\" of transaction \"%s\" lists \"%s\" twice in dependencies",
								row.id, row.tx, deps[i]),
						 errdetail("Rule REF-003: a reference array holds each id once.")));
	}

	{
		char		hash[FORAY_HASH_TEXT_LEN + 1];
		int			col = foray_attno(rel, "attestation_hash");
		Datum		val;
		bool		isnull = false;

		snprintf(who, sizeof(who), "attestation \"%s\" of transaction \"%s\"", row.id, row.tx);
		foray_hash_jsonb(row.core, true, who, hash);
		if (is_insert || foray_column_changed(td->tg_trigtuple, newtup, RelationGetDescr(rel),
											  foray_attno(rel, "audit_data")))
		{
			snprintf(who, sizeof(who), "attestation \"%s\"", row.id);
			foray_check_audit_data(foray_get_jsonb(newtup, RelationGetDescr(rel),
												   foray_attno(rel, "audit_data")), who, row.tx);
		}
		val = CStringGetTextDatum(hash);
		return PointerGetDatum(heap_modify_tuple_by_cols(newtup, RelationGetDescr(rel), 1,
														 &col, &val, &isnull));
	}
}

Datum
foray_attestations_after(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	AttRow		row;
	const char *kind;
	HeapTuple	tup;
	const char *keys[3] = {"attestation_type", "outcome", "attestation_hash"};
	const char *vals[3];
	ForayRel	which;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(td->tg_event))
		elog(ERROR, "foray_attestations_after: must be an AFTER trigger");
	if (foray_restore_mode())
		return PointerGetDatum(NULL);
	if (foray_shards_for_trigger(td, &which) == NULL)
		return PointerGetDatum(NULL);	/* a Citus shell */
	rel = td->tg_relation;
	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		kind = "ATTESTATION_ATTACHED";
		tup = td->tg_trigtuple;
	}
	else if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		kind = "ATTESTATION_UPDATED";
		tup = td->tg_newtuple;
	}
	else
	{
		kind = "ATTESTATION_DETACHED";
		tup = td->tg_trigtuple;
	}
	read_row(rel, tup, &row);
	vals[0] = foray_get_text(tup, RelationGetDescr(rel), foray_attno(rel, "attestation_type"));
	vals[1] = foray_get_text(tup, RelationGetDescr(rel), foray_attno(rel, "outcome"));
	vals[2] = foray_get_text(tup, RelationGetDescr(rel), foray_attno(rel, "attestation_hash"));
	foray_emit_event(kind, "ATTESTATION", row.id, row.tx, foray_jsonb_object(3, keys, vals));
	return PointerGetDatum(NULL);
}

/* Split a text[] into attestation ids and component ids. */
static void
split_refs(Datum arr, List **atts, List **comps)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	deconstruct_array(DatumGetArrayTypeP(arr), TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
	{
		char	   *s = TextDatumGetCString(elems[i]);

		if (strncmp(s, "ATT_", 4) == 0)
			*atts = lappend(*atts, s);
		else if (comps)
			*comps = lappend(*comps, s);
	}
}


/* Report the first id of wanted that is not in the relation relid. */
static void
require_found(Oid relid, const char *tx, List *wanted, const char *id,
			  const char *field, int sqlstate, const char *rule)
{
	int			n = list_length(wanted);
	char	  **ids;
	bool	   *found;
	ListCell   *lc;
	int			i = 0;

	if (n == 0)
		return;
	ids = palloc(sizeof(char *) * n);
	found = palloc(sizeof(bool) * n);
	foreach(lc, wanted)
		ids[i++] = lfirst(lc);
	foray_pk_lookup_rel(relid, tx, ids, n, NULL, found, NULL);
	for (i = 0; i < n; i++)
		if (!found[i])
			ereport(ERROR,
					(errcode(sqlstate),
					 errmsg("attestation \"%s\" of transaction \"%s\" names \"%s\" in %s, which does not exist in that transaction",
							id, tx, ids[i], field),
					 errdetail("%s", rule)));
}

Datum
foray_attestations_check_refs(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	HeapTuple	tup;
	char	   *tx;
	char	   *id;
	Datum		args[2];
	int			rc;
	bool		isnull;
	List	   *subj_atts = NIL,
			   *subj_comps = NIL,
			   *dep_atts = NIL,
			   *stack = NIL,
			   *seen = NIL;
	Datum		subjects,
				deps;
	ForayShards *shards;
	ForayRel	which;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "foray_attestations_check_refs: not called by trigger manager");
	if (foray_restore_mode())
		return PointerGetDatum(NULL);
	shards = foray_shards_for_trigger(td, &which);
	if (shards == NULL)
		return PointerGetDatum(NULL);	/* a Citus shell */
	rel = td->tg_relation;
	tup = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	tx = foray_get_text(tup, RelationGetDescr(rel), foray_attno(rel, "transaction_id"));
	id = foray_get_text(tup, RelationGetDescr(rel), foray_attno(rel, "attestation_id"));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	args[0] = CStringGetTextDatum(tx);
	args[1] = CStringGetTextDatum(id);
	rc = SPI_execute_plan(foray_plan(shards, PLAN_ATTESTATION_ROW), args, NULL, false, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "attestation lookup failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
	{
		SPI_finish();
		return PointerGetDatum(NULL);
	}
	subjects = SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull), false, -1);
	deps = SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull), false, -1);
	split_refs(subjects, &subj_atts, &subj_comps);
	split_refs(deps, &dep_atts, NULL);

	require_found(shards->relid[FORAY_REL_COMPONENTS], tx, subj_comps, id, "subject_refs",
				  ERRCODE_FORAY_REF_DANGLING,
				  "Rule ATT-002: subject_refs resolve to components or attestations of the same transaction (spec §9.6).");
	require_found(shards->relid[FORAY_REL_ATTESTATIONS], tx, subj_atts, id, "subject_refs",
				  ERRCODE_FORAY_REF_DANGLING,
				  "Rule ATT-002: subject_refs resolve to components or attestations of the same transaction (spec §9.6).");
	require_found(shards->relid[FORAY_REL_ATTESTATIONS], tx, dep_atts, id, "dependencies",
				  ERRCODE_FORAY_REF_DANGLING,
				  "Rule ATT-007: dependencies resolve to attestations of the same transaction (spec §9.3).");

	/* ATT-006: walk the attestation graph from here; reaching id is a cycle */
	stack = list_concat(list_copy(subj_atts), dep_atts);
	while (stack != NIL)
	{
		char	   *next = linitial(stack);
		ListCell   *lc;
		bool		visited = false;

		stack = list_delete_first(stack);
		if (strcmp(next, id) == 0)
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_REF_CYCLE),
					 errmsg("attestation \"%s\" of transaction \"%s\" is part of a reference cycle",
							id, tx),
					 errdetail("Rule ATT-006: circular attestation references are prohibited (spec §9.6).")));
		foreach(lc, seen)
			if (strcmp(lfirst(lc), next) == 0)
				visited = true;
		if (visited)
			continue;
		seen = lappend(seen, next);
		args[1] = CStringGetTextDatum(next);
		rc = SPI_execute_plan(foray_plan(shards, PLAN_ATTESTATION_ROW), args, NULL, false, 1);
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "attestation lookup failed: %s", SPI_result_code_string(rc));
		if (SPI_processed == 0)
			continue;
		{
			Datum		s = SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull), false, -1);
			Datum		d = SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull), false, -1);

			split_refs(s, &stack, NULL);
			split_refs(d, &stack, NULL);
		}
	}
	SPI_finish();
	return PointerGetDatum(NULL);
}

Datum
foray_attestations_check_removal(PG_FUNCTION_ARGS)
{
	static const ForayPlan referrers[1] = {PLAN_ATTESTATION_REFERRERS};
	static const char *const nouns[1] = {"attestation"};

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "foray_attestations_check_removal: not called by trigger manager");
	if (!foray_restore_mode())
		foray_check_removal((TriggerData *) fcinfo->context, "attestation", "attestation_id",
							PLAN_ATTESTATION_ROW, referrers, nouns, 1,
							"Rule ATT-002: subject_refs and dependencies resolve within the transaction (spec §9.6).");
	return PointerGetDatum(NULL);
}
