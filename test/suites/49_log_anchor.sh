#!/usr/bin/env bash
# Anchoring the log (docs/log.md, "Anchoring checkpoints", "Immutable once
# logged", "Verification"), against outside references:
#
#  1. One chain commitment covers every transaction: FORAY_LOG_ANCHOR_N
#     (300 here; `FORAY_LOG_ANCHOR_N=10000 bash test/run.sh log_anchor` for
#     the figure of the issue) ready transactions of several shapes are
#     committed to the log, the checkpoint is signed with openssl, stored
#     and anchored once; every one of them is anchored, and every member of
#     every one has a proof chain (component -> merkle_root -> envelope ->
#     leaf -> checkpoint -> the payload on chain) that
#     foray.verify_proof_chain and test/reference/chain.js (an independent
#     JavaScript implementation of docs/log.md) accept.  Tampered chains,
#     each with the verdict its rule gives, are refused by both alike.
#     Per-transaction anchoring keeps working beside it.
#  2. record_checkpoint_anchor's refusals, and its atomicity: a logged
#     transaction changed or deleted behind the guard's back stops the whole
#     anchor (XX001), nothing anchored.
#  3. A transaction in the log is immutable: every write path, TRUNCATE, a
#     REPEATABLE READ writer whose snapshot predates the append, readiness
#     never back to open; amending works.
#  4. The race to close: an append never waits for a writer and never logs
#     a transaction a writer is changing; log_append(tx) waits for the
#     writer and logs what it committed; a writer queued behind an append is
#     refused.
#  5. foray.verify() finds what was changed behind the log's back.
source test/lib.sh
source test/log_sign.sh

pass=0
fail=0
check() {	# check NAME EXPECTED ACTUAL
	if [ "$2" == "$3" ]; then
		pass=$((pass + 1)); echo "ok - $1"
	else
		fail=$((fail + 1)); echo "not ok - $1"; echo "#   expected: $2"; echo "#   got:      $3"
	fi
}
out="$FORAY_TMP/log_anchor"
rm -rf "$out"
mkdir -p "$out"
chmod 755 "$out"
DB=foray_log_anchor
N=${FORAY_LOG_ANCHOR_N:-300}
q() { foray_psql -At -d $DB -c "$1" 2>&1; }
qs() { foray_psql -At -d $DB -v VERBOSITY=sqlstate -c "$1" 2>&1; }
# (file contents go to psql variables whole: $(cat) would drop the final newline)
withcp() {	# FILE SQL: SQL with :'cp' holding the file
	local cp
	cp="$(cat "$1"; printf x)"
	echo "$2" | foray_psql -At -d $DB -v VERBOSITY=sqlstate -v cp="${cp%x}" 2>&1
}
cpfile() { q "SELECT foray.log_checkpoint()" | head -c -1 >"$1"; }

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	check "node and npm are required" "yes" "no"
	foray_tally "$pass" "$fail"
	exit
fi
(cd test/reference && npm ci --no-audit --no-fund --silent) >&2 || check "npm ci in test/reference" 0 1

foray_fresh_db $DB >/dev/null 2>&1
foray_psql -d $DB >/dev/null <<'SQL'
SELECT foray.log_set_origin('example.com/foray/anchored');
CREATE FUNCTION public.att(subjects text[]) RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_build_object('attestor', 'Example Audit LLP', 'attestor_hash', 'sha256:ab',
		'attestor_type', 'auditor', 'attestation_type', 'audit_opinion',
		'attestation_date', '2026-03-01T12:00:00Z', 'outcome', 'approved', 'subject_refs', to_jsonb(subjects))
$$;
-- mk(prefix, count): ready transactions of three shapes (an arrangement and
-- an action; with audit data and an audit anchor; with an attestation)
CREATE FUNCTION public.mk(prefix text, n integer) RETURNS void LANGUAGE sql AS $$
	INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, audit_data_anchor)
	SELECT prefix || lpad(i::text, 5, '0'), '2026-03-0' || (1 + i % 9) || 'T10:00:00Z',
		   jsonb_build_object('entity', 'Anchored', 'transaction_type', 'sale', 'total_value', i * 10, 'memo', 'caf' || chr(233) || ' ' || i),
		   CASE WHEN i % 3 = 1 THEN jsonb_build_object('auditor', 'A', 'period', i) END
	  FROM generate_series(1, n) i;
	INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core, audit_data)
	SELECT prefix || lpad(i::text, 5, '0'), c.id, c.t, c.core, CASE WHEN i % 3 = 1 THEN jsonb_build_object('checked', c.id) END
	  FROM generate_series(1, n) i,
		   LATERAL (VALUES ('ARR_1', 'ARR', jsonb_build_object('n', i)),
						   ('ACT_1', 'ACT', jsonb_build_object('arrangement_refs', '["ARR_1"]'::jsonb, 'amount', i))) c(id, t, core);
	INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
	SELECT prefix || lpad(i::text, 5, '0'), 'ATT_1', public.att('{ACT_1}') FROM generate_series(1, n) i WHERE i % 3 = 2;
