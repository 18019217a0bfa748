/*
 * log_verify.c
 *		What anyone may compute about the log without reading a table
 *		(docs/log.md): the leaf of an envelope, verification of inclusion
 *		and consistency proofs against trusted tree heads or checkpoints,
 *		checkpoint parsing, and Ed25519 signed-note verification with a
 *		C2SP verifier key (OpenSSL libcrypto, src/core/tlog_note.c).
 *
 * Malformed input is an error with one SQLSTATE per kind (22R50 hash text,
 * 22R60 proof, 22R61 checkpoint, 22R62 verifier key, 22R63 signed note,
 * 22R64 size); well-formed input that proves nothing is false.
 */
#include "compat.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "canonical.h"
#include "log.h"
#include "tlog_note.h"
#include "txhash.h"

PG_FUNCTION_INFO_V1(foray_log_nodes_at);
PG_FUNCTION_INFO_V1(foray_log_leaf_hash);
PG_FUNCTION_INFO_V1(foray_log_verify_inclusion);
PG_FUNCTION_INFO_V1(foray_log_verify_inclusion_cp);
PG_FUNCTION_INFO_V1(foray_log_verify_consistency);
PG_FUNCTION_INFO_V1(foray_log_verify_consistency_cp);
PG_FUNCTION_INFO_V1(foray_log_parse_checkpoint);
PG_FUNCTION_INFO_V1(foray_log_verify_signature);
PG_FUNCTION_INFO_V1(foray_verify_proof_chain);

/* from proof_verify.c: foray.verify_inclusion(proof jsonb, root text) */
extern Datum foray_verify_inclusion_proof(PG_FUNCTION_ARGS);

#define HL FORAY_MERKLE_HASH_LEN

/* ---------------------------------------------------------------------
 * Shared with log.c
 * ---------------------------------------------------------------------
 */

const char *
foray_log_utf8(text *t, size_t *len)
{
	const char *s = VARDATA_ANY(t);
	int			n = VARSIZE_ANY_EXHDR(t);

	if (GetDatabaseEncoding() != PG_UTF8)
	{
		char	   *conv = pg_server_to_any(s, n, PG_UTF8);

		if (conv != s)
		{
			*len = strlen(conv);
			return conv;
		}
	}
	*len = (size_t) n;
	return s;
}

void
foray_log_text_leaf(text *canonical, uint8 leaf[HL])
{
	size_t		len;
	const char *bytes = foray_log_utf8(canonical, &len);
	int			rc = foray_merkle_leaf_hash(foray_backend_hasher(), (const uint8_t *) bytes,
											len, leaf);

	if (rc != FORAY_MERKLE_OK)
		elog(ERROR, "log leaf hash failed: %s", foray_merkle_strerror(rc));
}

void
foray_log_envelope_leaf(Jsonb *envelope, uint8 leaf[HL])
{
	foray_log_text_leaf(foray_canonicalize_jsonb(envelope), leaf);
}

void
foray_log_push_hashes(JsonbParseState **st, const char *key, const uint8 *hashes, size_t n)
{
	size_t		i;

	foray_jb_key(st, key);
	pushJsonbValue(st, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < n; i++)
	{
		char		h[FORAY_HASH_TEXT_LEN_M + 1];
		JsonbValue	v;

		foray_hash_to_text(hashes + i * HL, h);
		v.type = jbvString;
		v.val.string.val = pstrdup(h);
		v.val.string.len = FORAY_HASH_TEXT_LEN_M;
		pushJsonbValue(st, WJB_ELEM, &v);
	}
	pushJsonbValue(st, WJB_END_ARRAY, NULL);
}

uint64
foray_log_size_arg(int64 value, const char *what)
{
	if (value < 0)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_LOG_BAD_ARGUMENT),
				 errmsg("%s must not be negative (it is " INT64_FORMAT ")", what, value),
				 errdetail("Rule TLOG-SIZE: tree sizes and log indices count entries from 0.")));
	return (uint64) value;
}

