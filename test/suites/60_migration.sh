#!/usr/bin/env bash
# The Loomworks migration (sql/migrate/foray_substrate_migrate_loomworks.sql):
# every guarantee of issues 6 and 18, each checked against the legacy
# fixture (test/legacy/) at a small size.  Expected values come from the
# legacy data itself (its own balance table, its own row counts, its rate
# table) and from CPython's json + hashlib for the legacy content hash --
# never from the migration's report.  The second, differently shaped
# fixture is 61_migration_variant.sh; the hostile database
# 62_migration_hostile.sh.
source test/lib.sh
source test/legacy/tap.sh

N_FLOWS=3000
N_AUDIT=200
N_MEM=3000
q() { foray_psql -d "$DB" -Atc "$1"; }
migrate() { foray_psql -d "$DB" -v VERBOSITY=verbose "$@" -f "$SCRIPT"; }

# A fresh database holding the extension and a generated legacy fixture:
# generated once, then copied (CREATE DATABASE ... TEMPLATE) for each case.
TEMPLATE=foray_mig_template
foray_fresh_db "$TEMPLATE" >/dev/null 2>&1
foray_psql -d "$TEMPLATE" -f test/legacy/schema.sql -f test/legacy/generate.sql >/dev/null 2>&1
foray_psql -d "$TEMPLATE" -Atc "SELECT count(*) FROM loomworks_fixture.generate($N_FLOWS, $N_AUDIT, $N_MEM)" >/dev/null
legacy_db() {
	DB=$1
	foray_psql -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB TEMPLATE $TEMPLATE" >/dev/null 2>&1
	NF=$(q "SELECT count(*) FROM credit.foray_action_flows")
}

LEGACY="credit.foray_action_flows credit.asset_balances credit.conversion_rates audit.foray_events public.memory_events public.persons public.engagements public.webauthn_credentials"
SUBSTRATE="foray.foray_transactions foray.foray_components foray.foray_attestations foray.memory_events foray.event_kinds"
REPORTS="loomworks_migration.runs loomworks_migration.content_hash_findings loomworks_migration.foray_tx_refs loomworks_migration.event_batches"
substrate_rows() {
	q "SELECT (SELECT count(*) FROM foray.foray_transactions) + (SELECT count(*) FROM foray.foray_components)
		+ (SELECT count(*) FROM foray.foray_attestations) + (SELECT count(*) FROM foray.memory_events)
		+ (SELECT count(*) FROM foray.event_kinds WHERE NOT builtin)
		+ (SELECT count(*) FROM pg_namespace WHERE nspname = 'loomworks_migration')"
}

[ -f "$SCRIPT" ] && ok "migration script installed in the extension's share folder" || nok "script installed" "$SCRIPT"

# ---------------------------------------------------------------- dry run
legacy_db foray_mig_dry
before=$(checksum $LEGACY)
out=$(migrate -v dry_run=1 2>&1); rc=$?
is "dry run exits 0" "$rc" 0
echo "$out" | grep -q "dry run: everything above reconciles; rolling back" && ok "dry run says it rolls back" || nok "dry run notice" "$out"
echo "$out" | grep -qE '^ *credit.foray_action_flows -> foray_components *\| *'"$NF"' *\| *'"$NF"' *\| *0 *\| ok' \
	&& ok "dry run reports what it would write" || nok "dry run report" "$(echo "$out" | grep -- '->' | head -3)"
is "dry run writes nothing" "$(substrate_rows)" 0
is "dry run leaves the legacy tables untouched" "$(checksum $LEGACY)" "$before"

# ------------------------------------------------------------- real run
legacy_db foray_mig
# one legacy transaction_id carrying two flow types (the generator writes none)
q "INSERT INTO credit.foray_action_flows (transaction_id, flow_type, asset_id, from_party, to_party, quantity, metadata)
   SELECT '11111111-2222-4333-8444-555555555555', v.t, 'loomworks_credit_sonnet', 'dunin7', p.to_party, v.q, '{}'
   FROM (SELECT to_party FROM credit.foray_action_flows WHERE flow_type = 'issuance' ORDER BY id LIMIT 1) p,
		(VALUES ('issuance', 5), ('correction', 1)) v(t, q)" >/dev/null
NF=$(q "SELECT count(*) FROM credit.foray_action_flows")
before=$(checksum $LEGACY)
out=$(migrate -v progress_every=1000 2>&1); rc=$?
is "migration exits 0" "$rc" 0
echo "$out" | grep -q "FAIL" && nok "no FAIL line in the report" "$(echo "$out" | grep FAIL)" || ok "no FAIL line in the report"
echo "$out" | grep -qE 'NOTICE: +(00000: )?credit.foray_action_flows : 1000 / [0-9]+ rows \([0-9]+ rows/s\)' \
	&& ok "progress NOTICEs give rows done and rows/s" || nok "progress NOTICEs" "$(echo "$out" | grep NOTICE | head -5)"
is "legacy tables only read" "$(checksum $LEGACY)" "$before"
is "foray_components keeps its fillfactor (the run writes full pages, then restores it)" \
	"$(q "SELECT reloptions FROM pg_class WHERE oid = 'foray.foray_components'::regclass")" "{fillfactor=50}"
is "the migrated components were written with full pages: no heap page is half empty" \
	"$(q "SELECT pg_relation_size('foray.foray_components') < 0.75 * (SELECT sum(pg_column_size(c.*) + 28) FROM foray.foray_components c) * 2")" "t"

# every legacy row exactly once, with provenance
is "one component per legacy flow, each naming its flow" \
	"$(q "SELECT count(*), count(DISTINCT c.source_ref) FROM credit.foray_action_flows f JOIN foray.foray_components c ON c.source_ref = 'credit.foray_action_flows:' || f.id")" \
	"$NF|$NF"
is "no migrated component without its legacy flow" \
	"$(q "SELECT count(*) FROM foray.foray_components c WHERE c.source_ref LIKE 'credit.%' AND NOT EXISTS (SELECT 1 FROM credit.foray_action_flows f WHERE c.source_ref = 'credit.foray_action_flows:' || f.id)")" 0
is "one FORAY transaction per legacy transaction_id" \
	"$(q "SELECT count(*) FROM foray.foray_transactions WHERE source_ref LIKE 'credit.foray_action_flows.transaction_id:%'")" \
	"$(q "SELECT count(DISTINCT transaction_id) FROM credit.foray_action_flows")"
is "one narrative event per audit row" \
	"$(q "SELECT count(DISTINCT e.source_ref) FROM audit.foray_events a JOIN foray.memory_events e ON e.source_ref = 'audit.foray_events:' || a.id AND e.event_kind = 'setting_change' AND e.actor_kind = 'person' AND e.actor_id = a.actor_person_id::text")" \
	"$N_AUDIT"
is "one engine event per legacy memory_event" \
	"$(q "SELECT count(DISTINCT e.source_ref) FROM public.memory_events m JOIN foray.memory_events e ON e.source_ref = 'public.memory_events:' || m.id")" \
	"$N_MEM"

is "each migrated transaction's type names the one flow type of its legacy rows, or mixed" \
	"$(q "SELECT count(*) FILTER (WHERE t.foray_core ->> 'transaction_type' = 'loomworks_credit_' || l.ft) || '|' || count(*)
			|| '|' || count(*) FILTER (WHERE l.ft = 'mixed')
		FROM (SELECT transaction_id, CASE WHEN count(DISTINCT flow_type) = 1 THEN min(flow_type) ELSE 'mixed' END AS ft
			  FROM credit.foray_action_flows GROUP BY 1) l
		JOIN foray.foray_transactions t ON t.transaction_id = 'LW_CREDIT_' || l.transaction_id")" \
	"$(q "SELECT count(DISTINCT transaction_id) || '|' || count(DISTINCT transaction_id) || '|1' FROM credit.foray_action_flows")"

