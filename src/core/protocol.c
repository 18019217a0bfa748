/*
 * protocol.c
 *		The FORAY v4.1 vocabulary (see protocol.h).
 */
#include "protocol.h"

#include <stddef.h>

const char *const foray_business_statuses[] = {"active", "completed", "reversed", NULL};
const char *const foray_attestor_types[] = {"certification_body", "laboratory", "auditor",
"inspector", "oracle", "regulator", NULL};
const char *const foray_attestation_types[] = {"certification", "inspection", "analysis",
"audit_opinion", "verification", "approval", NULL};
const char *const foray_outcomes[] = {"certified", "approved", "rejected", "conditional",
"expired", "revoked", "pending", NULL};