$$;
CREATE FUNCTION public.verdict(c jsonb, a text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	RETURN foray.verify_proof_chain(c, a)::text;
EXCEPTION WHEN OTHERS THEN
	RETURN 'error ' || SQLSTATE;
END $$;
SQL

# ---- 1. one chain commitment, a proof chain for every member ------------
# ALONE: anchored by itself before anything is logged; LOGGED_ALONE: logged,
# then anchored by itself (record_anchor keeps working on a logged one)
q "SELECT public.mk('ALONE_', 1)" >/dev/null
q "SELECT foray.record_anchor('ALONE_00001', foray.anchor_envelope('ALONE_00001')->>'merkle_root', 'kaspa:alone', 10, 900, '2026-03-04T09:00:00Z') IS NOT NULL" >/dev/null
q "SELECT public.mk('A_', $N)" >/dev/null
q "SELECT public.mk('LOGGED_ALONE_', 1)" >/dev/null
check "$((N + 1)) ready transactions, one anchored alone" "$((N + 1))|anchored" \
	"$(q "SELECT count(*) FILTER (WHERE lifecycle = 'ready_to_anchor') || '|' || max(lifecycle) FILTER (WHERE transaction_id = 'ALONE_00001') FROM foray.foray_transactions")"
check "log_append_ready commits every ready one (not the one anchored alone)" "$((N + 1))" \
	"$(q "SELECT count(*) FROM foray.log_append_ready()")"
check "the anchor queue shows them all with their log index, waiting for a checkpoint" "$((N + 1))|0" \
	"$(q "SELECT count(*) || '|' || count(*) FILTER (WHERE log_index IS NULL) FROM foray.anchor_queue")"
check "record_anchor still anchors a logged transaction by itself" "t" \
	"$(q "SELECT foray.record_anchor('LOGGED_ALONE_00001', foray.anchor_envelope('LOGGED_ALONE_00001')->>'merkle_root', 'kaspa:logged-alone', 11, 900, '2026-03-04T09:30:00Z') IS NOT NULL")"
cpfile "$out/cp.txt"
check "the checkpoint covers them all" "$((N + 1))" "$(sed -n 2p "$out/cp.txt")"
log_keygen "$out/log.key" "$out/log.pub"
VK=$(vkey example.com/foray/anchored "$out/log.pub")
sign example.com/foray/anchored "$out/log.key" "$out/log.pub" "$out/cp.txt" >"$out/cp.signed"
check "the anchor service signs it outside the database (openssl) and stores the signature" "$((N + 1))" \
	"$(withcp "$out/cp.signed" "SELECT foray.log_store_signature(:'cp', '$VK')")"
withcp "$out/cp.txt" "SELECT foray.record_checkpoint_anchor(:'cp', 'kaspa:batch-1', 3000000, 1100, '2026-03-05T12:00:00.250Z')" >"$out/anchor1.json"
check "one chain commitment anchors the $N transactions not anchored yet" "$N|$((N + 1))|kaspa:batch-1|2026-03-05T12:00:00.250Z|example.com/foray/anchored" \
	"$(python3 -c "import json,sys; a=json.load(open(sys.argv[1])); print('|'.join(str(a[k]) for k in ('transactions_anchored','tree_size','kaspa_tx_id','anchored_at','origin')))" "$out/anchor1.json")"
check "every one of them is anchored, its blockchain_anchor naming the log, its entry and the checkpoint" "$N" \
	"$(q "SELECT count(*) FROM foray.foray_transactions t JOIN foray.log_entries e USING (transaction_id)
		   WHERE t.transaction_id LIKE 'A\_%' AND t.lifecycle = 'anchored'
			 AND t.blockchain_anchor = jsonb_build_object('kaspa_tx_id', 'kaspa:batch-1', 'block_height', 3000000,
				 'confirmation_time_ms', 1100, 'anchored_at', '2026-03-05T12:00:00.250Z',
				 'log_origin', 'example.com/foray/anchored', 'log_tree_size', $((N + 1)), 'log_index', e.log_index,
				 'log_root', (SELECT 'sha256:' || encode(root_hash, 'hex') FROM foray.log_checkpoints WHERE tree_size = $((N + 1))))")"
check "the one anchored alone after it was logged keeps its own anchor" "kaspa:logged-alone|" \
	"$(q "SELECT (blockchain_anchor->>'kaspa_tx_id') || '|' || coalesce(blockchain_anchor->>'log_index', '') FROM foray.foray_transactions WHERE transaction_id = 'LOGGED_ALONE_00001'")"
check "each TRANSACTION_ANCHORED event carries the envelope, its log index and the checkpoint" "$N" \
	"$(withcp "$out/cp.txt" "SELECT count(*) FROM foray.memory_events v JOIN foray.log_entries e USING (transaction_id)
		WHERE v.event_kind = 'TRANSACTION_ANCHORED' AND v.payload->>'checkpoint' = :'cp'
		  AND (v.payload->>'log_index')::bigint = e.log_index AND v.payload->'envelope' = foray.anchor_envelope(e.transaction_id)")"
check "the checkpoint anchor is stored, once" "$((N + 1))|kaspa:batch-1|$N" \
	"$(q "SELECT tree_size || '|' || kaspa_tx_id || '|' || transactions_anchored FROM foray.log_anchors")"
check "the anchor queue is empty; foray.verify() finds nothing" "0|0" \
	"$(q "SELECT (SELECT count(*) FROM foray.anchor_queue) || '|' || (SELECT count(*) FROM foray.verify())")"
check "anchor_envelope still returns the envelope that was logged (its leaf is the entry's)" "0" \
	"$(q "SELECT count(*) FROM foray.log_entries e WHERE 'sha256:' || encode(e.leaf_hash, 'hex') <> foray.log_leaf_hash(foray.anchor_envelope(e.transaction_id))")"
check "the same call again is a no-op returning the stored anchor" "$(cat "$out/anchor1.json")" \
	"$(withcp "$out/cp.txt" "SELECT foray.record_checkpoint_anchor(:'cp', 'kaspa:batch-1', 3000000, 1100, '2026-03-05T12:00:00.250Z')")"

# every member's proof chain, verified by the database and by the reference
withcp "$out/cp.txt" "SELECT json_build_object('chain', foray.proof_chain(m.transaction_id, m.id), 'anchored', :'cp')
	FROM (SELECT transaction_id, component_id AS id FROM foray.foray_components
		  UNION ALL SELECT transaction_id, attestation_id FROM foray.foray_attestations) m
   WHERE m.transaction_id LIKE 'A\_%' ORDER BY m.transaction_id, m.id" >"$out/chains.jsonl"
members=$(q "SELECT (SELECT count(*) FROM foray.foray_components WHERE transaction_id LIKE 'A\_%') + (SELECT count(*) FROM foray.foray_attestations WHERE transaction_id LIKE 'A\_%')")
check "a proof chain for every member of the $N transactions" "$members" "$(grep -c '"checkpoint"' "$out/chains.jsonl")"
check "foray.verify_proof_chain accepts every one" "$members" \
	"$(withcp "$out/cp.txt" "SELECT count(*) FROM (SELECT foray.proof_chain(transaction_id, component_id) c FROM foray.foray_components WHERE transaction_id LIKE 'A\_%'
		UNION ALL SELECT foray.proof_chain(transaction_id, attestation_id) FROM foray.foray_attestations WHERE transaction_id LIKE 'A\_%') x
		WHERE foray.verify_proof_chain(x.c, :'cp')")"
node test/reference/chain.js verify "$out/chains.jsonl" >"$out/chains.js.out" 2>&1
check "the independent reference (test/reference/chain.js) accepts every one" "$members true" \
	"$(sort "$out/chains.js.out" | uniq -c | awk '{print $1, $2}' | tr '\n' ' ' | sed 's/ $//')"
check "each chain's component proof is the transaction's own proof, its envelope the anchored one" "0" \
	"$(q "SELECT count(*) FROM foray.foray_components c, foray.proof_chain(c.transaction_id, c.component_id) p
		   WHERE c.transaction_id LIKE 'A\_%' AND (p->'component' <> foray.inclusion_proof(c.transaction_id, c.component_id)
			  OR p->'envelope' <> foray.anchor_envelope(c.transaction_id)
			  OR p->'anchor' <> jsonb_build_object('kaspa_tx_id', 'kaspa:batch-1', 'block_height', 3000000,
				 'confirmation_time_ms', 1100, 'anchored_at', '2026-03-05T12:00:00.250Z'))")"

# transactions anchored alone: their chain ends in their own envelope on chain
q "SELECT json_build_object('chain', foray.proof_chain(transaction_id, 'ACT_1'), 'anchored', foray.anchor_envelope_text(transaction_id))
	 FROM foray.foray_transactions WHERE transaction_id IN ('ALONE_00001', 'LOGGED_ALONE_00001') ORDER BY transaction_id" >"$out/alone.jsonl"
check "anchored alone (before or after being logged): log and checkpoint null, the anchor its own" "null|null|kaspa:alone null|null|kaspa:logged-alone" \
	"$(python3 -c "import json,sys; print(' '.join('%s|%s|%s' % (json.dumps(c['chain']['log']), json.dumps(c['chain']['checkpoint']), c['chain']['anchor']['kaspa_tx_id']) for c in map(json.loads, open(sys.argv[1]))))" "$out/alone.jsonl")"
check "... and both verify, in the database and in the reference" "true true|true true" \
	"$(q "SELECT string_agg(foray.verify_proof_chain(foray.proof_chain(transaction_id, 'ACT_1'), foray.anchor_envelope_text(transaction_id))::text, ' ' ORDER BY 1)
		 FROM foray.foray_transactions WHERE transaction_id IN ('ALONE_00001', 'LOGGED_ALONE_00001')")|$(node test/reference/chain.js verify "$out/alone.jsonl" | tr '\n' ' ' | sed 's/ $//')"
check "the one logged and then anchored alone also has a chain through the checkpoint" "t" \
	"$(withcp "$out/cp.txt" "SELECT foray.verify_proof_chain(foray.proof_chain('LOGGED_ALONE_00001', 'ARR_1', $((N + 1))), :'cp')")"

# tampered chains: each with the verdict its rule gives (docs/log.md), in
# the database and in the reference
q "SELECT foray.log_checkpoint()" >/dev/null
q "SELECT public.mk('B_', 3)" >/dev/null
q "SELECT count(*) FROM foray.log_append_ready()" >/dev/null
cpfile "$out/cp2.txt"
python3 - "$out/chains.jsonl" "$out/alone.jsonl" "$out/cp2.txt" >"$out/cases.jsonl" <<'PY'
import copy, json, sys
chains = [json.loads(l) for l in open(sys.argv[1])]
alone = [json.loads(l) for l in open(sys.argv[2])][0]
other_cp = open(sys.argv[3]).read()
# an attestation's chain (ATT_1 of every third) and a component's
base = next(c for c in chains if c["chain"]["subject_id"] == "ACT_1" and len(c["chain"]["log"]["path"]) > 0)
att = next(c for c in chains if c["chain"]["subject_id"] == "ATT_1")
cp = base["anchored"]
H = "sha256:" + "ab" * 32
def case(name, expect, edit, src=base):
    c = copy.deepcopy(src)
    edit(c)
    print(json.dumps({"name": name, "expect": expect, "chain": c["chain"], "anchored": c["anchored"]}, ensure_ascii=False))
def setk(path, value):
    def f(c):
        o = c
        for k in path[:-1]:
            o = o[k]
        o[path[-1]] = value
    return f
def delk(path):
    def f(c):
        o = c
        for k in path[:-1]:
            o = o[k]
        del o[path[-1]]
    return f
case("honest component chain", "true", lambda c: None)
case("honest attestation chain", "true", lambda c: None, att)
case("honest chain of a transaction anchored alone", "true", lambda c: None, alone)
case("envelope timestamp changed: another leaf", "false", setk(["chain", "envelope", "timestamp"], "2026-03-09T10:00:01Z"))
case("envelope foray_core_hash changed: another leaf", "false", setk(["chain", "envelope", "foray_core_hash"], H))
case("envelope merkle_root changed: the component proof does not lead there", "false", setk(["chain", "envelope", "merkle_root"], H))
case("envelope merkle_root not a hash", "false", setk(["chain", "envelope", "merkle_root"], "sha256:xyz"))
case("component hash changed", "false", setk(["chain", "component", "component_hash"], H))
case("component proof of another subject, chain label kept", "false", lambda c: c["chain"].__setitem__("component", att["chain"]["component"]))
case("chain subject_id relabelled", "false", setk(["chain", "subject_id"], "ARR_1"))
case("chain transaction_id relabelled", "false", setk(["chain", "transaction_id"], "A_99999"))
case("component proof of another transaction", "false", lambda c: c["chain"].__setitem__("component", next(x for x in chains if x["chain"]["transaction_id"] != c["chain"]["transaction_id"] and x["chain"]["subject_id"] == "ACT_1")["chain"]["component"]))
case("log path element changed", "false", setk(["chain", "log", "path", 0], H))
case("log path one element longer", "false", lambda c: c["chain"]["log"]["path"].append(H))
case("log leaf_index moved", "false", lambda c: c["chain"]["log"].__setitem__("leaf_index", (c["chain"]["log"]["leaf_index"] + 1) % c["chain"]["log"]["tree_size"]))
case("log tree_size not the checkpoint's", "false", lambda c: c["chain"]["log"].__setitem__("tree_size", c["chain"]["log"]["tree_size"] + 3))
case("another checkpoint in the chain (the proof is for the first)", "false", setk(["chain", "checkpoint"], other_cp))
case("another checkpoint on chain", "false", setk(["anchored"], other_cp))
case("the signed note on chain instead of the checkpoint", "false", setk(["anchored"], cp + "\n\u2014 example.com/foray/anchored AAAA\n"))
case("the checkpoint on chain without its last newline", "false", setk(["anchored"], cp[:-1]))
case("anchored alone: another envelope text on chain", "false", setk(["anchored"], alone["anchored"] + " "), alone)
case("anchored alone: the checkpoint on chain", "false", setk(["anchored"], cp), alone)
case("log null, checkpoint given", "error 22R66", setk(["chain", "log"], None))
case("checkpoint null, log given", "error 22R66", setk(["chain", "checkpoint"], None))
case("no envelope", "error 22R66", delk(["chain", "envelope"]))
case("envelope not an object", "error 22R66", setk(["chain", "envelope"], "{}"))
case("envelope without merkle_root", "error 22R66", delk(["chain", "envelope", "merkle_root"]))
case("no component", "error 22R66", delk(["chain", "component"]))
case("log a string", "error 22R66", setk(["chain", "log"], "proof"))
case("chain an array", "error 22R66", setk(["chain"], [1]))
case("no subject_id label", "error 22R66", delk(["chain", "subject_id"]))
case("component proof without steps", "error 22R51", delk(["chain", "component", "steps"]))
case("log path element not a hash", "error 22R60", setk(["chain", "log", "path", 0], "sha256:12"))
case("log leaf_index negative", "error 22R60", setk(["chain", "log", "leaf_index"], -1))
case("log without path", "error 22R60", delk(["chain", "log", "path"]))
case("checkpoint not a checkpoint", "error 22R61", setk(["chain", "checkpoint"], "example.com/foray/anchored\n12\n"))
PY
ncases=$(wc -l <"$out/cases.jsonl")
foray_psql -At -d $DB >"$out/cases.sql.out" 2>&1 <<SQL
CREATE TEMP TABLE cases (n serial, line text);
\copy cases (line) FROM '$out/cases.jsonl' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
SELECT public.verdict((line::jsonb)->'chain', (line::jsonb)->>'anchored') FROM cases ORDER BY n;
SQL
node test/reference/chain.js verify "$out/cases.jsonl" | awk '{print $1, $2}' | sed 's/ $//' >"$out/cases.js.out"
python3 - "$out/cases.jsonl" "$out/cases.sql.out" "$out/cases.js.out" >"$out/cases.txt" <<'PY'
import json, sys
cases = [json.loads(l) for l in open(sys.argv[1])]
sql = [l.strip() for l in open(sys.argv[2])]
js = [l.strip() for l in open(sys.argv[3])]
for c, s, j in zip(cases, sql, js):
    if s != c["expect"] or j != c["expect"]:
        print("%s: expected %s, database %s, reference %s" % (c["name"], c["expect"], s, j))
print("%d cases" % len(cases))
PY
check "every tampered chain gets the verdict its rule gives, in the database and in the reference ($ncases cases)" "$ncases cases" \
	"$(cat "$out/cases.txt" | tr '\n' ';' | sed 's/;$//')"

# ---- 2. record_checkpoint_anchor's refusals --------------------------------
check "a signed note is not a checkpoint text (22R61: its signature follows a blank line)" "22R61" \
	"$(withcp "$out/cp.signed" "SELECT foray.record_checkpoint_anchor(:'cp', 'kaspa:x', 1, 1, now())" | grep -o '22R61')"
sed 's/^\([0-9]*\)$/9\1/' "$out/cp2.txt" >"$out/cp_forged.txt"
check "a checkpoint the log never issued (23R62)" "23R62" \
	"$(withcp "$out/cp_forged.txt" "SELECT foray.record_checkpoint_anchor(:'cp', 'kaspa:x', 1, 1, now())" | grep -o '23R62')"
check "a malformed checkpoint (22R61)" "22R61" \
	"$(qs "SELECT foray.record_checkpoint_anchor('example.com/foray/anchored', 'kaspa:x', 1, 1, now())" | grep -o '22R61')"
check "the empty log's checkpoint anchors nothing (22R64)" "22R64" \
	"$(qs "SELECT foray.record_checkpoint_anchor(E'example.com/foray/anchored\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n', 'kaspa:x', 1, 1, now())" | grep -o '22R64')"
for bad in "'', 1, 1, now()" "'kaspa:x', -1, 1, now()" "'kaspa:x', 1, -1, now()" "'kaspa:x', 1, 1, 'infinity'" "E'kaspa\\n', 1, 1, now()"; do
	check "a bad chain field ($bad) is 22R53" "22R53" \
		"$(withcp "$out/cp2.txt" "SELECT foray.record_checkpoint_anchor(:'cp', $bad)" | grep -o '22R53')"
done
check "the checkpoint anchored again in another chain transaction (23R30)" "23R30" \
	"$(withcp "$out/cp.txt" "SELECT foray.record_checkpoint_anchor(:'cp', 'kaspa:batch-other', 1, 1, now())" | grep -o '23R30')"
# a logged transaction changed behind the guard's back stops the whole anchor
foray_psql -d $DB -c "SET session_replication_role = replica" \
	-c "UPDATE foray.foray_components SET foray_core = '{\"n\": 0}' WHERE transaction_id = 'B_00002' AND component_id = 'ARR_1'" >/dev/null
check "a logged transaction changed behind the guard's back: the anchor is refused (XX001), naming it" "XX001 B_00002" \
	"$(withcp "$out/cp2.txt" "SELECT foray.record_checkpoint_anchor(:'cp', 'kaspa:batch-2', 3000100, 1000, now())" | grep -o 'XX001' | head -1) $(withcp "$out/cp2.txt" "\\set VERBOSITY default
SELECT foray.record_checkpoint_anchor(:'cp', 'kaspa:batch-2', 3000100, 1000, now())" | grep -o 'B_00002' | head -1)"
check "... and nothing was anchored" "3|1" \
	"$(q "SELECT (SELECT count(*) FROM foray.foray_transactions WHERE transaction_id LIKE 'B\_%' AND anchored_at IS NULL) || '|' || (SELECT count(*) FROM foray.log_anchors)")"
check "verify() names the change: the rows no longer give the logged leaf" "B_00002|log.leaf_hash" \
	"$(q "SELECT transaction_id || '|' || field FROM foray.verify() WHERE field LIKE 'log.%'")"
foray_psql -d $DB -c "SET session_replication_role = replica" \
	-c "UPDATE foray.foray_components SET foray_core = jsonb_build_object('n', 2) WHERE transaction_id = 'B_00002' AND component_id = 'ARR_1'" >/dev/null
foray_psql -d $DB -c "SET session_replication_role = replica" -c "DELETE FROM foray.foray_transactions WHERE transaction_id = 'B_00003'" >/dev/null
check "a logged transaction deleted: refused (XX001), verify() reports the entry" "XX001|B_00003|log.entry" \
	"$(withcp "$out/cp2.txt" "SELECT foray.record_checkpoint_anchor(:'cp', 'kaspa:batch-2', 3000100, 1000, now())" | grep -o 'XX001' | head -1)|$(q "SELECT transaction_id || '|' || field FROM foray.verify() WHERE field LIKE 'log.%'")"

# ---- 3. immutable once logged --------------------------------------------
q "SELECT public.mk('C_', 3)" >/dev/null
q "SELECT count(*) FROM foray.log_append_ready()" >/dev/null
q "SELECT public.mk('E_', 1)" >/dev/null
while read -r what stmt; do
	check "logged, not anchored: $what is refused (23R32)" "23R32" "$(qs "$stmt" | grep -o '23R32' | head -1)"
done <<'SQL'
adding_a_component INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES ('C_00001', 'ARR_2', 'ARR', '{}')
changing_a_component UPDATE foray.foray_components SET foray_core = '{"n": 7}' WHERE transaction_id = 'C_00001' AND component_id = 'ARR_1'
settling_a_component UPDATE foray.foray_components SET status = 'settled' WHERE transaction_id = 'C_00001' AND component_id = 'ACT_1'
deleting_a_component DELETE FROM foray.foray_components WHERE transaction_id = 'C_00001' AND component_id = 'ACT_1'
moving_a_component_in UPDATE foray.foray_components SET transaction_id = 'C_00001' WHERE transaction_id = 'E_00001' AND component_id = 'ARR_1'
adding_an_attestation INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core) VALUES ('C_00001', 'ATT_9', public.att('{ARR_1}'))
changing_an_attestation UPDATE foray.foray_attestations SET foray_core = public.att('{ARR_1}') WHERE transaction_id = 'C_00002'
removing_an_attestation DELETE FROM foray.foray_attestations WHERE transaction_id = 'C_00002'
changing_the_transaction UPDATE foray.foray_transactions SET foray_core = foray_core || '{"memo": "x"}' WHERE transaction_id = 'C_00001'
changing_its_privacy_metadata UPDATE foray.foray_transactions SET privacy_metadata = '{"a": 1}' WHERE transaction_id = 'C_00001'
deleting_the_transaction DELETE FROM foray.foray_transactions WHERE transaction_id = 'C_00001'
SQL
check "the refusal names the log entry and the amendment" "1" \
	"$(foray_psql -At -d $DB -c "DELETE FROM foray.foray_transactions WHERE transaction_id = 'C_00003'" 2>&1 | grep -c 'cannot delete logged transaction "C_00003"')"