int
foray_log_check_note(const char *note, size_t len, text *vkey, foray_vkey *key,
					 size_t *text_len, size_t *sig_off, size_t *sig_len)
{
	size_t		vlen;
	const char *v = foray_log_utf8(vkey, &vlen);
	const char *why;
	int			rc = foray_vkey_parse(foray_backend_hasher(), v, vlen, key, &why);

	if (rc == FORAY_NOTE_MALFORMED || rc == FORAY_NOTE_UNSUPPORTED)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_LOG_BAD_VKEY),
				 errmsg("vkey is not an Ed25519 verifier key: %s", why),
				 errdetail("Rule TLOG-VKEY: a verifier key is \"<key name>+<8 hex digits of the key ID>+<base64 of 0x01 and the 32-byte Ed25519 public key>\" (C2SP signed-note), key ID = SHA-256(key name || 0x0A || 0x01 || public key)[:4].")));
	if (rc != FORAY_NOTE_OK)
		elog(ERROR, "verifier key check failed (libcrypto)");
	rc = foray_note_verify(note, len, key, text_len, sig_off, sig_len, &why);
	if (rc == FORAY_NOTE_MALFORMED)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_LOG_BAD_NOTE),
				 errmsg("not a signed note: %s", why),
				 errdetail("Rule TLOG-NOTE: a signed note is its text (ending in a newline), a blank line, then 1 to 100 signature lines, each an em dash (U+2014), a space, the key name, a space, the base64 of key ID and signature, and a newline (C2SP signed-note).")));
	if (rc == FORAY_NOTE_CRYPTO)
		elog(ERROR, "signature verification failed (libcrypto)");
	return rc;
}

/* ---------------------------------------------------------------------
 * Proofs as JSON
 * ---------------------------------------------------------------------
 */

typedef struct ProofShape
{
	const char *kind;			/* "inclusion" or "consistency" */
	const char *shape;			/* for the DETAIL line */
} ProofShape;

static const ProofShape inclusion_shape = {
	"inclusion",
	"{\"leaf_index\": n, \"tree_size\": n, \"path\": [\"sha256:...\", ...]}"
};
static const ProofShape consistency_shape = {
	"consistency",
	"{\"old_size\": n, \"new_size\": n, \"path\": [\"sha256:...\", ...]}"
};

static void
bad_proof(const ProofShape *ps, const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_FORAY_LOG_BAD_PROOF),
			 errmsg("malformed log %s proof: %s", ps->kind, what),
			 errdetail("Rule TLOG-PROOF: a log %s proof is %s; other keys are ignored.",
					   ps->kind, ps->shape)));
}

/* an integer field in 0 .. 2^63 - 1 */
static uint64
proof_count(Jsonb *proof, const char *key, const ProofShape *ps)
{
	JsonbValue *v = getKeyJsonValueFromContainer(&proof->root, key, strlen(key), NULL);
	char	   *s;
	uint64		r = 0;
	size_t		i;

	if (v == NULL)
		bad_proof(ps, psprintf("%s is missing", key));
	if (v->type != jbvNumeric)
		bad_proof(ps, psprintf("%s is not a number", key));
	s = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
	if (s[0] == '\0' || strspn(s, "0123456789") != strlen(s) || strlen(s) > 19 ||
		(s[0] == '0' && s[1] != '\0'))
		bad_proof(ps, psprintf("%s must be an integer from 0 to 2^63 - 1 (it is %s)", key, s));
	for (i = 0; s[i]; i++)
	{
		if (r > ((uint64) PG_INT64_MAX - (uint64) (s[i] - '0')) / 10)
			bad_proof(ps, psprintf("%s must be an integer from 0 to 2^63 - 1 (it is %s)", key, s));
		r = r * 10 + (uint64) (s[i] - '0');
	}
	return r;
}

/*
 * The path: *n hashes into out (room for max).  A path longer than max
 * cannot belong to any tree of up to 2^63 entries: *too_long, no error.
 */
