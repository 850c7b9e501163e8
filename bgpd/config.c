/*
 * bgpd/config.c: peers.conf, read by a hand-written tokenizer and a
 * recursive-descent parser driven by one keyword table per block.
 * The grammar is documented in man/peers.conf.5.
 *
 * Every error is reported as "FILE:LINE: message" and the parser then
 * resynchronises at the end of the statement (or of the block the statement
 * opened), so one run of "wrend -n" lists every mistake in the file instead
 * of only the first one.  A file with any error yields no config at all:
 * a reload never half-applies a broken file.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#define CONF_TOKLEN	1024
#define CONF_MAX_ERRORS	100		/* then stop: a binary file is not a config */
#define CONF_MAX_FILE	(16 * 1024 * 1024)
#define AS_TRANS	23456

/* Defaults, as documented in peers.conf.5. */
#define DEF_INSTALL_PROTO	186	/* RTPROT_BGP in iproute2's rt_protos */
#define DEF_METRIC		32
#define DEF_GR_RESTART		120
#define DEF_GR_STALE		360
#define DEF_GR_EOR_WAIT		10
#define DEF_PORT		179
#define DEF_METRICS_PORT	9179	/* wrend's Prometheus endpoint */
#define DEF_HOLD		90
#define DEF_CONNECT_RETRY	5
#define DEF_TABLE		254	/* RT_TABLE_MAIN */
#define LOCAL_TABLE		255	/* RT_TABLE_LOCAL */
#define DEF_RCVBUF		(8 * 1024 * 1024)
#define MIN_RCVBUF		4096
#define MAX_RCVBUF		(1024 * 1024 * 1024)
#define MAX_REDUMP		86400

enum tok_type {
	T_EOF, T_NL, T_WORD, T_STRING, T_LBRACE, T_RBRACE, T_ERROR
};

struct token {
	enum tok_type	type;
	int		line;
	char		text[CONF_TOKLEN];
};

/* Statements that may be given once per block; seen[] holds their line. */
enum field {
	F_NONE = -1,
	F_ROUTER_ID, F_LOCAL_AS, F_CONTROL_SOCKET, F_KERNEL, F_GR,
	F_K_PROTO, F_K_METRIC, F_K_PERSIST,
	F_K_LEARN_BH, F_K_LEARN_UNR, F_K_TABLE, F_K_ONLINK, F_K_DEVICE,
	F_K_MULTIPATH, F_K_RCVBUF, F_K_REDUMP, F_K_OFF,
	F_GR_RESTART, F_GR_STALE, F_GR_EOR_WAIT, F_GR_ENABLED, F_CLUSTER_ID,
	F_COMPAT_SOCKET, F_CONTROL_RO, F_LOG_LEVEL, F_METRICS, F_USER,
	/* per neighbor from here on: reset for each neighbor block */
	F_N_REMOTE_AS, F_N_PASSIVE, F_N_PORT, F_N_HOLD, F_N_KEEPALIVE,
	F_N_RETRY, F_N_NAME, F_N_DESCR, F_N_FAMILIES, F_N_NH6,
	F_N_PASSWORD, F_N_AO, F_N_TTLSEC, F_N_MULTIHOP, F_N_SOURCE,
	F_N_NEXTHOP, F_N_LOCAL_AS, F_N_ALLOW_LAS, F_N_MAXPFX,
	F_N_RR_CLIENT, F_N_ADDPATH, F_N_BFD,
	F_N_IMPORT, F_N_EXPORT,
	F_MAX
};

struct parser {
	const char		 *name;
	const char		 *p;
	const char		 *end;
	int			  line;
	FILE			 *errf;
	int			  errors;
	int			  pushed;	/* tok is to be returned again */
	struct token		  tok;
	int			  seen[F_MAX];
	struct wren_config	 *conf;
	struct neighbor_conf	 *nb;		/* neighbor being parsed */
	struct neighbor_conf	**nb_tail;
	struct neighbor_conf	 *grp;		/* group "NAME" { } template */
	int			  grp_seen[F_MAX];	/* its statements */
	int			  grp_nbs;	/* its neighbors so far */
	struct listen_conf	**ls_tail;
	int			  proto_line[256];	/* learn protocol N */
	int			  ntables;	/* learn table statements */
	struct policy		 *pol;		/* policy being parsed */
	struct pol_rule		 *rule;		/* its rule being parsed */
	int			  pol_negate;	/* match not ... */
	int			  ps_le_given;	/* prefix-set item: le N said */
	int			  install_pol_line;
};

struct keyword {
	const char	*name;
	enum field	 field;
	int		(*fn)(struct parser *, int line);
};

static int	parse_stmts(struct parser *, const struct keyword *, int,
		    const char *);

static void __attribute__((format(printf, 3, 4)))
perr(struct parser *p, int line, const char *fmt, ...)
{
	va_list ap;

	if (++p->errors > CONF_MAX_ERRORS || p->errf == NULL)
		return;
	fprintf(p->errf, "%s:%d: ", p->name, line);
	va_start(ap, fmt);
	vfprintf(p->errf, fmt, ap);
	va_end(ap);
	fputc('\n', p->errf);
	if (p->errors == CONF_MAX_ERRORS)
		fprintf(p->errf, "%s:%d: too many errors, giving up\n",
		    p->name, line);
}

/* ---- tokenizer -------------------------------------------------------- */

static int
lex_is_delim(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '{' ||
	    c == '}' || c == '#' || c == '"';
}

static int
lex_is_ctrl(int c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* Blanks and comments; a comment runs to, not including, the newline. */
static void
lex_space(struct parser *p)
{
	while (p->p < p->end) {
		if (*p->p == ' ' || *p->p == '\t' || *p->p == '\r')
			p->p++;
		else if (*p->p == '#')
			while (p->p < p->end && *p->p != '\n')
				p->p++;
		else
			break;
	}
}

/*
 * A quoted string; \" and \\ are the only escapes (any other backslash is
 * literal).  It must close on its own line, so a missing quote costs one
 * line, not the rest of the file.
 */
static void
lex_string(struct parser *p, struct token *t)
{
	size_t n = 0;
	int toolong = 0, ctrl = 0;
	unsigned char c;

	for (;;) {
		if (p->p >= p->end || *p->p == '\n') {
			perr(p, t->line, "unterminated string");
			t->type = T_ERROR;
			return;
		}
		c = (unsigned char)*p->p++;
		if (c == '"')
			break;
		if (c == '\\' && p->p < p->end && (*p->p == '"' || *p->p == '\\'))
			c = (unsigned char)*p->p++;
		if (lex_is_ctrl(c))
			ctrl = 1;
		if (n + 1 < sizeof(t->text))
			t->text[n++] = (char)c;
		else
			toolong = 1;
	}
	t->text[n] = '\0';
	t->type = T_STRING;
	if (ctrl || toolong) {
		perr(p, t->line, ctrl ? "control character in string" :
		    "string too long");
		t->type = T_ERROR;
	}
}

static void
lex_word(struct parser *p, struct token *t)
{
	size_t n = 0;
	int toolong = 0;

	if (lex_is_ctrl((unsigned char)*p->p)) {
		perr(p, t->line, "invalid character 0x%02x",
		    (unsigned char)*p->p);
		p->p++;
		t->type = T_ERROR;
		return;
	}
	while (p->p < p->end && !lex_is_delim((unsigned char)*p->p) &&
	    !lex_is_ctrl((unsigned char)*p->p)) {
		if (n + 1 < sizeof(t->text))
			t->text[n++] = *p->p;
		else
			toolong = 1;
		p->p++;
	}
	t->text[n] = '\0';
	t->type = T_WORD;
	if (toolong) {
		perr(p, t->line, "word too long");
		t->type = T_ERROR;
	}
}

static struct token *
lex(struct parser *p)
{
	struct token *t = &p->tok;

	if (p->pushed) {
		p->pushed = 0;
		return t;
	}
	lex_space(p);
	t->line = p->line;
	t->text[0] = '\0';
	if (p->p >= p->end) {
		t->type = T_EOF;
		return t;
	}
	switch (*p->p) {
	case '\n':
		p->p++;
		p->line++;
		t->type = T_NL;
		break;
	case '{':
	case '}':
		t->type = *p->p++ == '{' ? T_LBRACE : T_RBRACE;
		break;
	case '"':
		p->p++;
		lex_string(p, t);
		break;
	default:
		lex_word(p, t);
		break;
	}
	return t;
}

static void
unlex(struct parser *p)
{
	p->pushed = 1;
}

static const char *
tok_desc(const struct token *t, char *buf, size_t len)
{
	switch (t->type) {
	case T_EOF:
		return "end of file";
	case T_NL:
		return "end of line";
	case T_LBRACE:
		return "'{'";
	case T_RBRACE:
		return "'}'";
	case T_STRING:
		snprintf(buf, len, "\"%s\"", t->text);
		return buf;
	default:
		snprintf(buf, len, "'%s'", t->text);
		return buf;
	}
}

/* ---- statement structure ---------------------------------------------- */

/*
 * Error recovery: drop tokens up to the end of the statement.  A block the
 * statement opened is dropped whole; the '}' of the enclosing block and the
 * end of file are left for the caller.
 */
static void
skip_statement(struct parser *p, int depth)
{
	struct token *t;

	for (;;) {
		t = lex(p);
		if (t->type == T_EOF) {
			unlex(p);
			return;
		}
		if (t->type == T_NL && depth == 0)
			return;
		if (t->type == T_LBRACE)
			depth++;
		if (t->type == T_RBRACE && depth-- == 0) {
			unlex(p);
			return;
		}
	}
}

/* A statement ends at a newline, at the end of file or before a '}'. */
static int
expect_eos(struct parser *p, const char *kw)
{
	struct token *t = lex(p);
	char buf[CONF_TOKLEN + 8];

	if (t->type == T_NL)
		return 0;
	if (t->type == T_EOF || t->type == T_RBRACE) {
		unlex(p);
		return 0;
	}
	if (t->type != T_ERROR)
		perr(p, t->line, "%s: unexpected %s", kw, tok_desc(t, buf,
		    sizeof(buf)));
	unlex(p);	/* a '{' here opens a block to skip as a whole */
	return -1;
}

static int
dup_check(struct parser *p, enum field f, const char *kw, int line)
{
	if (p->seen[f] != 0) {
		perr(p, line, "duplicate %s (first at line %d)", kw,
		    p->seen[f]);
		return -1;
	}
	p->seen[f] = line;
	return 0;
}

static void
dispatch(struct parser *p, const struct keyword *tab)
{
	const struct keyword *k;
	int line = p->tok.line;

	for (k = tab; k->name != NULL; k++)
		if (strcmp(k->name, p->tok.text) == 0)
			break;
	if (k->name == NULL) {
		perr(p, line, "unknown keyword '%s'", p->tok.text);
		skip_statement(p, 0);
		return;
	}
	if (k->field != F_NONE && dup_check(p, k->field, k->name, line) == -1) {
		skip_statement(p, 0);
		return;
	}
	if (p->grp != NULL && p->nb == p->grp && p->grp_nbs > 0 &&
	    k->field != F_NONE) {
		perr(p, line, "%s: group settings must come before the "
		    "group's neighbors", k->name);
		skip_statement(p, 0);
		return;
	}
	if (k->fn(p, line) == -1 || expect_eos(p, k->name) == -1)
		skip_statement(p, 0);
}

/*
 * The statements of the top level (open_line 0) or of a block opened on
 * open_line, up to its '}'.  Returns -1 only if the block never closes.
 */
static int
parse_stmts(struct parser *p, const struct keyword *tab, int open_line,
    const char *block)
{
	struct token *t;
	char buf[CONF_TOKLEN + 8];

	while (p->errors < CONF_MAX_ERRORS) {
		t = lex(p);
		if (t->type == T_NL)
			continue;
		if (t->type == T_WORD) {
			dispatch(p, tab);
		} else if (t->type == T_EOF) {
			if (open_line == 0)
				return 0;
			perr(p, open_line, "%s: missing '}'", block);
			unlex(p);
			return -1;
		} else if (t->type == T_RBRACE && open_line != 0) {
			return 0;
		} else if (t->type == T_ERROR) {
			skip_statement(p, 0);
		} else {
			perr(p, t->line, "unexpected %s",
			    tok_desc(t, buf, sizeof(buf)));
			skip_statement(p, t->type == T_LBRACE);
		}
	}
	return -1;
}

/* ---- arguments ----------------------------------------------------------- */

static int
get_token(struct parser *p, enum tok_type type, const char *kw,
    const char *what)
{
	struct token *t = lex(p);

	if (t->type == type)
		return 0;
	if (t->type != T_ERROR)
		perr(p, t->line, "%s: expected %s", kw, what);
	unlex(p);
	return -1;
}

/* Decimal digits only, so that "-1" or "0x10" are never taken silently. */
static int
str_to_u64(const char *s, uint64_t *v)
{
	uint64_t n = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (n < (1ULL << 40))	/* past that, any range is exceeded */
			n = n * 10 + (uint64_t)(*s - '0');
	}
	*v = n;
	return 0;
}

/* A number in min..max; range, if given, describes the allowed values. */
static int
get_num(struct parser *p, const char *kw, uint64_t min, uint64_t max,
    const char *range, uint64_t *v)
{
	char def[64];

	if (get_token(p, T_WORD, kw, "a number") == -1)
		return -1;
	if (str_to_u64(p->tok.text, v) == -1) {
		perr(p, p->tok.line, "%s: '%s' is not a number", kw,
		    p->tok.text);
		return -1;
	}
	if (range == NULL) {
		snprintf(def, sizeof(def), "%" PRIu64 "..%" PRIu64, min, max);
		range = def;
	}
	if (*v < min || *v > max) {
		perr(p, p->tok.line, "%s: %s is out of range (%s)", kw,
		    p->tok.text, range);
		return -1;
	}
	return 0;
}

