/*
 * bgpd/compat.c: the BIRD-compatible control socket (compat-socket).
 *
 * Speaks enough of BIRD 2's reply-code protocol for calico-node's liveness
 * and readiness checks and for the stock birdc: show status, show protocols
 * [all] [NAME], show route [PREFIX] and configure.  A client may send any
 * number of command lines; a line longer than COMPAT_MAX_LINE is answered
 * with an error and the connection closed.  Nothing a client sends is
 * trusted: tokens are bounded and echoed back only as printable text.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "compat.h"
#include "control.h"
#include "log.h"
#include "rib.h"
#include "session.h"
#include "usock.h"
#include "wrend.h"

#define COMPAT_MAX_ARGS		8
#define COMPAT_IDLE_TIMEOUT	300	/* seconds: birdc may be interactive */
#define COMPAT_WRITE_TIMEOUT	10
#define COMPAT_MAX_CLIENTS	64
#define COMPAT_NAME_LEN		(CONF_NAME_LEN + WR_ADDRSTRLEN + 8)

struct cp_client;

struct compat {
	struct wrend		*d;
	struct evconnlistener	*l;
	struct event		*resume;
	struct cp_client	*clients;
	int			 nclients;
	int			 readonly;	/* refuse configure */
	char			 path[CONF_PATH_LEN];
};

struct cp_client {
	struct compat		*cp;
	struct bufferevent	*bev;
	struct cp_client	*next, *prev;
};

struct cp_args {
	struct wrend		*d;
	int			 readonly;
	struct evbuffer		*o;
	int			 argc;
	char			*argv[COMPAT_MAX_ARGS];
};

/* ---- formatting --------------------------------------------------------- */

/* One token, as BIRD shows times: "12:01:02" today, "2024-05-01" before. */
static void
cp_fmt_since(time_t t, char *buf, size_t len)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, time(NULL) - t < 20 * 3600 ? "%H:%M:%S" : "%Y-%m-%d",
	    &tm);
}

static void
cp_fmt_now(time_t t, char *buf, size_t len)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S.000", &tm);
}

/* The protocol name: the neighbor's name, else Node_198_18_0_2. */
static void
cp_proto_name(const struct peer *p, char *buf, size_t len)
{
	char addr[WR_ADDRSTRLEN], *c;

	if (p->conf.name[0] != '\0') {
		snprintf(buf, len, "%s", p->conf.name);
		return;
	}
	addr_ntop(&p->conf.addr, addr, sizeof(addr));
	for (c = addr; *c != '\0'; c++)
		if (*c == '.' || *c == ':')
			*c = '_';
	snprintf(buf, len, "Node_%s", addr);
}

/* A client's token, safe to echo: printable, bounded. */
static void
cp_sanitize(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < len; i++)
		buf[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
	buf[i] = '\0';
}

/* "show" matches "show", "sh", ...: BIRD accepts unambiguous prefixes. */
static int
cp_word(const char *arg, const char *kw)
{
	size_t n = strlen(arg);

	return n > 0 && strncmp(arg, kw, n) == 0;
}

static void
cp_syntax_error(struct cp_args *a, const char *tok)
{
	char s[48];

	cp_sanitize(tok != NULL ? tok : "END", s, sizeof(s));
	evbuffer_add_printf(a->o, "9001 syntax error, unexpected %s\n", s);
}

/* ---- show status -------------------------------------------------------- */

