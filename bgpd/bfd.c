/*
 * bgpd/bfd.c: BFD sessions for BGP neighbors, on wrend's libevent loop.
 *
 * Receiving: one UDP socket per port and family, opened when a session
 * needs it: 3784 for single hop (RFC 5881 §4), 4784 for multihop (RFC 5883
 * §5), with the TTL / hop limit of each packet (IP_RECVTTL,
 * IPV6_RECVHOPLIMIT): a single-hop packet must come with 255 (RFC 5881
 * §5, GTSM), a multihop one with at least the configured min-ttl.  A
 * packet is matched to its session by Your Discriminator, or when that is
 * zero by the source address (one session per neighbor address).
 * Sending: one socket per session, bound to a source port of its own in
 * 49152-65535 (RFC 5881 §4), TTL 255, traffic class CS6.
 * Everything bad from the wire is dropped and counted, never fatal.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/ip.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "bfd.h"
#include "bfdpkt.h"
#include "config.h"
#include "json.h"
#include "log.h"
#include "metrics.h"
#include "prom.h"
#include "session.h"
#include "wrend.h"

#define BFD_RX_BURST	64	/* packets per wake-up, then others run */
#define BFD_SPORT_MIN	49152
#define BFD_SPORT_N	16384
#define BFD_TOS		0xc0	/* CS6, network control */
#define BFD_NKINDS	4	/* IPv4/IPv6 x single hop/multihop */

struct bfd_session {
	struct bfd_session	*next;
	struct bfd		*b;
	struct wr_addr		 addr;		/* the neighbor */
	struct wr_addr		 source;	/* af 0: the kernel's choice */
	struct bfd_conf		 conf;
	struct bfd_sess		 s;
	int			 fd;		/* for sending */
	uint16_t		 sport;
	struct event		*t_tx;
	struct event		*t_detect;
	time_t			 created;
	time_t			 state_since;
	int			 heard;		/* a valid packet came */
	int			 warned;	/* "no BFD" logged */
	int			 tx_warned;	/* no socket: logged */
	int			 wanted;	/* by the config */
	uint64_t		 pkts_in;
	uint64_t		 pkts_out;
	uint64_t		 dropped;
	uint64_t		 send_errors;
	uint64_t		 changes;	/* state changes */
};

struct bfd_rx {
	struct bfd		*b;
	int			 kind;
	int			 fd;
	struct event		*ev;
};

struct bfd {
	struct wrend		*d;
	struct bfd_session	*sessions;
	struct bfd_rx		 rx[BFD_NKINDS];
	uint64_t		 perr[BFD_E_MAX];	/* dropped: parse */
	uint64_t		 rerr[BFD_R_MAX];	/* dropped: session */
	uint64_t		 bad_ttl;
	uint64_t		 no_session;
	uint64_t		 ups;
	uint64_t		 downs;
};

static int
kind_of(int af, int multihop)
{
	return (af == AF_INET6 ? 1 : 0) | (multihop ? 2 : 0);
}

static uint16_t
kind_port(int kind)
{
	return (kind & 2) ? BFD_PORT_MULTI : BFD_PORT_SINGLE;
}

static const char *
session_name(const struct bfd_session *bs, char *buf, size_t len)
{
	struct peer *p = peer_find(bs->b->d, &bs->addr);

	if (p != NULL)
		return p->name;
	return addr_ntop(&bs->addr, buf, len);
}

/* ---- sockets ------------------------------------------------------------ */

static int
rx_socket(int kind)
{
	struct sockaddr_storage ss;
	struct wr_addr any;
	socklen_t slen;
	int fd, on = 1, af = (kind & 1) ? AF_INET6 : AF_INET;

	memset(&any, 0, sizeof(any));
	any.af = (uint8_t)af;
	if (addr_to_sockaddr(&any, kind_port(kind), &ss, &slen) == -1)
		return -1;
	if ((fd = socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) ==
	    -1)
		return -1;
	if (af == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on,
		    sizeof(on));
	} else
		setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *)&ss, slen) == -1) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* The TTL or hop limit the packet came with, -1 if not given. */
