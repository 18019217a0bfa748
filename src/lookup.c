/*
 * lookup.c
 *		Primary-key probes without the planner.
 *
 * Readiness asks, for every component it derives, "do these ids exist in
 * this transaction, and what is their status?".  Through SPI that is an
 * executor start-up per question, and a plan cached while the tables were
 * empty can stay a scan of the whole transaction as a bulk load grows it.
 * These probes walk the primary key ((transaction_id, id), unique) directly:
 * one index descent per id.
 */
#include "compat.h"

#include "access/genam.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "executor/tuptable.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "lookup.h"
#include "trigger_util.h"

/*
 * For each ids[i] of transaction_id in the relation relid (a table of the
 * substrate, or one of its shards): found[i], and, when column is not NULL,
 * values[i] = that column's text (palloc'd; NULL when not found).  Sees
 * every row written so far by this SQL transaction, including earlier rows
 * of the statement running now, and the latest committed rows.
 */
void
foray_pk_lookup_rel(Oid relid, const char *transaction_id, char **ids, int n,
					const char *column, bool *found, char **values)
{
	Oid			pkid;
	Relation	rel;
	Relation	idx;
	Snapshot	snap;
	TupleTableSlot *slot;
	IndexScanDesc scan;
	ScanKeyData keys[2];
	int			attno = 0;
	Datum		txd;

	if (n == 0)
		return;
	if (!OidIsValid(relid))
		elog(ERROR, "foray_pk_lookup: no such relation");
	rel = table_open(relid, AccessShareLock);
	/* the primary key, (transaction_id, id): a shard's carries another name */
	pkid = RelationGetPrimaryKeyIndex(rel);
	if (!OidIsValid(pkid))
		elog(ERROR, "relation \"%s\" has no primary key", RelationGetRelationName(rel));
	idx = index_open(pkid, AccessShareLock);
	if (column)
		attno = foray_attno(rel, column);

	/* make the statement's own earlier rows visible, as SPI would */
	CommandCounterIncrement();
	snap = RegisterSnapshot(GetLatestSnapshot());
	slot = table_slot_create(rel, NULL);
	scan = index_beginscan(rel, idx, snap, 2, 0);
	txd = CStringGetTextDatum(transaction_id);

	for (int i = 0; i < n; i++)
	{
		ScanKeyEntryInitialize(&keys[0], 0, 1, BTEqualStrategyNumber, InvalidOid,
							   idx->rd_indcollation[0], F_TEXTEQ, txd);
		ScanKeyEntryInitialize(&keys[1], 0, 2, BTEqualStrategyNumber, InvalidOid,
							   idx->rd_indcollation[1], F_TEXTEQ, CStringGetTextDatum(ids[i]));
		index_rescan(scan, keys, 2, NULL, 0);
		found[i] = index_getnext_slot(scan, ForwardScanDirection, slot);
		if (values)
		{
			values[i] = NULL;
			if (found[i] && attno > 0)
			{
				bool		isnull;
				Datum		d = slot_getattr(slot, attno, &isnull);

				if (!isnull)
					values[i] = TextDatumGetCString(d);
			}
		}
		ExecClearTuple(slot);
	}

	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	UnregisterSnapshot(snap);
	index_close(idx, AccessShareLock);
	table_close(rel, AccessShareLock);
}

/* The same, for the relation foray.<relname> (a table or a shard). */
void
foray_pk_lookup(const char *relname, const char *transaction_id, char **ids, int n,
				const char *column, bool *found, char **values)
{
	Oid			relid = get_relname_relid(relname, get_namespace_oid("foray", false));

	if (!OidIsValid(relid))
		elog(ERROR, "relation foray.%s does not exist", relname);
	foray_pk_lookup_rel(relid, transaction_id, ids, n, column, found, values);
}
