/*
 * bgpd/ctlcmd.c: see ctlcmd.h.  Pure: no daemon, no I/O, so that both
 * programs and the tests share one grammar and one set of messages.
 */
#include <stdio.h>
#include <string.h>

#include "ctlcmd.h"

const char ctl_cmd_usage[] =
    "  show status\n"
    "  show neighbors [ADDRESS]\n"
    "  show routes [PREFIX|ADDRESS] [neighbor ADDRESS]\n"
    "  show rib in|out neighbor ADDRESS [PREFIX|ADDRESS]\n"
    "  show kernel\n"
    "  show bfd [ADDRESS]\n"
    "  reload\n"
    "  neighbor ADDRESS refresh|down|up|restart\n";

static const char *const top_words[] = { "show", "reload", "neighbor", NULL };
static const char *const show_words[] = { "status", "neighbors", "routes",
    "rib", "kernel", "bfd", NULL };
static const char *const rib_words[] = { "in", "out", NULL };
static const char *const verb_words[] = { "refresh", "down", "up",
    "restart", NULL };

struct ctl_words {
	int		 n;
	const char	*w[CTL_MAX_WORDS];
};

int
ctl_word_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	int row[33], prev, cur, best;

	if (la > 32 || lb > 32)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = (int)i;
		for (j = 1; j <= lb; j++) {
			cur = row[j];
			best = prev + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

/* The word of list closest to w, if close enough to be a typo (or NULL). */
static const char *
closest(const char *w, const char *const *list)
{
	const char *best = NULL;
	int d, bestd = 3;
	size_t n = strlen(w);

	for (; *list != NULL; list++) {
		/* a unique abbreviation: "nei" for "neighbors" */
		if (n >= 2 && strncmp(*list, w, n) == 0)
			return *list;
		d = ctl_word_distance(w, *list);
		if (d < bestd && (size_t)d < n) {
			bestd = d;
			best = *list;
		}
	}
	return best;
}

/* Printable and short, to quote back to the user. */
static void
quote(const char *w, char *buf, size_t len)
{
	size_t i;

	for (i = 0; w[i] != '\0' && i + 1 < len && i < 40; i++)
		buf[i] = (w[i] >= 0x20 && w[i] < 0x7f) ? w[i] : '?';
	buf[i] = '\0';
}

static int
unknown(const char *before, const char *w, const char *const *list,
    const char *choices, char *err, size_t errlen)
{
	const char *c = closest(w, list);
	char q[48];

	quote(w, q, sizeof(q));
	if (c != NULL)
		snprintf(err, errlen, "unknown command \"%s%s\": did you mean "
		    "\"%s%s\"?", before, q, before, c);
	else
		snprintf(err, errlen, "unknown command \"%s%s\" (try: %s)",
		    before, q, choices);
	return -1;
}

static int
usage(const char *u, char *err, size_t errlen)
{
	snprintf(err, errlen, "usage: %s", u);
	return -1;
}

static int
split(const char *line, char *buf, size_t len, struct ctl_words *w)
{
	char *tok, *save = NULL;

	if (strlen(line) >= len)
		return -1;
	snprintf(buf, len, "%s", line);
	w->n = 0;
	for (tok = strtok_r(buf, " \t\r\n", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (w->n == CTL_MAX_WORDS)
			return -1;
		w->w[w->n++] = tok;
	}
	return 0;
}

/* PREFIX (exact) or ADDRESS (longest match). */
static int
parse_target(const char *s, struct ctl_cmd *c)
{
	if (strchr(s, '/') != NULL) {
		if (prefix_parse(s, &c->prefix) == -1)
			return -1;
		c->flags |= CTL_F_PREFIX;
		return 0;
	}
	if (addr_parse(s, &c->prefix.addr) == -1)
		return -1;
	c->prefix.len = (uint8_t)addr_bits(c->prefix.addr.af);
	c->flags |= CTL_F_MATCH;
	return 0;
}

static int
parse_neighbor_kw(const struct ctl_words *w, int i, struct ctl_cmd *c)
{
	if (i + 1 >= w->n || strcmp(w->w[i], "neighbor") != 0 ||
	    addr_parse(w->w[i + 1], &c->neighbor) == -1)
		return -1;
	c->flags |= CTL_F_NEIGHBOR;
	return 0;
}

/* show routes [PREFIX|ADDRESS] [neighbor ADDRESS], in either order */
static int
parse_routes(const struct ctl_words *w, struct ctl_cmd *c, char *err,
    size_t errlen)
{
	int i = 2;

	while (i < w->n) {
		if (strcmp(w->w[i], "neighbor") == 0 &&
		    !(c->flags & CTL_F_NEIGHBOR)) {
			if (parse_neighbor_kw(w, i, c) == -1)
				break;
			i += 2;
		} else if (!(c->flags & (CTL_F_PREFIX | CTL_F_MATCH)) &&
		    parse_target(w->w[i], c) == 0)
			i++;
		else
			break;
	}
	if (i < w->n)
		return usage("show routes [PREFIX|ADDRESS] [neighbor ADDRESS]",
		    err, errlen);
	return 0;
}

/* show rib in|out neighbor ADDRESS [PREFIX|ADDRESS] */
static int
parse_rib(const struct ctl_words *w, struct ctl_cmd *c, char *err,
    size_t errlen)
{
	const char *u = "show rib in|out neighbor ADDRESS [PREFIX|ADDRESS]";

	if (w->n < 3)
		return usage(u, err, errlen);
	if (strcmp(w->w[2], "in") == 0)
		c->id = CTL_SHOW_RIB_IN;
	else if (strcmp(w->w[2], "out") == 0)
		c->id = CTL_SHOW_RIB_OUT;
	else
		return unknown("show rib ", w->w[2], rib_words, "in, out", err,
		    errlen);
	if (parse_neighbor_kw(w, 3, c) == -1 || w->n > 6 ||
	    (w->n == 6 && parse_target(w->w[5], c) == -1))
		return usage(u, err, errlen);
	return 0;
}

/* "show X [ADDRESS]": the third word, if any, is a neighbor address. */
static int
parse_opt_addr(const struct ctl_words *w, struct ctl_cmd *c, const char *u,
    char *err, size_t errlen)
{
	if (w->n == 2)
		return 0;
	if (w->n == 3 && addr_parse(w->w[2], &c->neighbor) == 0) {
		c->flags |= CTL_F_NEIGHBOR;
		return 0;
	}
	return usage(u, err, errlen);
}

static int
parse_show(const struct ctl_words *w, struct ctl_cmd *c, char *err,
    size_t errlen)
{
	const char *s = w->n >= 2 ? w->w[1] : "";

	if (w->n < 2)
		return usage("show status|neighbors|routes|rib|kernel|bfd", err,
		    errlen);
	if (strcmp(s, "status") == 0) {
		c->id = CTL_SHOW_STATUS;
		return w->n == 2 ? 0 : usage("show status", err, errlen);
	}
	if (strcmp(s, "neighbors") == 0 || strcmp(s, "neighbor") == 0) {
		c->id = CTL_SHOW_NEIGHBORS;
		return parse_opt_addr(w, c, "show neighbors [ADDRESS]", err,
		    errlen);
	}
	if (strcmp(s, "routes") == 0 || strcmp(s, "route") == 0) {
		c->id = CTL_SHOW_ROUTES;
		return parse_routes(w, c, err, errlen);
	}
	if (strcmp(s, "rib") == 0)
		return parse_rib(w, c, err, errlen);
	if (strcmp(s, "kernel") == 0) {
		c->id = CTL_SHOW_KERNEL;
		return w->n == 2 ? 0 : usage("show kernel", err, errlen);
	}
	if (strcmp(s, "bfd") == 0) {
		c->id = CTL_SHOW_BFD;
		return parse_opt_addr(w, c, "show bfd [ADDRESS]", err, errlen);
	}
	return unknown("show ", s, show_words, "status, neighbors, routes, "
	    "rib, kernel, bfd", err, errlen);
}

static int
parse_neighbor(const struct ctl_words *w, struct ctl_cmd *c, char *err,
    size_t errlen)
{
	const char *u = "neighbor ADDRESS refresh|down|up|restart";
	int i;

	c->id = CTL_NEIGHBOR;
	c->changes_state = 1;
	if (w->n != 3 || addr_parse(w->w[1], &c->neighbor) == -1)
		return usage(u, err, errlen);
	c->flags |= CTL_F_NEIGHBOR;
	for (i = 0; verb_words[i] != NULL; i++)
		if (strcmp(w->w[2], verb_words[i]) == 0) {
			c->verb = (enum ctl_nb_verb)i;
			return 0;
		}
	return unknown("neighbor ADDRESS ", w->w[2], verb_words, "refresh, "
	    "down, up, restart", err, errlen);
}

int
ctl_cmd_parse(const char *line, struct ctl_cmd *c, char *err, size_t errlen)
{
	char buf[CTL_MAX_LINE];
	struct ctl_words w;

	memset(c, 0, sizeof(*c));
	if (split(line, buf, sizeof(buf), &w) == -1) {
		snprintf(err, errlen, "command too long");
		return -1;
	}
	if (w.n == 0) {
		snprintf(err, errlen, "empty command");
		return -1;
	}
	if (strcmp(w.w[0], "show") == 0)
		return parse_show(&w, c, err, errlen);
	if (strcmp(w.w[0], "reload") == 0) {
		c->id = CTL_RELOAD;
		c->changes_state = 1;
		return w.n == 1 ? 0 : usage("reload", err, errlen);
	}
	if (strcmp(w.w[0], "neighbor") == 0)
		return parse_neighbor(&w, c, err, errlen);
	return unknown("", w.w[0], top_words, "show, reload, neighbor", err,
	    errlen);
}

const char *
ctl_cmd_name(const struct ctl_cmd *c)
{
	static const char *const names[] = {
		[CTL_SHOW_STATUS] = "show status",
		[CTL_SHOW_NEIGHBORS] = "show neighbors",
		[CTL_SHOW_ROUTES] = "show routes",
		[CTL_SHOW_RIB_IN] = "show rib in",
		[CTL_SHOW_RIB_OUT] = "show rib out",
		[CTL_SHOW_KERNEL] = "show kernel",
		[CTL_SHOW_BFD] = "show bfd",
		[CTL_RELOAD] = "reload",
		[CTL_NEIGHBOR] = "neighbor",
	};
	static const char *const verbs[] = {
		[CTL_NB_REFRESH] = "neighbor refresh",
		[CTL_NB_DOWN] = "neighbor down",
		[CTL_NB_UP] = "neighbor up",
		[CTL_NB_RESTART] = "neighbor restart",
	};

	if (c->id == CTL_NEIGHBOR && (unsigned)c->verb < 4)
		return verbs[c->verb];
	return (unsigned)c->id <= CTL_NEIGHBOR ? names[c->id] : "?";
}
