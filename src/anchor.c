/*
 * anchor.c
 *		The anchoring lifecycle after ready_to_anchor: the anchor service
 *		records the on-chain anchor (record_anchor), the archive records the
 *		sealed archive (seal).  Both take the transaction's row lock and
 *		then its writer lock (the order every writer takes them in) before
 *		they check anything, so no component can slip in between the check
 *		and the write.
 */
#include "compat.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"

#include "substrate.h"
#include "txhash.h"

PG_FUNCTION_INFO_V1(foray_record_anchor);
PG_FUNCTION_INFO_V1(foray_seal);

static SPIPlanPtr plan_anchor = NULL;
static SPIPlanPtr plan_seal_lookup = NULL;
static SPIPlanPtr plan_seal = NULL;

/* subject: what is anchored, for the message ("transaction \"X\"") */
static void
bad_anchor(const char *subject, const char *field, const char *rule)
{
	ereport(ERROR,
			(errcode(ERRCODE_FORAY_BAD_ANCHOR),
			 errmsg("invalid %s for the anchor of %s", field, subject),
			 errdetail("%s", rule)));
}

/* ISO-8601 in UTC: 2026-01-25T14:30:02Z, with .mmm or .uuuuuu when present */
static char *
iso_utc(TimestampTz ts, const char *subject)
{
	struct pg_tm tm;
	fsec_t		fsec;

	if (TIMESTAMP_NOT_FINITE(ts) ||
		timestamp2tm(ts, NULL, &tm, &fsec, NULL, NULL) != 0 ||
		tm.tm_year < 1 || tm.tm_year > 9999)
		bad_anchor(subject, "anchored_at",
				   "Rule ANCHOR-TIME: anchored_at is a finite time between the years 1 and 9999.");
	if (fsec == 0)
		return psprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year, tm.tm_mon,
						tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	if (fsec % 1000 == 0)
		return psprintf("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year, tm.tm_mon,
						tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int) (fsec / 1000));
	return psprintf("%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year, tm.tm_mon,
					tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int) fsec);
}

