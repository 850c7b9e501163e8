#!/bin/bash
# shellcheck disable=SC2317,SC2016,SC2034 # helpers called through wait_for
# and check; checks given to eval quoted on purpose (expanded when run)
# t31: BFD (RFC 5880, RFC 5881) tied to BGP, against FRR's bfdd.
#
#   h1 198.18.0.1  wrend
#   f2 198.18.0.2  FRR: zebra, bfdd, bgpd ("neighbor 198.18.0.1 bfd")
#
# eBGP (64512 - 64601), hold time 90 s.  FRR runs its own zebra here, the
# way bgpd reaches bfdd.  We ask for 100 ms, FRR for its default 300 ms:
# both use 300 ms and a 900 ms detection time (RFC 5880 §6.8.2, §6.8.4).
# (FRR's bgpd replaces its BFD session with one bound to the interface
# once BGP is up; the new session's first Down, as RFC 5880 §6.8.6 says,
# takes BFD and so BGP down once, after which both stay up.)
#   1. BFD Up on both sides, BGP Established, FRR's route in h1's kernel,
#      and (passed on over iBGP) in h3's.
#   2. f2's eth0 goes down: the route leaves h1's kernel within a few
#      seconds, far below the hold time, and h3's too (withdrawn); BGP is
#      down for BFD.
#   3. eth0 comes back: BFD Up, BGP Established, the route is back.
#   4. Multihop (RFC 5883, UDP 4784) with simple password between h1 and a
#      second wrend, h3 198.18.0.3 (cali1: 10.244.3.5/32): Up both ways.  A
#      reload on h1 turns it off (h3 gets AdminDown and keeps its BGP
#      session, RFC 5882 §3.2) and on again, no BGP reset.  Then h3's wrend
#      is killed (-9): the TCP close comes first, so graceful restart keeps
#      h3's route on h1 although BFD goes Down (a dead daemon, not a dead
#      host); h3 starts again and all comes back.
#   5. wrend stops (SIGTERM): FRR's bfdd receives AdminDown (diagnostic 7,
#      "administratively down"; RFC 5882 §3.2), not a timeout.  (FRR 8.4's
#      bgpd still resets BGP on it, in graceful-restart helper mode.)
set -eu -o pipefail
# shellcheck source=tests/topo/lib.sh
. "$(dirname "$0")/lib.sh"

topo_init wrend frr
FRR_ZEBRA=/usr/lib/frr/zebra
FRR_BFDD=/usr/lib/frr/bfdd
if [ ! -x "$FRR_ZEBRA" ] || [ ! -x "$FRR_BFDD" ]; then
	topo_missing_tool "FRR zebra and bfdd" "$FRR_ZEBRA or $FRR_BFDD missing" frr
fi
topo_switch
topo_host h1 198.18.0.1
topo_host f2 198.18.0.2
topo_host h3 198.18.0.3
topo_cali h3 cali1

conf=$(topo_conf h1.conf)
mh='bfd interval 100 multihop min-ttl 250 auth simple key-id 1 password "mh-pw"'
wren_conf "$conf" 198.18.0.1 64512 '198.18.0.2:64601:bfd interval 100' \
	"198.18.0.3:64512:$mh"
wren_conf "$(topo_conf h3.conf)" 198.18.0.3 64512 "198.18.0.1:64512:$mh"
echo "metrics listen 127.0.0.1 port 9179" >>"$conf"

dir=$(frr_dir f2)
mkdir -p "$dir"
chmod 777 "$dir"
printf 'hostname f2\nlog stdout debugging\n' >"$dir/zebra.conf"
cat >"$dir/bfdd.conf" <<'EOF'
hostname f2
log stdout debugging
EOF
cat >"$dir/bgpd.conf" <<'EOF'
frr defaults traditional
hostname f2
log stdout debugging
!
router bgp 64601
 bgp router-id 198.18.0.2
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 198.18.0.1 remote-as 64512
 neighbor 198.18.0.1 timers 30 90
 neighbor 198.18.0.1 timers connect 2
 neighbor 198.18.0.1 update-source 198.18.0.2
 neighbor 198.18.0.1 bfd
 address-family ipv4 unicast
  network 10.244.50.0/24
 exit-address-family
