/*
 * tests/bench/nlbench.c: the benchmark's eyes and hands in the kernel.
 * Plain rtnetlink, no libraries, so the tool is never the bottleneck.
 *
 *   nlbench watch [-p PROTO] [-t SECONDS] [-e EVENTLOG] -r NET/LEN... -w COUNT...
 *	Subscribe to IPv4 and IPv6 route events, then dump the main tables
 *	once, and print "ready count=C".  Keep the set of routes
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
 *   nlbench blast -i IFNAME [-b BYTES] FILE
 *	The kernel's own rate without iproute2's one-ack-per-route: read an
 *	`ip -batch` file ("route add PREFIX dev IFNAME" lines, IPv4 or
 *	IPv6), encode every route first, then send them as RTM_NEWROUTE
 *	requests packed into datagrams of BYTES (default 64 KiB) without
 *	NLM_F_ACK (the kernel still reports refusals), as fast as sendmsg()
 *	returns.  Prints "blast routes=N errors=E start=TS end=TS".
 *
 * The two run in different namespaces; CLOCK_REALTIME is shared by all.
 * IPv4 ranges are bitmaps; IPv6 ranges (NET/LEN, any LEN) share one hash
 * set of the routes seen inside them.
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
	int		 af;
	uint32_t	 net;		/* host order */
	int		 len;
	uint8_t		*bits;		/* heap-indexed: (1 << (plen - len)) + off */
	uint8_t		 net6[16];
};

/* The IPv6 routes seen, open addressing; state 0 free, 1 used, 2 deleted. */
struct v6key {
	uint8_t		 a[16];
	uint8_t		 plen;
	uint8_t		 state;
};

static struct v6key	*v6set;
static size_t		 v6cap, v6used;	/* used counts deleted ones too */

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
	if (strchr(tmp, ':') != NULL) {
		r = &ranges[nranges++];
		r->af = AF_INET6;
		r->len = atoi(slash + 1);
		if (r->len < 0 || r->len > 128 ||
		    inet_pton(AF_INET6, tmp, r->net6) != 1)
			goto bad;
		return;
	}
	if (inet_pton(AF_INET, tmp, &a) != 1)
		goto bad;
	r = &ranges[nranges++];
	r->af = AF_INET;
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

		if (r->af != AF_INET || plen < r->len || (dst & mask) != r->net)
			continue;
		*idx = ((size_t)1 << (plen - r->len)) +
		    (plen == 32 ? (dst - r->net) : ((dst - r->net) >> (32 - plen)));
		return r;
	}
	return NULL;
}

/* Is dst/plen inside one of the IPv6 ranges? */
static int
inside6(const uint8_t *dst, int plen)
{
	int i, k;

	for (i = 0; i < nranges; i++) {
		const struct range *r = &ranges[i];

		if (r->af != AF_INET6 || plen < r->len)
			continue;
		for (k = 0; k < r->len; k++)
			if (((dst[k / 8] ^ r->net6[k / 8]) >> (7 - k % 8)) & 1)
				break;
		if (k == r->len)
			return 1;
	}
	return 0;
}

