#!/bin/bash
# t21: import, export and kernel policies on eBGP, against FRR and GoBGP.
#
#   h1 198.18.0.1 wrend  AS 64512  cali1: 10.244.1.5/32, 10.244.1.6/32
#   f2 198.18.0.2 FRR    AS 64601  networks 10.244.50.0/24, .51.0/24, .52.0/24
#   g3 198.18.0.3 GoBGP  AS 64602  10.244.60.0/24; h1 has no policy for it
#
# To FRR h1 exports only 10.244.1.5/32, with communities, a large community,
# a MED and one more AS; FRR's routes come in with local-pref 300 except
# .52.0/24 (import reject), and .51.0/24 stays out of the kernel (install
# policy) while .50.0/24 is installed with metric 100.  GoBGP, without a
# policy, gets nothing and gives nothing (RFC 8212) until a reload adds one:
# then it gets the route without a new session.  The same reload hands
# .50.0/24 to "another datapath": it leaves the kernel.
set -eu -o pipefail
# shellcheck source=tests/topo/lib.sh
. "$(dirname "$0")/lib.sh"

topo_init wrend frr gobgp
topo_hosts h1:198.18.0.1:cali1 f2:198.18.0.2 g3:198.18.0.3

# $1: extra lines for GoBGP's neighbor block; $2: more prefixes another
# datapath handles (kept out of the kernel)
h1_conf() {
	cat >"$(topo_conf h1.conf)" <<EOF
router-id 198.18.0.1
local-as 64512
kernel {
    learn interface "cali*"
    install policy "kernel"
}
prefix-set "mine" { 10.244.1.5/32 }
prefix-set "other-datapath" { 10.244.51.0/24 ${2:-} }
prefix-set "pools" { 10.244.0.0/16 le 32 }
policy "to-frr" {
    rule {
        match prefix-set "mine"
        match source kernel
        match interface "cali*"
        add community 64512:100 64512:200
        add large-community 64512:1:1
        set med 10
        prepend 1
        accept
    }
}
policy "from-frr" {
    rule {
        match prefix-set "pools"
        match not as-path length ge 3
        match as-path origin 64601
        set local-pref 300
        add community 64601:7
    }
    rule { match community 64601:52
        reject
    }
    default accept
}
policy "kernel" {
    rule {
        match prefix-set "other-datapath"
        reject
    }
    rule {
        match community 64601:7
        set metric 100
        accept
    }
    default accept
}
policy "all" { default accept }
neighbor 198.18.0.2 {
    remote-as 64601
    import policy "from-frr"
    export policy "to-frr"
}
neighbor 198.18.0.3 {
    remote-as 64602
    $1
}
EOF
}
h1_conf ""
frr_conf_bgp f2 64601 -p "ip prefix-list P52 seq 5 permit 10.244.52.0/24
route-map OUT permit 10
 match ip address prefix-list P52
 set community 64601:52
route-map OUT permit 20" -a "  neighbor 198.18.0.1 route-map OUT out" \
	198.18.0.1:64512 10.244.50.0/24 10.244.51.0/24 10.244.52.0/24
gobgp_conf_simple g3 64602 198.18.0.1:64512

frr_start f2 "$(topo_conf f2.conf)"
gobgp_start g3 "$(topo_conf g3.toml)"
gobgp_announce g3 10.244.60.0/24
topo_workload h1 cali1 10.244.1.5/32
topo_workload h1 cali1 10.244.1.6/32
wrend_start h1 "$(topo_conf h1.conf)"

wait_for 60 "h1: sessions to FRR and GoBGP Established" \
	wrend_established h1 198.18.0.2 198.18.0.3

# ---- export: what FRR sees (show bgp ... json) ---------------------------
wait_for 30 "FRR has 10.244.1.5/32 with AS path 64512 64512 (prepend 1)" \
	frr_has_route f2 10.244.1.5/32 "64512 64512" 198.18.0.1
