-- A test-only update of the substrate (test/suites/80_citus.sh installs it
-- beside the shipped scripts for the length of the suite): the kinds of
-- change a real update makes, written as docs/scale-out.md asks update
-- scripts to be written, applied with ALTER EXTENSION UPDATE on the
-- coordinator of a distributed, populated installation.
\echo Use "ALTER EXTENSION foray_substrate UPDATE TO '0.5.0-probe'" to load this file. \quit

-- a new function and a new trigger function: every node's copy of the script creates them
CREATE FUNCTION foray.update_probe() RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp
AS $$ SELECT 'updated' $$;
CREATE FUNCTION foray.update_probe_note() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$ BEGIN NEW.probe_note := 'noted on ' || TG_TABLE_NAME; RETURN NEW; END $$;

-- table changes, through foray.apply_table_ddl: a column with a default on a
-- populated table, a CHECK, an index, a trigger calling the new function,
-- and a column privilege
SELECT foray.apply_table_ddl('foray.foray_components',
	'ALTER TABLE foray.foray_components ADD COLUMN probe_note text DEFAULT ''before the update''');
SELECT foray.apply_table_ddl('foray.foray_components',
	'ALTER TABLE foray.foray_components ADD CONSTRAINT foray_components_probe_note_short CHECK (length(probe_note) < 100)');
SELECT foray.apply_table_ddl('foray.foray_components',
	'CREATE INDEX foray_components_probe_idx ON foray.foray_components (transaction_id, probe_note)');
SELECT foray.apply_table_ddl('foray.foray_components',
	'CREATE TRIGGER zz_update_probe BEFORE INSERT ON foray.foray_components FOR EACH ROW EXECUTE FUNCTION foray.update_probe_note()');
SELECT foray.apply_table_ddl('foray.foray_components',
	'GRANT SELECT (probe_note) ON foray.foray_components TO foray_auditor');
-- a table Citus does not distribute (the log stays on the coordinator)
SELECT foray.apply_table_ddl('foray.log_entries',
	'ALTER TABLE foray.log_entries ADD COLUMN probe_note text');
