/*
 * foray_substrate.c
 *		Module entry: the library's magic block and its settings.
 */
#include "compat.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "substrate.h"

PG_MODULE_MAGIC;

extern bool foray_restore_setting;

void		_PG_init(void);

void
_PG_init(void)
{
	DefineCustomBoolVariable("foray.restore_mode",
							 "Accept rows as they are, as when restoring a dump.",
							 "Superuser only. Triggers then skip validation, recomputation "
							 "and events; run foray.verify() afterwards.",
							 &foray_restore_setting,
							 false,
							 PGC_SUSET,
							 0,
							 NULL, NULL, NULL);
	MarkGUCPrefixReserved("foray");
}