!
EOF
# frr_daemon NAME ARGS...: one FRR daemon of f2, its sockets in $dir.
frr_daemon() {
	local name=$1
	shift
	topo_spawn f2 "$name" "$TOPO_DIR/f2.$name.log" "/usr/lib/frr/$name" \
		-f "$dir/$name.conf" -i "$dir/$name.pid" --vty_socket "$dir" \
		-z "$dir/zserv.api" -P 0 -u frr -g frr --log stdout \
		--log-level debug "$@"
}
frr_daemon zebra
wait_for 20 "FRR zebra on f2 is up" test -S "$dir/zserv.api"
frr_daemon bfdd --bfdctl "$dir/bfdd.sock"
frr_daemon bgpd
TOPO_HOST_KIND[f2]=frr
wait_for 20 "FRR bgpd on f2 answers on its vty socket" frr_vtysh f2 "show version"
bfdd_vtysh() {
	topo_exec f2 vtysh --vty_socket "$dir" -d bfdd -c "$1"
}

wrend_start h1 "$conf"
wrend_start h3 "$(topo_conf h3.conf)"
topo_workload h3 cali1 10.244.3.5/32

bfd_field() {
	json_test "any(s['peer'] == '$2' and ($3) for s in d['sessions'])" \
		wrenctl "$1" -j show bfd
}
frr_bfd() {
	json_test "$1" bfdd_vtysh "show bfd peer 198.18.0.1 json"
}
nb_field() {
	json_test "any(n['address'] == '$2' and ($3) for n in d['neighbors'])" \
		wrenctl "$1" -j show neighbors
}
bfd_changes() {
	wrenctl h1 -j show bfd | python3 -c 'import json,sys
print([s["state_changes"] for s in json.load(sys.stdin)["sessions"] if s["peer"] == "198.18.0.2"][0])'
}
# settled: FRR's bgpd has replaced its BFD session with the one bound to
# eth0 (see above), that one is Up with ours, BGP is Established, and no
# BFD change for 3 s
settled() {
	local c id
	c=$(bfd_changes) &&
		id=$(bfdd_vtysh "show bfd peer 198.18.0.1 json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d.get("interface") == "eth0" and d["status"] == "up"
print(d["id"])') &&
		bfd_field h1 198.18.0.2 "s['state'] == 'Up' and s['remote_discriminator'] == $id" &&
		wrend_established h1 198.18.0.2 &&
		sleep 3 && [ "$(bfd_changes)" = "$c" ]
}

# ---- 1. up ------------------------------------------------------------------
wait_for 30 "BFD to FRR Up" bfd_field h1 198.18.0.2 "s['state'] == 'Up'"
wait_for 10 "FRR's bfdd: session to h1 up" frr_bfd "d['status'] == 'up'"
wait_for 10 "negotiated: 300 ms both ways (FRR is slower), 900 ms detection" \
	bfd_field h1 198.18.0.2 "s['tx_interval_ms'] == 300 and s['rx_interval_ms'] == 300 and s['detection_time_ms'] == 900"
check "discriminators match across (ours = FRR's remote-id)" \
	eval 'frr_bfd "d[\"remote-id\"] == $(wrenctl h1 -j show bfd | python3 -c "import json,sys; print(json.load(sys.stdin)[\"sessions\"][0][\"local_discriminator\"])")"'
wait_for 60 "BGP to FRR Established" wrend_established h1 198.18.0.2
wait_for 30 "FRR's 10.244.50.0/24 in h1's kernel" \
	kernel_has_route h1 10.244.50.0/24 bgp 198.18.0.2
wait_for 30 "and in h3's (from h1 over iBGP)" \
	kernel_has_route h3 10.244.50.0/24 bgp 198.18.0.2
check "BGP hold time is 90 s" nb_field h1 198.18.0.2 "n['hold_time'] == 90"
wait_for 60 "BFD and BGP with FRR settled" settled
flaps=$(wrenctl h1 -j show bfd | python3 -c 'import json,sys; print(json.load(sys.stdin)["sessions"][0]["flaps"])')

# ---- 2. the link breaks on the far side ------------------------------------
topo_log "f2: eth0 down"
ip -n "$(topo_ns f2)" link set eth0 down
wait_for 5 "10.244.50.0/24 gone from h1's kernel within 5 s (detection 0.9 s)" \
	kernel_lacks_route h1 10.244.50.0/24
wait_for 5 "and from h3's (withdrawn by h1)" kernel_lacks_route h3 10.244.50.0/24
check "BFD Down: Control Detection Time Expired, one flap more" \
	bfd_field h1 198.18.0.2 "s['state'] != 'Up' and s['last_diag'] == 'Control Detection Time Expired' and s['flaps'] == $flaps + 1"
check "BGP session down for BFD, not the hold timer" \
	nb_field h1 198.18.0.2 "n['state'] != 'Established' and 'BFD' in n.get('last_error', '')"

# ---- 3. the link comes back ---------------------------------------------------
topo_log "f2: eth0 up"
ip -n "$(topo_ns f2)" link set eth0 up
wait_for 30 "BFD to FRR Up again" bfd_field h1 198.18.0.2 "s['state'] == 'Up'"
wait_for 60 "BGP to FRR Established again" wrend_established h1 198.18.0.2
wait_for 60 "BFD and BGP with FRR settled again" settled
wait_for 30 "10.244.50.0/24 back in h1's kernel" \
	kernel_has_route h1 10.244.50.0/24 bgp 198.18.0.2
wait_for 30 "and in h3's" kernel_has_route h3 10.244.50.0/24 bgp 198.18.0.2
# sample NAME VALUE: the Prometheus endpoint has exactly this sample.
# The whole scrape first: "curl | grep -q" fails under pipefail when grep
# is done before curl has written the rest (SIGPIPE).
sample() {
	local m
	m=$(topo_exec h1 curl -sf --max-time 10 http://127.0.0.1:9179/metrics) &&
		grep -qxF "$1 $2" <<<"$m"
}
check "metrics: BFD session Up (3)" sample 'wren_bfd_session_state{peer="198.18.0.2"}' 3
# metric_gt NAME VALUE: the sample NAME is above VALUE
metric_gt() {
	topo_exec h1 curl -sf --max-time 10 http://127.0.0.1:9179/metrics |
		M=$1 V=$2 python3 -c 'import os, sys
sys.exit(0 if any(l.startswith(os.environ["M"] + " ") and
    int(l.split()[-1]) > int(os.environ["V"]) for l in sys.stdin) else 1)'
}
check "metrics: flaps counted" \
	metric_gt 'wren_bfd_session_flaps_total{peer="198.18.0.2"}' "$flaps"

# ---- 4. multihop between two wrends -------------------------------------------------
wait_for 30 "multihop BFD h1 - h3 Up on both" eval \
	'bfd_field h1 198.18.0.3 "s[\"state\"] == \"Up\" and s[\"multihop\"] and s[\"auth\"] == \"simple\"" &&
	 bfd_field h3 198.18.0.1 "s[\"state\"] == \"Up\" and s[\"multihop\"]"'
wait_for 30 "h3's 10.244.3.5/32 in h1's kernel" kernel_has_route h1 10.244.3.5/32 bgp 198.18.0.3
nb_since() {
	wrenctl "$1" -j show neighbors | python3 -c 'import json,sys
print([n["state_since"] for n in json.load(sys.stdin)["neighbors"] if n["address"] == sys.argv[1]][0])' "$2"
}
since1=$(nb_since h1 198.18.0.3)
since3=$(nb_since h3 198.18.0.1)
sed -i 's|^    bfd interval 100 multihop.*$|    bfd off|' "$conf"
check "reload on h1: bfd off for h3" wrenctl h1 reload
check "h1's multihop session is gone" \
	json_test "[s['peer'] for s in d['sessions']] == ['198.18.0.2']" wrenctl h1 -j show bfd
wait_for 10 "h3's BFD session Down: the neighbor's AdminDown" \
	bfd_field h3 198.18.0.1 "s['state'] == 'Down' and s['remote_state'] == 'AdminDown'"
sed -i "s|^    bfd off\$|    $mh|" "$conf"
check "reload on h1: bfd on again" wrenctl h1 reload
wait_for 30 "multihop BFD h1 - h3 Up again" bfd_field h3 198.18.0.1 "s['state'] == 'Up'"
check "neither BGP session was reset" eval '[ "$(nb_since h1 198.18.0.3)" = "$since1" ] &&
	[ "$(nb_since h3 198.18.0.1)" = "$since3" ] && wrend_established h1 198.18.0.3'
topo_stop h3 wrend KILL || true
wait_for 10 "h1: BFD to h3 Down (detection time expired)" \
	bfd_field h1 198.18.0.3 "s['state'] == 'Down' and s['last_diag'] == 'Control Detection Time Expired'"
check "h3's route kept by graceful restart (the daemon died, not the host)" \
	kernel_has_route h1 10.244.3.5/32 bgp 198.18.0.3
wrend_start h3 "$(topo_conf h3.conf)"
wait_for 30 "multihop BFD h1 - h3 Up after h3's restart" bfd_field h1 198.18.0.3 "s['state'] == 'Up'"
wait_for 30 "BGP h1 - h3 Established again" wrend_established h1 198.18.0.3
check "h3's route still in h1's kernel" kernel_has_route h1 10.244.3.5/32 bgp 198.18.0.3

# ---- 5. our stop: AdminDown ------------------------------------------------------
topo_stop h1 wrend TERM
wait_for 10 "FRR's bfdd got AdminDown from us (RFC 5882 §3.2), not a timeout" \
	frr_bfd "d['status'] != 'up' and d.get('remote-diagnostic') == 'administratively down'"
topo_done
