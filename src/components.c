/*
 * components.c
 *		Triggers of foray.foray_components: the protocol's rules for the four
 *		DAG component types.
 *
 *	foray_components_before   BEFORE INSERT OR UPDATE: id prefix (ID-001),
 *		foray_core shape, ref typing (REF-001..003), ARR dependencies
 *		(ARR-001), readiness transitions (STATUS-001), derived status.
 *	foray_components_after    AFTER INSERT OR UPDATE OR DELETE: events,
 *		readiness propagation to dependents.
 *	foray_components_check_refs    deferred: every ref resolves (TX-003).
 *	foray_components_check_removal deferred: nothing still references a
 *		removed component (TX-003).
 */
#include "compat.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "canonical.h"
#include "lookup.h"
#include "plans.h"
#include "readiness.h"
#include "shards.h"
#include "substrate.h"
#include "trigger_util.h"

PG_FUNCTION_INFO_V1(foray_components_before);
PG_FUNCTION_INFO_V1(foray_components_after);
PG_FUNCTION_INFO_V1(foray_components_check_refs);
PG_FUNCTION_INFO_V1(foray_components_check_removal);

#define NREFKINDS 3

static const char *const ref_fields[NREFKINDS] = {"arrangement_refs", "accrual_refs", "anticipation_refs"};
static const char *const ref_prefixes[NREFKINDS] = {"ARR_", "ACC_", "ANT_"};
static const char *const ref_nouns[NREFKINDS] = {"an arrangement", "an accrual", "an anticipation"};
static const char *const singular_fields[NREFKINDS] = {"arrangement_ref", "accrual_ref", "anticipation_ref"};

static const char *const type_codes[4] = {"ARR", "ACC", "ANT", "ACT"};
static const char *const type_nouns[4] = {"arrangement", "accrual", "anticipation", "action"};
/* how many of ref_fields (in order) each type may hold: ARR 0, ACC 1, ANT 2, ACT 3 */
static const int allowed_kinds[4] = {0, 1, 2, 3};
static const char *const typing_rules[4] = {
	"Rule REF-001: arrangements reference nothing; they are entry points (spec §3.3, §10.2).",
	"Rule REF-001: accruals may reference arrangements only (spec §3.3, §10.2).",
	"Rule REF-001: anticipations may reference arrangements and accruals only (spec §3.3, §10.2).",
	"Rule REF-001: actions may reference arrangements, accruals and anticipations (spec §3.3, §10.2).",
};

static int
type_index(const char *code)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(code, type_codes[i]) == 0)
			return i;
	ereport(ERROR,
			(errcode(ERRCODE_FORAY_INVALID_ENUM),
			 errmsg("\"%s\" is not a component type", code),
			 errhint("Use ARR, ACC, ANT or ACT; attestations go to foray.foray_attestations.")));
	return -1;
}

typedef struct ComponentRow
{
	char	   *tx;
	char	   *id;
	char	   *type;
	char	   *status;
	Jsonb	   *core;
} ComponentRow;

/* The row's identity and status; its foray_core only when with_core. */
static void
read_row_ext(Relation rel, HeapTuple tup, ComponentRow *row, bool with_core)
{
	TupleDesc	desc = RelationGetDescr(rel);

	row->tx = foray_get_text(tup, desc, foray_attno(rel, "transaction_id"));
	row->id = foray_get_text(tup, desc, foray_attno(rel, "component_id"));
	row->type = foray_get_text(tup, desc, foray_attno(rel, "component_type"));
	row->status = foray_get_text(tup, desc, foray_attno(rel, "status"));
	row->core = with_core ? foray_get_jsonb(tup, desc, foray_attno(rel, "foray_core")) : NULL;
}

#define read_row(rel, tup, row) read_row_ext((rel), (tup), (row), false)

/*
 * Check the refs a component's foray_core holds.  Returns all of them in
 * one text[] Datum (for the readiness lookup) and their count.
 */
