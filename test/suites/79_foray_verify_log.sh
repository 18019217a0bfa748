#!/usr/bin/env bash
# foray-verify's log commands (docs/foray-verify.md: log-inclusion,
# log-consistency, checkpoint, chain) against the database's verification
# functions, on proofs the database produced:
#
#  1. a log grown one entry at a time to 40 with a checkpoint at every size:
#     every inclusion proof (i, n) and every consistency proof (m, n) for
#     n <= 40; then the same log at 1,000, 1,537 and 3,537 entries, with
#     sampled proofs between every size;
#  2. tampered copies of a sample (test/verify/log_xcheck.py mutate): each
#     must be refused, and refused as the database refuses it (false, or the
#     same SQLSTATE);
#  3. the RFC 9162 vectors of transparency-dev/merkle and the C2SP
#     checkpoint, signed-note and vkey vectors (test/vectors), no database;
#  4. checkpoints signed with the openssl command: foray-verify --vkey and
#     foray.log_verify_signature agree, on the signed note and tampered ones;
#  5. the proof chain of every member of transactions anchored by one
#     checkpoint (and of ones anchored alone), and tampered chains:
#     foray-verify chain --anchored and foray.verify_proof_chain agree;
#  6. valgrind over a sample of every new command.
source test/lib.sh
source test/log_sign.sh

check() { foray_check "$@"; }
phase() { echo "# $1 (${SECONDS}s so far)"; }

