#!/bin/bash
# t12: what real networks ask of a BGP session: TCP MD5 (RFC 2385), TCP-AO
# (RFC 5925), GTSM (RFC 5082), source-address, next-hop keep, per-neighbor
# local-as and allow-local-as, and max-prefix (RFC 4486).
#
#   h1 198.18.0.1 (+ .11) wrend AS 64512       cali1: 10.244.1.5/32
#   g2 198.18.0.2 GoBGP AS 64602  MD5 "wren-md5"; h1 shows it local-as 64700
#   g3 198.18.0.3 GoBGP AS 64603  MD5 with the wrong password: stays down
#   h4 198.18.0.4 wrend AS 64604  TCP-AO + ttl-security to h1's 198.18.0.11
#                                 (source-address), h1: next-hop keep
#   g5 198.18.0.5 GoBGP AS 64605  h1: max-prefix 2 restart 1
set -eu -o pipefail
# shellcheck source=tests/topo/lib.sh
. "$(dirname "$0")/lib.sh"

topo_init wrend gobgp
topo_switch
topo_host h1 198.18.0.1
topo_host g2 198.18.0.2
topo_host g3 198.18.0.3
topo_host h4 198.18.0.4
topo_host g5 198.18.0.5
ip -n "$(topo_ns h1)" addr add 198.18.0.11/24 dev eth0
topo_cali h1 cali1

# h1's config; $1 is extra text for g2's block (reloaded below).
h1_conf() {
	cat >"$(topo_conf h1.conf)" <<EOF
router-id 198.18.0.1
local-as 64512
kernel {
    learn interface "cali*"
}
policy "all" { default accept }
neighbor 198.18.0.2 {
    remote-as 64602
    import policy "all"
    export policy "all"
    local-as 64700
    password "wren-md5"
    hold-time 9
    $1
}
neighbor 198.18.0.3 {
    remote-as 64603
    import policy "all"
    export policy "all"
    password "the-right-one"
    connect-retry 1
}
group "edge" {
    remote-as 64604
    import policy "all"
    export policy "all"
    $AUTH_H1
    ttl-security
    neighbor 198.18.0.4 {
        source-address 198.18.0.11
        next-hop keep
        hold-time 9
    }
}
neighbor 198.18.0.5 {
    remote-as 64605
    import policy "all"
    export policy "all"
    max-prefix 2 restart 1
    connect-retry 1
    hold-time 9
}
EOF
}

# TCP-AO needs a kernel built with CONFIG_TCP_AO (6.7+): without it,
# setsockopt(TCP_AO_ADD_KEY) is ENOPROTOOPT and h1 <-> h4 use TCP MD5.
tcp_ao_available() {
	python3 -c 'import errno, socket, sys
s = socket.socket()
try:
    s.setsockopt(socket.IPPROTO_TCP, 38, bytes(400))
except OSError as e:
    sys.exit(1 if e.errno == errno.ENOPROTOOPT else 0)'
}
if tcp_ao_available; then
	AUTH_H1='tcp-ao key-id 1 rnext-id 2 algorithm hmac-sha256 password "wren-ao"'
	AUTH_H4='tcp-ao key-id 2 rnext-id 1 algorithm hmac-sha256 password'
	AUTH_NAME=TCP-AO
else
	topo_log "SKIP TCP-AO: this kernel has no CONFIG_TCP_AO; h1 <-> h4 use TCP MD5"
	AUTH_H1='password "wren-ao"'
	AUTH_H4='password'
	AUTH_NAME="TCP MD5 (no TCP-AO here)"
fi

# h4's config; $1 is its TCP-AO (or MD5) password.
h4_conf() {
	cat >"$(topo_conf h4.conf)" <<EOF
router-id 198.18.0.4
local-as 64604
policy "all" { default accept }
neighbor 198.18.0.11 {
    remote-as 64512
    import policy "all"
    export policy "all"
    $AUTH_H4 "$1"
    ttl-security hops 1
    hold-time 9
    connect-retry 1
}
EOF
}
h4_conf wren-ao
h1_conf ""

gobgp_conf_simple g2 64602 -r 1 -p wren-md5 198.18.0.1:64700
gobgp_conf_simple g3 64603 -r 1 -p not-the-right-one 198.18.0.1:64512
gobgp_conf_simple g5 64605 -r 1 198.18.0.1:64512

gobgp_start g2 "$(topo_conf g2.toml)"
gobgp_start g3 "$(topo_conf g3.toml)"
gobgp_start g5 "$(topo_conf g5.toml)"
gobgp_announce g2 10.244.60.0/24
gobgp_q g2 global rib add 10.244.70.0/24 aspath 64512 -a ipv4 ||
	fail "gobgp: 10.244.70.0/24 with AS path 64512"
gobgp_announce g5 10.244.80.0/24
gobgp_announce g5 10.244.81.0/24
topo_workload h1 cali1 10.244.1.5/32
wrend_start h1 "$(topo_conf h1.conf)"
wrend_start h4 "$(topo_conf h4.conf)"

# ---- TCP MD5 with GoBGP, local-as -------------------------------------------
wait_for 60 "h1: MD5 session to GoBGP g2 Established" wrend_established h1 198.18.0.2
wait_for 30 "GoBGP g2 sees h1 as AS 64700 (local-as), Established" \
	json_test "d['state']['session_state'] == 6 and 64700 in (d['state'].get('peer_asn'),
		d['state'].get('peer_as'), d['conf'].get('peer_asn'), d['conf'].get('peer_as'))" \
	gobgp_q g2 neighbor 198.18.0.1 -j