static Datum
check_refs(ComponentRow *row, int t, int *nrefs)
{
	char	  **all = NULL;
	int			nall = 0;
	char		who[512];

	snprintf(who, sizeof(who), "%s \"%s\"", type_nouns[t], row->id);

	for (int k = 0; k < NREFKINDS; k++)
	{
		if (foray_core_get(row->core, singular_fields[k]) != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_INVALID_CORE),
					 errmsg("%s of transaction \"%s\" uses the v4.0 field \"%s\"",
							who, row->tx, singular_fields[k]),
					 errdetail("Rule REF-004: v4.1 references are arrays; the singular field was removed (spec §7.1)."),
					 errhint("Write \"%s\": [\"...\"] instead.", ref_fields[k])));
	}

	for (int k = 0; k < NREFKINDS; k++)
	{
		int			n;
		char	  **items = foray_core_strings(row->core, ref_fields[k], &n, who, row->tx);

		if (n == 0)
			continue;
		if (k >= allowed_kinds[t])
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_REF_TYPING),
					 errmsg("%s of transaction \"%s\" cannot hold %s",
							who, row->tx, ref_fields[k]),
					 errdetail("%s", typing_rules[t])));
		for (int i = 0; i < n; i++)
		{
			if (strcmp(items[i], row->id) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_FORAY_REF_SELF),
						 errmsg("%s of transaction \"%s\" references itself in %s",
								who, row->tx, ref_fields[k]),
						 errdetail("Rule REF-002: a component never references itself.")));
			if (strncmp(items[i], ref_prefixes[k], 4) != 0)
				ereport(ERROR,
						(errcode(ERRCODE_FORAY_REF_KIND),
						 errmsg("%s of transaction \"%s\": %s entry \"%s\" does not name %s",
								who, row->tx, ref_fields[k], items[i], ref_nouns[k]),
						 errdetail("Rule REF-001: each *_refs array names components of its own type, by their %s prefix.",
								   ref_prefixes[k])));
			for (int j = 0; j < i; j++)
				if (strcmp(items[i], items[j]) == 0)
					ereport(ERROR,
							(errcode(ERRCODE_FORAY_REF_DUPLICATE),
							 errmsg("%s of transaction \"%s\" lists \"%s\" twice in %s",
									who, row->tx, items[i], ref_fields[k]),
							 errdetail("Rule REF-003: a reference array holds each id once.")));
		}
		all = all ? repalloc(all, sizeof(char *) * (nall + n)) : palloc(sizeof(char *) * n);
		memcpy(all + nall, items, sizeof(char *) * n);
		nall += n;
	}

	if (t == 0)
	{
		int			n;

		(void) foray_core_strings(row->core, "dependencies", &n, who, row->tx);
		if (n > 0)
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_ARR_DEPENDENCIES),
					 errmsg("%s of transaction \"%s\" has dependencies", who, row->tx),
					 errdetail("Rule ARR-001: an arrangement is an entry point; its dependencies must be empty (spec §6.2).")));
	}
	else
	{
		int			n;

		(void) foray_core_strings(row->core, "dependencies", &n, who, row->tx);
	}

	*nrefs = nall;
	return foray_strings_to_array(all, nall);
}

/* May the application move a component from old_status to new_status? */
static void
check_transition(ComponentRow *row, const char *old_status, const char *new_status)
{
	if (strcmp(old_status, new_status) == 0)
		return;
	if (strcmp(new_status, "settled") == 0 && strcmp(old_status, "ready") == 0)
		return;
	if (strcmp(new_status, "reversed") == 0 && strcmp(old_status, "reversed") != 0)
		return;
	ereport(ERROR,
			(errcode(ERRCODE_FORAY_STATUS),
			 errmsg("component \"%s\" of transaction \"%s\" cannot change status from %s to %s",
					row->id, row->tx, old_status, new_status),
			 strcmp(new_status, "settled") == 0 ?
			 errdetail("Rule STATUS-001: a component is settled only from ready.") :
			 strcmp(old_status, "reversed") == 0 ?
			 errdetail("Rule STATUS-001: a reversed component stays reversed; record a new component instead.") :
			 errdetail("Rule STATUS-001: pending and ready are derived by the substrate; the application sets only settled and reversed.")));
}

