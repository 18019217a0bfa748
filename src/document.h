/*
 * document.h
 *		FORAY documents in and out: the validator, the 3.0/4.0 upgrade and
 *		the rule table, shared by document_validate.c, document_upgrade.c
 *		and the import/export code.
 *
 * The rule ids, their structural/content classification and the reasoning
 * are documented in docs/rules.md; foray.document_rules() lists the same
 * table from rule_table[] in document_validate.c.
 */
#ifndef FORAY_DOCUMENT_H
#define FORAY_DOCUMENT_H

#include "compat.h"

#include "datatype/timestamp.h"
#include "nodes/pg_list.h"
#include "utils/jsonb.h"

/* 22R30-22R39: document data; 23R50-23R59: document integrity (docs/rules.md) */
#define ERRCODE_FORAY_DOC_NOT_OBJECT	MAKE_SQLSTATE('2','2','R','3','0')
#define ERRCODE_FORAY_DOC_TOO_DEEP		MAKE_SQLSTATE('2','2','R','3','1')
#define ERRCODE_FORAY_DOC_VERSION		MAKE_SQLSTATE('2','2','R','3','2')
#define ERRCODE_FORAY_DOC_NOT_FOUND		MAKE_SQLSTATE('2','2','R','3','3')
#define ERRCODE_FORAY_DOC_INVALID		MAKE_SQLSTATE('2','3','R','5','0')
#define ERRCODE_FORAY_DOC_CONTENT		MAKE_SQLSTATE('2','3','R','5','1')
#define ERRCODE_FORAY_DOC_CONFLICT		MAKE_SQLSTATE('2','3','R','5','2')

/* Deepest nesting of arrays/objects a document may have (rule DOC-004). */
#define FORAY_MAX_DOC_DEPTH		64

/* Longest component, attestation or transaction id (matches the schema). */
#define FORAY_MAX_ID_LEN		200

typedef enum ForayKind
{
	FORAY_ARR = 0,
	FORAY_ACC,
	FORAY_ANT,
	FORAY_ACT,
	FORAY_ATT,
	FORAY_NKINDS
} ForayKind;

/* Per kind: document array name, id prefix, allocation ref_type name. */
typedef struct ForayKindInfo
{
	const char *array;			/* "accruals" */
	const char *prefix;			/* "ACC_" */
	const char *type_name;		/* "accrual" */
	const char *code;			/* "ACC" (foray_components.component_type) */
} ForayKindInfo;

extern const ForayKindInfo foray_kinds[FORAY_NKINDS];

typedef struct ForayViolation
{
	const char *rule_id;		/* static: points into the rule table */
	bool		warning;		/* severity: false = error */
	bool		structural;		/* from the rule table */
	char	   *component_id;	/* NULL for transaction-level findings */
	char	   *json_path;		/* "$.actions[0].foray_core.allocations[1]" */
	char	   *message;
} ForayViolation;

/*
 * Validate a document.  The document is first upgraded to 4.1 when its
 * schema_version is 4.0 or 3.0 (the upgraded document is returned in
 * *upgraded when that is not NULL; it is the input itself for 4.1).
 * Returns a List of ForayViolation *, palloc'd in the current context.
 * as_of is "now" for the date rules ATT-003 and ATT-004.
 */
extern List *foray_validate_document(Jsonb *doc, TimestampTz as_of,
									 Jsonb **upgraded);

/* The same for a JSON text, plus its duplicate keys (document_keys.c). */
extern List *foray_validate_document_text(text *json, Jsonb *doc, TimestampTz as_of,
										  Jsonb **upgraded);
extern Jsonb *foray_text_to_jsonb(text *json);
extern List *foray_duplicate_keys(text *json);

/* Upgrade: NULL when the document needs none (not an object, or 4.1). */
extern Jsonb *foray_upgrade_document(Jsonb *doc, const char **from_version);

/* true when the rule is structural (always refused by import) */
extern bool foray_rule_is_structural(const char *rule_id);

/* ISO-8601 parser shared by the validator and import (no session TZ). */
extern bool foray_parse_iso8601(const char *s, int len, TimestampTz *result,
								bool *date_only);

/* The rows of one transaction, in the shape of a document (export/import). */
typedef struct ForayDocComponent
{
	ForayKind	kind;
	char	   *id;
	Jsonb	   *foray_core;
	Jsonb	   *audit_data;		/* NULL when absent */
	int			ordinal;		/* position in its document array */
} ForayDocComponent;

typedef struct ForayDocParts
{
	char	   *transaction_id;
	char	   *schema_version;
	char	   *timestamp;
	Jsonb	   *foray_core;
	Jsonb	   *audit_data_anchor;
	Jsonb	   *privacy_metadata;
	Jsonb	   *extra_fields;	/* unknown top-level fields, and a carried
								 * blockchain_anchor */
	Jsonb	   *blockchain_anchor;	/* written when not NULL */
	Jsonb	   *component_hashes;	/* written when not NULL (computed) */
	char	   *merkle_root;	/* written when not NULL (computed) */
	int			commitment_scheme;	/* of the computed hashes (2: written) */
	List	   *components;		/* ForayDocComponent *, document order */
} ForayDocParts;

/* document_export.c */
extern Jsonb *foray_build_document(ForayDocParts *p);
extern bool foray_load_document_parts(const char *txid, ForayDocParts *p,
									  bool fresh_snapshot);
extern bool foray_computed_hashes(const char *txid, Jsonb **component_hashes,
								  char **merkle_root, int *scheme);
extern Jsonb *foray_export_transaction(const char *txid, bool with_hashes);

#endif							/* FORAY_DOCUMENT_H */
