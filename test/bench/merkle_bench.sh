#!/usr/bin/env bash
# Merkle and envelope benchmark.  Prints figures and ratios; never fails on
# slowness (only on a broken setup).
#
#   FORAY_PGPORT=5442 bash test/bench/merkle_bench.sh [N_COMPONENTS] [N_TRANSACTIONS]
#
# 1. Merkle root of one transaction with N_COMPONENTS (100,000) components:
#    - foray.transaction_hashes(tx): everything (reads the rows, sorts by
#      id, leaf-hashes, five trees, audit tree, top tree);
#    - foray.merkle_tree_hash(bytea[]): the tree alone, over the same
#      component hashes already in memory;
#    - PL/pgSQL + pgcrypto: the same tree written in PL/pgSQL;
#    - OpenSSL baselines over the same bytes (test/bench/sha_baseline.c):
#      one streaming SHA-256 over all of them, the same 2n-1 messages one by
#      one, and src/core/merkle.c alone.
#    - the same transaction under commitment scheme 1 (a copy, 'BIG1',
#      marked scheme 1 as a transaction 0.4.0 anchored is): scheme 2 /
#      scheme 1 is the cost of the second scheme (target <= 1.2);
#    - inclusion proofs: one (foray.inclusion_proof), all of them at once
#      (foray.inclusion_proofs, per proof), and their verification
#      (foray.verify_inclusion, per proof).
# 2. Envelope build for N_TRANSACTIONS (10,000) ready transactions.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source test/lib.sh
set -e
foray_build
foray_install
foray_cluster_start
set +e
N=${1:-100000}
T=${2:-10000}
REPEAT=3
db=foray_bench_merkle
out="$FORAY_TMP/bench"
mkdir -p "$out"

cc -O2 -Isrc/core -o "$out/sha_baseline" test/bench/sha_baseline.c src/core/merkle.c -lcrypto || exit 1

foray_psql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
foray_psql -d $db -c "CREATE EXTENSION foray_substrate" -c "CREATE EXTENSION IF NOT EXISTS pgcrypto" >/dev/null 2>&1 \
	|| foray_psql -d $db -c "CREATE EXTENSION IF NOT EXISTS foray_substrate" >/dev/null
have_pgcrypto=$(foray_psql -d $db -At -c "SELECT count(*) FROM pg_extension WHERE extname = 'pgcrypto'")

# Loaded behind the triggers (session_replication_role = replica): this
# measures hashing, not the readiness triggers, which a 100,000-wide fan on
# one arrangement keeps busy for many minutes.  component_hash is filled with
# the SHA-256 of each row's jsonb text: a well-formed stored hash, which is
# all the root computation reads.
echo "== loading one transaction with $N components (replica mode, hashes filled in)"
t0=$(date +%s.%N)
foray_psql -d $db <<SQL
SET session_replication_role = replica;
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, lifecycle)
VALUES ('BIG', '2026-03-01T10:00:00Z', '{"entity": "Bench", "transaction_type": "bulk"}', 'ready_to_anchor');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, status, foray_core, component_hash)
SELECT 'BIG', c.id, c.t, 'ready', c.core, 'sha256:' || encode(sha256(convert_to(c.core::text, 'UTF8')), 'hex')
  FROM (SELECT 'ARR_0' AS id, 'ARR' AS t, '{"n": 0}'::jsonb AS core
		UNION ALL
		SELECT 'ACT_' || lpad(i::text, 7, '0'), 'ACT',
			   jsonb_build_object('arrangement_refs', jsonb_build_array('ARR_0'), 'amount_settled', i)
		  FROM generate_series(1, $N - 1) i) c;
-- the same rows under scheme 1
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, lifecycle, commitment_scheme)
VALUES ('BIG1', '2026-03-01T10:00:00Z', '{"entity": "Bench", "transaction_type": "bulk"}', 'ready_to_anchor', 1);
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, status, foray_core, component_hash)
SELECT 'BIG1', component_id, component_type, status, foray_core, component_hash
  FROM foray.foray_components WHERE transaction_id = 'BIG';
COMMIT;
RESET session_replication_role;
ANALYZE foray.foray_components;
SQL
echo "   loaded in $(echo "$(date +%s.%N) - $t0" | bc) s"

# PL/pgSQL + pgcrypto equivalent of one tree: leaf = H(0x00||d), node = H(0x01||l||r)
if [ "$have_pgcrypto" = 1 ]; then H="public.digest(%s, 'sha256')"; else H="pg_catalog.sha256(%s)"; fi
leafexpr=$(printf "$H" "'\\x00'::bytea || d")
nodeexpr=$(printf "$H" "'\\x01'::bytea || lvl[2*i-1] || lvl[2*i]")
emptyexpr=$(printf "$H" "''::bytea")
foray_psql -d $db <<SQL
CREATE FUNCTION plpgsql_mth(entries bytea[]) RETURNS bytea LANGUAGE plpgsql AS \$\$
DECLARE
	lvl bytea[];
	nxt bytea[];
	n int := coalesce(array_length(entries, 1), 0);
	d bytea;
	i int;
