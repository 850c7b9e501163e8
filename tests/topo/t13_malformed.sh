#!/bin/bash
# t13: malformed UPDATEs from a real speaker (RFC 7606), route refresh
# (RFC 2918, RFC 7313) and extended messages (RFC 8654).
#
#   h1 198.18.0.1 wrend   AS 64512
#   x1 198.18.0.2 ExaBGP  AS 64600  sends crafted UPDATEs (eBGP)
#   x2 198.18.0.3 ExaBGP  AS 64700  watches what h1 passes on (eBGP), as JSON
#   h2 198.18.0.4 wrend   AS 64512  takes a large UPDATE (iBGP)
#
# ExaBGP's generic attribute, `attribute [ CODE FLAGS 0xVALUE ]`, replaces
# the attribute of that code ExaBGP would build, so it writes malformed
# ORIGIN, AS_PATH, MED and AGGREGATOR as well as unknown attributes (not
# LOCAL_PREF: ExaBGP leaves it out on eBGP sessions; the unit tests cover
# that case).  After
# each case h1 must still run, the session stay Established, the route be in
# the kernel or not as RFC 7606 says, and the per-neighbor counter of the
# action have gone up:
#   - an unknown optional transitive attribute: accepted, passed on to x2
#     with the Partial bit (RFC 4271 §5)
#   - MED of 2 octets, ORIGIN 5, an AS_PATH segment running past its
#     attribute: treat-as-withdraw (RFC 7606 §7.4, §7.1, §7.2); a route h1
#     had is withdrawn by it
#   - AGGREGATOR of 5 octets: attribute discard (§7.7)
#   - a Tunnel Encapsulation attribute whose TLV runs past its end:
#     attribute discard (RFC 9012 §13), the route kept, the attribute not
#     passed on to x2
# Then x2 asks h1 for a route refresh: with enhanced route refresh (both
# announce it) x2 sees BoRR, the routes, then EoRR; and h1 asks x1 for one
# (wrenctl neighbor ADDR refresh).  Last, wrenctl neighbor restart, down and
# up, and extended messages: h1 sends h2 1500 prefixes in one UPDATE of
# about 7.5 kB.
set -eu -o pipefail
# shellcheck source=tests/topo/lib.sh
. "$(dirname "$0")/lib.sh"

topo_init wrend
command -v exabgp >/dev/null || topo_missing_tool ExaBGP "exabgp not in PATH" exabgp
topo_switch
topo_host h1 198.18.0.1
topo_host x1 198.18.0.2
topo_host x2 198.18.0.3
topo_host h2 198.18.0.4

wren_conf "$(topo_conf h1.conf)" 198.18.0.1 64512 198.18.0.2:64600 \
	198.18.0.3:64700 198.18.0.4:64512
wren_conf "$(topo_conf h2.conf)" 198.18.0.4 64512 198.18.0.1:64512

# An API process feeding ExaBGP the lines appended to a file, and one
# writing what ExaBGP tells it (JSON) to a file.
cat >"$(topo_conf feed.py)" <<'EOF'
import os, sys, time
pos = 0
parent = os.getppid()
while os.getppid() == parent:	# ends with its ExaBGP
    try:
        with open(sys.argv[1]) as f:
            f.seek(pos)
            data = f.read()
            pos = f.tell()
    except FileNotFoundError:
        data = ""
    for line in data.splitlines():
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
    time.sleep(0.2)
EOF
cat >"$(topo_conf dump.py)" <<'EOF'
import sys
with open(sys.argv[1], "a") as out:
    for line in sys.stdin:
        out.write(line)
        out.flush()
EOF

# Did the JSON messages go BoRR, UPDATEs, EoRR (RFC 7313 §4)?
cat >"$(topo_conf borr.py)" <<'EOF'
import re, sys
# (ExaBGP 4.2 quotes the refresh fields twice: not JSON, hence re)
seen = []
for line in open(sys.argv[1]):
    if '"type": "refresh"' in line:
        m = re.search(r'"subtype": "*(\w+)', line)
        seen.append(m.group(1) if m else "?")
    elif '"type": "update"' in line:
        seen.append("update")
ok = seen[:1] == ["begin"] and seen[-1:] == ["end"] and "update" in seen
sys.exit(0 if ok else 1)
EOF

# exabgp_conf HOST ADDR AS: a config for one ExaBGP peering with h1
exabgp_conf() {
	cat <<EOF
process feed {
	run /usr/bin/python3 $TOPO_DIR/feed.py $TOPO_DIR/$1.cmd;
	encoder text;
}
process dump {
	run /usr/bin/python3 $TOPO_DIR/dump.py $TOPO_DIR/$1.json;
	encoder json;
}
neighbor 198.18.0.1 {
	router-id $2;
	local-address $2;
	local-as $3;
	peer-as 64512;
	hold-time 30;
	capability {
		route-refresh enable;
		extended-message enable;
	}
	family { ipv4 unicast; }
	api {
		processes [ feed dump ];
		receive { parsed; update; refresh; }
	}
}
EOF
}

