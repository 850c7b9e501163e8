/*
 * bgpd/control.c: the control socket and the commands behind wrenctl.
 *
 * Each client sends one line and gets one answer, rendered by the daemon
 * either as an aligned table or as one JSON object (field names fixed by
 * INTERFACE.md).  A line that is too long, or garbage, gets an ERROR answer;
 * the daemon never trusts the client beyond that one line.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "control.h"
#include "export.h"
#include "json.h"
#include "kr.h"
#include "log.h"
#include "rib.h"
#include "session.h"
#include "usock.h"
#include "wrend.h"

#define CONTROL_MAX_ARGS	8
#define CONTROL_TIMEOUT		10	/* seconds for a client to send its line */
#define CONTROL_MAX_CLIENTS	64

struct ctl_client;

struct control {
	struct wrend		*d;
	struct evconnlistener	*l;
	struct event		*resume;
	struct ctl_client	*clients;
	int			 nclients;
	char			 path[CONF_PATH_LEN];
};

struct ctl_args {
	int		 argc;
	char		*argv[CONTROL_MAX_ARGS];
	int		 json;
	FILE		*out;
	char		*err;
	size_t		 errlen;
};

static void
fmt_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (t == 0) {
		snprintf(buf, len, "never");
		return;
	}
	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

/* "01:02:03" or "3d04h05m": a duration in one token, as BIRD shows it. */
static void
fmt_duration(time_t secs, char *buf, size_t len)
{
	if (secs < 0)
		secs = 0;
	if (secs < 86400)
		snprintf(buf, len, "%02ld:%02ld:%02ld", (long)secs / 3600,
		    (long)(secs / 60) % 60, (long)secs % 60);
	else
		snprintf(buf, len, "%ldd%02ldh%02ldm", (long)secs / 86400,
		    (long)(secs / 3600) % 24, (long)(secs / 60) % 60);
}


/* ---- show status ------------------------------------------------------- */

static void
status_text(struct wrend *d, FILE *out, const struct kr_stats *ks)
{
	struct wren_config *c = d->conf;
	char rid[16], t1[32], t2[32];

	addr_id_ntop(c->router_id, rid, sizeof(rid));
	fmt_time(d->started, t1, sizeof(t1));
	fmt_time(d->last_reload, t2, sizeof(t2));
	fprintf(out, "Wren %s\nRouter ID is %s\nLocal AS %u\n"
	    "Started %s (up %lds)\nLast reconfiguration %s\n"
	    "Graceful restart %s (restart-time %u, stale-time %u)\n"
	    "%s"
	    "Prefixes %zu, paths %zu, attribute sets %zu\n"
	    "Kernel: %llu learned, %llu installed, %llu errors\n",
	    WREN_VERSION, rid, c->local_as, t1, (long)(time(NULL) -
	    d->started), t2, c->gr.enabled ? "on" : "disabled",
	    c->gr.restart_time, c->gr.stale_time,
	    wrend_gr_in_progress(d) ? "Graceful restart in progress: "
	    "waiting for End-of-RIB\n" : "", rib_prefix_count(d->rib),
	    rib_path_count(d->rib), rib_attrs_count(),
	    (unsigned long long)ks->learned, (unsigned long long)ks->installed,
	    (unsigned long long)ks->errors);
}

static void
status_json(struct wrend *d, FILE *out, const struct kr_stats *ks)
{
	struct wren_config *c = d->conf;
	struct json j;
	char rid[16];

	addr_id_ntop(c->router_id, rid, sizeof(rid));
	json_init(&j, out);
	json_obj_open(&j, NULL);
	json_str(&j, "version", WREN_VERSION);
	json_str(&j, "router_id", rid);
	json_uint(&j, "local_as", c->local_as);
	json_int(&j, "started", d->started);
	json_int(&j, "uptime", time(NULL) - d->started);
	if (d->last_reload != 0)
		json_int(&j, "last_reload", d->last_reload);
	else
		json_null(&j, "last_reload");
	json_obj_open(&j, "graceful_restart");
	json_bool(&j, "enabled", c->gr.enabled);
	/* RFC 4724: the capability is in every OPEN when enabled. */
	json_bool(&j, "announced", c->gr.enabled);
	json_uint(&j, "restart_time", c->gr.restart_time);
	json_uint(&j, "stale_time", c->gr.stale_time);
	json_bool(&j, "in_progress", wrend_gr_in_progress(d));
	json_bool(&j, "restarted", d->gr_restarting);
	json_uint(&j, "eor_wait", c->gr.eor_wait);
	json_obj_close(&j);
	json_uint(&j, "prefixes", rib_prefix_count(d->rib));
	json_uint(&j, "paths", rib_path_count(d->rib));
	json_uint(&j, "attribute_sets", rib_attrs_count());
	json_obj_open(&j, "kernel");
	json_uint(&j, "learned", ks->learned);
	json_uint(&j, "installed", ks->installed);
	json_uint(&j, "errors", ks->errors);
	json_uint(&j, "overruns", ks->overruns);
	json_obj_close(&j);
	json_obj_close(&j);
	fputc('\n', out);
}

