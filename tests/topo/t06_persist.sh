#!/bin/bash
# shellcheck disable=SC2317 # helpers are called through wait_for and check
# t06: restarts with persist: installed routes never leave the kernel.
#
#   ha 198.18.0.1 wrend  cali1: 1,000 /32s in 10.244.64.0/22
#   hb 198.18.0.2 wrend  installs them (proto 186); restarted again and again
#
# For the whole test `ip monitor route` runs in hb's namespace (into a log)
# and a sampler records how many proto 186 routes hb's kernel has, 10 times
# a second.  Then:
#   1. hb's wrend stops with SIGTERM and starts again;
#   2. hb's wrend is killed with SIGKILL and starts again;
#   each time, not one of the 1,000 routes is deleted (no `Deleted` line in
#   the monitor log, the count never drops), and afterwards hb's Loc-RIB has
#   them again and its kernel has exactly one route per prefix;
#   3. while hb's wrend is stopped, 100 of ha's routes go away: once hb is
#   back and ha's End-of-RIB has arrived, exactly those 100 are deleted from
#   hb's kernel (well before the adoption grace period of 120 s would end)
#   and the other 900 never were;
#   4. with `kernel { persist off }`, a clean stop removes hb's routes.
set -eu -o pipefail
# shellcheck source=tests/topo/lib.sh
. "$(dirname "$0")/lib.sh"

N=1000
GONE=100

topo_init wrend
topo_hosts ha:198.18.0.1:cali1 hb:198.18.0.2:cali1

# ---- helpers ----------------------------------------------------------------

# A lighter state dump than lib.sh's (1,000 routes per host): counts,
# sessions, status, the monitor log's last lines and the logs' tails.
topo_dump() {
	topo_dump_counts
	[ -z "$LAST_EXPECT" ] || set_report "$LAST_EXPECT"
	echo "---- hb's route monitor: $(grep -c '^Deleted' "$MON") Deleted lines; last 20 lines:"
	tail -n 20 "$MON"
	topo_dump_logs 100
}

# prefixes FILE FIRST COUNT: COUNT /32s of 10.244.64.0/22 from FIRST, sorted.
prefixes() { topo_prefixes "$1" 10.244.64.0 1024 "$2" "$3"; }

norm() {
	awk '{ d = $1; if (d !~ /\//) d = d "/32"; print d }' | LC_ALL=C sort
}

# kernel_set HOST [SELECTOR...]: destinations of `ip route show SELECTOR`,
# sorted, duplicates kept.
kernel_set() {
	local host=$1
	shift
	ip -n "$(topo_ns "$host")" route show "$@" | norm
}

# hb_exact FILE: hb's proto 186 routes are exactly FILE, and among all of
# hb's routes in the main table each of them appears once (no duplicate of
# another protocol or metric either).
LAST_EXPECT=""
hb_exact() {
	LAST_EXPECT=$1
	kernel_set hb proto 186 | cmp -s - "$1" || return 1
	[ -z "$(kernel_set hb | uniq -d)" ]
}

set_report() {
	local have=$TOPO_DIR/have
	kernel_set hb proto 186 >"$have"
	echo "hb: kernel has $(wc -l <"$have") proto 186 routes, expected $(wc -l <"$1");" \
		"missing $(LC_ALL=C comm -13 "$have" "$1" | wc -l)," \
		"stale $(LC_ALL=C comm -23 <(LC_ALL=C sort -u "$have") "$1" | wc -l)," \
		"duplicated (any protocol) $(kernel_set hb | uniq -d | wc -l)"
}

wait_exact() {
	local desc=$1 file=$2
	wait_for 60 "$desc" hb_exact "$file"
}

# Prefixes with a `Deleted` line in hb's monitor log after line $1.
deleted_since() {
	tail -n "+$(($1 + 1))" "$MON" | awk '$1 == "Deleted" { print $2 }' | norm | uniq
}

# The smallest proto 186 route count the sampler saw after line $1.
min_count_since() {
	tail -n "+$(($1 + 1))" "$COUNTS" | sort -n | head -n 1
}

# hb_rib_has N: hb's Loc-RIB has N best bgp routes from ha.
hb_rib_has() {
	json_test "len([r for r in d['routes'] if r['source'] == 'bgp' and
		r['neighbor'] == '198.18.0.1' and r['best']]) == $1" wrenctl hb -j show routes
}

hb_installed_is() {
	json_test "d['kernel']['installed'] == $1" wrenctl hb -j show status
}

# restart_checks WHAT MARK COUNTMARK FILE: after hb's wrend came back.
restart_checks() {
	local what=$1 mark=$2 cmark=$3 file=$4 n del min
	n=$(wc -l <"$file")
	wait_for 60 "$what: hb's session to ha Established again" wrend_established hb 198.18.0.1
	wait_for 60 "$what: hb's wrenctl show routes has the $n routes from ha again" hb_rib_has "$n"
	wait_exact "$what: hb's kernel has exactly one route per prefix, the $n of ha" "$file"
	wait_for 60 "$what: hb's wrend counts $n routes installed" hb_installed_is "$n"
	sleep 1		# let the monitor and the sampler catch up
	del=$(deleted_since "$mark" | LC_ALL=C comm -12 - "$file" | wc -l)
	check "$what: hb's route monitor shows no Deleted line for any of the $n ($del)" \
		test "$del" = 0
	min=$(min_count_since "$cmark")
	check "$what: the count of proto 186 routes on hb never dropped below $n (min $min)" \
		test "${min:-0}" -ge "$n"
}

mark() { wc -l <"$1"; }

# ---- set-up -----------------------------------------------------------------

