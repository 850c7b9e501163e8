#!/bin/bash
# t22: IPv6 aggregation and an IPv6 prefix-set import policy, with BIRD 2
# over an IPv6 session (iBGP, AS 64512).
#
#   h1 fd00:198:18::1 wrend  aggregate fd00:244:1::/122 visible fd00:244:1::6/128
#                            cali1: fd00:244:1::5/128, fd00:244:1::6/128,
#                                   fd00:244:9::5/128 (borrowed)
#                            import: prefix-set fd00:244::/32 ge 64 le 128,
#                                    local-pref 250; anything else rejected
#   b2 fd00:198:18::2 BIRD   static fd00:244:2::/64 and fd00:99::/64
set -eu -o pipefail
# shellcheck source=tests/topo/lib.sh
. "$(dirname "$0")/lib.sh"

V6=fd00:198:18

t22_workload6() {
	case $2 in fd00:*) ;; *) topo_hard_error "$2 is outside fd00::/8" ;; esac
	ip -n "$(topo_ns "$1")" -6 route add "$2" dev cali1
}

t22_kernel6() {
	local host=$1 prefix=$2
	shift 2
	[ -n "$(ip -n "$(topo_ns "$host")" -6 route show exact "$prefix" "$@")" ]
}

t22_bird_has6() {
	birdc_q "$1" show route "$2" table master6 | grep -q "^$2 "
}

topo_init wrend bird
topo_switch
topo_host h1 198.18.0.1
topo_host b2 198.18.0.2
ip -n "$(topo_ns h1)" -6 addr add "$V6::1/64" dev eth0 nodad
ip -n "$(topo_ns b2)" -6 addr add "$V6::2/64" dev eth0 nodad
topo_cali h1 cali1

cat >"$(topo_conf h1.conf)" <<EOF
router-id 198.18.0.1
local-as 64512
aggregate fd00:244:1::/122 visible fd00:244:1::6/128
prefix-set "v6pods" { fd00:244::/32 ge 64 le 128 }
policy "in" {
    rule {
        match prefix-set "v6pods"
        set local-pref 250
        accept
    }
}
kernel {
    learn interface "cali*"
}
neighbor $V6::2 {
    remote-as 64512
    import policy "in"
}
EOF
cat >"$(topo_conf b2.conf)" <<EOF
router id 198.18.0.2;
log stderr all;
protocol device { scan time 10; }
protocol static s6 {
	ipv6;
	route fd00:244:2::/64 blackhole;
	route fd00:99::/64 blackhole;
}
protocol bgp h1 {
	local $V6::2 as 64512;
	neighbor $V6::1 as 64512;
	direct;
	hold time 9;
	ipv6 { import all; export all; next hop self; };
}
EOF

bird_start b2 "$(topo_conf b2.conf)"
t22_workload6 h1 fd00:244:1::5/128
t22_workload6 h1 fd00:244:1::6/128
t22_workload6 h1 fd00:244:9::5/128
wrend_start h1 "$(topo_conf h1.conf)"
wait_for 60 "h1: IPv6 session to BIRD Established" wrend_established h1 "$V6::2"

wait_for 30 "BIRD has the block fd00:244:1::/122" t22_bird_has6 b2 fd00:244:1::/122
wait_for 30 "BIRD has the visible fd00:244:1::6/128" t22_bird_has6 b2 fd00:244:1::6/128
wait_for 30 "BIRD has the borrowed fd00:244:9::5/128" t22_bird_has6 b2 fd00:244:9::5/128
check "BIRD never got fd00:244:1::5/128 (hidden in the block)" \
	not t22_bird_has6 b2 fd00:244:1::5/128
wait_for 30 "h1's kernel: blackhole fd00:244:1::/122 proto 186" \
	t22_kernel6 h1 fd00:244:1::/122 proto 186 type blackhole

wait_for 30 "h1: BIRD's fd00:244:2::/64 with local-pref 250 (import policy)" \
	json_test "any(r['prefix'] == 'fd00:244:2::/64' and r['local_pref'] == 250
		for r in d['routes'])" wrenctl h1 -j show routes
wait_for 30 "h1's kernel: fd00:244:2::/64 proto bgp via $V6::2" \
	eval "ip -n '$(topo_ns h1)' -6 route show exact fd00:244:2::/64 proto bgp | grep -q 'via $V6::2 '"
check "h1: fd00:99::/64 (outside the prefix-set) refused" \
	not wrend_has_route h1 fd00:99::/64
check "h1: BIRD's 2 prefixes received, 1 accepted" \
	json_test "[(n['prefixes_received'], n['prefixes_accepted'])
		for n in d['neighbors']] == [(2, 1)]" wrenctl h1 -j show neighbors

topo_done
