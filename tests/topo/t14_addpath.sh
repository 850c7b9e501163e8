#!/bin/bash
# t14: ADD-PATH (RFC 7911), all in AS 64512, one prefix 10.244.9.5/32 held
# by two hosts at once (an anycast workload).
#
# Part A, Wren receives several paths from an FRR reflector:
#   f7 198.18.0.7 FRR    reflector, addpath-tx-all-paths towards r8
#   w5 198.18.0.5 wrend  cali1: 10.244.9.5/32
#   w6 198.18.0.6 wrend  cali1: 10.244.9.5/32
#   r8 198.18.0.8 wrend  add-path receive
# r8 keeps both paths (one neighbor, two next hops) and installs one route
# with two next hops.
#
# Part B, Wren sends several paths as a reflector:
#   r1 198.18.0.1 wrend  clients w2, w3, f4; add-path send towards f4
#   w2 198.18.0.2 wrend  cali1: 10.244.9.70/32
#   w3 198.18.0.3 wrend  cali1: 10.244.9.70/32
#   f4 198.18.0.4 FRR    (announces ADD-PATH receive by itself)
# f4 gets both paths of 10.244.9.70/32 from r1, with distinct path ids.
set -eu -o pipefail
# shellcheck source=tests/topo/lib.sh
. "$(dirname "$0")/lib.sh"

topo_init wrend frr
topo_switch
for h in r1:1 w2:2 w3:3 f4:4 w5:5 w6:6 f7:7 r8:8; do
	topo_host "${h%%:*}" "198.18.0.${h#*:}"
done
for h in w2 w3 w5 w6; do topo_cali "$h" cali1; done

# ---- part A: Wren receives ---------------------------------------------------
wren_conf "$(topo_conf w5.conf)" 198.18.0.5 64512 198.18.0.7:64512
wren_conf "$(topo_conf w6.conf)" 198.18.0.6 64512 198.18.0.7:64512
wren_conf "$(topo_conf r8.conf)" 198.18.0.8 64512 \
	"198.18.0.7:64512:add-path receive"
frr_conf_bgp f7 64512 -a "  neighbor 198.18.0.5 route-reflector-client
  neighbor 198.18.0.6 route-reflector-client
  neighbor 198.18.0.8 route-reflector-client
  neighbor 198.18.0.8 addpath-tx-all-paths" \
	198.18.0.5:64512 198.18.0.6:64512 198.18.0.8:64512

# ---- part B: Wren sends ------------------------------------------------------
wren_conf "$(topo_conf r1.conf)" 198.18.0.1 64512 198.18.0.2:64512:route-reflector-client \
	198.18.0.3:64512:route-reflector-client \
	"198.18.0.4:64512:route-reflector-client;add-path send"
echo "cluster-id 198.18.255.1" >>"$(topo_conf r1.conf)"
wren_conf "$(topo_conf w2.conf)" 198.18.0.2 64512 198.18.0.1:64512
wren_conf "$(topo_conf w3.conf)" 198.18.0.3 64512 198.18.0.1:64512
frr_conf_bgp f4 64512 198.18.0.1:64512

frr_start f7 "$(topo_conf f7.conf)"
frr_start f4 "$(topo_conf f4.conf)"
for h in w5 w6 r8 r1 w2 w3; do wrend_start "$h" "$(topo_conf "$h.conf")"; done

wait_for 60 "w5, w6, r8: sessions to the FRR reflector Established" \
	eval 'wrend_established w5 198.18.0.7 && wrend_established w6 198.18.0.7 &&
		wrend_established r8 198.18.0.7'
wait_for 60 "r1: sessions to w2, w3, f4 Established" \
	wrend_established r1 198.18.0.2 198.18.0.3 198.18.0.4

topo_workload w5 cali1 10.244.9.5/32
topo_workload w6 cali1 10.244.9.5/32
topo_workload w2 cali1 10.244.9.70/32
topo_workload w3 cali1 10.244.9.70/32

# shellcheck disable=SC2317 # called through wait_for/check
wren_two_paths() { # HOST PREFIX NEIGHBOR NH1 NH2
	J_P=$2 J_N=$3 J_NH="$4 $5" json_test "sorted(r.get('next_hop') or ''
		for r in d['routes'] if r['prefix'] == env['J_P'] and
		r.get('neighbor') == env['J_N']) == sorted(env['J_NH'].split())" \
		wrenctl "$1" -j show routes
}
# shellcheck disable=SC2317
kernel_ecmp() { # HOST PREFIX NH1 NH2
	local out
	out=$(ip -n "$(topo_ns "$1")" route show exact "$2" proto bgp) || return 1
	[ "$(grep -c "^[[:space:]]*nexthop via" <<<"$out")" = 2 ] &&
		grep -q "nexthop via $3 " <<<"$out" &&
		grep -q "nexthop via $4 " <<<"$out"
}
# shellcheck disable=SC2317
frr_paths_from() { # HOST PREFIX NEIGHBOR COUNT
	J_N=$3 J_C=$4 json_test "len([p for p in d.get('paths', [])
		if p.get('valid') and p.get('peer', {}).get('peerId') == env['J_N']])
		== int(env['J_C']) and len({p['nexthops'][0]['ip']
		for p in d['paths']}) == int(env['J_C'])" \
		frr_vtysh "$1" "show bgp ipv4 unicast $2 json"
}
# shellcheck disable=SC2317
frr_addpath_rx() { # HOST NEIGHBOR: ADD-PATH receive negotiated for IPv4
	json_test "'ipv4Unicast' in str(d['$2']['neighborCapabilities']
		.get('addPath', {})) and 'rxAdvertised' in str(d['$2']
		['neighborCapabilities'].get('addPath', {}))" \
		frr_vtysh "$1" "show bgp neighbors $2 json"
}

# ---- part A checks -----------------------------------------------------------
wait_for 60 "r8 holds two paths of 10.244.9.5/32 from 198.18.0.7 (via .5 and .6)" \
	wren_two_paths r8 10.244.9.5/32 198.18.0.7 198.18.0.5 198.18.0.6
wait_for 30 "r8's kernel: one 10.244.9.5/32 route with two next hops" \
	kernel_ecmp r8 10.244.9.5/32 198.18.0.5 198.18.0.6

# ---- part B checks -----------------------------------------------------------
check "f4 announced ADD-PATH receive to r1" frr_addpath_rx f4 198.18.0.1
wait_for 60 "f4 got two paths of 10.244.9.70/32 from r1 (via .2 and .3)" \
	frr_paths_from f4 10.244.9.70/32 198.18.0.1 2
check "r1 sent f4 two paths" \
	json_test "any(n['address'] == '198.18.0.4' and n['prefixes_sent'] == 2
		for n in d['neighbors'])" wrenctl r1 -j show neighbors

# ---- one path goes, the other stays ------------------------------------------
[ "${WREN_TOPO_DUMP:-0}" != 1 ] || topo_dump
topo_workload_del w3 cali1 10.244.9.70/32
wait_for 30 "f4 is left with the path via 198.18.0.2 only" \
	eval 'frr_paths_from f4 10.244.9.70/32 198.18.0.1 1 &&
		frr_has_route f4 10.244.9.70/32 "" 198.18.0.2'
topo_workload_del w6 cali1 10.244.9.5/32
wait_for 30 "r8 is left with the path via 198.18.0.5, one next hop in the kernel" \
	eval 'kernel_has_route r8 10.244.9.5/32 bgp 198.18.0.5 &&
		! kernel_ecmp r8 10.244.9.5/32 198.18.0.5 198.18.0.6'
check "all wrend still running" topo_alive

topo_done
