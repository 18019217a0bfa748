/*
 * transactions.c
 *		Triggers of foray.foray_transactions, the envelope.
 *
 *	foray_transactions_before  BEFORE INSERT OR UPDATE: the transaction-level
 *		foray_core (spec §2.1), schema version (TX-002), document timestamp,
 *		and the columns only the substrate writes (lifecycle, hashes, anchor).
 *	foray_transactions_after   AFTER INSERT: TRANSACTION_CREATED.
 */
#include "compat.h"

#include "access/htup_details.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/rel.h"

#include "executor/spi.h"
#include "plans.h"
#include "readiness.h"
#include "protocol.h"
#include "shards.h"
#include "txhash.h"
#include "substrate.h"
#include "trigger_util.h"
#include "canonical.h"

PG_FUNCTION_INFO_V1(foray_transactions_before);
PG_FUNCTION_INFO_V1(foray_transactions_after);

/* Columns the substrate maintains; the application never writes them. */
static const char *const maintained[] = {
	"lifecycle", "foray_core_hash", "audit_data_hash", "component_hashes", "merkle_root",
	"blockchain_anchor", "sealed_archive_ref", "anchored_at", "sealed_at", NULL
};

static void
core_field(Jsonb *core, const char *tx, const char *field, enum jbvType type,
		   bool required, const char *const *allowed)
{
	JsonbValue *v = foray_core_get(core, field);
	const char *tname = type == jbvString ? "a string" : type == jbvNumeric ? "a number" : "an array";

	if (v == NULL || v->type == jbvNull)
	{
		if (required)
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_INVALID_CORE),
					 errmsg("transaction \"%s\": foray_core lacks the required field \"%s\"", tx, field),
					 errdetail("Rule SHAPE-002: a transaction's foray_core names its entity and transaction_type (spec §2.1).")));
		return;
	}
	if ((type == jbvBinary) ?
		!(v->type == jbvBinary && JsonContainerIsArray(v->val.binary.data)) :
		v->type != type)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_INVALID_CORE),
				 errmsg("transaction \"%s\": foray_core field \"%s\" must be %s", tx, field, tname),
				 errdetail("Rule SHAPE-001: spec §2.1 types.")));
	if (allowed)
	{
		char	   *s = pnstrdup(v->val.string.val, v->val.string.len);

		for (int i = 0; allowed[i]; i++)
			if (strcmp(s, allowed[i]) == 0)
				return;
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_INVALID_ENUM),
				 errmsg("transaction \"%s\": \"%s\" is not a valid foray_core.%s", tx, s, field),
				 errdetail("Rule ENUM-001: the business status is active, completed or reversed (spec §2.1).")));
	}
}

static bool
valid_transaction_id(const char *tx)
{
	size_t		len = strlen(tx);

	if (len == 0 || len > 200)
		return false;
	for (size_t i = 0; i < len; i++)
	{
		char		c = tx[i];
		bool		alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (!alnum && (i == 0 || (c != '_' && c != '.' && c != ':' && c != '-')))
			return false;
	}
	return true;
}

