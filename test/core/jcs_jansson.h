/*
 * jcs_jansson.h
 *		Feed a jansson tree to the canonicaliser (tests, fuzzing, and the
 *		future standalone verifier).  jansson keeps integers as long long and
 *		other numbers as doubles, so reals reach the core as JCS_DOUBLE.
 */
#ifndef FORAY_JCS_JANSSON_H
#define FORAY_JCS_JANSSON_H

#include <jansson.h>
#include "jcs.h"

extern const jcs_source *jcs_jansson_source(void);
extern void jcs_jansson_value(const json_t *j, jcs_value *out);

#endif