/* An AS number, asplain or asdot (RFC 5396): "65536" or "1.0". */
static int
get_as(struct parser *p, const char *kw, uint32_t *as)
{
	uint64_t hi, lo, v;
	char *dot, buf[CONF_TOKLEN];

	if (get_token(p, T_WORD, kw, "a number") == -1)
		return -1;
	snprintf(buf, sizeof(buf), "%s", p->tok.text);
	if ((dot = strchr(buf, '.')) != NULL) {
		*dot++ = '\0';
		if (str_to_u64(buf, &hi) == -1 || str_to_u64(dot, &lo) == -1 ||
		    hi > 0xffff || lo > 0xffff)
			goto bad;
		v = hi << 16 | lo;
	} else if (str_to_u64(buf, &v) == -1 || v > UINT32_MAX)
		goto bad;
	if (v == 0)
		goto bad;
	/* RFC 6793 §2: AS_TRANS stands in for a 4-octet AS; nobody owns it. */
	if (v == AS_TRANS) {
		perr(p, p->tok.line, "%s: %d is AS_TRANS (RFC 6793), not a "
		    "usable AS", kw, AS_TRANS);
		return -1;
	}
	*as = (uint32_t)v;
	return 0;
bad:
	perr(p, p->tok.line, "%s: '%s' is not a valid AS number "
	    "(1..4294967295 or asdot 0.1..65535.65535)", kw, p->tok.text);
	return -1;
}

static int
get_addr(struct parser *p, const char *kw, struct wr_addr *a)
{
	if (get_token(p, T_WORD, kw, "an address") == -1)
		return -1;
	if (addr_parse(p->tok.text, a) == -1) {
		perr(p, p->tok.line, "%s: '%s' is not an IP address", kw,
		    p->tok.text);
		return -1;
	}
	return 0;
}

static int
get_string(struct parser *p, const char *kw, char *dst, size_t len)
{
	if (get_token(p, T_STRING, kw, "a quoted string") == -1)
		return -1;
	if (strlen(p->tok.text) >= len) {
		perr(p, p->tok.line, "%s: too long (max %zu characters)", kw,
		    len - 1);
		return -1;
	}
	snprintf(dst, len, "%s", p->tok.text);
	return 0;
}

/* "on" or "off"; if optional, nothing at all means on. */
static int
get_onoff(struct parser *p, const char *kw, int optional, int *v)
{
	struct token *t = lex(p);

	if (t->type == T_WORD && strcmp(t->text, "on") == 0)
		*v = 1;
	else if (t->type == T_WORD && strcmp(t->text, "off") == 0)
		*v = 0;
	else if (optional && t->type != T_WORD && t->type != T_STRING &&
	    t->type != T_ERROR) {
		unlex(p);
		*v = 1;
	} else {
		if (t->type != T_ERROR)
			perr(p, t->line, "%s: expected 'on' or 'off'", kw);
		unlex(p);
		return -1;
	}
	return 0;
}

/* An optional trailing "word": returns 1 if it is there (and eats it). */
static int
get_opt(struct parser *p, const char *word)
{
	struct token *t = lex(p);

	if (t->type == T_WORD && strcmp(t->text, word) == 0)
		return 1;
	unlex(p);
	return 0;
}

/* Characters allowed in a string: for names that end up in other tools. */
static int
check_chars(struct parser *p, int line, const char *kw, const char *s,
    const char *allowed, const char *what)
{
	const char *c;

	if (*s == '\0') {
		perr(p, line, "%s: must not be empty", kw);
		return -1;
	}
	for (c = s; *c != '\0'; c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || strchr(allowed, *c) != NULL)
			continue;
		perr(p, line, "%s: invalid character '%c' in \"%s\" "
		    "(allowed: %s)", kw, *c, s, what);
		return -1;
	}
	return 0;
}

/* ---- top level ----------------------------------------------------------- */

static int
h_router_id(struct parser *p, int line)
{
	struct in_addr in;

	if (get_token(p, T_WORD, "router-id", "an IPv4 address") == -1)
		return -1;
	if (inet_pton(AF_INET, p->tok.text, &in) != 1) {
		perr(p, p->tok.line, "router-id: '%s' is not an IPv4 address",
		    p->tok.text);
		return -1;
	}
	/* RFC 6286 §2.1: the BGP Identifier is a non-zero 32-bit value. */
	if (in.s_addr == 0) {
		perr(p, p->tok.line, "router-id: 0.0.0.0 is not allowed");
		return -1;
	}
	p->conf->router_id = ntohl(in.s_addr);
	return 0;
}

/* RFC 4456 §7: the CLUSTER_ID, 4 octets written like an IPv4 address */
static int
h_cluster_id(struct parser *p, int line)
{
	struct in_addr in;

	if (get_token(p, T_WORD, "cluster-id", "an IPv4 address") == -1)
		return -1;
	if (inet_pton(AF_INET, p->tok.text, &in) != 1 || in.s_addr == 0) {
		perr(p, p->tok.line, "cluster-id: '%s' is not a non-zero "
		    "IPv4 address", p->tok.text);
		return -1;
	}
	p->conf->cluster_id = ntohl(in.s_addr);
	return 0;
}

static int
h_local_as(struct parser *p, int line)
{
	return get_as(p, "local-as", &p->conf->local_as);
}

/* "group NAME" or "group GID": the socket is chown'ed to that group. */
static int
sock_group(struct parser *p, const char *kw, struct sock_conf *sc)
{
	struct token *t = lex(p);
	struct group *gr;
	uint64_t gid;

	if (t->type != T_WORD && t->type != T_STRING) {
		if (t->type != T_ERROR)
			perr(p, t->line, "%s: group: expected a group name or "
			    "number", kw);
		unlex(p);
		return -1;
	}
	if (strlen(t->text) >= sizeof(sc->group)) {
		perr(p, t->line, "%s: group: name too long", kw);
		return -1;
	}
	snprintf(sc->group, sizeof(sc->group), "%s", t->text);
	if (str_to_u64(t->text, &gid) == 0 && gid < 0xffffffffULL)
		sc->gid = (unsigned)gid;
	else if ((gr = getgrnam(t->text)) != NULL)
		sc->gid = (unsigned)gr->gr_gid;
	else {
		perr(p, t->line, "%s: group: no such group: %s", kw, t->text);
		return -1;
	}
	sc->has_gid = 1;
	return 0;
}

/* A socket path, then [group G] [read-only] (read-only where allowed). */
static int
sock_stmt(struct parser *p, int line, const char *kw, char *path,
    struct sock_conf *sc, int ro_allowed)
{
	if (get_string(p, kw, path, CONF_PATH_LEN) == -1)
		return -1;
	if (*path == '\0') {
		perr(p, line, "%s: must not be empty", kw);
		return -1;
	}
	for (;;) {
		if (get_opt(p, "group")) {
			if (sock_group(p, kw, sc) == -1)
				return -1;
		} else if (ro_allowed && get_opt(p, "read-only"))
			sc->readonly = 1;
		else
			return 0;
	}
}

/* control-socket "PATH" [group G]: wrenctl's socket (bgpd/control.c). */
static int
h_control_socket(struct parser *p, int line)
{
	return sock_stmt(p, line, "control-socket", p->conf->control_socket,
	    &p->conf->control_sock, 0);
}

/* control-socket-readonly "PATH" [group G]: "show" commands only. */
static int
h_control_ro_socket(struct parser *p, int line)
{
	p->conf->control_ro_sock.readonly = 1;
	return sock_stmt(p, line, "control-socket-readonly",
	    p->conf->control_ro_socket, &p->conf->control_ro_sock, 0);
}

/* compat-socket "PATH": the BIRD-compatible socket (bgpd/compat.c). */
static int
h_compat_socket(struct parser *p, int line)
{
	return sock_stmt(p, line, "compat-socket", p->conf->compat_socket,
	    &p->conf->compat_sock, 1);
}

/* user "NAME": drop root once the sockets are open (bgpd/priv.c). */
static int
h_user(struct parser *p, int line)
{
	if (get_string(p, "user", p->conf->user, sizeof(p->conf->user)) == -1)
		return -1;
	if (p->conf->user[0] == '\0') {
		perr(p, line, "user: empty name");
		return -1;
	}
	return 0;
}

static const char *const log_level_names[] = {
	[LOG_ERR] = "error", [LOG_WARNING] = "warning",
	[LOG_NOTICE] = "notice", [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

/* log level debug|info|notice|warning|error (lib/log.c) */
static int
h_log(struct parser *p, int line)
{
	size_t i;

	if (get_token(p, T_WORD, "log", "'level'") == -1)
		return -1;
	if (strcmp(p->tok.text, "level") != 0) {
		perr(p, p->tok.line, "log: expected 'level'");
		return -1;
	}
	if (get_token(p, T_WORD, "log level", "a level") == -1)
		return -1;
	for (i = 0; i < sizeof(log_level_names) / sizeof(log_level_names[0]);
	    i++)
		if (log_level_names[i] != NULL &&
		    strcmp(p->tok.text, log_level_names[i]) == 0) {
			p->conf->log_level = (int)i;
			return 0;
		}
	perr(p, p->tok.line, "log level: '%s' is not one of debug, info, "
	    "notice, warning, error", p->tok.text);
	return -1;
}

/* metrics listen ADDR|* [port N]: the Prometheus endpoint (metrics.c) */
static int
h_metrics(struct parser *p, int line)
{
	uint64_t port = DEF_METRICS_PORT;

	if (get_token(p, T_WORD, "metrics", "'listen'") == -1)
		return -1;
	if (strcmp(p->tok.text, "listen") != 0) {
		perr(p, p->tok.line, "metrics: expected 'listen'");
		return -1;
	}
	if (get_token(p, T_WORD, "metrics listen", "an address or '*'") == -1)
		return -1;
	if (strcmp(p->tok.text, "*") == 0)
		memset(&p->conf->metrics_addr, 0, sizeof(p->conf->metrics_addr));
	else if (addr_parse(p->tok.text, &p->conf->metrics_addr) == -1) {
		perr(p, p->tok.line, "metrics listen: '%s' is not an IP "
		    "address", p->tok.text);
		return -1;
	}
	if (get_opt(p, "port") && get_num(p, "metrics listen port", 1, 65535,
	    NULL, &port) == -1)
		return -1;
	p->conf->metrics_port = (uint16_t)port;
	return 0;
}

/* "*", 0.0.0.0 and :: all mean every address (af 0). */
static int
listen_addr(struct parser *p, struct wr_addr *a)
{
	if (get_token(p, T_WORD, "listen on", "an address or '*'") == -1)
		return -1;
	if (strcmp(p->tok.text, "*") == 0) {
		memset(a, 0, sizeof(*a));
		return 0;
	}
	if (addr_parse(p->tok.text, a) == -1) {
		perr(p, p->tok.line, "listen on: '%s' is not an IP address",
		    p->tok.text);
		return -1;
	}
	if ((a->af == AF_INET && a->v4.s_addr == INADDR_ANY) ||
	    (a->af == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&a->v6)))
		memset(a, 0, sizeof(*a));
	else if ((a->af == AF_INET && IN_MULTICAST(ntohl(a->v4.s_addr))) ||
	    (a->af == AF_INET6 && IN6_IS_ADDR_MULTICAST(&a->v6))) {
		perr(p, p->tok.line, "listen on: %s is a multicast address",
		    p->tok.text);
		return -1;
	}
	return 0;
}

static int
h_listen(struct parser *p, int line)
{
	struct listen_conf lc, *l;
	uint64_t port = DEF_PORT;

	memset(&lc, 0, sizeof(lc));
	if (get_token(p, T_WORD, "listen", "'on'") == -1)
		return -1;
	if (strcmp(p->tok.text, "on") != 0) {
		perr(p, p->tok.line, "listen: expected 'on'");
		return -1;
	}
	if (listen_addr(p, &lc.addr) == -1)
		return -1;
	if (get_opt(p, "port") &&
	    get_num(p, "listen on: port", 1, 65535, NULL, &port) == -1)
		return -1;
	lc.port = (uint16_t)port;
	for (l = p->conf->listen; l != NULL; l = l->next)
		if (l->port == lc.port && addr_cmp(&l->addr, &lc.addr) == 0) {
			perr(p, line, "listen: duplicate address and port");
			return -1;
		}
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		perr(p, line, "out of memory");
		return -1;
	}
	*l = lc;
	*p->ls_tail = l;
	p->ls_tail = &l->next;
	return 0;
}

/* ---- kernel { } ---------------------------------------------------------- */

static int
check_pattern(struct parser *p, int line, const char *pat)
{
	int i;

	if (check_chars(p, line, "learn interface", pat, "_.*?-",
	    "A-Z a-z 0-9 _ . * ? -") == -1)
		return -1;
	for (i = 0; i < p->conf->kernel.nlearn; i++)
		if (strcmp(p->conf->kernel.learn[i], pat) == 0) {
			perr(p, line, "learn interface: duplicate pattern "
			    "\"%s\"", pat);
			return -1;
		}
	if (p->conf->kernel.nlearn >= CONF_MAX_PATTERNS) {
		perr(p, line, "learn interface: too many patterns (max %d)",
		    CONF_MAX_PATTERNS);
		return -1;
	}
	return 0;
}

/*
 * "learn WHAT ..." and "install WHAT ...": one keyword, then a table of
 * sub-keywords, each with its own handler.
 */
struct subkw {
	const char	*name;
	int		(*fn)(struct parser *, int line);
};

static int
dispatch_sub(struct parser *p, int line, const char *kw,
    const struct subkw *tab, const char *expected)
{
	const struct subkw *s;

	if (get_token(p, T_WORD, kw, expected) == -1)
		return -1;
	for (s = tab; s->name != NULL; s++)
		if (strcmp(s->name, p->tok.text) == 0)
			return s->fn(p, line);
	perr(p, p->tok.line, "%s: expected %s", kw, expected);
	return -1;
}

/* ---- routing policy (rib/policy.h, peers.conf(5) POLICY) ----------------- */

/* The next word of the statement, a trailing ';' dropped; NULL if none. */
static const char *
pol_word(struct parser *p)
{
	struct token *t = lex(p);
	size_t n;

	if (t->type != T_WORD) {
		unlex(p);
		return NULL;
	}
	n = strlen(t->text);
	if (n > 0 && t->text[n - 1] == ';')
		t->text[n - 1] = '\0';
	return t->text;
}