static int
cmd_show_status(struct wrend *d, struct ctl_args *a)
{
	struct kr_stats ks;

	if (a->argc != 2) {
		snprintf(a->err, a->errlen, "usage: show status");
		return CONTROL_USAGE;
	}
	kr_get_stats(d->kr, &ks);
	if (a->json)
		status_json(d, a->out, &ks);
	else
		status_text(d, a->out, &ks);
	return 0;
}

/* ---- show neighbors ---------------------------------------------------- */

/* RFC 4724: what the neighbor announced, and its routes kept stale. */
static void
neighbor_gr_json(struct json *j, const struct peer *p)
{
	const struct bgp_caps *rc = &p->ropen.caps;
	int up = p->state >= ST_OPENCONFIRM || p->gr_phase != GR_NONE;

	json_obj_open(j, "graceful_restart");
	json_bool(j, "negotiated", up && p->d->conf->gr.enabled && rc->gr);
	json_uint(j, "peer_restart_time", up && rc->gr ? rc->gr_time : 0);
	json_bool(j, "peer_restarting", up && rc->gr && (rc->gr_flags & 0x8));
	json_bool(j, "notification", up && rc->gr && (rc->gr_flags & 0x4));
	json_str(j, "phase", p->gr_phase == GR_RESTART ? "restarting" :
	    p->gr_phase == GR_STALE ? "stale" : "none");
	json_uint(j, "stale", p->src.nstale);
	json_obj_close(j);
}

/* Keys are shown as set or not, never themselves. */
static void
neighbor_transport_json(struct json *j, const struct peer *p)
{
	const struct neighbor_conf *nc = &p->conf;
	char buf[WR_ADDRSTRLEN];

	json_uint(j, "local_as", CONF_LOCAL_AS(p->d->conf, nc));
	json_str(j, "password", nc->password[0] != '\0' ? "set" : "unset");
	if (nc->ao.alg != 0) {
		json_obj_open(j, "tcp_ao");
		json_uint(j, "key_id", nc->ao.send_id);
		json_uint(j, "rnext_id", nc->ao.recv_id);
		json_str(j, "algorithm", config_ao_alg_name(nc->ao.alg));
		json_str(j, "password", "set");
		json_obj_close(j);
	} else
		json_null(j, "tcp_ao");
	json_uint(j, "ttl_security", nc->ttl_security);
	json_uint(j, "multihop", nc->multihop);
	if (nc->source.af != 0)
		json_str(j, "source_address", addr_ntop(&nc->source, buf,
		    sizeof(buf)));
	else
		json_null(j, "source_address");
	json_str(j, "next_hop", nc->next_hop == CONF_NH_SELF ? "self" :
	    nc->next_hop == CONF_NH_KEEP ? "keep" : "default");
	json_uint(j, "allow_local_as", nc->allow_local_as);
	json_uint(j, "connect_retry", nc->connect_retry);
}

/* max-prefix: the limit and, while down for it, until when (0: reload). */
static void
neighbor_max_prefix_json(struct json *j, const struct peer *p)
{
	const struct neighbor_conf *nc = &p->conf;

	if (nc->max_prefix == 0) {
		json_null(j, "max_prefix");
		return;
	}
	json_obj_open(j, "max_prefix");
	json_uint(j, "limit", nc->max_prefix);
	json_bool(j, "warning_only", nc->max_prefix_warn);
	json_uint(j, "restart", nc->max_prefix_restart);
	json_bool(j, "down", p->maxpfx_down);
	json_int(j, "down_until", p->maxpfx_until);
	json_obj_close(j);
}

/* RFC 7606 §6: the actions taken on this neighbor's UPDATEs */
static void
neighbor_rfc7606_json(struct json *j, const struct peer *p)
{
	json_obj_open(j, "rfc7606");
	json_uint(j, "treat_as_withdraw", p->stats.treat_as_withdraw);
	json_uint(j, "attribute_discard", p->stats.attribute_discard);
	json_uint(j, "session_reset", p->stats.session_reset);
	json_obj_close(j);
}

/* What both sides announced (RFC 8654, RFC 2918, RFC 7313). */
static void
neighbor_caps_json(struct json *j, const struct peer *p)
{
	const struct bgp_caps *rc = &p->ropen.caps;
	int up = p->state >= ST_OPENCONFIRM;

	json_bool(j, "extended_messages", up && rc->ext_msg);
	json_bool(j, "route_refresh", up && rc->route_refresh);
	json_bool(j, "enhanced_route_refresh", up && rc->enhanced_rr);
}