check "amend_transaction corrects a logged transaction; not a ready one outside the log (23R34)" "C_00001_FIX|ready_to_anchor|23R34" \
	"$(q "SELECT foray.amend_transaction('C_00001', 'C_00001_FIX')")|$(q "SELECT lifecycle FROM foray.foray_transactions WHERE transaction_id = 'C_00001_FIX'")|$(q "SELECT public.mk('D_', 1)" >/dev/null; qs "SELECT foray.amend_transaction('D_00001', 'D_00001_FIX')" | grep -o '23R34')"
check "foray.log_index names the entry, NULL outside the log" "t|" \
	"$(q "SELECT foray.log_index('C_00002') = (SELECT log_index FROM foray.log_entries WHERE transaction_id = 'C_00002')")|$(q "SELECT foray.log_index('D_00001')")"
# REPEATABLE READ: a writer whose snapshot predates the append is still refused
foray_psql -At -d $DB -v VERBOSITY=sqlstate >"$out/rr.out" 2>&1 <<'SQL' &
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT count(*) FROM foray.log_entries;
SELECT pg_sleep(1.5);
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES ('D_00001', 'ARR_2', 'ARR', '{}');
COMMIT;
SQL
w=$!
sleep 0.5
q "SELECT foray.log_append('D_00001')" >/dev/null
wait $w
check "a REPEATABLE READ writer whose snapshot predates the append is refused (23R32)" "23R32" "$(grep -o '23R32' "$out/rr.out" | head -1)"
# readiness: with the guard off, a logged transaction would go back to open
check "readiness never takes a logged transaction back to open (23R32, even with the guard disabled)" "23R32|ready_to_anchor" \
	"$(foray_psql -At -d $DB -v VERBOSITY=sqlstate 2>&1 <<'SQL' | grep -o '23R32' | head -1
