/*
 * rib/decide.c: the decision process, RFC 4271 §9.1.
 *
 * Phase 1 (§9.1.1) gives each path a degree of preference; phase 2
 * (§9.1.2.2) breaks ties.  Each step is one comparison function in
 * decide_steps[], in order.  rib_decide() applies them as the RFC says: each
 * step removes from consideration the paths it does not prefer, and the next
 * step only looks at the survivors.  That matters for the MED step, which
 * only compares paths from the same neighbor AS: it is not transitive, so a
 * plain sort with rib_path_cmp() could pick a path the RFC would not.
 */
#include <stdlib.h>

#include "log.h"
#include "rib.h"

/* 0. Not from the RFC: like an administrative distance, a route the host
 * itself originates (kernel, then static) wins over anything BGP learned. */
static int
decide_local(const struct rib_path *a, const struct rib_path *b)
{
	static const int rank[] = {
		[RIB_SRC_KERNEL] = 0, [RIB_SRC_STATIC] = 1, [RIB_SRC_BGP] = 2,
	};

	return rank[a->src->type] - rank[b->src->type];
}

static uint32_t
decide_lp(const struct rib_path *p)
{
	if (p->attrs->flags & RIB_A_LOCAL_PREF)
		return p->attrs->local_pref;
	return LOCAL_PREF_DEFAULT;
}

/* 1. RFC 4271 §9.1.1: highest degree of preference, i.e. LOCAL_PREF; a path
 * without one (eBGP-learned, or local) gets the default. */
static int
decide_pref(const struct rib_path *a, const struct rib_path *b)
{
	uint32_t la = decide_lp(a), lb = decide_lp(b);

	return la == lb ? 0 : (la > lb ? -1 : 1);
}

/* 2. RFC 4271 §9.1.2.2 a): shortest AS_PATH (an AS_SET counts 1). */
static int
decide_aslen(const struct rib_path *a, const struct rib_path *b)
{
	unsigned la = aspath_length(a->attrs->aspath, a->attrs->aspath_len);
	unsigned lb = aspath_length(b->attrs->aspath, b->attrs->aspath_len);

	return la == lb ? 0 : (la < lb ? -1 : 1);
}

/* 3. RFC 4271 §9.1.2.2 b): lowest ORIGIN (IGP < EGP < INCOMPLETE). */
static int
decide_origin(const struct rib_path *a, const struct rib_path *b)
{
	return (int)a->attrs->origin - (int)b->attrs->origin;
}

static uint32_t
decide_med(const struct rib_path *p)
{
	/* RFC 4271 §9.1.2.2 c): a missing MED is the lowest value, 0 */
	return (p->attrs->flags & RIB_A_MED) ? p->attrs->med : 0;
}

/* 4. RFC 4271 §9.1.2.2 c): lowest MED, only between paths from the same
 * neighbor AS (0 stands for the local AS: empty path, or an aggregate). */
static int
decide_med_cmp(const struct rib_path *a, const struct rib_path *b)
{
	uint32_t ma, mb;

	if (aspath_first_as(a->attrs->aspath, a->attrs->aspath_len) !=
	    aspath_first_as(b->attrs->aspath, b->attrs->aspath_len))
		return 0;
	ma = decide_med(a);
	mb = decide_med(b);
	return ma == mb ? 0 : (ma < mb ? -1 : 1);
}

/* 5. RFC 4271 §9.1.2.2 d): a path learned over eBGP over one over iBGP. */
static int
decide_ebgp(const struct rib_path *a, const struct rib_path *b)
{
	return (b->src->ebgp != 0) - (a->src->ebgp != 0);
}

/* 6. RFC 4271 §9.1.2.2 e): lowest interior cost to the NEXT_HOP.  Wren runs
 * no IGP and resolves no next hops through one: every cost is equal, so this
 * step never decides.  Kept so the numbering matches the RFC. */
static int
decide_igp(const struct rib_path *a, const struct rib_path *b)
{
	return 0;
}

/* RFC 4456 §9: a reflected route counts with its ORIGINATOR_ID. */
static uint32_t
decide_bgp_id(const struct rib_path *p)
{
	if (p->attrs->flags & RIB_A_ORIGINATOR)
		return p->attrs->originator_id;
	return p->src->bgp_id;
}

/* 7. RFC 4271 §9.1.2.2 f): lowest BGP Identifier (RFC 4456 §9: or
 * ORIGINATOR_ID). */
static int
decide_id(const struct rib_path *a, const struct rib_path *b)
{
	uint32_t ia = decide_bgp_id(a), ib = decide_bgp_id(b);

	return ia == ib ? 0 : (ia < ib ? -1 : 1);
}

/* 7a. RFC 4456 §9: the shorter CLUSTER_LIST (none counts 0), before the
 * peer address. */
static int
decide_cluster_len(const struct rib_path *a, const struct rib_path *b)
{
	uint16_t la = a->attrs->cluster_list_len;
	uint16_t lb = b->attrs->cluster_list_len;

	return la == lb ? 0 : (la < lb ? -1 : 1);
}

/* 8. RFC 4271 §9.1.2.2 g): lowest peer address. */
static int
decide_addr(const struct rib_path *a, const struct rib_path *b)
{
	return addr_cmp(&a->src->addr, &b->src->addr);
}

