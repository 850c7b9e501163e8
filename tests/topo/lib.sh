# tests/topo/lib.sh: network-namespace topologies for Wren's tests and demo.
#
# Sourced by tests/topo/t*.sh and tests/demo.sh (bash only).  Everything runs
# inside namespaces this file creates: one "switch" namespace holding a bridge,
# one namespace per host with eth0 on that bridge.  Links use 198.18.0.0/15,
# workloads 10.244.0.0/16; nothing is sent anywhere else.  Names start with a
# per-run prefix (w<pid>-) so parallel runs never collide, and the EXIT trap
# kills exactly the processes this run started (by pid) and deletes exactly
# its namespaces, whether the test passed or failed.
#
# Exit status of a test: 0 pass, 1 fail, 77 skip (automake), 99 hard error.
#
# Environment:
#   WREN_BUILDDIR     where bgpd/wrend and bgpd/wrenctl are (make check sets it;
#                     by hand: ./ if it holds bgpd/wrend, else the source tree)
#   WREN_SRCDIR       the source tree (default: from this file's location)
#   WREN_TOPO_REQUIRE 1: a missing peer daemon is a failure (99), not a skip;
#                     CI sets it so a broken image cannot pass silently
#   WREN_TOPO_KEEP_GOING 1: record a failed check and go on to the next one
#                     (the test still exits 1 at the end)
#   WREN_TOPO_KEEP    1: keep the log directory after the run
#   WREN_TOPO_DUMP    1: dump the state (routes, sessions, logs) at the end
#                     even when every check passed
#
# Typical use:
#   . "$(dirname "$0")/lib.sh"
#   topo_init wrend bird
#   topo_hosts h1:198.18.0.1:cali1 b2:198.18.0.2:cali1
#   wren_conf "$(topo_conf h1.conf)" 198.18.0.1 64512 198.18.0.2:64512
#   bird_conf_calico "$(topo_conf b2.conf)" 198.18.0.2 64512 h1:198.18.0.1
#   ...
#   wait_for 30 "h2 has 10.244.1.5/32" kernel_has_route h2 10.244.1.5/32 bgp 198.18.0.1
#   topo_done

TOPO_LIBDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${WREN_SRCDIR:=$(cd "$TOPO_LIBDIR/../.." && pwd)}"
if [ -z "${WREN_BUILDDIR:-}" ]; then
	if [ -x "$PWD/bgpd/wrend" ]; then
		WREN_BUILDDIR=$PWD
	else
		WREN_BUILDDIR=$WREN_SRCDIR
	fi
fi
export WREN_SRCDIR WREN_BUILDDIR

TOPO_NAME=$(basename "$0" .sh)
TOPO_ID="w$$"			# namespace prefix: short and unique per run
# A pid can be reused while a killed run's namespaces are still there (or
# seen from another pid namespace): never adopt somebody else's names.
if ip netns list 2>/dev/null | grep -q "^$TOPO_ID-"; then
	TOPO_ID="w$$r$RANDOM"
fi
TOPO_DIR=""			# configs, sockets, logs of this run
TOPO_NETNS=()			# namespaces we created (deleted at exit)
TOPO_PIDS=()			# processes we started (killed at exit)
declare -A TOPO_PID_NAME=()	# pid -> "h1 wrend"
declare -A TOPO_PID_EXIT=()	# pid -> exit status, once it is reaped
declare -A TOPO_HOST_ADDR=()	# host -> its eth0 address
declare -A TOPO_HOST_KIND=()	# host -> wrend / bird / frr / gobgp
TOPO_HOSTS=()			# in creation order
TOPO_FAILS=0
TOPO_DUMPED=0
TOPO_T0=$(date +%s.%N)

FRR_BGPD=${FRR_BGPD:-/usr/lib/frr/bgpd}
GOBGP_API_PORT=50051		# per namespace, on 127.0.0.1 only

# ---- messages -------------------------------------------------------------

topo_elapsed() {
	awk -v a="$TOPO_T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'
}

topo_log() { printf '[%s %6ss] %s\n' "$TOPO_NAME" "$(topo_elapsed)" "$*"; }
pass() { printf 'PASS: %s\n' "$*"; }

# fail DESCRIPTION: report, dump the state of the topology once, and end the
# test (or go on with WREN_TOPO_KEEP_GOING=1).
fail() {
	printf 'FAIL: %s\n' "$*"
	TOPO_FAILS=$((TOPO_FAILS + 1))
	if [ "$TOPO_DUMPED" = 0 ]; then
		TOPO_DUMPED=1
		topo_dump
	fi
	[ "${WREN_TOPO_KEEP_GOING:-0}" = 1 ] || exit 1
}

topo_skip() {
	echo "SKIP: $TOPO_NAME: $*" >&2
	exit 77
}

topo_hard_error() {
	echo "ERROR: $TOPO_NAME: $*" >&2
	exit 99
}