BEGIN;
ALTER TABLE foray.foray_components DISABLE TRIGGER foray_05_anchored_guard;
UPDATE foray.foray_components SET status = 'reversed' WHERE transaction_id = 'C_00002' AND component_id = 'ACT_1';
ROLLBACK;
SQL
)|$(q "SELECT lifecycle FROM foray.foray_transactions WHERE transaction_id = 'C_00002'")"

# ---- 4. the race to close -------------------------------------------------
q "SELECT count(*) FROM foray.log_append_ready()" >/dev/null
q "SELECT public.mk('R_', 3)" >/dev/null
# a writer changes R_00001 and holds it: log_append_ready does not wait and
# leaves it out; once the writer commits, the next append logs what it wrote
foray_psql -At -d $DB >"$out/w1.out" 2>&1 <<'SQL' &
BEGIN;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES ('R_00001', 'ARR_2', 'ARR', '{"late": true}');
SELECT pg_sleep(2);
COMMIT;
SQL
w=$!
sleep 0.5
t0=$(date +%s%N)
q "SELECT string_agg(transaction_id, ',' ORDER BY log_index) FROM foray.log_append_ready()" >"$out/race1.out"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
wait $w
check "log_append_ready skips the transaction a writer holds, without waiting for it" "R_00002,R_00003|fast" \
	"$(cat "$out/race1.out")|$([ $ms -lt 1400 ] && echo fast || echo "waited ${ms} ms")"
