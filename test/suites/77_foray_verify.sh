#!/usr/bin/env bash
# foray-verify against the database (issue 19): every example and several
# hundred generated transactions of every shape the substrate stores
# (attestations, audit data, empty trees, unicode, tricky numbers, open,
# anchored, sealed, amended; commitment scheme 1 for transactions anchored
# under 0.4.0 before ALTER EXTENSION UPDATE), exported with
# foray.export_bundle / export_document.  The installed program must accept
# every one, and its report of recomputed hashes must equal the database's
# (foray.transaction_hashes, the stored component hashes and anchored roots,
# and foray.commitment_details entry by entry where the database has it).
# Then the tampered corpus (test/verify/tamper.py): at least 1,000 tampered
# bundles must not verify, with the first mismatch named; benign changes
# must still verify.  Then valgrind over a sample.
source test/lib.sh

pass=0
fail=0
phase() { echo "# $1 (${SECONDS}s so far)"; }
check() {	# check NAME EXPECTED ACTUAL
	if [ "$2" == "$3" ]; then
		pass=$((pass + 1)); echo "ok - $1"
	else
		fail=$((fail + 1)); echo "not ok - $1"; echo "#   expected: $2"; echo "#   got:      $3"
	fi
}

FV="$FORAY_PGBIN/foray-verify"
out="$FORAY_TMP/verify"
rm -rf "$out"
mkdir -p "$out"
NEW=foray_fv_new
OLD=foray_fv_old
check "foray-verify is installed next to PostgreSQL's programs" "yes" "$([ -x "$FV" ] && echo yes || echo no)"