static void
neighbor_json(struct json *j, const struct peer *p)
{
	char buf[WR_ADDRSTRLEN];

	json_obj_open(j, NULL);
	json_str(j, "address", addr_ntop(&p->conf.addr, buf, sizeof(buf)));
	if (p->conf.name[0] != '\0')
		json_str(j, "name", p->conf.name);
	json_uint(j, "remote_as", p->conf.remote_as);
	json_str(j, "type", p->src.ebgp ? "ebgp" : "ibgp");
	json_str(j, "state", peer_state_name(p->state));
	json_int(j, "state_since", p->state_since);
	json_uint(j, "prefixes_received", p->src.npaths + p->rejected.count);
	json_uint(j, "prefixes_accepted", p->src.npaths);
	json_uint(j, "prefixes_sent", peer_prefixes_sent(p));
	json_uint(j, "hold_time", p->state >= ST_OPENCONFIRM ? p->hold_time :
	    p->conf.hold_time);
	json_uint(j, "keepalive", p->keepalive);
	neighbor_gr_json(j, p);
	json_uint(j, "updates_received", p->stats.updates_in);
	json_uint(j, "updates_sent", p->stats.updates_out);
	json_uint(j, "treat_as_withdraw", p->stats.treat_as_withdraw);
	neighbor_rfc7606_json(j, p);
	neighbor_caps_json(j, p);
	json_uint(j, "flaps", p->stats.flaps);
	json_bool(j, "passive", p->conf.passive);
	neighbor_transport_json(j, p);
	neighbor_max_prefix_json(j, p);
	if (p->last_error[0] != '\0')
		json_str(j, "last_error", p->last_error);
	else
		json_null(j, "last_error");
	json_obj_close(j);
}

static void
neighbor_row(FILE *out, const struct peer *p, time_t now)
{
	char addr[WR_ADDRSTRLEN], since[32];

	addr_ntop(&p->conf.addr, addr, sizeof(addr));
	fmt_duration(now - p->state_since, since, sizeof(since));
	fprintf(out, "%-24s %-10u %-12s %-10s %8zu %8zu %8zu  %s\n", addr,
	    p->conf.remote_as, peer_state_name(p->state), since,
	    p->src.npaths + p->rejected.count, p->src.npaths, peer_prefixes_sent(p),
	    p->last_error);
}

/* show neighbors ADDR: the row, then the details */
static void
neighbor_detail(FILE *out, const struct peer *p)
{
	const struct bgp_caps *rc = &p->ropen.caps;
	int up = p->state >= ST_OPENCONFIRM;

	fprintf(out, "  Updates received %llu, sent %llu; flaps %u\n",
	    (unsigned long long)p->stats.updates_in,
	    (unsigned long long)p->stats.updates_out, p->stats.flaps);
	fprintf(out, "  RFC 7606: treat-as-withdraw %llu, attribute-discard "
	    "%llu, session-reset %llu\n",
	    (unsigned long long)p->stats.treat_as_withdraw,
	    (unsigned long long)p->stats.attribute_discard,
	    (unsigned long long)p->stats.session_reset);
	fprintf(out, "  Extended messages %s, route refresh %s, enhanced "
	    "route refresh %s\n", up && rc->ext_msg ? "yes" : "no",
	    up && rc->route_refresh ? "yes" : "no",
	    up && rc->enhanced_rr ? "yes" : "no");
}

static int
cmd_show_neighbors(struct wrend *d, struct ctl_args *a)
{
	struct wr_addr only;
	struct peer *p;
	struct json j;
	time_t now = time(NULL);

	if (a->argc > 3 || (a->argc == 3 && addr_parse(a->argv[2], &only))) {
		snprintf(a->err, a->errlen, "usage: show neighbors [ADDRESS]");
		return CONTROL_USAGE;
	}
	if (a->argc == 3 && peer_find(d, &only) == NULL) {
		snprintf(a->err, a->errlen, "no such neighbor: %s", a->argv[2]);
		return -1;
	}
	json_init(&j, a->out);
	if (a->json) {
		json_obj_open(&j, NULL);
		json_arr_open(&j, "neighbors");
	} else
		fprintf(a->out, "%-24s %-10s %-12s %-10s %8s %8s %8s  %s\n",
		    "Neighbor", "AS", "State", "Since", "Received", "Accepted",
		    "Sent", "Last error");
	for (p = d->peers; p != NULL; p = p->next) {
		if (a->argc == 3 && addr_cmp(&p->conf.addr, &only) != 0)
			continue;
		if (a->json)
			neighbor_json(&j, p);
		else
			neighbor_row(a->out, p, now);
		if (!a->json && a->argc == 3)
			neighbor_detail(a->out, p);
	}
	if (a->json) {
		json_arr_close(&j);
		json_obj_close(&j);
		fputc('\n', a->out);
	}
	return 0;
}

