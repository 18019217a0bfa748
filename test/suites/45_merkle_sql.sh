#!/usr/bin/env bash
# Cross-check of commitment scheme 1 against a second implementation:
# random transactions (any insert order, audit data, attestations) are
# loaded and marked scheme 1 (what a transaction anchored by 0.4.0 keeps:
# docs/merkle.md), and the server's transaction_hashes, anchor_envelope and
# every inclusion proof (verified with verify_inclusion) must equal what
# test/core/merkle_ref.py computes.  Scheme 2: 47_commitment_xcheck.sh.
source test/lib.sh
out="$FORAY_TMP/crosscheck"
mkdir -p "$out"
db=foray_merkle_xc
foray_fresh_db $db >/dev/null 2>&1 || { foray_tally 0 1; exit 1; }
python3 test/core/merkle_crosscheck.py gen 40 4242 "$out/expected.json" >"$out/load.sql" \
	&& foray_psql -d $db -f "$out/load.sql" >/dev/null \
	&& foray_psql -d $db -c "SET session_replication_role = replica" \
		-c "UPDATE foray.foray_transactions SET commitment_scheme = 1" >/dev/null \
	&& foray_psql -d $db -At >"$out/server.json" <<'SQL'
SELECT jsonb_object_agg(t.transaction_id, jsonb_build_object(
	'hashes', (SELECT to_jsonb(h) FROM foray.transaction_hashes(t.transaction_id) h),
	'envelope', foray.anchor_envelope(t.transaction_id),
	'proofs', (SELECT jsonb_object_agg(m.id, p.proof || jsonb_build_object('verified',
					foray.verify_inclusion(p.proof->>'leaf_hash', p.proof, p.proof->>'merkle_root')))
				 FROM (SELECT component_id AS id FROM foray.foray_components c WHERE c.transaction_id = t.transaction_id
					   UNION ALL
					   SELECT attestation_id FROM foray.foray_attestations a WHERE a.transaction_id = t.transaction_id) m,
					  LATERAL (SELECT foray.inclusion_proof(t.transaction_id, m.id) AS proof) p)))
  FROM foray.foray_transactions t;
SQL
if [ $? -ne 0 ]; then
	foray_tally 0 1
	exit 1
fi
python3 test/core/merkle_crosscheck.py check "$out/expected.json" "$out/server.json"
