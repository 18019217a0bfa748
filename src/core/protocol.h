/*
 * protocol.h
 *		The FORAY v4.1 vocabulary the substrate checks (spec §2.1, §9.3):
 *		one copy for the extension's triggers and validator and for
 *		foray-verify.  Each list ends with NULL.
 */
#ifndef FORAY_CORE_PROTOCOL_H
#define FORAY_CORE_PROTOCOL_H

/* foray_core.status of a transaction (a domain of the schema) */
extern const char *const foray_business_statuses[];
/* an attestation's attestor_type, attestation_type and outcome */
extern const char *const foray_attestor_types[];
extern const char *const foray_attestation_types[];
extern const char *const foray_outcomes[];

#endif							/* FORAY_CORE_PROTOCOL_H */
