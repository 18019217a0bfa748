/*
 * legacy_validate.c
 *		Validation of the transactions the Loomworks migration wrote
 *		(docs/migration.md, "Every migrated transaction validates").
 *
 * foray.loomworks_validate_transaction(): the findings of
 * foray.validate_document(foray.export_document(tx)) for one stored
 * transaction, each with its rule's class (structural or content).  The
 * document is exported without component_hashes and merkle_root: no rule
 * reads them (they are computed, so always well-formed), and computing the
 * Merkle tree of every migrated transaction was more than half the cost of
 * exporting it.  The migration calls it once per migrated transaction.
 *
 * foray.loomworks_admit_content_violations(): the Loomworks migration's
 * way of admitting a migrated transaction that breaks content rules, as
 * foray.import_document(doc, admit_content_violations => true) admits a
 * document (docs/documents.md).  The migration writes its rows through the
 * substrate's tables, not through import_document, so the importer's
 * recording step is not on its path.  This function validates the
 * transaction as it is stored, and writes one CONTENT_RULE_VIOLATION event
 * per content-rule error, with the importer's payload (rule_id, severity,
 * json_path, message) and subject (the component, the attestation or the
 * transaction).  It records nothing it did not find itself, so a caller
 * cannot write a violation that is not there, and nothing twice: a
 * violation already recorded for the same transaction, subject, rule and
 * path is skipped, so a re-run of the migration records no second event.
 * A transaction that breaks a structural rule cannot be admitted (the
 * importer always refuses those): 23R50, every structural finding listed.
 */
#include "compat.h"

#include "document.h"
#include "substrate.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(foray_loomworks_validate_transaction);
PG_FUNCTION_INFO_V1(foray_loomworks_admit_content_violations);

/* A violation already in the log: (subject, rule, path). */
typedef struct Recorded
{
	char	   *subject;
	char	   *rule_id;
	char	   *json_path;
} Recorded;

static SPIPlanPtr plan_recorded = NULL;

static void
push_pair(JsonbParseState **ps, const char *key, const char *val)
{
	JsonbValue	x;

	foray_push_key(ps, key);
	x.type = jbvString;
	x.val.string.val = (char *) val;
	x.val.string.len = strlen(val);
	pushJsonbValue(ps, WJB_VALUE, &x);
}

/* The CONTENT_RULE_VIOLATION events already written for the transaction. */
static List *
recorded_violations(const char *txid)
{
	Datum		arg = CStringGetTextDatum(txid);
	Oid			argtype = TEXTOID;
	MemoryContext caller = CurrentMemoryContext;
	List	   *out = NIL;
	int			rc;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (plan_recorded == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare("SELECT e.subject_id, e.payload OPERATOR(pg_catalog.->>) 'rule_id', "
									   "e.payload OPERATOR(pg_catalog.->>) 'json_path' "
									   "FROM foray.memory_events AS e "
									   "WHERE e.transaction_id OPERATOR(pg_catalog.=) $1 "
									   "AND e.event_kind OPERATOR(pg_catalog.=) 'CONTENT_RULE_VIOLATION'",
									   1, &argtype);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		plan_recorded = plan;
	}
	rc = SPI_execute_plan(plan_recorded, &arg, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not read foray.memory_events: %s", SPI_result_code_string(rc));
	for (uint64 i = 0; i < SPI_processed; i++)
	{
		HeapTuple	t = SPI_tuptable->vals[i];
		TupleDesc	d = SPI_tuptable->tupdesc;
		MemoryContext spi = MemoryContextSwitchTo(caller);
		Recorded   *r = palloc(sizeof(Recorded));
		char	   *v;

		v = SPI_getvalue(t, d, 1);
		r->subject = pstrdup(v ? v : "");
		v = SPI_getvalue(t, d, 2);
		r->rule_id = pstrdup(v ? v : "");
		v = SPI_getvalue(t, d, 3);
		r->json_path = pstrdup(v ? v : "");
		out = lappend(out, r);
		MemoryContextSwitchTo(spi);
	}
	SPI_finish();
	return out;
}

static bool
already_recorded(List *recorded, const char *subject, ForayViolation *v)
{
	ListCell   *lc;

	foreach(lc, recorded)
	{
		Recorded   *r = lfirst(lc);

		if (strcmp(r->subject, subject) == 0 && strcmp(r->rule_id, v->rule_id) == 0 &&
			strcmp(r->json_path, v->json_path) == 0)
			return true;
	}
	return false;
}

/*
 * The findings of the stored transaction's document (exported without the
 * computed hashes), as of as_of; 22R33 when the transaction does not exist.
 */
static List *
validate_stored(const char *txid, TimestampTz as_of)
{
	Jsonb	   *doc = foray_export_transaction(txid, false);

	if (doc == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_DOC_NOT_FOUND),
				 errmsg("transaction \"%s\" does not exist", txid)));
	return foray_validate_document(doc, as_of, NULL);
}