static int
pol_num(struct parser *p, const char *kw, uint64_t min, uint64_t max,
    uint64_t *v)
{
	const char *w = pol_word(p);

	if (w == NULL) {
		perr(p, p->tok.line, "%s: expected a number", kw);
		return -1;
	}
	if (str_to_u64(w, v) == -1 || *v < min || *v > max) {
		perr(p, p->tok.line, "%s: '%s' is not a number from %" PRIu64
		    " to %" PRIu64, kw, w, min, max);
		return -1;
	}
	return 0;
}

/* A prefix without host bits: "10.244.1.0/26", not "10.244.1.1/26". */
static int
pol_prefix(struct parser *p, int line, const char *kw, const char *w,
    struct wr_prefix *pfx)
{
	struct wr_addr a;
	char tmp[WR_PFXSTRLEN], *slash;

	memset(pfx, 0, sizeof(*pfx));
	snprintf(tmp, sizeof(tmp), "%s", w);
	if ((slash = strchr(tmp, '/')) != NULL)
		*slash = '\0';
	if (slash == NULL || prefix_parse(w, pfx) == -1 ||
	    addr_parse(tmp, &a) == -1) {
		perr(p, line, "%s: '%s' is not a prefix", kw, w);
		return -1;
	}
	if (addr_cmp(&a, &pfx->addr) != 0) {
		perr(p, line, "%s: '%s' has host bits set", kw, w);
		return -1;
	}
	return 0;
}

static int
pol_name(struct parser *p, int line, const char *kw, char *dst)
{
	if (get_string(p, kw, dst, POL_NAME_LEN) == -1 ||
	    check_chars(p, line, kw, dst, "_-.", "A-Z a-z 0-9 _ - .") == -1)
		return -1;
	return 0;
}

static int
pol_grow(struct parser *p, int line, void **v, size_t n, size_t size)
{
	void *nv;

	if ((nv = realloc(*v, (n + 1) * size)) == NULL) {
		perr(p, line, "out of memory");
		return -1;
	}
	memset((char *)nv + n * size, 0, size);
	*v = nv;
	return 0;
}

/*
 * The items of a set block, '{' to '}', any number per line (a ';' after
 * an item is allowed); item() takes one word and may read more.
 */
static int
pol_set_block(struct parser *p, int line, const char *kw, void *set,
    int (*item)(struct parser *, void *, const char *, int))
{
	struct token *t;
	char buf[CONF_TOKLEN + 8];
	const char *w;

	if (get_token(p, T_LBRACE, kw, "'{'") == -1)
		return -1;
	for (;;) {
		t = lex(p);
		if (t->type == T_RBRACE)
			return 0;
		if (t->type == T_NL)
			continue;
		if (t->type == T_EOF) {
			perr(p, line, "%s: missing '}'", kw);
			unlex(p);
			return -1;
		}
		if (t->type != T_WORD) {
			if (t->type != T_ERROR)
				perr(p, t->line, "%s: unexpected %s", kw,
				    tok_desc(t, buf, sizeof(buf)));
			continue;
		}
		unlex(p);
		if ((w = pol_word(p)) != NULL && *w != '\0')
			item(p, set, w, p->tok.line);
	}
}

/* "ge N" / "le N" after a prefix of the set (RFC-free, BIRD-like). */
static int
ps_range(struct parser *p, struct pol_prefix_set *s, const char *w, int line)
{
	struct pol_pfx *e;
	uint64_t v;
	uint8_t max;
	int ge = w[0] == 'g';	/* w is the token, which lexing replaces */

	if (s->n == 0) {
		perr(p, line, "prefix-set: '%s' without a prefix", w);
		return -1;
	}
	e = &s->v[s->n - 1];
	max = (uint8_t)addr_bits(e->prefix.addr.af);
	if (pol_num(p, ge ? "prefix-set ge" : "prefix-set le",
	    e->prefix.len, max, &v) == -1)
		return -1;
	if (ge) {
		e->ge = (uint8_t)v;
		if (!p->ps_le_given)	/* "ge" alone: up to the host */
			e->le = max;
	} else {
		e->le = (uint8_t)v;
		p->ps_le_given = 1;
	}
	if (e->ge > e->le) {
		perr(p, line, "prefix-set: ge %u is more than le %u", e->ge,
		    e->le);
		return -1;
	}
	return 0;
}

static int
ps_item(struct parser *p, void *arg, const char *w, int line)
{
	struct pol_prefix_set *s = arg;
	struct wr_prefix pfx;

	if (strcmp(w, "ge") == 0 || strcmp(w, "le") == 0)
		return ps_range(p, s, w, line);
	if (pol_prefix(p, line, "prefix-set", w, &pfx) == -1 ||
	    pol_grow(p, line, (void **)&s->v, s->n, sizeof(*s->v)) == -1)
		return -1;
	s->v[s->n].prefix = pfx;
	s->v[s->n].ge = s->v[s->n].le = pfx.len;
	s->n++;
	p->ps_le_given = 0;
	return 0;
}

static int
h_prefix_set(struct parser *p, int line)
{
	struct pol_prefix_set *s, **sp;
	char name[POL_NAME_LEN];

	if (pol_name(p, line, "prefix-set", name) == -1)
		return -1;
	for (sp = &p->conf->prefix_sets; *sp != NULL; sp = &(*sp)->next)
		if (strcmp((*sp)->name, name) == 0) {
			perr(p, line, "prefix-set \"%s\" already defined at "
			    "line %d", name, (*sp)->line);
			return -1;
		}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		perr(p, line, "out of memory");
		return -1;
	}
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->line = line;
	*sp = s;
	return pol_set_block(p, line, "prefix-set", s, ps_item);
}

/* 64512:100, 64512:1:2 (RFC 8092) or a well-known name (RFC 1997). */
static int
pol_parse_comm(const char *w, struct pol_comm *c)
{
	static const struct { const char *n; uint32_t v; } wk[] = {
		{ "no-export", 0xffffff01u }, { "no-advertise", 0xffffff02u },
		{ "no-export-subconfed", 0xffffff03u },
	};
	char tmp[CONF_TOKLEN], *part[4], *s;
	uint64_t v[3];
	size_t i, n = 0;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < sizeof(wk) / sizeof(wk[0]); i++)
		if (strcmp(w, wk[i].n) == 0) {
			c->kind = POL_COMM_STD;
			c->v[0] = wk[i].v;
			return 0;
		}
	snprintf(tmp, sizeof(tmp), "%s", w);
	for (s = tmp; n < 4 && s != NULL; n++) {
		part[n] = s;
		if ((s = strchr(s, ':')) != NULL)
			*s++ = '\0';
	}
	if (s != NULL || n < 2 || n > 3)
		return -1;
	for (i = 0; i < n; i++)
		if (str_to_u64(part[i], &v[i]) == -1 || v[i] > (n == 2 ?
		    0xffff : UINT32_MAX))
			return -1;
	c->kind = n == 2 ? POL_COMM_STD : POL_COMM_LARGE;
	if (n == 2)
		c->v[0] = (uint32_t)(v[0] << 16 | v[1]);
	else
		for (i = 0; i < 3; i++)
			c->v[i] = (uint32_t)v[i];
	return 0;
}

static int
cs_item(struct parser *p, void *arg, const char *w, int line)
{
	struct pol_comm_set *s = arg;
	struct pol_comm c;

	if (pol_parse_comm(w, &c) == -1) {
		perr(p, line, "community-set: '%s' is not a community "
		    "(A:B or A:B:C)", w);
		return -1;
	}
	if (pol_grow(p, line, (void **)&s->v, s->n, sizeof(*s->v)) == -1)
		return -1;
	s->v[s->n++] = c;
	return 0;
}

static int
h_community_set(struct parser *p, int line)
{
	struct pol_comm_set *s, **sp;
	char name[POL_NAME_LEN];

	if (pol_name(p, line, "community-set", name) == -1)
		return -1;
	for (sp = &p->conf->comm_sets; *sp != NULL; sp = &(*sp)->next)
		if (strcmp((*sp)->name, name) == 0) {
			perr(p, line, "community-set \"%s\" already defined "
			    "at line %d", name, (*sp)->line);
			return -1;
		}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		perr(p, line, "out of memory");
		return -1;
	}
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->line = line;
	*sp = s;
	return pol_set_block(p, line, "community-set", s, cs_item);
}

/* ---- policy "NAME" { rule { ... } default accept|reject } ---------------- */

static struct pol_match *
rule_match_new(struct parser *p, int line, enum pol_match_type type)
{
	struct pol_rule *r = p->rule;
	struct pol_match *m;

	if (pol_grow(p, line, (void **)&r->m, r->nm, sizeof(*r->m)) == -1)
		return NULL;
	m = &r->m[r->nm++];
	m->type = type;
	m->negate = p->pol_negate;
	m->line = line;
	return m;
}

static struct pol_action *
rule_action_new(struct parser *p, int line, enum pol_action_type type)
{
	struct pol_rule *r = p->rule;
	struct pol_action *a;

	if (pol_grow(p, line, (void **)&r->a, r->na, sizeof(*r->a)) == -1)
		return NULL;
	a = &r->a[r->na++];
	a->type = type;
	return a;
}

static int
m_prefix_set(struct parser *p, int line)
{
	struct pol_match *m;
	char name[POL_NAME_LEN];

	if (pol_name(p, line, "match prefix-set", name) == -1 ||
	    (m = rule_match_new(p, line, PM_PREFIX_SET)) == NULL)
		return -1;
	snprintf(m->name, sizeof(m->name), "%s", name);
	return 0;
}

/* A word among choices; its index, or -1 (reported). */
static int
pol_choice(struct parser *p, int line, const char *kw,
    const char *const *choices, const char *expected)
{
	const char *w = pol_word(p);
	int i;

	for (i = 0; w != NULL && choices[i] != NULL; i++)
		if (strcmp(w, choices[i]) == 0)
			return i;
	perr(p, line, "%s: expected %s", kw, expected);
	return -1;
}

static int
m_source(struct parser *p, int line)
{
	static const char *const src[] = { "kernel", "static", "bgp", NULL };
	static const int val[] = { RIB_SRC_KERNEL, RIB_SRC_STATIC, RIB_SRC_BGP };
	struct pol_match *m;
	int i;

	if ((i = pol_choice(p, line, "match source", src,
	    "'kernel', 'static' or 'bgp'")) == -1 ||
	    (m = rule_match_new(p, line, PM_SOURCE)) == NULL)
		return -1;
	m->num = (uint32_t)val[i];
	return 0;
}

static int
m_interface(struct parser *p, int line)
{
	struct pol_match *m;
	char pat[POL_PATTERN_LEN];

	if (get_string(p, "match interface", pat, sizeof(pat)) == -1 ||
	    check_chars(p, line, "match interface", pat, "_.*?-",
	    "A-Z a-z 0-9 _ . * ? -") == -1 ||
	    (m = rule_match_new(p, line, PM_INTERFACE)) == NULL)
		return -1;
	snprintf(m->pattern, sizeof(m->pattern), "%s", pat);
	return 0;
}

static int
m_neighbor_type(struct parser *p, int line)
{
	static const char *const types[] = { "ibgp", "ebgp", NULL };
	struct pol_match *m;
	int i;

	if ((i = pol_choice(p, line, "match neighbor-type", types,
	    "'ebgp' or 'ibgp'")) == -1 ||
	    (m = rule_match_new(p, line, PM_NEIGHBOR_TYPE)) == NULL)
		return -1;
	m->num = (uint32_t)i;
	return 0;
}

static int
m_community(struct parser *p, int line)
{
	struct pol_match *m;
	struct pol_comm c;
	struct token *t = lex(p);

	if (t->type == T_STRING) {
		if (strlen(t->text) >= POL_NAME_LEN) {
			perr(p, line, "match community: name too long (max "
			    "%d characters)", POL_NAME_LEN - 1);
			return -1;
		}
		if (check_chars(p, line, "match community", t->text, "_-.",
		    "A-Z a-z 0-9 _ - .") == -1 ||
		    (m = rule_match_new(p, line, PM_COMMUNITY_SET)) == NULL)
			return -1;
		snprintf(m->name, sizeof(m->name), "%s", t->text);
		return 0;
	}
	unlex(p);
	if (t->type != T_WORD || pol_parse_comm(pol_word(p), &c) == -1) {
		perr(p, line, "match community: expected a community "
		    "(A:B, A:B:C) or a quoted community-set name");
		return -1;
	}
	if ((m = rule_match_new(p, line, PM_COMMUNITY)) == NULL)
		return -1;
	m->comm = c;
	return 0;
}

static int
m_as_path(struct parser *p, int line)
{
	static const char *const how[] = { "contains", "origin", "length",
	    NULL };
	static const char *const cmp[] = { "eq", "le", "ge", NULL };
	static const enum pol_match_type type[] = { PM_ASPATH_CONTAINS,
	    PM_ASPATH_ORIGIN, PM_ASPATH_LENGTH };
	struct pol_match *m;
	uint64_t v;
	uint32_t as;
	int i, c = POL_CMP_EQ;

	if ((i = pol_choice(p, line, "match as-path", how,
	    "'contains', 'origin' or 'length'")) == -1)
		return -1;
	if (i == 2) {
		if ((c = pol_choice(p, line, "match as-path length", cmp,
		    "'eq', 'le' or 'ge'")) == -1 ||
		    pol_num(p, "match as-path length", 0, 255, &v) == -1)
			return -1;
		as = (uint32_t)v;
	} else if (get_as(p, "match as-path", &as) == -1)
		return -1;
	if ((m = rule_match_new(p, line, type[i])) == NULL)
		return -1;
	m->num = as;
	m->cmp = c;
	return 0;
}

static const struct subkw match_tab[] = {
	{ "prefix-set",		m_prefix_set },
	{ "source",		m_source },
	{ "interface",		m_interface },
	{ "neighbor-type",	m_neighbor_type },
	{ "community",		m_community },
	{ "as-path",		m_as_path },
	{ NULL,			NULL }
};