static bool
printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char) *s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static char *
jsonb_get_text(Jsonb *jb, const char *key)
{
	JsonbValue *v;

	if (jb == NULL || !JB_ROOT_IS_OBJECT(jb))
		return NULL;
	v = getKeyJsonValueFromContainer(&jb->root, key, strlen(key), NULL);
	if (v == NULL || v->type != jbvString)
		return NULL;
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/*
 * The chain fields of an anchor (record_anchor's and record_checkpoint_
 * anchor's): checked (22R53 naming the field), anchored_at returned as
 * ISO-8601 UTC.  subject names what is anchored in the messages.
 */
char *
foray_anchor_check_args(const char *subject, const char *kaspa, int64 height,
						int64 confirm_ms, TimestampTz at)
{
	if (kaspa[0] == '\0' || strlen(kaspa) > 200 || !printable(kaspa))
		bad_anchor(subject, "kaspa_tx_id",
				   "Rule ANCHOR-TXID: kaspa_tx_id is 1 to 200 printable characters.");
	if (height < 0)
		bad_anchor(subject, "block_height", "Rule ANCHOR-HEIGHT: block_height is not negative.");
	if (confirm_ms < 0)
		bad_anchor(subject, "confirmation_time_ms",
				   "Rule ANCHOR-CONFIRM: confirmation_time_ms is not negative.");
	return iso_utc(at, subject);
}

/* a recorded anchored_at as ISO-8601 UTC, as it was recorded */
char *
foray_anchor_time(TimestampTz at)
{
	return iso_utc(at, "a recorded anchor");
}

/* the chain fields into an object being built */
void
foray_anchor_push_chain(JsonbParseState **st, const char *kaspa, int64 height,
						int64 confirm_ms, const char *at_iso)
{
	foray_jb_string(st, "kaspa_tx_id", kaspa);
	foray_jb_int(st, "block_height", height);
	foray_jb_int(st, "confirmation_time_ms", confirm_ms);
	foray_jb_string(st, "anchored_at", at_iso);
}

/* every key and value of an object into the object being built */
static void
push_fields(JsonbParseState **st, Jsonb *obj)
{
	JsonbIterator *it = JsonbIteratorInit(&obj->root);
	JsonbValue	v;
	JsonbIteratorToken tok;

	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		if (tok == WJB_KEY || tok == WJB_VALUE)
			pushJsonbValue(st, tok, &v);
}

/*
 * Record the anchor of a loaded transaction, locked (its row, then its
 * writer lock) and checked by the caller: the stored hashes, the anchor
 * record, anchored_at, audit_data_anchor.audit_data_hash, lifecycle
 * anchored; then TRANSACTION_ANCHORED with every field of the anchor
 * record, merkle_root, commitment_scheme, the envelope that went on chain
 * (or into the log) and extra's fields.  SPI not connected.
 */
void
foray_store_anchor(const ForayTx *tx, Jsonb *anchor, TimestampTz at, Jsonb *envelope,
				   Jsonb *extra)
{
	char		root[FORAY_HASH_TEXT_LEN_M + 1];
	char		core[FORAY_HASH_TEXT_LEN_M + 1];
	char		audit[FORAY_HASH_TEXT_LEN_M + 1];
	JsonbParseState *st = NULL;
	Jsonb	   *payload;
	Datum		values[8];
	int			rc;
	ForayOwnerWrite ow;

	foray_hash_to_text(tx->merkle_root, root);
	foray_hash_to_text(tx->foray_core_hash, core);
	foray_hash_to_text(tx->audit_data_hash, audit);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (plan_anchor == NULL)
	{
		Oid			types[8] = {TEXTOID, TEXTOID, TEXTOID, JSONBOID, TEXTOID, JSONBOID,
		TIMESTAMPTZOID, JSONBOID};
		SPIPlanPtr	p = SPI_prepare(
									"UPDATE foray.foray_transactions "
									"   SET lifecycle = 'anchored', foray_core_hash = $2, "
									"       audit_data_hash = $3, component_hashes = $4, "
									"       merkle_root = $5, blockchain_anchor = $6, anchored_at = $7, "
									"       audit_data_anchor = CASE WHEN audit_data_anchor IS NULL THEN NULL "
									"           ELSE audit_data_anchor OPERATOR(pg_catalog.||) $8 END "
									" WHERE transaction_id OPERATOR(pg_catalog.=) $1", 8, types);

		if (p == NULL || SPI_keepplan(p) != 0)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		plan_anchor = p;
	}
	values[0] = CStringGetTextDatum(tx->transaction_id);
	values[1] = CStringGetTextDatum(core);
	values[2] = CStringGetTextDatum(audit);
	values[3] = JsonbPGetDatum(foray_component_hashes_jsonb(tx));
	values[4] = CStringGetTextDatum(root);
	values[5] = JsonbPGetDatum(anchor);
	values[6] = TimestampTzGetDatum(at);

	/*
	 * {"audit_data_hash": $3} built here, not in the statement: Citus refuses
	 * a STABLE function (jsonb_build_object) inside CASE in an UPDATE.
	 */
	{
		StringInfoData buf;

		initStringInfo(&buf);
		appendStringInfoString(&buf, "{\"audit_data_hash\": ");
		escape_json(&buf, audit);
		appendStringInfoChar(&buf, '}');
		values[7] = DirectFunctionCall1(jsonb_in, CStringGetDatum(buf.data));
	}
	foray_internal_writes++;
	foray_begin_owner_write(&ow);
	PG_TRY();
	{
		rc = SPI_execute_plan(plan_anchor, values, NULL, false, 0);
		if (rc != SPI_OK_UPDATE || SPI_processed != 1)
			elog(ERROR, "recording the anchor failed: %s", SPI_result_code_string(rc));
	}
	PG_FINALLY();
	{
		foray_end_owner_write(&ow);
		foray_internal_writes--;
	}
	PG_END_TRY();
	SPI_finish();
	foray_guard_anchored();

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	foray_jb_string(&st, "merkle_root", root);
	push_fields(&st, anchor);
	foray_jb_int(&st, "commitment_scheme", tx->scheme);
	foray_jb_key(&st, "envelope");
	{
		JsonbValue	ev;

		ev.type = jbvBinary;
		ev.val.binary.data = &envelope->root;
		ev.val.binary.len = VARSIZE(envelope) - VARHDRSZ;
		pushJsonbValue(&st, WJB_VALUE, &ev);
	}
	if (extra != NULL)
		push_fields(&st, extra);
	payload = JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL));
	foray_emit_event("TRANSACTION_ANCHORED", "TRANSACTION", tx->transaction_id,
					 tx->transaction_id, payload);
}

/*
 * Lock the transaction's envelope row FOR UPDATE, as the substrate's owner;
 * false when there is no such row.
 */