# A peer daemon the test needs is not installed.  In CI this must not pass
# as a quiet skip.
topo_missing_tool() {
	echo "*******************************************************************" >&2
	echo "*** $TOPO_NAME: $1 is not installed: $2" >&2
	echo "*** (apt-get install $3); this topology test cannot run." >&2
	echo "*******************************************************************" >&2
	if [ "${WREN_TOPO_REQUIRE:-0}" = 1 ]; then
		exit 99
	fi
	exit 77
}

# ---- set-up and clean-up --------------------------------------------------

# topo_init [wrend] [bird] [frr] [gobgp]: check what this test needs, create
# the run directory and install the clean-up trap.
topo_init() {
	local need
	[ "$(id -u)" = 0 ] || topo_skip "needs root (network namespaces); try: sudo $0"
	command -v ip >/dev/null || topo_skip "iproute2 (ip) is not installed"
	ip netns list >/dev/null 2>&1 || topo_skip "ip netns does not work here"
	command -v python3 >/dev/null || topo_missing_tool python3 "python3" python3
	for need in "$@"; do
		case $need in
		wrend)
			[ -x "$WREN_BUILDDIR/bgpd/wrend" ] ||
				topo_hard_error "no $WREN_BUILDDIR/bgpd/wrend (build first, or set WREN_BUILDDIR)"
			[ -x "$WREN_BUILDDIR/bgpd/wrenctl" ] ||
				topo_hard_error "no $WREN_BUILDDIR/bgpd/wrenctl (build first, or set WREN_BUILDDIR)"
			;;
		bird)
			if ! command -v bird >/dev/null || ! command -v birdc >/dev/null; then
				topo_missing_tool "BIRD 2" "bird/birdc not in PATH" bird2
			fi
			;;
		frr)
			if [ ! -x "$FRR_BGPD" ] || ! command -v vtysh >/dev/null; then
				topo_missing_tool "FRR" "$FRR_BGPD or vtysh missing" frr
			fi
			;;
		gobgp)
			if ! command -v gobgpd >/dev/null || ! command -v gobgp >/dev/null; then
				topo_missing_tool "GoBGP" "gobgpd/gobgp not in PATH" gobgpd
			fi
			;;
		*) topo_hard_error "topo_init: unknown requirement '$need'" ;;
		esac
	done
	TOPO_DIR=$(mktemp -d "${TMPDIR:-/tmp}/wren-$TOPO_ID.XXXXXX")
	chmod 755 "$TOPO_DIR"	# FRR/BIRD may look at it after dropping privileges
	trap topo_cleanup EXIT
	trap 'echo "$TOPO_NAME: interrupted" >&2; exit 130' INT
	trap 'echo "$TOPO_NAME: terminated" >&2; exit 143' TERM HUP
	topo_log "run directory $TOPO_DIR, namespaces $TOPO_ID-*"
}

# Stop one process we started: TERM, then KILL after ~5 s.
topo_kill_pid() {
	local pid=$1 sig=${2:-TERM}
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
	kill "-$sig" "$pid" 2>/dev/null || true
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "$TOPO_NAME: pid $pid (${TOPO_PID_NAME[$pid]:-?}) ignored SIG$sig, killing" >&2
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

topo_forget_pid() {
	local pid=$1 p keep=()
	for p in "${TOPO_PIDS[@]}"; do
		[ "$p" = "$pid" ] || keep+=("$p")
	done
	TOPO_PIDS=("${keep[@]}")
}

topo_cleanup() {
	local rc=$? pid ns
	trap - EXIT INT TERM HUP
	set +e
	for pid in "${TOPO_PIDS[@]}"; do
		# Already reaped: the pid may belong to someone else by now.
		[ -n "${TOPO_PID_EXIT[$pid]:-}" ] || topo_kill_pid "$pid" TERM
	done
	TOPO_PIDS=()
	for ns in "${TOPO_NETNS[@]}"; do
		ip netns delete "$ns" 2>/dev/null
	done
	for ns in "${TOPO_NETNS[@]}"; do	# deletion is asynchronous
		for _ in $(seq 20); do
			[ -e "/run/netns/$ns" ] || break
			sleep 0.1
		done
	done
	if [ -n "$TOPO_DIR" ] && [ -d "$TOPO_DIR" ]; then
		if [ "$rc" = 0 ] && [ "${WREN_TOPO_KEEP:-0}" != 1 ]; then
			rm -rf "$TOPO_DIR"
		else
			echo "$TOPO_NAME: logs kept in $TOPO_DIR" >&2
		fi
	fi
	exit "$rc"
}

# End of a test: exit 1 if any check failed (with WREN_TOPO_KEEP_GOING=1).
topo_done() {
	if [ "$TOPO_FAILS" -gt 0 ]; then
		topo_log "$TOPO_FAILS check(s) FAILED"
		exit 1
	fi
	[ "${WREN_TOPO_DUMP:-0}" != 1 ] || topo_dump
	topo_log "all checks passed"
	exit 0
}

# ---- namespaces and links -------------------------------------------------

topo_ns() { echo "$TOPO_ID-$1"; }

# Run a command inside host $1's namespace.
topo_exec() {
	local host=$1
	shift
	ip netns exec "$(topo_ns "$host")" "$@"
}

topo_new_ns() {
	local ns
	ns=$(topo_ns "$1")
	ip netns add "$ns" || topo_hard_error "cannot create namespace $ns"
	TOPO_NETNS+=("$ns")
	ip -n "$ns" link set lo up
}

# topo_switch: the namespace holding the bridge every host plugs into.
topo_switch() {
	topo_new_ns sw
	ip -n "$(topo_ns sw)" link add br0 type bridge stp_state 0 forward_delay 0
	ip -n "$(topo_ns sw)" link set br0 up
}

topo_check_link_addr() {
	python3 -c 'import ipaddress,sys
a = ipaddress.ip_address(sys.argv[1])
sys.exit(0 if a in ipaddress.ip_network("198.18.0.0/15") else 1)' "$1" ||
		topo_hard_error "$1 is outside 198.18.0.0/15"
}

# topo_host NAME ADDR: a namespace with lo up and eth0 (ADDR/24) on the
# bridge.  ADDR is a full address (198.18.0.1) or just the last byte (1).
topo_host() {
	local name=$1 addr=$2 ns sw
	case $addr in *.*) ;; *) addr=198.18.0.$addr ;; esac
	topo_check_link_addr "$addr"
	ns=$(topo_ns "$name")
	sw=$(topo_ns sw)
	topo_new_ns "$name"
	# Both ends are created directly in their namespaces: no name ever
	# appears in the root namespace, where parallel runs would collide.
	ip -n "$sw" link add "p-$name" type veth peer name eth0 netns "$ns"
	ip -n "$sw" link set "p-$name" master br0 up
	ip -n "$ns" addr add "$addr/24" dev eth0
	ip -n "$ns" link set eth0 up
	TOPO_HOST_ADDR[$name]=$addr
	TOPO_HOSTS+=("$name")
}