FV="$FORAY_PGBIN/foray-verify"
out="$FORAY_TMP/verify_log"
rm -rf "$out"
mkdir -p "$out"
chmod 755 "$out"
LOGDB=foray_fv_log
CHAINDB=foray_fv_chain
SMALL=40
xcheck() {	# xcheck NAME CASES...: foray-verify against each case's verdicts
	local name=$1 log="$out/$1.log"
	shift
	python3 test/verify/log_xcheck.py run "$FV" "$out/work-${name// /_}" "$@" >"$log" 2>&1
	local rc=$?
	grep -E '^not ok' "$log" | head -20
	grep -E '^#' "$log"
	check "$name: foray-verify agrees ($(tail -n 1 "$log" | sed 's/^# //'))" "0" "$rc"
}
# the database's verdict on every case of a JSONL file, into "expect"
db_verdicts() {	# db_verdicts DB IN OUT
	foray_psql -At -d "$1" >"$3.verdicts" 2>&1 <<-SQL
	CREATE TEMP TABLE cases (n serial, line text);
	\copy cases (line) FROM '$2' WITH (FORMAT csv, QUOTE E'\x01', DELIMITER E'\x02')
	SELECT public.fv_case(line::jsonb) FROM cases ORDER BY n;
	SQL
	python3 -c '
import json, sys
cases = [l for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
verdicts = [l.rstrip("\n") for l in open(sys.argv[2], encoding="utf-8")]
assert len(cases) == len(verdicts), (len(cases), len(verdicts), verdicts[:3])
with open(sys.argv[3], "w", encoding="utf-8") as f:
    for c, v in zip(cases, verdicts):
        c = json.loads(c)
        c["expect"] = v
        f.write(json.dumps(c, ensure_ascii=False) + "\n")
' "$2" "$3.verdicts" "$3"
}
case_fn() {	# the verdict of one case, as the server gives it
	foray_psql -d "$1" >/dev/null <<-'SQL'
	CREATE FUNCTION public.fv_case(c jsonb) RETURNS text LANGUAGE plpgsql AS $$
	BEGIN
		RETURN CASE c->>'kind'
			WHEN 'inclusion' THEN foray.log_verify_inclusion(c->>'leaf', c->'proof', c->>'cp')
			WHEN 'consistency' THEN foray.log_verify_consistency(c->>'old', c->>'cp', c->'proof')
			WHEN 'chain' THEN foray.verify_proof_chain(c->'chain', c->>'anchored')
			WHEN 'signature' THEN foray.log_verify_signature(c->>'cp', c->>'vkey')
		END::text;
	EXCEPTION WHEN OTHERS THEN
		RETURN 'error ' || SQLSTATE;
	END $$;
	SQL
}

# ---- 1. the database's proofs over a log of several sizes ----------------------
phase "proofs of the database"
foray_fresh_db $LOGDB >/dev/null 2>&1
case_fn $LOGDB
foray_psql -d $LOGDB -c "SELECT foray.log_set_origin('example.com/foray/verify-log')" >/dev/null
# one entry at a time, a checkpoint after each (separate statements: each
# checkpoint sees the entries committed before it)
for n in $(seq 1 $SMALL); do
	echo "SELECT count(*) FROM foray.log_append_leaves(ARRAY['L$n'], ARRAY[sha256('entry $n')]);"
	echo "SELECT foray.log_checkpoint() IS NOT NULL;"
done | foray_psql -At -d $LOGDB >/dev/null
grow() {	# grow TO: synthetic leaves up to size TO, then a checkpoint
	foray_psql -At -d $LOGDB >/dev/null <<-SQL
	SELECT count(*) FROM foray.log_append_leaves(
		(SELECT array_agg('L' || i ORDER BY i) FROM generate_series(foray.log_size() + 1, $1) i),
		(SELECT array_agg(sha256(convert_to('entry ' || i, 'UTF8')) ORDER BY i) FROM generate_series(foray.log_size() + 1, $1) i));
	SELECT foray.log_checkpoint() IS NOT NULL;
	SQL
}
grow 1000
grow 1537
grow 3537
check "checkpoints at every size up to $SMALL and at 1000, 1537, 3537" "$((SMALL + 3))|3537" \
	"$(foray_psql -At -d $LOGDB -c "SELECT count(*) || '|' || max(tree_size) FROM foray.log_checkpoints")"
# every (i, n) and (m, n) for n <= SMALL; for the large sizes, 25 indices
# each and every pair of sizes (sampled); a sample is marked for tampering
foray_psql -At -d $LOGDB >"$out/honest.jsonl" <<-SQL
WITH cp AS (SELECT tree_size, checkpoint FROM foray.log_checkpoints),
inc AS (
	SELECT c.tree_size AS n, i FROM cp c, generate_series(0, c.tree_size - 1) i WHERE c.tree_size <= $SMALL
	UNION ALL
	SELECT c.tree_size, (c.tree_size - 1) * k / 24 FROM cp c, generate_series(0, 24) k WHERE c.tree_size > $SMALL),
leaf AS (SELECT log_index, 'sha256:' || encode(leaf_hash, 'hex') AS leaf FROM foray.log_entries)
SELECT json_build_object('name', 'inclusion of ' || inc.i || ' in ' || inc.n, 'kind', 'inclusion',
		'proof', foray.log_inclusion_proof(inc.i, inc.n), 'cp', cp.checkpoint, 'leaf', leaf.leaf,
		'expect', public.fv_case(jsonb_build_object('kind', 'inclusion', 'leaf', leaf.leaf,
			'proof', foray.log_inclusion_proof(inc.i, inc.n), 'cp', cp.checkpoint)),
		'sample', (inc.i * 7 + inc.n) % 97 = 0)
  FROM inc JOIN cp ON cp.tree_size = inc.n JOIN leaf ON leaf.log_index = inc.i
 ORDER BY inc.n, inc.i;
WITH cp AS (SELECT tree_size, checkpoint FROM foray.log_checkpoints),
pairs AS (SELECT o.tree_size AS m, n.tree_size AS n, o.checkpoint AS old, n.checkpoint AS new
			FROM cp o JOIN cp n ON o.tree_size <= n.tree_size
		   WHERE n.tree_size <= $SMALL OR o.tree_size % 3 = 0 OR o.tree_size > $SMALL)
SELECT json_build_object('name', 'consistency of ' || m || ' and ' || n, 'kind', 'consistency',
		'proof', foray.log_consistency_proof(m, n), 'old', old, 'cp', new,
		'expect', public.fv_case(jsonb_build_object('kind', 'consistency', 'old', old, 'cp', new,
			'proof', foray.log_consistency_proof(m, n))),
		'sample', (m * 5 + n) % 61 = 0 OR (m = n AND m = 7))
  FROM pairs ORDER BY n, m;
SQL
check "the database verifies every proof it produced" \
	"$(wc -l <"$out/honest.jsonl")" "$(grep -c '"expect" : "true"' "$out/honest.jsonl")"
xcheck "proofs of the database" "$out/honest.jsonl"

# ---- 2. tampered proofs and checkpoints ---------------------------------------------
phase "tampered proofs"
python3 test/verify/log_xcheck.py mutate "$out/honest.jsonl" >"$out/tampered.in.jsonl"
db_verdicts $LOGDB "$out/tampered.in.jsonl" "$out/tampered.jsonl"
xcheck "tampered proofs and checkpoints" "$out/tampered.jsonl"

# ---- 3. the vectors --------------------------------------------------------------------
phase "vectors"
python3 test/verify/log_xcheck.py vectors test/vectors >"$out/vectors.jsonl"
xcheck "RFC 9162 and C2SP vectors" "$out/vectors.jsonl"

# ---- 4. signatures -------------------------------------------------------------------------
phase "signatures"
foray_psql -At -d $LOGDB -c "SELECT checkpoint FROM foray.log_checkpoints WHERE tree_size = 1537" | head -c -1 >"$out/cp.txt"
log_keygen "$out/log.key" "$out/log.pub"
log_keygen "$out/other.key" "$out/other.pub"
VK=$(vkey example.com/foray/verify-log "$out/log.pub")
VK_OTHER=$(vkey example.com/foray/other "$out/other.pub")
sign example.com/foray/verify-log "$out/log.key" "$out/log.pub" "$out/cp.txt" >"$out/cp.signed"
sign example.com/foray/other "$out/other.key" "$out/other.pub" "$out/cp.txt" >"$out/cp.other"
python3 - "$out/cp.txt" "$out/cp.signed" "$out/cp.other" "$VK" "$VK_OTHER" >"$out/sig.in.jsonl" <<-'PY'
import json, sys
cp, signed, other = (open(p, encoding='utf-8').read() for p in sys.argv[1:4])
vk, vk_other = sys.argv[4:6]
sigline = signed[len(cp) + 1:]
def case(name, note, key, must):
    print(json.dumps({'name': name, 'kind': 'signature', 'cp': note, 'vkey': key, 'must': must}, ensure_ascii=False))
case('signed by the log key', signed, vk, 'true')
case('cosigned: both keys, checked with each', signed + other[len(cp) + 1:], vk, 'true')
case('cosigned, checked with the other key', signed + other[len(cp) + 1:], vk_other, 'true')
case('signed by another key only', other, vk, 'false')
case('the text changed under the signature', signed.replace('\n', '\n', 1).replace(cp.split('\n')[1], str(int(cp.split('\n')[1]) + 1), 1), vk, 'false')
b64 = sigline.split(' ')[-1].strip()
flipped = b64[:10] + ('A' if b64[10] != 'A' else 'B') + b64[11:]
case('a signature byte changed', cp + '\n' + sigline.replace(b64, flipped), vk, 'false')
case('a key with the same name, another key ID', signed, vk_other.replace('example.com/foray/other', 'example.com/foray/verify-log'), 'refused')
case('no blank line before the signature', cp + sigline, vk, 'error 22R63')
case('the signature line without its newline', signed[:-1], vk, 'error 22R63')
case('a signature that is not base64', cp + '\n' + sigline.replace(b64, '!!!!'), vk, 'error 22R63')
case('a vkey that is not one', signed, 'example.com/foray/verify-log+zz+AA==', 'error 22R62')
case('a vkey of another type', signed, vk.rsplit('+', 1)[0] + '+Ag' + vk.rsplit('+', 1)[1][2:], 'error 22R62')
case('the unsigned checkpoint', cp, vk, 'error 22R63')
PY
db_verdicts $LOGDB "$out/sig.in.jsonl" "$out/sig.jsonl"
xcheck "signatures" "$out/sig.jsonl"
# --vkey with the log's own commands
foray_psql -At -d $LOGDB -c "SELECT foray.log_inclusion_proof(1000, 1537)" >"$out/inc.json"
foray_psql -At -d $LOGDB -c "SELECT foray.log_consistency_proof(1000, 1537)" >"$out/cons.json"
foray_psql -At -d $LOGDB -c "SELECT checkpoint FROM foray.log_checkpoints WHERE tree_size = 1000" | head -c -1 >"$out/cp1000.txt"
"$FV" --quiet log-inclusion "$out/inc.json" --checkpoint "$out/cp.signed" --vkey "$VK"
check "log-inclusion against a signed checkpoint, --vkey" "0" "$?"
"$FV" --quiet log-inclusion "$out/inc.json" --checkpoint "$out/cp.other" --vkey "$VK"
check "log-inclusion against a checkpoint signed by another key: exit 1" "1" "$?"
"$FV" --json log-consistency "$out/cons.json" --old "$out/cp1000.txt" --new "$out/cp.signed" --vkey "$VK" 2>"$out/stderr" >"$out/report.json"
check "log-consistency with --vkey: every checkpoint must be signed (the old one is not: exit 2, TLOG-NOTE)" "2|1" \
	"$(jq -r '.exit_code' "$out/report.json")|$(grep -c "TLOG-NOTE" "$out/stderr")"
"$FV" --quiet log-consistency "$out/cons.json" --old "$out/cp1000.txt" --new "$out/cp.signed"
check "log-consistency without --vkey takes a signed note's checkpoint text" "0" "$?"
"$FV" --json log-inclusion "$out/inc.json" --checkpoint "$out/cp.signed" | jq -r '.claimed[]' >"$out/claims"
check "... and says that its signatures were not checked, and that the leaf is the proof's claim" "2" \
	"$(grep -cE 'signature lines that were not checked|the proof.s own leaf_hash' "$out/claims")"

# ---- 5. proof chains ---------------------------------------------------------------------------
phase "proof chains"
foray_fresh_db $CHAINDB >/dev/null 2>&1
case_fn $CHAINDB
foray_psql -d $CHAINDB >/dev/null <<-'SQL'
SELECT foray.log_set_origin('example.com/foray/chains');
CREATE FUNCTION public.mk(prefix text, n integer) RETURNS void LANGUAGE sql AS $$
	INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, audit_data_anchor)
	SELECT prefix || lpad(i::text, 4, '0'), '2026-03-0' || (1 + i % 9) || 'T10:00:00Z',
		   jsonb_build_object('entity', 'Chains', 'transaction_type', 'sale', 'total', i * 10, 'memo', 'caf' || chr(233) || ' ' || i),
		   CASE WHEN i % 3 = 1 THEN jsonb_build_object('auditor', 'A', 'period', i) END
	  FROM generate_series(1, n) i;
	INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
	SELECT prefix || lpad(i::text, 4, '0'), c.id, c.t, c.core
	  FROM generate_series(1, n) i,
		   LATERAL (VALUES ('ARR_1', 'ARR', jsonb_build_object('n', i)),
						   ('ACT_1', 'ACT', jsonb_build_object('arrangement_refs', '["ARR_1"]'::jsonb, 'amount', i))) c(id, t, core);
	INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core)
	SELECT prefix || lpad(i::text, 4, '0'), 'ATT_1', jsonb_build_object('attestor', 'Example Audit LLP',
		'attestor_hash', 'sha256:ab', 'attestor_type', 'auditor', 'attestation_type', 'audit_opinion',
		'attestation_date', '2026-03-01T12:00:00Z', 'outcome', 'approved', 'subject_refs', '["ACT_1"]'::jsonb)
	  FROM generate_series(1, n) i WHERE i % 3 = 2;
