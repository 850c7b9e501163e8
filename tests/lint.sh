#!/usr/bin/env bash
# tests/lint.sh: static analysis of the daemon's sources (lib/ rib/ bgpd/
# kernel/) with the committed configurations: cppcheck (its suppressions in
# .cppcheck-suppressions) and clang-tidy (.clang-tidy).  Any finding fails.
# tests/run check runs it; by hand: tests/lint.sh [cppcheck|clang-tidy].
set -eu -o pipefail
cd "$(dirname "$0")/.."
WHAT=${1:-all}
SRCS=$(ls lib/*.c rib/*.c bgpd/*.c kernel/*.c)
INC="-Ilib -Irib -Ibgpd -Ikernel"
DEFS="-DPACKAGE_VERSION=\"lint\" -DSYSCONFDIR=\"/etc\""
JOBS=$(nproc)

run_cppcheck() {
	echo "==> cppcheck $(cppcheck --version | awk '{ print $2 }')"
	# sys/queue.h: TAILQ_* must expand for the files that use them
	# shellcheck disable=SC2086
	cppcheck -q --std=c11 --enable=warning,portability,performance \
	    --inline-suppr --suppressions-list=.cppcheck-suppressions \
	    --include=/usr/include/x86_64-linux-gnu/sys/queue.h \
	    -D__linux__ $DEFS $INC --error-exitcode=1 -j"$JOBS" $SRCS
	echo "    cppcheck: clean"
}

run_clang_tidy() {
	local flags log
	echo "==> clang-tidy $(clang-tidy --version | awk '/version/ { print $NF; exit }')"
	flags="-std=gnu11 $INC -DPACKAGE_VERSION='\"lint\"' -DSYSCONFDIR='\"/etc\"'"
	flags="$flags $(pkg-config --cflags libnl-route-3.0 libevent)"
	# shellcheck disable=SC2086
	log=$(mktemp)
	printf '%s\n' $SRCS | xargs -P"$JOBS" -I{} sh -c \
	    "clang-tidy -quiet {} -- $flags 2>/dev/null" >"$log" || {
		grep -E '(warning|error):' "$log" | sort -u
		rm -f "$log"
		echo "clang-tidy FAILED"
		exit 1
	}
	rm -f "$log"
	echo "    clang-tidy: clean"
}

case $WHAT in
all) run_cppcheck; run_clang_tidy ;;
cppcheck) run_cppcheck ;;
clang-tidy) run_clang_tidy ;;
*) echo "usage: tests/lint.sh [all|cppcheck|clang-tidy]" >&2; exit 2 ;;
esac
