#!/usr/bin/env bash
# Citus (docs/scale-out.md): the substrate distributed over a coordinator and
# two workers on loopback (test/citus/cluster.sh; ports FORAY_CITUS_PORT,
# default 55432, and the next two), against a single node running the same
# statements (the suites' cluster).
#
# Citus is installed from its source archive when missing (install.sh
# beside citus-13.2.2.tar.gz: $FORAY_CITUS_ARCHIVE, else shared/citus beside
# the repository or one of its parents).  When that cannot be done the suite
# prints one line "skipped: <why>" and ends "0 passed, 0 failed".
#
# Shown: foray.distribute() (and again: idempotent), the README example
# (ready_to_anchor, its events numbered 1..5), readiness in any insert order
# across shards in one SQL transaction, a deferred reference check failing
# the whole distributed transaction, import of every v4.1 example, hashes,
# envelopes, inclusion proofs and merkle roots equal to the single node's,
# record_anchor, seal, amend_transaction, immutability and the event log's
# rules enforced on the shards, engine events, event ids unique across
# nodes, two clients writing at once, the log on the coordinator, verify()
# clean and then finding a row tampered with on a worker.
source test/lib.sh
source test/citus/cluster.sh

check() { foray_check "$@"; }	# check NAME EXPECTED ACTUAL (test/lib.sh)

if ! foray_citus_ensure; then
	echo "skipped: $FORAY_CITUS_SKIP"
	foray_tally 0 0
	exit 0
fi
# FORAY_CITUS_KEEP=1 leaves the cluster running afterwards (to look into it)
[ "${FORAY_CITUS_KEEP:-0}" = 1 ] || trap foray_citus_stop EXIT
start=$(date +%s)
if ! foray_citus_start >"$FORAY_TMP/citus-start.log" 2>&1; then
	echo "not ok - the Citus cluster starts (tmp/citus-start.log)"
	tail -n 20 "$FORAY_TMP/citus-start.log"
	foray_tally 0 1
	exit 1
fi
set -- $FORAY_CITUS_PORTS
C=$1 W1=$2 W2=$3
check "a coordinator and two workers ($(( $(date +%s) - start )) s)" "2" \
	"$(foray_cq $C -c "SELECT count(*) FROM pg_dist_node WHERE noderole = 'primary' AND groupid > 0")"

SINGLE=foray_citus_single
foray_fresh_db $SINGLE >/dev/null
single() { foray_psql -At -d $SINGLE "$@"; }
# both: the same SQL on the coordinator and on the single node
both() {
	local a b
	a=$(foray_cq $C -c "$1" 2>&1)
	b=$(single -c "$1" 2>&1)
	check "$2" "$b" "$a"
}
# the port of the worker holding a transaction, and a shard of it there
node_of() {	# node_of TX
	foray_cq $C -c "SELECT n.nodeport FROM pg_dist_placement p JOIN pg_dist_node n USING (groupid)
		WHERE p.shardid = get_shard_id_for_distribution_column('foray.foray_transactions', '$1')"
}
shard_of() {	# shard_of TABLE TX
	foray_cq $C -c "SELECT shard_name('foray.$1'::regclass, get_shard_id_for_distribution_column('foray.$1', '$2'))"
}
# SQLSTATE of a statement (ok when it succeeds), on one node
state() {	# state PORT SQL
	local out
	out=$("$FORAY_PGBIN/psql" -X -q -At -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -h 127.0.0.1 -p "$1" \
		-U postgres -d "$FORAY_CITUS_DB" -c "$2" 2>&1 >/dev/null)
	if [ -z "$out" ]; then echo ok; else echo "$out" | sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p' | head -n 1; fi
}

# ---------------------------------------------------------------------
# Distributing
# ---------------------------------------------------------------------
foray_cq $C -c "CREATE EXTENSION foray_substrate" >/dev/null
check "CREATE EXTENSION on the coordinator reaches the workers" "0.5.0 0.5.0" \
	"$(foray_cq $W1 -c "SELECT extversion FROM pg_extension WHERE extname = 'foray_substrate'") $(foray_cq $W2 -c "SELECT extversion FROM pg_extension WHERE extname = 'foray_substrate'")"
check "foray.distribute() distributes every table" \
	"distributed: event_kinds, foray_transactions, foray_components, foray_attestations, transaction_events, engine_events" \
	"$(foray_cq $C -c "SET client_min_messages = warning" -c "SELECT foray.distribute()" 2>&1)"
