/*
 * log_check.c
 *		What foray.verify() checks of the log (docs/log.md, "Verification"):
 *
 *		per transaction: the leaf of its entry against the envelope its rows
 *		give now (a logged transaction changed behind the triggers' back),
 *		and, for one anchored by a checkpoint, its anchor record against the
 *		log and the checkpoint anchor (and, when verifying that transaction
 *		alone, its inclusion in the anchored checkpoint from the stored
 *		tree);
 *
 *		the whole log: every entry's transaction exists (a logged
 *		transaction deleted), the indices run 0, 1, ... without a gap, every
 *		stored subtree hash and every stored checkpoint is recomputed from
 *		the leaves (so the checkpoints are consistent with each other and
 *		with the current tree), checkpoint anchors name stored checkpoints
 *		with their roots, and stored signatures verify over their
 *		checkpoints.
 *
 * Findings carry the rows' (or the stored) value as "stored" and what the
 * check expected as "recomputed", like verify()'s own.  The log is read as
 * the substrate's owner: any role that may verify, may.
 */
#include "compat.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "log.h"
#include "substrate.h"
#include "txhash.h"

#define HL FORAY_MERKLE_HASH_LEN

/* entries read per round trip of the whole-log scan */
#define CHECK_FETCH 10000

typedef enum CheckPlan
{
	CP_ENTRY,
	CP_ANCHOR,
	CP_SCAN,
	CP_CHECKPOINTS,
	CP_ORIGIN,
	CP_ANCHORS,
	CP_SIGNATURES,
	CP_ANCHORED_SIZE,
	CP_COUNT
} CheckPlan;

static const struct
{
	const char *sql;
	int			nargs;
	Oid			types[2];
}			plan_defs[CP_COUNT] = {
	[CP_ENTRY] = {
		"SELECT log_index, leaf_hash FROM foray.log_entries"
		" WHERE transaction_id OPERATOR(pg_catalog.=) $1", 1, {TEXTOID}
	},
	[CP_ANCHOR] = {
		"SELECT root_hash, kaspa_tx_id FROM foray.log_anchors"
		" WHERE tree_size OPERATOR(pg_catalog.=) $1", 1, {INT8OID}
	},
	[CP_SCAN] = {
		"SELECT e.log_index, e.transaction_id, e.leaf_hash, e.subtree_hashes,"
		"       t.transaction_id IS NOT NULL, t.anchored_at IS NOT NULL"
		"  FROM foray.log_entries e"
		"  LEFT JOIN foray.foray_transactions t ON t.transaction_id OPERATOR(pg_catalog.=) e.transaction_id"
		" ORDER BY e.log_index", 0, {0}
	},
	[CP_ANCHORED_SIZE] = {
		"SELECT pg_catalog.max(tree_size) FROM foray.log_anchors", 0, {0}
	},
	[CP_CHECKPOINTS] = {
		"SELECT tree_size, root_hash, checkpoint FROM foray.log_checkpoints ORDER BY tree_size",
		0, {0}
	},
	[CP_ORIGIN] = {
		"SELECT origin FROM foray.log_config", 0, {0}
	},
	[CP_ANCHORS] = {
		"SELECT a.tree_size, a.root_hash, c.root_hash FROM foray.log_anchors a"
		"  LEFT JOIN foray.log_checkpoints c ON c.tree_size OPERATOR(pg_catalog.=) a.tree_size"
		" ORDER BY a.tree_size", 0, {0}
	},
	[CP_SIGNATURES] = {
		"SELECT s.tree_size, s.vkey, s.signed_checkpoint, c.checkpoint FROM foray.log_signatures s"
		"  LEFT JOIN foray.log_checkpoints c ON c.tree_size OPERATOR(pg_catalog.=) s.tree_size"
		" ORDER BY s.tree_size, s.vkey", 0, {0}
	},
};

static SPIPlanPtr plans[CP_COUNT];

