#!/usr/bin/env bash
# Core unit tests of the scheme-2 entry encodings (src/core/commit.c, no
# server) against hand-laid bytes, plain and under ASan/LSan/UBSan.
source test/lib.sh
out="$FORAY_TMP/core"
mkdir -p "$out"
p=0
f=0
cflags="-std=c99 -D_DEFAULT_SOURCE -O2 -Wall -Wextra -Werror -Isrc/core"
srcs="test/core/commit_test.c src/core/commit.c src/core/merkle.c"

run() {	# binary
	local log="$out/$(basename "$1").log"
	"$1" >"$log" 2>&1
	local rc=$?
	grep -E '^not ok' "$log"
	local tp tf
	tp=$(grep -cE '^ok ' "$log")
	tf=$(grep -cE '^not ok ' "$log")
	[ $rc -ne 0 ] && [ "$tf" -eq 0 ] && tf=1
	p=$((p + tp))
	f=$((f + tf))
}

if cc $cflags -o "$out/commit_test" $srcs -lcrypto; then run "$out/commit_test"; else f=$((f + 1)); fi
if cc $cflags -g -fsanitize=address,undefined -fno-sanitize-recover=all -o "$out/commit_test_asan" $srcs -lcrypto 2>/dev/null; then
	ASAN_OPTIONS=detect_leaks=1 run "$out/commit_test_asan"
else
	echo "# sanitizers unavailable here: plain build only"
fi
foray_tally "$p" "$f"