static int
msg_ttl(struct msghdr *m)
{
	struct cmsghdr *c;
	int v;

	for (c = CMSG_FIRSTHDR(m); c != NULL; c = CMSG_NXTHDR(m, c)) {
		if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
		    (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_HOPLIMIT)) {
			if (c->cmsg_len < CMSG_LEN(sizeof(int)))
				continue;
			memcpy(&v, CMSG_DATA(c), sizeof(v));
			return v;
		}
	}
	return -1;
}

static void	bfd_input(struct bfd *, int kind, const struct wr_addr *,
		    int ttl, const uint8_t *, size_t);

static void
rx_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bfd_rx *rx = arg;
	uint8_t buf[512];
	char cbuf[256];
	struct sockaddr_storage ss;
	struct iovec iov;
	struct msghdr m;
	struct wr_addr src;
	ssize_t n;
	int i;

	for (i = 0; i < BFD_RX_BURST; i++) {
		iov.iov_base = buf;
		iov.iov_len = sizeof(buf);
		memset(&m, 0, sizeof(m));
		m.msg_name = &ss;
		m.msg_namelen = sizeof(ss);
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_control = cbuf;
		m.msg_controllen = sizeof(cbuf);
		if ((n = recvmsg(fd, &m, 0)) == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				log_warn("bfd: recvmsg");
			return;
		}
		if (addr_from_sockaddr((struct sockaddr *)&ss, &src, NULL) ==
		    -1)
			continue;
		bfd_input(rx->b, rx->kind, &src, msg_ttl(&m), buf, (size_t)n);
	}
}

/* The receiving socket of a kind, opened on first need. */
static void
rx_open(struct bfd *b, int kind)
{
	struct bfd_rx *rx = &b->rx[kind];

	if (rx->ev != NULL)
		return;
	if ((rx->fd = rx_socket(kind)) == -1) {
		log_warn("bfd: cannot receive on %s port %u",
		    (kind & 1) ? "IPv6" : "IPv4", kind_port(kind));
		return;
	}
	rx->b = b;
	rx->kind = kind;
	rx->ev = event_new(b->d->base, rx->fd, EV_READ | EV_PERSIST, rx_cb,
	    rx);
	if (rx->ev == NULL)
		fatalx("bfd: event_new");
	event_add(rx->ev, NULL);
	log_info("bfd: receiving on %s port %u", (kind & 1) ? "IPv6" :
	    "IPv4", kind_port(kind));
}

static int
tx_bind(struct bfd_session *bs, int fd)
{
	struct sockaddr_storage ss;
	struct wr_addr any;
	socklen_t slen;
	uint32_t i, start = arc4random_uniform(BFD_SPORT_N);
	uint16_t port;

	memset(&any, 0, sizeof(any));
	any.af = bs->addr.af;
	/* RFC 5881 §4: a source port of its own, 49152-65535 */
	for (i = 0; i < BFD_SPORT_N; i++) {
		port = (uint16_t)(BFD_SPORT_MIN + (start + i) % BFD_SPORT_N);
		if (addr_to_sockaddr(bs->source.af != 0 ? &bs->source : &any,
		    port, &ss, &slen) == -1)
			return -1;
		if (bind(fd, (struct sockaddr *)&ss, slen) == 0) {
			bs->sport = port;
			return 0;
		}
		if (errno != EADDRINUSE)
			return -1;
	}
	return -1;
}

static int
tx_open(struct bfd_session *bs)
{
	int fd, on = 1, ttl = 255, tos = BFD_TOS;
	char buf[WR_ADDRSTRLEN];

	fd = socket(bs->addr.af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	/* RFC 5881 §5, RFC 5883 §5: sent with TTL 255 */
	if (bs->addr.af == AF_INET6) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
		setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl,
		    sizeof(ttl));
		setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof(tos));
	} else {
		setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
		setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
	}
	if (tx_bind(bs, fd) == -1) {
		/* retried at each packet; said once */
		if (!bs->tx_warned)
			log_warn("bfd %s: cannot bind a source port",
			    session_name(bs, buf, sizeof(buf)));
		bs->tx_warned = 1;
		close(fd);
		return -1;
	}
	bs->fd = fd;
	return 0;
}

/* ---- sending and timers ------------------------------------------------- */

