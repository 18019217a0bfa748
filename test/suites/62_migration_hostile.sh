#!/usr/bin/env bash
# The Loomworks migration against a hostile legacy database (issue 15, item
# 3; docs/migration.md, "What the script trusts").  The application's role
# (lw_app, no superuser) owns the database, the legacy schemas and tables,
# and plants code that records every call of it in hostile.calls (and raises
# a NOTICE marker): a view in place of a legacy table, a rule, a trigger, a
# row-level security policy, a domain, a child table, a migration schema of
# its own, and look-alikes of the functions, operators and types the script
# uses, in public (first on the database's search_path) and in pg_temp of
# the very session that runs the script.  The script, run by a superuser,
# with and without -v dry_run=1, must refuse the first kind (22R40, naming
# the object) and migrate despite the second, and the planted code must
# never run.
source test/lib.sh
source test/legacy/tap.sh

# (the suite's own queries pin their path too: the database's puts the
# application's look-alikes first)
q() { foray_psql -d "$DB" -Atc "SET search_path = pg_catalog, pg_temp; $1"; }
app() { foray_psql -d "$DB" -Atc "SET ROLE lw_app; SET search_path = public, pg_catalog; $1"; }
MARKER="PLANTED CODE RAN"

# --------------------------------------------------------------- statically
# every function call and cast of the script is schema-qualified; the lint
# itself finds what it is meant to find
out=$(python3 test/legacy/lint_qualified.py "$SCRIPT" 2>&1); rc=$?
is "every function call and cast in the script is schema-qualified" "$rc" 0
[ $rc -ne 0 ] && echo "$out"
printf "SELECT count(*), x::text, jsonb_build_object('a', 1), pg_catalog.now() FROM t;\nDO \$d\$ BEGIN PERFORM set_config('a', 'b', true); END \$d\$;\n" >"$FORAY_TMP/lint_probe.sql"
is "the lint finds unqualified calls and casts (count, ::text, jsonb_build_object, set_config)" \
	"$(python3 test/legacy/lint_qualified.py "$FORAY_TMP/lint_probe.sql" | sed 's/.*: \(.*\) is not.*/\1/' | tr '\n' ',')" \
	"count,cast to text,jsonb_build_object,set_config,"
grep -q '^SET search_path = pg_catalog, pg_temp;$' "$SCRIPT" \
	&& [ "$(grep -vE '^(--.*|\\.*|)$' "$SCRIPT" | head -1)" = "SET search_path = pg_catalog, pg_temp;" ] \
	&& ok "the script's first statement pins search_path = pg_catalog, pg_temp (pg_temp last)" \
	|| nok "search_path first" "$(grep -vE '^(--.*|\\.*|)$' "$SCRIPT" | head -1)"

# ------------------------------------------------------------ the database
foray_psql -d postgres -c "DROP DATABASE IF EXISTS foray_hostile_tpl" -c "DROP DATABASE IF EXISTS foray_hostile" >/dev/null 2>&1
foray_psql -d postgres -c "DROP ROLE IF EXISTS lw_app" -c "DROP ROLE IF EXISTS lw_other" >/dev/null 2>&1
foray_psql -d postgres -c "CREATE ROLE lw_app LOGIN" -c "CREATE ROLE lw_other LOGIN" \
	-c "CREATE DATABASE foray_hostile_tpl OWNER lw_app" >/dev/null
DB=foray_hostile_tpl
q "CREATE EXTENSION foray_substrate" >/dev/null
foray_psql -d "$DB" -f test/legacy/schema.sql -f test/legacy/generate.sql >/dev/null 2>&1
q "SELECT count(*) FROM loomworks_fixture.generate(600, 60, 600)" >/dev/null
# the application owns its schemas, tables and functions (public is the
# database owner's in PostgreSQL 15)
q "DO \$\$
DECLARE r record;
BEGIN
	FOR r IN SELECT c.oid::regclass AS t FROM pg_class c WHERE c.relnamespace IN ('credit'::regnamespace, 'audit'::regnamespace, 'public'::regnamespace)
			 AND c.relkind IN ('r', 'S', 'v') AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i', 'e')) LOOP
		EXECUTE format('ALTER TABLE %s OWNER TO lw_app', r.t);
	END LOOP;
