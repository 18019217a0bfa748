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
	foray_cluster_stop
	exit 0
fi
foray_deps
foray_build
foray_install
foray_cluster_start
foray_fresh_db foray_demo 2>/dev/null
for f in "$FORAY_ROOT"/test/demo/*.sql; do
	foray_psql -d foray_demo -f "$f" -v "examples=$FORAY_ROOT/test/examples"
done
echo
echo "The cluster is running.  Connect with:"
echo "  $FORAY_PGBIN/psql -h $PGHOST -p $PGPORT -U postgres foray_demo"
echo "Stop it with: bash test/setup.sh stop"
