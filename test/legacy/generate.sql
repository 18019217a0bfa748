-- test/legacy/generate.sql
--
-- Fills the legacy fixture (test/legacy/schema.sql) with realistic Loomworks
-- data at any size, deterministically (setseed + random(), md5-derived ids,
-- timestamps from a fixed epoch).  Needs foray.loomworks_content_hash from
-- the extension, which reproduces how Loomworks wrote content_hash.
--
--   SELECT * FROM loomworks_fixture.generate(n_flows, n_audit, n_memory [, seed]);
--
-- Credit flows: one issuance per person (tier decides the credit asset),
-- referral credits to referrers, 5-row consumption turns (classifier in/out,
-- responder in/out, credit debit; one transaction_id per turn), a few
-- reconciliation corrections, suspension / reactivation / deletion
-- account-status rows (asset loomworks_account_status, quantity 1) and
-- balance-zeroing flows that return a deleted person's balances to dunin7.
-- Audit events: setting_change rows from the tune_setting handler.
-- Memory events: many kinds and engagements, per-object version chains,
-- _foray blocks on the 22 anchorable kinds, a WebAuthn attestation on every
-- engagement_committed, content_hash as Loomworks computed it, and a few
-- deliberately wrong hashes (about 2 in 5,000, at least 2) that the migration
-- must report.

BEGIN;

DROP SCHEMA IF EXISTS loomworks_fixture CASCADE;
CREATE SCHEMA loomworks_fixture;

-- The engine's event vocabulary used by the generator: each kind belongs to
-- an object type and either creates the object (version 1) or updates it;
-- anchor_priority is set for the kinds in Loomworks' _ANCHOR_PRIORITY.
CREATE TABLE loomworks_fixture.event_kinds (
	event_kind text PRIMARY KEY,
	object_type text NOT NULL,
	phase text NOT NULL CHECK (phase IN ('create', 'update')),
	actor_kind text NOT NULL,
	anchor_priority text
);
INSERT INTO loomworks_fixture.event_kinds VALUES
	('engagement_created', 'Engagement', 'create', 'person', 'high'),
	('engagement_committed', 'Engagement', 'update', 'person', 'critical'),
	('engagement_title_changed', 'Engagement', 'update', 'person', 'standard'),
	('seed_drafted', 'Seed', 'create', 'companion', 'standard'),
	('seed_amended', 'Seed', 'update', 'person', 'high'),
	('membership_created', 'Membership', 'create', 'person', 'high'),
	('membership_designation_changed', 'Membership', 'update', 'person', 'high'),
	('assertion_proposed', 'Assertion', 'create', 'contributor', 'standard'),
	('assertion_confirmed', 'Assertion', 'update', 'person', 'high'),
	('assertion_amended', 'Assertion', 'update', 'contributor', 'standard'),
	('shape_event_recorded', 'ShapeEvent', 'create', 'agent', 'standard'),
	('shape_event_confirmed', 'ShapeEvent', 'update', 'person', 'standard'),
	('render_requested', 'RenderEvent', 'create', 'person', NULL),
	('render_produced', 'RenderEvent', 'update', 'agent', 'standard'),
	('manifestation_created', 'Manifestation', 'create', 'agent', 'standard'),
	('manifestation_superseded', 'Manifestation', 'update', 'agent', 'standard'),
	('finding_recorded', 'Finding', 'create', 'agent', 'standard'),
	('finding_addressed', 'Finding', 'update', 'person', 'standard'),
	('drift_detected', 'DriftResult', 'create', 'agent', 'standard'),
	('drift_resolved', 'DriftResult', 'update', 'person', NULL),
	('summary_produced', 'Summary', 'create', 'agent', 'low'),
	('summary_revised', 'Summary', 'update', 'agent', NULL),
	('operator_turn', 'ConversationTurn', 'create', 'person', NULL),
	('companion_turn', 'ConversationTurn', 'update', 'companion', NULL),
	('external_production_recorded', 'ExternalProductionRecord', 'create', 'agent', 'standard'),
	('external_production_updated', 'ExternalProductionRecord', 'update', 'agent', NULL),
	('render_composition_initiated', 'RenderComposition', 'create', 'person', NULL),
	('render_composition_step_completed', 'RenderComposition', 'update', 'agent', 'standard'),
	('cadence_fired', 'CadenceFiring', 'create', 'agent', NULL),
	('cadence_closed', 'CadenceFiring', 'update', 'agent', NULL),
	('retrieval_completed', 'RetrievalResult', 'create', 'agent', 'low'),
	('retrieval_refreshed', 'RetrievalResult', 'update', 'agent', NULL);