static int
r_match(struct parser *p, int line)
{
	int rv;

	p->pol_negate = get_opt(p, "not");
	rv = dispatch_sub(p, line, "match", match_tab, "'prefix-set', "
	    "'source', 'interface', 'neighbor-type', 'community' or "
	    "'as-path'");
	p->pol_negate = 0;
	return rv;
}

/* The communities of an action, to the end of the statement. */
static int
a_comms(struct parser *p, int line, enum pol_action_type type, int kind)
{
	struct pol_action *a;
	struct pol_comm c;
	const char *w;
	int none = 0;

	if ((a = rule_action_new(p, line, type)) == NULL)
		return -1;
	while ((w = pol_word(p)) != NULL) {
		if (*w == '\0')
			continue;
		if (strcmp(w, "none") == 0 && (type == PA_SET_COMMUNITY ||
		    type == PA_SET_LARGE) && a->ncomms == 0 && !none) {
			none = 1;
			continue;
		}
		if (none || pol_parse_comm(w, &c) == -1 || c.kind != kind) {
			perr(p, line, "'%s' is not a%s community", w,
			    kind == POL_COMM_LARGE ? " large (A:B:C)" :
			    " (A:B)");
			return -1;
		}
		if (pol_grow(p, line, (void **)&a->comms, a->ncomms,
		    sizeof(*a->comms)) == -1)
			return -1;
		a->comms[a->ncomms++] = c;
	}
	if (a->ncomms == 0 && !none) {
		perr(p, line, "expected communities%s", type ==
		    PA_SET_COMMUNITY || type == PA_SET_LARGE ? " or 'none'" :
		    "");
		return -1;
	}
	return 0;
}

static int
a_num(struct parser *p, int line, enum pol_action_type type, const char *kw,
    uint64_t min, uint64_t max)
{
	struct pol_action *a;
	uint64_t v;

	if (pol_num(p, kw, min, max, &v) == -1 ||
	    (a = rule_action_new(p, line, type)) == NULL)
		return -1;
	a->num = (uint32_t)v;
	return 0;
}

/*
 * set|add|delete WHAT ...: one row per action.  A row with a community
 * kind takes communities up to the end of the statement; one without, a
 * number (a local-pref, a MED, a kernel metric).
 */
static const struct act_kw {
	const char		*verb;
	const char		*what;
	enum pol_action_type	 type;
	int			 kind;		/* POL_COMM_*; 0: a number */
} act_tab[] = {
	{ "set", "community", PA_SET_COMMUNITY, POL_COMM_STD },
	{ "set", "large-community", PA_SET_LARGE, POL_COMM_LARGE },
	{ "set", "local-pref", PA_LOCAL_PREF, 0 },
	{ "set", "med", PA_MED, 0 },
	{ "set", "metric", PA_METRIC, 0 },
	{ "add", "community", PA_ADD_COMMUNITY, POL_COMM_STD },
	{ "add", "large-community", PA_ADD_LARGE, POL_COMM_LARGE },
	{ "delete", "community", PA_DELETE_COMMUNITY, POL_COMM_STD },
	{ "delete", "large-community", PA_DELETE_LARGE, POL_COMM_LARGE },
};

static int
r_action(struct parser *p, int line, const char *verb, const char *expected)
{
	const struct act_kw *k;
	char kw[32];
	size_t i;

	if (get_token(p, T_WORD, verb, expected) == -1)
		return -1;
	for (i = 0; i < sizeof(act_tab) / sizeof(act_tab[0]); i++) {
		k = &act_tab[i];
		if (strcmp(k->verb, verb) != 0 ||
		    strcmp(k->what, p->tok.text) != 0)
			continue;
		if (k->kind != 0)
			return a_comms(p, line, k->type, k->kind);
		snprintf(kw, sizeof(kw), "%s %s", verb, k->what);
		return a_num(p, line, k->type, kw, 0, UINT32_MAX);
	}
	perr(p, p->tok.line, "%s: expected %s", verb, expected);
	return -1;
}

static int
r_set(struct parser *p, int line)
{
	return r_action(p, line, "set", "'community', 'large-community', "
	    "'local-pref', 'med' or 'metric'");
}

static int
r_add(struct parser *p, int line)
{
	return r_action(p, line, "add", "'community' or 'large-community'");
}

static int
r_delete(struct parser *p, int line)
{
	return r_action(p, line, "delete", "'community' or "
	    "'large-community'");
}

static int
r_prepend(struct parser *p, int line)
{
	return a_num(p, line, PA_PREPEND, "prepend", 1, 32);
}

static int
r_next_hop(struct parser *p, int line)
{
	if (!get_opt(p, "self")) {
		perr(p, line, "next-hop: expected 'self'");
		return -1;
	}
	return rule_action_new(p, line, PA_NEXTHOP_SELF) == NULL ? -1 : 0;
}

static int
r_verdict(struct parser *p, int line, int verdict)
{
	if (p->rule->verdict != POL_NONE) {
		perr(p, line, "rule: a second accept or reject");
		return -1;
	}
	p->rule->verdict = verdict;
	return 0;
}

static int
r_accept(struct parser *p, int line)
{
	return r_verdict(p, line, POL_ACCEPT);
}

static int
r_reject(struct parser *p, int line)
{
	return r_verdict(p, line, POL_REJECT);
}

static const struct keyword rule_tab[] = {
	{ "match",	F_NONE,	r_match },
	{ "set",	F_NONE,	r_set },
	{ "add",	F_NONE,	r_add },
	{ "delete",	F_NONE,	r_delete },
	{ "prepend",	F_NONE,	r_prepend },
	{ "next-hop",	F_NONE,	r_next_hop },
	{ "accept",	F_NONE,	r_accept },
	{ "reject",	F_NONE,	r_reject },
	{ NULL,		F_NONE,	NULL }
};

static int
p_rule(struct parser *p, int line)
{
	struct policy *pol = p->pol;
	int rv;

	if (get_token(p, T_LBRACE, "rule", "'{'") == -1 ||
	    pol_grow(p, line, (void **)&pol->rules, pol->nrules,
	    sizeof(*pol->rules)) == -1)
		return -1;
	p->rule = &pol->rules[pol->nrules++];
	p->rule->line = line;
	rv = parse_stmts(p, rule_tab, line, "rule");
	p->rule = NULL;
	return rv;
}

static int
p_default(struct parser *p, int line)
{
	static const char *const v[] = { "accept", "reject", NULL };
	int i;

	if ((i = pol_choice(p, line, "default", v, "'accept' or 'reject'")) ==
	    -1)
		return -1;
	p->pol->dflt = i == 0 ? POL_ACCEPT : POL_REJECT;
	return 0;
}

static const struct keyword policy_tab[] = {
	{ "rule",	F_NONE,	p_rule },
	{ "default",	F_NONE,	p_default },
	{ NULL,		F_NONE,	NULL }
};

static int
h_policy(struct parser *p, int line)
{
	struct policy *pol, **pp;
	char name[POL_NAME_LEN];
	int rv;

	if (pol_name(p, line, "policy", name) == -1)
		return -1;
	for (pp = &p->conf->policies; *pp != NULL; pp = &(*pp)->next)
		if (strcmp((*pp)->name, name) == 0) {
			perr(p, line, "policy \"%s\" already defined at line "
			    "%d", name, (*pp)->line);
			return -1;
		}
	if (get_token(p, T_LBRACE, "policy", "'{'") == -1)
		return -1;
	if ((pol = calloc(1, sizeof(*pol))) == NULL) {
		perr(p, line, "out of memory");
		return -1;
	}
	snprintf(pol->name, sizeof(pol->name), "%s", name);
	pol->line = line;
	pol->dflt = POL_REJECT;
	*pp = pol;
	p->pol = pol;
	rv = parse_stmts(p, policy_tab, line, "policy");
	p->pol = NULL;
	return rv;
}

/* import policy "NAME" / export policy "NAME", in a neighbor or group */
static int
nb_policy(struct parser *p, int line, const char *kw, char *dst, int *ln)
{
	if (!get_opt(p, "policy")) {
		perr(p, line, "%s: expected 'policy'", kw);
		return -1;
	}
	if (pol_name(p, line, kw, dst) == -1)
		return -1;
	*ln = line;
	return 0;
}

static int
h_import(struct parser *p, int line)
{
	return nb_policy(p, line, "import", p->nb->import_policy,
	    &p->nb->import_line);
}

static int
h_export(struct parser *p, int line)
{
	return nb_policy(p, line, "export", p->nb->export_policy,
	    &p->nb->export_line);
}

static int
install_policy(struct parser *p, int line)
{
	if (p->install_pol_line != 0) {
		perr(p, line, "duplicate install policy (first at line %d)",
		    p->install_pol_line);
		return -1;
	}
	p->install_pol_line = line;
	return pol_name(p, line, "install policy",
	    p->conf->kernel.install_policy);
}

/* aggregate PREFIX [no-blackhole] [visible PREFIX ...] */
static int
aggr_visible(struct parser *p, int line, struct pol_aggr *ag)
{
	struct wr_prefix v;
	const char *w;

	while ((w = pol_word(p)) != NULL) {
		if (pol_prefix(p, line, "aggregate visible", w, &v) == -1)
			return -1;
		if (v.addr.af != ag->prefix.addr.af || v.len <= ag->prefix.len ||
		    !prefix_contains(&ag->prefix, &v.addr)) {
			perr(p, line, "aggregate: visible %s is not inside "
			    "the aggregate", w);
			return -1;
		}
		if (pol_grow(p, line, (void **)&ag->visible, ag->nvisible,
		    sizeof(*ag->visible)) == -1)
			return -1;
		ag->visible[ag->nvisible++] = v;
	}
	if (ag->nvisible == 0) {
		perr(p, line, "aggregate: visible needs prefixes");
		return -1;
	}
	return 0;
}

static int
h_aggregate(struct parser *p, int line)
{
	struct pol_aggr ag, *n, **ap;
	char buf[WR_PFXSTRLEN];
	const char *w;
	int rv = 0;

	memset(&ag, 0, sizeof(ag));
	ag.line = line;
	if ((w = pol_word(p)) == NULL || pol_prefix(p, line, "aggregate", w,
	    &ag.prefix) == -1) {
		if (w == NULL)
			perr(p, line, "aggregate: expected a prefix");
		return -1;
	}
	if (get_opt(p, "no-blackhole"))
		ag.no_blackhole = 1;
	if (get_opt(p, "visible"))
		rv = aggr_visible(p, line, &ag);
	for (ap = &p->conf->aggregates; rv == 0 && *ap != NULL;
	    ap = &(*ap)->next)
		if (prefix_cmp(&(*ap)->prefix, &ag.prefix) == 0) {
			perr(p, line, "aggregate %s: already at line %d",
			    prefix_ntop(&ag.prefix, buf, sizeof(buf)),
			    (*ap)->line);
			rv = -1;
		}
	if (rv == 0 && (n = malloc(sizeof(*n))) != NULL) {
		*n = ag;
		*ap = n;
		return 0;
	}
	free(ag.visible);
	return -1;
}

/* static PREFIX blackhole | static PREFIX via ADDRESS */
static int
h_static(struct parser *p, int line)
{
	struct static_conf st, *n, **sp;
	char buf[WR_PFXSTRLEN];
	const char *w;

	memset(&st, 0, sizeof(st));
	st.line = line;
	if ((w = pol_word(p)) == NULL || pol_prefix(p, line, "static", w,
	    &st.prefix) == -1) {
		if (w == NULL)
			perr(p, line, "static: expected a prefix");
		return -1;
	}
	if (get_opt(p, "via")) {
		if (get_addr(p, "static via", &st.via) == -1)
			return -1;
		if (st.via.af != st.prefix.addr.af && !(st.via.af ==
		    AF_INET6 && st.prefix.addr.af == AF_INET)) {
			perr(p, line, "static: an IPv6 prefix needs an IPv6 "
			    "next hop");
			return -1;
		}
	} else if (!get_opt(p, "blackhole")) {
		perr(p, line, "static: expected 'blackhole' or 'via'");
		return -1;
	}
	for (sp = &p->conf->statics; *sp != NULL; sp = &(*sp)->next)
		if (prefix_cmp(&(*sp)->prefix, &st.prefix) == 0) {
			perr(p, line, "static %s: already at line %d",
			    prefix_ntop(&st.prefix, buf, sizeof(buf)),
			    (*sp)->line);
			return -1;
		}
	if ((n = malloc(sizeof(*n))) == NULL) {
		perr(p, line, "out of memory");
		return -1;
	}
	*n = st;
	*sp = n;
	return 0;
}

/* Names refer to sets and policies defined anywhere in the file. */
static void
config_check_policy_refs(struct parser *p, struct policy *pol)
{
	struct pol_match *m;
	size_t i, j;

	for (i = 0; i < pol->nrules; i++)
		for (j = 0; j < pol->rules[i].nm; j++) {
			m = &pol->rules[i].m[j];
			if (m->type == PM_PREFIX_SET &&
			    (m->set = pol_prefix_set_find(p->conf->prefix_sets,
			    m->name)) == NULL)
				perr(p, m->line, "unknown prefix-set \"%s\"",
				    m->name);
			if (m->type == PM_COMMUNITY_SET &&
			    (m->set = pol_comm_set_find(p->conf->comm_sets,
			    m->name)) == NULL)
				perr(p, m->line, "unknown community-set "
				    "\"%s\"", m->name);
		}
}

static const struct policy *
config_policy_ref(struct parser *p, const char *name, int line)
{
	const struct policy *pol;

	if (name[0] == '\0')
		return NULL;
	if ((pol = policy_find(p->conf->policies, name)) == NULL)
		perr(p, line, "unknown policy \"%s\"", name);
	return pol;
}

/* One route per prefix: a static route or an aggregate, not both. */
static void
config_check_routes(struct parser *p)
{
	const struct static_conf *st;
	const struct pol_aggr *ag;
	char buf[WR_PFXSTRLEN];

	for (ag = p->conf->aggregates; ag != NULL; ag = ag->next)
		for (st = p->conf->statics; st != NULL; st = st->next)
			if (prefix_cmp(&ag->prefix, &st->prefix) == 0)
				perr(p, ag->line, "aggregate %s: also a static "
				    "route (line %d)", prefix_ntop(&ag->prefix,
				    buf, sizeof(buf)), st->line);
}

