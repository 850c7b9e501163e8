/*
 * tests/bench/blaster.c: the ingest benchmark's BGP generators and sink
 * (the bgperf method).  One small speaker, no libraries, so it is never the
 * bottleneck: UPDATEs are built before the clock starts and written with
 * as few write() calls as the socket takes.
 *
 *   blaster send -l LOCAL -r ROUTER -a AS -A ROUTER_AS -i ID -g GEN -n N
 *	[-o] [-G GOFILE] [-t SECONDS]
 *	Open a session (IPv6 unicast, RFC 4760; 4-octet AS, RFC 6793) from
 *	LOCAL to ROUTER port 179, print "established TS", wait until GOFILE
 *	exists (polled every ms; none: at once), print "start TS", write N
 *	IPv6 /48s packed ~570 to an UPDATE (ORIGIN IGP, empty AS_PATH for
 *	iBGP or [AS] for eBGP, LOCAL_PREF 100, MED GEN, COMMUNITIES
 *	65000:GEN, next hop LOCAL), then
 *	End-of-RIB (RFC 4724 §2), print "sent N TS", and stay in the session
 *	(keepalives) until killed or -t seconds.  Generator GEN (0..63) owns
 *	fdGG:JJJJ:JJJJ::/48, GG = 0x10 + GEN, JJJJJJJJ = 0 .. N-1, unless -o:
 *	every generator then announces the same N prefixes (GG = 0x10), so
 *	the router has GEN paths per prefix to decide between.
 *
 *   blaster recv -l LOCAL -r ROUTER -a AS -A ROUTER_AS -i ID -n N -g GENS
 *	[-o] [-t SECONDS]
 *	The sink: open a session, count the distinct prefixes of that shape
 *	announced (and not withdrawn) to it, and print "reached count=C
 *	first=TS last=TS" when it holds GENS x N (-o: N, each with generator
 *	0's path, the best by MED: community 65000:0), or "timeout ..." after
 *	-t seconds (default 300, exit 3).  Every other message is read and
 *	dropped.
 *
 * All timestamps are CLOCK_REALTIME seconds, comparable across namespaces.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BGP_PORT	179
#define BGP_HDR		19
#define BGP_MAXMSG	4096
#define MSG_OPEN	1
#define MSG_UPDATE	2
#define MSG_NOTIFY	3
#define MSG_KEEPALIVE	4
#define HOLD		240
#define KEEPALIVE_S	20
#define PLEN		48
#define PBYTES		6		/* (PLEN + 7) / 8 */
#define MAXGEN		64
#define RBUF		(4 * 1024 * 1024)
#define SINK_COMM_AS	65000

struct opts {
	struct in6_addr	 local, router;
	uint32_t	 as, ras, id;
	int		 gen, overlap;
	long		 n;
	const char	*gofile;
	double		 timeout;
};

static uint8_t	*rbuf;
static size_t	 rlen;
static double	 last_ka;

static void
die(const char *what)
{
	perror(what);
	exit(2);
}

static void
dief(const char *what)
{
	fprintf(stderr, "blaster: %s\n", what);
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
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static void
hdr(uint8_t *p, uint16_t len, uint8_t type)
{
	memset(p, 0xff, 16);
	put16(p + 16, len);
	p[18] = type;
}

static void
writeall(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("write");
		}
		p += n;
		len -= (size_t)n;
	}
}

static void
send_keepalive(int fd)
{
	uint8_t m[BGP_HDR];

	hdr(m, BGP_HDR, MSG_KEEPALIVE);
	writeall(fd, m, sizeof(m));
	last_ka = now();
}

/* OPEN: version 4, AS_TRANS if needed, capabilities MP IPv6 and AS4. */
static void
send_open(int fd, const struct opts *o)
{
	uint8_t m[64], *p = m + BGP_HDR;

	*p++ = 4;
	put16(p, o->as > 65535 ? 23456 : (uint16_t)o->as);
	p += 2;
	put16(p, HOLD);
	p += 2;
	put32(p, o->id);
	p += 4;
	*p++ = 2 + 6 + 2 + 6;		/* optional parameters */
	*p++ = 2;			/* capabilities */
	*p++ = 6;
	*p++ = 1;			/* RFC 4760 MP: AFI 2, SAFI 1 */
	*p++ = 4;
	put16(p, 2);
	p[2] = 0;
	p[3] = 1;
	p += 4;
	*p++ = 2;
	*p++ = 6;
	*p++ = 65;			/* RFC 6793 4-octet AS */
	*p++ = 4;
	put32(p, o->as);
	p += 4;
	hdr(m, (uint16_t)(p - m), MSG_OPEN);
	writeall(fd, m, (size_t)(p - m));
}