# consumption turn: 4 token accruals + 1 debit action referencing them
is "every 5-row turn is 4 accruals and 1 action referencing all 4" \
	"$(q "WITH t AS (SELECT transaction_id FROM credit.foray_action_flows WHERE flow_type = 'consumption' GROUP BY 1 HAVING count(*) = 5)
		SELECT count(*) FROM t WHERE
			(SELECT count(*) FROM foray.foray_components c WHERE c.transaction_id = 'LW_CREDIT_' || t.transaction_id AND c.component_type = 'ACC') = 4
		AND (SELECT count(*) FROM foray.foray_components c WHERE c.transaction_id = 'LW_CREDIT_' || t.transaction_id AND c.component_type = 'ACT'
				AND cardinality(c.accrual_refs) = 4) = 1")" \
	"$(q "SELECT count(*) FROM (SELECT 1 FROM credit.foray_action_flows WHERE flow_type = 'consumption' GROUP BY transaction_id HAVING count(*) = 5) s")"
is "accrual outputs add up to the legacy credit debit of each turn" \
	"$(q "SELECT count(*) FROM credit.foray_action_flows d
		WHERE d.flow_type = 'consumption' AND d.asset_id LIKE 'loomworks_credit_%'
		AND d.quantity <> (SELECT sum((c.foray_core ->> 'output')::numeric) FROM foray.foray_components c
						   WHERE c.transaction_id = 'LW_CREDIT_' || d.transaction_id AND c.component_type = 'ACC')")" 0

# foray_core of the flow-derived components: foray.loomworks_flow_core (C)
# against the SQL expressions it replaced (test/legacy/flow_core_reference.sql),
# over every migrated flow and over edge cases the fixture does not hold
foray_psql -d "$DB" -q -f test/legacy/flow_core_reference.sql >/dev/null
is "every flow-derived foray_core equals the SQL reference built from its legacy row" \
	"$(q "SELECT count(*) FILTER (WHERE c.foray_core = r.core AND c.foray_core::text = r.core::text) || '|' || count(*)
		FROM credit.foray_action_flows f
		JOIN foray.foray_components c ON c.source_ref = 'credit.foray_action_flows:' || f.id,
		LATERAL (SELECT flow_core_reference.core(c.component_type::text, f.flow_type, f.asset_id, f.quantity,
			f.from_party, loomworks_migration.party(f.from_party) ->> 'kind',
			f.to_party, loomworks_migration.party(f.to_party) ->> 'kind',
			loomworks_migration.iso(f.created_at), f.metadata,
			(SELECT array_agg('ACC_TOKENS_' || replace(a.id::text, '-', '') ORDER BY a.created_at, a.id)
			 FROM credit.foray_action_flows a WHERE a.transaction_id = f.transaction_id
			 AND a.flow_type = 'consumption' AND a.asset_id NOT LIKE 'loomworks\_%'),
			-- every token row of this fixture carries its rate as a JSON number;
			-- the currency is the asset of its turn's credit debit
			CASE WHEN c.component_type = 'ACC' THEN (f.metadata ->> 'rate_per_million')::numeric END,
			CASE WHEN c.component_type = 'ACC' THEN 'metadata' END,
			CASE WHEN c.component_type = 'ACC' THEN (SELECT d.asset_id FROM credit.foray_action_flows d
				WHERE d.transaction_id = f.transaction_id AND d.asset_id LIKE 'loomworks\_credit\_%') END) AS core) r")" \
	"$NF|$NF"
is "foray.loomworks_flow_core equals the SQL reference on edge cases (no metadata, JSON nulls at depth, odd types, account status, scales)" \
	"$(q "SELECT count(*) FILTER (WHERE foray.loomworks_flow_core(t, ft, a, qty, fp, fk, tp, tk, ts, m, r, rate, src, cur)::text
									  = flow_core_reference.core(t, ft, a, qty, fp, fk, tp, tk, ts, m, r, rate, src, cur)::text) || '|' || count(*)
		FROM (VALUES
			('ACC', 'consumption', 'anthropic_tokens', 1234.500000, '0bcdef01-2345-6789-abcd-ef0123456789', 'person', 'anthropic', 'institution',
			 '2026-01-02T03:04:05.000006Z', '{\"role\": \"classifier\", \"direction\": \"input\", \"model\": \"m\", \"rate_per_million\": 3.75, \"credit_asset\": \"loomworks_credit_x\"}'::jsonb, NULL::text[], 3.75::numeric, 'metadata', 'loomworks_credit_x'),
			('ACC', 'consumption', 'anthropic_tokens', 10, 'p', 'person', 'q', 'institution', 't', NULL, NULL, NULL::numeric, NULL::text, NULL::text),
			('ACC', 'consumption', 'anthropic_tokens', 10, 'p', 'person', 'q', 'institution', 't', '{}', NULL, 250, 'rate_table', 'loomworks_credit_y'),
			('ACC', 'consumption', 'anthropic_tokens', 10, 'p', 'person', 'q', 'institution', 't',
			 '{\"role\": null, \"direction\": null, \"model\": null, \"rate_per_million\": null, \"credit_asset\": null}', NULL, NULL, NULL, NULL),
			('ACC', 'consumption', 'anthropic_tokens', 10, 'p', 'person', 'q', 'institution', 't',
			 '{\"model\": {\"a\": null, \"b\": [null, {\"c\": null, \"d\": 1}]}, \"role\": \"\", \"direction\": 7, \"rate_per_million\": \"250\", \"credit_asset\": [null]}', NULL, 250, 'metadata', NULL),
			('ACC', 'consumption', 'anthropic_tokens', 10, 'p', 'person', 'q', 'institution', 't', '[1, 2]', NULL, NULL, NULL, 'c'),
			('ACC', 'consumption', 'anthropic_tokens', 0.000001, 'p', 'person', 'q', 'institution', 't', '{\"rate_per_million\": 0.000001}', NULL, 0.000001, 'metadata', 'c'),
			('ACC', 'consumption', 'anthropic_tokens', 3.000000, 'p', 'person', 'q', 'institution', 't', '{\"rate_per_million\": 1e3, \"role\": true, \"model\": 1.50}', NULL, 1000, 'metadata', 'c'),
			('ACC', 'consumption', 'anthropic_tokens', 7, 'p', 'person', 'q', 'institution', 't', '{\"rate_per_million\": true}', NULL, 80.000000, 'rate_table', 'c'),
			('ACT', 'consumption', 'loomworks_credit_x', 2.500000, 'p', 'person', 'dunin7', 'institution', 't', '{}', ARRAY['ACC_TOKENS_a', 'ACC_TOKENS_b'], NULL, NULL, NULL),
			('ACT', 'consumption', 'loomworks_credit_x', 2.500000, 'p', 'person', 'dunin7', 'institution', 't', '{}', NULL, 5, 'metadata', 'ignored'),
			('ACT', 'issuance', 'loomworks_credit_x', 100, 'dunin7', 'institution', 'p', 'person', 't', '{}', ARRAY['ACC_TOKENS_a'], NULL, NULL, NULL),
			('ACT', 'suspension', 'loomworks_account_status', 1, 'p', 'person', 'dunin7', 'institution', 't',
			 '{\"previous_status\": \"active\", \"new_status\": null}', NULL, NULL, NULL, NULL),
			('ACT', 'deletion', 'loomworks_account_status', 1, 'p', 'person', 'dunin7', 'institution', 't', NULL, NULL, NULL, NULL, NULL),
			('ACT', 'reactivation', 'loomworks_account_status', 1, 'dunin7', 'institution', 'p', 'person', 't',
			 '{\"previous_status\": {\"x\": null}, \"new_status\": \"active\"}', NULL, NULL, NULL, NULL),
			('ACT', 'balance_zeroing', 'loomworks_credit_x', 1000000.000000, 'p', 'person', 'dunin7', 'institution', 't', '{}', NULL, NULL, NULL, NULL),
			('ACT', 'correction', 'loomworks_credit_x', 99999999999999.999999, 'p', 'person', 'dunin7', 'institution', 't', '{}', NULL, NULL, NULL, NULL),
			('ACT', 'referral_credit', 'ä \"\\\\ credit', 0.100000, 'a \"b\"', 'institution', 'ü', 'institution', 't', '{}', NULL, NULL, NULL, NULL)
		) v(t, ft, a, qty, fp, fk, tp, tk, ts, m, r, rate, src, cur)")" "18|18"