check "foray.distribute() again: nothing left to do" "already distributed" "$(foray_cq $C -c "SELECT foray.distribute()" 2>&1)"
check "the protocol tables and transaction_events are colocated, hash-distributed by transaction_id" "1 h transaction_id" \
	"$(foray_cq $C -F' ' -c "SELECT count(DISTINCT colocationid), min(partmethod), min(column_to_column_name(logicalrelid, partkey))
		FROM pg_dist_partition WHERE logicalrelid IN ('foray.foray_transactions'::regclass, 'foray.foray_components'::regclass,
			'foray.foray_attestations'::regclass, 'foray.transaction_events'::regclass)")"
check "engine_events by engagement_id, event_kinds a reference table" "engagement_id n" \
	"$(foray_cq $C -F' ' -c "SELECT column_to_column_name('foray.engine_events'::regclass, (SELECT partkey FROM pg_dist_partition WHERE logicalrelid = 'foray.engine_events'::regclass)),
		(SELECT partmethod FROM pg_dist_partition WHERE logicalrelid = 'foray.event_kinds'::regclass)")"
check "each worker draws event ids from its own range (group id * 2^48)" "1 2" \
	"$(foray_cq $W1 -c "SELECT (last_value >> 48) FROM foray.memory_events_event_id_seq") $(foray_cq $W2 -c "SELECT (last_value >> 48) FROM foray.memory_events_event_id_seq")"
check "shards on both workers" "2" \
	"$(foray_cq $C -c "SELECT count(DISTINCT p.groupid) FROM pg_dist_shard s JOIN pg_dist_placement p USING (shardid)
		WHERE s.logicalrelid = 'foray.foray_transactions'::regclass")"

# ---------------------------------------------------------------------
# The README example, through the coordinator
# ---------------------------------------------------------------------
README_SQL="BEGIN;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES
 ('SHOP_2026_Q1_SALE_001', 'ACT_SALE_001', 'ACT',
  '{\"accrual_refs\": [\"ACC_SALE_001\"], \"amount_settled\": 50.00, \"currency\": \"USD\", \"settlement_status\": \"completed\"}'),
 ('SHOP_2026_Q1_SALE_001', 'ACC_SALE_001', 'ACC', '{\"arrangement_refs\": [], \"output\": 50.00, \"currency\": \"USD\"}');
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core) VALUES
 ('SHOP_2026_Q1_SALE_001', '2026-01-25T14:30:00Z',
  '{\"entity\": \"Main Street Coffee Shop\", \"transaction_type\": \"pos_sale\", \"total_value\": 50.00, \"status\": \"completed\"}');
COMMIT;"
foray_cq $C -c "$README_SQL" >/dev/null 2>"$FORAY_TMP/citus-readme.err"
single -c "$README_SQL" >/dev/null
check "README example: no error" "" "$(cat "$FORAY_TMP/citus-readme.err")"
both "SELECT component_id || '=' || status FROM foray.foray_components WHERE transaction_id = 'SHOP_2026_Q1_SALE_001' ORDER BY 1" \
	"README example: the components' statuses as on one node"
check "README example: ready_to_anchor" "ready_to_anchor" \
	"$(foray_cq $C -c "SELECT lifecycle FROM foray.foray_transactions WHERE transaction_id = 'SHOP_2026_Q1_SALE_001'")"
both "SELECT transaction_seq || ' ' || event_kind || ' ' || subject_id || ' ' || payload FROM foray.memory_events
	WHERE transaction_id = 'SHOP_2026_Q1_SALE_001' ORDER BY transaction_seq" \
	"README example: its five events, numbered 1..5, as on one node"

# ---------------------------------------------------------------------
# Readiness in any order, over many transactions on both workers, in one
# SQL transaction; a deferred check failing the whole distributed one
# ---------------------------------------------------------------------
ORDER_SQL="BEGIN;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
SELECT 'ORDER_' || t, 'ACT_' || t, 'ACT', jsonb_build_object('accrual_refs', jsonb_build_array('ACC_' || t)) FROM generate_series(1, 24) t;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
SELECT 'ORDER_' || t, 'ACC_' || t, 'ACC', jsonb_build_object('arrangement_refs', jsonb_build_array('ARR_' || t)) FROM generate_series(1, 24) t;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
SELECT 'ORDER_' || t, '2026-02-01T00:00:00Z', '{\"entity\": \"E\", \"transaction_type\": \"t\"}' FROM generate_series(1, 24) t;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
SELECT 'ORDER_' || t, 'ARR_' || t, 'ARR', '{}' FROM generate_series(1, 24) t;
COMMIT;"
foray_cq $C -c "$ORDER_SQL" >/dev/null 2>"$FORAY_TMP/citus-order.err"
single -c "$ORDER_SQL" >/dev/null
check "24 transactions written in reverse dependency order: no error" "" "$(cat "$FORAY_TMP/citus-order.err")"
check "they are spread over both workers" "2" \
	"$(for t in $(seq 1 24); do node_of "ORDER_$t"; done | sort -u | wc -l)"
