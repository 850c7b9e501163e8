#!/bin/bash
# shellcheck disable=SC2317 # helpers are called through wait_for and check
# t07: Wren touches only its own kernel routes, and keeps them right.
#
#   ha 198.18.0.1 wrend  cali1: 10.244.1.5/32 10.244.1.6/32 10.244.1.7/32
#                        cali2: 10.244.2.5/32
#                        cali3: 10.244.3.5/32 10.244.3.6/32
#   hb 198.18.0.2 wrend  has foreign (proto static) routes of its own
#
# 1. A foreign route to a prefix ha announces, with Wren's metric
#    (10.244.1.5/32 via 198.18.0.9 proto static metric 32), is never touched:
#    Wren's install fails, `wrenctl show kernel` says so, retries do not
#    clobber it, withdrawing leaves it; once it is deleted, Wren's route is
#    installed.  A foreign route with another metric (10.244.1.7/32 metric
#    100) lives beside Wren's.
# 2. Another process deleting Wren's route, or replacing it with another next
#    hop under Wren's protocol: repaired.
# 3. ha's cali2 goes down: its route is withdrawn at hb; up again (and the
#    agent's route back, as the kernel flushed it): it returns.
# 4. ha's cali3 veth is deleted: its routes are withdrawn at hb.
set -eu -o pipefail
# shellcheck source=tests/topo/lib.sh
. "$(dirname "$0")/lib.sh"

topo_init wrend
topo_switch
topo_host ha 198.18.0.1
topo_host hb 198.18.0.2
for i in 1 2 3; do topo_cali ha "cali$i"; done
topo_cali hb cali1

# ---- helpers ----------------------------------------------------------------

# routes_are HOST PREFIX LINE...: `ip route show exact PREFIX` is exactly
# these lines (as ip prints them, trailing blanks ignored), in any order.
routes_are() {
	local host=$1 prefix=$2 have want
	shift 2
	have=$(ip -n "$(topo_ns "$host")" route show exact "$prefix" | sed 's/ *$//' | sort)
	want=$(printf '%s\n' "$@" | sort)
	[ "$have" = "$want" ]
}

FOREIGN5="10.244.1.5 via 198.18.0.9 dev eth0 proto static metric 32"
FOREIGN7="10.244.1.7 via 198.18.0.9 dev eth0 proto static metric 100"
wren_route() { echo "$1 via 198.18.0.1 dev eth0 proto bgp metric 32"; }

# kernel_entry PREFIX EXPR: `wrenctl -j show kernel` on hb has an entry for
# PREFIX (bound to r) for which EXPR holds.
kernel_entry() {
	J_PREFIX=$1 json_test "isinstance(d.get('kernel'), dict) and any(
		r['prefix'] == env['J_PREFIX'] and ($2) for r in d['routes'])" \
		wrenctl hb -j show kernel
}

kernel_no_entry() {
	J_PREFIX=$1 json_test "isinstance(d.get('kernel'), dict) and
		all(r['prefix'] != env['J_PREFIX'] or r['state'] != 'failed' for r in d['routes'])" \
		wrenctl hb -j show kernel
}

# A failed install: an error (errno or its text) and a failure count.
FAILED="r['state'] == 'failed' and r['error'] not in (0, None, '') and
	r['failures'] >= 1 and {'next_hops', 'since'} <= set(r)"

failures_of() {
	wrenctl hb -j show kernel 2>/dev/null | python3 -c 'import json, sys
print(max([r["failures"] for r in json.load(sys.stdin)["routes"] if r["prefix"] == sys.argv[1]] or [0]))' \
		"$1" 2>/dev/null || echo 0
}

failures_above() { [ "$(failures_of "$1")" -gt "$2" ]; }

# ---- set-up -----------------------------------------------------------------

# hb's foreign routes exist before Wren starts.
ip -n "$(topo_ns hb)" route add 10.244.1.5/32 via 198.18.0.9 proto static metric 32
ip -n "$(topo_ns hb)" route add 10.244.1.7/32 via 198.18.0.9 proto static metric 100

