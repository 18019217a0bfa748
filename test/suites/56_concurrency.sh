#!/usr/bin/env bash
# Two sessions at once.
#
# Two psql processes read their SQL from FIFOs; the script steps them
# deterministically: it waits for each statement's echo mark, and, where a
# session must block on the other's per-transaction lock, for
# pg_stat_activity to show it waiting on a lock.  Every wait is bounded.
#
#  1. same FORAY transaction, B inserts the ANT first, A the ACT that
#     references it: A waits for B, both commit, all ready, ready_to_anchor.
#  2. same FORAY transaction, A inserts the ACT first: B waits for A; A's
#     commit is refused (23R02, the ANT is not there yet) with nothing left
#     behind; B then commits.
#  3. a reversal racing an insert of a dependent: whichever commits first,
#     the dependent ends pending and the transaction open.
#  4. two sessions, two FORAY transactions, opposite order: a deadlock;
#     one session fails with 40P01 and leaves no rows or events, the other
#     commits everything.
#  5. B writes a component before any envelope, A creates the envelope:
#     A waits, B is refused at commit (ENV-001), A's new transaction is right.
#  6. A creates a transaction, B adds a dependent: B waits, both commit.
source test/lib.sh

pass=0
fail=0
check() {	# check NAME EXPECTED ACTUAL
	if [ "$2" == "$3" ]; then
		pass=$((pass + 1)); echo "ok - $1"
	else
		fail=$((fail + 1)); echo "not ok - $1"; echo "#   expected: $2"; echo "#   got:      $3"
	fi
}

DB=foray_conc
DIR=$(mktemp -d "${TMPDIR:-/tmp}/foray-conc.XXXXXX")
declare -A FD PID
cleanup() {
	for s in "${!PID[@]}"; do kill "${PID[$s]}" 2>/dev/null; done
	rm -rf "$DIR"
}
trap cleanup EXIT

foray_fresh_db $DB >/dev/null 2>&1
q() { foray_psql -At -d $DB -c "$1" 2>&1; }

# session NAME: start a psql reading from a FIFO
session() {
	local s=$1
	mkfifo "$DIR/$s.in"
	PGAPPNAME="foray_conc_$s" "$FORAY_PGBIN/psql" -X -q -At -d $DB -v VERBOSITY=sqlstate \
		<"$DIR/$s.in" >"$DIR/$s.out" 2>&1 &
	PID[$s]=$!
	exec {fd}>"$DIR/$s.in"
	FD[$s]=$fd
}
send() { printf '%s\n' "$2" >&"${FD[$1]}"; }
# mark NAME TAG: wait (at most 15 s) until the session has run everything sent so far
mark() {
	send "$1" "\\echo MARK:$2"
	for _ in $(seq 150); do
		grep -q "^MARK:$2\$" "$DIR/$1.out" && return 0
		sleep 0.1
	done
	echo "# timeout waiting for session $1 at $2"; cat "$DIR/$1.out"
	return 1
}
# waiting NAME: wait (at most 15 s) until the session is blocked on a lock
waiting() {
	for _ in $(seq 150); do
		[ "$(q "SELECT wait_event_type FROM pg_stat_activity WHERE application_name = 'foray_conc_$1'")" = Lock ] && return 0
		sleep 0.1
	done
	echo "# timeout: session $1 never waited on a lock"
	return 1
}
# errors NAME: the SQLSTATEs the session reported so far, space separated
errors() { sed -n 's/^\(psql:[^:]*:[0-9]*: \)\{0,1\}ERROR:  \([0-9A-Z]\{5\}\).*/\2/p' "$DIR/$1.out" | tr '\n' ' ' | sed 's/ $//'; }
close() {
	send "$1" '\q'
	exec {FD[$1]}>&-
	wait "${PID[$1]}" 2>/dev/null
	unset "PID[$1]"
	rm -f "$DIR/$1.in"
}

STATUS() { q "SELECT string_agg(component_id || '=' || status, ' ' ORDER BY component_id) FROM foray.foray_components WHERE transaction_id = '$1'"; }
LIFE() { q "SELECT lifecycle FROM foray.foray_transactions WHERE transaction_id = '$1'"; }
CREATED() { q "SELECT string_agg(subject_id, ' ' ORDER BY subject_id) FROM foray.memory_events WHERE transaction_id = '$1' AND event_kind IN ('COMPONENT_CREATED', 'ATTESTATION_ATTACHED')"; }

ENV="INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core) VALUES"
CORE="'{\"entity\": \"Example Corp\", \"transaction_type\": \"purchase\"}'"
COMP="INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES"