Datum
foray_components_before(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	desc;
	bool		is_insert;
	HeapTuple	newtup;
	ComponentRow row;
	int			t;
	int			nrefs;
	Datum		refs;
	const char *status;
	bool		taken = false;	/* an insert whose id already exists */
	char		hash[FORAY_HASH_TEXT_LEN + 1];
	char		context[512];
	int			cols[4];
	Datum		vals[4];
	bool		nulls[4] = {false, false, false, false};
	int			ncols = 0;
	ForayShards *shards;
	ForayRel	which;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event))
		elog(ERROR, "foray_components_before: must be a BEFORE ROW trigger");
	rel = td->tg_relation;
	desc = RelationGetDescr(rel);
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
		ComponentRow old;

		read_row(rel, td->tg_trigtuple, &old);
		if (strcmp(old.tx, row.tx) != 0 || strcmp(old.id, row.id) != 0 ||
			strcmp(old.type, row.type) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_IDENTITY),
					 errmsg("component \"%s\" of transaction \"%s\" cannot change its transaction, id or type",
							old.id, old.tx),
					 errdetail("Rule IDENTITY-001: a component's identity is fixed; delete it and insert a new one.")));
		if (foray_internal_writes > 0)
			return PointerGetDatum(newtup);		/* the substrate's own status write */
		check_transition(&row, old.status, row.status);
	}
	else if (strcmp(row.status, "pending") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_STATUS),
				 errmsg("component \"%s\" of transaction \"%s\" cannot be inserted as %s",
						row.id, row.tx, row.status),
				 errdetail("Rule STATUS-001: a new component starts pending and the substrate derives ready; settled and reversed are set later.")));

	row.core = foray_get_jsonb(newtup, desc, foray_attno(rel, "foray_core"));
	t = type_index(row.type);
	if (strncmp(row.id, type_codes[t], 3) != 0 || row.id[3] != '_')
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_ID_PREFIX),
				 errmsg("component id \"%s\" of transaction \"%s\" does not carry the prefix of its type %s",
						row.id, row.tx, row.type),
				 errdetail("Rule ID-001: component ids begin with their type code: ARR_, ACC_, ANT_ or ACT_.")));
	if (!JB_ROOT_IS_OBJECT(row.core))
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_INVALID_CORE),
				 errmsg("%s \"%s\" of transaction \"%s\": foray_core must be a JSON object",
						type_nouns[t], row.id, row.tx),
				 errdetail("Rule SHAPE-001: a component's foray_core is an object (spec §4).")));

	foray_lock_transaction(row.tx);
	refs = check_refs(&row, t, &nrefs);

	/* the stored hash: canonical foray_core; numbers must keep their value */
	snprintf(context, sizeof(context), "%s \"%s\" of transaction \"%s\"",
			 type_nouns[t], row.id, row.tx);
	foray_hash_jsonb(row.core, true, context, hash);
	if (is_insert || foray_column_changed(td->tg_trigtuple, newtup, desc, foray_attno(rel, "audit_data")))
	{
		char		who[300];

		snprintf(who, sizeof(who), "%s \"%s\"", type_nouns[t], row.id);
		foray_check_audit_data(foray_get_jsonb(newtup, desc, foray_attno(rel, "audit_data")), who, row.tx);
	}
	cols[ncols] = foray_attno(rel, "component_hash");
	vals[ncols++] = CStringGetTextDatum(hash);

	/*
	 * Derived readiness, unless the application holds it settled/reversed.
	 * An insert also learns, in the same index scan, whether its id is
	 * taken: such a row never lands (a unique violation, or skipped by ON
	 * CONFLICT DO NOTHING), so it must log nothing.  Exact under the
	 * transaction's lock.
	 */
	status = row.status;
	if (strcmp(status, "pending") == 0 || strcmp(status, "ready") == 0)
	{
		int			missing;

		if (nrefs == 0 && !is_insert)
			status = "ready";
		else
		{
			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "SPI_connect failed");
			status = foray_derive_status_self(row.tx, refs, nrefs, &missing,
											  is_insert ? row.id : NULL, &taken);
			SPI_finish();
		}
	}
	cols[ncols] = foray_attno(rel, "status");
	vals[ncols++] = CStringGetTextDatum(status);

	if (!is_insert)
	{
		cols[ncols] = foray_attno(rel, "updated_at");
		vals[ncols++] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	}
	else if (!taken)
	{
		/*
		 * COMPONENT_CREATED is buffered here rather than in an AFTER trigger
		 * (which would cost a queued event and a re-fetch per row): a row
		 * that does not land is either one whose id is taken (known above)
		 * or one whose statement fails, and its (sub)transaction takes the
		 * buffered event with it.
		 */
		const char *keys[3] = {"component_type", "status", "component_hash"};
		const char *evals[3] = {row.type, status, hash};

		foray_emit_event("COMPONENT_CREATED", "COMPONENT", row.id, row.tx,
						 foray_jsonb_object(3, keys, evals));
		foray_mark_transaction_dirty(row.tx);
		foray_note_component_added(row.tx);
		foray_recent_put(row.tx, row.id, status);
		if (strcmp(status, "pending") == 0)
			foray_note_pending(row.tx);
	}

	return PointerGetDatum(heap_modify_tuple_by_cols(newtup, desc, ncols, cols, vals, nulls));
}

