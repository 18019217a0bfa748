/*
 * lookup.h
 *		Primary-key probes without the planner (lookup.c).
 */
#ifndef FORAY_LOOKUP_H
#define FORAY_LOOKUP_H

extern void foray_pk_lookup_rel(Oid relid, const char *transaction_id,
								char **ids, int n, const char *column,
								bool *found, char **values);
extern void foray_pk_lookup(const char *relname, const char *transaction_id,
							char **ids, int n, const char *column,
							bool *found, char **values);

#endif							/* FORAY_LOOKUP_H */
