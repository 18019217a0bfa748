/*
 * shards.c
 *		Where a FORAY transaction's rows live.
 *
 * On a single node, the substrate's tables are foray.foray_transactions,
 * foray.foray_components, foray.foray_attestations and the events table.
 * Once foray.distribute() has distributed them with Citus (by
 * transaction_id, colocated: docs/scale-out.md), a FORAY transaction's rows
 * live in one shard group, the shards of the four tables covering the same
 * hash range, all on one node.  The triggers fire on those shards, and the
 * substrate's writers run there (delegated); both must then read and write
 * the shards of that group and nothing else: a query on the logical tables
 * from a shard would be a distributed query, which Citus refuses there (and
 * which would find the coordinator's empty shells, not the rows).
 *
 * This file maps a transaction id, or the relation a trigger fires on, to
 * its ForayShards: the OIDs and qualified names of the group's relations.
 * Without Citus, or before foray.distribute(), there is one group, the
 * identity: the logical tables themselves, so single-node and Citus run the
 * same code.  The map is read from Citus's metadata (pg_dist_shard) once and
 * kept per backend; it is read again after a relcache invalidation of one of
 * the logical tables, which Citus sends whenever their shards change (a
 * distribution, a shard move).  Groups are never freed: a trigger deep in a
 * nested write may still hold one when the map is read again, and a group
 * whose shards did not change is kept as it is, with its prepared plans.
 */
#include "compat.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "shards.h"

const char *const foray_rel_names[FORAY_NRELS] = {
	"foray_transactions", "foray_components", "foray_attestations", "transaction_events"
};

static bool cache_valid = false;
static uint64 invalidations = 0;
static bool callback_registered = false;
static Oid	logical[FORAY_NRELS];
static bool distributed = false;
static ForayShards *identity = NULL;
/* the groups of this node's map, by hash range; every group ever made */
static ForayShards **groups = NULL;
static int	ngroups = 0;
static ForayShards **made = NULL;
static int	nmade = 0;
static int	made_cap = 0;
/* shard relation OID -> group, for the triggers */
static HTAB *by_relid = NULL;

typedef struct RelGroup
{
	Oid			relid;
	ForayShards *group;
	ForayRel	rel;
} RelGroup;

static void
invalidate(Datum arg, Oid relid)
{
	bool		ours = !OidIsValid(relid);

	for (int k = 0; k < FORAY_NRELS && !ours; k++)
		ours = (relid == logical[k]);
	if (ours)
	{
		cache_valid = false;
		invalidations++;
	}
}

static void
set_qname(ForayShards *s, ForayRel k, const char *relname)
{
	snprintf(s->qname[k], FORAY_QNAME_LEN, "foray.%s", quote_identifier(relname));
}

/* A group with exactly these shards (and OIDs) if one was made before. */
static ForayShards *
find_or_make(const ForayShards *want)
{
	ForayShards *s;

	for (int i = 0; i < nmade; i++)
	{
		s = made[i];
		if (s->identity == want->identity &&
			memcmp(s->shardid, want->shardid, sizeof(want->shardid)) == 0 &&
			memcmp(s->relid, want->relid, sizeof(want->relid)) == 0)
			return s;
	}
	s = MemoryContextAlloc(TopMemoryContext, sizeof(ForayShards));
	memcpy(s, want, sizeof(ForayShards));
	s->plans = NULL;
	s->escalated_in = 0;
	if (nmade == made_cap)
	{
		made_cap = made_cap ? made_cap * 2 : 16;
		made = made ? repalloc(made, sizeof(ForayShards *) * made_cap)
			: MemoryContextAlloc(TopMemoryContext, sizeof(ForayShards *) * made_cap);
	}
	made[nmade++] = s;
	return s;
}

static int
cmp_group(const void *a, const void *b)
{
	const ForayShards *x = *(ForayShards *const *) a;
	const ForayShards *y = *(ForayShards *const *) b;

	return (x->hash_min > y->hash_min) - (x->hash_min < y->hash_min);
}

/*
 * Citus's map of the logical tables: the shards of each, by hash range.
 * Returns false when foray.foray_transactions is not distributed.
 */
