/*
 * tlog_note.h
 *		The text formats of a transparency log, as plain C (no PostgreSQL
 *		headers):
 *
 *		C2SP tlog-checkpoint	"<origin>\n<size>\n<base64 root>\n"
 *		C2SP signed-note		text, a blank line, then signature lines
 *								"— <key name> <base64(key ID || signature)>\n"
 *		C2SP vkey				"<key name>+<hex key ID>+<base64(type || key)>"
 *
 * Only Ed25519 (signature type 0x01) keys are supported; signatures are
 * checked with OpenSSL libcrypto (EVP_PKEY_ED25519).  Functions return a
 * foray_note_rc; on FORAY_NOTE_MALFORMED *why names the rule broken (a
 * static string).  Nothing longjmps; nothing allocated outlives a call.
 */
#ifndef FORAY_CORE_TLOG_NOTE_H
#define FORAY_CORE_TLOG_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "merkle.h"

#define FORAY_ED25519_KEY_LEN	32
#define FORAY_ED25519_SIG_LEN	64
/* signature lines a note may carry (C2SP: at least 16 must be accepted) */
#define FORAY_NOTE_MAX_SIGS		100
/* key names and checkpoint origins, in bytes */
#define FORAY_NOTE_MAX_NAME		255

typedef enum foray_note_rc
{
	FORAY_NOTE_OK = 0,
	FORAY_NOTE_MALFORMED,		/* the text breaks its format (see *why) */
	FORAY_NOTE_UNSUPPORTED,		/* a vkey of another signature type */
	FORAY_NOTE_NO_SIGNATURE,	/* well-formed; no signature line names the key */
	FORAY_NOTE_BAD_SIGNATURE,	/* a line names the key and does not verify */
	FORAY_NOTE_CRYPTO			/* libcrypto failed */
} foray_note_rc;

/* a parsed verifier key; name points into the parsed text */
typedef struct foray_vkey
{
	const char *name;
	size_t		name_len;
	uint32_t	key_id;
	uint8_t		type;
	uint8_t		pub[FORAY_ED25519_KEY_LEN];
} foray_vkey;

/* a parsed checkpoint; origin points into the parsed text */
typedef struct foray_checkpoint
{
	const char *origin;
	size_t		origin_len;
	uint64_t	size;
	uint8_t		root[FORAY_MERKLE_HASH_LEN];
	size_t		extension_off;	/* where extension lines begin (= length when
								 * none) */
} foray_checkpoint;

/*
 * Standard base64 (RFC 4648 section 4).  Encoding writes 4 * ceil(n / 3)
 * characters and a NUL.  Decoding is strict: padded to a multiple of 4,
 * the standard alphabet only, '=' only at the end, unused bits zero.
 * Returns 0 and *out_len, or -1.
 */
extern size_t foray_base64_encode(const uint8_t *in, size_t n, char *out);
extern int	foray_base64_decode(const char *s, size_t len, uint8_t *out, size_t cap,
								size_t *out_len);

/* valid UTF-8 with no control character but newline */
extern int	foray_note_text_valid(const char *s, size_t len);

/*
 * A key name (and a checkpoint origin the substrate issues): 1 to 255
 * bytes of UTF-8, no control character, no Unicode white space, no '+'.
 */
extern int	foray_note_name_valid(const char *s, size_t len);

/* "<name>+<8 lower-case hex>+<base64>"; the key ID must match the key */
extern int	foray_vkey_parse(foray_hasher *h, const char *s, size_t len, foray_vkey *out,
							 const char **why);

/*
 * Verify a signed note against one key.  OK when at least one signature
 * line names the key (name and key ID) and every such line verifies over
 * the note text; *text_len is the text's length (final newline included)
 * and *sig_off, *sig_len locate the base64 of the first verified line.
 */
extern int	foray_note_verify(const char *msg, size_t len, const foray_vkey *key, size_t *text_len,
							  size_t *sig_off, size_t *sig_len, const char **why);

/* a checkpoint text: origin, size (<= 2^63 - 1), 32-byte root, extensions */
extern int	foray_checkpoint_parse(const char *s, size_t len, foray_checkpoint *out,
								   const char **why);

/*
 * Writes "<origin>\n<size>\n<base64 root>\n" and a NUL when it fits in cap;
 * returns its length either way.
 */
extern size_t foray_checkpoint_format(const char *origin, size_t origin_len, uint64_t size,
									  const uint8_t root[FORAY_MERKLE_HASH_LEN],
									  char *out, size_t cap);

#endif							/* FORAY_CORE_TLOG_NOTE_H */
