#!/usr/bin/env bash
# Lock order (docs/security.md): a FORAY transaction's envelope row is
# locked before its writer lock, by writers and by record_anchor/seal alike,
# so they never deadlock.  The deadlock case of the review (a writer holding
# the row, record_anchor in between, the writer then adding a component),
# then a stress of 1,000 writer transactions against a concurrent anchor
# service that also runs the log (appending ready transactions, one by one
# and in batches, taking checkpoints and anchoring them): no 40P01, every
# outcome one of the documented refusals, and every logged transaction's
# leaf the envelope of its committed rows.
source test/lib.sh

pass=0
fail=0
check() {	# check NAME EXPECTED ACTUAL
	if [ "$2" == "$3" ]; then
		pass=$((pass + 1)); echo "ok - $1"
	else
		fail=$((fail + 1)); echo "not ok - $1"; echo "#   expected: $2"; echo "#   got:      $3"
	fi
}
DB=foray_lock_order
out="$FORAY_TMP/lock_order"
mkdir -p "$out"
foray_fresh_db $DB >/dev/null 2>&1
log_start=$(wc -c <"$FORAY_PGDATA/server.log")
q() { "$FORAY_PGBIN/psql" -X -q -d $DB -v VERBOSITY=verbose "$@" 2>&1; }