static int
connect_router(const struct opts *o)
{
	struct sockaddr_in6 la = { .sin6_family = AF_INET6 };
	struct sockaddr_in6 ra = { .sin6_family = AF_INET6 };
	int fd, one = 1, sz = RBUF;
	double deadline = now() + 60;

	la.sin6_addr = o->local;
	ra.sin6_addr = o->router;
	ra.sin6_port = htons(BGP_PORT);
	for (;;) {
		if ((fd = socket(AF_INET6, SOCK_STREAM, 0)) < 0)
			die("socket");
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
		if (bind(fd, (struct sockaddr *)&la, sizeof(la)) < 0)
			die("bind");
		if (connect(fd, (struct sockaddr *)&ra, sizeof(ra)) == 0)
			return fd;
		close(fd);
		if (now() > deadline)
			die("connect");
		usleep(200 * 1000);	/* the router is not listening yet */
	}
}

/*
 * Read what is there (wait at most ms) and hand every complete message to
 * cb.  Returns -1 when the peer closed.
 */
static int
pump(int fd, int ms, void (*cb)(const uint8_t *, size_t, void *), void *arg)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t off = 0, len;
	ssize_t n;

	if (poll(&pfd, 1, ms) <= 0)
		return 0;
	n = read(fd, rbuf + rlen, RBUF - rlen);
	if (n == 0)
		return -1;
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	rlen += (size_t)n;
	while (rlen - off >= BGP_HDR) {
		len = (size_t)rbuf[off + 16] << 8 | rbuf[off + 17];
		if (len < BGP_HDR || len > 65535)
			dief("bad message length from the router");
		if (rlen - off < len)
			break;
		if (rbuf[off + 18] == MSG_NOTIFY) {
			fprintf(stderr, "blaster: NOTIFICATION %u/%u\n",
			    len > BGP_HDR ? rbuf[off + 19] : 0,
			    len > BGP_HDR + 1 ? rbuf[off + 20] : 0);
			exit(1);
		}
		cb(rbuf + off, len, arg);
		off += len;
	}
	memmove(rbuf, rbuf + off, rlen - off);
	rlen -= off;
	return 0;
}

static void
keepalive_due(int fd)
{
	if (now() - last_ka >= KEEPALIVE_S)
		send_keepalive(fd);
}

static void
on_open(const uint8_t *m, size_t len, void *arg)
{
	int *state = arg;

	if (m[18] == MSG_OPEN && *state == 0)
		*state = 1;
	else if (m[18] == MSG_KEEPALIVE && *state == 1)
		*state = 2;
	(void)len;
}

/* OPEN, KEEPALIVE, and the router's KEEPALIVE: Established. */
static int
establish(const struct opts *o)
{
	int fd = connect_router(o), state = 0;
	double deadline = now() + 60;

	send_open(fd, o);
	while (state < 2) {
		if (pump(fd, 100, on_open, &state) < 0)
			dief("the router closed the session");
		if (state == 1 && last_ka == 0)
			send_keepalive(fd);
		if (now() > deadline)
			dief("no session within 60 s");
	}
	if (last_ka == 0)		/* OPEN and KEEPALIVE came together */
		send_keepalive(fd);
	return fd;
}

/* ---- send ---------------------------------------------------------- */

