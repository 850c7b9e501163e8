/*
 * bgpd/metrics.c: the Prometheus endpoint (see metrics.h).
 *
 * Everything is computed when scraped, from the counters the modules keep
 * anyway (peer stats, kr_stats, rib sizes): nothing is added to the hot
 * paths.  Families are written whole, in a fixed order, with HELP and TYPE
 * lines; label values are escaped by lib/prom.c.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

#include "export.h"
#include "kr.h"
#include "log.h"
#include "metrics.h"
#include "prom.h"
#include "rib.h"
#include "session.h"
#include "wrend.h"

#define METRICS_MAX_HEADERS	8192
#define METRICS_MAX_BODY	1024
#define METRICS_TIMEOUT		10	/* seconds per request */

struct metrics_src {
	metrics_collect_cb	 fn;
	void			*arg;
	struct metrics_src	*next;
};

struct metrics {
	struct wrend		*d;
	struct evhttp		*http;		/* NULL: off */
	struct wr_addr		 addr;
	uint16_t		 port;
	struct evhttp		*next;		/* prepared, not committed */
	struct wr_addr		 next_addr;
	uint16_t		 next_port;
	int			 prepared;
	struct metrics_src	*srcs;
	uint64_t		 scrapes;
};

static const char *const fam_label[2] = { "ipv4_unicast", "ipv6_unicast" };

/* ---- what a neighbor has ------------------------------------------------ */

static int
fam_index(uint8_t af)
{
	return af == AF_INET6 ? 1 : 0;
}

static int
pfx_out_cb(void *arg, const struct wr_prefix *pfx, uint32_t id,
    const struct rib_attrs *at)
{
	struct metrics_pfx *c = arg;

	c->advertised[fam_index(pfx->addr.af)]++;
	return 0;
}

void
metrics_peer_prefixes(const struct peer *p, struct metrics_pfx *c)
{
	const struct rib_path *rp;
	size_t i;
	int f;

	memset(c, 0, sizeof(*c));
	for (rp = p->src.paths; rp != NULL; rp = rp->src_next) {
		f = fam_index(rp->entry->prefix.addr.af);
		c->accepted[f]++;
		if (rp->stale)
			c->stale[f]++;
	}
	for (i = 0; i < p->rejected.nslots; i++)
		if (p->rejected.slots[i].addr.af != 0)
			c->rejected[fam_index(p->rejected.slots[i].addr.af)]++;
	if (p->out != NULL)
		rib_out_walk(p->out, pfx_out_cb, c);
}

/* ---- the exposition ----------------------------------------------------- */

static void
one(FILE *out, const char *name, const char *type, const char *help,
    uint64_t v)
{
	prom_family(out, name, type, help);
	prom_sample(out, name, NULL, 0, v);
}

static void
write_daemon(struct metrics *m, FILE *out)
{
	struct wrend *d = m->d;
	struct prom_label l[2] = { { "version", WREN_VERSION },
	    { "libevent", event_get_version() } };
	time_t now = time(NULL);

	prom_family(out, "wren_build_info", "gauge", "Wren build, always 1.");
	prom_sample(out, "wren_build_info", l, 2, 1);
	one(out, "wren_start_time_seconds", "gauge", "When wrend started, "
	    "seconds since the epoch.", (uint64_t)d->started);
	one(out, "wren_uptime_seconds", "gauge", "Seconds since wrend "
	    "started.", (uint64_t)(now > d->started ? now - d->started : 0));
	prom_family(out, "wren_reloads_total", "counter", "Configuration "
	    "reloads, by result.");
	l[0] = (struct prom_label){ "result", "ok" };
	prom_sample(out, "wren_reloads_total", l, 1, d->reloads_ok);
	l[0].value = "failed";
	prom_sample(out, "wren_reloads_total", l, 1, d->reloads_failed);
	one(out, "wren_rib_prefixes", "gauge", "Prefixes in the Loc-RIB.",
	    rib_prefix_count(d->rib));
	one(out, "wren_rib_paths", "gauge", "Paths in the RIB, all sources.",
	    rib_path_count(d->rib));
	one(out, "wren_rib_attribute_sets", "gauge", "Distinct interned "
	    "path attribute sets.", rib_attrs_count());
	one(out, "wren_metrics_scrapes_total", "counter", "Requests for "
	    "/metrics served.", m->scrapes);
}

