#!/bin/bash
# t03: a peer goes away, its routes go away.
#
#   ha 198.18.0.1 wrend  cali1: 10.244.1.5/32
#   hb 198.18.0.2 wrend  cali1: 10.244.2.5/32
#   bc 198.18.0.3 BIRD   cali1: 10.244.3.5/32
#
# All iBGP, AS 64512.  hb's wrend is stopped with SIGTERM (a clean stop: it
# exits 0 and, persist being on, keeps the routes it installed), started
# again (it takes over those routes) and stopped again; then BIRD is stopped.
# ha must withdraw each one's routes from its kernel.
#
# This is the path without graceful restart: ha and BIRD do not announce it
# (`graceful-restart off`, `graceful restart off`), so nothing is kept for a
# neighbor that goes away even though hb, which has it on, restarts
# gracefully.  t10 tests graceful restart.
set -eu -o pipefail
# shellcheck source=tests/topo/lib.sh
. "$(dirname "$0")/lib.sh"

topo_init wrend bird
topo_hosts ha:198.18.0.1:cali1 hb:198.18.0.2:cali1 bc:198.18.0.3:cali1

wren_conf "$(topo_conf ha.conf)" 198.18.0.1 64512 198.18.0.2:64512 198.18.0.3:64512
wren_conf "$(topo_conf hb.conf)" 198.18.0.2 64512 198.18.0.1:64512 198.18.0.3:64512
echo "graceful-restart off" >>"$(topo_conf ha.conf)"
bird_conf_calico "$(topo_conf bc.conf)" 198.18.0.3 64512 -b "graceful restart off;" \
	ha:198.18.0.1 hb:198.18.0.2

topo_workload ha cali1 10.244.1.5/32
topo_workload hb cali1 10.244.2.5/32
topo_workload bc cali1 10.244.3.5/32
bird_start bc "$(topo_conf bc.conf)"
wrend_start ha "$(topo_conf ha.conf)"
wrend_start hb "$(topo_conf hb.conf)"

wait_for 60 "ha: sessions to hb and BIRD Established" \
	wrend_established ha 198.18.0.2 198.18.0.3
wait_for 30 "hb's 10.244.2.5/32 in ha's kernel (via 198.18.0.2)" \
	kernel_has_route ha 10.244.2.5/32 bgp 198.18.0.2
wait_for 30 "BIRD's 10.244.3.5/32 in ha's kernel (via 198.18.0.3)" \
	kernel_has_route ha 10.244.3.5/32 bgp 198.18.0.3
wait_for 30 "ha's 10.244.1.5/32 in hb's kernel (via 198.18.0.1)" \
	kernel_has_route hb 10.244.1.5/32 bgp 198.18.0.1
wait_for 30 "hb's 10.244.2.5/32 in BIRD's table" bird_has_route bc 10.244.2.5/32 hb

# ---- hb's wrend stops ------------------------------------------------------
rc=0
topo_stop hb wrend TERM || rc=$?
check "hb's wrend exited 0 after SIGTERM (exit status $rc)" test "$rc" = 0
wait_for 60 "ha withdrew hb's 10.244.2.5/32 from its kernel" \
	kernel_lacks_route ha 10.244.2.5/32
wait_for 30 "ha: neighbor 198.18.0.2 no longer Established" \
	json_test "any(n['address'] == '198.18.0.2' and n['state'] != 'Established'
		for n in d['neighbors'])" wrenctl ha -j show neighbors
wait_for 30 "hb's 10.244.2.5/32 gone from BIRD's table" not bird_has_route bc 10.244.2.5/32
check "ha still has BIRD's 10.244.3.5/32" kernel_has_route ha 10.244.3.5/32 bgp 198.18.0.3
check "hb's kernel kept the routes its wrend installed (persist)" \
	eval 'kernel_has_route hb 10.244.1.5/32 bgp 198.18.0.1 &&
		kernel_has_route hb 10.244.3.5/32 bgp 198.18.0.3'

# ---- hb's wrend comes back: it re-learns, re-decides, and takes over the
# routes its predecessor left in the kernel (no duplicates, nothing lost) ----
wrend_start hb "$(topo_conf hb.conf)"
wait_for 60 "hb: restarted wrend's sessions Established" \
	wrend_established hb 198.18.0.1 198.18.0.3
wait_for 30 "hb's 10.244.2.5/32 back in ha's kernel" \
	kernel_has_route ha 10.244.2.5/32 bgp 198.18.0.2
# shellcheck disable=SC2317 # called through wait_for
hb_bgp_routes_once() {
	[ "$(ip -n "$(topo_ns hb)" route show proto bgp | cut -d" " -f1-3 | sort | tr "\n" " ")" = \
		"10.244.1.5 via 198.18.0.1 10.244.3.5 via 198.18.0.3 " ]
}
wait_for 30 "hb's kernel: exactly one proto bgp route each for 10.244.1.5 and 10.244.3.5" \
	hb_bgp_routes_once
topo_stop hb wrend TERM || true
wait_for 60 "ha withdrew hb's 10.244.2.5/32 again" kernel_lacks_route ha 10.244.2.5/32

# ---- BIRD stops ------------------------------------------------------------
topo_stop bc bird TERM || true
wait_for 60 "ha withdrew BIRD's 10.244.3.5/32 from its kernel" \
	kernel_lacks_route ha 10.244.3.5/32
wait_for 30 "ha: neighbor 198.18.0.3 no longer Established" \
	json_test "any(n['address'] == '198.18.0.3' and n['state'] != 'Established'
		for n in d['neighbors'])" wrenctl ha -j show neighbors
check "ha: ip route show proto bgp is empty" \
	kernel_bgp_routes_are ha
check "ha: only its own workload is left in the Loc-RIB" \
	json_test "[r['prefix'] for r in d['routes']] == ['10.244.1.5/32']" \
	wrenctl ha -j show routes
check "ha's own workload route untouched" \
	kernel_route_matches ha 10.244.1.5/32 dev cali1
check "ha's wrend still running" topo_alive

topo_done