-- Object types the generic slots cycle through (Engagement, Seed and
-- Membership open every engagement at versions 1-4).
CREATE TABLE loomworks_fixture.slot_types (n int PRIMARY KEY, object_type text NOT NULL);
INSERT INTO loomworks_fixture.slot_types VALUES
	(0, 'Assertion'), (1, 'Assertion'), (2, 'Assertion'), (3, 'ShapeEvent'),
	(4, 'RenderEvent'), (5, 'Manifestation'), (6, 'Finding'), (7, 'DriftResult'),
	(8, 'Summary'), (9, 'ConversationTurn'), (10, 'ConversationTurn'),
	(11, 'ExternalProductionRecord'), (12, 'RenderComposition'),
	(13, 'CadenceFiring'), (14, 'RetrievalResult'), (15, 'Assertion');

-- Deterministic uuid from a label.
CREATE FUNCTION loomworks_fixture.uid(label text) RETURNS uuid
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN md5(label)::uuid;

CREATE FUNCTION loomworks_fixture.b64url(b bytea) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN rtrim(translate(encode(b, 'base64'), E'+/\n', '-_'), '=');

CREATE FUNCTION loomworks_fixture.generate(
	n_flows integer, n_audit integer, n_memory integer, seed float8 DEFAULT 0.4242)