both "SELECT lifecycle || ' ' || count(*) FROM foray.foray_transactions WHERE transaction_id LIKE 'ORDER\_%' GROUP BY lifecycle ORDER BY 1" \
	"readiness: every one ready_to_anchor, as on one node"
both "SELECT status || ' ' || count(*) FROM foray.foray_components WHERE transaction_id LIKE 'ORDER\_%' GROUP BY status ORDER BY 1" \
	"readiness: the components' statuses as on one node"
both "SELECT count(*) || ' ' || count(DISTINCT transaction_id) || ' ' || bool_and(transaction_seq BETWEEN 1 AND 20) FROM foray.memory_events WHERE transaction_id LIKE 'ORDER\_%'" \
	"their events: as many as on one node"
check "each transaction's events are numbered 1..n without gaps" "" \
	"$(foray_cq $C -c "SELECT transaction_id FROM foray.memory_events WHERE transaction_id LIKE 'ORDER\_%'
		GROUP BY transaction_id HAVING max(transaction_seq) <> count(*) OR min(transaction_seq) <> 1")"
DANGLE="BEGIN;
		INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
		SELECT 'DANGLE_' || t, '2026-02-01T00:00:00Z', '{\"entity\": \"E\", \"transaction_type\": \"t\"}' FROM generate_series(1, 8) t;
		INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
		SELECT 'DANGLE_' || t, 'ARR_' || t, 'ARR', '{}' FROM generate_series(1, 8) t;
		INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
		VALUES ('DANGLE_3', 'ACC_X', 'ACC', '{\"arrangement_refs\": [\"ARR_NOWHERE\"]}');
		COMMIT;"
