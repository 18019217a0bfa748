/*
 * events.c
 *		The event log: appending the substrate's own events, refusing any
 *		change to what is already written, and the small session-level
 *		services the triggers share (restore mode, per-transaction locks).
 */
#include "compat.h"

#include "access/hash.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"

#include "substrate.h"

PG_FUNCTION_INFO_V1(foray_memory_events_guard);

int			foray_internal_writes = 0;
bool		foray_restore_setting = false;

/*
 * Rows being restored (pg_restore, or psql running a pg_dump script) are
 * accepted as they are: no validation beyond the table's constraints, no
 * recomputation, no second round of events.  pg_dump output empties the
 * search_path before any data; an application session never runs with an
 * empty search_path.  Only a superuser's session qualifies, so the restore
 * path can not be used to slip unchecked rows past the rules.  A superuser
 * may also say it outright with SET foray.restore_mode = on.
 */
bool
foray_restore_mode(void)
{
	const char *sp;

	if (!superuser())
		return false;
	if (foray_restore_setting)
		return true;
	sp = GetConfigOption("search_path", true, false);
	return sp != NULL && sp[0] == '\0';
}

/*
 * Writers of one FORAY transaction are serialised by a transaction-scoped
 * advisory lock on (class 'FORA', hash of transaction_id), taken before any
 * readiness read, so two sessions never derive readiness from each other's
 * stale view.  Different FORAY transactions proceed in parallel.
 */
#define FORAY_LOCK_CLASS 0x464F5241		/* 'FORA' */

void
foray_lock_transaction(const char *transaction_id)
{
	LOCKTAG		tag;
	uint32		h = DatumGetUInt32(hash_any((const unsigned char *) transaction_id,
											strlen(transaction_id)));

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, FORAY_LOCK_CLASS, h, 2);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
}

static SPIPlanPtr emit_plan = NULL;

void
foray_emit_event(const char *event_kind, const char *subject_kind,
				 const char *subject_id, const char *transaction_id,
				 Jsonb *payload)
{
	Datum		values[6];
	char		nulls[6] = {' ', ' ', ' ', ' ', ' ', ' '};
	int			rc;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (emit_plan == NULL)
	{
		Oid			argtypes[6] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, JSONBOID};
		SPIPlanPtr	plan;

		plan = SPI_prepare("INSERT INTO foray.memory_events "
						   "(event_kind, subject_kind, subject_id, transaction_id, "
						   " actor_kind, actor_id, payload) "
						   "VALUES ($1, $2, $3, $4, 'system', $5, $6)",
						   6, argtypes);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		emit_plan = plan;
	}
	values[0] = CStringGetTextDatum(event_kind);
	values[1] = CStringGetTextDatum(subject_kind);
	values[2] = CStringGetTextDatum(subject_id);
	if (transaction_id)
		values[3] = CStringGetTextDatum(transaction_id);
	else
		nulls[3] = 'n';
	values[4] = CStringGetTextDatum(GetUserNameFromId(GetUserId(), false));
	values[5] = JsonbPGetDatum(payload);
	rc = SPI_execute_plan(emit_plan, values, nulls, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "could not append to foray.memory_events: %s",
			 SPI_result_code_string(rc));
	SPI_finish();
}

/*
 * BEFORE UPDATE OR DELETE (row) and BEFORE TRUNCATE (statement) on
 * memory_events: the log is append-only, for the table owner too.
 */
Datum
foray_memory_events_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	const char *what;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "foray_memory_events_guard: not called by trigger manager");
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		what = "UPDATE";
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		what = "DELETE";
	else
		what = "TRUNCATE";
	ereport(ERROR,
			(errcode(ERRCODE_FORAY_APPEND_ONLY),
			 errmsg("foray.memory_events is append-only: %s is not allowed", what),
			 errdetail("Rule LOG-001: events are never changed or removed once written."),
			 errhint("Record a correction as a new event.")));
	PG_RETURN_NULL();
}
