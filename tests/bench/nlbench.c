/*
 * tests/bench/nlbench.c: the benchmark's eyes and hands in the kernel.
 * Plain rtnetlink, no libraries, so the tool is never the bottleneck.
 *
 *   nlbench watch [-p PROTO] [-t SECONDS] [-e EVENTLOG] -r NET/LEN... -w COUNT...
 *	Subscribe to IPv4 route events (RTMGRP_IPV4_ROUTE), then dump the
 *	main table once, and print "ready count=C".  Keep the set of routes
 *	of the main table whose destination lies inside one of the -r
 *	networks (and, with -p, carries that protocol).  For each -w COUNT,
 *	in order, wait until the set holds exactly COUNT routes and print
 *	  reached target=T count=C first=TS last=TS events=E overruns=O
 *	first: the first change of the set since the previous milestone;
 *	last: the change that reached the target (CLOCK_REALTIME, seconds).
 *	If a target is not reached within -t seconds (default 120) of the
 *	previous milestone, print "timeout ..." with the same fields and exit
 *	3.  Losing events (ENOBUFS) is survived by a fresh dump, counted in
 *	overruns (the timestamps then are when the dump saw the routes).
 *	-e writes every change of the set: "TS A|D PREFIX/LEN PROTO".
 *
 *   nlbench add -i IFNAME -b FIRST -n COUNT [-s MILLISECONDS]
 *	Add COUNT /32 routes FIRST, FIRST+1, ... on IFNAME one at a time
 *	(the request `ip route add ADDR/32 dev IFNAME` sends), starting one
 *	every -s ms (default 20) on an absolute schedule.  Prints
 *	"TS ADDR/32" per route, TS taken just before the request is sent.
 *
 * The two run in different namespaces; CLOCK_REALTIME is shared by all.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#define MAXRANGES	8
#define RCVBUF		(256 * 1024 * 1024)
#define BUFSZ		(1024 * 1024)

struct range {
	uint32_t	 net;		/* host order */
	int		 len;
	uint8_t		*bits;		/* heap-indexed: (1 << (plen - len)) + off */
};

static struct range	 ranges[MAXRANGES];
static int		 nranges;
static int		 want_proto = -1;
static long		 count, events, overruns;
static double		 first_ts, last_ts;
static FILE		*evlog;
static char		 buf[BUFSZ];

static void
die(const char *what)
{
	perror(what);
	exit(2);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
parse_range(const char *s)
{
	char tmp[64], *slash;
	struct in_addr a;
	struct range *r;

	if (nranges == MAXRANGES || strlen(s) >= sizeof(tmp))
		goto bad;
	strcpy(tmp, s);
	if ((slash = strchr(tmp, '/')) == NULL)
		goto bad;
	*slash = '\0';
	if (inet_pton(AF_INET, tmp, &a) != 1)
		goto bad;
	r = &ranges[nranges++];
	r->len = atoi(slash + 1);
	if (r->len < 8 || r->len > 32)
		goto bad;
	r->net = ntohl(a.s_addr) & (r->len ? ~0u << (32 - r->len) : 0);
	r->bits = calloc(((size_t)1 << (33 - r->len)) / 8 + 1, 1);
	if (r->bits == NULL)
		die("calloc");
	return;
bad:
	fprintf(stderr, "nlbench: bad range %s (NET/LEN, LEN 8..32)\n", s);
	exit(2);
}

/* The bit of dst/plen in its range, or NULL-range when outside all. */
static struct range *
locate(uint32_t dst, int plen, size_t *idx)
{
	int i;

	for (i = 0; i < nranges; i++) {
		struct range *r = &ranges[i];
		uint32_t mask = r->len ? ~0u << (32 - r->len) : 0;

		if (plen < r->len || (dst & mask) != r->net)
			continue;
		*idx = ((size_t)1 << (plen - r->len)) +
		    (plen == 32 ? (dst - r->net) : ((dst - r->net) >> (32 - plen)));
		return r;
	}
	return NULL;
}

static void
note(double ts, int add, uint32_t dst, int plen, int proto)
{
	struct in_addr a;
	char s[INET_ADDRSTRLEN];

	if (first_ts == 0)
		first_ts = ts;
	last_ts = ts;
	events++;
	if (evlog == NULL)
		return;
	a.s_addr = htonl(dst);
	inet_ntop(AF_INET, &a, s, sizeof(s));
	fprintf(evlog, "%.6f %c %s/%d %d\n", ts, add ? 'A' : 'D', s, plen,
	    proto);
}

/* One route message: update the set.  Returns nothing; count changes. */
static void
route_msg(struct nlmsghdr *h, double ts, int from_dump)
{
	struct rtmsg *rtm = NLMSG_DATA(h);
	struct rtattr *rta;
	int len = RTM_PAYLOAD(h), add = h->nlmsg_type == RTM_NEWROUTE;
	uint32_t dst = 0, table = 0;
	struct range *r;
	size_t idx;
	int had;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)) ||
	    rtm->rtm_family != AF_INET || rtm->rtm_type != RTN_UNICAST)
		return;
	table = rtm->rtm_table;
	for (rta = RTM_RTA(rtm); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == RTA_DST && RTA_PAYLOAD(rta) == 4) {
			memcpy(&dst, RTA_DATA(rta), 4);
			dst = ntohl(dst);
		} else if (rta->rta_type == RTA_TABLE &&
		    RTA_PAYLOAD(rta) == 4)
			memcpy(&table, RTA_DATA(rta), 4);
	}
	if (table != RT_TABLE_MAIN)
		return;
	if (want_proto >= 0 && rtm->rtm_protocol != want_proto)
		return;
	if ((r = locate(dst, rtm->rtm_dst_len, &idx)) == NULL)
		return;
	had = (r->bits[idx / 8] >> (idx % 8)) & 1;
	if (from_dump) {		/* rebuilding: everything is an add */
		if (!had) {
			r->bits[idx / 8] |= 1 << (idx % 8);
			count++;
		}
		return;
	}
	if (add == had)
		return;
	if (add)
		r->bits[idx / 8] |= 1 << (idx % 8);
	else
		r->bits[idx / 8] &= ~(1 << (idx % 8));
	count += add ? 1 : -1;
	note(ts, add, dst, rtm->rtm_dst_len, rtm->rtm_protocol);
}