# topo_hosts NAME:ADDR[:IFNAME[:PREFIX]]...: the switch (unless there is one
# already), then topo_host NAME ADDR for each; with IFNAME, topo_cali NAME
# IFNAME; with PREFIX, topo_workload NAME IFNAME PREFIX.
topo_hosts() {
	local h name addr ifname prefix
	[[ " ${TOPO_NETNS[*]} " == *" $(topo_ns sw) "* ]] || topo_switch
	for h in "$@"; do
		IFS=: read -r name addr ifname prefix <<<"$h"
		topo_host "$name" "$addr"
		[ -z "$ifname" ] || topo_cali "$name" "$ifname"
		[ -z "$prefix" ] || topo_workload "$name" "$ifname" "$prefix"
	done
}

# topo_cali HOST IFNAME: a veth pair IFNAME <-> IFNAMEp in HOST, both up, as a
# container agent's workload interface (there is no dummy module here).
topo_cali() {
	local ns
	ns=$(topo_ns "$1")
	ip -n "$ns" link add "$2" type veth peer name "${2}p"
	ip -n "$ns" link set "${2}p" up
	ip -n "$ns" link set "$2" up
}

# topo_workload HOST IFNAME PREFIX: the route a container agent adds.
topo_workload() {
	topo_check_workload "$3"
	ip -n "$(topo_ns "$1")" route add "$3" dev "$2"
}

topo_workload_del() {
	ip -n "$(topo_ns "$1")" route del "$3" dev "$2"
}

topo_check_workload() {
	python3 -c 'import ipaddress,sys
a = ipaddress.ip_network(sys.argv[1])
sys.exit(0 if a.subnet_of(ipaddress.ip_network("10.244.0.0/16")) else 1)' "$1" ||
		topo_hard_error "$1 is outside 10.244.0.0/16"
}

# topo_prefixes FILE BASE SIZE FIRST COUNT: COUNT /32s of the block of SIZE
# addresses at BASE, from index FIRST, one per line, sorted as `sort` does.
topo_prefixes() {
	python3 -c 'import ipaddress, sys
base, size = int(ipaddress.ip_address(sys.argv[1])), int(sys.argv[2])
first, count = int(sys.argv[3]), int(sys.argv[4])
assert first >= 0 and first + count <= size
for i in range(first, first + count):
    print("%s/32" % ipaddress.ip_address(base + i))' "$2" "$3" "$4" "$5" |
		LC_ALL=C sort >"$1"
}

# topo_batch FILE OP PREFIXFILE: an `ip -batch` file that adds or deletes
# (OP) each prefix of PREFIXFILE on cali1.
topo_batch() {
	sed "s|^|route $2 |; s|\$| dev cali1|" "$3" >"$1"
}

# topo_ip_batch HOST FILE: run it in HOST's namespace; every line must succeed.
topo_ip_batch() {
	ip -n "$(topo_ns "$1")" -batch "$2" ||
		fail "ip -batch $2 on $1 did not run every line"
}

# ---- processes --------------------------------------------------------------

