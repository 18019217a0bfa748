-- Attestations (spec §9): the cross-cutting fifth.
\set SHOW_CONTEXT never
\set VERBOSITY default

INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core)
VALUES ('ATT_TX', '2026-01-15T00:00:00Z', '{"entity": "Honey Co", "transaction_type": "export"}');
INSERT INTO foray.foray_components (transaction_id, component_id, component_type, foray_core) VALUES
 ('ATT_TX', 'ARR_BATCH', 'ARR', '{"parties": [{"name": "Producer"}]}'),
 ('ATT_TX', 'ACT_SHIP', 'ACT', '{"arrangement_refs": ["ARR_BATCH"], "amount_settled": 5}');

-- a chain: lab analysis, then a certification that depends on it; inserted
-- certification first (refs are checked at commit)
BEGIN;
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core) VALUES
 ('ATT_TX', 'ATT_CERT', '{"attestor": "UMF Honey Association", "attestor_hash": "sha256:abc",
   "attestor_type": "certification_body", "attestor_credentials": ["NZ_Govt_Recognized"],
   "subject_refs": ["ARR_BATCH", "ATT_LAB"], "attestation_type": "certification",
   "attestation_date": "2026-01-14T14:00:00Z", "validity_period": {"start": "2026-01-14", "end": "2026-12-31"},
   "outcome": "certified", "evidence_location": "off-chain", "dependencies": ["ATT_LAB"]}');
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core) VALUES
 ('ATT_TX', 'ATT_LAB', '{"attestor": "Analytica Lab", "attestor_hash": "sha256:def", "attestor_type": "laboratory",
   "subject_refs": ["ARR_BATCH"], "attestation_type": "analysis",
   "attestation_date": "2026-01-10T09:30:00+13:00", "outcome": "certified"}');
COMMIT;
SELECT attestation_id, attestor, attestor_type, attestation_type, outcome, subject_refs, dependencies,
	   attestation_date AT TIME ZONE 'UTC' AS attestation_date_utc, validity_period_start, validity_period_end
  FROM foray.foray_attestations WHERE transaction_id = 'ATT_TX' ORDER BY 1;

-- refusing
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core) VALUES
 ('ATT_TX', 'CERT_1', '{}');
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core) VALUES
 ('ATT_TX', 'ATT_NOATTESTOR', '{"attestor_hash": "h", "attestor_type": "auditor", "subject_refs": ["ACT_SHIP"],
   "attestation_type": "audit_opinion", "attestation_date": "2026-01-01", "outcome": "approved"}');
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core) VALUES
 ('ATT_TX', 'ATT_TYPE', '{"attestor": "X", "attestor_hash": "h", "attestor_type": "inspection_body", "subject_refs": ["ACT_SHIP"],
   "attestation_type": "inspection", "attestation_date": "2026-01-01", "outcome": "certified"}');
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core) VALUES
 ('ATT_TX', 'ATT_OUTCOME', '{"attestor": "X", "attestor_hash": "h", "attestor_type": "inspector", "subject_refs": ["ACT_SHIP"],
   "attestation_type": "inspection", "attestation_date": "2026-01-01", "outcome": "denied"}');
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core) VALUES
 ('ATT_TX', 'ATT_DATE', '{"attestor": "X", "attestor_hash": "h", "attestor_type": "inspector", "subject_refs": ["ACT_SHIP"],
   "attestation_type": "inspection", "attestation_date": "15/01/2026", "outcome": "certified"}');
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core) VALUES
 ('ATT_TX', 'ATT_EMPTY', '{"attestor": "X", "attestor_hash": "h", "attestor_type": "inspector", "subject_refs": [],
   "attestation_type": "inspection", "attestation_date": "2026-01-01", "outcome": "certified"}');
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core) VALUES
 ('ATT_TX', 'ATT_DEP', '{"attestor": "X", "attestor_hash": "h", "attestor_type": "inspector", "subject_refs": ["ACT_SHIP"],
   "attestation_type": "inspection", "attestation_date": "2026-01-01", "outcome": "certified", "dependencies": ["ACT_SHIP"]}');
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core) VALUES
 ('ATT_TX', 'ATT_SELF', '{"attestor": "X", "attestor_hash": "h", "attestor_type": "inspector", "subject_refs": ["ATT_SELF"],
   "attestation_type": "inspection", "attestation_date": "2026-01-01", "outcome": "certified"}');
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core) VALUES
 ('ATT_TX', 'ATT_WHAT', '{"attestor": "X", "attestor_hash": "h", "attestor_type": "inspector", "subject_refs": ["INVOICE_7"],
   "attestation_type": "inspection", "attestation_date": "2026-01-01", "outcome": "certified"}');
-- a subject that does not exist (at commit)
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core) VALUES
 ('ATT_TX', 'ATT_GHOST', '{"attestor": "X", "attestor_hash": "h", "attestor_type": "oracle", "subject_refs": ["ACT_GHOST"],
   "attestation_type": "verification", "attestation_date": "2026-01-01", "outcome": "pending"}');
-- a cycle through subject_refs and dependencies (ATT-006)
BEGIN;
INSERT INTO foray.foray_attestations (transaction_id, attestation_id, foray_core) VALUES
 ('ATT_TX', 'ATT_A', '{"attestor": "X", "attestor_hash": "h", "attestor_type": "auditor", "subject_refs": ["ATT_B"],
   "attestation_type": "audit_opinion", "attestation_date": "2026-01-01", "outcome": "approved"}'),
 ('ATT_TX', 'ATT_B', '{"attestor": "Y", "attestor_hash": "h", "attestor_type": "auditor", "subject_refs": ["ACT_SHIP"],
   "attestation_type": "audit_opinion", "attestation_date": "2026-01-01", "outcome": "approved", "dependencies": ["ATT_A"]}');
COMMIT;
-- an attested component cannot be removed, nor an attestation another one depends on
DELETE FROM foray.foray_components WHERE transaction_id = 'ATT_TX' AND component_id = 'ARR_BATCH';
DELETE FROM foray.foray_attestations WHERE transaction_id = 'ATT_TX' AND attestation_id = 'ATT_LAB';
-- generated columns follow foray_core
UPDATE foray.foray_attestations SET outcome = 'revoked' WHERE attestation_id = 'ATT_LAB';
UPDATE foray.foray_attestations SET foray_core = foray_core || '{"outcome": "revoked"}'
 WHERE transaction_id = 'ATT_TX' AND attestation_id = 'ATT_LAB';
SELECT attestation_id, outcome FROM foray.foray_attestations WHERE transaction_id = 'ATT_TX' ORDER BY 1;
SELECT event_kind, subject_kind, subject_id, payload->>'outcome' AS outcome
  FROM foray.memory_events WHERE transaction_id = 'ATT_TX' AND subject_kind = 'ATTESTATION' ORDER BY event_id;
