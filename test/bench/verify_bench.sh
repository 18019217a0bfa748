#!/usr/bin/env bash
# foray-verify benchmark (issue 19).  Prints figures and ratios; never fails
# on slowness (only on a broken setup or a document that does not verify).
#
#   FORAY_PGPORT=5445 bash test/bench/verify_bench.sh [N_COMPONENTS] [N_BIG] [N_GENERATED]
#
# The corpus: N_BIG (3) transactions of N_COMPONENTS (100,000) components
# and attestations each (ids, refs, nested cores with money-like numbers,
# audit data on some), loaded behind the triggers with their component
# hashes computed by foray.foray_hash, plus N_GENERATED (300) generated
# documents imported normally; every one exported with foray.export_document
# into one file each (over 100 MB in all).  Then, in the same run, on the
# same files, best of REPEAT rounds:
#   1. foray-verify --quiet document FILE, against jq -c . FILE > /dev/null
#      (target: within 2x);
#   2. foray-verify's hashing (the canonicalisation and SHA-256 of every
#      hashed value, its --timing figure summed over the files of one run),
#      against openssl sha256 over the canonical bytes of the same values,
#      written by the database (foray.foray_canonicalize) into one file, in
#      one run too (target: within 1.5x): for every document and for the big
#      ones alone; openssl's figure whole and less its process start (an
#      empty file), since foray-verify's --timing leaves its own start out;
#   3. peak memory (ru_maxrss) of foray-verify on the largest document
#      against that document's size (target: under 4x).
# Every document must verify (exit 0), the 100,000-component ones included.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source test/lib.sh
set -e
foray_build
foray_install
foray_cluster_start
set +e
N=${1:-100000}
NBIG=${2:-3}
NGEN=${3:-300}
REPEAT=${REPEAT:-3}
db=foray_bench_verify
out="$FORAY_TMP/bench-verify"
FV="$FORAY_PGBIN/foray-verify"
rm -rf "$out"
mkdir -p "$out/docs"
command -v jq >/dev/null || { echo "jq is missing (apt-get install jq)"; exit 1; }

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1-3 /proc/loadavg)"
foray_psql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
foray_psql -d $db -c "CREATE EXTENSION foray_substrate" >/dev/null

echo "== loading $NBIG transactions of $N members (behind the triggers, hashes by foray.foray_hash)"
t0=$(date +%s.%N)
for b in $(seq 1 "$NBIG"); do
	foray_psql -d $db >/dev/null <<SQL
SET session_replication_role = replica;
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, audit_data_anchor, lifecycle)
VALUES ('BIG_$b', '2026-03-01T10:00:00Z', '{"entity": "Bench \u00e9", "transaction_type": "bulk", "total_value": 1234567.89}',
		'{"system": "ERP", "batch": $b}', 'ready_to_anchor');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, status, foray_core, audit_data, component_hash)