static SPIPlanPtr
get_plan(CheckPlan which)
{
	if (plans[which] == NULL)
	{
		SPIPlanPtr	p = SPI_prepare(plan_defs[which].sql, plan_defs[which].nargs,
									(Oid *) plan_defs[which].types);

		if (p == NULL || SPI_keepplan(p) != 0)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s", plan_defs[which].sql,
				 SPI_result_code_string(SPI_result));
		plans[which] = p;
	}
	return plans[which];
}

static SPITupleTable *
run(CheckPlan which, Datum *values, long count)
{
	int			rc = SPI_execute_plan(get_plan(which), values, NULL, true, count);

	if (rc != SPI_OK_SELECT)
		elog(ERROR, "log check failed (%s): %s", plan_defs[which].sql, SPI_result_code_string(rc));
	return SPI_tuptable;
}

static char *
hash_text(const uint8 *h)
{
	char	   *t = palloc(FORAY_HASH_TEXT_LEN_M + 1);

	foray_hash_to_text(h, t);
	return t;
}

/* a bytea's hash text, or a description when it is not 32 bytes */
static char *
bytea_hash_text(bytea *b)
{
	if (VARSIZE_ANY_EXHDR(b) != HL)
		return psprintf("(%d bytes)", (int) VARSIZE_ANY_EXHDR(b));
	return hash_text((const uint8 *) VARDATA_ANY(b));
}

/* a key of the anchor record as text (numbers as their text), or NULL */
static char *
anchor_field(Jsonb *anchor, const char *key)
{
	JsonbValue *v;

	if (anchor == NULL || !JB_ROOT_IS_OBJECT(anchor))
		return NULL;
	v = getKeyJsonValueFromContainer(&anchor->root, key, strlen(key), NULL);
	if (v == NULL || v->type == jbvNull)
		return NULL;
	if (v->type == jbvString)
		return pnstrdup(v->val.string.val, v->val.string.len);
	if (v->type == jbvNumeric)
		return DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v->val.numeric)));
	return pstrdup("(not a string or number)");
}

/* a non-negative decimal integer, or -1 */
static int64
to_count(const char *s)
{
	int64		r = 0;

	if (s == NULL || s[0] == '\0' || strlen(s) > 18 || strspn(s, "0123456789") != strlen(s))
		return -1;
	for (; *s; s++)
		r = r * 10 + (*s - '0');
	return r;
}

/* ---------------------------------------------------------------------
 * One transaction
 * ---------------------------------------------------------------------
 */

typedef struct TxCheck
{
	const ForayTx *tx;
	bool		single;
	ForayLogFindingFn finding;
	void	   *arg;
} TxCheck;

static void
found(TxCheck *k, const char *field, const char *stored, const char *recomputed)
{
	k->finding(k->arg, k->tx->transaction_id, field, stored, recomputed);
}