/* The path attributes every UPDATE of this generator carries. */
static size_t
build_attrs(uint8_t *p, const struct opts *o)
{
	uint8_t *s = p;

	*p++ = 0x40; *p++ = 1; *p++ = 1; *p++ = 0;	/* ORIGIN IGP */
	*p++ = 0x40; *p++ = 2;				/* AS_PATH */
	if (o->as == o->ras) {
		*p++ = 0;
	} else {
		*p++ = 6;
		*p++ = 2; *p++ = 1;
		put32(p, o->as);
		p += 4;
	}
	*p++ = 0x80; *p++ = 4; *p++ = 4;		/* MED */
	put32(p, (uint32_t)o->gen);
	p += 4;
	if (o->as == o->ras) {
		*p++ = 0x40; *p++ = 5; *p++ = 4;	/* LOCAL_PREF */
		put32(p, 100);
		p += 4;
	}
	/* COMMUNITIES 65000:GEN, so that the sink can tell whose path won */
	*p++ = 0xc0; *p++ = 8; *p++ = 4;
	put32(p, (uint32_t)SINK_COMM_AS << 16 | (uint32_t)o->gen);
	p += 4;
	return (size_t)(p - s);
}

static void
prefix_bytes(uint8_t *p, const struct opts *o, long j)
{
	p[0] = 0xfd;
	p[1] = (uint8_t)(0x10 + (o->overlap ? 0 : o->gen));
	put32(p + 2, (uint32_t)j);
}

/* Every UPDATE for N prefixes, then End-of-RIB, in one buffer. */
static uint8_t *
build_updates(const struct opts *o, size_t *outlen)
{
	uint8_t attrs[64], *buf, *m, *p, *mp;
	size_t alen = build_attrs(attrs, o), per, cap, len = 0;
	long j = 0;

	/* header, withdrawn length, attribute length, MP_REACH head */
	per = (BGP_MAXMSG - BGP_HDR - 4 - alen - 4 - 21) / (1 + PBYTES);
	cap = ((size_t)o->n / per + 2) * BGP_MAXMSG;
	if ((buf = malloc(cap)) == NULL)
		die("malloc");
	while (j < o->n) {
		m = buf + len;
		p = m + BGP_HDR;
		put16(p, 0);			/* no withdrawn routes */
		p += 4;				/* attribute length: below */
		memcpy(p, attrs, alen);
		p += alen;
		mp = p;
		*p++ = 0x90; *p++ = 14;		/* MP_REACH, extended length */
		p += 2;
		put16(p, 2); p[2] = 1; p[3] = 16;	/* AFI, SAFI, NH len */
		p += 4;
		memcpy(p, &o->local, 16);
		p += 16;
		*p++ = 0;			/* reserved */
		for (size_t k = 0; k < per && j < o->n; k++, j++) {
			*p++ = PLEN;
			prefix_bytes(p, o, j);
			p += PBYTES;
		}
		put16(mp + 2, (uint16_t)(p - mp - 4));
		put16(m + BGP_HDR + 2, (uint16_t)(p - m - BGP_HDR - 4));
		hdr(m, (uint16_t)(p - m), MSG_UPDATE);
		len += (size_t)(p - m);
	}
	/* End-of-RIB for IPv6 unicast: an empty MP_UNREACH_NLRI */
	m = buf + len;
	p = m + BGP_HDR;
	put16(p, 0);
	put16(p + 2, 6);
	p += 4;
	*p++ = 0x80; *p++ = 15; *p++ = 3;
	put16(p, 2);
	p[2] = 1;
	p += 3;
	hdr(m, (uint16_t)(p - m), MSG_UPDATE);
	len += (size_t)(p - m);
	*outlen = len;
	return buf;
}

static void
drop(const uint8_t *m, size_t len, void *arg)
{
	(void)m;
	(void)len;
	(void)arg;
}

/* Write buf, reading (and dropping) whatever the router sends meanwhile. */
static void
blast(int fd, const uint8_t *buf, size_t len)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT | POLLIN };
	ssize_t n;

	while (len > 0) {
		if (poll(&pfd, 1, 1000) < 0 && errno != EINTR)
			die("poll");
		if (pfd.revents & POLLIN && pump(fd, 0, drop, NULL) < 0)
			dief("the router closed the session");
		if (!(pfd.revents & POLLOUT))
			continue;
		n = send(fd, buf, len, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			die("send");
		}
		buf += n;
		len -= (size_t)n;
	}
}