static void
cp_show_status(struct cp_args *a)
{
	struct wrend *d = a->d;
	char now[40], boot[40], conf[40], rid[WR_IDSTRLEN];

	if (a->argc > 2) {
		cp_syntax_error(a, a->argv[2]);
		return;
	}
	cp_fmt_now(time(NULL), now, sizeof(now));
	cp_fmt_now(d->started, boot, sizeof(boot));
	cp_fmt_now(d->last_reload != 0 ? d->last_reload : d->started, conf,
	    sizeof(conf));
	evbuffer_add_printf(a->o, "1000-BIRD %s\n"
	    "1011-Router ID is %s\n"
	    " Current server time is %s\n Last reboot on %s\n"
	    " Last reconfiguration on %s\n", COMPAT_BIRD_VERSION,
	    addr_id_ntop(d->conf->router_id, rid, sizeof(rid)), now, boot,
	    conf);
	/* RFC 4724 §4.1: a restart still waiting for End-of-RIB. */
	if (wrend_gr_in_progress(d))
		evbuffer_add_printf(a->o, "0024 Graceful restart recovery in "
		    "progress\n");
	else
		evbuffer_add_printf(a->o, "0013 Daemon is up and running\n");
}

/* ---- show protocols [all] [NAME] ---------------------------------------- */

static void
cp_proto_row(struct evbuffer *o, const struct peer *p)
{
	char name[COMPAT_NAME_LEN], since[32];

	cp_proto_name(p, name, sizeof(name));
	cp_fmt_since(p->state_since != 0 ? p->state_since : time(NULL), since,
	    sizeof(since));
	/* BIRD 2: a disabled protocol is "down" with no info. */
	evbuffer_add_printf(o, "1002-%-10s %-10s %-10s %-6s %-12s  %s\n", name,
	    "BGP", "---", p->admin_down ? "down" : p->state == ST_ESTABLISHED ?
	    "up" : "start", since, p->admin_down ? "" :
	    peer_state_name(p->state));
}

static void
cp_proto_detail(struct evbuffer *o, const struct peer *p)
{
	char addr[WR_ADDRSTRLEN], id[WR_IDSTRLEN];

	addr_ntop(&p->conf.addr, addr, sizeof(addr));
	evbuffer_add_printf(o, "1006-  BGP state:          %s\n"
	    "     Neighbor address: %s\n     Neighbor AS:      %u\n"
	    "     Local AS:         %u\n", p->admin_down ? "Down" :
	    peer_state_name(p->state), addr,
	    p->conf.remote_as, CONF_LOCAL_AS(p->d->conf, &p->conf));
	if (p->state == ST_ESTABLISHED)
		evbuffer_add_printf(o, "     Neighbor ID:      %s\n",
		    addr_id_ntop(p->src.bgp_id, id, sizeof(id)));
	if (p->last_error[0] != '\0')
		evbuffer_add_printf(o, "     Last error:       %s\n",
		    p->last_error);
	evbuffer_add_printf(o, " \n");
}

static void
cp_show_protocols(struct cp_args *a)
{
	const struct peer *p;
	char name[COMPAT_NAME_LEN];
	const char *want = NULL;
	int all = 0, i = 2, n = 0;

	if (i < a->argc && strcmp(a->argv[i], "all") == 0)
		all = 1, i++;
	if (i < a->argc)
		want = a->argv[i++];
	if (i < a->argc) {
		cp_syntax_error(a, a->argv[i]);
		return;
	}
	for (p = a->d->peers; p != NULL; p = p->next) {
		cp_proto_name(p, name, sizeof(name));
		if (want != NULL && strcmp(want, name) != 0)
			continue;
		if (n++ == 0)
			evbuffer_add_printf(a->o, "2002-Name       Proto      "
			    "Table      State  Since         Info\n");
		cp_proto_row(a->o, p);
		if (all)
			cp_proto_detail(a->o, p);
	}
	if (n == 0 && want != NULL)
		evbuffer_add_printf(a->o, "8003 No protocols match\n");
	else
		evbuffer_add_printf(a->o, "0000 \n");
}

/* ---- show route [PREFIX] ------------------------------------------------ */