static void
config_check_policy(struct parser *p)
{
	struct neighbor_conf *nb;
	struct kernel_conf *k = &p->conf->kernel;
	struct policy *pol;

	for (pol = p->conf->policies; pol != NULL; pol = pol->next)
		config_check_policy_refs(p, pol);
	for (nb = p->conf->neighbors; nb != NULL; nb = nb->next) {
		nb->import_pol = config_policy_ref(p, nb->import_policy,
		    nb->import_line);
		nb->export_pol = config_policy_ref(p, nb->export_policy,
		    nb->export_line);
	}
	k->install_pol = config_policy_ref(p, k->install_policy,
	    p->install_pol_line);
	config_check_routes(p);
}


static int
learn_interface(struct parser *p, int line)
{
	struct kernel_conf *k = &p->conf->kernel;
	char pat[CONF_PATTERN_LEN];

	/* Zero-filled: configs compare byte for byte on reload. */
	memset(pat, 0, sizeof(pat));
	if (get_string(p, "learn interface", pat, sizeof(pat)) == -1 ||
	    check_pattern(p, line, pat) == -1)
		return -1;
	memcpy(k->learn[k->nlearn++], pat, sizeof(pat));
	return 0;
}

/* iproute2's names (/etc/iproute2/rt_protos) for the usual protocols. */
static const struct {
	const char	*name;
	uint8_t		 proto;
} proto_names[] = {
	{ "boot", 3 }, { "static", 4 }, { "gated", 8 }, { "ra", 9 },
	{ "zebra", 11 }, { "bird", 12 }, { "dhcp", 16 }, { "babel", 42 },
	{ "bgp", 186 }, { "isis", 187 }, { "ospf", 188 }, { "rip", 189 },
	{ NULL, 0 }
};

static int
proto_lookup(struct parser *p, const char *kw, uint64_t *v)
{
	int i;

	for (i = 0; proto_names[i].name != NULL; i++)
		if (strcmp(proto_names[i].name, p->tok.text) == 0) {
			*v = proto_names[i].proto;
			return 0;
		}
	if (str_to_u64(p->tok.text, v) == 0 && *v <= 255)
		return 0;
	perr(p, p->tok.line, "%s: '%s' is not a protocol number (0..255) or "
	    "name (boot, static, zebra, bird, ...)", kw, p->tok.text);
	return -1;
}

/*
 * Routes of protocols 1 and 2 (redirect, kernel: the connected routes of
 * every address) are the kernel's own and never workload routes.  That the
 * number is not the install protocol is checked at the end of the file,
 * where the install protocol is known (config_check).
 */
static int
learn_protocol(struct parser *p, int line)
{
	struct kernel_conf *k = &p->conf->kernel;
	uint64_t v;

	if (get_token(p, T_WORD, "learn protocol", "a number or a name") == -1 ||
	    proto_lookup(p, "learn protocol", &v) == -1)
		return -1;
	if (v == 1 || v == 2) {
		perr(p, p->tok.line, "learn protocol: %" PRIu64 " (%s) is the "
		    "kernel's own; its routes are never learned", v,
		    v == 1 ? "redirect" : "kernel");
		return -1;
	}
	if (CONF_LEARN_PROTO(k, v)) {
		perr(p, p->tok.line, "learn protocol: duplicate protocol %"
		    PRIu64 " (first at line %d)", v, p->proto_line[v]);
		return -1;
	}
	k->learn_proto[v >> 3] |= (uint8_t)(1 << (v & 7));
	p->proto_line[v] = line;
	return 0;
}

static int
learn_table(struct parser *p, int line)
{
	struct kernel_conf *k = &p->conf->kernel;
	uint64_t v;
	int i;

	if (get_num(p, "learn table", 1, UINT32_MAX, NULL, &v) == -1)
		return -1;
	/* The first statement replaces the default (main only). */
	if (p->ntables++ == 0)
		k->nlearn_tables = 0;
	for (i = 0; i < k->nlearn_tables; i++)
		if (k->learn_tables[i] == v) {
			perr(p, p->tok.line, "learn table: duplicate table %"
			    PRIu64, v);
			return -1;
		}
	if (k->nlearn_tables >= CONF_MAX_TABLES) {
		perr(p, p->tok.line, "learn table: too many tables (max %d)",
		    CONF_MAX_TABLES);
		return -1;
	}
	k->learn_tables[k->nlearn_tables++] = (uint32_t)v;
	return 0;
}

static int
learn_blackhole(struct parser *p, int line)
{
	if (dup_check(p, F_K_LEARN_BH, "learn blackhole", line) == -1)
		return -1;
	p->conf->kernel.learn_blackhole = 1;
	return 0;
}

static int
learn_unreachable(struct parser *p, int line)
{
	if (dup_check(p, F_K_LEARN_UNR, "learn unreachable", line) == -1)
		return -1;
	p->conf->kernel.learn_unreachable = 1;
	return 0;
}

static const struct subkw learn_tab[] = {
	{ "interface",		learn_interface },
	{ "protocol",		learn_protocol },
	{ "table",		learn_table },
	{ "blackhole",		learn_blackhole },
	{ "unreachable",	learn_unreachable },
	{ NULL,			NULL }
};

static int
h_learn(struct parser *p, int line)
{
	return dispatch_sub(p, line, "learn", learn_tab, "'interface', "
	    "'protocol', 'table', 'blackhole' or 'unreachable'");
}

static int
install_metric(struct parser *p, int line)
{
	uint64_t v;

	if (dup_check(p, F_K_METRIC, "install metric", line) == -1 ||
	    get_num(p, "install metric", 0, UINT32_MAX, NULL, &v) == -1)
		return -1;
	p->conf->kernel.metric = (uint32_t)v;
	return 0;
}

/*
 * Protocols 0-4 are the kernel's own (unspec, redirect, kernel, boot,
 * static): routes carrying them belong to others, and Wren deletes every
 * route with its protocol number when it reconciles.
 */
static int
install_protocol(struct parser *p, int line)
{
	uint64_t v;

	if (dup_check(p, F_K_PROTO, "install protocol", line) == -1 ||
	    get_num(p, "install protocol", 0, 255, "5..255", &v) == -1)
		return -1;
	if (v <= 4) {
		perr(p, p->tok.line, "install protocol: %" PRIu64 " is reserved "
		    "by the kernel (0-4: unspec, redirect, kernel, boot, "
		    "static); use 5..255", v);
		return -1;
	}
	p->conf->kernel.install_proto = (uint8_t)v;
	if (get_opt(p, "metric"))
		return install_metric(p, line);
	return 0;
}

/* Table 255 holds the kernel's local and broadcast routes. */
static int
install_table(struct parser *p, int line)
{
	uint64_t v;

	if (dup_check(p, F_K_TABLE, "install table", line) == -1 ||
	    get_num(p, "install table", 1, UINT32_MAX, NULL, &v) == -1)
		return -1;
	if (v == LOCAL_TABLE) {
		perr(p, p->tok.line, "install table: %d is the kernel's local "
		    "table", LOCAL_TABLE);
		return -1;
	}
	p->conf->kernel.install_table = (uint32_t)v;
	return 0;
}

/* "install off": decide, export, but never touch the kernel (benchmarks) */
static int
install_off(struct parser *p, int line)
{
	if (dup_check(p, F_K_OFF, "install off", line) == -1)
		return -1;
	p->conf->kernel.install_off = 1;
	return 0;
}

static int
install_onlink(struct parser *p, int line)
{
	if (dup_check(p, F_K_ONLINK, "install onlink", line) == -1)
		return -1;
	p->conf->kernel.install_onlink = 1;
	return 0;
}

/* The kernel's dev_valid_name(): no '/', ':' or blanks, not "." or "..". */
static int
install_device(struct parser *p, int line)
{
	char *s = p->conf->kernel.install_device;

	if (dup_check(p, F_K_DEVICE, "install device", line) == -1 ||
	    get_string(p, "install device", s, CONF_IFNAME_LEN) == -1)
		return -1;
	if (check_chars(p, line, "install device", s, "_.-@",
	    "A-Z a-z 0-9 _ . - @") == -1)
		goto bad;
	if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0) {
		perr(p, line, "install device: \"%s\" is not a device name", s);
		goto bad;
	}
	/* "install device "tunl0" onlink", as Calico's IP-in-IP reads. */
	if (lex(p)->type == T_WORD && strcmp(p->tok.text, "onlink") == 0)
		return install_onlink(p, line);
	unlex(p);
	return 0;
bad:
	memset(s, 0, CONF_IFNAME_LEN);
	return -1;
}

static int
install_multipath(struct parser *p, int line)
{
	uint64_t v;

	if (dup_check(p, F_K_MULTIPATH, "install multipath", line) == -1 ||
	    get_num(p, "install multipath", 1, CONF_MAX_MULTIPATH, NULL,
	    &v) == -1)
		return -1;
	p->conf->kernel.multipath = (int)v;
	return 0;
}

static const struct subkw install_tab[] = {
	{ "protocol",	install_protocol },
	{ "metric",	install_metric },
	{ "table",	install_table },
	{ "onlink",	install_onlink },
	{ "device",	install_device },
	{ "multipath",	install_multipath },
	{ "policy",	install_policy },
	{ "off",	install_off },
	{ NULL,		NULL }
};

static int
h_install(struct parser *p, int line)
{
	return dispatch_sub(p, line, "install", install_tab, "'protocol', "
	    "'metric', 'table', 'onlink', 'device', 'multipath', 'off' or "
	    "'policy'");
}

static int
h_persist(struct parser *p, int line)
{
	return get_onoff(p, "persist", 0, &p->conf->kernel.persist);
}

/* SO_RCVBUFFORCE takes an int; the kernel doubles it for bookkeeping. */
static int
h_receive_buffer(struct parser *p, int line)
{
	uint64_t v;

	if (get_num(p, "receive-buffer", MIN_RCVBUF, MAX_RCVBUF, NULL,
	    &v) == -1)
		return -1;
	p->conf->kernel.rcvbuf = (uint32_t)v;
	return 0;
}

static int
h_safety_redump(struct parser *p, int line)
{
	uint64_t v;

	if (get_num(p, "safety-redump", 0, MAX_REDUMP, NULL, &v) == -1)
		return -1;
	p->conf->kernel.safety_redump = (uint32_t)v;
	return 0;
}

static const struct keyword kernel_tab[] = {
	{ "learn",		F_NONE,		h_learn },
	{ "install",		F_NONE,		h_install },
	{ "persist",		F_K_PERSIST,	h_persist },
	{ "receive-buffer",	F_K_RCVBUF,	h_receive_buffer },
	{ "safety-redump",	F_K_REDUMP,	h_safety_redump },
	{ NULL,			F_NONE,		NULL }
};

static int
h_kernel(struct parser *p, int line)
{
	if (get_token(p, T_LBRACE, "kernel", "'{'") == -1)
		return -1;
	return parse_stmts(p, kernel_tab, line, "kernel");
}

/* ---- graceful-restart { } ------------------------------------------------ */

static int
h_restart_time(struct parser *p, int line)
{
	uint64_t v;

	/* RFC 4724 §3: the Restart Time field is 12 bits. */
	if (get_num(p, "restart-time", 1, 4095, NULL, &v) == -1)
		return -1;
	p->conf->gr.restart_time = (uint16_t)v;
	return 0;
}

static int
h_stale_time(struct parser *p, int line)
{
	uint64_t v;

	if (get_num(p, "stale-time", 1, 65535, NULL, &v) == -1)
		return -1;
	p->conf->gr.stale_time = (uint16_t)v;
	return 0;
}

/*
 * RFC 4724 §4.1 selection deferral, kept short: how long a restarted wrend
 * waits for End-of-RIB from its neighbors before it drops what no one
 * re-announced.  Minutes (BIRD's default) hold a mass restart back.
 */
static int
h_eor_wait(struct parser *p, int line)
{
	uint64_t v;

	if (get_num(p, "eor-wait", 1, 3600, NULL, &v) == -1)
		return -1;
	p->conf->gr.eor_wait = (uint16_t)v;
	return 0;
}

static int
h_enabled(struct parser *p, int line)
{
	return get_onoff(p, "enabled", 1, &p->conf->gr.enabled);
}

static const struct keyword gr_tab[] = {
	{ "restart-time",	F_GR_RESTART,	h_restart_time },
	{ "stale-time",		F_GR_STALE,	h_stale_time },
	{ "eor-wait",		F_GR_EOR_WAIT,	h_eor_wait },
	{ "enabled",		F_GR_ENABLED,	h_enabled },
	{ NULL,			F_NONE,		NULL }
};

static int
h_gr(struct parser *p, int line)
{
	struct token *t = lex(p);

	if (t->type == T_LBRACE)
		return parse_stmts(p, gr_tab, line, "graceful-restart");
	unlex(p);
	if (t->type == T_WORD)
		return get_onoff(p, "graceful-restart", 0, &p->conf->gr.enabled);
	if (t->type != T_ERROR)
		perr(p, t->line, "graceful-restart: expected '{', 'on' or "
		    "'off'");
	return -1;
}

/* ---- neighbor ADDR { } --------------------------------------------------- */

static int
nb_u16(struct parser *p, const char *kw, uint64_t min, uint16_t *dst)
{
	uint64_t v;

	if (get_num(p, kw, min, 65535, NULL, &v) == -1)
		return -1;
	*dst = (uint16_t)v;
	return 0;
}

static int
h_remote_as(struct parser *p, int line)
{
	return get_as(p, "remote-as", &p->nb->remote_as);
}

static int
h_passive(struct parser *p, int line)
{
	return get_onoff(p, "passive", 1, &p->nb->passive);
}

static int
h_rr_client(struct parser *p, int line)
{
	return get_onoff(p, "route-reflector-client", 1, &p->nb->rr_client);
}

