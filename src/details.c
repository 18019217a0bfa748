/*
 * details.c
 *		foray.commitment_details(tx): every step of a transaction's
 *		commitment (docs/merkle.md, "foray.commitment_details") as one JSON
 *		object, so an independent implementation can be compared entry by
 *		entry: each entry's bytes (hex), each leaf hash, each tree's size
 *		and root, merkle_root and the envelope those hashes give.  The
 *		entries are built with src/core/commit.c, the same code the roots
 *		are computed with.
 */
#include "compat.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "canonical.h"
#include "txhash.h"

PG_FUNCTION_INFO_V1(foray_commitment_details);

static void
push_hex(JsonbParseState **st, const char *key, const uint8 *bytes, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char	   *s = palloc(2 * len + 1);

	for (size_t i = 0; i < len; i++)
	{
		s[2 * i] = hex[bytes[i] >> 4];
		s[2 * i + 1] = hex[bytes[i] & 0x0f];
	}
	s[2 * len] = '\0';
	foray_jb_string(st, key, s);
}

static void
push_hash(JsonbParseState **st, const char *key, const uint8 *raw)
{
	char		h[FORAY_HASH_TEXT_LEN_M + 1];

	foray_hash_to_text(raw, h);
	foray_jb_string(st, key, h);
}

static void
check(int rc)
{
	if (rc != FORAY_MERKLE_OK)
		elog(ERROR, "commitment computation failed: %s", foray_merkle_strerror(rc));
}

/* {"entry": hex, "leaf_hash": H(0x00 || entry)} members of the current object */
static void
push_entry(JsonbParseState **st, const uint8 *entry, size_t len)
{
	uint8		leaf[FORAY_MERKLE_HASH_LEN];

	check(foray_merkle_leaf_hash(foray_backend_hasher(), entry, len, leaf));
	push_hex(st, "entry", entry, len);
	push_hash(st, "leaf_hash", leaf);
}

static void
push_value(JsonbParseState **st, const char *key, Jsonb *jb)
{
	JsonbValue	v;

	foray_jb_key(st, key);
	v.type = jbvBinary;
	v.val.binary.data = &jb->root;
	v.val.binary.len = VARSIZE(jb) - VARHDRSZ;
	pushJsonbValue(st, WJB_VALUE, &v);
}

/*
 * foray.commitment_details(tx text) RETURNS jsonb
 */