SELECT 'BIG_$b', c.id, c.t, 'ready', c.core, c.audit, foray.foray_hash(c.core)
  FROM (SELECT (ARRAY['ARR', 'ACC', 'ANT', 'ACT'])[1 + i % 4] || '_' || lpad(i::text, 7, '0') AS id,
			   (ARRAY['ARR', 'ACC', 'ANT', 'ACT'])[1 + i % 4] AS t,
			   jsonb_build_object(
				 'type', 'payment', 'description', 'Invoice ' || i || ' for services rendered, caf\u00e9 & co',
				 'amount_settled', round((i * 7.31)::numeric % 100000, 2), 'currency', 'USD',
				 'settlement_date', '2026-03-01T10:00:00Z', 'settlement_status', 'completed',
				 'counterparty', 'Customer ' || (i % 977),
				 'details', jsonb_build_object('register', 'REG-' || (i % 13), 'items', i % 9,
						'tax_rate', 0.0825, 'tendered', round((i * 7.31)::numeric % 100000 + 5, 2),
						'tags', jsonb_build_array('a', 'b', i % 5)),
				 'allocations', '[]'::jsonb, 'dependencies', '[]'::jsonb) AS core,
			   CASE WHEN i % 10 = 0 THEN jsonb_build_object('source', 'ERP', 'row', i) END AS audit
		  FROM generate_series(1, $N - 100) i) c;
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core, attestation_hash)
SELECT 'BIG_$b', 'ATT_' || lpad(i::text, 5, '0'), a.core, foray.foray_hash(a.core)
  FROM generate_series(1, 100) i,
	   LATERAL (SELECT jsonb_build_object('attestor', 'Lab ' || i,
			'attestor_hash', 'sha256:' || encode(sha256(convert_to(i::text, 'UTF8')), 'hex'),
			'attestor_type', 'laboratory', 'attestation_type', 'analysis', 'outcome', 'certified',
			'attestation_date', '2026-02-01', 'subject_refs', jsonb_build_array('ACT_' || lpad((4 * i + 3)::text, 7, '0')),
			'dependencies', '[]'::jsonb) AS core) a;
COMMIT;
SQL
done
python3 test/verify/gen_transactions.py BENCH "$NGEN" 5 | foray_psql -d $db -At | grep -c imported >/dev/null
echo "   loaded in $(echo "$(date +%s.%N) - $t0" | bc) s"

echo "== exporting every document"
foray_psql -d $db -At -F $'\t' -c "SELECT transaction_id, foray.export_document(transaction_id) FROM foray.foray_transactions" |
	python3 -c '
import sys, os
for line in sys.stdin:
    tx, doc = line.rstrip("\n").split("\t")
    open(os.path.join(sys.argv[1], tx + ".json"), "w").write(doc)