RETURNS TABLE (source text, row_count bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
	epoch constant timestamptz := '2026-01-05 09:00:00+00';
	n_persons integer := greatest(8, n_flows / 250);
	n_eng integer := greatest(3, n_memory / 400);	-- regular engagements
	n_turns integer;
	n_fixed integer;
	n_corr integer;
BEGIN
	PERFORM setseed(seed);

	-- persons: every 4th on the pro tier (sonnet responder, sonnet credits),
	-- every 5th referred by the person before them.
	INSERT INTO public.persons (id, email, display_name, companion_name, referred_by,
		license_tier, account_status, created_at)
	SELECT loomworks_fixture.uid('person:' || i),
		'person' || i || '@example.org',
		(ARRAY['Ada', 'Bea', 'Chidi', 'Dana', 'Émile', 'Farah', 'Gus', 'Hiro', 'Ines', 'Jun'])[1 + i % 10]
			|| ' ' || (ARRAY['Okafor', 'Lindqvist', 'Moreau', 'Tanaka', 'Kowalski', 'Núñez', 'Singh'])[1 + i % 7],
		(ARRAY['Wren', 'Sable', 'Juniper', 'Quill'])[1 + i % 4],
		CASE WHEN i % 5 = 0 THEN loomworks_fixture.uid('person:' || (i - 1)) END,
		CASE WHEN i % 4 = 0 THEN 'pro' ELSE 'standard' END,
		'active',
		epoch + (i - 1) * interval '3 minutes'
	FROM generate_series(1, n_persons) AS i
	ORDER BY i;

	INSERT INTO public.webauthn_credentials (id, person_id, credential_id, public_key, sign_count,
		transports, display_name, created_at)
	SELECT loomworks_fixture.uid('cred:' || i), loomworks_fixture.uid('person:' || i),
		decode(md5('credential:' || i) || md5('credential2:' || i), 'hex'),
		decode(md5('pk:' || i) || md5('pk2:' || i) || md5('pk3:' || i), 'hex'),
		0, '["internal", "hybrid"]'::jsonb, 'Passkey ' || i,
		epoch + (i - 1) * interval '3 minutes' + interval '20 seconds'
	FROM generate_series(1, n_persons) AS i;

	-- engagements: the three fixed ones, then the regular ones
	INSERT INTO public.engagements (id, created_at, state, visibility, created_by_person_id, title,
		display_identifier)
	VALUES ('00000000-0000-0000-0000-000000000001', epoch - interval '30 days', 'active', 'private', NULL, 'Administrative', 'E0001'),
		('00000000-0000-0000-0000-000000000002', epoch - interval '20 days', 'active', 'automatic', NULL, 'Loomworks commons', 'E0002'),
		('00000000-0000-0000-0000-0000000000e2', epoch - interval '10 days', 'active', 'private', NULL, 'E2E test sandbox', 'E0003');
	INSERT INTO public.engagements (id, created_at, state, visibility, created_by_person_id, title,
		display_identifier)
	SELECT loomworks_fixture.uid('engagement:' || e), epoch + (e - 1) * interval '1 minute',
		(ARRAY['active', 'active', 'active', 'candidate', 'suspended', 'archived'])[1 + e % 6],
		CASE WHEN e % 9 = 0 THEN 'personal' ELSE 'private' END,
		loomworks_fixture.uid('person:' || (1 + e % n_persons)),
		'Engagement ' || e || CASE WHEN e % 3 = 0 THEN ' — façade studies' ELSE '' END,
		'E' || (1000 + e)
	FROM generate_series(1, n_eng) AS e;

	-- ---------------------------------------------------------------
	-- credit.foray_action_flows
	-- ---------------------------------------------------------------
	INSERT INTO credit.foray_action_flows (id, transaction_id, flow_type, asset_id, from_party,
		to_party, quantity, metadata, created_at)
	SELECT loomworks_fixture.uid('flow:issuance:' || i), loomworks_fixture.uid('tx:issuance:' || i),
		'issuance',
		CASE WHEN i % 4 = 0 THEN 'loomworks_credit_sonnet' ELSE 'loomworks_credit_haiku' END,
		'dunin7', loomworks_fixture.uid('person:' || i)::text,
		CASE WHEN i % 4 = 0 THEN 5000 ELSE 1000 END,
		jsonb_build_object('grant_id', loomworks_fixture.uid('grant:' || i),
			'grant_kind', (ARRAY['form_initiated', 'operator_curated', 'referrer_initiated'])[1 + i % 3],
			'campaign_ref', CASE WHEN i % 3 = 1 THEN 'launch-2026' END),
		epoch + (i - 1) * interval '3 minutes' + interval '1 minute'
	FROM generate_series(1, n_persons) AS i
	ORDER BY i;

	INSERT INTO credit.foray_action_flows (id, transaction_id, flow_type, asset_id, from_party,
		to_party, quantity, metadata, created_at)
	SELECT loomworks_fixture.uid('flow:referral:' || i), loomworks_fixture.uid('tx:referral:' || i),
		'referral_credit', 'loomworks_credit_haiku', 'dunin7',
		loomworks_fixture.uid('person:' || (i - 1))::text, 100,
		jsonb_build_object('referred_person_id', loomworks_fixture.uid('person:' || i),
			'reason', 'referral_claimed'),
		epoch + (i - 1) * interval '3 minutes' + interval '2 minutes'
	FROM generate_series(5, n_persons, 5) AS i
	ORDER BY i;

	-- lifecycle rows, counted in advance to size the consumption turns
	n_fixed := n_persons + n_persons / 5
		+ (SELECT count(*) FROM generate_series(1, n_persons) i WHERE i % 7 = 3)
		+ (SELECT count(*) FROM generate_series(1, n_persons) i WHERE i % 14 = 3)
		+ 2 * (SELECT count(*) FROM generate_series(1, n_persons) i WHERE i % 13 = 5);
	n_corr := greatest(1, (n_flows - n_fixed) / 5000);
	n_turns := greatest(1, (n_flows - n_fixed - n_corr) / 5);

	-- consumption turns: classifier (haiku) in/out, responder in/out
	-- (haiku on the standard tier, sonnet on pro), credit debit priced by
	-- the per-million rates of credit.conversion_rates' seed values.
	INSERT INTO credit.foray_action_flows (id, transaction_id, flow_type, asset_id, from_party,
		to_party, quantity, metadata, created_at)
	WITH turn AS (
		SELECT t, p, e, pro, ci, co, ri, ro,
			CASE WHEN pro THEN 'sonnet' ELSE 'haiku' END AS rmodel,
			CASE WHEN pro THEN 'loomworks_credit_sonnet' ELSE 'loomworks_credit_haiku' END AS credit_asset,
			CASE WHEN pro THEN 900 ELSE 250 END AS r_in,
			CASE WHEN pro THEN 4500 ELSE 1250 END AS r_out
		FROM (
			SELECT t, p, p % 4 = 0 AS pro,
				1 + floor(random() * n_eng)::int AS e,
				300 + floor(random() * 1500)::int AS ci,
				4 + floor(random() * 40)::int AS co,
				800 + floor(random() * 6000)::int AS ri,
				60 + floor(random() * 1500)::int AS ro
			FROM (SELECT t, 1 + floor(random() * n_persons)::int AS p
				  FROM generate_series(1, n_turns) AS t) s
		) s2
	)
	SELECT loomworks_fixture.uid('flow:turn:' || t || ':' || r.slot),
		loomworks_fixture.uid('tx:turn:' || t), 'consumption', r.asset, r.fp, r.tp, r.q,
		jsonb_build_object('turn_id', loomworks_fixture.uid('turn:' || t),
			'engagement_id', loomworks_fixture.uid('engagement:' || e)) || r.meta,
		epoch + interval '1 day' + t * interval '7 seconds' + r.slot * interval '1 millisecond'
	FROM turn,
	LATERAL (VALUES
		(1, 'anthropic_haiku_4_input', 'anthropic', loomworks_fixture.uid('person:' || p)::text, ci::numeric,
			jsonb_build_object('role', 'classifier', 'direction', 'input', 'model', 'claude-haiku-4',
				'rate_per_million', 250, 'credit_asset', credit_asset)),
		(2, 'anthropic_haiku_4_output', 'anthropic', loomworks_fixture.uid('person:' || p)::text, co::numeric,
			jsonb_build_object('role', 'classifier', 'direction', 'output', 'model', 'claude-haiku-4',
				'rate_per_million', 1250, 'credit_asset', credit_asset)),
		(3, 'anthropic_' || rmodel || '_4_input', 'anthropic', loomworks_fixture.uid('person:' || p)::text, ri::numeric,
			jsonb_build_object('role', 'responder', 'direction', 'input', 'model', 'claude-' || rmodel || '-4',
				'rate_per_million', r_in, 'credit_asset', credit_asset)),
		(4, 'anthropic_' || rmodel || '_4_output', 'anthropic', loomworks_fixture.uid('person:' || p)::text, ro::numeric,
			jsonb_build_object('role', 'responder', 'direction', 'output', 'model', 'claude-' || rmodel || '-4',
				'rate_per_million', r_out, 'credit_asset', credit_asset)),
		(5, credit_asset, loomworks_fixture.uid('person:' || p)::text, 'dunin7',
			(ci * 250 + co * 1250 + ri * r_in + ro * r_out) / 1000000.0,
			jsonb_build_object('role', 'credit_debit', 'responder_model', 'claude-' || rmodel || '-4',
				'intent', (ARRAY['ask_question', 'draft_seed', 'tune_setting', 'save_filter', 'summarize'])[1 + t % 5]))
	) AS r(slot, asset, fp, tp, q, meta)
	ORDER BY t, r.slot;

	-- corrections applied by credit/proposal_applier.py after reconciliation
	INSERT INTO credit.foray_action_flows (id, transaction_id, flow_type, asset_id, from_party,
		to_party, quantity, metadata, created_at)
	SELECT loomworks_fixture.uid('flow:correction:' || c), loomworks_fixture.uid('tx:correction:' || c),
		'correction', 'loomworks_credit_haiku', 'dunin7',
		loomworks_fixture.uid('person:' || (1 + (c * 7) % n_persons))::text, 0.5,
		jsonb_build_object('proposal_id', loomworks_fixture.uid('proposal:' || c),
			'drift', 0.5, 'evaluator', 'reconciliation_evaluator'),
		epoch + interval '20 days' + c * interval '1 minute'
	FROM generate_series(1, n_corr) AS c
	ORDER BY c;

	-- suspension (every 7th from 3), reactivation of half of them,
	INSERT INTO credit.foray_action_flows (id, transaction_id, flow_type, asset_id, from_party,
		to_party, quantity, metadata, created_at)
	SELECT loomworks_fixture.uid('flow:suspension:' || i), loomworks_fixture.uid('tx:suspension:' || i),
		'suspension', 'loomworks_account_status', 'dunin7', loomworks_fixture.uid('person:' || i)::text, 1,
		jsonb_build_object('previous_status', 'active', 'new_status', 'suspended',
			'reason', 'inactivity_evaluator'),
		epoch + interval '30 days' + i * interval '1 minute'
	FROM generate_series(1, n_persons) AS i WHERE i % 7 = 3 ORDER BY i;

	INSERT INTO credit.foray_action_flows (id, transaction_id, flow_type, asset_id, from_party,
		to_party, quantity, metadata, created_at)
	SELECT loomworks_fixture.uid('flow:reactivation:' || i), loomworks_fixture.uid('tx:reactivation:' || i),
		'reactivation', 'loomworks_account_status', 'dunin7', loomworks_fixture.uid('person:' || i)::text, 1,
		jsonb_build_object('previous_status', 'suspended', 'new_status', 'active',
			'reason', 'person_returned'),
		epoch + interval '32 days' + i * interval '1 minute'
	FROM generate_series(1, n_persons) AS i WHERE i % 14 = 3 ORDER BY i;

	-- deletion (every 13th from 5): zero every positive credit balance
	-- (one flow per asset, one transaction), then the status row.
	INSERT INTO credit.foray_action_flows (id, transaction_id, flow_type, asset_id, from_party,
		to_party, quantity, metadata, created_at)
	SELECT loomworks_fixture.uid('flow:zeroing:' || i || ':' || b.asset_id),
		loomworks_fixture.uid('tx:zeroing:' || i), 'balance_zeroing', b.asset_id,
		b.party, 'dunin7', b.balance,
		jsonb_build_object('reason', 'account_deletion', 'balance_before', b.balance),
		epoch + interval '40 days' + i * interval '1 minute'
	FROM generate_series(1, n_persons) AS i
	JOIN credit.asset_balances b ON b.party = loomworks_fixture.uid('person:' || i)::text
		AND b.asset_id LIKE 'loomworks_credit_%' AND b.balance > 0
	WHERE i % 13 = 5
	ORDER BY i, b.asset_id;

	INSERT INTO credit.foray_action_flows (id, transaction_id, flow_type, asset_id, from_party,
		to_party, quantity, metadata, created_at)
	SELECT loomworks_fixture.uid('flow:deletion:' || i), loomworks_fixture.uid('tx:deletion:' || i),
		'deletion', 'loomworks_account_status', 'dunin7', loomworks_fixture.uid('person:' || i)::text, 1,
		jsonb_build_object('previous_status', CASE WHEN i % 7 = 3 AND i % 14 <> 3 THEN 'suspended' ELSE 'active' END,
			'new_status', 'deleted', 'reason', 'deletion_evaluator'),
		epoch + interval '40 days' + i * interval '1 minute' + interval '1 second'
	FROM generate_series(1, n_persons) AS i WHERE i % 13 = 5 ORDER BY i;

	UPDATE public.persons p SET account_status = CASE
			WHEN i % 13 = 5 THEN 'deleted'
			WHEN i % 7 = 3 AND i % 14 <> 3 THEN 'suspended'
			ELSE 'active' END
	FROM generate_series(1, n_persons) AS i
	WHERE p.id = loomworks_fixture.uid('person:' || i) AND (i % 13 = 5 OR i % 7 = 3);

	-- ---------------------------------------------------------------
	-- audit.foray_events: setting_change from tune_setting (signature
	-- never written)
	-- ---------------------------------------------------------------
	INSERT INTO audit.foray_events (id, tx_id, event_type, actor_person_id, payload, signature, created_at)
	SELECT loomworks_fixture.uid('audit:' || a), loomworks_fixture.uid('audit-tx:' || a),
		'setting_change', loomworks_fixture.uid('person:' || p),
		jsonb_build_object('setting_key', k.key,
			'previous_value', k.prev, 'new_value', k.next,
			'source', 'tune_setting', 'utterance_mode', CASE WHEN a % 3 = 0 THEN 'voice' ELSE 'text' END),
		NULL,
		epoch + interval '2 days' + a * interval '13 seconds'
	FROM (SELECT a, 1 + floor(random() * n_persons)::int AS p, floor(random() * 5)::int AS s,
			floor(random() * 90)::int AS v
		  FROM generate_series(1, n_audit) AS a) g,
	LATERAL (SELECT (ARRAY['voice.listening.blur_intensity', 'voice.listening.silence_ms',
				'companion.verbosity', 'notifications.digest_hour', 'credit.exhaustion_preference'])[1 + s] AS key,
			CASE s WHEN 0 THEN to_jsonb(v / 100.0) WHEN 1 THEN to_jsonb(800 + v * 10)
				WHEN 2 THEN to_jsonb('terse'::text) WHEN 3 THEN to_jsonb(v % 24) ELSE to_jsonb('pause'::text) END AS prev,
			CASE s WHEN 0 THEN to_jsonb((v + 5) / 100.0) WHEN 1 THEN to_jsonb(1200 + v * 10)
				WHEN 2 THEN to_jsonb('detailed'::text) WHEN 3 THEN to_jsonb((v + 7) % 24) ELSE to_jsonb('notify'::text) END AS next
		) k
	ORDER BY a;

	-- ---------------------------------------------------------------
	-- public.memory_events
	-- ---------------------------------------------------------------
	PERFORM loomworks_fixture.generate_memory_events(n_memory, n_eng, n_persons);

	UPDATE public.engagements g SET current_engagement_version = m.v
	FROM (SELECT engagement_id, max(engagement_version) AS v FROM public.memory_events GROUP BY 1) m
	WHERE g.id = m.engagement_id;

	RETURN QUERY
		SELECT 'credit.foray_action_flows', count(*) FROM credit.foray_action_flows
		UNION ALL SELECT 'credit.asset_balances', count(*) FROM credit.asset_balances
		UNION ALL SELECT 'audit.foray_events', count(*) FROM audit.foray_events
		UNION ALL SELECT 'public.memory_events', count(*) FROM public.memory_events
		UNION ALL SELECT 'public.persons', count(*) FROM public.persons
		UNION ALL SELECT 'public.engagements', count(*) FROM public.engagements;
END
$fn$;

CREATE FUNCTION loomworks_fixture.generate_memory_events(n_memory integer, n_eng integer, n_persons integer)
RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
	epoch constant timestamptz := '2026-01-05 09:00:00+00';
	n_all integer := n_eng + 3;
	n_slots constant integer := 40;
BEGIN
	-- Event k goes to engagement slot (k-1) % n_all at engagement_version
	-- (k-1) / n_all + 1: engagements interleave in time, ids follow time.
	-- Versions 1-4 of each engagement: engagement_created, seed_drafted,
	-- engagement_committed (WebAuthn-attested), membership_created.  After
	-- that, 40 object slots per engagement take turns, each a version chain
	-- (create kind at version 1, update kinds after).
	CREATE TEMP TABLE lf_ev ON COMMIT DROP AS
	WITH ev AS (
		SELECT k, ei, j,
			CASE ei WHEN 1 THEN '00000000-0000-0000-0000-000000000001'::uuid
				WHEN 2 THEN '00000000-0000-0000-0000-000000000002'::uuid
				WHEN 3 THEN '00000000-0000-0000-0000-0000000000e2'::uuid
				ELSE loomworks_fixture.uid('engagement:' || (ei - 3)) END AS eng,
			1 + (ei * 31 + j * 7) % n_persons AS p,
			random() AS r1, random() AS r2
		FROM (SELECT k, 1 + (k - 1) % n_all AS ei, (k - 1) / n_all + 1 AS j
			  FROM generate_series(1, n_memory) AS k) s
	), obj AS (
		SELECT ev.*,
			CASE WHEN j IN (1, 3) THEN 'Engagement' WHEN j = 2 THEN 'Seed' WHEN j = 4 THEN 'Membership'
				ELSE (SELECT object_type FROM loomworks_fixture.slot_types
					  WHERE n = abs(hashtext(eng::text || ':' || ((j - 5) % n_slots))) % 16) END AS otype,
			CASE WHEN j IN (1, 3) THEN 'eng' WHEN j = 2 THEN 'seed' WHEN j = 4 THEN 'member'
				ELSE 'slot' || ((j - 5) % n_slots) END AS oslot,
			CASE WHEN j = 3 THEN 2 WHEN j < 5 THEN 1 ELSE (j - 5) / n_slots + 1 END AS over
		FROM ev
	)
	SELECT o.k, o.j, o.eng, o.p, o.otype, o.over,
		loomworks_fixture.uid(o.eng::text || ':' || o.oslot) AS object_id,
		ek.event_kind, ek.actor_kind, ek.anchor_priority, o.r1, o.r2
	FROM obj o
	CROSS JOIN LATERAL (
		SELECT k2.event_kind, k2.actor_kind, k2.anchor_priority
		FROM loomworks_fixture.event_kinds k2
		WHERE CASE WHEN o.j = 1 THEN k2.event_kind = 'engagement_created'
			WHEN o.j = 3 THEN k2.event_kind = 'engagement_committed'
			ELSE k2.object_type = o.otype
				AND k2.phase = CASE WHEN o.over = 1 THEN 'create' ELSE 'update' END
				AND k2.event_kind <> 'engagement_committed' END
		ORDER BY abs(hashtext(k2.event_kind || o.k)) LIMIT 1
	) ek;

	INSERT INTO public.memory_events (id, engagement_id, engagement_version, object_id, object_type,
		object_version, event_kind, actor_kind, actor_id, payload, "timestamp", content_hash,
		attestation, foray_tx_ref)
	SELECT k, eng, j, object_id, otype, over, event_kind, actor_kind,
		CASE actor_kind
			WHEN 'person' THEN loomworks_fixture.uid('person:' || p)
			WHEN 'companion' THEN loomworks_fixture.uid('companion:' || p)
			WHEN 'contributor' THEN loomworks_fixture.uid('contributor:' || eng || ':' || (p % 3))
			ELSE (ARRAY['00000000-0000-0000-0000-0000000000a1'::uuid, loomworks_fixture.uid('agent:render'),
				loomworks_fixture.uid('agent:drift'), loomworks_fixture.uid('agent:summary')])[1 + k % 4] END,
		CASE WHEN anchor_priority IS NULL THEN base
			ELSE base || jsonb_build_object('_foray', jsonb_build_object(
				'anchorable', true, 'anchor_priority', anchor_priority,
				'content_hash', stored_hash,
				'attestation_ref', CASE WHEN event_kind = 'engagement_committed' THEN cred_b64 END)) END,
		epoch + k * interval '2 seconds',
		stored_hash,
		CASE WHEN event_kind = 'engagement_committed' THEN jsonb_build_object(
			'type', 'webauthn.get',
			'credential_id', cred_b64,
			'person_id', loomworks_fixture.uid('person:' || p),
			'authenticator_data', loomworks_fixture.b64url(decode(md5('authdata:' || k) || '0500000001', 'hex')),
			'client_data_json', loomworks_fixture.b64url(convert_to(
				'{"type":"webauthn.get","challenge":"' || loomworks_fixture.b64url(decode(md5('challenge:' || k), 'hex'))
				|| '","origin":"https://loomworks.app","crossOrigin":false}', 'UTF8')),
			'signature', loomworks_fixture.b64url(decode(md5('sig1:' || k) || md5('sig2:' || k) || md5('sig3:' || k) || md5('sig4:' || k), 'hex')),
			'sign_count', j,
			'verified_at', to_char((epoch + k * interval '2 seconds' - interval '1 second') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
		END,
		NULL
	FROM (
		SELECT e.*, b.base,
			loomworks_fixture.b64url(decode(md5('credential:' || e.p) || md5('credential2:' || e.p), 'hex')) AS cred_b64,
			CASE
				-- deliberately wrong: payload edited after hashing
				WHEN k % 4999 = 7 THEN foray.loomworks_content_hash(b.base || '{"body": "(draft before edit)"}')
				-- deliberately wrong: an early writer hashed the payload as text
				WHEN k % 4999 = 2503 OR k = 13 THEN encode(sha256(convert_to(b.base::text, 'UTF8')), 'hex')
				ELSE foray.loomworks_content_hash(b.base) END AS stored_hash
		FROM lf_ev e,
		LATERAL (SELECT jsonb_strip_nulls(jsonb_build_object(
			'object_type', e.otype,
			'title', initcap(replace(e.event_kind, '_', ' ')) || ' #' || e.over,
			'body', CASE WHEN e.r1 < 0.1 THEN 'Revisión del guión — ünïcode ✓ “quoted” 🧵 line' || E'\n' || 'two'
				ELSE 'Event ' || e.k || ' on ' || e.otype || ': ' || repeat('lorem ipsum ', 1 + (e.k % 6)) END,
			'confidence', CASE WHEN e.otype IN ('Assertion', 'Finding', 'DriftResult') THEN round(e.r2::numeric, 2) END,
			'display_number', CASE WHEN e.otype = 'Assertion' THEN e.over + e.j END,
			'state', (ARRAY['held', 'pending_confirmation', 'confirmed', 'produced', 'current'])[1 + e.k % 5],
			'refs', CASE WHEN e.j > 4 THEN jsonb_build_array(loomworks_fixture.uid(e.eng::text || ':eng')::text) END,
			'provenance', jsonb_build_object('source', 'engine', 'schema', 2, 'tiny_weight', CASE WHEN e.k % 97 = 0 THEN 0.000015 END)
		)) AS base) b
	) x
	ORDER BY k;

	PERFORM setval(pg_get_serial_sequence('public.memory_events', 'id'), greatest(n_memory, 1));
END
$fn$;

COMMIT;
