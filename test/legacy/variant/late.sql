-- test/legacy/variant/late.sql: rows of the second fixture that arrive
-- after a first migration, each sorting before rows already migrated: a
-- setting change between P1's two migrated ones, an engine event whose id
-- (25) fills a gap below migrated ids, a consumption turn older than every
-- migrated one (priced from the rate table as of its time: 200), and a
-- second row of the migrated issuance T4.
BEGIN;
INSERT INTO audit.foray_events (event_id, tx_id, event_type, actor_person_id, payload, signature, occurred_at) VALUES
	('d0000000-0000-4000-8000-000000000004', 'd1000000-0000-4000-8000-000000000004', 'setting_change', 'a1000000-0000-4000-8000-000000000001',
	 '{"setting_key": "companion.verbosity", "previous_value": "detailed", "new_value": "verbose"}', NULL, '2026-02-01T11:00:00Z');
INSERT INTO public.memory_events (id, engagement_id, engagement_version, object_id, object_type, object_version, event_kind,
	actor_kind, actor_id, payload, "timestamp", content_hash)
VALUES (25, 'e1000000-0000-4000-8000-000000000001', 5, 'e2000000-0000-4000-8000-000000000003', 'Assertion', 1, 'assertion_proposed',
	'contributor', 'a3000000-0000-4000-8000-000000000001', '{"text": "late"}', '2026-02-01T10:30:00Z',
	foray.loomworks_content_hash('{"text": "late"}'));
INSERT INTO credit.foray_action_flows (flow_id, transaction_id, flow_type, asset_id, from_party, to_party, qty, flow_metadata, recorded_at) VALUES
	('c0000000-0000-4000-8000-000000000061', 'b0000000-0000-4000-8000-000000000006', 'consumption', 'anthropic_haiku_4_input',
	 'anthropic', 'a1000000-0000-4000-8000-000000000002', 500, NULL, '2025-11-01T09:00:00Z'),
	('c0000000-0000-4000-8000-000000000062', 'b0000000-0000-4000-8000-000000000006', 'consumption', 'loomworks_credit_sonnet',
	 'a1000000-0000-4000-8000-000000000002', 'dunin7', 0.1, NULL, '2025-11-01T09:00:00.001Z'),
	('c0000000-0000-4000-8000-000000000042', 'b0000000-0000-4000-8000-000000000004', 'issuance', 'loomworks_credit_haiku',
	 'dunin7', 'a1000000-0000-4000-8000-000000000001', 250, NULL, '2026-01-10T08:00:01Z');
COMMIT;