static void
proof_path(Jsonb *proof, const ProofShape *ps, uint8 *out, size_t max, size_t *n, bool *too_long)
{
	JsonbValue *v = getKeyJsonValueFromContainer(&proof->root, "path", 4, NULL);
	uint32		count;
	uint32		i;

	*n = 0;
	*too_long = false;
	if (v == NULL)
		bad_proof(ps, "path is missing");
	if (v->type != jbvBinary || !JsonContainerIsArray(v->val.binary.data) ||
		JsonContainerIsScalar(v->val.binary.data))
		bad_proof(ps, "path is not an array");
	count = JsonContainerSize(v->val.binary.data);
	if (count > max)
	{
		*too_long = true;
		return;
	}
	for (i = 0; i < count; i++)
	{
		JsonbValue *e = getIthJsonbValueFromContainer(v->val.binary.data, i);

		if (e == NULL || e->type != jbvString ||
			!foray_hash_from_text(pnstrdup(e->val.string.val, e->val.string.len), out + i * HL))
			bad_proof(ps, psprintf("path element %u is not a \"sha256:<64 hex digits>\" string", i + 1));
	}
	*n = count;
}

static void
require_object(Jsonb *proof, const ProofShape *ps)
{
	if (!JB_ROOT_IS_OBJECT(proof))
		bad_proof(ps, "not a JSON object");
}

/* RFC 9162 2.1.3.2 on a proof object against a trusted tree head */
static bool
verify_inclusion(const uint8 leaf[HL], Jsonb *proof, uint64 tree_size, const uint8 root[HL])
{
	uint8		path[FORAY_MERKLE_MAX_PATH * HL];
	uint8		got[HL];
	size_t		n;
	bool		too_long;
	uint64		index;
	uint64		size;
	int			rc;

	require_object(proof, &inclusion_shape);
	index = proof_count(proof, "leaf_index", &inclusion_shape);
	size = proof_count(proof, "tree_size", &inclusion_shape);
	proof_path(proof, &inclusion_shape, path, FORAY_MERKLE_MAX_PATH, &n, &too_long);
	/* a proof for another tree proves nothing about this one */
	if (too_long || size != tree_size)
		return false;
	rc = foray_merkle_root_from_path(foray_backend_hasher(), index, size, leaf, path, n, got);
	if (rc == FORAY_MERKLE_BAD_INDEX || rc == FORAY_MERKLE_BAD_PATH_LEN)
		return false;
	if (rc != FORAY_MERKLE_OK)
		elog(ERROR, "inclusion proof verification failed: %s", foray_merkle_strerror(rc));
	return memcmp(got, root, HL) == 0;
}

/* RFC 9162 2.1.4.2 on a proof object against two trusted tree heads */
static bool
verify_consistency(uint64 old_size, const uint8 old_root[HL], uint64 new_size,
				   const uint8 new_root[HL], Jsonb *proof)
{
	uint8		path[FORAY_TLOG_MAX_CONSISTENCY * HL];
	size_t		n;
	bool		too_long;
	uint64		m;
	uint64		s;
	int			rc;

	require_object(proof, &consistency_shape);
	m = proof_count(proof, "old_size", &consistency_shape);
	s = proof_count(proof, "new_size", &consistency_shape);
	proof_path(proof, &consistency_shape, path, FORAY_TLOG_MAX_CONSISTENCY, &n, &too_long);
	if (too_long || m != old_size || s != new_size)
		return false;
	rc = foray_tlog_verify_consistency(foray_backend_hasher(), m, s, old_root, new_root, path, n);
	if (rc == FORAY_MERKLE_OK)
		return true;
	if (rc == FORAY_MERKLE_MISMATCH || rc == FORAY_MERKLE_BAD_PATH_LEN ||
		rc == FORAY_MERKLE_BAD_SIZE)
		return false;
	elog(ERROR, "consistency proof verification failed: %s", foray_merkle_strerror(rc));
	return false;				/* keep the compiler quiet */
}

/* ---------------------------------------------------------------------
 * Checkpoints
 * ---------------------------------------------------------------------
 */