static int
nl_open(int groups)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };
	int fd, sz = RCVBUF;

	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) < 0)
		die("socket");
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind");
	return fd;
}

/* Rebuild the set from a dump of the main table (start, after ENOBUFS). */
static void
dump(void)
{
	struct {
		struct nlmsghdr	nh;
		struct rtmsg	rt;
	} req = {
		.nh = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETROUTE,
		    .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.rt = { .rtm_family = AF_INET },
	};
	long before = count;
	int fd = nl_open(0), i, done = 0;
	double ts;

	for (i = 0; i < nranges; i++)
		memset(ranges[i].bits, 0,
		    ((size_t)1 << (33 - ranges[i].len)) / 8 + 1);
	count = 0;
	if (send(fd, &req, sizeof(req), 0) < 0)
		die("send dump");
	while (!done) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("recv dump");
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n);
		    h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE ||
			    h->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				break;
			}
			if (h->nlmsg_type == RTM_NEWROUTE)
				route_msg(h, 0, 1);
		}
	}
	close(fd);
	if (count != before) {		/* changes we did not see one by one */
		ts = now();
		if (first_ts == 0)
			first_ts = ts;
		last_ts = ts;
	}
}

static void
report(const char *what, long target)
{
	printf("%s target=%ld count=%ld first=%.6f last=%.6f events=%ld "
	    "overruns=%ld\n", what, target, count, first_ts, last_ts, events,
	    overruns);
	fflush(stdout);
}

static int
cmd_watch(int argc, char **argv)
{
	long targets[64];
	int ntargets = 0, t, c, fd;
	double timeout = 120, deadline;

	while ((c = getopt(argc, argv, "p:t:e:r:w:")) != -1) {
		switch (c) {
		case 'p': want_proto = atoi(optarg); break;
		case 't': timeout = atof(optarg); break;
		case 'e':
			if ((evlog = fopen(optarg, "w")) == NULL)
				die(optarg);
			break;
		case 'r': parse_range(optarg); break;
		case 'w':
			if (ntargets == 64)
				return 2;
			targets[ntargets++] = atol(optarg);
			break;
		default: return 2;
		}
	}
	if (nranges == 0 || ntargets == 0) {
		fprintf(stderr, "nlbench watch: need -r and -w\n");
		return 2;
	}
	fd = nl_open(RTMGRP_IPV4_ROUTE);	/* subscribe, then dump */
	dump();
	first_ts = last_ts = 0;
	printf("ready count=%ld\n", count);
	fflush(stdout);
	for (t = 0; t < ntargets; t++) {
		deadline = now() + timeout;
		while (count != targets[t]) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };
			double left = deadline - now();
			ssize_t n;
			struct nlmsghdr *h;

			if (left <= 0) {
				report("timeout", targets[t]);
				if (evlog)
					fclose(evlog);
				return 3;
			}
			if (poll(&pfd, 1, left * 1000 + 1) <= 0)
				continue;
			n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n < 0) {
				if (errno == ENOBUFS) {
					overruns++;
					dump();
				} else if (errno != EAGAIN && errno != EINTR)
					die("recv");
				continue;
			}
			double ts = now();
			for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n);
			    h = NLMSG_NEXT(h, n))
				if (h->nlmsg_type == RTM_NEWROUTE ||
				    h->nlmsg_type == RTM_DELROUTE)
					route_msg(h, ts, 0);
		}
		report("reached", targets[t]);
		first_ts = last_ts = 0;
		events = 0;
	}
	if (evlog)
		fclose(evlog);
	return 0;
}