BEGIN
	IF n = 0 THEN RETURN $emptyexpr; END IF;
	FOREACH d IN ARRAY entries LOOP
		lvl := lvl || $leafexpr;
	END LOOP;
	WHILE n > 1 LOOP
		nxt := '{}';
		FOR i IN 1 .. n / 2 LOOP
			nxt := nxt || $nodeexpr;
		END LOOP;
		IF n % 2 = 1 THEN nxt := nxt || lvl[n]; END IF;
		lvl := nxt;
		n := (n + 1) / 2;
	END LOOP;
	RETURN lvl[1];
END \$\$;
CREATE TABLE hashes AS
SELECT array_agg(decode(substr(coalesce(component_hash, 'sha256:' || repeat('0', 64)), 8), 'hex')
				 ORDER BY component_id COLLATE "C") AS a
  FROM foray.foray_components WHERE transaction_id = 'BIG' AND component_type = 'ACT';
SQL

# best_ms and ratio: test/bench/measure.sh
source test/bench/measure.sh

echo "== Merkle root, $N components (best of $REPEAT)"
read -r tx_ms tx_cpu < <(best_ms "SELECT merkle_root FROM foray.transaction_hashes('BIG') \\g /dev/null")
read -r tree_ms tree_cpu < <(best_ms "SELECT foray.merkle_tree_hash(a) FROM hashes \\g /dev/null")
read -r pl_ms pl_cpu < <(best_ms "SELECT plpgsql_mth(a) FROM hashes \\g /dev/null")
same=$(foray_psql -d $db -At -c "SELECT foray.merkle_tree_hash(a) = 'sha256:' || encode(plpgsql_mth(a), 'hex') FROM hashes")
read -r stream_ms msgs_ms core_ms < <("$out/sha_baseline" "$N" 5)
printf '   %-58s %10s %10s\n' "" "wall ms" "cpu ms"
printf '   %-58s %10s %10s\n' "foray.transaction_hashes (rows -> merkle_root)" "$tx_ms" "$tx_cpu"
printf '   %-58s %10s %10s\n' "foray.merkle_tree_hash (one tree, hashes in memory)" "$tree_ms" "$tree_cpu"
if [ "$have_pgcrypto" = 1 ]; then plname="PL/pgSQL + pgcrypto digest()"; else plname="PL/pgSQL + sha256()"; fi
printf '   %-58s %10s %10s\n' "$plname (one tree)" "$pl_ms" "$pl_cpu"
printf '   %-58s %10s\n' "src/core/merkle.c alone (leaf + node hashing)" "$core_ms"
printf '   %-58s %10s\n' "OpenSSL SHA-256, the same 2n-1 messages one by one" "$msgs_ms"
printf '   %-58s %10s\n' "OpenSSL SHA-256, one stream over the same bytes" "$stream_ms"
echo "   PL/pgSQL root equals ours: $same"
echo "   ratios (cpu where measured):"
echo "     core / same messages            $(ratio "$core_ms" "$msgs_ms")"
echo "     core / one stream               $(ratio "$core_ms" "$stream_ms")"
echo "     merkle_tree_hash / same msgs    $(ratio "$tree_cpu" "$msgs_ms")"
echo "     PL/pgSQL / merkle_tree_hash     $(ratio "$pl_cpu" "$tree_cpu")"
echo "     PL/pgSQL / transaction_hashes   $(ratio "$pl_cpu" "$tx_cpu")"

echo "== commitment scheme 2 against scheme 1, the same $N components (best of $REPEAT)"
read -r s1_ms s1_cpu < <(best_ms "SELECT merkle_root FROM foray.transaction_hashes('BIG1') \\g /dev/null")
printf '   %-58s %10s %10s\n' "" "wall ms" "cpu ms"
printf '   %-58s %10s %10s\n' "transaction_hashes, scheme 2 (BIG)" "$tx_ms" "$tx_cpu"
printf '   %-58s %10s %10s\n' "transaction_hashes, scheme 1 (BIG1)" "$s1_ms" "$s1_cpu"
echo "   scheme 2 / scheme 1: wall $(ratio "$tx_ms" "$s1_ms"), cpu $(ratio "$tx_cpu" "$s1_cpu") (target <= 1.2)"

