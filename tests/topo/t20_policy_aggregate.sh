#!/bin/bash
# t20: aggregation the way IPAM blocks need it, and static routes, to BIRD 2.
#
#   h1 198.18.0.1 wrend  AS 64512  aggregate 10.244.1.0/26 visible 10.244.1.6/32
#                        cali1: 10.244.1.5/32, 10.244.1.6/32 (inside the block)
#                               10.244.9.5/32 (borrowed from another host's block)
#                        static 10.96.0.0/12 blackhole, 10.97.0.0/16 via 198.18.0.9,
#                               fd00:96::/108 blackhole
#   b2 198.18.0.2 BIRD   AS 64512  (iBGP)
#
# BIRD gets the block, the visible /32 and the borrowed /32, never the /32
# hidden in the block; h1's kernel has the block's blackhole (proto 186),
# which wrend does not learn back.  A reload without the aggregate removes
# the blackhole and lets the hidden /32 out.  Also: `wrend -n -v` of the
# policy example equals its golden file.
set -eu -o pipefail
# shellcheck source=tests/topo/lib.sh
. "$(dirname "$0")/lib.sh"

topo_init wrend bird
data=${WREN_SRCDIR:-$(dirname "$0")/../..}/tests/unit/data

# ---- the canonical form, from the binary --------------------------------
check "wrend -n -v of policy.conf equals policy.golden" \
	cmp -s <("$WREN_BUILDDIR/bgpd/wrend" -n -v -f "$data/policy.conf" 2>/dev/null) \
	"$data/policy.golden"
"$WREN_BUILDDIR/bgpd/wrend" -n -v -f "$data/policy.conf" >"$TOPO_DIR/p1.conf" 2>/dev/null
check "wrend -n -v output parses back to itself" \
	cmp -s <("$WREN_BUILDDIR/bgpd/wrend" -n -v -f "$TOPO_DIR/p1.conf" 2>/dev/null) \
	"$TOPO_DIR/p1.conf"

topo_switch
topo_host h1 198.18.0.1
topo_host b2 198.18.0.2
topo_cali h1 cali1

# $1: the aggregate line (or nothing)
h1_conf() {
	cat >"$(topo_conf h1.conf)" <<EOF
router-id 198.18.0.1
local-as 64512
$1
static 10.96.0.0/12 blackhole
static 10.97.0.0/16 via 198.18.0.9
static fd00:96::/108 blackhole
kernel {
    learn interface "cali*"
    learn blackhole
}
neighbor 198.18.0.2 {
    remote-as 64512
}
EOF
}
h1_conf "aggregate 10.244.1.0/26 visible 10.244.1.6/32"
cat >"$(topo_conf b2.conf)" <<'EOF'
router id 198.18.0.2;
log stderr all;
protocol device { scan time 10; }
protocol bgp h1 {
	local 198.18.0.2 as 64512;
	neighbor 198.18.0.1 as 64512;
	direct;
	hold time 9;
	ipv4 { import all; export none; };
}
EOF

bird_start b2 "$(topo_conf b2.conf)"
topo_workload h1 cali1 10.244.1.5/32
topo_workload h1 cali1 10.244.1.6/32
topo_workload h1 cali1 10.244.9.5/32
wrend_start h1 "$(topo_conf h1.conf)"
wait_for 60 "h1: session to BIRD Established" wrend_established h1 198.18.0.2

wait_for 30 "BIRD has the block 10.244.1.0/26" bird_has_route b2 10.244.1.0/26 h1
wait_for 30 "BIRD has the borrowed 10.244.9.5/32" bird_has_route b2 10.244.9.5/32 h1
wait_for 30 "BIRD has the visible 10.244.1.6/32" bird_has_route b2 10.244.1.6/32 h1
wait_for 30 "BIRD has the static 10.96.0.0/12" bird_has_route b2 10.96.0.0/12 h1
wait_for 30 "BIRD has 10.97.0.0/16 with next hop 198.18.0.9 (static via)" \
	eval 'birdc_q b2 show route 10.97.0.0/16 all | grep -q "via 198.18.0.9"'
check "BIRD never got the /32 hidden in the block (10.244.1.5/32)" \
	not bird_has_route b2 10.244.1.5/32
check "h1 sent exactly 5 prefixes" \
	json_test "d['neighbors'][0]['prefixes_sent'] == 5" wrenctl h1 -j show neighbors

wait_for 30 "h1's kernel: blackhole 10.244.1.0/26 proto 186" \
	kernel_route_matches h1 10.244.1.0/26 proto 186 type blackhole
wait_for 30 "h1's kernel: blackhole 10.96.0.0/12 proto 186" \
	kernel_route_matches h1 10.96.0.0/12 proto 186 type blackhole
wait_for 30 "h1's kernel: 10.97.0.0/16 via 198.18.0.9 proto 186" \
	kernel_has_route h1 10.97.0.0/16 186 198.18.0.9
wait_for 30 "h1's kernel: blackhole fd00:96::/108 proto 186 (IPv6)" \
	eval 'ip -n "$(topo_ns h1)" -6 route show exact fd00:96::/108 proto 186 \
		type blackhole | grep -q .'
# learn blackhole is on, yet wrend's own blackhole is not a kernel route
check "h1: the block is a static route, not learned back from the kernel" \
	json_test "[r['source'] for r in d['routes'] if r['prefix'] == '10.244.1.0/26'] == ['static']" \
	wrenctl h1 -j show routes

# ---- reload without the aggregate ---------------------------------------
h1_conf ""
check "wrenctl reload (aggregate removed)" wrenctl h1 reload
wait_for 30 "h1's kernel: the block's blackhole is gone" \
	kernel_lacks_route h1 10.244.1.0/26 186
wait_for 30 "BIRD: the block is withdrawn" not bird_has_route b2 10.244.1.0/26
wait_for 30 "BIRD now has 10.244.1.5/32" bird_has_route b2 10.244.1.5/32 h1
check "h1: the session to BIRD stayed up" wrend_established h1 198.18.0.2
check "h1's kernel still has the static blackhole 10.96.0.0/12" \
	kernel_route_matches h1 10.96.0.0/12 proto 186 type blackhole

topo_done