static void
null_argument(FunctionCallInfo fcinfo, const char *function)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s: %s must not be null", function,
						PG_ARGISNULL(0) ? "transaction_id" : "as_of")));
}

static Datum
text_or_null(const char *s, bool *isnull)
{
	*isnull = (s == NULL);
	return s ? CStringGetTextDatum(s) : (Datum) 0;
}

/*
 * foray.loomworks_validate_transaction(transaction_id text, as_of
 * timestamptz) returns table (rule_id, severity, classification,
 * component_id, json_path, message)
 */
Datum
foray_loomworks_validate_transaction(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	List	   *violations;
	ListCell   *lc;

	null_argument(fcinfo, "foray.loomworks_validate_transaction");
	violations = validate_stored(text_to_cstring(PG_GETARG_TEXT_PP(0)), PG_GETARG_TIMESTAMPTZ(1));
	InitMaterializedSRF(fcinfo, 0);
	foreach(lc, violations)
	{
		ForayViolation *v = lfirst(lc);
		Datum		values[6];
		bool		nulls[6];

		values[0] = text_or_null(v->rule_id, &nulls[0]);
		values[1] = text_or_null(v->warning ? "warning" : "error", &nulls[1]);
		values[2] = text_or_null(v->structural ? "structural" : "content", &nulls[2]);
		values[3] = text_or_null(v->component_id, &nulls[3]);
		values[4] = text_or_null(v->json_path, &nulls[4]);
		values[5] = text_or_null(v->message, &nulls[5]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * foray.loomworks_admit_content_violations(transaction_id text, as_of
 * timestamptz) returns integer: the number of CONTENT_RULE_VIOLATION events
 * written.  as_of is "now" for the date rules (ATT-003, ATT-004), as in
 * foray.validate_document().
 */
Datum
foray_loomworks_admit_content_violations(PG_FUNCTION_ARGS)
{
	char	   *txid;
	List	   *violations;
	List	   *recorded;
	ListCell   *lc;
	StringInfoData structural;
	int			nstructural = 0;
	int			written = 0;

	null_argument(fcinfo, "foray.loomworks_admit_content_violations");
	txid = text_to_cstring(PG_GETARG_TEXT_PP(0));
	violations = validate_stored(txid, PG_GETARG_TIMESTAMPTZ(1));

	initStringInfo(&structural);
	foreach(lc, violations)
	{
		ForayViolation *v = lfirst(lc);

		if (v->warning || !v->structural)
			continue;
		appendStringInfo(&structural, "%s%s%s%s %s: %s", nstructural > 0 ? "\n" : "",
						 v->rule_id, v->component_id ? " " : "",
						 v->component_id ? v->component_id : "", v->json_path, v->message);
		nstructural++;
	}
	if (nstructural > 0)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_DOC_INVALID),
				 errmsg("transaction \"%s\" breaks %d structural rule%s of FORAY v4.1, which cannot be admitted",
						txid, nstructural, nstructural == 1 ? "" : "s"),
				 errdetail("%s", structural.data)));

	recorded = recorded_violations(txid);
	foreach(lc, violations)
	{
		ForayViolation *v = lfirst(lc);
		const char *subject = v->component_id ? v->component_id : txid;
		const char *subject_kind;
		JsonbParseState *ps = NULL;
		JsonbValue *res;

		if (v->warning || already_recorded(recorded, subject, v))
			continue;
		if (v->component_id == NULL)
			subject_kind = "TRANSACTION";
		else if (strncmp(v->component_id, "ATT_", 4) == 0)
			subject_kind = "ATTESTATION";
		else
			subject_kind = "COMPONENT";
		pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
		push_pair(&ps, "rule_id", v->rule_id);
		push_pair(&ps, "severity", "error");
		push_pair(&ps, "json_path", v->json_path);
		push_pair(&ps, "message", v->message);
		res = pushJsonbValue(&ps, WJB_END_OBJECT, NULL);
		foray_emit_event("CONTENT_RULE_VIOLATION", subject_kind, subject, txid,
						 JsonbValueToJsonb(res));
		written++;
	}
	foray_flush_events();
	PG_RETURN_INT32(written);
}