static void
session_send(struct bfd_session *bs, int final)
{
	struct sockaddr_storage ss;
	socklen_t slen;
	uint8_t pkt[BFD_PKT_MAX];
	int n;

	if (bs->fd == -1 && tx_open(bs) == -1)
		return;
	if ((n = bfd_sess_build(&bs->s, final, pkt, sizeof(pkt))) == -1) {
		log_warnx("bfd: cannot build a control packet");
		return;
	}
	if (addr_to_sockaddr(&bs->addr, kind_port(kind_of(bs->addr.af,
	    bs->conf.multihop)), &ss, &slen) == -1)
		return;
	/* Unreachable now (link down): the next one may get through. */
	if (sendto(bs->fd, pkt, (size_t)n, 0, (struct sockaddr *)&ss, slen) ==
	    -1)
		bs->send_errors++;
	else
		bs->pkts_out++;
}

static void
timer_us(struct event *ev, uint64_t us)
{
	struct timeval tv = { (time_t)(us / 1000000),
	    (suseconds_t)(us % 1000000) };

	evtimer_add(ev, &tv);
}

/* §6.8.7: the next periodic packet, jittered. */
static void
tx_schedule(struct bfd_session *bs)
{
	uint64_t us = bfd_sess_tx_interval(&bs->s, arc4random_uniform(1000));

	if (us == 0) {
		evtimer_del(bs->t_tx);
		return;
	}
	timer_us(bs->t_tx, us);
}

static void
tx_now(struct bfd_session *bs, int final)
{
	session_send(bs, final);
	tx_schedule(bs);
}

static void
tx_cb(evutil_socket_t fd, short what, void *arg)
{
	tx_now(arg, 0);
}

static void
detect_arm(struct bfd_session *bs)
{
	uint64_t us = bfd_sess_detect_time(&bs->s);

	if (us == 0)
		evtimer_del(bs->t_detect);
	else
		timer_us(bs->t_detect, us);
}

/* ---- state changes and BGP ---------------------------------------------- */

static void
session_events(struct bfd_session *bs, uint8_t old, int ev)
{
	struct peer *p = peer_find(bs->b->d, &bs->addr);
	char buf[WR_ADDRSTRLEN];
	const char *name = session_name(bs, buf, sizeof(buf));

	if (ev & BFD_EV_STATE) {
		bs->changes++;
		bs->state_since = time(NULL);
		log_info("bfd %s: %s -> %s (%s)", name, bfd_state_name(old),
		    bfd_state_name(bs->s.state), bfd_diag_name(bs->s.diag));
	}
	if (ev & (BFD_EV_STATE | BFD_EV_FINAL))
		tx_now(bs, (ev & BFD_EV_FINAL) != 0);
	else if (!evtimer_pending(bs->t_tx, NULL))
		tx_schedule(bs);
	if (ev & BFD_EV_UP) {
		bs->b->ups++;
		if (p != NULL)
			peer_bfd_up(p);
	}
	if (!(ev & BFD_EV_DOWN))
		return;
	bs->b->downs++;
	/* RFC 5882 §3.2: the neighbor's AdminDown is no failure */
	if (bs->s.rx_admin_down)
		log_info("bfd %s: neighbor went AdminDown: BGP session left "
		    "as it is", name);
	else if (p != NULL)
		peer_bfd_down(p, bfd_diag_name(bs->s.diag));
}

static void
detect_cb(evutil_socket_t fd, short what, void *arg)
{
	struct bfd_session *bs = arg;
	uint8_t old = bs->s.state;
	int ev = bfd_sess_timeout(&bs->s);

	/* once more, to forget the auth sequence after twice (§6.7.1) */
	if (bs->s.silent < 2)
		detect_arm(bs);
	session_events(bs, old, ev);
}

/* ---- receiving ---------------------------------------------------------- */

static struct bfd_session *
find_discr(struct bfd *b, uint32_t discr)
{
	struct bfd_session *bs;

	for (bs = b->sessions; bs != NULL; bs = bs->next)
		if (bs->s.local_discr == discr)
			return bs;
	return NULL;
}

static struct bfd_session *
find_addr(struct bfd *b, const struct wr_addr *a)
{
	struct bfd_session *bs;

	for (bs = b->sessions; bs != NULL; bs = bs->next)
		if (addr_cmp(&bs->addr, a) == 0)
			return bs;
	return NULL;
}

/* RFC 5881 §5: 255 on a single hop; RFC 5883 §5: min-ttl on multihop */
static int
ttl_ok(const struct bfd_session *bs, int ttl)
{
	if (!bs->conf.multihop)
		return ttl == 255;
	return ttl >= bs->conf.min_ttl;
}

