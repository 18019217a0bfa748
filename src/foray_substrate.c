/*
 * foray_substrate.c
 *		Module entry: the library's magic block.
 */
#include "compat.h"

#include "fmgr.h"

PG_MODULE_MAGIC;