static size_t
v6hash(const uint8_t *a, int plen)
{
	uint64_t h = (uint64_t)plen * 0x9e3779b97f4a7c15ull, w;
	int i;

	for (i = 0; i < 16; i += 8) {
		memcpy(&w, a + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ull;
		h ^= h >> 31;
	}
	return (size_t)h;
}

/* The slot of a/plen, or of the free one where it would go. */
static struct v6key *
v6slot(const uint8_t *a, int plen)
{
	size_t i = v6hash(a, plen) & (v6cap - 1);
	struct v6key *tomb = NULL, *k;

	for (;; i = (i + 1) & (v6cap - 1)) {
		k = &v6set[i];
		if (k->state == 0)
			return tomb != NULL ? tomb : k;
		if (k->state == 2) {
			if (tomb == NULL)
				tomb = k;
		} else if (k->plen == plen && memcmp(k->a, a, 16) == 0)
			return k;
	}
}

static void
v6grow(void)
{
	struct v6key *old = v6set, *k;
	size_t oldcap = v6cap, i;

	v6cap = v6cap ? v6cap * 2 : 1024;
	if ((v6set = calloc(v6cap, sizeof(*v6set))) == NULL)
		die("calloc");
	v6used = 0;
	for (i = 0; i < oldcap; i++) {
		if (old[i].state != 1)
			continue;
		k = v6slot(old[i].a, old[i].plen);
		*k = old[i];
		v6used++;
	}
	free(old);
}

/* Set (add) or clear the route; returns whether it was there before. */
static int
v6set_update(const uint8_t *a, int plen, int add)
{
	struct v6key *k;

	if ((v6used + 1) * 2 > v6cap)
		v6grow();
	k = v6slot(a, plen);
	if (k->state == 1 && k->plen == plen && memcmp(k->a, a, 16) == 0) {
		if (!add)
			k->state = 2;
		return 1;
	}
	if (add) {
		if (k->state == 0)
			v6used++;
		memcpy(k->a, a, 16);
		k->plen = (uint8_t)plen;
		k->state = 1;
	}
	return 0;
}

static void
note6(double ts, int add, const uint8_t *dst, int plen, int proto)
{
	char s[INET6_ADDRSTRLEN];

	if (first_ts == 0)
		first_ts = ts;
	last_ts = ts;
	events++;
	if (evlog == NULL)
		return;
	inet_ntop(AF_INET6, dst, s, sizeof(s));
	fprintf(evlog, "%.6f %c %s/%d %d\n", ts, add ? 'A' : 'D', s, plen,
	    proto);
}

/* An IPv6 route message (already checked: unicast, main, protocol). */
static void
route_msg6(const uint8_t *dst, int plen, int proto, double ts, int from_dump,
    int add)
{
	int had;

	if (!inside6(dst, plen))
		return;
	if (from_dump)
		add = 1;
	had = v6set_update(dst, plen, add);
	if (add == had)
		return;
	count += add ? 1 : -1;
	if (!from_dump)
		note6(ts, add, dst, plen, proto);
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
	uint8_t dst6[16] = { 0 };
	struct range *r;
	size_t idx;
	int had;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)) ||
	    (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) ||
	    rtm->rtm_type != RTN_UNICAST)
		return;
	table = rtm->rtm_table;
	for (rta = RTM_RTA(rtm); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == RTA_DST && RTA_PAYLOAD(rta) == 4) {
			memcpy(&dst, RTA_DATA(rta), 4);
			dst = ntohl(dst);
		} else if (rta->rta_type == RTA_DST && RTA_PAYLOAD(rta) == 16)
			memcpy(dst6, RTA_DATA(rta), 16);
		else if (rta->rta_type == RTA_TABLE &&
		    RTA_PAYLOAD(rta) == 4)
			memcpy(&table, RTA_DATA(rta), 4);
	}
	if (table != RT_TABLE_MAIN)
		return;
	if (want_proto >= 0 && rtm->rtm_protocol != want_proto)
		return;
	if (rtm->rtm_family == AF_INET6) {
		route_msg6(dst6, rtm->rtm_dst_len, rtm->rtm_protocol, ts,
		    from_dump, add);
		return;
	}
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