# ---- the data -----------------------------------------------------------
load() {	# load DB PREFIX COUNT SEED: every example and COUNT generated documents
	local db=$1 n=0 f
	for f in test/examples/*.json; do
		if foray_psql -d "$db" -Atc "SELECT foray.import_document(pg_read_file('$PWD/$f')::jsonb, admit_content_violations => true)" >/dev/null 2>&1; then
			n=$((n + 1))
		fi
	done
	python3 test/verify/gen_transactions.py "$2" "$3" "$4" >"$out/$db.gen.sql"
	echo "$n $(foray_psql -d "$db" -At -f "$out/$db.gen.sql" | grep -c imported)"
}

# anchor (half of what is ready), seal some, amend some anchored ones and
# correct the copies, reverse a component of some (open), add one
# transaction without components (open, TX-001 warning)
shape() {	# shape DB PREFIX
	foray_psql -d "$1" >/dev/null <<-SQL
	SELECT foray.record_anchor(t.transaction_id, (foray.transaction_hashes(t.transaction_id)).merkle_root,
	       'kaspa:' || md5(t.transaction_id), 1000 + row_number() OVER (ORDER BY t.transaction_id),
	       800 + length(t.transaction_id), '2026-02-01T10:00:00Z'::timestamptz + (row_number() OVER (ORDER BY t.transaction_id)) * interval '1.5 second')
	  FROM foray.foray_transactions t
	 WHERE t.lifecycle = 'ready_to_anchor' AND abs(hashtext(t.transaction_id)) % 2 = 0;
	SELECT foray.seal(t.transaction_id, 'archive://' || t.transaction_id)
	  FROM foray.foray_transactions t WHERE t.lifecycle = 'anchored' AND abs(hashtext(t.transaction_id)) % 5 = 0;
	SELECT foray.amend_transaction(t.transaction_id, t.transaction_id || '_AMD')
	  FROM foray.foray_transactions t
	 WHERE t.lifecycle IN ('anchored', 'sealed') AND abs(hashtext(t.transaction_id)) % 3 = 0;
	UPDATE foray.foray_components c SET foray_core = c.foray_core || '{"corrected": "yes \u00e9"}'
	 WHERE c.transaction_id LIKE '%\_AMD' AND c.component_id = (SELECT min(x.component_id COLLATE "C")
		 FROM foray.foray_components x WHERE x.transaction_id = c.transaction_id);
	UPDATE foray.foray_components c SET status = 'reversed'
	 WHERE c.transaction_id IN (SELECT transaction_id FROM foray.foray_transactions
								 WHERE lifecycle = 'ready_to_anchor' AND abs(hashtext(transaction_id)) % 7 = 1)
	   AND c.component_type = 'ACT';
	INSERT INTO foray.foray_transactions (transaction_id, document_timestamp, foray_core, audit_data_anchor)
	VALUES ('$2_EMPTY', '2026-05-05T05:05:05Z', '{"entity": "E", "transaction_type": "none"}', '{"batch": 1}');
	SQL
}

foray_psql -d postgres -c "DROP DATABASE IF EXISTS $NEW" -c "DROP DATABASE IF EXISTS $OLD" \
	-c "CREATE DATABASE $NEW" -c "CREATE DATABASE $OLD" >/dev/null
foray_psql -d "$NEW" -c "CREATE EXTENSION foray_substrate" >/dev/null
foray_psql -d "$OLD" -c "CREATE EXTENSION foray_substrate VERSION '0.4.0'" >/dev/null

read -r ex_new gen_new <<<"$(load $NEW GEN 300 19)"
check "the importable examples (6 of 12; docs/rules.md lists the others' structural findings) are imported" "6" "$ex_new"
check "300 generated documents are imported" "300" "$gen_new"
shape $NEW GEN

# scheme 1: written, anchored, sealed and amended under 0.4.0, then updated;
# afterwards more anchors and amendments under the current version
read -r ex_old gen_old <<<"$(load $OLD OLD 100 23)"
check "0.4.0: the examples and 100 generated documents are imported" "6 100" "$ex_old $gen_old"
shape $OLD OLD
foray_psql -d "$OLD" -c "ALTER EXTENSION foray_substrate UPDATE" >/dev/null
foray_psql -d "$OLD" >/dev/null <<-'SQL'
SELECT foray.record_anchor(t.transaction_id, (foray.transaction_hashes(t.transaction_id)).merkle_root,
	   'kaspa:after-' || md5(t.transaction_id), 5000, 900, '2026-06-01T00:00:00.5Z')
  FROM foray.foray_transactions t WHERE t.lifecycle = 'ready_to_anchor' AND abs(hashtext(t.transaction_id)) % 2 = 1;
SELECT foray.amend_transaction(t.transaction_id, t.transaction_id || '_NEW')
  FROM foray.foray_transactions t WHERE t.lifecycle = 'sealed' AND t.transaction_id NOT LIKE '%\_AMD';
SQL

for db in $NEW $OLD; do
	echo "# $db: $(foray_psql -d "$db" -Atc "SELECT string_agg(lifecycle || ' ' || n, ', ' ORDER BY lifecycle) FROM (SELECT lifecycle::text, count(*) AS n FROM foray.foray_transactions GROUP BY 1) s"),$(foray_psql -d "$db" -Atc "SELECT ' schemes: ' || coalesce((SELECT string_agg(s || ' ' || n, ', ') FROM (SELECT commitment_scheme::text AS s, count(*) AS n FROM foray.foray_transactions GROUP BY 1) x), 'not stored (one scheme)')" 2>/dev/null || echo ' schemes: not stored (one scheme)')"
done

# ---- export and verify ------------------------------------------------------
phase "export and verify"
export_all() {	# export_all DB: one bundle and one document per transaction, selective bundles
	local db=$1 dir="$out/$1"
	mkdir -p "$dir/bundle" "$dir/document" "$dir/selective" "$dir/report"
	foray_psql -d "$db" -At -F $'\t' -c "SELECT transaction_id, foray.export_bundle(transaction_id), foray.export_document(transaction_id)
		FROM foray.foray_transactions ORDER BY 1" | python3 -c '
import sys, os
d = sys.argv[1]
for line in sys.stdin:
    tx, bundle, doc = line.rstrip("\n").split("\t")
    open(os.path.join(d, "bundle", tx + ".json"), "w").write(bundle)
    open(os.path.join(d, "document", tx + ".json"), "w").write(doc)
' "$dir"
	# selective bundles: every third transaction discloses its first and last member
	foray_psql -d "$db" -At -F $'\t' -c "WITH m AS (
			SELECT transaction_id, component_id AS id FROM foray.foray_components
			UNION ALL SELECT transaction_id, attestation_id FROM foray.foray_attestations),
		pick AS (SELECT transaction_id, min(id COLLATE \"C\") AS lo, max(id COLLATE \"C\") AS hi FROM m GROUP BY 1)
		SELECT p.transaction_id, foray.export_bundle(p.transaction_id, ARRAY[p.lo, p.hi])
		  FROM pick p JOIN foray.foray_transactions t USING (transaction_id)
		 WHERE t.lifecycle <> 'open' AND abs(hashtext(p.transaction_id)) % 3 = 0 ORDER BY 1" | python3 -c '
import sys, os
for line in sys.stdin:
    tx, bundle = line.rstrip("\n").split("\t")
    open(os.path.join(sys.argv[1], "selective", tx + ".json"), "w").write(bundle)
' "$dir"
}

verify_all() {	# verify_all DB: runs the installed program over every export; prints the failures
	local dir="$out/$1" f rc bad=0 n=0
	for f in "$dir"/bundle/*.json; do
		n=$((n + 1))
		"$FV" --json --details bundle "$f" >"$dir/report/$(basename "$f")"
		rc=$?
		[ $rc -ne 0 ] && { bad=$((bad + 1)); echo "#   bundle $(basename "$f"): exit $rc" >&2; jq -c '.failures[0:3], .error' "$dir/report/$(basename "$f")" >&2; }
	done
	for f in "$dir"/document/*.json; do
		n=$((n + 1))
		"$FV" --quiet document "$f"
		rc=$?
		[ $rc -ne 0 ] && { bad=$((bad + 1)); echo "#   document $(basename "$f"): exit $rc" >&2; "$FV" document "$f" | head -5 >&2; }
	done
	for f in "$dir"/selective/*.json; do
		n=$((n + 1))
		"$FV" --quiet bundle "$f"
		rc=$?
		[ $rc -ne 0 ] && { bad=$((bad + 1)); echo "#   selective $(basename "$f"): exit $rc" >&2; "$FV" bundle "$f" | head -5 >&2; }
		# each disclosed proof on its own, against the envelope's root
		jq -c '.disclosed[].proof' "$f" >"$dir/proofs.tmp"
		root=$(jq -r '.envelope.merkle_root' "$f")
		while read -r proof; do
			n=$((n + 1))
			if ! echo "$proof" | "$FV" --quiet proof - --root "$root"; then
				bad=$((bad + 1)); echo "#   proof in $(basename "$f") does not verify" >&2
			fi
		done <"$dir/proofs.tmp"
	done
	echo "$n $bad"
}

for db in $NEW $OLD; do
	export_all $db
	read -r n bad <<<"$(verify_all $db)"
	check "$db: foray-verify accepts every exported bundle, document, selective bundle and proof ($n runs)" "0" "$bad"
done

# ---- the recomputed hashes against the database's ------------------------
phase "the recomputed hashes against the database's"
# foray-verify's report (--json --details) read back into the database that
# exported it, and compared field by field; every difference is listed.
compare() {	# compare DB REPORT_DIR
	local db=$1 dir=$2 details_sql="" details_state="not in this database"
	# foray.commitment_details, entry by entry, where the database has it
	if [ "$(foray_psql -d "$db" -Atc "SELECT to_regprocedure('foray.commitment_details(text)') IS NOT NULL")" = t ]; then
		details_state="compared"
		details_sql="SELECT 'commitment_details ' || rep.tx || ': ' || k.key || ' db=' || left(k.value::text, 300)
			|| ' foray-verify=' || left(coalesce(rep.r -> k.key, 'null')::text, 300)
		  FROM rep, LATERAL jsonb_each(foray.commitment_details(rep.tx)) AS k
		 WHERE k.value IS DISTINCT FROM rep.r -> k.key;"
	fi
	foray_psql -d "$db" -At <<-SQL
	CREATE TEMP TABLE rep AS
	SELECT substr(f, 1, length(f) - 5) AS tx, pg_read_file('$dir/' || f)::jsonb -> 'recomputed' AS r
	  FROM pg_ls_dir('$dir') AS f WHERE f LIKE '%.json';
	SELECT 'reports ' || count(*) FROM rep;
	-- transaction_hashes: the same six values (and the scheme, where stated)
	SELECT 'transaction_hashes ' || rep.tx || ': ' || k.key || ' db=' || coalesce(h.j -> k.key, 'null') || ' foray-verify=' || coalesce(rep.r -> k.key, 'null')
	  FROM rep, LATERAL (SELECT to_jsonb(x) AS j FROM foray.transaction_hashes(rep.tx) AS x) AS h,
		   LATERAL jsonb_each(h.j) AS k
	 WHERE h.j -> k.key IS DISTINCT FROM rep.r -> k.key;
	-- what was anchored (scheme 1 transactions keep their 0.4.0 root)
	SELECT 'anchored ' || t.transaction_id || ': stored merkle_root ' || t.merkle_root || ' foray-verify ' || (rep.r ->> 'merkle_root')
	  FROM foray.foray_transactions t JOIN rep ON rep.tx = t.transaction_id
	 WHERE t.merkle_root IS NOT NULL AND t.merkle_root IS DISTINCT FROM rep.r ->> 'merkle_root';
	SELECT 'anchored ' || t.transaction_id || ': stored ' || k || ' differs'
	  FROM foray.foray_transactions t JOIN rep ON rep.tx = t.transaction_id,
		   LATERAL (VALUES ('foray_core_hash', t.foray_core_hash), ('audit_data_hash', t.audit_data_hash)) AS v(k, stored)
	 WHERE t.merkle_root IS NOT NULL AND v.stored IS DISTINCT FROM rep.r ->> v.k;
	-- every member's hash, as the triggers stored it
	SELECT 'member ' || rep.tx || '/' || (m ->> 'id') || ': db=' || coalesce(s.h, 'none') || ' foray-verify=' || (m ->> 'component_hash')
	  FROM rep, LATERAL jsonb_array_elements(rep.r -> 'members') AS m
	  LEFT JOIN LATERAL (SELECT component_hash AS h FROM foray.foray_components c
						  WHERE c.transaction_id = rep.tx AND c.component_id = m ->> 'id'
						 UNION ALL SELECT attestation_hash FROM foray.foray_attestations a
						  WHERE a.transaction_id = rep.tx AND a.attestation_id = m ->> 'id') AS s ON true
	 WHERE s.h IS DISTINCT FROM m ->> 'component_hash';
	$details_sql
	SELECT 'members compared ' || sum(jsonb_array_length(r -> 'members')) FROM rep;
	SELECT 'commitment_details ' || '$details_state';
	SELECT 'compare done';
	SQL
}

for db in $NEW $OLD; do
	compare $db "$out/$db/report" >"$out/$db.compare" 2>&1
	grep -vE '^(reports|members compared|commitment_details (compared|not in)|compare done)' "$out/$db.compare" | head -40
	check "$db: the comparison ran to its end" "compare done" "$(tail -n 1 "$out/$db.compare")"
	check "$db: foray-verify's recomputed hashes equal the database's ($(grep -E '^(reports|members compared|commitment_details (compared|not in))' "$out/$db.compare" | tr '\n' ';'))" \
		"0" "$(grep -cvE '^(reports|members compared|commitment_details (compared|not in)|compare done)' "$out/$db.compare")"
done
# the comparison can fail: three reports with one value changed each
mkdir -p "$out/control"
for f in $(ls "$out/$NEW/report" | head -3); do cp "$out/$NEW/report/$f" "$out/control/"; done
set -- $(ls "$out/control")
jq -c '.recomputed.merkle_root = "sha256:'"$(printf '%064d' 1)"'"' "$out/control/$1" >"$out/control/x" && mv "$out/control/x" "$out/control/$1"
jq -c '.recomputed.members[0].component_hash = "sha256:'"$(printf '%064d' 2)"'"' "$out/control/$2" >"$out/control/x" && mv "$out/control/x" "$out/control/$2"
jq -c '.recomputed.component_hashes.actions = "sha256:'"$(printf '%064d' 3)"'"' "$out/control/$3" >"$out/control/x" && mv "$out/control/x" "$out/control/$3"
compare $NEW "$out/control" >"$out/control.compare" 2>&1
check "control: three changed reports are each caught" "$(printf '%s\n' "$@" | sed 's/\.json$//' | sort | tr '\n' ' ')" \
	"$(grep -vE '^(reports|members compared|commitment_details (compared|not in)|compare done)' "$out/control.compare" \
		| awk '{print $2}' | sed 's/[:/].*//' | sort -u | tr '\n' ' ')"
check "$NEW: every report read back" "$(ls "$out/$NEW/report" | wc -l)" "$(grep -oE '^reports [0-9]+' "$out/$NEW.compare" | awk '{print $2}')"

# ---- the commitment test vectors (test/vectors/commitment), no database ----------
phase "the commitment test vectors"
python3 test/verify/check_vectors.py "$FV" "$out/vectors" test/vectors/commitment/*.json >"$out/vectors.log" 2>&1
rc=$?
grep -E '^(#|not ok)' "$out/vectors.log" | head -30
check "test/vectors/commitment: every vector's details, proofs and negative cases, as foray-verify computes them" "0" "$rc"

# ---- against the independent reference implementation, no database -------------
phase "the reference implementation"
if command -v node >/dev/null && command -v npm >/dev/null &&
	(cd test/reference && npm ci --no-audit --no-fund --silent) >&2; then
	python3 test/verify/xcheck_reference.py "$FV" "$out/xref" 20260125 9 2 >"$out/xref.log" 2>&1
	rc=$?
	grep -E '^(#|not ok)' "$out/xref.log" | head -30
	check "the reference's commitment_details, proofs and proof mutations (test/reference/commitment.js): foray-verify agrees" "0" "$rc"
else
	check "node and npm for test/reference" "present" "missing"
fi

# ---- the tampered corpus ------------------------------------------------------
phase "the tampered corpus"
# honest inputs: every example's bundle, a sample of generated, anchored,
# sealed, amended and scheme-1 bundles, and selective bundles
mkdir -p "$out/honest"
for db in $NEW $OLD; do
	ls "$out/$db/bundle" | awk 'NR % 60 == 1 || /EMPTY/ || !/^(GEN|OLD)_/' | while read -r f; do cp "$out/$db/bundle/$f" "$out/honest/$db.$f"; done
	ls "$out/$db/selective" | head -3 | while read -r f; do cp "$out/$db/selective/$f" "$out/honest/$db.sel.$f"; done
done
python3 test/verify/tamper.py "$FV" "$out/honest" "$out/tamper" >"$out/tamper.log" 2>&1
rc=$?
grep -E '^(#|not ok)' "$out/tamper.log" | head -60
check "tampered corpus: every tampered bundle exits 1 with its mismatch named first, every benign change verifies" "0" "$rc"
check "tampered corpus: at least 1,000 tampered bundles" "yes" \
	"$(awk '/^# tampered:/ {print ($3 >= 1000) ? "yes" : "only " $3}' "$out/tamper.log")"

# ---- unusable input: exit 2 with a one-line reason ----------------------------------
phase "unusable input"
bad2=0
for f in test/verify/malformed/*.json; do
	case $(basename "$f") in doc-*) cmds="document" ;; *) cmds="document bundle proof" ;; esac
	for cmd in $cmds; do
		extra=""
		[ "$cmd" = proof ] && extra="--root sha256:$(printf '%064d' 0)"
		"$FV" $cmd "$f" $extra >"$out/stdout" 2>"$out/stderr"
		rc=$?
		if [ $rc -ne 2 ] || [ "$(wc -l <"$out/stderr")" -ne 1 ] || [ -s "$out/stdout" ]; then
			bad2=$((bad2 + 1))
			echo "#   $cmd $(basename "$f"): exit $rc, stderr: $(head -c 300 "$out/stderr")"
		fi
	done
done
check "malformed, duplicate-key, invalid UTF-8, uncanonicalisable and too deep inputs: exit 2 with one line ($(ls test/verify/malformed | wc -l) files)" "0" "$bad2"
"$FV" --json document test/verify/malformed/duplicate-key.json >"$out/stdout" 2>/dev/null
check "--json reports unusable input as JSON too" "unusable 2" "$(jq -r '.result + " " + (.exit_code | tostring)' "$out/stdout")"
"$FV" document "$out/no-such-file.json" 2>"$out/stderr"
check "an unreadable file: exit 2" "2 1" "$? $(wc -l <"$out/stderr")"
"$FV" document "$out" 2>/dev/null
check "a directory: exit 2" "2" "$?"
"$FV" frobnicate x 2>/dev/null
check "an unknown command: exit 2" "2" "$?"
"$FV" proof "$out/honest/$(ls "$out/honest" | head -1)" 2>/dev/null
check "proof without --root: exit 2" "2" "$?"
"$FV" --help | grep -q 'Exit status'
check "--help describes the exit status" "0" "$?"
f=$(ls "$out/$NEW/bundle" | head -1)
"$FV" --quiet bundle - <"$out/$NEW/bundle/$f" >"$out/stdout"
check "standard input (-), and --quiet writes nothing" "0 0" "$? $(wc -c <"$out/stdout")"
jq . "$out/$NEW/bundle/$f" | "$FV" --quiet bundle -
check "the same bundle pretty-printed verifies" "0" "$?"

# several FILEs in one run: one report each, in order; the exit status is the worst
docs=("$out/$NEW"/document/*.json)
"$FV" --quiet document "${docs[@]}"
check "document over every exported document of $NEW in one run (${#docs[@]} files)" "0" "$?"
"$FV" --quiet bundle "$out"/honest/*.json
check "bundle over every honest bundle in one run" "0" "$?"
good=$(ls "$out"/honest/*.json | head -1)
good2=$(ls "$out"/honest/*.json | sed -n 2p)
tampered=""	# the first tampered bundle (the directory holds benign changes too)
for f in "$out"/tamper/*.json; do
	"$FV" --quiet bundle "$f" 2>/dev/null
	[ $? -eq 1 ] && { tampered=$f; break; }
done
malformed=test/verify/malformed/duplicate-key.json
"$FV" --json bundle "$good" "$tampered" "$malformed" "$good2" >"$out/stdout" 2>"$out/stderr"
check "several FILEs, good, tampered, unusable, good: exit 2 (the worst), one --json object each, in order" \
	"2|[0,1,2,0]|$good $tampered $malformed $good2" \
	"$?|$(jq -sc 'map(.exit_code)' "$out/stdout")|$(jq -sr 'map(.input) | join(" ")' "$out/stdout")"
check "several FILEs: the unusable one's reason, one line on standard error, names it" \
	"1 yes" "$(wc -l <"$out/stderr") $(grep -q "^foray-verify: $malformed: unusable input: " "$out/stderr" && echo yes || echo no)"
"$FV" bundle "$tampered" "$good" >"$out/stdout" 2>/dev/null
check "several FILEs, tampered then good: exit 1; the text reports are headed by their file" \
	"1|file: $tampered file: $good|result: DOES NOT VERIFY result: verified" \
	"$?|$(grep '^file: ' "$out/stdout" | tr '\n' ' ' | sed 's/ $//')|$(grep -oE '^result: (verified|DOES NOT VERIFY)' "$out/stdout" | tr '\n' ' ' | sed 's/ $//')"
"$FV" --quiet bundle "$good" "$out/no-such-file.json" "$good2" 2>"$out/stderr"
check "several FILEs, one unreadable: exit 2, the others still checked" "2 1" "$? $(wc -l <"$out/stderr")"
"$FV" --quiet bundle "$good" - "$good2" <"$tampered"
check "several FILEs with - (standard input) among them: its result counts" "1" "$?"
"$FV" --quiet bundle - "$good" - <"$good" 2>/dev/null
check "- twice: a usage error (exit 2)" "2" "$?"
"$FV" --quiet proof "$good" "$good2" --root "sha256:$(printf '%064d' 0)" 2>/dev/null
check "proof takes one FILE: exit 2 for two" "2" "$?"
"$FV" --quiet --timing document "${docs[@]:0:3}" 2>"$out/stderr"
check "--timing over three FILEs: one line each, naming it" "0 3 3" \
	"$? $(wc -l <"$out/stderr") $(grep -c "^timing (CPU seconds) of $out/$NEW/document/.*: parse " "$out/stderr")"

# an integer written 7.0 is not one, for the server (jsonb keeps the scale:
# 22R51) and so not for foray-verify; 7e0 is one for both
sel=$(ls "$out/$NEW/selective"/*.json | head -1)
jq -c '.disclosed[0].proof' "$sel" >"$out/int.proof"
root=$(jq -r '.envelope.merkle_root' "$sel")
for spelling in '.0' 'e0' '0e-1'; do
	python3 -c 'import re,sys; t=open(sys.argv[1]).read(); print(re.sub(r"(\"tree_size\": ?)([0-9]+)", lambda m: m.group(1) + m.group(2) + sys.argv[2], t, count=1))' \
		"$out/int.proof" "$spelling" >"$out/int.$spelling.proof"
	fv=$("$FV" --json proof "$out/int.$spelling.proof" --root "$root" | jq -r '"\(.exit_code)|\(.failures[0].check // "")|\(.failures[0].path // "")"')
	db=$(echo "SELECT foray.verify_inclusion(:'p'::jsonb, '$root')" |
		foray_psql -d $NEW -At -v VERBOSITY=sqlstate -v p="$(cat "$out/int.$spelling.proof")" 2>&1 | sed 's/^ERROR: *//')
	case $spelling in
		e0) want="0|||t" ;;
		*) want="1|PROOF-SHAPE|\$.steps[0].tree_size|22R51" ;;
	esac
	check "tree_size written N$spelling: foray-verify and the server agree" "$want" "$fv|$db"
