#!/bin/bash
# tests/bench/run.sh [quick|full]: Wren against BIRD 2, side by side, in
# network namespaces.  Benchmarks, not tests: nothing here passes or fails on
# a time; every scenario is measured several times and reported as
# median (min-max), Wren and BIRD in the same run.  See README.md.
#
#   burst     20,000 /32 workload routes added at once on host A (ip -batch),
#             time until all are in host B's kernel; then deleted at once,
#             time until all are gone from B.
#   latency   one /32 at a time on A (200, 20 ms apart): time until it is in
#             B's kernel; p50 and p99 per run.
#   ingest    the bgperf method: 10 blasters (blaster.c) x N IPv6 /48s
#             (each its own set) into the router under test (no kernel
#             install), one sink counting what it is sent: time until the
#             sink has every best route, paths/s, RSS growth per path.
#   install   A's wrend already knows N routes when B's daemon starts, so
#             they arrive in one go: routes/s from the first to the last
#             route in B's kernel.  Compared with `ip -batch` of the same
#             routes in a fresh namespace (the kernel's own ceiling through
#             iproute2), with `nlbench blast` (batched raw rtnetlink, no
#             acks: the kernel's ceiling for any program) and BIRD as B.
#   install6  the same for IPv6: a blaster sends N /48s to B (1,000,000 in
#             full mode; only fd00::/8 has room for that many).
#   Peak RSS (VmHWM) of every daemon at the end of each topology.
#   BENCH_PERF=1: `perf record -g` the daemon under test in ingest, install
#   and install6 (out/perf.SCENARIO_DAEMON.data).
#
# Output: a table on stdout; tests/bench/out/: results.tsv (every sample),
# summary.tsv, latency samples, bench.png and latency_cdf.png (gnuplot),
# run.log (everything the daemons and the harness said).
#
# Environment:
#   WREN_BUILDDIR        where bgpd/wrend is (as for tests/topo)
#   BENCH_OUT            output directory (default tests/bench/out)
#   BENCH_SCENARIOS      subset of "burst latency ingest install install6
#                        mesh rr" (default: all)
#   BENCH_DAEMONS        subset of "wren bird bird60" (default: all;
#                        bird = BIRD with scan time 2 as Calico runs it,
#                        bird60 = BIRD with its default scan time, 60 s)
#   BENCH_RUNS, BENCH_RUNS_BIRD60, BENCH_BURST_N, BENCH_LAT_N,
#   BENCH_INSTALL_N, BENCH_INSTALL6_N, BENCH_INGEST_N (per generator),
#   BENCH_INGEST_GENS (10), BENCH_INGEST_OVERLAP=1 (every generator the
#   same prefixes, so the router decides between 10 paths of each),
#   BENCH_CAP: override the mode's numbers
set -eu -o pipefail

MODE=${1:-quick}
BENCH_SRC=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/topo/lib.sh
. "$BENCH_SRC/../topo/lib.sh"
TOPO_NAME=bench
TOPO_ID_BASE=$TOPO_ID		# w<pid>; each topology gets w<pid>-<n>-*

case $MODE in
quick)
	RUNS=${BENCH_RUNS:-3}
	RUNS_BIRD60=${BENCH_RUNS_BIRD60:-1}
	INSTALL_N=${BENCH_INSTALL_N:-100000}
	ING_N=${BENCH_INGEST_N:-20000}
	INSTALL6_N=${BENCH_INSTALL6_N:-100000}
	;;
full)
	RUNS=${BENCH_RUNS:-5}
	RUNS_BIRD60=${BENCH_RUNS_BIRD60:-3}
	# 1,000,000 distinct prefixes do not fit in the address space the
	# benchmark may use (10.244.0.0/16 and 198.19.0.0/16, every length
	# from /17 to /32: 262,140 prefixes); full mode uses all of it.
	INSTALL_N=${BENCH_INSTALL_N:-262140}
	ING_N=${BENCH_INGEST_N:-100000}
	INSTALL6_N=${BENCH_INSTALL6_N:-1000000}
	CAP_DEFAULT=300		# ip -batch of 1,000,000 routes on a busy box
	;;
*)
	echo "usage: $0 [quick|full]" >&2
	exit 2
	;;
esac
BURST_N=${BENCH_BURST_N:-20000}
LAT_N=${BENCH_LAT_N:-200}
LAT_GAP_MS=20
CAP=${BENCH_CAP:-${CAP_DEFAULT:-120}}		# s: longest wait for one convergence
SCENARIOS=${BENCH_SCENARIOS:-burst latency ingest install install6 mesh rr}
ING_GENS=${BENCH_INGEST_GENS:-10}
ING_OVERLAP=${BENCH_INGEST_OVERLAP:-}	# 1: every generator the same prefixes
DAEMONS=${BENCH_DAEMONS:-wren bird bird60}
OUT=${BENCH_OUT:-$BENCH_SRC/out}
RANGES=(-r 10.244.0.0/16 -r 198.19.0.0/16)	# what the monitors count
AS=64512
A_ADDR=198.18.0.1
B_ADDR=198.18.0.2

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
NLBENCH=$OUT/nlbench
BLASTER=$OUT/blaster
RESULTS=$OUT/results.tsv
LOG=$OUT/run.log

