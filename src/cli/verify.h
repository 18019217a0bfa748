/*
 * verify.h
 *		foray-verify's checks: a FORAY document (its commitment and the
 *		protocol rules that need no database), inclusion proofs, and
 *		bundles (docs/foray-verify.md, docs/bundle.md).
 */
#ifndef FORAY_CLI_VERIFY_H
#define FORAY_CLI_VERIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "commitment.h"
#include "inclusion.h"
#include "jcs.h"
#include "json.h"
#include "report.h"
#include "sha256.h"
#include "util.h"

/* what every check needs */
typedef struct fv_ctx
{
	fv_report  *r;
	const fj_doc *d;
	jcs_ctx    *jcs;
	foray_hasher *h;
	bool		details;		/* --details: every entry and leaf in the report */
	double		hash_seconds;	/* CPU time canonicalising and hashing documents */
	bool		timing;			/* --timing: also time the canonical texts alone */
	double		canon_seconds;	/* CPU time writing the same canonical texts, unhashed */
	double		sha_seconds;	/* CPU time hashing those texts, one by one */
	size_t		sha_bytes;		/* their length */
} fv_ctx;

/* CPU seconds used by the process so far */
extern double fv_cpu_seconds(void);

/* set up / release the hashing state; false when libcrypto fails */
extern bool fv_ctx_init(fv_ctx *c, fv_report *r, const fj_doc *d);
extern void fv_ctx_free(fv_ctx *c);
/* free what fv_ctx_free keeps for the next check (at the end of a run) */
extern void fv_ctx_release(void);

/*
 * SHA-256 of the canonical form of node i (strict numbers, docs/hashing.md
 * §3), skipping as src says (NULL: the whole value).  A value that cannot
 * be canonicalised makes the input unusable (path names it): false.
 */
extern bool fv_hash_node(fv_ctx *c, uint32_t i, const char *path,
						 const fj_source *src, uint8_t out[32]);

/*
 * The canonical text of a value (malloc'd, *len bytes) and its SHA-256; NULL
 * with the report marked unusable when it cannot be canonicalised.
 */
extern char *fv_canonical_text(fv_ctx *c, const jcs_source *src, const jcs_value *v,
							   const char *what, size_t *len, uint8_t sha[32]);

/* member key of obj, an integer from 0 to 2^63-1 (fj_uint63), else a failure
 * of check at path p + key: false */
struct fv_path;
extern bool fv_get_uint63(fv_ctx *c, uint32_t obj, const char *key, struct fv_path *p,
						  const char *check, uint64_t *out);

/* a short text of node i for a report's "found" (malloc'd): a string's or
 * number's text (cut at 100 bytes), "(absent)", or the kind of value */
extern char *fv_render(const fj_doc *d, uint32_t i);

/* a "sha256:..." string at node i, else a failure at path: false */
extern bool fv_get_hash(fv_ctx *c, uint32_t i, const char *path, const char *check,
						uint8_t out[32]);

/* ---------- documents ---------- */

/* one component or attestation, in document order */
typedef struct fv_member
{
	uint32_t	node;			/* its object */
	uint32_t	core;			/* its foray_core */
	uint32_t	audit;			/* its audit_data, FJ_NONE when none */
	uint32_t	index;			/* position in its array */
	size_t		sorted;			/* its foray_commit_member: cm[sorted] */
} fv_member;

typedef struct fv_document
{
	uint32_t	root;
	char		base[64];		/* "$" or "$.document" */
	int			scheme;			/* 1 or 2; 0 when it cannot be told */
	bool		scheme_stated;	/* a "commitment_scheme" key is present */
	const char *tx;
	size_t		tx_len;
	const char *schema;
	size_t		schema_len;
	const char *ts;
	size_t		ts_len;
	uint32_t	core;			/* the transaction's foray_core */
	size_t		n;				/* members */
	fv_member  *members;
	foray_commit_member *cm;	/* members[i] is cm[j] with cm[j].tag == i */
	uint8_t		foray_core_hash[32];
	bool		has_anchor;
	uint8_t		anchor_hash[32];
	bool		computed;		/* commit holds the commitment */
	foray_commit commit;
	size_t	   *by_id;			/* member indexes ordered by id bytes */
} fv_document;

