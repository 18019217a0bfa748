/*
 * substrate.h
 *		Declarations shared by the backend files of foray_substrate:
 *		SQLSTATEs, the restore mode, internal writes, the event log.
 *
 * The SQLSTATE table with the rule each code stands for is docs/sqlstates.md.
 */
#ifndef FORAY_SUBSTRATE_H
#define FORAY_SUBSTRATE_H

#include "compat.h"

#include "utils/jsonb.h"

/* 22Rxx: data and shape errors */
#define ERRCODE_FORAY_INVALID_CORE		MAKE_SQLSTATE('2','2','R','0','1')
#define ERRCODE_FORAY_INVALID_ENUM		MAKE_SQLSTATE('2','2','R','0','2')
#define ERRCODE_FORAY_INVALID_DATETIME	MAKE_SQLSTATE('2','2','R','0','3')

/* 23Rxx: protocol integrity violations */
#define ERRCODE_FORAY_REF_TYPING		MAKE_SQLSTATE('2','3','R','0','1')
#define ERRCODE_FORAY_REF_DANGLING		MAKE_SQLSTATE('2','3','R','0','2')
#define ERRCODE_FORAY_REF_KIND			MAKE_SQLSTATE('2','3','R','0','3')
#define ERRCODE_FORAY_REF_SELF			MAKE_SQLSTATE('2','3','R','0','4')
#define ERRCODE_FORAY_REF_DUPLICATE		MAKE_SQLSTATE('2','3','R','0','5')
#define ERRCODE_FORAY_REF_CYCLE			MAKE_SQLSTATE('2','3','R','0','6')
#define ERRCODE_FORAY_REF_HELD			MAKE_SQLSTATE('2','3','R','0','7')
#define ERRCODE_FORAY_ID_PREFIX			MAKE_SQLSTATE('2','3','R','1','0')
#define ERRCODE_FORAY_ARR_DEPENDENCIES	MAKE_SQLSTATE('2','3','R','1','1')
#define ERRCODE_FORAY_ATT_SUBJECTS		MAKE_SQLSTATE('2','3','R','1','2')
#define ERRCODE_FORAY_ATT_DEPENDENCIES	MAKE_SQLSTATE('2','3','R','1','3')
#define ERRCODE_FORAY_STATUS			MAKE_SQLSTATE('2','3','R','2','0')
#define ERRCODE_FORAY_LIFECYCLE			MAKE_SQLSTATE('2','3','R','2','1')
#define ERRCODE_FORAY_IDENTITY			MAKE_SQLSTATE('2','3','R','2','2')

/* 55R01: the event log is append-only */
#define ERRCODE_FORAY_APPEND_ONLY		MAKE_SQLSTATE('5','5','R','0','1')

/*
 * > 0 while the substrate itself writes derived columns (readiness,
 * lifecycle, stored hashes).  The triggers refuse changes to those columns
 * otherwise.  Increment around the write, decrement in PG_FINALLY.
 */
extern int	foray_internal_writes;

/* true when rows are being restored by pg_restore / a pg_dump script */
extern bool foray_restore_mode(void);

/*
 * Append one event to foray.memory_events (actor: system, current role).
 * Events are buffered and written at the end of the statement, or by
 * foray_flush_events(); a function that emits events and must show them to
 * its caller's next query calls foray_flush_events() before returning.
 */
extern void foray_emit_event(const char *event_kind, const char *subject_kind,
							 const char *subject_id, const char *transaction_id,
							 Jsonb *payload);

extern void foray_flush_events(void);

/*
 * The owner of the substrate's tables.  The substrate's own writes (derived
 * readiness and lifecycle, events) run as this role, so the application's
 * role needs no UPDATE on derived columns nor INSERT on the log.
 */
extern Oid	foray_substrate_owner(void);

typedef struct ForayOwnerWrite
{
	Oid			save_userid;
	int			save_sec;
	Oid			save_acting;
	int			guc_nest;		/* of the pinned search_path, 0 when none */
} ForayOwnerWrite;

/*
 * Around a write of the substrate's own: begin, then end in PG_FINALLY.
 * Between the two the current role is the substrate's owner and the
 * search_path is pinned to pg_catalog, pg_temp (docs/security.md).
 */
extern void foray_begin_owner_write(ForayOwnerWrite *w);
extern void foray_end_owner_write(ForayOwnerWrite *w);

/*
 * Pin search_path to "pg_catalog, pg_temp" (pg_temp last, so nothing
 * planted there is found before pg_catalog) for the substrate's own queries;
 * returns the GUC nesting level to pass to the pop, 0 when the path was
 * already pinned.  Errors unwind it with the (sub)transaction.
 */
#define FORAY_SAFE_SEARCH_PATH "pg_catalog, pg_temp"
extern int	foray_safe_search_path_push(void);
extern void foray_safe_search_path_pop(int nest);

/* the role the substrate acts for inside an owner write, else InvalidOid */
extern Oid	foray_acting_user;

/* Serialise writers of one FORAY transaction (transaction-scoped lock). */
extern void foray_lock_transaction(const char *transaction_id);
extern bool foray_holds_transaction_lock(const char *transaction_id);
extern bool foray_transaction_writers_done(const char *transaction_id, bool nowait);

/* The seq of a transaction's next event, under its writer lock (readiness.c) */
extern int64 foray_next_event_seq(const char *transaction_id);
extern void foray_known_event_seqs(const char *const *transaction_ids, int n);

/* Readiness and lifecycle (readiness.c) */
extern void foray_mark_transaction_dirty(const char *transaction_id);

/*
 * The log (log.c), for the guards: the log index of a transaction as of the
 * latest snapshot, -1 when it is not in the log (SPI connected); the first
 * logged transaction still in foray_transactions (NULL: none); and an
 * error when a lifecycle change ("tx\0from\0to" strings) takes a logged
 * transaction from ready_to_anchor back to open.
 */
extern bool foray_log_exists(void);
extern int64 foray_log_entry_latest(const char *transaction_id);
extern char *foray_log_first_logged(int64 *index);
extern void foray_log_refuse_reopened(const char **changes, uint64 n);

/* Is this an ISO-8601 date or date-time the substrate accepts? (fields.c) */
extern bool foray_is_iso8601(const char *value);

/* Small jsonb helpers (fields.c) */
extern JsonbValue *foray_core_get(Jsonb *core, const char *key);
extern ArrayType *foray_core_text_array_internal(Jsonb *core, const char *key,
												 const char *what);
extern void foray_push_key(JsonbParseState **ps, const char *key);
extern void foray_push_string(JsonbParseState **ps, JsonbIteratorToken tok,
							  const char *s, int len);

#endif							/* FORAY_SUBSTRATE_H */
