#!/usr/bin/env bash
# The log in the database (docs/log.md), against outside references:
#
#  1. A log of 100,000 entries (leaf i = SHA-256(0x00 || i as 8 bytes),
#     appended through the test path in batches of awkward sizes): roots,
#     inclusion and consistency proofs at every pair of sizes up to 24 and
#     at random sizes up to 100,000 equal test/core/tlog_ref.py, an
#     independent Python implementation of RFC 9162.
#  2. Real transactions: log_append_ready appends the ready ones, oldest
#     first, at most max_entries; each leaf equals SHA-256(0x00 || the
#     envelope canonicalised by Python); each inclusion proof verifies in
#     SQL and in Python; a transaction whose envelope cannot be built is left
#     out with a WARNING and the others go in.
#  3. Signing outside the database: an Ed25519 key made by the openssl
#     command, its C2SP vkey computed by Python, the checkpoint signed by
#     openssl; the signature verifies and is stored; wrong keys, other texts
#     and unstored checkpoints are refused.
#  4. Concurrency: two sessions (one waits for the other's lock, a rolled-
#     back append leaves no hole, REPEATABLE READ gets 40001), then pgbench
#     with 2 and with 8 clients appending, rolling back and checkpointing at
#     once: no gap, no duplicate, every committed entry in every later
#     checkpoint, every stored checkpoint consistent with the log.
#  5. A monitor holding a newer checkpoint detects a restore of an older
#     pg_dump backup: the log is shorter than its checkpoint (truncated),
#     and once the restored log grows again with other entries, the
#     consistency proof from the monitor's checkpoint fails (rewritten).
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
out="$FORAY_TMP/log"
rm -rf "$out"
mkdir -p "$out"
chmod 755 "$out"
q() { foray_psql -At -d "$1" -c "$2" 2>&1; }
ref=test/core/tlog_ref.py

# ---- 1. roots and proofs against the Python reference -----------------
DB=foray_log_ref
foray_fresh_db $DB >/dev/null 2>&1
N=100000
q $DB "SELECT foray.log_set_origin('example.com/foray/ref')" >/dev/null
start=0
for chunk in 1 2 5 9999 10001 1 30000 20000 29991; do
	end=$((start + chunk))
	q $DB "SELECT foray.log_append_leaves(ARRAY(SELECT 'SYN_' || i FROM generate_series($start, $end - 1) i ORDER BY i),
		ARRAY(SELECT sha256('\\x00'::bytea || int8send(i)) FROM generate_series($start, $end - 1) i ORDER BY i))" >"$out/append.out"
	start=$end
done
check "100,000 synthetic entries appended in 9 calls" "$N" "$(cat "$out/append.out")"
python3 $ref queries 4747 $N 24 12 >"$out/queries.txt"
grep -v '^leaves' "$out/queries.txt" >"$out/queries.sql.txt"
foray_psql -At -d $DB >"$out/answers.txt" 2>&1 <<SQL
CREATE TEMP TABLE q (n serial, op text, a bigint, b bigint);
\copy q (op, a, b) FROM '$out/queries.sql.txt' WITH (FORMAT text, DELIMITER ' ')
CREATE FUNCTION pg_temp.hexes(j jsonb) RETURNS text LANGUAGE sql AS
	\$\$ SELECT coalesce(string_agg(substr(x, 8), ',' ORDER BY o), '-') FROM jsonb_array_elements_text(j) WITH ORDINALITY e(x, o) \$\$;
SELECT op || ' ' || a || ' ' || b || ' ' ||
	   CASE op WHEN 'root' THEN substr(foray.log_root(a), 8)
			   WHEN 'incl' THEN pg_temp.hexes(foray.log_inclusion_proof(a, b)->'path')
			   ELSE pg_temp.hexes(foray.log_consistency_proof(a, b)->'path') END
  FROM q ORDER BY n;
SQL
python3 $ref check "$out/queries.txt" "$out/answers.txt" >"$out/check.txt" 2>&1
while read -r line; do
	case "$line" in
		ok\ -*) pass=$((pass + 1)); echo "$line (the database)";;
		not\ ok*) fail=$((fail + 1)); echo "$line (the database)";;
		\#*) echo "$line";;
	esac