/* ---- show routes -------------------------------------------------------- */

static const char *
source_name(const struct rib_source *s)
{
	switch (s->type) {
	case RIB_SRC_KERNEL:
		return "kernel";
	case RIB_SRC_STATIC:
		return "static";
	case RIB_SRC_BGP:
		return "bgp";
	}
	return "?";
}

/* AS_PATH as a JSON array; an AS_SET becomes a nested array. */
static void
aspath_json(struct json *j, const struct rib_attrs *at)
{
	struct ibuf b, seg;
	uint8_t type, count;
	uint32_t as;

	json_arr_open(j, "as_path");
	ibuf_init(&b, at->aspath, at->aspath_len);
	while (ibuf_get_u8(&b, &type) == 0 && ibuf_get_u8(&b, &count) == 0 &&
	    ibuf_sub(&b, (size_t)count * 4, &seg) == 0) {
		if (type == AS_SET || type == AS_CONFED_SET)
			json_arr_open(j, NULL);
		while (ibuf_get_u32(&seg, &as) == 0)
			json_uint(j, NULL, as);
		if (type == AS_SET || type == AS_CONFED_SET)
			json_arr_close(j);
	}
	json_arr_close(j);
}

/* RFC 4456 §8: "originator_id" and "cluster_list", when present. */
static void
rr_json(struct json *j, const struct rib_attrs *at)
{
	char id[16];
	size_t i;
	const uint8_t *c = at->cluster_list;

	if (at->flags & RIB_A_ORIGINATOR) {
		addr_id_ntop(at->originator_id, id, sizeof(id));
		json_str(j, "originator_id", id);
	}
	if (at->cluster_list_len == 0)
		return;
	json_arr_open(j, "cluster_list");
	for (i = 0; i + 4 <= at->cluster_list_len; i += 4) {
		addr_id_ntop((uint32_t)c[i] << 24 | (uint32_t)c[i + 1] << 16 |
		    (uint32_t)c[i + 2] << 8 | c[i + 3], id, sizeof(id));
		json_str(j, NULL, id);
	}
	json_arr_close(j);
}

static void
route_json(struct json *j, const struct rib_entry *e, const struct rib_path *rp)
{
	char buf[WR_PFXSTRLEN];
	const struct rib_attrs *at = rp->attrs;

	json_obj_open(j, NULL);
	json_str(j, "prefix", prefix_ntop(&e->prefix, buf, sizeof(buf)));
	if (addr_is_set(&at->nexthop))
		json_str(j, "next_hop", addr_ntop(&at->nexthop, buf,
		    sizeof(buf)));
	else
		json_null(j, "next_hop");
	json_bool(j, "best", rp == e->paths);
	json_str(j, "source", source_name(rp->src));
	if (rp->src->type == RIB_SRC_BGP)
		json_str(j, "neighbor", addr_ntop(&rp->src->addr, buf,
		    sizeof(buf)));
	else
		json_null(j, "neighbor");
	aspath_json(j, at);
	json_uint(j, "local_pref", (at->flags & RIB_A_LOCAL_PREF) ?
	    at->local_pref : LOCAL_PREF_DEFAULT);
	if (at->flags & RIB_A_MED)
		json_uint(j, "med", at->med);
	json_str(j, "origin", at->origin == ORIGIN_IGP ? "igp" :
	    at->origin == ORIGIN_EGP ? "egp" : "incomplete");
	rr_json(j, at);
	json_int(j, "since", rp->since);
	json_obj_close(j);
}

static void
route_row(FILE *out, const struct rib_entry *e, const struct rib_path *rp)
{
	char pfx[WR_PFXSTRLEN], nh[WR_ADDRSTRLEN], nb[WR_ADDRSTRLEN];
	char path[256];
	const struct rib_attrs *at = rp->attrs;

	aspath_fmt(at->aspath, at->aspath_len, path, sizeof(path));
	fprintf(out, "%-20s %-18s %-4s %-7s %-18s %-9u %s\n",
	    prefix_ntop(&e->prefix, pfx, sizeof(pfx)),
	    addr_ntop(&at->nexthop, nh, sizeof(nh)), rp == e->paths ? "*" : "",
	    source_name(rp->src), rp->src->type == RIB_SRC_BGP ?
	    addr_ntop(&rp->src->addr, nb, sizeof(nb)) : "-",
	    (at->flags & RIB_A_LOCAL_PREF) ? at->local_pref :
	    LOCAL_PREF_DEFAULT, path[0] != '\0' ? path : "-");
}