# ---- the deadlock of the review -------------------------------------------
foray_psql -d $DB >/dev/null <<'SQL'
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('LK_1', '2026-03-01T10:00:00Z', '{"entity": "E", "transaction_type": "t"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('LK_1', 'ARR_1', 'ARR', '{}');
SQL
root=$(foray_psql -d $DB -Atc "SELECT merkle_root FROM foray.transaction_hashes('LK_1')")
q >"$out/writer.out" <<'SQL' &
BEGIN;
UPDATE foray.foray_transactions SET foray_core = '{"entity": "E", "transaction_type": "t2"}' WHERE transaction_id = 'LK_1';
SELECT pg_sleep(1);
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('LK_1', 'ARR_2', 'ARR', '{}');
COMMIT;
SQL
w=$!
sleep 0.3
q -c "SELECT foray.record_anchor('LK_1', '$root', 'kaspa:lk1', 1, 1, now())" >"$out/anchor.out"
wait $w
check "the writer holding the row, then adding a component, commits" "" "$(grep ERROR "$out/writer.out")"
check "record_anchor in between waits for it and is refused as stale (23R31), no deadlock" "23R31" \
	"$(grep -o '23R31\|40P01' "$out/anchor.out" | head -1)"
check "the transaction holds both components and is not anchored" "2|ready_to_anchor" \
	"$(foray_psql -d $DB -Atc "SELECT count(*) || '|' || (SELECT lifecycle FROM foray.foray_transactions WHERE transaction_id = 'LK_1')
		FROM foray.foray_components WHERE transaction_id = 'LK_1'")"

# seal: the same order
foray_psql -d $DB -c "SELECT foray.record_anchor('LK_1', (SELECT merkle_root FROM foray.transaction_hashes('LK_1')), 'kaspa:lk1', 1, 1, now())" >/dev/null
q >"$out/seal_writer.out" <<'SQL' &
BEGIN;
SELECT 1 FROM foray.foray_transactions WHERE transaction_id = 'LK_1' FOR UPDATE;
SELECT pg_sleep(1);
COMMIT;
SQL
w=$!
sleep 0.3
q -c "SELECT foray.seal('LK_1', 'archive:lk1') IS NOT NULL" >"$out/seal.out"
wait $w
check "seal waits for a holder of the row, then seals" "sealed" \
	"$(foray_psql -d $DB -Atc "SELECT lifecycle FROM foray.foray_transactions WHERE transaction_id = 'LK_1'")"

# ---- a component written while its envelope is being created -------------
q >"$out/creator.out" <<'SQL' &
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('LK_2', '2026-03-01T10:00:00Z', '{"entity": "E", "transaction_type": "t"}');
SELECT pg_sleep(1);
COMMIT;
SQL
w=$!
sleep 0.3
q -c "INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES ('LK_2', 'ARR_1', 'ARR', '{}')" >"$out/early.out"
wait $w
check "a component written while another session creates its envelope waits, then lands" "1" \
	"$(foray_psql -d $DB -Atc "SELECT count(*) FROM foray.foray_components WHERE transaction_id = 'LK_2'")"
check "... without an error" "" "$(grep ERROR "$out/early.out" "$out/creator.out")"

# ---- stress: 1,000 writer transactions against the anchor service ---------
N=100
foray_psql -d $DB >/dev/null <<SQL
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
SELECT 'LK_S' || i, '2026-03-01T10:00:00Z', '{"entity": "E", "transaction_type": "t"}' FROM generate_series(1, $N) i;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
SELECT 'LK_S' || i, 'ARR_0', 'ARR', '{}' FROM generate_series(1, $N) i;
SQL
# two writers, 500 SQL transactions each, over the same transactions: update
# the envelope, wait a moment, add a component
for wr in 1 2; do
	for round in 1 2 3 4 5; do
		for i in $(seq 1 $N); do
			echo "BEGIN;"
			echo "UPDATE foray.foray_transactions SET foray_core = '{\"entity\": \"E\", \"transaction_type\": \"t\", \"round\": $round}' WHERE transaction_id = 'LK_S$i';"
			echo "SELECT pg_sleep(0.002);"
			echo "INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES ('LK_S$i', 'ARR_W${wr}R$round', 'ARR', '{}');"
			echo "COMMIT;"
		done
	done >"$out/stress_writer_$wr.sql"
done
# the anchor service: the envelope's root, then record_anchor, over and
# over, in the opposite order and at a pace that meets the writers
for round in 1 2 3 4 5 6; do
	for i in $(seq $N -1 1); do
		echo "SELECT foray.record_anchor('LK_S$i', (SELECT merkle_root FROM foray.transaction_hashes('LK_S$i')), 'kaspa:s$i', 1, 1, now());"
		echo "SELECT pg_sleep(0.006);"
	done
done >"$out/stress_anchor.sql"
# the log, beside it: ready transactions appended two at a time (never
# waiting for a writer) and one by one (waiting for it), checkpoints taken
# and anchored on chain
foray_psql -d $DB -c "SELECT foray.log_set_origin('example.com/foray/lock-order')" >/dev/null
for round in $(seq 1 120); do
	echo "SELECT count(*) FROM foray.log_append_ready(2);"
	[ $((round % 6)) = 0 ] && echo "SELECT foray.log_append('LK_S$((round / 6 * 5))');"
	echo "SELECT pg_sleep(0.02);"
done >"$out/stress_log.sql"
for round in $(seq 1 40); do
	echo "SELECT foray.record_checkpoint_anchor(c, 'kaspa:cp-' || split_part(c, chr(10), 2), 1, 1, now()) FROM foray.log_checkpoint() c WHERE split_part(c, chr(10), 2) <> '0';"
	echo "SELECT pg_sleep(0.06);"
done >"$out/stress_checkpoint.sql"
q -f "$out/stress_writer_1.sql" >"$out/stress_w1.out" &
w1=$!
q -f "$out/stress_writer_2.sql" >"$out/stress_w2.out" &
w2=$!
q -o /dev/null -f "$out/stress_log.sql" >"$out/stress_l.out" &
l=$!
q -o /dev/null -f "$out/stress_checkpoint.sql" >"$out/stress_c.out" &
c=$!
q -o /dev/null -f "$out/stress_anchor.sql" >"$out/stress_a.out"
wait $w1 $w2 $l $c
writers=$(grep -c '^BEGIN;' "$out/stress_writer_1.sql" "$out/stress_writer_2.sql" | awk -F: '{s += $2} END {print s}')
check "1,000 writer transactions ran against the anchor service" "1000" "$writers"
check "no deadlock (40P01) in any session" "0" "$(cat "$out"/stress_*.out | grep -c '40P01' || true)"
# (25P02: the rest of a writer's SQL transaction after its refusal)
check "every refusal is a documented one (23R30 not ready, 23R31 stale, 23R32 anchored or logged, 40001 retry)" "" \
	"$(cat "$out"/stress_*.out | grep -o 'ERROR:  [0-9A-Z]\{5\}' | sort -u | grep -v '23R30\|23R31\|23R32\|40001\|25P02')"
for f in "$out"/stress_*.out; do
	echo "# $(basename "$f"): $(grep -o 'ERROR:  [0-9A-Z]\{5\}' "$f" | sort | uniq -c | tr -s ' \n' ' ')"
done
check "the race happened: anchors recorded, writes committed, stale roots refused" "yes" \
	"$(foray_psql -d $DB -Atc "SELECT CASE WHEN count(*) FILTER (WHERE lifecycle = 'anchored') > 0
		AND (SELECT count(*) FROM foray.foray_components WHERE transaction_id LIKE 'LK_S%') > $N THEN 'yes' ELSE 'no' END
		FROM foray.foray_transactions WHERE transaction_id LIKE 'LK_S%'")$(grep -q 23R31 "$out/stress_a.out" || echo ' (no 23R31)')"
check "every anchored transaction verifies (nothing slipped in after its root)" "0" \
	"$(foray_psql -d $DB -Atc "SELECT count(*) FROM foray.foray_transactions t, foray.verify(t.transaction_id) v WHERE t.transaction_id LIKE 'LK_S%'")"
check "the log ran beside it: transactions appended, checkpoints anchored, some by a checkpoint, some alone" "yes" \
	"$(foray_psql -d $DB -Atc "SELECT CASE WHEN (SELECT count(*) FROM foray.log_entries) > 10 AND (SELECT count(*) FROM foray.log_anchors) > 0
		AND EXISTS (SELECT FROM foray.foray_transactions WHERE blockchain_anchor ? 'log_index')
		AND EXISTS (SELECT FROM foray.foray_transactions WHERE lifecycle = 'anchored' AND NOT blockchain_anchor ? 'log_index')
		THEN 'yes' ELSE 'no' END")"
check "every logged transaction's leaf is the envelope of its committed rows, and the whole log verifies" "0|0" \
	"$(foray_psql -d $DB -Atc "SELECT (SELECT count(*) FROM foray.log_entries e WHERE 'sha256:' || encode(e.leaf_hash, 'hex') <> foray.log_leaf_hash(foray.anchor_envelope(e.transaction_id)))
		|| '|' || (SELECT count(*) FROM foray.verify())")"
check "the server log holds no deadlock" "0" "$(tail -c +"$log_start" "$FORAY_PGDATA/server.log" | grep -c 'deadlock detected' || true)"

foray_psql -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null
foray_tally "$pass" "$fail"
