#!/usr/bin/env bash
# Import / export benchmark (issue 5).
#
# N documents of 8 components each (2 arrangements, 2 accruals, 2
# anticipations, 2 actions with allocations) are
#   1. imported with foray.import_document(), one SQL transaction per batch
#      of documents, and
#   2. written as the same rows with plain INSERTs through the same triggers
#      (the baseline: what an application writing rows directly pays),
#   3. exported again with foray.export_document().
# Prints documents per second for each path and the import/INSERT ratio.
#
#   FORAY_PGPORT=5444 bash test/bench/import_bench.sh         # N=10000
#   BENCH_N=1000 bash test/bench/import_bench.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source test/lib.sh
N=${BENCH_N:-10000}
db=foray_bench
foray_cluster_start
foray_fresh_db "$db" >/dev/null 2>&1

psql_q() { foray_psql -d "$db" -At "$@"; }
now() { date +%s.%N; }

# The documents, generated server-side so the client does not dominate.
psql_q <<SQL
CREATE TABLE public.bench_docs (n int PRIMARY KEY, doc jsonb NOT NULL);
INSERT INTO public.bench_docs
SELECT n, jsonb_build_object(
  'transaction_id', 'BENCH_' || n,
  'schema_version', '4.1',
  'timestamp', '2026-02-01T10:00:00Z',
  'foray_core', jsonb_build_object('entity', 'Bench Corp', 'transaction_type', 'invoice_payment',
                                   'total_value', 200.00, 'currency', 'USD', 'status', 'active',
                                   'compliance_flags', '["SOX_404"]'::jsonb),
  'arrangements', jsonb_build_array(
     jsonb_build_object('id', 'ARR_MSA', 'foray_core', jsonb_build_object('type', 'msa', 'parties',
        '[{"role": "buyer", "name": "A"}, {"role": "seller", "name": "B"}]'::jsonb, 'total_value', 1000, 'currency', 'USD', 'dependencies', '[]'::jsonb)),
     jsonb_build_object('id', 'ARR_SOW', 'foray_core', jsonb_build_object('type', 'sow', 'parties',
        '[{"role": "buyer", "name": "A"}]'::jsonb, 'total_value', 500, 'currency', 'USD', 'dependencies', '[]'::jsonb))),
  'accruals', jsonb_build_array(
     jsonb_build_object('id', 'ACC_INV_1', 'foray_core', jsonb_build_object('arrangement_refs', '["ARR_MSA"]'::jsonb,
        'type', 'invoice', 'output', 100.00, 'currency', 'USD', 'dependencies', '["ARR_MSA"]'::jsonb,
        'accounting_entry', '{"debit": {"account": "1200", "amount": 100.00}, "credit": {"account": "4000", "amount": 100.00}}'::jsonb)),
     jsonb_build_object('id', 'ACC_INV_2', 'foray_core', jsonb_build_object('arrangement_refs', '["ARR_MSA", "ARR_SOW"]'::jsonb,
        'type', 'invoice', 'output', 100.00, 'currency', 'USD', 'dependencies', '["ARR_SOW"]'::jsonb,
        'accounting_entry', '{"debit": {"account": "1200", "amount": 100.00}, "credit": {"account": "4000", "amount": 100.00}}'::jsonb))),
  'anticipations', jsonb_build_array(
     jsonb_build_object('id', 'ANT_DUE_1', 'foray_core', jsonb_build_object('accrual_refs', '["ACC_INV_1"]'::jsonb,
        'arrangement_refs', '["ARR_MSA"]'::jsonb, 'expected_amount', 100.00, 'currency', 'USD',
        'expected_date', '2026-03-01', 'probability_factor', 0.95, 'dependencies', '["ACC_INV_1"]'::jsonb)),
     jsonb_build_object('id', 'ANT_DUE_2', 'foray_core', jsonb_build_object('accrual_refs', '["ACC_INV_2"]'::jsonb,
        'arrangement_refs', '[]'::jsonb, 'expected_amount', 100.00, 'currency', 'USD',
        'expected_date', '2026-03-01', 'probability_factor', 0.9, 'dependencies', '["ACC_INV_2"]'::jsonb))),
  'actions', jsonb_build_array(
     jsonb_build_object('id', 'ACT_PAY_1', 'foray_core', jsonb_build_object('anticipation_refs', '["ANT_DUE_1"]'::jsonb,
        'accrual_refs', '["ACC_INV_1"]'::jsonb, 'arrangement_refs', '[]'::jsonb, 'amount_settled', 100.00, 'currency', 'USD',
        'settlement_status', 'completed', 'payment_method', 'wire', 'dependencies', '["ANT_DUE_1"]'::jsonb,
        'allocations', '[{"ref": "ANT_DUE_1", "ref_type": "anticipation", "amount": 100.00, "currency": "USD"}]'::jsonb),
        'audit_data', jsonb_build_object('operator', 'u' || n)),
     jsonb_build_object('id', 'ACT_PAY_2', 'foray_core', jsonb_build_object('anticipation_refs', '["ANT_DUE_2"]'::jsonb,
        'accrual_refs', '[]'::jsonb, 'arrangement_refs', '[]'::jsonb, 'amount_settled', 100.00, 'currency', 'USD',
        'settlement_status', 'pending', 'payment_method', 'ach', 'dependencies', '["ANT_DUE_2"]'::jsonb,
        'allocations', '[{"ref": "ANT_DUE_2", "ref_type": "anticipation", "amount": 60.00, "currency": "USD"}, {"ref": "ANT_DUE_2", "ref_type": "anticipation", "amount": 40.00, "currency": "USD"}]'::jsonb))))
