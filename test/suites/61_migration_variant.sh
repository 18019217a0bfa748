#!/usr/bin/env bash
# The Loomworks migration on a legacy database it was not written against
# (issue 18): the second fixture (test/legacy/variant/), with other column
# spellings, NULL metadata, numbers stored as strings, a rate table with
# history, padded credential ids, an integer id with gaps, and late rows;
# then the migration run while the application keeps writing legacy rows.
# Every expected value below is worked out by hand from the fixture's rows
# and the mapping in docs/migration.md (the fixture's comments give the
# arithmetic), never taken from the migration's output.
source test/lib.sh
source test/legacy/tap.sh

q() { foray_psql -d "$DB" -Atc "$1"; }
migrate() { foray_psql -d "$DB" -v VERBOSITY=verbose "$@" -f "$SCRIPT"; }
# the variant's spellings (docs/migration.md, "Running it")
VARS=(-v flows_id_column=flow_id -v flows_quantity_column=qty -v flows_metadata_column=flow_metadata
	-v flows_created_at_column=recorded_at -v balances_party_column=party_id -v balances_asset_id_column=asset
	-v balances_balance_column=amount -v rates_table=credit_conversion_rates -v rates_credit_asset_column=credit_asset_id
	-v rates_token_asset_column=token_asset_id -v rates_rate_column=rate -v rates_effective_at_column=effective_from
	-v audit_id_column=event_id -v audit_created_at_column=occurred_at
	-v expected_triggers=credit.foray_action_flows.trg_balance)
LEGACY="credit.foray_action_flows credit.asset_balances credit.credit_conversion_rates audit.foray_events public.memory_events public.webauthn_credentials"
SUBSTRATE="foray.foray_transactions foray.foray_components foray.foray_attestations foray.memory_events foray.event_kinds"
REPORTS="loomworks_migration.runs loomworks_migration.content_hash_findings loomworks_migration.foray_tx_refs loomworks_migration.event_batches"
substrate_rows() {
	q "SELECT (SELECT count(*) FROM foray.foray_transactions) + (SELECT count(*) FROM foray.foray_components)
		+ (SELECT count(*) FROM foray.memory_events) + (SELECT count(*) FROM pg_namespace WHERE nspname = 'loomworks_migration')"
}
P1=a1000000-0000-4000-8000-000000000001
P2=a1000000-0000-4000-8000-000000000002
acc() { echo "ACC_TOKENS_c00000000000400080000000000000$1"; }

DB=foray_mig_variant
foray_fresh_db "$DB" >/dev/null 2>&1
foray_psql -d "$DB" -f test/legacy/variant/schema.sql -f test/legacy/variant/data.sql >/dev/null 2>&1
is "the variant fixture loads" "$(q "SELECT count(*) FROM credit.foray_action_flows")|$(q "SELECT string_agg(id::text, ',' ORDER BY id) FROM public.memory_events")" "11|10,20,30,40"

# ------------------------------------------------ the names are not assumed
out=$(migrate 2>&1); rc=$?
[ "$rc" -ne 0 ] && [ "$(echo "$out" | grep -c ERROR)" = 1 ] \
	&& contains_all "$out" "22R40" "and 10 more" \
		"column credit.asset_balances.party not found (expected character varying or text)" \
		"column credit.foray_action_flows.quantity not found (expected numeric)" \
		"column audit.foray_events.created_at not found (expected timestamp with time zone)" \
		"table credit.conversion_rates not found" \
		"credit.foray_action_flows has trigger(s) trg_balance the migration does not expect" \
	&& ok "run with the default spellings: one 22R40 error lists all 11 things it did not find" || nok "variant without variables" "$out"
is "nothing written" "$(substrate_rows)" 0

# ------------------------------------------------------- dry run, then run
before=$(checksum $LEGACY)
out=$(migrate "${VARS[@]}" -v dry_run=1 2>&1); rc=$?
is "dry run with the variant's spellings exits 0 and writes nothing" "$rc|$(substrate_rows)" "0|0"
out=$(migrate "${VARS[@]}" 2>&1); rc=$?
is "the migration with the variant's spellings exits 0 with no FAIL" "$rc|$(echo "$out" | grep -c FAIL)" "0|0"
[ "$rc" -ne 0 ] && echo "$out" | grep -E "ERROR|DETAIL" | head
is "the legacy tables are only read" "$(checksum $LEGACY)" "$before"