# topo_spawn HOST WHAT LOGFILE CMD...: start CMD in HOST's namespace in the
# background, record its pid.  `ip netns exec` execs (no fork), so $! is the
# daemon itself.  Sets TOPO_LAST_PID.
topo_spawn() {
	local host=$1 what=$2 log=$3
	shift 3
	ip netns exec "$(topo_ns "$host")" "$@" >>"$log" 2>&1 </dev/null &
	TOPO_LAST_PID=$!
	TOPO_PIDS+=("$TOPO_LAST_PID")
	TOPO_PID_NAME[$TOPO_LAST_PID]="$host $what"
	topo_log "started $what on $host (pid $TOPO_LAST_PID), log $log"
}

# Every daemon we started and did not stop on purpose is still running?  If
# not, TOPO_DEAD says which one and how it ended.
topo_alive() {
	local pid rc
	TOPO_DEAD=""
	for pid in "${TOPO_PIDS[@]}"; do
		if [ -z "${TOPO_PID_EXIT[$pid]:-}" ] && ! kill -0 "$pid" 2>/dev/null; then
			rc=0
			wait "$pid" 2>/dev/null || rc=$?
			TOPO_PID_EXIT[$pid]=$rc
		fi
		if [ -n "${TOPO_PID_EXIT[$pid]:-}" ]; then
			TOPO_DEAD="${TOPO_PID_NAME[$pid]} (pid $pid) exited with status ${TOPO_PID_EXIT[$pid]}"
			return 1
		fi
	done
	return 0
}

# Stop the daemon recorded as "HOST WHAT" with SIGNAL (default TERM) and wait
# for it to exit.  Returns its exit status.
topo_stop() {
	local host=$1 what=$2 sig=${3:-TERM} pid rc
	for pid in "${TOPO_PIDS[@]}"; do
		[ "${TOPO_PID_NAME[$pid]}" = "$host $what" ] || continue
		topo_forget_pid "$pid"
		kill "-$sig" "$pid" 2>/dev/null || true
		rc=0
		wait "$pid" 2>/dev/null || rc=$?
		topo_log "stopped $what on $host (pid $pid, SIG$sig, exit status $rc)"
		return $rc
	done
	topo_hard_error "topo_stop: no $what running on $host"
}

topo_conf() { echo "$TOPO_DIR/$1"; }

# topo_opts SPEC ARGS...: the leading options of a helper's ARGS (getopts
# SPEC, e.g. s:H:) into TOPO_OPT[letter]; the helper then shifts TOPO_OPTN.
declare -A TOPO_OPT=()
topo_opts() {
	local spec=$1 opt OPTARG
	shift
	TOPO_OPT=()
	OPTIND=1
	while getopts "$spec" opt; do
		[ "$opt" != "?" ] || topo_hard_error "${FUNCNAME[1]}: bad option"
		TOPO_OPT[$opt]=$OPTARG
	done
	TOPO_OPTN=$((OPTIND - 1))
}

# ---- wrend ------------------------------------------------------------------

wrend_sock() { echo "$TOPO_DIR/$1.sock"; }

# wren_conf FILE ROUTER_ID LOCAL_AS [NEIGHBOR:REMOTE_AS[:STMT[;STMT...]]]...:
# write a peers.conf in the INTERFACE.md grammar, learning routes on cali*
# devices, with STMTs (e.g. passive) in the neighbor's block.  External
# neighbors get the accept-all policy "all" both ways (without a policy,
# RFC 8212 lets nothing pass).
wren_conf() {
	local file=$1 rid=$2 as=$3 n addr ras opt stmts
	shift 3
	{
		echo "# generated by $TOPO_NAME"
		echo "router-id $rid"
		echo "local-as $as"
		echo
		echo "kernel {"
		echo "    learn interface \"cali*\""
		echo "    install protocol 186 metric 32"
		echo "}"
		echo
		echo "policy \"all\" { default accept }"
		for n in "$@"; do
			IFS=: read -r addr ras opt <<<"$n"
			echo
			echo "neighbor $addr {"
			echo "    remote-as $ras"
			[ "$ras" = "$as" ] ||
				printf '    import policy "all"\n    export policy "all"\n'
			IFS=';' read -ra stmts <<<"$opt"
			[ -z "$opt" ] || printf '    %s\n' "${stmts[@]}"
			echo "}"
		done
	} >"$file"
}

# wrend_start HOST CONFFILE: check the config with -n, start wrend -v, and
# wait until its control socket answers.
wrend_start() {
	local log="$TOPO_DIR/$1.wrend.log"
	if ! "$WREN_BUILDDIR/bgpd/wrend" -n -f "$2" >"$log.check" 2>&1; then
		cat "$log.check"
		fail "wrend -n rejects $2"
	fi
	wrend_spawn "$1" "$2" -v
}