static void
check_tx_body(void *arg)
{
	TxCheck    *k = arg;
	const ForayTx *tx = k->tx;
	Datum		v[1];
	bool		isnull;
	bool		logged;
	int64		index = -1;
	uint8		leaf[HL];
	text	   *canon;
	char	   *anchor_size = anchor_field(tx->blockchain_anchor, "log_tree_size");
	char	   *anchor_index;
	int64		size;

	v[0] = CStringGetTextDatum(tx->transaction_id);
	run(CP_ENTRY, v, 1);
	logged = SPI_processed > 0;
	if (!logged && anchor_size == NULL)
		return;

	/* the leaf the rows give now: the envelope from the recomputed hashes */
	(void) foray_build_envelope(tx, false, false, &canon);
	foray_log_text_leaf(canon, leaf);
	if (logged)
	{
		bytea	   *b = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));

		index = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		if (VARSIZE_ANY_EXHDR(b) != HL || memcmp(VARDATA_ANY(b), leaf, HL) != 0)
			found(k, "log.leaf_hash", bytea_hash_text(b), hash_text(leaf));
		if (strcmp(tx->lifecycle, "open") == 0)
			found(k, "log.lifecycle", tx->lifecycle,
				  psprintf("ready_to_anchor, anchored or sealed (entry " INT64_FORMAT " of the log)", index));
	}

	/* anchored by a checkpoint: the record against the log */
	if (anchor_size == NULL)
		return;
	anchor_index = anchor_field(tx->blockchain_anchor, "log_index");
	if (!logged)
	{
		found(k, "blockchain_anchor.log_index", anchor_index, "not in the log");
		return;
	}
	if (to_count(anchor_index) != index)
		found(k, "blockchain_anchor.log_index", anchor_index, psprintf(INT64_FORMAT, index));
	size = to_count(anchor_size);
	if (size <= index)
		found(k, "blockchain_anchor.log_tree_size", anchor_size,
			  psprintf("more than its log_index " INT64_FORMAT, index));
	if (size < 0)
		return;
	v[0] = Int64GetDatum(size);
	run(CP_ANCHOR, v, 1);
	if (SPI_processed == 0)
	{
		found(k, "blockchain_anchor.log_tree_size", anchor_size,
			  "no checkpoint anchor of that size in foray.log_anchors");
		return;
	}
	{
		bytea	   *root = DatumGetByteaPP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		char	   *root_text = bytea_hash_text(root);
		char	   *kaspa = TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
		char	   *had_root = anchor_field(tx->blockchain_anchor, "log_root");
		char	   *had_kaspa = anchor_field(tx->blockchain_anchor, "kaspa_tx_id");

		if (had_root == NULL || strcmp(had_root, root_text) != 0)
			found(k, "blockchain_anchor.log_root", had_root, root_text);
		if (had_kaspa == NULL || strcmp(had_kaspa, kaspa) != 0)
			found(k, "blockchain_anchor.kaspa_tx_id", had_kaspa, kaspa);

		/* verifying it alone: the stored tree proves its entry in that root */
		if (k->single && VARSIZE_ANY_EXHDR(root) == HL && size > index)
		{
			uint64		have = foray_log_stored_size(true);

			if (have < (uint64) size)
				found(k, "log.inclusion", psprintf("entry " INT64_FORMAT " of the checkpoint of %s entries", index, anchor_size),
					  psprintf("the log has only " UINT64_FORMAT " entries", have));
			else if (!foray_log_proves((uint64) index, (uint64) size, leaf,
									   (const uint8 *) VARDATA_ANY(root), true))
				found(k, "log.inclusion", psprintf("entry " INT64_FORMAT " of the checkpoint of %s entries", index, anchor_size),
					  "the stored tree does not prove the envelope's leaf in the anchored root");
		}
	}
}

void
foray_log_check_tx(const ForayTx *tx, bool single, ForayLogFindingFn finding, void *arg)
{
	TxCheck		k = {tx, single, finding, arg};

	if (!foray_log_exists())
		return;
	foray_log_run(check_tx_body, &k);
}

/* ---------------------------------------------------------------------
 * The whole log
 * ---------------------------------------------------------------------
 */

typedef struct Checkpoint
{
	int64		size;
	bytea	   *root;
	text	   *text;
} Checkpoint;

typedef struct AllCheck
{
	ForayLogFindingFn finding;
	void	   *arg;
	char	   *origin;			/* NULL: not set */
	Checkpoint *cps;
	int			ncps;
	int			next_cp;		/* the next one to compare */
} AllCheck;

static void
log_found(AllCheck *k, const char *txid, const char *field, const char *stored,
		  const char *recomputed)
{
	k->finding(k->arg, txid, field, stored, recomputed);
}