/* RFC 7911 §4: add-path send | receive | both */
static int
h_add_path(struct parser *p, int line)
{
	struct token *t = lex(p);

	if (t->type == T_WORD && strcmp(t->text, "send") == 0)
		p->nb->add_path = CONF_ADDPATH_SEND;
	else if (t->type == T_WORD && strcmp(t->text, "receive") == 0)
		p->nb->add_path = CONF_ADDPATH_RECEIVE;
	else if (t->type == T_WORD && strcmp(t->text, "both") == 0)
		p->nb->add_path = CONF_ADDPATH_SEND | CONF_ADDPATH_RECEIVE;
	else {
		if (t->type != T_ERROR)
			perr(p, t->line, "add-path: expected 'send', "
			    "'receive' or 'both'");
		unlex(p);
		return -1;
	}
	return 0;
}

static int
h_port(struct parser *p, int line)
{
	return nb_u16(p, "port", 1, &p->nb->port);
}

static int
h_keepalive(struct parser *p, int line)
{
	return nb_u16(p, "keepalive", 0, &p->nb->keepalive);
}

static int
h_connect_retry(struct parser *p, int line)
{
	return nb_u16(p, "connect-retry", 1, &p->nb->connect_retry);
}

static int
h_hold_time(struct parser *p, int line)
{
	uint64_t v;
	const char *range = "0 or 3..65535";

	if (get_num(p, "hold-time", 0, 65535, range, &v) == -1)
		return -1;
	/* RFC 4271 §4.2: the Hold Time MUST be either zero or at least 3. */
	if (v == 1 || v == 2) {
		perr(p, p->tok.line, "hold-time: %s is out of range (%s)",
		    p->tok.text, range);
		return -1;
	}
	p->nb->hold_time = (uint16_t)v;
	return 0;
}

static int
h_name(struct parser *p, int line)
{
	char *s = p->nb->name;

	if (get_string(p, "name", s, CONF_NAME_LEN) == -1)
		return -1;
	/* Names show up in tables and health-check tools: keep them plain. */
	return check_chars(p, line, "name", s, "_-", "A-Z a-z 0-9 _ -");
}

static int
h_description(struct parser *p, int line)
{
	return get_string(p, "description", p->nb->description,
	    CONF_NAME_LEN);
}

/* "families ipv4 ipv6": one or both, in any order (RFC 4760) */
static int
h_families(struct parser *p, int line)
{
	uint32_t fam = 0, bit;
	struct token *t;

	while ((t = lex(p))->type == T_WORD) {
		if (strcmp(t->text, "ipv4") == 0)
			bit = CONF_FAM_IPV4;
		else if (strcmp(t->text, "ipv6") == 0)
			bit = CONF_FAM_IPV6;
		else {
			perr(p, t->line, "families: '%s' is not ipv4 or ipv6",
			    t->text);
			return -1;
		}
		fam |= bit;
	}
	unlex(p);
	if (fam == 0) {
		if (t->type != T_ERROR)
			perr(p, t->line, "families: expected ipv4, ipv6 or "
			    "both");
		return -1;
	}
	p->nb->families = fam;
	return 0;
}

/* Our global IPv6 address, the next hop of IPv6 routes on IPv4 sessions. */
static int
h_next_hop_v6(struct parser *p, int line)
{
	struct wr_addr *a = &p->nb->next_hop_v6;

	if (get_addr(p, "next-hop-v6", a) == -1)
		return -1;
	if (a->af != AF_INET6 || IN6_IS_ADDR_UNSPECIFIED(&a->v6) ||
	    IN6_IS_ADDR_MULTICAST(&a->v6) || IN6_IS_ADDR_LINKLOCAL(&a->v6) ||
	    IN6_IS_ADDR_V4MAPPED(&a->v6)) {
		perr(p, p->tok.line, "next-hop-v6: %s is not a global IPv6 "
		    "address", p->tok.text);
		return -1;
	}
	return 0;
}

static const char	*nb_addr_problem(const struct wr_addr *);
static void		 nb_addr_normalize(struct wr_addr *);
static int		 h_group_neighbor(struct parser *, int);

/* A TCP key (RFC 2385 §4.5, RFC 5925 §3.1): 1..80 octets. */
static int
get_key(struct parser *p, const char *kw, char *dst)
{
	if (get_string(p, kw, dst, CONF_KEY_LEN) == -1)
		return -1;
	if (*dst == '\0') {
		perr(p, p->tok.line, "%s: must not be empty", kw);
		return -1;
	}
	return 0;
}

static int
h_password(struct parser *p, int line)
{
	return get_key(p, "password", p->nb->password);
}

static const struct {
	const char	*name;
	int		 alg;
} ao_algs[] = {
	{ "hmac-sha1",		CONF_AO_HMAC_SHA1 },
	{ "hmac-sha256",	CONF_AO_HMAC_SHA256 },
	{ "aes-128-cmac",	CONF_AO_AES_128_CMAC },
};

const char *
config_ao_alg_name(int alg)
{
	size_t i;

	for (i = 0; i < sizeof(ao_algs) / sizeof(ao_algs[0]); i++)
		if (ao_algs[i].alg == alg)
			return ao_algs[i].name;
	return "none";
}

static int
ao_alg(struct parser *p, int *alg)
{
	size_t i;

	if (get_token(p, T_WORD, "tcp-ao algorithm", "an algorithm") == -1)
		return -1;
	for (i = 0; i < sizeof(ao_algs) / sizeof(ao_algs[0]); i++)
		if (strcmp(ao_algs[i].name, p->tok.text) == 0) {
			*alg = ao_algs[i].alg;
			return 0;
		}
	perr(p, p->tok.line, "tcp-ao: unknown algorithm '%s' (hmac-sha1, "
	    "hmac-sha256, aes-128-cmac)", p->tok.text);
	return -1;
}

/* RFC 5925 §3.1: tcp-ao key-id N rnext-id M algorithm A password "S" */
static int
h_tcp_ao(struct parser *p, int line)
{
	struct ao_conf ao;
	uint64_t v;
	int errors = p->errors;

	memset(&ao, 0, sizeof(ao));
	if (!get_opt(p, "key-id") ||
	    get_num(p, "tcp-ao key-id", 0, 255, NULL, &v) == -1)
		goto syntax;
	ao.send_id = (uint8_t)v;
	if (!get_opt(p, "rnext-id") ||
	    get_num(p, "tcp-ao rnext-id", 0, 255, NULL, &v) == -1)
		goto syntax;
	ao.recv_id = (uint8_t)v;
	if (!get_opt(p, "algorithm") || ao_alg(p, &ao.alg) == -1)
		goto syntax;
	if (!get_opt(p, "password") || get_key(p, "tcp-ao password",
	    ao.password) == -1)
		goto syntax;
	p->nb->ao = ao;
	return 0;
syntax:
	if (p->errors == errors)
		perr(p, line, "tcp-ao: expected key-id N rnext-id M algorithm "
		    "ALG password \"SECRET\"");
	return -1;
}

/* RFC 5082 §3: "ttl-security [hops N]": accept TTL >= 256 - N */
static int
h_ttl_security(struct parser *p, int line)
{
	uint64_t v = 1;

	if (get_opt(p, "hops") &&
	    get_num(p, "ttl-security hops", 1, 254, NULL, &v) == -1)
		return -1;
	p->nb->ttl_security = (uint8_t)v;
	return 0;
}

static int
h_multihop(struct parser *p, int line)
{
	uint64_t v;

	if (get_num(p, "multihop", 1, 255, NULL, &v) == -1)
		return -1;
	p->nb->multihop = (uint8_t)v;
	return 0;
}

static int
h_source_address(struct parser *p, int line)
{
	struct wr_addr *a = &p->nb->source;

	if (get_addr(p, "source-address", a) == -1)
		return -1;
	nb_addr_normalize(a);
	if (nb_addr_problem(a) != NULL) {
		perr(p, p->tok.line, "source-address: %s is not a unicast "
		    "address", p->tok.text);
		return -1;
	}
	return 0;
}

static int
h_next_hop(struct parser *p, int line)
{
	if (get_opt(p, "self"))
		p->nb->next_hop = CONF_NH_SELF;
	else if (get_opt(p, "keep"))
		p->nb->next_hop = CONF_NH_KEEP;
	else {
		perr(p, line, "next-hop: expected 'self' or 'keep'");
		return -1;
	}
	return 0;
}

static int
h_nb_local_as(struct parser *p, int line)
{
	return get_as(p, "local-as", &p->nb->local_as);
}

static int
h_allow_local_as(struct parser *p, int line)
{
	uint64_t v;

	if (get_num(p, "allow-local-as", 0, 255, NULL, &v) == -1)
		return -1;
	p->nb->allow_local_as = (uint8_t)v;
	return 0;
}

/* max-prefix N [warning-only] [restart MINUTES] (RFC 4486 §4) */
static int
h_max_prefix(struct parser *p, int line)
{
	uint64_t v;

	if (get_num(p, "max-prefix", 1, UINT32_MAX, NULL, &v) == -1)
		return -1;
	p->nb->max_prefix = (uint32_t)v;
	p->nb->max_prefix_warn = get_opt(p, "warning-only");
	if (get_opt(p, "restart")) {
		if (get_num(p, "max-prefix restart", 1, 65535, NULL, &v) == -1)
			return -1;
		p->nb->max_prefix_restart = (uint16_t)v;
	}
	if (p->nb->max_prefix_warn && p->nb->max_prefix_restart != 0) {
		perr(p, line, "max-prefix: warning-only never goes down, so "
		    "restart does not apply");
		return -1;
	}
	return 0;
}

/* ---- bfd [interval MS] [multiplier N] [multihop [min-ttl N]] [auth ...] */

static const struct {
	const char	*name;
	int		 type;
	size_t		 maxkey;	/* RFC 5880 §4.2, §4.4 */
} bfd_auths[] = {
	{ "simple",			CONF_BFD_AUTH_SIMPLE,	16 },
	{ "keyed-sha1",			CONF_BFD_AUTH_SHA1,	20 },
	{ "meticulous-keyed-sha1",	CONF_BFD_AUTH_MSHA1,	20 },
};

static const char *
bfd_auth_name(int type)
{
	size_t i;

	for (i = 0; i < sizeof(bfd_auths) / sizeof(bfd_auths[0]); i++)
		if (bfd_auths[i].type == type)
			return bfd_auths[i].name;
	return "none";
}

/* auth simple|keyed-sha1|meticulous-keyed-sha1 key-id N password "S" */
static int
bfd_auth(struct parser *p, int line, struct bfd_conf *b)
{
	size_t i, n = sizeof(bfd_auths) / sizeof(bfd_auths[0]);
	uint64_t v;

	if (get_token(p, T_WORD, "bfd auth", "a type") == -1)
		return -1;
	for (i = 0; i < n && strcmp(bfd_auths[i].name, p->tok.text) != 0; i++)
		;
	if (i == n) {
		perr(p, p->tok.line, "bfd auth: unknown type '%s' (simple, "
		    "keyed-sha1, meticulous-keyed-sha1)", p->tok.text);
		return -1;
	}
	b->auth = bfd_auths[i].type;
	if (!get_opt(p, "key-id")) {
		perr(p, line, "bfd auth: expected key-id N password \"SECRET\"");
		return -1;
	}
	if (get_num(p, "bfd auth key-id", 0, 255, NULL, &v) == -1)
		return -1;
	b->key_id = (uint8_t)v;
	memset(b->password, 0, sizeof(b->password));
	if (!get_opt(p, "password")) {
		perr(p, line, "bfd auth: expected password \"SECRET\"");
		return -1;
	}
	if (get_string(p, "bfd auth password", b->password,
	    bfd_auths[i].maxkey + 1) == -1)
		return -1;
	if (b->password[0] == '\0') {
		perr(p, p->tok.line, "bfd auth password: must not be empty");
		return -1;
	}
	return 0;
}

static int
bfd_option(struct parser *p, int line, struct bfd_conf *b)
{
	uint64_t v;

	if (get_opt(p, "interval")) {
		if (get_num(p, "bfd interval", 10, 60000, NULL, &v) == -1)
			return -1;
		b->interval = (uint32_t)v;
	} else if (get_opt(p, "multiplier")) {
		if (get_num(p, "bfd multiplier", 1, 255, NULL, &v) == -1)
			return -1;
		b->multiplier = (uint8_t)v;
	} else if (get_opt(p, "multihop")) {
		b->multihop = 1;
		if (get_opt(p, "min-ttl")) {
			if (get_num(p, "bfd min-ttl", 1, 255, NULL, &v) == -1)
				return -1;
			b->min_ttl = (uint8_t)v;
		}
	} else if (get_opt(p, "auth")) {
		if (bfd_auth(p, line, b) == -1)
			return -1;
	} else
		return 1;
	return 0;
}

/* In a group member, what the member does not say comes from the group. */
static int
h_bfd(struct parser *p, int line)
{
	struct bfd_conf b = p->nb->bfd;
	int r;

	if (get_opt(p, "off")) {
		memset(&p->nb->bfd, 0, sizeof(p->nb->bfd));
		return 0;
	}
	if (!b.enabled) {
		memset(&b, 0, sizeof(b));
		b.interval = CONF_BFD_INTERVAL;
		b.multiplier = CONF_BFD_MULT;
	}
	b.enabled = 1;
	while ((r = bfd_option(p, line, &b)) == 0)
		;
	if (r == -1)
		return -1;
	p->nb->bfd = b;
	return 0;
}