static const struct {
	int	(*cmp)(const struct rib_path *, const struct rib_path *);
	int	  transitive;
} decide_steps[] = {
	{ decide_local, 1 },
	{ decide_pref, 1 },
	{ decide_aslen, 1 },
	{ decide_origin, 1 },
	{ decide_med_cmp, 0 },
	{ decide_ebgp, 1 },
	{ decide_igp, 1 },
	{ decide_id, 1 },
	{ decide_cluster_len, 1 },
	{ decide_addr, 1 },
};

#define NSTEPS	(sizeof(decide_steps) / sizeof(decide_steps[0]))
/* Steps that decide equal cost: up to and including e), the IGP cost. */
#define MULTIPATH_STEPS	7

int
rib_path_cmp(const struct rib_path *a, const struct rib_path *b)
{
	size_t i;
	int r;

	for (i = 0; i < NSTEPS; i++)
		if ((r = decide_steps[i].cmp(a, b)) != 0)
			return r < 0 ? -1 : 1;
	return 0;
}

/*
 * Keep the candidates step s does not eliminate, in their order; returns how
 * many.  A transitive step keeps the ties of the best one; the MED step
 * drops each path some other candidate beats (same neighbor AS, lower MED).
 */
static size_t
decide_eliminate(size_t s, const struct rib_path **c, size_t n,
    const struct rib_path **tmp)
{
	int (*cmp)(const struct rib_path *, const struct rib_path *);
	const struct rib_path *best = c[0];
	size_t i, j, k = 0;

	cmp = decide_steps[s].cmp;
	if (decide_steps[s].transitive) {
		for (i = 1; i < n; i++)
			if (cmp(c[i], best) < 0)
				best = c[i];
		for (i = 0; i < n; i++)
			if (cmp(c[i], best) == 0)
				c[k++] = c[i];
		return k;
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++)
			if (cmp(c[j], c[i]) < 0)
				break;
		if (j == n)
			tmp[k++] = c[i];
	}
	for (i = 0; i < k; i++)
		c[i] = tmp[i];
	return k;
}

/* Stable insertion sort: the list is nearly sorted already, so ~linear. */
static void
decide_sort(const struct rib_path **v, size_t n)
{
	const struct rib_path *p;
	size_t i, j;

	for (i = 1; i < n; i++) {
		p = v[i];
		for (j = i; j > 0 && rib_path_cmp(p, v[j - 1]) < 0; j--)
			v[j] = v[j - 1];
		v[j] = p;
	}
}

/* Elect the best of v[0..n) (current order: old best first wins a full
 * tie, which avoids needless churn), sort the rest behind it. */
static void
decide_order(const struct rib_path **v, size_t n, const struct rib_path **c,
    const struct rib_path **tmp)
{
	const struct rib_path *best;
	size_t i, s, nc = n;

	for (i = 0; i < n; i++)
		c[i] = v[i];
	for (s = 0; s < NSTEPS && nc > 1; s++)
		nc = decide_eliminate(s, c, nc, tmp);
	best = c[0];
	decide_sort(v, n);
	for (i = 0; v[i] != best; i++)
		;
	for (; i > 0; i--)
		v[i] = v[i - 1];
	v[0] = best;
}

#define DECIDE_STACK	16

size_t
rib_entry_multipath(const struct rib_entry *e, const struct rib_path **out,
    size_t max)
{
	const struct rib_path *stackbuf[2 * DECIDE_STACK], **c = stackbuf;
	const struct rib_path *p;
	size_t n = 0, s, i;

	for (p = e->paths; p != NULL; p = p->next)
		n++;
	if (n == 0 || max == 0)
		return 0;
	if (n > DECIDE_STACK && (c = calloc(2 * n, sizeof(*c))) == NULL)
		fatal("rib_entry_multipath");
	for (i = 0, p = e->paths; p != NULL; p = p->next)
		c[i++] = p;
	/* Elimination keeps the order, so the best path stays first. */
	for (s = 0; s < MULTIPATH_STEPS && n > 1; s++)
		n = decide_eliminate(s, c, n, c + n);
	if (n > max)
		n = max;
	for (i = 0; i < n; i++)
		out[i] = c[i];
	if (c != stackbuf)
		free(c);
	return n;
}

void
rib_decide(struct rib_entry *e)
{
	const struct rib_path *stackbuf[3 * DECIDE_STACK], **v = stackbuf;
	struct rib_path *p, **link;
	size_t n = 0, i;

	for (p = e->paths; p != NULL; p = p->next)
		n++;
	if (n < 2)
		return;
	if (n > DECIDE_STACK && (v = calloc(3 * n, sizeof(*v))) == NULL)
		fatal("rib_decide");
	for (i = 0, p = e->paths; p != NULL; p = p->next)
		v[i++] = p;
	decide_order(v, n, v + n, v + 2 * n);
	link = &e->paths;
	for (i = 0; i < n; i++) {
		*link = (struct rib_path *)v[i];
		link = &(*link)->next;
	}
	*link = NULL;
	if (v != stackbuf)
		free(v);
}