struct route_walk {
	struct ctl_args	*a;
	struct json	 j;
};

static int
route_walk_cb(const struct rib_entry *e, void *arg)
{
	struct route_walk *w = arg;
	const struct rib_path *rp;

	for (rp = e->paths; rp != NULL; rp = rp->next) {
		if (w->a->json)
			route_json(&w->j, e, rp);
		else
			route_row(w->a->out, e, rp);
	}
	return 0;
}

/* "show routes P": an exact prefix, or the longest match of an address. */
static int
routes_lookup(struct wrend *d, struct ctl_args *a, const struct rib_entry **e)
{
	struct wr_prefix p;

	*e = NULL;
	if (strchr(a->argv[2], '/') != NULL) {
		if (prefix_parse(a->argv[2], &p) == -1)
			goto bad;
		*e = rib_lookup(d->rib, &p);
		return 0;
	}
	if (addr_parse(a->argv[2], &p.addr) == -1)
		goto bad;
	*e = rib_match(d->rib, &p.addr);
	return 0;
bad:
	snprintf(a->err, a->errlen, "bad prefix or address: %s", a->argv[2]);
	return CONTROL_USAGE;
}

static int
cmd_show_routes(struct wrend *d, struct ctl_args *a)
{
	struct route_walk w = { .a = a };
	const struct rib_entry *e = NULL;

	if (a->argc > 3) {
		snprintf(a->err, a->errlen, "usage: show routes [PREFIX]");
		return CONTROL_USAGE;
	}
	if (a->argc == 3 && routes_lookup(d, a, &e) != 0)
		return CONTROL_USAGE;
	json_init(&w.j, a->out);
	if (a->json) {
		json_obj_open(&w.j, NULL);
		json_arr_open(&w.j, "routes");
	} else
		fprintf(a->out, "%-20s %-18s %-4s %-7s %-18s %-9s %s\n",
		    "Prefix", "Next hop", "Best", "Source", "Neighbor",
		    "LocPref", "AS path");
	if (a->argc == 3) {
		if (e != NULL)
			route_walk_cb(e, &w);
	} else
		rib_walk(d->rib, route_walk_cb, &w);
	if (a->json) {
		json_arr_close(&w.j);
		json_obj_close(&w.j);
		fputc('\n', a->out);
	}
	return 0;
}

/* ---- show kernel -------------------------------------------------------- */

struct kernel_walk {
	struct ctl_args	*a;
	struct json	 j;
	time_t		 now;
};

static void
kernel_nexthops(const struct kr_route_info *ri, char *buf, size_t len)
{
	char nh[WR_ADDRSTRLEN];
	size_t i, off = 0;

	snprintf(buf, len, "-");
	for (i = 0; i < ri->nnexthops && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    i > 0 ? "," : "", addr_ntop(&ri->nexthops[i], nh,
		    sizeof(nh)));
}

static int
kernel_route_cb(const struct kr_route_info *ri, void *arg)
{
	struct kernel_walk *w = arg;
	char pfx[WR_PFXSTRLEN], nh[KR_MAX_NEXTHOPS * (WR_ADDRSTRLEN + 1)];
	char since[32];
	size_t i;

	prefix_ntop(&ri->prefix, pfx, sizeof(pfx));
	if (!w->a->json) {
		kernel_nexthops(ri, nh, sizeof(nh));
		fmt_duration(w->now - ri->since, since, sizeof(since));
		fprintf(w->a->out, "%-20s %-32s %-10s %8u %-10s %s\n", pfx, nh,
		    ri->state, ri->failures, since, ri->error != 0 ?
		    strerror(ri->error) : "-");
		return 0;
	}
	json_obj_open(&w->j, NULL);
	json_str(&w->j, "prefix", pfx);
	json_arr_open(&w->j, "next_hops");
	for (i = 0; i < ri->nnexthops; i++)
		json_str(&w->j, NULL, addr_ntop(&ri->nexthops[i], nh,
		    sizeof(nh)));
	json_arr_close(&w->j);
	json_str(&w->j, "state", ri->state);
	if (ri->error != 0)
		json_str(&w->j, "error", strerror(ri->error));
	else
		json_null(&w->j, "error");
	json_uint(&w->j, "failures", ri->failures);
	json_int(&w->j, "since", ri->since);
	json_obj_close(&w->j);
	return 0;
}

