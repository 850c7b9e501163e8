#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS]: build every libFuzzer target with clang
# (ASan + UBSan) and run each for SECONDS (default 30) from its seed corpus.
# A crash, leak or sanitizer report fails the run and leaves the input in
# the output folder.  New corpus entries go to a scratch copy, never the repo.
set -eu -o pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-30}
OUT=${FUZZ_OUT:-build/fuzz}
mkdir -p "$OUT"
CFLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Ilib -Irib -Ibgpd"
LIBSRC="lib/buf.c lib/addr.c lib/log.c lib/json.c rib/pt.c rib/attrs.c rib/aspath.c rib/rib.c rib/decide.c rib/export.c"

# target name -> the sources it needs beyond lib/ and rib/
declare -A SRCS=(
	[msg]="bgpd/msg.c bgpd/update.c"
	[config]="bgpd/config.c"
)
total=0
for t in "${!SRCS[@]}"; do
	clang $CFLAGS "tests/fuzz/fuzz_$t.c" ${SRCS[$t]} $LIBSRC -o "$OUT/fuzz_$t"
	rm -rf "$OUT/corpus_$t"; cp -r "tests/fuzz/corpus/$t" "$OUT/corpus_$t"
	dict=""; [ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
	echo "==> fuzz_$t for ${SECS}s"
	"$OUT/fuzz_$t" -max_total_time="$SECS" -artifact_prefix="$OUT/crash_$t-" \
	    $dict "$OUT/corpus_$t" >"$OUT/fuzz_$t.log" 2>&1 || {
		tail -40 "$OUT/fuzz_$t.log"; echo "fuzz_$t FAILED"; exit 1; }
	execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$OUT/fuzz_$t.log" | grep -o '[0-9]*$' || true)
	[ -n "$execs" ] || execs=$(grep -Eo '#[0-9]+' "$OUT/fuzz_$t.log" | tail -1 | tr -d '#')
	cov=$(grep -Eo 'cov: [0-9]+' "$OUT/fuzz_$t.log" | tail -1)
	echo "    fuzz_$t: ${execs:-?} executions, $cov, no crash"
	total=$((total + 1))
done
echo "fuzz: $total targets passed"
