/*
 * commit.c
 *		The entries of commitment scheme 2 (see commit.h, docs/merkle.md).
 */
#include "commit.h"

#include <string.h>

const char *const foray_c2_tree_names[FORAY_C2_NTREES] = {
	"arrangements", "accruals", "anticipations", "actions", "attestations", "audit_data"
};

const char *const foray_c2_type_codes[FORAY_C2_NTREES - 1] = {
	"ARR", "ACC", "ANT", "ACT", "ATT"
};

int
foray_c2_tree_of_type(const char *type, size_t len)
{
	for (int i = 0; i < FORAY_C2_NTREES - 1; i++)
		if (len == 3 && memcmp(type, foray_c2_type_codes[i], 3) == 0)
			return i;
	return -1;
}

int
foray_c2_tree_of_name(const char *name, size_t len)
{
	for (int i = 0; i < FORAY_C2_NTREES; i++)
		if (strlen(foray_c2_tree_names[i]) == len &&
			memcmp(name, foray_c2_tree_names[i], len) == 0)
			return i;
	return -1;
}

int
foray_c2_id_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int			c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

/* an entry being written into a caller's buffer */
typedef struct EntryBuf
{
	uint8_t    *p;
	size_t		cap;
	size_t		len;
	int			rc;
} EntryBuf;

static void
put(EntryBuf *b, const void *data, size_t n)
{
	if (b->rc != FORAY_MERKLE_OK)
		return;
	if (n > b->cap - b->len)
	{
		b->rc = FORAY_MERKLE_TOO_LONG;
		return;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

static void
put_tag(EntryBuf *b, char kind)
{
	uint8_t		tag[2] = {FORAY_COMMIT_SCHEME_2, (uint8_t) kind};

	put(b, tag, 2);
}

static void
put_str(EntryBuf *b, const char *s, size_t n)
{
	uint8_t		len[2];

	if (n > 0xffff)
	{
		b->rc = FORAY_MERKLE_TOO_LONG;
		return;
	}
	len[0] = (uint8_t) (n >> 8);
	len[1] = (uint8_t) (n & 0xff);
	put(b, len, 2);
	put(b, s, n);
}

static void
put_u64(EntryBuf *b, uint64_t v)
{
	uint8_t		be[8];

	for (int i = 7; i >= 0; i--)
	{
		be[i] = (uint8_t) (v & 0xff);
		v >>= 8;
	}
	put(b, be, 8);
}

static int
done(EntryBuf *b, size_t *len)
{
	*len = b->len;
	return b->rc;
}

int
foray_c2_header_entry(uint8_t *out, size_t cap, size_t *len,
					  const char *tx, size_t tx_len,
					  const char *schema, size_t schema_len,
					  const char *ts, size_t ts_len,
					  const uint8_t core_hash[FORAY_MERKLE_HASH_LEN])
{
	EntryBuf	b = {out, cap, 0, FORAY_MERKLE_OK};

	put_tag(&b, 'H');
	put_str(&b, tx, tx_len);
	put_str(&b, schema, schema_len);
	put_str(&b, ts, ts_len);
	put(&b, core_hash, FORAY_MERKLE_HASH_LEN);
	return done(&b, len);
}

/* member and audit member entries share their layout */
static int
identity_entry(char kind, uint8_t *out, size_t cap, size_t *len,
			   const char *tx, size_t tx_len, const char *type, size_t type_len,
			   const char *id, size_t id_len, const uint8_t hash[FORAY_MERKLE_HASH_LEN])
{
	EntryBuf	b = {out, cap, 0, FORAY_MERKLE_OK};

	put_tag(&b, kind);
	put_str(&b, tx, tx_len);
	put_str(&b, type, type_len);
	put_str(&b, id, id_len);
	put(&b, hash, FORAY_MERKLE_HASH_LEN);
	return done(&b, len);
}

int
foray_c2_member_entry(uint8_t *out, size_t cap, size_t *len,
					  const char *tx, size_t tx_len, const char *type, size_t type_len,
					  const char *id, size_t id_len,
					  const uint8_t component_hash[FORAY_MERKLE_HASH_LEN])
{
	return identity_entry('M', out, cap, len, tx, tx_len, type, type_len, id, id_len,
						  component_hash);
}

int
foray_c2_audit_member_entry(uint8_t *out, size_t cap, size_t *len,
							const char *tx, size_t tx_len, const char *type, size_t type_len,
							const char *id, size_t id_len,
							const uint8_t data_hash[FORAY_MERKLE_HASH_LEN])
{
	return identity_entry('D', out, cap, len, tx, tx_len, type, type_len, id, id_len,
						  data_hash);
}

int
foray_c2_audit_anchor_entry(uint8_t *out, size_t cap, size_t *len,
							const char *tx, size_t tx_len,
							const uint8_t meta_hash[FORAY_MERKLE_HASH_LEN])
{
	EntryBuf	b = {out, cap, 0, FORAY_MERKLE_OK};

	put_tag(&b, 'A');
	put_str(&b, tx, tx_len);
	put(&b, meta_hash, FORAY_MERKLE_HASH_LEN);
	return done(&b, len);
}

int
foray_c2_tree_entry(uint8_t *out, size_t cap, size_t *len,
					const char *name, size_t name_len, uint64_t size,
					const uint8_t root[FORAY_MERKLE_HASH_LEN])
{
	EntryBuf	b = {out, cap, 0, FORAY_MERKLE_OK};

	put_tag(&b, 'T');
	put_str(&b, name, name_len);
	put_u64(&b, size);
	put(&b, root, FORAY_MERKLE_HASH_LEN);
	return done(&b, len);
}

int
foray_c2_member_leaf(foray_hasher *h, const char *tx, size_t tx_len,
					 const char *type, size_t type_len, const char *id, size_t id_len,
					 const uint8_t component_hash[FORAY_MERKLE_HASH_LEN],
					 uint8_t leaf[FORAY_MERKLE_HASH_LEN])
{
	uint8_t		buf[FORAY_C2_ENTRY_MAX];
	size_t		len;
	int			rc = foray_c2_member_entry(buf, sizeof(buf), &len, tx, tx_len, type, type_len,
										   id, id_len, component_hash);

	if (rc != FORAY_MERKLE_OK)
		return rc;
	return foray_merkle_leaf_hash(h, buf, len, leaf);
}

int
foray_c2_tree_leaf(foray_hasher *h, const char *name, size_t name_len, uint64_t size,
				   const uint8_t root[FORAY_MERKLE_HASH_LEN], uint8_t leaf[FORAY_MERKLE_HASH_LEN])
{
	uint8_t		buf[FORAY_C2_ENTRY_MAX];
	size_t		len;
	int			rc = foray_c2_tree_entry(buf, sizeof(buf), &len, name, name_len, size, root);

	if (rc != FORAY_MERKLE_OK)
		return rc;
	return foray_merkle_leaf_hash(h, buf, len, leaf);
}