$$;
SELECT public.mk('ALONE_', 2);
SELECT foray.record_anchor(transaction_id, foray.anchor_envelope(transaction_id)->>'merkle_root', 'kaspa:alone-' || transaction_id, 10, 900, '2026-03-04T09:00:00Z')
  FROM foray.foray_transactions WHERE transaction_id LIKE 'ALONE\_%';
SELECT public.mk('A_', 37);
SELECT count(*) FROM foray.log_append_ready();
SQL
foray_psql -At -d $CHAINDB -c "SELECT foray.log_checkpoint()" | head -c -1 >"$out/chain_cp.txt"
cp="$(cat "$out/chain_cp.txt"; printf x)"
echo "SELECT foray.record_checkpoint_anchor(:'cp', 'kaspa:batch-1', 3000000, 1100, '2026-03-05T12:00:00.250Z') IS NOT NULL" |
	foray_psql -At -d $CHAINDB -v cp="${cp%x}" >/dev/null
foray_psql -At -d $CHAINDB >"$out/chains.jsonl" <<-'SQL'
WITH m AS (SELECT transaction_id, component_id AS id FROM foray.foray_components
		   UNION ALL SELECT transaction_id, attestation_id FROM foray.foray_attestations),
c AS (SELECT m.transaction_id, m.id, foray.proof_chain(m.transaction_id, m.id) AS chain FROM m)
SELECT json_build_object('name', 'chain of ' || transaction_id || '/' || id, 'kind', 'chain', 'chain', chain,
		'anchored', coalesce(chain->>'checkpoint', foray.anchor_envelope_text(transaction_id)),
		'expect', public.fv_case(jsonb_build_object('kind', 'chain', 'chain', chain,
			'anchored', coalesce(chain->>'checkpoint', foray.anchor_envelope_text(transaction_id)))),
		'sample', transaction_id IN ('ALONE_0001', 'A_0001', 'A_0002', 'A_0037'))
  FROM c ORDER BY transaction_id, id;