err=$(q "SELECT foray.loomworks_flow_core('ARR', 'issuance', 'a', 1, 'p', 'person', 'q', 'person', 't', '{}', NULL, NULL, NULL, NULL)" 2>&1)
echo "$err" | grep -q 'component_type must be ACC or ACT, not "ARR"' && ok "loomworks_flow_core refuses a component type other than ACC/ACT" || nok "flow_core type" "$err"
err=$(foray_psql -d "$DB" -v VERBOSITY=verbose -Atc "SELECT foray.loomworks_flow_core('ACT', 'issuance', 'a', NULL, 'p', 'person', 'q', 'person', 't', '{}', NULL, NULL, NULL, NULL)" 2>&1)
echo "$err" | grep -q '22004.*quantity must not be null' && ok "loomworks_flow_core refuses a null quantity (22004)" || nok "flow_core null" "$err"

# sums and balances, against the legacy ledger and its own balance table
is "quantity sums per asset and party equal the legacy ledger's" \
	"$(q "WITH l AS (SELECT asset_id, to_party p, sum(quantity) s FROM credit.foray_action_flows GROUP BY 1, 2
				   UNION ALL SELECT asset_id, '-' || from_party, sum(quantity) FROM credit.foray_action_flows GROUP BY 1, 2),
			m AS (SELECT foray_core #>> '{flow,asset_id}', foray_core #>> '{flow,to_party,id}', sum((foray_core #>> '{flow,quantity}')::numeric)
				  FROM foray.foray_components WHERE source_ref LIKE 'credit.%' GROUP BY 1, 2
				  UNION ALL SELECT foray_core #>> '{flow,asset_id}', '-' || (foray_core #>> '{flow,from_party,id}'), sum((foray_core #>> '{flow,quantity}')::numeric)
				  FROM foray.foray_components WHERE source_ref LIKE 'credit.%' GROUP BY 1, 2)
		SELECT (SELECT count(*) FROM (TABLE l EXCEPT TABLE m) a) + (SELECT count(*) FROM (TABLE m EXCEPT TABLE l) b)")" 0
is "loomworks_migration.asset_balances reproduces credit.asset_balances row for row" \
	"$(q "SELECT (SELECT count(*) FROM (SELECT party, asset_id, balance FROM credit.asset_balances EXCEPT SELECT * FROM loomworks_migration.asset_balances) a)
		+ (SELECT count(*) FROM (SELECT * FROM loomworks_migration.asset_balances EXCEPT SELECT party, asset_id, balance FROM credit.asset_balances) b)
		|| '/' || (SELECT count(*) FROM loomworks_migration.asset_balances)")" \
	"0/$(q "SELECT count(*) FROM credit.asset_balances")"
