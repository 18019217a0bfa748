#!/usr/bin/env bash
# This tree's insert paths against another revision's, on the same machine
# in the same run: did a change make the single-node insert path slower?
# (issue 21: "the single-node insert benchmark does not get slower by more
# than 5%").  Both builds load the same rows (test/bench/gen_chains.sql:
# N transactions of 4 components) through the full trigger path, three
# ways: INSERT ... SELECT, COPY, and one row per statement (the first NROW
# transactions); the rounds alternate between the two servers, and each
# figure is the CPU time of the backend that did the work (utime + stime
# from /proc, so the noise of other work on a shared machine weighs less
# than with wall time).  Prints the best and the median of ROUNDS rounds and
# the ratios; never fails on slowness.
#
#   bash test/bench/insert_ab.sh REV [N] [ROUNDS]      (default 10000, 6)
#
# REV is checked out into tmp/ab-base (a detached git worktree), built and
# installed into its own sandbox, and started on FORAY_PGPORT + 1.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
REV=${1:?usage: insert_ab.sh REV [N] [ROUNDS]}
N=${2:-10000}
ROUNDS=${3:-6}
NROW=${NROW:-2000}
base="$FORAY_TMP/ab-base"
out="$FORAY_TMP/ab"
rev=$(git -C "$FORAY_ROOT" rev-parse --verify "$REV^{commit}")

foray_build >/dev/null 2>&1 || foray_build
foray_install >/dev/null
foray_cluster_start
if [ "$(git -C "$base" rev-parse HEAD 2>/dev/null || true)" != "$rev" ]; then
	git -C "$FORAY_ROOT" worktree remove --force "$base" 2>/dev/null || rm -rf "$base"
	git -C "$FORAY_ROOT" worktree prune
	git -C "$FORAY_ROOT" worktree add --detach "$base" "$rev" >/dev/null
fi
base_port=$((FORAY_PGPORT + 1))
(cd "$base" && env -u FORAY_ROOT -u FORAY_TMP -u FORAY_SANDBOX -u FORAY_PGBIN FORAY_PGPORT=$base_port \
	bash -c 'source test/lib.sh && { foray_build >/dev/null 2>&1 || foray_build; } && foray_install >/dev/null && foray_cluster_start') >&2
base_host=$(cd "$base" && env -u FORAY_ROOT -u FORAY_TMP -u FORAY_SANDBOX FORAY_PGPORT=$base_port bash -c 'source test/lib.sh && echo "$PGHOST"')
this_host=$PGHOST
this_port=$FORAY_PGPORT

rm -rf "$out"
mkdir -p "$out"
on() {	# on HOST PORT psql-args...: psql against one of the two servers
	local h=$1 p=$2
	shift 2
	"$FORAY_PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -h "$h" -p "$p" -U postgres "$@"
}
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== this tree $(git -C "$FORAY_ROOT" rev-parse --short HEAD) (port $this_port) against $REV = $(git -C "$FORAY_ROOT" rev-parse --short "$rev") (port $base_port); $N transactions, $((4 * N)) components"
for s in "$this_host $this_port" "$base_host $base_port"; do
	set -- $s
	on "$1" "$2" -d postgres -c "DROP DATABASE IF EXISTS foray_ab" -c "CREATE DATABASE foray_ab" >/dev/null
	on "$1" "$2" -d foray_ab -c "CREATE EXTENSION foray_substrate" >/dev/null
done
# the rows, generated once (this tree's generator) and loaded into both
on "$this_host" "$this_port" -d foray_ab -v n="$N" -f "$FORAY_ROOT/test/bench/gen_chains.sql" >/dev/null 2>&1
on "$this_host" "$this_port" -d foray_ab -c "\\copy (SELECT transaction_id, document_timestamp, foray_core FROM bench.stage_tx ORDER BY transaction_id) TO '$out/tx.tsv'"
on "$this_host" "$this_port" -d foray_ab -c "\\copy (SELECT transaction_id, ord, component_id, component_type, foray_core FROM bench.stage_comp ORDER BY transaction_id, ord) TO '$out/stage_comp.tsv'"
cut -f1,3- "$out/stage_comp.tsv" >"$out/comp.tsv"
on "$this_host" "$this_port" -d foray_ab -c "SELECT format('INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core) VALUES (%L, %L, %L);', transaction_id, document_timestamp, foray_core)
	|| (SELECT string_agg(format(E'\nINSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES (%L, %L, %L, %L);',
								  c.transaction_id, c.component_id, c.component_type, c.foray_core), '' ORDER BY c.ord)
		  FROM bench.stage_comp c WHERE c.transaction_id = t.transaction_id)
	FROM bench.stage_tx t ORDER BY transaction_id LIMIT $NROW" >"$out/rows.sql"