static void
bfd_input(struct bfd *b, int kind, const struct wr_addr *src, int ttl,
    const uint8_t *buf, size_t len)
{
	struct bfd_session *bs;
	struct bfd_pkt pkt;
	enum bfd_perr e;
	enum bfd_rerr r;
	uint8_t old;
	int ev;

	if ((e = bfd_pkt_parse(buf, len, &pkt)) != BFD_OK) {
		b->perr[e]++;
		return;
	}
	/* §6.8.6: by Your Discriminator, else by the peer's address */
	bs = pkt.your_discr != 0 ? find_discr(b, pkt.your_discr) :
	    find_addr(b, src);
	if (bs == NULL || addr_cmp(&bs->addr, src) != 0 ||
	    kind != kind_of(bs->addr.af, bs->conf.multihop)) {
		b->no_session++;
		return;
	}
	if (!ttl_ok(bs, ttl)) {
		b->bad_ttl++;
		bs->dropped++;
		return;
	}
	old = bs->s.state;
	r = bfd_sess_rx(&bs->s, &pkt, buf, &ev);
	if (r != BFD_R_OK) {
		b->rerr[r]++;
		if (r != BFD_R_ADMIN) {
			bs->dropped++;
			return;
		}
	}
	bs->pkts_in++;
	bs->heard = 1;
	detect_arm(bs);
	session_events(bs, old, ev);
}

/* ---- sessions and the config -------------------------------------------- */

static void
auth_from_conf(const struct bfd_conf *c, struct bfd_auth *a)
{
	memset(a, 0, sizeof(*a));
	a->type = (uint8_t)c->auth;	/* CONF_BFD_AUTH_* are §4.1 types */
	a->key_id = c->key_id;
	a->keylen = strnlen(c->password, BFD_SHA1_LEN);
	memcpy(a->key, c->password, a->keylen);
}

static uint32_t
new_discr(struct bfd *b)
{
	uint32_t d;

	do
		d = arc4random();
	while (d == 0 || find_discr(b, d) != NULL);
	return d;
}

