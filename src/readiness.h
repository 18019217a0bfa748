/*
 * readiness.h
 *		Component readiness and transaction lifecycle (readiness.c).
 */
#ifndef FORAY_READINESS_H
#define FORAY_READINESS_H

#include "utils/jsonb.h"

extern text *foray_ref_key(const char *transaction_id, const char *id);
extern bool foray_status_usable(const char *status);
extern Jsonb *foray_jsonb_object(int npairs, const char **keys, const char **values);
extern const char *foray_derive_status(const char *transaction_id, Datum refs_array,
									   int nrefs, int *missing);
extern const char *foray_derive_status_self(const char *transaction_id, Datum refs_array,
											int nrefs, int *missing, const char *self_id,
											bool *self_exists);
extern void foray_set_status(const char *transaction_id, const char *id,
							 const char *from, const char *status);
extern void foray_propagate(const char *transaction_id, const char *id,
							bool pending_only);

extern void foray_note_pending(const char *transaction_id);
extern void foray_note_created(const char *transaction_id);
extern void foray_forget_created(const char *transaction_id);
extern bool foray_created_here(const char *transaction_id);
extern void foray_forget_all(void);
extern void foray_note_component_added(const char *transaction_id);
extern void foray_note_reversed(const char *transaction_id);
extern void foray_note_component_deleted(const char *transaction_id);
extern void foray_recent_put(const char *transaction_id, const char *id, const char *status);
extern void foray_recent_forget(void);
extern void foray_evaluate_dirty(void);

/* components.c: the deferred removal check shared with attestations.c */
#include "commands/trigger.h"
#include "plans.h"
extern void foray_check_removal(TriggerData *td, const char *noun, const char *id_column,
								ForayPlan exists_plan, const ForayPlan *referrers,
								const char *const *referrer_nouns, int nreferrers,
								const char *rule);

#endif							/* FORAY_READINESS_H */
