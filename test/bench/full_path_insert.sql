-- The insert benchmarks' full path (insert_bench.sh, citus_bench.sh): the
-- staged rows of gen_chains.sql through the substrate's tables, one SQL
-- transaction, the transactions first, then their components in chain order.
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
SELECT transaction_id, document_timestamp, foray_core FROM bench.stage_tx ORDER BY transaction_id;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
SELECT transaction_id, component_id, component_type, foray_core FROM bench.stage_comp ORDER BY transaction_id, ord;
COMMIT;
