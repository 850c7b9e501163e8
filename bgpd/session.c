/*
 * bgpd/session.c: neighbors, the RFC 4271 §8 FSM, connections and timers.
 *
 * A peer owns at most two connections: conn, the one its FSM state refers
 * to, and coll, a second one that arrived while conn was in OpenSent; the
 * §6.8 collision rule picks one of them as soon as a BGP identifier is
 * known.  Reading is message-at-a-time from a bufferevent; writing goes to
 * the bufferevent's output buffer, and the export queue (rib_out) is only
 * drained while that buffer is short, so a slow neighbor never makes us
 * buffer a whole table.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "buf.h"
#include "export.h"
#include "kr.h"
#include "log.h"
#include "pfxset.h"
#include "session.h"
#include "wrend.h"

#define OPEN_HOLD_TIME		240	/* RFC 4271 §8.2.2: "large value" */
#define IDLE_HOLD_MAX		60	/* seconds, backoff cap */
#define DRAIN_HIGH		(256 * 1024)	/* stop draining above */
#define DRAIN_LOW		(64 * 1024)	/* resume below */
#define DRAIN_BATCH		4096	/* prefixes per rib_out_drain */
#define CLOSE_TIMEOUT		5	/* seconds to flush a NOTIFICATION */
#define GR_F_RESTART		0x8	/* RFC 4724 §3: Restart State */
#define GR_F_NOTIFY		0x4	/* RFC 8538 §2: N bit */

struct conn {
	struct peer		*p;		/* NULL once closing */
	struct wrend		*d;
	struct bufferevent	*bev;
	int			 outbound;	/* we initiated it */
	int			 connected;	/* TCP is up (not in Connect) */
	int			 closing;
	struct wr_addr		 local;		/* our address on it */
};

struct listener {
	struct listener		*next;
	struct wrend		*d;
	struct evconnlistener	*l;
	struct wr_addr		 addr;		/* af 0: all addresses */
	uint16_t		 port;
	int			 wanted;	/* by the config being applied */
	time_t			 last_refused_log;
	time_t			 last_error_log;
};

static void	conn_read_cb(struct bufferevent *, void *);
static void	conn_write_cb(struct bufferevent *, void *);
static void	conn_event_cb(struct bufferevent *, short, void *);
static void	peer_drain(struct peer *);
static void	drain_kick(void *);
static void	hold_timer_restart(struct peer *);
static void	listener_resume_cb(evutil_socket_t, short, void *);

static const char *const state_names[] = {
	"Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established",
};

const char *
peer_state_name(enum peer_state s)
{
	return s <= ST_ESTABLISHED ? state_names[s] : "?";
}

static void
peer_set_state(struct peer *p, enum peer_state s)
{
	if (p->state == s)
		return;
	/* State changes are always logged (operators grep for them). */
	log_info("neighbor %s: %s -> %s", p->name, peer_state_name(p->state),
	    peer_state_name(s));
	p->state = s;
	p->state_since = time(NULL);
}

static void
timer_set(struct event *ev, unsigned secs)
{
	struct timeval tv = { (time_t)secs, 0 };

	evtimer_add(ev, &tv);
}

/* ---- connections ----------------------------------------------------- */

static struct conn *
conn_new(struct peer *p, int fd, int outbound)
{
	struct conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("neighbor %s: conn", p->name);
		return NULL;
	}
	c->p = p;
	c->d = p->d;
	c->outbound = outbound;
	c->connected = !outbound;
	c->bev = bufferevent_socket_new(p->d->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		free(c);
		return NULL;
	}
	bufferevent_setcb(c->bev, conn_read_cb, conn_write_cb, conn_event_cb,
	    c);
	bufferevent_setwatermark(c->bev, EV_WRITE, DRAIN_LOW, 0);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	return c;
}

static void
conn_free(struct conn *c)
{
	if (c == NULL)
		return;
	if (c->closing)
		c->d->nclosing--;
	bufferevent_free(c->bev);
	free(c);
}

static void
conn_closing_write_cb(struct bufferevent *bev, void *arg)
{
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		conn_free(arg);
}

static void
conn_closing_event_cb(struct bufferevent *bev, short what, void *arg)
{
	/* Anything but a late connect completion ends it: error, timeout. */
	if (!(what & BEV_EVENT_CONNECTED))
		conn_free(arg);
}

/*
 * Let go of c: it no longer belongs to a peer.  What is queued on it (a
 * NOTIFICATION, RFC 4271 §6) is written first, then the socket closes;
 * a neighbor that does not read gets CLOSE_TIMEOUT seconds.
 */
static void
conn_close(struct conn *c)
{
	struct timeval tv = { CLOSE_TIMEOUT, 0 };

	if (c == NULL)
		return;
	c->p = NULL;
	if (!c->connected ||
	    evbuffer_get_length(bufferevent_get_output(c->bev)) == 0) {
		conn_free(c);
		return;
	}
	c->closing = 1;
	c->d->nclosing++;
	bufferevent_disable(c->bev, EV_READ);
	bufferevent_setcb(c->bev, NULL, conn_closing_write_cb,
	    conn_closing_event_cb, c);
	bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
	bufferevent_set_timeouts(c->bev, NULL, &tv);
}

static void
conn_learn_local(struct conn *c)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd = bufferevent_getfd(c->bev);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
		addr_from_sockaddr((struct sockaddr *)&ss, &c->local, NULL);
}

static void
conn_send(struct conn *c, const struct wbuf *w, uint8_t type)
{
	struct peer *p = c->p;

	if (w->err || w->len == 0)
		fatalx("neighbor %s: encoding a %s failed", p->name,
		    bgp_msg_name(type));
	bufferevent_write(c->bev, w->data, w->len);
	if (type <= BGP_ROUTE_REFRESH)
		p->stats.msg_out[type]++;
}

static void
conn_send_notify(struct conn *c, uint8_t code, uint8_t sub,
    const void *data, size_t len)
{
	uint8_t mem[BGP_MAX_LEN];
	struct wbuf w;
	char why[96];

	wbuf_init(&w, mem, sizeof(mem));
	bgp_notify_encode(&w, code, sub, data, len);
	conn_send(c, &w, BGP_NOTIFICATION);
	bgp_err_str(code, sub, why, sizeof(why));
	log_warnx("neighbor %s: sent NOTIFICATION %s", c->p->name, why);
	snprintf(c->p->last_error, sizeof(c->p->last_error), "sent: %s", why);
}

/*
 * RFC 4724 §3 and RFC 8538 §2: the graceful restart capability for every
 * family we carry, with the N bit; F when our kernel routes outlive us
 * (persist); R while a restarted wrend has not finished its initial sync.
 */
static void
gr_open_caps(const struct wrend *d, struct bgp_caps *caps)
{
	const struct wren_config *conf = d->conf;

	if (!conf->gr.enabled)
		return;
	caps->gr = 1;
	caps->gr_time = conf->gr.restart_time;
	caps->gr_flags = GR_F_NOTIFY;
	if (d->gr_restarting && !d->initial_sync_done)
		caps->gr_flags |= GR_F_RESTART;
	caps->gr_fwd = conf->kernel.persist ? caps->mp : 0;
}

