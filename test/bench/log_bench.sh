#!/usr/bin/env bash
# The log's benchmark (docs/log.md, "Performance").  Prints figures and ratios
# against baselines measured in the same run; never fails on slowness (only
# on a broken setup).
#
#   FORAY_PGPORT=5442 bash test/bench/log_bench.sh [N_TRANSACTIONS] [N_ENTRIES]
#
# 1. Committing N_TRANSACTIONS (100,000) ready transactions to the log
#    (foray.log_append_ready(): envelopes, leaves, tree nodes, rows) against
#    building their N_TRANSACTIONS envelopes alone (foray.anchor_envelope);
#    target: at most 1.2 times.  Timed inside a transaction that is rolled
#    back (best of REPEAT), then once for real.
# 2. The log filled up to N_ENTRIES (1,000,000) entries through the test path
#    foray.log_append_leaves (synthetic leaves SHA-256(0x00 || i): superuser
#    only, documented as such), then: a checkpoint (target < 50 ms), an
#    inclusion proof and a consistency proof (target < 5 ms each), each a
#    single statement, best and median of 20 at random places.
# 3. Storage per entry: foray.log_entries with its indexes, over N_ENTRIES
#    (compacted first: part 1's rolled-back runs leave dead rows behind).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source test/lib.sh
set -e
foray_build
foray_install
foray_cluster_start
set +e
T=${1:-100000}
N=${2:-1000000}
REPEAT=3
db=foray_bench_log
out="$FORAY_TMP/bench"
mkdir -p "$out"
source test/bench/measure.sh
target() {	# VALUE LIMIT: whether value <= limit
	if [ "$(echo "$1 <= $2" | bc)" = 1 ]; then echo "met"; else echo "NOT met"; fi
}

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo), $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1); load $(cut -d' ' -f1-3 /proc/loadavg)"
foray_psql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
foray_psql -d $db -c "CREATE EXTENSION foray_substrate" -c "SELECT foray.log_set_origin('example.com/foray/bench')" >/dev/null

load_ready LOGB_ 7 "$T"
foray_psql -d $db -c "VACUUM ANALYZE foray.foray_transactions" -c "VACUUM ANALYZE foray.foray_components" >/dev/null

