#!/bin/bash
# shellcheck disable=SC2317,SC2016,SC2034 # helpers called through wait_for
# and check; checks given to eval quoted on purpose (expanded when run)
# t30: BFD (RFC 5880, single hop RFC 5881) tied to BGP, against BIRD 2.
#
#   h1 198.18.0.1 fd00:18::1  wrend
#   b2 198.18.0.2 fd00:18::2  BIRD   cali1: 10.244.2.5/32
#
# iBGP over IPv4 and over IPv6, each with a BFD session: ours asks for
# 100 ms, BIRD for 200 ms, so both sides must settle on 200 ms (the slower
# one, RFC 5880 §6.8.2) and a 600 ms detection time, authenticated with
# meticulous keyed SHA1 (§6.7.4).  BGP hold time is 90 s.
#   1. Both BFD sessions come Up, with the negotiated intervals; BGP is
#      Established; BIRD's route is in h1's kernel.  A third host, h3
#      (wrend), has "bfd" for h1, which has none for it: after 5 s without
#      a BFD packet from h1, h3 starts BGP anyway, with a warning.
#      Bad packets sent from b2 (TTL 64, version 2, truncated, an unknown
#      discriminator, a wrong SHA1 digest) are dropped and counted; the
#      session stays Up.
#   2. b2's eth0 goes down: the route leaves h1's kernel within a few
#      seconds (detection time 0.6 s plus margin), far below the hold time;
#      the BGP sessions are down with "BFD down" as their last error.
#   3. eth0 comes back: BFD Up, BGP Established, the route is back.
#      A reload asks for 50 ms instead of 100 ms: a poll sequence with BIRD
#      (RFC 5880 §6.8.3), no BFD flap, no BGP reset.
#   4. wrend stops (SIGTERM): it sends AdminDown and BIRD's BFD sessions
#      leave Up.  (BIRD 2.0 closes BGP on any BFD Up -> Down, AdminDown
#      included, unless its BGP says "bfd graceful"; t31 checks the
#      AdminDown diagnostic as FRR's bfdd receives it.)
set -eu -o pipefail
# shellcheck source=tests/topo/lib.sh
. "$(dirname "$0")/lib.sh"

topo_init wrend bird
topo_hosts h1:198.18.0.1 b2:198.18.0.2:cali1 h3:198.18.0.3
ip -n "$(topo_ns h1)" addr add fd00:18::1/64 dev eth0 nodad
ip -n "$(topo_ns b2)" addr add fd00:18::2/64 dev eth0 nodad
# the link goes down and up again below: keep the IPv6 address meanwhile
ip netns exec "$(topo_ns b2)" sysctl -qw net.ipv6.conf.eth0.keep_addr_on_down=1

conf=$(topo_conf h1.conf)
wren_conf "$conf" 198.18.0.1 64512 198.18.0.3:64512
wren_conf "$(topo_conf h3.conf)" 198.18.0.3 64512 198.18.0.1:64512:bfd
cat >>"$conf" <<'EOF'
group "bird" {
	remote-as 64512
	bfd interval 100 multiplier 3 auth meticulous-keyed-sha1 key-id 7 password "bfd-sha1-key"
	neighbor 198.18.0.2
	neighbor fd00:18::2
}
EOF
cat >"$(topo_conf b2.conf)" <<'EOF'
router id 198.18.0.2;
log stderr all;
protocol device { scan time 1; }
protocol kernel {
	scan time 1;
	learn;
	ipv4 {
		import filter { if ifname ~ "cali*" then accept; reject; };
		export none;
	};
}
protocol bfd {
	interface "eth0" {
		interval 200 ms;
		multiplier 3;
		authentication meticulous keyed sha1;
		password "bfd-sha1-key" { id 7; };
	};
}
template bgp wren {
	local as 64512;
	direct;
	bfd on;
	error wait time 1, 2;
	connect retry time 2;
	connect delay time 1;
}
protocol bgp h1 from wren {
	neighbor 198.18.0.1 as 64512;
	ipv4 { import all; export all; next hop self; };
}
protocol bgp h1v6 from wren {
	neighbor fd00:18::1 as 64512;
	ipv6 { import all; export none; };
}
EOF
bird_start b2 "$(topo_conf b2.conf)"
wrend_start h1 "$conf"
wrend_start h3 "$(topo_conf h3.conf)"
topo_workload b2 cali1 10.244.2.5/32

