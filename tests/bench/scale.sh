# tests/bench/scale.sh: benchmark scenarios 5 (mesh) and 6 (rr), sourced by
# run.sh (it uses run.sh's record, say, now, bench_topology, bench_teardown,
# bird_conf and lib.sh's harness; run.sh's EXIT trap cleans up what this file
# starts).  See README.md, "5. Mesh scale" and "6. Route reflection".
#
#   mesh  N hosts on one bridge, each running the daemon under test with all
#         N-1 others as iBGP neighbors (a full mesh, N(N-1)/2 sessions; of
#         each pair the host with the higher address connects, the other is
#         passive: one connection per pair).  Once every session is Established,
#         10 /32s are added on every host's cali0 at once; convergence is
#         from the first add to the last of them appearing in the last
#         kernel (all N kernels hold all 10N).  Then they are deleted at
#         once (same measure).  Then 20,000 /32s, spread evenly over the
#         hosts; once every kernel has all 20,000: peak RSS of every daemon
#         and its CPU over an idle interval.
#   rr    2 route reflectors (one cluster id) and C clients (always wrend),
#         each client peering with both reflectors; 20 /32s per client are
#         added at once on every client; convergence is until every
#         client's kernel holds all 20C; then deleted.  Reflectors' peak RSS
#         and CPU seconds used over the measured runs.  Wren reflectors,
#         then BIRD reflectors (`rr client`, `rr cluster id`).
#
# Environment (defaults: quick / full):
#   BENCH_MESH_N     host counts, "25" / "25 50 100"
#   BENCH_RR_CLIENTS clients, 50 / 200
#   BENCH_SCALE_RUNS add+delete cycles per topology, 3 / 5
#   BENCH_IDLE_S     idle CPU interval, 20 / 60 s
#   BENCH_MESH_BULK  routes in the system for the idle interval, 20000
#   BENCH_SCALE_MASSIF=1  rr: the first Wren reflector under valgrind massif
#
# shellcheck shell=bash disable=SC2004 # TOPO_HOST_* are associative (lib.sh)

case $MODE in
quick)
	SCALE_MESH_N=${BENCH_MESH_N:-25}
	SCALE_RR_C=${BENCH_RR_CLIENTS:-50}
	SCALE_RUNS=${BENCH_SCALE_RUNS:-3}
	SCALE_IDLE=${BENCH_IDLE_S:-20}
	;;
*)
	SCALE_MESH_N=${BENCH_MESH_N:-25 50 100}
	SCALE_RR_C=${BENCH_RR_CLIENTS:-200}
	SCALE_RUNS=${BENCH_SCALE_RUNS:-5}
	SCALE_IDLE=${BENCH_IDLE_S:-60}
	;;
esac
SCALE_BULK=${BENCH_MESH_BULK:-20000}
SCALE_EST_CAP=180		# s: longest wait for all sessions
SCALE_RR_CLUSTER=198.18.0.1	# both reflectors' cluster id
SCALE_METRICS=$OUT/scale_metrics.tsv	# labels for report.py

# scale_metric KEY LABEL UNIT BETTER: a row for report.py's table (once).
scale_metric() {
	grep -q "^$1	" "$SCALE_METRICS" 2>/dev/null ||
		printf '%s\t%s\t%s\t%s\n' "$@" >>"$SCALE_METRICS"
}

# ---- topology: many hosts, fast ---------------------------------------------

# scale_hosts PREFIX COUNT FIRST: hosts PREFIX1..PREFIXCOUNT with addresses
# 198.18.0.FIRST.. on the switch's bridge, each with a cali0 veth; one
# `ip -batch` per namespace instead of lib.sh's per-host commands.
scale_hosts() {
	local pfx=$1 n=$2 first=$3 i h ns sw b
	sw=$(topo_ns sw)
	b=$TOPO_DIR/scale.batch
	[ $((first + n - 1)) -le 254 ] ||
		topo_hard_error "scale: $n hosts from .$first do not fit in 198.18.0.0/24"
	: >"$b"
	for i in $(seq "$n"); do
		echo "netns add $(topo_ns "$pfx$i")" >>"$b"
	done
	ip -batch "$b" || topo_hard_error "scale: cannot create namespaces"
	: >"$b"
	for i in $(seq "$n"); do
		h=$pfx$i
		ns=$(topo_ns "$h")
		TOPO_NETNS+=("$ns")
		TOPO_HOSTS+=("$h")
		TOPO_HOST_ADDR[$h]=198.18.0.$((first + i - 1))
		echo "link add p-$h type veth peer name eth0 address" \
			"$(scale_mac "${TOPO_HOST_ADDR[$h]}") netns $ns" >>"$b"
		echo "link set p-$h master br0 up" >>"$b"
	done
	ip -n "$sw" -batch "$b" || topo_hard_error "scale: cannot create links"
	for i in $(seq "$n"); do
		h=$pfx$i
		ip -n "$(topo_ns "$h")" -batch - <<EOF || topo_hard_error "scale: cannot set up $h"
link set lo up
addr add ${TOPO_HOST_ADDR[$h]}/24 dev eth0
link set eth0 up
link add cali0 type veth peer name cali0p
link set cali0p up
link set cali0 up
EOF
	done
}

