/*
 * bgpd/wrend.c: the daemon's main: options, config, the event loop, signals,
 * and reload (apply only the difference between two configs).
 */
#include <errno.h>
#include <signal.h>
#include <syslog.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "bfd.h"
#include "config.h"
#include "compat.h"
#include "control.h"
#include "export.h"
#include "kr.h"
#include "log.h"
#include "priv.h"
#include "metrics.h"
#include "rib.h"
#include "session.h"
#include "wrend.h"

static void	wrend_routes_apply(struct wrend *, const struct wren_config *);

static void
usage(void)
{
	fprintf(stderr,
	    "usage: wrend [-nSv] [-f file] [-s socket] [-u user]\n");
	exit(2);
}

static const char *
wrend_socket_path(const struct wrend *d)
{
	if (d->sock_override != NULL)
		return d->sock_override;
	if (d->conf->control_socket[0] != '\0')
		return d->conf->control_socket;
	return CONF_DEFAULT_SOCKET;
}

/* Neighbors are kept in config order: that is how they are shown. */
static struct peer *
wrend_add_peer(struct wrend *d, const struct neighbor_conf *nc)
{
	struct peer *p = peer_new(d, nc), **pp;

	for (pp = &d->peers; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = p;
	peer_start(p);
	return p;
}

/* Cease subcode: RFC 4486 §4, 3 de-configured or 6 configuration change. */
static void
wrend_remove_peer(struct wrend *d, struct peer *p, uint8_t subcode)
{
	struct peer **pp;

	for (pp = &d->peers; *pp != NULL; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	peer_stop(p, subcode, 1);
	peer_free(p);
}

/*
 * Reload step 1: neighbors that are gone, or whose change needs a new
 * session, are stopped; the rest take their new settings in place.
 */
static void
reload_neighbors(struct wrend *d, const struct wren_config *nconf,
    int global_change)
{
	struct peer *p, *next;
	struct neighbor_conf *nc;

	for (p = d->peers; p != NULL; p = next) {
		next = p->next;
		nc = config_find_neighbor(nconf, &p->conf.addr);
		if (nc == NULL || global_change ||
		    config_neighbor_differs(&p->conf, nc)) {
			log_info("neighbor %s: %s", p->name, nc == NULL ?
			    "removed" : "changed, restarting the session");
			wrend_remove_peer(d, p, nc == NULL ?
			    ERR_CEASE_PEER_UNCONF : ERR_CEASE_CONFIG_CHG);
		} else
			peer_update_conf(p, nc);
	}
}

/* Reload step 2: neighbors that are new (or were restarted) start. */
static void
reload_add_neighbors(struct wrend *d)
{
	struct neighbor_conf *nc;

	for (nc = d->conf->neighbors; nc != NULL; nc = nc->next)
		if (peer_find(d, &nc->addr) == NULL)
			log_info("neighbor %s: started",
			    wrend_add_peer(d, nc)->name);
}

int
wrend_gr_in_progress(const struct wrend *d)
{
	return d->gr_restarting && !d->initial_sync_done;
}

/* Operating settings a reload applies in place: log level, groups. */
static void
wrend_reload_ops(struct wrend *d, const struct wren_config *nconf)
{
	const struct wren_config *old = d->conf;

	if (!d->log_forced)
		log_set_level(nconf->log_level != 0 ? nconf->log_level :
		    LOG_INFO);
	if (strcmp(nconf->control_ro_socket, old->control_ro_socket) != 0)
		log_warnx("reload: control-socket-readonly changes take "
		    "effect at the next start");
	if (nconf->compat_sock.readonly != old->compat_sock.readonly)
		log_warnx("reload: compat-socket read-only changes take "
		    "effect at the next start");
	if (strcmp(nconf->control_socket, old->control_socket) == 0)
		control_chgrp(wrend_socket_path(d), &nconf->control_sock);
	if (strcmp(nconf->control_ro_socket, old->control_ro_socket) == 0 &&
	    nconf->control_ro_socket[0] != '\0')
		control_chgrp(nconf->control_ro_socket, &nconf->control_ro_sock);
	if (strcmp(nconf->compat_socket, old->compat_socket) == 0 &&
	    nconf->compat_socket[0] != '\0')
		control_chgrp(nconf->compat_socket, &nconf->compat_sock);
}

int
wrend_reload(struct wrend *d, FILE *errf)
{
	struct wren_config *nconf, *old = d->conf;
	int global;

	if ((nconf = config_parse_file(d->conf_path, errf)) == NULL) {
		log_warnx("reload: %s has errors, keeping the running config",
		    d->conf_path);
		d->reloads_failed++;
		return -1;
	}
	/* First what can fail: then nothing has changed yet. */
	if (metrics_prepare(d->metrics, nconf, errf) == -1 ||
	    listener_apply(d, nconf, errf) == -1) {
		log_warnx("reload: cannot listen as %s says, keeping the "
		    "running config", d->conf_path);
		metrics_abort(d->metrics);
		config_free(nconf);
		d->reloads_failed++;
		return -1;
	}
	metrics_commit(d->metrics);
	wrend_reload_ops(d, nconf);
	if (strcmp(nconf->control_socket, old->control_socket) != 0)
		log_warnx("reload: control-socket changes take effect at the "
		    "next start");
	if (strcmp(nconf->compat_socket, old->compat_socket) != 0)
		log_warnx("reload: compat-socket changes take effect at the "
		    "next start");
	if (strcmp(nconf->user, old->user) != 0)
		log_warnx("reload: user changes take effect at the next start");
	/* A new identity or AS changes every session (RFC 4271 §4.2). */
	global = nconf->router_id != old->router_id ||
	    nconf->local_as != old->local_as ||
	    nconf->cluster_id != old->cluster_id;
	reload_neighbors(d, nconf, global);
	d->conf = nconf;
	kr_reconfigure(d->kr, &nconf->kernel);
	wrend_routes_apply(d, old);
	reload_add_neighbors(d);
	bfd_sync(d->bfd);
	listener_keys_sync(d);
	config_free(old);
	d->last_reload = time(NULL);
	d->reloads_ok++;
	log_info("reload: %s applied", d->conf_path);
	return 0;
}

static void
wrend_stop(struct wrend *d)
{
	struct peer *p;

	d->stopping = 1;
	log_info("stopping");
	/* RFC 5882 §3.2: AdminDown first, so no neighbor sees a failure */
	bfd_stop(d->bfd);
	/*
	 * With graceful restart and persist, a stop is a planned restart
	 * (RFC 4724 §4.1): our kernel routes stay, and so should the
	 * neighbors' routes to us.  Otherwise a Cease (a Hard Reset where
	 * RFC 8538 is negotiated) makes them drop our routes at once.
	 */
	for (p = d->peers; p != NULL; p = p->next)
		if (d->conf->gr.enabled && d->conf->kernel.persist)
			peer_stop_graceful(p);
		else
			peer_stop(p, ERR_CEASE_ADMIN_DOWN, 1);
	event_base_loopexit(d->base, NULL);
}

static void
signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct wrend *d = arg;

	if (sig == SIGHUP) {
		log_info("SIGHUP: reloading %s", d->conf_path);
		wrend_reload(d, stderr);
		return;
	}
	wrend_stop(d);
}

static void
wrend_signals(struct wrend *d)
{
	static const int sigs[] = { SIGHUP, SIGTERM, SIGINT };
	size_t i;

	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < 3; i++) {
		d->ev_sig[i] = evsignal_new(d->base, sigs[i], signal_cb, d);
		evsignal_add(d->ev_sig[i], NULL);
	}
}

