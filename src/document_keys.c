/*
 * document_keys.c
 *		Duplicate keys (rule SHAPE-005), which only the JSON text shows:
 *		jsonb keeps the last value of a repeated key, so a document that
 *		reaches us as jsonb has already lost the earlier ones.
 *
 *		foray.validate_document_text(doc text, as_of) = the duplicate keys
 *		of the text + foray.validate_document(doc::jsonb, as_of).
 *
 * The text is walked once with PostgreSQL's JSON parser and semantic
 * callbacks; each object's keys are collected and sorted when the object
 * closes, so an object with a million keys costs n log n, not n^2.
 */
#include "compat.h"

#include "document.h"

#include "common/jsonapi.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

typedef struct KeyFrame
{
	bool		is_object;
	int			index;			/* arrays: current element */
	char	   *field;			/* objects: current field */
	char	  **keys;			/* objects: keys seen */
	int			nkeys;
	int			maxkeys;
} KeyFrame;

typedef struct KeyState
{
	KeyFrame   *frames;
	int			depth;
	int			maxdepth;
	List	   *found;			/* char * paths of repeated keys */
} KeyState;

static KeyFrame *
push_frame(KeyState *st, bool is_object)
{
	KeyFrame   *f;

	if (st->depth == st->maxdepth)
	{
		st->maxdepth *= 2;
		st->frames = repalloc(st->frames, sizeof(KeyFrame) * st->maxdepth);
	}
	f = &st->frames[st->depth++];
	memset(f, 0, sizeof(*f));
	f->is_object = is_object;
	f->index = -1;
	return f;
}

static char *
path_of(KeyState *st, const char *key)
{
	StringInfoData buf;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '$');
	for (int i = 0; i < st->depth - 1; i++)
	{
		KeyFrame   *f = &st->frames[i];

		if (f->is_object)
			appendStringInfo(&buf, ".%s", f->field ? f->field : "?");
		else
			appendStringInfo(&buf, "[%d]", f->index);
	}
	appendStringInfo(&buf, ".%s", key);
	return buf.data;
}

static int
cmp_keys(const void *a, const void *b)
{
	return strcmp(*(char *const *) a, *(char *const *) b);
}

static void
on_object_start(void *state)
{
	push_frame((KeyState *) state, true);
}

static void
on_object_end(void *state)
{
	KeyState   *st = state;
	KeyFrame   *f = &st->frames[st->depth - 1];

	if (f->nkeys > 1)
	{
		qsort(f->keys, f->nkeys, sizeof(char *), cmp_keys);
		for (int i = 1; i < f->nkeys; i++)
			if (strcmp(f->keys[i], f->keys[i - 1]) == 0 &&
				(i == 1 || strcmp(f->keys[i], f->keys[i - 2]) != 0))
				st->found = lappend(st->found, path_of(st, f->keys[i]));
	}
	if (f->keys)
		pfree(f->keys);
	st->depth--;
}

static void
on_array_start(void *state)
{
	push_frame((KeyState *) state, false);
}

static void
on_array_end(void *state)
{
	((KeyState *) state)->depth--;
}

static void
on_array_element_start(void *state, bool isnull)
{
	KeyState   *st = state;

	st->frames[st->depth - 1].index++;
}

static void
on_object_field_start(void *state, char *fname, bool isnull)
{
	KeyState   *st = state;
	KeyFrame   *f = &st->frames[st->depth - 1];

	if (f->nkeys == f->maxkeys)
	{
		f->maxkeys = f->maxkeys ? f->maxkeys * 2 : 8;
		f->keys = f->keys ? repalloc(f->keys, sizeof(char *) * f->maxkeys)
			: palloc(sizeof(char *) * f->maxkeys);
	}
	f->keys[f->nkeys++] = fname;
	f->field = fname;
}

/* Paths of the keys repeated in one object of the JSON text (a List of char *). */
List *
foray_duplicate_keys(text *json)
{
	KeyState	st;
	JsonSemAction sem;
	JsonLexContext *lex;
	JsonParseErrorType rc;

	memset(&st, 0, sizeof(st));
	st.maxdepth = 16;
	st.frames = palloc(sizeof(KeyFrame) * st.maxdepth);
	memset(&sem, 0, sizeof(sem));
	sem.semstate = &st;
	sem.object_start = on_object_start;
	sem.object_end = on_object_end;
	sem.array_start = on_array_start;
	sem.array_end = on_array_end;
	sem.array_element_start = on_array_element_start;
	sem.object_field_start = on_object_field_start;

	lex = makeJsonLexContextCstringLen(VARDATA_ANY(json), VARSIZE_ANY_EXHDR(json),
									   GetDatabaseEncoding(), true);
	rc = pg_parse_json(lex, &sem);
	if (rc != JSON_SUCCESS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type json"),
				 errdetail("%s", json_errdetail(rc, lex))));
	return st.found;
}

/*
 * The violations of a JSON text: its duplicate keys, then the rules of doc,
 * the same text as jsonb (parsed by the caller, which keeps it).
 */
List *
foray_validate_document_text(text *json, Jsonb *doc, TimestampTz as_of, Jsonb **upgraded)
{
	List	   *dups = foray_duplicate_keys(json);
	List	   *out = NIL;
	ListCell   *lc;

	foreach(lc, dups)
	{
		ForayViolation *v = palloc0(sizeof(ForayViolation));
		char	   *path = lfirst(lc);

		v->rule_id = "SHAPE-005";
		v->structural = foray_rule_is_structural("SHAPE-005");
		v->json_path = path;
		v->message = psprintf("key \"%s\" appears more than once in one object; jsonb would keep only the last value",
							  strrchr(path, '.') + 1);
		out = lappend(out, v);
	}
	return list_concat(out, foray_validate_document(doc, as_of, upgraded));
}

/* the text as jsonb (jsonb_in: the same errors as a cast) */
Jsonb *
foray_text_to_jsonb(text *json)
{
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(text_to_cstring(json))));
}