static void
parse_checkpoint_arg(text *t, const char *what, foray_checkpoint *cp)
{
	size_t		len;
	const char *s = foray_log_utf8(t, &len);
	const char *why;

	if (foray_checkpoint_parse(s, len, cp, &why) != FORAY_NOTE_OK)
		ereport(ERROR,
				(errcode(ERRCODE_FORAY_LOG_BAD_CHECKPOINT),
				 errmsg("%s is not a checkpoint: %s", what, why),
				 errdetail("Rule TLOG-CHECKPOINT: a checkpoint is \"<origin>\\n<tree size>\\n<base64 of the 32-byte root>\\n\", optionally followed by non-empty extension lines (C2SP tlog-checkpoint).")));
	if (cp->size > (uint64) PG_INT64_MAX)
		elog(ERROR, "checkpoint size out of range");
}

/* ---------------------------------------------------------------------
 * SQL
 * ---------------------------------------------------------------------
 */

/* foray.log_nodes_at(bigint) RETURNS integer: trailing one bits (0 if negative) */
Datum
foray_log_nodes_at(PG_FUNCTION_ARGS)
{
	int64		i = PG_GETARG_INT64(0);

	PG_RETURN_INT32(i < 0 ? 0 : (int32) foray_tlog_nodes_at((uint64) i));
}

/* foray.log_leaf_hash(envelope jsonb) RETURNS text */
Datum
foray_log_leaf_hash(PG_FUNCTION_ARGS)
{
	uint8		leaf[HL];
	char		h[FORAY_HASH_TEXT_LEN_M + 1];

	foray_log_envelope_leaf(PG_GETARG_JSONB_P(0), leaf);
	foray_hash_to_text(leaf, h);
	PG_RETURN_TEXT_P(cstring_to_text(h));
}

/* foray.log_verify_inclusion(leaf_hash text, proof jsonb, tree_size bigint, root text) */
Datum
foray_log_verify_inclusion(PG_FUNCTION_ARGS)
{
	uint8		leaf[HL];
	uint8		root[HL];
	uint64		size = foray_log_size_arg(PG_GETARG_INT64(2), "tree_size");

	foray_hash_from_text_or_error(text_to_cstring(PG_GETARG_TEXT_PP(0)), leaf, "leaf_hash");
	foray_hash_from_text_or_error(text_to_cstring(PG_GETARG_TEXT_PP(3)), root, "root");
	PG_RETURN_BOOL(verify_inclusion(leaf, PG_GETARG_JSONB_P(1), size, root));
}

/* foray.log_verify_inclusion(leaf_hash text, proof jsonb, checkpoint text) */
Datum
foray_log_verify_inclusion_cp(PG_FUNCTION_ARGS)
{
	uint8		leaf[HL];
	foray_checkpoint cp;

	foray_hash_from_text_or_error(text_to_cstring(PG_GETARG_TEXT_PP(0)), leaf, "leaf_hash");
	parse_checkpoint_arg(PG_GETARG_TEXT_PP(2), "checkpoint", &cp);
	PG_RETURN_BOOL(verify_inclusion(leaf, PG_GETARG_JSONB_P(1), cp.size, cp.root));
}

/*
 * foray.log_verify_consistency(old_size bigint, old_root text, new_size bigint,
 *								new_root text, proof jsonb)
 */
Datum
foray_log_verify_consistency(PG_FUNCTION_ARGS)
{
	uint64		old_size = foray_log_size_arg(PG_GETARG_INT64(0), "old_size");
	uint64		new_size = foray_log_size_arg(PG_GETARG_INT64(2), "new_size");
	uint8		old_root[HL];
	uint8		new_root[HL];

	foray_hash_from_text_or_error(text_to_cstring(PG_GETARG_TEXT_PP(1)), old_root, "old_root");
	foray_hash_from_text_or_error(text_to_cstring(PG_GETARG_TEXT_PP(3)), new_root, "new_root");
	PG_RETURN_BOOL(verify_consistency(old_size, old_root, new_size, new_root,
									  PG_GETARG_JSONB_P(4)));
}

