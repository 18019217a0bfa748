#!/usr/bin/env bash
# The server log of this test run (from where test/run.sh began it): no
# backend was terminated by a signal (a crash takes every session with it
# and sends the server through recovery), and the server is still up.
# Suites that provoke errors on purpose provoke ERRORs, never crashes.
source test/lib.sh
start=$(cat "$FORAY_TMP/server_log_start" 2>/dev/null || echo 0)
p=0
f=0
crashes=$(tail -c +"$((start + 1))" "$FORAY_PGDATA/server.log" | grep -c 'terminated by signal' || true)
if [ "$crashes" -eq 0 ]; then
	p=$((p + 1)); echo "ok - no backend terminated by a signal during this run"
else
	f=$((f + 1)); echo "not ok - $crashes backend(s) terminated by a signal during this run:"
	tail -c +"$((start + 1))" "$FORAY_PGDATA/server.log" | grep -B2 'terminated by signal' | head -20 | sed 's/^/#   /'
fi
if foray_psql -d postgres -Atc "SELECT 1" >/dev/null 2>&1; then
	p=$((p + 1)); echo "ok - the server still answers"
else
	f=$((f + 1)); echo "not ok - the server does not answer"
fi
foray_tally "$p" "$f"