done <"$out/check.txt"
# the stored subtrees: the 2^16 perfect subtree ends at entry 65535
check "entry 65535 stores 16 subtree hashes, entry 65536 none" "512|0" \
	"$(q $DB "SELECT string_agg((octet_length(subtree_hashes))::text, '|' ORDER BY log_index) FROM foray.log_entries WHERE log_index IN (65535, 65536)")"
foray_psql -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null

# ---- 2. real transactions ---------------------------------------------
DB=foray_log_tx
foray_fresh_db $DB >/dev/null 2>&1
q $DB "SELECT foray.log_set_origin('example.com/foray/tx')" >/dev/null
# 60 ready transactions in three commits (created_at increases), one open,
# one whose envelope is too large (a 150-character id)
for batch in 0 1 2; do
	foray_psql -d $DB >/dev/null <<SQL
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
SELECT 'TXL_$batch' || lpad(i::text, 3, '0'), '2026-03-0' || ($batch + 1) || 'T10:00:00Z',
	   jsonb_build_object('entity', 'Log', 'transaction_type', 'sale', 'total_value', i * 10 + $batch, 'memo', E'caf\\u00e9 ' || i)
  FROM generate_series(1, 20) i;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
SELECT 'TXL_$batch' || lpad(i::text, 3, '0'), 'ARR_1', 'ARR', jsonb_build_object('n', i) FROM generate_series(1, 20) i;
COMMIT;
SQL
	sleep 0.05
done
foray_psql -d $DB >/dev/null <<'SQL'
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('TXL_OPEN', '2026-03-04T10:00:00Z', '{"entity": "Log", "transaction_type": "t"}'),
	   (repeat('L', 150), '2026-03-04T10:00:00Z', '{"entity": "Log", "transaction_type": "t"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('TXL_OPEN', 'ARR_1', 'ARR', '{}'), ('TXL_OPEN', 'ACC_1', 'ACC', '{"arrangement_refs": ["ARR_1"]}'),
	   (repeat('L', 150), 'ARR_1', 'ARR', '{}');
-- open: its arrangement reversed, the accrual pending
UPDATE foray.foray_components SET status = 'reversed' WHERE transaction_id = 'TXL_OPEN' AND component_id = 'ARR_1';
SQL
check "one open transaction and one ready with an oversized envelope" "open ready_to_anchor" \
	"$(q $DB "SELECT string_agg(lifecycle, ' ' ORDER BY transaction_id DESC) FROM foray.foray_transactions WHERE transaction_id IN ('TXL_OPEN', repeat('L', 150))")"
q $DB "SELECT foray.log_append_ready(25)" >/dev/null
check "at most max_entries: 25 appended, oldest first" "25|TXL_0001|TXL_1005" \
	"$(q $DB "SELECT count(*) || '|' || min(transaction_id) || '|' || max(transaction_id) FROM foray.log_entries")"
foray_psql -At -d $DB -c "SELECT log_index, transaction_id FROM foray.log_append_ready()" >"$out/ready.out" 2>"$out/ready.err"
check "the rest appended in order, indices 25 to 59, the open one and the oversized one left out" "35|25|59|TXL_1006|TXL_2020" \
	"$(awk -F'|' 'NR==1{f=$1; a=$2} {n++; l=$1; b=$2} END {print n "|" f "|" l "|" a "|" b}' "$out/ready.out")"
check "the oversized envelope is reported in a WARNING naming the transaction" "1" \
	"$(grep -c "WARNING:  transaction \"LLLLLLLLLL.*\" was not appended to the log: anchor envelope of transaction" "$out/ready.err")"
check "and it stays ready, in the anchor queue" "1" \
	"$(q $DB "SELECT count(*) FROM foray.anchor_queue WHERE transaction_id = repeat('L', 150)")"
check "appending again finds nothing new" "0" "$(q $DB "SELECT count(*) FROM foray.log_append_ready()" 2>/dev/null | tail -n 1)"
cp_tx=$(q $DB "SELECT foray.log_checkpoint()")
# every leaf and proof, checked by Python: canonical JSON (sort_keys, no
# spaces, UTF-8) of the envelope is RFC 8785 for these values
foray_psql -At -d $DB -c "SELECT json_build_object('cp', foray.log_checkpoint(), 'entries', json_agg(json_build_object(
		'envelope', foray.anchor_envelope(transaction_id), 'proof', foray.log_inclusion_proof(transaction_id),
		'verified', foray.log_verify_inclusion(foray.log_leaf_hash(foray.anchor_envelope(transaction_id)),
											   foray.log_inclusion_proof(transaction_id), foray.log_checkpoint()))
		ORDER BY log_index)) FROM foray.log_entries" >"$out/entries.json"