# A host's eth0 MAC, from its address: 02:00:c6:12:00:<last octet>.
scale_mac() { printf '02:00:c6:12:00:%02x' "${1##*.}"; }

# scale_neigh: every host gets a permanent ARP entry for every other one.
# The kernel's neighbour table is one for all namespaces, and its
# gc_thresh3 (1024 entries) is far below 100 hosts x 99 neighbors: ARP
# would fail ("neighbor table overflow") and most sessions never come up.
# Permanent entries are exempt from that limit.
scale_neigh() {
	local h b=$TOPO_DIR/scale.neigh all=$TOPO_DIR/scale.addrs
	for h in "${TOPO_HOSTS[@]}"; do echo "${TOPO_HOST_ADDR[$h]}"; done >"$all"
	for h in "${TOPO_HOSTS[@]}"; do
		awk -v me="${TOPO_HOST_ADDR[$h]}" '$1 != me { split($1, o, ".")
			printf "neigh replace %s lladdr 02:00:c6:12:00:%02x dev eth0 nud permanent\n",
				$1, o[4] }' "$all" >"$b"
		ip -n "$(topo_ns "$h")" -batch "$b" ||
			topo_hard_error "scale: cannot add neighbors on $h"
	done
}

# ---- daemons ----------------------------------------------------------------

# scale_wren_conf FILE RID [CLUSTER] -- NEIGHBOR-SPEC...: wrend's config;
# a spec is ADDR[:OPTION[:OPTION]] (passive, route-reflector-client).
scale_wren_conf() {
	local file=$1 rid=$2 cluster=$3 n addr o1 o2
	shift 3
	{
		echo "# generated by tests/bench/scale.sh"
		echo "router-id $rid"
		echo "local-as $AS"
		[ -z "$cluster" ] || echo "cluster-id $cluster"
		echo "kernel {"
		echo "    learn interface \"cali*\""
		echo "    install protocol 186 metric 32"
		echo "}"
		for n in "$@"; do
			IFS=: read -r addr o1 o2 <<<"$n"
			echo "neighbor $addr {"
			echo "    remote-as $AS"
			[ -z "$o1" ] || echo "    $o1"
			[ -z "$o2" ] || echo "    $o2"
			echo "}"
		done
	} >"$file"
}

# scale_bird_conf FILE RID SPEC...: run.sh's calico-shaped BIRD (scan time
# 2) with one protocol per neighbor instead of its single Mesh_peer; specs
# as for scale_wren_conf.  A reflector's template exports BGP routes and
# keeps their next hop, as calico-node does when it is a reflector.
scale_bird_conf() {
	local file=$1 rid=$2 n addr o1 o2 i=0 tmpl=mesh
	shift 2
	bird_conf "$file" "$rid" 198.18.0.254 2
	sed -i '/^protocol bgp Mesh_peer /d' "$file"
	case " $* " in
	*route-reflector-client*)
		tmpl=refl
		cat >>"$file" <<EOF