/* "[AS64513i]": the origin AS (the path's last) and the origin code. */
static void
cp_fmt_aspath(const struct rib_attrs *at, char *buf, size_t len)
{
	struct ibuf b, seg;
	uint8_t type, count;
	uint32_t as, last = 0;
	char origin = at->origin == ORIGIN_IGP ? 'i' :
	    at->origin == ORIGIN_EGP ? 'e' : '?';

	ibuf_init(&b, at->aspath, at->aspath_len);
	while (ibuf_get_u8(&b, &type) == 0 && ibuf_get_u8(&b, &count) == 0 &&
	    ibuf_sub(&b, (size_t)count * 4, &seg) == 0)
		while (ibuf_get_u32(&seg, &as) == 0)
			last = as;
	if (last != 0)
		snprintf(buf, len, "[AS%u%c]", last, origin);
	else
		snprintf(buf, len, "[%c]", origin);
}

static void
cp_src_name(struct wrend *d, const struct rib_source *s, char *buf,
    size_t len)
{
	const struct peer *p;

	snprintf(buf, len, "%s", s->type == RIB_SRC_STATIC ? "static1" :
	    s->type == RIB_SRC_KERNEL ? "kernel1" : "bgp1");
	for (p = d->peers; p != NULL; p = p->next)
		if (&p->src == s)
			cp_proto_name(p, buf, len);
}

static void
cp_route_row(struct cp_args *a, const struct rib_entry *e,
    const struct rib_path *rp)
{
	const struct rib_attrs *at = rp->attrs;
	char pfx[WR_PFXSTRLEN], nh[WR_ADDRSTRLEN + 16], src[COMPAT_NAME_LEN];
	char since[32], path[32], nhaddr[WR_ADDRSTRLEN];
	int bgp = rp->src->type == RIB_SRC_BGP;

	prefix_ntop(&e->prefix, pfx, sizeof(pfx));
	if (addr_is_set(&at->nexthop))
		snprintf(nh, sizeof(nh), "via %s on ?", addr_ntop(&at->nexthop,
		    nhaddr, sizeof(nhaddr)));
	else
		snprintf(nh, sizeof(nh), "unicast");
	cp_src_name(a->d, rp->src, src, sizeof(src));
	cp_fmt_since(rp->since, since, sizeof(since));
	path[0] = '\0';
	if (bgp)
		cp_fmt_aspath(at, path, sizeof(path));
	evbuffer_add_printf(a->o, "1007-%-18s %s [%s %s] %s (%s)%s%s\n", pfx,
	    nh, src, since, rp == e->paths ? "*" : " ", bgp ? "100/0" : "10",
	    bgp ? " " : "", path);
}

static int
cp_route_cb(const struct rib_entry *e, void *arg)
{
	const struct rib_path *rp;

	for (rp = e->paths; rp != NULL; rp = rp->next)
		cp_route_row(arg, e, rp);
	return 0;
}

/* "show route P": an exact prefix, or the longest match of an address. */
static int
cp_route_lookup(struct cp_args *a, const struct rib_entry **e)
{
	struct wr_prefix p;

	if (strchr(a->argv[2], '/') != NULL) {
		if (prefix_parse(a->argv[2], &p) == -1)
			return -1;
		*e = rib_lookup(a->d->rib, &p);
	} else {
		if (addr_parse(a->argv[2], &p.addr) == -1)
			return -1;
		*e = rib_match(a->d->rib, &p.addr);
	}
	return 0;
}

static void
cp_show_route(struct cp_args *a)
{
	const struct rib_entry *e = NULL;

	if (a->argc > 3 || (a->argc == 3 && cp_route_lookup(a, &e) == -1)) {
		cp_syntax_error(a, a->argv[a->argc > 3 ? 3 : 2]);
		return;
	}
	if (a->argc == 3) {
		if (e == NULL) {
			evbuffer_add_printf(a->o, "8001 Network not found\n");
			return;
		}
		cp_route_cb(e, a);
	} else
		rib_walk(a->d->rib, cp_route_cb, a);
	evbuffer_add_printf(a->o, "0000 \n");
}

/* ---- configure ---------------------------------------------------------- */

