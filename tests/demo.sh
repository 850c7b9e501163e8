#!/bin/bash
# tests/demo.sh: Wren's main job, in one minute, on one machine (as root).
#
# Three hosts in network namespaces on one bridge (198.18.0.1-3), each
# running wrend in a full iBGP mesh (AS 64512).  A container agent's work is
# played by `ip route add 10.244.N.5/32 dev cali1` on each host; Wren learns
# those routes and every host ends up with a route to every other host's
# workload.  Prints each host's `ip route show proto bgp` and
# `wrenctl show neighbors`, and how long convergence took.  Cleans up on exit.
#
#   sudo tests/demo.sh                       # from a build in the source tree
#   sudo WREN_BUILDDIR=/path/to/build tests/demo.sh
#
# Exit status: 0 converged, 1 did not (with logs), 77 cannot run here.
set -eu -o pipefail
# shellcheck source=tests/topo/lib.sh
. "$(dirname "$0")/topo/lib.sh"

TOPO_NAME=demo
HOSTS="1 2 3"

topo_init wrend
topo_switch
for i in $HOSTS; do
	topo_host "host$i" "198.18.0.$i"
	topo_cali "host$i" cali1
done

# Configs in the INTERFACE.md grammar, each host peering with the other two.
for i in $HOSTS; do
	conf=$(topo_conf "host$i.conf")
	{
		echo "router-id 198.18.0.$i"
		echo "local-as 64512"
		echo
		echo "kernel {"
		echo "    learn interface \"cali*\""
		echo "    install protocol 186 metric 32"
		echo "}"
		for j in $HOSTS; do
			[ "$i" != "$j" ] || continue
			echo
			echo "neighbor 198.18.0.$j {"
			echo "    remote-as 64512"
			echo "}"
		done
	} >"$conf"
done
echo "==== host1's config ($(topo_conf host1.conf)):"
sed 's/^/    /' "$(topo_conf host1.conf)"

t_start=$(date +%s.%N)
for i in $HOSTS; do
	wrend_start "host$i" "$(topo_conf "host$i.conf")"
done
for i in $HOSTS; do
	wait_for 60 "host$i: both sessions Established" wrend_established "host$i"
done
t_sessions=$(date +%s.%N)

# The container agent's part: one workload route per host.
for i in $HOSTS; do
	topo_workload "host$i" cali1 "10.244.$i.5/32"
done
t_routes=$(date +%s.%N)

# shellcheck disable=SC2317 # called through wait_for
all_converged() {
	local i j
	for i in $HOSTS; do
		for j in $HOSTS; do
			[ "$i" != "$j" ] || continue
			kernel_has_route "host$i" "10.244.$j.5/32" bgp "198.18.0.$j" || return 1
		done
	done
}
wait_for 60 "every host has a route to the other two hosts' workloads" all_converged
t_done=$(date +%s.%N)

for i in $HOSTS; do
	echo
	echo "==== host$i (198.18.0.$i): ip route show proto bgp"
	ip -n "$(topo_ns "host$i")" route show proto bgp | sed 's/^/    /'
	echo "==== host$i: wrenctl show neighbors"
	wrenctl "host$i" show neighbors | sed 's/^/    /'
done

echo
awk -v a="$t_start" -v b="$t_sessions" -v c="$t_routes" -v d="$t_done" 'BEGIN {
	printf "sessions up:  %.2f s after the three wrend started\n", b - a
	printf "converged:    %.2f s after the workload routes were added\n", d - c
	printf "total:        %.2f s from start to a full mesh of routes\n", d - a
}'
topo_done