check "FRR sees communities 64512:100 64512:200, large 64512:1:1, MED 10" \
	json_test "any(p.get('community', {}).get('string') == '64512:100 64512:200' and
		p.get('largeCommunity', {}).get('string') == '64512:1:1' and
		p.get('metric') == 10 for p in d['paths'])" \
	frr_vtysh f2 "show bgp ipv4 unicast 10.244.1.5/32 json"
check "FRR never got 10.244.1.6/32 (not in the export policy)" \
	not frr_has_route f2 10.244.1.6/32

# ---- import and kernel policies ------------------------------------------
wait_for 30 "h1: FRR's 10.244.50.0/24 with local-pref 300" \
	json_test "any(r['prefix'] == '10.244.50.0/24' and r['local_pref'] == 300
		for r in d['routes'])" wrenctl h1 -j show routes
wait_for 30 "h1's kernel: 10.244.50.0/24 proto bgp metric 100 (install policy)" \
	kernel_route_matches h1 10.244.50.0/24 proto 186 metric 100
check "h1: 10.244.51.0/24 is in the Loc-RIB" wrend_has_route h1 10.244.51.0/24
check "h1's kernel: 10.244.51.0/24 is not installed (install policy)" \
	kernel_lacks_route h1 10.244.51.0/24
check "h1: 10.244.52.0/24 (community 64601:52) refused by the import policy" \
	not wrend_has_route h1 10.244.52.0/24
# (FRR also sends h1's own route back: refused as an AS path loop)
check "h1: of FRR's prefixes, 2 accepted" \
	json_test "[(n['prefixes_received'] in (3, 4), n['prefixes_accepted'])
		for n in d['neighbors'] if n['address'] == '198.18.0.2'] == [(True, 2)]" \
	wrenctl h1 -j show neighbors

check "wrenctl -j show neighbors names the policies" \
	json_test "sorted((n['address'], n['import_policy'], n['export_policy'])
		for n in d['neighbors']) == [('198.18.0.2', 'from-frr', 'to-frr'),
		('198.18.0.3', '', '')]" wrenctl h1 -j show neighbors

# ---- RFC 8212: GoBGP has no policy --------------------------------------
wait_for 30 "h1: GoBGP's one prefix received, none accepted" \
	json_test "[(n['prefixes_received'], n['prefixes_accepted'], n['prefixes_sent'])
		for n in d['neighbors'] if n['address'] == '198.18.0.3'] == [(1, 0, 0)]" \
	wrenctl h1 -j show neighbors
check "GoBGP got nothing from h1" not gobgp_has_route g3 10.244.1.5/32
check "h1's log says why, once (RFC 8212)" \
	eval "[ \$(grep -c 'no export policy: no route sent (RFC 8212)' \
		'$TOPO_DIR/h1.wrend.log') = 1 ]"

# ---- a reload gives GoBGP a policy: no new session -----------------------
since=$(wrenctl h1 -j show neighbors | python3 -c 'import json,sys
print([n["state_since"] for n in json.load(sys.stdin)["neighbors"] if n["address"] == "198.18.0.3"][0])')
h1_conf 'import policy "all"
    export policy "all"' 10.244.50.0/24
check "wrenctl reload (policies for GoBGP, 10.244.50.0/24 to another datapath)" \
	wrenctl h1 reload
wait_for 30 "h1's kernel: 10.244.50.0/24 removed (the install policy's set changed)" \
	kernel_lacks_route h1 10.244.50.0/24
wait_for 30 "GoBGP now has 10.244.1.5/32 and 10.244.1.6/32 from h1" \
	eval 'gobgp_has_route g3 10.244.1.5/32 64512 && gobgp_has_route g3 10.244.1.6/32 64512'
wait_for 30 "h1 now has GoBGP's 10.244.60.0/24 (route refresh)" \
	wrend_has_route h1 10.244.60.0/24
check "h1: the GoBGP session was not reset by the policy change" \
	json_test "[n['state_since'] for n in d['neighbors'] if n['address'] == '198.18.0.3'] == [$since]" \
	wrenctl h1 -j show neighbors

topo_done