static const struct keyword neighbor_tab[] = {
	{ "remote-as",		F_N_REMOTE_AS,	h_remote_as },
	{ "passive",		F_N_PASSIVE,	h_passive },
	{ "port",		F_N_PORT,	h_port },
	{ "hold-time",		F_N_HOLD,	h_hold_time },
	{ "keepalive",		F_N_KEEPALIVE,	h_keepalive },
	{ "connect-retry",	F_N_RETRY,	h_connect_retry },
	{ "name",		F_N_NAME,	h_name },
	{ "description",	F_N_DESCR,	h_description },
	{ "families",		F_N_FAMILIES,	h_families },
	{ "next-hop-v6",	F_N_NH6,	h_next_hop_v6 },
	{ "route-reflector-client", F_N_RR_CLIENT, h_rr_client },
	{ "add-path",		F_N_ADDPATH,	h_add_path },
	{ "password",		F_N_PASSWORD,	h_password },
	{ "tcp-ao",		F_N_AO,		h_tcp_ao },
	{ "ttl-security",	F_N_TTLSEC,	h_ttl_security },
	{ "multihop",		F_N_MULTIHOP,	h_multihop },
	{ "source-address",	F_N_SOURCE,	h_source_address },
	{ "next-hop",		F_N_NEXTHOP,	h_next_hop },
	{ "local-as",		F_N_LOCAL_AS,	h_nb_local_as },
	{ "allow-local-as",	F_N_ALLOW_LAS,	h_allow_local_as },
	{ "max-prefix",		F_N_MAXPFX,	h_max_prefix },
	{ "bfd",		F_N_BFD,	h_bfd },
	{ "import",		F_N_IMPORT,	h_import },
	{ "export",		F_N_EXPORT,	h_export },
	{ "neighbor",		F_NONE,		h_group_neighbor },
	{ NULL,			F_NONE,		NULL }
};

/* Why an address cannot be a peer, or NULL if it can. */
static const char *
nb_addr_problem(const struct wr_addr *a)
{
	if (a->af == AF_INET) {
		uint32_t v = ntohl(a->v4.s_addr);

		if (v == INADDR_ANY)
			return "the unspecified address";
		if (IN_MULTICAST(v))
			return "a multicast address";
		if (v == INADDR_BROADCAST)
			return "the broadcast address";
		return NULL;
	}
	if (IN6_IS_ADDR_UNSPECIFIED(&a->v6))
		return "the unspecified address";
	if (IN6_IS_ADDR_MULTICAST(&a->v6))
		return "a multicast address";
	/* A link-local peer needs an interface; wr_addr has no scope yet. */
	if (IN6_IS_ADDR_LINKLOCAL(&a->v6))
		return "link-local (not supported yet)";
	return NULL;
}

/* A v4-mapped IPv6 neighbor is an IPv4 neighbor, as its sockets will say. */
static void
nb_addr_normalize(struct wr_addr *a)
{
	struct wr_addr v4;

	if (a->af != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&a->v6))
		return;
	memset(&v4, 0, sizeof(v4));
	v4.af = AF_INET;
	memcpy(&v4.v4, &a->v6.s6_addr[12], 4);
	*a = v4;
}

static int
nb_parse_addr(struct parser *p, struct wr_addr *a)
{
	const char *why;

	if (get_addr(p, "neighbor", a) == -1)
		return -1;
	nb_addr_normalize(a);
	if ((why = nb_addr_problem(a)) != NULL) {
		perr(p, p->tok.line, "neighbor: %s is %s", p->tok.text, why);
		return -1;
	}
	return 0;
}

static void
nb_defaults(struct neighbor_conf *nb, int line)
{
	nb->port = DEF_PORT;
	nb->hold_time = DEF_HOLD;
	nb->keepalive = 0;
	nb->connect_retry = DEF_CONNECT_RETRY;
	nb->families = CONF_FAM_IPV4 | CONF_FAM_IPV6;
	nb->line = line;
}

/* RFC 4456 §2: clients are iBGP peers. */
static void
config_check_rr(struct parser *p)
{
	const struct neighbor_conf *nb;
	char a[WR_ADDRSTRLEN];

	for (nb = p->conf->neighbors; nb != NULL; nb = nb->next)
		if (nb->rr_client && nb->remote_as != p->conf->local_as)
			perr(p, nb->line, "neighbor %s: route-reflector-client "
			    "needs an iBGP neighbor (remote-as %" PRIu32 ")",
			    addr_ntop(&nb->addr, a, sizeof(a)),
			    p->conf->local_as);
}

/* Where a setting of nb was made: its block, its group, or the neighbor. */
static int
nb_line(const struct parser *p, enum field f, const struct neighbor_conf *nb)
{
	if (p->seen[f] != 0)
		return p->seen[f];
	if (p->grp != NULL && p->grp_seen[f] != 0)
		return p->grp_seen[f];
	return nb->line;
}

static void
nb_check_transport(struct parser *p, const struct neighbor_conf *nb,
    const char *a)
{
	if (nb->source.af != 0 && nb->source.af != nb->addr.af)
		perr(p, nb_line(p, F_N_SOURCE, nb), "source-address: not of "
		    "the address family of neighbor %s", a);
	/* RFC 5082 §3 fixes the TTL we send: no multihop with it */
	if (nb->ttl_security != 0 && nb->multihop != 0)
		perr(p, nb_line(p, F_N_MULTIHOP, nb), "neighbor %s: multihop "
		    "and ttl-security exclude each other", a);
	/* RFC 5925 §2.2: a connection is TCP-AO or MD5, never both */
	if (nb->password[0] != '\0' && nb->ao.alg != 0)
		perr(p, nb_line(p, F_N_AO, nb), "neighbor %s: password (TCP "
		    "MD5) and tcp-ao exclude each other", a);
}

/* Checks that need the whole block, reported at the offending line. */
static int
nb_check(struct parser *p, struct neighbor_conf *nb)
{
	const struct neighbor_conf *o;
	char a[WR_ADDRSTRLEN];
	int errors = p->errors;

	addr_ntop(&nb->addr, a, sizeof(a));
	if (p->seen[F_N_REMOTE_AS] == 0 && (p->grp == NULL ||
	    p->grp_seen[F_N_REMOTE_AS] == 0))
		perr(p, nb->line, "neighbor %s: remote-as is required", a);
	/* RFC 4271 §10: keepalive is a fraction of the hold time. */
	if (nb->hold_time != 0 && nb->keepalive >= nb->hold_time)
		perr(p, nb_line(p, F_N_KEEPALIVE, nb), "keepalive: %u must be "
		    "less than hold-time %u", nb->keepalive, nb->hold_time);
	nb_check_transport(p, nb, a);
	for (o = p->conf->neighbors; o != NULL; o = o->next) {
		if (addr_cmp(&o->addr, &nb->addr) == 0)
			perr(p, nb->line, "duplicate neighbor %s (first at "
			    "line %d)", a, o->line);
		if (nb->name[0] != '\0' && strcmp(o->name, nb->name) == 0)
			perr(p, p->seen[F_N_NAME], "name \"%s\" is already "
			    "used by the neighbor at line %d", nb->name,
			    o->line);
	}
	return p->errors == errors ? 0 : -1;
}

static int	nb_open_block(struct parser *);
static void	nb_seen_reset(struct parser *);

static int
h_neighbor(struct parser *p, int line)
{
	struct neighbor_conf *nb;
	int bad, block;

	if ((nb = calloc(1, sizeof(*nb))) == NULL) {
		perr(p, line, "out of memory");
		return -1;
	}
	/* In a group, the group's settings are the defaults. */
	if (p->grp != NULL)
		*nb = *p->grp;
	else
		nb_defaults(nb, line);
	nb->line = line;
	/* A bad address still gets its block checked, then dropped. */
	bad = nb_parse_addr(p, &nb->addr) == -1;
	if (bad && p->tok.type != T_WORD) {
		free(nb);
		return -1;
	}
	if ((block = nb_open_block(p)) == -1) {
		free(nb);
		return -1;
	}
	nb_seen_reset(p);
	p->nb = nb;
	if ((block && parse_stmts(p, neighbor_tab, line, "neighbor") == -1) ||
	    bad || nb_check(p, nb) == -1) {
		free(nb);
		nb = NULL;	/* the block itself was consumed */
	}
	p->nb = p->grp;
	if (p->grp != NULL)
		memcpy(&p->seen[F_N_REMOTE_AS], &p->grp_seen[F_N_REMOTE_AS],
		    (F_MAX - F_N_REMOTE_AS) * sizeof(p->seen[0]));
	if (nb != NULL) {
		*p->nb_tail = nb;
		p->nb_tail = &nb->next;
	}
	return 0;
}

/* "neighbor ADDR" without a block only in a group: it takes the group's. */
static int
nb_open_block(struct parser *p)
{
	struct token *t;

	if (p->grp == NULL)
		return get_token(p, T_LBRACE, "neighbor", "'{'") == -1 ? -1 : 1;
	t = lex(p);
	if (t->type == T_LBRACE)
		return 1;
	unlex(p);
	return 0;
}

static void
nb_seen_reset(struct parser *p)
{
	memset(&p->seen[F_N_REMOTE_AS], 0,
	    (F_MAX - F_N_REMOTE_AS) * sizeof(p->seen[0]));
}

/* A neighbor statement inside a block: allowed in a group only. */
static int
h_group_neighbor(struct parser *p, int line)
{
	if (p->grp == NULL || p->nb != p->grp) {
		perr(p, line, "unknown keyword 'neighbor'");
		return -1;
	}
	if (p->grp_nbs++ == 0)
		memcpy(p->grp_seen, p->seen, sizeof(p->grp_seen));
	return h_neighbor(p, line);
}

/*
 * group "NAME" { SETTINGS  neighbor ADDR [{ ... }] ... }: the settings,
 * which come first, are every member's defaults; a member may override
 * them.  The group itself leaves no trace in the config (config_print
 * shows each neighbor's effective settings).
 */
static int
h_group(struct parser *p, int line)
{
	struct neighbor_conf grp;
	char name[CONF_NAME_LEN];

	if (get_string(p, "group", name, sizeof(name)) == -1 ||
	    check_chars(p, line, "group", name, "_-", "A-Z a-z 0-9 _ -") == -1)
		return -1;
	if (get_token(p, T_LBRACE, "group", "'{'") == -1)
		return -1;
	memset(&grp, 0, sizeof(grp));
	nb_defaults(&grp, line);
	nb_seen_reset(p);
	memset(p->grp_seen, 0, sizeof(p->grp_seen));
	p->grp = p->nb = &grp;
	p->grp_nbs = 0;
	parse_stmts(p, neighbor_tab, line, "group");
	p->grp = p->nb = NULL;
	nb_seen_reset(p);
	return 0;
}

static const struct keyword top_tab[] = {
	{ "router-id",		F_ROUTER_ID,		h_router_id },
	{ "cluster-id",		F_CLUSTER_ID,		h_cluster_id },
	{ "local-as",		F_LOCAL_AS,		h_local_as },
	{ "listen",		F_NONE,			h_listen },
	{ "control-socket",	F_CONTROL_SOCKET,	h_control_socket },
	{ "compat-socket",	F_COMPAT_SOCKET,	h_compat_socket },
	{ "user",		F_USER,			h_user },
	{ "control-socket-readonly", F_CONTROL_RO,	h_control_ro_socket },
	{ "log",		F_LOG_LEVEL,		h_log },
	{ "metrics",		F_METRICS,		h_metrics },
	{ "kernel",		F_KERNEL,		h_kernel },
	{ "graceful-restart",	F_GR,			h_gr },
	{ "neighbor",		F_NONE,			h_neighbor },
	{ "group",		F_NONE,			h_group },
	{ "prefix-set",		F_NONE,			h_prefix_set },
	{ "community-set",	F_NONE,			h_community_set },
	{ "policy",		F_NONE,			h_policy },
	{ "aggregate",		F_NONE,			h_aggregate },
	{ "static",		F_NONE,			h_static },
	{ NULL,			F_NONE,			NULL }
};

/* ---- entry points -------------------------------------------------------- */

static struct wren_config *
config_new(const char *name)
{
	struct wren_config *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	snprintf(c->file, sizeof(c->file), "%s", name);
	c->kernel.install_proto = DEF_INSTALL_PROTO;
	c->kernel.metric = DEF_METRIC;
	c->kernel.persist = 1;
	c->kernel.learn_tables[0] = DEF_TABLE;
	c->kernel.nlearn_tables = 1;
	c->kernel.install_table = DEF_TABLE;
	c->kernel.multipath = CONF_MAX_MULTIPATH;
	c->kernel.rcvbuf = DEF_RCVBUF;
	c->gr.enabled = 1;
	c->gr.restart_time = DEF_GR_RESTART;
	c->gr.stale_time = DEF_GR_STALE;
	c->gr.eor_wait = DEF_GR_EOR_WAIT;
	return c;
}

/*
 * What is missing from the file as a whole has no line of its own: it is
 * reported at line 1.
 */
static void
config_check(struct parser *p)
{
	const struct kernel_conf *k = &p->conf->kernel;

	if (p->seen[F_ROUTER_ID] == 0)
		perr(p, 1, "router-id is required");
	if (p->seen[F_LOCAL_AS] == 0)
		perr(p, 1, "local-as is required");
	config_check_rr(p);
	config_check_policy(p);
	/* Wren's own routes are the ones it installs, never local ones. */
	if (CONF_LEARN_PROTO(k, k->install_proto))
		perr(p, p->proto_line[k->install_proto], "learn protocol: %u "
		    "is the install protocol; Wren's own routes are never "
		    "learned", k->install_proto);
}

struct wren_config *
config_parse_buf(const char *name, const char *text, size_t len, FILE *errf)
{
	struct parser p;

	memset(&p, 0, sizeof(p));
	p.name = name != NULL ? name : "-";
	p.p = text != NULL ? text : "";
	p.end = p.p + (text != NULL ? len : 0);
	p.line = 1;
	p.errf = errf;
	if ((p.conf = config_new(p.name)) == NULL) {
		perr(&p, 1, "out of memory");
		return NULL;
	}
	p.nb_tail = &p.conf->neighbors;
	p.ls_tail = &p.conf->listen;
	if (parse_stmts(&p, top_tab, 0, NULL) == 0)
		config_check(&p);
	if (p.errors > 0) {
		config_free(p.conf);
		return NULL;
	}
	return p.conf;
}