static Jsonb *
component_payload(Relation rel, HeapTuple tup, const char *from)
{
	TupleDesc	desc = RelationGetDescr(rel);
	const char *keys[4] = {"component_type", "status", "component_hash", "from"};
	const char *vals[4];

	vals[0] = foray_get_text(tup, desc, foray_attno(rel, "component_type"));
	vals[1] = foray_get_text(tup, desc, foray_attno(rel, "status"));
	vals[2] = foray_get_text(tup, desc, foray_attno(rel, "component_hash"));
	vals[3] = from;
	return foray_jsonb_object(from ? 4 : 3, keys, vals);
}

Datum
foray_components_after(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	desc;
	ComponentRow row;
	ForayRel	which;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(td->tg_event))
		elog(ERROR, "foray_components_after: must be an AFTER trigger");
	/*
	 * Restores write no events; the substrate's own writes record theirs
	 * themselves (the trigger's WHEN clause skips them; this also holds for
	 * a 0.1.0 schema not yet updated, which had no WHEN clause).
	 */
	if (foray_restore_mode() || foray_internal_writes > 0)
		return PointerGetDatum(NULL);
	if (foray_shards_for_trigger(td, &which) == NULL)
		return PointerGetDatum(NULL);	/* a Citus shell */
	rel = td->tg_relation;
	desc = RelationGetDescr(rel);

	if (TRIGGER_FIRED_BY_INSERT(td->tg_event))
	{
		/* fired only for rows that arrive usable (WHEN clause): unblock waiters */
		read_row(rel, td->tg_trigtuple, &row);
		if (foray_status_usable(row.status))
			foray_propagate(row.tx, row.id, true);
	}
	else if (TRIGGER_FIRED_BY_UPDATE(td->tg_event))
	{
		ComponentRow old;

		read_row(rel, td->tg_trigtuple, &old);
		read_row(rel, td->tg_newtuple, &row);
		if (foray_column_changed(td->tg_trigtuple, td->tg_newtuple, desc, foray_attno(rel, "foray_core")) ||
			foray_column_changed(td->tg_trigtuple, td->tg_newtuple, desc, foray_attno(rel, "audit_data")))
			foray_emit_event("COMPONENT_UPDATED", "COMPONENT", row.id, row.tx,
							 component_payload(rel, td->tg_newtuple, NULL));
		if (strcmp(old.status, row.status) != 0)
		{
			foray_emit_event("COMPONENT_STATE_CHANGED", "COMPONENT", row.id, row.tx,
							 component_payload(rel, td->tg_newtuple, old.status));
			foray_mark_transaction_dirty(row.tx);
			if (strcmp(row.status, "pending") == 0)
				foray_note_pending(row.tx);
			else if (strcmp(row.status, "reversed") == 0)
				foray_note_reversed(row.tx);
			/* the substrate's own status writes propagate level by level */
			if (foray_internal_writes == 0 &&
				foray_status_usable(old.status) != foray_status_usable(row.status))
				foray_propagate(row.tx, row.id, false);
		}
	}
	else if (TRIGGER_FIRED_BY_DELETE(td->tg_event))
	{
		read_row(rel, td->tg_trigtuple, &row);
		foray_emit_event("COMPONENT_DELETED", "COMPONENT", row.id, row.tx,
						 component_payload(rel, td->tg_trigtuple, NULL));
		foray_mark_transaction_dirty(row.tx);
		foray_note_component_deleted(row.tx);
		if (foray_status_usable(row.status))
			foray_propagate(row.tx, row.id, false);
	}
	return PointerGetDatum(NULL);
}