# token accruals: component id, where the rate came from, the rate, the
# output (tokens x rate / 10^6) and the currency, as worked out by hand
is "token accruals are priced from their metadata (numbers and numeric strings) or the rate table in effect at their time" \
	"$(q "SELECT string_agg(component_id || ' ' || (foray_core -> 'inputs' ->> 'rate_source') || ' ' || (foray_core -> 'inputs' ->> 'rate_per_million')
		|| ' ' || (foray_core ->> 'output') || ' ' || (foray_core ->> 'currency'), ',' ORDER BY component_id)
		FROM foray.foray_components WHERE component_type = 'ACC'")" \
	"$(acc 01) rate_table 200 0.2 loomworks_credit_sonnet,$(acc 11) rate_table 250 0.25 loomworks_credit_haiku,$(acc 12) metadata 1250 0.05 loomworks_credit_haiku,$(acc 13) rate_table 900 1.8 loomworks_credit_haiku,$(acc 14) metadata 4500 0.45 loomworks_credit_haiku,$(acc 21) metadata 250 0.1 loomworks_credit_haiku,$(acc 31) rate_table 1250 1 loomworks_credit_haiku"
is "rates are JSON numbers in the accruals" \
	"$(q "SELECT string_agg(DISTINCT jsonb_typeof(foray_core -> 'inputs' -> 'rate_per_million') || jsonb_typeof(foray_core -> 'output'), ',') FROM foray.foray_components WHERE component_type = 'ACC'")" "numbernumber"
is "each debit references its turn's accruals, in time order" \
	"$(q "SELECT string_agg(transaction_id || ':' || array_to_string(accrual_refs, ' '), ',' ORDER BY transaction_id) FROM foray.foray_components WHERE component_type = 'ACT' AND cardinality(accrual_refs) > 0")" \
	"LW_CREDIT_b0000000-0000-4000-8000-000000000000:$(acc 01),LW_CREDIT_b0000000-0000-4000-8000-000000000001:$(acc 11) $(acc 12) $(acc 13) $(acc 14)"
is "the debits equal the sums of their accruals' outputs" \
	"$(q "SELECT string_agg(c.transaction_id || ' ' || (c.foray_core ->> 'amount_settled'), ',' ORDER BY c.transaction_id) FROM foray.foray_components c WHERE c.component_type = 'ACT' AND cardinality(c.accrual_refs) > 0
		AND (c.foray_core ->> 'amount_settled')::numeric = (SELECT sum((a.foray_core ->> 'output')::numeric) FROM foray.foray_components a WHERE a.transaction_id = c.transaction_id AND a.component_type = 'ACC')")" \
	"LW_CREDIT_b0000000-0000-4000-8000-000000000000 0.2,LW_CREDIT_b0000000-0000-4000-8000-000000000001 2.55"
is "every migrated transaction (6 ledger transactions, 2 attestations) validates (validate_document over export_document)" \
	"$(q "SELECT count(*) || '/' || (SELECT count(*) FROM foray.foray_transactions) FROM foray.foray_transactions t, foray.validate_document(foray.export_document(t.transaction_id)) v")" "0/8"
is "credit.asset_balances (party_id, asset, amount) is reproduced by the shipped view" \
	"$(q "SELECT count(*) FROM credit.asset_balances b FULL JOIN loomworks_migration.asset_balances v ON v.party = b.party_id AND v.asset_id = b.asset
		WHERE v.party IS NULL OR b.party_id IS NULL OR v.balance <> b.amount")|$(q "SELECT count(*) FROM loomworks_migration.asset_balances")" "0|15"
is "narrative events: each setting's changes in time order (P1 10:00, 12:00; P2 10:30)" \
	"$(q "SELECT string_agg(substr(source_ref, 20) || ' v' || object_version, ',' ORDER BY source_ref) FROM foray.memory_events WHERE source_ref LIKE 'audit.%'")" \
	"d0000000-0000-4000-8000-000000000001 v1,d0000000-0000-4000-8000-000000000002 v2,d0000000-0000-4000-8000-000000000003 v1"
is "engine events in legacy id order, _foray removed" \
	"$(q "SELECT string_agg(substr(source_ref, 22) || (CASE WHEN payload ? '_foray' THEN '!' ELSE '' END), ',' ORDER BY event_id) FROM foray.memory_events WHERE source_ref LIKE 'public.memory_events:%'")" "10,20,30,40"
is "a padded base64url credential id finds its person; a verified_at dates the attestation" \
	"$(q "SELECT (foray_core ->> 'attestor') || ' ' || (foray_core ->> 'attestation_date') || ' ' || (audit_data ->> 'attestation_date_source') FROM foray.foray_attestations WHERE transaction_id = 'LW_EVENT_30'")" \
	"person:$P1 2026-02-01T10:59:59Z verified_at"