template bgp refl {
	local $rid as $AS;
	direct;
	connect delay time 2;
	connect retry time 5;
	error wait time 5, 30;
	graceful restart;
	rr cluster id $SCALE_RR_CLUSTER;
	ipv4 {
		import all;
		export filter { if proto = "k4" || source = RTS_BGP then accept; reject; };
	};
}
EOF
		;;
	esac
	for n in "$@"; do
		IFS=: read -r addr o1 o2 <<<"$n"
		i=$((i + 1))
		o1=${o1/#passive/passive on;}
		o2=${o2/#route-reflector-client/rr client;}
		printf 'protocol bgp Mesh_%d from %s { neighbor %s as %s; %s %s }\n' \
			"$i" "$tmpl" "$addr" "$AS" "$o1" "$o2"
	done >>"$file"
}

# scale_start KIND HOST SPEC...: write the config and start the daemon (no
# debug logging: 200 daemons' logs stay small).  KIND wren or bird; the
# first config of each kind is checked (-n / -p).  Sets SCALE_PID[HOST].
declare -A SCALE_PID=()
declare -A SCALE_CHECKED=()
scale_start() {
	local kind=$1 host=$2 cluster=$3 conf log
	shift 3
	conf=$(topo_conf "$host.conf")
	log=$TOPO_DIR/$host.$kind.log
	case $kind in
	wren)
		scale_wren_conf "$conf" "${TOPO_HOST_ADDR[$host]}" "$cluster" "$@"
		if [ -z "${SCALE_CHECKED[$kind]:-}" ]; then
			"$WREN_BUILDDIR/bgpd/wrend" -n -f "$conf" >"$log.check" 2>&1 ||
				topo_hard_error "wrend -n rejects $conf"
			SCALE_CHECKED[$kind]=1
		fi
		# BENCH_SCALE_MASSIF=1: the first Wren reflector runs under
		# valgrind's massif (heap profile in OUT/massif.r1.out).
		local wrap=()
		[ "$host" != r1 ] || [ "${BENCH_SCALE_MASSIF:-0}" != 1 ] ||
			wrap=(valgrind --tool=massif "--massif-out-file=$OUT/massif.r1.out")
		topo_spawn "$host" wrend "$log" "${wrap[@]}" "$WREN_BUILDDIR/bgpd/wrend" \
			-f "$conf" -s "$(wrend_sock "$host")"
		TOPO_HOST_KIND[$host]=wrend
		;;
	bird)
		scale_bird_conf "$conf" "${TOPO_HOST_ADDR[$host]}" "$@"
		if [ -z "${SCALE_CHECKED[$kind]:-}" ]; then
			bird -p -c "$conf" >"$log.check" 2>&1 || topo_hard_error "bird -p rejects $conf"
			SCALE_CHECKED[$kind]=1
		fi
		topo_spawn "$host" bird "$log" bird -f -c "$conf" \
			-s "$(bird_sock "$host")" -P "$TOPO_DIR/$host.bird.pid"
		TOPO_HOST_KIND[$host]=bird
		;;
	esac
	SCALE_PID[$host]=$TOPO_LAST_PID
}

# scale_sessions HOST: how many of HOST's sessions are Established.
scale_sessions() {
	case ${TOPO_HOST_KIND[$1]} in
	wrend) wrenctl "$1" show neighbors 2>/dev/null | grep -c ' Established ' ;;
	bird) birdc_q "$1" show protocols 2>/dev/null | grep -c Established ;;
	esac
}