python3 - "$out/entries.json" >"$out/py_entries.txt" 2>&1 <<'PY'
import base64, hashlib, json, sys
sys.path.insert(0, "test/core")
import tlog_ref
doc = json.load(open(sys.argv[1]))
origin, size, root_b64 = doc["cp"].split("\n")[:3]
root = base64.b64decode(root_b64)
bad = []
for i, e in enumerate(doc["entries"]):
    canon = json.dumps(e["envelope"], sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    leaf = hashlib.sha256(b"\x00" + canon).digest()
    p = e["proof"]
    path = [bytes.fromhex(h[7:]) for h in p["path"]]
    if ("sha256:" + leaf.hex() != p["leaf_hash"] or p["leaf_index"] != i or p["tree_size"] != int(size)
            or not tlog_ref.verify_inclusion(i, int(size), leaf, path, root) or not e["verified"]):
        bad.append(p["transaction_id"])
print("%d %d %s" % (len(doc["entries"]), len(bad), ",".join(bad[:3])))
PY
check "every leaf is SHA-256(0x00 || envelope canonicalised by Python), and every proof verifies in Python and SQL" "60 0 " "$(cat "$out/py_entries.txt")"

# ---- 3. signing outside the database ----------------------------------
log_keygen "$out/log.key" "$out/log.pub"
log_keygen "$out/other.key" "$out/other.pub"
VK=$(vkey example.com/foray/tx "$out/log.pub")
OTHER=$(vkey example.com/foray/tx "$out/other.pub")
printf '%s\n' "$cp_tx" >"$out/cp.txt"
sign example.com/foray/tx "$out/log.key" "$out/log.pub" "$out/cp.txt" >"$out/cp.signed"
# (file contents go to psql variables whole: $(cat) would drop the final newline)
sq() {	# NOTEFILE VKEY SQL: SQL with :'note' and :'vkey'
	local note
	note="$(cat "$1"; printf x)"
	echo "$3" | foray_psql -At -d $DB -v VERBOSITY=sqlstate -v note="${note%x}" -v vkey="$2" 2>&1
}
check "the openssl signature over the checkpoint verifies" "t" "$(sq "$out/cp.signed" "$VK" "SELECT foray.log_verify_signature(:'note', :'vkey')")"
check "not with another key of the same name (its key ID differs: no line of that key)" "f" \
	"$(sq "$out/cp.signed" "$OTHER" "SELECT foray.log_verify_signature(:'note', :'vkey')")"
check "it is stored for the checkpoint's size" "60" "$(sq "$out/cp.signed" "$VK" "SELECT foray.log_store_signature(:'note', :'vkey')")"
check "storing it again is a no-op" "60|1" "$(sq "$out/cp.signed" "$VK" "SELECT foray.log_store_signature(:'note', :'vkey') || '|' || (SELECT count(*) FROM foray.log_signatures)")"
check "the stored signed checkpoint verifies, and is the checkpoint with that one signature line" "true|true" \
	"$(sq "$out/cp.signed" "$VK" "SELECT foray.log_verify_signature(signed_checkpoint, :'vkey') || '|' || (signed_checkpoint = :'note') FROM foray.log_signatures")"
sign example.com/foray/tx "$out/other.key" "$out/other.pub" "$out/cp.txt" >"$out/cp.other"
check "a signature by another key (a cosigner) verifies with that key's vkey and is stored under it" "60" \
	"$(sq "$out/cp.other" "$OTHER" "SELECT foray.log_store_signature(:'note', :'vkey')")"
check "but refused when it is claimed to be the log key's" "ERROR:  23R61" \
	"$(sq "$out/cp.other" "$VK" "SELECT foray.log_store_signature(:'note', :'vkey')")"
sed 's/^60$/61/' "$out/cp.txt" >"$out/cp61.txt"
sign example.com/foray/tx "$out/log.key" "$out/log.pub" "$out/cp61.txt" >"$out/cp61.signed"
check "a well-signed checkpoint that was never taken is refused (23R61)" "ERROR:  23R61" \
	"$(sq "$out/cp61.signed" "$VK" "SELECT foray.log_store_signature(:'note', :'vkey')")"
python3 -c "import sys; t=open(sys.argv[1]).read(); i=t.index('\u2014 ')+40; sys.stdout.write(t[:i]+('A' if t[i]!='A' else 'B')+t[i+1:])" "$out/cp.signed" >"$out/cp.tampered"
check "a tampered signature does not verify" "f" "$(sq "$out/cp.tampered" "$VK" "SELECT foray.log_verify_signature(:'note', :'vkey')")"
foray_psql -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null

# ---- 4. concurrency ---------------------------------------------------
DB=foray_log_conc
foray_fresh_db $DB >/dev/null 2>&1
q $DB "SELECT foray.log_set_origin('example.com/foray/conc')" >/dev/null
mk() {	# ID...: ready transactions
	for id in "$@"; do
		echo "INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core) VALUES ('$id', '2026-03-01T10:00:00Z', '{\"entity\": \"C\", \"transaction_type\": \"t\"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES ('$id', 'ARR_1', 'ARR', '{}');"
	done | foray_psql -d $DB >/dev/null
}
mk TWO_A TWO_B TWO_C TWO_D TWO_E
# A appends and holds the lock; B waits, then follows A
foray_psql -At -d $DB >"$out/2a.out" 2>&1 <<'SQL' &
BEGIN;
SELECT foray.log_append('TWO_A');
SELECT pg_sleep(1.5);
COMMIT;
SQL
a=$!
sleep 0.5
PGAPPNAME=foray_log_b foray_psql -At -d $DB -c "SELECT foray.log_append('TWO_B')" >"$out/2b.out" 2>&1 &
b=$!
waited=no
for _ in $(seq 40); do
	[ "$(q $DB "SELECT wait_event_type FROM pg_stat_activity WHERE application_name = 'foray_log_b'")" = Lock ] && { waited=yes; break; }
	sleep 0.05
done
wait $a
wait $b
check "B waits for A's append lock" "yes" "$waited"
# A rolls back: B takes the index A had
foray_psql -At -d $DB >"$out/3a.out" 2>&1 <<'SQL' &
BEGIN;
SELECT foray.log_append('TWO_C');
SELECT pg_sleep(1.5);
ROLLBACK;
SQL
a=$!
sleep 0.5
foray_psql -At -d $DB -c "SELECT foray.log_append('TWO_D')" >"$out/3b.out" 2>&1
wait $a
check "A's rolled-back append at index 2 leaves no hole: B gets 2" "2 2 3" \
	"$(head -n 1 "$out/3a.out") $(cat "$out/3b.out") $(q $DB "SELECT count(*) FROM foray.log_entries")"
# REPEATABLE READ: a snapshot older than the last append must retry
foray_psql -At -d $DB -v VERBOSITY=sqlstate >"$out/4a.out" 2>&1 <<'SQL' &
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT foray.log_size();
SELECT pg_sleep(1.5);
SELECT foray.log_append('TWO_E');
ROLLBACK;
SQL
a=$!
sleep 0.5
q $DB "SELECT foray.log_append('TWO_C')" >/dev/null
wait $a
check "a REPEATABLE READ append behind a newer one fails with 40001" "40001" "$(grep -o '40001' "$out/4a.out" | head -n 1)"

# pgbench: writers (ready transactions, not appended), appenders (their own
# transaction, or every ready one), appenders that roll back, checkpointers
foray_psql -d $DB >/dev/null <<'SQL'
CREATE TABLE public.done (transaction_id text PRIMARY KEY, at timestamptz NOT NULL);
SQL
cat >"$out/write.sql" <<'SQL'
\set r random(1, 1000000000)
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core) VALUES ('W_' || :client_id || '_' || :r, '2026-03-01T10:00:00Z', '{"entity": "C", "transaction_type": "t"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES ('W_' || :client_id || '_' || :r, 'ARR_1', 'ARR', '{}');
COMMIT;
SQL
cat >"$out/append.sql" <<'SQL'
\set r random(1, 1000000000)
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core) VALUES ('A_' || :client_id || '_' || :r, '2026-03-01T10:00:00Z', '{"entity": "C", "transaction_type": "t"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES ('A_' || :client_id || '_' || :r, 'ARR_1', 'ARR', '{}');
SELECT foray.log_append('A_' || :client_id || '_' || :r);
COMMIT;
INSERT INTO public.done VALUES ('A_' || :client_id || '_' || :r, clock_timestamp());
SQL
cat >"$out/ready.sql" <<'SQL'
BEGIN;
CREATE TEMP TABLE IF NOT EXISTS mine (transaction_id text);
INSERT INTO mine SELECT transaction_id FROM foray.log_append_ready(5);
COMMIT;
INSERT INTO public.done SELECT transaction_id, clock_timestamp() FROM mine;
TRUNCATE mine;
SQL
cat >"$out/rollback.sql" <<'SQL'
BEGIN;
SELECT count(*) FROM foray.log_append_ready(3);
SELECT pg_sleep(0.01);
ROLLBACK;
SQL
cat >"$out/checkpoint.sql" <<'SQL'
SELECT foray.log_checkpoint();
SQL
for clients in 2 8; do
	"$FORAY_PGBIN/pgbench" -n -d $DB -c $clients -j 2 -t $((160 / clients)) \
		-f "$out/write.sql@3" -f "$out/append.sql@3" -f "$out/ready.sql@2" -f "$out/rollback.sql@1" -f "$out/checkpoint.sql@2" \
		>"$out/pgbench_$clients.out" 2>&1
	rc=$?
	check "pgbench, $clients clients: every transaction of every client ran ($((160 / clients * clients)))" "0 $((160 / clients * clients))" \
		"$rc $(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$out/pgbench_$clients.out")"
	check "$clients clients: indices 0 .. n-1, no gap, no duplicate" "t" \
		"$(q $DB "SELECT count(*) = max(log_index) + 1 AND min(log_index) = 0 AND count(DISTINCT log_index) = count(*) FROM foray.log_entries")"
	check "$clients clients: every committed append is in the log, once" "0" \
		"$(q $DB "SELECT count(*) FROM public.done d WHERE (SELECT count(*) FROM foray.log_entries e WHERE e.transaction_id = d.transaction_id) <> 1")"
	check "$clients clients: no checkpoint misses an entry committed before it was taken" "0" \
		"$(q $DB "SELECT count(*) FROM foray.log_checkpoints c JOIN public.done d ON d.at < c.taken_at
				   JOIN foray.log_entries e ON e.transaction_id = d.transaction_id WHERE e.log_index >= c.tree_size")"
	check "$clients clients: every stored checkpoint's root is the log's root at its size" "0" \
		"$(q $DB "SELECT count(*) FROM foray.log_checkpoints c WHERE 'sha256:' || encode(c.root_hash, 'hex') <> foray.log_root(c.tree_size)")"
	check "$clients clients: each checkpoint is consistent with the next (consistency proofs)" "0" \
		"$(q $DB "SELECT count(*) FROM (SELECT checkpoint, tree_size, lead(checkpoint) OVER w AS next, lead(tree_size) OVER w AS next_size
				   FROM foray.log_checkpoints WINDOW w AS (ORDER BY tree_size)) c
				  WHERE c.next IS NOT NULL AND c.tree_size > 0
				    AND NOT foray.log_verify_consistency(c.checkpoint, c.next, foray.log_consistency_proof(c.tree_size, c.next_size))")"