static void
conn_send_open(struct conn *c)
{
	struct peer *p = c->p;
	struct wren_config *conf = p->d->conf;
	struct bgp_open o;
	uint8_t mem[BGP_MAX_LEN];
	struct wbuf w;

	memset(&o, 0, sizeof(o));
	o.version = BGP_VERSION;
	o.my_as = conf->local_as > 0xffff ? AS_TRANS : (uint16_t)conf->local_as;
	o.holdtime = p->conf.hold_time;
	o.bgp_id = conf->router_id;
	/* RFC 4760 §8, RFC 8950 §3: the families of the config */
	o.caps.mp = p->conf.families & (BGP_MP_IPV4_UNICAST |
	    BGP_MP_IPV6_UNICAST);
	o.caps.ext_nh = o.caps.mp & BGP_MP_IPV4_UNICAST;
	o.caps.as4 = 1;
	o.caps.as4_value = conf->local_as;
	o.caps.route_refresh = 1;
	gr_open_caps(p->d, &o.caps);
	wbuf_init(&w, mem, sizeof(mem));
	bgp_open_encode(&w, &o);
	conn_send(c, &w, BGP_OPEN);
}

static void
conn_send_keepalive(struct conn *c)
{
	uint8_t mem[BGP_HDR_LEN];
	struct wbuf w;

	wbuf_init(&w, mem, sizeof(mem));
	bgp_keepalive_encode(&w);
	conn_send(c, &w, BGP_KEEPALIVE);
}

/* ---- session up and down --------------------------------------------- */

/* RFC 4271 §10: ConnectRetry and friends are jittered to 75-100 %. */
static void
peer_schedule_connect(struct peer *p, unsigned secs)
{
	uint64_t ms = (uint64_t)secs * (750 + arc4random_uniform(251));
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) *
	    1000 };

	evtimer_del(p->t_connect);
	evtimer_add(p->t_connect, &tv);
}


/* ---- graceful restart, RFC 4724 and RFC 8538 ------------------------- */

/* Did the session (OpenConfirm or later) negotiate graceful restart? */
static int
gr_negotiated(const struct peer *p)
{
	return p->d->conf->gr.enabled && p->state >= ST_OPENCONFIRM &&
	    p->ropen.caps.gr;
}

/*
 * RFC 8538 §3: with the N bit on both sides, a NOTIFICATION other than
 * Cease/Hard Reset ends the session gracefully; without it, only a lost
 * connection (or an expired hold timer) does.
 */
static int
gr_notify_graceful(const struct peer *p, uint8_t code, uint8_t subcode)
{
	if (code == ERR_CEASE && subcode == ERR_CEASE_HARD_RESET)
		return 0;
	if (code == ERR_HOLDTIMER)
		return 1;
	/* A new session failed while the routes wait: the timer decides. */
	if (p->state < ST_OPENCONFIRM)
		return p->gr_phase == GR_RESTART;
	return gr_negotiated(p) && (p->ropen.caps.gr_flags & GR_F_NOTIFY);
}

static void
gr_end(struct peer *p)
{
	evtimer_del(p->t_gr);
	p->gr_phase = GR_NONE;
}

/* Withdraw the stale routes of the families the neighbor did not keep. */
static void
gr_sweep_families(struct peer *p, uint32_t keep)
{
	if (!(keep & BGP_MP_IPV4_UNICAST))
		rib_source_sweep_stale(p->d->rib, &p->src, AF_INET);
	if (!(keep & BGP_MP_IPV6_UNICAST))
		rib_source_sweep_stale(p->d->rib, &p->src, AF_INET6);
}

/*
 * RFC 4724 §4.2: the session with a neighbor that announced graceful
 * restart went down gracefully.  Keep its routes of the families its
 * capability listed, marked stale, in the Loc-RIB (and the kernel) for its
 * Restart Time.  Returns 0 if nothing is kept.
 */
static int
gr_retain(struct peer *p)
{
	const struct bgp_caps *rc = &p->ropen.caps;

	if (!gr_negotiated(p) || rc->gr_time == 0)
		return 0;
	rib_source_mark_stale(p->d->rib, &p->src, 0);
	gr_sweep_families(p, rc->gr_afs);
	if (p->src.nstale == 0)
		return 0;
	log_info("neighbor %s: graceful restart: keeping %zu routes as stale "
	    "for %u s", p->name, p->src.nstale, rc->gr_time);
	p->gr_phase = GR_RESTART;
	timer_set(p->t_gr, rc->gr_time);
	return 1;
}

/*
 * The session is gone.  Graceful: routes kept (or still kept, while a new
 * session is being opened); otherwise they leave the Loc-RIB now.
 */
static void
gr_session_lost(struct peer *p, int was_up, int graceful)
{
	if (graceful && was_up && gr_retain(p))
		return;
	if (graceful && !was_up && p->gr_phase == GR_RESTART)
		return;		/* the restart timer runs on */
	gr_end(p);
	rib_flush_source(p->d->rib, &p->src);
}

/*
 * RFC 4724 §4.2: the neighbor is back.  Families without the capability
 * or its F bit in the new OPEN lose their stale routes at once; the rest
 * wait for End-of-RIB, at most stale-time.
 */
static void
gr_reestablished(struct peer *p)
{
	const struct bgp_caps *rc = &p->ropen.caps;

	if (p->gr_phase == GR_NONE)
		return;
	evtimer_del(p->t_gr);
	gr_sweep_families(p, rc->gr ? rc->gr_fwd : 0);
	if (p->src.nstale == 0) {
		gr_end(p);
		return;
	}
	p->gr_phase = GR_STALE;
	timer_set(p->t_gr, p->d->conf->gr.stale_time);
}

/* End-of-RIB for the families in mask: what is still stale there goes. */
static void
gr_eor(struct peer *p, uint32_t mask)
{
	size_t n;

	if (p->gr_phase != GR_STALE)
		return;
	n = 0;
	if (mask & BGP_MP_IPV4_UNICAST)
		n += rib_source_sweep_stale(p->d->rib, &p->src, AF_INET);
	if (mask & BGP_MP_IPV6_UNICAST)
		n += rib_source_sweep_stale(p->d->rib, &p->src, AF_INET6);
	log_info("neighbor %s: graceful restart: End-of-RIB, %zu stale "
	    "routes removed", p->name, n);
	if (p->src.nstale == 0)
		gr_end(p);
}

/* Restart Time (down) or stale-time (back) is over: the stale go. */
static void
gr_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct peer *p = arg;
	size_t n;

	n = rib_source_sweep_stale(p->d->rib, &p->src, 0);
	log_warnx("neighbor %s: graceful restart: %s, %zu stale routes "
	    "removed", p->name, p->gr_phase == GR_RESTART ? "not back within "
	    "its restart time" : "no End-of-RIB within stale-time", n);
	gr_end(p);
}

/*
 * The session is gone (error, NOTIFICATION, close).  Unless it ended
 * gracefully (RFC 4724), its routes leave the Loc-RIB (and so the kernel
 * and the other neighbors).  A new attempt is scheduled after the idle
 * hold time, which backs off while sessions keep failing before they reach
 * Established.
 */
