#!/bin/bash
# shellcheck disable=SC2317 # helpers are called through wait_for and check
# t43: wrend under valgrind (memcheck) through a working life: start, a
# session with BIRD, routes both ways, workload churn, reload (SIGHUP, with
# a new neighbor), route refresh, a neighbor restart, a flood of bad control
# lines, then SIGTERM.  valgrind must report no invalid read or write, no
# use of uninitialised memory, and no definitely or indirectly lost block
# (--error-exitcode), and wrend must exit with 0.
#
#   h1 198.18.0.1 wrend under valgrind  cali1: 10.244.1.5/32 ..
#   h2 198.18.0.2 BIRD                  cali1: 10.244.2.5/32
set -eu -o pipefail
# shellcheck source=tests/topo/lib.sh
. "$(dirname "$0")/lib.sh"

topo_init wrend bird
command -v valgrind >/dev/null || topo_missing_tool valgrind "valgrind not in PATH" valgrind
topo_hosts h1:198.18.0.1:cali1:10.244.1.5/32 h2:198.18.0.2:cali1:10.244.2.5/32

conf=$(topo_conf h1.conf)
wren_conf "$conf" 198.18.0.1 64512 198.18.0.2:64512
bird_conf_calico "$(topo_conf h2.conf)" 198.18.0.2 64512 -s 2/2 -H - h1:198.18.0.1

vlog="$TOPO_DIR/h1.valgrind"
topo_spawn h1 wrend "$TOPO_DIR/h1.wrend.log" valgrind --tool=memcheck \
	--error-exitcode=3 --leak-check=full --errors-for-leak-kinds=definite,indirect \
	--show-leak-kinds=definite,indirect --track-fds=no --log-file="$vlog" \
	"$WREN_BUILDDIR/bgpd/wrend" -f "$conf" -s "$(wrend_sock h1)" -v
TOPO_HOST_KIND[h1]=wrend
h1pid=$TOPO_LAST_PID
wait_for 60 "wrend (valgrind) on h1 answers on its control socket" wrenctl h1 show status
bird_start h2 "$(topo_conf h2.conf)"
wait_for 60 "h1: BIRD Established" wrend_established h1 198.18.0.2
wait_for 60 "h1's kernel has BIRD's route" kernel_has_route h1 10.244.2.5/32 bgp
wait_for 60 "BIRD has h1's route" bird_has_route h2 10.244.1.5/32

for i in $(seq 1 50); do
	ip -n "$(topo_ns h1)" route add "10.244.1.$((100 + i))/32" dev cali1
done
wait_for 60 "BIRD has h1's 50 new routes" bird_has_route h2 10.244.1.150/32
for i in $(seq 1 50); do
	ip -n "$(topo_ns h1)" route del "10.244.1.$((100 + i))/32" dev cali1
done
wait_for 60 "BIRD lost them again" not bird_has_route h2 10.244.1.150/32

printf '\nneighbor 198.18.0.3 {\n    remote-as 64513\n    passive\n}\n' >>"$conf"
kill -HUP "$h1pid"
wait_for 30 "h1 took the new neighbor (SIGHUP)" \
	json_test "any(n['address'] == '198.18.0.3' for n in d['neighbors'])" \
	wrenctl h1 -j show neighbors
check "h1: route refresh to BIRD" wrenctl h1 neighbor 198.18.0.2 refresh
check "h1: restart BIRD's session" wrenctl h1 neighbor 198.18.0.2 restart
wait_for 60 "h1: BIRD Established again" wrend_established h1 198.18.0.2
python3 - "$(wrend_sock h1)" <<'EOF'
import socket, sys
for line in (b"text show \x01\x02\n", b"json " + b"y" * 5000 + b"\n", b"bogus\n", b"text"):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1]); s.sendall(line); s.shutdown(socket.SHUT_WR)
    s.recv(65536); s.close()
EOF
wait_for 30 "h1's kernel still has BIRD's route" kernel_has_route h1 10.244.2.5/32 bgp
check "h1 still answers" wrenctl h1 show routes

rc=0
topo_stop h1 wrend TERM || rc=$?
sed -n '/ERROR SUMMARY/p; /definitely lost/p; /indirectly lost/p' "$vlog"
check "valgrind: no memory error, no leak, wrend exit status 0 ($rc)" test "$rc" = 0
check "valgrind: ERROR SUMMARY: 0 errors" grep -q "ERROR SUMMARY: 0 errors" "$vlog"
topo_done
