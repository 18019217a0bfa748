-- test/legacy/variant/data.sql: the rows of the second legacy fixture
-- (test/legacy/variant/schema.sql), written by hand.  Needs the extension
-- (foray.loomworks_content_hash, for the content hashes Loomworks wrote).
-- The rows that arrive after a first migration are in late.sql.
--
-- Persons P1 (a1...01, haiku credits) and P2 (a1...02, sonnet credits).
-- Rates per million tokens, with history: sonnet credits for haiku input
-- tokens cost 200 until 2026-01-01, 250 since.

BEGIN;

INSERT INTO public.persons (id, email) VALUES
	('a1000000-0000-4000-8000-000000000001', 'p1@example.org'),
	('a1000000-0000-4000-8000-000000000002', 'p2@example.org');
-- P1's credential, registered; its id as the assertion carries it is the
-- padded base64url ABEiM0RVZneImaq7zN3u_w==
INSERT INTO public.webauthn_credentials (id, person_id, credential_id, public_key) VALUES
	('f1000000-0000-4000-8000-000000000001', 'a1000000-0000-4000-8000-000000000001',
	 '\x00112233445566778899aabbccddeeff', '\x01');

INSERT INTO credit.credit_conversion_rates (credit_asset_id, token_asset_id, rate, effective_from, superseded_at) VALUES
	('loomworks_credit_sonnet', 'anthropic_haiku_4_input', 200, '2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
	('loomworks_credit_sonnet', 'anthropic_haiku_4_input', 250, '2026-01-01T00:00:00Z', NULL),
	('loomworks_credit_haiku', 'anthropic_haiku_4_input', 250, '2025-01-01T00:00:00Z', NULL),
	('loomworks_credit_haiku', 'anthropic_haiku_4_output', 1250, '2025-01-01T00:00:00Z', NULL),
	('loomworks_credit_haiku', 'anthropic_sonnet_4_input', 900, '2025-01-01T00:00:00Z', NULL),
	('loomworks_credit_haiku', 'anthropic_sonnet_4_output', 4500, '2025-01-01T00:00:00Z', NULL);

INSERT INTO credit.foray_action_flows (flow_id, transaction_id, flow_type, asset_id, from_party, to_party, qty, flow_metadata, recorded_at) VALUES
	-- T0, P2 on sonnet credits, before the rate change: metadata NULL
	('c0000000-0000-4000-8000-000000000001', 'b0000000-0000-4000-8000-000000000000', 'consumption', 'anthropic_haiku_4_input',
	 'anthropic', 'a1000000-0000-4000-8000-000000000002', 1000, NULL, '2025-12-15T10:00:00.001Z'),
	('c0000000-0000-4000-8000-000000000002', 'b0000000-0000-4000-8000-000000000000', 'consumption', 'loomworks_credit_sonnet',
	 'a1000000-0000-4000-8000-000000000002', 'dunin7', 0.2, NULL, '2025-12-15T10:00:00.005Z'),
	-- T1, P1 on haiku credits: NULL metadata, a rate as a string, a
	-- credit_asset_id key and no rate, a rate as a number; the debit
	('c0000000-0000-4000-8000-000000000011', 'b0000000-0000-4000-8000-000000000001', 'consumption', 'anthropic_haiku_4_input',
	 'anthropic', 'a1000000-0000-4000-8000-000000000001', 1000, NULL, '2026-02-01T09:00:00.001Z'),
	('c0000000-0000-4000-8000-000000000012', 'b0000000-0000-4000-8000-000000000001', 'consumption', 'anthropic_haiku_4_output',
	 'anthropic', 'a1000000-0000-4000-8000-000000000001', 40,
	 '{"role": "classifier", "direction": "output", "model": "claude-haiku-4", "rate_per_million": "1250.000000", "credit_asset_id": "loomworks_credit_haiku"}',
	 '2026-02-01T09:00:00.002Z'),
	('c0000000-0000-4000-8000-000000000013', 'b0000000-0000-4000-8000-000000000001', 'consumption', 'anthropic_sonnet_4_input',
	 'anthropic', 'a1000000-0000-4000-8000-000000000001', 2000,
	 '{"role": "responder", "direction": "input", "model": "claude-sonnet-4", "credit_asset_id": "loomworks_credit_haiku"}',
	 '2026-02-01T09:00:00.003Z'),
	('c0000000-0000-4000-8000-000000000014', 'b0000000-0000-4000-8000-000000000001', 'consumption', 'anthropic_sonnet_4_output',
	 'anthropic', 'a1000000-0000-4000-8000-000000000001', 100, '{"rate_per_million": 4500}', '2026-02-01T09:00:00.004Z'),
	('c0000000-0000-4000-8000-000000000015', 'b0000000-0000-4000-8000-000000000001', 'consumption', 'loomworks_credit_haiku',
	 'a1000000-0000-4000-8000-000000000001', 'dunin7', 2.55, NULL, '2026-02-01T09:00:00.005Z'),
	-- T2 and T3: turns without their debit row; the currency from
	-- metadata credit_asset, then credit_asset_id
	('c0000000-0000-4000-8000-000000000021', 'b0000000-0000-4000-8000-000000000002', 'consumption', 'anthropic_haiku_4_input',
	 'anthropic', 'a1000000-0000-4000-8000-000000000001', 400,
	 '{"credit_asset": "loomworks_credit_haiku", "rate_per_million": 250}', '2026-02-02T09:00:00Z'),
	('c0000000-0000-4000-8000-000000000031', 'b0000000-0000-4000-8000-000000000003', 'consumption', 'anthropic_haiku_4_output',
	 'anthropic', 'a1000000-0000-4000-8000-000000000001', 800, '{"credit_asset_id": "loomworks_credit_haiku"}', '2026-02-03T09:00:00Z'),
	-- T4 issuance, T5 suspension
	('c0000000-0000-4000-8000-000000000041', 'b0000000-0000-4000-8000-000000000004', 'issuance', 'loomworks_credit_haiku',
	 'dunin7', 'a1000000-0000-4000-8000-000000000001', 1000, NULL, '2026-01-10T08:00:00Z'),
	('c0000000-0000-4000-8000-000000000051', 'b0000000-0000-4000-8000-000000000005', 'suspension', 'loomworks_account_status',
	 'dunin7', 'a1000000-0000-4000-8000-000000000002', 1, '{"previous_status": "active", "new_status": "suspended"}', '2026-02-10T08:00:00Z');

INSERT INTO audit.foray_events (event_id, tx_id, event_type, actor_person_id, payload, signature, occurred_at) VALUES
	('d0000000-0000-4000-8000-000000000001', 'd1000000-0000-4000-8000-000000000001', 'setting_change', 'a1000000-0000-4000-8000-000000000001',
	 '{"setting_key": "companion.verbosity", "previous_value": "terse", "new_value": "detailed"}', NULL, '2026-02-01T10:00:00Z'),
	('d0000000-0000-4000-8000-000000000002', 'd1000000-0000-4000-8000-000000000002', 'setting_change', 'a1000000-0000-4000-8000-000000000001',
	 '{"setting_key": "companion.verbosity", "previous_value": "detailed", "new_value": "terse"}', NULL, '2026-02-01T12:00:00Z'),
	('d0000000-0000-4000-8000-000000000003', 'd1000000-0000-4000-8000-000000000003', 'setting_change', 'a1000000-0000-4000-8000-000000000002',
	 '{"setting_key": "voice.listening.silence_ms", "new_value": "1200"}', NULL, '2026-02-01T10:30:00Z');

-- Engine events, ids 10, 20, 30, 40: a content_hash with its _foray copy;
-- one from before the column was written (NULL); a commit whose _foray
-- copy disagrees with its column, attested with P1's credential; a commit
-- attested with a credential nobody registered and no verified_at, with a
-- foray_tx_ref value.
INSERT INTO public.memory_events (id, engagement_id, engagement_version, object_id, object_type, object_version, event_kind,
	actor_kind, actor_id, payload, "timestamp", content_hash, attestation, foray_tx_ref)
SELECT v.id, 'e1000000-0000-4000-8000-000000000001', v.ev, v.oid, v.otype, v.ov, v.kind, v.ak, v.actor,
	CASE WHEN v.block = 'none' THEN v.p
		 ELSE v.p || jsonb_build_object('_foray', jsonb_build_object('anchorable', true, 'anchor_priority', 'critical',
			'content_hash', CASE v.block WHEN 'own' THEN foray.loomworks_content_hash(v.p) ELSE v.block END)) END,
	v.ts, CASE WHEN v.hashed THEN foray.loomworks_content_hash(v.p) END, v.att, v.txref
FROM (VALUES
	(10, 1, 'e2000000-0000-4000-8000-000000000001'::uuid, 'Engagement', 1, 'engagement_created', 'person',
	 'a1000000-0000-4000-8000-000000000001'::uuid, '{"title": "Studio", "confidence": "0.75"}'::jsonb, '2026-02-01T10:00:01Z'::timestamptz,
	 'own', true, NULL::jsonb, NULL),
	(20, 2, 'e2000000-0000-4000-8000-000000000002', 'Seed', 1, 'seed_drafted', 'companion',
	 'a2000000-0000-4000-8000-000000000001', '{"body": "draft"}', '2026-02-01T10:00:02Z', 'none', false, NULL, NULL),
	(30, 3, 'e2000000-0000-4000-8000-000000000001', 'Engagement', 2, 'engagement_committed', 'person',
	 'a1000000-0000-4000-8000-000000000001', '{"state": "committed"}', '2026-02-01T11:00:00Z', 'deadbeef', true,
	 '{"type": "webauthn.get", "credential_id": "ABEiM0RVZneImaq7zN3u_w==", "verified_at": "2026-02-01T10:59:59Z", "sign_count": 3}', NULL),
	(40, 4, 'e2000000-0000-4000-8000-000000000001', 'Engagement', 3, 'engagement_committed', 'person',
	 'a1000000-0000-4000-8000-000000000002', '{"state": "committed", "note": "second"}', '2026-02-01T11:30:00Z', 'none', true,
	 '{"type": "webauthn.get", "credential_id": "AAAAAAAAAAAAAAAAAAAAAA", "sign_count": 1}', 'FORAY_TX_LEGACY_1')
) AS v(id, ev, oid, otype, ov, kind, ak, actor, p, ts, block, hashed, att, txref)
ORDER BY v.id;
SELECT setval(pg_get_serial_sequence('public.memory_events', 'id'), 40);

COMMIT;
