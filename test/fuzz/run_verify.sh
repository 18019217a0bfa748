#!/usr/bin/env bash
# Build the libFuzzer harness of foray-verify's input path (clang, ASan +
# UBSan + LSan) and run it.
#   test/fuzz/run_verify.sh [seconds] [extra libFuzzer args]
# The long run (issue 19: at least 10 minutes, no finding) is
#   test/fuzz/run_verify.sh 600
# test/run.sh runs it for 30 s (76_foray_verify_fuzz).  Output goes to
# tmp/fuzz-verify/ (binary, corpus, log); the corpus starts from the FORAY
# examples, exported documents, bundles and a proof (test/fuzz/seeds_verify/)
# and the malformed inputs of test/verify/malformed/.  Exit status is
# libFuzzer's.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
secs=${1:-30}
shift || true
out=${FUZZ_OUT:-$root/tmp/fuzz-verify}
mkdir -p "$out/corpus"
srcs=$(ls "$root"/src/cli/*.c | grep -v '/main\.c$')
clang -O1 -g -std=c99 -D_GNU_SOURCE -Wall -Wextra -Wno-unused-parameter -Werror \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-I"$root/src/cli" -I"$root/src/core" -I"$root/test/core" -o "$out/fuzz_verify" \
	"$root/test/fuzz/fuzz_verify.c" "$root/test/core/jcs_jansson.c" $srcs \
	"$root"/src/core/{jcs,jcs_number,sha256,merkle,commit,commitment,inclusion,iso8601,protocol}.c \
	-ljansson -lcrypto -lm
cp -n "$root"/test/examples/*.json "$root"/test/fuzz/seeds_verify/* "$root"/test/verify/malformed/* \
	"$out/corpus/" 2>/dev/null || true
cd "$out"
exec "$out/fuzz_verify" -max_total_time="$secs" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
	-print_final_stats=1 "$@" "$out/corpus"