# wrend_spawn HOST CONFFILE [ARG...]: start wrend ARG... (no config check),
# log to HOST.wrend.log, and wait until its control socket answers.  Sets
# TOPO_LAST_PID.
wrend_spawn() {
	local host=$1 conf=$2
	shift 2
	topo_spawn "$host" wrend "$TOPO_DIR/$host.wrend.log" "$WREN_BUILDDIR/bgpd/wrend" \
		-f "$conf" -s "$(wrend_sock "$host")" "$@"
	TOPO_HOST_KIND[$host]=wrend
	wait_for 20 "wrend on $host answers on its control socket" \
		wrenctl "$host" show status
}

# wrenctl HOST ARGS...: the CLI against HOST's daemon.
wrenctl() {
	local host=$1
	shift
	topo_exec "$host" "$WREN_BUILDDIR/bgpd/wrenctl" -s "$(wrend_sock "$host")" "$@"
}

# json_test EXPR CMD...: run CMD, parse its stdout as JSON into `d`, and
# succeed if the Python expression EXPR is true (`env` is os.environ, to pass
# values without quoting trouble).
json_test() {
	local expr=$1 out
	shift
	out=$("$@" 2>/dev/null) || return 1
	printf '%s' "$out" | python3 -c '
import json, os, sys
try:
    d = json.load(sys.stdin)
except ValueError:
    sys.exit(1)
try:
    ok = eval("(" + sys.argv[1] + "\n)", {"d": d, "env": os.environ})
except Exception:
    ok = False
sys.exit(0 if ok else 1)' "$expr"
}

# wrend_established HOST [NEIGHBOR...]: all listed (default: all) sessions
# of HOST are Established.
wrend_established() {
	local host=$1
	shift
	json_test "(lambda w: all(n['state'] == 'Established' for n in d['neighbors'] if not w or n['address'] in w) and set(w) <= {n['address'] for n in d['neighbors']} and len(d['neighbors']) > 0)($(python_list "$@"))" \
		wrenctl "$host" -j show neighbors
}

python_list() {
	local a out="["
	for a in "$@"; do out+="'$a',"; done
	echo "$out]"
}

# wrend_has_route HOST PREFIX: the prefix is in HOST's Loc-RIB.
wrend_has_route() {
	json_test "any(r['prefix'] == '$2' for r in d['routes'])" \
		wrenctl "$1" -j show routes
}

# ---- kernel -----------------------------------------------------------------

# kernel_has_route HOST PREFIX [PROTO [VIA]]: `ip route show exact` finds it
# (PROTO e.g. bgp or 186; VIA the next hop).
kernel_has_route() {
	local host=$1 prefix=$2 proto=${3:-} via=${4:-} out
	out=$(ip -n "$(topo_ns "$host")" route show exact "$prefix" ${proto:+proto "$proto"}) ||
		return 1
	[ -n "$out" ] || return 1
	[ -z "$via" ] || grep -q "via $via " <<<"$out "
}

# kernel_bgp_routes_are HOST [PREFIX...]: `ip route show proto bgp` in HOST
# lists exactly these destinations (as ip prints them: 10.244.1.5, not /32).
kernel_bgp_routes_are() {
	local host=$1 have want
	shift
	have=$(ip -n "$(topo_ns "$host")" route show proto bgp | cut -d" " -f1 | sort | tr "\n" " ")
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort | tr "\n" " ")
	[ "$have" = "$want" ]
}

# kernel_route_matches HOST PREFIX ARGS...: `ip route show exact PREFIX ARGS`
# (e.g. proto 186 metric 32, or dev cali1) finds a route.
kernel_route_matches() {
	local host=$1 prefix=$2
	shift 2
	[ -n "$(ip -n "$(topo_ns "$host")" route show exact "$prefix" "$@")" ]
}

kernel_lacks_route() {
	local out
	out=$(ip -n "$(topo_ns "$1")" route show exact "$2" ${3:+proto "$3"}) || return 1
	[ -z "$out" ]
}

# ---- BIRD 2 -----------------------------------------------------------------

bird_sock() { echo "$TOPO_DIR/$1.bird.ctl"; }

# bird_start HOST CONF: `bird -f` in the background with its own control
# socket and pid file; config checked with -p first.
bird_start() {
	local host=$1 conf=$2 log="$TOPO_DIR/$1.bird.log"
	if ! bird -p -c "$conf" >"$log.check" 2>&1; then
		cat "$log.check"
		fail "bird -p rejects $conf"
	fi
	topo_spawn "$host" bird "$log" bird -f -c "$conf" -s "$(bird_sock "$host")" \
		-P "$TOPO_DIR/$host.bird.pid"
	TOPO_HOST_KIND[$host]=bird
	wait_for 20 "BIRD on $host answers on its control socket" birdc_q "$host" show status
}

birdc_q() {
	local host=$1
	shift
	birdc -s "$(bird_sock "$host")" "$@"
}

# bird_established HOST PROTOCOL
bird_established() {
	birdc_q "$1" show protocols "$2" | grep -q Established
}

