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

#include "bfd.h"
#include "buf.h"
#include "export.h"
#include "kr.h"
#include "log.h"
#include "pfxset.h"
#include "ratelim.h"
#include "session.h"
#include "wrend.h"

#define OPEN_HOLD_TIME		240	/* RFC 4271 §8.2.2: "large value" */
#define IDLE_HOLD_MAX		60	/* seconds, backoff cap */
#define DRAIN_HIGH		(256 * 1024)	/* stop draining above */
#define DRAIN_LOW		(64 * 1024)	/* resume below */
#define DRAIN_BATCH		4096	/* prefixes per rib_out_drain */
/*
 * Input budget: at most this many octets are read from one neighbor per
 * readiness event, and only the whole messages in them are handled before
 * the event loop turns to the others, so a neighbor flooding UPDATEs slows
 * only its own session (one extended message, RFC 8654, fits).
 */
#define READ_BUDGET		65536
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

/* A key a listener holds for a neighbor; password is "x" for MD5. */
struct listener_key {
	struct wr_addr		 addr;
	char			 password[2];
	struct ao_conf		 ao;		/* alg 0: none */
};

struct listener {
	struct listener		*next;
	struct listener_key	*keys;
	size_t			 nkeys;
	struct wrend		*d;
	struct evconnlistener	*l;
	struct wr_addr		 addr;		/* af 0: all addresses */
	uint16_t		 port;
	int			 wanted;	/* by the config being applied */
	struct ratelim		 refused_log;	/* refused connections */
	unsigned long long	 refused;	/* in all */
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
	log_event("neighbor %s: %s -> %s", p->name, peer_state_name(p->state),
	    peer_state_name(s));
	p->state = s;
	p->state_since = time(NULL);
	if (s == ST_ESTABLISHED)
		p->established_at = p->state_since;
}

static void
timer_set(struct event *ev, unsigned secs)
{
	struct timeval tv = { (time_t)secs, 0 };

	evtimer_add(ev, &tv);
}

