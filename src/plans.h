/*
 * plans.h
 *		The prepared queries of the substrate's triggers (plans.c).
 */
#ifndef FORAY_PLANS_H
#define FORAY_PLANS_H

#include "executor/spi.h"

typedef enum ForayPlan
{
	PLAN_REF_STATUS,			/* (tx, ids[]) -> (id, status) */
	PLAN_DEPENDENTS,			/* (key) -> (id, status, ok_refs, n_refs) */
	PLAN_SET_STATUS,			/* (tx, id, status) */
	PLAN_COMPONENT_ROW,			/* (tx, id) -> (status, arr[], acc[], ant[]) */
	PLAN_HAS_PENDING,			/* (tx) -> any pending component? */
	PLAN_HAS_UNREADY,			/* (tx) -> any pending/reversed component? */
	PLAN_HAS_COMPONENT,			/* (tx) -> any component? */
	PLAN_LIFECYCLE,				/* (tx) -> lifecycle */
	PLAN_SET_LIFECYCLE,			/* (tx, lifecycle) */
	PLAN_LIFECYCLE_BATCH,		/* (txs[]) -> (tx, from, to) for each change made */
	PLAN_COMPONENT_REFERRERS,	/* (key) -> first component referencing it */
	PLAN_ATTESTATION_REFERRERS, /* (key) -> first attestation naming it */
	PLAN_COMPONENT_EXISTS,		/* (tx, id) -> component_type */
	PLAN_ATTESTATION_ROW,		/* (tx, id) -> (subject_refs, dependencies) */
	PLAN_COMPONENTS_EXIST,		/* (tx, ids[]) -> ids found */
	PLAN_ATTESTATIONS_EXIST,	/* (tx, ids[]) -> ids found */
	FORAY_PLAN_COUNT
} ForayPlan;

extern SPIPlanPtr foray_plan(ForayPlan which);

#endif							/* FORAY_PLANS_H */
