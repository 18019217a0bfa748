/*
 * trigger_util.h
 *		Column access shared by the substrate's trigger functions.
 */
#ifndef FORAY_TRIGGER_UTIL_H
#define FORAY_TRIGGER_UTIL_H

#include "access/htup_details.h"
#include "utils/jsonb.h"
#include "utils/rel.h"

/* a column's text value, or NULL */
extern char *foray_get_text(HeapTuple tup, TupleDesc desc, int attno);
/* a column's jsonb value, or NULL */
extern Jsonb *foray_get_jsonb(HeapTuple tup, TupleDesc desc, int attno);
/* do two versions of a row differ in this column (byte-wise)? */
extern bool foray_column_changed(HeapTuple oldtup, HeapTuple newtup, TupleDesc desc, int attno);
/*
 * Refuse (23502, as PostgreSQL's own NOT NULL check would, only earlier) a
 * row holding SQL NULL in a NOT NULL column that is not generated.  Every
 * BEFORE trigger calls it before reading the row: PostgreSQL checks NOT
 * NULL only after the BEFORE triggers have run.
 */
extern void foray_check_not_null(Relation rel, HeapTuple tup);
/* the attribute number of a column by name, cached per relation */
extern int	foray_attno(Relation rel, const char *name);

/*
 * The strings of a jsonb array field of a foray_core, validated: NULL when
 * the field is absent or null; an error naming who/field when it is not an
 * array of non-empty strings.
 */
extern char **foray_core_strings(Jsonb *core, const char *field, int *n,
								 const char *who, const char *transaction_id);
extern Datum foray_strings_to_array(char **items, int n);

/*
 * Refuse audit data the commitment could not hash (docs/merkle.md):
 * audit_data is any JSON value but null (SQL NULL means none), and must
 * canonicalise keeping every number's value; "who" names its owner.
 */
extern void foray_check_audit_data(Jsonb *audit, const char *who, const char *transaction_id);

#endif							/* FORAY_TRIGGER_UTIL_H */