done

# ---- valgrind over a sample ------------------------------------------------------
phase "valgrind over a sample"
if command -v valgrind >/dev/null; then
	vbad=0
	vn=0
	for f in $(ls "$out"/honest/*.json | head -4) $(ls "$out"/tamper/*.json | awk 'NR % 1000 == 0') \
		$(ls test/verify/malformed/* | awk 'NR % 3 == 0'); do
		vn=$((vn + 1))
		for cmd in bundle document; do
			valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99 "$FV" --json --details "$cmd" "$f" >/dev/null 2>"$out/valgrind.err"
			if [ $? -eq 99 ]; then
				vbad=$((vbad + 1))
				echo "#   valgrind: $cmd $f"
				head -20 "$out/valgrind.err"
			fi
		done
	done
	check "valgrind: no error and no leak over $vn inputs (bundle and document commands)" "0" "$vbad"
	valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99 "$FV" --json --timing bundle \
		$(ls "$out"/honest/*.json | head -3) "$tampered" test/verify/malformed/bom.json \
		"$out/no-such-file.json" >/dev/null 2>"$out/valgrind.err"
	check "valgrind: no error and no leak over several FILEs in one run (good, tampered, malformed, unreadable)" "2" "$?"
fi

foray_tally "$pass" "$fail"
