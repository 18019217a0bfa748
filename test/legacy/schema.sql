-- test/legacy/schema.sql
--
-- A faithful fixture of the legacy Loomworks schema that the migration
-- (sql/migrate/foray_substrate_migrate_loomworks.sql) reads: the three
-- FORAY-shaped surfaces of inventory §4 and the minimal parent tables their
-- foreign keys need.  Sources: inventory (seeds/000_…) §1 persons /
-- webauthn_credentials, §2 engagements, §3 memory_events, §4 the three
-- surfaces, §5 credit substrate, §15 cross-cutting findings.  Where the
-- inventory is silent on a column, docs/migration.md ("The legacy fixture")
-- says what was chosen and why.
--
-- Load into a database before or after CREATE EXTENSION foray_substrate:
-- it only touches the schemas credit, audit and public.

BEGIN;

CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA public;	-- gen_random_uuid() on PG 12

-- ------------------------------------------------------------------------
-- §1 identity layer (only what the three surfaces' foreign keys need)
-- ------------------------------------------------------------------------
CREATE TABLE public.persons (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	email varchar(320) NOT NULL UNIQUE,
	display_name varchar(200) NOT NULL,
	companion_name varchar(100),
	personal_engagement_id uuid,		-- FK added below (engagements is created later)
	referred_by uuid REFERENCES public.persons (id),	-- mig 0062, DB-level FK only
	license_tier varchar(32) NOT NULL DEFAULT 'standard',
	account_status varchar(16) NOT NULL DEFAULT 'active',
	expires_at timestamptz,
	previous_status_change_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT ck_persons_account_status
		CHECK (account_status IN ('active', 'exhausted', 'suspended', 'deleted'))
);

-- Registration record of a WebAuthn credential (mig 0029).  The attestation
-- stored on memory_events carries credential_id as a value; nothing links
-- the two relationally (inventory §1).
CREATE TABLE public.webauthn_credentials (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	person_id uuid NOT NULL REFERENCES public.persons (id),
	credential_id bytea NOT NULL UNIQUE,
	public_key bytea NOT NULL,
	sign_count bigint NOT NULL DEFAULT 0,
	transports jsonb,
	display_name varchar(200),
	created_at timestamptz NOT NULL DEFAULT now()
);

-- ------------------------------------------------------------------------
-- §2 engagements: the spine every memory_events row hangs from
-- ------------------------------------------------------------------------
CREATE SEQUENCE public.engagement_display_identifier_seq;

CREATE TABLE public.engagements (
	id uuid PRIMARY KEY,
	created_at timestamptz NOT NULL DEFAULT now(),
	current_engagement_version integer NOT NULL DEFAULT 0,
	state varchar(16) NOT NULL DEFAULT 'active',	-- no CHECK (inventory §2, §15)
	candidate_seed_id uuid,
	visibility text NOT NULL DEFAULT 'private',	-- no CHECK (inventory §15)
	next_display_number integer NOT NULL DEFAULT 1,
	created_by_person_id uuid REFERENCES public.persons (id),
	title text,
	display_identifier varchar(16) UNIQUE
		DEFAULT 'E' || lpad(nextval('public.engagement_display_identifier_seq')::text, 4, '0')
);

ALTER TABLE public.persons
	ADD CONSTRAINT persons_personal_engagement_id_fkey
	FOREIGN KEY (personal_engagement_id) REFERENCES public.engagements (id);

-- ------------------------------------------------------------------------
-- §3 / §4 surface 3: the canonical event log with its Phase-25 readiness
-- wiring (content_hash, attestation, foray_tx_ref, and the _foray block
-- inside payload for the anchorable event kinds).
-- ------------------------------------------------------------------------
CREATE TABLE public.memory_events (
	id bigserial PRIMARY KEY,
	engagement_id uuid NOT NULL REFERENCES public.engagements (id),
	engagement_version integer NOT NULL,
	object_id uuid NOT NULL,
	object_type varchar(64) NOT NULL,		-- free text, no CHECK (inventory §3)
	object_version integer NOT NULL,
	event_kind varchar(64) NOT NULL,		-- free text, ~70 values, no CHECK
	actor_kind varchar(16) NOT NULL,
	actor_id uuid NOT NULL,
	payload jsonb NOT NULL,
	"timestamp" timestamptz NOT NULL DEFAULT now(),
	content_hash text,			-- mig 0047: written on every event, never read
	attestation jsonb,			-- mig 0047: WebAuthn assertion on engagement_committed
	foray_tx_ref text,			-- mig 0047: reserved, never written
	CONSTRAINT ck_memory_events_actor_kind
		CHECK (actor_kind IN ('contributor', 'agent', 'person', 'companion')),	-- 0039 + 0057 widening
	CONSTRAINT ck_memory_events_object_version CHECK (object_version >= 1),
	CONSTRAINT ck_memory_events_engagement_version CHECK (engagement_version >= 1),
	CONSTRAINT uq_memory_events_object_version UNIQUE (object_id, object_version),
	CONSTRAINT uq_memory_events_engagement_version UNIQUE (engagement_id, engagement_version)
);
CREATE INDEX ix_memory_events_engagement_timestamp ON public.memory_events (engagement_id, "timestamp");
CREATE INDEX ix_memory_events_engagement_object_type ON public.memory_events (engagement_id, object_type);

-- ------------------------------------------------------------------------
-- §4 surface 1 / §5: the credit ledger (mig 0062, schema credit)
-- ------------------------------------------------------------------------
CREATE SCHEMA credit;

CREATE TABLE credit.foray_action_flows (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	transaction_id uuid NOT NULL,		-- groups multi-row writes (5 per consumption turn)
	flow_type varchar(32) NOT NULL,
	asset_id varchar(64) NOT NULL,		-- loomworks_credit_haiku, anthropic_haiku_4_input, loomworks_account_status, …
	from_party varchar(128) NOT NULL,	-- person UUID as text, or 'dunin7' / 'anthropic'
	to_party varchar(128) NOT NULL,
	quantity numeric(20, 6) NOT NULL,
	metadata jsonb NOT NULL DEFAULT '{}'::jsonb,	-- flow_metadata in the ORM (SQLAlchemy reserves "metadata")
	created_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT ck_foray_action_flows_flow_type CHECK (flow_type IN (
		'issuance', 'consumption', 'suspension', 'reactivation', 'deletion',
		'balance_zeroing', 'referral_credit', 'correction')),
	CONSTRAINT ck_foray_action_flows_quantity CHECK (quantity > 0),
	CONSTRAINT ck_foray_action_flows_parties CHECK (from_party <> to_party)
);
CREATE INDEX ix_foray_action_flows_transaction ON credit.foray_action_flows (transaction_id);
CREATE INDEX ix_foray_action_flows_from ON credit.foray_action_flows (from_party, asset_id);
CREATE INDEX ix_foray_action_flows_to ON credit.foray_action_flows (to_party, asset_id);

-- Materialised balance, never written by application code.
CREATE TABLE credit.asset_balances (
	party varchar(128) NOT NULL,
	asset_id varchar(64) NOT NULL,
	balance numeric(20, 6) NOT NULL DEFAULT 0,
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (party, asset_id)
);

CREATE FUNCTION credit.update_balance_on_flow() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO credit.asset_balances AS b (party, asset_id, balance, updated_at)
	VALUES (NEW.to_party, NEW.asset_id, NEW.quantity, NEW.created_at)
	ON CONFLICT (party, asset_id)
	DO UPDATE SET balance = b.balance + EXCLUDED.balance,
		updated_at = greatest(b.updated_at, EXCLUDED.updated_at);
	INSERT INTO credit.asset_balances AS b (party, asset_id, balance, updated_at)
	VALUES (NEW.from_party, NEW.asset_id, -NEW.quantity, NEW.created_at)
	ON CONFLICT (party, asset_id)
	DO UPDATE SET balance = b.balance + EXCLUDED.balance,
		updated_at = greatest(b.updated_at, EXCLUDED.updated_at);
	RETURN NULL;
END
$$;

CREATE TRIGGER trg_update_balance_on_flow
	AFTER INSERT ON credit.foray_action_flows
	FOR EACH ROW EXECUTE FUNCTION credit.update_balance_on_flow();

-- Credits debited per 1,000,000 provider tokens, per (credit asset, token
-- asset), mig 0062, seeded with 10 pairs (inventory §5); effective_at /
-- superseded_at keep the history of amended rates.  Column names: the
-- inventory's own words for the pair; docs/migration.md lists the psql
-- variables for other spellings.
CREATE TABLE credit.conversion_rates (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	credit_asset varchar(64) NOT NULL,
	provider_token_asset varchar(64) NOT NULL,
	rate_per_million numeric(12, 6) NOT NULL CHECK (rate_per_million >= 0),
	effective_at timestamptz NOT NULL DEFAULT now(),
	superseded_at timestamptz,
	UNIQUE (credit_asset, provider_token_asset, effective_at)
);
INSERT INTO credit.conversion_rates (credit_asset, provider_token_asset, rate_per_million, effective_at)
SELECT c, t, r, '2026-01-01 00:00:00+00'
FROM (VALUES ('loomworks_credit_haiku'), ('loomworks_credit_sonnet')) AS ca(c),
	 (VALUES ('anthropic_haiku_4_input', 250), ('anthropic_haiku_4_output', 1250),
			 ('anthropic_sonnet_4_input', 900), ('anthropic_sonnet_4_output', 4500),
			 ('anthropic_opus_4_input', 4500)) AS ta(t, r);

-- ------------------------------------------------------------------------
-- §4 surface 2: narrative events (mig 0068, schema audit)
-- ------------------------------------------------------------------------
CREATE SCHEMA audit;

CREATE TABLE audit.foray_events (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	tx_id uuid NOT NULL,
	event_type varchar(64) NOT NULL,
	actor_person_id uuid NOT NULL REFERENCES public.persons (id),
	payload jsonb NOT NULL,
	signature bytea,			-- reserved for Kaspa anchoring, never written
	created_at timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT ck_foray_events_event_type CHECK (event_type IN ('setting_change'))
);
CREATE INDEX ix_foray_events_actor_created ON audit.foray_events (actor_person_id, created_at);

COMMIT;
