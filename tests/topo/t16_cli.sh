#!/bin/bash
# t16: operating wrend with wrenctl: every command as a table and as JSON,
# the neighbor detail view against a real BIRD peer, Adj-RIB-In/Out views,
# routes by neighbor and by longest match, error messages and exit codes,
# garbage on the control socket, and BIRD's view of an admin-down neighbor.
#
#   h1 198.18.0.1 wrend AS 64512  cali1: 10.244.1.5/32
#   b2 198.18.0.2 BIRD  AS 64512  static 10.244.64.0/18, 10.244.65.0/24,
#                                 10.244.66.0/24 (AS path with 64512: a loop)
#   h3 198.18.0.3 wrend AS 64512  (h1's route-reflector client)
set -eu -o pipefail
# shellcheck source=tests/topo/lib.sh
. "$(dirname "$0")/lib.sh"

topo_init wrend bird
topo_hosts h1:198.18.0.1:cali1 b2:198.18.0.2 h3:198.18.0.3

compat_sock() { echo "$TOPO_DIR/$1.compat.ctl"; }
wren_conf "$(topo_conf h1.conf)" 198.18.0.1 64512 198.18.0.2:64512 198.18.0.3:64512:route-reflector-client
echo "compat-socket \"$(compat_sock h1)\"" >>"$(topo_conf h1.conf)"
wren_conf "$(topo_conf h3.conf)" 198.18.0.3 64512 198.18.0.1:64512
cat >"$(topo_conf b2.conf)" <<'EOF'
router id 198.18.0.2;
log stderr all;
protocol device { scan time 10; }
protocol static {
	ipv4;
	route 10.244.64.0/18 blackhole;
	route 10.244.65.0/24 blackhole;
	route 10.244.66.0/24 blackhole;
}
protocol bgp h1 {
	local 198.18.0.2 as 64512;
	neighbor 198.18.0.1 as 64512;
	hold time 60;
	ipv4 {
		import all;
		next hop self;
		export filter {
			if net = 10.244.66.0/24 then bgp_path.prepend(64512);
			accept;
		};
	};
}
EOF

bird_start b2 "$(topo_conf b2.conf)"
wrend_start h1 "$(topo_conf h1.conf)"
wrend_start h3 "$(topo_conf h3.conf)"
wait_for 60 "h1: sessions to BIRD and h3 Established" \
	wrend_established h1 198.18.0.2 198.18.0.3
topo_workload h1 cali1 10.244.1.5/32
wait_for 30 "BIRD's 10.244.65.0/24 in h1's Loc-RIB" wrend_has_route h1 10.244.65.0/24
wait_for 30 "h1's 10.244.1.5/32 reached BIRD" bird_has_route b2 10.244.1.5/32 h1
wait_for 30 "BIRD's 10.244.65.0/24 reached h3" wrend_has_route h3 10.244.65.0/24

# ---- every command parses as JSON; tables have their headers ---------------
for cmd in "show status" "show neighbors" "show neighbors 198.18.0.2" \
	"show routes" "show routes 10.244.65.1" "show routes neighbor 198.18.0.2" \
	"show rib in neighbor 198.18.0.2" "show rib out neighbor 198.18.0.2" \
	"show kernel" "reload" "neighbor 198.18.0.2 refresh"; do
	# shellcheck disable=SC2086 # the words of the command
	check "wrenctl -j $cmd: one JSON object" json_test "isinstance(d, dict)" wrenctl h1 -j $cmd
done
# shellcheck disable=SC2317 # called through check
header_is() {
	local want=$1 out
	shift
	out=$(wrenctl h1 "$@") || return 1
	head -n1 <<<"$out" | grep -Eq "$want"
}
check "show neighbors: table header" header_is '^Neighbor +AS +State +Since +Received +Accepted +Sent +Last error' show neighbors
check "show routes: table header" header_is '^Prefix +Next hop +Best +Source +Neighbor +LocPref +AS path' show routes
check "show rib in: table header" header_is '^Prefix +PathId +Flg +Next hop +LocPref +MED +Origin +AS path' show rib in neighbor 198.18.0.2
check "show rib out: table header" header_is '^Prefix +PathId +Next hop +LocPref +MED +Origin +AS path' show rib out neighbor 198.18.0.2
# shellcheck disable=SC2317
columns_aligned() {
	# every row of show routes starts its Next hop column where the header does
	wrenctl h1 show routes | python3 -c '
import sys
lines = sys.stdin.read().splitlines()
col = lines[0].index("Next hop")
assert len(lines) > 3, lines
for l in lines[1:]:
    assert l[col - 1] == " " and l[col] != " ", (col, l)'
}
check "show routes: columns aligned" columns_aligned

# ---- the neighbor detail view against BIRD -----------------------------------
# shellcheck disable=SC2317
detail() { wrenctl h1 -j show neighbors 198.18.0.2; }
check "detail: BIRD's 4-octet AS 64512, route refresh, IPv4 negotiated" json_test \
	"(lambda n: n['capabilities']['theirs']['as4'] == 64512 and n['capabilities']['theirs']['route_refresh'] and n['capabilities']['negotiated']['ipv4_unicast'] and n['capabilities']['negotiated']['as4'] and n['capabilities']['ours']['as4'] == 64512 and n['capabilities']['ours']['extended_messages'])(d['neighbors'][0])" detail