static void
write_sessions(struct wrend *d, FILE *out)
{
	static const enum peer_state states[] = { ST_IDLE, ST_CONNECT,
	    ST_ACTIVE, ST_OPENSENT, ST_OPENCONFIRM, ST_ESTABLISHED };
	struct prom_label l = { "state", NULL };
	const struct peer *p;
	uint64_t n;
	size_t i;

	prom_family(out, "wren_bgp_sessions", "gauge", "BGP neighbors by "
	    "session state (RFC 4271 §8).");
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		for (n = 0, p = d->peers; p != NULL; p = p->next)
			n += p->state == states[i];
		l.value = peer_state_name(states[i]);
		prom_sample(out, "wren_bgp_sessions", &l, 1, n);
	}
}

/* A per-neighbor value: one family, one sample per neighbor. */
struct nb_series {
	const char	*name;
	const char	*type;
	const char	*help;
	uint64_t	(*get)(const struct peer *);
};

static uint64_t
nb_up(const struct peer *p)
{
	return p->state == ST_ESTABLISHED;
}

static uint64_t
nb_updates_in(const struct peer *p)
{
	return p->stats.updates_in;
}

static uint64_t
nb_updates_out(const struct peer *p)
{
	return p->stats.updates_out;
}

static uint64_t
nb_flaps(const struct peer *p)
{
	return p->stats.flaps;
}

static uint64_t
nb_since(const struct peer *p)
{
	return (uint64_t)p->state_since;
}

static const struct nb_series nb_series[] = {
	{ "wren_bgp_neighbor_up", "gauge", "1 if the session is Established.",
	    nb_up },
	{ "wren_bgp_neighbor_state_since_seconds", "gauge", "When the "
	    "neighbor entered its current state, seconds since the epoch.",
	    nb_since },
	{ "wren_bgp_updates_received_total", "counter", "UPDATE messages "
	    "received.", nb_updates_in },
	{ "wren_bgp_updates_sent_total", "counter", "UPDATE messages sent.",
	    nb_updates_out },
	{ "wren_bgp_flaps_total", "counter", "Times the session left "
	    "Established.", nb_flaps },
};

static void
nb_label(const struct peer *p, char *buf, size_t len)
{
	addr_ntop(&p->conf.addr, buf, len);
}

static void
write_nb_series(struct wrend *d, FILE *out)
{
	char addr[WR_ADDRSTRLEN];
	struct prom_label l = { "neighbor", addr };
	const struct peer *p;
	size_t i;

	for (i = 0; i < sizeof(nb_series) / sizeof(nb_series[0]); i++) {
		prom_family(out, nb_series[i].name, nb_series[i].type,
		    nb_series[i].help);
		for (p = d->peers; p != NULL; p = p->next) {
			nb_label(p, addr, sizeof(addr));
			prom_sample(out, nb_series[i].name, &l, 1,
			    nb_series[i].get(p));
		}
	}
}

static void
write_messages(struct wrend *d, FILE *out, int sent)
{
	const char *name = sent ? "wren_bgp_messages_sent_total" :
	    "wren_bgp_messages_received_total";
	char addr[WR_ADDRSTRLEN];
	struct prom_label l[2] = { { "neighbor", addr }, { "type", NULL } };
	const struct peer *p;
	int t;

	prom_family(out, name, "counter", sent ? "BGP messages sent, by "
	    "type." : "BGP messages received, by type.");
	for (p = d->peers; p != NULL; p = p->next) {
		nb_label(p, addr, sizeof(addr));
		for (t = BGP_OPEN; t <= BGP_ROUTE_REFRESH; t++) {
			l[1].value = bgp_msg_name((uint8_t)t);
			prom_sample(out, name, l, 2, sent ? p->stats.msg_out[t] :
			    p->stats.msg_in[t]);
		}
	}
}

/* RFC 7606 §2: the three ways of handling a malformed UPDATE. */
static void
write_rfc7606(struct wrend *d, FILE *out)
{
	const char *name = "wren_bgp_rfc7606_actions_total";
	char addr[WR_ADDRSTRLEN];
	struct prom_label l[2] = { { "neighbor", addr }, { "action", NULL } };
	const struct peer *p;

	prom_family(out, name, "counter", "Malformed UPDATE handling (RFC "
	    "7606): treat-as-withdraw, attribute-discard, session-reset.");
	for (p = d->peers; p != NULL; p = p->next) {
		nb_label(p, addr, sizeof(addr));
		l[1].value = "treat-as-withdraw";
		prom_sample(out, name, l, 2, p->stats.treat_as_withdraw);
		l[1].value = "attribute-discard";
		prom_sample(out, name, l, 2, p->stats.attribute_discard);
		l[1].value = "session-reset";
		prom_sample(out, name, l, 2, p->stats.session_reset);
	}
}