static char *
config_read(FILE *f, size_t *len)
{
	char *buf = NULL, *nbuf;
	size_t cap = 0, n;

	*len = 0;
	do {
		if (cap - *len < 4096) {
			if (cap >= CONF_MAX_FILE ||
			    (nbuf = realloc(buf, cap + 65536)) == NULL) {
				free(buf);
				errno = cap >= CONF_MAX_FILE ? EFBIG : ENOMEM;
				return NULL;
			}
			buf = nbuf;
			cap += 65536;
		}
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
	} while (n > 0);
	if (ferror(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

struct wren_config *
config_parse_file(const char *path, FILE *errf)
{
	struct wren_config *c;
	FILE *f;
	char *buf;
	size_t len;

	if ((f = fopen(path, "r")) == NULL) {
		if (errf != NULL)
			fprintf(errf, "%s:0: %s\n", path, strerror(errno));
		return NULL;
	}
	buf = config_read(f, &len);
	if (buf == NULL) {
		if (errf != NULL)
			fprintf(errf, "%s:0: %s\n", path, strerror(errno));
		fclose(f);
		return NULL;
	}
	fclose(f);
	c = config_parse_buf(path, buf, len, errf);
	free(buf);
	return c;
}

static void
config_free_policy(struct wren_config *c)
{
	struct static_conf *st;

	policy_free(c->policies);
	pol_prefix_set_free(c->prefix_sets);
	pol_comm_set_free(c->comm_sets);
	pol_aggr_free(c->aggregates);
	while ((st = c->statics) != NULL) {
		c->statics = st->next;
		free(st);
	}
}

void
config_free(struct wren_config *c)
{
	struct neighbor_conf *nb;
	struct listen_conf *l;

	if (c == NULL)
		return;
	while ((nb = c->neighbors) != NULL) {
		c->neighbors = nb->next;
		free(nb);
	}
	while ((l = c->listen) != NULL) {
		c->listen = l->next;
		free(l);
	}
	config_free_policy(c);
	free(c);
}

struct neighbor_conf *
config_find_neighbor(const struct wren_config *c, const struct wr_addr *a)
{
	struct neighbor_conf *nb;

	for (nb = c->neighbors; nb != NULL; nb = nb->next)
		if (addr_cmp(&nb->addr, a) == 0)
			return nb;
	return NULL;
}

/* TCP keys, TTLs and the source address are fixed at connect time. */
static int
config_transport_differs(const struct neighbor_conf *a,
    const struct neighbor_conf *b)
{
	return strcmp(a->password, b->password) != 0 ||
	    a->ao.alg != b->ao.alg || a->ao.send_id != b->ao.send_id ||
	    a->ao.recv_id != b->ao.recv_id ||
	    strcmp(a->ao.password, b->ao.password) != 0 ||
	    a->ttl_security != b->ttl_security || a->multihop != b->multihop ||
	    addr_cmp(&a->source, &b->source) != 0;
}

/*
 * Only what the OPEN exchange or the transport depends on forces a new
 * session; next-hop (a re-export), allow-local-as and max-prefix apply in
 * place too. a new name, description or connect-retry applies in place.
 */
int
config_neighbor_differs(const struct neighbor_conf *a,
    const struct neighbor_conf *b)
{
	return addr_cmp(&a->addr, &b->addr) != 0 ||
	    a->remote_as != b->remote_as || a->port != b->port ||
	    a->passive != b->passive || a->hold_time != b->hold_time ||
	    a->keepalive != b->keepalive || a->families != b->families ||
	    a->rr_client != b->rr_client || a->add_path != b->add_path ||
	    addr_cmp(&a->next_hop_v6, &b->next_hop_v6) != 0 ||
	    config_transport_differs(a, b) || a->local_as != b->local_as;
}

/* ---- canonical output ---------------------------------------------------- */

/* The lexer's quoted string syntax, shared with the policy printer. */
static void
print_string(FILE *f, const char *s)
{
	pol_print_string(s, f);
}

static void
print_sock(FILE *f, const char *kw, const char *path,
    const struct sock_conf *sc)
{
	if (path[0] == '\0')
		return;
	fprintf(f, "%s ", kw);
	print_string(f, path);
	if (sc->has_gid) {
		fputs(" group ", f);
		print_string(f, sc->group);
	}
	if (sc->readonly && strcmp(kw, "compat-socket") == 0)
		fputs(" read-only", f);
	fputc('\n', f);
}

static void
print_top(const struct wren_config *c, FILE *f)
{
	const struct listen_conf *l;
	char a[WR_ADDRSTRLEN];

	fprintf(f, "router-id %s\n", addr_id_ntop(c->router_id, a, sizeof(a)));
	fprintf(f, "local-as %" PRIu32 "\n", c->local_as);
	if (c->cluster_id != 0)
		fprintf(f, "cluster-id %s\n",
		    addr_id_ntop(c->cluster_id, a, sizeof(a)));
	for (l = c->listen; l != NULL; l = l->next)
		fprintf(f, "listen on %s port %u\n", addr_is_set(&l->addr) ?
		    addr_ntop(&l->addr, a, sizeof(a)) : "*", l->port);
	print_sock(f, "control-socket", c->control_socket, &c->control_sock);
	print_sock(f, "control-socket-readonly", c->control_ro_socket,
	    &c->control_ro_sock);
	print_sock(f, "compat-socket", c->compat_socket, &c->compat_sock);
	if (c->user[0] != '\0') {
		fputs("user ", f);
		print_string(f, c->user);
		fputc('\n', f);
	}
	if (c->log_level != 0)
		fprintf(f, "log level %s\n", log_level_names[c->log_level]);
	if (c->metrics_port != 0)
		fprintf(f, "metrics listen %s port %u\n",
		    addr_is_set(&c->metrics_addr) ? addr_ntop(&c->metrics_addr,
		    a, sizeof(a)) : "*", c->metrics_port);
}

static void
print_kernel(const struct kernel_conf *k, FILE *f)
{
	int i;

	fputs("\nkernel {\n", f);
	for (i = 0; i < k->nlearn; i++) {
		fputs("\tlearn interface ", f);
		print_string(f, k->learn[i]);
		fputc('\n', f);
	}
	for (i = 0; i < 256; i++)
		if (CONF_LEARN_PROTO(k, i))
			fprintf(f, "\tlearn protocol %d\n", i);
	for (i = 0; i < k->nlearn_tables; i++)
		fprintf(f, "\tlearn table %" PRIu32 "\n", k->learn_tables[i]);
	if (k->learn_blackhole)
		fputs("\tlearn blackhole\n", f);
	if (k->learn_unreachable)
		fputs("\tlearn unreachable\n", f);
	fprintf(f, "\tinstall protocol %u metric %" PRIu32 "\n",
	    k->install_proto, k->metric);
	fprintf(f, "\tinstall table %" PRIu32 "\n\tinstall multipath %d\n",
	    k->install_table, k->multipath);
	if (k->install_onlink)
		fputs("\tinstall onlink\n", f);
	if (k->install_off)
		fputs("\tinstall off\n", f);
	if (k->install_device[0] != '\0') {
		fputs("\tinstall device ", f);
		print_string(f, k->install_device);
		fputc('\n', f);
	}
	if (k->install_policy[0] != '\0') {
		fputs("\tinstall policy ", f);
		print_string(f, k->install_policy);
		fputc('\n', f);
	}
	fprintf(f, "\treceive-buffer %" PRIu32 "\n\tsafety-redump %" PRIu32
	    "\n", k->rcvbuf, k->safety_redump);
	fprintf(f, "\tpersist %s\n}\n", k->persist ? "on" : "off");
}

static void
print_gr(const struct gr_conf *gr, FILE *f)
{
	fprintf(f, "\ngraceful-restart {\n\trestart-time %u\n"
	    "\tstale-time %u\n\teor-wait %u\n\tenabled %s\n}\n",
	    gr->restart_time, gr->stale_time, gr->eor_wait,
	    gr->enabled ? "on" : "off");
}

/* Secrets are printed: this output is the config, for wrend -nv. */
static void
print_neighbor_transport(const struct neighbor_conf *nb, FILE *f)
{
	char a[WR_ADDRSTRLEN];

	if (nb->password[0] != '\0') {
		fputs("\tpassword ", f);
		print_string(f, nb->password);
		fputc('\n', f);
	}
	if (nb->ao.alg != 0) {
		fprintf(f, "\ttcp-ao key-id %u rnext-id %u algorithm %s "
		    "password ", nb->ao.send_id, nb->ao.recv_id,
		    config_ao_alg_name(nb->ao.alg));
		print_string(f, nb->ao.password);
		fputc('\n', f);
	}
	if (nb->ttl_security != 0)
		fprintf(f, "\tttl-security hops %u\n", nb->ttl_security);
	if (nb->multihop != 0)
		fprintf(f, "\tmultihop %u\n", nb->multihop);
	if (nb->source.af != 0)
		fprintf(f, "\tsource-address %s\n",
		    addr_ntop(&nb->source, a, sizeof(a)));
}

static void
print_neighbor_bfd(const struct bfd_conf *b, FILE *f)
{
	if (!b->enabled)
		return;
	fprintf(f, "\tbfd interval %" PRIu32 " multiplier %u", b->interval,
	    b->multiplier);
	if (b->multihop)
		fputs(" multihop", f);
	if (b->multihop && b->min_ttl != 0)
		fprintf(f, " min-ttl %u", b->min_ttl);
	if (b->auth != 0) {
		fprintf(f, " auth %s key-id %u password ",
		    bfd_auth_name(b->auth), b->key_id);
		print_string(f, b->password);
	}
	fputc('\n', f);
}

static void
print_neighbor_policy(const struct neighbor_conf *nb, FILE *f)
{
	if (nb->next_hop != CONF_NH_DEFAULT)
		fprintf(f, "\tnext-hop %s\n", nb->next_hop == CONF_NH_SELF ?
		    "self" : "keep");
	if (nb->local_as != 0)
		fprintf(f, "\tlocal-as %" PRIu32 "\n", nb->local_as);
	if (nb->allow_local_as != 0)
		fprintf(f, "\tallow-local-as %u\n", nb->allow_local_as);
	if (nb->import_policy[0] != '\0') {
		fputs("\timport policy ", f);
		print_string(f, nb->import_policy);
		fputc('\n', f);
	}
	if (nb->export_policy[0] != '\0') {
		fputs("\texport policy ", f);
		print_string(f, nb->export_policy);
		fputc('\n', f);
	}
	if (nb->max_prefix == 0)
		return;
	fprintf(f, "\tmax-prefix %" PRIu32 "%s", nb->max_prefix,
	    nb->max_prefix_warn ? " warning-only" : "");
	if (nb->max_prefix_restart != 0)
		fprintf(f, " restart %u", nb->max_prefix_restart);
	fputc('\n', f);
}

static void
print_neighbor(const struct neighbor_conf *nb, FILE *f)
{
	char a[WR_ADDRSTRLEN];

	fprintf(f, "\nneighbor %s {\n", addr_ntop(&nb->addr, a, sizeof(a)));
	fprintf(f, "\tremote-as %" PRIu32 "\n", nb->remote_as);
	if (nb->passive)
		fputs("\tpassive\n", f);
	if (nb->rr_client)
		fputs("\troute-reflector-client\n", f);
	if (nb->add_path != 0)
		fprintf(f, "\tadd-path %s\n",
		    nb->add_path == CONF_ADDPATH_SEND ? "send" :
		    nb->add_path == CONF_ADDPATH_RECEIVE ? "receive" : "both");
	fprintf(f, "\tport %u\n\thold-time %u\n", nb->port, nb->hold_time);
	if (nb->keepalive != 0)	/* 0: a third of the hold time */
		fprintf(f, "\tkeepalive %u\n", nb->keepalive);
	fprintf(f, "\tconnect-retry %u\n", nb->connect_retry);
	fprintf(f, "\tfamilies%s%s\n",
	    (nb->families & CONF_FAM_IPV4) ? " ipv4" : "",
	    (nb->families & CONF_FAM_IPV6) ? " ipv6" : "");
	if (nb->next_hop_v6.af != 0)
		fprintf(f, "\tnext-hop-v6 %s\n",
		    addr_ntop(&nb->next_hop_v6, a, sizeof(a)));
	print_neighbor_transport(nb, f);
	print_neighbor_bfd(&nb->bfd, f);
	print_neighbor_policy(nb, f);
	if (nb->name[0] != '\0') {
		fputs("\tname ", f);
		print_string(f, nb->name);
		fputc('\n', f);
	}
	if (nb->description[0] != '\0') {
		fputs("\tdescription ", f);
		print_string(f, nb->description);
		fputc('\n', f);
	}
	fputs("}\n", f);
}

/* static and aggregate routes */
static void
print_routes(const struct wren_config *c, FILE *f)
{
	const struct static_conf *st;
	const struct pol_aggr *ag;
	char a[WR_PFXSTRLEN];

	if (c->statics != NULL || c->aggregates != NULL)
		fputc('\n', f);
	for (st = c->statics; st != NULL; st = st->next) {
		fprintf(f, "static %s", prefix_ntop(&st->prefix, a, sizeof(a)));
		if (st->via.af != 0)
			fprintf(f, " via %s\n", addr_ntop(&st->via, a,
			    sizeof(a)));
		else
			fputs(" blackhole\n", f);
	}
	for (ag = c->aggregates; ag != NULL; ag = ag->next)
		pol_aggr_print(ag, f);
}

static void
print_policy(const struct wren_config *c, FILE *f)
{
	const struct pol_prefix_set *ps;
	const struct pol_comm_set *cs;
	const struct policy *pol;

	for (ps = c->prefix_sets; ps != NULL; ps = ps->next)
		pol_prefix_set_print(ps, f);
	for (cs = c->comm_sets; cs != NULL; cs = cs->next)
		pol_comm_set_print(cs, f);
	for (pol = c->policies; pol != NULL; pol = pol->next)
		policy_print(pol, f);
}

/* Every effective value, defaults included; parses back to the same config. */
void
config_print(const struct wren_config *c, FILE *f)
{
	const struct neighbor_conf *nb;

	print_top(c, f);
	print_routes(c, f);
	print_kernel(&c->kernel, f);
	print_gr(&c->gr, f);
	print_policy(c, f);
	for (nb = c->neighbors; nb != NULL; nb = nb->next)
		print_neighbor(nb, f);
}
