/*
 * rib/policy.c: routing policy evaluation and its canonical text.
 *
 * A policy is a list of rules tried in order.  A rule whose matches all hold
 * applies its actions to the route's attributes; with accept or reject the
 * evaluation ends there, otherwise the next rule sees the modified route.
 * When no rule decides, the policy's default does.
 *
 * Sets are small (a few IPAM pools, a few communities): a linear scan of an
 * array is both the simplest and, at that size, the fastest structure.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "policy.h"

/* Well-known communities, RFC 1997 */
#define COMM_NO_EXPORT		0xffffff01u
#define COMM_NO_ADVERTISE	0xffffff02u
#define COMM_NO_EXPORT_SUBCONFED 0xffffff03u

#define ATTR_LARGE_COMMUNITIES	32	/* RFC 8092 */
#define ATTR_FL_OPTIONAL	0x80
#define ATTR_FL_TRANSITIVE	0x40
#define ATTR_FL_EXTLEN		0x10
#define ATTR_MAXLEN		65535

/* ---- wire helpers ------------------------------------------------------ */

static uint32_t
get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

static void
put32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static void
pol_reserve(uint8_t **buf, size_t *cap, size_t need)
{
	uint8_t *nb;

	if (need <= *cap)
		return;
	if ((nb = realloc(*buf, need)) == NULL)
		fatal("policy: buffer");
	*buf = nb;
	*cap = need;
}

/*
 * One attribute of the unknown blob (flags, type, 1 or 2 length octets,
 * value) at *off; 0 and the next offset, or -1 at the end or if cut.
 */
static int
pol_blob_next(const uint8_t *b, size_t len, size_t *off, uint8_t *type,
    const uint8_t **val, size_t *vlen, size_t *start)
{
	size_t o = *off, hl;

	if (o + 3 > len)
		return -1;
	hl = (b[o] & ATTR_FL_EXTLEN) ? 4 : 3;
	if (o + hl > len)
		return -1;
	*vlen = hl == 4 ? (size_t)b[o + 2] << 8 | b[o + 3] : b[o + 2];
	if (o + hl + *vlen > len)
		return -1;
	*start = o;
	*type = b[o + 1];
	*val = b + o + hl;
	*off = o + hl + *vlen;
	return 0;
}

const uint8_t *
pol_large_find(const struct rib_attrs *a, size_t *len)
{
	const uint8_t *val;
	size_t off = 0, start;
	uint8_t type;

	while (a->unknown != NULL && pol_blob_next(a->unknown, a->unknown_len,
	    &off, &type, &val, len, &start) == 0)
		if (type == ATTR_LARGE_COMMUNITIES)
			return val;
	*len = 0;
	return NULL;
}

/* ---- matching ------------------------------------------------------------ */

int
pol_prefix_set_match(const struct pol_prefix_set *s, const struct wr_prefix *p)
{
	const struct pol_pfx *e;
	size_t i;

	for (i = 0; i < s->n; i++) {
		e = &s->v[i];
		if (e->prefix.addr.af == p->addr.af && p->len >= e->ge &&
		    p->len <= e->le && p->len >= e->prefix.len &&
		    prefix_contains(&e->prefix, &p->addr))
			return 1;
	}
	return 0;
}

static int
pol_std_in(const uint8_t *c, size_t len, uint32_t v)
{
	size_t i;

	for (i = 0; c != NULL && i + 4 <= len; i += 4)
		if (get32(c + i) == v)
			return 1;
	return 0;
}

static int
pol_large_in(const uint8_t *c, size_t len, const uint32_t *v)
{
	size_t i;

	for (i = 0; c != NULL && i + 12 <= len; i += 12)
		if (get32(c + i) == v[0] && get32(c + i + 4) == v[1] &&
		    get32(c + i + 8) == v[2])
			return 1;
	return 0;
}

