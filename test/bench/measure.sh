# Timing and loading helpers of the benchmarks (sourced; the caller sets db,
# out and REPEAT).
#
# best of REPEAT of a statement: "wall_ms cpu_ms", cpu being the backend's
# own user+system time (the machine is shared: wall time includes waiting).
# PRE, if given, runs first in the same session, untimed.
best_ms() {
	local sql=$1 pre=${2:-} best="" bestcpu="" line ms cpu
	for _ in $(seq $REPEAT); do
		line=$(foray_psql -d $db -At <<SQL | tail -n 1
$pre
SELECT pg_backend_pid() AS pid \gset
\setenv PID :pid
\! awk '{print \$14 + \$15}' /proc/\$PID/stat > $out/cpu0
SELECT clock_timestamp() AS t0 \gset
$sql
SELECT round(extract(epoch FROM clock_timestamp() - :'t0') * 1000, 1) AS ms \gset
\! awk -v t0=\$(cat $out/cpu0) -v hz=\$(getconf CLK_TCK) '{print (\$14 + \$15 - t0) * 1000 / hz}' /proc/\$PID/stat > $out/cpu1
\echo :ms
SQL
)
		ms=$line
		cpu=$(cat "$out/cpu1")
		if [ -z "$best" ] || [ "$(echo "$ms < $best" | bc)" = 1 ]; then best=$ms; fi
		if [ -z "$bestcpu" ] || [ "$(echo "$cpu < $bestcpu" | bc)" = 1 ]; then bestcpu=$cpu; fi
	done
	echo "$best $bestcpu"
}
ratio() { echo "scale=2; $1 / $2" | bc; }

# load_ready PREFIX WIDTH COUNT: COUNT ready transactions PREFIX<i, WIDTH
# digits>, loaded behind the triggers (session_replication_role = replica:
# the readiness triggers are benchmarked elsewhere), already ready_to_anchor,
# one arrangement and one action each, stored hashes filled in.
load_ready() {
	local prefix=$1 width=$2 count=$3 t0
	echo "== loading $count ready transactions (1 arrangement + 1 action each; replica mode)"
	t0=$(date +%s.%N)
	foray_psql -d $db <<SQL
SET session_replication_role = replica;
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, lifecycle)
SELECT '$prefix' || lpad(i::text, $width, '0'), '2026-03-01T10:00:00Z',
	   jsonb_build_object('entity', 'E', 'transaction_type', 'sale', 'total_value', i), 'ready_to_anchor'
  FROM generate_series(1, $count) i;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, status, foray_core, component_hash)
SELECT '$prefix' || lpad(i::text, $width, '0'), c.id, c.t, 'ready', c.core,
	   'sha256:' || encode(sha256(convert_to(c.core::text, 'UTF8')), 'hex')
  FROM generate_series(1, $count) i,
	   LATERAL (VALUES ('ARR_1', 'ARR', '{"n": 1}'::jsonb),
					   ('ACT_1', 'ACT', jsonb_build_object('arrangement_refs', '["ARR_1"]'::jsonb, 'amount_settled', i))) c(id, t, core);
COMMIT;
RESET session_replication_role;
ANALYZE foray.foray_transactions;
ANALYZE foray.foray_components;
SQL
	echo "   loaded in $(echo "$(date +%s.%N) - $t0" | bc) s"
}