static void
kernel_summary_json(struct json *j, const struct kr_stats *ks,
    const struct kernel_conf *k)
{
	json_obj_open(j, "kernel");
	json_uint(j, "learned", ks->learned);
	json_uint(j, "installed", ks->installed);
	json_uint(j, "installs", ks->installs);
	json_uint(j, "removals", ks->removals);
	json_uint(j, "errors", ks->errors);
	json_uint(j, "overruns", ks->overruns);
	json_uint(j, "dumps", ks->dumps);
	json_uint(j, "protocol", k->install_proto);
	json_uint(j, "metric", k->metric);
	json_uint(j, "table", k->install_table);
	json_uint(j, "multipath", (uint64_t)k->multipath);
	json_bool(j, "persist", k->persist);
	json_bool(j, "onlink", k->install_onlink ||
	    k->install_device[0] != '\0');
	if (k->install_device[0] != '\0')
		json_str(j, "device", k->install_device);
	else
		json_null(j, "device");
	json_obj_close(j);
}

static void
kernel_summary_text(FILE *out, const struct kr_stats *ks,
    const struct kernel_conf *k)
{
	fprintf(out, "Kernel: %llu learned, %llu installed, %llu installs, "
	    "%llu removals, %llu errors, %llu overruns, %llu dumps\n",
	    (unsigned long long)ks->learned, (unsigned long long)ks->installed,
	    (unsigned long long)ks->installs, (unsigned long long)ks->removals,
	    (unsigned long long)ks->errors, (unsigned long long)ks->overruns,
	    (unsigned long long)ks->dumps);
	fprintf(out, "Install: protocol %u, metric %u, table %u, multipath %d, "
	    "persist %s%s%s%s\n", k->install_proto, k->metric,
	    k->install_table, k->multipath, k->persist ? "on" : "off",
	    k->install_device[0] != '\0' ? ", device " : "",
	    k->install_device, k->install_onlink ||
	    k->install_device[0] != '\0' ? ", onlink" : "");
	fprintf(out, "%-20s %-32s %-10s %8s %-10s %s\n", "Prefix",
	    "Next hops", "State", "Failures", "Since", "Error");
}

static int
cmd_show_kernel(struct wrend *d, struct ctl_args *a)
{
	struct kernel_walk w = { .a = a, .now = time(NULL) };
	struct kr_stats ks;

	if (a->argc > 2) {
		snprintf(a->err, a->errlen, "usage: show kernel");
		return CONTROL_USAGE;
	}
	kr_get_stats(d->kr, &ks);
	json_init(&w.j, a->out);
	if (a->json) {
		json_obj_open(&w.j, NULL);
		kernel_summary_json(&w.j, &ks, &d->conf->kernel);
		json_arr_open(&w.j, "routes");
	} else
		kernel_summary_text(a->out, &ks, &d->conf->kernel);
	kr_walk(d->kr, kernel_route_cb, &w);
	if (a->json) {
		json_arr_close(&w.j);
		json_obj_close(&w.j);
		fputc('\n', a->out);
	}
	return 0;
}

/* ---- reload ------------------------------------------------------------- */

static int
cmd_reload(struct wrend *d, struct ctl_args *a)
{
	char *errs = NULL;
	size_t errlen = 0;
	FILE *ef;
	int r;

	if ((ef = open_memstream(&errs, &errlen)) == NULL) {
		snprintf(a->err, a->errlen, "out of memory");
		return -1;
	}
	r = wrend_reload(d, ef);
	fclose(ef);
	if (r == -1) {
		/* The first error line is the message; all go in the body. */
		snprintf(a->err, a->errlen, "%.*s", (int)strcspn(errs, "\n"),
		    errs);
		fputs(errs, a->out);
	} else if (a->json)
		fprintf(a->out, "{\"reload\":\"ok\"}\n");
	else
		fprintf(a->out, "reload: configuration applied\n");
	free(errs);
	return r;
}

/* ---- neighbor ADDR refresh|down|up|restart ----------------------------- */

static int
nb_refresh(struct peer *p, struct ctl_args *a)
{
	if (peer_request_refresh(p) == -1) {
		snprintf(a->err, a->errlen, "%s: not Established, or no route "
		    "refresh capability", p->name);
		return -1;
	}
	return 0;
}

/* Cease/Administrative Shutdown (RFC 4486 §4); stays down until "up". */
static int
nb_down(struct peer *p, struct ctl_args *a)
{
	peer_stop(p, ERR_CEASE_ADMIN_DOWN, 1);
	return 0;
}

static int
nb_up(struct peer *p, struct ctl_args *a)
{
	if (!p->admin_down) {
		snprintf(a->err, a->errlen, "%s: not administratively down",
		    p->name);
		return -1;
	}
	peer_start(p);
	return 0;
}