int
pol_comm_present(const struct rib_attrs *a, const struct pol_comm *c)
{
	const uint8_t *l;
	size_t len;

	if (c->kind == POL_COMM_STD)
		return pol_std_in(a->communities, a->communities_len, c->v[0]);
	l = pol_large_find(a, &len);
	return pol_large_in(l, len, c->v);
}

/* During an evaluation the large communities may sit in out->large. */
static int
pol_comm_has(const struct pol_out *o, const struct pol_comm *c)
{
	if (c->kind == POL_COMM_LARGE && o->large_set)
		return pol_large_in(o->large, o->large_len, c->v);
	return pol_comm_present(&o->attrs, c);
}

/* The originating AS: the last of a final AS_SEQUENCE (RFC 4271 §5.1.2). */
uint32_t
pol_aspath_origin(const uint8_t *p, size_t len)
{
	size_t off = 0, n;
	uint32_t as = 0;

	while (off + 2 <= len) {
		n = p[off + 1];
		if (off + 2 + n * 4 > len)
			return 0;
		as = (p[off] == AS_SEQUENCE && n > 0) ?
		    get32(p + off + 2 + (n - 1) * 4) : 0;
		off += 2 + n * 4;
	}
	return as;
}

static int
pol_cmp(int cmp, unsigned v, uint32_t ref)
{
	if (cmp == POL_CMP_LE)
		return v <= ref;
	if (cmp == POL_CMP_GE)
		return v >= ref;
	return v == ref;
}

static int
pol_match_iface(const struct pol_match *m, const struct pol_ctx *ctx)
{
	const char *ifname;

	if (ctx->source != RIB_SRC_KERNEL || ctx->env == NULL ||
	    ctx->env->ifname == NULL)
		return 0;
	ifname = ctx->env->ifname(ctx->env->ifname_arg, ctx->prefix);
	return ifname != NULL && fnmatch(m->pattern, ifname, 0) == 0;
}

static int
pol_match_cset(const struct pol_match *m, const struct pol_out *o)
{
	const struct pol_comm_set *s = m->set;
	size_t i;

	for (i = 0; s != NULL && i < s->n; i++)
		if (pol_comm_has(o, &s->v[i]))
			return 1;
	return 0;
}

static int
pol_match_one(const struct pol_match *m, const struct pol_ctx *ctx,
    const struct pol_out *o)
{
	const struct rib_attrs *a = &o->attrs;

	switch (m->type) {
	case PM_PREFIX_SET:
		return m->set != NULL && pol_prefix_set_match(m->set,
		    ctx->prefix);
	case PM_SOURCE:
		return (uint32_t)ctx->source == m->num;
	case PM_INTERFACE:
		return pol_match_iface(m, ctx);
	case PM_NEIGHBOR_TYPE:
		return (uint32_t)(ctx->ebgp != 0) == m->num;
	case PM_COMMUNITY:
		return pol_comm_has(o, &m->comm);
	case PM_COMMUNITY_SET:
		return pol_match_cset(m, o);
	case PM_ASPATH_CONTAINS:
		return aspath_contains(a->aspath, a->aspath_len, m->num);
	case PM_ASPATH_ORIGIN:
		return pol_aspath_origin(a->aspath, a->aspath_len) == m->num;
	case PM_ASPATH_LENGTH:
		return pol_cmp(m->cmp, aspath_length(a->aspath, a->aspath_len),
		    m->num);
	}
	return 0;
}

static int
pol_rule_matches(const struct pol_rule *r, const struct pol_ctx *ctx,
    const struct pol_out *o)
{
	size_t i;

	for (i = 0; i < r->nm; i++)
		if (pol_match_one(&r->m[i], ctx, o) == (r->m[i].negate != 0))
			return 0;
	return 1;
}

/* ---- actions ------------------------------------------------------------- */

/* Make out->comm the working copy of the COMMUNITIES value. */
static void
pol_comm_own(struct pol_out *o)
{
	struct rib_attrs *a = &o->attrs;
	size_t len = a->communities != NULL ? a->communities_len : 0;

	if (a->communities == o->comm && o->comm != NULL)
		return;
	pol_reserve(&o->comm, &o->comm_cap, len + 4);
	if (len > 0)
		memmove(o->comm, a->communities, len);
	a->communities = o->comm;
	a->communities_len = (uint16_t)len;
}

