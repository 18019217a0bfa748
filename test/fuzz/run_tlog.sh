#!/usr/bin/env bash
# Build the log's libFuzzer harness (clang, ASan + UBSan) and run it.
#   test/fuzz/run_tlog.sh [seconds] [extra libFuzzer args]
# Output goes to tmp/fuzz_tlog/ (binary, corpus, log); the corpus starts
# from test/fuzz/seeds_tlog/.  Exit status is libFuzzer's.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
secs=${1:-20}
shift || true
out=${FUZZ_OUT:-$root/tmp/fuzz_tlog}
mkdir -p "$out/corpus"
clang -O1 -g -std=c99 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -Werror \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-I"$root/src/core" -o "$out/fuzz_tlog" \
	"$root/test/fuzz/fuzz_tlog.c" "$root/src/core/tlog.c" "$root/src/core/tlog_note.c" \
	"$root/src/core/merkle.c" -lcrypto
cp -n "$root"/test/fuzz/seeds_tlog/* "$out/corpus/" 2>/dev/null || true
cd "$out"
exec "$out/fuzz_tlog" -max_total_time="$secs" -max_len=4096 -timeout=10 -print_final_stats=1 \
	"$@" "$out/corpus"
