/*
 * plans.h
 *		The prepared queries of the substrate's triggers (plans.c).
 */
#ifndef FORAY_PLANS_H
#define FORAY_PLANS_H

#include "executor/spi.h"

typedef enum ForayPlan
{
	PLAN_APPEND_EVENTS,			/* (kinds[], subject kinds[], subjects[], txs[], actors[],
								 * payloads[], ids[], seqs[]) */
	PLAN_APPEND_EVENTS_LEGACY,	/* the same into 0.4.0's memory_events (6 arrays) */
	PLAN_LAST_EVENT_SEQS,		/* (tx[]) -> each one's last event seq */
	PLAN_DEPENDENTS,			/* (keys[]) -> (id, status, refs[], ctid) */
	PLAN_SET_STATUSES,			/* (tx, ids[], statuses[]) -> (n, type, hash) */
	PLAN_SET_STATUSES_BY_TID,	/* (tx, ctids[], statuses[]) -> (n, type, hash) */
	PLAN_COMPONENT_ROW,			/* (tx, id) -> (status, arr[], acc[], ant[]) */
	PLAN_HAS_PENDING,			/* (tx) -> any pending component? */
	PLAN_HAS_UNREADY,			/* (tx) -> any pending/reversed component? */
	PLAN_HAS_COMPONENT,			/* (tx) -> any component? */
	PLAN_LIFECYCLE,				/* (tx) -> lifecycle */
	PLAN_SET_LIFECYCLE,			/* (tx, lifecycle) */
	PLAN_LIFECYCLE_BATCH,		/* (txs[]) -> (tx, from, to) for each change made */
	PLAN_LIFECYCLE_SET_READY,	/* (txs[]) known ready -> (tx, from, to) for each change made */
	PLAN_COMPONENT_REFERRERS,	/* (key) -> first component referencing it */
	PLAN_ATTESTATION_REFERRERS, /* (key) -> first attestation naming it */
	PLAN_COMPONENT_EXISTS,		/* (tx, id) -> component_type */
	PLAN_ATTESTATION_ROW,		/* (tx, id) -> (subject_refs, dependencies) */
	PLAN_GUARD_LIFECYCLE,		/* immutability.c: (tx) -> lifecycle, row FOR SHARE */
	PLAN_GUARD_LIFECYCLE_SKIP,	/* (tx) -> (lifecycle, lifecycle if lockable now) */
	PLAN_GUARD_ANY_FIXED,		/* () -> an anchored or sealed transaction */
	PLAN_GUARD_ANY_MEMBER,		/* () -> any component or attestation? */
	PLAN_CASCADE_ATTESTATIONS,	/* (tx) delete its attestations */
	PLAN_CASCADE_COMPONENTS,	/* (tx) delete its components */
	FORAY_PLAN_COUNT
} ForayPlan;

struct ForayShards;
extern SPIPlanPtr foray_plan(struct ForayShards *s, ForayPlan which);

#endif							/* FORAY_PLANS_H */