# bird_has_route HOST PREFIX [PROTOCOL]: in BIRD's master4 table (optionally
# learned from PROTOCOL).
bird_has_route() {
	birdc_q "$1" show route "$2" ${3:+protocol "$3"} | grep -q "^$2 "
}

# bird_conf_calico FILE LOCAL_ADDR AS [-s DEV/KERNEL] [-H HOLD] [-k STMTS]
#     [-b STMTS] NAME:NEIGHBOR[:REMOTE_AS]...: write a BIRD 2 config shaped
# like calico-node's: learn the workload routes a container agent puts on
# cali* (protocol kernel scans the kernel table), install what BGP brings
# (proto bird), and one `protocol bgp NAME` per neighbor (direct, next hop
# self, import and export all; REMOTE_AS defaults to AS).
#   -s DEV/KERNEL  scan times of protocol device and kernel (default 10/1)
#   -H HOLD        hold time (default 9; - leaves BIRD's default)
#   -k STMTS       more statements for protocol kernel ("persist; ...")
#   -b STMTS       more statements for each protocol bgp
bird_conf_calico() {
	local file=$1 addr=$2 as=$3 scan hold kstmts bstmts n name nb ras
	shift 3
	topo_opts s:H:k:b: "$@"
	shift "$TOPO_OPTN"
	scan=${TOPO_OPT[s]:-10/1} hold=${TOPO_OPT[H]:-9}
	kstmts=${TOPO_OPT[k]:-} bstmts=${TOPO_OPT[b]:-}
	{
		printf 'router id %s;\nlog stderr all;\n' "$addr"
		printf 'protocol device { scan time %s; }\n' "${scan%/*}"
		printf 'protocol kernel {\n\tscan time %s;\n\tlearn;\n' "${scan#*/}"
		[ -z "$kstmts" ] || printf '\t%s\n' "$kstmts"
		printf '\tipv4 {\n'
		printf '\t\timport filter { if ifname ~ "cali*" then accept; reject; };\n'
		printf '\t\texport filter { if source = RTS_BGP then accept; reject; };\n'
		printf '\t};\n}\n'
		for n in "$@"; do
			IFS=: read -r name nb ras <<<"$n"
			printf 'protocol bgp %s {\n\tlocal %s as %s;\n' "$name" "$addr" "$as"
			printf '\tneighbor %s as %s;\n\tdirect;\n' "$nb" "${ras:-$as}"
			[ "$hold" = - ] || printf '\thold time %s;\n' "$hold"
			[ -z "$bstmts" ] || printf '\t%s\n' "$bstmts"
			printf '\tipv4 { import all; export all; next hop self; };\n}\n'
		done
	} >"$file"
}

# ---- FRR bgpd (no zebra) ----------------------------------------------------

frr_dir() { echo "$TOPO_DIR/$1.frr"; }

# frr_start HOST CONF: FRR's bgpd alone (-Z: no zebra, so it installs nothing
# in the kernel), with its own pid file and vty socket directory, no TCP vty.
frr_start() {
	local host=$1 conf=$2 log="$TOPO_DIR/$1.frr.log" dir
	dir=$(frr_dir "$host")
	mkdir -p "$dir"
	chmod 777 "$dir"
	topo_spawn "$host" frr "$log" "$FRR_BGPD" -Z -S -f "$conf" \
		-i "$dir/bgpd.pid" --vty_socket "$dir" -P 0 -u root -g root \
		--log stdout --log-level debug
	TOPO_HOST_KIND[$host]=frr
	wait_for 20 "FRR bgpd on $host answers on its vty socket" frr_vtysh "$host" "show version"
}

# frr_conf_bgp HOST AS [-p LINES] [-a LINES] NEIGHBOR:REMOTE_AS... [PREFIX...]:
# write $(topo_conf HOST.conf), an FRR bgpd config for HOST (router-id its
# address): no policy required for eBGP, no import check, timers 3 9, the
# neighbors, and a `network` for each PREFIX.
#   -p LINES  lines before `router bgp` (prefix lists, route maps)
#   -a LINES  more lines in the ipv4 unicast address family
frr_conf_bgp() {
	local host=$1 as=$2 pre af a
	shift 2
	topo_opts p:a: "$@"
	shift "$TOPO_OPTN"
	pre=${TOPO_OPT[p]:-} af=${TOPO_OPT[a]:-}
	{
		printf 'frr defaults traditional\nhostname %s\nlog stdout debugging\n!\n' "$host"
		[ -z "$pre" ] || printf '%s\n!\n' "$pre"
		printf 'router bgp %s\n bgp router-id %s\n' "$as" "${TOPO_HOST_ADDR[$host]}"
		printf ' no bgp ebgp-requires-policy\n no bgp network import-check\n'
		printf ' timers bgp 3 9\n'
		for a in "$@"; do
			[[ $a == */* ]] || printf ' neighbor %s remote-as %s\n' "${a%%:*}" "${a#*:}"
		done
		printf ' address-family ipv4 unicast\n'
		for a in "$@"; do
			[[ $a != */* ]] || printf '  network %s\n' "$a"
		done
		[ -z "$af" ] || printf '%s\n' "$af"
		printf ' exit-address-family\n!\n'
	} >"$(topo_conf "$host.conf")"
}