Datum
foray_transactions_before(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	desc;
	bool		is_insert;
	HeapTuple	newtup;
	char	   *tx;
	char	   *version;
	char	   *ts;
	Jsonb	   *core;
	int			n;
	ForayShards *shards;
	ForayRel	which;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_BEFORE(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event))
		elog(ERROR, "foray_transactions_before: must be a BEFORE ROW trigger");
	rel = td->tg_relation;
	desc = RelationGetDescr(rel);
	is_insert = TRIGGER_FIRED_BY_INSERT(td->tg_event);
	newtup = is_insert ? td->tg_trigtuple : td->tg_newtuple;
	if (foray_restore_mode())
		return PointerGetDatum(newtup);
	shards = foray_shards_for_trigger(td, &which);
	if (shards == NULL)
		return PointerGetDatum(newtup);	/* a Citus shell: its shards do the work */
	foray_check_not_null(rel, newtup);

	tx = foray_get_text(newtup, desc, foray_attno(rel, "transaction_id"));
	if (!valid_transaction_id(tx))
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_ID_PREFIX),
				 errmsg("\"%s\" is not a valid transaction_id", tx),
				 errdetail("Rule ID-002: a transaction_id is 1 to 200 characters from A-Z a-z 0-9 _ . : -, starting with a letter or digit.")));
	foray_check_row_group(shards, tx, rel);
	if (is_insert)
		foray_lock_transaction(tx);		/* its writers queue behind its creator */
	else
	{
		char	   *oldtx = foray_get_text(td->tg_trigtuple, desc, foray_attno(rel, "transaction_id"));

		if (strcmp(oldtx, tx) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_IDENTITY),
					 errmsg("transaction \"%s\" cannot change its transaction_id", oldtx),
					 errdetail("Rule IDENTITY-001: a transaction's identity is fixed.")));
		/* the substrate's own write of derived columns: nothing to validate */
		if (foray_internal_writes > 0)
			return PointerGetDatum(newtup);
	}

	if (foray_internal_writes == 0)
	{
		for (int i = 0; maintained[i]; i++)
		{
			int			attno = foray_attno(rel, maintained[i]);
			bool		isnull;
			bool		bad;

			if (is_insert)
			{
				Datum		d = heap_getattr(newtup, attno, desc, &isnull);

				bad = (i == 0) ? strcmp(TextDatumGetCString(d), "open") != 0 : !isnull;
			}
			else
				bad = foray_column_changed(td->tg_trigtuple, newtup, desc, attno);
			if (bad)
				ereport(ERROR,
						(errcode(ERRCODE_FORAY_LIFECYCLE),
						 errmsg("transaction \"%s\": column \"%s\" is maintained by the substrate", tx, maintained[i]),
						 errdetail("Rule LIFECYCLE-001: lifecycle, hashes and anchor data are derived or recorded by foray functions, never written directly."),
						 errhint("Anchors are recorded with foray.record_anchor(); readiness drives open and ready_to_anchor.")));
		}
	}

	/*
	 * commitment_scheme is the substrate's: 2 for every new transaction, 1
	 * only for what 0.4.0 anchored (absent before 0.5.0's update).
	 */
	if (foray_internal_writes == 0)
	{
		int			attno = SPI_fnumber(desc, "commitment_scheme");

		if (attno > 0)
		{
			bool		isnull;
			Datum		d = heap_getattr(newtup, attno, desc, &isnull);

			if (is_insert ? (isnull || DatumGetInt16(d) != 2) :
				foray_column_changed(td->tg_trigtuple, newtup, desc, attno))
				ereport(ERROR,
						(errcode(ERRCODE_FORAY_LIFECYCLE),
						 errmsg("transaction \"%s\": column \"commitment_scheme\" is maintained by the substrate", tx),
						 errdetail("Rule LIFECYCLE-001: a new transaction commits under scheme 2; only transactions anchored by 0.4.0 keep scheme 1 (docs/merkle.md).")));
		}
	}

	version = foray_get_text(newtup, desc, foray_attno(rel, "schema_version"));
	if (strcmp(version, "4.1") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_INVALID_CORE),
				 errmsg("transaction \"%s\": schema_version \"%s\" is not 4.1", tx, version),
				 errdetail("Rule TX-002: the substrate stores FORAY v4.1 (spec §6.1 rule 2); import upgrades 4.0 and 3.0 documents.")));
	ts = foray_get_text(newtup, desc, foray_attno(rel, "document_timestamp"));
	if (!foray_is_iso8601(ts))
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_INVALID_DATETIME),
				 errmsg("transaction \"%s\": timestamp \"%s\" is not an ISO-8601 date-time", tx, ts),
				 errdetail("Rule SHAPE-003: dates are ISO-8601: YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS[.fff]] with Z or an offset.")));

	{
		char	   *amends = foray_get_text(newtup, desc, foray_attno(rel, "amends_transaction_id"));

		if (amends != NULL && (is_insert ||
							   foray_column_changed(td->tg_trigtuple, newtup, desc,
													foray_attno(rel, "amends_transaction_id"))))
		{
			Datum		arg = CStringGetTextDatum(amends);
			int			rc;
			ForayShards *amended;

			if (strcmp(amends, tx) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_FORAY_REF_SELF),
						 errmsg("transaction \"%s\" cannot amend itself", tx),
						 errdetail("Rule AMEND-001: a correction is a new transaction naming an existing one.")));
			/*
			 * The amended transaction may live in another shard group; on
			 * another node its row cannot be read from here (a trigger on a
			 * shard issues no distributed query).
			 */
			amended = foray_shards_for_tx_if_local(amends);
			if (amended == NULL)
				ereport(ERROR,
						(errcode(ERRCODE_FORAY_AMENDMENT),
						 errmsg("transaction \"%s\" amends \"%s\", which is stored on another node", tx, amends),
						 errdetail("Rule AMEND-001: the substrate checks that the amended transaction exists; on a distributed substrate, foray.amend_transaction() checks it (docs/scale-out.md)."),
						 errhint("Start the correction with foray.amend_transaction('%s', '%s').", amends, tx)));
			if (SPI_connect() != SPI_OK_CONNECT)
				elog(ERROR, "SPI_connect failed");
			rc = SPI_execute_plan(foray_plan(amended, PLAN_LIFECYCLE), &arg, NULL, false, 1);
			if (rc != SPI_OK_SELECT)
				elog(ERROR, "transaction lookup failed: %s", SPI_result_code_string(rc));
			if (SPI_processed == 0)
				ereport(ERROR,
						(errcode(ERRCODE_FORAY_REF_DANGLING),
						 errmsg("transaction \"%s\" amends \"%s\", which does not exist", tx, amends),
						 errdetail("Rule AMEND-001: a correction is a new transaction naming an existing one.")));
			SPI_finish();
		}
	}

	core = foray_get_jsonb(newtup, desc, foray_attno(rel, "foray_core"));
	if (!JB_ROOT_IS_OBJECT(core))
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_INVALID_CORE),
				 errmsg("transaction \"%s\": foray_core must be a JSON object", tx),
				 errdetail("Rule SHAPE-001: spec §2.1.")));
	core_field(core, tx, "entity", jbvString, true, NULL);
	core_field(core, tx, "transaction_type", jbvString, true, NULL);
	core_field(core, tx, "entity_hash", jbvString, false, NULL);
	core_field(core, tx, "currency", jbvString, false, NULL);
	core_field(core, tx, "total_value", jbvNumeric, false, NULL);
	core_field(core, tx, "status", jbvString, false, foray_business_statuses);
	(void) foray_core_strings(core, "compliance_flags", &n, "foray_core", tx);

	/*
	 * Everything the transaction commits to can be hashed (docs/merkle.md):
	 * foray_core and audit_data_anchor canonicalise keeping every number's
	 * value, and audit_data_anchor is an object.
	 */
	if (is_insert || foray_column_changed(td->tg_trigtuple, newtup, desc, foray_attno(rel, "foray_core")))
	{
		uint8		digest[32];

		foray_hash_jsonb_raw(core, true, psprintf("the foray_core of transaction \"%s\"", tx), digest);
	}
	if (is_insert || foray_column_changed(td->tg_trigtuple, newtup, desc,
										  foray_attno(rel, "audit_data_anchor")))
	{
		Jsonb	   *anchor = foray_get_jsonb(newtup, desc, foray_attno(rel, "audit_data_anchor"));
		uint8		digest[32];

		if (anchor != NULL && !JB_ROOT_IS_OBJECT(anchor))
			ereport(ERROR,
					(errcode(ERRCODE_FORAY_INVALID_CORE),
					 errmsg("transaction \"%s\": audit_data_anchor must be a JSON object", tx),
					 errdetail("Rule AUDIT-002: audit_data_anchor is a JSON object or SQL NULL (docs/merkle.md)."),
					 errhint("Write SQL NULL for no audit data anchor.")));
		if (anchor != NULL)
			foray_hash_jsonb_raw(anchor, true,
								 psprintf("the audit_data_anchor of transaction \"%s\"", tx), digest);
	}
	return PointerGetDatum(newtup);
}

Datum
foray_transactions_after(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	Relation	rel;
	TupleDesc	desc;
	char	   *tx;
	const char *keys[2] = {"transaction_type", "entity"};
	const char *vals[2];
	ForayRel	which;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(td->tg_event))
		elog(ERROR, "foray_transactions_after: must be an AFTER trigger");
	if (foray_restore_mode() || !TRIGGER_FIRED_BY_INSERT(td->tg_event))
		return PointerGetDatum(NULL);
	if (foray_shards_for_trigger(td, &which) == NULL)
		return PointerGetDatum(NULL);	/* a Citus shell */
	rel = td->tg_relation;
	desc = RelationGetDescr(rel);
	tx = foray_get_text(td->tg_trigtuple, desc, foray_attno(rel, "transaction_id"));
	vals[0] = foray_get_text(td->tg_trigtuple, desc, foray_attno(rel, "transaction_type"));
	vals[1] = foray_get_text(td->tg_trigtuple, desc, foray_attno(rel, "entity"));
	foray_emit_event("TRANSACTION_CREATED", "TRANSACTION", tx, tx, foray_jsonb_object(2, keys, vals));
	foray_mark_transaction_dirty(tx);
	foray_note_created(tx);
	return PointerGetDatum(NULL);
}