static void
pol_large_own(struct pol_out *o)
{
	const uint8_t *l;
	size_t len;

	if (o->large_set)
		return;
	l = pol_large_find(&o->attrs, &len);
	pol_reserve(&o->large, &o->large_cap, len + 12);
	if (len > 0)
		memcpy(o->large, l, len);
	o->large_len = len;
	o->large_set = 1;
}

static void
pol_std_del(struct pol_out *o, uint32_t v)
{
	struct rib_attrs *a = &o->attrs;
	size_t i = 0;

	while (i + 4 <= a->communities_len) {
		if (get32(o->comm + i) == v) {
			memmove(o->comm + i, o->comm + i + 4,
			    a->communities_len - i - 4);
			a->communities_len -= 4;
		} else
			i += 4;
	}
}

static void
pol_large_del(struct pol_out *o, const uint32_t *v)
{
	size_t i = 0;

	while (i + 12 <= o->large_len) {
		if (get32(o->large + i) == v[0] &&
		    get32(o->large + i + 4) == v[1] &&
		    get32(o->large + i + 8) == v[2]) {
			memmove(o->large + i, o->large + i + 12,
			    o->large_len - i - 12);
			o->large_len -= 12;
		} else
			i += 12;
	}
}

/* Add one community unless present; the attribute length caps it. */
static void
pol_comm_add(struct pol_out *o, const struct pol_comm *c)
{
	struct rib_attrs *a = &o->attrs;
	size_t n;

	if (c->kind == POL_COMM_STD) {
		n = a->communities_len;
		if (pol_std_in(o->comm, n, c->v[0]) || n + 4 > ATTR_MAXLEN)
			return;
		pol_reserve(&o->comm, &o->comm_cap, n + 4);
		a->communities = o->comm;
		put32(o->comm + n, c->v[0]);
		a->communities_len = (uint16_t)(n + 4);
		return;
	}
	n = o->large_len;
	if (pol_large_in(o->large, n, c->v) || n + 12 > ATTR_MAXLEN - 4)
		return;
	pol_reserve(&o->large, &o->large_cap, n + 12);
	put32(o->large + n, c->v[0]);
	put32(o->large + n + 4, c->v[1]);
	put32(o->large + n + 8, c->v[2]);
	o->large_len = n + 12;
}

static void
pol_act_comms(struct pol_out *o, const struct pol_action *ac)
{
	int large = ac->type == PA_SET_LARGE || ac->type == PA_ADD_LARGE ||
	    ac->type == PA_DELETE_LARGE;
	size_t i;

	if (large)
		pol_large_own(o);
	else
		pol_comm_own(o);
	if (ac->type == PA_SET_COMMUNITY)
		o->attrs.communities_len = 0;
	if (ac->type == PA_SET_LARGE)
		o->large_len = 0;
	for (i = 0; i < ac->ncomms; i++) {
		if (ac->type == PA_DELETE_COMMUNITY)
			pol_std_del(o, ac->comms[i].v[0]);
		else if (ac->type == PA_DELETE_LARGE)
			pol_large_del(o, ac->comms[i].v);
		else
			pol_comm_add(o, &ac->comms[i]);
	}
	if (o->attrs.communities_len == 0 && !large)
		o->attrs.communities = NULL;
}