check "the writer committed" "" "$(grep ERROR "$out/w1.out")"
check "the next append logs it with the writer's component: its leaf is the envelope of the committed rows" "R_00001|t" \
	"$(q "SELECT string_agg(transaction_id, ',') FROM foray.log_append_ready()")|$(q "SELECT leaf_hash = decode(substr(foray.log_leaf_hash(foray.anchor_envelope('R_00001')), 8), 'hex') AND (SELECT count(*) FROM foray.foray_components WHERE transaction_id = 'R_00001') = 3 FROM foray.log_entries WHERE transaction_id = 'R_00001'")"
# log_append(tx) waits for the writer (row, then writer lock), then logs it
q "SELECT public.mk('S_', 2)" >/dev/null
foray_psql -At -d $DB >"$out/w2.out" 2>&1 <<'SQL' &
BEGIN;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES ('S_00001', 'ARR_2', 'ARR', '{"late": 2}');
SELECT pg_sleep(1.5);
COMMIT;
SQL
w=$!
sleep 0.5
PGAPPNAME=foray_anchor_wait q "SELECT foray.log_append('S_00001')" >"$out/a2.out" &
a=$!
waited=no
for _ in $(seq 40); do
	[ "$(q "SELECT wait_event_type FROM pg_stat_activity WHERE application_name = 'foray_anchor_wait'")" = Lock ] && { waited=yes; break; }
	sleep 0.05