/* ---- static and aggregate routes (peers.conf(5) POLICY) ---------------- */

static const char *
wrend_ifname(void *arg, const struct wr_prefix *p)
{
	struct wrend *d = arg;

	return d->kr != NULL ? kr_ifname(d->kr, p) : NULL;
}

/* Where c puts prefix: the source of its static or aggregate route. */
static struct rib_source *
routes_src(struct wrend *d, const struct wren_config *c,
    const struct wr_prefix *pfx)
{
	const struct static_conf *st;
	const struct pol_aggr *ag;

	for (st = c->statics; st != NULL; st = st->next)
		if (prefix_cmp(&st->prefix, pfx) == 0)
			return &d->static_src;
	for (ag = c->aggregates; ag != NULL; ag = ag->next)
		if (prefix_cmp(&ag->prefix, pfx) == 0)
			return ag->no_blackhole ? &d->agg_src : &d->static_src;
	return NULL;
}

static void
routes_add(struct wrend *d, struct rib_source *src,
    const struct wr_prefix *pfx, const struct wr_addr *via)
{
	struct rib_attrs t;
	char buf[WR_PFXSTRLEN];

	memset(&t, 0, sizeof(t));
	t.origin = ORIGIN_IGP;
	if (via != NULL)
		t.nexthop = *via;
	if (rib_update(d->rib, src, pfx, &t) == -1)
		log_warnx("static %s: out of memory",
		    prefix_ntop(pfx, buf, sizeof(buf)));
}