exabgp_start() {
	exabgp_conf "$1" "$2" "$3" >"$(topo_conf "$1.exabgp.conf")"
	: >"$TOPO_DIR/$1.cmd"
	: >"$TOPO_DIR/$1.json"
	topo_spawn "$1" exabgp "$TOPO_DIR/$1.exabgp.log" env \
		exabgp.daemon.daemonize=false exabgp.daemon.user=root \
		exabgp.log.destination=stdout exabgp.api.cli=false \
		exabgp.api.ack=false exabgp.tcp.bind= \
		exabgp "$(topo_conf "$1.exabgp.conf")"
}

# x1 HOST COMMAND: one API command to x1's ExaBGP
x1() { echo "$*" >>"$TOPO_DIR/x1.cmd"; }

# the JSON UPDATEs x2 received that announce PREFIX, as one line each
x2_updates() {
	grep '"update"' "$TOPO_DIR/x2.json" | grep -F "\"$1\"" || true
}

# rfc7606 ACTION N: h1's counter of ACTION for x1 is at least N
rfc7606_at_least() {
	json_test "[n for n in d['neighbors'] if n['address'] == '198.18.0.2'][0]['rfc7606']['$1'] >= $2" \
		wrenctl h1 -j show neighbors
}

# after a case: h1 up, x1's session still Established
still_up() {
	check "wrend on h1 still running" topo_alive
	check "h1: x1's session still Established (no reset)" \
		wrend_established h1 198.18.0.2
	check "h1: no session reset counted" rfc7606_zero_resets
}

rfc7606_zero_resets() {
	json_test "[n for n in d['neighbors'] if n['address'] == '198.18.0.2'][0]['rfc7606']['session_reset'] == 0" \
		wrenctl h1 -j show neighbors
}

wrend_start h1 "$(topo_conf h1.conf)"
exabgp_start x1 198.18.0.2 64600
exabgp_start x2 198.18.0.3 64700
wrend_start h2 "$(topo_conf h2.conf)"
wait_for 60 "h1: sessions to both ExaBGP and h2 Established" \
	wrend_established h1 198.18.0.2 198.18.0.3 198.18.0.4
check "h1: extended messages and enhanced route refresh negotiated" \
	json_test "all(n['extended_messages'] and n['enhanced_route_refresh'] for n in d['neighbors'])" \
	wrenctl h1 -j show neighbors

# ---- a good route, then one with an unknown optional transitive ---------
x1 "announce route 10.244.49.1/32 next-hop self"
x1 "announce route 10.244.50.1/32 next-hop self attribute [ 0x63 0xc0 0xdeadbeef ]"
wait_for 30 "h1 installed 10.244.49.1/32 via x1" \
	kernel_has_route h1 10.244.49.1/32 bgp 198.18.0.2
wait_for 30 "h1 installed 10.244.50.1/32 (unknown attribute 0x63)" \
	kernel_has_route h1 10.244.50.1/32 bgp 198.18.0.2
wait_for 30 "x2 got 10.244.50.1/32 with attribute 0x63 marked Partial (0xE0)" \
	eval 'x2_updates 10.244.50.1/32 | grep -q "\"attribute-0x63-0xE0\": \"0xdeadbeef\""'
still_up

# ---- treat-as-withdraw: MED of 2 octets, for a route h1 has ------------
x1 "announce route 10.244.49.1/32 next-hop self attribute [ 0x04 0x80 0x0001 ]"
wait_for 30 "h1 withdrew 10.244.49.1/32 (MED of 2 octets, RFC 7606 §7.4)" \
	kernel_lacks_route h1 10.244.49.1/32
wait_for 10 "h1 counted a treat-as-withdraw" rfc7606_at_least treat_as_withdraw 1
still_up

# ---- ORIGIN 5, and an AS_PATH segment of 2 ASes holding 1 ---------------
x1 "announce route 10.244.53.1/32 next-hop self attribute [ 0x01 0x40 0x05 ]"
x1 "announce route 10.244.55.1/32 next-hop self attribute [ 0x02 0x40 0x02020000fd48 ]"
wait_for 10 "h1 counted three treat-as-withdraw" rfc7606_at_least treat_as_withdraw 3
check "10.244.53.1/32 (ORIGIN 5) not installed" kernel_lacks_route h1 10.244.53.1/32
check "10.244.55.1/32 (bad AS_PATH) not installed" kernel_lacks_route h1 10.244.55.1/32
check "neither is in h1's Loc-RIB" not wrend_has_route h1 10.244.55.1/32
still_up

# ---- attribute discard: a short AGGREGATOR, a broken tunnel encap -------
x1 "announce route 10.244.52.1/32 next-hop self attribute [ 0x07 0xc0 0x0000fde8c6 ]"
x1 "announce route 10.244.54.1/32 next-hop self attribute [ 0x17 0xc0 0x000800090400 ]"
wait_for 30 "h1 installed 10.244.52.1/32 (AGGREGATOR of 5 octets discarded)" \
	kernel_has_route h1 10.244.52.1/32 bgp 198.18.0.2