static void
session_down(struct peer *p, const char *why, int graceful)
{
	int was_up = p->state == ST_ESTABLISHED;

	if (why != NULL)
		log_warnx("neighbor %s: session closed: %s", p->name, why);
	conn_close(p->conn);
	conn_close(p->coll);
	p->conn = p->coll = NULL;
	evtimer_del(p->t_hold);
	evtimer_del(p->t_keepalive);
	evtimer_del(p->t_drain);
	/*
	 * At a daemon stop the routes stay in the kernel (persist): flushing
	 * them here would make kr/ delete them.
	 */
	if (!p->d->stopping)
		gr_session_lost(p, was_up, graceful);
	if (was_up) {
		p->stats.flaps++;
		rib_out_stop(p->out);
		p->idle_hold = p->conf.connect_retry;
	} else if (p->idle_hold < IDLE_HOLD_MAX)
		p->idle_hold = p->idle_hold * 2 > IDLE_HOLD_MAX ?
		    IDLE_HOLD_MAX : p->idle_hold * 2;
	pfxset_clear(&p->rejected);
	p->eor_sent = p->eor_rcvd = 0;
	p->refresh_pending = 0;
	peer_set_state(p, ST_IDLE);
	if (!p->d->stopping)
		peer_schedule_connect(p, p->idle_hold);
}

/*
 * c failed or was closed by the neighbor.  With two connections open (§6.8)
 * the neighbor may have resolved the collision first: the session goes on
 * over the other one.  Returns 1 if it does, 0 if the session is lost.
 */
static int
conn_lost(struct peer *p, struct conn *c)
{
	if (c == p->coll) {
		conn_close(c);
		p->coll = NULL;
		return 1;
	}
	if (p->coll == NULL || (p->state != ST_CONNECT &&
	    p->state != ST_OPENSENT))
		return 0;
	conn_close(c);
	p->conn = p->coll;
	p->coll = NULL;
	peer_set_state(p, ST_OPENSENT);
	evtimer_del(p->t_connect);
	timer_set(p->t_hold, OPEN_HOLD_TIME);
	return 1;
}

/* A protocol error on c: NOTIFICATION, then drop it (§6). */
static void
conn_error(struct conn *c, const struct bgp_err *err)
{
	struct peer *p = c->p;

	conn_send_notify(c, err->code, err->subcode, err->data, err->datalen);
	if (!conn_lost(p, c))
		session_down(p, NULL, gr_notify_graceful(p, err->code,
		    err->subcode));
}

/*
 * Our next hops on this session (RFC 4271 §5.1.3): the session's own
 * address for its family; for IPv6 routes over IPv4, next-hop-v6; for IPv4
 * routes over IPv6, the session's address if extended next hop was
 * negotiated (RFC 8950 §4).  af 0: our routes of that family are not sent.
 */
static void
peer_nexthops(struct peer *p, struct wr_addr *v4, struct wr_addr *v6)
{
	const struct wr_addr *local = &p->conn->local;

	memset(v4, 0, sizeof(*v4));
	memset(v6, 0, sizeof(*v6));
	if (local->af == AF_INET)
		*v4 = *local;
	else if (local->af == AF_INET6) {
		*v6 = *local;
		if (p->ctx.ext_nh & BGP_MP_IPV4_UNICAST)
			*v4 = *local;
	}
	if (v6->af == 0)
		*v6 = p->conf.next_hop_v6;
	if (v6->af == 0 && (p->ctx.mp & BGP_MP_IPV6_UNICAST))
		log_info("neighbor %s: IPv4 session without next-hop-v6: "
		    "our IPv6 routes are not sent", p->name);
	/* RFC 4760 §8: nothing of a family that was not negotiated */
	if (!(p->ctx.mp & BGP_MP_IPV4_UNICAST))
		memset(v4, 0, sizeof(*v4));
	if (!(p->ctx.mp & BGP_MP_IPV6_UNICAST))
		memset(v6, 0, sizeof(*v6));
}

static void
peer_established(struct peer *p)
{
	struct wr_addr nh4, nh6;

	peer_set_state(p, ST_ESTABLISHED);
	p->idle_hold = p->conf.connect_retry;
	p->last_error[0] = '\0';
	p->src.bgp_id = p->ropen.bgp_id;
	gr_reestablished(p);
	peer_nexthops(p, &nh4, &nh6);
	rib_out_start(p->out, &nh4, &nh6);
	hold_timer_restart(p);
	/* The whole table is queued now; the drain event sends it. */
	event_active(p->t_drain, EV_TIMEOUT, 0);
}

static void
hold_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct peer *p = arg;
	struct bgp_err err = { .code = ERR_HOLDTIMER };

	if (p->conn == NULL)
		return;
	conn_error(p->conn, &err);
}

static void
keepalive_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct peer *p = arg;

	if (p->conn == NULL || p->keepalive == 0)
		return;
	conn_send_keepalive(p->conn);
	timer_set(p->t_keepalive, p->keepalive);
}

static void
hold_timer_restart(struct peer *p)
{
	/* RFC 4271 §4.2: a hold time of zero means no timers at all. */
	if (p->hold_time > 0)
		timer_set(p->t_hold, p->hold_time);
	else
		evtimer_del(p->t_hold);
}

/* ---- collision detection, RFC 4271 §6.8 ------------------------------ */

/*
 * Which of the two connections survives, once the neighbor's identifier is
 * known.  §6.8: the one initiated by the speaker with the higher BGP
 * identifier.  A connection still in Connect cannot take part in collision
 * detection: the established one wins.  RFC 6286 §2.3: with equal
 * identifiers, the one initiated by the speaker with the larger AS.
 */
static struct conn *
collision_winner(struct peer *p, uint32_t remote_id)
{
	struct conn *in, *out;
	uint32_t local_id = p->d->conf->router_id;

	in = p->conn->outbound ? p->coll : p->conn;
	out = p->conn->outbound ? p->conn : p->coll;
	if (!out->connected)
		return in;
	if (local_id != remote_id)
		return local_id < remote_id ? in : out;
	return p->d->conf->local_as > p->conf.remote_as ? out : in;
}

static void
collision_resolve(struct peer *p, uint32_t remote_id)
{
	struct conn *keep, *drop;

	keep = collision_winner(p, remote_id);
	drop = keep == p->conn ? p->coll : p->conn;
	log_info("neighbor %s: connection collision, keeping the %s one",
	    p->name, keep->outbound ? "outgoing" : "incoming");
	if (drop->connected)
		conn_send_notify(drop, ERR_CEASE, ERR_CEASE_COLLISION, NULL, 0);
	conn_close(drop);
	p->coll = NULL;
	if (keep != p->conn) {
		/* The incoming one was still waiting for an OPEN. */
		p->conn = keep;
		peer_set_state(p, ST_OPENSENT);
		evtimer_del(p->t_keepalive);
		evtimer_del(p->t_connect);
		timer_set(p->t_hold, OPEN_HOLD_TIME);
	}
}

/* ---- message handling ------------------------------------------------ */