/*
 * Deferred (at commit): a component still pending must have every ref
 * resolved by now; if they all are, and all usable, it becomes ready.
 */
Datum
foray_components_check_refs(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	HeapTuple	tup;
	char	   *tx;
	char	   *id;
	Datum		values[2];
	int			rc;
	char	   *status;
	Datum		arrays[NREFKINDS];
	bool		isnull;
	ForayShards *shards;
	ForayRel	which;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "foray_components_check_refs: not called by trigger manager");
	if (foray_restore_mode())
		return PointerGetDatum(NULL);
	shards = foray_shards_for_trigger(td, &which);
	if (shards == NULL)
		return PointerGetDatum(NULL);	/* a Citus shell */
	rel = td->tg_relation;
	tup = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	tx = foray_get_text(tup, RelationGetDescr(rel), foray_attno(rel, "transaction_id"));
	id = foray_get_text(tup, RelationGetDescr(rel), foray_attno(rel, "component_id"));

	/* the common case, already ready by now, costs one index probe */
	{
		bool		found;
		char	   *current;

		foray_pk_lookup_rel(shards->relid[FORAY_REL_COMPONENTS], tx, &id, 1, "status", &found, &current);
		if (!found || strcmp(current, "pending") != 0)
			return PointerGetDatum(NULL);
	}

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	values[0] = CStringGetTextDatum(tx);
	values[1] = CStringGetTextDatum(id);
	rc = SPI_execute_plan(foray_plan(shards, PLAN_COMPONENT_ROW), values, NULL, false, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "component lookup failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
	{
		SPI_finish();
		return PointerGetDatum(NULL);
	}
	status = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	if (strcmp(status, "pending") != 0)
	{
		SPI_finish();
		return PointerGetDatum(NULL);
	}
	for (int k = 0; k < NREFKINDS; k++)
		arrays[k] = SPI_datumTransfer(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc,
													k + 2, &isnull), false, -1);

	for (int k = 0; k < NREFKINDS; k++)
	{
		Datum	   *elems;
		bool	   *enulls;
		int			n;

		deconstruct_array(DatumGetArrayTypeP(arrays[k]), TEXTOID, -1, false, TYPALIGN_INT,
						  &elems, &enulls, &n);
		if (n == 0)
			continue;
		{
			char	  **ids = palloc(sizeof(char *) * n);
			bool	   *found = palloc(sizeof(bool) * n);

			for (int i = 0; i < n; i++)
				ids[i] = TextDatumGetCString(elems[i]);
			foray_pk_lookup_rel(shards->relid[FORAY_REL_COMPONENTS], tx, ids, n, NULL, found, NULL);
			for (int i = 0; i < n; i++)
				if (!found[i])
					ereport(ERROR,
							(errcode(ERRCODE_FORAY_REF_DANGLING),
							 errmsg("component \"%s\" of transaction \"%s\" references \"%s\" in %s, which does not exist in that transaction",
									id, tx, ids[i], ref_fields[k]),
							 errdetail("Rule TX-003: every reference resolves, when the SQL transaction commits, to a component of the same FORAY transaction (spec §6.1 rule 3).")));
		}
	}

	/* all refs exist; if all are usable too, it is ready */
	{
		ArrayType  *all = DatumGetArrayTypeP(arrays[0]);
		int			missing;
		int			nall;

		for (int k = 1; k < NREFKINDS; k++)
			all = DatumGetArrayTypeP(DirectFunctionCall2(array_cat, PointerGetDatum(all), arrays[k]));
		nall = ArrayGetNItems(ARR_NDIM(all), ARR_DIMS(all));
		if (strcmp(foray_derive_status(tx, PointerGetDatum(all), nall, &missing), "ready") == 0)
			foray_set_status(tx, id, status, "ready");
	}
	SPI_finish();
	foray_evaluate_dirty();
	foray_flush_events();
	return PointerGetDatum(NULL);
}