echo "== inclusion proofs, $N components (best of $REPEAT)"
read -r one_ms one_cpu < <(best_ms "SELECT foray.inclusion_proof('BIG', 'ACT_0050000') \\g /dev/null")
# anchored: the transaction is kept after its first proof; 1,000 single calls
foray_psql -d $db -c "SELECT foray.record_anchor('BIG', (SELECT merkle_root FROM foray.transaction_hashes('BIG')), 'kaspa:bench', 1, 1, now())" >/dev/null
read -r cold_ms cold_cpu < <(best_ms "SELECT foray.inclusion_proof('BIG', 'ACT_0050000') \\g /dev/null")
read -r warm_ms warm_cpu < <(best_ms "SELECT foray.inclusion_proof('BIG', 'ACT_0000001') \\g /dev/null
\\! awk '{print \$14 + \$15}' /proc/\$PID/stat > $out/cpu0
SELECT clock_timestamp() AS t0 \\gset
SELECT count(foray.inclusion_proof('BIG', 'ACT_' || lpad(i::text, 7, '0'))) FROM generate_series(1, 1000) i \\g /dev/null")
read -r all_ms all_cpu < <(best_ms "SELECT count(*) FROM foray.inclusion_proofs('BIG') \\g /dev/null")
foray_psql -d $db -c "CREATE TABLE proofs AS SELECT p.proof, (SELECT merkle_root FROM foray.transaction_hashes('BIG')) AS root FROM foray.inclusion_proofs('BIG') p" >/dev/null
read -r ver_ms ver_cpu < <(best_ms "SELECT count(*) FILTER (WHERE foray.verify_inclusion(proof, root)) FROM proofs \\g /dev/null")
allok=$(foray_psql -d $db -At -c "SELECT count(*) FILTER (WHERE foray.verify_inclusion(proof, root)) = count(*) FROM proofs")
printf '   %-58s %10s %10s\n' "" "wall ms" "cpu ms"
printf '   %-58s %10s %10s\n' "one proof, transaction not anchored (foray.inclusion_proof)" "$one_ms" "$one_cpu"
printf '   %-58s %10s %10s\n' "one proof, anchored, first in the session" "$cold_ms" "$cold_cpu"
printf '   %-58s %10s %10s\n' "1,000 single proofs after it (one statement)" "$warm_ms" "$warm_cpu"
printf '   %-58s %10s %10s\n' "  per proof" "$(echo "scale=4; $warm_ms / 1000" | bc)" "$(echo "scale=4; $warm_cpu / 1000" | bc)"
printf '   %-58s %10s %10s\n' "all $N proofs (foray.inclusion_proofs)" "$all_ms" "$all_cpu"
printf '   %-58s %10s %10s\n' "  per proof" "$(echo "scale=4; $all_ms / $N" | bc)" "$(echo "scale=4; $all_cpu / $N" | bc)"
printf '   %-58s %10s %10s\n' "verify_inclusion of all $N" "$ver_ms" "$ver_cpu"
printf '   %-58s %10s %10s\n' "  per proof" "$(echo "scale=4; $ver_ms / $N" | bc)" "$(echo "scale=4; $ver_cpu / $N" | bc)"
echo "   every proof verifies: $allok"

# Loaded behind the triggers as well, already ready_to_anchor (the
# readiness triggers are benchmarked elsewhere); stored hashes filled in.
load_ready ENV_ 6 "$T"
ready=$(foray_psql -d $db -At -c "SELECT count(*) FROM foray.foray_transactions WHERE lifecycle = 'ready_to_anchor' AND transaction_id LIKE 'ENV_%'")
read -r env_ms env_cpu < <(best_ms "SELECT count(foray.anchor_envelope(transaction_id)) FROM foray.foray_transactions WHERE lifecycle = 'ready_to_anchor' AND transaction_id LIKE 'ENV\\_%' \\g /dev/null")
maxb=$(foray_psql -d $db -At -c "SELECT max(octet_length(foray.anchor_envelope(transaction_id)::text)) FROM foray.foray_transactions WHERE transaction_id LIKE 'ENV\\_%'")
echo "== envelope build, $ready ready transactions (best of $REPEAT)"
printf '   %-58s %10s %10s\n' "" "wall ms" "cpu ms"
printf '   %-58s %10s %10s\n' "all envelopes" "$env_ms" "$env_cpu"
printf '   %-58s %10s %10s\n' "per envelope (us)" "$(echo "scale=1; $env_ms * 1000 / $ready" | bc)" "$(echo "scale=1; $env_cpu * 1000 / $ready" | bc)"
echo "   largest envelope (jsonb text form): $maxb bytes"
[ "${FORAY_BENCH_KEEP:-0}" = 1 ] || foray_psql -d postgres -c "DROP DATABASE IF EXISTS $db" >/dev/null