echo "== 1. committing $T ready transactions to the log (best of $REPEAT)"
read -r env_ms env_cpu < <(best_ms "SELECT count(foray.anchor_envelope(transaction_id)) FROM foray.foray_transactions WHERE anchored_at IS NULL AND lifecycle = 'ready_to_anchor' \\g /dev/null")
read -r log_ms log_cpu < <(best_ms "BEGIN;
SELECT count(*) FROM foray.log_append_ready() \\g /dev/null
ROLLBACK;" "VACUUM foray.log_entries;")
t0=$(date +%s.%N)
appended=$(foray_psql -d $db -At -c "SELECT count(*) FROM foray.log_append_ready()")
real_ms=$(echo "($(date +%s.%N) - $t0) * 1000" | bc)
printf '   %-58s %10s %10s\n' "" "wall ms" "cpu ms"
printf '   %-58s %10s %10s\n' "baseline: $T envelopes alone (foray.anchor_envelope)" "$env_ms" "$env_cpu"
printf '   %-58s %10s %10s\n' "foray.log_append_ready(): $T entries (rolled back)" "$log_ms" "$log_cpu"
printf '   %-58s %10.1f\n' "foray.log_append_ready(), committed ($appended entries)" "$real_ms"
printf '   %-58s %10s %10s\n' "per entry (us)" "$(echo "scale=1; $log_ms * 1000 / $T" | bc)" "$(echo "scale=1; $log_cpu * 1000 / $T" | bc)"
r_wall=$(ratio "$log_ms" "$env_ms")
r_cpu=$(ratio "$log_cpu" "$env_cpu")
echo "   ratio log / envelopes: wall $r_wall, cpu $r_cpu (target <= 1.2: $(target "$r_cpu" 1.2) on cpu, $(target "$r_wall" 1.2) on wall)"

echo "== 2. filling the log up to $N entries through the test path (foray.log_append_leaves, synthetic leaves)"
t0=$(date +%s.%N)
have=$(foray_psql -d $db -At -c "SELECT foray.log_size()")
while [ "$have" -lt "$N" ]; do
	end=$((have + 100000))
	[ $end -gt "$N" ] && end=$N
	have=$(foray_psql -d $db -At -c "SELECT foray.log_append_leaves(
		ARRAY(SELECT 'SYN_' || i FROM generate_series($have, $end - 1) i ORDER BY i),
		ARRAY(SELECT sha256('\\x00'::bytea || int8send(i)) FROM generate_series($have, $end - 1) i ORDER BY i))")
done
fill_s=$(echo "$(date +%s.%N) - $t0" | bc)
echo "   $have entries; filled in $fill_s s"
foray_psql -d $db -c "VACUUM ANALYZE foray.log_entries" >/dev/null

# one statement, timed by the server: best and median of COUNT runs
stmt_ms() {	# SQL (with :i, a random number below N) COUNT: "best median"
	(foray_psql -d $db -At <<SQL
CREATE TEMP TABLE t (ms float8);
SELECT setseed(0.4747);
$(for _ in $(seq "$2"); do
	echo "SELECT (random() * ($N - 2))::bigint + 1 AS i \\gset"
	echo "SELECT clock_timestamp() AS t0 \\gset"
	echo "$1 \\g /dev/null"
	echo "INSERT INTO t SELECT extract(epoch FROM clock_timestamp() - :'t0') * 1000;"
done)
SELECT round(min(ms)::numeric, 2) || ' ' || round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms))::numeric, 2) FROM t;
SQL
	) | tail -n 1
}
read -r cp_best cp_med < <(stmt_ms "SELECT foray.log_checkpoint()" 20)
read -r root_best root_med < <(stmt_ms "SELECT foray.log_root()" 20)
read -r incl_best incl_med < <(stmt_ms "SELECT foray.log_inclusion_proof(:i, $N)" 20)
read -r cons_best cons_med < <(stmt_ms "SELECT foray.log_consistency_proof(:i, $N)" 20)
read -r vincl_best vincl_med < <(stmt_ms "SELECT foray.log_verify_inclusion(p->>'leaf_hash', p, $N, p->>'root') FROM foray.log_inclusion_proof(:i, $N) p" 20)
echo "== over $N entries (ms, one statement each: best / median of 20)"
printf '   %-58s %8s %8s  %s\n' "" "best" "median" "target"
printf '   %-58s %8s %8s  %s\n' "foray.log_checkpoint()" "$cp_best" "$cp_med" "< 50: $(target "$cp_med" 50)"
printf '   %-58s %8s %8s\n' "foray.log_root() (no write)" "$root_best" "$root_med"
printf '   %-58s %8s %8s  %s\n' "foray.log_inclusion_proof(i, $N)" "$incl_best" "$incl_med" "< 5: $(target "$incl_med" 5)"
printf '   %-58s %8s %8s  %s\n' "foray.log_consistency_proof(m, $N)" "$cons_best" "$cons_med" "< 5: $(target "$cons_med" 5)"
printf '   %-58s %8s %8s\n' "inclusion proof + foray.log_verify_inclusion" "$vincl_best" "$vincl_med"
ok=$(foray_psql -d $db -At -c "SELECT bool_and(foray.log_verify_inclusion(p->>'leaf_hash', p, foray.log_checkpoint())
		AND foray.log_verify_consistency(i, foray.log_root(i), $N, foray.log_root(), foray.log_consistency_proof(i, $N)))
	FROM generate_series(1, $N, $N / 7 + 1) i, LATERAL foray.log_inclusion_proof(i - 1, $N) p")
echo "   sampled proofs verify: $ok"

echo "== 3. storage per entry ($N entries; VACUUM FULL first: the rolled-back runs of part 1 left dead rows)"
foray_psql -d $db -c "VACUUM FULL foray.log_entries" >/dev/null
foray_psql -d $db -At -F ' ' <<SQL | while read -r what bytes per; do printf '   %-58s %12s %8s\n' "$what" "$bytes" "$per"; done
SELECT 'relation bytes per_entry';
SELECT 'table(+toast) ' || pg_table_size('foray.log_entries') || ' ' || round(pg_table_size('foray.log_entries')::numeric / $N, 1)
UNION ALL
SELECT c.relname || ' ' || pg_relation_size(c.oid) || ' ' || round(pg_relation_size(c.oid)::numeric / $N, 1)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'foray.log_entries'::regclass
UNION ALL
SELECT 'total ' || pg_total_relation_size('foray.log_entries') || ' ' || round(pg_total_relation_size('foray.log_entries')::numeric / $N, 1);
SQL
echo "   (a row: 24-byte header, log_index 8, appended_at 8, transaction_id, leaf 33, subtree hashes 1 + 32 per level: 32 on average)"
[ "${FORAY_BENCH_KEEP:-0}" = 1 ] || foray_psql -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null