# frr_vtysh HOST COMMAND...: one vtysh command per argument, talking only to
# this bgpd (vtysh -d bgpd --vty_socket DIR).
frr_vtysh() {
	local host=$1 c args=()
	shift
	for c in "$@"; do args+=(-c "$c"); done
	topo_exec "$host" vtysh --vty_socket "$(frr_dir "$host")" -d bgpd "${args[@]}"
}

frr_established() {
	json_test "d.get('$2', {}).get('bgpState') == 'Established'" \
		frr_vtysh "$1" "show bgp neighbors $2 json"
}

# frr_has_route HOST PREFIX [AS_PATH [NEXT_HOP]]: FRR has a valid path for
# PREFIX (`show bgp ipv4 unicast PREFIX json`), optionally with this AS path
# ("64512"; "" for a locally originated one) and next hop.
frr_has_route() {
	J_PREFIX=$2 J_ASPATH=${3-*} J_NH=${4:-} json_test "d.get('prefix') == env['J_PREFIX'] and
		any(p.get('valid') and
		(env['J_ASPATH'] == '*' or p['aspath']['string'] == env['J_ASPATH'] or
			(p['aspath']['string'] == 'Local' and env['J_ASPATH'] == '')) and
		(not env['J_NH'] or p['nexthops'][0]['ip'] == env['J_NH'])
		for p in d.get('paths', []))" \
		frr_vtysh "$1" "show bgp ipv4 unicast $2 json"
}

# ---- GoBGP ------------------------------------------------------------------

# gobgp_start HOST CONF: gobgpd with its gRPC API on 127.0.0.1 inside the
# namespace (each namespace has its own loopback, so one port fits all).
gobgp_start() {
	local host=$1 conf=$2 log="$TOPO_DIR/$1.gobgp.log"
	if ! gobgpd -d -f "$conf" >"$log.check" 2>&1; then
		cat "$log.check"
		fail "gobgpd -d rejects $conf"
	fi
	topo_spawn "$host" gobgpd "$log" gobgpd -f "$conf" -p \
		--api-hosts "127.0.0.1:$GOBGP_API_PORT" --pprof-disable
	TOPO_HOST_KIND[$host]=gobgp
	# The API answers before the config file is applied; wait for it.
	wait_for 20 "gobgpd on $host answers its API, global config applied" \
		json_test "d['asn'] > 0" gobgp_q "$host" global -j
}

# gobgp_conf_simple HOST AS [-r SECONDS] [-p PASSWORD] NEIGHBOR:PEER_AS...:
# write $(topo_conf HOST.toml), a gobgpd config listening on HOST's address
# with one neighbor per argument, hold time 9, keepalive 3.
#   -r SECONDS   connect-retry (default: GoBGP's)
#   -p PASSWORD  TCP MD5 password (RFC 2385) for every neighbor
gobgp_conf_simple() {
	local host=$1 as=$2 retry pw n addr
	shift 2
	topo_opts r:p: "$@"
	shift "$TOPO_OPTN"
	retry=${TOPO_OPT[r]:-} pw=${TOPO_OPT[p]:-} addr=${TOPO_HOST_ADDR[$host]}
	{
		printf '[global.config]\n  as = %s\n  router-id = "%s"\n' "$as" "$addr"
		printf '  port = 179\n  local-address-list = ["%s"]\n' "$addr"
		for n in "$@"; do
			printf '\n[[neighbors]]\n  [neighbors.config]\n'
			printf '    neighbor-address = "%s"\n    peer-as = %s\n' "${n%%:*}" "${n#*:}"
			[ -z "$pw" ] || printf '    auth-password = "%s"\n' "$pw"
			printf '  [neighbors.timers.config]\n    hold-time = 9\n'
			printf '    keepalive-interval = 3\n'
			[ -z "$retry" ] || printf '    connect-retry = %s\n' "$retry"
		done
	} >"$(topo_conf "$host.toml")"
}

# gobgp_announce HOST PREFIX: originate PREFIX from GoBGP's global RIB.
gobgp_announce() {
	gobgp_q "$1" global rib add "$2" -a ipv4 ||
		fail "gobgp global rib add $2 on $1"
	wait_for 10 "GoBGP on $1 originates $2" gobgp_has_route "$1" "$2"
}

gobgp_withdraw() {
	gobgp_q "$1" global rib del "$2" -a ipv4 ||
		fail "gobgp global rib del $2 on $1"
}

gobgp_q() {
	local host=$1
	shift
	topo_exec "$host" gobgp -u 127.0.0.1 -p "$GOBGP_API_PORT" "$@"
}

# gobgp_established HOST NEIGHBOR (session_state 6 is ESTABLISHED in the API)
gobgp_established() {
	json_test "d['state']['session_state'] == 6" \
		gobgp_q "$1" neighbor "$2" -j
}