/*
 * Deferred (at commit), for components and attestations alike: a removed
 * row must not still be referenced, unless a row with the same id took its
 * place.  noun: "component" or "attestation"; exists_plan looks the id up;
 * referrers: the plans finding what still names it.
 */
void
foray_check_removal(TriggerData *td, const char *noun, const char *id_column,
					ForayPlan exists_plan, const ForayPlan *referrers,
					const char *const *referrer_nouns, int nreferrers, const char *rule)
{
	Relation	rel = td->tg_relation;
	char	   *tx;
	char	   *id;
	Datum		values[2];
	int			rc;
	ForayRel	which;
	ForayShards *shards = foray_shards_for_trigger(td, &which);

	if (shards == NULL)
		return;					/* a Citus shell */
	tx = foray_get_text(td->tg_trigtuple, RelationGetDescr(rel), foray_attno(rel, "transaction_id"));
	id = foray_get_text(td->tg_trigtuple, RelationGetDescr(rel), foray_attno(rel, id_column));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	values[0] = CStringGetTextDatum(tx);
	values[1] = CStringGetTextDatum(id);
	rc = SPI_execute_plan(foray_plan(shards, exists_plan), values, NULL, false, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "%s lookup failed: %s", noun, SPI_result_code_string(rc));
	if (SPI_processed == 0)
	{
		values[0] = PointerGetDatum(foray_ref_key(tx, id));
		for (int i = 0; i < nreferrers; i++)
		{
			rc = SPI_execute_plan(foray_plan(shards, referrers[i]), values, NULL, false, 1);
			if (rc != SPI_OK_SELECT)
				elog(ERROR, "referrer lookup failed: %s", SPI_result_code_string(rc));
			if (SPI_processed > 0)
				ereport(ERROR,
						(errcode(ERRCODE_FORAY_REF_HELD),
						 errmsg("%s \"%s\" of transaction \"%s\" cannot be removed: %s \"%s\" still references it",
								noun, id, tx, referrer_nouns[i],
								SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1)),
						 errdetail("%s", rule)));
		}
	}
	SPI_finish();
}

Datum
foray_components_check_removal(PG_FUNCTION_ARGS)
{
	static const ForayPlan referrers[2] = {PLAN_COMPONENT_REFERRERS, PLAN_ATTESTATION_REFERRERS};
	static const char *const nouns[2] = {"component", "attestation"};

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "foray_components_check_removal: not called by trigger manager");
	if (!foray_restore_mode())
		foray_check_removal((TriggerData *) fcinfo->context, "component", "component_id",
							PLAN_COMPONENT_EXISTS, referrers, nouns, 2,
							"Rule TX-003: every reference resolves to a component of the same transaction (spec §6.1 rule 3).");
	return PointerGetDatum(NULL);
}
