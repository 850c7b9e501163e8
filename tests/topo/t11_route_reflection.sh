#!/bin/bash
# t11: route reflection (RFC 4456), all in AS 64512.
#
# Part A, Wren as the reflector for two BIRD 2 clients and one FRR client:
#   r1 198.18.0.1 wrend  cluster-id 198.18.255.1, clients b2, b3, f4
#   b2 198.18.0.2 BIRD   cali1: 10.244.2.5/32
#   b3 198.18.0.3 BIRD   cali1: 10.244.3.5/32
#   f4 198.18.0.4 FRR    network 10.244.4.0/26
# The clients peer only with r1, so what one client learns of another was
# reflected: it carries ORIGINATOR_ID (the client's id) and CLUSTER_LIST.
#
# Part B, Wren as a client of an FRR reflector:
#   f7 198.18.0.7 FRR    neighbor X route-reflector-client for w5, w6
#   w5 198.18.0.5 wrend  cali1: 10.244.5.5/32
#   w6 198.18.0.6 wrend  cali1: 10.244.6.5/32
# w5's workload reaches w6's kernel through f7, and back.
set -eu -o pipefail
# shellcheck source=tests/topo/lib.sh
. "$(dirname "$0")/lib.sh"

topo_init wrend bird frr
topo_switch
for h in r1:1 b2:2 b3:3 f4:4 w5:5 w6:6 f7:7; do
	topo_host "${h%%:*}" "198.18.0.${h#*:}"
done
for h in b2 b3 w5 w6; do topo_cali "$h" cali1; done

# ---- part A: Wren reflects -------------------------------------------------
wren_conf "$(topo_conf r1.conf)" 198.18.0.1 64512 198.18.0.2:64512:route-reflector-client \
	198.18.0.3:64512:route-reflector-client 198.18.0.4:64512:route-reflector-client
echo "cluster-id 198.18.255.1" >>"$(topo_conf r1.conf)"
for b in 2 3; do
	bird_conf_calico "$(topo_conf b$b.conf)" 198.18.0.$b 64512 r1:198.18.0.1
done
frr_conf_bgp f4 64512 198.18.0.1:64512 10.244.4.0/26

# ---- part B: Wren as a client of FRR ---------------------------------------
wren_conf "$(topo_conf w5.conf)" 198.18.0.5 64512 198.18.0.7:64512
wren_conf "$(topo_conf w6.conf)" 198.18.0.6 64512 198.18.0.7:64512
frr_conf_bgp f7 64512 -a "  neighbor 198.18.0.5 route-reflector-client
  neighbor 198.18.0.6 route-reflector-client" 198.18.0.5:64512 198.18.0.6:64512

bird_start b2 "$(topo_conf b2.conf)"
bird_start b3 "$(topo_conf b3.conf)"
frr_start f4 "$(topo_conf f4.conf)"
frr_start f7 "$(topo_conf f7.conf)"
wrend_start r1 "$(topo_conf r1.conf)"
wrend_start w5 "$(topo_conf w5.conf)"
wrend_start w6 "$(topo_conf w6.conf)"

wait_for 60 "r1: sessions to b2, b3, f4 Established" \
	wrend_established r1 198.18.0.2 198.18.0.3 198.18.0.4
wait_for 60 "w5 and w6: sessions to the FRR reflector Established" \
	eval 'wrend_established w5 198.18.0.7 && wrend_established w6 198.18.0.7'

topo_workload b2 cali1 10.244.2.5/32
topo_workload b3 cali1 10.244.3.5/32
topo_workload w5 cali1 10.244.5.5/32
topo_workload w6 cali1 10.244.6.5/32