static bool
load_citus_map(void)
{
	Oid			argtypes[1] = {OIDARRAYOID};
	Datum		oids[FORAY_NRELS];
	Datum		values[1];
	int			rc;
	ForayShards *work;
	int			nwork = 0;
	bool		found_tx = false;
	MemoryContext caller = CurrentMemoryContext;

	for (int k = 0; k < FORAY_NRELS; k++)
		oids[k] = ObjectIdGetDatum(logical[k]);
	values[0] = PointerGetDatum(construct_array(oids, FORAY_NRELS, OIDOID, sizeof(Oid), true,
												TYPALIGN_INT));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	rc = SPI_execute_with_args("SELECT s.logicalrelid::pg_catalog.oid, s.shardid,"
							   "       s.shardminvalue::pg_catalog.int4, s.shardmaxvalue::pg_catalog.int4"
							   "  FROM pg_catalog.pg_dist_shard s"
							   " WHERE s.logicalrelid::pg_catalog.oid OPERATOR(pg_catalog.=) ANY ($1)"
							   "   AND s.shardminvalue IS NOT NULL",
							   1, argtypes, values, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not read Citus's shard map: %s", SPI_result_code_string(rc));
	work = MemoryContextAllocZero(caller, sizeof(ForayShards) * (SPI_processed + 1));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		TupleDesc	d = SPI_tuptable->tupdesc;
		bool		isnull;
		Oid			relid = DatumGetObjectId(SPI_getbinval(t, d, 1, &isnull));
		int64		shardid = DatumGetInt64(SPI_getbinval(t, d, 2, &isnull));
		int32		lo = DatumGetInt32(SPI_getbinval(t, d, 3, &isnull));
		int32		hi = DatumGetInt32(SPI_getbinval(t, d, 4, &isnull));
		ForayShards *g = NULL;
		int			k;

		for (k = 0; k < FORAY_NRELS && logical[k] != relid; k++)
			;
		if (k == FORAY_NRELS)
			continue;
		if (k == FORAY_REL_TRANSACTIONS)
			found_tx = true;
		for (int j = 0; j < nwork; j++)
			if (work[j].hash_min == lo)
				g = &work[j];
		if (g == NULL)
		{
			g = &work[nwork++];
			g->hash_min = lo;
			g->hash_max = hi;
		}
		if (g->hash_max != hi)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("the substrate's distributed tables are not colocated"),
					 errdetail("foray.%s has a shard covering [%d, %d], the other tables one from %d to %d.",
							   foray_rel_names[k], lo, hi, g->hash_min, g->hash_max),
					 errhint("Distribute them with foray.distribute(), which colocates them.")));
		g->shardid[k] = shardid;
	}
	SPI_finish();
	if (!found_tx)
		return false;

	/* this node's relations of each group (InvalidOid: on another node) */
	{
		Oid			nsp = get_namespace_oid("foray", false);
		HASHCTL		ctl;

		if (by_relid != NULL)
			hash_destroy(by_relid);
		memset(&ctl, 0, sizeof(ctl));
		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(RelGroup);
		ctl.hcxt = TopMemoryContext;
		by_relid = hash_create("foray shard relations", 256, &ctl,
							   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		if (groups != NULL)
			pfree(groups);
		groups = MemoryContextAlloc(TopMemoryContext, sizeof(ForayShards *) * (nwork + 1));
		ngroups = 0;
		for (int j = 0; j < nwork; j++)
		{
			ForayShards *w = &work[j];
			ForayShards *g;

			w->identity = false;
			for (int k = 0; k < FORAY_NRELS; k++)
			{
				char		name[NAMEDATALEN * 2];

				snprintf(name, sizeof(name), "%s_" INT64_FORMAT, foray_rel_names[k], w->shardid[k]);
				w->relid[k] = w->shardid[k] != 0 ? get_relname_relid(name, nsp) : InvalidOid;
				set_qname(w, (ForayRel) k, name);
			}
			g = find_or_make(w);
			groups[ngroups++] = g;
			for (int k = 0; k < FORAY_NRELS; k++)
			{
				if (OidIsValid(g->relid[k]))
				{
					RelGroup   *e = hash_search(by_relid, &g->relid[k], HASH_ENTER, NULL);

					e->group = g;
					e->rel = (ForayRel) k;
				}
			}
		}
		qsort(groups, ngroups, sizeof(ForayShards *), cmp_group);
	}
	pfree(work);
	return true;
}

static void
load(void)
{
	Oid			nsp;
	ForayShards want;
	uint64		start = invalidations;

	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(invalidate, (Datum) 0);
		callback_registered = true;
	}
	cache_valid = false;
	nsp = get_namespace_oid("foray", false);
	for (int k = 0; k < FORAY_NRELS; k++)
		logical[k] = get_relname_relid(foray_rel_names[k], nsp);

	memset(&want, 0, sizeof(want));
	want.identity = true;
	want.hash_min = PG_INT32_MIN;
	want.hash_max = PG_INT32_MAX;
	for (int k = 0; k < FORAY_NRELS; k++)
	{
		want.relid[k] = logical[k];
		set_qname(&want, (ForayRel) k, foray_rel_names[k]);
	}
	identity = find_or_make(&want);

	distributed = false;
	if (OidIsValid(get_relname_relid("pg_dist_shard", PG_CATALOG_NAMESPACE)) &&
		OidIsValid(logical[FORAY_REL_TRANSACTIONS]))
		distributed = load_citus_map();
	/* an invalidation while loading: load again next time */
	cache_valid = (invalidations == start);
}

static inline void
ensure_loaded(void)
{
	if (!cache_valid)
		load();
}

bool
foray_substrate_distributed(void)
{
	ensure_loaded();
	return distributed;
}