# bfd_state HOST PEER STATE: wrenctl show bfd says PEER is in STATE.
bfd_state() {
	json_test "any(s['peer'] == '$2' and s['state'] == '$3' for s in d['sessions'])" \
		wrenctl "$1" -j show bfd
}
# bfd_field HOST PEER EXPR: EXPR (over s, the session) is true.
bfd_field() {
	json_test "any(s['peer'] == '$2' and ($3) for s in d['sessions'])" \
		wrenctl "$1" -j show bfd
}
bird_bfd_up() { birdc_q b2 show bfd sessions | grep -E "^$1 " | grep -q " Up "; }
nb_field() {
	json_test "any(n['address'] == '$2' and ($3) for n in d['neighbors'])" \
		wrenctl "$1" -j show neighbors
}

# ---- 1. up ------------------------------------------------------------------
wait_for 30 "BFD to BIRD over IPv4 Up (keyed SHA1)" bfd_state h1 198.18.0.2 Up
wait_for 30 "BFD to BIRD over IPv6 Up" bfd_state h1 fd00:18::2 Up
wait_for 10 "BIRD's BFD sessions Up" eval 'bird_bfd_up 198.18.0.1 && bird_bfd_up fd00:18::1'
wait_for 10 "negotiated: 200 ms both ways (BIRD is slower), 600 ms detection" \
	bfd_field h1 198.18.0.2 "s['tx_interval_ms'] == 200 and s['rx_interval_ms'] == 200 and s['detection_time_ms'] == 600 and not s['polling']"
check "IPv4 session: meticulous keyed SHA1, discriminators both set" \
	bfd_field h1 198.18.0.2 "s['auth'] == 'meticulous-keyed-sha1' and s['local_discriminator'] > 0 and s['remote_discriminator'] > 0"
wait_for 30 "BGP sessions to BIRD Established" wrend_established h1 198.18.0.2 fd00:18::2
wait_for 30 "BIRD's 10.244.2.5/32 in h1's kernel" kernel_has_route h1 10.244.2.5/32 bgp 198.18.0.2
check "BGP hold time is 90 s: only BFD can be quick" \
	nb_field h1 198.18.0.2 "n['hold_time'] == 90"
check "no packet from BIRD dropped (h3's are: no session for them)" \
	json_test "sum(v for k, v in d['dropped'].items() if k != 'no_session') == 0 and d['dropped']['no_session'] > 0" \
	wrenctl h1 -j show bfd
wait_for 30 "h3: BGP to h1 (which runs no BFD for it) Established" \
	wrend_established h3 198.18.0.1
# the warning, and only then the session: BGP waited for BFD
check "h3 warned that it started BGP without BFD, before it connected" \
	eval 'grep -E "no BFD packet from it in 5 s|-> (Connect|OpenSent)" "$TOPO_DIR/h3.wrend.log" |
	head -1 | grep -q "no BFD packet"'