say() { echo "$*"; echo "$*" >&3; }

BENCH_PIDS=()			# monitors and helpers (not daemons)
TOPO_SEQ=0

# shellcheck disable=SC2317 # called by the EXIT trap
bench_cleanup() {
	local rc=$? pid
	set +e		# else `(exit "$rc")` below ends the trap before topo_cleanup
	for pid in "${BENCH_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	BENCH_PIDS=()
	if [ "$rc" != 0 ]; then
		echo "bench: FAILED (exit status $rc); the end of $LOG:" >&3
		tail -n 40 "$LOG" >&3
	fi
	(exit "$rc")
	topo_cleanup
}

# ---- topologies -------------------------------------------------------------

# A fresh set of namespaces for each topology: w<pid>-<n>-sw, -a, -b.
bench_topology() {
	TOPO_SEQ=$((TOPO_SEQ + 1))
	TOPO_ID="$TOPO_ID_BASE-$TOPO_SEQ"
	rm -f "$TOPO_DIR"/*.sock "$TOPO_DIR"/*.ctl
	topo_switch
}

# Stop everything of the current topology and delete its namespaces.
bench_teardown() {
	local pid ns
	for pid in "${BENCH_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	BENCH_PIDS=()
	for pid in "${TOPO_PIDS[@]}"; do
		[ -n "${TOPO_PID_EXIT[$pid]:-}" ] || topo_kill_pid "$pid" TERM
	done
	TOPO_PIDS=()
	for ns in "${TOPO_NETNS[@]}"; do
		ip netns delete "$ns" 2>/dev/null || true
	done
	for ns in "${TOPO_NETNS[@]}"; do
		for _ in $(seq 50); do
			[ -e "/run/netns/$ns" ] || break
			sleep 0.1
		done
	done
	TOPO_NETNS=()
	TOPO_HOSTS=()
	TOPO_HOST_ADDR=()
	TOPO_HOST_KIND=()
}

# bird_conf FILE ROUTER_ID NEIGHBOR SCAN: BIRD 2 as calico-node configures it
# (kernel: learn, persist, scan time, merge paths, graceful restart; device
# scan 2 s; direct routes but cali*; the mesh peer with Calico's timers),
# with `direct` for the on-link iBGP peer.  SCAN "" = BIRD's default (60 s).
bird_conf() {
	local file=$1 rid=$2 nbr=$3 scan=$4
	cat >"$file" <<EOF
# generated by tests/bench/run.sh
router id $rid;
log stderr { info, remote, warning, error, auth, fatal, bug };
protocol device { scan time 2; }
protocol direct {
	ipv4;
	interface -"cali*", -"kube-ipvs*", "*";
}
protocol kernel k4 {
	learn;
	persist;
	${scan:+scan time $scan;}
	graceful restart;
	merge paths on;
	ipv4 {
		import filter { if ifname ~ "cali*" then accept; reject; };
		export filter { if source = RTS_BGP then accept; reject; };
	};
}
template bgp mesh {
	local $rid as $AS;
	direct;
	connect delay time 2;
	connect retry time 5;
	error wait time 5, 30;
	graceful restart;
	ipv4 {
		import all;
		export filter { if proto = "k4" then accept; reject; };
		next hop self;
	};
}
protocol bgp Mesh_peer from mesh { neighbor $nbr as $AS; }
EOF
}

# daemon_start KIND HOST ADDR PEER_ADDR: wrend or BIRD (KIND bird: scan time
# 2, bird60: default scan time).  Sets DAEMON_PID.
daemon_start() {
	local kind=$1 host=$2 addr=$3 peer=$4 conf
	conf=$(topo_conf "$host.conf")
	case $kind in
	wren)
		wren_conf "$conf" "$addr" "$AS" "$peer:$AS"
		wrend_start "$host" "$conf"
		;;
	bird)
		bird_conf "$conf" "$addr" "$peer" 2
		bird_start "$host" "$conf"
		;;
	bird60)
		bird_conf "$conf" "$addr" "$peer" ""
		bird_start "$host" "$conf"
		;;
	esac
	DAEMON_PID=$TOPO_LAST_PID
}

# shellcheck disable=SC2317 # called through wait_for
daemon_established() {
	case $1 in
	wren) wrend_established "$2" ;;
	*) bird_established "$2" Mesh_peer ;;
	esac
}

# The A/B pair of burst and latency: both hosts run KIND, cali0 on both.
pair_up() {
	local kind=$1
	bench_topology
	topo_host a "$A_ADDR"
	topo_host b "$B_ADDR"
	topo_cali a cali0
	topo_cali b cali0
	daemon_start "$kind" a "$A_ADDR" "$B_ADDR"
	PID_A=$DAEMON_PID
	daemon_start "$kind" b "$B_ADDR" "$A_ADDR"
	PID_B=$DAEMON_PID
	wait_for 60 "$kind: A's session Established" daemon_established "$kind" a
	wait_for 60 "$kind: B's session Established" daemon_established "$kind" b
}

# ---- measuring --------------------------------------------------------------

build_nlbench() {
	cc -O2 -Wall -Wextra -o "$NLBENCH" "$BENCH_SRC/nlbench.c" ||
		topo_hard_error "cannot compile $BENCH_SRC/nlbench.c"
	cc -O2 -Wall -Wextra -o "$BLASTER" "$BENCH_SRC/blaster.c" ||
		topo_hard_error "cannot compile $BENCH_SRC/blaster.c"
}

now() { date +%s.%N; }

# record SCENARIO DAEMON RUN VALUE UNIT
record() { printf '%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"; }

# kB of peak RSS of a pid.
vmhwm() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

record_rss() {
	local scen=$1 kind=$2 run=$3 role=$4 pid=$5
	record "rss_${scen}_$role" "$kind" "$run" \
		"$(awk -v k="$(vmhwm "$pid")" 'BEGIN { printf "%.1f", k / 1024 }')" MiB
}

# mon_start HOST OUTFILE WATCH-ARGS...: a route monitor in HOST, started and
# listening (its initial dump done) before this returns.  Sets MON_PID.
mon_start() {
	local host=$1 out=$2
	shift 2
	: >"$out"
	ip netns exec "$(topo_ns "$host")" "$NLBENCH" watch -t "$CAP" "$@" \
		>"$out" 2>&1 </dev/null &
	MON_PID=$!
	BENCH_PIDS+=("$MON_PID")
	for _ in $(seq 200); do
		grep -q '^ready' "$out" && return 0
		kill -0 "$MON_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$out"
	topo_hard_error "route monitor in $host did not start"
}

# mon_wait [PID]: wait for a monitor (default: the last one started) to
# end; it stops by itself, at its last target or at the cap.
mon_wait() {
	local pid=${1:-$MON_PID} rc=0 p keep=()
	wait "$pid" || rc=$?
	for p in "${BENCH_PIDS[@]}"; do
		[ "$p" = "$pid" ] || keep+=("$p")
	done
	BENCH_PIDS=("${keep[@]}")
	return $rc
}

# mon_get OUTFILE N FIELD: FIELD of the monitor's N-th milestone line.
mon_get() {
	awk -v n="$2" -v f="$3" '/^(reached|timeout) / && ++i == n {
		for (k = 2; k <= NF; k++) { split($k, kv, "="); if (kv[1] == f) print kv[2] } }' "$1"
}

# mon_reached OUTFILE N: the N-th milestone was reached (not a timeout).
mon_reached() { [ "$(awk '/^(reached|timeout) /' "$1" | sed -n "$2p" | cut -d' ' -f1)" = reached ]; }

# gen_routes N VERB DEV: an ip -batch script of N distinct prefixes inside
# 10.244.0.0/16, then 198.19.0.0/16: all the /32s, then the /31s, ... /17s.
gen_routes() {
	python3 - "$@" <<'EOF'
import ipaddress, sys
n, verb, dev = int(sys.argv[1]), sys.argv[2], sys.argv[3]
out = []
for net in ("10.244.0.0/16", "198.19.0.0/16"):
    base = int(ipaddress.ip_address(net.split("/")[0]))
    for plen in range(32, 16, -1):
        step = 1 << (32 - plen)
        for off in range(0, 1 << 16, step):
            if len(out) == n:
                break
            out.append("route %s %s/%d dev %s" % (verb, ipaddress.ip_address(base + off), plen, dev))
if len(out) < n:
    sys.exit("gen_routes: at most %d prefixes fit in the allowed space" % len(out))
print("\n".join(out))
EOF
}

# perf_start NAME PID: with BENCH_PERF=1, `perf record -g` the daemon
# until perf_stop, into OUT/perf.NAME.data (where a target is missed, this
# says why: `perf report -i ...`).
PERF_PID=
perf_start() {
	[ "${BENCH_PERF:-0}" = 1 ] || return 0
	# shellcheck disable=SC2086 # BENCH_PERF_ARGS: several words
	perf record ${BENCH_PERF_ARGS:--g} -o "$OUT/perf.$1.data" -p "$2" \
		>/dev/null 2>&1 &
	PERF_PID=$!
	sleep 0.5
}

perf_stop() {
	[ -n "$PERF_PID" ] || return 0
	kill -INT "$PERF_PID" 2>/dev/null || true
	wait "$PERF_PID" 2>/dev/null || true
	PERF_PID=
}

fmt() { awk -v v="$1" 'BEGIN { if (v == "inf") print "> cap"; else printf "%.3f", v }'; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", a - b }'; }

# ---- scenario 1: burst ------------------------------------------------------

burst_run() {
	local kind=$1 run=$2 add del ipb_add ipb_del lag_add lag_del
	mon=$TOPO_DIR/mon.out
	burst_phase "$kind" "$BURST_ADD" "$BURST_N"
	add=$PHASE_TOTAL lag_add=$PHASE_LAG ipb_add=$PHASE_IPB
	record burst_add "$kind" "$run" "$add" s
	record burst_add_lag "$kind" "$run" "$lag_add" s
	record burst_a_add "$kind" "$run" "$ipb_add" s
	burst_phase "$kind" "$BURST_DEL" 0
	del=$PHASE_TOTAL lag_del=$PHASE_LAG ipb_del=$PHASE_IPB
	record burst_del "$kind" "$run" "$del" s
	record burst_del_lag "$kind" "$run" "$lag_del" s
	record burst_a_del "$kind" "$run" "$ipb_del" s
	say "  burst $kind run $run: add $(fmt "$add") s (all in A's kernel" \
		"after $(fmt "$ipb_add") s, in B's $(fmt "$lag_add") s later)," \
		"delete $(fmt "$del") s (A $(fmt "$ipb_del") s, B" \
		"$(fmt "$lag_del") s later)"
	[ "$del" != inf ]	# B is not clean: the caller starts afresh
}

# burst_phase KIND BATCHFILE TARGET: run the batch on A, wait until B's
# kernel holds TARGET routes.  A monitor in A too sees when A's own kernel
# had them all.  PHASE_TOTAL: from just before ip -batch to the last change
# in B; PHASE_IPB: from then to the last change in A's kernel; PHASE_LAG:
# B's last change after A's ("inf": B did not get there within the cap).
burst_phase() {
	local kind=$1 batch=$2 target=$3 mon_a mon_b pid_a pid_b t0 last
	mon_a=$TOPO_DIR/mon_a.out
	mon_b=$TOPO_DIR/mon_b.out
	mon_start a "$mon_a" "${RANGES[@]}" -w "$target"
	pid_a=$MON_PID
	mon_start b "$mon_b" "${RANGES[@]}" -w "$target"
	pid_b=$MON_PID
	t0=$(now)
	topo_exec a ip -batch "$batch"
	mon_wait "$pid_a" || true
	mon_wait "$pid_b" || true
	last=$(mon_get "$mon_a" 1 last)
	PHASE_IPB=$(sub "$last" "$t0")
	if mon_reached "$mon_b" 1; then
		PHASE_TOTAL=$(sub "$(mon_get "$mon_b" 1 last)" "$t0")
		# Both monitors stamp events when they read them: a few
		# hundred microseconds of scheduling noise, so never below 0.
		PHASE_LAG=$(awk -v b="$(mon_get "$mon_b" 1 last)" -v a="$last" \
			'BEGIN { d = b - a; if (d < 0) d = 0; printf "%.6f", d }')
	else
		PHASE_TOTAL=inf PHASE_LAG=inf
	fi
}

# ---- scenario 2: single-route latency ---------------------------------------

latency_run() {
	local kind=$1 run=$2 mon adds ev p50 p99
	mon=$TOPO_DIR/mon.out
	adds=$TOPO_DIR/lat.adds
	ev=$OUT/latency_events_${kind}_$run.txt
	mon_start b "$mon" "${RANGES[@]}" -e "$ev" -w "$LAT_N"
	topo_exec a "$NLBENCH" add -i cali0 -b 10.244.200.0 -n "$LAT_N" \
		-s "$LAT_GAP_MS" >"$adds"
	mon_wait || true
	# Latency of each route: its first appearance in B after its add in A.
	read -r p50 p99 < <(python3 - "$adds" "$ev" "$kind" "$run" \
		"$OUT/latency_samples.tsv" "$CAP" <<'EOF'
import math, sys
adds, ev, kind, run, samples, cap = sys.argv[1:]
t0 = {}
for line in open(adds):
    ts, p = line.split()
    t0[p] = float(ts)
seen = {}
for line in open(ev):
    ts, op, p, proto = line.split()
    if op == "A" and p in t0 and p not in seen:
        seen[p] = float(ts)
lat = sorted((seen[p] - t0[p]) * 1000 if p in seen else math.inf for p in t0)
with open(samples, "a") as f:
    for v in lat:
        f.write("%s\t%s\t%s\n" % (kind, run, "inf" if v == math.inf else "%.3f" % v))
def pct(q):
    v = lat[max(0, math.ceil(q * len(lat)) - 1)]
    return "inf" if v == math.inf else "%.3f" % v
print(pct(0.50), pct(0.99))
EOF
	)
	record latency_p50 "$kind" "$run" "$p50" ms
	record latency_p99 "$kind" "$run" "$p99" ms
	say "  latency $kind run $run: p50 $(fmt "$p50") ms, p99 $(fmt "$p99") ms"
	# Back to empty before the next run.
	mon_start b "$mon" "${RANGES[@]}" -w 0
	python3 -c 'import sys
for i in range(int(sys.argv[1])): print("route del 10.244.200.%d/32 dev cali0" % i)' \
		"$LAT_N" >"$TOPO_DIR/lat.del"
	topo_exec a ip -batch "$TOPO_DIR/lat.del"
	mon_wait || true
	mon_reached "$mon" 1
}

# Burst and latency share the A/B pair of each daemon.
pair_scenarios() {
	local kind=$1 runs=$2 run
	say "$kind: A and B both run $(case $kind in wren) echo wrend ;;
		bird) echo 'BIRD 2 (scan time 2)' ;; *) echo 'BIRD 2 (default scan time)' ;;
		esac)"
	pair_up "$kind"
	if [[ " $SCENARIOS " == *" burst "* ]]; then
		for run in $(seq "$runs"); do
			if ! burst_run "$kind" "$run"; then
				say "  ($kind: B did not converge; new topology)"
				bench_teardown
				pair_up "$kind"
			fi
		done
	fi
	if [[ " $SCENARIOS " == *" latency "* ]]; then
		for run in $(seq "$runs"); do
			if ! latency_run "$kind" "$run"; then
				say "  ($kind: B did not converge; new topology)"
				bench_teardown
				pair_up "$kind"
			fi
		done
	fi
	record_rss pair "$kind" 1 a "$PID_A"
	record_rss pair "$kind" 1 b "$PID_B"
	bench_teardown
}

# ---- scenario 3: kernel install rate ----------------------------------------

# shellcheck disable=SC2317 # called through wait_for
wrend_learned() {
	json_test "d['kernel']['learned'] >= $2" wrenctl "$1" -j show status
}

# install_run KIND RUN: A (always wrend) knows INSTALL_N routes; B (KIND)
# starts and gets them all at once.
install_run() {
	local kind=$1 run=$2 mon first last rate t0
	mon=$TOPO_DIR/mon.out
	bench_topology
	topo_host a "$A_ADDR"
	topo_host b "$B_ADDR"
	topo_cali a cali0
	topo_exec a ip -batch "$INSTALL_ADD"
	daemon_start wren a "$A_ADDR" "$B_ADDR"
	PID_A=$DAEMON_PID
	wait_for 120 "A's wrend learned $INSTALL_N routes" wrend_learned a "$INSTALL_N"
	mon_start b "$mon" "${RANGES[@]}" -w "$INSTALL_N"
	t0=$(now)
	daemon_start "$kind" b "$B_ADDR" "$A_ADDR"
	PID_B=$DAEMON_PID
	perf_start "install_$kind" "$PID_B"
	mon_wait || true
	perf_stop
	if mon_reached "$mon" 1; then
		first=$(mon_get "$mon" 1 first)
		last=$(mon_get "$mon" 1 last)
		rate=$(awk -v n="$INSTALL_N" -v a="$first" -v b="$last" \
			'BEGIN { printf "%.0f", n / (b - a) }')
		say "  install $kind run $run: $rate routes/s" \
			"($(fmt "$(sub "$last" "$first")") s first to last," \
			"$(fmt "$(sub "$last" "$t0")") s from B's start)" \
			"overruns=$(mon_get "$mon" 1 overruns)"
	else
		rate=0
		say "  install $kind run $run: not all in B within $CAP s" \
			"($(mon_get "$mon" 1 count) of $INSTALL_N)"
	fi
	record install_rate "$kind" "$run" "$rate" routes/s
	record_rss install "$kind" "$run" b "$PID_B"
	record_rss install wren_sender "$run" a "$PID_A"
	bench_teardown
}

# The kernel's own ceilings, with nobody else in the namespace but the
# monitor: HOW = ipbatch (`ip -batch`, one request and one ack at a time, as
# a script would) or raw (`nlbench blast`: the same routes pre-encoded,
# 64 KiB datagrams of requests without NLM_F_ACK, the fastest a program can
# feed rtnetlink).  install_ref_run HOW RUN METRIC FILE N RANGE...
install_ref_run() {
	local how=$1 run=$2 metric=$3 file=$4 n=$5 mon first last rate t0 t1
	shift 5
	mon=$TOPO_DIR/mon.out
	bench_topology
	topo_new_ns k
	topo_cali k cali0
	mon_start k "$mon" "$@" -w "$n"
	t0=$(now)
	case $how in
	ipbatch) topo_exec k ip -batch "$file" ;;
	raw) topo_exec k "$NLBENCH" blast -i cali0 "$file" >/dev/null ;;
	esac
	t1=$(now)
	mon_wait || true
	if mon_reached "$mon" 1; then
		first=$(mon_get "$mon" 1 first)
		last=$(mon_get "$mon" 1 last)
		rate=$(awk -v n="$n" -v a="$first" -v b="$last" \
			'BEGIN { printf "%.0f", n / (b - a) }')
	else
		rate=0
	fi
	record "$metric" "$how" "$run" "$rate" routes/s
	say "  $metric $how run $run: $rate routes/s" \
		"($how took $(fmt "$(sub "$t1" "$t0")") s)"
	bench_teardown
}

install_scenarios() {
	local run kind
	say "install: $INSTALL_N routes sent by A's wrend to B, at B's start"
	gen_routes "$INSTALL_N" add cali0 >"$TOPO_DIR/install.add"
	INSTALL_ADD=$TOPO_DIR/install.add
	for run in $(seq "$RUNS"); do
		install_ref_run ipbatch "$run" install_rate "$INSTALL_ADD" \
			"$INSTALL_N" "${RANGES[@]}"
		install_ref_run raw "$run" install_rate "$INSTALL_ADD" \
			"$INSTALL_N" "${RANGES[@]}"
		for kind in wren bird; do
			[[ " $DAEMONS " == *" $kind "* ]] || continue
			install_run "$kind" "$run"
		done
	done
}

# ---- scenario 4b: IPv6 kernel install, up to 1,000,000 routes -----------------

# B (Wren or BIRD, ::2) has one iBGP neighbor, a blaster (::11) that sends
# INSTALL6_N IPv6 /48s (fd10:JJJJ:JJJJ::/48) as soon as the session is up,
# with itself as next hop; B installs them all.  IPv6 because 1,000,000
# distinct prefixes only fit in fd00::/8.
install6_conf() {
	local kind=$1 file=$2
	case $kind in
	wren)
		cat >"$file" <<EOF
# generated by tests/bench/run.sh (install6)
router-id $B_ADDR
local-as $AS
kernel {
    install protocol 186 metric 32
}
neighbor $ING_NET::11 {
    remote-as $AS
    families ipv6
    hold-time 240
    passive
}
EOF
		;;
	bird)
		cat >"$file" <<EOF
# generated by tests/bench/run.sh (install6)
router id $B_ADDR;
log stderr { info, remote, warning, error, auth, fatal, bug };
protocol device { }
protocol kernel k6 { ipv6 { import none; export all; }; }
protocol bgp g {
	local $ING_NET::2 as $AS;
	neighbor $ING_NET::11 as $AS;
	passive on; direct; hold time 240;
	ipv6 { import all; export none; };
}
EOF
		;;
	esac
}

install6_run() {
	local kind=$1 run=$2 mon conf first last rate start
	mon=$TOPO_DIR/mon.out
	bench_topology
	topo_host b "$B_ADDR"
	topo_host g 198.18.0.3
	topo_exec b ip addr add "$ING_NET::2/64" dev eth0 nodad
	topo_exec g ip addr add "$ING_NET::11/64" dev eth0 nodad
	conf=$(topo_conf b.conf)
	install6_conf "$kind" "$conf"
	mon_start b "$mon" -r fd10::/16 -w "$INSTALL6_N"
	case $kind in
	wren) wrend_start b "$conf" ;;
	bird) bird_start b "$conf" ;;
	esac
	PID_B=$TOPO_LAST_PID
	perf_start "install6_$kind" "$PID_B"
	ip netns exec "$(topo_ns g)" "$BLASTER" send -l "$ING_NET::11" \
		-r "$ING_NET::2" -a "$AS" -A "$AS" -i 198.18.1.1 -g 0 \
		-n "$INSTALL6_N" -t $((CAP * 2)) >"$TOPO_DIR/gen.out" 2>&1 \
		</dev/null &
	BENCH_PIDS+=("$!")
	mon_wait || true
	perf_stop
	if mon_reached "$mon" 1; then
		first=$(mon_get "$mon" 1 first)
		last=$(mon_get "$mon" 1 last)
		start=$(awk '$1 == "start" { print $2 }' "$TOPO_DIR/gen.out")
		rate=$(awk -v n="$INSTALL6_N" -v a="$first" -v b="$last" \
			'BEGIN { printf "%.0f", n / (b - a) }')
		say "  install6 $kind run $run: $rate routes/s" \
			"($(fmt "$(sub "$last" "$first")") s first to last," \
			"$(fmt "$(sub "$last" "$start")") s from the first UPDATE)" \
			"overruns=$(mon_get "$mon" 1 overruns)"
	else
		rate=0
		say "  install6 $kind run $run: not all in B within $CAP s" \
			"($(mon_get "$mon" 1 count) of $INSTALL6_N)"
	fi
	record install6_rate "$kind" "$run" "$rate" routes/s
	record_rss install6 "$kind" "$run" b "$PID_B"
	bench_teardown
}

install6_scenarios() {
	local run kind file=$TOPO_DIR/install6.add
	say "install6: $INSTALL6_N IPv6 routes sent by a blaster to B"
	python3 -c 'import sys
for j in range(int(sys.argv[1])):
    print("route add fd10:%x:%x::/48 dev cali0" % (j >> 16, j & 0xffff))' \
		"$INSTALL6_N" >"$file"
	for run in $(seq "$RUNS"); do
		install_ref_run ipbatch "$run" install6_rate "$file" \
			"$INSTALL6_N" -r fd10::/16
		install_ref_run raw "$run" install6_rate "$file" \
			"$INSTALL6_N" -r fd10::/16
		for kind in wren bird; do
			[[ " $DAEMONS " == *" $kind "* ]] || continue
			install6_run "$kind" "$run"
		done
	done
}

# ---- scenario 3: ingest (the bgperf method) ---------------------------------

# Router R (::1), sink S (::2) and the generators' namespace G (::11 ...) on
# one link, fd00:198:18::/64 (inside fd00::/8).  The generators are iBGP
# neighbors of R (so R passes their routes on only to the eBGP sink, as a
# route server would: no generator gets the others' routes); the sink is
# eBGP.  R installs nothing in the kernel (wrend: `install off`; BIRD: no
# kernel protocol).
ING_NET=fd00:198:18
ING_SINK_AS=64999

ing_gen_addr() { printf '%s::%x' "$ING_NET" $((0x11 + $1)); }

# The router under test's configuration, KIND wren or bird.
ingest_conf() {
	local kind=$1 file=$2 g
	case $kind in
	wren)
		{
			echo "# generated by tests/bench/run.sh (ingest)"
			echo "router-id $A_ADDR"
			echo "local-as $AS"
			echo "kernel {"
			echo "    install off"
			echo "}"
			# RFC 8212: an eBGP neighbor gets nothing without a policy
			echo "policy \"all\" { default accept }"
			for g in $(seq 0 $((ING_GENS - 1))); do
				echo "neighbor $(ing_gen_addr "$g") {"
				echo "    remote-as $AS"
				echo "    families ipv6"
				echo "    hold-time 240"
				echo "    passive"
				echo "}"
			done
			echo "neighbor $ING_NET::2 {"
			echo "    remote-as $ING_SINK_AS"
			echo "    export policy \"all\""
			echo "    families ipv6"
			echo "    hold-time 240"
			echo "    passive"
			echo "}"
		} >"$file"
		;;
	bird)
		{
			echo "# generated by tests/bench/run.sh (ingest)"
			echo "router id $A_ADDR;"
			echo "log stderr { info, remote, warning, error, auth, fatal, bug };"
			echo "protocol device { }"
			echo "template bgp gen {"
			echo "	local $ING_NET::1 as $AS;"
			echo "	passive on; direct; hold time 240;"
			echo "	ipv6 { import all; export all; };"
			echo "}"
			for g in $(seq 0 $((ING_GENS - 1))); do
				echo "protocol bgp g$g from gen { neighbor $(ing_gen_addr "$g") as $AS; }"
			done
			echo "protocol bgp sink {"
			echo "	local $ING_NET::1 as $AS;"
			echo "	neighbor $ING_NET::2 as $ING_SINK_AS;"
			echo "	passive on; hold time 240;"
			echo "	ipv6 { import all; export all; };"
			echo "}"
		} >"$file"
		;;
	esac
}

# CPU seconds (user + system) a pid has used so far.
cputime() {
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.3f", ($12 + $13) / hz }' \
		"/proc/$1/stat" 2>/dev/null || echo 0
}

# kB of current RSS of a pid.
vmrss() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# shellcheck disable=SC2317 # called through wait_for
ingest_line_count() { grep -c "^$2" "$1" 2>/dev/null || true; }

# ingest_run KIND RUN
ingest_run() {
	local kind=$1 run=$2 conf g pid sinkout gofile rss0 rss1 t0 first last
	local total took rate bpp hwm paths kroutes cpu0 cpu
	bench_topology
	topo_host r "$A_ADDR"
	topo_host s "$B_ADDR"
	topo_host g 198.18.0.3
	topo_exec r ip addr add "$ING_NET::1/64" dev eth0 nodad
	topo_exec s ip addr add "$ING_NET::2/64" dev eth0 nodad
	for g in $(seq 0 $((ING_GENS - 1))); do
		topo_exec g ip addr add "$(ing_gen_addr "$g")/64" dev eth0 nodad
	done
	conf=$(topo_conf r.conf)
	ingest_conf "$kind" "$conf"
	case $kind in
	wren) wrend_start r "$conf" ;;
	bird) bird_start r "$conf" ;;
	esac
	PID_R=$TOPO_LAST_PID
	sinkout=$TOPO_DIR/sink.out
	gofile=$TOPO_DIR/ingest.go
	rm -f "$gofile"
	ip netns exec "$(topo_ns s)" "$BLASTER" recv -l "$ING_NET::2" \
		-r "$ING_NET::1" -a "$ING_SINK_AS" -A "$AS" -i "$B_ADDR" \
		-n "$ING_N" -g "$ING_GENS" ${ING_OVERLAP:+-o} -t "$CAP" \
		>"$sinkout" 2>&1 </dev/null &
	SINK_PID=$!
	BENCH_PIDS+=("$SINK_PID")
	for g in $(seq 0 $((ING_GENS - 1))); do
		ip netns exec "$(topo_ns g)" "$BLASTER" send \
			-l "$(ing_gen_addr "$g")" -r "$ING_NET::1" -a "$AS" \
			-A "$AS" -i "198.18.1.$((g + 1))" -g "$g" -n "$ING_N" \
			${ING_OVERLAP:+-o} -G "$gofile" -t $((CAP * 2)) \
			>"$TOPO_DIR/gen$g.out" 2>&1 </dev/null &
		BENCH_PIDS+=("$!")
	done
	wait_for 60 "$kind: the sink and $ING_GENS generators Established" \
		ingest_all_established "$sinkout"
	sleep 1				# let the router settle
	rss0=$(vmrss "$PID_R")
	cpu0=$(cputime "$PID_R")
	perf_start "ingest_$kind" "$PID_R"
	t0=$(now)
	touch "$gofile"
	# The sink stays in its session after the count (so that nothing is
	# withdrawn before RSS is read): wait for its line, not its exit.
	for _ in $(seq $((CAP * 20))); do
		grep -q '^reached\|^timeout' "$sinkout" && break
		kill -0 "$SINK_PID" 2>/dev/null || break
		sleep 0.05
	done
	rss1=$(vmrss "$PID_R")
	# CPU: until R is idle (with -o the sink can be done before R has
	# decided on every path), at most 10 s more
	cpu=$(cputime "$PID_R")
	for _ in $(seq 50); do
		sleep 0.2
		[ "$(cputime "$PID_R")" != "$cpu" ] || break
		cpu=$(cputime "$PID_R")
	done
	hwm=$(vmhwm "$PID_R")
	cpu=$(awk -v a="$cpu0" -v b="$cpu" 'BEGIN { printf "%.3f", b - a }')
	perf_stop
	# the router under test must not have installed anything
	kroutes=$(topo_exec r ip -6 route show | grep -c '^fd1' || true)
	[ "$kroutes" = 0 ] ||
		say "  (ingest $kind: $kroutes routes in the router's kernel!)"
	paths=$((ING_N * ING_GENS))
	total=$((ING_OVERLAP ? ING_N : ING_N * ING_GENS))
	if grep -q '^reached' "$sinkout"; then
		last=$(awk '/^reached/ { for (k = 2; k <= NF; k++) { split($k, kv, "="); if (kv[1] == "last") print kv[2] } }' "$sinkout")
		first=$(awk '$1 == "start" { print $2 }' "$TOPO_DIR"/gen*.out | sort -n | head -1)
		took=$(sub "$last" "$first")
		rate=$(awk -v n="$paths" -v t="$took" 'BEGIN { printf "%.0f", n / t }')
		bpp=$(awk -v a="$rss0" -v b="$rss1" -v n="$paths" 'BEGIN { printf "%.1f", (b - a) * 1024 / n }')
		say "  ingest $kind run $run: $paths paths ($total best routes) in" \
			"$(fmt "$took") s = $rate paths/s; RSS $((rss0 / 1024)) ->" \
			"$((rss1 / 1024)) MiB ($bpp B/path), peak $((hwm / 1024)) MiB," \
			"router CPU $cpu s"
	else
		took=inf rate=0 bpp=0
		say "  ingest $kind run $run: the sink did not get all $total" \
			"routes within $CAP s: $(tail -1 "$sinkout")"
	fi
	record ingest_time "$kind" "$run" "$took" s
	record ingest_rate "$kind" "$run" "$rate" paths/s
	record ingest_bpp "$kind" "$run" "$bpp" B/path
	record ingest_cpu "$kind" "$run" "$cpu" s
	record_rss ingest "$kind" "$run" r "$PID_R"
	: "$t0"
	bench_teardown
}

# shellcheck disable=SC2317 # called through wait_for
ingest_all_established() {
	[ "$(ingest_line_count "$1" established)" = 1 ] &&
		[ "$(cat "$TOPO_DIR"/gen*.out 2>/dev/null | grep -c '^established')" = "$ING_GENS" ]
}

ingest_scenarios() {
	local run kind
	say "ingest: $ING_GENS generators x $ING_N IPv6 prefixes" \
		"($([ -n "$ING_OVERLAP" ] && echo "the same set" || echo "distinct sets")) into the router, one sink"
	for run in $(seq "$RUNS"); do
		for kind in wren bird; do
			[[ " $DAEMONS " == *" $kind "* ]] || continue
			ingest_run "$kind" "$run"
		done
	done
}

# ---- main -------------------------------------------------------------------

topo_init wrend bird
trap bench_cleanup EXIT
exec 3>&1			# the terminal: progress and the table
exec >"$LOG" 2>&1		# everything else
command -v cc >/dev/null || topo_hard_error "no C compiler (cc) for nlbench.c"
build_nlbench
: >"$RESULTS"
: >"$OUT/latency_samples.tsv"
rm -f "$OUT"/latency_events_*.txt
T_START=$(date +%s)
say "Wren benchmark, $MODE mode: $RUNS runs (BIRD default scan: $RUNS_BIRD60)," \
	"burst $BURST_N, latency $LAT_N x ${LAT_GAP_MS} ms, install $INSTALL_N, cap $CAP s"
say "wrend: $WREN_BUILDDIR/bgpd/wrend; $(bird --version 2>&1 | head -1)"

gen_routes "$BURST_N" add cali0 >"$TOPO_DIR/burst.add"
gen_routes "$BURST_N" del cali0 >"$TOPO_DIR/burst.del"
BURST_ADD=$TOPO_DIR/burst.add
BURST_DEL=$TOPO_DIR/burst.del

if [[ " $SCENARIOS " == *" burst "* || " $SCENARIOS " == *" latency "* ]]; then
	for kind in $DAEMONS; do
		if [ "$kind" = bird60 ]; then
			pair_scenarios "$kind" "$RUNS_BIRD60"
		else
			pair_scenarios "$kind" "$RUNS"
		fi
	done
fi
if [[ " $SCENARIOS " == *" ingest "* ]]; then
	ingest_scenarios
fi
if [[ " $SCENARIOS " == *" install "* ]]; then
	install_scenarios
fi
if [[ " $SCENARIOS " == *" install6 "* ]]; then
	install6_scenarios
fi
if [[ " $SCENARIOS " == *" mesh "* || " $SCENARIOS " == *" rr "* ]]; then
	. "$BENCH_SRC/scale.sh"	# scenarios 5 and 6: see scale.sh
	scale_scenarios
fi

say ""
python3 "$BENCH_SRC/report.py" "$OUT" "$CAP" >&3
say "(took $(($(date +%s) - T_START)) s; results in $OUT)"
TOPO_FAILS=0
exit 0