/* The AS we present to p: its local-as, or the global one. */
static uint32_t
peer_local_as(const struct peer *p)
{
	return CONF_LOCAL_AS(p->d->conf, &p->conf);
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
	bufferevent_set_max_single_read(c->bev, READ_BUDGET);
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
	c->p->notify_sent = (struct peer_notify){ code, sub, time(NULL) };
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

/* RFC 7911 §4: ADD-PATH for the configured families, as configured. */
static void
peer_addpath_caps(const struct peer *p, struct bgp_caps *c)
{
	uint32_t fam = c->mp != 0 ? c->mp : BGP_MP_IPV4_UNICAST;

	if (p->conf.add_path & CONF_ADDPATH_RECEIVE)
		c->addpath_rx = fam;
	if (p->conf.add_path & CONF_ADDPATH_SEND)
		c->addpath_tx = fam;
}

/*
 * RFC 7911 §4: we receive path ids for a family if we announced Receive
 * and the neighbor Send, and send them if we announced Send and the
 * neighbor Receive.
 */
static void
peer_negotiate_addpath(struct peer *p, const struct bgp_caps *rc)
{
	struct bgp_caps our;

	memset(&our, 0, sizeof(our));
	our.mp = p->conf.families & (BGP_MP_IPV4_UNICAST |
	    BGP_MP_IPV6_UNICAST);
	peer_addpath_caps(p, &our);
	p->ctx.addpath_rx = our.addpath_rx & rc->addpath_tx;
	p->ctx.addpath_tx = our.addpath_tx & rc->addpath_rx;
	if (p->ctx.addpath_rx | p->ctx.addpath_tx)
		log_debug("neighbor %s: add-path receive 0x%x send 0x%x",
		    p->name, p->ctx.addpath_rx, p->ctx.addpath_tx);
}

void
peer_our_caps(const struct peer *p, struct bgp_caps *caps)
{
	memset(caps, 0, sizeof(*caps));
	/* RFC 4760 §8, RFC 8950 §3: the families of the config */
	caps->mp = p->conf.families & (BGP_MP_IPV4_UNICAST |
	    BGP_MP_IPV6_UNICAST);
	caps->ext_nh = caps->mp & BGP_MP_IPV4_UNICAST;
	caps->as4 = 1;
	caps->as4_value = peer_local_as(p);
	caps->route_refresh = 1;
	caps->enhanced_rr = 1;		/* RFC 7313 */
	caps->ext_msg = 1;		/* RFC 8654 */
	peer_addpath_caps(p, caps);
	gr_open_caps(p->d, caps);
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
	/* the AS this neighbor sees (RFC 6793 §4.1: AS_TRANS if 4 octets) */
	o.my_as = peer_local_as(p) > 0xffff ? AS_TRANS :
	    (uint16_t)peer_local_as(p);
	o.holdtime = p->conf.hold_time;
	o.bgp_id = conf->router_id;
	peer_our_caps(p, &o.caps);
	p->lcaps = o.caps;
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
	p->borr_pending = p->eorr_pending = 0;
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
	/* source-address: the address the neighbor knows us by */
	if (p->conf.source.af == AF_INET)
		*v4 = p->conf.source;
	else if (p->conf.source.af == AF_INET6)
		*v6 = p->conf.source;
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
	p->maxpfx_warned = 0;
	p->idle_hold = p->conf.connect_retry;
	p->last_error[0] = '\0';
	p->src.bgp_id = p->ropen.bgp_id;
	gr_reestablished(p);
	peer_nexthops(p, &nh4, &nh6);
	/* RFC 7911 §4: every path only where the neighbor can take them */
	rib_out_set_add_path(p->out,
	    (p->ctx.addpath_tx & BGP_MP_IPV4_UNICAST ? RIB_AP_V4 : 0) |
	    (p->ctx.addpath_tx & BGP_MP_IPV6_UNICAST ? RIB_AP_V6 : 0));
	rib_out_start(p->out, &nh4, &nh6);
	/* RFC 8212 §3: say once per session why nothing passes */
	if (p->src.ebgp && p->conf.import_pol == NULL)
		log_info("neighbor %s: external, no import policy: no route "
		    "accepted (RFC 8212)", p->name);
	if (p->src.ebgp && p->conf.export_pol == NULL)
		log_info("neighbor %s: external, no export policy: no route "
		    "sent (RFC 8212)", p->name);
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
	return peer_local_as(p) > p->conf.remote_as ? out : in;
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
	if (ras == peer_local_as(p) && o->bgp_id == p->d->conf->router_id) {
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

/*
 * RFC 8654 §3: both sides announced extended messages (we always do).  Only
 * then is the daemon's large parse scratch made.
 */
static void
peer_negotiate_ext_msg(struct peer *p, const struct bgp_caps *rc)
{
	struct wrend *d = p->d;

	p->ctx.max_len = BGP_MAX_LEN;
	if (!rc->ext_msg)
		return;
	if (d->upd_ext == NULL &&
	    (d->upd_ext = bgp_update_new(BGP_MAX_LEN_EXT)) == NULL) {
		log_warnx("neighbor %s: no memory for extended messages",
		    p->name);
		return;
	}
	p->ctx.max_len = BGP_MAX_LEN_EXT;
	log_debug("neighbor %s: extended messages", p->name);
}

/*
 * The parse scratch for this session's largest UPDATE.  The small one
 * (238 KiB) is made on first use: with extended messages it never is, and
 * a reflector with hundreds of clients kept one per neighbor for nothing.
 */
static struct bgp_update *
peer_upd(struct peer *p)
{
	if (p->ctx.max_len > BGP_MAX_LEN)
		return p->d->upd_ext;
	if (p->upd == NULL && (p->upd = bgp_update_new(BGP_MAX_LEN)) == NULL)
		fatal("peer_upd");
	return p->upd;
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
	peer_negotiate_ext_msg(p, &o->caps);
	peer_negotiate_addpath(p, &o->caps);
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

/* RFC 4456 §8: our own route back, or one that passed our cluster. */
static int
rr_loop(const struct wren_config *c, const struct rib_attrs *a)
{
	uint32_t cid = c->cluster_id != 0 ? c->cluster_id : c->router_id;

	if ((a->flags & RIB_A_ORIGINATOR) && a->originator_id == c->router_id)
		return 1;
	return cluster_list_contains(a->cluster_list, a->cluster_list_len,
	    cid);
}

/*
 * RFC 4271 §9.1.2: our AS in the path is a loop, the one we present to p
 * and the global one alike; allow-local-as N lets it appear N times.
 */
static int
update_as_loop(const struct peer *p, const struct rib_attrs *a)
{
	uint32_t mine = p->d->conf->local_as, shown = peer_local_as(p);
	unsigned n;

	n = aspath_count(a->aspath, a->aspath_len, mine);
	if (shown != mine)
		n += aspath_count(a->aspath, a->aspath_len, shown);
	return n > p->conf.allow_local_as;
}

/*
 * Why an otherwise valid announcement is not accepted, or NULL.
 * RFC 4271 §9.1.2: our own AS in the path is a loop; §5.1.3: a next hop
 * that is our own address on the session is unusable.
 */
static const char *
update_reject_reason(struct peer *p, const struct rib_attrs *a)
{
	if (update_as_loop(p, a))
		return "AS path loop";
	if (rr_loop(p->d->conf, a))
		return "route reflection loop";
	if (addr_cmp(&a->nexthop, &p->conn->local) == 0 ||
	    (p->conf.next_hop_v6.af != 0 &&
	    addr_cmp(&a->nexthop, &p->conf.next_hop_v6) == 0))
		return "next hop is our own address";
	/* RFC 2545 §3: a link-local next hop needs the interface (TODO) */
	if (a->nexthop.af == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&a->nexthop.v6))
		return "link-local next hop";
	return NULL;
}

/*
 * RFC 7911 §3: ids[i] is the path id of v[i] (0 without ADD-PATH).  The
 * rejected set is kept by prefix only: with ADD-PATH, one path of a prefix
 * rejected and another accepted leaves the prefix out of the set, which
 * only makes a later route refresh ask for it again.
 */
static void
update_withdraw_all(struct peer *p, const struct wr_prefix *v,
    const uint32_t *ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		pfxset_del(&p->rejected, &v[i]);
		rib_withdraw_id(p->d->rib, &p->src, &v[i], ids[i]);
	}
}

/*
 * The import policy on one prefix: the attributes to take (referenced), or
 * NULL.  RFC 8212 §3: without a policy an external neighbor's routes are
 * not accepted; an internal neighbor's all are.  Prepending adds the
 * neighbor's AS.
 */
static const struct rib_attrs *
update_import(struct peer *p, const struct wr_prefix *pfx,
    const struct rib_attrs *a)
{
	const struct policy *pol = p->conf.import_pol;
	const struct rib_attrs *r;
	struct pol_ctx ctx;

	if (pol == NULL)
		return p->src.ebgp ? NULL : rib_attrs_ref(a);
	memset(&ctx, 0, sizeof(ctx));
	ctx.prefix = pfx;
	ctx.source = RIB_SRC_BGP;
	ctx.ebgp = p->src.ebgp;
	ctx.prepend_as = p->src.remote_as;
	if (policy_eval(pol, &ctx, a, &p->pol_in) != POL_ACCEPT)
		return NULL;
	if (!p->pol_in.modified)
		return rib_attrs_ref(a);
	if ((r = rib_attrs_intern(&p->pol_in.attrs)) == NULL)
		log_warnx("neighbor %s: out of memory for attributes",
		    p->name);
	return r;
}

/* Take the n prefixes of v with attributes t, or reject them all. */
static void
update_announce_run(struct peer *p, const struct rib_attrs *t,
    const struct wr_prefix *v, const uint32_t *ids, size_t n)
{
	const struct rib_attrs *a, *b;
	const char *why;
	size_t i;

	if ((why = update_reject_reason(p, t)) != NULL) {
		p->stats.loops += n;
		log_debug("neighbor %s: %zu prefixes rejected: %s", p->name,
		    n, why);
		for (i = 0; i < n; i++) {
			rib_withdraw_id(p->d->rib, &p->src, &v[i], ids[i]);
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
		/* refused by policy: remembered for a later route refresh */
		if ((b = update_import(p, &v[i], a)) == NULL) {
			rib_withdraw_id(p->d->rib, &p->src, &v[i], ids[i]);
			if (pfxset_add(&p->rejected, &v[i]) == -1)
				log_warnx("neighbor %s: out of memory",
				    p->name);
			continue;
		}
		if (p->rejected.count > 0)
			pfxset_del(&p->rejected, &v[i]);
		if (rib_update_id(p->d->rib, &p->src, &v[i], ids[i], b) == -1)
			log_warnx("neighbor %s: out of memory", p->name);
		rib_attrs_unref(b);
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
		update_announce_run(p, &t, u->nlri, u->nlri_id, nmp);
	}
	if (u->nnlri > nmp)
		update_announce_run(p, &u->attrs, u->nlri + nmp,
		    u->nlri_id + nmp, u->nnlri - nmp);
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

/* RFC 7606 §6: one line for each action, with attribute and section. */
static void
update_log_event(struct peer *p, const struct bgp_upd_event *e)
{
	const char *name = bgp_attr_name(e->attr);
	char what[40];

	if (e->attr == 0)
		snprintf(what, sizeof(what), "attribute list");
	else if (name != NULL)
		snprintf(what, sizeof(what), "attribute %s", name);
	else
		snprintf(what, sizeof(what), "attribute type %u", e->attr);
	log_warnx("neighbor %s: UPDATE %s: %s (%s)", p->name, what,
	    bgp_act_name(e->act), e->sec);
}

/*
 * A neighbor decides how many malformed UPDATEs it sends, so their log
 * lines come from a token bucket per neighbor: UPD_LOG_BURST UPDATEs at
 * once, then one a second.  The counters below see every one.
 */
#define UPD_LOG_BURST	20

/* Log and count (per neighbor, per action) what the parser did. */
static void
update_account(struct peer *p, const struct bgp_update *u, int reset)
{
	unsigned long quiet;
	size_t i;

	if (u->nevents > 0 &&
	    ratelim_take(&p->upd_log, time(NULL), UPD_LOG_BURST)) {
		if ((quiet = ratelim_quiet(&p->upd_log)) > 0)
			log_warnx("neighbor %s: %lu more UPDATEs with RFC "
			    "7606 actions, not logged", p->name, quiet);
		for (i = 0; i < u->nevents && i < BGP_UPD_EVENTS; i++)
			update_log_event(p, &u->events[i]);
		if (u->nevents > BGP_UPD_EVENTS)
			log_warnx("neighbor %s: UPDATE: %zu more RFC 7606 "
			    "actions", p->name, u->nevents - BGP_UPD_EVENTS);
	}
	p->stats.attribute_discard += u->ndiscard;
	if (reset)
		p->stats.session_reset++;
	else if (u->treat_as_withdraw)
		p->stats.treat_as_withdraw++;
}

/*
 * RFC 7606 §7.2: the RFC 4271 §6.3 check that the path from an external
 * neighbor starts with its AS fails => treat-as-withdraw.
 */
static void
update_check_first_as(struct peer *p, struct bgp_update *u)
{
	struct bgp_upd_event *e;

	if (!p->src.ebgp || u->treat_as_withdraw || u->nnlri == 0 ||
	    aspath_first_as(u->attrs.aspath, u->attrs.aspath_len) ==
	    p->conf.remote_as)
		return;
	u->treat_as_withdraw = 1;
	if (u->nevents < BGP_UPD_EVENTS) {
		e = &u->events[u->nevents];
		e->attr = ATTR_AS_PATH;
		e->act = BGP_ACT_WITHDRAW;
		e->sec = "RFC 7606 §7.2, first AS not the neighbor's";
	}
	u->nevents++;
}

/* The notification of RFC 4486 §4, in a Hard Reset where RFC 8538 says. */
static void
max_prefix_notify(struct peer *p, uint8_t af)
{
	uint32_t max = p->conf.max_prefix;
	uint8_t data[2 + 7] = { ERR_CEASE, ERR_CEASE_MAX_PREFIX, 0,
	    af == AF_INET6 ? 2 : 1, 1, max >> 24, max >> 16, max >> 8, max };

	/* RFC 4486 §4: AFI, SAFI and the prefix upper bound */
	if (gr_negotiated(p) && (p->ropen.caps.gr_flags & GR_F_NOTIFY))
		conn_send_notify(p->conn, ERR_CEASE, ERR_CEASE_HARD_RESET,
		    data, sizeof(data));
	else
		conn_send_notify(p->conn, ERR_CEASE, ERR_CEASE_MAX_PREFIX,
		    data + 2, sizeof(data) - 2);
	snprintf(p->last_error, sizeof(p->last_error), "sent: Cease/Maximum "
	    "Number of Prefixes Reached (max-prefix %u)", max);
}

/*
 * max-prefix: more accepted prefixes than allowed.  warning-only: one log
 * line per session.  Otherwise the session ends and the neighbor stays
 * down for restart minutes, or until a reload.  Returns -1 if it ended.
 */
static int
update_max_prefix(struct peer *p, uint8_t af)
{
	unsigned restart = p->conf.max_prefix_restart;

	if (p->conf.max_prefix == 0 || p->src.npaths <= p->conf.max_prefix)
		return 0;
	if (p->conf.max_prefix_warn) {
		if (!p->maxpfx_warned)
			log_warnx("neighbor %s: %zu prefixes, more than "
			    "max-prefix %u", p->name, p->src.npaths,
			    p->conf.max_prefix);
		p->maxpfx_warned = 1;
		return 0;
	}
	log_warnx("neighbor %s: %zu prefixes, more than max-prefix %u: down "
	    "%s", p->name, p->src.npaths, p->conf.max_prefix, restart != 0 ?
	    "for the restart interval" : "until a reload");
	max_prefix_notify(p, af);
	p->admin_down = 1;
	session_down(p, NULL, 0);
	evtimer_del(p->t_connect);
	p->maxpfx_until = restart != 0 ? time(NULL) + restart * 60 : 0;
	p->maxpfx_down = 1;
	if (restart != 0)
		timer_set(p->t_maxpfx, restart * 60);
	return -1;
}

static void
maxpfx_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct peer *p = arg;

	log_info("neighbor %s: max-prefix restart interval over", p->name);
	p->maxpfx_down = 0;
	p->maxpfx_until = 0;
	peer_start(p);
}

static void
recv_update(struct conn *c, struct ibuf *b)
{
	struct peer *p = c->p;
	struct bgp_update *u = peer_upd(p);
	struct bgp_err err;

	if (p->state != ST_ESTABLISHED) {
		memset(&err, 0, sizeof(err));
		err.code = ERR_FSM;
		conn_error(c, &err);
		return;
	}
	if (bgp_update_parse(b, &p->ctx, u, &err) == -1) {
		update_account(p, u, 1);
		conn_error(c, &err);
		return;
	}
	update_check_first_as(p, u);
	update_account(p, u, 0);
	p->stats.updates_in++;
	p->stats.withdraws_in += u->nwithdrawn;
	update_withdraw_all(p, u->withdrawn, u->withdrawn_id, u->nwithdrawn);
	if (u->end_of_rib != 0)
		update_eor(p, (uint32_t)u->end_of_rib);
	if (u->nnlri == 0)
		return;
	if (u->treat_as_withdraw) {
		/* RFC 7606 §2: the session stays, the routes go. */
		log_warnx("neighbor %s: %zu prefixes treated as withdrawn "
		    "(RFC 7606)", p->name, u->nnlri);
		update_withdraw_all(p, u->nlri, u->nlri_id, u->nnlri);
		return;
	}
	update_announce(p, u);
	update_max_prefix(p, u->nlri[u->nnlri - 1].addr.af);
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
	p->notify_rcvd = (struct peer_notify){ n.code, n.subcode, time(NULL) };
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

/*
 * RFC 2918 §4: re-advertise the Adj-RIB-Out.  Requests that arrive while one
 * is pending are one request: no amplification.  RFC 7313 §4: with
 * enhanced route refresh, BoRR first and EoRR after the last route.
 */
static void
refresh_request(struct peer *p, uint32_t fam)
{
	if (p->ropen.caps.enhanced_rr)
		p->borr_pending |= fam;
	if (p->refresh_pending)
		return;
	log_info("neighbor %s: route refresh requested", p->name);
	p->refresh_pending = 1;
	event_active(p->t_drain, EV_TIMEOUT, 0);
}

/*
 * RFC 7313 §4: at BoRR the neighbor's routes of the family become stale;
 * at EoRR those still stale (not re-advertised) are gone.
 */
static void
refresh_stale(struct peer *p, uint32_t fam, int borr)
{
	size_t (*fn)(struct rib *, struct rib_source *, int) =
	    borr ? rib_source_mark_stale : rib_source_sweep_stale;
	size_t n = 0;

	if (fam & BGP_MP_IPV4_UNICAST)
		n += fn(p->d->rib, &p->src, AF_INET);
	if (fam & BGP_MP_IPV6_UNICAST)
		n += fn(p->d->rib, &p->src, AF_INET6);
	log_info("neighbor %s: %s: %zu routes %s (RFC 7313 §4)", p->name,
	    borr ? "BoRR" : "EoRR", n, borr ? "marked stale" :
	    "stale, removed");
}

static void
recv_refresh(struct conn *c, struct ibuf *b)
{
	struct peer *p = c->p;
	struct bgp_rrefresh rr;
	struct bgp_err err;
	uint32_t fam;

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
	 * ignored; BoRR and EoRR too unless enhanced route refresh was
	 * negotiated.
	 */
	fam = bgp_afi_safi_mp(rr.afi, rr.safi) & p->ctx.mp;
	if (fam == 0)
		return;
	if (rr.subtype == RREFRESH_NORMAL)
		refresh_request(p, fam);
	else if (rr.subtype == RREFRESH_BORR && p->ropen.caps.enhanced_rr)
		refresh_stale(p, fam, 1);
	else if (rr.subtype == RREFRESH_EORR && p->ropen.caps.enhanced_rr)
		refresh_stale(p, fam, 0);
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
	/* RFC 8654 §4: the larger size only once both OPENs said so */
	if (bgp_hdr_parse_max(hdr, c == p->conn && p->state >=
	    ST_OPENCONFIRM ? p->ctx.max_len : BGP_MAX_LEN, &type, &len,
	    &err) == -1) {
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
 * is NULL.  Each message takes as many prefixes as fit in BGP_MAX_LEN, or
 * in 65535 octets with extended messages (RFC 8654).
 */
static void
drain_send(struct peer *p, const struct rib_attrs *a,
    const struct wr_prefix *v, const uint32_t *ids, size_t n)
{
	uint8_t mem[BGP_MAX_LEN_EXT];
	struct wbuf w;
	size_t done, skip, run;

	while (n > 0) {
		run = drain_run(p, v, n, &skip);
		v += skip;
		n -= skip;
		if (ids != NULL)
			ids += skip;
		if (run == 0)
			break;
		wbuf_init(&w, mem, sizeof(mem));
		/* RFC 7911 §3: ids are sent only where ADD-PATH send was
		 * negotiated; the encoder leaves them out elsewhere */
		done = a == NULL ? bgp_update_encode_withdraw_id(&w, &p->ctx,
		    v, ids, run) :
		    bgp_update_encode_announce_id(&w, a, &p->ctx, v, ids, run);
		if (done == 0 && a != NULL) {
			/*
			 * No next hop usable for the family (RFC 8950 not
			 * negotiated), or attributes too large for this
			 * neighbor (RFC 8654 §4): withdraw, so that no older
			 * route of ours stays there.
			 */
			log_warnx("neighbor %s: cannot encode %zu prefixes, "
			    "withdrawn", p->name, run);
			wbuf_init(&w, mem, sizeof(mem));
			done = bgp_update_encode_withdraw_id(&w, &p->ctx,
			    v, ids, run);
		}
		if (done == 0)
			done = run;
		else {
			conn_send(p->conn, &w, BGP_UPDATE);
			p->stats.updates_out++;
		}
		v += done;
		n -= done;
		if (ids != NULL)
			ids += done;
	}
}

static int
drain_withdraw(void *arg, const struct wr_prefix *v, size_t n)
{
	drain_send(arg, NULL, v, NULL, n);
	return 0;
}

static int
drain_announce(void *arg, const struct rib_attrs *a,
    const struct wr_prefix *v, size_t n)
{
	drain_send(arg, a, v, NULL, n);
	return 0;
}

/* RFC 7911 §3: each path with its identifier. */
static int
drain_withdraw_id(void *arg, const struct wr_prefix *v, const uint32_t *ids,
    size_t n)
{
	drain_send(arg, NULL, v, ids, n);
	return 0;
}

static int
drain_announce_id(void *arg, const struct rib_attrs *a,
    const struct wr_prefix *v, const uint32_t *ids, size_t n)
{
	drain_send(arg, a, v, ids, n);
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

/* A ROUTE-REFRESH message of subtype for each family in fam. */
static void
peer_send_rrefresh(struct peer *p, uint32_t fam, uint8_t subtype)
{
	static const uint32_t fams[] = { BGP_MP_IPV4_UNICAST,
	    BGP_MP_IPV6_UNICAST };
	struct bgp_rrefresh rr = { .subtype = subtype, .safi = SAFI_UNICAST };
	uint8_t mem[BGP_HDR_LEN + 4];
	struct wbuf w;
	size_t i;

	for (i = 0; i < sizeof(fams) / sizeof(fams[0]); i++) {
		if (!(fam & fams[i]))
			continue;
		rr.afi = fams[i] == BGP_MP_IPV4_UNICAST ? AFI_IPV4 : AFI_IPV6;
		wbuf_init(&w, mem, sizeof(mem));
		bgp_rrefresh_encode(&w, &rr);
		conn_send(p->conn, &w, BGP_ROUTE_REFRESH);
	}
}

int
peer_request_refresh(struct peer *p)
{
	if (p->state != ST_ESTABLISHED || !p->ropen.caps.route_refresh)
		return -1;
	log_info("neighbor %s: asking for a route refresh", p->name);
	peer_send_rrefresh(p, p->ctx.mp, RREFRESH_NORMAL);
	return 0;
}

static void
peer_drain(struct peer *p)
{
	struct rib_out_cb cb = { drain_withdraw, drain_announce, p,
	    drain_withdraw_id, drain_announce_id };
	struct evbuffer *out;

	if (p->conn == NULL || p->state != ST_ESTABLISHED)
		return;
	if (p->refresh_pending) {
		p->refresh_pending = 0;
		peer_send_rrefresh(p, p->borr_pending, RREFRESH_BORR);
		p->eorr_pending |= p->borr_pending;
		p->borr_pending = 0;
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
	/* RFC 7313 §4: everything the refresh queued has been sent */
	if (rib_out_pending(p->out) == 0 && p->eorr_pending != 0) {
		peer_send_rrefresh(p, p->eorr_pending, RREFRESH_EORR);
		p->eorr_pending = 0;
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

/* ---- transport: TCP MD5, TCP-AO, TTL and GTSM ------------------------- */

#ifndef TCP_AO_ADD_KEY
#define TCP_AO_ADD_KEY		38
#define TCP_AO_DEL_KEY		39
#endif
#define WR_AO_MACLEN		12	/* RFC 5926 §3.2: 96 bits */

/*
 * TCP-AO (RFC 5925) came with Linux 6.7; C library headers may predate it.
 * These copy struct tcp_ao_add and struct tcp_ao_del of the kernel UAPI
 * <linux/tcp.h> (struct __kernel_sockaddr_storage is sockaddr_storage).
 */
struct wr_tcp_ao_add {
	struct sockaddr_storage	addr;
	char			alg_name[64];
	int32_t			ifindex;
	uint32_t		set_current:1, set_rnext:1, reserved:30;
	uint16_t		reserved2;
	uint8_t			prefix;
	uint8_t			sndid;
	uint8_t			rcvid;
	uint8_t			maclen;
	uint8_t			keyflags;
	uint8_t			keylen;
	uint8_t			key[CONF_KEY_LEN];
} __attribute__((aligned(8)));

struct wr_tcp_ao_del {
	struct sockaddr_storage	addr;
	int32_t			ifindex;
	uint32_t		set_current:1, set_rnext:1, del_async:1,
				reserved:29;
	uint16_t		reserved2;
	uint8_t			prefix;
	uint8_t			sndid;
	uint8_t			rcvid;
	uint8_t			current_key;
	uint8_t			rnext;
	uint8_t			keyflags;
} __attribute__((aligned(8)));

/* The peer as a key address on a socket of family af (v4-mapped on v6). */
static int
key_sockaddr(const struct wr_addr *peer, int af, struct sockaddr_storage *ss)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	socklen_t len;

	memset(ss, 0, sizeof(*ss));
	if (af == AF_INET6 && peer->af == AF_INET) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr.s6_addr[10] = sin6->sin6_addr.s6_addr[11] = 0xff;
		memcpy(&sin6->sin6_addr.s6_addr[12], &peer->v4, 4);
		return 0;
	}
	return addr_to_sockaddr(peer, 0, ss, &len);
}

/* RFC 2385: key "" removes the peer's key. */
static int
tcp_md5_set(int fd, int af, const struct wr_addr *peer, const char *key)
{
	struct tcp_md5sig md5;
	size_t len = strlen(key);

	memset(&md5, 0, sizeof(md5));
	if (key_sockaddr(peer, af, &md5.tcpm_addr) == -1)
		return -1;
	md5.tcpm_keylen = (uint16_t)len;
	memcpy(md5.tcpm_key, key, len);
	return setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &md5, sizeof(md5));
}

static const char *
tcp_ao_alg(int alg)
{
	switch (alg) {
	case CONF_AO_HMAC_SHA1:
		return "hmac(sha1)";
	case CONF_AO_HMAC_SHA256:
		return "hmac(sha256)";
	default:
		return "cmac(aes128)";	/* RFC 5926 §3.1.1.2 */
	}
}

/* RFC 5925 §3.1: one MKT; current only where there is a connection. */
static int
tcp_ao_add(int fd, int af, const struct wr_addr *peer,
    const struct ao_conf *ao, int current)
{
	struct wr_tcp_ao_add k;
	size_t len = strlen(ao->password);

	memset(&k, 0, sizeof(k));
	if (key_sockaddr(peer, af, &k.addr) == -1)
		return -1;
	snprintf(k.alg_name, sizeof(k.alg_name), "%s", tcp_ao_alg(ao->alg));
	k.set_current = k.set_rnext = current ? 1 : 0;
	k.prefix = peer->af == AF_INET ? 32 : 128;
	k.sndid = ao->send_id;
	k.rcvid = ao->recv_id;
	k.maclen = WR_AO_MACLEN;
	k.keylen = (uint8_t)len;
	memcpy(k.key, ao->password, len);
	return setsockopt(fd, IPPROTO_TCP, TCP_AO_ADD_KEY, &k, sizeof(k));
}

static int
tcp_ao_del(int fd, int af, const struct wr_addr *peer,
    const struct ao_conf *ao)
{
	struct wr_tcp_ao_del k;

	memset(&k, 0, sizeof(k));
	if (key_sockaddr(peer, af, &k.addr) == -1)
		return -1;
	k.prefix = peer->af == AF_INET ? 32 : 128;
	k.sndid = ao->send_id;
	k.rcvid = ao->recv_id;
	return setsockopt(fd, IPPROTO_TCP, TCP_AO_DEL_KEY, &k, sizeof(k));
}

/*
 * The TTL we send and the least we accept (0: any).  RFC 5082 §3 (GTSM):
 * send 255, accept 256 - hops or more.  eBGP is single hop (TTL 1) unless
 * multihop; iBGP keeps the system default unless multihop.
 */
static void
peer_ttl(const struct peer *p, int *ttl, int *minttl)
{
	*minttl = 0;
	if (p->conf.ttl_security != 0) {
		*ttl = 255;
		*minttl = 256 - p->conf.ttl_security;
	} else if (p->conf.multihop != 0)
		*ttl = p->conf.multihop;
	else
		*ttl = p->src.ebgp ? 1 : 0;
}

static int
sock_ttl(const struct peer *p, int fd)
{
	int ttl, minttl, v4 = p->conf.addr.af == AF_INET;

	peer_ttl(p, &ttl, &minttl);
	if (ttl != 0 && setsockopt(fd, v4 ? IPPROTO_IP : IPPROTO_IPV6,
	    v4 ? IP_TTL : IPV6_UNICAST_HOPS, &ttl, sizeof(ttl)) == -1)
		return -1;
	if (minttl != 0 && setsockopt(fd, v4 ? IPPROTO_IP : IPPROTO_IPV6,
	    v4 ? IP_MINTTL : IPV6_MINHOPCOUNT, &minttl, sizeof(minttl)) == -1)
		return -1;
	return 0;
}

/* Everything an outgoing socket needs before connect(). */
static int
peer_sock_setup(struct peer *p, int fd, int af)
{
	struct sockaddr_storage ss;
	socklen_t slen;
	const char *what = "TTL";
	char why[sizeof(p->last_error)];

	if (sock_ttl(p, fd) == -1)
		goto fail;
	what = "TCP MD5 (RFC 2385)";
	if (p->conf.password[0] != '\0' &&
	    tcp_md5_set(fd, af, &p->conf.addr, p->conf.password) == -1)
		goto fail;
	what = "TCP-AO (RFC 5925)";
	if (p->conf.ao.alg != 0 &&
	    tcp_ao_add(fd, af, &p->conf.addr, &p->conf.ao, 1) == -1)
		goto fail;
	what = "source-address";
	if (p->conf.source.af != 0 && (addr_to_sockaddr(&p->conf.source, 0,
	    &ss, &slen) == -1 || bind(fd, (struct sockaddr *)&ss, slen) == -1))
		goto fail;
	return 0;
fail:
	/* Never the key itself in a log line; once, not at every retry. */
	snprintf(why, sizeof(why), "%s: %s", what, errno == ENOPROTOOPT ?
	    "not supported by this kernel" : strerror(errno));
	if (strcmp(why, p->last_error) != 0)
		log_warnx("neighbor %s: %s", p->name, why);
	snprintf(p->last_error, sizeof(p->last_error), "%s", why);
	return -1;
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
	if (peer_sock_setup(p, fd, ss.ss_family) == -1) {
		close(fd);
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
	/* RFC 5882 §4.1: not before BFD is Up (peer_bfd_up kicks us) */
	if (bfd_blocks(p->d->bfd, p)) {
		log_debug("neighbor %s: waiting for BFD", p->name);
		peer_set_state(p, ST_ACTIVE);
		peer_schedule_connect(p, p->conf.connect_retry);
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

	/* The keys came with the listener; RFC 5082 §3: TTLs from here on. */
	if (sock_ttl(p, fd) == -1)
		log_warn("neighbor %s: TTL", p->name);
	if ((c = conn_new(p, fd, 0)) == NULL) {
		close(fd);
		return;
	}
	conn_learn_local(c);
	if (p->admin_down || (p->state < ST_OPENSENT &&
	    bfd_blocks(p->d->bfd, p))) {
		/* RFC 4486 §3: refused while down (or BFD is, RFC 5882). */
		log_debug("neighbor %s: connection refused (%s)", p->name,
		    p->admin_down ? "down" : "BFD not Up");
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

/*
 * A connection from an address that is no neighbor is closed at once, with
 * a reset (no TIME_WAIT left behind for a flood), before a byte is read.
 * The log lines come from a token bucket: REFUSED_LOG_BURST at once, then
 * one a second, each saying how many went unlogged since the last one.
 */
#define REFUSED_LOG_BURST	10

static void
listener_refuse(struct listener *ls, const struct wr_addr *a, int fd)
{
	struct linger lg = { 1, 0 };
	char buf[WR_ADDRSTRLEN];
	time_t now = time(NULL);
	unsigned long quiet;

	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
	ls->refused++;
	if (!ratelim_take(&ls->refused_log, now, REFUSED_LOG_BURST))
		return;
	quiet = ratelim_quiet(&ls->refused_log);
	if (quiet > 0)
		log_warnx("refused connection from %s: not a configured "
		    "neighbor (%lu more refused, not logged)",
		    addr_ntop(a, buf, sizeof(buf)), quiet);
	else
		log_warnx("refused connection from %s: not a configured "
		    "neighbor", addr_ntop(a, buf, sizeof(buf)));
}

static void
listener_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct listener *ls = arg;
	struct wr_addr a = { 0 };
	struct peer *p;

	if (addr_from_sockaddr(sa, &a, NULL) == -1 ||
	    (p = peer_find(ls->d, &a)) == NULL || ls->d->stopping) {
		listener_refuse(ls, &a, fd);
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
	int fd, on = 1, off = 0, maxttl = 255;

	memset(&any, 0, sizeof(any));
	any.af = AF_INET6;
	if (addr_to_sockaddr(addr_is_set(a) ? a : &any, port, &ss, &slen) == -1)
		return -1;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	/*
	 * RFC 5082 §3: a GTSM neighbor drops our SYN-ACK unless it comes with
	 * TTL 255; the accepted socket then gets the neighbor's own TTL.
	 */
	setsockopt(fd, IPPROTO_IP, IP_TTL, &maxttl, sizeof(maxttl));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &maxttl,
		    sizeof(maxttl));
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
 * TCP MD5 and TCP-AO keys of the listeners (RFC 2385 §4.5, RFC 5925 §7.2):
 * a listening socket holds one key per neighbor address, so that an
 * incoming connection is signed from its SYN on; accepted sockets inherit
 * them.  Each sync removes what was installed and installs what the
 * neighbors now want, so a removed neighbor's key goes.
 */
static int
listener_af(const struct listener *ls)
{
	return ls->addr.af != 0 ? ls->addr.af : AF_INET6;
}

static void
listener_keys_clear(struct listener *ls)
{
	int fd = evconnlistener_get_fd(ls->l), af = listener_af(ls);
	size_t i;

	for (i = 0; i < ls->nkeys; i++) {
		if (ls->keys[i].password[0] != '\0')
			tcp_md5_set(fd, af, &ls->keys[i].addr, "");
		if (ls->keys[i].ao.alg != 0)
			tcp_ao_del(fd, af, &ls->keys[i].addr, &ls->keys[i].ao);
	}
	free(ls->keys);
	ls->keys = NULL;
	ls->nkeys = 0;
}

static void
listener_key_add(struct listener *ls, const struct peer *p)
{
	int fd = evconnlistener_get_fd(ls->l), af = listener_af(ls);
	struct listener_key *k;

	k = reallocarray(ls->keys, ls->nkeys + 1, sizeof(*k));
	if (k == NULL)
		fatal("listener keys");
	ls->keys = k;
	k = &ls->keys[ls->nkeys];
	memset(k, 0, sizeof(*k));
	k->addr = p->conf.addr;
	if (p->conf.password[0] != '\0') {
		if (tcp_md5_set(fd, af, &k->addr, p->conf.password) == -1)
			log_warn("neighbor %s: TCP MD5 key on a listener",
			    p->name);
		else
			memcpy(k->password, "x", 2);	/* installed */
	}
	if (p->conf.ao.alg != 0) {
		if (tcp_ao_add(fd, af, &k->addr, &p->conf.ao, 0) == -1)
			log_warn("neighbor %s: TCP-AO key on a listener",
			    p->name);
		else
			k->ao = p->conf.ao;
	}
	ls->nkeys++;
}

void
listener_keys_sync(struct wrend *d)
{
	struct listener *ls;
	struct peer *p;

	for (ls = d->listeners; ls != NULL; ls = ls->next) {
		listener_keys_clear(ls);
		for (p = d->peers; p != NULL; p = p->next) {
			if (p->conf.password[0] == '\0' && p->conf.ao.alg == 0)
				continue;
			/* an IPv6 listener on all addresses takes IPv4 too */
			if (ls->addr.af != 0 && ls->addr.af != p->conf.addr.af)
				continue;
			listener_key_add(ls, p);
		}
	}
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
			free(ls->keys);
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

	if ((p = calloc(1, sizeof(*p))) == NULL)
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
	p->src.ebgp = nc->remote_as != CONF_LOCAL_AS(d->conf, nc);
	p->src.rr_client = nc->rr_client;
	memset(&ep, 0, sizeof(ep));
	ep.local_as = CONF_LOCAL_AS(d->conf, nc);
	ep.ebgp = p->src.ebgp;
	ep.next_hop = nc->next_hop;	/* CONF_NH_* are RIB_NH_* */
	ep.self = &p->src;
	ep.rr_client = nc->rr_client;
	ep.cluster_id = d->conf->cluster_id != 0 ? d->conf->cluster_id :
	    d->conf->router_id;
	ep.policy = nc->export_pol;
	ep.policy_required = p->src.ebgp;	/* RFC 8212 */
	ep.env = &d->pol_env;
	ep.kick = drain_kick;
	ep.kick_arg = p;
	if ((p->out = rib_out_new(d->rib, &ep)) == NULL)
		fatal("rib_out_new");
	p->t_connect = evtimer_new(d->base, connect_timer_cb, p);
	p->t_hold = evtimer_new(d->base, hold_timer_cb, p);
	p->t_keepalive = evtimer_new(d->base, keepalive_timer_cb, p);
	p->t_drain = evtimer_new(d->base, drain_cb, p);
	p->t_gr = evtimer_new(d->base, gr_timer_cb, p);
	p->t_maxpfx = evtimer_new(d->base, maxpfx_timer_cb, p);
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

/*
 * BFD says the path to the neighbor is gone (RFC 5882 §4.3): the session
 * ends at once with Cease/BFD Down (RFC 9384) and the neighbor's routes go,
 * graceful restart or not: its planned restarts come as AdminDown, which
 * bgpd/bfd.c does not report here.
 */
void
peer_bfd_down(struct peer *p, const char *diag)
{
	if (p->state < ST_OPENSENT || p->d->stopping)
		return;
	log_warnx("neighbor %s: BFD down (%s): closing the session", p->name,
	    diag);
	if (p->conn != NULL && p->state >= ST_OPENSENT)
		peer_send_cease(p, p->conn, ERR_CEASE_BFD_DOWN);
	if (p->coll != NULL)
		peer_send_cease(p, p->coll, ERR_CEASE_BFD_DOWN);
	snprintf(p->last_error, sizeof(p->last_error), "BFD down: %s", diag);
	session_down(p, NULL, 0);
}

/* BFD is Up: a session that waited for it connects now. */
void
peer_bfd_up(struct peer *p)
{
	if (p->admin_down || p->maxpfx_down || p->d->stopping ||
	    p->conn != NULL || p->conf.passive || p->state > ST_ACTIVE)
		return;
	peer_schedule_connect(p, 0);
}

void
peer_restart(struct peer *p)
{
	peer_stop(p, ERR_CEASE_ADMIN_RESET, 0);
	peer_schedule_connect(p, 1);
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
	event_free(p->t_maxpfx);
	pfxset_clear(&p->rejected);
	pol_out_free(&p->pol_in);
	free(p->upd);
	free(p);
}

void
peer_update_conf(struct peer *p, const struct neighbor_conf *nc)
{
	int nh_changed = p->conf.next_hop != nc->next_hop;
	int las_changed = p->conf.allow_local_as != nc->allow_local_as;
	int imp_changed = !policy_equal(p->conf.import_pol, nc->import_pol);
	int exp_changed = !policy_equal(p->conf.export_pol, nc->export_pol);

	p->conf = *nc;
	p->conf.next = NULL;
	peer_set_name(p);
	/* RFC 4271 §5.1.3: a new next-hop mode, the changes are sent */
	if (nh_changed)
		rib_out_set_next_hop(p->out, nc->next_hop);
	/* routes rejected as loops may be welcome now: ask for them again */
	if (las_changed && p->state == ST_ESTABLISHED &&
	    peer_request_refresh(p) == -1)
		log_info("neighbor %s: allow-local-as applies to new routes "
		    "(no route refresh)", p->name);
	/* the old policies go with the old config: always take the new */
	rib_out_set_policy(p->out, nc->export_pol, exp_changed);
	if (imp_changed && !las_changed && p->state == ST_ESTABLISHED &&
	    peer_request_refresh(p) == -1)
		log_info("neighbor %s: the new import policy applies to new "
		    "routes (no route refresh)", p->name);
	/* down for max-prefix: a reload brings it back */
	if (p->maxpfx_down) {
		log_info("neighbor %s: reload ends the max-prefix wait",
		    p->name);
		evtimer_del(p->t_maxpfx);
		p->maxpfx_down = 0;
		p->maxpfx_until = 0;
		peer_start(p);
	}
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
