/*
 * commit.h
 *		The entries of commitment scheme 2 (docs/merkle.md, "Scheme 2"), as
 *		plain C over byte strings (no PostgreSQL headers): shared by the
 *		extension and by foray-verify, so both compute the same bytes from
 *		one copy of the code.
 *
 *		str(s)  = 2-byte big-endian length || the bytes of s
 *		u64(n)  = 8-byte big-endian n
 *		header  = 0x02 'H' str(transaction_id) str(schema_version)
 *				  str(timestamp) foray_core_hash
 *		member  = 0x02 'M' str(transaction_id) str(type) str(id) component_hash
 *		audit anchor = 0x02 'A' str(transaction_id) hash(anchor metadata)
 *		audit member = 0x02 'D' str(transaction_id) str(type) str(id) hash(audit_data)
 *		tree    = 0x02 'T' str(name) u64(size) root
 *
 * A leaf is RFC 9162's SHA-256(0x00 || entry).  Every function returns a
 * foray_merkle_rc (FORAY_MERKLE_TOO_LONG when a string has 65,536 bytes or
 * more, or the entry does not fit the caller's buffer).
 */
#ifndef FORAY_CORE_COMMIT_H
#define FORAY_CORE_COMMIT_H

#include <stddef.h>
#include <stdint.h>

#include "merkle.h"

#define FORAY_COMMIT_SCHEME_1	1
#define FORAY_COMMIT_SCHEME_2	2

/* the five member trees, then the audit tree: positions 1..6 of the top tree */
#define FORAY_C2_NTREES		6
#define FORAY_C2_TREE_AUDIT	5
#define FORAY_C2_TOP_LEAVES	7

/* an entry is at most this long (ids are at most 200 characters) */
#define FORAY_C2_ENTRY_MAX	4096

/* "arrangements", "accruals", "anticipations", "actions", "attestations", "audit_data" */
extern const char *const foray_c2_tree_names[FORAY_C2_NTREES];
/* "ARR", "ACC", "ANT", "ACT", "ATT": the member type of trees 0..4 */
extern const char *const foray_c2_type_codes[FORAY_C2_NTREES - 1];

/* tree number (0..4) of a member type code, -1 when it is none */
extern int	foray_c2_tree_of_type(const char *type, size_t len);
/* tree number (0..5) of a tree name, -1 when it is none */
extern int	foray_c2_tree_of_name(const char *name, size_t len);

extern int	foray_c2_header_entry(uint8_t *out, size_t cap, size_t *len,
								  const char *tx, size_t tx_len,
								  const char *schema, size_t schema_len,
								  const char *ts, size_t ts_len,
								  const uint8_t core_hash[FORAY_MERKLE_HASH_LEN]);
extern int	foray_c2_member_entry(uint8_t *out, size_t cap, size_t *len,
								  const char *tx, size_t tx_len,
								  const char *type, size_t type_len,
								  const char *id, size_t id_len,
								  const uint8_t component_hash[FORAY_MERKLE_HASH_LEN]);
extern int	foray_c2_audit_anchor_entry(uint8_t *out, size_t cap, size_t *len,
										const char *tx, size_t tx_len,
										const uint8_t meta_hash[FORAY_MERKLE_HASH_LEN]);
extern int	foray_c2_audit_member_entry(uint8_t *out, size_t cap, size_t *len,
										const char *tx, size_t tx_len,
										const char *type, size_t type_len,
										const char *id, size_t id_len,
										const uint8_t data_hash[FORAY_MERKLE_HASH_LEN]);
extern int	foray_c2_tree_entry(uint8_t *out, size_t cap, size_t *len,
								const char *name, size_t name_len, uint64_t size,
								const uint8_t root[FORAY_MERKLE_HASH_LEN]);

/* the leaf hash of a member entry, without a caller buffer */
extern int	foray_c2_member_leaf(foray_hasher *h, const char *tx, size_t tx_len,
								 const char *type, size_t type_len,
								 const char *id, size_t id_len,
								 const uint8_t component_hash[FORAY_MERKLE_HASH_LEN],
								 uint8_t leaf[FORAY_MERKLE_HASH_LEN]);
/* the leaf hash of a tree entry */
extern int	foray_c2_tree_leaf(foray_hasher *h, const char *name, size_t name_len,
							   uint64_t size, const uint8_t root[FORAY_MERKLE_HASH_LEN],
							   uint8_t leaf[FORAY_MERKLE_HASH_LEN]);

/*
 * Compare two ids bytewise (unsigned bytes; a proper prefix sorts first):
 * the order of the leaves within a tree.
 */
extern int	foray_c2_id_cmp(const char *a, size_t alen, const char *b, size_t blen);

#endif							/* FORAY_CORE_COMMIT_H */