/* the stored checkpoints of the size the recomputed frontier has reached */
static void
compare_checkpoints(AllCheck *k, const foray_tlog_frontier *f)
{
	uint8		root[HL];
	bool		have_root = false;

	while (k->next_cp < k->ncps && k->cps[k->next_cp].size <= (int64) f->size)
	{
		Checkpoint *c = &k->cps[k->next_cp++];
		char	   *rt;

		if (c->size != (int64) f->size)
			continue;			/* below a gap: reported with the gap */
		if (!have_root)
		{
			if (foray_tlog_frontier_root(foray_backend_hasher(), f, root) != FORAY_MERKLE_OK)
				elog(ERROR, "log root computation failed");
			have_root = true;
		}
		rt = hash_text(root);
		if (VARSIZE_ANY_EXHDR(c->root) != HL || memcmp(VARDATA_ANY(c->root), root, HL) != 0)
			log_found(k, NULL, "log.checkpoint",
					  psprintf(INT64_FORMAT " entries: %s", c->size, bytea_hash_text(c->root)),
					  psprintf(INT64_FORMAT " entries: %s", c->size, rt));
		/* its text says the same: this log's origin, its size, its root */
		{
			size_t		len;
			const char *s = foray_log_utf8(c->text, &len);
			foray_checkpoint cp;
			const char *why;
			char	   *expect = psprintf("%s, " INT64_FORMAT ", %s",
										  k->origin ? k->origin : "(no origin set)", c->size, rt);

			if (foray_checkpoint_parse(s, len, &cp, &why) != FORAY_NOTE_OK)
				log_found(k, NULL, "log.checkpoint.text", text_to_cstring(c->text), expect);
			else if (cp.size != (uint64) c->size || memcmp(cp.root, root, HL) != 0 ||
					 k->origin == NULL || cp.origin_len != strlen(k->origin) ||
					 memcmp(cp.origin, k->origin, cp.origin_len) != 0)
				log_found(k, NULL, "log.checkpoint.text", text_to_cstring(c->text), expect);
		}
	}
}

