/*
 * plans.c
 *		Every query the substrate's triggers run, prepared once per backend
 *		and kept.  Each text is schema-qualified down to its operators, so
 *		no object planted in another schema on the search_path can be picked
 *		up (CVE-2018-1058).
 */
#include "compat.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/resowner.h"

#include "plans.h"
#include "shards.h"

typedef struct PlanDef
{
	const char *query;
	int			nargs;
	Oid			argtypes[8];
} PlanDef;

#define EQ " OPERATOR(pg_catalog.=) "

/*
 * The predicate of the partial index foray_components_ref_keys_idx, repeated
 * so the planner can use the index (on a 0.2.0 database, whose index is not
 * partial, it is a filter that every matching row passes).
 */
#define HAS_REFS(a) \
	"(" a "arrangement_refs OPERATOR(pg_catalog.<>) '{}'::pg_catalog.text[]" \
	" OR " a "accrual_refs OPERATOR(pg_catalog.<>) '{}'::pg_catalog.text[]" \
	" OR " a "anticipation_refs OPERATOR(pg_catalog.<>) '{}'::pg_catalog.text[])"

static const PlanDef plan_defs[FORAY_PLAN_COUNT] = {
	[PLAN_APPEND_EVENTS] = {
		/* events.c: the buffered events, numbered, in emission order */
		"INSERT INTO foray.transaction_events "
		"(event_id, seq, event_kind, subject_kind, subject_id, transaction_id, "
		" actor_kind, actor_id, payload) "
		"SELECT e.id, e.seq, e.k, e.sk, e.sid, e.tx, 'system', e.a, e.p "
		"FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), "
		"     pg_catalog.unnest($3), pg_catalog.unnest($4), "
		"     pg_catalog.unnest($5), pg_catalog.unnest($6), "
		"     pg_catalog.unnest($7), pg_catalog.unnest($8)) "
		"     WITH ORDINALITY AS e(k, sk, sid, tx, a, p, id, seq, n) "
		"ORDER BY e.n",
		8, {TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, JSONBARRAYOID,
		INT8ARRAYOID, INT8ARRAYOID}
	},
	[PLAN_APPEND_EVENTS_LEGACY] = {
		/* the same, on a database not updated to 0.5.0 */
		"INSERT INTO foray.memory_events "
		"(event_kind, subject_kind, subject_id, transaction_id, "
		" actor_kind, actor_id, payload) "
		"SELECT e.k, e.sk, e.sid, e.tx, 'system', e.a, e.p "
		"FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), "
		"     pg_catalog.unnest($3), pg_catalog.unnest($4), "
		"     pg_catalog.unnest($5), pg_catalog.unnest($6)) "
		"     WITH ORDINALITY AS e(k, sk, sid, tx, a, p, n) "
		"ORDER BY e.n",
		6, {TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID, JSONBARRAYOID}
	},
	[PLAN_LAST_EVENT_SEQS] = {
		/* the seq of the last event of each transaction that has one */
		"SELECT e.transaction_id, e.seq"
		"  FROM pg_catalog.unnest($1) AS t(id),"
		"       LATERAL (SELECT l.transaction_id, l.seq FROM foray.transaction_events l"
		"                 WHERE l.transaction_id" EQ "t.id"
		"                 ORDER BY l.seq DESC LIMIT 1) AS e",
		1, {TEXTARRAYOID}
	},
	[PLAN_DEPENDENTS] = {
		"SELECT d.component_id, d.status::pg_catalog.text,"
		"       d.arrangement_refs OPERATOR(pg_catalog.||) d.accrual_refs"
		"       OPERATOR(pg_catalog.||) d.anticipation_refs, d.ctid"
		" FROM foray.foray_components d"
		" WHERE foray.component_ref_keys(d.transaction_id, d.arrangement_refs, d.accrual_refs,"
		"                                d.anticipation_refs) OPERATOR(pg_catalog.&&) $1"
		"   AND " HAS_REFS("d.")
		"   AND d.status::pg_catalog.text" EQ "ANY ('{pending,ready}'::pg_catalog.text[])"
		" ORDER BY d.component_id COLLATE pg_catalog.\"C\"",
		1, {TEXTARRAYOID}
	},
	[PLAN_SET_STATUSES] = {
		"UPDATE foray.foray_components c SET status = u.s"
		"  FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3)) WITH ORDINALITY AS u(id, s, n)"
		" WHERE c.transaction_id" EQ "$1 AND c.component_id" EQ "u.id"
		" RETURNING u.n, c.component_type::pg_catalog.text, c.component_hash",
		3, {TEXTOID, TEXTARRAYOID, TEXTARRAYOID}
	},
	[PLAN_SET_STATUSES_BY_TID] = {
		/*
		 * Readiness propagation updates rows it has just read, under the
		 * FORAY transaction's lock: by their ctid (a TID scan), not by a
		 * second primary-key probe each.  transaction_id is rechecked.
		 */
		"UPDATE foray.foray_components c SET status = u.s"
		"  FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3)) WITH ORDINALITY AS u(t, s, n)"
		" WHERE c.ctid OPERATOR(pg_catalog.=) u.t AND c.transaction_id" EQ "$1"
		" RETURNING u.n, c.component_type::pg_catalog.text, c.component_hash",
		3, {TEXTOID, TIDARRAYOID, TEXTARRAYOID}
	},
	[PLAN_COMPONENT_ROW] = {
		"SELECT status::pg_catalog.text, arrangement_refs, accrual_refs, anticipation_refs"
		" FROM foray.foray_components"
		" WHERE transaction_id" EQ "$1 AND component_id" EQ "$2",
		2, {TEXTOID, TEXTOID}
	},
	[PLAN_HAS_PENDING] = {
		"SELECT 1 FROM foray.foray_components"
		" WHERE transaction_id" EQ "$1"
		"   AND status::pg_catalog.text" EQ "ANY ('{pending,reversed}'::pg_catalog.text[])"
		"   AND status::pg_catalog.text" EQ "'pending' LIMIT 1",
		1, {TEXTOID}
	},
	[PLAN_HAS_UNREADY] = {
		"SELECT 1 FROM foray.foray_components"
		" WHERE transaction_id" EQ "$1"
		"   AND status::pg_catalog.text" EQ "ANY ('{pending,reversed}'::pg_catalog.text[]) LIMIT 1",
		1, {TEXTOID}
	},
	[PLAN_HAS_COMPONENT] = {
		"SELECT 1 FROM foray.foray_components WHERE transaction_id" EQ "$1 LIMIT 1",
		1, {TEXTOID}
	},
	[PLAN_LIFECYCLE] = {
		"SELECT lifecycle::pg_catalog.text FROM foray.foray_transactions"
		" WHERE transaction_id" EQ "$1",
		1, {TEXTOID}
	},
	[PLAN_LIFECYCLE_BATCH] = {
		/*
		 * Per transaction, one probe of its components by the primary key's
		 * prefix (a LATERAL aggregate).  An EXISTS test here may be planned
		 * as a hashed SubPlan, which reads every component of the table at
		 * each statement: quadratic over a session of one-row statements.
		 */
		"WITH d AS MATERIALIZED ("
		"  SELECT t.ctid AS row_id, t.transaction_id, t.lifecycle::pg_catalog.text AS cur,"
		"         CASE WHEN s.n OPERATOR(pg_catalog.>) 0 AND s.unready" EQ "0"
		"              THEN 'ready_to_anchor' ELSE 'open' END AS target"
		"    FROM foray.foray_transactions t"
		"   CROSS JOIN LATERAL (SELECT pg_catalog.count(*) AS n,"
		"                              pg_catalog.count(*) FILTER (WHERE c.status::pg_catalog.text"
		"                                 " EQ "ANY ('{pending,reversed}'::pg_catalog.text[])) AS unready"
		"                         FROM foray.foray_components c"
		"                        WHERE c.transaction_id" EQ "t.transaction_id) s"
		"   WHERE t.transaction_id" EQ "ANY ($1))"
		/*
		 * The lifecycle test stays out of d's WHERE: there the planner would
		 * AND the lifecycle index into the scan, reading every open
		 * transaction of the table at each statement.
		 */
		/* the rows just read, by ctid (no second primary-key probe) */
		" UPDATE foray.foray_transactions t SET lifecycle = d.target FROM d"
		"  WHERE t.ctid OPERATOR(pg_catalog.=) d.row_id AND t.transaction_id" EQ "d.transaction_id"
		"    AND d.cur OPERATOR(pg_catalog.<>) d.target"
		"    AND d.cur" EQ "ANY ('{open,ready_to_anchor}'::pg_catalog.text[])"
		" RETURNING t.transaction_id, d.cur, d.target",
		1, {TEXTARRAYOID}
	},
	[PLAN_LIFECYCLE_SET_READY] = {
		/* transactions this backend knows to be ready (readiness.c, known_ready) */
		"UPDATE foray.foray_transactions SET lifecycle = 'ready_to_anchor'"
		" WHERE transaction_id" EQ "ANY ($1) AND lifecycle::pg_catalog.text" EQ "'open'"
		" RETURNING transaction_id, 'open'::pg_catalog.text, 'ready_to_anchor'::pg_catalog.text",
		1, {TEXTARRAYOID}
	},
	[PLAN_SET_LIFECYCLE] = {
		"UPDATE foray.foray_transactions SET lifecycle = $2 WHERE transaction_id" EQ "$1",
		2, {TEXTOID, TEXTOID}
	},
	[PLAN_COMPONENT_REFERRERS] = {
		"SELECT component_id FROM foray.foray_components"
		" WHERE foray.component_ref_keys(transaction_id, arrangement_refs, accrual_refs,"
		"                                anticipation_refs) OPERATOR(pg_catalog.@>) ARRAY[$1]"
		"   AND " HAS_REFS("")
		" ORDER BY component_id COLLATE pg_catalog.\"C\" LIMIT 1",
		1, {TEXTOID}
	},
	[PLAN_ATTESTATION_REFERRERS] = {
		"SELECT attestation_id FROM foray.foray_attestations"
		" WHERE foray.attestation_ref_keys(transaction_id, subject_refs, dependencies)"
		"       OPERATOR(pg_catalog.@>) ARRAY[$1]"
		" ORDER BY attestation_id COLLATE pg_catalog.\"C\" LIMIT 1",
		1, {TEXTOID}
	},
	[PLAN_COMPONENT_EXISTS] = {
		"SELECT component_type::pg_catalog.text FROM foray.foray_components"
		" WHERE transaction_id" EQ "$1 AND component_id" EQ "$2",
		2, {TEXTOID, TEXTOID}
	},
	[PLAN_ATTESTATION_ROW] = {
		"SELECT subject_refs, dependencies FROM foray.foray_attestations"
		" WHERE transaction_id" EQ "$1 AND attestation_id" EQ "$2",
		2, {TEXTOID, TEXTOID}
	},
	[PLAN_GUARD_LIFECYCLE] = {
		"SELECT lifecycle::pg_catalog.text FROM foray.foray_transactions"
		" WHERE transaction_id" EQ "$1 FOR SHARE",
		1, {TEXTOID}
	},
	[PLAN_GUARD_LIFECYCLE_SKIP] = {
		"SELECT l.lifecycle::pg_catalog.text,"
		"       (SELECT k.lifecycle::pg_catalog.text FROM foray.foray_transactions k"
		"         WHERE k.transaction_id" EQ "$1"
		"         FOR SHARE SKIP LOCKED)"
		"  FROM foray.foray_transactions l"
		" WHERE l.transaction_id" EQ "$1",
		1, {TEXTOID}
	},
	[PLAN_GUARD_ANY_FIXED] = {
		"SELECT transaction_id FROM foray.foray_transactions"
		" WHERE lifecycle::pg_catalog.text" EQ "ANY ('{anchored,sealed}'::pg_catalog.text[])"
		" LIMIT 1",
		0, {InvalidOid}
	},
	[PLAN_GUARD_ANY_MEMBER] = {
		"SELECT 1 FROM foray.foray_components UNION ALL"
		" SELECT 1 FROM foray.foray_attestations LIMIT 1",
		0, {InvalidOid}
	},
	[PLAN_CASCADE_ATTESTATIONS] = {
		"DELETE FROM foray.foray_attestations WHERE transaction_id" EQ "$1",
		1, {TEXTOID}
	},
	[PLAN_CASCADE_COMPONENTS] = {
		"DELETE FROM foray.foray_components WHERE transaction_id" EQ "$1",
		1, {TEXTOID}
	},
};