done
wait $w $a
check "log_append(tx) waits for the writer holding the transaction" "yes" "$waited"
check "... then logs the envelope of what the writer committed" "t" \
	"$(q "SELECT leaf_hash = decode(substr(foray.log_leaf_hash(foray.anchor_envelope('S_00001')), 8), 'hex') AND (SELECT count(*) FROM foray.foray_components WHERE transaction_id = 'S_00001') = 3 FROM foray.log_entries WHERE transaction_id = 'S_00001'")"
# a writer queued behind an append is refused once the append commits
foray_psql -At -d $DB >"$out/a3.out" 2>&1 <<'SQL' &
BEGIN;
SELECT foray.log_append('S_00002');
SELECT pg_sleep(1.5);
COMMIT;
SQL
a=$!
sleep 0.5
qs "INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES ('S_00002', 'ARR_2', 'ARR', '{}')" >"$out/w3.out"
wait $a
check "a writer queued behind an append is refused once it commits (23R32)" "23R32" "$(grep -o '23R32' "$out/w3.out" | head -1)"
check "after the races every logged transaction's leaf is its envelope: verify() finds only the planted changes" "B_00003|log.entry" \
	"$(q "SELECT string_agg(transaction_id || '|' || field, ' ') FROM foray.verify()")"