SQL
check "a chain for every member (2 anchored alone, 37 by one checkpoint), each verified by the database" \
	"$(( 2 * 2 + 1 + 37 * 2 + 12 ))|$(( 2 * 2 + 1 + 37 * 2 + 12 ))" \
	"$(wc -l <"$out/chains.jsonl")|$(grep -c '"expect" : "true"' "$out/chains.jsonl")"
python3 test/verify/log_xcheck.py mutate "$out/chains.jsonl" >"$out/chains.tampered.in.jsonl"
db_verdicts $CHAINDB "$out/chains.tampered.in.jsonl" "$out/chains.tampered.jsonl"
xcheck "proof chains, honest and tampered" "$out/chains.jsonl" "$out/chains.tampered.jsonl"
# what a chain's report says was proved and what only claimed
grep '"chain of ALONE_0001/ARR_1"' "$out/chains.jsonl" | jq -c .chain >"$out/alone.chain.json"
grep '"chain of A_0001/ACT_1"' "$out/chains.jsonl" | jq -c .chain >"$out/a1.chain.json"
"$FV" --json chain "$out/a1.chain.json" >"$out/a1.report.json"
check "chain without --anchored: verified, the payload on chain and the anchor record only claimed" "0|2|2" \
	"$(jq -r '.exit_code' "$out/a1.report.json")|$(jq -r '.proved | length' "$out/a1.report.json")|$(jq -r '[.claimed[] | select(test("not checked offline|was not checked: give --anchored"))] | length' "$out/a1.report.json")"
