/*
 * txhash.h
 *		The hashes a FORAY transaction commits to (docs/merkle.md): loading a
 *		transaction's rows and computing component_hashes, foray_core_hash,
 *		audit_data_hash and merkle_root with the RFC 9162 tree of
 *		src/core/merkle.c.  Shared by merkle.c, proof.c, envelope.c,
 *		anchor.c and verify.c.
 */
#ifndef FORAY_TXHASH_H
#define FORAY_TXHASH_H

#include "compat.h"

#include "datatype/timestamp.h"
#include "utils/jsonb.h"

#include "merkle.h"				/* src/core */
#include "commitment.h"			/* src/core */

/* SQLSTATEs of this part (docs/sqlstates.md) */
#define ERRCODE_FORAY_BAD_HASH_TEXT		MAKE_SQLSTATE('2','2','R','5','0')
#define ERRCODE_FORAY_BAD_PROOF			MAKE_SQLSTATE('2','2','R','5','1')
#define ERRCODE_FORAY_ENVELOPE_SIZE		MAKE_SQLSTATE('2','2','R','5','2')
#define ERRCODE_FORAY_BAD_ANCHOR		MAKE_SQLSTATE('2','2','R','5','3')
#define ERRCODE_FORAY_UNKNOWN_SUBJECT	MAKE_SQLSTATE('2','2','R','5','4')
#define ERRCODE_FORAY_NOT_READY			MAKE_SQLSTATE('2','3','R','3','0')
#define ERRCODE_FORAY_STALE_ROOT		MAKE_SQLSTATE('2','3','R','3','1')
#define ERRCODE_FORAY_IMMUTABLE			MAKE_SQLSTATE('2','3','R','3','2')
#define ERRCODE_FORAY_NOT_ANCHORED		MAKE_SQLSTATE('2','3','R','3','3')
#define ERRCODE_FORAY_AMENDMENT			MAKE_SQLSTATE('2','3','R','3','4')

/* "sha256:" + 64 lower-case hex digits */
#define FORAY_HASH_TEXT_LEN_M	71

/* the five committed trees, in merkle_root order after foray_core_hash */
#define FORAY_NTREES	5
#define FORAY_TREE_ARR	0
#define FORAY_TREE_ACC	1
#define FORAY_TREE_ANT	2
#define FORAY_TREE_ACT	3
#define FORAY_TREE_ATT	4

/* leaves of the top tree: foray_core_hash, the five trees, audit_data_hash */
#define FORAY_TOP_LEAVES	7
#define FORAY_TOP_CORE		0
#define FORAY_TOP_AUDIT		6

extern const char *const foray_tree_names[FORAY_NTREES];	/* "arrangements", ... */
extern const char *foray_top_leaf_name(int i);	/* leaves of merkle_root */

/* a finding of verify(): stored differs from recomputed */
typedef void (*ForayFindingFn) (void *arg, const char *component_id,
								const char *field, const char *stored,
								const char *recomputed);

typedef struct ForayTx
{
	char	   *transaction_id;
	bool		found;
	char	   *lifecycle;
	char	   *schema_version;
	char	   *document_timestamp;
	int			scheme;			/* commitment_scheme: 1 or 2 */
	/* the stored columns, NULL when SQL NULL */
	char	   *stored_foray_core_hash;
	char	   *stored_audit_data_hash;
	char	   *stored_merkle_root;
	Jsonb	   *stored_component_hashes;
	Jsonb	   *blockchain_anchor;
	char	   *sealed_archive_ref;
	/* computed */
	uint8		foray_core_hash[FORAY_MERKLE_HASH_LEN];
	uint8		audit_data_hash[FORAY_MERKLE_HASH_LEN];
	uint8		tree_root[FORAY_NTREES][FORAY_MERKLE_HASH_LEN];
	uint64		tree_size[FORAY_C2_NTREES]; /* the five trees and audit_data */
	uint8		merkle_root[FORAY_MERKLE_HASH_LEN];
	uint8		top_leaf[FORAY_TOP_LEAVES * FORAY_MERKLE_HASH_LEN];
	int64		n_components;
	/*
	 * With FORAY_TX_KEEP_IDS: every member in leaf order (trees in order,
	 * ids bytewise), tree t being members[tree_start[t] .. tree_start[t+1]),
	 * and the commitment's input (for its leaves and entries).
	 */
	foray_commit_member *members;
	size_t		n_members;
	size_t		tree_start[FORAY_NTREES + 1];
	foray_commit_input input;
} ForayTx;