static struct bfd_session *
session_new(struct bfd *b, const struct peer *p)
{
	struct bfd_session *bs, **pp;
	struct bfd_auth auth;
	char buf[WR_ADDRSTRLEN];

	if ((bs = calloc(1, sizeof(*bs))) == NULL)
		fatal("bfd session");
	bs->b = b;
	bs->addr = p->conf.addr;
	bs->source = p->conf.source;
	bs->conf = p->conf.bfd;
	bs->fd = -1;
	bs->created = bs->state_since = time(NULL);
	auth_from_conf(&bs->conf, &auth);
	bfd_sess_init(&bs->s, new_discr(b), bs->conf.interval * 1000,
	    bs->conf.interval * 1000, bs->conf.multiplier, &auth,
	    arc4random());
	bs->t_tx = evtimer_new(b->d->base, tx_cb, bs);
	bs->t_detect = evtimer_new(b->d->base, detect_cb, bs);
	if (bs->t_tx == NULL || bs->t_detect == NULL)
		fatalx("bfd: evtimer_new");
	for (pp = &b->sessions; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = bs;	/* in config order, as shown */
	rx_open(b, kind_of(bs->addr.af, bs->conf.multihop));
	log_info("bfd %s: session started (%s, %u ms x %u%s)",
	    session_name(bs, buf, sizeof(buf)), bs->conf.multihop ?
	    "multihop" : "single hop", bs->conf.interval,
	    bs->conf.multiplier, bs->conf.auth != 0 ? ", authenticated" : "");
	tx_now(bs, 0);
	return bs;
}

static void
session_free(struct bfd_session *bs)
{
	struct bfd_session **pp;

	for (pp = &bs->b->sessions; *pp != NULL; pp = &(*pp)->next)
		if (*pp == bs) {
			*pp = bs->next;
			break;
		}
	event_free(bs->t_tx);
	event_free(bs->t_detect);
	if (bs->fd != -1)
		close(bs->fd);
	free(bs);
}

/* Removed from the config: tell the neighbor (AdminDown), then go. */
static void
session_remove(struct bfd_session *bs)
{
	char buf[WR_ADDRSTRLEN];

	log_info("bfd %s: session removed", session_name(bs, buf,
	    sizeof(buf)));
	bfd_sess_admin(&bs->s, 1, BFD_DIAG_ADMIN_DOWN);
	session_send(bs, 0);
	session_free(bs);
}

/* A reload: new intervals take a poll sequence (§6.8.3), no flap. */
static void
session_update(struct bfd_session *bs, const struct bfd_conf *c)
{
	struct bfd_auth auth;
	int ev;

	if (bs->conf.auth != c->auth || bs->conf.key_id != c->key_id ||
	    strcmp(bs->conf.password, c->password) != 0) {
		auth_from_conf(c, &auth);
		bs->s.auth = auth;
		bs->s.auth_seq_known = 0;
	}
	bs->conf = *c;
	ev = bfd_sess_set_params(&bs->s, c->interval * 1000,
	    c->interval * 1000, c->multiplier);
	if (ev != 0)
		tx_now(bs, 0);
}

void
bfd_sync(struct bfd *b)
{
	struct bfd_session *bs, *next;
	struct peer *p;

	for (bs = b->sessions; bs != NULL; bs = bs->next)
		bs->wanted = 0;
	for (p = b->d->peers; p != NULL; p = p->next) {
		if (!p->conf.bfd.enabled)
			continue;
		bs = find_addr(b, &p->conf.addr);
		/* another port or source address: another session */
		if (bs != NULL && (bs->conf.multihop != p->conf.bfd.multihop ||
		    addr_cmp(&bs->source, &p->conf.source) != 0)) {
			session_remove(bs);
			bs = NULL;
		}
		if (bs == NULL)
			bs = session_new(b, p);
		else
			session_update(bs, &p->conf.bfd);
		bs->wanted = 1;
	}
	for (bs = b->sessions; bs != NULL; bs = next) {
		next = bs->next;
		if (!bs->wanted)
			session_remove(bs);
	}
}

/* ---- metrics (bgpd/metrics.h) ------------------------------------------- */

static const char *const rerr_names[BFD_R_MAX] = {
	"ok", "auth_missing", "auth_type", "auth_bad", "auth_seq",
	"admin_down",
};

/* A per-session value: one family, one sample per session. */
struct bfd_series {
	const char	*name;
	const char	*type;
	const char	*help;
	uint64_t	(*get)(const struct bfd_session *);
};

static uint64_t
bs_state(const struct bfd_session *bs)
{
	return bs->s.state;
}

static uint64_t
bs_changes(const struct bfd_session *bs)
{
	return bs->changes;
}

static uint64_t
bs_flaps(const struct bfd_session *bs)
{
	return bs->s.flaps;
}

static uint64_t
bs_pkts_in(const struct bfd_session *bs)
{
	return bs->pkts_in;
}

static uint64_t
bs_pkts_out(const struct bfd_session *bs)
{
	return bs->pkts_out;
}

static const struct bfd_series bfd_series[] = {
	{ "wren_bfd_session_state", "gauge", "BFD session state (RFC 5880: "
	    "0 AdminDown, 1 Down, 2 Init, 3 Up).", bs_state },
	{ "wren_bfd_state_changes_total", "counter", "BFD session state "
	    "changes.", bs_changes },
	{ "wren_bfd_session_flaps_total", "counter", "BFD sessions leaving "
	    "Up.", bs_flaps },
	{ "wren_bfd_packets_received_total", "counter", "BFD control packets "
	    "accepted.", bs_pkts_in },
	{ "wren_bfd_packets_sent_total", "counter", "BFD control packets "
	    "sent.", bs_pkts_out },
};

static void
metrics_sessions(FILE *out, const struct bfd *b)
{
	const struct bfd_session *bs;
	char a[WR_ADDRSTRLEN];
	struct prom_label l = { "peer", a };
	size_t i;

	for (i = 0; i < sizeof(bfd_series) / sizeof(bfd_series[0]); i++) {
		prom_family(out, bfd_series[i].name, bfd_series[i].type,
		    bfd_series[i].help);
		for (bs = b->sessions; bs != NULL; bs = bs->next) {
			addr_ntop(&bs->addr, a, sizeof(a));
			prom_sample(out, bfd_series[i].name, &l, 1,
			    bfd_series[i].get(bs));
		}
	}
}

static void
metrics_cb(FILE *out, void *arg)
{
	const struct bfd *b = arg;
	struct prom_label l = { "reason", NULL };
	int i;

	metrics_sessions(out, b);
	prom_family(out, "wren_bfd_dropped_total", "counter", "BFD packets "
	    "dropped, by reason.");
	for (i = 1; i < BFD_E_MAX; i++) {
		l.value = bfd_perr_name((enum bfd_perr)i);
		prom_sample(out, "wren_bfd_dropped_total", &l, 1, b->perr[i]);
	}
	for (i = 1; i < BFD_R_MAX; i++) {
		l.value = rerr_names[i];
		prom_sample(out, "wren_bfd_dropped_total", &l, 1, b->rerr[i]);
	}
	l.value = "bad_ttl";
	prom_sample(out, "wren_bfd_dropped_total", &l, 1, b->bad_ttl);
	l.value = "no_session";
	prom_sample(out, "wren_bfd_dropped_total", &l, 1, b->no_session);
}

struct bfd *
bfd_new(struct wrend *d)
{
	struct bfd *b;
	int i;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		fatal("bfd_new");
	b->d = d;
	for (i = 0; i < BFD_NKINDS; i++)
		b->rx[i].fd = -1;
	if (d->metrics != NULL && metrics_register(d->metrics, metrics_cb,
	    b) == -1)
		log_warnx("bfd: no metrics (out of memory)");
	return b;
}

void
bfd_free(struct bfd *b)
{
	int i;

	if (b == NULL)
		return;
	if (b->d->metrics != NULL)
		metrics_unregister(b->d->metrics, metrics_cb, b);
	while (b->sessions != NULL)
		session_free(b->sessions);
	for (i = 0; i < BFD_NKINDS; i++)
		if (b->rx[i].ev != NULL) {
			event_free(b->rx[i].ev);
			close(b->rx[i].fd);
		}
	free(b);
}

void
bfd_stop(struct bfd *b)
{
	struct bfd_session *bs;

	if (b == NULL)
		return;
	/* RFC 5880 §6.8.16; sent on, periodically, while wrend flushes */
	for (bs = b->sessions; bs != NULL; bs = bs->next) {
		bfd_sess_admin(&bs->s, 1, BFD_DIAG_ADMIN_DOWN);
		evtimer_del(bs->t_detect);
		tx_now(bs, 0);
	}
}

int
bfd_blocks(struct bfd *b, const struct peer *p)
{
	struct bfd_session *bs;

	if (b == NULL || (bs = find_addr(b, &p->conf.addr)) == NULL ||
	    bs->s.state == BFD_UP)
		return 0;
	if (bs->heard || time(NULL) - bs->created < BFD_NO_PEER_WAIT)
		return 1;
	/* RFC 5882 §4.1 lets BGP wait; a neighbor without BFD never comes */
	if (!bs->warned)
		log_warnx("neighbor %s: no BFD packet from it in %d s: the BGP "
		    "session starts without BFD", p->name, BFD_NO_PEER_WAIT);
	bs->warned = 1;
	return 0;
}

/* ---- wrenctl show bfd --------------------------------------------------- */

/* The intervals in use, in µs: ours to it, its to us (§6.8.2). */
static uint64_t
session_tx_us(const struct bfd_session *bs)
{
	return bs->s.tx_used > bs->s.remote_min_rx ? bs->s.tx_used :
	    bs->s.remote_min_rx;
}

static uint64_t
session_rx_us(const struct bfd_session *bs)
{
	return bs->s.rx_used > bs->s.remote_des_tx ? bs->s.rx_used :
	    bs->s.remote_des_tx;
}

static const char *
auth_name(int type)
{
	switch (type) {
	case CONF_BFD_AUTH_SIMPLE: return "simple";
	case CONF_BFD_AUTH_SHA1: return "keyed-sha1";
	case CONF_BFD_AUTH_MSHA1: return "meticulous-keyed-sha1";
	}
	return "none";
}

static void
session_json(struct json *j, const struct bfd_session *bs)
{
	char a[WR_ADDRSTRLEN];

	json_obj_open(j, NULL);
	json_str(j, "peer", addr_ntop(&bs->addr, a, sizeof(a)));
	json_str(j, "state", bfd_state_name(bs->s.state));
	json_int(j, "state_since", (int64_t)bs->state_since);
	json_str(j, "remote_state", bfd_state_name(bs->s.remote_state));
	json_bool(j, "multihop", bs->conf.multihop);
	json_uint(j, "local_discriminator", bs->s.local_discr);
	json_uint(j, "remote_discriminator", bs->s.remote_discr);
	json_uint(j, "tx_interval_ms", session_tx_us(bs) / 1000);
	json_uint(j, "rx_interval_ms", session_rx_us(bs) / 1000);
	json_uint(j, "detect_mult", bs->s.detect_mult);
	json_uint(j, "remote_detect_mult", bs->s.remote_mult);
	json_uint(j, "detection_time_ms", bfd_sess_detect_time(&bs->s) / 1000);
	json_uint(j, "desired_min_tx_ms", bs->s.des_min_tx / 1000);
	json_uint(j, "required_min_rx_ms", bs->s.req_min_rx / 1000);
	json_uint(j, "remote_min_rx_ms", bs->s.remote_min_rx / 1000);
	json_bool(j, "polling", bs->s.polling);
	/* RFC 5880 §4.1 C bit: its BFD does not share fate with its BGP */
	json_bool(j, "remote_control_plane_independent",
	    (bs->s.remote_flags & BFD_F_CPI) != 0);
	json_str(j, "local_diag", bfd_diag_name(bs->s.diag));
	json_str(j, "last_diag", bfd_diag_name(bs->s.last_diag));
	json_str(j, "remote_diag", bfd_diag_name(bs->s.remote_diag));
	json_uint(j, "flaps", bs->s.flaps);
	json_uint(j, "state_changes", bs->changes);
	json_str(j, "auth", auth_name(bs->conf.auth));
	json_uint(j, "source_port", bs->sport);
	json_uint(j, "packets_in", bs->pkts_in);
	json_uint(j, "packets_out", bs->pkts_out);
	json_uint(j, "dropped", bs->dropped);
	json_uint(j, "send_errors", bs->send_errors);
	json_obj_close(j);
}

static void
drops_json(struct json *j, const struct bfd *b)
{
	int i;

	json_obj_open(j, "dropped");
	for (i = 1; i < BFD_E_MAX; i++)
		json_uint(j, bfd_perr_name((enum bfd_perr)i), b->perr[i]);
	for (i = 1; i < BFD_R_MAX; i++)
		json_uint(j, rerr_names[i], b->rerr[i]);
	json_uint(j, "bad_ttl", b->bad_ttl);
	json_uint(j, "no_session", b->no_session);
	json_obj_close(j);
	json_uint(j, "up_events", b->ups);
	json_uint(j, "down_events", b->downs);
}

static void
session_row(FILE *out, const struct bfd_session *bs)
{
	char a[WR_ADDRSTRLEN];

	fprintf(out, "%-24s %-9s %10u %10u %6llu %6llu %4u %7llu %5u  %s\n",
	    addr_ntop(&bs->addr, a, sizeof(a)), bfd_state_name(bs->s.state),
	    bs->s.local_discr, bs->s.remote_discr,
	    (unsigned long long)(session_tx_us(bs) / 1000),
	    (unsigned long long)(session_rx_us(bs) / 1000), bs->s.detect_mult,
	    (unsigned long long)(bfd_sess_detect_time(&bs->s) / 1000),
	    bs->s.flaps, bfd_diag_name(bs->s.last_diag));
}

int
bfd_show(struct bfd *b, int json, const struct wr_addr *only, FILE *out)
{
	struct bfd_session *bs;
	struct json j;

	if (only != NULL && find_addr(b, only) == NULL)
		return -1;
	json_init(&j, out);
	if (json) {
		json_obj_open(&j, NULL);
		json_arr_open(&j, "sessions");
	} else
		fprintf(out, "%-24s %-9s %10s %10s %6s %6s %4s %7s %5s  %s\n",
		    "Peer", "State", "LocalDisc", "RemoteDisc", "TX ms",
		    "RX ms", "Mult", "Detect", "Flaps", "Last diagnostic");
	for (bs = b->sessions; bs != NULL; bs = bs->next) {
		if (only != NULL && addr_cmp(&bs->addr, only) != 0)
			continue;
		if (json)
			session_json(&j, bs);
		else
			session_row(out, bs);
	}
	if (json) {
		json_arr_close(&j);
		drops_json(&j, b);
		json_obj_close(&j);
		fputc('\n', out);
	}
	return 0;
}