/* RFC 4271 §5.1.2: prepending is on the left of an AS_SEQUENCE. */
static void
pol_act_prepend(struct pol_out *o, uint32_t as, uint32_t times)
{
	struct rib_attrs *a = &o->attrs;
	size_t len = a->aspath != NULL ? a->aspath_len : 0, need;
	uint32_t i;
	int n, own = a->aspath != NULL && a->aspath == o->aspath;

	if (as == 0)
		return;
	need = len + (size_t)times * 6;
	/* a second prepend works on the first one's result, in place */
	pol_reserve(&o->aspath, &o->aspath_cap, need + 6);
	if (!own && len > 0)
		memcpy(o->aspath, a->aspath, len);
	for (i = 0; i < times; i++) {
		n = aspath_prepend(o->aspath, len, as, o->aspath,
		    o->aspath_cap);
		if (n < 0 || n > ATTR_MAXLEN)
			break;
		len = (size_t)n;
	}
	a->aspath = o->aspath;
	a->aspath_len = (uint16_t)len;
}

static void
pol_act(struct pol_out *o, const struct pol_ctx *ctx,
    const struct pol_action *ac)
{
	struct rib_attrs *a = &o->attrs;

	switch (ac->type) {
	case PA_LOCAL_PREF:
		a->flags |= RIB_A_LOCAL_PREF;
		a->local_pref = ac->num;
		break;
	case PA_MED:
		a->flags |= RIB_A_MED;
		a->med = ac->num;
		break;
	case PA_PREPEND:
		pol_act_prepend(o, ctx->prepend_as, ac->num);
		break;
	case PA_NEXTHOP_SELF:
		if (ctx->self == NULL || !addr_is_set(ctx->self))
			return;
		a->nexthop = *ctx->self;
		break;
	case PA_METRIC:
		o->has_metric = 1;
		o->metric = ac->num;
		return;		/* not an attribute */
	default:
		pol_act_comms(o, ac);
		break;
	}
	o->modified = 1;
}

/*
 * The new LARGE_COMMUNITIES value goes back into the unknown blob, in
 * attribute type order (RFC 4271 §5: SHOULD be in ascending order); an
 * empty value removes the attribute (RFC 8092 §5: it must not be empty).
 */
static void
pol_large_store(struct pol_out *o)
{
	const uint8_t *b = o->attrs.unknown, *val;
	size_t blen = b != NULL ? o->attrs.unknown_len : 0;
	size_t off = 0, start, vlen, n = 0;
	uint8_t type, flags = ATTR_FL_OPTIONAL | ATTR_FL_TRANSITIVE, *w;
	int done = 0;

	pol_reserve(&o->unknown, &o->unknown_cap, blen + o->large_len + 4);
	w = o->unknown;
	while (pol_blob_next(b, blen, &off, &type, &val, &vlen, &start) == 0) {
		if (type == ATTR_LARGE_COMMUNITIES)
			flags = b[start] & ~ATTR_FL_EXTLEN;
		if (type >= ATTR_LARGE_COMMUNITIES && !done) {
			done = 1;
			if (o->large_len > 0) {
				w[n++] = o->large_len > 255 ?
				    (flags | ATTR_FL_EXTLEN) : flags;
				w[n++] = ATTR_LARGE_COMMUNITIES;
				if (o->large_len > 255)
					w[n++] = (uint8_t)(o->large_len >> 8);
				w[n++] = (uint8_t)o->large_len;
				memcpy(w + n, o->large, o->large_len);
				n += o->large_len;
			}
		}
		if (type != ATTR_LARGE_COMMUNITIES) {
			memcpy(w + n, b + start, off - start);
			n += off - start;
		}
	}
	if (!done && o->large_len > 0) {
		w[n++] = o->large_len > 255 ? (flags | ATTR_FL_EXTLEN) : flags;
		w[n++] = ATTR_LARGE_COMMUNITIES;
		if (o->large_len > 255)
			w[n++] = (uint8_t)(o->large_len >> 8);
		w[n++] = (uint8_t)o->large_len;
		memcpy(w + n, o->large, o->large_len);
		n += o->large_len;
	}
	if (n > ATTR_MAXLEN)
		return;		/* too big to carry: leave the input's */
	o->attrs.unknown = n > 0 ? o->unknown : NULL;
	o->attrs.unknown_len = (uint16_t)n;
}

static int
pol_finish(struct pol_out *o, int verdict)
{
	if (o->large_set)
		pol_large_store(o);
	return verdict;
}

