#!/usr/bin/env bash
# Citus benchmark (issue 21, docs/scale-out.md): the substrate distributed
# over a coordinator and two workers (test/citus/cluster.sh, on this
# machine).  Prints figures and ratios against baselines measured in the
# same run; never fails on slowness (only on a broken setup or wrong
# results).
#
#   bash test/bench/citus_bench.sh [N] [K]
#
#   1. N FORAY transactions (default 25,000: 100,000 components, the insert
#      benchmark's ARR <- ACC <- ANT <- ACT chains, test/bench/gen_chains.sql)
#      through the full path via the coordinator (INSERT ... SELECT into the
#      distributed substrate tables, whose shards' triggers check, derive and
#      record), against the same rows and the events the substrate writes for
#      them inserted via the coordinator into distributed tables of the same
#      shape, colocated the same way, without the substrate's triggers
#      (target: within 2x).  Best of REPEAT (2) runs each.
#   2. Clients writing disjoint FORAY transactions (one per SQL transaction,
#      a 4-component chain written in reverse dependency order, K = 200 each
#      by default): the throughput of two clients at once against one's
#      (target: at least 1.5x); the same measured on one PostgreSQL without
#      Citus, which shows what this machine allows.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
source "$FORAY_ROOT/test/citus/cluster.sh"
N=${1:-25000}
K=${2:-200}
REPEAT=${REPEAT:-2}
export FORAY_CITUS_DB=foray_citus_bench
foray_build >/dev/null 2>&1 || foray_build
foray_install >/dev/null
foray_cluster_start
if ! foray_citus_ensure; then
	echo "skipped: $FORAY_CITUS_SKIP"
	exit 0
fi
foray_citus_start >"$FORAY_TMP/citus-bench-start.log" 2>&1 || { echo "the Citus cluster did not start"; tail "$FORAY_TMP/citus-bench-start.log"; exit 1; }
[ "${FORAY_CITUS_KEEP:-0}" = 1 ] || trap foray_citus_stop EXIT
set -- $FORAY_CITUS_PORTS
C=$1
out="$FORAY_TMP/citus-bench"
rm -rf "$out"
mkdir -p "$out"

now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.3f}')"; }
min() { python3 -c "import sys; print(min(float(x) for x in sys.argv[1:]))" "$@"; }
cq() { foray_cq $C "$@"; }

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg); PostgreSQL $("$FORAY_PGBIN/postgres" --version | awk '{print $3}'), Citus $(cq -c "SELECT extversion FROM pg_extension WHERE extname = 'citus'"), a coordinator and two workers on this machine, $FORAY_CITUS_SHARDS shards"

# the substrate, freshly distributed
reset_substrate() {
	cq -c "SET client_min_messages = warning" -c "DROP EXTENSION IF EXISTS foray_substrate CASCADE" \
		-c "CREATE EXTENSION foray_substrate" -c "SELECT foray.distribute()" >/dev/null
}
# the baseline: the same tables' shapes (columns, generated columns, CHECKs,
# indexes), distributed and colocated as foray.distribute() does, no triggers
reset_plain() {
	cq -c "SET client_min_messages = warning" -c "DROP TABLE IF EXISTS bench.plain_tx, bench.plain_comp, bench.plain_events" \
		-c "CREATE TABLE bench.plain_tx (LIKE foray.foray_transactions INCLUDING ALL)" \
		-c "CREATE TABLE bench.plain_comp (LIKE foray.foray_components INCLUDING ALL)" \
		-c "CREATE TABLE bench.plain_events (LIKE foray.transaction_events INCLUDING ALL)" \
		-c "SELECT create_distributed_table('bench.plain_tx', 'transaction_id', colocate_with => 'none')" \
		-c "SELECT create_distributed_table('bench.plain_comp', 'transaction_id', colocate_with => 'bench.plain_tx')" \
		-c "SELECT create_distributed_table('bench.plain_events', 'transaction_id', colocate_with => 'bench.plain_tx')" >/dev/null
}

echo "== generating $N transactions ($((4 * N)) components) on the coordinator"
reset_substrate
cq -v n="$N" -f "$FORAY_ROOT/test/bench/gen_chains.sql" >/dev/null
cq -c "DROP TABLE bench.plain_tx, bench.plain_comp, bench.plain_events"