END \$\$" >/dev/null
q "ALTER SCHEMA credit OWNER TO lw_app; ALTER SCHEMA audit OWNER TO lw_app;
   ALTER FUNCTION credit.update_balance_on_flow() OWNER TO lw_app; DROP SCHEMA loomworks_fixture CASCADE" >/dev/null
# the application's recorder: every call of planted code leaves a row here
q "CREATE SCHEMA hostile AUTHORIZATION lw_app" >/dev/null
app "CREATE TABLE hostile.calls (who text, what text, at timestamptz DEFAULT clock_timestamp());
	GRANT INSERT, SELECT ON hostile.calls TO PUBLIC; GRANT USAGE ON SCHEMA hostile TO PUBLIC;
	CREATE FUNCTION hostile.evil(what text DEFAULT 'evil') RETURNS boolean LANGUAGE plpgsql AS \$\$
	BEGIN
		INSERT INTO hostile.calls (who, what) VALUES (current_user, what);
		RAISE NOTICE '$MARKER: % as %', what, current_user;
		RETURN true;
	END \$\$;
	CREATE FUNCTION hostile.evil_trigger() RETURNS trigger LANGUAGE plpgsql AS \$\$
	BEGIN PERFORM hostile.evil('trigger'); RETURN NEW; END \$\$;" >/dev/null
is "the legacy tables are the application's" \
	"$(q "SELECT string_agg(DISTINCT pg_get_userbyid(relowner), ',') FROM pg_class WHERE oid IN ('credit.foray_action_flows'::regclass, 'audit.foray_events'::regclass, 'public.memory_events'::regclass, 'credit.asset_balances'::regclass)")" "lw_app"
is "the planted code records its calls (checked once, by calling it)" "$(app "SELECT hostile.evil('probe')" 2>/dev/null)|$(q "SELECT count(*) FROM hostile.calls")" "t|1"
q "TRUNCATE hostile.calls" >/dev/null

