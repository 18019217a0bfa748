#!/usr/bin/env bash
# Readiness benchmark (issue 4): a fan of 1 ARR -> 2,000 ACC -> 2,000 ANT ->
# 1,000 ACT (each ACT waits on two ANTs), inserted in reverse order inside one
# SQL transaction, then the root settled and reversed; at 1x, 4x and 16x the
# size, to show the growth is linear.  Prints figures; never fails on slowness.
#
#   bash test/bench/readiness_bench.sh [scales]     (default "1 4 16")
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
SCALES=${1:-"1 4 16"}
foray_build >/dev/null 2>&1 || foray_build
foray_install >/dev/null
foray_cluster_start
DB=foray_bench_ready
foray_psql -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
foray_psql -d $DB -c "CREATE EXTENSION foray_substrate"

ms() { python3 -c "print(f'{($2 - $1) * 1000:.0f}')"; }
now() { date +%s.%N; }

printf '%-6s %10s %14s %14s %14s %14s %12s\n' scale components "insert (ms)" "ARR arrives" "settle root" "reverse root" "µs/component"
for s in $SCALES; do
	tx="FAN_$s"
	nacc=$((2000 * s)); nant=$((2000 * s)); nact=$((1000 * s)); total=$((1 + nacc + nant + nact))
	sql="BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
 VALUES ('$tx', '2026-04-01T00:00:00Z', '{\"entity\": \"Fan\", \"transaction_type\": \"bench\"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
 SELECT '$tx', 'ACT_' || j, 'ACT', jsonb_build_object('anticipation_refs', jsonb_build_array('ANT_' || (2*j), 'ANT_' || (2*j+1)), 'amount_settled', 10)
 FROM generate_series(0, $nact - 1) j;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
 SELECT '$tx', 'ANT_' || i, 'ANT', jsonb_build_object('accrual_refs', jsonb_build_array('ACC_' || i), 'arrangement_refs', jsonb_build_array('ARR_ROOT'))
 FROM generate_series(0, $nant - 1) i;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
 SELECT '$tx', 'ACC_' || i, 'ACC', jsonb_build_object('arrangement_refs', jsonb_build_array('ARR_ROOT'), 'output', 1)
 FROM generate_series(0, $nacc - 1) i;"
	t0=$(now)
	foray_psql -d $DB -v ON_ERROR_STOP=1 -At >/dev/null <<SQL
$sql
SELECT set_config('foray_bench.t0', clock_timestamp()::text, true) AS t0 \\gset
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES ('$tx', 'ARR_ROOT', 'ARR', '{}');
\\o $FORAY_TMP/root_ms
SELECT round(extract(epoch FROM clock_timestamp() - current_setting('foray_bench.t0')::timestamptz) * 1000)::int;
\\o
COMMIT;
SQL
	t1=$(now)
	root=$(grep -E '^[0-9]+$' $FORAY_TMP/root_ms | tail -n 1)
	ready=$(foray_psql -d $DB -At -c "SELECT count(*) FILTER (WHERE status = 'ready') || '/' || count(*) || ' ' || (SELECT lifecycle FROM foray.foray_transactions WHERE transaction_id = '$tx') FROM foray.foray_components WHERE transaction_id = '$tx'")
	t2=$(now)
	foray_psql -d $DB -c "UPDATE foray.foray_components SET status = 'settled' WHERE transaction_id = '$tx' AND component_id = 'ARR_ROOT'" >/dev/null
	t3=$(now)
	foray_psql -d $DB -c "UPDATE foray.foray_components SET status = 'reversed' WHERE transaction_id = '$tx' AND component_id = 'ARR_ROOT'" >/dev/null
	t4=$(now)
	pend=$(foray_psql -d $DB -At -c "SELECT count(*) FILTER (WHERE status = 'pending') FROM foray.foray_components WHERE transaction_id = '$tx'")
	ins=$(ms $t0 $t1); settle=$(ms $t2 $t3); rev=$(ms $t3 $t4)
	per=$(python3 -c "print(f'{($t1 - $t0) * 1e6 / $total:.1f}')")
	printf '%-6s %10s %14s %14s %14s %14s %12s   ready after commit: %s; pending after reversal: %s\n' \
		"${s}x" "$total" "$ins" "$root" "$settle" "$rev" "$per" "$ready" "$pend"
done
echo "'insert' is the whole SQL transaction: 5,000 x scale rows in reverse order, the arrangement last (its arrival propagates readiness to every component), commit."
echo "'reverse root' re-derives every dependent (all become pending) through the GIN reverse index."
echo "For scale: a careful PL/pgSQL implementation needs about 900 ms to propagate readiness through the 1x fan on this machine (issue 4)."
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), PostgreSQL $($FORAY_PGBIN/postgres --version | awk '{print $3}')"