# scale_wait_sessions T0 WANT HOST...: until each HOST has WANT sessions
# Established (bounded).  Sets SCALE_EST: seconds since T0, or inf.
scale_wait_sessions() {
	local t0=$1 want=$2 h left=()
	shift 2
	left=("$@")
	while [ ${#left[@]} -gt 0 ]; do
		local still=()
		for h in "${left[@]}"; do
			[ "$(scale_sessions "$h")" -ge "$want" ] || still+=("$h")
		done
		left=("${still[@]}")
		[ ${#left[@]} -gt 0 ] || break
		topo_alive || topo_hard_error "scale: $TOPO_DEAD"
		if [ "$(sub "$(now)" "$t0" | cut -d. -f1)" -ge "$SCALE_EST_CAP" ]; then
			say "  (${#left[@]} hosts lack sessions after $SCALE_EST_CAP s, e.g. ${left[0]}: $(scale_sessions "${left[0]}") of $want)"
			SCALE_EST=inf
			return 1
		fi
		sleep 0.5
	done
	SCALE_EST=$(sub "$(now)" "$t0")
}

# ---- measuring: many monitors, one adder ------------------------------------

# scale_mon_start TARGET HOST...: an nlbench monitor per host (routes inside
# 10.244.0.0/16), all started, then all ready.
scale_mon_start() {
	local target=$1 h out i
	shift
	SCALE_MON_HOSTS=("$@")
	for h in "$@"; do
		out=$TOPO_DIR/mon_$h.out
		: >"$out"
		ip netns exec "$(topo_ns "$h")" "$NLBENCH" watch -t "$CAP" \
			-r 10.244.0.0/16 -w "$target" >"$out" 2>&1 </dev/null &
		BENCH_PIDS+=("$!")
		SCALE_MON_PID[$h]=$!
	done
	for h in "$@"; do
		out=$TOPO_DIR/mon_$h.out
		for i in $(seq 400); do
			grep -q '^ready' "$out" && break
			if [ "$i" -eq 400 ] || ! kill -0 "${SCALE_MON_PID[$h]}" 2>/dev/null; then
				topo_hard_error "route monitor in $h did not start: $(cat "$out")"
			fi
			sleep 0.05
		done
	done
}
declare -A SCALE_MON_PID=()

# scale_mon_wait T0: wait for every monitor; SCALE_CONV is the last
# monitor's last change minus T0 (inf if one timed out), SCALE_MISS how
# many did not get there.
scale_mon_wait() {
	local t0=$1 h pid p keep=() files=()
	for h in "${SCALE_MON_HOSTS[@]}"; do
		wait "${SCALE_MON_PID[$h]}" || true
		files+=("$TOPO_DIR/mon_$h.out")
	done
	for p in "${BENCH_PIDS[@]}"; do
		for h in "${SCALE_MON_HOSTS[@]}"; do
			[ "$p" != "${SCALE_MON_PID[$h]}" ] || continue 2
		done
		keep+=("$p")
	done
	BENCH_PIDS=("${keep[@]}")
	read -r SCALE_CONV SCALE_MISS < <(awk -v t0="$t0" '
		/^reached / { for (k = 2; k <= NF; k++) { split($k, kv, "=");
			if (kv[1] == "last" && kv[2] > m) m = kv[2] } ok++ }
		/^timeout / { miss++ }
		END { if (miss || !ok) printf "inf %d\n", miss + 0;
			else printf "%.6f 0\n", m - t0 }' "${files[@]}")
}

# scale_nladd VERB SPECFILE: add or delete the routes listed in SPECFILE
# ("NAMESPACE DEVICE ADDRESS" lines, /32s) in all namespaces at once: one
# netlink socket per namespace, each namespace's requests in one sendmsg,
# then the acks.  Prints "T0 T1 ERRORS": T0 just before the first request.
scale_nladd() {
	python3 - "$@" <<'EOF'
import ctypes, os, socket, struct, sys, time
verb, spec = sys.argv[1], sys.argv[2]
libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET, SO_RCVBUFFORCE = 0x40000000, 33
by = {}
for line in open(spec):
    ns, dev, addr = line.split()
    by.setdefault((ns, dev), []).append(addr)
home = os.open("/proc/self/ns/net", os.O_RDONLY)
jobs = []
for (ns, dev), addrs in by.items():
    fd = os.open("/run/netns/" + ns, os.O_RDONLY)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        sys.exit("setns %s: %s" % (ns, os.strerror(ctypes.get_errno())))
    os.close(fd)
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE)
    s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 32 << 20)
    s.bind((0, 0))
    oif = socket.if_nametoindex(dev)
    msgs = []
    for i, a in enumerate(addrs):
        if verb == "add":   # ip route add A/32 dev DEV
            typ, flags, proto, scope = 24, 0x605, 3, 253
        else:               # ip route del A/32 dev DEV
            typ, flags, proto, scope = 25, 0x005, 0, 255
        body = struct.pack("=BBBBBBBBI", socket.AF_INET, 32, 0, 0, 254,
                           proto, scope, 1, 0)
        body += struct.pack("=HH", 8, 1) + socket.inet_aton(a)
        body += struct.pack("=HHi", 8, 4, oif)
        msgs.append(struct.pack("=IHHII", 16 + len(body), typ, flags, i + 1, 0) + body)
    jobs.append((s, msgs))
libc.setns(home, CLONE_NEWNET)
t0 = time.time()
for s, msgs in jobs:
    for k in range(0, len(msgs), 1000):
        s.send(b"".join(msgs[k:k + 1000]))
t1 = time.time()
errors = 0
for s, msgs in jobs:
    acks = 0
    while acks < len(msgs):
        data = s.recv(1 << 20)
        off = 0
        while off + 16 <= len(data):
            ln, typ = struct.unpack_from("=IH", data, off)
            if typ == 2:
                acks += 1
                if struct.unpack_from("=i", data, off + 16)[0] != 0:
                    errors += 1
            off += (ln + 3) & ~3
print("%.6f %.6f %d" % (t0, t1, errors))
EOF
}

# scale_spec FILE FIRST COUNT HOST...: COUNT /32s per host on cali0, host k
# (0-based) owning 10.244.0.0 + FIRST + k * SCALE_STRIDE and up.
scale_spec() {
	local file=$1 first=$2 count=$3
	shift 3
	python3 - "$first" "$count" "$SCALE_STRIDE" "$@" >"$file" <<'EOF'
import ipaddress, sys
first, count, stride = map(int, sys.argv[1:4])
base = int(ipaddress.ip_address("10.244.0.0"))
for k, ns in enumerate(sys.argv[4:]):
    for i in range(count):
        print(ns, "cali0", ipaddress.ip_address(base + k * stride + first + i))
EOF
}

# scale_cycle METRIC KIND RUN VERB SPEC TARGET HOST...: VERB the SPEC routes
# at once, record how long until every HOST's kernel holds TARGET routes.
scale_cycle() {
	local metric=$1 kind=$2 run=$3 verb=$4 spec=$5 target=$6 t0 t1 err
	shift 6
	scale_mon_start "$target" "$@"
	read -r t0 t1 err < <(scale_nladd "$verb" "$spec") || true
	[ -n "$err" ] || topo_hard_error "scale: the route requests failed (see $LOG)"
	[ "$err" = 0 ] || say "  ($err route ${verb}s failed)"
	scale_mon_wait "$t0"
	record "$metric" "$kind" "$run" "$SCALE_CONV" s
	SCALE_LAST="$(fmt "$SCALE_CONV") s (requests took $(fmt "$(sub "$t1" "$t0")") s)"
	[ "$SCALE_MISS" = 0 ] || SCALE_LAST+=" ($SCALE_MISS hosts short at the cap)"
}

# scale_stuck: the last cycle did not converge within the cap.  The kernels
# are then not in a known state: say so and end this topology (the caller
# returns; the runs already recorded stay, the missing one shows as inf).
scale_stuck() {
	[ "$SCALE_CONV" = inf ] || return 1
	say "  (did not converge within $CAP s: no more runs on this topology)"
	scale_teardown
}

# scale_cpu PID...: "TIMESTAMP NS NS ...": CPU time of each pid so far, in
# ns (/proc/PID/schedstat), all read at once by one process.
scale_cpu() {
	local p files=()
	for p in "$@"; do files+=("/proc/$p/schedstat"); done
	python3 - "${files[@]}" <<'EOF'
import sys, time
v = []
for f in sys.argv[1:]:
    try:
        v.append(open(f).read().split()[0])
    except OSError:
        v.append("nan")
print("%.6f" % time.time(), " ".join(v))
EOF
}

scale_hwm() { awk -v k="$(vmhwm "$1")" 'BEGIN { printf "%.1f", k / 1024 }'; }

scale_ours() {
	[ -z "${TOPO_PID_EXIT[$1]:-}" ] &&
		grep -qaF "$TOPO_DIR/" "/proc/$1/cmdline" 2>/dev/null
}

# Stop all daemons at once (lib.sh stops them one by one, up to 5 s each:
# 100 BIRDs leaving a loaded mesh take minutes that way): TERM, up to 15 s
# for all, KILL what is left; then the rest of the topology.  A signal
# goes only to a pid whose command line still names this run's directory.
scale_teardown() {
	local pid left
	for pid in "${TOPO_PIDS[@]}"; do
		! scale_ours "$pid" || kill -TERM "$pid" 2>/dev/null || true
	done
	for _ in $(seq 75); do
		left=0
		for pid in "${TOPO_PIDS[@]}"; do
			! scale_ours "$pid" || left=$((left + 1))
		done
		[ "$left" -gt 0 ] || break
		sleep 0.2
	done
	for pid in "${TOPO_PIDS[@]}"; do
		! scale_ours "$pid" || kill -KILL "$pid" 2>/dev/null || true
	done
	bench_teardown
	SCALE_PID=()
}

# ---- scenario 5: mesh -------------------------------------------------------

mesh_run() {
	local kind=$1 n=$2 i j h specs hosts=() add del bulk run t0 c0 c1 pids=()
	local per=$((SCALE_BULK / n)) cpus=() rss=()
	say "mesh $kind, N=$n: $((n * (n - 1) / 2)) sessions, 10 routes per host, then $((per * n)) in all"
	bench_topology
	scale_hosts h "$n" 1
	scale_neigh
	for i in $(seq "$n"); do hosts+=("h$i"); done
	SCALE_STRIDE=$per
	t0=$(now)
	for i in $(seq "$n"); do
		specs=()
		for j in $(seq "$n"); do
			[ "$i" != "$j" ] || continue
			# The higher address connects, the lower waits.
			if [ "$j" -gt "$i" ]; then
				specs+=("198.18.0.$j:passive")
			else
				specs+=("198.18.0.$j")
			fi
		done
		scale_start "$kind" "h$i" "" "${specs[@]}"
	done
	scale_wait_sessions "$t0" $((n - 1)) "${hosts[@]}" || true
	record "mesh_est_n$n" "$kind" 1 "$SCALE_EST" s
	say "  all sessions Established $(fmt "$SCALE_EST") s after the start"
	if [ "$SCALE_EST" = inf ]; then
		scale_teardown
		return 0
	fi
	add=$TOPO_DIR/mesh.add
	bulk=$TOPO_DIR/mesh.bulk
	local nsl=()
	for h in "${hosts[@]}"; do nsl+=("$(topo_ns "$h")"); done
	scale_spec "$add" 0 10 "${nsl[@]}"
	del=$add			# the same routes, deleted
	for run in $(seq "$SCALE_RUNS"); do
		scale_cycle "mesh_add_n$n" "$kind" "$run" add "$add" $((10 * n)) "${hosts[@]}"
		say "  run $run: 10 x $n routes added, all in all kernels after $SCALE_LAST"
		! scale_stuck || return 0
		scale_cycle "mesh_del_n$n" "$kind" "$run" del "$del" 0 "${hosts[@]}"
		say "  run $run: deleted, gone from all kernels after $SCALE_LAST"
		! scale_stuck || return 0
	done
	# The idle system: SCALE_BULK routes in every kernel.
	scale_spec "$bulk" 0 "$per" "${nsl[@]}"
	scale_cycle "mesh_bulk_n$n" "$kind" 1 add "$bulk" $((per * n)) "${hosts[@]}"
	say "  $((per * n)) routes ($per per host) in all kernels after $SCALE_LAST"
	! scale_stuck || return 0
	sleep 2
	for h in "${hosts[@]}"; do pids+=("${SCALE_PID[$h]}"); done
	c0=$(scale_cpu "${pids[@]}")
	sleep "$SCALE_IDLE"
	c1=$(scale_cpu "${pids[@]}")
	# % of one core over the interval, per daemon
	mapfile -t cpus < <(awk -v a="$c0" -v b="$c1" 'BEGIN { n = split(a, x, " ")
		split(b, y, " "); for (i = 2; i <= n; i++)
		printf "%.4f\n", 100 * (y[i] - x[i]) / 1e9 / (y[1] - x[1]) }')
	i=0
	for h in "${hosts[@]}"; do
		rss+=("$(scale_hwm "${SCALE_PID[$h]}")")
		record "mesh_cpu_n$n" "$kind" "$((i + 1))" "${cpus[i]}" %
		record "mesh_rss_n$n" "$kind" "$((i + 1))" "${rss[i]}" MiB
		i=$((i + 1))
	done
	say "  idle ${SCALE_IDLE} s: CPU per daemon $(scale_range "${cpus[@]}") % of a core," \
		"peak RSS $(scale_range "${rss[@]}") MiB"
	scale_teardown
}

# "median (min-max)" of the arguments.
scale_range() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%g (%g-%g)", m, v[1], v[NR] }'
}

mesh_scenarios() {
	local n kind
	for n in $SCALE_MESH_N; do
		scale_metric "mesh_est_n$n" "mesh N=$n: all sessions up, from start" s lower
		scale_metric "mesh_add_n$n" "mesh N=$n: 10/host added, in all kernels" s lower
		scale_metric "mesh_del_n$n" "mesh N=$n: 10/host deleted, gone everywhere" s lower
		scale_metric "mesh_bulk_n$n" "mesh N=$n: $SCALE_BULK spread, in all kernels" s lower
		scale_metric "mesh_cpu_n$n" "mesh N=$n: idle CPU per daemon, $SCALE_BULK routes" "%" lower
		scale_metric "mesh_rss_n$n" "mesh N=$n: peak RSS per daemon" MiB lower
		for kind in wren bird; do
			[[ " $DAEMONS " == *" $kind "* ]] || continue
			mesh_run "$kind" "$n"
		done
	done
}

# ---- scenario 6: route reflection -------------------------------------------

rr_run() {
	local kind=$1 c=$2 i h specs=() hosts=() nsl=() add del run r t0 c0 c1 cpus=()
	say "rr: 2 $kind reflectors, $c wrend clients, 20 routes per client"
	bench_topology
	scale_hosts r 2 1
	scale_hosts c "$c" 11
	scale_neigh
	for i in $(seq "$c"); do
		hosts+=("c$i")
		nsl+=("$(topo_ns "c$i")")
		specs+=("198.18.0.$((10 + i)):passive:route-reflector-client")
	done
	t0=$(now)
	# The passive side first: a refused connection waits a connect-retry.
	scale_start "$kind" r2 "$SCALE_RR_CLUSTER" 198.18.0.1:passive "${specs[@]}"
	scale_start "$kind" r1 "$SCALE_RR_CLUSTER" 198.18.0.2 "${specs[@]}"
	for h in "${hosts[@]}"; do
		scale_start wren "$h" "" 198.18.0.1 198.18.0.2
	done
	scale_wait_sessions "$t0" $((c + 1)) r1 r2 || true
	record "rr_est_c$c" "$kind" 1 "$SCALE_EST" s
	say "  all sessions Established $(fmt "$SCALE_EST") s after the start"
	if [ "$SCALE_EST" = inf ]; then
		scale_teardown
		return 0
	fi
	add=$TOPO_DIR/rr.add
	SCALE_STRIDE=20
	scale_spec "$add" 0 20 "${nsl[@]}"
	del=$add
	c0=$(scale_cpu "${SCALE_PID[r1]}" "${SCALE_PID[r2]}")
	for run in $(seq "$SCALE_RUNS"); do
		scale_cycle "rr_add_c$c" "$kind" "$run" add "$add" $((20 * c)) "${hosts[@]}"
		say "  run $run: 20 x $c routes added, in every client's kernel after $SCALE_LAST"
		! scale_stuck || return 0
		scale_cycle "rr_del_c$c" "$kind" "$run" del "$del" 0 "${hosts[@]}"
		say "  run $run: deleted, gone from every client after $SCALE_LAST"
		! scale_stuck || return 0
	done
	c1=$(scale_cpu "${SCALE_PID[r1]}" "${SCALE_PID[r2]}")
	# CPU seconds each reflector used in the runs
	mapfile -t cpus < <(awk -v a="$c0" -v b="$c1" 'BEGIN { split(a, x, " ")
		split(b, y, " "); for (i = 2; i <= 3; i++) printf "%.3f\n", (y[i] - x[i]) / 1e9 }')
	i=0
	for r in r1 r2; do
		record "rr_cpu_c$c" "$kind" $((i + 1)) "${cpus[i]}" s
		record "rr_rss_c$c" "$kind" $((i + 1)) "$(scale_hwm "${SCALE_PID[$r]}")" MiB
		say "  reflector $r: peak RSS $(scale_hwm "${SCALE_PID[$r]}") MiB," \
			"CPU ${cpus[i]} s in the runs"
		i=$((i + 1))
	done
	scale_teardown
}

rr_scenarios() {
	local kind c=$SCALE_RR_C
	scale_metric "rr_est_c$c" "rr $c clients: all sessions up, from start" s lower
	scale_metric "rr_add_c$c" "rr $c clients: 20/client added, in all clients" s lower
	scale_metric "rr_del_c$c" "rr $c clients: deleted, gone from all clients" s lower
	scale_metric "rr_cpu_c$c" "rr $c clients: reflector CPU in the runs" s lower
	scale_metric "rr_rss_c$c" "rr $c clients: reflector peak RSS" MiB lower
	for kind in wren bird; do
		[[ " $DAEMONS " == *" $kind "* ]] || continue
		rr_run "$kind" "$c"
	done
}

# scale_scenarios: what run.sh calls.
scale_scenarios() {
	: >"$SCALE_METRICS"
	if [[ " $SCENARIOS " == *" mesh "* ]]; then
		mesh_scenarios
	fi
	if [[ " $SCENARIOS " == *" rr "* ]]; then
		rr_scenarios
	fi
}