is "an unknown credential falls back to the event's actor; no verified_at: the event's timestamp, said so" \
	"$(q "SELECT (foray_core ->> 'attestor') || ' ' || (foray_core ->> 'attestation_date') || ' ' || (audit_data ->> 'attestation_date_source') FROM foray.foray_attestations WHERE transaction_id = 'LW_EVENT_40'")" \
	"person:$P2 2026-02-01T11:30:00.000000Z event_timestamp"
echo "$out" | grep -qE "attestations dated by their event's timestamp \(no verified_at\) *\| *2 *\| *\| *1 *\| reported" \
	&& echo "$out" | grep -qE "attestations whose credential is not the actor's *\| *2 *\| *\| *1 *\| reported" \
	&& ok "the report counts the fallbacks" || nok "fallback report" "$(echo "$out" | grep attestations)"
is "content hashes: the NULL one is missing, the disagreeing _foray copy is reported, none is wrong" \
	"$(q "SELECT string_agg(legacy_id || ' ' || finding, ',' ORDER BY legacy_id, finding) FROM loomworks_migration.content_hash_findings")" "20 missing,30 foray_block_differs"
is "the foray_tx_ref value is kept" "$(q "SELECT legacy_id || ' ' || foray_tx_ref || ' ' || source_ref FROM loomworks_migration.foray_tx_refs")" \
	"40 FORAY_TX_LEGACY_1 public.memory_events:40"

# ------------------------------------------------------------ idempotent
before_sub=$(checksum $SUBSTRATE $REPORTS)
out=$(migrate "${VARS[@]}" 2>&1); rc=$?
is "a second run has nothing new to migrate and changes nothing" \
	"$rc|$(echo "$out" | grep -c 'nothing new to migrate')|$(checksum $SUBSTRATE $REPORTS)" "0|1|$before_sub"
echo "$out" | grep -qE 'migrated transactions validate: structural rules *\| *8 *\| *8 *\| *0 *\| ok' \
	&& ok "a run with nothing new still validates every migrated transaction (8)" || nok "rerun validation" "$(echo "$out" | grep validate)"

# ------------------------------------------------------------- late rows
foray_psql -d "$DB" -f test/legacy/variant/late.sql >/dev/null 2>&1
max_before=$(q "SELECT max(event_id) FROM foray.memory_events WHERE source_ref LIKE 'public.memory%'")
out=$(migrate "${VARS[@]}" 2>&1); rc=$?
is "a run after the late rows exits 0 with no FAIL" "$rc|$(echo "$out" | grep -c FAIL)" "0|0"
[ "$rc" -ne 0 ] && echo "$out" | grep -E "ERROR|DETAIL" | head
is "the late setting change (11:00, between P1's 10:00 and 12:00) continues the chain as version 3" \
	"$(q "SELECT object_version || ' ' || occurred_at AT TIME ZONE 'UTC' FROM foray.memory_events WHERE source_ref = 'audit.foray_events:d0000000-0000-4000-8000-000000000004'")" \
	"3 2026-02-01 11:00:00"
is "the late engine event 25 comes after 40, in a batch of its own" \
	"$(q "SELECT string_agg(substr(source_ref, 22), ',' ORDER BY event_id) FROM foray.memory_events WHERE source_ref LIKE 'public.memory_events:%'")|$(q "SELECT count(*) FROM loomworks_migration.event_batches")" \
	"10,20,30,40,25|2"
is "the late event was written after every event migrated before it" \
	"$(q "SELECT event_id > $max_before FROM foray.memory_events WHERE source_ref = 'public.memory_events:25'")" "t"
is "the late turn (2025-11-01) is priced at the rate in effect then (200)" \
	"$(q "SELECT (foray_core -> 'inputs' ->> 'rate_per_million') || ' ' || (foray_core ->> 'output') FROM foray.foray_components WHERE component_id = '$(acc 61)'")" "200 0.1"
is "the late issuance row joins the migrated issuance T4" \
	"$(q "SELECT count(*) FROM foray.foray_components WHERE transaction_id = 'LW_CREDIT_b0000000-0000-4000-8000-000000000004'")" 2
is "every transaction still validates" \
	"$(q "SELECT count(*) FROM foray.foray_transactions t, foray.validate_document(foray.export_document(t.transaction_id)) v")" 0
before_sub=$(checksum $SUBSTRATE $REPORTS)
out=$(migrate "${VARS[@]}" 2>&1); rc=$?
is "the run after that has nothing new to migrate" \
	"$rc|$(echo "$out" | grep -c 'nothing new to migrate')|$(checksum $SUBSTRATE $REPORTS)" "0|1|$before_sub"

