#!/bin/bash
# t02: eBGP.  One wrend host between FRR's bgpd and GoBGP.
#
#   h1 198.18.0.1 wrend  AS 64512  cali1: 10.244.1.5/32
#   f2 198.18.0.2 FRR    AS 64601  network 10.244.50.0/24
#   g3 198.18.0.3 GoBGP  AS 64602  global rib 10.244.60.0/24
#
# FRR and GoBGP peer only with Wren, so what each learns of the other went
# through Wren (eBGP transit, AS path 64512 <origin>).
set -eu -o pipefail
# shellcheck source=tests/topo/lib.sh
. "$(dirname "$0")/lib.sh"

topo_init wrend frr gobgp
topo_hosts h1:198.18.0.1:cali1 f2:198.18.0.2 g3:198.18.0.3

wren_conf "$(topo_conf h1.conf)" 198.18.0.1 64512 198.18.0.2:64601 198.18.0.3:64602
frr_conf_bgp f2 64601 198.18.0.1:64512 10.244.50.0/24
gobgp_conf_simple g3 64602 198.18.0.1:64512

frr_start f2 "$(topo_conf f2.conf)"
gobgp_start g3 "$(topo_conf g3.toml)"
gobgp_announce g3 10.244.60.0/24
wrend_start h1 "$(topo_conf h1.conf)"

wait_for 60 "h1: sessions to FRR and GoBGP Established" \
	wrend_established h1 198.18.0.2 198.18.0.3
wait_for 30 "FRR: session to h1 Established" frr_established f2 198.18.0.1
wait_for 30 "GoBGP: session to h1 Established" gobgp_established g3 198.18.0.1
check "wrenctl -j show neighbors: remote_as 64601 and 64602" \
	json_test "sorted(n['remote_as'] for n in d['neighbors']) == [64601, 64602]" \
	wrenctl h1 -j show neighbors

# ---- Wren's workload goes out with AS path 64512, next hop self ------------
topo_workload h1 cali1 10.244.1.5/32
wait_for 30 "10.244.1.5/32 reaches FRR (AS path 64512, next hop 198.18.0.1)" \
	frr_has_route f2 10.244.1.5/32 64512 198.18.0.1
wait_for 30 "10.244.1.5/32 reaches GoBGP (AS path 64512, next hop 198.18.0.1)" \
	gobgp_has_route g3 10.244.1.5/32 64512 198.18.0.1

# ---- the peers' prefixes reach Wren's kernel -------------------------------
wait_for 30 "FRR's 10.244.50.0/24 in h1's kernel (proto bgp via 198.18.0.2)" \
	kernel_has_route h1 10.244.50.0/24 bgp 198.18.0.2
wait_for 30 "GoBGP's 10.244.60.0/24 in h1's kernel (proto bgp via 198.18.0.3)" \
	kernel_has_route h1 10.244.60.0/24 bgp 198.18.0.3
check "wrenctl -j show routes: 10.244.50.0/24 has as_path [64601], neighbor 198.18.0.2" \
	json_test "any(r['prefix'] == '10.244.50.0/24' and r['as_path'] == [64601] and
		r['neighbor'] == '198.18.0.2' and r['source'] == 'bgp' and r['best']
		for r in d['routes'])" \
	wrenctl h1 -j show routes
check "wrenctl -j show routes: 10.244.60.0/24 has as_path [64602], next_hop 198.18.0.3" \
	json_test "any(r['prefix'] == '10.244.60.0/24' and r['as_path'] == [64602] and
		r['next_hop'] == '198.18.0.3' and r['best'] for r in d['routes'])" \
	wrenctl h1 -j show routes

# ---- transit: each peer sees the other's prefix through Wren ---------------
wait_for 30 "GoBGP sees FRR's 10.244.50.0/24 via Wren (AS path 64512 64601, next hop 198.18.0.1)" \
	gobgp_has_route g3 10.244.50.0/24 "64512 64601" 198.18.0.1
wait_for 30 "FRR sees GoBGP's 10.244.60.0/24 via Wren (AS path 64512 64602, next hop 198.18.0.1)" \
	frr_has_route f2 10.244.60.0/24 "64512 64602" 198.18.0.1
check "FRR did not get its own 10.244.50.0/24 back (only its local path)" \
	not frr_has_route f2 10.244.50.0/24 "64512 64601"
check "h1's kernel has no proto bgp route for its own workload" \
	kernel_lacks_route h1 10.244.1.5/32 bgp

# ---- withdrawals ----------------------------------------------------------
topo_workload_del h1 cali1 10.244.1.5/32
wait_for 30 "10.244.1.5/32 withdrawn from FRR" not frr_has_route f2 10.244.1.5/32
wait_for 30 "10.244.1.5/32 withdrawn from GoBGP" not gobgp_has_route g3 10.244.1.5/32

frr_vtysh f2 "configure terminal" "router bgp 64601" "address-family ipv4 unicast" \
	"no network 10.244.50.0/24" >/dev/null
wait_for 30 "FRR's 10.244.50.0/24 (no network) gone from h1's kernel" \
	kernel_lacks_route h1 10.244.50.0/24
wait_for 30 "FRR's 10.244.50.0/24 gone from GoBGP" not gobgp_has_route g3 10.244.50.0/24

gobgp_withdraw g3 10.244.60.0/24
wait_for 30 "GoBGP's 10.244.60.0/24 (rib del) gone from h1's kernel" \
	kernel_lacks_route h1 10.244.60.0/24
wait_for 30 "GoBGP's 10.244.60.0/24 gone from FRR" not frr_has_route f2 10.244.60.0/24
check "h1: ip route show proto bgp is empty" \
	kernel_bgp_routes_are h1
check "wrend, FRR and GoBGP still running" topo_alive

topo_done