sign example.com/foray/chains "$out/log.key" "$out/log.pub" "$out/chain_cp.txt" >"$out/chain_cp.signed"
VKC=$(vkey example.com/foray/chains "$out/log.pub")
"$FV" --quiet chain "$out/a1.chain.json" --anchored "$out/chain_cp.txt" --checkpoint "$out/chain_cp.signed" --vkey "$VKC"
check "chain with the signed checkpoint you trust (--checkpoint, --vkey) and the payload on chain" "0" "$?"
"$FV" --json chain "$out/a1.chain.json" --checkpoint "$out/cp.signed" >"$out/x.json"
check "chain with another trusted checkpoint: exit 1, the checkpoint named" "1|checkpoint" \
	"$(jq -r '.exit_code' "$out/x.json")|$(jq -r '.failures[0].check' "$out/x.json")"
"$FV" chain "$out/a1.chain.json" --vkey "$VKC" 2>/dev/null
check "chain --vkey without --checkpoint: a usage error" "2" "$?"

# ---- usage ------------------------------------------------------------------------------------------
"$FV" log-inclusion "$out/inc.json" 2>/dev/null
check "log-inclusion without --checkpoint: exit 2" "2" "$?"
"$FV" log-consistency "$out/cons.json" --old "$out/cp1000.txt" 2>/dev/null
check "log-consistency without --new: exit 2" "2" "$?"
"$FV" log-inclusion "$out/inc.json" --checkpoint "$out/cp.txt" --leaf sha256:12 2>/dev/null
check "a malformed --leaf: exit 2" "2" "$?"
"$FV" document "$out/inc.json" --vkey "$VK" 2>/dev/null
check "--vkey with document: exit 2" "2" "$?"
printf '{"leaf_index": 1, ' | "$FV" log-inclusion - --checkpoint "$out/cp.txt" 2>"$out/stderr"
check "a proof that is not JSON: exit 2, one line" "2|1" "$?|$(wc -l <"$out/stderr")"