/*
 * The query text for a shard group: each logical table named in the text
 * (foray.foray_components, ...) becomes the group's relation.  In the
 * identity (a single node) the text is unchanged.
 */
static char *
group_query(const ForayShards *s, const char *query)
{
	StringInfoData buf;
	const char *p = query;

	initStringInfo(&buf);
	while (*p)
	{
		bool		replaced = false;

		if (strncmp(p, "foray.", 6) == 0)
		{
			for (int k = 0; k < FORAY_NRELS && !replaced; k++)
			{
				size_t		len = strlen(foray_rel_names[k]);
				char		next = p[6 + len];

				if (strncmp(p + 6, foray_rel_names[k], len) == 0 &&
					!(next == '_' || (next >= 'a' && next <= 'z') || (next >= '0' && next <= '9')))
				{
					appendStringInfoString(&buf, s->qname[k]);
					p += 6 + len;
					replaced = true;
				}
			}
		}
		if (!replaced)
			appendStringInfoChar(&buf, *p++);
	}
	return buf.data;
}

/*
 * Build a kept plan's generic plan now, with sequential scans disabled.  The
 * plan is kept for the backend's life; built the first time a session
 * touches the substrate, when the tables may still be empty, the planner
 * would otherwise pick a sequential scan and keep it while a bulk load grows
 * the table — quadratic work.  Every query here is an index probe by key.
 * A plan found invalidated (ANALYZE, DDL) is rebuilt the same way.
 */