int
policy_eval(const struct policy *pol, const struct pol_ctx *ctx,
    const struct rib_attrs *in, struct pol_out *o)
{
	const struct pol_rule *r;
	size_t i, j;

	o->attrs = *in;
	o->attrs.hnext = NULL;
	o->attrs.refcnt = 0;
	o->attrs.hash = 0;
	o->modified = o->has_metric = o->large_set = 0;
	o->metric = 0;
	o->large_len = 0;
	for (i = 0; i < pol->nrules; i++) {
		r = &pol->rules[i];
		if (!pol_rule_matches(r, ctx, o))
			continue;
		for (j = 0; j < r->na; j++)
			pol_act(o, ctx, &r->a[j]);
		if (r->verdict != POL_NONE)
			return pol_finish(o, r->verdict);
	}
	return pol_finish(o, pol->dflt);
}

void
pol_out_free(struct pol_out *o)
{
	free(o->comm);
	free(o->aspath);
	free(o->unknown);
	free(o->large);
	memset(o, 0, sizeof(*o));
}

/* A more specific local route inside one of our blocks stays home. */
int
pol_aggr_suppressed(const struct pol_aggr *ag, const struct wr_prefix *p)
{
	size_t i;

	for (; ag != NULL; ag = ag->next) {
		if (ag->prefix.addr.af != p->addr.af ||
		    p->len <= ag->prefix.len ||
		    !prefix_contains(&ag->prefix, &p->addr))
			continue;
		for (i = 0; i < ag->nvisible; i++)
			if (prefix_cmp(&ag->visible[i], p) == 0)
				return 0;
		return 1;
	}
	return 0;
}

/* Two lists of aggregates, the same in the same order? */
int
pol_aggr_equal(const struct pol_aggr *a, const struct pol_aggr *b)
{
	size_t i;

	for (; a != NULL && b != NULL; a = a->next, b = b->next) {
		if (prefix_cmp(&a->prefix, &b->prefix) != 0 ||
		    a->no_blackhole != b->no_blackhole ||
		    a->nvisible != b->nvisible)
			return 0;
		for (i = 0; i < a->nvisible; i++)
			if (prefix_cmp(&a->visible[i], &b->visible[i]) != 0)
				return 0;
	}
	return a == b;
}

/* ---- lookup -------------------------------------------------------------- */

const struct policy *
policy_find(const struct policy *l, const char *name)
{
	for (; l != NULL; l = l->next)
		if (strcmp(l->name, name) == 0)
			return l;
	return NULL;
}

const struct pol_prefix_set *
pol_prefix_set_find(const struct pol_prefix_set *l, const char *name)
{
	for (; l != NULL; l = l->next)
		if (strcmp(l->name, name) == 0)
			return l;
	return NULL;
}

const struct pol_comm_set *
pol_comm_set_find(const struct pol_comm_set *l, const char *name)
{
	for (; l != NULL; l = l->next)
		if (strcmp(l->name, name) == 0)
			return l;
	return NULL;
}

/* ---- canonical text ------------------------------------------------------ */

void
pol_print_string(const char *s, FILE *f)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void
pol_comm_print(const struct pol_comm *c, FILE *f)
{
	if (c->kind == POL_COMM_LARGE) {
		fprintf(f, "%u:%u:%u", c->v[0], c->v[1], c->v[2]);
		return;
	}
	switch (c->v[0]) {
	case COMM_NO_EXPORT:
		fputs("no-export", f);
		break;
	case COMM_NO_ADVERTISE:
		fputs("no-advertise", f);
		break;
	case COMM_NO_EXPORT_SUBCONFED:
		fputs("no-export-subconfed", f);
		break;
	default:
		fprintf(f, "%u:%u", c->v[0] >> 16, c->v[0] & 0xffff);
	}
}

