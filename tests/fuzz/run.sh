#!/usr/bin/env bash
# tests/fuzz/run.sh [SECONDS [TARGET...]]: build every libFuzzer target
# (tests/fuzz/fuzz_*.c) with clang, ASan + UBSan, and run each for SECONDS
# (default 30) from its seed corpus tests/fuzz/corpus/TARGET, with
# tests/fuzz/TARGET.dict if there is one.  A crash, leak, timeout or
# sanitizer report fails the run and leaves the input in the output folder
# (build/fuzz, or $FUZZ_OUT).  New corpus entries go to a scratch copy,
# never the repo.  Prints, per target, executions, coverage (cov: edges,
# ft: features) and corpus size; the same lines go to $OUT/summary.txt.
set -eu -o pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-30}
shift || true
OUT=${FUZZ_OUT:-build/fuzz}
mkdir -p "$OUT"
CFLAGS="-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Ilib -Irib -Ibgpd -Ikernel -DPACKAGE_VERSION=\"fuzz\""
# The pure libraries, as Makefile.am lists them (lib/, rib/, and bgpd/'s
# codec and config), so that a file another change adds there comes along.
am_sources() {
	sed -n "/^$1_SOURCES *=/,/[^\\]\$/p" Makefile.am |
	    grep -Eo '[a-z]+/[A-Za-z0-9_]+\.c' | tr '\n' ' '
}
LIBSRC="$(am_sources lib_libwren_a) $(am_sources rib_librib_a) $(am_sources bgpd_libbgp_a)"
NL="$(pkg-config --cflags --libs libnl-route-3.0 libnl-3.0)"
EV="$(pkg-config --cflags --libs libevent)"
# libcrypto where configure found it (BFD authentication)
EV="$EV $(pkg-config --cflags --libs libcrypto 2>/dev/null || true)"
# libbgp's BFD authentication (bgpd/bfdpkt.c) uses libcrypto's SHA1
EV="$EV $(pkg-config --cflags --libs libcrypto)"

# target -> what it needs beyond those (sources, flags, libraries)
declare -A SRCS=(
	# kernel/kr.c is included by the target itself
	[netlink]="$NL"
	# bgpd/compat.c is included by the target itself (ctlcmd.c: libbgp)
	[control]=""
)

if [ $# -gt 0 ]; then
	targets="$*"
else
	targets=$(ls tests/fuzz/fuzz_*.c | sed 's,.*/fuzz_,,; s,\.c$,,' | sort)
fi
: >"$OUT/summary.txt"
total=0
for t in $targets; do
	extra=${SRCS[$t]-}
	# a source a target needs and does not have yet (a feature in progress)
	for f in $extra; do
		case $f in *.c) [ -f "$f" ] || {
			echo "fuzz_$t: $f missing" >&2; exit 1; } ;;
		esac
	done
	# shellcheck disable=SC2086
	clang $CFLAGS "tests/fuzz/fuzz_$t.c" $LIBSRC $extra $EV -o "$OUT/fuzz_$t"
	rm -rf "$OUT/corpus_$t"
	mkdir -p "$OUT/corpus_$t"
	[ -d "tests/fuzz/corpus/$t" ] && cp -r "tests/fuzz/corpus/$t/." "$OUT/corpus_$t/"
	dict=""; [ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
	echo "==> fuzz_$t for ${SECS}s"
	"$OUT/fuzz_$t" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$OUT/crash_$t-" \
	    $dict "$OUT/corpus_$t" >"$OUT/fuzz_$t.log" 2>&1 || {
		tail -40 "$OUT/fuzz_$t.log"; echo "fuzz_$t FAILED"; exit 1; }
	execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$OUT/fuzz_$t.log" | grep -o '[0-9]*$' || true)
	[ -n "$execs" ] || execs=$(grep -Eo '^#[0-9]+' "$OUT/fuzz_$t.log" | tail -1 | tr -d '#')
	last=$(grep -E '(DONE|pulse|NEW|REDUCE|INITED) +cov:' "$OUT/fuzz_$t.log" | tail -1)
	cov=$(echo "$last" | grep -Eo 'cov: [0-9]+' || true)
	ft=$(echo "$last" | grep -Eo 'ft: [0-9]+' || true)
	corp=$(echo "$last" | grep -Eo 'corp: [0-9]+/[0-9]+[a-zA-Z]*' || true)
	line="fuzz_$t: ${execs:-?} executions in ${SECS}s, ${cov:-cov: ?}, ${ft:-ft: ?}, ${corp:-corp: ?}, no crash"
	echo "    $line"
	echo "$line" >>"$OUT/summary.txt"
	total=$((total + 1))
done
echo "fuzz: $total targets passed"