# A fresh copy of the hostile database for each case.
fresh() {
	DB=foray_hostile
	foray_psql -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB TEMPLATE foray_hostile_tpl OWNER lw_app" >/dev/null 2>&1
}
calls() { q "SELECT count(*) FROM hostile.calls"; }
migrated() { q "SELECT (SELECT count(*) FROM foray.foray_components) + (SELECT count(*) FROM foray.memory_events)
	+ (SELECT count(*) FROM pg_namespace WHERE nspname = 'loomworks_migration' AND pg_get_userbyid(nspowner) <> 'lw_app')"; }
# refused CASE SETUP PATTERN: the setup (as lw_app) plants its object; the
# script must refuse with 22R40 and a message matching PATTERN, in a dry run
# and in a real one, with no planted call, no marker, nothing written.
refused() {
	local name=$1 setup=$2 pattern=$3
	fresh
	app "$setup" >/dev/null 2>&1 || { nok "$name: setup" "$(app "$setup" 2>&1)"; return; }
	q "TRUNCATE hostile.calls" >/dev/null
	for mode in "-v dry_run=1" ""; do
		out=$(foray_psql -d "$DB" -v VERBOSITY=verbose $mode -f "$SCRIPT" 2>&1); rc=$?
		if [ $rc -ne 0 ] && echo "$out" | grep -q "22R40" && echo "$out" | grep -q -- "$pattern" \
			&& ! echo "$out" | grep -q "$MARKER" && [ "$(calls)" = 0 ] && [ "$(migrated)" = 0 ]; then
			ok "$name${mode:+ (dry run)}: refused with 22R40 naming it; the planted code never ran"
		else
			nok "$name${mode:+ (dry run)}" "rc=$rc calls=$(calls) migrated=$(migrated) $(echo "$out" | grep -E 'ERROR|DETAIL|HINT|MARK|NOTICE' | head -8)"
		fi
	done
}

# ------------------------------------ (a) a view in place of a legacy table
refused "a view in place of audit.foray_events whose WHERE calls the application's function" \
	"ALTER TABLE audit.foray_events RENAME TO foray_events_data;
	 CREATE VIEW audit.foray_events AS SELECT * FROM audit.foray_events_data WHERE hostile.evil('view');" \
	"audit.foray_events is a view, not a plain table"
refused "a materialized view in place of public.webauthn_credentials" \
	"ALTER TABLE public.webauthn_credentials RENAME TO webauthn_data;
	 CREATE MATERIALIZED VIEW public.webauthn_credentials AS SELECT * FROM public.webauthn_data WHERE hostile.evil('matview');" \
	"public.webauthn_credentials is a materialized view, not a plain table"

# ------------------------------- (b) rules, triggers, policies and the rest
refused "a partitioned table in place of credit.asset_balances" \
	"ALTER TABLE credit.asset_balances RENAME TO asset_balances_data;
	 CREATE TABLE credit.asset_balances (LIKE credit.asset_balances_data) PARTITION BY LIST (asset_id);
	 CREATE TABLE credit.asset_balances_all PARTITION OF credit.asset_balances DEFAULT;" \
	"credit.asset_balances is a partitioned table, not a plain table"
refused "a foreign table in place of public.webauthn_credentials" \
	"RESET ROLE; CREATE EXTENSION file_fdw; CREATE SERVER files FOREIGN DATA WRAPPER file_fdw;
	 ALTER TABLE public.webauthn_credentials RENAME TO webauthn_data;
	 CREATE FOREIGN TABLE public.webauthn_credentials (person_id uuid, credential_id bytea) SERVER files OPTIONS (program 'true');
	 ALTER FOREIGN TABLE public.webauthn_credentials OWNER TO lw_app;" \
	"public.webauthn_credentials is a foreign table, not a plain table"
refused "a rule on a legacy table" \
	"CREATE RULE planted AS ON INSERT TO credit.asset_balances DO ALSO SELECT hostile.evil('rule');" \
	"credit.asset_balances has rule(s) planted"
refused "a trigger the migration does not expect" \
	"CREATE TRIGGER planted BEFORE INSERT OR UPDATE ON audit.foray_events FOR EACH ROW EXECUTE FUNCTION hostile.evil_trigger();" \
	"audit.foray_events has trigger(s) planted the migration does not expect"
refused "a row-level security policy" \
	"ALTER TABLE public.memory_events ENABLE ROW LEVEL SECURITY;
	 CREATE POLICY planted ON public.memory_events USING (hostile.evil('policy'));" \
	"public.memory_events has row-level security (policies planted)"
refused "a column of a domain whose CHECK calls the application's function" \
	"CREATE DOMAIN hostile.jpayload AS jsonb CHECK (hostile.evil('domain'));
	 ALTER TABLE audit.foray_events ALTER COLUMN payload TYPE hostile.jpayload;" \
	"column audit.foray_events.payload is hostile.jpayload (expected jsonb)"
refused "a child table a read would read too" \
	"CREATE TABLE public.memory_events_more () INHERITS (public.memory_events);" \
	"public.memory_events has child tables (public.memory_events_more)"
refused "a legacy table owned by a role the migration does not expect" \
	"RESET ROLE; ALTER TABLE credit.foray_action_flows OWNER TO lw_other;" \
	"credit.foray_action_flows is owned by role lw_other; the migration expects lw_app"
refused "a loomworks_migration schema of the application's, with a trigger on its runs table" \
	"CREATE SCHEMA loomworks_migration;
	 CREATE TABLE loomworks_migration.runs (run_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, started_at timestamptz NOT NULL,
		finished_at timestamptz NOT NULL, report jsonb NOT NULL);
	 CREATE TRIGGER planted BEFORE INSERT ON loomworks_migration.runs FOR EACH ROW EXECUTE FUNCTION hostile.evil_trigger();" \
	"schema loomworks_migration: .*the schema is owned by lw_app.*trigger planted on loomworks_migration.runs"

refused "a role other than superusers may create in the substrate's schema" \
	"RESET ROLE; GRANT CREATE ON SCHEMA foray TO lw_app;" \
	"schema foray: role(s) lw_app other than superusers own or may create objects in it"
refused "a trigger of the application's on a substrate table the migration writes" \
	"RESET ROLE; GRANT TRIGGER ON foray.foray_components TO lw_app; SET ROLE lw_app;
	 CREATE TRIGGER planted BEFORE INSERT ON foray.foray_components FOR EACH ROW EXECUTE FUNCTION hostile.evil_trigger();" \
	"the substrate's tables have trigger(s) planted on foray.foray_components that are not the extension's"

# ------------------------------------------- names cannot move during a run
# The run is held (after its preconditions) by a session holding the
# substrate's components table; meanwhile the application cannot rename a
# legacy schema or table (it waits: lock_timeout), but writes its rows.
fresh
foray_psql -d "$DB" -c "BEGIN" -c "LOCK TABLE foray.foray_components IN SHARE UPDATE EXCLUSIVE MODE" -c "SELECT pg_sleep(4)" -c "COMMIT" >/dev/null 2>&1 &
blocker=$!
sleep 0.5
foray_psql -d "$DB" -f "$SCRIPT" >"$FORAY_TMP/held_run.log" 2>&1 &
run=$!
for _ in $(seq 1 60); do
	[ "$(q "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'DO \$flows%'")" = 1 ] && break
	sleep 0.1
done
is "the run is held after its preconditions" \
	"$(q "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'DO \$flows%'")" 1
out=$(app "SET lock_timeout = '300ms'; ALTER SCHEMA audit RENAME TO audit_moved" 2>&1)
echo "$out" | grep -q "lock timeout" && ok "during a run, renaming a legacy schema waits for it" || nok "schema rename during run" "$out"
out=$(app "SET lock_timeout = '300ms'; ALTER TABLE public.memory_events RENAME TO memory_events_moved" 2>&1)
echo "$out" | grep -q "lock timeout" && ok "during a run, renaming a legacy table waits for it" || nok "table rename during run" "$out"
out=$(app "SET lock_timeout = '300ms'; INSERT INTO audit.foray_events (tx_id, event_type, actor_person_id, payload)
	SELECT gen_random_uuid(), 'setting_change', actor_person_id, '{\"setting_key\": \"k\"}' FROM audit.foray_events LIMIT 1" 2>&1)
is "during a run, the application writes legacy rows without waiting" "$out" ""
wait "$blocker"; wait "$run"; rc=$?
is "the held run then completes and reconciles" "$rc|$(grep -c FAIL "$FORAY_TMP/held_run.log")" "0|0"

# ------------------------------------------- restore mode set for the database
fresh
q "ALTER DATABASE foray_hostile SET foray.restore_mode = on" >/dev/null
out=$(foray_psql -d "$DB" -f "$SCRIPT" 2>&1); rc=$?
is "with foray.restore_mode on for the database, the migration still goes through the substrate's rules (an event per component)" \
	"$rc|$(q "SELECT count(*) = (SELECT count(*) FROM foray.foray_components) FROM foray.memory_events WHERE event_kind = 'COMPONENT_CREATED'")" "0|t"

# ---------- (c) look-alikes in public and pg_temp, public first on the path
fresh
app "ALTER DATABASE foray_hostile SET search_path = public, pg_catalog" >/dev/null
PLANT_PUBLIC="
CREATE FUNCTION public.set_config(text, text, boolean) RETURNS text LANGUAGE plpgsql AS \$\$ BEGIN PERFORM hostile.evil('public.set_config'); RETURN \$2; END \$\$;
CREATE FUNCTION public.current_setting(text) RETURNS text LANGUAGE plpgsql AS \$\$ BEGIN PERFORM hostile.evil('public.current_setting'); RETURN pg_catalog.current_setting(\$1); END \$\$;
CREATE FUNCTION public.current_setting(text, boolean) RETURNS text LANGUAGE plpgsql AS \$\$ BEGIN PERFORM hostile.evil('public.current_setting2'); RETURN pg_catalog.current_setting(\$1, \$2); END \$\$;
CREATE FUNCTION public.to_regclass(text) RETURNS regclass LANGUAGE plpgsql AS \$\$ BEGIN PERFORM hostile.evil('public.to_regclass'); RETURN pg_catalog.to_regclass(\$1); END \$\$;
CREATE FUNCTION public.jsonb_typeof(jsonb) RETURNS text LANGUAGE plpgsql AS \$\$ BEGIN PERFORM hostile.evil('public.jsonb_typeof'); RETURN pg_catalog.jsonb_typeof(\$1); END \$\$;
CREATE FUNCTION public.md5(text) RETURNS text LANGUAGE plpgsql AS \$\$ BEGIN PERFORM hostile.evil('public.md5'); RETURN pg_catalog.md5(\$1); END \$\$;
CREATE FUNCTION public.format(text, VARIADIC text[]) RETURNS text LANGUAGE plpgsql AS \$\$ BEGIN PERFORM hostile.evil('public.format'); RETURN \$1; END \$\$;
CREATE FUNCTION public.lw_eq(text, text) RETURNS boolean LANGUAGE plpgsql AS \$\$ BEGIN PERFORM hostile.evil('public.='); RETURN \$1 OPERATOR(pg_catalog.=) \$2; END \$\$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.lw_eq);
CREATE FUNCTION public.lw_like(text, text) RETURNS boolean LANGUAGE plpgsql AS \$\$ BEGIN PERFORM hostile.evil('public.~~'); RETURN \$1 OPERATOR(pg_catalog.~~) \$2; END \$\$;
CREATE OPERATOR public.~~ (LEFTARG = text, RIGHTARG = text, FUNCTION = public.lw_like);
CREATE FUNCTION public.lw_cat(text, text) RETURNS text LANGUAGE plpgsql AS \$\$ BEGIN PERFORM hostile.evil('public.||'); RETURN \$1 OPERATOR(pg_catalog.||) \$2; END \$\$;
CREATE OPERATOR public.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = public.lw_cat);
CREATE FUNCTION public.lw_text_ok(text) RETURNS boolean LANGUAGE plpgsql AS \$\$ BEGIN RETURN hostile.evil('public.text'); END \$\$;
CREATE DOMAIN public.text AS pg_catalog.text CHECK (public.lw_text_ok(VALUE));
CREATE DOMAIN public.jsonb AS pg_catalog.jsonb CHECK (hostile.evil('public.jsonb'));
CREATE DOMAIN public.uuid AS pg_catalog.uuid CHECK (hostile.evil('public.uuid'));
"
PLANT_TEMP="
SET ROLE lw_app;
CREATE DOMAIN pg_temp.text AS pg_catalog.text CHECK (hostile.evil('pg_temp.text'));
CREATE DOMAIN pg_temp.jsonb AS pg_catalog.jsonb CHECK (hostile.evil('pg_temp.jsonb'));
CREATE DOMAIN pg_temp.numeric AS pg_catalog.numeric CHECK (hostile.evil('pg_temp.numeric'));
CREATE DOMAIN pg_temp.timestamptz AS pg_catalog.timestamptz CHECK (hostile.evil('pg_temp.timestamptz'));
CREATE DOMAIN pg_temp.regclass AS pg_catalog.regclass CHECK (hostile.evil('pg_temp.regclass'));
CREATE FUNCTION pg_temp.set_config(text, text, boolean) RETURNS text LANGUAGE plpgsql AS \$\$ BEGIN PERFORM hostile.evil('pg_temp.set_config'); RETURN \$2; END \$\$;
CREATE FUNCTION pg_temp.count(bigint) RETURNS bigint LANGUAGE plpgsql AS \$\$ BEGIN PERFORM hostile.evil('pg_temp.count'); RETURN \$1; END \$\$;
CREATE FUNCTION pg_temp.lw_eq(text, text) RETURNS boolean LANGUAGE plpgsql AS \$\$ BEGIN PERFORM hostile.evil('pg_temp.='); RETURN \$1 OPERATOR(pg_catalog.=) \$2; END \$\$;
CREATE OPERATOR pg_temp.= (LEFTARG = text, RIGHTARG = text, FUNCTION = pg_temp.lw_eq);
RESET ROLE;
"
app "$PLANT_PUBLIC" >/dev/null 2>&1 || nok "planting in public" "$(app "$PLANT_PUBLIC" 2>&1 | tail -3)"
is "the database's search_path puts the application's schema first" "$(foray_psql -d "$DB" -Atc "SHOW search_path")" "public, pg_catalog"
probe=$(foray_psql -d "$DB" -Atc "SELECT set_config('a.b', 'c', true)" 2>&1)
is "the look-alikes would run in a session that trusts that path" "$(calls)" 1
q "TRUNCATE hostile.calls" >/dev/null
# the script is run in the session that planted in pg_temp (psql -f after -c)
for mode in dry_run=1 dry_run=0; do
	out=$(foray_psql -d "$DB" -v VERBOSITY=verbose -v "$mode" -c "$PLANT_TEMP" -f "$SCRIPT" 2>&1); rc=$?
	is "with look-alikes in public and pg_temp the migration ($mode) runs and reconciles" "$rc|$(echo "$out" | grep -c FAIL)" "0|0"
	[ $rc -ne 0 ] && echo "$out" | grep -E "ERROR|DETAIL" | head -5
	is "... and no look-alike ran ($mode)" "$(calls)|$(echo "$out" | grep -c "$MARKER")" "0|0"
