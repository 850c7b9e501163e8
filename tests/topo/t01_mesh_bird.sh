#!/bin/bash
# t01: two wrend hosts and one BIRD 2 host in a full iBGP mesh (AS 64512).
#
#   h1 198.18.0.1 wrend  cali1: 10.244.1.5/32
#   h2 198.18.0.2 wrend  cali1: 10.244.2.5/32
#   b3 198.18.0.3 BIRD   cali1: 10.244.3.5/32 (learned by BIRD's kernel scan)
#
# Each workload route reaches the other two hosts' kernels (Wren: proto bgp,
# i.e. 186; BIRD: proto bird) and goes away everywhere when deleted.
set -eu -o pipefail
# shellcheck source=tests/topo/lib.sh
. "$(dirname "$0")/lib.sh"

topo_init wrend bird
topo_hosts h1:198.18.0.1:cali1 h2:198.18.0.2:cali1 b3:198.18.0.3:cali1

wren_conf "$(topo_conf h1.conf)" 198.18.0.1 64512 198.18.0.2:64512 198.18.0.3:64512
wren_conf "$(topo_conf h2.conf)" 198.18.0.2 64512 198.18.0.1:64512 198.18.0.3:64512
bird_conf_calico "$(topo_conf b3.conf)" 198.18.0.3 64512 h1:198.18.0.1 h2:198.18.0.2

bird_start b3 "$(topo_conf b3.conf)"
wrend_start h1 "$(topo_conf h1.conf)"
wrend_start h2 "$(topo_conf h2.conf)"

wait_for 60 "h1: sessions to h2 and BIRD Established" \
	wrend_established h1 198.18.0.2 198.18.0.3
wait_for 60 "h2: sessions to h1 and BIRD Established" \
	wrend_established h2 198.18.0.1 198.18.0.3
wait_for 30 "BIRD: sessions to h1 and h2 Established" \
	eval 'bird_established b3 h1 && bird_established b3 h2'

# ---- h1's workload goes everywhere -----------------------------------------
topo_workload h1 cali1 10.244.1.5/32
wait_for 30 "h1's 10.244.1.5/32 in h1's Loc-RIB (learned from cali1)" \
	wrend_has_route h1 10.244.1.5/32
wait_for 30 "h1's 10.244.1.5/32 in h2's kernel (proto bgp via 198.18.0.1)" \
	kernel_has_route h2 10.244.1.5/32 bgp 198.18.0.1
check "h2's route to 10.244.1.5/32 is protocol 186, metric 32" \
	kernel_route_matches h2 10.244.1.5/32 proto 186 metric 32
wait_for 30 "h1's 10.244.1.5/32 in BIRD's table (from protocol h1)" \
	bird_has_route b3 10.244.1.5/32 h1
wait_for 30 "h1's 10.244.1.5/32 in BIRD host's kernel (via 198.18.0.1)" \
	kernel_has_route b3 10.244.1.5/32 bird 198.18.0.1

# ---- BIRD's workload reaches both wrend hosts ------------------------------
topo_workload b3 cali1 10.244.3.5/32
wait_for 30 "BIRD learned 10.244.3.5/32 from its kernel" \
	bird_has_route b3 10.244.3.5/32 kernel1
wait_for 30 "BIRD's 10.244.3.5/32 in h1's kernel (proto bgp via 198.18.0.3)" \
	kernel_has_route h1 10.244.3.5/32 bgp 198.18.0.3
wait_for 30 "BIRD's 10.244.3.5/32 in h2's kernel (proto bgp via 198.18.0.3)" \
	kernel_has_route h2 10.244.3.5/32 bgp 198.18.0.3

# ---- h2's workload reaches h1 and BIRD -------------------------------------
topo_workload h2 cali1 10.244.2.5/32
wait_for 30 "h2's 10.244.2.5/32 in h1's kernel (proto bgp via 198.18.0.2)" \
	kernel_has_route h1 10.244.2.5/32 bgp 198.18.0.2
wait_for 30 "h2's 10.244.2.5/32 in BIRD's table (from protocol h2)" \
	bird_has_route b3 10.244.2.5/32 h2

# Wren installs only what peers sent: never a proto bgp copy of its own
# workload, never anything but the two remote /32s.
check "h1: ip route show proto bgp is exactly 10.244.2.5 and 10.244.3.5" \
	kernel_bgp_routes_are h1 10.244.2.5 10.244.3.5