on "$base_host" "$base_port" -d foray_ab -c "CREATE SCHEMA bench" \
	-c "CREATE TABLE bench.stage_tx (transaction_id text, document_timestamp text, foray_core jsonb)" \
	-c "CREATE TABLE bench.stage_comp (transaction_id text, ord integer, component_id text, component_type text, foray_core jsonb)" \
	-c "\\copy bench.stage_tx FROM '$out/tx.tsv'" -c "\\copy bench.stage_comp FROM '$out/stage_comp.tsv'"

CPU_BEFORE="CREATE TEMP TABLE ab_cpu AS SELECT pg_catalog.pg_read_file('/proc/self/stat') AS st;"
CPU_AFTER="SELECT ((string_to_array(pg_read_file('/proc/self/stat'), ' '))[14]::int + (string_to_array(pg_read_file('/proc/self/stat'), ' '))[15]::int
	- (string_to_array(st, ' '))[14]::int - (string_to_array(st, ' '))[15]::int) / 100.0 FROM ab_cpu;"
# cpu HOST PORT PATH: a fresh substrate, then PATH's rows; prints the backend's CPU seconds
cpu() {
	on "$1" "$2" -d foray_ab -c "DROP EXTENSION foray_substrate CASCADE" -c "CREATE EXTENSION foray_substrate" -c "CHECKPOINT" >/dev/null 2>&1
	case "$3" in
	insert) { echo "$CPU_BEFORE"; cat "$FORAY_ROOT/test/bench/full_path_insert.sql"; echo "$CPU_AFTER"; } ;;
	copy) printf '%s\n' "$CPU_BEFORE" "BEGIN;" \
		"\\copy foray.foray_transactions (transaction_id, document_timestamp, foray_core) FROM '$out/tx.tsv'" \
		"\\copy foray.foray_components (transaction_id, component_id, component_type, foray_core) FROM '$out/comp.tsv'" \
		"COMMIT;" "$CPU_AFTER" ;;
	row) { echo "$CPU_BEFORE"; cat "$out/rows.sql"; echo "$CPU_AFTER"; } ;;
	esac | on "$1" "$2" -d foray_ab | tail -n 1
}
for path in insert copy row; do
	: >"$out/$path"
	for r in $(seq 1 "$ROUNDS"); do
		echo "$(cpu "$this_host" "$this_port" $path) $(cpu "$base_host" "$base_port" $path)" >>"$out/$path"
	done
done
check=$(on "$this_host" "$this_port" -d foray_ab -c "SELECT count(*) FILTER (WHERE status = 'ready') || '/' || count(*) FROM foray.foray_components")
echo "last round (one row per statement, $NROW transactions) on this tree: components ready $check"
python3 - "$out" "$ROUNDS" "$N" "$NROW" <<'PY'
import statistics, sys
out, rounds, n, nrow = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
names = {"insert": f"INSERT ... SELECT, {5 * n} rows", "copy": f"COPY, {5 * n} rows", "row": f"one row per statement, {5 * nrow} rows"}
print()
print(f"backend CPU seconds, {rounds} alternating rounds each: best / median")
for path in ("insert", "copy", "row"):
    a, b = zip(*[tuple(map(float, l.split())) for l in open(f"{out}/{path}") if l.strip()])
    print(f"{names[path]:<36} this tree {min(a):6.2f} / {statistics.median(a):6.2f}   base {min(b):6.2f} / {statistics.median(b):6.2f}"
          f"   ratio {min(a) / min(b):5.3f} / {statistics.median(a) / statistics.median(b):5.3f}")
PY