static int
open_check(struct peer *p, const struct bgp_open *o, struct bgp_err *err)
{
	uint32_t ras = o->caps.as4 ? o->caps.as4_value : o->my_as;

	memset(err, 0, sizeof(*err));
	if (ras != p->conf.remote_as) {
		err->code = ERR_OPEN;
		err->subcode = ERR_OPEN_AS;
		log_warnx("neighbor %s: OPEN with AS %u, expected %u", p->name,
		    ras, p->conf.remote_as);
		return -1;
	}
	/* RFC 6286 §2.1: within an AS the identifiers must differ. */
	if (ras == p->d->conf->local_as && o->bgp_id == p->d->conf->router_id) {
		err->code = ERR_OPEN;
		err->subcode = ERR_OPEN_BGPID;
		return -1;
	}
	return 0;
}

/*
 * RFC 4760 §8: a family is carried if both sides announced it; no
 * multiprotocol capability at all means IPv4 unicast only.  RFC 8950 §3:
 * IPv6 next hops for IPv4 NLRI if both announced extended next hop.
 */
static void
peer_negotiate_families(struct peer *p, const struct bgp_caps *rc)
{
	uint32_t theirs = rc->mp != 0 ? rc->mp : BGP_MP_IPV4_UNICAST;

	p->ctx.mp = theirs & p->conf.families &
	    (BGP_MP_IPV4_UNICAST | BGP_MP_IPV6_UNICAST);
	p->eor_rcvd_mp = 0;
	p->ctx.ext_nh = rc->ext_nh & p->ctx.mp & BGP_MP_IPV4_UNICAST;
	if (p->ctx.mp == 0)
		log_warnx("neighbor %s: no address family in common",
		    p->name);
	log_debug("neighbor %s: families%s%s%s", p->name,
	    (p->ctx.mp & BGP_MP_IPV4_UNICAST) ? " ipv4" : "",
	    (p->ctx.mp & BGP_MP_IPV6_UNICAST) ? " ipv6" : "",
	    p->ctx.ext_nh ? ", extended next hop" : "");
}

static void
open_negotiate(struct peer *p, const struct bgp_open *o)
{
	uint16_t hold = p->conf.hold_time;

	/* RFC 4271 §4.2: the smaller of the two hold times. */
	if (o->holdtime < hold)
		hold = o->holdtime;
	p->hold_time = hold;
	p->keepalive = hold / 3;
	if (p->conf.keepalive != 0 && p->conf.keepalive < p->keepalive)
		p->keepalive = p->conf.keepalive;
	p->ropen = *o;
	p->ctx.as4 = o->caps.as4;
	p->ctx.ebgp = p->src.ebgp;
	peer_negotiate_families(p, &o->caps);
}

static void
recv_open(struct conn *c, struct ibuf *b)
{
	struct peer *p = c->p;
	struct bgp_open o;
	struct bgp_err err;

	if (bgp_open_parse(b, &o, &err) == -1 || open_check(p, &o, &err) == -1) {
		conn_error(c, &err);
		return;
	}
	/* §8.2.2: an OPEN is only expected in OpenSent (or on coll). */
	if (c == p->conn && p->state != ST_OPENSENT) {
		memset(&err, 0, sizeof(err));
		err.code = ERR_FSM;
		conn_error(c, &err);
		return;
	}
	if (p->coll != NULL) {
		collision_resolve(p, o.bgp_id);
		if (p->conn != c)
			return;		/* c lost; the other one goes on */
	}
	open_negotiate(p, &o);
	conn_send_keepalive(c);
	peer_set_state(p, ST_OPENCONFIRM);
	hold_timer_restart(p);
	if (p->keepalive > 0)
		timer_set(p->t_keepalive, p->keepalive);
}

/*
 * The initial sync is done: the routes adopted from a previous run that
 * nobody re-announced are stale, kr/ removes them now instead of at the end
 * of its grace time; and a restarted wrend, its route selection done, sends
 * the End-of-RIB it deferred (RFC 4724 §4.1).
 */
static void
peer_sync_done(struct wrend *d, const char *why)
{
	struct peer *p;

	d->initial_sync_done = 1;
	if (d->ev_eor_wait != NULL)
		evtimer_del(d->ev_eor_wait);
	log_info("%s: initial sync done", why);
	kr_adopt_done(d->kr);
	for (p = d->peers; p != NULL; p = p->next)
		drain_kick(p);
}

/* Once every configured neighbor has sent its table (RFC 4724 §2). */
static void
peer_check_initial_sync(struct wrend *d)
{
	struct peer *p;

	if (d->initial_sync_done)
		return;
	for (p = d->peers; p != NULL; p = p->next)
		if (!p->admin_down && !p->eor_rcvd)
			return;
	peer_sync_done(d, "all neighbors sent End-of-RIB");
}

/*
 * RFC 4724 §4.1 selection deferral, bounded by eor-wait: a neighbor that is
 * down, or restarting too (and so deferring its own End-of-RIB), holds
 * nothing back for longer.
 */
static void
peer_eor_wait_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct wrend *d = arg;
	struct peer *p;

	if (d->initial_sync_done)
		return;
	for (p = d->peers; p != NULL; p = p->next)
		if (!p->admin_down && !p->eor_rcvd)
			log_info("neighbor %s: no End-of-RIB within eor-wait",
			    p->name);
	peer_sync_done(d, "eor-wait over");
}

void
peer_sync_start(struct wrend *d)
{
	d->ev_eor_wait = evtimer_new(d->base, peer_eor_wait_cb, d);
	if (d->ev_eor_wait == NULL)
		fatalx("evtimer_new");
	timer_set(d->ev_eor_wait, d->conf->gr.eor_wait);
	peer_check_initial_sync(d);
}

/*
 * Why an otherwise valid announcement is not accepted, or NULL.
 * RFC 4271 §9.1.2: our own AS in the path is a loop; §5.1.3: a next hop
 * that is our own address on the session is unusable.
 */
static const char *
update_reject_reason(struct peer *p, const struct rib_attrs *a)
{
	if (aspath_contains(a->aspath, a->aspath_len, p->d->conf->local_as))
		return "AS path loop";
	if (addr_cmp(&a->nexthop, &p->conn->local) == 0 ||
	    (p->conf.next_hop_v6.af != 0 &&
	    addr_cmp(&a->nexthop, &p->conf.next_hop_v6) == 0))
		return "next hop is our own address";
	/* RFC 2545 §3: a link-local next hop needs the interface (TODO) */
	if (a->nexthop.af == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&a->nexthop.v6))
		return "link-local next hop";
	/* RFC 7606 §7.2 (RFC 4271 §6.3): eBGP path must start with its AS. */
	if (p->src.ebgp &&
	    aspath_first_as(a->aspath, a->aspath_len) != p->conf.remote_as)
		return "first AS is not the neighbor's";
	return NULL;
}

static void
update_withdraw_all(struct peer *p, const struct wr_prefix *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		pfxset_del(&p->rejected, &v[i]);
		rib_withdraw(p->d->rib, &p->src, &v[i]);
	}
}