static void
build_index_plan(SPIPlanPtr plan)
{
	int			nest = NewGUCNestLevel();
	CachedPlan *cplan;

	/* SAVE, not LOCAL: a LOCAL value would outlive this nesting level and
	 * stay in force for the rest of the caller's SQL transaction */
	(void) set_config_option("enable_seqscan", "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	cplan = SPI_plan_get_cached_plan(plan);
	if (cplan != NULL)
		FORAY_RELEASE_CACHED_PLAN(cplan);
	AtEOXact_GUC(true, nest);
}

/*
 * The kept plan for a query on a shard group's relations; the caller must be
 * connected to SPI.  Plans are generic from the first call: their shape
 * (index probes by key) does not depend on parameter values, and
 * re-planning per row would dominate.  On Citus the relations are shards,
 * plain tables of this node, which Citus does not plan.
 */
SPIPlanPtr
foray_plan(ForayShards *s, ForayPlan which)
{
	SPIPlanPtr *plans;

	if (s->plans == NULL)
		s->plans = MemoryContextAllocZero(TopMemoryContext, sizeof(SPIPlanPtr) * FORAY_PLAN_COUNT);
	plans = s->plans;
	if (plans[which] == NULL)
	{
		const PlanDef *def = &plan_defs[which];
		char	   *query = group_query(s, def->query);
		SPIPlanPtr	plan = SPI_prepare_cursor(query, def->nargs, (Oid *) def->argtypes,
												 CURSOR_OPT_GENERIC_PLAN);

		if (plan == NULL)
			elog(ERROR, "foray_substrate: could not prepare query %d: %s",
				 (int) which, SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "foray_substrate: could not keep query %d", (int) which);
		pfree(query);
		build_index_plan(plan);
		plans[which] = plan;
	}
	else if (!SPI_plan_is_valid(plans[which]))
	{
		/*
		 * Invalidated (an ANALYZE, a DDL): rebuild it the same way now,
		 * rather than let the next execution replan it with sequential scans
		 * allowed, possibly against statistics of a still-empty table.
		 */
		build_index_plan(plans[which]);
	}
	return plans[which];
}
