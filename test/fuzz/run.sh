#!/usr/bin/env bash
# Build the libFuzzer harness (clang, ASan + UBSan) and run it.
#   test/fuzz/run.sh [seconds] [extra libFuzzer args]
# Output goes to tmp/fuzz/ (binary, corpus, log); the corpus starts from the
# RFC 8785 vectors and test/fuzz/seeds/.  Exit status is libFuzzer's.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
secs=${1:-20}
shift || true
out=${FUZZ_OUT:-$root/tmp/fuzz}
mkdir -p "$out/corpus"
clang -O1 -g -std=c99 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -Werror \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-I"$root/src/core" -I"$root/test/core" -o "$out/fuzz_jcs" \
	"$root/test/fuzz/fuzz_jcs.c" "$root/test/core/jcs_jansson.c" \
	"$root/src/core/jcs.c" "$root/src/core/jcs_number.c" "$root/src/core/sha256.c" \
	-ljansson -lcrypto -lm
cp -n "$root"/test/vectors/rfc8785-jcs/input/*.json "$root"/test/fuzz/seeds/* "$out/corpus/" 2>/dev/null || true
cd "$out"
exec "$out/fuzz_jcs" -max_total_time="$secs" -max_len=4096 -timeout=10 -print_final_stats=1 \
	"$@" "$out/corpus"