want=$(single -v VERBOSITY=verbose -c "$DANGLE" 2>&1 | sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p' | head -n 1)
check "a dangling reference fails the whole distributed transaction at commit ($want, as on one node)" "$want" "$(state $C "$DANGLE")"
check "and nothing of it was committed, on any worker" "0 0" \
	"$(foray_cq $C -F' ' -c "SELECT (SELECT count(*) FROM foray.foray_transactions WHERE transaction_id LIKE 'DANGLE\_%'),
		(SELECT count(*) FROM foray.foray_components WHERE transaction_id LIKE 'DANGLE\_%')")"

# ---------------------------------------------------------------------
# Documents: import every v4.1 example through the coordinator
# ---------------------------------------------------------------------
imported=""
imported_single=""
for f in test/examples/*-v41.json; do
	r=$(foray_cq $C -v doc="$(cat "$f")" 2>&1 <<<"SELECT foray.import_document_text(:'doc') ->> 'status'" | head -n 1)
	r1=$(single -v doc="$(cat "$f")" 2>&1 <<<"SELECT foray.import_document_text(:'doc') ->> 'status'" | head -n 1)
	imported="$imported $(basename "$f" .json)=$r"
	imported_single="$imported_single $(basename "$f" .json)=$r1"
done
check "import_document_text of every v4.1 example: imported or refused as on one node" "$imported_single" "$imported"
check "most of them imported" "t" "$([ "$(echo "$imported" | grep -o '=imported' | wc -l)" -ge 4 ] && echo t || echo f)"
r=$(foray_cq $C -v doc="$(cat test/examples/cash-sale-v41.json)" 2>&1 <<<"SELECT foray.import_document_text(:'doc') ->> 'status'")
check "importing one again: unchanged" "unchanged" "$r"
DOCS="SELECT transaction_id FROM foray.foray_transactions WHERE transaction_id NOT LIKE 'ORDER\_%' AND transaction_id NOT LIKE 'SHOP\_%' ORDER BY 1"
mapfile -t TXS < <(single -c "$DOCS")
check "the imported transactions are on the coordinator's tables" "$(single -c "$DOCS" | tr '\n' ' ')" "$(foray_cq $C -c "$DOCS" | tr '\n' ' ')"
both "SELECT transaction_id || ' ' || lifecycle FROM foray.foray_transactions ORDER BY 1" "every lifecycle as on one node"
hashes=""
for tx in "${TXS[@]}" SHOP_2026_Q1_SALE_001; do
	hashes="$hashes$(foray_cq $C -c "SELECT * FROM foray.transaction_hashes('$tx')" -c "SELECT foray.anchor_envelope_text('$tx')" 2>&1)
"
done
hashes_single=""
for tx in "${TXS[@]}" SHOP_2026_Q1_SALE_001; do
	hashes_single="$hashes_single$(single -c "SELECT * FROM foray.transaction_hashes('$tx')" -c "SELECT foray.anchor_envelope_text('$tx')" 2>&1)
"
done
check "transaction_hashes and anchor envelopes equal the single node's (${#TXS[@]} documents and the README's)" \
	"$hashes_single" "$hashes"
both "SELECT foray.export_document('AP_2026_Q1_BATCH_PAYMENT_001')" "export_document as on one node"
both "SELECT foray.inclusion_proof('AP_2026_Q1_BATCH_PAYMENT_001', 'ACT_BATCH_PAYMENT_001')" "an inclusion proof as on one node"

# ---------------------------------------------------------------------
# Anchoring, sealing, amending (delegated to the node holding each)
# ---------------------------------------------------------------------
ANCHOR="SELECT count(foray.record_anchor(transaction_id, foray.anchor_envelope(transaction_id) ->> 'merkle_root',
	'kaspa:' || transaction_id, 2850000, 1100, '2026-03-01T00:00:00Z'))
	FROM (SELECT transaction_id FROM foray.foray_transactions WHERE lifecycle = 'ready_to_anchor'
		   AND transaction_id NOT LIKE 'ORDER\_%' ORDER BY 1) q"
n_single=$(single -c "$ANCHOR" 2>&1)
for tx in $(foray_cq $C -c "SELECT transaction_id FROM foray.foray_transactions WHERE lifecycle = 'ready_to_anchor' AND transaction_id NOT LIKE 'ORDER\_%' ORDER BY 1"); do
	foray_cq $C -c "SELECT foray.record_anchor('$tx', foray.anchor_envelope('$tx') ->> 'merkle_root', 'kaspa:$tx', 2850000, 1100, '2026-03-01T00:00:00Z')" >/dev/null 2>>"$FORAY_TMP/citus-anchor.err"
done
check "record_anchor of every ready transaction ($n_single)" "$n_single" \
	"$(foray_cq $C -c "SELECT count(*) FROM foray.foray_transactions WHERE lifecycle = 'anchored'")"
both "SELECT transaction_id || ' ' || merkle_root FROM foray.foray_transactions WHERE merkle_root IS NOT NULL ORDER BY 1" \
	"the stored merkle roots equal the single node's"
root=$(foray_cq $C -c "SELECT merkle_root FROM foray.foray_transactions WHERE transaction_id = 'AP_2026_Q1_BATCH_PAYMENT_001'")
PROOF="SELECT foray.verify_inclusion(foray.inclusion_proof('AP_2026_Q1_BATCH_PAYMENT_001', 'ACT_BATCH_PAYMENT_001'), '$root')"
check "an inclusion proof verifies against the anchored root" "t" "$(foray_cq $C -c "$PROOF")"
check "record_anchor of an anchored transaction is refused" "$(single -v VERBOSITY=verbose -c "SELECT foray.record_anchor('AP_2026_Q1_BATCH_PAYMENT_001', 'sha256:00', 'k', 1, 1, now())" 2>&1 | sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p')" \
	"$(state $C "SELECT foray.record_anchor('AP_2026_Q1_BATCH_PAYMENT_001', 'sha256:00', 'k', 1, 1, now())")"
check "seal" "ok" "$(state $C "SELECT foray.seal('SHOP_2026_Q1_SALE_001', 'archive:shop-1')")"
single -c "SELECT foray.seal('SHOP_2026_Q1_SALE_001', 'archive:shop-1')" >/dev/null
check "amend_transaction" "SHOP_2026_Q1_SALE_001_A1" \
	"$(foray_cq $C -c "SELECT foray.amend_transaction('SHOP_2026_Q1_SALE_001', 'SHOP_2026_Q1_SALE_001_A1')" 2>&1)"
single -c "SELECT foray.amend_transaction('SHOP_2026_Q1_SALE_001', 'SHOP_2026_Q1_SALE_001_A1')" >/dev/null
both "SELECT transaction_id || ' ' || lifecycle || ' ' || coalesce(amends_transaction_id, '-') || ' ' || coalesce(sealed_archive_ref, '-')
	FROM foray.foray_transactions WHERE transaction_id LIKE 'SHOP\_%' ORDER BY 1" "sealed and amended as on one node"

# ---------------------------------------------------------------------
# The rules, enforced on the shards
# ---------------------------------------------------------------------
for q in "DELETE FROM foray.foray_components WHERE transaction_id = 'AP_2026_Q1_BATCH_PAYMENT_001' AND component_id = 'ACT_BATCH_PAYMENT_001'" \
	"UPDATE foray.foray_transactions SET foray_core = foray_core WHERE transaction_id = 'SHOP_2026_Q1_SALE_001'" \
	"DELETE FROM foray.foray_transactions WHERE transaction_id = 'AP_2026_Q1_BATCH_PAYMENT_001'" \
	"INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES ('AP_2026_Q1_BATCH_PAYMENT_001', 'ARR_LATE', 'ARR', '{}')" \
	"TRUNCATE foray.foray_transactions, foray.foray_components, foray.foray_attestations" \
	"UPDATE foray.transaction_events SET payload = '{}'" \
	"DELETE FROM foray.transaction_events" \
	"DELETE FROM foray.engine_events" \
	"TRUNCATE foray.transaction_events" \
	"INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, transaction_id, actor_kind, actor_id) VALUES ('TRANSACTION_CREATED', 'TRANSACTION', 'ORDER_1', 'ORDER_1', 'system', 'x')" \
	"INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, transaction_id, actor_kind, actor_id) VALUES ('not_registered', 'TRANSACTION', 'ORDER_1', 'ORDER_1', 'system', 'x')" \
	"INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES ('ORDER_2', 'ACC_BAD', 'ACC', '{\"anticipation_refs\": [\"ANT_X\"]}')"; do
	want=$(single -v VERBOSITY=verbose -c "$q" 2>&1 | sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p' | head -n 1)
	check "refused as on one node (${want:-ok}): ${q:0:90}" "${want:-ok}" "$(state $C "$q")"
done
# on a worker, straight into its shards
wport=$(node_of AP_2026_Q1_BATCH_PAYMENT_001)
wshard=$(shard_of foray_components AP_2026_Q1_BATCH_PAYMENT_001)
check "on the worker, its shard refuses a change to an anchored transaction (23R32)" "23R32" \
	"$(state "$wport" "UPDATE $wshard SET foray_core = foray_core WHERE transaction_id = 'AP_2026_Q1_BATCH_PAYMENT_001'")"
wev=$(shard_of transaction_events AP_2026_Q1_BATCH_PAYMENT_001)
check "on the worker, a substrate event written straight into a shard is refused (42501)" "42501" \
	"$(state "$wport" "INSERT INTO $wev (event_id, seq, event_kind, subject_kind, subject_id, transaction_id, actor_kind, actor_id)
		VALUES (1, 1, 'TRANSACTION_CREATED', 'TRANSACTION', 'AP_2026_Q1_BATCH_PAYMENT_001', 'AP_2026_Q1_BATCH_PAYMENT_001', 'system', 'x')")"
check "on the worker, an event shard refuses DELETE (55R01)" "55R01" "$(state "$wport" "DELETE FROM $wev")"

# ---------------------------------------------------------------------
# Engine events; event ids across nodes
# ---------------------------------------------------------------------
foray_cq $C -c "SELECT foray.register_event_kind('engagement_opened', 'An engagement was opened.')" >/dev/null
ENGINE="INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, engagement_id, object_id,
	object_type, object_version, engagement_version, actor_kind, actor_id)
SELECT 'engagement_opened', 'MEMORY_OBJECT', o::text, e, o, 'Engagement', 1, 1, 'institution', 'dunin7'
  FROM (SELECT ('0b7c1f2e-3d4a-4b5c-8d6e-7f8091a2b3' || lpad(n::text, 2, '0'))::uuid AS e,
			   ('7d3c8a9e-0d7e-4f5c-9a53-2f4f8e1b6a' || lpad(n::text, 2, '0'))::uuid AS o FROM generate_series(10, 29) n) x"
check "engine events through the memory_events view" "ok" "$(state $C "$ENGINE")"
check "they are in engine_events, on both workers" "20 2" \
	"$(foray_cq $C -F' ' -c "SELECT count(*), count(DISTINCT event_id >> 48) FROM foray.memory_events WHERE subject_kind = 'MEMORY_OBJECT'")"
check "the same object version again is refused (23505)" "23505" \
	"$(state $C "INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, engagement_id, object_id, object_type, object_version, actor_kind, actor_id)
		VALUES ('engagement_opened', 'MEMORY_OBJECT', '7d3c8a9e-0d7e-4f5c-9a53-2f4f8e1b6a10', '0b7c1f2e-3d4a-4b5c-8d6e-7f8091a2b310', '7d3c8a9e-0d7e-4f5c-9a53-2f4f8e1b6a10', 'Engagement', 1, 'institution', 'dunin7')")"
check "an engine event about a transaction goes with its transaction's events" "ok" \
	"$(state $C "INSERT INTO foray.memory_events (event_kind, subject_kind, subject_id, transaction_id, actor_kind, actor_id)
		VALUES ('engagement_opened', 'TRANSACTION', 'ORDER_5', 'ORDER_5', 'system', 'x')")"
check "event ids are unique across nodes, and come from both workers' ranges" "t 1 2" \
	"$(foray_cq $C -F' ' -c "SELECT count(*) = count(DISTINCT event_id), min(event_id >> 48), max(event_id >> 48) FROM foray.memory_events")"

# ---------------------------------------------------------------------
# The log (docs/log.md) on the coordinator, over transactions of both workers
# ---------------------------------------------------------------------
LOGGED="SELECT transaction_id FROM foray.foray_transactions WHERE lifecycle = 'anchored' ORDER BY 1"
foray_cq $C -c "SELECT foray.log_set_origin('example.com/citus')" >/dev/null
single -c "SELECT foray.log_set_origin('example.com/citus')" >/dev/null
for tx in $(foray_cq $C -c "$LOGGED"); do
	foray_cq $C -c "SELECT foray.log_append('$tx')" >/dev/null 2>>"$FORAY_TMP/citus-log.err"
	single -c "SELECT foray.log_append('$tx')" >/dev/null
done
check "log_append on the coordinator, one by one: no error" "" "$(cat "$FORAY_TMP/citus-log.err" 2>/dev/null)"
both "SELECT foray.log_size() || ' ' || foray.log_root(foray.log_size())" "the log's size and root as on one node"
both "SELECT foray.log_inclusion_proof('AP_2026_Q1_BATCH_PAYMENT_001')" "a log inclusion proof as on one node"
check "it verifies against the log's root" "t" \
	"$(foray_cq $C -c "SELECT foray.log_verify_inclusion(p ->> 'leaf_hash', p, foray.log_size(), foray.log_root(foray.log_size()))
		FROM foray.log_inclusion_proof('AP_2026_Q1_BATCH_PAYMENT_001') p")"
check "log_append_ready(n) is refused on Citus (docs/scale-out.md)" "0A000" "$(state $C "SELECT foray.log_append_ready(5)")"

# ---------------------------------------------------------------------
# verify(): clean, then a row changed behind the substrate's back on a worker
# ---------------------------------------------------------------------
check "verify() finds nothing" "" "$(foray_cq $C -c "SELECT * FROM foray.verify()" 2>&1)"
"$FORAY_PGBIN/psql" -X -q -h 127.0.0.1 -p "$wport" -U postgres -d "$FORAY_CITUS_DB" -c "SET session_replication_role = replica;
	UPDATE $wshard SET foray_core = foray_core || '{\"amount_settled\": 1}'
	 WHERE transaction_id = 'AP_2026_Q1_BATCH_PAYMENT_001' AND component_id = 'ACT_BATCH_PAYMENT_001'" >/dev/null
check "verify() finds the row tampered with on a worker" "AP_2026_Q1_BATCH_PAYMENT_001 ACT_BATCH_PAYMENT_001" \
	"$(foray_cq $C -F' ' -c "SELECT DISTINCT transaction_id, component_id FROM foray.verify() WHERE component_id IS NOT NULL" 2>&1)"
check "verify(tx) too" "t" "$(foray_cq $C -c "SELECT count(*) > 0 FROM foray.verify('AP_2026_Q1_BATCH_PAYMENT_001')" 2>&1)"

# ---------------------------------------------------------------------
# Clients writing disjoint transactions at the same time, one FORAY
# transaction per SQL transaction, each in reverse dependency order; and the
# time of one client against two (figures only: the machine is shared)
# ---------------------------------------------------------------------
client_sql() {	# client_sql PREFIX COUNT
	for t in $(seq 1 "$2"); do
		echo "BEGIN;
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES
 ('$1_$t', 'ACT_1', 'ACT', '{\"accrual_refs\": [\"ACC_1\"]}'), ('$1_$t', 'ACC_1', 'ACC', '{\"arrangement_refs\": [\"ARR_1\"]}');
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
 VALUES ('$1_$t', '2026-02-01T00:00:00Z', '{\"entity\": \"E\", \"transaction_type\": \"t\"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES ('$1_$t', 'ARR_1', 'ARR', '{}');
COMMIT;"
	done
}
NCLIENT=${FORAY_CITUS_CLIENT_TXS:-60}
client_sql ONE "$NCLIENT" >"$FORAY_TMP/citus-one.sql"
client_sql TWO_A "$NCLIENT" >"$FORAY_TMP/citus-two-a.sql"
client_sql TWO_B "$NCLIENT" >"$FORAY_TMP/citus-two-b.sql"
t0=$(date +%s.%N)
foray_cq $C -f "$FORAY_TMP/citus-one.sql" >/dev/null 2>"$FORAY_TMP/citus-one.err"
t1=$(date +%s.%N)
foray_cq $C -f "$FORAY_TMP/citus-two-a.sql" >/dev/null 2>"$FORAY_TMP/citus-two-a.err" &
pa=$!
foray_cq $C -f "$FORAY_TMP/citus-two-b.sql" >/dev/null 2>"$FORAY_TMP/citus-two-b.err"
wait $pa
t2=$(date +%s.%N)
check "one client, then two at once: no error" "" "$(cat "$FORAY_TMP"/citus-one.err "$FORAY_TMP"/citus-two-*.err)"
check "every one of their transactions ready_to_anchor" "$((3 * NCLIENT))" \
	"$(foray_cq $C -c "SELECT count(*) FROM foray.foray_transactions WHERE transaction_id ~ '^(ONE|TWO_A|TWO_B)_' AND lifecycle = 'ready_to_anchor'")"
single -f "$FORAY_TMP/citus-one.sql" >/dev/null
both "SELECT transaction_seq || ' ' || event_kind || ' ' || subject_id || ' ' || payload FROM foray.memory_events
	WHERE transaction_id = 'ONE_7' ORDER BY transaction_seq" "one of them: its events as on one node"
check "each with its 7 events, numbered 1..7" "$((21 * NCLIENT)) 1 7" \
	"$(foray_cq $C -F' ' -c "SELECT count(*), min(transaction_seq), max(transaction_seq) FROM foray.memory_events WHERE transaction_id ~ '^(ONE|TWO_A|TWO_B)_'")"
echo "# one client: $NCLIENT FORAY transactions in $(python3 -c "print(f'{$t1 - $t0:.2f}')") s; two clients: $((2 * NCLIENT)) in $(python3 -c "print(f'{$t2 - $t1:.2f}')") s (throughput ratio $(python3 -c "print(f'{(2 * ($t1 - $t0)) / ($t2 - $t1):.2f}')"))"

# ---------------------------------------------------------------------
# The pg_regress files, in a database of their own on the cluster
# (distributed before the first file runs): each result, with the
# differences that are only Citus's way of reporting the same outcome undone
# (test/citus/regress_normalize.py), equals the single node's expected
# output.  The files not run here, and why (docs/scale-out.md, "Tests"):
REGRESS_EXCLUDED="anchor commitment documents_import event_log log loomworks_admit readiness transactions"
# ---------------------------------------------------------------------
regress_db=foray_citus_regress
regress_out="$FORAY_TMP/citus-regress"
rm -rf "$regress_out"
mkdir -p "$regress_out"
FORAY_CITUS_DB=$regress_db foray_citus_start >/dev/null 2>&1
FORAY_CITUS_DB=$regress_db foray_cq $C -c "CREATE EXTENSION foray_substrate" -c "SET client_min_messages = warning" -c "SELECT foray.distribute()" >/dev/null
regress_tests=$(for f in sql/*.sql; do b=$(basename "$f" .sql); case " foray_substrate--* $REGRESS_EXCLUDED " in *" $b "*) ;; *) case "$b" in foray_substrate--*) ;; *) echo "$b";; esac;; esac; done)
"$FORAY_PG_REGRESS" --inputdir=. --outputdir="$regress_out" --bindir="$FORAY_PGBIN" --host=127.0.0.1 --port="$C" \
	--user=postgres --use-existing --dbname=$regress_db $regress_tests >"$regress_out/pg_regress.log" 2>&1
for b in $regress_tests; do
	if [ -f "$regress_out/results/$b.out" ]; then
		python3 test/citus/regress_normalize.py "$regress_out/results/$b.out"
		check "pg_regress $b on Citus: as on one node" "" "$(diff expected/$b.out "$regress_out/results/$b.out" | head -n 20)"
	else
		check "pg_regress $b on Citus: as on one node" "a result" "none (tmp/citus-regress/pg_regress.log)"
	fi
done
check "the pg_regress files run on Citus, and the ones excluded, are every file" \
	"$(ls sql/*.sql | grep -vc 'foray_substrate--')" "$(( $(echo $regress_tests | wc -w) + $(echo $REGRESS_EXCLUDED | wc -w) ))"
foray_cq $C -c "DROP DATABASE $regress_db WITH (FORCE)" >/dev/null 2>&1
for p in $W1 $W2; do foray_cq $p -c "DROP DATABASE IF EXISTS $regress_db WITH (FORCE)" >/dev/null 2>&1; done

# ---------------------------------------------------------------------
# ALTER EXTENSION UPDATE on the distributed, populated installation
# (docs/scale-out.md, "Updating"): a test-only version whose script makes
# the kinds of change a real update makes, installed beside the shipped
# scripts for the length of this section
# ---------------------------------------------------------------------
probe_script="$FORAY_SANDBOX$("$(foray_pg_config)" --sharedir)/extension/foray_substrate--0.5.0--0.5.0-probe.sql"
cp test/citus/update/foray_substrate--0.5.0--0.5.0-probe.sql "$probe_script"
trap 'rm -f "$probe_script"; [ "${FORAY_CITUS_KEEP:-0}" = 1 ] || foray_citus_stop' EXIT
root_before=$(foray_cq $C -c "SELECT foray.anchor_envelope('AP_2026_Q1_BATCH_PAYMENT_001') ->> 'merkle_root'")
ncomp=$(foray_cq $C -c "SELECT count(*) FROM foray.foray_components")
check "ALTER EXTENSION UPDATE on the coordinator" "" \
	"$(foray_cq $C -c "SET client_min_messages = warning" -c "ALTER EXTENSION foray_substrate UPDATE TO '0.5.0-probe'" 2>&1)"
check "every node is at the new version" "0.5.0-probe 0.5.0-probe 0.5.0-probe" \
	"$(for p in $C $W1 $W2; do foray_cq $p -c "SELECT extversion FROM pg_extension WHERE extname = 'foray_substrate'"; done | tr '\n' ' ' | sed 's/ $//')"
check "its new function exists on every node" "updated updated updated" \
	"$(for p in $C $W1 $W2; do foray_cq $p -c "SELECT foray.update_probe()"; done | tr '\n' ' ' | sed 's/ $//')"
SHARD_FACTS="SELECT (SELECT count(*) FROM %1\$s WHERE probe_note IS DISTINCT FROM 'before the update')
	|| ' ' || (SELECT count(*) FROM pg_trigger WHERE tgrelid = '%1\$s'::regclass AND tgname LIKE 'zz_update_probe%%')
	|| (SELECT count(*) FROM pg_constraint WHERE conrelid = '%1\$s'::regclass AND conname LIKE 'foray_components_probe_note_short%%')
	|| (SELECT count(*) FROM pg_index WHERE indrelid = '%1\$s'::regclass AND indexrelid::regclass::text LIKE '%%probe_idx%%')
	|| ' ' || has_column_privilege('foray_auditor', '%1\$s', 'probe_note', 'SELECT')"
check "on every shard: the new column filled with its default, the trigger, the CHECK, the index, the grant" \
	"$(foray_cq $C -c "SELECT count(*) FROM pg_dist_shard WHERE logicalrelid = 'foray.foray_components'::regclass") × 0 111 true" \
	"$(foray_cq $C -c "SELECT count(*) || ' × ' || min(result) FROM run_command_on_shards('foray.foray_components', \$\$$SHARD_FACTS\$\$) HAVING min(result) = max(result)")"
check "the log, which stays on the coordinator, has its new column" "1" \
	"$(foray_cq $C -c "SELECT count(*) FROM pg_attribute WHERE attrelid = 'foray.log_entries'::regclass AND attname = 'probe_note'")"
check "the rows and the merkle root are unchanged" "$ncomp $root_before" \
	"$(foray_cq $C -F' ' -c "SELECT (SELECT count(*) FROM foray.foray_components), foray.anchor_envelope('AP_2026_Q1_BATCH_PAYMENT_001') ->> 'merkle_root'")"
foray_cq $C >/dev/null 2>&1 <<'SQL'
BEGIN;
INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('UPDATED_1', '2026-03-01T00:00:00Z', '{"entity": "E", "transaction_type": "t"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core)
VALUES ('UPDATED_1', 'ARR_1', 'ARR', '{}'), ('UPDATED_1', 'ACC_1', 'ACC', '{"arrangement_refs": ["ARR_1"]}');
COMMIT;
SQL
check "a write after the update: the new trigger ran on the worker's shard, the substrate's rules too" \
	"noted on $(shard_of foray_components UPDATED_1 | sed 's/^foray\.//') ready_to_anchor" \
	"$(foray_cq $C -F' ' -c "SELECT min(c.probe_note), t.lifecycle FROM foray.foray_components c JOIN foray.foray_transactions t USING (transaction_id)
		WHERE transaction_id = 'UPDATED_1' GROUP BY t.lifecycle")"
check "the new CHECK holds on the shards" "23514" \
	"$(state $C "UPDATE foray.foray_components SET probe_note = repeat('x', 200) WHERE transaction_id = 'UPDATED_1'")"
check "foray.distribute() after the update: nothing left to do" "already distributed" "$(foray_cq $C -c "SELECT foray.distribute()" 2>&1)"
check "verify() still finds only the row tampered with above" "AP_2026_Q1_BATCH_PAYMENT_001" \
	"$(foray_cq $C -c "SELECT DISTINCT transaction_id FROM foray.verify()" 2>&1)"
check "foray.apply_table_ddl by hand on a distributed table: refused, it would change one node (55000)" "55000" \
	"$(state $C "SELECT foray.apply_table_ddl('foray.foray_components', 'ALTER TABLE foray.foray_components ADD COLUMN one_node text')")"
check "foray.apply_table_ddl is the DBA's alone" "42501" \
	"$(state $C "SET ROLE foray_application; SELECT foray.apply_table_ddl('foray.foray_components', 'SELECT 1')")"

foray_psql -d postgres -c "DROP DATABASE IF EXISTS $SINGLE" >/dev/null
echo "# the Citus suite ran $(( $(date +%s) - start )) s"
foray_tally "$foray_passed" "$foray_failed"
