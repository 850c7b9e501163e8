#!/bin/bash
# t09: IPv6 unicast (RFC 4760) and IPv4 over IPv6 next hops (RFC 8950): one
# wrend per host carries both families, over IPv6 and over IPv4 sessions.
#
#   h1 198.18.0.1 fd00:198:18::1 wrend  cali1: fd00:244:1::5/128, 10.244.1.5/32
#   h2 198.18.0.2 fd00:198:18::2 wrend  cali1: fd00:244:2::5/128
#   b3 198.18.0.3 fd00:198:18::3 BIRD   cali1: fd00:244:3::5/128, 10.244.3.5/32
#   b4 198.18.0.4 fd00:198:18::4 BIRD   static fd00:244:4::5/128
#
# Sessions (iBGP, AS 64512):
#   h1 - h2  over IPv4, IPv4 + IPv6 (next-hop-v6 on both sides)
#   h1 - b3  over IPv6, IPv6 + IPv4 with extended next hop (RFC 8950)
#   h2 - b3  over IPv6, the same
#   h1 - b4  over IPv4, BIRD's IPv6 channel with "next hop address"
#
# Each IPv6 workload reaches the other hosts' kernels via the right next
# hop (Wren: proto bgp; BIRD: proto bird) and goes away when deleted.
set -eu -o pipefail
# shellcheck source=tests/topo/lib.sh
. "$(dirname "$0")/lib.sh"

V6=fd00:198:18

# t09_addr6 HOST N: the IPv6 link address (nodad: usable at once).
t09_addr6() {
	ip -n "$(topo_ns "$1")" -6 addr add "$V6::$2/64" dev eth0 nodad
}

# IPv6 workloads: as topo_workload, inside fd00::/8 only.
t09_workload6() {
	case $3 in fd00:*) ;; *) topo_hard_error "$3 is outside fd00::/8" ;; esac
	ip -n "$(topo_ns "$1")" -6 route add "$3" dev "$2"
}

t09_workload6_del() {
	ip -n "$(topo_ns "$1")" -6 route del "$3" dev "$2"
}

# t09_kernel6 HOST PREFIX PROTO VIA: `ip -6 route show exact` finds it.
t09_kernel6() {
	local out
	out=$(ip -n "$(topo_ns "$1")" -6 route show exact "$2" proto "$3") ||
		return 1
	grep -q "via $4 " <<<"$out "
}

# t09_kernel6_matches HOST PREFIX ARGS...: as kernel_route_matches, IPv6.
t09_kernel6_matches() {
	local host=$1 prefix=$2
	shift 2
	[ -n "$(ip -n "$(topo_ns "$host")" -6 route show exact "$prefix" "$@")" ]
}

t09_kernel6_lacks() {
	local out
	out=$(ip -n "$(topo_ns "$1")" -6 route show exact "$2") || return 1
	[ -z "$out" ]
}

# t09_kernel_via6 HOST PREFIX PROTO VIA: an IPv4 route via an IPv6 next hop
# (RTA_VIA; iproute2 prints "via inet6 ADDR").
t09_kernel_via6() {
	local out
	out=$(ip -n "$(topo_ns "$1")" route show exact "$2" proto "$3") ||
		return 1
	grep -q "via inet6 $4 " <<<"$out "
}

# t09_bgp6_routes_are HOST PREFIX...: `ip -6 route show proto bgp` is these.
t09_bgp6_routes_are() {
	local host=$1 have want
	shift
	have=$(ip -n "$(topo_ns "$host")" -6 route show proto bgp | cut -d" " -f1 | sort | tr "\n" " ")
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort | tr "\n" " ")
	[ "$have" = "$want" ]
}

# t09_bird_has6 HOST PREFIX [PROTOCOL]: in BIRD's master6 table.
t09_bird_has6() {
	birdc_q "$1" show route "$2" table master6 ${3:+protocol "$3"} |
		grep -q "^$2 "
}

topo_init wrend bird
topo_switch
topo_host h1 198.18.0.1
topo_host h2 198.18.0.2
topo_host b3 198.18.0.3
topo_host b4 198.18.0.4
n=1
for h in h1 h2 b3 b4; do
	t09_addr6 "$h" "$n"
	n=$((n + 1))
done
for h in h1 h2 b3; do topo_cali "$h" cali1; done