check "h2: ip route show proto bgp is exactly 10.244.1.5 and 10.244.3.5" \
	kernel_bgp_routes_are h2 10.244.1.5 10.244.3.5

# ---- the CLI's JSON (INTERFACE.md) -----------------------------------------
# iBGP: each peer sends only its own workload and h1 sends only its own.
wait_for 30 "wrenctl -j show neighbors on h1: 2 Established, 1 prefix received/accepted/sent each" \
	json_test "len(d['neighbors']) == 2 and all(
		n['state'] == 'Established' and n['remote_as'] == 64512 and
		isinstance(n['state_since'], int) and n['prefixes_received'] == 1 and
		n['prefixes_accepted'] == 1 and n['prefixes_sent'] == 1
		for n in d['neighbors']) and
		{n['address'] for n in d['neighbors']} == {'198.18.0.2', '198.18.0.3'}" \
	wrenctl h1 -j show neighbors
check "wrenctl -j show routes on h1: every route has the INTERFACE.md fields" \
	json_test "len(d['routes']) >= 3 and all(
		{'prefix', 'next_hop', 'best', 'source', 'neighbor', 'as_path', 'local_pref'} <= set(r)
		for r in d['routes'])" \
	wrenctl h1 -j show routes
check "wrenctl -j show routes on h1: BIRD's route (bgp, from 198.18.0.3, as_path [], local_pref 100, best)" \
	json_test "any(r['prefix'] == '10.244.3.5/32' and r['source'] == 'bgp' and
		r['neighbor'] == '198.18.0.3' and r['next_hop'] == '198.18.0.3' and
		r['as_path'] == [] and r['local_pref'] == 100 and r['best'] is True
		for r in d['routes'])" \
	wrenctl h1 -j show routes
check "wrenctl -j show routes on h1: its own workload (source kernel, best)" \
	json_test "any(r['prefix'] == '10.244.1.5/32' and r['source'] == 'kernel' and
		r['best'] is True for r in d['routes'])" \
	wrenctl h1 -j show routes
check "wrenctl -j show routes 10.244.2.5/32 on h1: just that prefix, from h2" \
	json_test "len(d['routes']) >= 1 and all(r['prefix'] == '10.244.2.5/32' and
		r['neighbor'] == '198.18.0.2' for r in d['routes'])" \
	wrenctl h1 -j show routes 10.244.2.5/32
check "wrenctl show neighbors (table) on h1 runs" wrenctl h1 show neighbors
check "wrenctl -j show status on h1 is JSON" json_test "isinstance(d, dict)" wrenctl h1 -j show status

# ---- deleting h1's workload removes it everywhere --------------------------
[ "${WREN_TOPO_DUMP:-0}" != 1 ] || topo_dump
topo_workload_del h1 cali1 10.244.1.5/32
wait_for 30 "10.244.1.5/32 gone from h2's kernel" \
	kernel_lacks_route h2 10.244.1.5/32
wait_for 30 "10.244.1.5/32 gone from BIRD's table" \
	not bird_has_route b3 10.244.1.5/32
wait_for 30 "10.244.1.5/32 gone from BIRD host's kernel" \
	kernel_lacks_route b3 10.244.1.5/32
wait_for 30 "10.244.1.5/32 gone from h1's and h2's Loc-RIB" \
	eval '! wrend_has_route h1 10.244.1.5/32 && ! wrend_has_route h2 10.244.1.5/32'
check "h2 still has BIRD's 10.244.3.5/32 (unrelated routes untouched)" \
	kernel_has_route h2 10.244.3.5/32 bgp 198.18.0.3
check "wrend on h1 and h2 still running" topo_alive

# The capabilities wrend announces (RFC 5492) are the ones BIRD negotiated.
# Graceful Restart (RFC 4724) is announced once it is implemented (issue 3).
# shellcheck disable=SC2317 # called through check
bird_sees_cap_from() {
	birdc_q b3 show protocols all "$1" |
		sed -n '/Neighbor capabilities/,/Session:/p' | grep -q "$2"
}
check "BIRD sees wrend's multiprotocol capability" bird_sees_cap_from h1 "Multiprotocol"
check "BIRD sees wrend's route refresh capability" bird_sees_cap_from h1 "Route refresh"
check "BIRD sees wrend's 4-octet AS capability" bird_sees_cap_from h1 "4-octet AS numbers"

topo_done
