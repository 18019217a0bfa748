/*
 * compat.h
 *		The one place where differences between PostgreSQL major versions
 *		are papered over (13 to 17).
 */
#ifndef FORAY_COMPAT_H
#define FORAY_COMPAT_H

#include "postgres.h"

#if PG_VERSION_NUM < 130000
#error "foray_substrate needs PostgreSQL 13 or later"
#endif

#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

#if PG_VERSION_NUM < 140000
#define HASH_STRINGS 0			/* string keys were the default before 14 */
#endif

#if PG_VERSION_NUM < 150000
#define MarkGUCPrefixReserved(prefix) EmitWarningsOnPlaceholders(prefix)
#endif

/* releasing a plan taken with SPI_plan_get_cached_plan() */
#if PG_VERSION_NUM >= 140000
#define FORAY_RELEASE_CACHED_PLAN(p) ReleaseCachedPlan((p), CurrentResourceOwner)
#else
#define FORAY_RELEASE_CACHED_PLAN(p) ReleaseCachedPlan((p), true)
#endif

/* the sequence behind an identity column */
#if PG_VERSION_NUM >= 170000
#define FORAY_IDENTITY_SEQUENCE(rel, attno) getIdentitySequence((rel), (attno), false)
#else
#define FORAY_IDENTITY_SEQUENCE(rel, attno) getIdentitySequence(RelationGetRelid(rel), (attno), false)
#endif

#endif							/* FORAY_COMPAT_H */