Datum
foray_commitment_details(PG_FUNCTION_ARGS)
{
	char	   *txid = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ForayTx		tx;
	const foray_commit_input *in;
	bool		v2;
	JsonbParseState *st = NULL;
	uint8		entry[FORAY_C2_ENTRY_MAX];
	size_t		len;
	uint8		null_hash[FORAY_MERKLE_HASH_LEN];
	foray_hasher *h = foray_backend_hasher();

	foray_tx_load(txid, FORAY_TX_KEEP_IDS, &tx, NULL, NULL);
	foray_tx_require(&tx);
	in = &tx.input;
	v2 = tx.scheme == FORAY_COMMIT_SCHEME_2;
	check(foray_sha256(h, (const uint8 *) "null", 4, null_hash));

	pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
	foray_jb_int(&st, "commitment_scheme", tx.scheme);
	foray_jb_string(&st, "transaction_id", tx.transaction_id);
	foray_jb_string(&st, "schema_version", tx.schema_version);
	foray_jb_string(&st, "timestamp", tx.document_timestamp);
	push_hash(&st, "foray_core_hash", tx.foray_core_hash);
	if (v2)
	{
		foray_jb_key(&st, "header");
		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		check(foray_c2_header_entry(entry, sizeof(entry), &len, in->transaction_id,
									in->transaction_id_len, in->schema_version,
									in->schema_version_len, in->timestamp, in->timestamp_len,
									in->foray_core_hash));
		push_entry(&st, entry, len);
		pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	}

	/* the members, in leaf order */
	foray_jb_key(&st, "members");
	pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	for (size_t i = 0; i < tx.n_members; i++)
	{
		const foray_commit_member *m = &tx.members[i];
		const char *type = foray_c2_type_codes[m->tree];

		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		foray_jb_string(&st, "type", type);
		foray_jb_string(&st, "id", m->id);
		push_hash(&st, "component_hash", m->component_hash);
		if (v2)
			check(foray_c2_member_entry(entry, sizeof(entry), &len, in->transaction_id,
										in->transaction_id_len, type, 3, m->id, m->id_len,
										m->component_hash));
		else
		{
			memcpy(entry, m->component_hash, FORAY_MERKLE_HASH_LEN);
			len = FORAY_MERKLE_HASH_LEN;
		}
		push_entry(&st, entry, len);
		pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(&st, WJB_END_ARRAY, NULL);

	/* the audit_data tree's entries, in leaf order */
	foray_jb_key(&st, "audit");
	pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	if (in->has_anchor || !v2)
	{
		const uint8 *data = in->has_anchor ? in->anchor_hash : null_hash;

		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		foray_jb_string(&st, "kind", "anchor");
		push_hash(&st, "data_hash", data);
		if (v2)
			check(foray_c2_audit_anchor_entry(entry, sizeof(entry), &len, in->transaction_id,
											  in->transaction_id_len, data));
		else
		{
			memcpy(entry, data, FORAY_MERKLE_HASH_LEN);
			len = FORAY_MERKLE_HASH_LEN;
		}
		push_entry(&st, entry, len);
		pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	}
	for (size_t i = 0; i < tx.n_members; i++)
	{
		const foray_commit_member *m = &tx.members[i];
		const char *type = foray_c2_type_codes[m->tree];
		const uint8 *data = m->has_audit ? m->audit_hash : null_hash;

		if (v2 && !m->has_audit)
			continue;
		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		foray_jb_string(&st, "kind", "member");
		foray_jb_string(&st, "type", type);
		foray_jb_string(&st, "id", m->id);
		push_hash(&st, "data_hash", data);
		if (v2)
			check(foray_c2_audit_member_entry(entry, sizeof(entry), &len, in->transaction_id,
											  in->transaction_id_len, type, 3, m->id, m->id_len,
											  data));
		else
		{
			memcpy(entry, data, FORAY_MERKLE_HASH_LEN);
			len = FORAY_MERKLE_HASH_LEN;
		}
		push_entry(&st, entry, len);
		pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(&st, WJB_END_ARRAY, NULL);

	/* the six trees: name, size, root, and their entry in the top tree */
	foray_jb_key(&st, "trees");
	pushJsonbValue(&st, WJB_BEGIN_ARRAY, NULL);
	for (int t = 0; t < FORAY_C2_NTREES; t++)
	{
		const char *name = foray_c2_tree_names[t];
		const uint8 *root = t < FORAY_NTREES ? tx.tree_root[t] : tx.audit_data_hash;

		pushJsonbValue(&st, WJB_BEGIN_OBJECT, NULL);
		foray_jb_string(&st, "name", name);
		foray_jb_int(&st, "size", (int64) tx.tree_size[t]);
		push_hash(&st, "root", root);
		if (v2)
			check(foray_c2_tree_entry(entry, sizeof(entry), &len, name, strlen(name),
									  tx.tree_size[t], root));
		else
		{
			memcpy(entry, root, FORAY_MERKLE_HASH_LEN);
			len = FORAY_MERKLE_HASH_LEN;
		}
		push_entry(&st, entry, len);
		pushJsonbValue(&st, WJB_END_OBJECT, NULL);
	}
	pushJsonbValue(&st, WJB_END_ARRAY, NULL);

	push_hash(&st, "audit_data_hash", tx.audit_data_hash);
	push_hash(&st, "merkle_root", tx.merkle_root);

	/* the envelope these hashes give, whatever the lifecycle */
	{
		text	   *canon;
		Jsonb	   *env = foray_build_envelope(&tx, false, false, &canon);
		uint8		digest[FORAY_MERKLE_HASH_LEN];

		push_value(&st, "envelope", env);
		foray_jb_string(&st, "envelope_text", text_to_cstring(canon));
		check(foray_sha256(h, (const uint8 *) VARDATA_ANY(canon), VARSIZE_ANY_EXHDR(canon), digest));
		push_hash(&st, "envelope_sha256", digest);
	}
	PG_RETURN_JSONB_P(JsonbValueToJsonb(pushJsonbValue(&st, WJB_END_OBJECT, NULL)));
}