/* One family's dump into the set. */
static void
dump_af(int af)
{
	struct {
		struct nlmsghdr	nh;
		struct rtmsg	rt;
	} req = {
		.nh = { .nlmsg_len = sizeof(req), .nlmsg_type = RTM_GETROUTE,
		    .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.rt = { .rtm_family = (unsigned char)af },
	};
	int fd = nl_open(0), done = 0;

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
}

/* Rebuild the set from a dump of the main tables (start, after ENOBUFS). */
static void
dump(void)
{
	long before = count;
	int i, v4 = 0, v6 = 0;
	double ts;

	for (i = 0; i < nranges; i++) {
		if (ranges[i].af == AF_INET6) {
			v6 = 1;
			continue;
		}
		v4 = 1;
		memset(ranges[i].bits, 0,
		    ((size_t)1 << (33 - ranges[i].len)) / 8 + 1);
	}
	if (v6set != NULL)
		memset(v6set, 0, v6cap * sizeof(*v6set));
	v6used = 0;
	count = 0;
	if (v4)
		dump_af(AF_INET);
	if (v6)
		dump_af(AF_INET6);
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
	fd = nl_open(RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE); /* then dump */
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

/* Append one RTM_NEWROUTE for "PREFIX dev ifindex" at p; its length. */
static size_t
blast_encode(uint8_t *p, const char *prefix, int ifindex, uint32_t seq)
{
	struct nlmsghdr *nh = (struct nlmsghdr *)p;
	struct rtmsg *rt = NLMSG_DATA(nh);
	struct rtattr *rta;
	char tmp[64], *slash;
	uint8_t a[16];
	int af, alen, plen;

	if (strlen(prefix) >= sizeof(tmp))
		return 0;
	strcpy(tmp, prefix);
	if ((slash = strchr(tmp, '/')) == NULL)
		return 0;
	*slash = '\0';
	plen = atoi(slash + 1);
	af = strchr(tmp, ':') != NULL ? AF_INET6 : AF_INET;
	alen = af == AF_INET6 ? 16 : 4;
	if (inet_pton(af, tmp, a) != 1 || plen < 0 || plen > alen * 8)
		return 0;
	memset(p, 0, NLMSG_SPACE(sizeof(*rt)) + 2 * RTA_SPACE(16));
	nh->nlmsg_len = NLMSG_LENGTH(sizeof(*rt));
	nh->nlmsg_type = RTM_NEWROUTE;
	/* no NLM_F_ACK: the kernel answers only what it refuses */
	nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	nh->nlmsg_seq = seq;
	rt->rtm_family = (unsigned char)af;
	rt->rtm_dst_len = (unsigned char)plen;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_STATIC;
	rt->rtm_scope = af == AF_INET ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
	rt->rtm_type = RTN_UNICAST;
	rta = (struct rtattr *)(p + NLMSG_ALIGN(nh->nlmsg_len));
	rta->rta_type = RTA_DST;
	rta->rta_len = RTA_LENGTH(alen);
	memcpy(RTA_DATA(rta), a, alen);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
	rta = (struct rtattr *)(p + nh->nlmsg_len);
	rta->rta_type = RTA_OIF;
	rta->rta_len = RTA_LENGTH(4);
	memcpy(RTA_DATA(rta), &ifindex, 4);
	nh->nlmsg_len += RTA_ALIGN(rta->rta_len);
	return NLMSG_ALIGN(nh->nlmsg_len);
}

/* Read the errors the kernel queued (non-blocking); how many. */
static long
blast_errors(int fd)
{
	long errs = 0;
	ssize_t n;
	struct nlmsghdr *h;

	while ((n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n);
		    h = NLMSG_NEXT(h, n))
			if (h->nlmsg_type == NLMSG_ERROR &&
			    ((struct nlmsgerr *)NLMSG_DATA(h))->error != 0)
				errs++;
	return errs;
}

static int
cmd_blast(int argc, char **argv)
{
	const char *ifname = NULL;
	size_t chunk = 64 * 1024, cap = 1 << 20, len = 0, off, end, l;
	char line[256], verb[16], pfx[64];
	uint8_t *all;
	long n = 0, errs = 0;
	double t0, t1;
	int c, fd, ifindex;
	FILE *f;

	while ((c = getopt(argc, argv, "i:b:")) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 'b': chunk = (size_t)atol(optarg); break;
		default: return 2;
		}
	}
	if (ifname == NULL || optind >= argc || chunk < 1024 ||
	    (ifindex = (int)if_nametoindex(ifname)) == 0 ||
	    (f = fopen(argv[optind], "r")) == NULL) {
		fprintf(stderr, "nlbench blast: need -i IFNAME (existing) FILE\n");
		return 2;
	}
	if ((all = malloc(cap)) == NULL)
		die("malloc");
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "route %15s %63s", verb, pfx) != 2 ||
		    strcmp(verb, "add") != 0)
			continue;
		if (len + 256 > cap && (all = realloc(all, cap *= 2)) == NULL)
			die("realloc");
		if ((l = blast_encode(all + len, pfx, ifindex,
		    (uint32_t)n + 1)) == 0) {
			fprintf(stderr, "nlbench blast: bad prefix %s\n", pfx);
			return 2;
		}
		len += l;
		n++;
	}
	fclose(f);
	fd = nl_open(0);
	t0 = now();
	for (off = 0; off < len; off = end) {
		/* whole messages, up to chunk bytes */
		for (end = off; end < len; end += l) {
			l = NLMSG_ALIGN(((struct nlmsghdr *)(all + end))->nlmsg_len);
			if (end + l - off > chunk)
				break;
		}
		if (send(fd, all + off, end - off, 0) < 0)
			die("send");
		errs += blast_errors(fd);
	}
	t1 = now();
	printf("blast routes=%ld errors=%ld start=%.6f end=%.6f\n", n, errs,
	    t0, t1);
	fflush(stdout);
	free(all);
	return errs > 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "watch") == 0)
		return cmd_watch(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return cmd_add(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "blast") == 0)
		return cmd_blast(argc - 1, argv + 1);
	fprintf(stderr, "usage: nlbench watch [-p PROTO] [-t S] [-e LOG] "
	    "-r NET/LEN... -w COUNT...\n"
	    "       nlbench add -i IFNAME -b FIRST -n COUNT [-s MS]\n"
	    "       nlbench blast -i IFNAME [-b BYTES] FILE\n");
	return 2;
}