static void
check_all_body(void *arg)
{
	AllCheck   *k = arg;
	SPITupleTable *tt;
	Portal		portal;
	foray_tlog_frontier f;
	bool		tree_ok = true;
	bool		isnull;
	int64		anchored_size = 0;
	MemoryContext rows = AllocSetContextCreate(CurrentMemoryContext, "foray log check",
											   ALLOCSET_DEFAULT_SIZES);

	tt = run(CP_ORIGIN, NULL, 1);
	k->origin = SPI_processed > 0 ? SPI_getvalue(tt->vals[0], tt->tupdesc, 1) : NULL;
	if (k->origin != NULL)
	{
		/* compared with the checkpoints' UTF-8 bytes */
		text	   *o = cstring_to_text(k->origin);
		size_t		len;
		const char *u = foray_log_utf8(o, &len);

		k->origin = pnstrdup(u, len);
	}
	tt = run(CP_CHECKPOINTS, NULL, 0);
	k->ncps = (int) SPI_processed;
	k->cps = palloc(sizeof(Checkpoint) * (k->ncps + 1));
	for (int i = 0; i < k->ncps; i++)
	{
		k->cps[i].size = DatumGetInt64(SPI_getbinval(tt->vals[i], tt->tupdesc, 1, &isnull));
		k->cps[i].root = DatumGetByteaPCopy(SPI_getbinval(tt->vals[i], tt->tupdesc, 2, &isnull));
		k->cps[i].text = DatumGetTextPCopy(SPI_getbinval(tt->vals[i], tt->tupdesc, 3, &isnull));
	}
	k->next_cp = 0;
	tt = run(CP_ANCHORED_SIZE, NULL, 1);
	if (SPI_processed > 0)
	{
		Datum		d = SPI_getbinval(tt->vals[0], tt->tupdesc, 1, &isnull);

		if (!isnull)
			anchored_size = DatumGetInt64(d);
	}

	/* the entries in order: transactions, indices, the tree recomputed */
	foray_tlog_frontier_init(&f);
	portal = SPI_cursor_open(NULL, get_plan(CP_SCAN), NULL, NULL, true);
	if (portal == NULL)
		elog(ERROR, "could not read the log: %s", SPI_result_code_string(SPI_result));
	for (;;)
	{
		MemoryContext old;

		SPI_cursor_fetch(portal, true, CHECK_FETCH);
		tt = SPI_tuptable;
		if (SPI_processed == 0)
			break;
		old = MemoryContextSwitchTo(rows);
		for (uint64 r = 0; r < SPI_processed; r++)
		{
			HeapTuple	t = tt->vals[r];
			int64		index = DatumGetInt64(SPI_getbinval(t, tt->tupdesc, 1, &isnull));
			char	   *txid = TextDatumGetCString(SPI_getbinval(t, tt->tupdesc, 2, &isnull));
			bytea	   *leaf = DatumGetByteaPP(SPI_getbinval(t, tt->tupdesc, 3, &isnull));
			bytea	   *subtrees = DatumGetByteaPP(SPI_getbinval(t, tt->tupdesc, 4, &isnull));
			bool		exists = DatumGetBool(SPI_getbinval(t, tt->tupdesc, 5, &isnull));
			bool		anchored = DatumGetBool(SPI_getbinval(t, tt->tupdesc, 6, &isnull));
			uint8		nodes[63 * HL];
			unsigned	nn;

			if (!exists)
				log_found(k, txid, "log.entry", psprintf("entry " INT64_FORMAT, index),
						  "no such transaction in foray.foray_transactions");
			/* a checkpoint anchor anchors every entry below its size */
			else if (!anchored && index < anchored_size)
				log_found(k, txid, "log.anchored", psprintf("entry " INT64_FORMAT ", not anchored", index),
						  psprintf("anchored: below the anchored checkpoint of " INT64_FORMAT " entries",
								   anchored_size));
			if (!tree_ok)
				continue;
			if (index != (int64) f.size)
			{
				log_found(k, txid, "log.log_index", psprintf(INT64_FORMAT, index),
						  psprintf(UINT64_FORMAT " (the next index: the log has a gap or a duplicate)", f.size));
				tree_ok = false;
				continue;
			}
			if (VARSIZE_ANY_EXHDR(leaf) != HL)
			{
				log_found(k, txid, "log.leaf_hash", bytea_hash_text(leaf), "32 bytes");
				tree_ok = false;
				continue;
			}
			compare_checkpoints(k, &f);
			if (foray_tlog_frontier_append(foray_backend_hasher(), &f,
										   (const uint8 *) VARDATA_ANY(leaf), nodes, &nn) != FORAY_MERKLE_OK)
				elog(ERROR, "log tree computation failed at entry " INT64_FORMAT, index);
			if (VARSIZE_ANY_EXHDR(subtrees) != (size_t) nn * HL ||
				memcmp(VARDATA_ANY(subtrees), nodes, (size_t) nn * HL) != 0)
			{
				unsigned	l = 0;

				while (l < nn && (size_t) (l + 1) * HL <= VARSIZE_ANY_EXHDR(subtrees) &&
					   memcmp(VARDATA_ANY(subtrees) + (size_t) l * HL, nodes + (size_t) l * HL, HL) == 0)
					l++;
				log_found(k, txid, "log.subtree_hashes",
						  (size_t) (l + 1) * HL <= VARSIZE_ANY_EXHDR(subtrees) ?
						  psprintf("level %u: %s", l + 1,
								   hash_text((const uint8 *) VARDATA_ANY(subtrees) + (size_t) l * HL)) :
						  psprintf("%d levels", (int) (VARSIZE_ANY_EXHDR(subtrees) / HL)),
						  l < nn ? psprintf("level %u: %s", l + 1, hash_text(nodes + (size_t) l * HL)) :
						  psprintf("%u levels", nn));
			}
		}
		SPI_freetuptable(tt);
		MemoryContextSwitchTo(old);
		MemoryContextReset(rows);
		CHECK_FOR_INTERRUPTS();
	}
	SPI_cursor_close(portal);
	if (tree_ok)
		compare_checkpoints(k, &f);
	for (; k->next_cp < k->ncps; k->next_cp++)
		if (k->cps[k->next_cp].size > (int64) f.size)
			log_found(k, NULL, "log.checkpoint",
					  psprintf(INT64_FORMAT " entries: %s", k->cps[k->next_cp].size,
							   bytea_hash_text(k->cps[k->next_cp].root)),
					  tree_ok ? psprintf("the log has only " UINT64_FORMAT " entries (truncated)", f.size) :
					  "not recomputed: the log has a gap");

	/* checkpoint anchors: of stored checkpoints, with their roots */
	tt = run(CP_ANCHORS, NULL, 0);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		int64		size = DatumGetInt64(SPI_getbinval(tt->vals[r], tt->tupdesc, 1, &isnull));
		bytea	   *root = DatumGetByteaPP(SPI_getbinval(tt->vals[r], tt->tupdesc, 2, &isnull));
		Datum		cp = SPI_getbinval(tt->vals[r], tt->tupdesc, 3, &isnull);

		if (isnull)
			log_found(k, NULL, "log.anchor", psprintf(INT64_FORMAT " entries: %s", size, bytea_hash_text(root)),
					  "no stored checkpoint of that size");
		else if (VARSIZE_ANY_EXHDR(root) != VARSIZE_ANY_EXHDR(DatumGetByteaPP(cp)) ||
				 memcmp(VARDATA_ANY(root), VARDATA_ANY(DatumGetByteaPP(cp)), VARSIZE_ANY_EXHDR(root)) != 0)
			log_found(k, NULL, "log.anchor", psprintf(INT64_FORMAT " entries: %s", size, bytea_hash_text(root)),
					  psprintf(INT64_FORMAT " entries: %s", size, bytea_hash_text(DatumGetByteaPP(cp))));
	}

	/* signatures: each verifies, with its key, over its stored checkpoint */
	tt = run(CP_SIGNATURES, NULL, 0);
	for (uint64 r = 0; r < SPI_processed; r++)
	{
		int64		size = DatumGetInt64(SPI_getbinval(tt->vals[r], tt->tupdesc, 1, &isnull));
		text	   *vkey = DatumGetTextPP(SPI_getbinval(tt->vals[r], tt->tupdesc, 2, &isnull));
		text	   *note = DatumGetTextPP(SPI_getbinval(tt->vals[r], tt->tupdesc, 3, &isnull));
		Datum		cpd = SPI_getbinval(tt->vals[r], tt->tupdesc, 4, &isnull);
		char	   *what = psprintf(INT64_FORMAT " entries, %s", size, text_to_cstring(vkey));
		size_t		len;
		const char *s = foray_log_utf8(note, &len);
		foray_vkey	key;
		size_t		text_len;
		size_t		sig_off;
		size_t		sig_len;

		if (isnull)
		{
			log_found(k, NULL, "log.signature", what, "no stored checkpoint of that size");
			continue;
		}
		if (foray_log_check_note(s, len, vkey, &key, &text_len, &sig_off, &sig_len) != FORAY_NOTE_OK)
			log_found(k, NULL, "log.signature", what, "the signature does not verify with that key");
		else
		{
			size_t		clen;
			const char *c = foray_log_utf8(DatumGetTextPP(cpd), &clen);

			if (clen != text_len || memcmp(c, s, clen) != 0)
				log_found(k, NULL, "log.signature", what, "the signed text is not the stored checkpoint");
		}
	}
	MemoryContextDelete(rows);
}

void
foray_log_check_all(ForayLogFindingFn finding, void *arg)
{
	AllCheck	k;

	memset(&k, 0, sizeof(k));
	k.finding = finding;
	k.arg = arg;
	if (!foray_log_exists())
		return;
	foray_log_run(check_all_body, &k);
}