static bool
lock_envelope_row(const char *txid)
{
	static SPIPlanPtr plan_lock = NULL;
	Datum		values[1];
	int			rc;
	bool		found;
	ForayOwnerWrite ow;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (plan_lock == NULL)
	{
		Oid			types[1] = {TEXTOID};
		SPIPlanPtr	p = SPI_prepare("SELECT 1 FROM foray.foray_transactions"
									" WHERE transaction_id OPERATOR(pg_catalog.=) $1 FOR UPDATE",
									1, types);

		if (p == NULL || SPI_keepplan(p) != 0)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		plan_lock = p;
	}
	values[0] = CStringGetTextDatum(txid);
	foray_begin_owner_write(&ow);
	PG_TRY();
	{
		rc = SPI_execute_plan(plan_lock, values, NULL, false, 1);
	}
	PG_FINALLY();
	{
		foray_end_owner_write(&ow);
	}
	PG_END_TRY();
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "transaction lookup failed: %s", SPI_result_code_string(rc));
	found = SPI_processed > 0;
	SPI_finish();
	return found;
}

/*
 * foray.record_anchor(tx text, merkle_root text, kaspa_tx_id text,
 *					   block_height bigint, confirmation_time_ms bigint,
 *					   anchored_at timestamptz) RETURNS jsonb
 * Returns the stored blockchain_anchor.
 */
Datum
foray_record_anchor(PG_FUNCTION_ARGS)
{
	char	   *txid = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *root_text = text_to_cstring(PG_GETARG_TEXT_PP(1));
	char	   *kaspa = text_to_cstring(PG_GETARG_TEXT_PP(2));
	int64		height = PG_GETARG_INT64(3);
	int64		confirm_ms = PG_GETARG_INT64(4);
	TimestampTz at = PG_GETARG_TIMESTAMPTZ(5);
	uint8		root[FORAY_MERKLE_HASH_LEN];
	char	   *at_iso;
	ForayTx		tx;
	char		current[FORAY_HASH_TEXT_LEN_M + 1];
	JsonbParseState *st = NULL;
	Jsonb	   *anchor;
	Jsonb	   *envelope;
	ForayOwnerWrite ow;

	/* the arguments, before any lock */
	foray_hash_from_text_or_error(root_text, root, "merkle_root");
	at_iso = foray_anchor_check_args(psprintf("transaction \"%s\"", txid), kaspa, height,
									 confirm_ms, at);

	/*
	 * Lock order (docs/security.md): the envelope row first, then the
	 * writer lock, as every writer takes them (a writer's UPDATE or a
	 * component's guard locks the row before its BEFORE trigger takes the
	 * writer lock).  Taking them the other way round deadlocked with a
	 * single writer.  The reads come after both, with a fresh snapshot, so
	 * everything committed while this call waited is seen.  As the
	 * substrate's owner, like its writes.
	 */
	if (!lock_envelope_row(txid))
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_UNKNOWN_SUBJECT),
				 errmsg("transaction \"%s\" does not exist", txid)));
	foray_lock_transaction(txid);
	foray_begin_owner_write(&ow);
	PG_TRY();
	{
		foray_tx_load(txid, FORAY_TX_LOCK, &tx, NULL, NULL);
	}
	PG_FINALLY();
	{
		foray_end_owner_write(&ow);
	}
	PG_END_TRY();
	foray_tx_require(&tx);

	if (strcmp(tx.lifecycle, "anchored") == 0 || strcmp(tx.lifecycle, "sealed") == 0)
	{
		char	   *had = jsonb_get_text(tx.blockchain_anchor, "kaspa_tx_id");

		/* the anchor service retrying the same anchor: nothing to do */
		if (tx.stored_merkle_root && strcmp(tx.stored_merkle_root, root_text) == 0 &&
			had && strcmp(had, kaspa) == 0)
			PG_RETURN_JSONB_P(tx.blockchain_anchor);
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_NOT_READY),
				 errmsg("transaction \"%s\" is already %s", txid, tx.lifecycle),
				 errdetail("Rule ANCHOR-ONCE: a transaction is anchored once; it was anchored as %s in %s.",
						   tx.stored_merkle_root ? tx.stored_merkle_root : "?",
						   had ? had : "?")));
	}
	if (strcmp(tx.lifecycle, "ready_to_anchor") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_NOT_READY),
				 errmsg("transaction \"%s\" is not ready to anchor", txid),
				 errdetail("Rule ANCHOR-READY: only a ready_to_anchor transaction is anchored (it is %s).",
						   tx.lifecycle)));
	foray_hash_to_text(tx.merkle_root, current);
	if (memcmp(root, tx.merkle_root, FORAY_MERKLE_HASH_LEN) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_STALE_ROOT),
				 errmsg("merkle_root %s is not the current root of transaction \"%s\"",
						root_text, txid),
				 errdetail("Rule ANCHOR-CURRENT: the anchored root must equal the root of the current rows, %s.",
						   current),
				 errhint("Build a new envelope with foray.anchor_envelope('%s') and anchor that.", txid)));

	/* the envelope that goes on chain, recorded in the event (and sized) */
	envelope = foray_tx_envelope(&tx);

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	foray_anchor_push_chain(&st, kaspa, height, confirm_ms, at_iso);
	anchor = JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL));

	foray_store_anchor(&tx, anchor, at, envelope, NULL);
	foray_flush_events();

	PG_RETURN_JSONB_P(anchor);
}