check "detail: hold time 60 negotiated (ours 90, BIRD 60), keepalive 20, timers running" json_test \
	"(lambda t: t['hold_time'] == 60 and t['hold_time_configured'] == 90 and t['keepalive'] == 20 and 0 <= t['hold_timer_left'] <= 60 and t['connect_retry'] == 5)(d['neighbors'][0]['timers'])" detail
check "detail: messages: 1 OPEN each way, KEEPALIVEs, UPDATEs" json_test \
	"(lambda m: m['received']['open'] == 1 and m['sent']['open'] == 1 and m['received']['keepalive'] >= 1 and m['received']['update'] >= 1 and m['sent']['update'] >= 1 and m['received']['total'] == sum(v for k, v in m['received'].items() if k != 'total'))(d['neighbors'][0]['messages'])" detail
check "detail: prefixes: 2 accepted, 1 rejected (loop), 3 received; advertised 1" json_test \
	"(lambda p: p['received'] == 3 and p['accepted'] == 2 and p['rejected'] == 1 and p['advertised'] == 1)(d['neighbors'][0]['prefixes']['ipv4_unicast'])" detail
check "detail: established, uptime and router id" json_test \
	"(lambda n: n['state'] == 'Established' and n['router_id'] == '198.18.0.2' and n['uptime'] >= 0 and n['established_at'] > 0 and n['last_notification_sent'] is None)(d['neighbors'][0])" detail
# shellcheck disable=SC2317
detail_text() {
	local out
	out=$(wrenctl h1 show neighbors 198.18.0.2) || return 1
	grep -Eq '^ +4-octet AS +64512 +64512 +yes' <<<"$out" &&
		grep -Eq '^ +route refresh +yes +yes +yes' <<<"$out" &&
		grep -Eq '^ +OPEN +1 +1' <<<"$out" &&
		grep -Eq '^ +IPv4 unicast +3 +2 +1 +0 +1' <<<"$out" &&
		grep -q 'Timers: hold 60 s (configured 90)' <<<"$out" &&
		grep -q 'Last NOTIFICATION sent: none' <<<"$out"
}
check "detail as text: capabilities, messages, prefixes, timers" detail_text

# ---- routes: by neighbor, exact, longest match -------------------------------
check "show routes neighbor 198.18.0.2: only BIRD's two accepted routes" json_test \
	"sorted(r['prefix'] for r in d['routes']) == ['10.244.64.0/18', '10.244.65.0/24'] and all(r['neighbor'] == '198.18.0.2' for r in d['routes'])" \
	wrenctl h1 -j show routes neighbor 198.18.0.2
check "show routes 10.244.65.7: longest match 10.244.65.0/24" json_test \
	"[r['prefix'] for r in d['routes']] == ['10.244.65.0/24']" wrenctl h1 -j show routes 10.244.65.7
check "show routes 10.244.70.1: longest match 10.244.64.0/18" json_test \
	"[r['prefix'] for r in d['routes']] == ['10.244.64.0/18']" wrenctl h1 -j show routes 10.244.70.1
check "show routes 10.244.64.0/18: exactly that prefix" json_test \
	"[r['prefix'] for r in d['routes']] == ['10.244.64.0/18']" wrenctl h1 -j show routes 10.244.64.0/18
check "show routes 10.244.64.0/20: no such prefix, empty list" json_test \
	"d['routes'] == []" wrenctl h1 -j show routes 10.244.64.0/20

# ---- Adj-RIB-In and Adj-RIB-Out -------------------------------------------------
check "rib in from BIRD: 2 accepted, LOCAL_PREF 100, the loop marked rejected" json_test \
	"(lambda r: r['10.244.65.0/24']['as_path'] == [] and r['10.244.65.0/24']['local_pref'] == 100 and r['10.244.65.0/24']['next_hop'] == '198.18.0.2' and not r['10.244.65.0/24']['rejected'] and r['10.244.65.0/24']['best'] and r['10.244.66.0/24']['rejected'] and len(r) == 3)({x['prefix']: x for x in d['rib_in']})" \
	wrenctl h1 -j show rib in neighbor 198.18.0.2
check "rib in as text: the rejected prefix flagged R" \
	eval 'wrenctl h1 show rib in neighbor 198.18.0.2 | grep -E "^10\.244\.66\.0/24 +0 +R " >/dev/null'
check "rib out to BIRD (iBGP): our workload, empty AS path, next hop us, LOCAL_PREF 100" json_test \
	"[(x['prefix'], x['as_path'], x['next_hop'], x['local_pref']) for x in d['rib_out']] == [('10.244.1.5/32', [], '198.18.0.1', 100)]" \
	wrenctl h1 -j show rib out neighbor 198.18.0.2