done
is "the real run migrated every legacy flow" \
	"$(q "SELECT count(*) FROM foray.foray_components WHERE source_ref LIKE 'credit.%'")" "$(q "SELECT count(*) FROM credit.foray_action_flows")"
# and once more, now with everything migrated, as lw_app would like it:
# the planted objects are still there and still never called
out=$(foray_psql -d "$DB" -v VERBOSITY=verbose -c "$PLANT_TEMP" -f "$SCRIPT" 2>&1); rc=$?
is "a re-run in a planted session has nothing to migrate and calls nothing planted" \
	"$rc|$(echo "$out" | grep -c 'nothing new to migrate')|$(calls)" "0|1|0"

# a planted temporary object with a name the script's own takes: the
# script does not replace it and does not call it, it stops
fresh
out=$(foray_psql -d "$DB" -v VERBOSITY=verbose -c "SET ROLE lw_app; CREATE FUNCTION pg_temp.lw_wrote(n bigint) RETURNS void LANGUAGE plpgsql AS \$\$ BEGIN PERFORM hostile.evil('pg_temp.lw_wrote'); END \$\$; RESET ROLE" -f "$SCRIPT" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q 'function "lw_wrote" already exists' && [ "$(calls)" = 0 ] && [ "$(migrated)" = 0 ] \
	&& ok "a planted pg_temp function with the name of the script's own stops the run; it never ran" || nok "planted lw_wrote" "rc=$rc calls=$(calls) $(echo "$out" | grep ERROR)"

# ------------------------------------------------------ not as a superuser
fresh
out=$(foray_psql -d "$DB" -U lw_app -v VERBOSITY=verbose -f "$SCRIPT" 2>&1); rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q "22R40" && echo "$out" | grep -q "runs as a superuser, not as role lw_app" \
	&& ok "run by the application's role, the script refuses (22R40)" || nok "non-superuser" "$out"

foray_psql -d postgres -c "DROP DATABASE IF EXISTS foray_hostile" -c "DROP DATABASE IF EXISTS foray_hostile_tpl" >/dev/null 2>&1
foray_psql -d postgres -c "DROP ROLE IF EXISTS lw_app" -c "DROP ROLE IF EXISTS lw_other" >/dev/null 2>&1
foray_tally "$P" "$F"
