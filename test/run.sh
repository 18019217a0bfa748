#!/usr/bin/env bash
# Run every test suite: installs what is missing, builds, installs into the
# private copy under tmp/, starts the throwaway cluster, then runs each
# test/suites/*.sh in order.  Ends with one line "N passed, N failed".
#
#   bash test/run.sh              all suites
#   bash test/run.sh regress      only suites whose name contains "regress"
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
set -e
foray_deps
foray_build
foray_install
foray_cluster_start
set +e

filter=${1:-}
logs="$FORAY_TMP/logs"
mkdir -p "$logs"
# where this run's part of the server log begins (99_server_log.sh reads it)
wc -c <"$FORAY_PGDATA/server.log" >"$FORAY_TMP/server_log_start"
passed=0
failed=0
for suite in "$FORAY_ROOT"/test/suites/*.sh; do
	name=$(basename "$suite" .sh)
	[ -n "$filter" ] && [[ "$name" != *"$filter"* ]] && continue
	start=$(date +%s)
	(cd "$FORAY_ROOT" && bash "$suite") >"$logs/$name.log" 2>&1
	rc=$?
	tally=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$logs/$name.log" | tail -n 1)
	if [ -z "$tally" ]; then
		tally="0 passed, 1 failed"
	elif [ $rc -ne 0 ] && [ "$(echo "$tally" | awk '{print $3}')" = 0 ]; then
		tally="$(echo "$tally" | awk '{print $1}') passed, 1 failed"
	fi
	p=$(echo "$tally" | awk '{print $1}')
	f=$(echo "$tally" | awk '{print $3}')
	passed=$((passed + p))
	failed=$((failed + f))
	printf '%-28s %s  (%ss)\n' "$name" "$tally" "$(( $(date +%s) - start ))"
	if [ "$f" -ne 0 ]; then
		echo "---- $name: last lines of $logs/$name.log"
		tail -n 60 "$logs/$name.log"
		echo "----"
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