check "rib out to h3 (reflected): next hop kept, ORIGINATOR_ID, CLUSTER_LIST" json_test \
	"(lambda r: r['10.244.65.0/24']['next_hop'] == '198.18.0.2' and r['10.244.65.0/24']['local_pref'] == 100 and r['10.244.65.0/24']['originator_id'] == '198.18.0.2' and r['10.244.65.0/24']['cluster_list'] == ['198.18.0.1'] and '10.244.1.5/32' in r and '10.244.66.0/24' not in r)({x['prefix']: x for x in d['rib_out']})" \
	wrenctl h1 -j show rib out neighbor 198.18.0.3
check "rib out to h3 with a longest match: 10.244.65.0/24 only" json_test \
	"[x['prefix'] for x in d['rib_out']] == ['10.244.65.0/24']" \
	wrenctl h1 -j show rib out neighbor 198.18.0.3 10.244.65.9

# ---- errors, with their exit codes --------------------------------------------
# shellcheck disable=SC2317
exit_msg() {
	local want_rc=$1 want_msg=$2 rc=0 err
	shift 2
	err=$("$@" 2>&1 >/dev/null) || rc=$?
	[ "$rc" = "$want_rc" ] && grep -q -- "$want_msg" <<<"$err"
}
check "typo: exit 2, suggests 'show neighbors'" \
	exit_msg 2 'did you mean "show neighbors"' wrenctl h1 show neigbors
check "unknown word: exit 2 and the list of commands" \
	exit_msg 2 'show rib in|out neighbor' wrenctl h1 frobnicate
check "unknown neighbor: exit 1" \
	exit_msg 1 'no such neighbor: 198.18.0.77' wrenctl h1 show rib in neighbor 198.18.0.77
check "no daemon: exit 3, socket path, errno text, hint" \
	exit_msg 3 "cannot reach wrend at $TOPO_DIR/none.sock: No such file or directory (is wrend running?" \
	topo_exec h1 "$WREN_BUILDDIR/bgpd/wrenctl" -s "$TOPO_DIR/none.sock" show status

# ---- the control socket itself: unknown commands, garbage, oversized -------
# shellcheck disable=SC2317
raw_socket() {
	python3 - "$(wrend_sock h1)" <<'PY'
import os, socket, sys
def ask(data, shut=True):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(15)
    s.connect(sys.argv[1])
    s.sendall(data)
    if shut:
        s.shutdown(socket.SHUT_WR)
    out = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                break
            out += b
    except (socket.timeout, ConnectionResetError):
        pass
    s.close()
    return out
a = ask(b"text show neigbors\n")
assert a.startswith(b'USAGE unknown command "show neigbors": did you mean "show neighbors"?'), a
a = ask(b"json bogus\n")
assert a.startswith(b"USAGE unknown command"), a
a = ask(b"hello\n")
assert a.startswith(b"USAGE bad request"), a
a = ask(os.urandom(4000) + b"\n")
assert a.startswith(b"USAGE"), a
a = ask(b"text " + b"show " * 3000 + b"\n")
assert a.startswith(b"USAGE command line too long"), a
a = ask(b"text show status\x00\xff\n")
assert a.startswith(b"USAGE"), a
a = ask(b"text show routes " + b"9" * 900 + b"\n")
assert a.startswith(b"USAGE usage: show routes"), a
PY
}
check "control socket: typos, garbage, oversized lines get USAGE answers" raw_socket
check "wrend still answers after the garbage" wrenctl h1 show status

# ---- neighbor down: NOTIFICATION sent, BIRD's view of a disabled protocol -----
check "neighbor 198.18.0.2 down" wrenctl h1 neighbor 198.18.0.2 down
check "detail: last NOTIFICATION sent Cease/Administrative Shutdown (6/2)" json_test \
	"(lambda n: n['admin_down'] and n['last_notification_sent']['code'] == 6 and n['last_notification_sent']['subcode'] == 2 and n['last_notification_sent']['code_name'] == 'Cease' and n['last_notification_sent']['subcode_name'] == 'Administrative Shutdown' and n['capabilities']['theirs'] is None)(d['neighbors'][0])" detail
check "compat show protocols: admin down is 'down' with no info, as BIRD shows it" \
	eval 'birdc -s "$(compat_sock h1)" show protocols | grep -E "^Node_198_18_0_2 +BGP +--- +down +[0-9:.-]+ *$" >/dev/null'
check "compat show protocols all: BGP state Down" \
	eval 'birdc -s "$(compat_sock h1)" show protocols all Node_198_18_0_2 | grep -E "BGP state: +Down" >/dev/null'
check "neighbor 198.18.0.2 up" wrenctl h1 neighbor 198.18.0.2 up
wait_for 60 "h1: BIRD Established again" wrend_established h1 198.18.0.2
birdc_q b2 disable h1 >/dev/null
wait_for 30 "detail: last NOTIFICATION received from BIRD is a Cease" json_test \
	"(lambda n: n['last_notification_received']['code'] == 6 and n['state'] != 'Established' and n['flaps'] >= 2)(d['neighbors'][0])" detail
birdc_q b2 enable h1 >/dev/null
wait_for 60 "h1: BIRD Established once more" wrend_established h1 198.18.0.2
check "wrend on h1 and h3 still running" topo_alive

topo_done