static void
pol_pfx_print(const struct pol_pfx *e, FILE *f)
{
	char buf[WR_PFXSTRLEN];

	fputs(prefix_ntop(&e->prefix, buf, sizeof(buf)), f);
	if (e->ge != e->prefix.len)
		fprintf(f, " ge %u", e->ge);
	if (e->le != e->prefix.len || e->ge != e->prefix.len)
		fprintf(f, " le %u", e->le);
}

void
pol_prefix_set_print(const struct pol_prefix_set *s, FILE *f)
{
	size_t i;

	fputs("\nprefix-set ", f);
	pol_print_string(s->name, f);
	fputs(" {\n", f);
	for (i = 0; i < s->n; i++) {
		fputc('\t', f);
		pol_pfx_print(&s->v[i], f);
		fputc('\n', f);
	}
	fputs("}\n", f);
}

void
pol_comm_set_print(const struct pol_comm_set *s, FILE *f)
{
	size_t i;

	fputs("\ncommunity-set ", f);
	pol_print_string(s->name, f);
	fputs(" {\n", f);
	for (i = 0; i < s->n; i++) {
		fputc('\t', f);
		pol_comm_print(&s->v[i], f);
		fputc('\n', f);
	}
	fputs("}\n", f);
}

static const char *const pol_src_names[] = {
	[RIB_SRC_KERNEL] = "kernel",
	[RIB_SRC_STATIC] = "static",
	[RIB_SRC_BGP] = "bgp",
};

static const char *const pol_cmp_names[] = {
	[POL_CMP_EQ] = "eq", [POL_CMP_LE] = "le", [POL_CMP_GE] = "ge",
};

static void
pol_match_print(const struct pol_match *m, FILE *f)
{
	fprintf(f, "\t\tmatch %s", m->negate ? "not " : "");
	switch (m->type) {
	case PM_PREFIX_SET:
		fputs("prefix-set ", f);
		pol_print_string(m->name, f);
		break;
	case PM_SOURCE:
		fprintf(f, "source %s", pol_src_names[m->num]);
		break;
	case PM_INTERFACE:
		fputs("interface ", f);
		pol_print_string(m->pattern, f);
		break;
	case PM_NEIGHBOR_TYPE:
		fprintf(f, "neighbor-type %s", m->num ? "ebgp" : "ibgp");
		break;
	case PM_COMMUNITY:
		fputs("community ", f);
		pol_comm_print(&m->comm, f);
		break;
	case PM_COMMUNITY_SET:
		fputs("community ", f);
		pol_print_string(m->name, f);
		break;
	case PM_ASPATH_CONTAINS:
		fprintf(f, "as-path contains %u", m->num);
		break;
	case PM_ASPATH_ORIGIN:
		fprintf(f, "as-path origin %u", m->num);
		break;
	case PM_ASPATH_LENGTH:
		fprintf(f, "as-path length %s %u", pol_cmp_names[m->cmp],
		    m->num);
		break;
	}
	fputc('\n', f);
}

static const char *const pol_act_names[] = {
	[PA_SET_COMMUNITY] = "set community",
	[PA_ADD_COMMUNITY] = "add community",
	[PA_DELETE_COMMUNITY] = "delete community",
	[PA_SET_LARGE] = "set large-community",
	[PA_ADD_LARGE] = "add large-community",
	[PA_DELETE_LARGE] = "delete large-community",
	[PA_LOCAL_PREF] = "set local-pref",
	[PA_MED] = "set med",
	[PA_PREPEND] = "prepend",
	[PA_NEXTHOP_SELF] = "next-hop self",
	[PA_METRIC] = "set metric",
};

static void
pol_action_print(const struct pol_action *a, FILE *f)
{
	size_t i;

	fprintf(f, "\t\t%s", pol_act_names[a->type]);
	switch (a->type) {
	case PA_LOCAL_PREF:
	case PA_MED:
	case PA_PREPEND:
	case PA_METRIC:
		fprintf(f, " %u", a->num);
		break;
	case PA_NEXTHOP_SELF:
		break;
	default:
		if (a->ncomms == 0)
			fputs(" none", f);
		for (i = 0; i < a->ncomms; i++) {
			fputc(' ', f);
			pol_comm_print(&a->comms[i], f);
		}
	}
	fputc('\n', f);
}