# ---- 1. INSERT ... SELECT via the coordinator
bis=(); fis=()
for r in $(seq 1 "$REPEAT"); do
	reset_substrate	# (drops the baseline's columns of the substrate's types: first)
	reset_plain
	cq -c "CHECKPOINT" >/dev/null
	t0=$(now)
	cq -c "BEGIN" \
		-c "INSERT INTO bench.plain_tx (transaction_id, document_timestamp, foray_core) SELECT transaction_id, document_timestamp, foray_core FROM bench.stage_tx" \
		-c "INSERT INTO bench.plain_comp (transaction_id, component_id, component_type, foray_core, status) SELECT transaction_id, component_id, component_type, foray_core, 'ready' FROM bench.stage_comp" \
		-c "INSERT INTO bench.plain_events (event_id, seq, event_kind, subject_kind, subject_id, transaction_id, actor_kind, actor_id, payload)
			SELECT row_number() OVER (), row_number() OVER (PARTITION BY transaction_id), event_kind, subject_kind, subject_id, transaction_id, 'system', 'bench', payload FROM bench.stage_events" \
		-c "COMMIT"
	t1=$(now)
	cq -f "$FORAY_ROOT/test/bench/full_path_insert.sql" >/dev/null
	t2=$(now)
	bis+=("$(elapsed $t0 $t1)"); fis+=("$(elapsed $t1 $t2)")