done
check "the runs took checkpoints and rolled appends back" "t" \
	"$(q $DB "SELECT (SELECT count(*) FROM foray.log_checkpoints) > 5 AND (SELECT count(*) FROM public.done) > 40")"
foray_psql -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null

# ---- 5. a restored older backup is detected ---------------------------
SRC=foray_log_src
OLD=foray_log_restored
foray_fresh_db $SRC >/dev/null 2>&1
q $SRC "SELECT foray.log_set_origin('example.com/foray/monitored')" >/dev/null
mk_in() {	# DB PREFIX COUNT
	foray_psql -d "$1" >/dev/null <<SQL
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
SELECT '$2' || i, '2026-03-01T10:00:00Z', jsonb_build_object('entity', 'M', 'transaction_type', 't', 'n', i) FROM generate_series(1, $3) i;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
SELECT '$2' || i, 'ARR_1', 'ARR', '{}' FROM generate_series(1, $3) i;
SQL
}
mk_in $SRC M_ 20
q $SRC "SELECT count(*) FROM foray.log_append_ready()" >/dev/null
# (psql ends each row with a newline of its own: head -c -1 takes it off)
cpfile() { q "$1" "SELECT foray.log_checkpoint()" | head -c -1 >"$2"; }
fileq() {	# DB FILE_A FILE_B SQL: SQL with :'a' and :'b' holding the files
	local a b
	a="$(cat "$2"; printf x)"
	b="$(cat "$3"; printf x)"
	echo "$4" | foray_psql -At -d "$1" -v VERBOSITY=sqlstate -v a="${a%x}" -v b="${b%x}" 2>&1
}
cpfile $SRC "$out/cp1.txt"
"$FORAY_PGBIN/pg_dump" -Fc -d $SRC -f "$out/backup.dump" || fail=$((fail + 1))
mk_in $SRC N_ 15
q $SRC "SELECT count(*) FROM foray.log_append_ready()" >/dev/null
cpfile $SRC "$out/cp2.txt"
check "the monitor holds checkpoints of 20 and 35 entries, consistent" "t" \
	"$(fileq $SRC "$out/cp1.txt" "$out/cp2.txt" "SELECT foray.log_verify_consistency(:'a', :'b', foray.log_consistency_proof(20, 35))")"
