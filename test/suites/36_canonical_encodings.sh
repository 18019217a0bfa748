#!/usr/bin/env bash
# Canonical hashing in databases whose encoding is not UTF-8: the canonical
# text and hash are those of the UTF-8 text (RFC 8785), whatever the database
# encoding; in SQL_ASCII the bytes are taken as UTF-8 and refused (22R22)
# when they are not.  Expected hashes: coreutils sha256sum of the UTF-8 text.
source test/lib.sh
export PGCLIENTENCODING=UTF8
p=0
f=0
ok() { p=$((p + 1)); echo "ok - $1"; }
no() { f=$((f + 1)); echo "not ok - $1"; shift; printf '   %s\n' "$@"; }

doc='{"café": "Ünïcödé ½", "a": [1.50, "x"]}'
canon='{"a":[1.5,"x"],"café":"Ünïcödé ½"}'
want="sha256:$(printf '%s' "$canon" | sha256sum | awk '{print $1}')"

for enc in LATIN1 WIN1252 SQL_ASCII UTF8; do
	db="foray_enc_$(echo "$enc" | tr 'A-Z' 'a-z')"
	foray_psql -d postgres -c "DROP DATABASE IF EXISTS $db" \
		-c "CREATE DATABASE $db ENCODING '$enc' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0" >/dev/null 2>&1
	foray_psql -d "$db" -c "CREATE EXTENSION foray_substrate" >/dev/null
	got=$(foray_psql -d "$db" -At -F '|' -c "SELECT foray.foray_canonicalize(\$\$$doc\$\$), foray.foray_hash(\$\$$doc\$\$)")
	if [ "$got" = "$canon|$want" ]; then ok "$enc: canonical text and hash"; else no "$enc: canonical text and hash" "got:  $got" "want: $canon|$want"; fi
done

# SQL_ASCII holds arbitrary bytes: invalid UTF-8 is refused with its path
got=$(foray_psql -d foray_enc_sql_ascii -At -c "SELECT foray.foray_hash(('{\"k\": [\"caf' || chr(233) || '\"]}')::jsonb)" 2>&1)
case "$got" in
	*'string at $.k[0] is not valid UTF-8'*) ok "SQL_ASCII: invalid UTF-8 refused" ;;
	*) no "SQL_ASCII: invalid UTF-8 refused" "got: $got" ;;
esac
state=$(foray_psql -d foray_enc_sql_ascii -At -c "DO \$\$ BEGIN PERFORM foray.foray_hash(('{\"caf' || chr(233) || '\": 1}')::jsonb); EXCEPTION WHEN OTHERS THEN RAISE NOTICE '%', SQLSTATE; END \$\$" 2>&1)
case "$state" in
	*22R22*) ok "SQL_ASCII: SQLSTATE 22R22 for an invalid name" ;;
	*) no "SQL_ASCII: SQLSTATE 22R22 for an invalid name" "got: $state" ;;
esac
for enc in latin1 win1252 sql_ascii utf8; do
	foray_psql -d postgres -c "DROP DATABASE IF EXISTS foray_enc_$enc" >/dev/null
done
foray_tally "$p" "$f"