# ---- 1. B inserts the ANT, A the ACT referencing it --------------------------
q "BEGIN; $ENV ('TXC1', '2025-03-01', $CORE);
   $COMP ('TXC1', 'ARR_1', 'ARR', '{}'), ('TXC1', 'ACC_1', 'ACC', '{\"arrangement_refs\": [\"ARR_1\"]}'); COMMIT;" >/dev/null
session A; session B
send B "BEGIN;"
send B "$COMP ('TXC1', 'ANT_1', 'ANT', '{\"accrual_refs\": [\"ACC_1\"]}');"
mark B b1
send A "BEGIN;"
send A "$COMP ('TXC1', 'ACT_1', 'ACT', '{\"anticipation_refs\": [\"ANT_1\"], \"arrangement_refs\": [\"ARR_1\"]}');"
waiting A
check "1: A's insert waits for B (same FORAY transaction)" 0 $?
send B "COMMIT;"; mark B b2
mark A a1
send A "COMMIT;"; mark A a2
check "1: both commit" "|" "$(errors A)|$(errors B)"
check "1: every component ready" "ACC_1=ready ACT_1=ready ANT_1=ready ARR_1=ready" "$(STATUS TXC1)"
check "1: lifecycle ready_to_anchor" "ready_to_anchor" "$(LIFE TXC1)"
check "1: one COMPONENT_CREATED per component" "ACC_1 ACT_1 ANT_1 ARR_1" "$(CREATED TXC1)"
close A; close B

# ---- 2. A inserts the ACT first, B the ANT ----------------------------------------
q "BEGIN; $ENV ('TXC2', '2025-03-01', $CORE);
   $COMP ('TXC2', 'ARR_1', 'ARR', '{}'), ('TXC2', 'ACC_1', 'ACC', '{\"arrangement_refs\": [\"ARR_1\"]}'); COMMIT;" >/dev/null
session A; session B
send A "BEGIN;"
send A "$COMP ('TXC2', 'ACT_1', 'ACT', '{\"anticipation_refs\": [\"ANT_1\"]}');"
mark A a1
send B "BEGIN;"
send B "$COMP ('TXC2', 'ANT_1', 'ANT', '{\"accrual_refs\": [\"ACC_1\"]}');"
waiting B
check "2: B's insert waits for A" 0 $?
send A "COMMIT;"; mark A a2
mark B b1
send B "COMMIT;"; mark B b2
check "2: A's commit is refused with 23R02, B commits" "23R02|" "$(errors A)|$(errors B)"
check "2: A left nothing behind; B's ANT is ready" "ACC_1=ready ANT_1=ready ARR_1=ready" "$(STATUS TXC2)"
check "2: no event of A's refused ACT" "ACC_1 ANT_1 ARR_1" "$(CREATED TXC2)"
check "2: lifecycle ready_to_anchor" "ready_to_anchor" "$(LIFE TXC2)"
close A; close B

# ---- 3. a reversal racing an insert of a dependent, both orders ------------------
for order in insert-first reverse-first; do
	tx=TXC3_${order%%-*}
	q "BEGIN; $ENV ('$tx', '2025-03-01', $CORE);
	   $COMP ('$tx', 'ARR_1', 'ARR', '{}'), ('$tx', 'ACC_1', 'ACC', '{\"arrangement_refs\": [\"ARR_1\"]}'),
			 ('$tx', 'ANT_1', 'ANT', '{\"accrual_refs\": [\"ACC_1\"]}'); COMMIT;" >/dev/null
	session A; session B
	ins="$COMP ('$tx', 'ACT_1', 'ACT', '{\"anticipation_refs\": [\"ANT_1\"]}');"
	rev="UPDATE foray.foray_components SET status = 'reversed' WHERE transaction_id = '$tx' AND component_id = 'ANT_1';"
	if [ $order = insert-first ]; then first=A; second=B; s1=$ins; s2=$rev; else first=B; second=A; s1=$rev; s2=$ins; fi
	send $first "BEGIN;"; send $first "$s1"; mark $first f1
	send $second "BEGIN;"; send $second "$s2"
	waiting $second
	check "3 ($order): the second writer waits" 0 $?
	send $first "COMMIT;"; mark $first f2
	mark $second s1
	send $second "COMMIT;"; mark $second s2
	check "3 ($order): both commit" "|" "$(errors A)|$(errors B)"
	check "3 ($order): the ACT over a reversed ANT is pending" "ACC_1=ready ACT_1=pending ANT_1=reversed ARR_1=ready" "$(STATUS $tx)"
	check "3 ($order): lifecycle open" "open" "$(LIFE $tx)"
	close A; close B
done

