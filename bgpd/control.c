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

#include <sys/time.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "bfd.h"
#include "control.h"
#include "ctlcmd.h"
#include "export.h"
#include "json.h"
#include "kr.h"
#include "log.h"
#include "metrics.h"
#include "rib.h"
#include "session.h"
#include "usock.h"
#include "wrend.h"

#define CONTROL_TIMEOUT		10	/* seconds for a client to send its line */
#define CONTROL_MAX_CLIENTS	64

struct ctl_client;

struct control {
	struct wrend		*d;
	struct evconnlistener	*l;
	struct event		*resume;
	struct ctl_client	*clients;
	int			 nclients;
	int			 readonly;
	char			 path[CONF_PATH_LEN];
};

struct ctl_args {
	struct ctl_cmd	 cmd;
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

static const char *
log_level_name(int pri)
{
	return pri >= LOG_DEBUG ? "debug" : pri >= LOG_INFO ? "info" :
	    pri >= LOG_NOTICE ? "notice" : pri >= LOG_WARNING ? "warning" :
	    "error";
}

/* "127.0.0.1:9179", "*:9179" or "off" */
static const char *
metrics_where(const struct wren_config *c, char *buf, size_t len)
{
	char a[WR_ADDRSTRLEN];

	if (c->metrics_port == 0)
		return "off";
	snprintf(buf, len, "%s%s%s:%u", c->metrics_addr.af == AF_INET6 ?
	    "[" : "", addr_is_set(&c->metrics_addr) ? addr_ntop(
	    &c->metrics_addr, a, sizeof(a)) : "*", c->metrics_addr.af ==
	    AF_INET6 ? "]" : "", c->metrics_port);
	return buf;
}

static void
status_text(struct wrend *d, FILE *out, const struct kr_stats *ks)
{
	struct wren_config *c = d->conf;
	char rid[16], t1[32], t2[32], where[WR_ADDRSTRLEN + 8];

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
	fprintf(out, "Reloads %llu ok, %llu failed; log level %s; metrics %s\n",
	    (unsigned long long)d->reloads_ok,
	    (unsigned long long)d->reloads_failed,
	    log_level_name(log_get_level()), metrics_where(c, where,
	    sizeof(where)));
}

static void
status_json(struct wrend *d, FILE *out, const struct kr_stats *ks)
{
	struct wren_config *c = d->conf;
	struct json j;
	char rid[16], where[WR_ADDRSTRLEN + 8];

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
	json_obj_open(&j, "reloads");
	json_uint(&j, "ok", d->reloads_ok);
	json_uint(&j, "failed", d->reloads_failed);
	json_obj_close(&j);
	json_str(&j, "log_level", log_level_name(log_get_level()));
	if (c->metrics_port != 0)
		json_str(&j, "metrics", metrics_where(c, where,
		    sizeof(where)));
	else
		json_null(&j, "metrics");
	json_obj_close(&j);
	fputc('\n', out);
}

static int
cmd_show_status(struct wrend *d, struct ctl_args *a)
{
	struct kr_stats ks;

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
	/* routing policy; "" none (RFC 8212: eBGP passes nothing) */
	json_str(j, "import_policy", nc->import_policy);
	json_str(j, "export_policy", nc->export_policy);
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

static void neighbor_detail_json(struct json *, const struct peer *);

static void
neighbor_json(struct json *j, const struct peer *p, int detail)
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
	if (detail)
		neighbor_detail_json(j, p);
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

/* ---- show neighbors ADDR: the details ----------------------------------- */

#define FAM_V4		0
#define FAM_V6		1

static const char *const fam_names[2] = { "ipv4_unicast", "ipv6_unicast" };
static const uint32_t fam_bits[2] = { BGP_MP_IPV4_UNICAST,
    BGP_MP_IPV6_UNICAST };

/* Ours: as sent in this session's OPEN, or as the next one will be. */
static const struct bgp_caps *
our_caps(const struct peer *p, struct bgp_caps *buf)
{
	if (p->state >= ST_OPENSENT)
		return &p->lcaps;
	peer_our_caps(p, buf);
	return buf;
}

/* Seconds until a pending timer fires; -1 when it is not armed. */
static long
timer_left(const struct event *ev)
{
	struct timeval tv, now;
	long left;

	if (ev == NULL || !event_pending(ev, EV_TIMEOUT, &tv))
		return -1;
	gettimeofday(&now, NULL);
	left = (long)(tv.tv_sec - now.tv_sec) + (tv.tv_usec > now.tv_usec);
	return left < 0 ? 0 : left;
}

/* "Cease/Administrative Shutdown" and its halves. */
static void
notify_json(struct json *j, const char *key, const struct peer_notify *n)
{
	char text[96], *slash;

	if (n->code == 0) {
		json_null(j, key);
		return;
	}
	bgp_err_str(n->code, n->subcode, text, sizeof(text));
	json_obj_open(j, key);
	json_uint(j, "code", n->code);
	json_uint(j, "subcode", n->subcode);
	json_str(j, "text", text);
	if ((slash = strchr(text, '/')) != NULL) {
		json_str(j, "subcode_name", slash + 1);
		*slash = '\0';
	} else
		json_null(j, "subcode_name");
	json_str(j, "code_name", text);
	json_int(j, "time", n->when);
	json_obj_close(j);
}

static const char *
addpath_dir(uint32_t rx, uint32_t tx, int f)
{
	int r = (rx & fam_bits[f]) != 0, t = (tx & fam_bits[f]) != 0;

	return r && t ? "both" : r ? "receive" : t ? "send" : NULL;
}

/* One side's capabilities (RFC 5492), as announced in its OPEN. */
static void
caps_json(struct json *j, const char *key, const struct bgp_caps *c,
    uint32_t mp)
{
	const char *dir;
	int f;

	json_obj_open(j, key);
	for (f = 0; f < 2; f++)
		json_bool(j, fam_names[f], (mp & fam_bits[f]) != 0);
	if (c->as4)
		json_uint(j, "as4", c->as4_value);
	else
		json_null(j, "as4");
	json_bool(j, "route_refresh", c->route_refresh);
	json_bool(j, "enhanced_route_refresh", c->enhanced_rr);
	json_bool(j, "extended_messages", c->ext_msg);
	json_bool(j, "extended_next_hop", c->ext_nh != 0);
	if (c->gr) {
		json_obj_open(j, "graceful_restart");
		json_uint(j, "restart_time", c->gr_time);
		json_bool(j, "restarting", (c->gr_flags & 0x8) != 0);
		json_bool(j, "notification", (c->gr_flags & 0x4) != 0);
		json_arr_open(j, "forwarding");
		for (f = 0; f < 2; f++)
			if (c->gr_fwd & fam_bits[f])
				json_str(j, NULL, fam_names[f]);
		json_arr_close(j);
		json_obj_close(j);
	} else
		json_null(j, "graceful_restart");
	json_obj_open(j, "add_path");
	for (f = 0; f < 2; f++)
		if ((dir = addpath_dir(c->addpath_rx, c->addpath_tx, f)) != NULL)
			json_str(j, fam_names[f], dir);
	json_obj_close(j);
	json_obj_close(j);
}

/* What both sides agreed on (only meaningful from OpenConfirm on). */
static void
negotiated_json(struct json *j, const struct peer *p)
{
	const struct bgp_caps *rc = &p->ropen.caps, *lc = &p->lcaps;
	const char *dir;
	int f;

	json_obj_open(j, "negotiated");
	for (f = 0; f < 2; f++)
		json_bool(j, fam_names[f], (p->ctx.mp & fam_bits[f]) != 0);
	json_bool(j, "as4", p->ctx.as4);
	json_bool(j, "route_refresh", rc->route_refresh);
	json_bool(j, "enhanced_route_refresh", rc->enhanced_rr &&
	    lc->enhanced_rr);
	json_bool(j, "extended_messages", p->ctx.max_len > BGP_MAX_LEN);
	json_bool(j, "extended_next_hop", p->ctx.ext_nh != 0);
	json_bool(j, "graceful_restart", lc->gr && rc->gr);
	json_obj_open(j, "add_path");
	for (f = 0; f < 2; f++)
		if ((dir = addpath_dir(p->ctx.addpath_rx, p->ctx.addpath_tx,
		    f)) != NULL)
			json_str(j, fam_names[f], dir);
	json_obj_close(j);
	json_obj_close(j);
}

static void
timers_json(struct json *j, const struct peer *p)
{
	int up = p->state >= ST_OPENCONFIRM;

	json_obj_open(j, "timers");
	json_uint(j, "hold_time_configured", p->conf.hold_time);
	json_uint(j, "keepalive_configured", p->conf.keepalive != 0 ?
	    p->conf.keepalive : p->conf.hold_time / 3);
	if (up) {
		json_uint(j, "hold_time", p->hold_time);
		json_uint(j, "keepalive", p->keepalive);
	} else {
		json_null(j, "hold_time");
		json_null(j, "keepalive");
	}
	json_uint(j, "connect_retry", p->conf.connect_retry);
	json_int(j, "hold_timer_left", timer_left(p->t_hold));
	json_int(j, "keepalive_timer_left", timer_left(p->t_keepalive));
	json_int(j, "connect_timer_left", timer_left(p->t_connect));
	json_obj_close(j);
}

static const char *const msg_keys[] = {
	[BGP_OPEN] = "open", [BGP_UPDATE] = "update",
	[BGP_NOTIFICATION] = "notification", [BGP_KEEPALIVE] = "keepalive",
	[BGP_ROUTE_REFRESH] = "route_refresh",
};

static void
messages_json(struct json *j, const uint64_t *v, const char *key)
{
	uint64_t total = 0;
	int t;

	json_obj_open(j, key);
	for (t = BGP_OPEN; t <= BGP_ROUTE_REFRESH; t++) {
		json_uint(j, msg_keys[t], v[t]);
		total += v[t];
	}
	json_uint(j, "total", total);
	json_obj_close(j);
}

static void
neighbor_detail_json(struct json *j, const struct peer *p)
{
	struct metrics_pfx c;
	struct bgp_caps ours;
	char id[WR_IDSTRLEN];
	int f, up = p->state >= ST_OPENCONFIRM;

	json_str(j, "description", p->conf.description);
	if (up)
		json_str(j, "router_id", addr_id_ntop(p->src.bgp_id, id,
		    sizeof(id)));
	else
		json_null(j, "router_id");
	json_bool(j, "admin_down", p->admin_down);
	json_int(j, "uptime", p->state == ST_ESTABLISHED ? time(NULL) -
	    p->state_since : 0);
	json_int(j, "established_at", p->established_at);
	timers_json(j, p);
	json_obj_open(j, "capabilities");
	caps_json(j, "ours", our_caps(p, &ours), our_caps(p, &ours)->mp);
	if (up)
		caps_json(j, "theirs", &p->ropen.caps, p->ropen.caps.mp);
	else
		json_null(j, "theirs");
	if (up)
		negotiated_json(j, p);
	else
		json_null(j, "negotiated");
	json_obj_close(j);
	json_obj_open(j, "messages");
	messages_json(j, p->stats.msg_in, "received");
	messages_json(j, p->stats.msg_out, "sent");
	json_obj_close(j);
	metrics_peer_prefixes(p, &c);
	json_obj_open(j, "prefixes");
	for (f = 0; f < 2; f++) {
		json_obj_open(j, fam_names[f]);
		json_uint(j, "received", c.accepted[f] + c.rejected[f]);
		json_uint(j, "accepted", c.accepted[f]);
		json_uint(j, "rejected", c.rejected[f]);
		json_uint(j, "stale", c.stale[f]);
		json_uint(j, "advertised", c.advertised[f]);
		json_obj_close(j);
	}
	json_obj_close(j);
	notify_json(j, "last_notification_sent", &p->notify_sent);
	notify_json(j, "last_notification_received", &p->notify_rcvd);
}

/* ---- the same, as text -------------------------------------------------- */

static void
caps_gr_text(const struct bgp_caps *c, char *buf, size_t len)
{
	if (!c->gr) {
		snprintf(buf, len, "no");
		return;
	}
	snprintf(buf, len, "%us%s%s%s", c->gr_time, (c->gr_flags & 0x8) ?
	    " R" : "", (c->gr_flags & 0x4) ? " N" : "", c->gr_fwd ? " F" : "");
}

static void
caps_ap_text(uint32_t rx, uint32_t tx, char *buf, size_t len)
{
	const char *d4 = addpath_dir(rx, tx, FAM_V4);
	const char *d6 = addpath_dir(rx, tx, FAM_V6);

	if (d4 == NULL && d6 == NULL)
		snprintf(buf, len, "no");
	else
		snprintf(buf, len, "%s%s%s%s%s", d4 != NULL ? "v4:" : "",
		    d4 != NULL ? d4 : "", d4 != NULL && d6 != NULL ? "," : "",
		    d6 != NULL ? "v6:" : "", d6 != NULL ? d6 : "");
}

static const char *
yesno(int v)
{
	return v ? "yes" : "no";
}

static void
cap_line(FILE *out, const char *name, const char *ours, const char *theirs,
    const char *result)
{
	fprintf(out, "    %-24s %-14s %-14s %s\n", name, ours, theirs, result);
}

static void
caps_text(FILE *out, const struct peer *p)
{
	struct bgp_caps ours;
	const struct bgp_caps *lc = our_caps(p, &ours), *rc = &p->ropen.caps;
	int up = p->state >= ST_OPENCONFIRM, f;
	char l[48], r[48], n[48];
	static const char *const fam_titles[2] = { "IPv4 unicast",
	    "IPv6 unicast" };

	fprintf(out, "  Capabilities:\n");
	cap_line(out, "", "ours", "theirs", "negotiated");
	for (f = 0; f < 2; f++)
		cap_line(out, fam_titles[f], yesno(lc->mp & fam_bits[f]),
		    up ? yesno(rc->mp & fam_bits[f]) : "-",
		    up ? yesno(p->ctx.mp & fam_bits[f]) : "-");
	snprintf(l, sizeof(l), "%u", lc->as4_value);
	snprintf(r, sizeof(r), "%u", rc->as4_value);
	cap_line(out, "4-octet AS", lc->as4 ? l : "no", !up ? "-" : rc->as4 ?
	    r : "no", up ? yesno(p->ctx.as4) : "-");
	cap_line(out, "route refresh", yesno(lc->route_refresh), up ?
	    yesno(rc->route_refresh) : "-", up ? yesno(rc->route_refresh) : "-");
	cap_line(out, "enhanced route refresh", yesno(lc->enhanced_rr), up ?
	    yesno(rc->enhanced_rr) : "-", up ? yesno(rc->enhanced_rr &&
	    lc->enhanced_rr) : "-");
	cap_line(out, "extended messages", yesno(lc->ext_msg), up ?
	    yesno(rc->ext_msg) : "-", up ? yesno(p->ctx.max_len > BGP_MAX_LEN) : "-");
	cap_line(out, "extended next hop", yesno(lc->ext_nh), up ?
	    yesno(rc->ext_nh) : "-", up ? yesno(p->ctx.ext_nh) : "-");
	caps_gr_text(lc, l, sizeof(l));
	caps_gr_text(rc, r, sizeof(r));
	cap_line(out, "graceful restart", l, up ? r : "-", up ?
	    yesno(lc->gr && rc->gr) : "-");
	caps_ap_text(lc->addpath_rx, lc->addpath_tx, l, sizeof(l));
	caps_ap_text(rc->addpath_rx, rc->addpath_tx, r, sizeof(r));
	caps_ap_text(p->ctx.addpath_rx, p->ctx.addpath_tx, n, sizeof(n));
	cap_line(out, "ADD-PATH", l, up ? r : "-", up ? n : "-");
}

/* "12 s", or "-" for a timer that is not running */
static void
fmt_left(const struct event *ev, char *buf, size_t len)
{
	long left = timer_left(ev);

	if (left < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%ld s", left);
}

static void
timers_text(FILE *out, const struct peer *p)
{
	char hold[24], ka[24], conn[24];
	int up = p->state >= ST_OPENCONFIRM;

	fprintf(out, "  Timers: hold %u s (configured %u), keepalive %u s "
	    "(configured %u), connect-retry %u s\n", up ? p->hold_time : 0,
	    p->conf.hold_time, up ? p->keepalive : 0, p->conf.keepalive != 0 ?
	    p->conf.keepalive : p->conf.hold_time / 3, p->conf.connect_retry);
	fmt_left(p->t_hold, hold, sizeof(hold));
	fmt_left(p->t_keepalive, ka, sizeof(ka));
	fmt_left(p->t_connect, conn, sizeof(conn));
	fprintf(out, "  Time left: hold %s, keepalive %s, connect %s\n", hold,
	    ka, conn);
}

static void
messages_text(FILE *out, const struct peer *p)
{
	uint64_t ti = 0, to = 0;
	int t;

	fprintf(out, "  Messages:        %12s %12s\n", "received", "sent");
	for (t = BGP_OPEN; t <= BGP_ROUTE_REFRESH; t++) {
		fprintf(out, "    %-14s %12llu %12llu\n", bgp_msg_name(
		    (uint8_t)t), (unsigned long long)p->stats.msg_in[t],
		    (unsigned long long)p->stats.msg_out[t]);
		ti += p->stats.msg_in[t];
		to += p->stats.msg_out[t];
	}
	fprintf(out, "    %-14s %12llu %12llu\n", "Total",
	    (unsigned long long)ti, (unsigned long long)to);
}

static void
prefixes_text(FILE *out, const struct peer *p)
{
	struct metrics_pfx c;
	int f;
	static const char *const fam_titles[2] = { "IPv4 unicast",
	    "IPv6 unicast" };

	metrics_peer_prefixes(p, &c);
	fprintf(out, "  Prefixes:        %10s %10s %10s %10s %10s\n",
	    "received", "accepted", "rejected", "stale", "advertised");
	for (f = 0; f < 2; f++)
		fprintf(out, "    %-14s %10zu %10zu %10zu %10zu %10zu\n",
		    fam_titles[f], c.accepted[f] + c.rejected[f],
		    c.accepted[f], c.rejected[f], c.stale[f], c.advertised[f]);
}

static void
notify_text(FILE *out, const char *dir, const struct peer_notify *n)
{
	char text[96], when[32];

	if (n->code == 0) {
		fprintf(out, "  Last NOTIFICATION %s: none\n", dir);
		return;
	}
	bgp_err_str(n->code, n->subcode, text, sizeof(text));
	fmt_time(n->when, when, sizeof(when));
	fprintf(out, "  Last NOTIFICATION %s: %s (code %u, subcode %u) at %s\n",
	    dir, text, n->code, n->subcode, when);
}

/* show neighbors ADDR: the row, then the details */
static void
neighbor_detail(FILE *out, const struct peer *p)
{
	char id[WR_IDSTRLEN], up[32], when[32];

	fprintf(out, "  Type %s, local AS %u, remote AS %u%s%s%s\n",
	    p->src.ebgp ? "eBGP" : "iBGP", CONF_LOCAL_AS(p->d->conf, &p->conf),
	    p->conf.remote_as, p->conf.description[0] != '\0' ?
	    ", \"" : "", p->conf.description, p->conf.description[0] != '\0' ?
	    "\"" : "");
	fmt_duration(p->state == ST_ESTABLISHED ? time(NULL) - p->state_since :
	    0, up, sizeof(up));
	fmt_time(p->established_at, when, sizeof(when));
	fprintf(out, "  State %s%s, router ID %s, uptime %s, last up %s, "
	    "flaps %u\n", peer_state_name(p->state), p->admin_down ?
	    " (administratively down)" : "", p->state >= ST_OPENCONFIRM ?
	    addr_id_ntop(p->src.bgp_id, id, sizeof(id)) : "-", up, when,
	    p->stats.flaps);
	timers_text(out, p);
	caps_text(out, p);
	messages_text(out, p);
	prefixes_text(out, p);
	fprintf(out, "  Updates received %llu, sent %llu\n",
	    (unsigned long long)p->stats.updates_in,
	    (unsigned long long)p->stats.updates_out);
	fprintf(out, "  RFC 7606: treat-as-withdraw %llu, attribute-discard "
	    "%llu, session-reset %llu\n",
	    (unsigned long long)p->stats.treat_as_withdraw,
	    (unsigned long long)p->stats.attribute_discard,
	    (unsigned long long)p->stats.session_reset);
	fprintf(out, "  Graceful restart: %s, %zu stale routes\n",
	    p->gr_phase == GR_RESTART ? "neighbor restarting" :
	    p->gr_phase == GR_STALE ? "waiting for End-of-RIB" : "idle",
	    p->src.nstale);
	notify_text(out, "sent", &p->notify_sent);
	notify_text(out, "received", &p->notify_rcvd);
	fprintf(out, "  Last error: %s\n", p->last_error[0] != '\0' ?
	    p->last_error : "none");
}

static int
cmd_show_neighbors(struct wrend *d, struct ctl_args *a)
{
	int one = a->cmd.flags & CTL_F_NEIGHBOR;
	struct peer *p;
	struct json j;
	time_t now = time(NULL);

	if (one && peer_find(d, &a->cmd.neighbor) == NULL) {
		snprintf(a->err, a->errlen, "no such neighbor");
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
		if (one && addr_cmp(&p->conf.addr, &a->cmd.neighbor) != 0)
			continue;
		if (a->json)
			neighbor_json(&j, p, one);
		else
			neighbor_row(a->out, p, now);
		if (!a->json && one)
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
	struct ctl_args		*a;
	struct json		 j;
	const struct rib_source	*only;	/* show routes neighbor ADDR */
};

static int
route_walk_cb(const struct rib_entry *e, void *arg)
{
	struct route_walk *w = arg;
	const struct rib_path *rp;

	for (rp = e->paths; rp != NULL; rp = rp->next) {
		if (w->only != NULL && rp->src != w->only)
			continue;
		if (w->a->json)
			route_json(&w->j, e, rp);
		else
			route_row(w->a->out, e, rp);
	}
	return 0;
}

/* The neighbor a command names, or an ERROR. */
static struct peer *
cmd_peer(struct wrend *d, struct ctl_args *a)
{
	struct peer *p;
	char buf[WR_ADDRSTRLEN];

	if ((p = peer_find(d, &a->cmd.neighbor)) == NULL)
		snprintf(a->err, a->errlen, "no such neighbor: %s",
		    addr_ntop(&a->cmd.neighbor, buf, sizeof(buf)));
	return p;
}

/*
 * show routes [P] [neighbor N]: the Loc-RIB, or one prefix of it (exactly,
 * or the longest match of an address), or the paths of one neighbor.
 */
static int
cmd_show_routes(struct wrend *d, struct ctl_args *a)
{
	struct route_walk w = { .a = a };
	const struct rib_entry *e = NULL;
	struct peer *p;

	if (a->cmd.flags & CTL_F_NEIGHBOR) {
		if ((p = cmd_peer(d, a)) == NULL)
			return -1;
		w.only = &p->src;
	}
	if (a->cmd.flags & CTL_F_PREFIX)
		e = rib_lookup(d->rib, &a->cmd.prefix);
	else if (a->cmd.flags & CTL_F_MATCH)
		e = rib_match(d->rib, &a->cmd.prefix.addr);
	json_init(&w.j, a->out);
	if (a->json) {
		json_obj_open(&w.j, NULL);
		json_arr_open(&w.j, "routes");
	} else
		fprintf(a->out, "%-20s %-18s %-4s %-7s %-18s %-9s %s\n",
		    "Prefix", "Next hop", "Best", "Source", "Neighbor",
		    "LocPref", "AS path");
	if (a->cmd.flags & (CTL_F_PREFIX | CTL_F_MATCH)) {
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

/* ---- show rib in|out neighbor ADDR -------------------------------------- */

/* One line of an Adj-RIB: a path, or a prefix that was rejected. */
struct rib_row {
	struct wr_prefix	 pfx;
	uint32_t		 path_id;
	const struct rib_attrs	*at;	/* NULL: rejected, not kept */
	int			 best;
	int			 stale;
	time_t			 since;
};

struct rib_rows {
	struct rib_row		*v;
	size_t			 n, cap;
	int			 oom;
};

static struct rib_row *
rows_add(struct rib_rows *r)
{
	struct rib_row *v;
	size_t cap;

	if (r->n == r->cap) {
		cap = r->cap ? r->cap * 2 : 256;
		if ((v = reallocarray(r->v, cap, sizeof(*v))) == NULL) {
			r->oom = 1;
			return NULL;
		}
		r->v = v;
		r->cap = cap;
	}
	memset(&r->v[r->n], 0, sizeof(r->v[0]));
	return &r->v[r->n++];
}

static int
row_cmp(const void *a, const void *b)
{
	const struct rib_row *x = a, *y = b;
	int c = prefix_cmp(&x->pfx, &y->pfx);

	if (c != 0)
		return c;
	return x->path_id < y->path_id ? -1 : x->path_id > y->path_id;
}

/* Keep the rows of the prefix asked for: exact, or the longest match. */
static void
rows_filter(struct rib_rows *r, const struct ctl_cmd *c)
{
	size_t i, k = 0;
	int best = -1;

	if (!(c->flags & (CTL_F_PREFIX | CTL_F_MATCH)))
		return;
	for (i = 0; (c->flags & CTL_F_MATCH) && i < r->n; i++)
		if (prefix_contains(&r->v[i].pfx, &c->prefix.addr) &&
		    r->v[i].pfx.len > best)
			best = r->v[i].pfx.len;
	for (i = 0; i < r->n; i++) {
		if ((c->flags & CTL_F_PREFIX) ? prefix_cmp(&r->v[i].pfx,
		    &c->prefix) != 0 : (r->v[i].pfx.len != best ||
		    !prefix_contains(&r->v[i].pfx, &c->prefix.addr)))
			continue;
		r->v[k++] = r->v[i];
	}
	r->n = k;
}

static int
rows_in(const struct peer *p, struct rib_rows *r)
{
	const struct rib_path *rp;
	struct rib_row *row;
	size_t i;

	for (rp = p->src.paths; rp != NULL; rp = rp->src_next) {
		if ((row = rows_add(r)) == NULL)
			return -1;
		row->pfx = rp->entry->prefix;
		row->path_id = rp->path_id;
		row->at = rp->attrs;
		row->best = rp == rp->entry->paths;
		row->stale = rp->stale;
		row->since = rp->since;
	}
	for (i = 0; i < p->rejected.nslots; i++) {
		if (p->rejected.slots[i].addr.af == 0)
			continue;
		if ((row = rows_add(r)) == NULL)
			return -1;
		row->pfx = p->rejected.slots[i];
	}
	return 0;
}

static int
rows_out_cb(void *arg, const struct wr_prefix *pfx, uint32_t id,
    const struct rib_attrs *at)
{
	struct rib_row *row;

	if ((row = rows_add(arg)) == NULL)
		return -1;
	row->pfx = *pfx;
	row->path_id = id;
	row->at = at;
	return 0;
}

/* RFC 1997 communities as "65000:1" strings. */
static void
communities_json(struct json *j, const struct rib_attrs *at)
{
	const uint8_t *c = at->communities;
	char buf[16];
	size_t i;

	json_arr_open(j, "communities");
	for (i = 0; i + 4 <= at->communities_len; i += 4) {
		snprintf(buf, sizeof(buf), "%u:%u", (unsigned)(c[i] << 8 |
		    c[i + 1]), (unsigned)(c[i + 2] << 8 | c[i + 3]));
		json_str(j, NULL, buf);
	}
	json_arr_close(j);
}

static const char *
origin_name(uint8_t o)
{
	return o == ORIGIN_IGP ? "igp" : o == ORIGIN_EGP ? "egp" :
	    "incomplete";
}

static void
rib_row_json(struct json *j, const struct rib_row *row, int in)
{
	char buf[WR_PFXSTRLEN];
	const struct rib_attrs *at = row->at;

	json_obj_open(j, NULL);
	json_str(j, "prefix", prefix_ntop(&row->pfx, buf, sizeof(buf)));
	json_uint(j, "path_id", row->path_id);
	if (in) {
		json_bool(j, "rejected", at == NULL);
		json_bool(j, "stale", row->stale);
		json_bool(j, "best", row->best);
	}
	if (at != NULL) {
		if (addr_is_set(&at->nexthop))
			json_str(j, "next_hop", addr_ntop(&at->nexthop, buf,
			    sizeof(buf)));
		else
			json_null(j, "next_hop");
		aspath_json(j, at);
		if (at->flags & RIB_A_LOCAL_PREF)
			json_uint(j, "local_pref", at->local_pref);
		else
			json_null(j, "local_pref");
		if (at->flags & RIB_A_MED)
			json_uint(j, "med", at->med);
		else
			json_null(j, "med");
		json_str(j, "origin", origin_name(at->origin));
		communities_json(j, at);
		rr_json(j, at);
	}
	if (in && at != NULL)
		json_int(j, "since", row->since);
	json_obj_close(j);
}

static void
rib_row_text(FILE *out, const struct rib_row *row, int in)
{
	char pfx[WR_PFXSTRLEN], nh[WR_ADDRSTRLEN], path[256], lp[12], med[12];
	char flags[4];
	const struct rib_attrs *at = row->at;

	prefix_ntop(&row->pfx, pfx, sizeof(pfx));
	snprintf(flags, sizeof(flags), "%s%s%s", at == NULL ? "R" : "",
	    row->best ? "*" : "", row->stale ? "S" : "");
	if (at == NULL) {
		fprintf(out, "%-20s %6u %-3s %s\n", pfx, row->path_id, flags,
		    "(rejected: not kept)");
		return;
	}
	aspath_fmt(at->aspath, at->aspath_len, path, sizeof(path));
	snprintf(lp, sizeof(lp), (at->flags & RIB_A_LOCAL_PREF) ? "%u" : "-",
	    at->local_pref);
	snprintf(med, sizeof(med), (at->flags & RIB_A_MED) ? "%u" : "-",
	    at->med);
	if (!addr_is_set(&at->nexthop))
		snprintf(nh, sizeof(nh), "-");
	else
		addr_ntop(&at->nexthop, nh, sizeof(nh));
	fprintf(out, "%-20s %6u %-3s %-18s %7s %7s %-10s %s\n", pfx,
	    row->path_id, in ? flags : "", nh, lp, med,
	    origin_name(at->origin), path[0] != '\0' ? path : "-");
}

static int
cmd_show_rib(struct wrend *d, struct ctl_args *a)
{
	int in = a->cmd.id == CTL_SHOW_RIB_IN;
	struct rib_rows r = { 0 };
	struct peer *p;
	struct json j;
	char buf[WR_ADDRSTRLEN];
	size_t i;

	if ((p = cmd_peer(d, a)) == NULL)
		return -1;
	if (in)
		rows_in(p, &r);
	else
		rib_out_walk(p->out, rows_out_cb, &r);
	if (r.oom) {
		free(r.v);
		snprintf(a->err, a->errlen, "out of memory");
		return -1;
	}
	if (r.n > 0)
		qsort(r.v, r.n, sizeof(r.v[0]), row_cmp);
	rows_filter(&r, &a->cmd);
	json_init(&j, a->out);
	if (a->json) {
		json_obj_open(&j, NULL);
		json_str(&j, "neighbor", addr_ntop(&p->conf.addr, buf,
		    sizeof(buf)));
		json_arr_open(&j, in ? "rib_in" : "rib_out");
	} else
		fprintf(a->out, "%-20s %6s %-3s %-18s %7s %7s %-10s %s\n",
		    "Prefix", "PathId", in ? "Flg" : "", "Next hop", "LocPref",
		    "MED", "Origin", "AS path");
	for (i = 0; i < r.n; i++)
		if (a->json)
			rib_row_json(&j, &r.v[i], in);
		else
			rib_row_text(a->out, &r.v[i], in);
	if (a->json) {
		json_arr_close(&j);
		json_obj_close(&j);
		fputc('\n', a->out);
	} else if (in)
		fprintf(a->out, "Flags: * best in the Loc-RIB, S stale "
		    "(graceful restart), R rejected\n");
	free(r.v);
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

/* ---- show bfd [ADDR]: bgpd/bfd.c writes it ------------------------------ */

static int
cmd_show_bfd(struct wrend *d, struct ctl_args *a)
{
	const struct wr_addr *only = (a->cmd.flags & CTL_F_NEIGHBOR) ?
	    &a->cmd.neighbor : NULL;

	if (bfd_show(d->bfd, a->json, only, a->out) == -1) {
		snprintf(a->err, a->errlen, "no BFD session with that neighbor");
		return -1;
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
	[CTL_NB_REFRESH] = { "refresh", nb_refresh },
	[CTL_NB_DOWN] = { "down", nb_down },
	[CTL_NB_UP] = { "up", nb_up },
	[CTL_NB_RESTART] = { "restart", nb_restart },
};

static int
cmd_neighbor(struct wrend *d, struct ctl_args *a)
{
	struct peer *p;
	char buf[WR_ADDRSTRLEN];
	const char *verb = nb_verbs[a->cmd.verb].verb;

	if ((p = cmd_peer(d, a)) == NULL)
		return -1;
	if (nb_verbs[a->cmd.verb].fn(p, a) == -1)
		return -1;
	addr_ntop(&p->conf.addr, buf, sizeof(buf));
	if (a->json)
		fprintf(a->out, "{\"neighbor\":\"%s\",\"%s\":\"ok\"}\n", buf,
		    verb);
	else
		fprintf(a->out, "neighbor %s: %s\n", buf, verb);
	return 0;
}

/* ---- dispatch ----------------------------------------------------------- */

static int (*const ctl_fns[])(struct wrend *, struct ctl_args *) = {
	[CTL_SHOW_STATUS] = cmd_show_status,
	[CTL_SHOW_NEIGHBORS] = cmd_show_neighbors,
	[CTL_SHOW_ROUTES] = cmd_show_routes,
	[CTL_SHOW_RIB_IN] = cmd_show_rib,
	[CTL_SHOW_RIB_OUT] = cmd_show_rib,
	[CTL_SHOW_KERNEL] = cmd_show_kernel,
	[CTL_SHOW_BFD] = cmd_show_bfd,
	[CTL_RELOAD] = cmd_reload,
	[CTL_NEIGHBOR] = cmd_neighbor,
};

static int
control_exec_ro(struct wrend *d, int json, int readonly, const char *line,
    FILE *out, char *err, size_t errlen)
{
	struct ctl_args a = { .json = json, .out = out, .err = err,
	    .errlen = errlen };

	if (ctl_cmd_parse(line, &a.cmd, err, errlen) == -1)
		return CONTROL_USAGE;
	if (readonly && a.cmd.changes_state) {
		snprintf(err, errlen, "%s: not permitted on a read-only control "
		    "socket", ctl_cmd_name(&a.cmd));
		return -1;
	}
	return ctl_fns[a.cmd.id](d, &a);
}

int
control_exec(struct wrend *d, int json, const char *line, FILE *out,
    char *err, size_t errlen)
{
	return control_exec_ro(d, json, 0, line, out, err, errlen);
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
	r = control_exec_ro(ctl->d, json, ctl->readonly, line + 5, out, err,
	    sizeof(err));
	fclose(out);
	if (r == 0)
		evbuffer_add_printf(o, "OK\n");
	else
		evbuffer_add_printf(o, "%s %s\n", client_status(r), err);
	evbuffer_add(o, body, blen);
	free(body);
}

/* Commands are plain text: a NUL or a control character is garbage. */
static int
line_printable(const char *line, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)line[i] < 0x20 && line[i] != '\t' &&
		    line[i] != '\r')
			return 0;
	return 1;
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
		if (line_printable(line, n))
			client_answer(cl->ctl, bev, line);
		else
			evbuffer_add_printf(bufferevent_get_output(bev),
			    "USAGE bad request: control characters in the "
			    "command\n");
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

/* The socket's group, as configured (mode 0660 gives it access). */
int
control_chgrp(const char *path, const struct sock_conf *sc)
{
	if (sc == NULL || !sc->has_gid)
		return 0;
	if (chown(path, (uid_t)-1, (gid_t)sc->gid) == -1) {
		log_warn("chown %s to group %s", path, sc->group);
		return -1;
	}
	return 0;
}

struct control *
control_open(struct wrend *d, const char *path, const struct sock_conf *sc)
{
	struct control *ctl;
	int fd;

	if ((fd = usock_listen(path, "control socket")) == -1)
		return NULL;
	if (control_chgrp(path, sc) == -1) {
		close(fd);
		unlink(path);
		return NULL;
	}
	if ((ctl = calloc(1, sizeof(*ctl))) == NULL)
		fatal("control_open");
	ctl->d = d;
	ctl->readonly = sc != NULL && sc->readonly;
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