# ---- 5. what verify() finds --------------------------------------------------
q "SELECT foray.log_checkpoint()" >/dev/null
# entry 7 (A_00008) stores the node over entries 6..7, which the inclusion
# path of entry 5 (A_00006) holds and that of entry 19 (A_00020) does not
foray_psql -d $DB -c "SET session_replication_role = replica" \
	-c "UPDATE foray.log_entries SET subtree_hashes = overlay(subtree_hashes placing '\\x00'::bytea from 1) WHERE log_index = 7" >/dev/null
check "verify() of one transaction checks its inclusion in the anchored checkpoint from the stored tree" "A_00006 log.inclusion|0" \
	"$(q "SELECT transaction_id || ' ' || field FROM foray.verify('A_00006')")|$(q "SELECT count(*) FROM foray.verify('A_00020')")"
foray_psql -d $DB >/dev/null 2>&1 <<'SQL'
SET session_replication_role = replica;
UPDATE foray.log_anchors SET root_hash = sha256('forged'::bytea);
UPDATE foray.foray_transactions SET blockchain_anchor = blockchain_anchor || '{"log_index": 0}' WHERE transaction_id = 'A_00005';
UPDATE foray.log_signatures SET signed_checkpoint = replace(signed_checkpoint, 'anchored', 'anchorad');
INSERT INTO foray.log_checkpoints (tree_size, root_hash, checkpoint)
	SELECT tree_size + 1000, root_hash, replace(checkpoint, E'\n' || tree_size || E'\n', E'\n' || (tree_size + 1000) || E'\n')
	  FROM foray.log_checkpoints ORDER BY tree_size DESC LIMIT 1;
SQL
q "SELECT coalesce(transaction_id, '-') || ' ' || field FROM foray.verify() ORDER BY 1" >"$out/verify.out"
for expect in "A_00005 blockchain_anchor.log_index" "A_00005 event.blockchain_anchor.log_index" "A_00008 log.subtree_hashes" \
	"- log.anchor" "- log.signature" "- log.checkpoint" "B_00003 log.entry"; do
	check "verify() reports: $expect" "1" "$(grep -cxF -e "$expect" "$out/verify.out")"
done
check "a forged checkpoint anchor root shows in every transaction it anchored" "$N" \
	"$(grep -c ' blockchain_anchor.log_root$' "$out/verify.out")"

foray_psql -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null
foray_tally "$pass" "$fail"