static void
pol_rule_print(const struct pol_rule *r, FILE *f)
{
	size_t i;

	fputs("\trule {\n", f);
	for (i = 0; i < r->nm; i++)
		pol_match_print(&r->m[i], f);
	for (i = 0; i < r->na; i++)
		pol_action_print(&r->a[i], f);
	if (r->verdict != POL_NONE)
		fprintf(f, "\t\t%s\n", r->verdict == POL_ACCEPT ? "accept" :
		    "reject");
	fputs("\t}\n", f);
}

void
policy_print(const struct policy *p, FILE *f)
{
	size_t i;

	fputs("\npolicy ", f);
	pol_print_string(p->name, f);
	fputs(" {\n", f);
	for (i = 0; i < p->nrules; i++)
		pol_rule_print(&p->rules[i], f);
	fprintf(f, "\tdefault %s\n}\n", p->dflt == POL_ACCEPT ? "accept" :
	    "reject");
}

void
pol_aggr_print(const struct pol_aggr *a, FILE *f)
{
	char buf[WR_PFXSTRLEN];
	size_t i;

	fprintf(f, "aggregate %s", prefix_ntop(&a->prefix, buf, sizeof(buf)));
	if (a->no_blackhole)
		fputs(" no-blackhole", f);
	if (a->nvisible > 0)
		fputs(" visible", f);
	for (i = 0; i < a->nvisible; i++)
		fprintf(f, " %s", prefix_ntop(&a->visible[i], buf,
		    sizeof(buf)));
	fputc('\n', f);
}

/* The policy and, after it, the content of every set it refers to. */
static void
pol_print_deep(const struct policy *p, FILE *f)
{
	const struct pol_match *m;
	size_t i, j;

	if (p == NULL)
		return;
	policy_print(p, f);
	for (i = 0; i < p->nrules; i++)
		for (j = 0; j < p->rules[i].nm; j++) {
			m = &p->rules[i].m[j];
			if (m->type == PM_PREFIX_SET && m->set != NULL)
				pol_prefix_set_print(m->set, f);
			if (m->type == PM_COMMUNITY_SET && m->set != NULL)
				pol_comm_set_print(m->set, f);
		}
}

static char *
pol_text(const struct policy *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		fatal("policy: open_memstream");
	pol_print_deep(p, f);
	if (fclose(f) != 0)
		fatal("policy: print");
	return buf;
}

int
policy_equal(const struct policy *a, const struct policy *b)
{
	char *ta, *tb;
	int eq;

	if (a == NULL || b == NULL)
		return a == b;
	ta = pol_text(a);
	tb = pol_text(b);
	eq = strcmp(ta, tb) == 0;
	free(ta);
	free(tb);
	return eq;
}

/* ---- freeing ------------------------------------------------------------- */

void
policy_free(struct policy *p)
{
	struct policy *next;
	size_t i, j;

	for (; p != NULL; p = next) {
		next = p->next;
		for (i = 0; i < p->nrules; i++) {
			for (j = 0; j < p->rules[i].na; j++)
				free(p->rules[i].a[j].comms);
			free(p->rules[i].a);
			free(p->rules[i].m);
		}
		free(p->rules);
		free(p);
	}
}

void
pol_prefix_set_free(struct pol_prefix_set *s)
{
	struct pol_prefix_set *next;

	for (; s != NULL; s = next) {
		next = s->next;
		free(s->v);
		free(s);
	}
}

void
pol_comm_set_free(struct pol_comm_set *s)
{
	struct pol_comm_set *next;

	for (; s != NULL; s = next) {
		next = s->next;
		free(s->v);
		free(s);
	}
}

void
pol_aggr_free(struct pol_aggr *a)
{
	struct pol_aggr *next;

	for (; a != NULL; a = next) {
		next = a->next;
		free(a->visible);
		free(a);
	}
}
