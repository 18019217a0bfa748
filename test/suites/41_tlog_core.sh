#!/usr/bin/env bash
# Core log unit tests (src/core/tlog.c, src/core/tlog_note.c, no server):
# built plain and with AddressSanitizer + LeakSanitizer + UBSan when the
# compiler can, and run under valgrind memcheck when it is installed, against
# the vectors in test/vectors (RFC 9162 inclusion and consistency vectors of
# transparency-dev/merkle, the C2SP / x/mod signed-note vectors); then every
# root and proof of the trees of up to 130 leaves and of random sizes up to
# 100,000 is compared with test/core/tlog_ref.py, an independent Python
# implementation written from RFC 9162.
source test/lib.sh
out="$FORAY_TMP/core"
mkdir -p "$out"
p=0
f=0
cflags="-std=c99 -D_DEFAULT_SOURCE -O2 -Wall -Wextra -Werror -Isrc/core -Itest/core"
srcs="test/core/tlog_test.c test/core/test_util.c src/core/merkle.c src/core/tlog.c src/core/tlog_note.c"
libs="-ljansson -lcrypto"

tally() {	# log rc
	grep -E '^not ok' "$1"
	tail -n 1 "$1"
	local tp tf
	tp=$(grep -cE '^ok ' "$1")
	tf=$(grep -cE '^not ok ' "$1")
	[ "$2" -ne 0 ] && [ "$tf" -eq 0 ] && tf=1
	p=$((p + tp))
	f=$((f + tf))
}
run() {	# name binary [args]
	local log="$out/$1.log" name=$1 bin=$2
	shift 2
	"$bin" test/vectors "$@" >"$log" 2>&1
	tally "$log" $?
}

if cc $cflags -o "$out/tlog_test" $srcs $libs; then
	run tlog_plain "$out/tlog_test"
	# the Python reference: roots, inclusion and consistency proofs
	python3 test/core/tlog_ref.py vectors test/vectors/rfc9162-merkle >"$out/tlog_ref_vectors.log" 2>&1
	tally "$out/tlog_ref_vectors.log" $?
	python3 test/core/tlog_ref.py queries 4747 >"$out/tlog_queries.txt" \
		&& "$out/tlog_test" --answer "$out/tlog_queries.txt" >"$out/tlog_answers.txt" \
		&& python3 test/core/tlog_ref.py check "$out/tlog_queries.txt" "$out/tlog_answers.txt" >"$out/tlog_ref.log" 2>&1
	tally "$out/tlog_ref.log" $?
else
	f=$((f + 1))
fi

if echo 'int main(void){return 0;}' | cc -fsanitize=address,undefined -x c -o "$out/asan_probe" - 2>/dev/null \
	&& "$out/asan_probe" 2>/dev/null; then
	if cc $cflags -g -fsanitize=address,undefined -fno-sanitize-recover=all -o "$out/tlog_test_asan" $srcs $libs; then
		ASAN_OPTIONS=detect_leaks=1 run tlog_asan "$out/tlog_test_asan" 300000
	else
		f=$((f + 1))
	fi
else
	echo "# sanitizers unavailable here: no ASan run"
fi

# valgrind: a smaller big tree (memcheck is ~50x slower); any error fails
if command -v valgrind >/dev/null; then
	valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		"$out/tlog_test" test/vectors 5000 >"$out/tlog_valgrind.log" 2>&1
	tally "$out/tlog_valgrind.log" $?
else
	echo "# valgrind not installed: no memcheck run"
fi
foray_tally "$p" "$f"