ALL=$TOPO_DIR/all
prefixes "$ALL" 0 "$N"
topo_batch "$TOPO_DIR/add.batch" add "$ALL"
# The 100 that go away while hb is down: every 10th.
awk 'NR % 10 == 0' "$ALL" >"$TOPO_DIR/gone"
LC_ALL=C comm -23 "$ALL" "$TOPO_DIR/gone" >"$TOPO_DIR/kept"
topo_batch "$TOPO_DIR/gone.batch" del "$TOPO_DIR/gone"
check "$GONE prefixes chosen to go away" test "$(wc -l <"$TOPO_DIR/gone")" = "$GONE"

MON=$TOPO_DIR/hb.monitor
COUNTS=$TOPO_DIR/hb.counts
topo_spawn hb monitor "$MON" ip monitor route
topo_spawn hb sampler "$COUNTS" bash -c \
	'while :; do ip route show proto 186 | wc -l; sleep 0.1; done'

conf_b=$(topo_conf hb.conf)
wren_conf "$(topo_conf ha.conf)" 198.18.0.1 64512 198.18.0.2:64512
wren_conf "$conf_b" 198.18.0.2 64512 198.18.0.1:64512
wrend_start ha "$(topo_conf ha.conf)"
wrend_start hb "$conf_b"
wait_for 60 "ha-hb session Established" wrend_established ha 198.18.0.2
topo_ip_batch ha "$TOPO_DIR/add.batch"
wait_exact "hb's kernel has exactly ha's $N routes (proto 186)" "$ALL"
check "hb's routes are via 198.18.0.1, metric 32" test \
	"$(ip -n "$(topo_ns hb)" route show proto 186 via 198.18.0.1 metric 32 | wc -l)" = "$N"

# ---- 1. SIGTERM, start again -------------------------------------------------
m=$(mark "$MON")
c=$(mark "$COUNTS")
rc=0
topo_stop hb wrend TERM || rc=$?
check "hb's wrend exited 0 after SIGTERM (exit status $rc)" test "$rc" = 0
sleep 2
check "hb's kernel kept all $N routes while wrend is stopped (persist)" hb_exact "$ALL"
wrend_start hb "$conf_b"
restart_checks "SIGTERM restart" "$m" "$c" "$ALL"

# ---- 2. SIGKILL, start again -------------------------------------------------
m=$(mark "$MON")
c=$(mark "$COUNTS")
topo_stop hb wrend KILL || true
sleep 2
check "hb's kernel kept all $N routes after SIGKILL" hb_exact "$ALL"
wrend_start hb "$conf_b"
restart_checks "SIGKILL restart" "$m" "$c" "$ALL"

# ---- 3. stale removal: 100 routes went away while hb was down ----------------
m=$(mark "$MON")
c=$(mark "$COUNTS")
rc=0
topo_stop hb wrend TERM || rc=$?
check "hb's wrend exited 0 after SIGTERM (exit status $rc)" test "$rc" = 0
topo_ip_batch ha "$TOPO_DIR/gone.batch"
wait_for 30 "ha's wrend learned $((N - GONE)) routes" \
	json_test "d['kernel']['learned'] == $((N - GONE))" wrenctl ha -j show status
sleep 1
check "hb's kernel still has all $N routes while its wrend is stopped" hb_exact "$ALL"
wrend_start hb "$conf_b"
t0=$(date +%s)
wait_for 60 "stale: hb's session to ha Established again" wrend_established hb 198.18.0.1
wait_for 60 "stale: hb received ha's End-of-RIB" \
	grep -q "198.18.0.1: End-of-RIB received" "$TOPO_DIR/hb.wrend.log"
# 90 s: long enough for a slow machine, shorter than the adoption grace
# period (120 s), so the removal must come from the End-of-RIB.
wait_for 90 "stale: the $GONE routes ha lost are gone from hb's kernel, the $((N - GONE)) others are there" \
	hb_exact "$TOPO_DIR/kept"
topo_log "stale routes removed $(($(date +%s) - t0)) s after hb's wrend started"
wait_for 30 "stale: hb's wrenctl show routes has the $((N - GONE)) routes" hb_rib_has $((N - GONE))
wait_for 30 "stale: hb's wrend counts $((N - GONE)) installed" hb_installed_is $((N - GONE))
sleep 1
deleted_since "$m" >"$TOPO_DIR/deleted"
check "stale: hb's route monitor shows a Deleted line for each of the $GONE and no other" \
	cmp -s "$TOPO_DIR/deleted" "$TOPO_DIR/gone"
min=$(min_count_since "$c")
check "stale: the proto 186 count on hb never dropped below $((N - GONE)) (min $min)" \
	test "${min:-0}" -ge $((N - GONE))

# ---- 4. persist off: a clean stop removes the routes --------------------------
conf_off=$(topo_conf hb-off.conf)
sed '/^    install protocol/a\    persist off' "$conf_b" >"$conf_off"
topo_stop hb wrend TERM || true
wrend_start hb "$conf_off"
wait_for 60 "persist off: hb's session to ha Established" wrend_established hb 198.18.0.1
wait_for 60 "persist off: hb's wrend counts $((N - GONE)) installed" hb_installed_is $((N - GONE))
check "persist off: hb's kernel has exactly the $((N - GONE))" hb_exact "$TOPO_DIR/kept"
rc=0
topo_stop hb wrend TERM || rc=$?
check "persist off: hb's wrend exited 0 after SIGTERM (exit status $rc)" test "$rc" = 0
check "persist off: no proto 186 route left on hb after the clean stop ($(kernel_set hb proto 186 | wc -l) left)" \
	kernel_bgp_routes_are hb
check "ha's $((N - GONE)) workload routes untouched" \
	test "$(ip -n "$(topo_ns ha)" route show dev cali1 | grep -c '^10\.244\.')" = $((N - GONE))

topo_done
