#!/usr/bin/env bash
# One command: install the Debian packages, build, install (into a private
# copy of PostgreSQL under tmp/), start a throwaway cluster, create the
# extension in database foray_demo and run the demo (test/demo/*.sql).
#
#   bash test/setup.sh          then connect with the printed psql command
#   bash test/setup.sh stop     stop the throwaway cluster
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [ "${1:-}" = stop ]; then
	if [ -f "$FORAY_PGDATA/postmaster.pid" ] &&
		foray_as_pg "$FORAY_PGBIN/pg_ctl" -D "$FORAY_PGDATA" status >/dev/null 2>&1; then
		foray_cluster_stop
		echo "Stopped the throwaway cluster in $FORAY_PGDATA (port $FORAY_PGPORT); its data stays there."
	else
		echo "No cluster is running in $FORAY_PGDATA (port $FORAY_PGPORT): nothing to stop."
	fi
	exit 0
fi
foray_deps
foray_build
foray_install
foray_cluster_start
foray_fresh_db foray_demo >/dev/null 2>&1
# the demo's tables wrap wide columns at the terminal's width (psql finds
# it), or at 100 columns when the output is not a terminal
width=()
[ -t 1 ] || width=(-P "columns=${COLUMNS:-100}")
for f in "$FORAY_ROOT"/test/demo/*.sql; do
	foray_psql -d foray_demo "${width[@]}" -f "$f" -v "examples=$FORAY_ROOT/test/examples"
done
psql_cmd="$FORAY_PGBIN/psql -h $PGHOST -p $PGPORT"
echo
echo "The cluster is running.  Connect as the DBA (superuser) with:"
echo "  $psql_cmd -U postgres foray_demo"
echo "README.md's examples run as the roles it names, once its \"Roles\" step is done,"
echo "with -U loomworks_app (loomworks_anchor, loomworks_auditor) instead of -U postgres."
echo "Stop it with: bash test/setup.sh stop"