static int
cmd_send(const struct opts *o)
{
	size_t len;
	uint8_t *buf = build_updates(o, &len);
	double end;
	int fd;

	fd = establish(o);
	printf("established %.6f\n", now());
	fflush(stdout);
	while (o->gofile != NULL && access(o->gofile, F_OK) != 0) {
		if (pump(fd, 1, drop, NULL) < 0)
			dief("the router closed the session");
		keepalive_due(fd);
	}
	printf("start %.6f\n", now());
	fflush(stdout);
	blast(fd, buf, len);
	printf("sent %ld %.6f bytes=%zu\n", o->n, now(), len);
	fflush(stdout);
	free(buf);
	end = now() + o->timeout;
	while (now() < end) {
		if (pump(fd, 1000, drop, NULL) < 0)
			break;
		keepalive_due(fd);
	}
	return 0;
}

/* ---- recv ---------------------------------------------------------- */

struct sink {
	uint8_t		*bits;
	int		 overlap;	/* only generator 0's path counts */
	long		 n;		/* prefixes per generator */
	long		 count;
	double		 first, last;
	long		 updates;
};

static void
sink_prefix(struct sink *s, const uint8_t *p, size_t blen, int plen, int add)
{
	uint8_t b[16] = { 0 };
	uint32_t j;
	size_t idx;
	int g, had;

	if (plen != PLEN || blen != PBYTES)
		return;
	memcpy(b, p, blen);
	j = (uint32_t)b[2] << 24 | (uint32_t)b[3] << 16 | b[4] << 8 | b[5];
	g = b[1] - 0x10;
	if (b[0] != 0xfd || g < 0 || g >= MAXGEN || j >= (uint32_t)s->n)
		return;
	idx = (size_t)g * (size_t)s->n + j;
	had = (s->bits[idx / 8] >> (idx % 8)) & 1;
	if (had == add)
		return;
	s->bits[idx / 8] ^= (uint8_t)(1 << (idx % 8));
	s->count += add ? 1 : -1;
}

/* IPv6 NLRI of an MP_REACH (skip == next hop part) or MP_UNREACH. */
static void
sink_nlri(struct sink *s, const uint8_t *p, size_t len, int add)
{
	while (len > 0) {
		int plen = p[0];
		size_t blen = ((size_t)plen + 7) / 8;

		if (plen > 128 || 1 + blen > len)
			return;
		sink_prefix(s, p + 1, blen, plen, add);
		p += 1 + blen;
		len -= 1 + blen;
	}
}

/*
 * MP_UNREACH (15) withdraws; MP_REACH (14) announces, but with -o a
 * prefix only counts once it has the best path, generator 0's (MED 0):
 * another generator's path there means "not yet" (add 0).
 */
static void
sink_attr(struct sink *s, uint8_t type, const uint8_t *v, size_t len,
    int best)
{
	size_t nhlen;

	if (len < 3 || v[0] != 0 || v[1] != 2 || v[2] != 1)
		return;
	if (type == 15) {
		sink_nlri(s, v + 3, len - 3, 0);
		return;
	}
	if (type != 14 || len < 5)
		return;
	nhlen = v[3];
	if (len < 5 + nhlen)
		return;
	sink_nlri(s, v + 5 + nhlen, len - 5 - nhlen, best);
}

/* Does a COMMUNITIES value hold 65000:0? */
static int
sink_best(const uint8_t *v, size_t len)
{
	size_t i;

	for (i = 0; i + 4 <= len; i += 4)
		if (v[i] == (SINK_COMM_AS >> 8) && v[i + 1] ==
		    (SINK_COMM_AS & 0xff) && v[i + 2] == 0 && v[i + 3] == 0)
			return 1;
	return 0;
}