wren_conf "$(topo_conf ha.conf)" 198.18.0.1 64512 198.18.0.2:64512
wren_conf "$(topo_conf hb.conf)" 198.18.0.2 64512 198.18.0.1:64512
wrend_start ha "$(topo_conf ha.conf)"
wrend_start hb "$(topo_conf hb.conf)"
wait_for 60 "ha-hb session Established" wrend_established ha 198.18.0.2

for p in 10.244.1.5 10.244.1.6 10.244.1.7; do topo_workload ha cali1 "$p/32"; done
topo_workload ha cali2 10.244.2.5/32
topo_workload ha cali3 10.244.3.5/32
topo_workload ha cali3 10.244.3.6/32
for p in 10.244.1.6 10.244.2.5 10.244.3.5 10.244.3.6; do
	wait_for 30 "hb has ha's $p/32 (proto 186 via 198.18.0.1)" \
		kernel_has_route hb "$p/32" 186 198.18.0.1
done

# ---- 1. foreign routes -------------------------------------------------------
wait_for 30 "hb's Loc-RIB has ha's 10.244.1.5/32" wrend_has_route hb 10.244.1.5/32
wait_for 30 "10.244.1.7/32 on hb: the foreign metric 100 route and Wren's metric 32 one" \
	routes_are hb 10.244.1.7/32 "$(wren_route 10.244.1.7)" "$FOREIGN7"
check "10.244.1.5/32 on hb: only the foreign route, untouched (proto static metric 32 via 198.18.0.9)" \
	routes_are hb 10.244.1.5/32 "$FOREIGN5"
check "wrenctl -j show kernel works on hb" \
	json_test "isinstance(d['kernel'], dict) and isinstance(d['routes'], list)" \
	wrenctl hb -j show kernel
wait_for 30 "hb's wrenctl show kernel: 10.244.1.5/32 failed, with its error and failure count" \
	kernel_entry 10.244.1.5/32 "$FAILED"
check "hb's wrenctl show kernel: 10.244.1.5/32 wants next hop 198.18.0.1" \
	kernel_entry 10.244.1.5/32 "'198.18.0.1' in str(r['next_hops'])"
wait_for 30 "hb's wrenctl show kernel: 10.244.1.6/32 installed" \
	kernel_entry 10.244.1.6/32 "r['state'] == 'installed'"
check "wrenctl show kernel (table) runs on hb" wrenctl hb show kernel
f1=$(failures_of 10.244.1.5/32)
t1=$(date +%s)
wait_for 60 "Wren retried 10.244.1.5/32 on hb (failures above $f1)" \
	failures_above 10.244.1.5/32 "$f1"
# Retrying is paced, never a busy loop (an early build retried ~9,000
# times a second, logging each).  The bound only grows with time taken, so
# a slow machine cannot fail it: at most one retry a second, plus slack.
sleep 3
f2=$(failures_of 10.244.1.5/32)
dt=$(($(date +%s) - t1))
check "Wren's retries of 10.244.1.5/32 are paced: $((f2 - f1)) in ${dt} s" \
	test $((f2 - f1)) -le $((dt + 5))
check "10.244.1.5/32 on hb: the foreign route survived the retries" \
	routes_are hb 10.244.1.5/32 "$FOREIGN5"

# ha withdraws both: the foreign routes stay, Wren's 10.244.1.7 leaves.
topo_workload_del ha cali1 10.244.1.5/32
topo_workload_del ha cali1 10.244.1.7/32
wait_for 30 "hb's Loc-RIB lost 10.244.1.5/32" not wrend_has_route hb 10.244.1.5/32
wait_for 30 "10.244.1.7/32 on hb: only the foreign metric 100 route left" \
	routes_are hb 10.244.1.7/32 "$FOREIGN7"
wait_for 30 "hb's wrenctl show kernel: no failed entry for 10.244.1.5/32 any more" \
	kernel_no_entry 10.244.1.5/32
sleep 1
check "10.244.1.5/32 on hb: the foreign route is still there, untouched" \
	routes_are hb 10.244.1.5/32 "$FOREIGN5"

# ha announces 10.244.1.5/32 again; the foreign route goes; Wren installs.
topo_workload ha cali1 10.244.1.5/32
wait_for 30 "hb's wrenctl show kernel: 10.244.1.5/32 failed again" \
	kernel_entry 10.244.1.5/32 "$FAILED"