static void
cp_configure(struct cp_args *a)
{
	char *errs = NULL, msg[256];
	size_t errlen = 0;
	FILE *ef;
	int r;

	if (a->argc > 1) {
		cp_syntax_error(a, a->argv[1]);
		return;
	}
	if (a->readonly) {
		/* BIRD's answer on a restricted socket (cli.c) */
		evbuffer_add_printf(a->o, "8007 Access denied\n");
		return;
	}
	if ((ef = open_memstream(&errs, &errlen)) == NULL) {
		evbuffer_add_printf(a->o, "8002 Out of memory\n");
		return;
	}
	r = wrend_reload(a->d, ef);
	fclose(ef);
	cp_sanitize(errs != NULL ? errs : "", msg, sizeof(msg));
	msg[strcspn(msg, "?")] = '\0';	/* the first line (\n became '?') */
	free(errs);
	evbuffer_add_printf(a->o, "0002-Reading configuration from %s\n",
	    a->d->conf_path);
	if (r == -1)
		evbuffer_add_printf(a->o, "8002 %s\n", msg[0] != '\0' ? msg :
		    "Configuration error");
	else
		evbuffer_add_printf(a->o, "0003 Reconfigured\n");
}

/* ---- dispatch ----------------------------------------------------------- */

static const struct {
	const char	*w1, *w2;	/* w2 NULL: a one-word command */
	void		(*fn)(struct cp_args *);
} cp_cmds[] = {
	{ "show", "status", cp_show_status },
	{ "show", "protocols", cp_show_protocols },
	{ "show", "route", cp_show_route },
	{ "configure", NULL, cp_configure },
};

static int
cp_split(char *line, struct cp_args *a)
{
	char *tok, *save = NULL;

	a->argc = 0;
	for (tok = strtok_r(line, " \t\r", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t\r", &save)) {
		if (a->argc == COMPAT_MAX_ARGS)
			return -1;
		a->argv[a->argc++] = tok;
	}
	return 0;
}

static void
cp_exec(struct compat *cp, char *line, struct evbuffer *o)
{
	struct cp_args a = { .d = cp->d, .o = o, .readonly = cp->readonly };
	size_t i;

	if (cp_split(line, &a) == -1) {
		cp_syntax_error(&a, a.argv[COMPAT_MAX_ARGS - 1]);
		return;
	}
	if (a.argc == 0)
		return;		/* BIRD ignores empty lines */
	for (i = 0; i < sizeof(cp_cmds) / sizeof(cp_cmds[0]); i++) {
		if (!cp_word(a.argv[0], cp_cmds[i].w1))
			continue;
		if (cp_cmds[i].w2 == NULL) {
			cp_cmds[i].fn(&a);
			return;
		}
		if (a.argc >= 2 && cp_word(a.argv[1], cp_cmds[i].w2)) {
			cp_cmds[i].fn(&a);
			return;
		}
	}
	cp_syntax_error(&a, a.argc >= 2 && cp_word(a.argv[0], "show") ?
	    a.argv[1] : a.argv[0]);
}

/* ---- the socket ---------------------------------------------------------- */

static void
cp_client_free(struct cp_client *cl)
{
	struct compat *cp = cl->cp;

	if (cl->prev != NULL)
		cl->prev->next = cl->next;
	else
		cp->clients = cl->next;
	if (cl->next != NULL)
		cl->next->prev = cl->prev;
	cp->nclients--;
	bufferevent_free(cl->bev);
	free(cl);
}

static void
cp_client_done_cb(struct bufferevent *bev, void *arg)
{
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		cp_client_free(arg);
}

/* EOF, error or timeout: the client is gone. */
static void
cp_client_event_cb(struct bufferevent *bev, short what, void *arg)
{
	cp_client_free(arg);
}

/* After a fatal error: stop reading, close once the answer is written. */
static void
cp_client_finish(struct cp_client *cl)
{
	struct bufferevent *bev = cl->bev;

	bufferevent_disable(bev, EV_READ);
	bufferevent_setcb(bev, NULL, cp_client_done_cb, cp_client_event_cb, cl);
	bufferevent_setwatermark(bev, EV_WRITE, 0, 0);
	if (evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		cp_client_free(cl);
}

static void
cp_client_read_cb(struct bufferevent *bev, void *arg)
{
	struct cp_client *cl = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer *out = bufferevent_get_output(bev);
	size_t n;
	char *line;
	int too_long = 0;

	while (!too_long &&
	    (line = evbuffer_readln(in, &n, EVBUFFER_EOL_LF)) != NULL) {
		/* a line too long is not run: it ends the connection */
		if (!(too_long = n >= COMPAT_MAX_LINE))
			cp_exec(cl->cp, line, out);
		free(line);
	}
	if (!too_long && evbuffer_get_length(in) < COMPAT_MAX_LINE)
		return;		/* wait for the rest of the line */
	evbuffer_add_printf(out, "9000 Command too long\n");
	cp_client_finish(cl);
}

static void
cp_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct compat *cp = arg;
	struct cp_client *cl;
	struct timeval rtv = { COMPAT_IDLE_TIMEOUT, 0 };
	struct timeval wtv = { COMPAT_WRITE_TIMEOUT, 0 };

	/* A flood of clients must not eat the descriptors sessions need. */
	if (cp->nclients >= COMPAT_MAX_CLIENTS ||
	    (cl = calloc(1, sizeof(*cl))) == NULL) {
		close(fd);
		return;
	}
	cl->cp = cp;
	cl->bev = bufferevent_socket_new(cp->d->base, fd,
	    BEV_OPT_CLOSE_ON_FREE);
	if (cl->bev == NULL) {
		close(fd);
		free(cl);
		return;
	}
	if ((cl->next = cp->clients) != NULL)
		cl->next->prev = cl;
	cp->clients = cl;
	cp->nclients++;
	bufferevent_setcb(cl->bev, cp_client_read_cb, NULL, cp_client_event_cb,
	    cl);
	bufferevent_set_timeouts(cl->bev, &rtv, &wtv);
	evbuffer_add_printf(bufferevent_get_output(cl->bev), "0001 BIRD %s "
	    "(Wren %s) ready.\n", COMPAT_BIRD_VERSION, WREN_VERSION);
	bufferevent_enable(cl->bev, EV_READ | EV_WRITE);
}

/* accept() failed (EMFILE): pause a second rather than spin on it. */
static void
cp_resume_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct compat *cp = arg;

	evconnlistener_enable(cp->l);
}