before=$(q $SRC "SELECT md5(string_agg(e::text, '|' ORDER BY log_index)) FROM foray.log_entries e WHERE log_index < 20")
foray_psql -d postgres -c "DROP DATABASE IF EXISTS $OLD" -c "CREATE DATABASE $OLD" >/dev/null
"$FORAY_PGBIN/pg_restore" -d $OLD "$out/backup.dump" >"$out/restore.out" 2>&1
check "the older backup restores (the log's rows go back in, in restore mode)" "20|1|$before" \
	"$(q $OLD "SELECT count(*) || '|' || (SELECT count(*) FROM foray.log_checkpoints) || '|' || md5(string_agg(e::text, '|' ORDER BY log_index)) FROM foray.log_entries e")"
check "truncation: no consistency proof to the monitor's 35 entries exists" "22R64" \
	"$(foray_psql -At -d $OLD -v VERBOSITY=sqlstate -c "SELECT foray.log_consistency_proof(20, 35)" 2>&1 | grep -o '22R64')"
# the restored log grows again, with other transactions
mk_in $OLD R_ 20
q $OLD "SELECT count(*) FROM foray.log_append_ready()" >/dev/null
cpfile $OLD "$out/cp3.txt"
check "rewrite: the proof from the monitor's 35-entry checkpoint to the restored log's 40 fails" "f" \
	"$(fileq $OLD "$out/cp2.txt" "$out/cp3.txt" "SELECT foray.log_verify_consistency(:'a', :'b', foray.log_consistency_proof(35, 40))")"