# ---- 1b. bad packets ----------------------------------------------------------
discr=$(wrenctl h1 -j show bfd | python3 -c 'import json,sys
print([s["local_discriminator"] for s in json.load(sys.stdin)["sessions"] if s["peer"] == "198.18.0.2"][0])')
topo_exec b2 python3 - "$discr" <<'EOF'
import socket, struct, sys
discr = int(sys.argv[1])
def pkt(vers=1, state=3, your=discr, auth=b""):
    flags = 0x04 if auth else 0
    return struct.pack("!BBBBIIIII", vers << 5, state << 6 | flags, 3,
        24 + len(auth), 0x4242, your, 200000, 200000, 0) + auth
# (its sequence number may fall outside the window first: dropped either way)
bad_sha1 = struct.pack("!BBBBI", 5, 28, 7, 0, 0x7fffffff) + b"\x55" * 20
sends = [(64, pkt()),                   # single hop, not TTL 255
         (255, pkt(vers=2)),            # version 2
         (255, pkt()[:20]),             # truncated
         (255, pkt(your=discr ^ 0x5a5a)),   # nobody's discriminator
         (255, pkt(auth=bad_sha1))]     # a digest that does not match
for ttl, p in sends:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
    s.bind(("198.18.0.2", 0))
    s.sendto(p, ("198.18.0.1", 3784))
EOF
drops_are() {
	json_test "all(d['dropped'][k] >= 1 for k in ('bad_ttl', 'bad_version', 'short', 'no_session')) and d['dropped']['auth_bad'] + d['dropped']['auth_seq'] >= 1" \
		wrenctl h1 -j show bfd
}
wait_for 10 "bad packets dropped and counted (TTL, version, length, discriminator, digest)" drops_are
check "the session is still Up, no flap" \
	bfd_field h1 198.18.0.2 "s['state'] == 'Up' and s['flaps'] == 0 and s['dropped'] >= 2"

# ---- 2. the link breaks on the far side ------------------------------------
topo_log "b2: eth0 down"
ip -n "$(topo_ns b2)" link set eth0 down
wait_for 5 "10.244.2.5/32 gone from h1's kernel within 5 s (detection 0.6 s)" \
	kernel_lacks_route h1 10.244.2.5/32
check "BFD to BIRD Down: Control Detection Time Expired" \
	bfd_field h1 198.18.0.2 "s['state'] != 'Up' and s['last_diag'] == 'Control Detection Time Expired' and s['flaps'] == 1"
check "BGP session down for BFD, not the hold timer" \
	nb_field h1 198.18.0.2 "n['state'] != 'Established' and 'BFD' in n.get('last_error', '')"
wait_for 5 "IPv6 BGP session down too" not wrend_established h1 fd00:18::2
sleep 2
check "BGP stays down while BFD is Down" not wrend_established h1 198.18.0.2

# ---- 3. the link comes back ---------------------------------------------------
topo_log "b2: eth0 up"
ip -n "$(topo_ns b2)" link set eth0 up
wait_for 30 "BFD to BIRD Up again" bfd_state h1 198.18.0.2 Up
wait_for 60 "BGP to BIRD Established again" wrend_established h1 198.18.0.2 fd00:18::2
# BIRD restarts its BGP protocol after the error and makes a new BFD session
# with it (its log: "unknown session id" for our packets to the old one),
# which can take BFD, and so BGP, down once more: let that pass.
bfd_changes() {
	wrenctl h1 -j show bfd | python3 -c 'import json,sys
print(sum(s["state_changes"] for s in json.load(sys.stdin)["sessions"]))'
}
settled() {
	local c
	c=$(bfd_changes) && bfd_state h1 198.18.0.2 Up && bfd_state h1 fd00:18::2 Up &&
		wrend_established h1 198.18.0.2 fd00:18::2 &&
		sleep 3 && [ "$(bfd_changes)" = "$c" ]
}
wait_for 60 "BFD and BGP with BIRD settled" settled
wait_for 30 "10.244.2.5/32 back in h1's kernel" kernel_has_route h1 10.244.2.5/32 bgp 198.18.0.2

nb_since() {
	wrenctl h1 -j show neighbors | python3 -c 'import json,sys
print([n["state_since"] for n in json.load(sys.stdin)["neighbors"] if n["address"] == sys.argv[1]][0])' "$1"
}
since=$(nb_since 198.18.0.2)
flaps=$(wrenctl h1 -j show bfd | python3 -c 'import json,sys
print(json.load(sys.stdin)["sessions"][0]["flaps"])')
sed -i 's|bfd interval 100 multiplier 3|bfd interval 50 multiplier 3|' "$conf"
check "reload: bfd interval 50" wrenctl h1 reload
wait_for 10 "the poll sequence is over: we ask for 50 ms, BIRD still sets 200 ms" \
	bfd_field h1 198.18.0.2 "s['desired_min_tx_ms'] == 50 and s['required_min_rx_ms'] == 50 and not s['polling'] and s['tx_interval_ms'] == 200 and s['detection_time_ms'] == 600"
sleep 1
check "no BFD flap, no BGP reset" \
	eval 'bfd_field h1 198.18.0.2 "s[\"state\"] == \"Up\" and s[\"flaps\"] == $flaps" && [ "$(nb_since 198.18.0.2)" = "$since" ]'

# ---- 4. our planned restart: AdminDown ----------------------------------------
topo_stop h1 wrend TERM
wait_for 10 "BIRD's BFD sessions leave Up" \
	eval '! bird_bfd_up 198.18.0.1 && ! bird_bfd_up fd00:18::1'
topo_done