/* flags of foray_tx_load */
#define FORAY_TX_LOCK		0x01	/* SELECT ... FOR UPDATE the envelope row */
#define FORAY_TX_KEEP_IDS	0x02	/* keep every member (ForayTx.members) */
#define FORAY_TX_RECOMPUTE	0x04	/* hash every foray_core again, ignore the
									 * stored component/attestation hashes */

extern foray_hasher *foray_backend_hasher(void);

/* false on a database not yet updated to 0.5.0 (everything is scheme 1) */
extern bool foray_has_commitment_scheme(void);

extern void foray_tx_load(const char *transaction_id, int flags, ForayTx *tx,
						  ForayFindingFn finding, void *finding_arg);
extern void foray_tx_require(const ForayTx *tx);
/* foray_tx_load(ids[i], 0, &txs[i], NULL, NULL) of n distinct transactions, in three statements */
extern void foray_tx_load_many(const char *const *ids, int n, ForayTx *txs);
/* anchor_envelope_text of each of n distinct transactions, loaded together; its errors */
extern void foray_envelope_texts(const char *const *ids, int n, text **texts);

/* the leaf hashes of member tree t (0..4), in leaf order; KEEP_IDS loads */
extern uint8 *foray_tx_tree_leaves(const ForayTx *tx, int t);
/* the member of tree t with this id (KEEP_IDS loads), its index there */
extern const foray_commit_member *foray_tx_find_member(const ForayTx *tx, int t,
													   const char *id, size_t *index);

/* the envelope of a loaded transaction (envelope.c): as jsonb, canonical text */
extern Jsonb *foray_build_envelope(const ForayTx *tx, bool recorded, bool check_size,
								   text **text_out);
extern Jsonb *foray_tx_envelope(const ForayTx *tx);
extern text *foray_tx_envelope_text(const ForayTx *tx, Jsonb **envelope_out);

/* "sha256:<hex>" <-> 32 bytes */
extern void foray_hash_to_text(const uint8 *raw, char *out);
extern bool foray_hash_from_text(const char *text, uint8 *raw);
extern void foray_hash_from_text_or_error(const char *text, uint8 *raw,
										  const char *what);

/* jsonb object {"arrangements": ..., "attestations": ...} of tree roots */
extern Jsonb *foray_component_hashes_jsonb(const ForayTx *tx);

/* small jsonb builders */
struct JsonbParseState;
extern void foray_jb_key(struct JsonbParseState **st, const char *key);
extern void foray_jb_string(struct JsonbParseState **st, const char *key, const char *val);
extern void foray_jb_int(struct JsonbParseState **st, const char *key, int64 val);

/* anchoring (anchor.c): the chain fields' checks, and recording an anchor */
struct JsonbParseState;
extern char *foray_anchor_check_args(const char *subject, const char *kaspa, int64 height,
									 int64 confirm_ms, TimestampTz at);
extern char *foray_anchor_time(TimestampTz at);
extern void foray_anchor_push_chain(struct JsonbParseState **st, const char *kaspa,
									int64 height, int64 confirm_ms, const char *at_iso);
extern void foray_store_anchor(const ForayTx *tx, Jsonb *anchor, TimestampTz at,
							   Jsonb *envelope, Jsonb *extra);

/* the guard's per-transaction cache is stale after anchoring or sealing */
extern void foray_guard_forget(void);
extern void foray_guard_anchored(void);
extern bool foray_guard_anchored_here(void);

#endif							/* FORAY_TXHASH_H */