static int
add_one(int fd, uint32_t dst, int ifindex, uint32_t seq)
{
	struct {
		struct nlmsghdr	nh;
		struct rtmsg	rt;
		char		attrs[64];
	} req;
	struct rtattr *rta;
	ssize_t n;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req.nh.nlmsg_type = RTM_NEWROUTE;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE |
	    NLM_F_EXCL;
	req.nh.nlmsg_seq = seq;
	req.rt.rtm_family = AF_INET;
	req.rt.rtm_dst_len = 32;
	req.rt.rtm_table = RT_TABLE_MAIN;
	req.rt.rtm_protocol = RTPROT_BOOT;
	req.rt.rtm_scope = RT_SCOPE_LINK;
	req.rt.rtm_type = RTN_UNICAST;
	rta = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.nh.nlmsg_len));
	rta->rta_type = RTA_DST;
	rta->rta_len = RTA_LENGTH(4);
	dst = htonl(dst);
	memcpy(RTA_DATA(rta), &dst, 4);
	req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
	rta = (struct rtattr *)((char *)&req + req.nh.nlmsg_len);
	rta->rta_type = RTA_OIF;
	rta->rta_len = RTA_LENGTH(4);
	memcpy(RTA_DATA(rta), &ifindex, 4);
	req.nh.nlmsg_len += RTA_ALIGN(rta->rta_len);
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0)
		die("send");
	if ((n = recv(fd, buf, sizeof(buf), 0)) < 0)
		die("recv ack");
	struct nlmsghdr *h = (struct nlmsghdr *)buf;
	if (NLMSG_OK(h, n) && h->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *e = NLMSG_DATA(h);
		return e->error;
	}
	return 0;
}

static int
cmd_add(int argc, char **argv)
{
	const char *ifname = NULL;
	struct in_addr first = { 0 };
	long n = 0, i;
	double spacing = 20, start, ts;
	int c, fd, ifindex, err;

	while ((c = getopt(argc, argv, "i:b:n:s:")) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 'b':
			if (inet_pton(AF_INET, optarg, &first) != 1)
				return 2;
			break;
		case 'n': n = atol(optarg); break;
		case 's': spacing = atof(optarg); break;
		default: return 2;
		}
	}
	if (ifname == NULL || n <= 0 ||
	    (ifindex = if_nametoindex(ifname)) == 0) {
		fprintf(stderr, "nlbench add: need -i IFNAME (existing) -b ADDR -n N\n");
		return 2;
	}
	fd = nl_open(0);
	start = now();
	for (i = 0; i < n; i++) {
		uint32_t dst = ntohl(first.s_addr) + i;
		struct in_addr a = { htonl(dst) };
		double wake = start + i * spacing / 1000;
		struct timespec rq;

		while ((ts = now()) < wake) {
			double d = wake - ts;
			rq.tv_sec = (time_t)d;
			rq.tv_nsec = (long)((d - rq.tv_sec) * 1e9);
			nanosleep(&rq, NULL);
		}
		ts = now();
		if ((err = add_one(fd, dst, ifindex, i + 1)) != 0) {
			fprintf(stderr, "nlbench add %s: %s\n", inet_ntoa(a),
			    strerror(-err));
			return 1;
		}
		printf("%.6f %s/32\n", ts, inet_ntoa(a));
	}
	fflush(stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "watch") == 0)
		return cmd_watch(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return cmd_add(argc - 1, argv + 1);
	fprintf(stderr, "usage: nlbench watch [-p PROTO] [-t S] [-e LOG] "
	    "-r NET/LEN... -w COUNT...\n"
	    "       nlbench add -i IFNAME -b FIRST -n COUNT [-s MS]\n");
	return 2;
}