# ---------------------------- the application keeps writing during a run
# The first fixture, and a session of the application committing a
# consumption turn, a setting change and an engine event every few
# milliseconds while the migration runs.  The run reads one snapshot: what
# was committed before it is migrated, what comes after is left to the next
# run, and each run reconciles.
DB=foray_mig_live
foray_fresh_db "$DB" >/dev/null 2>&1
foray_psql -d "$DB" -f test/legacy/schema.sql -f test/legacy/generate.sql >/dev/null 2>&1
q "SELECT count(*) FROM loomworks_fixture.generate(3000, 200, 3000)" >/dev/null
legacy_rows() { q "SELECT (SELECT count(*) FROM credit.foray_action_flows) + (SELECT count(*) FROM audit.foray_events) + (SELECT count(*) FROM public.memory_events)"; }
start_rows=$(legacy_rows)
foray_psql -d "$DB" -v ON_ERROR_STOP=1 >"$FORAY_TMP/writer.log" 2>&1 <<'SQL' &
DO $w$
DECLARE
	p uuid := md5('person:1')::uuid;
	t uuid;
BEGIN
	FOR i IN 1..400 LOOP
		t := gen_random_uuid();
		INSERT INTO credit.foray_action_flows (transaction_id, flow_type, asset_id, from_party, to_party, quantity, metadata)
		VALUES (t, 'consumption', 'anthropic_haiku_4_input', 'anthropic', p::text, 1000, '{"rate_per_million": 250}'),
			   (t, 'consumption', 'loomworks_credit_haiku', p::text, 'dunin7', 0.25, '{}');
		INSERT INTO audit.foray_events (tx_id, event_type, actor_person_id, payload)
		VALUES (gen_random_uuid(), 'setting_change', p, jsonb_build_object('setting_key', 'companion.verbosity', 'new_value', i));
		INSERT INTO public.memory_events (engagement_id, engagement_version, object_id, object_type, object_version,
			event_kind, actor_kind, actor_id, payload, content_hash)
		VALUES ('00000000-0000-0000-0000-000000000001', 700000 + i, gen_random_uuid(), 'Assertion', 1, 'assertion_proposed',
			'person', p, jsonb_build_object('n', i), foray.loomworks_content_hash(jsonb_build_object('n', i)));
		COMMIT;
		PERFORM pg_sleep(0.01);
	END LOOP;
END
$w$;
SQL
writer=$!
sleep 0.5
out=$(migrate 2>&1); rc=$?
during=$(legacy_rows)
wait "$writer"; wrc=$?
final_rows=$(legacy_rows)
first_run=$(echo "$out" | sed -n 's/.*credit.foray_action_flows: \([0-9]*\) legacy rows.*/\1/p')
is "the migration runs while the application writes, and reconciles" "$rc|$(echo "$out" | grep -c FAIL)|$wrc" "0|0|0"
[ "$rc" -ne 0 ] && echo "$out" | grep -E "ERROR|DETAIL" | head
[ "$start_rows" -lt "$during" ] && [ "$during" -lt "$final_rows" ] \
	&& ok "the application wrote before, during and after the run ($start_rows, $during, $final_rows legacy rows)" \
	|| nok "writer overlap" "$start_rows $during $final_rows"
[ "$first_run" -gt 3000 ] && [ "$first_run" -lt "$(q "SELECT count(*) FROM credit.foray_action_flows")" ] \
	&& ok "the run took the flows committed before its snapshot ($first_run), not the later ones" || nok "snapshot" "$first_run"
out=$(migrate 2>&1); rc=$?
is "the next run takes the rest and reconciles" "$rc|$(echo "$out" | grep -c FAIL)" "0|0"
is "every legacy row is migrated exactly once" \
	"$(q "SELECT (SELECT count(*) FROM foray.foray_components WHERE source_ref LIKE 'credit.foray\\_action\\_flows:%')
		+ (SELECT count(DISTINCT source_ref) FROM foray.memory_events WHERE source_ref LIKE 'audit.%' OR (source_ref LIKE 'public.memory_events:%'))")" \
	"$final_rows"
is "the writer's setting changes form one chain, 1..n" \
	"$(q "SELECT max(object_version) = count(*) AND count(DISTINCT object_version) = count(*) FROM foray.memory_events WHERE object_id = md5('loomworks:person_setting:' || md5('person:1')::uuid || ':companion.verbosity')::uuid")" "t"

foray_tally "$P" "$F"