FROM generate_series(1, $N) AS n;
-- the same documents under other ids for the plain-INSERT path
CREATE TABLE public.bench_rows AS
SELECT n, jsonb_set(doc, '{transaction_id}', to_jsonb('PLAIN_' || n)) AS doc FROM public.bench_docs;
ANALYZE public.bench_docs; ANALYZE public.bench_rows;
SQL
foray_psql -d "$db" -At -c "SELECT count(*) FILTER (WHERE v IS NOT NULL) FROM public.bench_docs, LATERAL (SELECT 1 AS v FROM foray.validate_document(doc) WHERE severity = 'error' LIMIT 1) x" | grep -qx 0 ||
	{ echo "bench documents are not valid" >&2; exit 1; }

BATCH=${BENCH_BATCH:-1000}

# 1. import, BATCH documents per SQL transaction
t0=$(now)
for ((lo = 1; lo <= N; lo += BATCH)); do
	psql_q -c "SELECT count(foray.import_document(doc)) FROM public.bench_docs WHERE n BETWEEN $lo AND $((lo + BATCH - 1))" >/dev/null
done
t_import=$(echo "$(now) - $t0" | bc)

# 2. plain INSERTs of the same rows through the triggers, same batching
t0=$(now)
for ((lo = 1; lo <= N; lo += BATCH)); do
	psql_q >/dev/null <<SQL
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, schema_version, document_timestamp, foray_core)
SELECT doc ->> 'transaction_id', '4.1', doc ->> 'timestamp', doc -> 'foray_core'
  FROM public.bench_rows WHERE n BETWEEN $lo AND $((lo + BATCH - 1));
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core, audit_data, ordinal)
SELECT r.doc ->> 'transaction_id', c.value ->> 'id', k.code, c.value -> 'foray_core', c.value -> 'audit_data', (c.ordinality - 1)::int
  FROM public.bench_rows AS r
 CROSS JOIN (VALUES (1, 'arrangements', 'ARR'), (2, 'accruals', 'ACC'), (3, 'anticipations', 'ANT'), (4, 'actions', 'ACT')) AS k(o, arr, code)
 CROSS JOIN LATERAL jsonb_array_elements(r.doc -> k.arr) WITH ORDINALITY AS c
 WHERE r.n BETWEEN $lo AND $((lo + BATCH - 1))
 ORDER BY r.n, k.o, c.ordinality;
COMMIT;
SQL
done
t_insert=$(echo "$(now) - $t0" | bc)

# 3. export every imported document
t0=$(now)
for ((lo = 1; lo <= N; lo += BATCH)); do
	psql_q -c "SELECT count(foray.export_document('BENCH_' || n)) FROM generate_series($lo, $((lo + BATCH - 1))) AS n WHERE n <= $N" >/dev/null
done
t_export=$(echo "$(now) - $t0" | bc)

# sanity: same number of rows both ways, and a round trip
check=$(psql_q -c "SELECT (SELECT count(*) FROM foray.foray_components WHERE transaction_id LIKE 'BENCH\_%'),
                          (SELECT count(*) FROM foray.foray_components WHERE transaction_id LIKE 'PLAIN\_%'),
                          (SELECT bool_and((foray.export_document('BENCH_' || n) - 'component_hashes' - 'merkle_root') = doc)
                             FROM public.bench_docs WHERE n % 997 = 1)")
echo "rows (import | insert | round trip sample): $check"
awk -v n="$N" -v ti="$t_import" -v tp="$t_insert" -v te="$t_export" 'BEGIN {
	printf "documents: %d x 8 components, batches of %d\n", n, '"$BATCH"'
	printf "import_document : %8.2f s  %8.1f documents/s\n", ti, n / ti
	printf "plain INSERTs   : %8.2f s  %8.1f documents/s\n", tp, n / tp
	printf "export_document : %8.2f s  %8.1f documents/s\n", te, n / te
	printf "import / INSERT time ratio: %.2f (target <= 1.5)\n", ti / tp
}'