/* foray.log_verify_consistency(old_checkpoint text, new_checkpoint text, proof jsonb) */
Datum
foray_log_verify_consistency_cp(PG_FUNCTION_ARGS)
{
	foray_checkpoint old_cp;
	foray_checkpoint new_cp;
	bool		ok;

	parse_checkpoint_arg(PG_GETARG_TEXT_PP(0), "old_checkpoint", &old_cp);
	parse_checkpoint_arg(PG_GETARG_TEXT_PP(1), "new_checkpoint", &new_cp);
	ok = verify_consistency(old_cp.size, old_cp.root, new_cp.size, new_cp.root,
							PG_GETARG_JSONB_P(2));
	/* two logs' heads are not consistent with each other, whatever the proof */
	if (old_cp.origin_len != new_cp.origin_len ||
		memcmp(old_cp.origin, new_cp.origin, old_cp.origin_len) != 0)
		ok = false;
	PG_RETURN_BOOL(ok);
}

/* foray.log_parse_checkpoint(text, OUT origin text, OUT tree_size bigint, OUT root text) */
Datum
foray_log_parse_checkpoint(PG_FUNCTION_ARGS)
{
	foray_checkpoint cp;
	TupleDesc	desc;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	char		h[FORAY_HASH_TEXT_LEN_M + 1];
	char	   *origin;

	parse_checkpoint_arg(PG_GETARG_TEXT_PP(0), "checkpoint", &cp);
	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "foray.log_parse_checkpoint must return a record");
	desc = BlessTupleDesc(desc);
	origin = pg_any_to_server(cp.origin, (int) cp.origin_len, PG_UTF8);
	values[0] = PointerGetDatum(cstring_to_text_with_len(origin, origin == cp.origin ?
														 (int) cp.origin_len : (int) strlen(origin)));
	values[1] = Int64GetDatum((int64) cp.size);
	foray_hash_to_text(cp.root, h);
	values[2] = CStringGetTextDatum(h);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}

/* foray.log_verify_signature(signed_note text, vkey text) RETURNS boolean */
Datum
foray_log_verify_signature(PG_FUNCTION_ARGS)
{
	size_t		note_len;
	const char *note = foray_log_utf8(PG_GETARG_TEXT_PP(0), &note_len);
	foray_vkey	key;
	size_t		text_len;
	size_t		sig_off;
	size_t		sig_len;

	PG_RETURN_BOOL(foray_log_check_note(note, note_len, PG_GETARG_TEXT_PP(1), &key,
										&text_len, &sig_off, &sig_len) == FORAY_NOTE_OK);
}

/* ---------------------------------------------------------------------
 * A whole proof chain: component -> merkle_root -> envelope -> leaf ->
 * checkpoint -> the payload on chain
 * ---------------------------------------------------------------------
 */

static void
bad_chain(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_FORAY_LOG_BAD_CHAIN),
			 errmsg("malformed proof chain: %s", what),
			 errdetail("Rule TLOG-CHAIN: a proof chain is {\"transaction_id\": s, \"subject_id\": s, \"component\": {inclusion proof}, \"envelope\": {anchor envelope}, \"log\": {log inclusion proof} or null, \"checkpoint\": s or null}; other keys are ignored.")));
}

/* an object, or NULL for JSON null when null_ok */
static Jsonb *
chain_object(Jsonb *chain, const char *key, bool null_ok)
{
	JsonbValue *v = getKeyJsonValueFromContainer(&chain->root, key, strlen(key), NULL);

	if (v == NULL)
		bad_chain(psprintf("%s is missing", key));
	if (v->type == jbvNull && null_ok)
		return NULL;
	if (v->type != jbvBinary || !JsonContainerIsObject(v->val.binary.data))
		bad_chain(psprintf("%s is not an object%s", key, null_ok ? " or null" : ""));
	return JsonbValueToJsonb(v);
}

/* a string, or NULL for JSON null when null_ok */
static char *
chain_string(Jsonb *obj, const char *key, const char *where, bool null_ok)
{
	JsonbValue *v = getKeyJsonValueFromContainer(&obj->root, key, strlen(key), NULL);

	if (v == NULL)
		bad_chain(psprintf("%s%s is missing", where, key));
	if (v->type == jbvNull && null_ok)
		return NULL;
	if (v->type != jbvString)
		bad_chain(psprintf("%s%s is not a string%s", where, key, null_ok ? " or null" : ""));
	return pnstrdup(v->val.string.val, v->val.string.len);
}