static void
write_prefixes(struct wrend *d, FILE *out)
{
	static const char *const names[] = { "wren_bgp_prefixes_received",
	    "wren_bgp_prefixes_accepted", "wren_bgp_prefixes_advertised" };
	static const char *const helps[] = { "Prefixes the neighbor "
	    "announced (accepted or not).", "Prefixes of the neighbor "
	    "accepted into its Adj-RIB-In.", "Prefixes advertised to the "
	    "neighbor (its Adj-RIB-Out)." };
	char addr[WR_ADDRSTRLEN];
	struct prom_label l[2] = { { "neighbor", addr }, { "family", NULL } };
	struct metrics_pfx *c;
	const struct peer *p;
	size_t n = 0, i, k;
	uint64_t v;
	int f;

	for (p = d->peers; p != NULL; p = p->next)
		n++;
	if ((c = calloc(n + 1, sizeof(*c))) == NULL)
		return;
	for (i = 0, p = d->peers; p != NULL; p = p->next, i++)
		metrics_peer_prefixes(p, &c[i]);
	for (k = 0; k < 3; k++) {
		prom_family(out, names[k], "gauge", helps[k]);
		for (i = 0, p = d->peers; p != NULL; p = p->next, i++) {
			nb_label(p, addr, sizeof(addr));
			for (f = 0; f < 2; f++) {
				l[1].value = fam_label[f];
				v = k == 0 ? c[i].accepted[f] + c[i].rejected[f] :
				    k == 1 ? c[i].accepted[f] :
				    c[i].advertised[f];
				prom_sample(out, names[k], l, 2, v);
			}
		}
	}
	free(c);
}

static void
write_kernel(struct wrend *d, FILE *out)
{
	struct kr_stats ks;

	kr_get_stats(d->kr, &ks);
	one(out, "wren_kernel_routes_learned", "gauge", "Kernel routes "
	    "learned as local workloads.", ks.learned);
	one(out, "wren_kernel_routes_installed", "gauge", "Routes Wren has "
	    "installed in the kernel.", ks.installed);
	one(out, "wren_kernel_installs_total", "counter", "Route additions "
	    "and replacements sent to the kernel.", ks.installs);
	one(out, "wren_kernel_removals_total", "counter", "Route deletions "
	    "sent to the kernel.", ks.removals);
	one(out, "wren_kernel_errors_total", "counter", "Route changes the "
	    "kernel refused.", ks.errors);
	one(out, "wren_kernel_netlink_overruns_total", "counter", "Netlink "
	    "event socket overruns (ENOBUFS), each followed by a re-dump.",
	    ks.overruns);
	one(out, "wren_kernel_dumps_total", "counter", "Full kernel route "
	    "dumps done.", ks.dumps);
}

void
metrics_write(struct metrics *m, FILE *out)
{
	struct metrics_src *s;

	write_daemon(m, out);
	write_sessions(m->d, out);
	write_nb_series(m->d, out);
	write_messages(m->d, out, 0);
	write_messages(m->d, out, 1);
	write_rfc7606(m->d, out);
	write_prefixes(m->d, out);
	write_kernel(m->d, out);
	for (s = m->srcs; s != NULL; s = s->next)
		s->fn(out, s->arg);
}

int
metrics_register(struct metrics *m, metrics_collect_cb fn, void *arg)
{
	struct metrics_src *s, **sp;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -1;
	s->fn = fn;
	s->arg = arg;
	for (sp = &m->srcs; *sp != NULL; sp = &(*sp)->next)
		;
	*sp = s;
	return 0;
}

void
metrics_unregister(struct metrics *m, metrics_collect_cb fn, void *arg)
{
	struct metrics_src *s, **sp;

	for (sp = &m->srcs; (s = *sp) != NULL; sp = &s->next)
		if (s->fn == fn && s->arg == arg) {
			*sp = s->next;
			free(s);
			return;
		}
}

