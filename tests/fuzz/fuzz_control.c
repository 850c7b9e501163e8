/*
 * tests/fuzz/fuzz_control.c: libFuzzer target for both control protocols,
 * as a local client (a compromised container with the socket mounted, say)
 * can drive them:
 *  - the wrenctl command language: ctl_cmd_parse() (bgpd/ctlcmd.c), which
 *    wrend runs on every line of the control socket; it must return 0, or
 *    -1 with a one-line, NUL-terminated message;
 *  - the BIRD-compatible socket: each line through cp_exec() of
 *    bgpd/compat.c (included, so its static dispatcher is reachable) on a
 *    daemon context with a parsed config, two neighbors and a few routes,
 *    as a read-only socket (odd input length) or not.
 *    Every answer line must be printable text: nothing a client sends is
 *    echoed raw (no terminal escapes, no forged reply lines).
 * The input is split at newlines; each line goes to both.
 *
 *	see tests/fuzz/run.sh for the build line
 */
#include "compat.c"

#include <assert.h>
#include <syslog.h>

#include "config.h"
#include "ctlcmd.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* ---- what compat.c needs from the rest of wrend ------------------------- */

const char *
peer_state_name(enum peer_state s)
{
	return s == ST_ESTABLISHED ? "Established" : "Active";
}

int
wrend_gr_in_progress(const struct wrend *d)
{
	return 0;
}

int
control_chgrp(const char *path, const struct sock_conf *sc)
{
	return 0;
}

/* "configure": a reload that fails with a line holding control bytes */
int
wrend_reload(struct wrend *d, FILE *errf)
{
	fprintf(errf, "%s:3: bad \033[31mthing\t\n", d->conf_path);
	return -1;
}

/* ---- a small daemon context --------------------------------------------- */

static const char fuzz_conf_text[] =
    "router-id 198.18.0.1\n"
    "local-as 64512\n"
    "neighbor 198.18.0.2 {\n remote-as 64512\n name \"spine1\"\n}\n"
    "neighbor fd00:198:18::3 {\n remote-as 64513\n}\n";

static struct wrend fuzz_d;
static struct compat fuzz_cp = {.d = &fuzz_d};
static struct peer fuzz_peers[2];

static void
fuzz_route(struct rib_source *src, const char *pfx, const char *nh)
{
	struct rib_attrs a;
	struct wr_prefix p;

	memset(&a, 0, sizeof(a));
	a.origin = ORIGIN_IGP;
	a.aspath = (const uint8_t *)"";
	if (prefix_parse(pfx, &p) == -1 || addr_parse(nh, &a.nexthop) == -1 ||
	    rib_update(fuzz_d.rib, src, &p, &a) == -1)
		abort();
}

static void
fuzz_init(void)
{
	struct neighbor_conf *nc;
	FILE *devnull;
	int i = 0;

	log_init(0, 0, "fuzz_control");
	log_set_level(LOG_CRIT);
	if ((devnull = fopen("/dev/null", "w")) == NULL ||
	    (fuzz_d.conf = config_parse_buf("fuzz", fuzz_conf_text,
	    strlen(fuzz_conf_text), devnull)) == NULL ||
	    (fuzz_d.rib = rib_new()) == NULL)
		abort();
	fclose(devnull);
	fuzz_d.conf_path = "/etc/wren/peers.conf";
	fuzz_d.started = 1795770000;
	for (nc = fuzz_d.conf->neighbors; nc != NULL && i < 2; nc = nc->next) {
		struct peer *p = &fuzz_peers[i];

		p->d = &fuzz_d;
		p->conf = *nc;
		p->state = i == 0 ? ST_ESTABLISHED : ST_ACTIVE;
		p->state_since = fuzz_d.started;
		addr_ntop(&nc->addr, p->name, sizeof(p->name));
		rib_source_init(&p->src, RIB_SRC_BGP, p->name);
		p->src.addr = nc->addr;
		p->src.bgp_id = 0xc6120002;
		snprintf(p->last_error, sizeof(p->last_error), "Hold timer");
		if (i > 0)
			fuzz_peers[i - 1].next = p;
		i++;
	}
	fuzz_d.peers = &fuzz_peers[0];
	fuzz_route(&fuzz_peers[0].src, "10.244.2.5/32", "198.18.0.2");
	fuzz_route(&fuzz_peers[0].src, "10.244.0.0/16", "198.18.0.2");
	fuzz_route(&fuzz_peers[0].src, "fd00:244:2::5/128", "fd00:198:18::2");
}

/* ---- one line ----------------------------------------------------------- */

static void
fuzz_ctl_line(const char *line)
{
	struct ctl_cmd cmd;
	char err[256];

	memset(err, 'x', sizeof(err));
	if (ctl_cmd_parse(line, &cmd, err, sizeof(err)) == 0) {
		if (ctl_cmd_name(&cmd) == NULL)
			abort();
		return;
	}
	if (memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0')
		abort();
}

static void
fuzz_compat_line(char *line, int readonly)
{
	struct evbuffer *o;
	const unsigned char *s;
	size_t i, n;

	if ((o = evbuffer_new()) == NULL)
		abort();
	fuzz_cp.readonly = readonly;
	cp_exec(&fuzz_cp, line, o);
	n = evbuffer_get_length(o);
	s = evbuffer_pullup(o, -1);
	for (i = 0; i < n; i++)
		if (s[i] != '\n' && !isprint(s[i]))
			abort();	/* a client's bytes echoed raw */
	evbuffer_free(o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char line[COMPAT_MAX_LINE + 1];
	static int init;
	size_t start, end, n;

	if (!init) {
		fuzz_init();
		init = 1;
	}
	for (start = 0; start < size; start = end + 1) {
		for (end = start; end < size && data[end] != '\n'; end++)
			;
		/* both sockets refuse longer lines before parsing them */
		n = end - start;
		if (n > COMPAT_MAX_LINE || n >= CTL_MAX_LINE)
			continue;
		memcpy(line, data + start, n);
		line[n] = '\0';
		if (memchr(line, '\0', n) != NULL)
			continue;	/* a string stops there anyway */
		fuzz_ctl_line(line);
		fuzz_compat_line(line, size & 1);
	}
	return 0;
}
