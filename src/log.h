/*
 * log.h
 *		The append-only log over every anchor envelope (docs/log.md):
 *		what src/log.c (writing and reading the log's tables) and
 *		src/log_verify.c (verification, reading no table) share.
 */
#ifndef FORAY_LOG_H
#define FORAY_LOG_H

#include "compat.h"

#include "executor/spi.h"
#include "utils/jsonb.h"

#include "tlog.h"				/* src/core */
#include "tlog_note.h"

/* SQLSTATEs of the log (docs/sqlstates.md) */
#define ERRCODE_FORAY_LOG_BAD_PROOF			MAKE_SQLSTATE('2','2','R','6','0')
#define ERRCODE_FORAY_LOG_BAD_CHECKPOINT	MAKE_SQLSTATE('2','2','R','6','1')
#define ERRCODE_FORAY_LOG_BAD_VKEY			MAKE_SQLSTATE('2','2','R','6','2')
#define ERRCODE_FORAY_LOG_BAD_NOTE			MAKE_SQLSTATE('2','2','R','6','3')
#define ERRCODE_FORAY_LOG_BAD_ARGUMENT		MAKE_SQLSTATE('2','2','R','6','4')
#define ERRCODE_FORAY_LOG_UNKNOWN_ENTRY		MAKE_SQLSTATE('2','2','R','6','5')
#define ERRCODE_FORAY_LOG_ORIGIN			MAKE_SQLSTATE('2','3','R','6','0')
#define ERRCODE_FORAY_LOG_SIGNATURE			MAKE_SQLSTATE('2','3','R','6','1')

#define ERRCODE_FORAY_LOG_BAD_CHAIN			MAKE_SQLSTATE('2','2','R','6','6')
#define ERRCODE_FORAY_LOG_NO_CHECKPOINT		MAKE_SQLSTATE('2','2','R','6','7')
#define ERRCODE_FORAY_LOG_ANCHOR			MAKE_SQLSTATE('2','3','R','6','2')

/* the lock of checkpoint anchors (foray_log_lock) */
#define FORAY_LOG_LOCK_ANCHOR	2

/*
 * log.c, for the log's other files.  foray_log_run runs body connected to
 * SPI as the substrate's owner; the rest need that.  foray_log_root_of
 * fails with XX001 when a stored node is missing; foray_log_execute_write
 * runs a prepared write to the log's tables past their guard.
 */
extern void foray_log_run(void (*body) (void *arg), void *arg);
extern void foray_log_lock(uint32 key);
extern uint64 foray_log_stored_size(bool read_only);
extern void foray_log_root_of(uint64 size, uint8 root[FORAY_MERKLE_HASH_LEN], bool read_only);
extern void foray_log_execute_write(SPIPlanPtr plan, Datum *values, int expect);
extern bool foray_log_proves(uint64 index, uint64 size, const uint8 leaf[FORAY_MERKLE_HASH_LEN],
							 const uint8 root[FORAY_MERKLE_HASH_LEN], bool read_only);

/*
 * foray.verify()'s checks of the log (log_check.c).  Per transaction: its
 * entry's leaf against the envelope its rows give, and a checkpoint
 * anchor's record against the log (single: also its inclusion in the
 * anchored checkpoint, from the stored tree).  The whole log: every entry's
 * transaction exists, indices without gaps, every stored subtree hash and
 * checkpoint recomputed from the leaves, checkpoint anchors and signatures.
 */
typedef void (*ForayLogFindingFn) (void *arg, const char *transaction_id, const char *field,
								   const char *stored, const char *recomputed);
struct ForayTx;
extern void foray_log_check_tx(const struct ForayTx *tx, bool single,
							   ForayLogFindingFn finding, void *arg);
extern void foray_log_check_all(ForayLogFindingFn finding, void *arg);

/* SHA-256(0x00 || RFC 8785 canonical UTF-8 bytes of the envelope) */
extern void foray_log_envelope_leaf(Jsonb *envelope, uint8 leaf[FORAY_MERKLE_HASH_LEN]);

/* the same from the canonical text itself (foray.anchor_envelope_text) */
extern void foray_log_text_leaf(text *canonical, uint8 leaf[FORAY_MERKLE_HASH_LEN]);

/* "key": ["sha256:...", ...] into an object being built */
extern void foray_log_push_hashes(JsonbParseState **st, const char *key,
								  const uint8 *hashes, size_t n);

/* the bytes of a text value in UTF-8 (converted when the database is not) */
extern const char *foray_log_utf8(text *t, size_t *len);

/*
 * Parse vkey (22R62 when malformed or not Ed25519) and check the signed note
 * against it (22R63 when malformed): FORAY_NOTE_OK, FORAY_NOTE_NO_SIGNATURE
 * or FORAY_NOTE_BAD_SIGNATURE, with the text's length and the verified
 * signature's place as foray_note_verify gives them.
 */
extern int	foray_log_check_note(const char *note, size_t len, text *vkey, foray_vkey *key,
								 size_t *text_len, size_t *sig_off, size_t *sig_len);

/* a size or index argument: non-negative (22R64 otherwise) */
extern uint64 foray_log_size_arg(int64 value, const char *what);

#endif							/* FORAY_LOG_H */