static int
nb_restart(struct peer *p, struct ctl_args *a)
{
	if (p->admin_down) {
		snprintf(a->err, a->errlen, "%s: administratively down (use "
		    "up)", p->name);
		return -1;
	}
	peer_restart(p);
	return 0;
}

static const struct {
	const char	*verb;
	int		(*fn)(struct peer *, struct ctl_args *);
} nb_verbs[] = {
	{ "refresh", nb_refresh },
	{ "down", nb_down },
	{ "up", nb_up },
	{ "restart", nb_restart },
};

static int
cmd_neighbor(struct wrend *d, struct ctl_args *a)
{
	struct wr_addr addr;
	struct peer *p;
	size_t i;

	for (i = 0; a->argc == 3 && i < sizeof(nb_verbs) / sizeof(nb_verbs[0]);
	    i++)
		if (strcmp(a->argv[2], nb_verbs[i].verb) == 0)
			break;
	if (a->argc != 3 || i == sizeof(nb_verbs) / sizeof(nb_verbs[0]) ||
	    addr_parse(a->argv[1], &addr) == -1) {
		snprintf(a->err, a->errlen, "usage: neighbor ADDRESS "
		    "refresh|down|up|restart");
		return CONTROL_USAGE;
	}
	if ((p = peer_find(d, &addr)) == NULL) {
		snprintf(a->err, a->errlen, "no such neighbor: %s", a->argv[1]);
		return -1;
	}
	if (nb_verbs[i].fn(p, a) == -1)
		return -1;
	if (a->json)
		fprintf(a->out, "{\"neighbor\":\"%s\",\"%s\":\"ok\"}\n",
		    a->argv[1], nb_verbs[i].verb);
	else
		fprintf(a->out, "neighbor %s: %s\n", a->argv[1],
		    nb_verbs[i].verb);
	return 0;
}

/* ---- dispatch ----------------------------------------------------------- */

struct ctl_cmd {
	const char	*w1, *w2;
	int		 minargs;
	int		(*fn)(struct wrend *, struct ctl_args *);
};

static const struct ctl_cmd ctl_cmds[] = {
	{ "show", "status", 2, cmd_show_status },
	{ "show", "neighbors", 2, cmd_show_neighbors },
	{ "show", "routes", 2, cmd_show_routes },
	{ "show", "kernel", 2, cmd_show_kernel },
	{ "reload", NULL, 1, cmd_reload },
	{ "neighbor", "*", 2, cmd_neighbor },	/* "*": any second word */
};

static int
ctl_split(char *line, struct ctl_args *a)
{
	char *tok, *save = NULL;

	a->argc = 0;
	for (tok = strtok_r(line, " \t\r\n", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (a->argc == CONTROL_MAX_ARGS)
			return -1;
		a->argv[a->argc++] = tok;
	}
	return 0;
}

int
control_exec(struct wrend *d, int json, const char *line, FILE *out,
    char *err, size_t errlen)
{
	char buf[CONTROL_MAX_LINE];
	struct ctl_args a = { .json = json, .out = out, .err = err,
	    .errlen = errlen };
	size_t i;

	snprintf(buf, sizeof(buf), "%s", line);
	if (ctl_split(buf, &a) == -1 || a.argc == 0) {
		snprintf(err, errlen, "empty or too long command");
		return CONTROL_USAGE;
	}
	for (i = 0; i < sizeof(ctl_cmds) / sizeof(ctl_cmds[0]); i++) {
		const struct ctl_cmd *c = &ctl_cmds[i];

		if (strcmp(a.argv[0], c->w1) != 0 || a.argc < c->minargs)
			continue;
		if (c->w2 != NULL && strcmp(c->w2, "*") != 0 &&
		    strcmp(a.argv[1], c->w2) != 0)
			continue;
		if (c->w2 == NULL && a.argc > 1)
			break;
		return c->fn(d, &a);
	}
	snprintf(err, errlen, "unknown command: %s (try: show status, show "
	    "neighbors [ADDR], show routes [PREFIX], show kernel, reload, "
	    "neighbor ADDR refresh|down|up|restart)",
	    line);
	return CONTROL_USAGE;
}

/* ---- the socket ---------------------------------------------------------- */

/*
 * A client: one command, one answer.  Clients are listed so that the
 * socket's close frees them and so that their number is bounded.
 */
struct ctl_client {
	struct control		*ctl;
	struct bufferevent	*bev;
	struct ctl_client	*next, *prev;
};

static void
client_free(struct ctl_client *cl)
{
	struct control *ctl = cl->ctl;

	if (cl->prev != NULL)
		cl->prev->next = cl->next;
	else
		ctl->clients = cl->next;
	if (cl->next != NULL)
		cl->next->prev = cl->prev;
	ctl->nclients--;
	bufferevent_free(cl->bev);
	free(cl);
}

static void
client_done_cb(struct bufferevent *bev, void *arg)
{
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		client_free(arg);
}

/* EOF, error or timeout, before or after the answer: the client is gone. */
static void
client_event_cb(struct bufferevent *bev, short what, void *arg)
{
	client_free(arg);
}

static const char *
client_status(int r)
{
	return r == 0 ? "OK" : r == CONTROL_USAGE ? "USAGE" : "ERROR";
}

static void
client_answer(struct control *ctl, struct bufferevent *bev, char *line)
{
	struct evbuffer *o = bufferevent_get_output(bev);
	char err[256], *body = NULL;
	size_t blen = 0;
	int json = 0, r;
	FILE *out;

	err[0] = '\0';
	if (strncmp(line, "json ", 5) == 0)
		json = 1;
	else if (strncmp(line, "text ", 5) != 0) {
		evbuffer_add_printf(o, "USAGE bad request: expected \"text\" "
		    "or \"json\" and a command\n");
		return;
	}
	if ((out = open_memstream(&body, &blen)) == NULL) {
		evbuffer_add_printf(o, "ERROR out of memory\n");
		return;
	}
	r = control_exec(ctl->d, json, line + 5, out, err, sizeof(err));
	fclose(out);
	if (r == 0)
		evbuffer_add_printf(o, "OK\n");
	else
		evbuffer_add_printf(o, "%s %s\n", client_status(r), err);
	evbuffer_add(o, body, blen);
	free(body);
}

static void
client_read_cb(struct bufferevent *bev, void *arg)
{
	struct ctl_client *cl = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t n;
	char *line;

	line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF);
	if (line == NULL) {
		if (evbuffer_get_length(in) < CONTROL_MAX_LINE)
			return;		/* wait for the rest of the line */
		evbuffer_add_printf(bufferevent_get_output(bev),
		    "USAGE command line too long\n");
	} else {
		client_answer(cl->ctl, bev, line);
		free(line);
	}
	/* One command per connection: answer, then close once written. */
	bufferevent_disable(bev, EV_READ);
	bufferevent_setcb(bev, NULL, client_done_cb, client_event_cb, cl);
	bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		client_free(cl);
}