Oid
foray_logical_relid(ForayRel rel)
{
	ensure_loaded();
	return logical[rel];
}

/* The group holding this hash value (Citus), or NULL. */
static ForayShards *
group_of_hash(int32 h)
{
	int			lo = 0;
	int			hi = ngroups - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		ForayShards *g = groups[mid];

		if (h < g->hash_min)
			hi = mid - 1;
		else if (h > g->hash_max)
			lo = mid + 1;
		else
			return g;
	}
	return NULL;
}

/*
 * The hash Citus gives a text distribution value: the text type's hash
 * function under the column's collation (the default one).
 */
static int32
citus_hash(const char *transaction_id)
{
	return DatumGetInt32(DirectFunctionCall1Coll(hashtext, DEFAULT_COLLATION_OID,
												 CStringGetTextDatum(transaction_id)));
}

static void
check_complete(ForayShards *g, const char *transaction_id)
{
	for (int k = 0; k < FORAY_NRELS; k++)
		if (g->shardid[k] == 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
					 errmsg("foray.%s is not distributed like foray.foray_transactions",
							foray_rel_names[k]),
					 errdetail("Transaction \"%s\" has no shard of it.", transaction_id),
					 errhint("Run SELECT foray.distribute(), which distributes every table of the substrate.")));
}

ForayShards *
foray_shards_for_tx_if_local(const char *transaction_id)
{
	ForayShards *g;

	ensure_loaded();
	if (!distributed)
		return identity;
	g = group_of_hash(citus_hash(transaction_id));
	if (g == NULL)
	{
		/* the map may be older than the shards: read it again, once */
		load();
		if (!distributed)
			return identity;
		g = group_of_hash(citus_hash(transaction_id));
		if (g == NULL)
			elog(ERROR, "no shard of foray.foray_transactions covers transaction \"%s\"",
				 transaction_id);
	}
	check_complete(g, transaction_id);
	return OidIsValid(g->relid[FORAY_REL_TRANSACTIONS]) ? g : NULL;
}

ForayShards *
foray_shards_for_tx(const char *transaction_id)
{
	ForayShards *g = foray_shards_for_tx_if_local(transaction_id);

	if (g == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("transaction \"%s\" is stored on another node", transaction_id),
				 errdetail("The substrate reads and writes a FORAY transaction only on the node holding its shard group (docs/scale-out.md)."),
				 errhint("Call the substrate's functions through the coordinator, which delegates each to that node.")));
	return g;
}

static ForayRel
rel_of_argument(TriggerData *td)
{
	/*
	 * A trigger created before 0.5.0 names no table: a database not updated
	 * yet, which is never distributed; its relation is the table itself.
	 */
	const char *name = td->tg_trigger->tgnargs >= 1 ? td->tg_trigger->tgargs[0]
		: RelationGetRelationName(td->tg_relation);

	for (int k = 0; k < FORAY_NRELS; k++)
		if (strcmp(name, foray_rel_names[k]) == 0)
			return (ForayRel) k;
	elog(ERROR, "trigger \"%s\" names \"%s\", not a table of the substrate",
		 td->tg_trigger->tgname, name);
	return FORAY_NRELS;
}

ForayShards *
foray_shards_for_trigger(TriggerData *td, ForayRel *rel)
{
	Oid			relid = RelationGetRelid(td->tg_relation);
	ForayRel	k = rel_of_argument(td);
	RelGroup   *e;

	ensure_loaded();
	*rel = k;
	if (relid == logical[k])
		return distributed ? NULL : identity;
	for (int attempt = 0; attempt < 2; attempt++)
	{
		if (distributed)
		{
			e = hash_search(by_relid, &relid, HASH_FIND, NULL);
			if (e != NULL && e->rel == k)
				return e->group;
		}
		if (attempt == 0)
			load();
	}
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("relation \"%s\" is not foray.%s nor one of its shards on this node",
					RelationGetRelationName(td->tg_relation), foray_rel_names[k]),
			 errdetail("Trigger \"%s\" names its table by its first argument.",
					   td->tg_trigger->tgname)));
	return NULL;
}

/*
 * A row of transaction_id written to a relation of group s: Citus put it in
 * the shard its hash gives, the group this file computes.  Checked by the
 * BEFORE triggers; a difference means the two hashes disagree, and every
 * lookup of the transaction would go to the wrong shards.
 */
void
foray_check_row_group(ForayShards *s, const char *transaction_id, Relation rel)
{
	if (s->identity)
		return;
	if (foray_shards_for_tx_if_local(transaction_id) != s)
		ereport(ERROR,
				(errcode(ERRCODE_INTERNAL_ERROR),
				 errmsg("transaction \"%s\" is written to \"%s\", not to the shard Citus's metadata gives it",
						transaction_id, RelationGetRelationName(rel)),
				 errdetail("Shard group [%d, %d].", s->hash_min, s->hash_max)));
}