/* ---- HTTP ---------------------------------------------------------------- */

static void
http_metrics_cb(struct evhttp_request *req, void *arg)
{
	struct metrics *m = arg;
	struct evbuffer *b;
	char *body = NULL;
	size_t len = 0;
	FILE *out;

	if (!(evhttp_request_get_command(req) & (EVHTTP_REQ_GET |
	    EVHTTP_REQ_HEAD))) {
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    "Allow", "GET, HEAD");
		evhttp_send_error(req, 405, "Method Not Allowed");
		return;
	}
	if ((b = evbuffer_new()) == NULL ||
	    (out = open_memstream(&body, &len)) == NULL) {
		if (b != NULL)
			evbuffer_free(b);
		evhttp_send_error(req, HTTP_INTERNAL, NULL);
		return;
	}
	m->scrapes++;
	metrics_write(m, out);
	fclose(out);
	evbuffer_add(b, body, len);
	free(body);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
	evhttp_send_reply(req, HTTP_OK, "OK", b);
	evbuffer_free(b);
}

static void
http_other_cb(struct evhttp_request *req, void *arg)
{
	evhttp_send_error(req, HTTP_NOTFOUND, "Metrics are at /metrics");
}

static struct evhttp *
http_open(struct metrics *m, const struct wr_addr *a, uint16_t port,
    FILE *errf)
{
	struct evhttp *h;
	char buf[WR_ADDRSTRLEN];

	if (addr_is_set(a))
		addr_ntop(a, buf, sizeof(buf));
	else
		snprintf(buf, sizeof(buf), "0.0.0.0");
	if ((h = evhttp_new(m->d->base)) == NULL) {
		fprintf(errf, "metrics: out of memory\n");
		return NULL;
	}
	evhttp_set_max_headers_size(h, METRICS_MAX_HEADERS);
	evhttp_set_max_body_size(h, METRICS_MAX_BODY);
	evhttp_set_timeout(h, METRICS_TIMEOUT);
	/* Others get 501 from libevent; these a 405 from us. */
	evhttp_set_allowed_methods(h, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_POST | EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE);
	evhttp_set_cb(h, "/metrics", http_metrics_cb, m);
	evhttp_set_gencb(h, http_other_cb, m);
	if (evhttp_bind_socket_with_handle(h, buf, port) == NULL) {
		fprintf(errf, "metrics listen %s port %u: %s\n", buf, port,
		    strerror(errno));
		evhttp_free(h);
		return NULL;
	}
	log_info("metrics: listening on %s port %u", buf, port);
	return h;
}

int
metrics_prepare(struct metrics *m, const struct wren_config *c, FILE *errf)
{
	metrics_abort(m);
	m->prepared = 1;
	m->next_addr = c->metrics_addr;
	m->next_port = c->metrics_port;
	if (c->metrics_port == 0)
		return 0;
	/* The same endpoint stays as it is. */
	if (m->http != NULL && m->port == c->metrics_port &&
	    addr_cmp(&m->addr, &c->metrics_addr) == 0)
		return 0;
	if ((m->next = http_open(m, &c->metrics_addr, c->metrics_port,
	    errf)) == NULL) {
		m->prepared = 0;
		return -1;
	}
	return 0;
}

void
metrics_commit(struct metrics *m)
{
	if (!m->prepared)
		return;
	m->prepared = 0;
	if (m->next_port != 0 && m->next == NULL)
		return;		/* unchanged */
	if (m->http != NULL) {
		evhttp_free(m->http);
		log_info("metrics: %s", m->next != NULL ? "endpoint moved" :
		    "endpoint off");
	}
	m->http = m->next;
	m->addr = m->next_addr;
	m->port = m->next_port;
	m->next = NULL;
}

void
metrics_abort(struct metrics *m)
{
	if (m->next != NULL)
		evhttp_free(m->next);
	m->next = NULL;
	m->prepared = 0;
}

struct metrics *
metrics_new(struct wrend *d)
{
	struct metrics *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		fatal("metrics_new");
	m->d = d;
	return m;
}

void
metrics_free(struct metrics *m)
{
	struct metrics_src *s;

	if (m == NULL)
		return;
	metrics_abort(m);
	if (m->http != NULL)
		evhttp_free(m->http);
	while ((s = m->srcs) != NULL) {
		m->srcs = s->next;
		free(s);
	}
	free(m);
}