/*
 * The static and aggregate routes of d->conf into the rib; old (a reload):
 * the previous config, whose routes that are gone are withdrawn (and so
 * removed from the kernel).  A changed set of aggregates changes what is
 * kept back: every neighbor's export is planned again.
 */
static void
wrend_routes_apply(struct wrend *d, const struct wren_config *old)
{
	const struct static_conf *st;
	const struct pol_aggr *ag;
	struct rib_source *src;
	struct peer *p;

	for (st = old != NULL ? old->statics : NULL; st != NULL; st = st->next)
		if (routes_src(d, d->conf, &st->prefix) != &d->static_src)
			rib_withdraw(d->rib, &d->static_src, &st->prefix);
	for (ag = old != NULL ? old->aggregates : NULL; ag != NULL;
	    ag = ag->next) {
		src = ag->no_blackhole ? &d->agg_src : &d->static_src;
		if (routes_src(d, d->conf, &ag->prefix) != src)
			rib_withdraw(d->rib, src, &ag->prefix);
	}
	for (st = d->conf->statics; st != NULL; st = st->next)
		routes_add(d, &d->static_src, &st->prefix, &st->via);
	for (ag = d->conf->aggregates; ag != NULL; ag = ag->next)
		routes_add(d, ag->no_blackhole ? &d->agg_src : &d->static_src,
		    &ag->prefix, NULL);
	d->pol_env.aggs = d->conf->aggregates;
	if (old == NULL || pol_aggr_equal(old->aggregates, d->conf->aggregates))
		return;
	for (p = d->peers; p != NULL; p = p->next)
		rib_out_set_policy(p->out, p->conf.export_pol, 1);
}

static void
wrend_routes_init(struct wrend *d)
{
	rib_source_init(&d->static_src, RIB_SRC_STATIC, "static");
	rib_source_init(&d->agg_src, RIB_SRC_STATIC, "aggregate");
	d->agg_src.no_install = 1;
	d->pol_env.ifname = wrend_ifname;
	d->pol_env.ifname_arg = d;
	wrend_routes_apply(d, NULL);
}

static int
wrend_start(struct wrend *d)
{
	struct neighbor_conf *nc;
	struct kr_stats ks;

	if ((d->base = event_base_new()) == NULL)
		fatalx("event_base_new");
	if ((d->rib = rib_new()) == NULL)
		fatal("rib_new");
	d->kr = kr_new(d->base, d->rib, &d->conf->kernel);
	if (d->kr == NULL || kr_start(d->kr) == -1)
		return -1;
	wrend_routes_init(d);
	/*
	 * RFC 4724 §4.1: routes a previous wrend left in the kernel make this
	 * a restart: the Restart State bit until the initial sync is done.
	 */
	kr_get_stats(d->kr, &ks);
	d->gr_restarting = d->conf->gr.enabled && ks.installed > 0;
	if (d->gr_restarting)
		log_info("graceful restart: %llu routes of a previous run kept",
		    (unsigned long long)ks.installed);
	if (listener_apply(d, d->conf, stderr) == -1)
		return -1;
	d->metrics = metrics_new(d);
	if (metrics_prepare(d->metrics, d->conf, stderr) == -1)
		return -1;
	metrics_commit(d->metrics);
	if ((d->control = control_open(d, wrend_socket_path(d),
	    &d->conf->control_sock)) == NULL)
		return -1;
	if (d->conf->control_ro_socket[0] != '\0' &&
	    (d->control_ro = control_open(d, d->conf->control_ro_socket,
	    &d->conf->control_ro_sock)) == NULL)
		return -1;
	if (d->conf->compat_socket[0] != '\0' &&
	    (d->compat = compat_open(d, d->conf->compat_socket,
	    &d->conf->compat_sock)) == NULL)
		return -1;
	wrend_signals(d);
	d->bfd = bfd_new(d);
	for (nc = d->conf->neighbors; nc != NULL; nc = nc->next)
		wrend_add_peer(d, nc);
	bfd_sync(d->bfd);
	listener_keys_sync(d);
	peer_sync_start(d);
	d->started = time(NULL);
	return 0;
}