# shellcheck disable=SC2317 # called through wait_for/check
bird_reflected() { # HOST PREFIX ORIGINATOR
	birdc_q "$1" show route "$2" all >"$TOPO_DIR/$1.rr.out" || return 1
	grep -q "BGP.originator_id: $3" "$TOPO_DIR/$1.rr.out" &&
		grep -q "BGP.cluster_list: 198.18.255.1" "$TOPO_DIR/$1.rr.out"
}
# shellcheck disable=SC2317
frr_reflected() { # HOST PREFIX ORIGINATOR
	J_ORIG=$3 json_test "any(p.get('valid') and
		p.get('originatorId') == env['J_ORIG'] and
		'198.18.255.1' in str(p.get('clusterList'))
		for p in d.get('paths', []))" \
		frr_vtysh "$1" "show bgp ipv4 unicast $2 json"
}

# ---- part A checks ----------------------------------------------------------
wait_for 30 "b2's 10.244.2.5/32 reflected to b3 (ORIGINATOR_ID 198.18.0.2, CLUSTER_LIST 198.18.255.1)" \
	bird_reflected b3 10.244.2.5/32 198.18.0.2
wait_for 30 "b3's 10.244.3.5/32 reflected to b2" \
	bird_reflected b2 10.244.3.5/32 198.18.0.3
wait_for 30 "f4's 10.244.4.0/26 reflected to b2 and b3" \
	eval 'bird_reflected b2 10.244.4.0/26 198.18.0.4 && bird_reflected b3 10.244.4.0/26 198.18.0.4'
wait_for 30 "b2's and b3's routes reflected to FRR f4 (originatorId, clusterList in its JSON)" \
	eval 'frr_reflected f4 10.244.2.5/32 198.18.0.2 && frr_reflected f4 10.244.3.5/32 198.18.0.3'
wait_for 30 "b2's route in b3's kernel, next hop unchanged (via 198.18.0.2)" \
	kernel_has_route b3 10.244.2.5/32 bird 198.18.0.2
check "r1 itself installs b2's route (proto bgp via 198.18.0.2)" \
	kernel_has_route r1 10.244.2.5/32 bgp 198.18.0.2
check "r1 sent each client the two routes of the others" \
	json_test "all(n['prefixes_sent'] == 2 for n in d['neighbors'])" \
	wrenctl r1 -j show neighbors

# ---- part B checks ----------------------------------------------------------
wait_for 30 "w5's 10.244.5.5/32 reached w6 through the FRR reflector (via 198.18.0.5)" \
	kernel_has_route w6 10.244.5.5/32 bgp 198.18.0.5
wait_for 30 "w6's 10.244.6.5/32 reached w5 through the FRR reflector (via 198.18.0.6)" \
	kernel_has_route w5 10.244.6.5/32 bgp 198.18.0.6
check "w6 took it from 198.18.0.7 with originator_id 198.18.0.5, cluster_list [198.18.0.7]" \
	json_test "any(r['prefix'] == '10.244.5.5/32' and r['neighbor'] == '198.18.0.7' and
		r.get('originator_id') == '198.18.0.5' and
		r.get('cluster_list') == ['198.18.0.7'] for r in d['routes'])" \
	wrenctl w6 -j show routes
# w5's own route comes back from f7 with ORIGINATOR_ID 198.18.0.5 only if
# f7 sends it; if it does, the loop check keeps it out of the Loc-RIB.
check "w5 holds no BGP copy of its own workload" \
	json_test "not any(r['prefix'] == '10.244.5.5/32' and r['source'] == 'bgp'
		for r in d['routes'])" wrenctl w5 -j show routes

# ---- withdrawal is reflected too --------------------------------------------
[ "${WREN_TOPO_DUMP:-0}" != 1 ] || topo_dump
topo_workload_del b2 cali1 10.244.2.5/32
wait_for 30 "10.244.2.5/32 gone from b3 and f4" \
	eval '! bird_has_route b3 10.244.2.5/32 && ! frr_has_route f4 10.244.2.5/32'
topo_workload_del w5 cali1 10.244.5.5/32
wait_for 30 "10.244.5.5/32 gone from w6's kernel" \
	kernel_lacks_route w6 10.244.5.5/32
check "all wrend still running" topo_alive

topo_done