/* Take the n prefixes of v with attributes t, or reject them all. */
static void
update_announce_run(struct peer *p, const struct rib_attrs *t,
    const struct wr_prefix *v, size_t n)
{
	const struct rib_attrs *a;
	const char *why;
	size_t i;

	if ((why = update_reject_reason(p, t)) != NULL) {
		p->stats.loops += n;
		log_debug("neighbor %s: %zu prefixes rejected: %s", p->name,
		    n, why);
		for (i = 0; i < n; i++) {
			rib_withdraw(p->d->rib, &p->src, &v[i]);
			if (pfxset_add(&p->rejected, &v[i]) == -1)
				log_warnx("neighbor %s: out of memory", p->name);
		}
		return;
	}
	if ((a = rib_attrs_intern(t)) == NULL) {
		log_warnx("neighbor %s: out of memory for attributes", p->name);
		return;
	}
	for (i = 0; i < n; i++) {
		if (p->rejected.count > 0)
			pfxset_del(&p->rejected, &v[i]);
		if (rib_update(p->d->rib, &p->src, &v[i], a) == -1)
			log_warnx("neighbor %s: out of memory", p->name);
	}
	rib_attrs_unref(a);
}

/*
 * RFC 4760 §3: the prefixes of MP_REACH_NLRI (first in u->nlri) have its
 * next hop; those of the NLRI field that of NEXT_HOP.
 */
static void
update_announce(struct peer *p, struct bgp_update *u)
{
	struct rib_attrs t;
	size_t nmp = u->nmp_nlri;

	p->stats.prefixes_in += u->nnlri;
	if (nmp > 0) {
		t = u->attrs;
		t.nexthop = u->mp_nexthop;
		update_announce_run(p, &t, u->nlri, nmp);
	}
	if (u->nnlri > nmp)
		update_announce_run(p, &u->attrs, u->nlri + nmp,
		    u->nnlri - nmp);
}

/*
 * End-of-RIB (RFC 4724 §2) for the families in mask.  The neighbor has
 * sent its table once every family carried has had one.
 */
static void
update_eor(struct peer *p, uint32_t mask)
{
	mask &= p->ctx.mp;
	if (mask == 0)
		return;
	p->eor_rcvd_mp |= mask;
	log_debug("neighbor %s: End-of-RIB received for%s%s", p->name,
	    (mask & BGP_MP_IPV4_UNICAST) ? " ipv4" : "",
	    (mask & BGP_MP_IPV6_UNICAST) ? " ipv6" : "");
	gr_eor(p, mask);
	if ((p->eor_rcvd_mp & p->ctx.mp) == p->ctx.mp) {
		p->eor_rcvd = 1;
		peer_check_initial_sync(p->d);
	}
}

static void
recv_update(struct conn *c, struct ibuf *b)
{
	struct peer *p = c->p;
	struct bgp_update *u = p->upd;
	struct bgp_err err;

	if (p->state != ST_ESTABLISHED) {
		memset(&err, 0, sizeof(err));
		err.code = ERR_FSM;
		conn_error(c, &err);
		return;
	}
	if (bgp_update_parse(b, &p->ctx, u, &err) == -1) {
		conn_error(c, &err);
		return;
	}
	p->stats.updates_in++;
	p->stats.withdraws_in += u->nwithdrawn;
	update_withdraw_all(p, u->withdrawn, u->nwithdrawn);
	if (u->end_of_rib != 0)
		update_eor(p, (uint32_t)u->end_of_rib);
	if (u->nnlri == 0)
		return;
	if (u->treat_as_withdraw) {
		/* RFC 7606 §2: the session stays, the routes go. */
		p->stats.treat_as_withdraw++;
		log_warnx("neighbor %s: malformed attributes, %zu prefixes "
		    "treated as withdrawn (RFC 7606)", p->name, u->nnlri);
		update_withdraw_all(p, u->nlri, u->nnlri);
		return;
	}
	update_announce(p, u);
}

static void
recv_notification(struct conn *c, struct ibuf *b)
{
	struct peer *p = c->p;
	struct bgp_notify n;
	char why[96];

	if (bgp_notify_parse(b, &n) == -1) {
		n.code = 0;
		n.subcode = 0;
	}
	bgp_err_str(n.code, n.subcode, why, sizeof(why));
	log_warnx("neighbor %s: received NOTIFICATION %s", p->name, why);
	/* RFC 4271 §8.2.2: a NOTIFICATION ends the connection it came on. */
	if (conn_lost(p, c))
		return;
	snprintf(p->last_error, sizeof(p->last_error), "received: %s", why);
	session_down(p, NULL, gr_notify_graceful(p, n.code, n.subcode));
}

static void
recv_keepalive(struct conn *c, struct ibuf *b)
{
	struct peer *p = c->p;
	struct bgp_err err;

	if (bgp_keepalive_parse(b, &err) == -1) {
		conn_error(c, &err);
		return;
	}
	if (c == p->coll || (p->state != ST_OPENCONFIRM &&
	    p->state != ST_ESTABLISHED)) {
		memset(&err, 0, sizeof(err));
		err.code = ERR_FSM;
		conn_error(c, &err);
		return;
	}
	if (p->state == ST_OPENCONFIRM)
		peer_established(p);
}

static void
recv_refresh(struct conn *c, struct ibuf *b)
{
	struct peer *p = c->p;
	struct bgp_rrefresh rr;
	struct bgp_err err;

	if (bgp_rrefresh_parse(b, &rr, &err) == -1) {
		conn_error(c, &err);
		return;
	}
	/* RFC 4271 §8.2.2: anything but OPEN before Established. */
	if (c != p->conn || p->state != ST_ESTABLISHED) {
		memset(&err, 0, sizeof(err));
		err.code = ERR_FSM;
		conn_error(c, &err);
		return;
	}
	/*
	 * RFC 7313 §5: unknown subtypes, and families we do not carry, are
	 * ignored; only a plain request makes us re-send.
	 */
	if (rr.subtype != RREFRESH_NORMAL ||
	    !(bgp_afi_safi_mp(rr.afi, rr.safi) & p->ctx.mp))
		return;
	/*
	 * RFC 2918 §4: re-advertise the Adj-RIB-Out.  Requests that arrive
	 * while one is pending are one request: no amplification.
	 */
	if (p->refresh_pending)
		return;
	log_info("neighbor %s: route refresh requested", p->name);
	p->refresh_pending = 1;
	event_active(p->t_drain, EV_TIMEOUT, 0);
}

typedef void (*recv_fn)(struct conn *, struct ibuf *);

static const recv_fn recv_table[] = {
	[BGP_OPEN] = recv_open,
	[BGP_UPDATE] = recv_update,
	[BGP_NOTIFICATION] = recv_notification,
	[BGP_KEEPALIVE] = recv_keepalive,
	[BGP_ROUTE_REFRESH] = recv_refresh,
};

/*
 * Take one whole message off the input buffer, if there is one.
 * Returns 1 if a message was handled and the connection still exists,
 * 0 if more bytes are needed, -1 if the connection is gone.
 */
