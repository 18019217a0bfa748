#!/usr/bin/env bash
# Documents: the C validator (foray.validate_document) against the
# independent Python checker (test/documents/check_rules.py), over every
# published example and every test document.  One test per file: the two
# must report the same (rule, severity, component, path) set.
source test/lib.sh
AS_OF=2026-11-25T00:00:00Z
db=foray_documents
foray_fresh_db "$db" >/dev/null || { foray_tally 0 1; exit 1; }
pass=0
fail=0
for f in test/examples/*.json test/documents/*.json; do
	want=$(python3 test/documents/check_rules.py "$AS_OF" "$f" | LC_ALL=C sort -u)
	got=$(printf '%s\n' "SELECT rule_id, severity, coalesce(component_id, ''), json_path FROM foray.validate_document(:'doc'::jsonb, '$AS_OF')" |
		foray_psql -d "$db" -At -F $'\t' -v doc="$(cat "$f")" | LC_ALL=C sort -u)
	if [ "$want" = "$got" ]; then
		echo "ok - $f ($(printf '%s' "$got" | grep -c . ) findings)"
		pass=$((pass + 1))
	else
		echo "not ok - $f"
		diff <(echo "$want") <(echo "$got") | sed 's/^/    /'
		fail=$((fail + 1))
	fi
done

# The checker must itself find what the spec says the examples break: a
# checker that found nothing would agree with a validator that finds
# nothing.  These expectations are read off the documents by hand.
expect() {
	local file=$1 rule=$2 comp=$3
	if python3 test/documents/check_rules.py "$AS_OF" "$file" | awk -F'\t' -v r="$rule" -v c="$comp" '$1==r && $3==c {f=1} END {exit !f}'; then
		echo "ok - checker: $(basename "$file") breaks $rule at ${comp:-transaction}"
		pass=$((pass + 1))
	else
		echo "not ok - checker: $(basename "$file") should break $rule at ${comp:-transaction}"
		fail=$((fail + 1))
	fi
}
expect test/examples/salesforce-opportunity-v41.json REF-001 ARR_SF_QUOTE
expect test/examples/salesforce-opportunity-v41.json ACT-002 ACT_INVOICE_GENERATED
expect test/examples/fx-spot-usdjpy-v41.json ACT-002 ACT_FX_TRADE_EXECUTION
expect test/examples/fx-spot-usdjpy-v41.json ENUM-001 ""
expect test/examples/manuka-honey-provenance-v41.json ARR-001 ARR_BATCH_DEFINITION_2026_001
expect test/examples/manuka-honey-provenance-v41.json ATT-005 ATT_LAB_ANALYSIS_001
expect test/examples/rmbs-transaction-v3.json ARR-001 ARR_TRANCHE_CLASS_A_AAA
expect test/examples/energy-solar-ppa-morocco-spain-v3.json ACT-001 ACT_MONTHLY_ENERGY_DELIVERY
expect test/documents/bad-cycles.json TX-004 ACC_Y
expect test/documents/bad-cycles.json ATT-006 ATT_Q

# docs/rules.md documents exactly the rules the C table has
check() {
	if [ "$2" = "$3" ]; then
		echo "ok - $1"
		pass=$((pass + 1))
	else
		echo "not ok - $1"
		diff <(echo "$2") <(echo "$3") | sed 's/^/    /'
		fail=$((fail + 1))
	fi
}
doc_rules=$(grep -oE '^\| [A-Z]+-[0-9]{3} \| (structural|content) \| (error|warning)' docs/rules.md | tr -d '|' | awk '{print $1, $2, $3}' | LC_ALL=C sort)
db_rules=$(foray_psql -d "$db" -At -F ' ' -c "SELECT rule_id, classification, severity FROM foray.document_rules()" | LC_ALL=C sort)
check "docs/rules.md lists every rule with its class and severity" "$doc_rules" "$db_rules"

# two sessions import the same document at once: exactly one writes it
doc=$(cat test/documents/pattern-full-lifecycle.json)
printf '%s\n' "BEGIN;" "SELECT foray.import_document(:'doc') ->> 'status';" "SELECT pg_sleep(1.5);" "COMMIT;" |
	foray_psql -d "$db" -At -v doc="$doc" >"$FORAY_TMP/concurrent.1" 2>&1 &
first=$!
sleep 0.5
second=$(printf '%s\n' "SELECT foray.import_document(:'doc') ->> 'status';" | foray_psql -d "$db" -At -v doc="$doc" 2>&1)
wait $first
statuses=$( (head -1 "$FORAY_TMP/concurrent.1"; echo "$second") | tr '\n' ' ')
created=$(foray_psql -d "$db" -At -c "SELECT count(*) FROM foray.memory_events WHERE transaction_id = 'TEST_FULL_LIFECYCLE' AND event_kind = 'TRANSACTION_CREATED'")
check "concurrent imports: one imported, one unchanged (statuses: $statuses)" "imported unchanged " "$statuses"
check "concurrent imports: exactly one TRANSACTION_CREATED" "1" "$created"

# a 50 MB document: validated in one pass (one violation row, the
# duplicate id planted at the end), refused by import, nothing written
big=$(mktemp /tmp/foray-big50-XXXXXX.json)
python3 - "$big" <<'PY'
import json, sys
acts = [{"id": "ACT_%06d" % i, "foray_core": {"anticipation_refs": [], "accrual_refs": [], "arrangement_refs": [],
         "type": "payment", "amount_settled": 100.25, "currency": "USD", "settlement_status": "completed",
         "description": "x" * 120, "dependencies": []}} for i in range(137000)]
acts.append({"id": "ACT_000007", "foray_core": {"amount_settled": 1, "settlement_status": "completed"}})
doc = {"transaction_id": "TEST_BIG_50MB", "schema_version": "4.1", "timestamp": "2026-02-01T00:00:00Z",
       "foray_core": {"entity": "E", "transaction_type": "bulk"}, "actions": acts}
json.dump(doc, open(sys.argv[1], "w"))
PY
chmod 644 "$big"
size=$(stat -c %s "$big")
start=$(date +%s.%N)
found=$(foray_psql -d "$db" -At -c "SELECT string_agg(rule_id || ' ' || json_path, ', ') FROM foray.validate_document(pg_read_file('$big')::jsonb)" 2>&1)
secs=$(echo "$(date +%s.%N) - $start" | bc)
check "50 MB document ($size bytes) validated in ${secs}s: one ID-003 row" "ID-003 \$.actions[137000].id" "$found"
refused=$(printf '%s\n' "\\set VERBOSITY terse" "SELECT foray.import_document(pg_read_file('$big')::jsonb);" "\\echo :LAST_ERROR_SQLSTATE" |
	foray_psql -d "$db" -At -v ON_ERROR_STOP=0 2>/dev/null | tail -1)
left=$(foray_psql -d "$db" -At -c "SELECT count(*) FROM foray.foray_components WHERE transaction_id = 'TEST_BIG_50MB'")
check "50 MB document refused by import (23R50), nothing written" "23R50 0" "$refused $left"
rm -f "$big"

foray_tally "$pass" "$fail"
