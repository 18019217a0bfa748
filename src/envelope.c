/*
 * envelope.c
 *		The anchor envelope: the minimal payload the anchor service writes
 *		on chain (primer, "Layer 1, ~200-500 bytes"):
 *
 *		{"audit_data_hash", "foray_core_hash", "merkle_root",
 *		 "schema_version", "timestamp", "transaction_id"}
 *
 * Its canonical (RFC 8785) form must stay under FORAY_ENVELOPE_MAX bytes.
 */
#include "compat.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "canonical.h"
#include "txhash.h"

PG_FUNCTION_INFO_V1(foray_anchor_envelope);

#define FORAY_ENVELOPE_MAX 500

/*
 * The envelope of a loaded transaction, from its current rows (ready to
 * anchor) or from what was anchored (anchored, sealed).
 */
static Jsonb *
build_envelope(const ForayTx *tx)
{
	JsonbParseState *st = NULL;
	JsonbValue *res;
	Jsonb	   *env;
	text	   *canon;
	char		core[FORAY_HASH_TEXT_LEN_M + 1];
	char		audit[FORAY_HASH_TEXT_LEN_M + 1];
	char		root[FORAY_HASH_TEXT_LEN_M + 1];
	bool		anchored = strcmp(tx->lifecycle, "anchored") == 0 ||
		strcmp(tx->lifecycle, "sealed") == 0;

	if (!anchored && strcmp(tx->lifecycle, "ready_to_anchor") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_NOT_READY),
				 errmsg("transaction \"%s\" is not ready to anchor", tx->transaction_id),
				 errdetail("Rule ANCHOR-READY: an envelope is built only for a transaction whose lifecycle is ready_to_anchor (it is %s).",
						   tx->lifecycle)));
	if (anchored && tx->stored_foray_core_hash && tx->stored_audit_data_hash &&
		tx->stored_merkle_root)
	{
		/* what the chain holds, as recorded */
		strlcpy(core, tx->stored_foray_core_hash, sizeof(core));
		strlcpy(audit, tx->stored_audit_data_hash, sizeof(audit));
		strlcpy(root, tx->stored_merkle_root, sizeof(root));
	}
	else
	{
		foray_hash_to_text(tx->foray_core_hash, core);
		foray_hash_to_text(tx->audit_data_hash, audit);
		foray_hash_to_text(tx->merkle_root, root);
	}

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	foray_jb_string(&st, "transaction_id", tx->transaction_id);
	foray_jb_string(&st, "schema_version", tx->schema_version);
	foray_jb_string(&st, "timestamp", tx->document_timestamp);
	foray_jb_string(&st, "foray_core_hash", core);
	foray_jb_string(&st, "audit_data_hash", audit);
	foray_jb_string(&st, "merkle_root", root);
	res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	env = JsonbValueToJsonb(res);

	canon = foray_canonicalize_jsonb(env);
	if (VARSIZE_ANY_EXHDR(canon) >= FORAY_ENVELOPE_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_ENVELOPE_SIZE),
				 errmsg("anchor envelope of transaction \"%s\" is %d bytes", tx->transaction_id,
						(int) VARSIZE_ANY_EXHDR(canon)),
				 errdetail("Rule ANCHOR-SIZE: the canonical envelope must stay under %d bytes.",
						   FORAY_ENVELOPE_MAX),
				 errhint("Use a shorter transaction_id.")));
	return env;
}

/*
 * foray.anchor_envelope(tx text) RETURNS jsonb
 */
Datum
foray_anchor_envelope(PG_FUNCTION_ARGS)
{
	char	   *txid = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ForayTx		tx;

	foray_tx_load(txid, 0, &tx, NULL, NULL);
	foray_tx_require(&tx);
	PG_RETURN_JSONB_P(build_envelope(&tx));
}
