/*
 * shards.h
 *		Where a FORAY transaction's rows live (shards.c): the relations of
 *		its shard group on a Citus node, or the substrate's own tables on a
 *		single node (the identity mapping).  docs/scale-out.md.
 */
#ifndef FORAY_SHARDS_H
#define FORAY_SHARDS_H

#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/rel.h"

/* the relations of one shard group, colocated by transaction_id */
typedef enum ForayRel
{
	FORAY_REL_TRANSACTIONS,
	FORAY_REL_COMPONENTS,
	FORAY_REL_ATTESTATIONS,
	FORAY_REL_EVENTS,			/* the events about the group's transactions */
	FORAY_NRELS
} ForayRel;

/* their logical names in schema foray */
extern const char *const foray_rel_names[FORAY_NRELS];

#define FORAY_QNAME_LEN (NAMEDATALEN * 2 + 16)

typedef struct ForayShards
{
	bool		identity;		/* the logical tables themselves (no Citus) */
	int32		hash_min;		/* the group's hash range (Citus) */
	int32		hash_max;
	int64		shardid[FORAY_NRELS];	/* 0 in the identity */
	Oid			relid[FORAY_NRELS];
	char		qname[FORAY_NRELS][FORAY_QNAME_LEN];	/* foray.<relation>, quoted */
	uint64		escalated_in;	/* readiness.c: table locks taken in this xact */
	SPIPlanPtr *plans;			/* plans.c: this group's kept plans */
} ForayShards;

/*
 * The shard group of a transaction id on this node; an error (XX000 with a
 * hint) when the id's shard is on another node.  Without Citus, or before
 * foray.distribute(), the identity.
 */
extern ForayShards *foray_shards_for_tx(const char *transaction_id);

/* The same, or NULL when the id's shard is on another node. */
extern ForayShards *foray_shards_for_tx_if_local(const char *transaction_id);

/*
 * The shard group of the relation a trigger fires on, which the trigger's
 * first argument names (its logical table: 'foray_components', ...); *rel
 * says which of the group it is.  NULL when the relation is the
 * coordinator's shell of a distributed table: the rows live in the shards,
 * whose own triggers do the work.
 */
extern ForayShards *foray_shards_for_trigger(TriggerData *td, ForayRel *rel);

/* Refuse a row of transaction_id in a relation of group s it does not hash to. */
extern void foray_check_row_group(ForayShards *s, const char *transaction_id, Relation rel);

/* Has foray.distribute() made the substrate's tables distributed? */
extern bool foray_substrate_distributed(void);

/* The OID of a logical table of schema foray (cached). */
extern Oid	foray_logical_relid(ForayRel rel);

#endif							/* FORAY_SHARDS_H */
