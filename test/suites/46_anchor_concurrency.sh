#!/usr/bin/env bash
# Two sessions racing on one transaction: stale state can never be anchored,
# and nothing slips into a transaction being anchored.
source test/lib.sh
db=foray_anchor_race
out="$FORAY_TMP/race"
mkdir -p "$out"
p=0
f=0
check() {	# description, expected substring, file
	if grep -q -- "$2" "$3"; then
		echo "ok - $1"
		p=$((p + 1))
	else
		echo "not ok - $1 (wanted \"$2\")"
		sed 's/^/#   /' "$3"
		f=$((f + 1))
	fi
}
foray_fresh_db $db >/dev/null 2>&1 || { foray_tally 0 1; exit 1; }
setup() {	# tx id
	foray_psql -d $db <<SQL
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('$1', '2026-03-01T10:00:00Z', '{"entity": "E", "transaction_type": "t"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('$1', 'ARR_1', 'ARR', '{"n": 1}');
SQL
}

# 1. a component is being added (uncommitted) while the anchor service
#    records the root it saw before: the anchor waits, then is refused
setup RACE_1
root=$(foray_psql -d $db -At -c "SELECT merkle_root FROM foray.transaction_hashes('RACE_1')")
foray_psql -d $db >"$out/1a.out" 2>&1 <<SQL &
BEGIN;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('RACE_1', 'ARR_2', 'ARR', '{"n": 2}');
SELECT pg_sleep(1.5);
COMMIT;
SQL
a=$!
sleep 0.5
"$FORAY_PGBIN/psql" -X -q -d $db -v VERBOSITY=verbose -c "SELECT foray.record_anchor('RACE_1', '$root', 'kaspa:r1', 1, 1, now())" >"$out/1b.out" 2>&1
wait $a
check "anchoring a root made stale by a concurrent insert is refused (23R31)" "23R31" "$out/1b.out"
foray_psql -d $db -At -c "SELECT lifecycle FROM foray.foray_transactions WHERE transaction_id = 'RACE_1'" >"$out/1c.out"
check "the transaction stays ready_to_anchor" "ready_to_anchor" "$out/1c.out"

# 2. the anchor is being recorded (uncommitted) while a component arrives:
#    the writer waits, then is refused
setup RACE_2
root=$(foray_psql -d $db -At -c "SELECT merkle_root FROM foray.transaction_hashes('RACE_2')")
foray_psql -d $db >"$out/2a.out" 2>&1 <<SQL &
BEGIN;
SELECT foray.record_anchor('RACE_2', '$root', 'kaspa:r2', 1, 1, now());
SELECT pg_sleep(1.5);
COMMIT;
SQL
a=$!
sleep 0.5
"$FORAY_PGBIN/psql" -X -q -d $db -v VERBOSITY=verbose -c "INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES ('RACE_2', 'ARR_2', 'ARR', '{}')" >"$out/2b.out" 2>&1
wait $a
check "a component arriving while the anchor is recorded is refused (23R32)" "23R32" "$out/2b.out"
foray_psql -d $db -At -c "SELECT lifecycle, (SELECT count(*) FROM foray.foray_components c WHERE c.transaction_id = 'RACE_2') FROM foray.foray_transactions WHERE transaction_id = 'RACE_2'" >"$out/2c.out"
check "the transaction is anchored with its one component" "anchored|1" "$out/2c.out"
foray_psql -d $db -At -c "SELECT count(*) FROM foray.verify('RACE_2') WHERE component_id IS NULL" >"$out/2d.out"
check "verify() finds the anchored hashes consistent" "^0$" "$out/2d.out"
foray_tally "$p" "$f"