/* the UTF-8 bytes of a text equal these bytes */
static bool
utf8_equals(text *t, const char *bytes, size_t len)
{
	size_t		tlen;
	const char *s = foray_log_utf8(t, &tlen);

	return tlen == len && memcmp(s, bytes, len) == 0;
}

/* foray.verify_proof_chain(chain jsonb, anchored text) RETURNS boolean */
Datum
foray_verify_proof_chain(PG_FUNCTION_ARGS)
{
	Jsonb	   *chain = PG_GETARG_JSONB_P(0);
	text	   *anchored = PG_GETARG_TEXT_PP(1);
	Jsonb	   *component;
	Jsonb	   *envelope;
	Jsonb	   *log;
	char	   *checkpoint;
	char	   *txid;
	char	   *root;
	char	   *proved_tx;
	char	   *proved_subject;
	JsonbValue *v;
	uint8		raw[HL];
	uint8		leaf[HL];
	char		leaf_text[FORAY_HASH_TEXT_LEN_M + 1];
	text	   *canon;
	size_t		clen;
	const char *cbytes;

	if (!JB_ROOT_IS_OBJECT(chain))
		bad_chain("not a JSON object");
	component = chain_object(chain, "component", false);
	envelope = chain_object(chain, "envelope", false);
	log = chain_object(chain, "log", true);
	checkpoint = chain_string(chain, "checkpoint", "", true);
	if ((log == NULL) != (checkpoint == NULL))
		bad_chain("log and checkpoint must both be null (a transaction anchored alone) or both be given");
	txid = chain_string(envelope, "transaction_id", "envelope.", false);
	root = chain_string(envelope, "merkle_root", "envelope.", false);

	/* the labels say what the links prove */
	if (strcmp(chain_string(chain, "transaction_id", "", false), txid) != 0)
		PG_RETURN_BOOL(false);
	v = getKeyJsonValueFromContainer(&component->root, "transaction_id", 14, NULL);
	proved_tx = v != NULL && v->type == jbvString ? pnstrdup(v->val.string.val, v->val.string.len) : NULL;
	v = getKeyJsonValueFromContainer(&component->root, "subject_id", 10, NULL);
	proved_subject = v != NULL && v->type == jbvString ? pnstrdup(v->val.string.val, v->val.string.len) : NULL;
	if (proved_tx == NULL || strcmp(proved_tx, txid) != 0 || proved_subject == NULL ||
		strcmp(proved_subject, chain_string(chain, "subject_id", "", false)) != 0)
		PG_RETURN_BOOL(false);

	/* component -> merkle_root (its own rules, 22R51 when malformed) */
	if (!foray_hash_from_text(root, raw))
		PG_RETURN_BOOL(false);
	if (!DatumGetBool(DirectFunctionCall2(foray_verify_inclusion_proof, JsonbPGetDatum(component),
										  CStringGetTextDatum(root))))
		PG_RETURN_BOOL(false);

	/* merkle_root -> envelope -> its canonical bytes and leaf */
	canon = foray_canonicalize_jsonb(envelope);
	cbytes = foray_log_utf8(canon, &clen);
	if (log == NULL)
		/* anchored alone: the canonical envelope is what went on chain */
		PG_RETURN_BOOL(utf8_equals(anchored, cbytes, clen));
	foray_log_text_leaf(canon, leaf);
	foray_hash_to_text(leaf, leaf_text);

	/* leaf -> checkpoint (22R60, 22R61 when malformed) -> the chain */
	if (!DatumGetBool(DirectFunctionCall3(foray_log_verify_inclusion_cp, CStringGetTextDatum(leaf_text),
										  JsonbPGetDatum(log), CStringGetTextDatum(checkpoint))))
		PG_RETURN_BOOL(false);
	{
		text	   *cp = cstring_to_text(checkpoint);
		size_t		cplen;
		const char *cpbytes = foray_log_utf8(cp, &cplen);

		PG_RETURN_BOOL(utf8_equals(anchored, cpbytes, cplen));
	}
}