static int
conn_read_one(struct conn *c)
{
	struct peer *p = c->p;
	struct evbuffer *in = bufferevent_get_input(c->bev);
	uint8_t hdr[BGP_HDR_LEN], type;
	uint16_t len;
	struct bgp_err err;
	struct ibuf b;
	uint8_t *msg;

	if (evbuffer_copyout(in, hdr, sizeof(hdr)) < (ssize_t)sizeof(hdr))
		return 0;
	if (bgp_hdr_parse(hdr, &type, &len, &err) == -1) {
		conn_error(c, &err);
		return -1;
	}
	if (evbuffer_get_length(in) < len)
		return 0;
	if ((msg = evbuffer_pullup(in, len)) == NULL)
		fatalx("evbuffer_pullup");
	p->stats.msg_in[type]++;
	/* §8.2.2: every message in OpenConfirm/Established restarts it. */
	if (c == p->conn && p->state >= ST_OPENCONFIRM)
		hold_timer_restart(p);
	ibuf_init(&b, msg + BGP_HDR_LEN, len - BGP_HDR_LEN);
	recv_table[type](c, &b);
	/* The handler may have freed c (and p's connections). */
	if (c != p->conn && c != p->coll)
		return -1;
	evbuffer_drain(in, len);
	return 1;
}

static void
conn_read_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	while (conn_read_one(c) == 1)
		;
}

static void
conn_write_cb(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	if (c == c->p->conn && c->p->state == ST_ESTABLISHED)
		peer_drain(c->p);
}

static void
conn_connected(struct conn *c)
{
	struct peer *p = c->p;

	c->connected = 1;
	conn_learn_local(c);
	log_debug("neighbor %s: connected", p->name);
	evtimer_del(p->t_connect);
	conn_send_open(c);
	peer_set_state(p, ST_OPENSENT);
	timer_set(p->t_hold, OPEN_HOLD_TIME);
}

static void
conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;
	struct peer *p = c->p;

	if (what & BEV_EVENT_CONNECTED) {
		conn_connected(c);
		return;
	}
	if (conn_lost(p, c))
		return;
	if (p->state == ST_CONNECT) {
		/* RFC 4271 §8.2.2: connect failed; retry on ConnectRetry. */
		log_debug("neighbor %s: connect failed: %s", p->name,
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
		conn_free(c);
		p->conn = NULL;
		peer_set_state(p, ST_ACTIVE);
		peer_schedule_connect(p, p->conf.connect_retry);
		return;
	}
	snprintf(p->last_error, sizeof(p->last_error), "connection %s",
	    (what & BEV_EVENT_EOF) ? "closed by neighbor" : "error");
	/* RFC 4724 §4.2: a lost connection is a graceful restart. */
	session_down(p, p->last_error, 1);
}

/* ---- export ------------------------------------------------------------ */

/* Was the family of prefixes of af negotiated (RFC 4760 §8)? */
static int
peer_carries(const struct peer *p, uint8_t af)
{
	if (af == AF_INET)
		return (p->ctx.mp & BGP_MP_IPV4_UNICAST) != 0;
	if (af == AF_INET6)
		return (p->ctx.mp & BGP_MP_IPV6_UNICAST) != 0;
	return 0;
}

/*
 * The length of the leading run of prefixes of one family in v, after
 * skipping (and counting in *skip) those of families this session does not
 * carry: they are not for this neighbor.
 */
static size_t
drain_run(const struct peer *p, const struct wr_prefix *v, size_t n,
    size_t *skip)
{
	size_t i, j;

	for (i = 0; i < n && !peer_carries(p, v[i].addr.af); i++)
		;
	for (j = i; j < n && v[j].addr.af == v[i].addr.af; j++)
		;
	*skip = i;
	return j - i;
}

/*
 * Send v as UPDATEs: announcements with attributes a, or withdrawals when a
 * is NULL.  Each message takes as many prefixes as fit in BGP_MAX_LEN.
 */
static void
drain_send(struct peer *p, const struct rib_attrs *a,
    const struct wr_prefix *v, size_t n)
{
	uint8_t mem[BGP_MAX_LEN];
	struct wbuf w;
	size_t done, skip, run;

	while (n > 0) {
		run = drain_run(p, v, n, &skip);
		v += skip;
		n -= skip;
		if (run == 0)
			break;
		wbuf_init(&w, mem, sizeof(mem));
		done = a == NULL ? bgp_update_encode_withdraw(&w, v, run) :
		    bgp_update_encode_announce(&w, a, &p->ctx, v, run);
		if (done == 0) {
			/*
			 * No next hop usable for the family (RFC 8950
			 * not negotiated), or attributes too large: skip.
			 */
			log_warnx("neighbor %s: cannot encode %zu prefixes",
			    p->name, run);
			done = run;
		} else {
			conn_send(p->conn, &w, BGP_UPDATE);
			p->stats.updates_out++;
		}
		v += done;
		n -= done;
	}
}

static int
drain_withdraw(void *arg, const struct wr_prefix *v, size_t n)
{
	drain_send(arg, NULL, v, n);
	return 0;
}

static int
drain_announce(void *arg, const struct rib_attrs *a,
    const struct wr_prefix *v, size_t n)
{
	drain_send(arg, a, v, n);
	return 0;
}

/*
 * RFC 4724 §2: End-of-RIB for each family carried: an empty UPDATE for
 * IPv4 unicast, an empty MP_UNREACH_NLRI for IPv6 unicast.
 */
static void
peer_send_eor(struct peer *p)
{
	uint8_t mem[32];
	struct wbuf w;

	if (p->ctx.mp & BGP_MP_IPV4_UNICAST) {
		wbuf_init(&w, mem, sizeof(mem));
		bgp_update_encode_eor(&w);
		conn_send(p->conn, &w, BGP_UPDATE);
	}
	if (p->ctx.mp & BGP_MP_IPV6_UNICAST) {
		wbuf_init(&w, mem, sizeof(mem));
		bgp_update_encode_eor_mp(&w, AFI_IPV6, SAFI_UNICAST);
		conn_send(p->conn, &w, BGP_UPDATE);
	}
}

static void
peer_drain(struct peer *p)
{
	struct rib_out_cb cb = { drain_withdraw, drain_announce, p };
	struct evbuffer *out;

	if (p->conn == NULL || p->state != ST_ESTABLISHED)
		return;
	if (p->refresh_pending) {
		p->refresh_pending = 0;
		rib_out_refresh(p->out);
	}
	out = bufferevent_get_output(p->conn->bev);
	while (evbuffer_get_length(out) < DRAIN_HIGH &&
	    rib_out_pending(p->out) > 0)
		rib_out_drain(p->out, &cb, DRAIN_BATCH);
	/*
	 * RFC 4724 §2: the initial table is complete.  §4.1: a restarted
	 * wrend says so once its own initial sync is done.
	 */
	if (rib_out_pending(p->out) == 0 && !p->eor_sent &&
	    (!p->d->gr_restarting || p->d->initial_sync_done)) {
		peer_send_eor(p);
		p->eor_sent = 1;
	}
}

static void
drain_cb(evutil_socket_t fd, short ev, void *arg)
{
	peer_drain(arg);
}

static void
drain_kick(void *arg)
{
	struct peer *p = arg;

	if (p->state == ST_ESTABLISHED)
		event_active(p->t_drain, EV_TIMEOUT, 0);
}

