#!/usr/bin/env bash
# Run the pg_regress suites and the pgTAP files against a server running under valgrind memcheck
# and report every valgrind error whose stack passes through the extension.
# Slow (minutes): run it now and then, not in CI.
#
#   bash test/valgrind.sh [test ...]      (default: every sql/*.sql)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
command -v valgrind >/dev/null || { echo "valgrind is not installed"; exit 2; }
foray_build
foray_install
port=${FORAY_VG_PORT:-5460}
dir=$(mktemp -d /tmp/foray-vg.XXXXXX)
chmod 755 "$dir"
mkdir "$dir/data"
[ "$(id -u)" -eq 0 ] && chown -R postgres: "$dir"
foray_as_pg "$FORAY_PGBIN/initdb" -D "$dir/data" -U postgres --auth=trust >/dev/null
cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
port = $port
fsync = off
CONF
foray_as_pg valgrind --quiet --leak-check=no --num-callers=25 --log-file="$dir/vg.%p.log" \
	"$FORAY_PGBIN/postgres" -D "$dir/data" >"$dir/server.log" 2>&1 &
for _ in $(seq 1 120); do
	"$FORAY_PGBIN/pg_isready" -h "$dir" -p "$port" -q && break
	sleep 1
done
tests=${*:-$(for f in sql/*.sql; do b=$(basename "$f" .sql); case "$b" in foray_substrate--*) ;; *) echo "$b";; esac; done)}
"$FORAY_PG_REGRESS" --inputdir=. --outputdir="$dir/results" --bindir="$FORAY_PGBIN" --host="$dir" --port="$port" \
	--user=postgres --dbname=foray_vg --load-extension=foray_substrate $tests || true
# the pgTAP files too (unless tests were named), each in a fresh database
if [ $# -eq 0 ]; then
	for f in test/pgtap/*.sql; do
		"$FORAY_PGBIN/psql" -X -q -h "$dir" -p "$port" -U postgres -d postgres \
			-c "DROP DATABASE IF EXISTS foray_vg_tap" -c "CREATE DATABASE foray_vg_tap" >/dev/null
		"$FORAY_PGBIN/psql" -X -q -h "$dir" -p "$port" -U postgres -d foray_vg_tap \
			-c "CREATE EXTENSION pgtap" -c "CREATE EXTENSION foray_substrate" >/dev/null
		"$FORAY_PGBIN/psql" -X -q -h "$dir" -p "$port" -U postgres -d foray_vg_tap -At -f "$f" >"$dir/$(basename "$f" .sql).tap" 2>&1 || true
		echo "pgTAP $(basename "$f"): $(grep -cE '^ok [0-9]+' "$dir/$(basename "$f" .sql).tap") ok, $(grep -cE '^not ok [0-9]+' "$dir/$(basename "$f" .sql).tap") not ok"
	done
fi
foray_as_pg "$FORAY_PGBIN/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
ours=$({ grep -l 'foray_substrate.so' "$dir"/vg.*.log 2>/dev/null || true; } | wc -l)
echo "valgrind logs in $dir; logs with an error in foray_substrate.so: $ours"
[ "$ours" -eq 0 ]