static void
shutdown_timeout_cb(evutil_socket_t fd, short ev, void *arg)
{
	*(int *)arg = 1;
}

/*
 * Give the Cease NOTIFICATIONs queued by wrend_stop a moment to reach the
 * neighbors (RFC 4271 §6.7), with no new connections meanwhile.
 */
static void
wrend_flush_closing(struct wrend *d)
{
	struct timeval tv = { 2, 0 };
	struct event *t;
	int expired = 0;

	listener_close_all(d);
	control_close(d->control);
	d->control = NULL;
	control_close(d->control_ro);
	d->control_ro = NULL;
	compat_close(d->compat);
	d->compat = NULL;
	if ((t = evtimer_new(d->base, shutdown_timeout_cb, &expired)) == NULL)
		return;
	evtimer_add(t, &tv);
	while (d->nclosing > 0 && !expired)
		event_base_loop(d->base, EVLOOP_ONCE);
	event_free(t);
}

static void
wrend_shutdown(struct wrend *d)
{
	struct peer *p;
	size_t i;

	wrend_flush_closing(d);
	/*
	 * persist (INTERFACE.md): our kernel routes outlive the process, for
	 * the next wrend to adopt, when the restart is a graceful one
	 * (RFC 4724).  With persist off, or graceful restart off, a clean
	 * stop leaves nothing behind.  kr goes first so that tearing down
	 * the rib touches no route.
	 */
	kr_free(d->kr, !d->conf->kernel.persist || !d->conf->gr.enabled);
	/* Now no consumer is left: the Adj-RIBs-In can go quietly. */
	for (p = d->peers; p != NULL; p = p->next)
		rib_flush_source(d->rib, &p->src);
	while ((p = d->peers) != NULL) {
		d->peers = p->next;
		peer_free(p);
	}
	for (i = 0; i < 3; i++)
		if (d->ev_sig[i] != NULL)
			event_free(d->ev_sig[i]);
	if (d->ev_eor_wait != NULL)
		event_free(d->ev_eor_wait);
	bfd_free(d->bfd);
	metrics_free(d->metrics);
	rib_free(d->rib);
	free(d->upd_ext);
	config_free(d->conf);
	event_base_free(d->base);
}

int
main(int argc, char *argv[])
{
	struct wrend d;
	char rid[WR_IDSTRLEN];
	int ch, check = 0, debug = 0, use_syslog = 0;
	const char *user = NULL;

	memset(&d, 0, sizeof(d));
	d.conf_path = CONF_DEFAULT_FILE;
	while ((ch = getopt(argc, argv, "f:s:nvSu:")) != -1) {
		switch (ch) {
		case 'f': d.conf_path = optarg; break;
		case 's': d.sock_override = optarg; break;
		case 'n': check = 1; break;
		case 'v': debug = 1; break;
		case 'S': use_syslog = 1; break;
		case 'u': user = optarg; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	log_init(debug, use_syslog, "wrend");
	if ((d.conf = config_parse_file(d.conf_path, stderr)) == NULL)
		return 1;
	d.log_forced = debug;
	if (!debug && d.conf->log_level != 0)
		log_set_level(d.conf->log_level);
	if (check) {
		if (debug)
			config_print(d.conf, stdout);
		else
			fprintf(stderr, "configuration OK\n");
		config_free(d.conf);
		return 0;
	}
	if (wrend_start(&d) == -1)
		return 1;
	/* every socket is open: root is no longer needed (bgpd/priv.c) */
	if (user == NULL && d.conf->user[0] != '\0')
		user = d.conf->user;
	if (user != NULL && priv_drop(user, d.conf_path) == -1)
		return 1;
	log_info("wrend %s started, router id %s, AS %u", WREN_VERSION,
	    addr_id_ntop(d.conf->router_id, rid, sizeof(rid)),
	    d.conf->local_as);
	event_base_dispatch(d.base);
	wrend_shutdown(&d);
	log_info("stopped");
	return 0;
}
