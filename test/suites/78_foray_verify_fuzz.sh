#!/usr/bin/env bash
# foray-verify's input path under libFuzzer with ASan, UBSan and LSan, for
# ${FORAY_FUZZ_SECONDS:-30} seconds (the long run, 10 minutes or more, is
# done by hand: test/fuzz/run_verify.sh 600).  Every input goes through the
# document, bundle and proof checks and is parsed by jansson too: both
# parsers must agree, and their canonical texts must be equal
# (test/fuzz/fuzz_verify.c).
source test/lib.sh
p=0
f=0
out="$FORAY_TMP/fuzz-verify"
if ! command -v clang >/dev/null; then
	echo "# clang missing: fuzzing skipped"
	foray_tally 0 1
	exit 1
fi
if FUZZ_OUT="$out" bash test/fuzz/run_verify.sh "${FORAY_FUZZ_SECONDS:-30}" >"$out.log" 2>&1; then
	grep -E '^Done|number_of_executed_units|new_units_added' "$out.log"
	echo "ok - libFuzzer: no crash, leak, undefined behaviour or broken invariant"
	p=$((p + 1))
else
	echo "not ok - libFuzzer found a failure (crash input in $out)"
	grep -E 'INVARIANT|ERROR|SUMMARY' -A8 "$out.log" | head -40
	f=$((f + 1))
fi
# every member and element of a bundle, a document and a proof removed or
# replaced (test/verify/shapes.py), through the ASan + UBSan build
if make -s -C src/cli SAN=1 >&2; then
	shapes_ok=0
	for args in "bundle test/fuzz/seeds_verify/bundle-selective.json" \
		"document test/fuzz/seeds_verify/document.json" "proof test/fuzz/seeds_verify/proof.json"; do
		set -- $args
		cmd=$1
		shift
		(cd test/verify && python3 shapes.py ../../src/cli/foray-verify-san "$FORAY_TMP/shapes-$cmd" "$cmd" \
			$(for x in "$@"; do echo "../../$x"; done)) >"$FORAY_TMP/shapes-$cmd.log" 2>&1 || shapes_ok=1
		grep -E '^(#|not ok)' -A12 "$FORAY_TMP/shapes-$cmd.log" | head -40
	done
	if [ $shapes_ok -eq 0 ]; then
		echo "ok - every shape of a bundle, a document and a proof: no sanitizer report"
		p=$((p + 1))
	else
		echo "not ok - a shape crashed or the sanitizers reported"
		f=$((f + 1))
	fi
else
	echo "not ok - the sanitizer build of foray-verify"
	f=$((f + 1))
fi
foray_tally "$p" "$f"