is "loomworks_migration.party() types a person exactly when the id is a UUID (edge cases included)" \
	"$(q "SELECT count(*) FROM (SELECT from_party AS p FROM credit.foray_action_flows UNION ALL SELECT to_party FROM credit.foray_action_flows
			UNION ALL VALUES ('ABCDEF01-2345-6789-abcd-ef0123456789'), ('abcdef01-2345-6789-abcd-ef012345678'),
				('abcdef01x2345-6789-abcd-ef0123456789'), ('------------------------------------'), ('abcdef01-2345-6789-abcd-ef012345678g'),
				('abcdef0123456789abcdef0123456789abcd'), ('0bcdef01-2345-6789-abcd-ef0123456789x'), ('dunin7'), ('')) x
		WHERE (loomworks_migration.party(p) ->> 'kind' = 'person')
			IS DISTINCT FROM (p ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\$')")" 0
is "institutional parties are typed institution, persons person" \
	"$(q "SELECT string_agg(k, ',' ORDER BY k) FROM (SELECT DISTINCT (p ->> 'kind') || ':' || CASE WHEN p ->> 'kind' = 'person' AND p ->> 'id' ~ '^[0-9a-f-]{36}$' THEN 'uuid' ELSE p ->> 'id' END AS k
		FROM foray.foray_components, LATERAL (VALUES (foray_core #> '{flow,from_party}'), (foray_core #> '{flow,to_party}')) v(p) WHERE source_ref LIKE 'credit.%') s")" \
	"institution:anthropic,institution:dunin7,person:uuid"

# engine events: content minus removed fields, and order
is "engine events keep columns and payload minus _foray" \
	"$(q "SELECT count(*) FROM public.memory_events m JOIN foray.memory_events e ON e.source_ref = 'public.memory_events:' || m.id
		WHERE e.payload = m.payload - '_foray' AND NOT e.payload ? '_foray' AND e.event_kind = m.event_kind
		AND e.engagement_id = m.engagement_id AND e.engagement_version = m.engagement_version
		AND e.object_id = m.object_id AND e.object_version = m.object_version AND e.object_type = m.object_type
		AND e.actor_kind = m.actor_kind AND e.actor_id = m.actor_id::text AND e.occurred_at = m.timestamp")" "$N_MEM"
is "engine events keep the legacy order" \
	"$(q "SELECT count(*) FROM (SELECT m.id, row_number() OVER (ORDER BY e.event_id) r1, row_number() OVER (ORDER BY m.id) r2
		FROM public.memory_events m JOIN foray.memory_events e ON e.source_ref = 'public.memory_events:' || m.id) s WHERE r1 <> r2")" 0
is "no readiness-wiring field survives" \
	"$(q "SELECT count(*) FROM foray.memory_events WHERE payload ? '_foray' OR payload ? 'content_hash' OR payload ? 'foray_tx_ref'")" 0

# attestations
is "each WebAuthn-attested event is an approval attestation on its action" \
	"$(q "SELECT count(*) FROM public.memory_events m JOIN foray.foray_attestations a ON a.transaction_id = 'LW_EVENT_' || m.id
		JOIN foray.foray_components c ON c.transaction_id = a.transaction_id AND c.component_id = a.subject_refs[1]
		WHERE m.attestation IS NOT NULL AND a.attestation_type = 'approval' AND a.outcome = 'approved'
		AND a.audit_data -> 'webauthn_assertion' = m.attestation AND a.attestor = 'person:' || m.actor_id
		AND c.component_type = 'ACT' AND (c.foray_core ->> 'object_version')::int = m.object_version")" \
	"$(q "SELECT count(*) FROM public.memory_events WHERE attestation IS NOT NULL")"

# substrate rules hold on the migrated data
is "every migrated component is ready (refs resolved, readiness derived)" \
	"$(q "SELECT string_agg(DISTINCT status, ',') FROM foray.foray_components")" "ready"
is "every migrated transaction is ready_to_anchor" \
	"$(q "SELECT string_agg(DISTINCT lifecycle, ',') FROM foray.foray_transactions")" "ready_to_anchor"
is "the substrate logged COMPONENT_CREATED for every component" \
	"$(q "SELECT count(*) FROM foray.memory_events WHERE event_kind = 'COMPONENT_CREATED'")" \
	"$(q "SELECT count(*) FROM foray.foray_components")"

# hashes verify, documents validate, Merkle proofs hold
is "foray.verify() finds no stored hash out of step" "$(q "SELECT count(*) FROM foray.verify(NULL)")" 0
is "every component_hash is the canonical hash of its foray_core" \
	"$(q "SELECT count(*) FROM foray.foray_components WHERE component_hash IS DISTINCT FROM foray.foray_hash(foray_core)")" 0
is "every attestation_hash is the canonical hash of its foray_core" \
	"$(q "SELECT count(*) FROM foray.foray_attestations WHERE attestation_hash IS DISTINCT FROM foray.foray_hash(foray_core)")" 0
is "every migrated transaction exports as a v4.1 document with no validation finding" \
	"$(q "SELECT count(*) FROM foray.foray_transactions t, foray.validate_document(foray.export_document(t.transaction_id)) v")" 0
TX=$(q "SELECT transaction_id FROM foray.foray_transactions WHERE foray_core ->> 'transaction_type' = 'loomworks_credit_consumption' ORDER BY 1 LIMIT 1")
is "inclusion proofs of a migrated turn verify against its anchor envelope's merkle_root" \
	"$(q "SELECT count(*) FILTER (WHERE foray.verify_inclusion(p ->> 'leaf_hash', p, foray.anchor_envelope('$TX') ->> 'merkle_root')) || '/' || count(*)
		FROM (SELECT foray.inclusion_proof('$TX', component_id) p FROM foray.foray_components WHERE transaction_id = '$TX') s")" "5/5"

# legacy content_hash: mismatches are the rows CPython disagrees with
foray_psql -d "$DB" -Atc "COPY (SELECT id, content_hash, payload FROM public.memory_events ORDER BY id) TO STDOUT WITH (FORMAT csv)" > "$FORAY_TMP/legacy_events.csv"
py=$(python3 - "$FORAY_TMP/legacy_events.csv" <<'PY'
import csv, hashlib, json, sys
bad = []
for lid, stored, payload in csv.reader(open(sys.argv[1], encoding="utf-8")):
    d = json.loads(payload)
    d.pop("_foray", None)
    if hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest() != stored:
        bad.append(lid)
print(",".join(bad))
PY
)
is "content_hash findings 'wrong' are exactly the rows CPython finds wrong" \
	"$(q "SELECT string_agg(legacy_id::text, ',' ORDER BY legacy_id) FROM loomworks_migration.content_hash_findings WHERE finding = 'wrong'")" "$py"
[ -n "$py" ] && ok "the fixture holds deliberate mismatches ($py)" || nok "fixture mismatches"
foray_psql -d "$DB" -Atc "COPY (SELECT payload, foray.loomworks_json_dumps(payload) FROM public.memory_events) TO STDOUT WITH (FORMAT csv)" > "$FORAY_TMP/legacy_dumps.csv"
diffs=$(python3 - "$FORAY_TMP/legacy_dumps.csv" <<'PY'
import csv, json, sys
print(sum(1 for p, d in csv.reader(open(sys.argv[1], encoding="utf-8")) if json.dumps(json.loads(p), sort_keys=True) != d))
PY
)
is "foray.loomworks_json_dumps equals CPython json.dumps on every legacy payload" "$diffs" 0

# ----------------------------------------------------------- idempotent
before_sub=$(checksum $SUBSTRATE $REPORTS)
q "ALTER TABLE foray.foray_components SET (fillfactor = 70)" >/dev/null
out=$(migrate 2>&1); rc=$?
is "second run exits 0" "$rc" 0
is "a fillfactor set by the operator is restored as it was" \
	"$(q "SELECT reloptions FROM pg_class WHERE oid = 'foray.foray_components'::regclass")" "{fillfactor=70}"
q "ALTER TABLE foray.foray_components SET (fillfactor = 50)" >/dev/null
echo "$out" | grep -q "nothing new to migrate" && ok "second run has nothing new to migrate" || nok "second run notice" "$out"
is "second run changes nothing" "$(checksum $SUBSTRATE $REPORTS)" "$before_sub"

# ------------------ a source_ref that spells its legacy id another way
# (upper-case uuid): it names no legacy row, and its legacy row has no
# destination -- both are reported, nothing is written
q "UPDATE foray.foray_components SET source_ref = 'credit.foray_action_flows:' || upper(substr(source_ref, 27))
   WHERE component_id = (SELECT component_id FROM foray.foray_components
						 WHERE source_ref LIKE 'credit.foray\\_action\\_flows:%' ORDER BY component_id LIMIT 1)" >/dev/null
before_tamper=$(checksum $SUBSTRATE $REPORTS)
out=$(migrate 2>&1); rc=$?
[ "$rc" -ne 0 ] && echo "$out" | grep -qE 'foray_components .*\| FAIL .*missing 1, without legacy row 1, duplicated 0' \
	&& ok "a source_ref spelling its legacy id differently counts as missing and as without legacy row" \
	|| nok "non-canonical source_ref" "$(echo "$out" | grep -E 'FAIL|ERROR')"
is "that failed run changes nothing" "$(checksum $SUBSTRATE $REPORTS)" "$before_tamper"
q "UPDATE foray.foray_components SET source_ref = lower(source_ref) WHERE source_ref <> lower(source_ref)" >/dev/null
before_sub=$(checksum $SUBSTRATE $REPORTS)	# updated_at moved

# ------------------------------------ reconciliation failure (23R40), rerun
q "DELETE FROM credit.foray_action_flows WHERE id = (SELECT id FROM credit.foray_action_flows WHERE flow_type = 'issuance' ORDER BY id LIMIT 1)" >/dev/null
out=$(migrate 2>&1); rc=$?
[ "$rc" -ne 0 ] && echo "$out" | grep -q "23R40" && ok "a legacy row gone since the migration fails reconciliation with 23R40" || nok "23R40 on orphan" "$out"
echo "$out" | grep -qE 'foray_components .*\| FAIL .*without legacy row 1' && ok "report names the orphaned component" || nok "orphan report" "$(echo "$out" | grep FAIL)"
is "failed rerun changes nothing" "$(checksum $SUBSTRATE $REPORTS)" "$before_sub"

# ------------------- engine events: accounting, content and order at once
# A legacy event gone since the migration (its engine event names no legacy
# row), and an engine event appended later under an earlier event's
# source_ref (that legacy row now has two destinations, the copy differs in
# its versions and comes after events of later legacy rows).
q "DELETE FROM public.memory_events WHERE id = (SELECT max(id) FROM public.memory_events WHERE attestation IS NULL)" >/dev/null
q "INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, engagement_id, object_id, object_type,
		object_version, engagement_version, actor_kind, actor_id, payload, occurred_at, source_ref)
   SELECT event_kind, subject_kind, subject_id, engagement_id, object_id, object_type,
		object_version + 1000000, engagement_version + 1000000, actor_kind, actor_id, payload, occurred_at, source_ref
   FROM foray.memory_events WHERE source_ref = 'public.memory_events:' || (SELECT min(id) FROM public.memory_events)" >/dev/null
before_sub=$(checksum $SUBSTRATE $REPORTS)
out=$(migrate 2>&1); rc=$?
[ "$rc" -ne 0 ] && echo "$out" | grep -qE "public.memory_events -> memory_events *\| *$((N_MEM - 1)) *\| *$((N_MEM + 1)) *\| *2 *\| FAIL .*missing 0, without legacy row 1, duplicated 1" \
	&& ok "engine events: a vanished legacy row and a second destination are both counted" \
	|| nok "engine-event accounting" "$(echo "$out" | grep -E 'memory_events ->|ERROR')"
echo "$out" | grep -qE 'engine events: content carried over *\| *'"$((N_MEM - 1))"' *\| *\| *1 *\| FAIL' \
	&& ok "engine events: the copy with other versions differs in content" || nok "engine-event content" "$(echo "$out" | grep 'engine events')"
echo "$out" | grep -qE "engine events: legacy order kept within each run's batch *\| *\| *2 *\| *1 *\| FAIL" \
	&& ok "engine events: the late copy is out of legacy order" || nok "engine-event order" "$(echo "$out" | grep 'engine events')"
is "that failed run changes nothing" "$(checksum $SUBSTRATE $REPORTS)" "$before_sub"

# ------------------------------------------- nothing lost (issue 18, 4)
# Before a first run: a foray_tx_ref value, a content_hash from before the
# column existed, a _foray.content_hash that disagrees with its column, an
# assertion without verified_at, a token row without a rate in its
# metadata (the rate table has it) and one with its rate as a JSON string.
legacy_db foray_mig18
TXREF=$(q "SELECT min(id) FROM public.memory_events WHERE attestation IS NULL AND NOT payload ? '_foray'")
q "UPDATE public.memory_events SET foray_tx_ref = 'FORAY_TX_42' WHERE id = $TXREF" >/dev/null
MISS=$(q "SELECT min(id) FROM public.memory_events WHERE attestation IS NULL AND payload ? '_foray' AND id > $TXREF")
q "UPDATE public.memory_events SET content_hash = NULL, payload = payload #- '{_foray,content_hash}' WHERE id = $MISS" >/dev/null
FBLK=$(q "SELECT max(id) FROM public.memory_events WHERE attestation IS NULL AND payload ? '_foray'")
q "UPDATE public.memory_events SET payload = jsonb_set(payload, '{_foray,content_hash}', '\"0000\"') WHERE id = $FBLK" >/dev/null
NOVER=$(q "SELECT min(id) FROM public.memory_events WHERE attestation IS NOT NULL")
q "UPDATE public.memory_events SET attestation = attestation - 'verified_at' WHERE id = $NOVER" >/dev/null
NORATE=$(q "SELECT min(id::text) FROM credit.foray_action_flows WHERE flow_type = 'consumption' AND asset_id = 'anthropic_haiku_4_output'")
q "UPDATE credit.foray_action_flows SET metadata = metadata - 'rate_per_million' WHERE id = '$NORATE'" >/dev/null
STRRATE=$(q "SELECT max(id::text) FROM credit.foray_action_flows WHERE flow_type = 'consumption' AND asset_id = 'anthropic_haiku_4_output'")
q "UPDATE credit.foray_action_flows SET metadata = jsonb_set(metadata, '{rate_per_million}', '\"1250.000000\"') WHERE id = '$STRRATE'" >/dev/null
# a gap in the legacy ids, for a late event to fill
GAP=$(q "SELECT max(id) + 5 FROM public.memory_events")
legacy_engine_event() {	# id (or DEFAULT), engagement_version
	q "INSERT INTO public.memory_events (id, engagement_id, engagement_version, object_id, object_type, object_version, event_kind, actor_kind, actor_id, payload, content_hash)
	   VALUES ($1, '00000000-0000-0000-0000-000000000001', $2, md5('late:' || $2)::uuid, 'Assertion', 1, 'assertion_proposed', 'person',
			md5('person:1')::uuid, '{\"body\": \"late\"}', foray.loomworks_content_hash('{\"body\": \"late\"}'))" >/dev/null
}
legacy_engine_event "$((GAP + 5))" 900001
# what the 0.4.0 script left behind, which 0.5.0 leaves as it was
q "CREATE SCHEMA loomworks_migration;
   CREATE TABLE loomworks_migration.content_hash_mismatches (legacy_id bigint PRIMARY KEY, stored_hash text, recomputed_hash text NOT NULL, found_at timestamptz NOT NULL DEFAULT now());
   INSERT INTO loomworks_migration.content_hash_mismatches VALUES (7, 'a', 'b', '2026-05-01')" >/dev/null
out=$(migrate 2>&1); rc=$?
is "a run over the edited fixture exits 0" "$rc" 0
is "the 0.4.0 content_hash_mismatches table is left as it was" \
	"$(q "SELECT string_agg(legacy_id || stored_hash || recomputed_hash || found_at::date, ',') FROM loomworks_migration.content_hash_mismatches")" "7ab2026-05-01"
is "foray_tx_ref values are kept, queryable by legacy id and by the migrated event's source_ref" \
	"$(q "SELECT r.foray_tx_ref || '|' || (e.source_ref = r.source_ref) FROM loomworks_migration.foray_tx_refs r JOIN foray.memory_events e ON e.source_ref = r.source_ref WHERE r.legacy_id = $TXREF")" "FORAY_TX_42|true"
echo "$out" | grep -qE 'public.memory_events.foray_tx_ref -> loomworks_migration.foray_tx_refs *\| *1 *\| *1 *\| *0 *\| ok' \
	&& ok "the report accounts for every foray_tx_ref value" || nok "foray_tx_ref report" "$(echo "$out" | grep foray_tx_ref)"
is "a NULL content_hash is reported as missing, not as wrong" \
	"$(q "SELECT string_agg(finding, ',' ORDER BY finding) FROM loomworks_migration.content_hash_findings WHERE legacy_id = $MISS")" "missing"
is "a _foray.content_hash that disagrees with its column is reported" \
	"$(q "SELECT finding || '|' || foray_block_hash || '|' || (stored_hash = recomputed_hash) FROM loomworks_migration.content_hash_findings WHERE legacy_id = $FBLK")" "foray_block_differs|0000|true"
echo "$out" | grep -qE 'legacy content_hash missing *\| *[0-9]+ *\| *\| *1 *\| reported' \
	&& echo "$out" | grep -qE 'legacy content_hash wrong *\| *[0-9]+ *\| *\| *3 *\| reported' \
	&& echo "$out" | grep -qE 'legacy content_hash foray_block_differs *\| *[0-9]+ *\| *\| *1 *\| reported' \
	&& ok "the report separates missing, wrong and _foray-block content hashes" || nok "content_hash report" "$(echo "$out" | grep content_hash)"
is "an assertion without verified_at is dated by its event's timestamp, and says so" \
	"$(q "SELECT ((a.foray_core ->> 'attestation_date') = to_char(m.timestamp AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')) || '|' || (a.audit_data ->> 'attestation_date_source')
		FROM foray.foray_attestations a JOIN public.memory_events m ON a.transaction_id = 'LW_EVENT_' || m.id WHERE m.id = $NOVER")" "true|event_timestamp"
is "assertions with verified_at are dated by it" \
	"$(q "SELECT count(*) FILTER (WHERE a.foray_core ->> 'attestation_date' = m.attestation ->> 'verified_at' AND a.audit_data ->> 'attestation_date_source' = 'verified_at') || '/' || count(*)
		FROM foray.foray_attestations a JOIN public.memory_events m ON a.transaction_id = 'LW_EVENT_' || m.id WHERE m.id <> $NOVER")" \
	"$(q "SELECT count(*) || '/' || count(*) FROM public.memory_events WHERE attestation IS NOT NULL AND id <> $NOVER")"
echo "$out" | grep -qE "attestations dated by their event's timestamp \(no verified_at\) *\| *[0-9]+ *\| *\| *1 *\| reported" \
	&& ok "the report counts the attestations dated by the event's timestamp" || nok "verified_at report" "$(echo "$out" | grep verified_at)"
# the rate table's rate for (the turn's credit asset, the token asset), and the string's number
is "a token row without a rate in its metadata is priced from the rate table" \
	"$(q "SELECT (c.foray_core -> 'inputs' ->> 'rate_source') || '|' || ((c.foray_core ->> 'output')::numeric = f.quantity * r.rate_per_million / 1000000)
		|| '|' || (c.foray_core -> 'inputs' -> 'rate_per_million' = to_jsonb(trim_scale(r.rate_per_million)))
		FROM credit.foray_action_flows f
		JOIN credit.foray_action_flows d ON d.transaction_id = f.transaction_id AND d.asset_id LIKE 'loomworks_credit_%'
		JOIN credit.conversion_rates r ON r.credit_asset = d.asset_id AND r.provider_token_asset = f.asset_id
		JOIN foray.foray_components c ON c.source_ref = 'credit.foray_action_flows:' || f.id
		WHERE f.id = '$NORATE'")" "rate_table|true|true"
is "a rate stored as a JSON string is read as the number it spells" \
	"$(q "SELECT (c.foray_core -> 'inputs' ->> 'rate_source') || '|' || (c.foray_core -> 'inputs' ->> 'rate_per_million') || '|' || jsonb_typeof(c.foray_core -> 'inputs' -> 'rate_per_million')
		|| '|' || ((c.foray_core ->> 'output')::numeric = f.quantity * 1250 / 1000000)
		FROM credit.foray_action_flows f JOIN foray.foray_components c ON c.source_ref = 'credit.foray_action_flows:' || f.id WHERE f.id = '$STRRATE'")" "metadata|1250|number|true"
echo "$out" | grep -qE 'token accruals priced from the rate table *\| *\| *1 *\| *0 *\| ok' \
	&& ok "the report counts the accruals priced from the rate table" || nok "rate table report" "$(echo "$out" | grep 'rate table')"
echo "$out" | grep -qE 'migrated transactions validate: structural rules *\| *([0-9]+) *\| *\1 *\| *0 *\| ok' \
	&& echo "$out" | grep -qE 'migrated transactions validate: content rules *\| *([0-9]+) *\| *\1 *\| *0 *\| ok' \
	&& ok "the reconciliation validates every migrated transaction" || nok "validation report" "$(echo "$out" | grep validate)"
is "every migrated transaction validates (validate_document over export_document)" \
	"$(q "SELECT count(*) FROM foray.foray_transactions t, foray.validate_document(foray.export_document(t.transaction_id)) v")" 0

# ------------------------------------------------ late rows (issue 18, 3)
# after the first run, rows that sort before migrated ones: a setting
# change between two migrated changes of the same setting, an engine event
# filling a gap below migrated ids, a consumption turn older than every
# migrated one, a second row of a migrated correction
# (the first setting with two changes; the late one half-way between them)
LSEL="SELECT actor_person_id, payload ->> 'setting_key' AS k, created_at, lead(created_at) OVER w AS lead
	FROM audit.foray_events WINDOW w AS (PARTITION BY actor_person_id, payload ->> 'setting_key' ORDER BY created_at, id)"
LPERSON=$(q "SELECT actor_person_id FROM ($LSEL) s WHERE lead IS NOT NULL ORDER BY created_at LIMIT 1")
LKEY=$(q "SELECT k FROM ($LSEL) s WHERE lead IS NOT NULL ORDER BY created_at LIMIT 1")
LOBJ=$(q "SELECT md5('loomworks:person_setting:$LPERSON:$LKEY')::uuid")
LMAX=$(q "SELECT max(object_version) FROM foray.memory_events WHERE object_id = '$LOBJ'")
LAUDIT=$(q "INSERT INTO audit.foray_events (tx_id, event_type, actor_person_id, payload, created_at)
	SELECT gen_random_uuid(), 'setting_change', '$LPERSON', '{\"setting_key\": \"$LKEY\", \"new_value\": \"late\"}',
		created_at + (lead - created_at) / 2
	FROM ($LSEL) s WHERE lead IS NOT NULL ORDER BY created_at LIMIT 1 RETURNING id")
legacy_engine_event "$GAP" 900002
LATE_TX=11111111-2222-4333-8444-000000000001
PERSON1=$(q "SELECT md5('person:1')::uuid")
q "INSERT INTO credit.foray_action_flows (id, transaction_id, flow_type, asset_id, from_party, to_party, quantity, metadata, created_at)
   VALUES ('21111111-2222-4333-8444-000000000001', '$LATE_TX', 'consumption', 'anthropic_haiku_4_input', 'anthropic', '$PERSON1', 1000, '{\"rate_per_million\": 250}', '2025-12-01'),
		  ('21111111-2222-4333-8444-000000000002', '$LATE_TX', 'consumption', 'loomworks_credit_haiku', '$PERSON1', 'dunin7', 0.25, '{}', '2025-12-01')" >/dev/null
CORR_TX=$(q "SELECT min(transaction_id::text) FROM credit.foray_action_flows WHERE flow_type = 'correction'")
q "INSERT INTO credit.foray_action_flows (transaction_id, flow_type, asset_id, from_party, to_party, quantity, metadata, created_at)
   VALUES ('$CORR_TX', 'correction', 'loomworks_credit_haiku', 'dunin7', '$PERSON1', 0.75, '{}', '2026-03-01')" >/dev/null
max_before=$(q "SELECT max(event_id) FROM foray.memory_events WHERE source_ref LIKE 'public.memory%'")
CORR_TS=$(q "SELECT document_timestamp FROM foray.foray_transactions WHERE transaction_id = 'LW_CREDIT_$CORR_TX'")
# as a database migrated by the 0.4.0 script: no batch recorded for the
# events migrated so far (they form one batch)
q "DELETE FROM loomworks_migration.event_batches" >/dev/null
out=$(migrate 2>&1); rc=$?
is "a later run takes the late rows and reconciles" "$rc" 0
is "the late setting change continues its setting's version chain; occurred_at keeps its time" \
	"$(q "SELECT object_version || '|' || (occurred_at = (SELECT created_at FROM audit.foray_events WHERE id = '$LAUDIT')) FROM foray.memory_events WHERE source_ref = 'audit.foray_events:$LAUDIT'")" \
	"$((LMAX + 1))|true"
is "the late engine event comes after every event migrated before it, in a batch of its own" \
	"$(q "SELECT (event_id > $max_before) || '|' || (SELECT string_agg(legacy_rows::text, ',') FROM loomworks_migration.event_batches) FROM foray.memory_events WHERE source_ref = 'public.memory_events:$GAP'")" "true|1"
echo "$out" | grep -qE "engine events: legacy order kept within each run's batch *\| *\| *2 *\| *0 *\| ok" \
	&& ok "the order check holds with the late event" || nok "late event order" "$(echo "$out" | grep 'order kept')"
is "the late turn is migrated as its own transaction, and validates" \
	"$(q "SELECT count(*) || '|' || (SELECT count(*) FROM foray.validate_document(foray.export_document('LW_CREDIT_$LATE_TX'))) FROM foray.foray_components WHERE transaction_id = 'LW_CREDIT_$LATE_TX'")" "2|0"
is "a late row of a migrated correction joins its transaction, whose document timestamp stays" \
	"$(q "SELECT count(*) || '|' || min(t.foray_core ->> 'transaction_type') || '|' || (min(t.document_timestamp) = '$CORR_TS') FROM foray.foray_components c JOIN foray.foray_transactions t USING (transaction_id) WHERE transaction_id = 'LW_CREDIT_$CORR_TX'")" "2|loomworks_credit_correction|true"
out=$(migrate 2>&1); rc=$?
is "the run after that has nothing new to migrate" "$rc|$(echo "$out" | grep -c 'nothing new to migrate')" "0|1"

# what cannot join a migrated transaction is refused, saying what to do
TURN=$(q "SELECT min(transaction_id::text) FROM credit.foray_action_flows WHERE flow_type = 'consumption' AND transaction_id <> '$LATE_TX'")
LTOK=$(q "INSERT INTO credit.foray_action_flows (transaction_id, flow_type, asset_id, from_party, to_party, quantity, metadata)
	VALUES ('$TURN', 'consumption', 'anthropic_haiku_4_input', 'anthropic', (SELECT from_party FROM credit.foray_action_flows
		WHERE transaction_id = '$TURN' AND asset_id LIKE 'loomworks%'), 10, '{\"rate_per_million\": 250}') RETURNING id")
before_sub=$(checksum $SUBSTRATE $REPORTS)
out=$(migrate 2>&1); rc=$?
[ "$rc" -ne 0 ] && echo "$out" | grep -q "22R43" \
	&& echo "$out" | grep -q "LW_CREDIT_$TURN (legacy rows $LTOK): its migrated credit debit would not reference the new accrual" \
	&& echo "$out" | grep -q "DELETE FROM foray.foray_transactions WHERE transaction_id IN ('LW_CREDIT_$TURN')" \
	&& ok "a late token row of a migrated turn is refused with 22R43, naming the row and saying what to do" || nok "22R43 late accrual" "$out"
is "nothing written after that refusal" "$(checksum $SUBSTRATE $REPORTS)" "$before_sub"
q "DELETE FROM foray.foray_transactions WHERE transaction_id IN ('LW_CREDIT_$TURN')" >/dev/null
out=$(migrate 2>&1); rc=$?
is "doing what the message says migrates the turn whole" \
	"$rc|$(q "SELECT cardinality(accrual_refs) FROM foray.foray_components WHERE transaction_id = 'LW_CREDIT_$TURN' AND component_type = 'ACT'")" "0|5"
# a late row of another flow type would make a migrated transaction "mixed"
MTX=$(q "SELECT min(transaction_id::text) FROM credit.foray_action_flows WHERE flow_type = 'referral_credit'")
MROW=$(q "INSERT INTO credit.foray_action_flows (transaction_id, flow_type, asset_id, from_party, to_party, quantity, metadata)
	SELECT transaction_id, 'correction', asset_id, from_party, to_party, 1, '{}' FROM credit.foray_action_flows WHERE transaction_id = '$MTX' RETURNING id")
out=$(migrate 2>&1); rc=$?
[ "$rc" -ne 0 ] && echo "$out" | grep -q "22R43" \
	&& echo "$out" | grep -q "LW_CREDIT_$MTX (legacy rows $MROW): its type would become loomworks_credit_mixed" \
	&& ok "a late row that would change a migrated transaction's type is refused with 22R43" || nok "22R43 mixed" "$out"
q "DELETE FROM foray.foray_transactions WHERE transaction_id = 'LW_CREDIT_$MTX'" >/dev/null
out=$(migrate 2>&1); rc=$?
is "... and, deleted as the HINT says, migrated again whole as mixed" \
	"$rc|$(q "SELECT foray_core ->> 'transaction_type' FROM foray.foray_transactions WHERE transaction_id = 'LW_CREDIT_$MTX'")" "0|loomworks_credit_mixed"
ATX=$(q "SELECT transaction_id FROM foray.foray_transactions WHERE foray_core ->> 'transaction_type' = 'loomworks_credit_issuance' ORDER BY 1 LIMIT 1")
q "SELECT foray.record_anchor('$ATX', foray.anchor_envelope('$ATX') ->> 'merkle_root', 'kaspa:qtest', 1, 1, now())" >/dev/null
q "INSERT INTO credit.foray_action_flows (transaction_id, flow_type, asset_id, from_party, to_party, quantity, metadata)
   SELECT transaction_id, 'issuance', asset_id, from_party, to_party, 1, '{}' FROM credit.foray_action_flows WHERE 'LW_CREDIT_' || transaction_id = '$ATX'" >/dev/null
out=$(migrate 2>&1); rc=$?
[ "$rc" -ne 0 ] && echo "$out" | grep -q "22R43" && echo "$out" | grep -q "$ATX (legacy rows .*): it is anchored and cannot change" \
	&& ok "a late row of an anchored transaction is refused with 22R43" || nok "22R43 anchored" "$out"

# ----------------------------- every migrated transaction validates (18, 2)
legacy_db foray_mig_val
# a turn whose token asset has no rate anywhere: its accrual has no output
VTX=11111111-2222-4333-8444-000000000002
q "INSERT INTO credit.foray_action_flows (id, transaction_id, flow_type, asset_id, from_party, to_party, quantity, metadata)
   VALUES ('31111111-2222-4333-8444-000000000001', '$VTX', 'consumption', 'anthropic_mystery_4_input', 'anthropic', '$(q "SELECT md5('person:1')::uuid")', 100, '{}'),
		  ('31111111-2222-4333-8444-000000000002', '$VTX', 'consumption', 'loomworks_credit_haiku', '$(q "SELECT md5('person:1')::uuid")', 'dunin7', 0.1, '{}')" >/dev/null
before_sub=$(checksum $SUBSTRATE)
out=$(migrate 2>&1); rc=$?
[ "$rc" -ne 0 ] && echo "$out" | grep -q "23R40" && echo "$out" | grep -qE 'migrated transactions validate: structural rules .*\| *1 *\| FAIL' \
	&& echo "$out" | grep -q "LW_CREDIT_$VTX ACC-001 ACC_TOKENS_31111111222243338444000000000001 \$.accruals\[0\].foray_core: accrual has no output" \
	&& ok "an accrual without a rate fails the reconciliation (23R40), naming the transaction and the rule" || nok "ACC-001" "$out"
is "nothing written" "$(checksum $SUBSTRATE)" "$before_sub"
out=$(migrate -v admit_content_violations=1 2>&1); rc=$?
[ "$rc" -ne 0 ] && echo "$out" | grep -q "23R40" && ok "a structural violation is never admitted" || nok "structural admitted" "$out"
q "INSERT INTO credit.conversion_rates (credit_asset, provider_token_asset, rate_per_million, effective_at) VALUES ('loomworks_credit_haiku', 'anthropic_mystery_4_input', 40, '2026-01-01')" >/dev/null
# an assertion dated in the future: ATT-003, a content rule
FUT=$(q "SELECT max(id) FROM public.memory_events WHERE attestation IS NOT NULL")
q "UPDATE public.memory_events SET attestation = attestation || '{\"verified_at\": \"2099-01-01T00:00:00Z\"}' WHERE id = $FUT" >/dev/null
out=$(migrate 2>&1); rc=$?
[ "$rc" -ne 0 ] && echo "$out" | grep -qE 'migrated transactions validate: content rules .*\| *1 *\| FAIL' \
	&& echo "$out" | grep -q "LW_EVENT_$FUT ATT-003 ATT_WEBAUTHN_APPROVAL" \
	&& ok "a content-rule violation fails the reconciliation unless admitted, naming the transaction and the rule" || nok "ATT-003" "$out"
out=$(migrate -v admit_content_violations=1 2>&1); rc=$?
is "with -v admit_content_violations=1 the run commits and records the violation as the importer does" \
	"$rc|$(q "SELECT string_agg(subject_kind || ' ' || subject_id || ' ' || (payload ->> 'rule_id') || ' ' || (payload ->> 'severity'), ',') FROM foray.memory_events WHERE event_kind = 'CONTENT_RULE_VIOLATION' AND transaction_id = 'LW_EVENT_$FUT'")" \
	"0|ATTESTATION ATT_WEBAUTHN_APPROVAL ATT-003 error"
echo "$out" | grep -qE 'content-rule violations admitted by this run *\| *[0-9]+ *\| *\| *1 *\| reported' && ok "the report counts what this run admitted" || nok "admitted report" "$(echo "$out" | grep admitted)"
is "the accrual priced from the rate row added since validates" \
	"$(q "SELECT foray_core ->> 'output' FROM foray.foray_components WHERE source_ref = 'credit.foray_action_flows:31111111-2222-4333-8444-000000000001'")" "0.004"
out=$(migrate 2>&1); rc=$?
is "a later run (without admit) accepts what was admitted and records nothing twice" \
	"$rc|$(q "SELECT count(*) FROM foray.memory_events WHERE event_kind = 'CONTENT_RULE_VIOLATION'")|$(echo "$out" | grep -cE 'content-rule violations admitted \(CONTENT_RULE_VIOLATION events\) *\| *[0-9]+ *\| *\| *1 *\| reported')" "0|1|1"

# ------------------------------- preconditions on columns (issue 18, 1)
legacy_db foray_mig_cols
q "ALTER TABLE credit.asset_balances RENAME COLUMN party TO party_id" >/dev/null
q "ALTER TABLE credit.foray_action_flows RENAME COLUMN metadata TO flow_metadata" >/dev/null
q "ALTER TABLE public.memory_events ALTER COLUMN id TYPE text" >/dev/null
q "ALTER TABLE credit.conversion_rates DROP COLUMN superseded_at" >/dev/null
out=$(migrate 2>&1); rc=$?
[ "$rc" -ne 0 ] && contains_all "$out" "22R40" \
		"column credit.asset_balances.party not found (expected character varying or text)" \
		"column credit.foray_action_flows.metadata not found (expected jsonb)" \
		"column public.memory_events.id is text (expected bigint or integer)" \
		"column credit.conversion_rates.superseded_at not found (expected timestamp with time zone)" \
	&& [ "$(echo "$out" | grep -c ERROR)" = 1 ] \
	&& ok "one 22R40 error lists every missing or mistyped column with what was expected" || nok "column preconditions" "$out"
is "nothing written, not even the migration's schema" "$(substrate_rows)" 0
q "ALTER TABLE public.memory_events ALTER COLUMN id TYPE bigint USING id::bigint" >/dev/null
q "ALTER TABLE credit.conversion_rates ADD COLUMN superseded_at timestamptz" >/dev/null
out=$(migrate -v balances_party_column=party_id -v flows_metadata_column=flow_metadata 2>&1); rc=$?
is "with -v balances_party_column=party_id -v flows_metadata_column=flow_metadata the run migrates and reconciles" \
	"$rc|$(echo "$out" | grep -c FAIL)|$(q "SELECT count(*) FROM foray.foray_components WHERE source_ref LIKE 'credit.%'")" "0|0|$NF"

# ------------------------------------------------ all or nothing (mid-run)
# The application already writes its engine events into the substrate, and
# one of them holds the object version of a legacy event: the substrate
# refuses the migrated copy (23505) in step 3, after steps 1-2 wrote.
legacy_db foray_mig_fail
q "SELECT foray.register_event_kind('assertion_proposed', 'written by the application')" >/dev/null
q "INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, engagement_id, object_id, object_type,
		object_version, actor_kind, actor_id, payload)
   SELECT 'assertion_proposed', 'MEMORY_OBJECT', object_id::text, engagement_id, object_id, object_type, object_version,
		'agent', gen_random_uuid()::text, '{}'
   FROM public.memory_events ORDER BY id DESC LIMIT 1" >/dev/null
before=$(checksum $LEGACY)
before_sub=$(checksum $SUBSTRATE)
out=$(migrate 2>&1); rc=$?
[ "$rc" -ne 0 ] && echo "$out" | grep -q "credit.foray_action_flows: $NF components created" && echo "$out" | grep -q "23505" \
	&& ok "a failure in step 3 stops the run after steps 1-2 wrote" || nok "mid-run failure" "$out"
is "the failed run left the substrate exactly as it was" "$(checksum $SUBSTRATE)" "$before_sub"
is "the failed run created no migration schema" "$(q "SELECT count(*) FROM pg_namespace WHERE nspname = 'loomworks_migration'")" 0
is "the failed run left the legacy tables as they were" "$(checksum $LEGACY)" "$before"

# ------------------------------------------------------ refusing cases
legacy_db foray_mig_refuse
q "UPDATE credit.asset_balances SET balance = balance + 1 WHERE (party, asset_id) = (SELECT party, asset_id FROM credit.asset_balances ORDER BY 1, 2 LIMIT 1)" >/dev/null
out=$(migrate 2>&1); rc=$?
[ "$rc" -ne 0 ] && echo "$out" | grep -q "23R40" && echo "$out" | grep -qE 'legacy credit.asset_balances vs legacy ledger .*\| *1 \| FAIL' \
	&& ok "a drifted legacy balance fails with 23R40 and is named" || nok "balance drift" "$out"
is "nothing written after a reconciliation failure" "$(substrate_rows)" 0
q "UPDATE credit.asset_balances SET balance = balance - 1 WHERE (party, asset_id) = (SELECT party, asset_id FROM credit.asset_balances ORDER BY 1, 2 LIMIT 1)" >/dev/null

q "UPDATE audit.foray_events SET signature = '\\x01' WHERE id = (SELECT id FROM audit.foray_events ORDER BY id LIMIT 1)" >/dev/null
out=$(migrate 2>&1); rc=$?
[ "$rc" -ne 0 ] && echo "$out" | grep -q "22R41" && ok "a legacy signature stops the migration with 22R41" || nok "22R41" "$out"
q "UPDATE audit.foray_events SET signature = NULL" >/dev/null

# A legacy engine event of the given engagement version, kind and actor kind.
legacy_event() {
	q "INSERT INTO public.memory_events (engagement_id, engagement_version, object_id, object_type, object_version, event_kind, actor_kind, actor_id, payload)
	   VALUES ('00000000-0000-0000-0000-000000000001', $1, gen_random_uuid(), 'Assertion', 1, '$2', '$3', gen_random_uuid(), '{}')" >/dev/null
}
# The run stops with SQLSTATE $1, its message matching $2, and writes nothing.
refused() {
	out=$(migrate 2>&1); rc=$?
	[ "$rc" -ne 0 ] && echo "$out" | grep -q "$1" && echo "$out" | grep -q "$2" && ok "$3" || nok "$3" "$out"
	is "nothing written after that refusal" "$(substrate_rows)" 0
}
legacy_event 100000 AssertionProposed person
refused 22R42 "AssertionProposed" "an event kind the registry cannot hold stops the migration with 22R42"
# an actor kind outside the legacy CHECK (a drifted database): refused too
q "DELETE FROM public.memory_events WHERE event_kind = 'AssertionProposed'" >/dev/null
q "ALTER TABLE public.memory_events DROP CONSTRAINT ck_memory_events_actor_kind" >/dev/null
legacy_event 100001 assertion_proposed robot
refused 22R42 "actor_kind value(s) with no substrate actor kind.*robot (row " "an actor kind the substrate has no name for stops the migration with 22R42, naming the value and row"

# unusable values, each named with its legacy row, all in one error
q "DELETE FROM public.memory_events WHERE actor_kind = 'robot'" >/dev/null
q "UPDATE public.memory_events SET payload = '[\"not an object\"]' WHERE id = (SELECT min(id) FROM public.memory_events WHERE attestation IS NULL)" >/dev/null
BADP=$(q "SELECT min(id) FROM public.memory_events WHERE jsonb_typeof(payload) = 'array'")
CRED=$(q "SELECT min(id) FROM public.memory_events WHERE attestation IS NOT NULL")
VER=$(q "SELECT max(id) FROM public.memory_events WHERE attestation IS NOT NULL")
q "UPDATE public.memory_events SET attestation = attestation || '{\"credential_id\": \"cred:1\"}' WHERE id = $CRED" >/dev/null
q "UPDATE public.memory_events SET attestation = attestation || '{\"verified_at\": \"2026-13-45T00:00:00Z\"}' WHERE id = $VER" >/dev/null
TOK=$(q "SELECT min(id::text) FROM credit.foray_action_flows WHERE flow_type = 'consumption' AND asset_id NOT LIKE 'loomworks%'")
q "UPDATE credit.foray_action_flows SET metadata = metadata || '{\"rate_per_million\": \"eighty\"}' WHERE id = '$TOK'" >/dev/null
# (a legacy database without the fixture's constraints)
q "ALTER TABLE credit.foray_action_flows ALTER COLUMN transaction_id DROP NOT NULL, DROP CONSTRAINT ck_foray_action_flows_flow_type" >/dev/null
for c in $(q "SELECT conname FROM pg_constraint WHERE conrelid = 'credit.conversion_rates'::regclass AND contype IN ('c', 'u')"); do
	q "ALTER TABLE credit.conversion_rates DROP CONSTRAINT $c" >/dev/null
done
NULLTX=$(q "SELECT min(id::text) FROM credit.foray_action_flows WHERE flow_type = 'issuance'")
q "UPDATE credit.foray_action_flows SET transaction_id = NULL WHERE id = '$NULLTX'" >/dev/null
ODD=$(q "SELECT min(id::text) FROM credit.foray_action_flows WHERE flow_type = 'correction'")
q "UPDATE credit.foray_action_flows SET flow_type = 'Correction' WHERE id = '$ODD'" >/dev/null
NAN=$(q "SELECT max(id::text) FROM credit.foray_action_flows WHERE flow_type = 'issuance'")
q "UPDATE credit.foray_action_flows SET quantity = 'NaN' WHERE id = '$NAN'" >/dev/null
q "INSERT INTO credit.conversion_rates (credit_asset, provider_token_asset, rate_per_million, effective_at)
   VALUES ('loomworks_credit_haiku', 'anthropic_x_input', -1, '2026-01-01'),
		  ('loomworks_credit_haiku', 'anthropic_haiku_4_input', 260, '2026-01-01 00:00:00+00')" >/dev/null
out=$(migrate 2>&1); rc=$?
[ "$rc" -ne 0 ] && contains_all "$out" "22R42" \
		"public.memory_events: payload is not a JSON object: 1 row(s), e.g. $BADP" \
		"public.memory_events: attestation credential_id is missing or not base64url: 1 row(s), e.g. $CRED" \
		"attestation verified_at '2026-13-45T00:00:00Z' is not a date-time: row $VER" \
		"credit.foray_action_flows: metadata rate_per_million is neither a number >= 0 nor a string spelling one: 1 row(s), e.g. $TOK" \
		"credit.foray_action_flows: a required column is NULL .*: 1 row(s), e.g. $NULLTX" \
		"credit.foray_action_flows: flow_type is not lower_snake_case .*: 1 row(s), e.g. $ODD" \
		"credit.foray_action_flows: quantity is NaN: 1 row(s), e.g. $NAN" \
		"credit.conversion_rates: a rate is negative or NaN: 1 row(s), e.g. (loomworks_credit_haiku, anthropic_x_input, " \
		"credit.conversion_rates: two rates for the same pair take effect at the same time: 2 row(s), e.g. (loomworks_credit_haiku, anthropic_haiku_4_input, " \
	&& ok "unusable legacy values (payload, credential id, verified_at, rate, NULL, flow type, NaN, rate rows) are refused together with 22R42, each with its legacy row" \
	|| nok "22R42 unusable values" "$out"
echo "$out" | grep -q "invalid symbol" && nok "no base64 decoding error reaches the operator" "$out" || ok "no base64 decoding error reaches the operator"
is "nothing written after that refusal" "$(substrate_rows)" 0

foray_psql -d postgres -c "DROP DATABASE IF EXISTS foray_mig_noext" -c "CREATE DATABASE foray_mig_noext" >/dev/null 2>&1
out=$(foray_psql -d foray_mig_noext -v VERBOSITY=verbose -f "$SCRIPT" 2>&1); rc=$?
[ "$rc" -ne 0 ] && echo "$out" | grep -q "22R40" && ok "without the extension the script stops with 22R40" || nok "22R40" "$out"
foray_psql -d foray_mig_noext -c "CREATE EXTENSION foray_substrate VERSION '0.4.0'" >/dev/null 2>&1
out=$(foray_psql -d foray_mig_noext -v VERBOSITY=verbose -f "$SCRIPT" 2>&1); rc=$?
[ "$rc" -ne 0 ] && echo "$out" | grep -q "22R40" && echo "$out" | grep -q "foray_substrate 0.4.0 is installed; this migration script needs 0.5.0" \
	&& ok "with the extension older than the script the script stops with 22R40 and names both versions" || nok "22R40 version" "$out"

foray_tally "$P" "$F"
