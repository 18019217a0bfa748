#!/usr/bin/env bash
# Core Merkle unit tests (src/core/merkle.c, no server): built twice, plain
# and with AddressSanitizer + LeakSanitizer + UBSan when the compiler can,
# run against the vectors in test/vectors/rfc9162-merkle.
source test/lib.sh
out="$FORAY_TMP/core"
mkdir -p "$out"
p=0
f=0
cflags="-std=c99 -D_DEFAULT_SOURCE -O2 -Wall -Wextra -Werror -Isrc/core -Itest/core"
srcs="test/core/merkle_test.c test/core/test_util.c src/core/merkle.c"
libs="-ljansson -lcrypto"

run() {	# name binary
	local log="$out/$1.log"
	"$2" test/vectors/rfc9162-merkle >"$log" 2>&1
	local rc=$?
	grep -E '^not ok' "$log"
	tail -n 1 "$log"
	local tp tf
	tp=$(grep -cE '^ok ' "$log")
	tf=$(grep -cE '^not ok ' "$log")
	[ $rc -ne 0 ] && [ "$tf" -eq 0 ] && tf=1
	p=$((p + tp))
	f=$((f + tf))
}

if cc $cflags -o "$out/merkle_test" $srcs $libs; then
	run plain "$out/merkle_test"
else
	f=$((f + 1))
fi

# sanitizers: leaks and undefined behaviour fail the run
if echo 'int main(void){return 0;}' | cc -fsanitize=address,undefined -x c -o "$out/asan_probe" - 2>/dev/null \
	&& "$out/asan_probe" 2>/dev/null; then
	if cc $cflags -g -fsanitize=address,undefined -fno-sanitize-recover=all -o "$out/merkle_test_asan" $srcs $libs; then
		ASAN_OPTIONS=detect_leaks=1 run asan "$out/merkle_test_asan"
	else
		f=$((f + 1))
	fi
else
	echo "# sanitizers unavailable here: plain build only"
fi
foray_tally "$p" "$f"
