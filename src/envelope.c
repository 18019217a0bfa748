/*
 * envelope.c
 *		The anchor envelope: the minimal payload the anchor service writes
 *		on chain (primer, "Layer 1, ~200-500 bytes"):
 *
 *		{"audit_data_hash", "commitment_scheme", "foray_core_hash",
 *		 "merkle_root", "schema_version", "timestamp", "transaction_id"}
 *
 * (commitment_scheme since scheme 2; a scheme-1 envelope, anchored by
 * 0.4.0, has none).
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
PG_FUNCTION_INFO_V1(foray_anchor_envelope_text);
PG_FUNCTION_INFO_V1(foray_anchor_envelope_sha256);

#define FORAY_ENVELOPE_MAX 500

/*
 * The envelope of a loaded transaction: from its current rows (ready to
 * anchor, or always when not recorded) or, recorded, from what was
 * anchored (anchored, sealed).  Scheme 2 states its commitment scheme,
 * scheme 1 (0.4.0) did not.  check_size: refuse (22R52) an envelope of 500
 * bytes or more.  Its canonical text in *text_out (when not NULL).
 */
Jsonb *
foray_build_envelope(const ForayTx *tx, bool recorded, bool check_size, text **text_out)
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

	if (recorded && anchored && tx->stored_foray_core_hash && tx->stored_audit_data_hash &&
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
	if (tx->scheme != FORAY_COMMIT_SCHEME_1)
		foray_jb_int(&st, "commitment_scheme", tx->scheme);
	res = pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	env = JsonbValueToJsonb(res);

	canon = foray_canonicalize_jsonb(env);
	if (check_size && VARSIZE_ANY_EXHDR(canon) >= FORAY_ENVELOPE_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_ENVELOPE_SIZE),
				 errmsg("anchor envelope of transaction \"%s\" is %d bytes", tx->transaction_id,
						(int) VARSIZE_ANY_EXHDR(canon)),
				 errdetail("Rule ANCHOR-SIZE: the canonical envelope must stay under %d bytes: transaction_id and timestamp may have %d characters together.",
						   FORAY_ENVELOPE_MAX,
						   FORAY_ENVELOPE_MAX - 1 - (tx->scheme == FORAY_COMMIT_SCHEME_1 ? 331 : 353)),
				 errhint("Use a shorter transaction_id.")));
	if (text_out != NULL)
		*text_out = canon;
	return env;
}

/* an envelope exists for a transaction ready to anchor, anchored or sealed */
static void
require_envelope(const ForayTx *tx)
{
	if (strcmp(tx->lifecycle, "ready_to_anchor") != 0 && strcmp(tx->lifecycle, "anchored") != 0 &&
		strcmp(tx->lifecycle, "sealed") != 0)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_NOT_READY),
				 errmsg("transaction \"%s\" is not ready to anchor", tx->transaction_id),
				 errdetail("Rule ANCHOR-READY: an envelope is built only for a transaction whose lifecycle is ready_to_anchor (it is %s).",
						   tx->lifecycle)));
}

Jsonb *
foray_tx_envelope(const ForayTx *tx)
{
	return foray_build_envelope(tx, true, true, NULL);
}

text *
foray_tx_envelope_text(const ForayTx *tx, Jsonb **envelope_out)
{
	text	   *canon;
	Jsonb	   *env = foray_build_envelope(tx, true, true, &canon);

	if (envelope_out != NULL)
		*envelope_out = env;
	return canon;
}

static void
load_ready(const char *txid, ForayTx *tx)
{
	foray_tx_load(txid, 0, tx, NULL, NULL);
	foray_tx_require(tx);
	require_envelope(tx);
}

/*
 * The canonical envelope texts of n distinct transactions, as
 * foray.anchor_envelope_text gives each (the same refusals, for the first
 * transaction in ids order that has one), loaded together
 * (foray_tx_load_many).
 */
void
foray_envelope_texts(const char *const *ids, int n, text **texts)
{
	ForayTx    *txs = palloc(sizeof(ForayTx) * Max(n, 1));

	foray_tx_load_many(ids, n, txs);
	for (int i = 0; i < n; i++)
	{
		foray_tx_require(&txs[i]);
		require_envelope(&txs[i]);
		texts[i] = foray_tx_envelope_text(&txs[i], NULL);
	}
}

/*
 * foray.anchor_envelope(tx text) RETURNS jsonb
 */
Datum
foray_anchor_envelope(PG_FUNCTION_ARGS)
{
	ForayTx		tx;

	load_ready(text_to_cstring(PG_GETARG_TEXT_PP(0)), &tx);
	PG_RETURN_JSONB_P(foray_build_envelope(&tx, true, true, NULL));
}

/*
 * foray.anchor_envelope_text(tx text) RETURNS text
 * The envelope's RFC 8785 canonical text: its UTF-8 bytes go on chain.
 */
Datum
foray_anchor_envelope_text(PG_FUNCTION_ARGS)
{
	ForayTx		tx;

	load_ready(text_to_cstring(PG_GETARG_TEXT_PP(0)), &tx);
	PG_RETURN_TEXT_P(foray_tx_envelope_text(&tx, NULL));
}

/*
 * foray.anchor_envelope_sha256(tx text) RETURNS text
 * SHA-256 of the canonical envelope's UTF-8 bytes, "sha256:<hex>".
 */
Datum
foray_anchor_envelope_sha256(PG_FUNCTION_ARGS)
{
	ForayTx		tx;
	text	   *canon;
	uint8		digest[FORAY_MERKLE_HASH_LEN];
	char		out[FORAY_HASH_TEXT_LEN_M + 1];
	int			rc;

	load_ready(text_to_cstring(PG_GETARG_TEXT_PP(0)), &tx);
	canon = foray_tx_envelope_text(&tx, NULL);
	rc = foray_sha256(foray_backend_hasher(), (const uint8 *) VARDATA_ANY(canon),
					  VARSIZE_ANY_EXHDR(canon), digest);
	if (rc != FORAY_MERKLE_OK)
		elog(ERROR, "sha-256 failed: %s", foray_merkle_strerror(rc));
	foray_hash_to_text(digest, out);
	PG_RETURN_TEXT_P(cstring_to_text(out));
}