size_t
peer_prefixes_sent(const struct peer *p)
{
	return rib_out_sent_count(p->out);
}

/* ---- connecting -------------------------------------------------------- */

static void
peer_connect(struct peer *p)
{
	struct sockaddr_storage ss;
	socklen_t slen;
	int fd;

	if (addr_to_sockaddr(&p->conf.addr, p->conf.port, &ss, &slen) == -1)
		return;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1) {
		log_warn("neighbor %s: socket", p->name);
		peer_schedule_connect(p, p->conf.connect_retry);
		return;
	}
	if ((p->conn = conn_new(p, fd, 1)) == NULL) {
		close(fd);
		peer_schedule_connect(p, p->conf.connect_retry);
		return;
	}
	peer_set_state(p, ST_CONNECT);
	/* §8.2.2: a connect that hangs is abandoned on ConnectRetry. */
	peer_schedule_connect(p, p->conf.connect_retry);
	if (bufferevent_socket_connect(p->conn->bev, (struct sockaddr *)&ss,
	    (int)slen) == -1) {
		conn_free(p->conn);
		p->conn = NULL;
		peer_set_state(p, ST_ACTIVE);
		peer_schedule_connect(p, p->conf.connect_retry);
	}
}

static void
connect_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct peer *p = arg;

	if (p->state == ST_CONNECT && p->conn != NULL && !p->conn->connected) {
		/* RFC 4271 §8.2.2: ConnectRetry expired in Connect. */
		log_debug("neighbor %s: connect timed out", p->name);
		conn_close(p->conn);
		p->conn = NULL;
		if (p->coll != NULL) {
			p->conn = p->coll;
			p->coll = NULL;
			peer_set_state(p, ST_OPENSENT);
			timer_set(p->t_hold, OPEN_HOLD_TIME);
			return;
		}
	}
	if (p->conn != NULL)
		return;
	if (p->conf.passive) {
		peer_set_state(p, ST_ACTIVE);
		return;
	}
	peer_connect(p);
}

/* ---- accepting --------------------------------------------------------- */

/* c, from the neighbor, becomes the session's connection (§8.2.2). */
static void
peer_adopt(struct peer *p, struct conn *c)
{
	evtimer_del(p->t_connect);
	evtimer_del(p->t_keepalive);
	p->conn = c;
	conn_send_open(c);
	peer_set_state(p, ST_OPENSENT);
	timer_set(p->t_hold, OPEN_HOLD_TIME);
}

/* A connection from the neighbor while a session is being opened. */
static void
peer_accept_opening(struct peer *p, struct conn *c)
{
	if (!p->conn->outbound) {
		/*
		 * A second incoming connection: the neighbor gave up on the
		 * first (it restarted behind a half-open one).  The newer
		 * one is the live one.
		 */
		conn_close(p->conn);
		conn_close(p->coll);
		p->coll = NULL;
		peer_adopt(p, c);
		return;
	}
	conn_close(p->coll);
	/*
	 * Our own attempt may already be accepted at the far end even while
	 * we wait for it to complete, so it cannot simply be dropped: keep
	 * both until the identifier is known, then apply §6.8, which both
	 * sides compute alike.
	 */
	p->coll = c;
	conn_send_open(c);
	if (p->state == ST_OPENCONFIRM)
		collision_resolve(p, p->ropen.bgp_id);
}

static void
peer_accept(struct peer *p, int fd)
{
	struct conn *c;

	if ((c = conn_new(p, fd, 0)) == NULL) {
		close(fd);
		return;
	}
	conn_learn_local(c);
	if (p->admin_down) {
		/* RFC 4486 §3: refused while administratively down. */
		conn_send_notify(c, ERR_CEASE, ERR_CEASE_CONN_REJECT, NULL, 0);
		conn_close(c);
		return;
	}
	switch (p->state) {
	case ST_IDLE:
	case ST_ACTIVE:
		peer_adopt(p, c);
		return;
	case ST_CONNECT:
	case ST_OPENSENT:
	case ST_OPENCONFIRM:
		peer_accept_opening(p, c);
		return;
	case ST_ESTABLISHED:
		break;
	}
	/* §6.8: a collision with an established session keeps the old one. */
	conn_send_notify(c, ERR_CEASE, ERR_CEASE_COLLISION, NULL, 0);
	conn_close(c);
}

static void
listener_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct listener *ls = arg;
	struct wr_addr a = { 0 };
	struct peer *p;
	char buf[WR_ADDRSTRLEN];
	time_t now = time(NULL);

	if (addr_from_sockaddr(sa, &a, NULL) == -1 ||
	    (p = peer_find(ls->d, &a)) == NULL || ls->d->stopping) {
		/* Unknown sources are refused; the log line is rate limited. */
		if (now != ls->last_refused_log)
			log_warnx("refused connection from %s: not a "
			    "configured neighbor", addr_ntop(&a, buf,
			    sizeof(buf)));
		ls->last_refused_log = now;
		close(fd);
		return;
	}
	peer_accept(p, fd);
}

static int
listener_socket(const struct wr_addr *a, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t slen;
	struct wr_addr any;
	int fd, on = 1, off = 0;

	memset(&any, 0, sizeof(any));
	any.af = AF_INET6;
	if (addr_to_sockaddr(addr_is_set(a) ? a : &any, port, &ss, &slen) == -1)
		return -1;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	/* One socket serves both families when listening on all addresses. */
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, addr_is_set(a) ? &on :
		    &off, sizeof(off));
	if (bind(fd, (struct sockaddr *)&ss, slen) == -1 ||
	    listen(fd, 128) == -1) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/*
 * accept() failed, typically EMFILE: stop accepting for a second instead
 * of spinning on a socket that stays readable.
 */
static void
listener_error_cb(struct evconnlistener *l, void *arg)
{
	struct listener *ls = arg;
	struct timeval tv = { 1, 0 };
	time_t now = time(NULL);

	if (now != ls->last_error_log)
		log_warn("accept");
	ls->last_error_log = now;
	evconnlistener_disable(l);
	event_base_once(ls->d->base, -1, EV_TIMEOUT, listener_resume_cb, ls,
	    &tv);
}

static void
listener_resume_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct listener *ls = arg;

	evconnlistener_enable(ls->l);
}

static const char *
listener_name(const struct wr_addr *a, char *buf, size_t len)
{
	return addr_is_set(a) ? addr_ntop(a, buf, len) : "*";
}

