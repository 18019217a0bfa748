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
foray_tally "$pass" "$fail"
