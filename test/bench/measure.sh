# Timing helpers of the benchmarks (sourced; the caller sets db, out and
# REPEAT).
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