# gobgp_has_route HOST PREFIX [AS_PATH [NEXT_HOP]]: GoBGP has a path for
# PREFIX (optionally with this AS path, e.g. "64512 64601", and next hop).
gobgp_has_route() {
	J_PREFIX=$2 J_ASPATH=${3-*} J_NH=${4:-} json_test "any(
		(env['J_ASPATH'] == '*' or [a for x in p['attrs'] if x['type'] == 2
			for s in x['as_paths'] for a in s['asns']] == [int(a) for a in env['J_ASPATH'].split()]) and
		(not env['J_NH'] or any(x.get('nexthop') == env['J_NH'] for x in p['attrs'] if x['type'] in (3, 14)))
		for p in d.get(env['J_PREFIX'], []))" \
		gobgp_q "$1" global rib "$2" -j
}

# ---- waiting and diagnostics ------------------------------------------------

# wait_for TIMEOUT DESCRIPTION CMD...: poll CMD every 0.2 s until it succeeds
# (PASS) or TIMEOUT seconds pass (FAIL: dump logs and state).  A daemon of
# ours dying ends the wait at once.
wait_for() {
	local timeout=$1 desc=$2 t0 deadline now
	shift 2
	t0=$(date +%s.%N)
	deadline=$(awk -v t="$t0" -v d="$timeout" 'BEGIN { printf "%.0f", t + d }')
	while :; do
		# (A daemon that died can make a "route is gone" check true.)
		if "$@" >/dev/null 2>&1 && topo_alive; then
			pass "$desc ($(awk -v a="$t0" -v b="$(date +%s.%N)" \
				'BEGIN { printf "%.1f", b - a }') s)"
			return 0
		fi
		if ! topo_alive; then
			fail "$desc: $TOPO_DEAD"
			return 1
		fi
		now=$(date +%s)
		if [ "$now" -ge "$deadline" ]; then
			fail "$desc (not true after ${timeout} s: $*)"
			return 1
		fi
		sleep 0.2
	done
}

# not CMD...: succeeds when CMD fails (for wait_for / check).
not() { ! "$@"; }

# check DESCRIPTION CMD...: CMD must succeed now.
check() {
	local desc=$1
	shift
	if "$@" && topo_alive; then
		pass "$desc"
	elif ! topo_alive; then
		fail "$desc: $TOPO_DEAD"
	else
		fail "$desc ($*)"
	fi
}

topo_dump() {
	local h f
	set +e
	echo "================ $TOPO_NAME: state after $(topo_elapsed) s ================"
	for h in "${TOPO_HOSTS[@]}"; do
		echo "---- $h (${TOPO_HOST_KIND[$h]:-}, ${TOPO_HOST_ADDR[$h]}): ip route"
		ip -n "$(topo_ns "$h")" route show 2>&1
		case ${TOPO_HOST_KIND[$h]:-} in
		wrend)
			echo "---- $h: wrenctl show neighbors"
			wrenctl "$h" show neighbors 2>&1
			echo "---- $h: wrenctl show routes"
			wrenctl "$h" show routes 2>&1
			;;
		bird)
			echo "---- $h: birdc show protocols all"
			birdc_q "$h" show protocols all 2>&1
			echo "---- $h: birdc show route all"
			birdc_q "$h" show route all 2>&1
			;;
		frr)
			echo "---- $h: vtysh show bgp summary / show bgp ipv4 unicast"
			frr_vtysh "$h" "show bgp summary" "show bgp ipv4 unicast" 2>&1
			;;
		gobgp)
			echo "---- $h: gobgp neighbor / global rib"
			gobgp_q "$h" neighbor 2>&1
			gobgp_q "$h" global rib 2>&1
			;;
		esac
	done
	topo_dump_logs 150
}

# topo_dump_logs LINES: the last LINES lines of every log, and the end of the
# state dump.
topo_dump_logs() {
	local f
	for f in "$TOPO_DIR"/*.log; do
		[ -e "$f" ] || continue
		echo "---- log $f (last $1 lines)"
		tail -n "$1" "$f"
	done
	echo "================ end of state dump ================"
}

# topo_dump_counts: the start of a lighter state dump for tests with
# thousands of routes (they define their own topo_dump): per host the route
# counts and the first 20 routes, and wrend's status and sessions.
topo_dump_counts() {
	local h ns
	set +e
	echo "================ $TOPO_NAME: state after $(topo_elapsed) s ================"
	for h in "${TOPO_HOSTS[@]}"; do
		ns=$(topo_ns "$h")
		echo "---- $h: $(ip -n "$ns" route show | wc -l) routes," \
			"$(ip -n "$ns" route show proto 186 | wc -l) of proto 186; first 20:"
		ip -n "$ns" route show 2>&1 | head -n 20
		[ "${TOPO_HOST_KIND[$h]:-}" = wrend ] || continue
		echo "---- $h: wrenctl show status / neighbors"
		wrenctl "$h" -j show status 2>&1
		wrenctl "$h" show neighbors 2>&1
	done
}