cat >"$(topo_conf h1.conf)" <<EOF
router-id 198.18.0.1
local-as 64512
kernel {
    learn interface "cali*"
    install protocol 186 metric 32
}
neighbor 198.18.0.2 {
    remote-as 64512
    next-hop-v6 $V6::1
}
neighbor $V6::3 {
    remote-as 64512
}
neighbor 198.18.0.4 {
    remote-as 64512
    families ipv6 ipv4
    next-hop-v6 $V6::1
}
EOF
cat >"$(topo_conf h2.conf)" <<EOF
router-id 198.18.0.2
local-as 64512
kernel {
    learn interface "cali*"
    install protocol 186 metric 32
}
neighbor 198.18.0.1 {
    remote-as 64512
    next-hop-v6 $V6::2
}
neighbor $V6::3 {
    remote-as 64512
}
EOF
cat >"$(topo_conf b3.conf)" <<EOF
router id 198.18.0.3;
log stderr all;
protocol device { scan time 10; }
protocol kernel k4 {
	scan time 1;
	learn;
	ipv4 {
		import filter { if ifname ~ "cali*" then accept; reject; };
		export filter { if source = RTS_BGP then accept; reject; };
	};
}
protocol kernel k6 {
	scan time 1;
	learn;
	ipv6 {
		import filter { if ifname ~ "cali*" then accept; reject; };
		export filter { if source = RTS_BGP then accept; reject; };
	};
}
template bgp wren {
	local $V6::3 as 64512;
	direct;
	hold time 9;
	ipv6 { import all; export all; next hop self; };
	ipv4 { import all; export all; next hop self; extended next hop on; };
}
protocol bgp h1 from wren { neighbor $V6::1 as 64512; }
protocol bgp h2 from wren { neighbor $V6::2 as 64512; }
EOF
cat >"$(topo_conf b4.conf)" <<EOF
router id 198.18.0.4;
log stderr all;
protocol device { scan time 10; }
protocol static s6 {
	ipv6;
	route fd00:244:4::5/128 blackhole;
}
protocol kernel k6 {
	scan time 1;
	ipv6 {
		import none;
		export filter { if source = RTS_BGP then accept; reject; };
	};
}
# An IPv6 channel on an IPv4 session: the next hop is given explicitly.
protocol bgp h1 {
	local 198.18.0.4 as 64512;
	neighbor 198.18.0.1 as 64512;
	direct;
	hold time 9;
	ipv4 { import all; export none; };
	ipv6 { import all; export all; next hop address $V6::4; };
}
EOF

bird_start b3 "$(topo_conf b3.conf)"
bird_start b4 "$(topo_conf b4.conf)"
wrend_start h1 "$(topo_conf h1.conf)"
wrend_start h2 "$(topo_conf h2.conf)"

wait_for 60 "h1: sessions to h2 (IPv4), b3 (IPv6), b4 (IPv4) Established" \
	wrend_established h1 198.18.0.2 "$V6::3" 198.18.0.4
wait_for 60 "h2: sessions to h1 (IPv4) and b3 (IPv6) Established" \
	wrend_established h2 198.18.0.1 "$V6::3"
wait_for 30 "BIRD b3: IPv6 sessions to h1 and h2 Established" \
	eval 'bird_established b3 h1 && bird_established b3 h2'
wait_for 30 "BIRD b4: IPv4 session to h1 Established" bird_established b4 h1

# ---- h1's IPv6 workload goes everywhere ------------------------------------
t09_workload6 h1 cali1 fd00:244:1::5/128
wait_for 30 "h1's fd00:244:1::5/128 in h1's Loc-RIB (learned from cali1)" \
	wrend_has_route h1 fd00:244:1::5/128
wait_for 30 "h1's fd00:244:1::5/128 in h2's kernel over the IPv4 session (proto bgp via $V6::1)" \
	t09_kernel6 h2 fd00:244:1::5/128 bgp "$V6::1"
check "h2's route to fd00:244:1::5/128 is protocol 186, metric 32" \
	t09_kernel6_matches h2 fd00:244:1::5/128 proto 186 metric 32
wait_for 30 "h1's fd00:244:1::5/128 in BIRD b3's master6 (IPv6 session)" \
	t09_bird_has6 b3 fd00:244:1::5/128 h1
wait_for 30 "h1's fd00:244:1::5/128 in b3's kernel (proto bird via $V6::1)" \
	t09_kernel6 b3 fd00:244:1::5/128 bird "$V6::1"
wait_for 30 "h1's fd00:244:1::5/128 in BIRD b4's master6 (IPv6 over an IPv4 session)" \
	t09_bird_has6 b4 fd00:244:1::5/128 h1
wait_for 30 "h1's fd00:244:1::5/128 in b4's kernel (proto bird via $V6::1)" \
	t09_kernel6 b4 fd00:244:1::5/128 bird "$V6::1"

# ---- BIRD's IPv6 workloads reach the wrend hosts ---------------------------
t09_workload6 b3 cali1 fd00:244:3::5/128
wait_for 30 "BIRD b3 learned fd00:244:3::5/128 from its kernel" \
	t09_bird_has6 b3 fd00:244:3::5/128 k6
wait_for 30 "b3's fd00:244:3::5/128 in h1's kernel (proto bgp via $V6::3)" \
	t09_kernel6 h1 fd00:244:3::5/128 bgp "$V6::3"