/*
 * foray.seal(tx text, archive_ref text) RETURNS timestamptz
 * anchored -> sealed; returns sealed_at.
 */
Datum
foray_seal(PG_FUNCTION_ARGS)
{
	char	   *txid = text_to_cstring(PG_GETARG_TEXT_PP(0));
	char	   *ref = text_to_cstring(PG_GETARG_TEXT_PP(1));
	Datum		values[2];
	int			rc;
	char	   *lifecycle;
	char	   *had_ref;
	TimestampTz sealed_at;
	bool		isnull;
	JsonbParseState *st = NULL;
	Jsonb	   *payload;
	ForayOwnerWrite ow;

	if (ref[0] == '\0' || !printable(ref))
		bad_anchor(psprintf("transaction \"%s\"", txid), "archive_ref",
				   "Rule SEAL-REF: the sealed archive reference is a non-empty printable string.");

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (plan_seal == NULL)
	{
		Oid			types[2] = {TEXTOID, TEXTOID};
		SPIPlanPtr	p1 = SPI_prepare(
									 "SELECT lifecycle::pg_catalog.text, sealed_archive_ref, sealed_at "
									 "  FROM foray.foray_transactions "
									 " WHERE transaction_id OPERATOR(pg_catalog.=) $1 FOR UPDATE", 1, types);
		SPIPlanPtr	p2 = SPI_prepare(
									 "UPDATE foray.foray_transactions "
									 "   SET lifecycle = 'sealed', sealed_archive_ref = $2, "
									 "       sealed_at = pg_catalog.now() "
									 " WHERE transaction_id OPERATOR(pg_catalog.=) $1 "
									 "RETURNING sealed_at", 2, types);

		if (p1 == NULL || p2 == NULL || SPI_keepplan(p1) != 0 || SPI_keepplan(p2) != 0)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		plan_seal_lookup = p1;
		plan_seal = p2;
	}
	values[0] = CStringGetTextDatum(txid);
	values[1] = CStringGetTextDatum(ref);
	foray_begin_owner_write(&ow);
	PG_TRY();
	{
		rc = SPI_execute_plan(plan_seal_lookup, values, NULL, false, 1);
	}
	PG_FINALLY();
	{
		foray_end_owner_write(&ow);
	}
	PG_END_TRY();
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "transaction lookup failed: %s", SPI_result_code_string(rc));
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_UNKNOWN_SUBJECT),
				 errmsg("transaction \"%s\" does not exist", txid)));
	/* the row is locked: now the writer lock (docs/security.md, lock order) */
	foray_lock_transaction(txid);
	lifecycle = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
	had_ref = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
	if (strcmp(lifecycle, "sealed") == 0 && had_ref && strcmp(had_ref, ref) == 0)
	{
		/* the same seal again */
		sealed_at = DatumGetTimestampTz(SPI_getbinval(SPI_tuptable->vals[0],
													  SPI_tuptable->tupdesc, 3, &isnull));
		SPI_finish();
		PG_RETURN_TIMESTAMPTZ(sealed_at);
	}
	if (strcmp(lifecycle, "anchored") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_NOT_ANCHORED),
				 errmsg("transaction \"%s\" cannot be sealed: it is %s", txid, lifecycle),
				 errdetail("Rule SEAL-AFTER-ANCHOR: only an anchored transaction is sealed, once.")));

	foray_internal_writes++;
	foray_begin_owner_write(&ow);
	PG_TRY();
	{
		rc = SPI_execute_plan(plan_seal, values, NULL, false, 0);
		if (rc != SPI_OK_UPDATE_RETURNING || SPI_processed != 1)
			elog(ERROR, "sealing failed: %s", SPI_result_code_string(rc));
	}
	PG_FINALLY();
	{
		foray_end_owner_write(&ow);
		foray_internal_writes--;
	}
	PG_END_TRY();
	sealed_at = DatumGetTimestampTz(SPI_getbinval(SPI_tuptable->vals[0],
												  SPI_tuptable->tupdesc, 1, &isnull));
	SPI_finish();
	foray_guard_anchored();

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	foray_jb_string(&st, "sealed_archive_ref", ref);
	payload = JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL));
	foray_emit_event("TRANSACTION_SEALED", "TRANSACTION", txid, txid, payload);
	foray_flush_events();
	PG_RETURN_TIMESTAMPTZ(sealed_at);
}