wait_for 30 "h1 installed 10.244.54.1/32 (tunnel encapsulation discarded)" \
	kernel_has_route h1 10.244.54.1/32 bgp 198.18.0.2
wait_for 10 "h1 counted two attribute discards" rfc7606_at_least attribute_discard 2
wait_for 30 "x2 got 10.244.54.1/32" eval 'x2_updates 10.244.54.1/32 | grep -q .'
check "x2 got it without the tunnel encapsulation attribute (23)" \
	eval '! x2_updates 10.244.54.1/32 | grep -qi "attribute-0x17-"'
check "h1 logged the action with the attribute and RFC section" \
	grep -q "UPDATE attribute TUNNEL_ENCAPSULATION: attribute-discard (RFC 9012 §13)" \
	"$TOPO_DIR/h1.wrend.log"
check "h1 logged the MED treat-as-withdraw" \
	grep -q "UPDATE attribute MULTI_EXIT_DISC: treat-as-withdraw (RFC 7606 §7.4)" \
	"$TOPO_DIR/h1.wrend.log"
still_up
check "show neighbors ADDR prints the RFC 7606 counters" \
	eval 'wrenctl h1 show neighbors 198.18.0.2 | grep -q "RFC 7606: treat-as-withdraw 3, attribute-discard 2, session-reset 0"'

# ---- enhanced route refresh (RFC 7313 §4) --------------------------------
: >"$TOPO_DIR/x2.json"
echo "announce route-refresh ipv4 unicast" >>"$TOPO_DIR/x2.cmd"
wait_for 30 "x2 got BoRR, the routes again, then EoRR" \
	python3 "$(topo_conf borr.py)" "$TOPO_DIR/x2.json"
check "h1 logged the request" grep -q "198.18.0.3: route refresh requested" "$TOPO_DIR/h1.wrend.log"

# ---- wrenctl neighbor ADDR refresh: h1 asks x1 ---------------------------
check "wrenctl neighbor 198.18.0.2 refresh" wrenctl h1 neighbor 198.18.0.2 refresh
wait_for 30 "x1 got the ROUTE-REFRESH" grep -q '"refresh"' "$TOPO_DIR/x1.json"
sleep 2		# x1 sends its routes again
check "h1 still has x1's 10.244.50.1/32" kernel_has_route h1 10.244.50.1/32 bgp 198.18.0.2

# ---- neighbor restart, down and up; extended messages (RFC 8654) --------
check "wrenctl neighbor 198.18.0.3 restart" wrenctl h1 neighbor 198.18.0.3 restart
wait_for 60 "x2's session is back after the restart" wrend_established h1 198.18.0.3
# x2 is left down from here: ExaBGP 4.2.21 stops reading (and its hold
# timer expires) once it gets an UPDATE over 4096 octets, negotiated or not.
check "wrenctl neighbor 198.18.0.3 down" wrenctl h1 neighbor 198.18.0.3 down
check "wrenctl neighbor 198.18.0.4 down" wrenctl h1 neighbor 198.18.0.4 down
wait_for 10 "x2's and h2's sessions are Idle" json_test \
	"all(n['state'] == 'Idle' for n in d['neighbors'] if n['address'] != '198.18.0.2')" \
	wrenctl h1 -j show neighbors
check "up refused for a neighbor that is not down" not wrenctl h1 neighbor 198.18.0.2 up
# x1 announces 1500 prefixes with one set of attributes; once h2 is back,
# h1 sends it its table in runs of prefixes sharing attributes (queue
# order): 10.244.50.1; 10.244.52.1 and 10.244.54.1; the 1500 (7.5 kB), in
# one UPDATE each; then End-of-RIB: 4 UPDATEs, where 4096 octets need 5.
x1 "announce attributes next-hop self nlri $(python3 -c 'print(" ".join("10.244.%d.%d/32" % (200 + i // 250, i % 250 + 1) for i in range(1500)))')"
wait_for 30 "h1 accepted the 1500 prefixes (in UPDATEs from x1)" \
	json_test "[n for n in d['neighbors'] if n['address'] == '198.18.0.2'][0]['prefixes_accepted'] >= 1500" \
	wrenctl h1 -j show neighbors
h2_updates() {
	wrenctl h2 -j show neighbors |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["neighbors"][0]["updates_received"])'
}
before=$(h2_updates)
check "wrenctl neighbor 198.18.0.4 up" wrenctl h1 neighbor 198.18.0.4 up
wait_for 60 "h2's session is back" wrend_established h1 198.18.0.4
wait_for 30 "h2 accepted 1503 prefixes" json_test \
	"d['neighbors'][0]['prefixes_accepted'] == 1503" wrenctl h2 -j show neighbors
after=$(h2_updates)
topo_log "UPDATEs received by h2: $before before, $after after"
check "h2 got them in 4 UPDATEs, one larger than 4096 octets" \
	test "$after" -le $((before + 4))
check "h2: extended messages negotiated" json_test \
	"d['neighbors'][0]['extended_messages']" wrenctl h2 -j show neighbors
still_up

topo_done