wait_for 30 "g2 gets 10.244.1.5/32 with AS path 64700, next hop 198.18.0.1" \
	gobgp_has_route g2 10.244.1.5/32 64700 198.18.0.1
wait_for 30 "g2's 10.244.60.0/24 in h1's kernel via 198.18.0.2" \
	kernel_has_route h1 10.244.60.0/24 bgp 198.18.0.2
check "h1 rejects 10.244.70.0/24 (AS path 64602 64512: a loop)" \
	json_test "[n for n in d['neighbors'] if n['address'] == '198.18.0.2'][0]['prefixes_received'] == 2 and
		[n for n in d['neighbors'] if n['address'] == '198.18.0.2'][0]['prefixes_accepted'] == 1" \
	wrenctl h1 -j show neighbors
check "show neighbors: password set (never shown), local_as 64700" \
	json_test "any(n['address'] == '198.18.0.2' and n['password'] == 'set' and n['local_as'] == 64700
		for n in d['neighbors'])" wrenctl h1 -j show neighbors
check "the secret is nowhere in show neighbors or the log" \
	not grep -rq "wren-md5\|wren-ao" <(wrenctl h1 -j show neighbors) "$TOPO_DIR/h1.wrend.log"

# ---- TCP-AO + GTSM + source-address + next-hop keep between two wrends -----
wait_for 60 "h1 <-> h4: $AUTH_NAME, ttl-security session Established" \
	wrend_established h4 198.18.0.11
check "h1 shows h4 with its key, ttl_security 1, next-hop keep, source-address" \
	json_test "any(n['address'] == '198.18.0.4' and (n['password'] == 'set' or
		n['tcp_ao']['algorithm'] == 'hmac-sha256') and
		n['ttl_security'] == 1 and n['next_hop'] == 'keep' and n['source_address'] == '198.18.0.11'
		for n in d['neighbors'])" wrenctl h1 -j show neighbors
wait_for 30 "h4: 10.244.1.5/32 via 198.18.0.11 (source-address is next hop self)" \
	kernel_has_route h4 10.244.1.5/32 bgp 198.18.0.11
wait_for 30 "h4: 10.244.60.0/24 via 198.18.0.2 (next-hop keep: third party)" \
	kernel_has_route h4 10.244.60.0/24 bgp 198.18.0.2

# ---- wrong MD5 password keeps GoBGP g3 down --------------------------------
sleep 3
check "h1: session to g3 (wrong MD5 password) not Established" \
	not wrend_established h1 198.18.0.3
check "GoBGP g3: not Established" not gobgp_established g3 198.18.0.1

# ---- max-prefix: g5 announces a third prefix -------------------------------
wait_for 30 "h1: session to g5 Established with 2 prefixes" \
	json_test "any(n['address'] == '198.18.0.5' and n['state'] == 'Established' and
		n['prefixes_accepted'] == 2 for n in d['neighbors'])" wrenctl h1 -j show neighbors
gobgp_announce g5 10.244.82.0/24
wait_for 30 "h1: g5 over max-prefix 2: down, Cease/Maximum Number of Prefixes Reached" \
	json_test "any(n['address'] == '198.18.0.5' and n['state'] != 'Established' and
		'Maximum Number of Prefixes' in (n['last_error'] or '') and n['max_prefix']['down']
		for n in d['neighbors'])" wrenctl h1 -j show neighbors
check "g5's prefixes gone from h1's kernel" kernel_lacks_route h1 10.244.80.0/24
gobgp_withdraw g5 10.244.82.0/24
t_down=$(date +%s)

# ---- allow-local-as by reload (route refresh, the session stays) -----------
h1_conf "allow-local-as 1"
check "wrenctl reload (allow-local-as 1 for g2)" wrenctl h1 reload
wait_for 30 "h1 accepts 10.244.70.0/24 (AS path 64602 64512) after route refresh" \
	kernel_has_route h1 10.244.70.0/24 bgp 198.18.0.2
check "the g2 session was not reset by the reload" \
	json_test "any(n['address'] == '198.18.0.2' and n['flaps'] == 0 and n['state'] == 'Established'
		for n in d['neighbors'])" wrenctl h1 -j show neighbors
# reload also ended g5's max-prefix wait; it is back with 2 prefixes
wait_for 60 "g5 back after the reload, 2 prefixes" \
	json_test "any(n['address'] == '198.18.0.5' and n['state'] == 'Established' and
		n['prefixes_accepted'] == 2 for n in d['neighbors'])" wrenctl h1 -j show neighbors

# ---- max-prefix restart timer: over again, back after 1 minute -------------
gobgp_announce g5 10.244.82.0/24
wait_for 30 "h1: g5 over max-prefix again: down" \
	json_test "any(n['address'] == '198.18.0.5' and n['state'] != 'Established' and
		n['max_prefix']['down'] for n in d['neighbors'])" wrenctl h1 -j show neighbors
gobgp_withdraw g5 10.244.82.0/24

# ---- wrong key: h4 reloads with another password ----------------------------
h4_conf not-wren-ao
check "h4: reload with a wrong $AUTH_NAME password" wrenctl h4 reload
sleep 8
check "h4: session with the wrong key not Established" \
	not wrend_established h4 198.18.0.11
h4_conf wren-ao
check "h4: reload with the right key" wrenctl h4 reload
wait_for 60 "h4: session back with the right key" wrend_established h4 198.18.0.11

wait_for 100 "g5 back after the max-prefix restart interval (1 min)" \
	json_test "any(n['address'] == '198.18.0.5' and n['state'] == 'Established' and
		not n['max_prefix']['down'] for n in d['neighbors'])" wrenctl h1 -j show neighbors
check "wrends and GoBGPs still running" topo_alive

topo_done
