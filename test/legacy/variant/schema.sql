-- test/legacy/variant/schema.sql
--
-- A second legacy fixture, shaped differently from test/legacy/schema.sql
-- where the inventory leaves the shape open (docs/migration.md, "The legacy
-- fixtures"): other spellings of the columns the inventory does not name,
-- text instead of varchar, an integer memory_events.id with gaps, wider
-- numerics, a nullable metadata column, a differently named rate table with
-- a rate history, a balance trigger of another name.  The migration reads it
-- with the psql variables listed in test/suites/61_migration_variant.sh.
-- Data: test/legacy/variant/data.sql (hand-written rows, the expected
-- results worked out by hand in the suite).

BEGIN;

CREATE TABLE public.persons (
	id uuid PRIMARY KEY,
	email text NOT NULL UNIQUE
);

CREATE TABLE public.webauthn_credentials (
	id uuid PRIMARY KEY,
	person_id uuid NOT NULL REFERENCES public.persons (id),
	credential_id bytea NOT NULL UNIQUE,
	public_key bytea NOT NULL
);

CREATE TABLE public.memory_events (
	id serial PRIMARY KEY,
	engagement_id uuid NOT NULL,
	engagement_version integer NOT NULL,
	object_id uuid NOT NULL,
	object_type text NOT NULL,
	object_version integer NOT NULL,
	event_kind text NOT NULL,
	actor_kind text NOT NULL,
	actor_id uuid NOT NULL,
	payload jsonb NOT NULL,
	"timestamp" timestamptz NOT NULL DEFAULT now(),
	content_hash text,
	attestation jsonb,
	foray_tx_ref text,
	UNIQUE (object_id, object_version),
	UNIQUE (engagement_id, engagement_version)
);

CREATE SCHEMA credit;

CREATE TABLE credit.foray_action_flows (
	flow_id uuid PRIMARY KEY,
	transaction_id uuid NOT NULL,
	flow_type text NOT NULL,
	asset_id text NOT NULL,
	from_party text NOT NULL,
	to_party text NOT NULL,
	qty numeric(24, 8) NOT NULL,
	flow_metadata jsonb,				-- NULL for most rows
	recorded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE credit.asset_balances (
	party_id text NOT NULL,
	asset text NOT NULL,
	amount numeric(24, 8) NOT NULL DEFAULT 0,
	PRIMARY KEY (party_id, asset)
);

CREATE FUNCTION credit.balance_on_flow() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO credit.asset_balances AS b (party_id, asset, amount) VALUES (NEW.to_party, NEW.asset_id, NEW.qty)
	ON CONFLICT (party_id, asset) DO UPDATE SET amount = b.amount + EXCLUDED.amount;
	INSERT INTO credit.asset_balances AS b (party_id, asset, amount) VALUES (NEW.from_party, NEW.asset_id, -NEW.qty)
	ON CONFLICT (party_id, asset) DO UPDATE SET amount = b.amount + EXCLUDED.amount;
	RETURN NULL;
END
$$;
CREATE TRIGGER trg_balance AFTER INSERT ON credit.foray_action_flows
	FOR EACH ROW EXECUTE FUNCTION credit.balance_on_flow();

CREATE TABLE credit.credit_conversion_rates (
	credit_asset_id text NOT NULL,
	token_asset_id text NOT NULL,
	rate numeric(10, 4) NOT NULL,
	effective_from timestamptz NOT NULL,
	superseded_at timestamptz,
	PRIMARY KEY (credit_asset_id, token_asset_id, effective_from)
);

CREATE SCHEMA audit;

CREATE TABLE audit.foray_events (
	event_id uuid PRIMARY KEY,
	tx_id uuid NOT NULL,
	event_type text NOT NULL,
	actor_person_id uuid NOT NULL REFERENCES public.persons (id),
	payload jsonb NOT NULL,
	signature bytea,
	occurred_at timestamptz NOT NULL DEFAULT now()
);

COMMIT;