# ---- 6. valgrind -----------------------------------------------------------------------------------------
phase "valgrind"
if command -v valgrind >/dev/null; then
	vbad=0
	vn=0
	vg() {
		vn=$((vn + 1))
		valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99 "$FV" --json "$@" >/dev/null 2>"$out/valgrind.err"
		if [ $? -eq 99 ]; then
			vbad=$((vbad + 1)); echo "#   valgrind: $*"; head -20 "$out/valgrind.err"
		fi
	}
	vg log-inclusion "$out/inc.json" --checkpoint "$out/cp.signed" --vkey "$VK"
	vg log-inclusion "$out/inc.json" --checkpoint "$out/cp.txt" --envelope "$out/cp.txt"
	vg log-inclusion "$out/inc.json" --checkpoint "$out/cp1000.txt"
	vg log-consistency "$out/cons.json" --old "$out/cp1000.txt" --new "$out/cp.signed" --vkey "$VK"
	vg log-consistency "$out/cons.json" --old "$out/cp1000.txt" --new "$out/cp.txt"
	vg checkpoint "$out/cp.other" --vkey "$VK"
	vg checkpoint "$out/cons.json"
	vg chain "$out/a1.chain.json" --anchored "$out/chain_cp.txt" --checkpoint "$out/chain_cp.signed" --vkey "$VKC"
	vg chain "$out/alone.chain.json" --anchored "$out/chain_cp.txt"
	vg chain "$out/inc.json"
	for f in $(ls -d "$out"/work-*/* | awk 'NR % 150 == 0'); do
		for x in "$f"/chain.json "$f"/proof.json; do
			[ -f "$x" ] || continue
			case $x in
				*/chain.json) vg chain "$x" --anchored "$f/anchored.txt" ;;
				*) if [ -f "$f/old.txt" ]; then vg log-consistency "$x" --old "$f/old.txt" --new "$f/cp.txt"
				   else vg log-inclusion "$x" --checkpoint "$f/cp.txt"; fi ;;
			esac
		done
	done
	check "valgrind: no error and no leak over $vn runs of the log commands" "0" "$vbad"
fi

foray_tally "$foray_passed" "$foray_failed"