check "while its 20-entry checkpoint, taken before the backup, still verifies" "t" \
	"$(fileq $OLD "$out/cp1.txt" "$out/cp3.txt" "SELECT foray.log_verify_consistency(:'a', :'b', foray.log_consistency_proof(20, 40))")"
check "the monitor's 35-entry root differs from the restored log's root at 35" "t" \
	"$(fileq $OLD "$out/cp2.txt" "$out/cp2.txt" "SELECT (foray.log_parse_checkpoint(:'b')).root <> foray.log_root(35)")"
check "restore mode does not open the log to changes" "55R01" \
	"$(foray_psql -At -d $OLD -v VERBOSITY=sqlstate -c "SET foray.restore_mode = on" -c "DELETE FROM foray.log_entries WHERE log_index >= 20" 2>&1 | grep -o '55R01')"
# what the guard cannot stop (a superuser with the triggers off), the
# checkpoints show: a changed leaf no longer proves, and the stored checkpoint
# at that size no longer matches the log
foray_psql -d $OLD -c "SET session_replication_role = replica" \
	-c "UPDATE foray.log_entries SET leaf_hash = sha256('forged'::bytea) WHERE log_index = 3" >/dev/null 2>&1
check "a leaf changed behind the guard's back no longer proves inclusion in the stored checkpoint" "f" \
	"$(fileq $OLD "$out/cp3.txt" "$out/cp3.txt" "SELECT foray.log_verify_inclusion(p->>'leaf_hash', p, :'a') FROM foray.log_inclusion_proof(3) p")"
# (the root at 40 reads the stored subtrees of entries 31 and 39, not leaf 3)
foray_psql -d $OLD -c "SET session_replication_role = replica" \
	-c "UPDATE foray.log_entries SET subtree_hashes = overlay(subtree_hashes placing '\xff'::bytea from octet_length(subtree_hashes)) WHERE log_index = 39" >/dev/null 2>&1