/* shape, hashes and the commitment; false when it could not be computed */
extern bool fv_document_load(fv_ctx *c, uint32_t root, const char *base, fv_document *doc);
/* the hashes the document carries against the recomputed ones */
extern void fv_document_compare(fv_ctx *c, const fv_document *doc);
/* claims about top-level members that merkle_root does not commit to */
extern void fv_uncommitted_claims(fv_ctx *c, const fv_document *doc);
/* the protocol rules that need no database (rules.c) */
extern void fv_document_rules(fv_ctx *c, const fv_document *doc);
/* what was computed, into the report's "recomputed" object */
extern void fv_document_recomputed(fv_ctx *c, const fv_document *doc, json_t *into);
extern void fv_document_free(fv_document *doc);

/* the commitment input of the document, with these members' hashes */
extern void fv_document_commit_input(const fv_document *doc,
									 const foray_commit_member *members,
									 foray_commit_input *in);

/* the member (document order) with that id, or -1 */
extern long fv_document_find(const fv_document *doc, const char *id, size_t len);

/* the member whose path is wanted: "$.actions[3]" */
extern void fv_member_path(const fv_document *doc, const foray_commit_member *m, fv_path *p);

/*
 * The anchor envelope the document's commitment gives, its canonical text
 * (malloc'd) and that text's SHA-256.
 */
extern char *fv_document_envelope(fv_ctx *c, const fv_document *doc, uint8_t sha[32]);

/* ---------- proofs and bundles ---------- */

/*
 * Decode the inclusion proof at node (rule 1 of docs/merkle.md: failures
 * with paths under base), then verify it against root.  Returns true when
 * it verifies; *out (when not NULL) gets the decoded proof, whose strings
 * and path point into the document.
 */
typedef struct fv_proof
{
	foray_inclusion_proof p;
	uint8_t		path_bytes[2][FORAY_MERKLE_MAX_PATH * 32];
} fv_proof;

extern bool fv_proof_decode(fv_ctx *c, uint32_t node, const char *base, fv_proof *out);
extern bool fv_proof_check(fv_ctx *c, const fv_proof *pr, const char *base,
						   const uint8_t root[32]);

/* ---------- the log (logproof.c) ---------- */

/* what the log's commands are given besides FILE (run.h, docs/foray-verify.md) */
typedef struct fv_log_args
{
	const char *checkpoint;		/* --checkpoint (or --new, or the checkpoint
								 * command's FILE): a checkpoint text or signed
								 * note; NULL when not given */
	size_t		checkpoint_len;
	const char *old_cp;			/* --old */
	size_t		old_len;
	const char *vkey;			/* --vkey, NUL-terminated; NULL: signatures not
								 * checked */
	bool		has_leaf;		/* --leaf or --envelope gave the leaf */
	uint8_t		leaf[32];
	const char *leaf_from;		/* "--leaf" or "--envelope" */
	char	   *envelope;		/* --envelope: its JSON text (a malloc'd buffer
								 * of envelope_len + 1 bytes, fv_run_log takes
								 * it over), whose leaf fv_run_log computes */
	size_t		envelope_len;
	const char *anchored;		/* --anchored: the payload read from the chain */
	size_t		anchored_len;
} fv_log_args;

/*
 * A trusted checkpoint given on the command line (what names it): a
 * checkpoint text, or a signed note whose signatures are checked with vkey
 * (not when vkey is NULL).  Unusable when malformed; a failure when the
 * signature does not verify.  *cp_len (when not NULL): the checkpoint
 * text's length.
 */
struct foray_checkpoint;
extern bool fv_log_checkpoint(fv_ctx *c, const char *what, const char *text, size_t len,
							  const char *vkey, struct foray_checkpoint *cp, size_t *cp_len);
extern void fv_check_log_inclusion(fv_ctx *c, const fv_log_args *a);
extern void fv_check_log_consistency(fv_ctx *c, const fv_log_args *a);
extern void fv_check_checkpoint(fv_ctx *c, const fv_log_args *a);
extern void fv_check_chain(fv_ctx *c, const fv_log_args *a);

extern void fv_check_document(fv_ctx *c);
extern void fv_check_proof(fv_ctx *c, const uint8_t root[32], const fj_doc *core_doc);
extern void fv_check_bundle(fv_ctx *c);

#endif							/* FORAY_CLI_VERIFY_H */