check "10.244.1.5/32 on hb: the foreign route untouched" routes_are hb 10.244.1.5/32 "$FOREIGN5"
ip -n "$(topo_ns hb)" route del 10.244.1.5/32 via 198.18.0.9 proto static metric 32
wait_for 30 "the foreign route deleted: hb installs Wren's 10.244.1.5/32 via 198.18.0.1" \
	routes_are hb 10.244.1.5/32 "$(wren_route 10.244.1.5)"
wait_for 30 "hb's wrenctl show kernel: 10.244.1.5/32 installed" \
	kernel_entry 10.244.1.5/32 "r['state'] == 'installed'"
check "10.244.1.7/32 on hb: the foreign metric 100 route still untouched" \
	routes_are hb 10.244.1.7/32 "$FOREIGN7"

# ---- 2. others changing Wren's routes -----------------------------------------
ip -n "$(topo_ns hb)" route del 10.244.1.6/32 proto 186
topo_log "deleted Wren's 10.244.1.6/32 on hb behind its back"
wait_for 30 "hb repaired Wren's deleted 10.244.1.6/32" \
	routes_are hb 10.244.1.6/32 "$(wren_route 10.244.1.6)"
ip -n "$(topo_ns hb)" route replace 10.244.1.6/32 via 198.18.0.9 proto 186 metric 32
topo_log "replaced Wren's 10.244.1.6/32 on hb: via 198.18.0.9, proto 186"
wait_for 30 "hb repaired Wren's 10.244.1.6/32 back to via 198.18.0.1 (one route)" \
	routes_are hb 10.244.1.6/32 "$(wren_route 10.244.1.6)"
wait_for 30 "hb's wrenctl show kernel: 10.244.1.6/32 installed after the repairs" \
	kernel_entry 10.244.1.6/32 "r['state'] == 'installed'"

# ---- 3. ha's cali2 goes down and up ---------------------------------------------
ip -n "$(topo_ns ha)" link set cali2 down
wait_for 30 "cali2 down on ha: 10.244.2.5/32 withdrawn at hb" kernel_lacks_route hb 10.244.2.5/32
wait_for 30 "cali2 down on ha: 10.244.2.5/32 left ha's Loc-RIB" not wrend_has_route ha 10.244.2.5/32
ip -n "$(topo_ns ha)" link set cali2 up
# An admin down makes the kernel flush the IPv4 routes of the device (with
# no RTM_DELROUTE); the container agent adds its route again.
if kernel_lacks_route ha 10.244.2.5/32; then
	topo_log "ha's kernel flushed 10.244.2.5/32 with cali2 down; adding it again as the agent does"
	topo_workload ha cali2 10.244.2.5/32
fi
wait_for 30 "cali2 up on ha: 10.244.2.5/32 back at hb (proto 186 via 198.18.0.1)" \
	kernel_has_route hb 10.244.2.5/32 186 198.18.0.1

# ---- 4. ha's cali3 veth is deleted ------------------------------------------------
ip -n "$(topo_ns ha)" link del cali3
for p in 10.244.3.5 10.244.3.6; do
	wait_for 30 "cali3 deleted on ha: $p/32 withdrawn at hb" kernel_lacks_route hb "$p/32"
done
wait_for 30 "ha's Loc-RIB has no route of cali3 left" \
	eval '! wrend_has_route ha 10.244.3.5/32 && ! wrend_has_route ha 10.244.3.6/32'

# ---- the end state ---------------------------------------------------------------
check "hb: ip route show proto bgp is exactly 10.244.1.5, 10.244.1.6, 10.244.2.5" \
	kernel_bgp_routes_are hb 10.244.1.5 10.244.1.6 10.244.2.5
check "hb: the foreign metric 100 route to 10.244.1.7/32 is still there" \
	routes_are hb 10.244.1.7/32 "$FOREIGN7"
check "ha: no route of proto 186 (ha installs nothing of its own)" kernel_bgp_routes_are ha
check "wrend still running on ha and hb" topo_alive

topo_done