check "a stored subtree hash changed behind its back: taking the checkpoint again at that size fails (XX001)" "XX001" \
	"$(foray_psql -At -d $OLD -v VERBOSITY=sqlstate -c "SELECT foray.log_checkpoint()" 2>&1 | grep -o 'XX001')"
foray_psql -d postgres -c "DROP DATABASE IF EXISTS $SRC" -c "DROP DATABASE IF EXISTS $OLD" >/dev/null

# ---- 6. a hostile search_path --------------------------------------------
# An unprivileged role with EXECUTE only runs the anchor service's loop with
# public first on its search_path, in a database where public holds
# operators = on text, bigint and bytea that answer true, and the same loop
# runs in a clean database: the log's SQL is schema-qualified, so every
# answer is the same.
APPR=foray_log_app
foray_psql -d postgres -c "DROP DATABASE IF EXISTS foray_log_clean" -c "DROP DATABASE IF EXISTS foray_log_evil" \
	-c "DROP ROLE IF EXISTS $APPR" -c "CREATE ROLE $APPR LOGIN" >/dev/null 2>&1
for db in foray_log_clean foray_log_evil; do
	foray_fresh_db $db >/dev/null 2>&1
	mk_in $db H_ 6
	foray_psql -d $db >/dev/null <<SQL
GRANT USAGE ON SCHEMA foray TO $APPR;
GRANT CREATE ON SCHEMA public TO $APPR;
GRANT EXECUTE ON FUNCTION foray.log_set_origin(text), foray.log_append(text), foray.log_append_ready(integer),
	foray.log_checkpoint(), foray.log_size(), foray.log_root(bigint), foray.log_inclusion_proof(text, bigint),
	foray.log_consistency_proof(bigint, bigint) TO $APPR;
SQL
done
foray_psql -d foray_log_evil >/dev/null <<'SQL'
CREATE FUNCTION public.evil_eq_text(text, text) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.evil_eq_text);
CREATE FUNCTION public.evil_eq_int8(bigint, bigint) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE OPERATOR public.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = public.evil_eq_int8);
CREATE FUNCTION public.evil_eq_bytea(bytea, bytea) RETURNS boolean LANGUAGE sql IMMUTABLE AS 'SELECT true';
CREATE OPERATOR public.= (LEFTARG = bytea, RIGHTARG = bytea, FUNCTION = public.evil_eq_bytea);
CREATE FUNCTION public.unnest(anyarray) RETURNS SETOF anyelement LANGUAGE sql IMMUTABLE AS 'SELECT NULL::text::anyelement WHERE false';
CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE sql AS $$SELECT '2000-01-01'::timestamptz$$;
CREATE TABLE public.log_entries (log_index bigint, transaction_id text, leaf_hash bytea, subtree_hashes bytea);
SQL
flow() {
	PGUSER=$APPR foray_psql -At -d "$1" 2>&1 <<SQL
SET search_path = public, pg_catalog;
SELECT foray.log_set_origin('example.com/foray/hostile');
SELECT string_agg(log_index || ':' || transaction_id || ':' || leaf_hash, ' ' ORDER BY log_index) FROM foray.log_append_ready(4);
SELECT foray.log_append('H_6');
SELECT count(*) FROM foray.log_append_ready();
SELECT foray.log_checkpoint();
SELECT foray.log_size(), foray.log_root(3);
SELECT foray.log_inclusion_proof('H_2', 5);
SELECT foray.log_consistency_proof(2, 6);
SQL
}
flow foray_log_clean >"$out/clean.out"
flow foray_log_evil >"$out/evil.out"
check "the clean run appends 6 entries and takes a checkpoint of 6" "6" \
	"$(q foray_log_clean "SELECT foray.log_size()")"
check "under the hostile search_path every answer is the clean one ($(wc -l <"$out/clean.out") lines)" "" \
	"$(diff "$out/clean.out" "$out/evil.out")"
foray_psql -d postgres -c "DROP DATABASE IF EXISTS foray_log_clean" -c "DROP DATABASE IF EXISTS foray_log_evil" \
	-c "DROP ROLE IF EXISTS $APPR" >/dev/null 2>&1
foray_tally "$pass" "$fail"