' "$out/docs"
files=("$out"/docs/*.json)
total=$(cat "${files[@]}" | wc -c)
big="$out/docs/BIG_1.json"
echo "   ${#files[@]} documents, $total bytes ($(echo "scale=1; $total / 1048576" | bc) MiB); the largest $(wc -c <"$big") bytes"

# every one verifies, with the database's root
bad=0
for f in "${files[@]}"; do "$FV" --quiet document "$f" || { bad=$((bad + 1)); echo "   does not verify: $f"; }; done
echo "== every document verifies: $([ $bad -eq 0 ] && echo yes || echo "NO ($bad)")"
check_root=$("$FV" --json document "$big" | jq -r .recomputed.merkle_root)
db_root=$(foray_psql -d $db -Atc "SELECT merkle_root FROM foray.transaction_hashes('BIG_1')")
echo "   BIG_1 ($N members): foray-verify's merkle_root $([ "$check_root" = "$db_root" ] && echo equals || echo "DIFFERS FROM") the database's ($db_root)"

# a command over every file, best of REPEAT rounds: "wall cpu" seconds
# (cpu = user + system of every run, from /usr/bin/time; the machine is
# shared, so CPU time is the steadier figure)
best() {
	local bw="" bc="" r w c
	for r in $(seq 1 "$REPEAT"); do
		read -r w c < <(/usr/bin/time -f '%e %U %S' bash -c 'for f in "$@"; do '"$*"' "$f" >/dev/null; done' _ "${files[@]}" 2>&1 >/dev/null |
			tail -n 1 | awk '{print $1, $2 + $3}')
		if [ -z "$bc" ] || [ "$(echo "$c < $bc" | bc)" = 1 ]; then bc=$c; bw=$w; fi
	done
	echo "$bw $bc"
}
mib() { echo "scale=1; $1 / 1048576 / $2" | bc; }
# CPU seconds (user + system, from wait4's rusage: finer than /usr/bin/time's
# hundredths) of one run of a command, its output thrown away
cpu_of() {
	python3 -c '
import os, sys
null = [(os.POSIX_SPAWN_OPEN, fd, "/dev/null", os.O_WRONLY, 0) for fd in (1, 2)]
pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ, file_actions=null)
_, status, ru = os.wait4(pid, 0)
print("%.4f" % (ru.ru_utime + ru.ru_stime))' "$@"
}
# the least of REPEAT runs of a command's CPU time
best_cpu() {
	local b="" c r
	for r in $(seq 1 "$REPEAT"); do
		c=$(cpu_of "$@")
		if [ -z "$b" ] || [ "$(echo "$c < $b" | bc)" = 1 ]; then b=$c; fi
	done
	echo "$b"
}
cat "${files[@]}" >/dev/null	# warm the page cache
echo "== 1. whole documents, ${#files[@]} files, best of $REPEAT (by CPU time)"
read -r w_jq c_jq <<<"$(best jq -c .)"
read -r w_fv c_fv <<<"$(best "$FV" --quiet document)"
printf '   %-34s CPU %7.3f s (%s MiB/s)   wall %7.3f s\n' "jq -c . > /dev/null" "$c_jq" "$(mib "$total" "$c_jq")" "$w_jq"
printf '   %-34s CPU %7.3f s (%s MiB/s)   wall %7.3f s\n' "foray-verify --quiet document" "$c_fv" "$(mib "$total" "$c_fv")" "$w_fv"
echo "   ratio foray-verify / jq: CPU $(echo "scale=2; $c_fv / $c_jq" | bc), wall $(echo "scale=2; $w_fv / $w_jq" | bc) (target: at most 2)"
c_jq1=$(best_cpu jq -c . "${files[@]}")
c_fv1=$(best_cpu "$FV" --quiet document "${files[@]}")
printf '   %-34s CPU %7.3f s (%s MiB/s)\n' "jq -c ., every file in one run" "$c_jq1" "$(mib "$total" "$c_jq1")"
printf '   %-34s CPU %7.3f s (%s MiB/s)\n' "foray-verify, every file in one run" "$c_fv1" "$(mib "$total" "$c_fv1")"
echo "   ratio foray-verify / jq, one run each: CPU $(echo "scale=2; $c_fv1 / $c_jq1" | bc)"

echo "== 2. hashing: canonical form + SHA-256 of every hashed value, against openssl sha256 over the same canonical bytes"
# the database's canonical text of every hashed value, one per line: of
# every document, and of the big documents alone
canonical_sql() {	# canonical_sql WHERE
	cat <<SQL
SELECT foray.foray_canonicalize(foray_core) FROM foray.foray_transactions WHERE $1;
SELECT foray.foray_canonicalize(audit_data_anchor - 'audit_data_hash') FROM foray.foray_transactions WHERE audit_data_anchor IS NOT NULL AND $1;
SELECT foray.foray_canonicalize(foray_core) FROM foray.foray_components WHERE $1;
SELECT foray.foray_canonicalize(audit_data) FROM foray.foray_components WHERE audit_data IS NOT NULL AND $1;
SELECT foray.foray_canonicalize(foray_core) FROM foray.foray_attestations WHERE $1;
SELECT foray.foray_canonicalize(audit_data) FROM foray.foray_attestations WHERE audit_data IS NOT NULL AND $1;
SQL
}
canonical_sql true | foray_psql -d $db -At >"$out/canonical.txt"
canonical_sql "transaction_id LIKE 'BIG\_%'" | foray_psql -d $db -At >"$out/canonical-big.txt"
: >"$out/empty"
bigs=("$out"/docs/BIG_*.json)

# foray-verify's --timing over FILES in one process: "hashing sha canonical_bytes",
# the least hashing figure of REPEAT runs (each a sum over the files)
fv_hashing() {
	local b="" bs="" bb="" r
	for r in $(seq 1 "$REPEAT"); do
		read -r h s cb < <("$FV" --quiet --timing document "$@" 2>&1 >/dev/null | awk '
			{ for (i = 1; i <= NF; i++) {
				if ($i == "hashing") h += $(i + 1); if ($i == "SHA-256") s += $(i + 1); if ($i == "canonical" && $(i + 1) == "bytes;") cb += $(i - 1) } }
			END { printf "%.6f %.6f %d\n", h, s, cb }')
		if [ -z "$b" ] || [ "$(echo "$h < $b" | bc)" = 1 ]; then b=$h; bs=$s; bb=$cb; fi
	done
	echo "$b $bs $bb"
}
ratio() { echo "scale=2; $1 / $2" | bc | sed 's/^\./0./'; }

t_start=$(best_cpu openssl sha256 "$out/empty")
echo "   openssl sha256 of an empty file (its process start): CPU $t_start s, subtracted below where said"
report() {	# report LABEL CANONICAL_FILE FILES...: one process each, best of REPEAT by CPU time
	local label=$1 cf=$2 t_ossl h sh cb canon net
	shift 2
	t_ossl=$(best_cpu openssl sha256 "$cf")
	read -r h sh cb <<<"$(fv_hashing "$@")"
	canon=$(wc -c <"$cf")
	net=$(echo "$t_ossl - $t_start" | bc)
	echo "   -- $label: $# files, one process each tool; the database's canonical text $canon bytes in $(wc -l <"$cf") values (a newline each), foray-verify's $cb bytes"
	printf '   %-62s CPU %7.3f s (%s MiB/s)\n' "foray-verify hashing (canonical form + SHA-256, streamed; --timing)" "$h" "$(mib "$cb" "$h")"
	printf '   %-62s CPU %7.3f s (%s MiB/s)\n' "  of which, measured apart: SHA-256 of each canonical text" "$sh" "$(mib "$cb" "$sh")"
	printf '   %-62s CPU %7.3f s (%s MiB/s)\n' "openssl sha256 over the canonical bytes (one stream, whole run)" "$t_ossl" "$(mib "$canon" "$t_ossl")"
	printf '   %-62s CPU %7.3f s\n' "  the same less its process start" "$net"
	echo "   ratio foray-verify hashing / openssl: $(ratio "$h" "$t_ossl") of the whole run, $(ratio "$h" "$net") of it less its start (target: at most 1.5)"
	echo "   ratio its SHA-256 alone / openssl: $(ratio "$sh" "$t_ossl") of the whole run, $(ratio "$sh" "$net") less its start"
}
report "every document" "$out/canonical.txt" "${files[@]}"
report "the $NBIG big documents" "$out/canonical-big.txt" "${bigs[@]}"

# the former reading: one foray-verify process per file, --timing summed
h=""
for r in $(seq 1 "$REPEAT"); do
	s=0
	for f in "${files[@]}"; do
		s=$(echo "$s + $("$FV" --quiet --timing document "$f" 2>&1 >/dev/null | sed -n 's/.*of which hashing \([0-9.]*\);.*/\1/p')" | bc)
	done
	if [ -z "$h" ] || [ "$(echo "$s < $h" | bc)" = 1 ]; then h=$s; fi
done
echo "   -- for comparison, one foray-verify process per file (each pays its first hashing's page faults): hashing CPU $h s in all"

echo "== 3. peak memory on the largest document ($(wc -c <"$big") bytes)"
rss=$(/usr/bin/time -f '%M' "$FV" --quiet document "$big" 2>&1 >/dev/null | tail -n 1)
rss_jq=$(/usr/bin/time -f '%M' jq -c . "$big" 2>&1 >/dev/null | tail -n 1)
echo "   foray-verify peak RSS $rss kB: $(echo "scale=2; $rss * 1024 / $(wc -c <"$big")" | bc) x the input (target: under 4)"
echo "   jq -c . peak RSS $rss_jq kB: $(echo "scale=2; $rss_jq * 1024 / $(wc -c <"$big")" | bc) x the input"
"$FV" --quiet --timing document "$big"