done
base_is=$(min "${bis[@]}"); full_is=$(min "${fis[@]}")
check=$(cq -c "SELECT (SELECT count(*) FILTER (WHERE status = 'ready') || '/' || count(*) FROM foray.foray_components) || ' ' ||
	(SELECT count(*) FILTER (WHERE lifecycle = 'ready_to_anchor') || '/' || count(*) FROM foray.foray_transactions) || ' ' ||
	(SELECT count(*) FROM foray.memory_events) || ' ' || (SELECT count(*) FROM bench.plain_events)")
set -- $check
echo "components ready: $1   transactions ready_to_anchor: $2   events written: $3 (baseline: $4)"
if [ "$1" != "$((4 * N))/$((4 * N))" ] || [ "$2" != "$N/$N" ] || [ "$3" != "$4" ]; then
	echo "wrong result: expected $((4 * N)) ready components, $N ready transactions and as many events as the baseline"
	exit 1
fi
# the merkle root of one transaction, against a single node's
one_tx=$(cq -c "SELECT transaction_id FROM bench.stage_tx ORDER BY transaction_id LIMIT 1 OFFSET $((N / 2))")
root_citus=$(cq -c "SELECT foray.anchor_envelope('$one_tx') ->> 'merkle_root'")
foray_fresh_db foray_citus_bench_single >/dev/null
root_single=$(cq -c "COPY (SELECT transaction_id, document_timestamp, foray_core FROM bench.stage_tx WHERE transaction_id = '$one_tx') TO STDOUT" |
	foray_psql -d foray_citus_bench_single -c "COPY foray.foray_transactions (transaction_id, document_timestamp, foray_core) FROM STDIN" >/dev/null &&
	cq -c "COPY (SELECT transaction_id, component_id, component_type, foray_core FROM bench.stage_comp WHERE transaction_id = '$one_tx' ORDER BY ord) TO STDOUT" |
	foray_psql -d foray_citus_bench_single -c "COPY foray.foray_components (transaction_id, component_id, component_type, foray_core) FROM STDIN" >/dev/null &&
	foray_psql -At -d foray_citus_bench_single -c "SELECT foray.anchor_envelope('$one_tx') ->> 'merkle_root'")
echo "merkle root of $one_tx: Citus $root_citus, one node $root_single"
[ "$root_citus" = "$root_single" ] || { echo "the merkle roots differ"; exit 1; }

# ---- 2. clients writing disjoint transactions
client_sql() {	# client_sql PREFIX COUNT
	for t in $(seq 1 "$2"); do
		echo "BEGIN;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES
 ('$1_$t', 'ACT_1', 'ACT', '{\"anticipation_refs\": [\"ANT_1\"], \"amount_settled\": 15060.00, \"currency\": \"USD\"}'),
 ('$1_$t', 'ANT_1', 'ANT', '{\"accrual_refs\": [\"ACC_1\"], \"expected_amount\": 15060.00}'),
 ('$1_$t', 'ACC_1', 'ACC', '{\"arrangement_refs\": [\"ARR_1\"], \"output\": 15060.00}');
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
 VALUES ('$1_$t', '2026-02-01T00:00:00Z', '{\"entity\": \"E\", \"transaction_type\": \"vendor_payment\"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES ('$1_$t', 'ARR_1', 'ARR', '{\"parties\": []}');
COMMIT;"
	done
}
client_sql ONE "$K" >"$out/one.sql"
client_sql TWO_A "$K" >"$out/two-a.sql"
client_sql TWO_B "$K" >"$out/two-b.sql"
# clients ONE, then TWO_A and TWO_B at once; prints "t1 t2"
clients() {	# clients PSQL-COMMAND...
	local t0 t1 t2 pa
	t0=$(now)
	"$@" -f "$out/one.sql" >/dev/null 2>>"$out/clients.err"
	t1=$(now)
	"$@" -f "$out/two-a.sql" >/dev/null 2>>"$out/clients.err" &
	pa=$!
	"$@" -f "$out/two-b.sql" >/dev/null 2>>"$out/clients.err"
	wait $pa
	t2=$(now)
	echo "$(elapsed $t0 $t1) $(elapsed $t1 $t2)"
}
: >"$out/clients.err"
rone=(); rtwo=(); sone=(); stwo=()
for r in $(seq 1 "$REPEAT"); do
	reset_substrate
	set -- $(clients foray_cq $C)
	rone+=("$1"); rtwo+=("$2")
	foray_fresh_db foray_citus_bench_single >/dev/null
	set -- $(clients foray_psql -X -q -d foray_citus_bench_single)
	sone+=("$1"); stwo+=("$2")
done
[ -s "$out/clients.err" ] && { echo "the clients reported errors:"; head "$out/clients.err"; exit 1; }
ready=$(cq -c "SELECT count(*) FROM foray.foray_transactions WHERE lifecycle = 'ready_to_anchor'")
[ "$ready" = "$((3 * K))" ] || { echo "wrong result: $ready of $((3 * K)) client transactions ready_to_anchor"; exit 1; }
c1=$(min "${rone[@]}"); c2=$(min "${rtwo[@]}"); s1=$(min "${sone[@]}"); s2=$(min "${stwo[@]}")
foray_psql -d postgres -c "DROP DATABASE IF EXISTS foray_citus_bench_single" >/dev/null

python3 - "$N" "$base_is" "$full_is" "$K" "$c1" "$c2" "$s1" "$s2" <<'PY'
import sys
n, b, f, k, c1, c2, s1, s2 = sys.argv[1:]
n, k = int(n), int(k)
b, f, c1, c2, s1, s2 = map(float, (b, f, c1, c2, s1, s2))
rows = 5 * n
print()
print(f"1. {4 * n} components ({rows} rows) via the coordinator, INSERT ... SELECT, best of runs:")
print(f"   untriggered distributed tables {b:8.2f} s ({rows / b:7.0f} rows/s)   substrate, full path {f:8.2f} s ({rows / f:7.0f} rows/s)   ratio {f / b:.2f}x (target: at most 2x)")
print(f"2. clients writing disjoint FORAY transactions (4 components each), best of runs:")
print(f"   Citus:    one client {k} in {c1:6.2f} s ({k / c1:6.1f}/s)   two clients {2 * k} in {c2:6.2f} s ({2 * k / c2:6.1f}/s)   throughput ratio {2 * c1 / c2:.2f}x (target: at least 1.5x)")
print(f"   one node: one client {k} in {s1:6.2f} s ({k / s1:6.1f}/s)   two clients {2 * k} in {s2:6.2f} s ({2 * k / s2:6.1f}/s)   throughput ratio {2 * s1 / s2:.2f}x (what this machine allows)")
PY
