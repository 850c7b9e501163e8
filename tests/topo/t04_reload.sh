#!/bin/bash
# t04: live reload (wrenctl reload and SIGHUP) applies only the difference.
#
#   h1 198.18.0.1 wrend  cali1: 10.244.1.5/32   starts with neighbor h2 only
#   h2 198.18.0.2 wrend  cali1: 10.244.2.5/32
#   h3 198.18.0.3 wrend  cali1: 10.244.3.5/32
#
# 1. adding h3 to h1's config by `wrenctl reload` brings h3 up without
#    resetting the h1-h2 session;
# 2. an invalid file is refused with FILE:LINE, exit status 1, and nothing
#    changes;
# 3. removing h3 with SIGHUP stops that session and h3's route leaves h1's
#    kernel, h2 untouched;
# 4. changing h2's hold-time needs a new session (RFC 4271 §4.2): it is
#    restarted and comes back.
set -eu -o pipefail
# shellcheck source=tests/topo/lib.sh
. "$(dirname "$0")/lib.sh"

topo_init wrend
topo_switch
for i in 1 2 3; do
	topo_host "h$i" "198.18.0.$i"
	topo_cali "h$i" cali1
done
c1=$(topo_conf h1.conf)
wren_conf "$c1" 198.18.0.1 64512 198.18.0.2:64512
wren_conf "$(topo_conf h2.conf)" 198.18.0.2 64512 198.18.0.1:64512
wren_conf "$(topo_conf h3.conf)" 198.18.0.3 64512 198.18.0.1:64512
for i in 1 2 3; do
	wrend_start "h$i" "$(topo_conf "h$i.conf")"
	topo_workload "h$i" cali1 "10.244.$i.5/32"
done
wait_for 30 "h1-h2 Established" wrend_established h1 198.18.0.2
wait_for 30 "h2 has h1's workload" kernel_has_route h2 10.244.1.5/32 bgp 198.18.0.1

# The h1-h2 session's start time and flap count, as h1 sees them.
h2_session() {
	wrenctl h1 -j show neighbors 198.18.0.2 | python3 -c '
import json, sys
n = json.load(sys.stdin)["neighbors"][0]
print(n["state_since"], n["flaps"])'
}
before=$(h2_session)

# 1. add a neighbor with wrenctl reload
wren_conf "$c1" 198.18.0.1 64512 198.18.0.2:64512 198.18.0.3:64512
check "wrenctl reload accepts the new config" wrenctl h1 reload
wait_for 30 "h1-h3 Established after the reload" wrend_established h1 198.18.0.3
wait_for 30 "h3's workload reaches h1's kernel" \
	kernel_has_route h1 10.244.3.5/32 bgp 198.18.0.3
check "the h1-h2 session was not reset by the reload" \
	test "$(h2_session)" = "$before"
check "show status records the reload" \
	json_test "d['last_reload'] is not None" wrenctl h1 -j show status

# 2. an invalid file: refused with its line, nothing changes
cp "$c1" "$c1.good"
printf 'neighbor 198.18.0.9 {\n    remote-as banana\n}\n' >>"$c1"
line=$(grep -n banana "$c1" | cut -d: -f1)
set +e
err=$(wrenctl h1 reload 2>&1)
rc=$?
set -e
check "reload of an invalid file exits 1" test "$rc" = 1
check "the error names $c1:$line" grep -q "$c1:$line: " <<<"$err"
set +e
nout=$("$WREN_BUILDDIR/bgpd/wrend" -n -f "$c1" 2>&1)
nrc=$?
set -e
check "wrend -n exits 1 on it" test "$nrc" = 1
check "wrend -n reports the same line" grep -q "$c1:$line: " <<<"$nout"
check "both sessions still Established" wrend_established h1 198.18.0.2 198.18.0.3
check "no neighbor 198.18.0.9 was added" \
	json_test "all(n['address'] != '198.18.0.9' for n in d['neighbors'])" \
	wrenctl h1 -j show neighbors

# 3. remove h3 with SIGHUP
wren_conf "$c1" 198.18.0.1 64512 198.18.0.2:64512
h1pid=""
for pid in "${!TOPO_PID_NAME[@]}"; do
	[ "${TOPO_PID_NAME[$pid]}" = "h1 wrend" ] && h1pid=$pid
done
check "found h1's wrend" test -n "$h1pid"
kill -HUP "$h1pid"
wait_for 30 "h3 is no longer a neighbor of h1" \
	json_test "[n['address'] for n in d['neighbors']] == ['198.18.0.2']" \
	wrenctl h1 -j show neighbors
wait_for 30 "h3's workload left h1's kernel" kernel_lacks_route h1 10.244.3.5/32
check "the h1-h2 session survived the SIGHUP" test "$(h2_session)" = "$before"

# 4. a change that needs a new session
wren_conf "$c1" 198.18.0.1 64512 "198.18.0.2:64512:hold-time 30"
check "reload with a new hold-time" wrenctl h1 reload
wait_for 30 "h1-h2 restarted with hold time 30" \
	json_test "d['neighbors'][0]['state'] == 'Established' and d['neighbors'][0]['hold_time'] == 30" \
	wrenctl h1 -j show neighbors 198.18.0.2
wait_for 30 "h2's workload is back in h1's kernel" \
	kernel_has_route h1 10.244.2.5/32 bgp 198.18.0.2
check "wrend still running everywhere" topo_alive

topo_done