static void
cp_error_cb(struct evconnlistener *l, void *arg)
{
	struct compat *cp = arg;
	struct timeval tv = { 1, 0 };

	log_warn("compat socket accept");
	evconnlistener_disable(l);
	evtimer_add(cp->resume, &tv);
}

struct compat *
compat_open(struct wrend *d, const char *path, const struct sock_conf *sc)
{
	struct compat *cp;
	int fd;

	if ((fd = usock_listen(path, "compat socket")) == -1)
		return NULL;
	if (control_chgrp(path, sc) == -1) {
		close(fd);
		unlink(path);
		return NULL;
	}
	if ((cp = calloc(1, sizeof(*cp))) == NULL)
		fatal("compat_open");
	cp->d = d;
	cp->readonly = sc != NULL && sc->readonly;
	snprintf(cp->path, sizeof(cp->path), "%s", path);
	cp->l = evconnlistener_new(d->base, cp_accept_cb, cp,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	cp->resume = evtimer_new(d->base, cp_resume_cb, cp);
	if (cp->l == NULL || cp->resume == NULL)
		fatalx("evconnlistener_new");
	evconnlistener_set_error_cb(cp->l, cp_error_cb);
	return cp;
}

void
compat_close(struct compat *cp)
{
	if (cp == NULL)
		return;
	while (cp->clients != NULL)
		cp_client_free(cp->clients);
	evconnlistener_free(cp->l);
	event_free(cp->resume);
	unlink(cp->path);
	free(cp);
}