static struct listener *
listener_open(struct wrend *d, const struct wr_addr *a, uint16_t port,
    FILE *errf)
{
	struct listener *ls;
	char buf[WR_ADDRSTRLEN];
	int fd;

	if ((fd = listener_socket(a, port)) == -1) {
		fprintf(errf, "listen on %s port %u: %s\n",
		    listener_name(a, buf, sizeof(buf)), port, strerror(errno));
		return NULL;
	}
	if ((ls = calloc(1, sizeof(*ls))) == NULL)
		fatal("listener");
	ls->d = d;
	ls->addr = *a;
	ls->port = port;
	ls->l = evconnlistener_new(d->base, listener_accept_cb, ls,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	if (ls->l == NULL)
		fatalx("evconnlistener_new");
	evconnlistener_set_error_cb(ls->l, listener_error_cb);
	ls->next = d->listeners;
	d->listeners = ls;
	log_info("listening on %s port %u", listener_name(a, buf, sizeof(buf)),
	    port);
	return ls;
}

static struct listener *
listener_find(struct wrend *d, const struct wr_addr *a, uint16_t port)
{
	struct listener *ls;

	for (ls = d->listeners; ls != NULL; ls = ls->next)
		if (ls->port == port && addr_cmp(&ls->addr, a) == 0)
			return ls;
	return NULL;
}

/*
 * wanted: 0 not in the config being applied, 1 open and in it, 2 opened for
 * it.  Close the listeners marked mark; clear the others' marks.
 */
static void
listener_sweep(struct wrend *d, int mark)
{
	struct listener *ls, **lp = &d->listeners;

	while ((ls = *lp) != NULL) {
		if (ls->wanted == mark) {
			*lp = ls->next;
			evconnlistener_free(ls->l);
			free(ls);
			continue;
		}
		ls->wanted = 0;
		lp = &ls->next;
	}
}

/*
 * Listen where conf says (all addresses, port 179, by default), keeping the
 * sockets that stay.  All or nothing: if one address cannot be opened, the
 * new ones are closed again, the old ones stay, and -1 is returned with
 * the reason in errf.
 */
int
listener_apply(struct wrend *d, const struct wren_config *conf, FILE *errf)
{
	struct listen_conf dflt, *lc;
	struct listener *ls;

	memset(&dflt, 0, sizeof(dflt));
	dflt.port = BGP_PORT;
	for (lc = conf->listen != NULL ? conf->listen : &dflt; lc != NULL;
	    lc = lc->next) {
		if ((ls = listener_find(d, &lc->addr, lc->port)) != NULL) {
			if (ls->wanted == 0)
				ls->wanted = 1;
			continue;
		}
		if ((ls = listener_open(d, &lc->addr, lc->port, errf)) == NULL) {
			listener_sweep(d, 2);	/* undo */
			return -1;
		}
		ls->wanted = 2;
	}
	listener_sweep(d, 0);
	return 0;
}

void
listener_close_all(struct wrend *d)
{
	struct listener *ls;

	for (ls = d->listeners; ls != NULL; ls = ls->next)
		ls->wanted = 0;
	listener_sweep(d, 0);
}

/* ---- neighbors --------------------------------------------------------- */

static void
peer_set_name(struct peer *p)
{
	char buf[WR_ADDRSTRLEN];

	addr_ntop(&p->conf.addr, buf, sizeof(buf));
	if (p->conf.name[0] != '\0')
		snprintf(p->name, sizeof(p->name), "%s (%s)", buf, p->conf.name);
	else
		snprintf(p->name, sizeof(p->name), "%s", buf);
}

struct peer *
peer_new(struct wrend *d, const struct neighbor_conf *nc)
{
	struct rib_export_params ep;
	struct peer *p;

	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->upd = malloc(sizeof(*p->upd))) == NULL)
		fatal("peer_new");
	p->d = d;
	p->conf = *nc;
	p->conf.next = NULL;
	peer_set_name(p);
	p->state = ST_IDLE;
	p->state_since = time(NULL);
	p->idle_hold = nc->connect_retry;
	rib_source_init(&p->src, RIB_SRC_BGP, p->name);
	p->src.addr = nc->addr;
	p->src.remote_as = nc->remote_as;
	p->src.ebgp = nc->remote_as != d->conf->local_as;
	memset(&ep, 0, sizeof(ep));
	ep.local_as = d->conf->local_as;
	ep.ebgp = p->src.ebgp;
	ep.self = &p->src;
	ep.kick = drain_kick;
	ep.kick_arg = p;
	if ((p->out = rib_out_new(d->rib, &ep)) == NULL)
		fatal("rib_out_new");
	p->t_connect = evtimer_new(d->base, connect_timer_cb, p);
	p->t_hold = evtimer_new(d->base, hold_timer_cb, p);
	p->t_keepalive = evtimer_new(d->base, keepalive_timer_cb, p);
	p->t_drain = evtimer_new(d->base, drain_cb, p);
	p->t_gr = evtimer_new(d->base, gr_timer_cb, p);
	return p;
}

void
peer_start(struct peer *p)
{
	p->admin_down = 0;
	if (p->conf.passive)
		peer_set_state(p, ST_ACTIVE);
	else
		peer_schedule_connect(p, 0);
}

/*
 * RFC 8538 §3: once the N bit is negotiated, a Cease that must end the
 * session for good is a Hard Reset carrying the Cease it stands for.
 */
static void
peer_send_cease(struct peer *p, struct conn *c, uint8_t subcode)
{
	uint8_t data[2] = { ERR_CEASE, subcode };

	if (c == p->conn && gr_negotiated(p) &&
	    (p->ropen.caps.gr_flags & GR_F_NOTIFY))
		conn_send_notify(c, ERR_CEASE, ERR_CEASE_HARD_RESET, data,
		    sizeof(data));
	else
		conn_send_notify(c, ERR_CEASE, subcode, NULL, 0);
}

void
peer_stop(struct peer *p, uint8_t subcode, int admin)
{
	if (p->conn != NULL && p->state >= ST_OPENSENT)
		peer_send_cease(p, p->conn, subcode);
	if (p->coll != NULL)
		peer_send_cease(p, p->coll, subcode);
	p->admin_down = admin;
	session_down(p, NULL, 0);
	if (admin)
		evtimer_del(p->t_connect);
}

void
peer_stop_graceful(struct peer *p)
{
	if (p->state != ST_ESTABLISHED || !gr_negotiated(p)) {
		peer_stop(p, ERR_CEASE_ADMIN_DOWN, 1);
		return;
	}
	/* No NOTIFICATION: the neighbor sees a restart (RFC 4724 §4.2). */
	log_info("neighbor %s: closing for a graceful restart", p->name);
	if (p->coll != NULL)
		conn_send_notify(p->coll, ERR_CEASE, ERR_CEASE_ADMIN_DOWN,
		    NULL, 0);
	p->admin_down = 1;
	session_down(p, NULL, 1);
	evtimer_del(p->t_connect);
}

void
peer_free(struct peer *p)
{
	if (p == NULL)
		return;
	conn_free(p->conn);
	conn_free(p->coll);
	if (!p->d->stopping)
		rib_flush_source(p->d->rib, &p->src);
	rib_out_free(p->out);
	event_free(p->t_connect);
	event_free(p->t_hold);
	event_free(p->t_keepalive);
	event_free(p->t_drain);
	event_free(p->t_gr);
	pfxset_clear(&p->rejected);
	free(p->upd);
	free(p);
}

void
peer_update_conf(struct peer *p, const struct neighbor_conf *nc)
{
	p->conf = *nc;
	p->conf.next = NULL;
	peer_set_name(p);
}

struct peer *
peer_find(struct wrend *d, const struct wr_addr *a)
{
	struct peer *p;

	for (p = d->peers; p != NULL; p = p->next)
		if (addr_cmp(&p->conf.addr, a) == 0)
			return p;
	return NULL;
}