static void
control_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct control *ctl = arg;
	struct ctl_client *cl;
	struct timeval tv = { CONTROL_TIMEOUT, 0 };

	/* A flood of clients must not eat the descriptors sessions need. */
	if (ctl->nclients >= CONTROL_MAX_CLIENTS ||
	    (cl = calloc(1, sizeof(*cl))) == NULL) {
		close(fd);
		return;
	}
	cl->ctl = ctl;
	cl->bev = bufferevent_socket_new(ctl->d->base, fd,
	    BEV_OPT_CLOSE_ON_FREE);
	if (cl->bev == NULL) {
		close(fd);
		free(cl);
		return;
	}
	if ((cl->next = ctl->clients) != NULL)
		cl->next->prev = cl;
	ctl->clients = cl;
	ctl->nclients++;
	bufferevent_setcb(cl->bev, client_read_cb, NULL, client_event_cb, cl);
	bufferevent_set_timeouts(cl->bev, &tv, &tv);
	bufferevent_enable(cl->bev, EV_READ);
}

/* accept() failed (EMFILE): pause a second rather than spin on it. */
static void
control_resume_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct control *ctl = arg;

	evconnlistener_enable(ctl->l);
}

static void
control_error_cb(struct evconnlistener *l, void *arg)
{
	struct control *ctl = arg;
	struct timeval tv = { 1, 0 };

	log_warn("control socket accept");
	evconnlistener_disable(l);
	evtimer_add(ctl->resume, &tv);
}

struct control *
control_open(struct wrend *d, const char *path)
{
	struct control *ctl;
	int fd;

	if ((fd = usock_listen(path, "control socket")) == -1)
		return NULL;
	if ((ctl = calloc(1, sizeof(*ctl))) == NULL)
		fatal("control_open");
	ctl->d = d;
	snprintf(ctl->path, sizeof(ctl->path), "%s", path);
	ctl->l = evconnlistener_new(d->base, control_accept_cb, ctl,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	ctl->resume = evtimer_new(d->base, control_resume_cb, ctl);
	if (ctl->l == NULL || ctl->resume == NULL)
		fatalx("evconnlistener_new");
	evconnlistener_set_error_cb(ctl->l, control_error_cb);
	return ctl;
}

void
control_close(struct control *ctl)
{
	if (ctl == NULL)
		return;
	while (ctl->clients != NULL)
		client_free(ctl->clients);
	evconnlistener_free(ctl->l);
	event_free(ctl->resume);
	unlink(ctl->path);
	free(ctl);
}