# ---- 4. two FORAY transactions, opposite order: deadlock -------------------------
q "BEGIN; $ENV ('TXP', '2025-03-01', $CORE), ('TXQ', '2025-03-01', $CORE); COMMIT;" >/dev/null
session A; session B
send A "BEGIN;"; send A "$COMP ('TXP', 'ARR_A', 'ARR', '{}');"; mark A a1
send B "BEGIN;"; send B "$COMP ('TXQ', 'ARR_B', 'ARR', '{}');"; mark B b1
send A "$COMP ('TXQ', 'ARR_A', 'ARR', '{}');"
waiting A
check "4: A waits for B on TXQ" 0 $?
send B "$COMP ('TXP', 'ARR_B', 'ARR', '{}');"
mark B b2
mark A a2
send A "COMMIT;"; mark A a3
send B "COMMIT;"; mark B b3
outcome="A=$(errors A) B=$(errors B)"
case "$outcome" in
	"A=40P01 B=") loser=A; winner=B ;;
	"A= B=40P01") loser=B; winner=A ;;
	*) loser=""; winner="" ;;
esac
check "4: exactly one session fails, with 40P01" "yes" "$([ -n "$loser" ] && echo yes || echo "no: $outcome")"
check "4: the loser left no rows, the winner wrote both" "ARR_$winner ARR_$winner" \
	"$(q "SELECT string_agg(component_id, ' ' ORDER BY transaction_id) FROM foray.foray_components WHERE transaction_id IN ('TXP', 'TXQ')")"
check "4: events match the rows exactly" "ARR_$winner:TXP ARR_$winner:TXQ" \
	"$(q "SELECT string_agg(subject_id || ':' || transaction_id, ' ' ORDER BY transaction_id) FROM foray.memory_events WHERE event_kind = 'COMPONENT_CREATED' AND transaction_id IN ('TXP', 'TXQ')")"
check "4: both transactions ready_to_anchor" "TXP=ready_to_anchor TXQ=ready_to_anchor" \
	"$(q "SELECT string_agg(transaction_id || '=' || lifecycle, ' ' ORDER BY transaction_id) FROM foray.foray_transactions WHERE transaction_id IN ('TXP', 'TXQ')")"
close A; close B

check "no session left behind" "0" "$(q "SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'foray_conc_%'")"
# ---- 5. B writes a component before any envelope; A creates the envelope --------
# A's transaction-row insert takes the FORAY transaction's lock, so it waits
# for B; B's commit is refused (ENV-001: no row yet, A has not committed);
# A then holds every component of its new transaction, and what it knows
# of them (no index probes) must match what a clean reader sees.
session A; session B
send B "BEGIN;"
send B "$COMP ('TXC5', 'ARR_B', 'ARR', '{}');"
mark B b1
send A "BEGIN;"
send A "$ENV ('TXC5', '2025-03-01', $CORE);"
waiting A
check "5: A's envelope insert waits for B's component (same FORAY transaction)" 0 $?
send B "COMMIT;"; mark B b2
mark A a1
send A "$COMP ('TXC5', 'ARR_1', 'ARR', '{}'), ('TXC5', 'ACC_1', 'ACC', '{\"arrangement_refs\": [\"ARR_1\"]}');"
send A "$COMP ('TXC5', 'ACT_1', 'ACT', '{\"accrual_refs\": [\"ACC_1\"]}');"
send A "COMMIT;"; mark A a2
check "5: B's commit is refused with 23503 (ENV-001), A commits" "23503|" "$(errors B)|$(errors A)"
check "5: only A's components, all ready" "ACC_1=ready ACT_1=ready ARR_1=ready" "$(STATUS TXC5)"
check "5: lifecycle ready_to_anchor" "ready_to_anchor" "$(LIFE TXC5)"
check "5: events of A's rows only" "ACC_1 ACT_1 ARR_1" "$(CREATED TXC5)"
close A; close B

# ---- 6. A creates a transaction and its arrangement; B adds a dependent --------
session A; session B
send A "BEGIN;"
send A "$ENV ('TXC6', '2025-03-01', $CORE);"
send A "$COMP ('TXC6', 'ARR_1', 'ARR', '{}');"
mark A a1
send B "BEGIN;"
send B "$COMP ('TXC6', 'ACC_1', 'ACC', '{\"arrangement_refs\": [\"ARR_1\"]}');"
waiting B
check "6: B waits for the transaction's creator" 0 $?
send A "COMMIT;"; mark A a2
mark B b1
send B "COMMIT;"; mark B b2
check "6: both commit" "|" "$(errors A)|$(errors B)"
check "6: B's accrual sees A's committed arrangement: ready" "ACC_1=ready ARR_1=ready" "$(STATUS TXC6)"
check "6: lifecycle ready_to_anchor" "ready_to_anchor" "$(LIFE TXC6)"
close A; close B

foray_psql -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
foray_tally "$pass" "$fail"