static void
on_update(const uint8_t *m, size_t len, void *arg)
{
	struct sink *s = arg;
	size_t wlen, alen, off, l;
	const uint8_t *a;
	long before = s->count;
	int pass, best = !s->overlap;

	if (m[18] != MSG_UPDATE || len < BGP_HDR + 4)
		return;
	s->updates++;
	wlen = (size_t)m[19] << 8 | m[20];
	if (BGP_HDR + 4 + wlen > len)
		return;
	a = m + BGP_HDR + 2 + wlen;
	alen = (size_t)a[0] << 8 | a[1];
	a += 2;
	if (BGP_HDR + 4 + wlen + alen > len)
		return;
	/* two passes: COMMUNITIES may come after MP_REACH_NLRI */
	for (pass = 0; pass < 2; pass++) {
		for (off = 0; off + 3 <= alen; off += l) {
			uint8_t flags = a[off], type = a[off + 1];
			size_t h = flags & 0x10 ? 4 : 3;

			if (off + h > alen)
				return;
			l = flags & 0x10 ? ((size_t)a[off + 2] << 8 |
			    a[off + 3]) : a[off + 2];
			if (off + h + l > alen)
				return;
			if (pass == 0 && type == 8 && sink_best(a + off + h, l))
				best = 1;
			else if (pass == 1)
				sink_attr(s, type, a + off + h, l, best);
			l += h;
		}
	}
	if (s->count != before) {
		double t = now();

		if (s->first == 0)
			s->first = t;
		s->last = t;
	}
}

static int
cmd_recv(const struct opts *o)
{
	struct sink s = { .n = o->n, .overlap = o->overlap };
	long target = o->overlap ? o->n : o->n * o->gen;
	double end;
	int fd;

	if (o->gen < 1)
		dief("recv: -g GENERATORS (1..64)");
	if ((s.bits = calloc((size_t)MAXGEN * (size_t)o->n / 8 + 1, 1)) ==
	    NULL)
		die("calloc");
	fd = establish(o);
	printf("established %.6f\n", now());
	fflush(stdout);
	end = now() + o->timeout;
	while (s.count != target) {
		if (now() > end) {
			printf("timeout count=%ld first=%.6f last=%.6f "
			    "updates=%ld\n", s.count, s.first, s.last,
			    s.updates);
			return 3;
		}
		if (pump(fd, 100, on_update, &s) < 0)
			dief("the router closed the session");
		keepalive_due(fd);
	}
	printf("reached count=%ld first=%.6f last=%.6f updates=%ld\n",
	    s.count, s.first, s.last, s.updates);
	fflush(stdout);
	/* stay: a closed session would make the router withdraw */
	end = now() + o->timeout;
	while (now() < end) {
		if (pump(fd, 1000, drop, NULL) < 0)
			break;
		keepalive_due(fd);
	}
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: blaster send|recv -l LOCAL6 -r ROUTER6 -a AS "
	    "-A ROUTER_AS -i ID -n N [-g GEN] [-o] [-G GOFILE] [-t S]\n"
	    "  recv: -n is prefixes per generator, -g the generators\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct opts o = { .timeout = 300 };
	struct in_addr id;
	const char *cmd;
	int c;

	if (argc < 2)
		usage();
	cmd = argv[1];
	optind = 2;
	while ((c = getopt(argc, argv, "l:r:a:A:i:g:n:oG:t:")) != -1) {
		switch (c) {
		case 'l':
			if (inet_pton(AF_INET6, optarg, &o.local) != 1)
				usage();
			break;
		case 'r':
			if (inet_pton(AF_INET6, optarg, &o.router) != 1)
				usage();
			break;
		case 'a': o.as = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'A': o.ras = (uint32_t)strtoul(optarg, NULL, 10); break;
		case 'i':
			if (inet_pton(AF_INET, optarg, &id) != 1)
				usage();
			o.id = ntohl(id.s_addr);
			break;
		case 'g': o.gen = atoi(optarg); break;
		case 'n': o.n = atol(optarg); break;
		case 'o': o.overlap = 1; break;
		case 'G': o.gofile = optarg; break;
		case 't': o.timeout = atof(optarg); break;
		default: usage();
		}
	}
	if (o.as == 0 || o.ras == 0 || o.id == 0 || o.n <= 0 ||
	    o.n > 0xffffffffL || o.gen < 0 || o.gen > MAXGEN ||
	    (o.gen == MAXGEN && strcmp(cmd, "send") == 0))
		usage();
	if ((rbuf = malloc(RBUF)) == NULL)
		die("malloc");
	if (strcmp(cmd, "send") == 0)
		return cmd_send(&o);
	if (strcmp(cmd, "recv") == 0)
		return cmd_recv(&o);
	usage();
	return 2;
}