wait_for 30 "b3's fd00:244:3::5/128 in h2's kernel (proto bgp via $V6::3)" \
	t09_kernel6 h2 fd00:244:3::5/128 bgp "$V6::3"
wait_for 30 "b4's static fd00:244:4::5/128 in h1's kernel over an IPv4 session (via $V6::4)" \
	t09_kernel6 h1 fd00:244:4::5/128 bgp "$V6::4"

# ---- h2's IPv6 workload reaches h1 over IPv4 and b3 over IPv6 --------------
t09_workload6 h2 cali1 fd00:244:2::5/128
wait_for 30 "h2's fd00:244:2::5/128 in h1's kernel (proto bgp via $V6::2)" \
	t09_kernel6 h1 fd00:244:2::5/128 bgp "$V6::2"
wait_for 30 "h2's fd00:244:2::5/128 in BIRD b3's master6" \
	t09_bird_has6 b3 fd00:244:2::5/128 h2

check "h1: ip -6 route show proto bgp is exactly the three remote /128s" \
	t09_bgp6_routes_are h1 fd00:244:2::5 fd00:244:3::5 fd00:244:4::5
check "h2: ip -6 route show proto bgp is exactly h1's and b3's /128s" \
	t09_bgp6_routes_are h2 fd00:244:1::5 fd00:244:3::5

# ---- IPv4 next to it: over IPv4 as before, over IPv6 with RFC 8950 ---------
topo_workload h1 cali1 10.244.1.5/32
wait_for 30 "h1's 10.244.1.5/32 in h2's kernel (proto bgp via 198.18.0.1)" \
	kernel_has_route h2 10.244.1.5/32 bgp 198.18.0.1
wait_for 30 "h1's 10.244.1.5/32 in b3's kernel over IPv6 (via inet6 $V6::1)" \
	t09_kernel_via6 b3 10.244.1.5/32 bird "$V6::1"
topo_workload b3 cali1 10.244.3.5/32
wait_for 30 "b3's 10.244.3.5/32 in h1's kernel (proto bgp via inet6 $V6::3)" \
	t09_kernel_via6 h1 10.244.3.5/32 bgp "$V6::3"

# ---- the CLI ---------------------------------------------------------------
check "wrenctl -j show routes on h1: b3's IPv6 route (bgp, next hop $V6::3)" \
	json_test "any(r['prefix'] == 'fd00:244:3::5/128' and r['source'] == 'bgp' and
		r['neighbor'] == '$V6::3' and r['next_hop'] == '$V6::3' and
		r['best'] is True for r in d['routes'])" \
	wrenctl h1 -j show routes
check "wrenctl -j show neighbors on h1: the IPv6 neighbor b3 sent 2 prefixes" \
	json_test "any(n['address'] == '$V6::3' and n['prefixes_received'] == 2
		for n in d['neighbors'])" \
	wrenctl h1 -j show neighbors

# shellcheck disable=SC2317 # called through check
bird_sees_cap_from() {
	birdc_q "$1" show protocols all "$2" |
		sed -n '/Neighbor capabilities/,/Session:/p' | grep -q "$3"
}
check "BIRD b3 sees wrend's extended next hop capability" \
	bird_sees_cap_from b3 h1 "Extended next hop"
check "BIRD b3 sees wrend's IPv6 multiprotocol capability" \
	bird_sees_cap_from b3 h1 "IPv6"

# ---- deleting h1's workload removes it everywhere --------------------------
[ "${WREN_TOPO_DUMP:-0}" != 1 ] || topo_dump
t09_workload6_del h1 cali1 fd00:244:1::5/128
wait_for 30 "fd00:244:1::5/128 gone from h2's kernel" \
	t09_kernel6_lacks h2 fd00:244:1::5/128
wait_for 30 "fd00:244:1::5/128 gone from b3's kernel" \
	t09_kernel6_lacks b3 fd00:244:1::5/128
wait_for 30 "fd00:244:1::5/128 gone from b4's kernel" \
	t09_kernel6_lacks b4 fd00:244:1::5/128
wait_for 30 "fd00:244:1::5/128 gone from BIRD b3's and b4's tables" \
	eval '! t09_bird_has6 b3 fd00:244:1::5/128 && ! t09_bird_has6 b4 fd00:244:1::5/128'
t09_workload6_del b3 cali1 fd00:244:3::5/128
wait_for 30 "fd00:244:3::5/128 gone from h1's and h2's kernels" \
	eval 't09_kernel6_lacks h1 fd00:244:3::5/128 && t09_kernel6_lacks h2 fd00:244:3::5/128'
check "h1 still has h2's fd00:244:2::5/128 (unrelated routes untouched)" \
	t09_kernel6 h1 fd00:244:2::5/128 bgp "$V6::2"
check "h2 still has h1's 10.244.1.5/32" \
	kernel_has_route h2 10.244.1.5/32 bgp 198.18.0.1
check "wrend on h1 and h2 still running" topo_alive

topo_done
