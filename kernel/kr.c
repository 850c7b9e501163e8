/*
 * kernel/kr.c: see kr.h.  The only file that includes libnl.
 *
 * Three netlink sockets, all driven by the one libevent loop:
 *
 *  evsk	subscribed to route and link events (before the first dump, so
 *		nothing falls between dump and subscription); non-blocking,
 *		read with nl_recvmsgs_default().  Learns workload routes,
 *		keeps the ifindex -> name map, watches routes of our protocol.
 *		ENOBUFS (an overrun) means lost events: a full dump reconciles.
 *  dsk		blocking, for dumps (start, overrun, relearn) and for the
 *		synchronous removal in kr_free().
 *  wsk		non-blocking, for our writes.  A best-path change only marks
 *		the prefix's record (struct kr_inst) and queues it; a
 *		zero-timeout event turns the queue into datagrams of many
 *		requests each (rtnetlink runs every message of a datagram
 *		inside sendmsg()).  Requests carry our own sequence number but
 *		no NLM_F_ACK: the kernel answers only the ones it refuses, so
 *		right after each sendmsg() the errors queued on wsk are read,
 *		matched to the ring of requests in flight by sequence number,
 *		and every other request of the datagram is done.  The ring's
 *		size is bounded by what wsk's receive buffer can hold (the
 *		window), so errors are not dropped; if they are (ENOBUFS), a
 *		dump reconciles.
 *		The notifications our own requests cause are dropped for
 *		evsk by a socket filter on their port id (kr_evsk_filter()).
 *
 * Ownership: we add, replace and delete only routes carrying
 * conf.install_proto in conf.install_table, and every decision is made
 * against our own record of what we put in the kernel, never a rib_entry
 * pointer.  The events our own requests cause carry wsk's port id and are
 * skipped; any other change to a route of our protocol is foreign and
 * repaired.
 *
 * Learning: a route of another protocol, in one of conf.learn_tables, is
 * a local route when its device matches a pattern, or its protocol is in
 * conf.learn_proto, or it is a blackhole (unreachable, prohibit) route and
 * that is asked for (Calico's IPAM blocks).  Those have no device and no
 * next hop.
 *
 * Installing: the ECMP set of a prefix (rib_entry_multipath(), BGP paths
 * only) becomes one route, RTA_MULTIPATH when it has several next hops.
 * Next-hop sets are interned (struct kr_nhs), so that what we want and
 * what the kernel has compare by pointer.
 */
#include <sys/queue.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <event2/event.h>

#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/route/rtnl.h>

#include "kr.h"
#include "log.h"

#define KR_ADOPT_GRACE	120		/* s: adopted routes wait for BGP */
#define KR_RCVBUF	(8 * 1024 * 1024)
#define KR_MSGBUF	(64 * 1024)	/* kernel dump chunks are <= 32 KiB */
#define KR_WBUF		(32 * 1024)	/* one datagram of requests */
#define KR_MSGMAX	1024		/* one encoded route request, at most:
					   16 IPv6 rtnexthops are ~450 bytes */
#define KR_MAX_INFLIGHT	4096		/* power of 2 */
#define KR_ACK_TRUESIZE	1024		/* rcvbuf bytes one ack may cost */
#define KR_EV_BUDGET	1024		/* datagrams per read callback */
#define KR_DUMP_RETRIES	5
#define KR_RETRY	5		/* s: retry refused installs */
#define KR_HTAB_MIN	256
#define KR_FMTLEN	(WR_PFXSTRLEN + KR_MAX_NEXTHOPS * (WR_ADDRSTRLEN + 2) + 64)

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

/* An intrusive chained hash table; every node starts with kr_hnode. */
struct kr_hnode {
	struct kr_hnode	*next;
	uint32_t	 hash;
};

struct kr_htab {
	struct kr_hnode	**b;
	size_t		  n;		/* buckets, a power of 2 */
	size_t		  count;
};

struct kr_learned;

#define KR_NH_ONLINK	0x01	/* RTNH_F_ONLINK on every next hop */
#define KR_NH_DEVICE	0x02	/* out of conf.install_device (RTA_OIF) */
#define KR_NH_BLACKHOLE	0x04	/* RTN_BLACKHOLE, no next hop (static) */

/*
 * A set of next hops, interned: gateways sorted and without duplicates,
 * immutable, reference-counted.  n is 0 for a route of ours that has no
 * gateway (someone else's doing), so that it never equals what we want.
 */
struct kr_nhs {
	struct kr_hnode	 hn;
	uint32_t	 refcnt;
	uint8_t		 n;
	uint8_t		 flags;	/* KR_NH_* */
	struct wr_addr	 gw[];
};

struct kr_link {
	struct kr_hnode	 hn;		/* key: ifindex */
	int		 ifindex;
	unsigned int	 flags;		/* IFF_* */
	int		 learn;		/* up and matching a pattern */
	int		 went_down;	/* routes withdrawn by a down */
	uint32_t	 gen;
	char		 name[IFNAMSIZ];
	TAILQ_HEAD(, kr_learned) routes;
};

/*
 * A local kernel route that is a path of our source in the rib.  link is
 * NULL for a route without one output device (blackhole, unreachable,
 * multipath): those are not flushed with a link.
 */
struct kr_learned {
	struct kr_hnode		 hn;	/* key: prefix */
	struct wr_prefix	 prefix;
	struct kr_link		*link;
	uint32_t		 oif;	/* as the kernel said, to match deletes */
	uint32_t		 table;
	uint32_t		 prio;
	uint32_t		 gen;
	uint8_t			 floating;	/* unicast, no single device */
	TAILQ_ENTRY(kr_learned)	 lentry;
};

#define KI_QUEUED	0x01
#define KI_ADOPTED	0x02	/* found at start, not yet claimed */
#define KI_FAILED	0x04	/* the kernel refused the last install */
#define KI_KERNEL	0x08	/* a route of ours is in the kernel: knh */
#define KR_HAVE(r)	(((r)->flags & KI_KERNEL) != 0)

/* What we decided for a prefix, and what the kernel has of ours. */
/*
 * One per installed prefix, so packed: 104 bytes (was 120) with the
 * queue singly linked, the state an index and the time 32 bits.
 */
struct kr_inst {
	struct kr_hnode		 hn;	/* key: prefix */
	struct wr_prefix	 prefix;
	struct kr_nhs		*want;	/* NULL: nothing to install */
	struct kr_nhs		*kset;	/* with KI_KERNEL: what the kernel has */
	STAILQ_ENTRY(kr_inst)	 qentry;
	uint32_t		 wmetric;	/* the metric wanted with want */
	uint32_t		 kmetric;
	uint32_t		 ktable;
	uint32_t		 gen;
	/* for `wrenctl show kernel` */
	uint32_t		 since;		/* state changed, time() */
	uint16_t		 failures;	/* consecutive, saturating */
	uint16_t		 error;		/* errno of the last failure */
	uint16_t		 inflight;
	uint8_t			 kproto;
	uint8_t			 flags;
	uint8_t			 state;		/* index in kr_states[] */
};

static const char *const kr_states[] = {
	"pending", "installed", "failed", "adopted"
};

enum kr_op { KR_OP_ADD, KR_OP_REPLACE, KR_OP_DEL };

/* A request written to wsk whose ack has not been read yet. */
struct kr_req {
	uint32_t		 seq;
	uint8_t			 op;
	uint8_t			 proto;
	uint8_t			 prevproto;
	uint32_t		 metric;
	uint32_t		 table;
	struct wr_prefix	 prefix;
	struct kr_nhs		*nh;	/* referenced */
	struct kr_nhs		*prev;	/* REPLACE: what it replaced; ref'd */
	uint32_t		 prevmetric;
	uint32_t		 prevtable;
};

/* A route message, parsed and length-checked. */
struct kr_route {
	uint16_t		 type;	/* RTM_NEWROUTE, RTM_DELROUTE */
	uint16_t		 nlflags;
	uint32_t		 pid;
	struct wr_prefix	 prefix;
	struct wr_addr		 gw[KR_MAX_NEXTHOPS];
	uint8_t			 ngw;
	uint8_t			 gw_over;	/* more than KR_MAX_NEXTHOPS */
	uint8_t			 onlink;	/* on every next hop */
	uint32_t		 nh_oif;	/* every next hop's, or 0 */
	uint32_t		 table;
	uint32_t		 prio;
	uint32_t		 oif;
	uint32_t		 rtm_flags;
	uint8_t			 proto;
	uint8_t			 rtype;
	uint8_t			 multipath;
};

/*
 * Install records come from a pool of fixed-size objects: no malloc header
 * (16 bytes on a 96-byte record) and no malloc call per route.  Under a
 * sanitizer they are plain calloc()/free(), so that use after free is
 * still caught.
 */
#if defined(__SANITIZE_ADDRESS__)
#define KR_POOL_MALLOC	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KR_POOL_MALLOC	1
#endif
#endif

#define KR_CHUNK_MIN	64
#define KR_CHUNK_MAX	8192

struct kr_chunk {
	struct kr_chunk		*next;
};

struct kr_pool {
	size_t			 nextcount;	/* objects in the next chunk */
	void			*freelist;	/* linked through the first word */
	struct kr_chunk		*chunks;
	/* the newest chunk's records not handed out yet, carved on demand
	 * (its pages become resident only when used) */
	struct kr_inst		*fresh, *fresh_end;
};

struct kr {
	struct event_base	*base;
	struct rib		*rib;
	struct kernel_conf	 conf;
	struct rib_source	 src;
	struct rib_consumer	 consumer;
	const struct rib_attrs	*attrs;		/* interned template */

	struct nl_sock		*evsk, *dsk, *wsk;
	uint32_t		 wpid;		/* wsk's port id */
	struct event		*ev_read, *ev_ack, *ev_write;
	struct event		*ev_flush, *ev_dump, *ev_grace, *ev_retry;
	struct event		*ev_redump;

	struct kr_htab		 links, learned, inst, nhs;
	struct kr_pool		 ipool;		/* struct kr_inst */
	STAILQ_HEAD(, kr_inst)	 queue;
	uint32_t		 lgen, rgen;
	int			 started;
	int			 grace_over;
	int			 unknown_oif;	/* a dumped route had one */
	int			 in_dump;
	int			 devidx;	/* conf.install_device's */
	size_t			 nfloat;	/* learned, no single device */

	uint32_t		 seq;
	struct kr_req		*ring;
	size_t			 rhead, rcount, window;
	uint8_t			*wbuf;
	size_t			 wlen, wreqs;

	struct kr_stats		 st;
	struct pol_out		 pol;		/* install policy scratch */
};

static void	kr_enqueue(struct kr *, struct kr_inst *);
static void	kr_schedule_dump(struct kr *);
static void	kr_flush(struct kr *);
static size_t	kr_window(struct nl_sock *);

/* ---- small helpers ------------------------------------------------- */

static size_t
kr_alen(uint8_t af)
{
	return af == AF_INET6 ? 16 : 4;
}

static uint32_t
kr_prefix_hash(const struct wr_prefix *p)
{
	uint32_t h = 2166136261u;
	size_t i;

	h = (h ^ p->addr.af) * 16777619u;
	h = (h ^ p->len) * 16777619u;
	for (i = 0; i < kr_alen(p->addr.af); i++)
		h = (h ^ p->addr.b[i]) * 16777619u;
	return h;
}

static int
kr_prefix_eq(const struct wr_prefix *a, const struct wr_prefix *b)
{
	return a->len == b->len && addr_cmp(&a->addr, &b->addr) == 0;
}


static uint32_t
kr_int_hash(uint32_t v)
{
	return v * 2654435761u;
}

/* ---- hash table ---------------------------------------------------- */

static void
kr_htab_grow(struct kr_htab *t)
{
	struct kr_hnode **nb, *n, *next;
	size_t nn, i;

	nn = t->n == 0 ? KR_HTAB_MIN : t->n * 2;
	if ((nb = calloc(nn, sizeof(*nb))) == NULL)
		return;		/* longer chains, still correct */
	for (i = 0; i < t->n; i++) {
		for (n = t->b[i]; n != NULL; n = next) {
			next = n->next;
			n->next = nb[n->hash & (nn - 1)];
			nb[n->hash & (nn - 1)] = n;
		}
	}
	free(t->b);
	t->b = nb;
	t->n = nn;
}

static int
kr_htab_insert(struct kr_htab *t, struct kr_hnode *n, uint32_t hash)
{
	if (t->count >= t->n)
		kr_htab_grow(t);
	if (t->n == 0)
		return -1;
	n->hash = hash;
	n->next = t->b[hash & (t->n - 1)];
	t->b[hash & (t->n - 1)] = n;
	t->count++;
	return 0;
}

static struct kr_hnode *
kr_htab_chain(const struct kr_htab *t, uint32_t hash)
{
	if (t->n == 0)
		return NULL;
	return t->b[hash & (t->n - 1)];
}

static void
kr_htab_remove(struct kr_htab *t, struct kr_hnode *n)
{
	struct kr_hnode **pp;

	for (pp = &t->b[n->hash & (t->n - 1)]; *pp != NULL;
	    pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			t->count--;
			return;
		}
	}
}

/* Call fn on every node; fn may remove (and free) the node it is given. */
static void
kr_htab_foreach(struct kr_htab *t, void (*fn)(struct kr *, void *),
    struct kr *kr)
{
	struct kr_hnode *n, *next;
	size_t i;

	for (i = 0; i < t->n; i++) {
		for (n = t->b[i]; n != NULL; n = next) {
			next = n->next;
			fn(kr, n);
		}
	}
}

/* ---- next-hop sets ------------------------------------------------- */

static int
kr_gw_cmp(const void *a, const void *b)
{
	return addr_cmp(a, b);
}

static uint32_t
kr_nhs_hash(const struct wr_addr *gw, size_t n, uint8_t flags)
{
	uint32_t h = 2166136261u;
	size_t i, j;

	h = (h ^ flags) * 16777619u;
	for (i = 0; i < n; i++) {
		h = (h ^ gw[i].af) * 16777619u;
		for (j = 0; j < kr_alen(gw[i].af); j++)
			h = (h ^ gw[i].b[j]) * 16777619u;
	}
	return h;
}

static int
kr_nhs_eq(const struct kr_nhs *s, const struct wr_addr *gw, size_t n,
    uint8_t flags)
{
	size_t i;

	if (s->n != n || s->flags != flags)
		return 0;
	for (i = 0; i < n; i++)
		if (addr_cmp(&s->gw[i], &gw[i]) != 0)
			return 0;
	return 1;
}

/* Sort and deduplicate in place; returns the new count. */
static size_t
kr_gw_normalize(struct wr_addr *gw, size_t n)
{
	size_t i, m = 0;

	qsort(gw, n, sizeof(*gw), kr_gw_cmp);
	for (i = 0; i < n; i++)
		if (m == 0 || addr_cmp(&gw[m - 1], &gw[i]) != 0)
			gw[m++] = gw[i];
	return m;
}

/* The one interned set for these gateways, referenced; NULL: no memory. */
static struct kr_nhs *
kr_nhs_get(struct kr *kr, struct wr_addr *gw, size_t n, uint8_t flags)
{
	struct kr_hnode *hn;
	struct kr_nhs *s;
	uint32_t h;

	n = kr_gw_normalize(gw, n > KR_MAX_NEXTHOPS ? KR_MAX_NEXTHOPS : n);
	h = kr_nhs_hash(gw, n, flags);
	for (hn = kr_htab_chain(&kr->nhs, h); hn != NULL; hn = hn->next) {
		s = (struct kr_nhs *)hn;
		if (hn->hash == h && kr_nhs_eq(s, gw, n, flags)) {
			s->refcnt++;
			return s;
		}
	}
	if ((s = calloc(1, sizeof(*s) + n * sizeof(s->gw[0]))) == NULL)
		return NULL;
	s->refcnt = 1;
	s->n = (uint8_t)n;
	s->flags = flags;
	memcpy(s->gw, gw, n * sizeof(s->gw[0]));
	if (kr_htab_insert(&kr->nhs, &s->hn, h) == -1) {
		free(s);
		return NULL;
	}
	return s;
}

static struct kr_nhs *
kr_nhs_ref(struct kr_nhs *s)
{
	if (s != NULL)
		s->refcnt++;
	return s;
}

static void
kr_nhs_put(struct kr *kr, struct kr_nhs *s)
{
	if (s == NULL || --s->refcnt > 0)
		return;
	kr_htab_remove(&kr->nhs, &s->hn);
	free(s);
}

/* *slot = s, taking a reference to s and dropping the old one. */
static void
kr_nhs_set(struct kr *kr, struct kr_nhs **slot, struct kr_nhs *s)
{
	kr_nhs_ref(s);
	kr_nhs_put(kr, *slot);
	*slot = s;
}

/* "198.18.0.2, 198.18.0.3 dev tunl0 onlink" */
static const char *
kr_nhsfmt(const struct kr *kr, const struct kr_nhs *s, char *buf,
    size_t len)
{
	char as[WR_ADDRSTRLEN];
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; s != NULL && i < s->n && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
		    i > 0 ? ", " : "", addr_ntop(&s->gw[i], as, sizeof(as)));
	if (s != NULL && (s->flags & KR_NH_DEVICE) && off < len)
		off += (size_t)snprintf(buf + off, len - off, " dev %s",
		    kr->conf.install_device);
	if (s != NULL && (s->flags & KR_NH_ONLINK) && off < len)
		snprintf(buf + off, len - off, " onlink");
	return buf;
}

/* ---- interface names ---------------------------------------------- */

/* Shell-style match of '*' and '?', iterative with one backtrack point. */
int
kr_ifmatch(const char *pat, const char *s)
{
	const char *star = NULL, *ss = NULL;

	while (*s != '\0') {
		if (*pat == '*') {
			star = pat++;
			ss = s;
		} else if (*pat == '?' || *pat == *s) {
			pat++;
			s++;
		} else if (star != NULL) {
			pat = star + 1;
			s = ++ss;
		} else
			return 0;
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

static int
kr_learn_table(const struct kernel_conf *conf, uint32_t table)
{
	int i;

	for (i = 0; i < conf->nlearn_tables; i++)
		if (conf->learn_tables[i] == table)
			return 1;
	return 0;
}

static int
kr_learn_anyproto(const struct kernel_conf *conf)
{
	size_t i;

	for (i = 0; i < sizeof(conf->learn_proto); i++)
		if (conf->learn_proto[i] != 0)
			return 1;
	return 0;
}

static int
kr_conf_match(const struct kernel_conf *conf, const char *ifname)
{
	int i;

	for (i = 0; i < conf->nlearn; i++)
		if (kr_ifmatch(conf->learn[i], ifname))
			return 1;
	return 0;
}

static struct kr_link *
kr_link_find(struct kr *kr, int ifindex)
{
	struct kr_hnode *n;
	uint32_t h = kr_int_hash((uint32_t)ifindex);

	for (n = kr_htab_chain(&kr->links, h); n != NULL; n = n->next) {
		struct kr_link *l = (struct kr_link *)n;

		if (n->hash == h && l->ifindex == ifindex)
			return l;
	}
	return NULL;
}

static struct kr_link *
kr_link_new(struct kr *kr, int ifindex)
{
	struct kr_link *l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	l->ifindex = ifindex;
	TAILQ_INIT(&l->routes);
	if (kr_htab_insert(&kr->links, &l->hn,
	    kr_int_hash((uint32_t)ifindex)) == -1) {
		free(l);
		return NULL;
	}
	return l;
}

/* ---- learned routes ------------------------------------------------ */

static struct kr_learned *
kr_learned_find(struct kr *kr, const struct wr_prefix *p)
{
	struct kr_hnode *n;
	uint32_t h = kr_prefix_hash(p);

	for (n = kr_htab_chain(&kr->learned, h); n != NULL; n = n->next) {
		struct kr_learned *r = (struct kr_learned *)n;

		if (n->hash == h && kr_prefix_eq(&r->prefix, p))
			return r;
	}
	return NULL;
}

static const char *
kr_learned_dev(const struct kr_learned *r)
{
	return r->link != NULL ? r->link->name : "-";
}

static void
kr_learned_unlink(struct kr *kr, struct kr_learned *r)
{
	if (r->link != NULL)
		TAILQ_REMOVE(&r->link->routes, r, lentry);
	if (r->floating)
		kr->nfloat--;
	r->link = NULL;
	r->floating = 0;
}

static void
kr_unlearn(struct kr *kr, struct kr_learned *r)
{
	char buf[WR_PFXSTRLEN];

	log_debug("kernel: forget %s dev %s",
	    prefix_ntop(&r->prefix, buf, sizeof(buf)), kr_learned_dev(r));
	kr_learned_unlink(kr, r);
	kr_htab_remove(&kr->learned, &r->hn);
	rib_withdraw(kr->rib, &kr->src, &r->prefix);
	free(r);
	kr->st.learned--;
}

static void
kr_learn_set(struct kr *kr, struct kr_learned *r, const struct kr_route *rt)
{
	r->oif = rt->oif;
	r->table = rt->table;
	r->prio = rt->prio;
	r->gen = kr->rgen;
}

static void
kr_learn(struct kr *kr, const struct kr_route *rt, struct kr_link *l)
{
	struct kr_learned *r;
	char buf[WR_PFXSTRLEN];
	int floating = l == NULL && rt->rtype == RTN_UNICAST;

	if ((r = kr_learned_find(kr, &rt->prefix)) == NULL) {
		if ((r = calloc(1, sizeof(*r))) == NULL) {
			log_warn("kernel: learn");
			return;
		}
		r->prefix = rt->prefix;
		if (kr_htab_insert(&kr->learned, &r->hn,
		    kr_prefix_hash(&r->prefix)) == -1) {
			free(r);
			log_warnx("kernel: learn: out of memory");
			return;
		}
		kr->st.learned++;
	} else if (r->link == l && r->floating == floating) {
		/* already a path in the rib: nothing changes */
		kr_learn_set(kr, r, rt);
		return;
	} else
		kr_learned_unlink(kr, r);
	r->link = l;
	r->floating = (uint8_t)floating;
	kr->nfloat += (size_t)floating;
	kr_learn_set(kr, r, rt);
	if (l != NULL)
		TAILQ_INSERT_TAIL(&l->routes, r, lentry);
	log_debug("kernel: learn %s dev %s type %u proto %u",
	    prefix_ntop(&r->prefix, buf, sizeof(buf)), kr_learned_dev(r),
	    rt->rtype, rt->proto);
	if (rib_update(kr->rib, &kr->src, &r->prefix, kr->attrs) == -1)
		log_warnx("kernel: rib_update %s: out of memory", buf);
}

/*
 * The kernel flushes the IPv4 routes through a device that is deleted or
 * set down without sending RTM_DELROUTE for them (fib_sync_down_dev()),
 * so a link event is the only news we get: withdraw them all here.
 */
static void
kr_link_withdraw(struct kr *kr, struct kr_link *l)
{
	struct kr_learned *r;

	while ((r = TAILQ_FIRST(&l->routes)) != NULL)
		kr_unlearn(kr, r);
}

static void
kr_link_free(struct kr *kr, struct kr_link *l)
{
	kr_link_withdraw(kr, l);
	kr_htab_remove(&kr->links, &l->hn);
	free(l);
}

/* ---- parsing ------------------------------------------------------- */

static const struct nla_policy kr_rt_policy[RTA_MAX + 1] = {
	[RTA_DST] = { .type = NLA_UNSPEC },
	[RTA_GATEWAY] = { .type = NLA_UNSPEC },
	[RTA_VIA] = { .type = NLA_UNSPEC },
	[RTA_OIF] = { .type = NLA_U32 },
	[RTA_PRIORITY] = { .type = NLA_U32 },
	[RTA_TABLE] = { .type = NLA_U32 },
	[RTA_MULTIPATH] = { .type = NLA_UNSPEC },
};

static const struct nla_policy kr_link_policy[IFLA_MAX + 1] = {
	[IFLA_IFNAME] = { .type = NLA_STRING, .maxlen = IFNAMSIZ },
};

/* An address attribute must be exactly as long as its family says. */
static int
kr_nla_addr(const struct nlattr *a, uint8_t af, struct wr_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (a == NULL)
		return 0;
	if ((size_t)nla_len(a) != kr_alen(af))
		return -1;
	out->af = af;
	memcpy(out->b, nla_data(a), kr_alen(af));
	return 0;
}

/* RTA_VIA: struct rtvia (family, then the address), RFC 5549 style. */
static int
kr_nla_via(const struct nlattr *a, struct wr_addr *out)
{
	const struct rtvia *v;
	size_t alen;

	if (a == NULL || (size_t)nla_len(a) < sizeof(*v))
		return -1;
	v = nla_data(a);
	if (v->rtvia_family != AF_INET && v->rtvia_family != AF_INET6)
		return -1;
	alen = kr_alen((uint8_t)v->rtvia_family);
	if ((size_t)nla_len(a) < sizeof(*v) + alen)
		return -1;
	memset(out, 0, sizeof(*out));
	out->af = (uint8_t)v->rtvia_family;
	memcpy(out->b, v->rtvia_addr, alen);
	return 0;
}

/* RTA_GATEWAY or RTA_VIA of a route or of one rtnexthop; af 0: none. */
static int
kr_nla_gw(struct nlattr **tb, uint8_t af, struct wr_addr *gw)
{
	memset(gw, 0, sizeof(*gw));
	if (tb[RTA_GATEWAY] != NULL)
		return kr_nla_addr(tb[RTA_GATEWAY], af, gw);
	if (tb[RTA_VIA] != NULL)
		return kr_nla_via(tb[RTA_VIA], gw);
	return 0;
}

static void
kr_route_addgw(struct kr_route *rt, const struct wr_addr *gw)
{
	if (!addr_is_set(gw))
		return;
	if (rt->ngw < KR_MAX_NEXTHOPS)
		rt->gw[rt->ngw++] = *gw;
	else
		rt->gw_over = 1;
}

/*
 * RTA_MULTIPATH: a run of struct rtnexthop, each followed by its own
 * attributes (rtnh_len covers both), as fib_get_nhs() reads it.
 */
static int
kr_route_multipath(struct nlattr *a, struct kr_route *rt)
{
	struct nlattr *tb[RTA_MAX + 1];
	struct rtnexthop *rtnh;
	struct wr_addr gw;
	int rem = nla_len(a), i;

	rt->multipath = 1;
	rt->onlink = 1;
	rtnh = nla_data(a);
	for (i = 0; rem >= (int)sizeof(*rtnh); i++) {
		if (rtnh->rtnh_len < sizeof(*rtnh) || rtnh->rtnh_len > rem)
			return -1;
		if (nla_parse(tb, RTA_MAX, (struct nlattr *)RTNH_DATA(rtnh),
		    rtnh->rtnh_len - (int)sizeof(*rtnh), kr_rt_policy) < 0 ||
		    kr_nla_gw(tb, rt->prefix.addr.af, &gw) == -1)
			return -1;
		kr_route_addgw(rt, &gw);
		if (!(rtnh->rtnh_flags & RTNH_F_ONLINK))
			rt->onlink = 0;
		if (i == 0)
			rt->nh_oif = (uint32_t)rtnh->rtnh_ifindex;
		else if (rt->nh_oif != (uint32_t)rtnh->rtnh_ifindex)
			rt->nh_oif = 0;
		rem -= RTNH_ALIGN(rtnh->rtnh_len);
		rtnh = RTNH_NEXT(rtnh);
	}
	if (i == 0)
		rt->onlink = 0;
	return 0;
}

static int
kr_route_attrs(struct nlattr **tb, struct kr_route *rt)
{
	uint8_t af = rt->prefix.addr.af;
	struct wr_addr dst, gw;

	if (kr_nla_addr(tb[RTA_DST], af, &dst) == -1)
		return -1;
	dst.af = af;
	rt->prefix.addr = dst;
	prefix_mask(&rt->prefix);
	if (kr_nla_gw(tb, af, &gw) == -1)
		return -1;
	kr_route_addgw(rt, &gw);
	if (tb[RTA_TABLE] != NULL)
		rt->table = nla_get_u32(tb[RTA_TABLE]);
	if (tb[RTA_PRIORITY] != NULL)
		rt->prio = nla_get_u32(tb[RTA_PRIORITY]);
	if (tb[RTA_OIF] != NULL)
		rt->oif = nla_get_u32(tb[RTA_OIF]);
	rt->nh_oif = rt->oif;
	rt->onlink = (rt->rtm_flags & RTNH_F_ONLINK) != 0;
	if (tb[RTA_MULTIPATH] != NULL)
		return kr_route_multipath(tb[RTA_MULTIPATH], rt);
	return 0;
}

/* 1: an IPv4/IPv6 route, parsed; 0: another family; -1: malformed. */
static int
kr_route_parse(struct nlmsghdr *nlh, struct kr_route *rt)
{
	struct nlattr *tb[RTA_MAX + 1];
	struct rtmsg *rtm;

	if (nlmsg_parse(nlh, sizeof(*rtm), tb, RTA_MAX, kr_rt_policy) < 0)
		return -1;
	rtm = nlmsg_data(nlh);
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return 0;
	if (rtm->rtm_dst_len > addr_bits(rtm->rtm_family))
		return -1;
	memset(rt, 0, sizeof(*rt));
	rt->type = nlh->nlmsg_type;
	rt->nlflags = nlh->nlmsg_flags;
	rt->pid = nlh->nlmsg_pid;
	rt->prefix.addr.af = rtm->rtm_family;
	rt->prefix.len = rtm->rtm_dst_len;
	rt->table = rtm->rtm_table;
	rt->proto = rtm->rtm_protocol;
	rt->rtype = rtm->rtm_type;
	rt->rtm_flags = rtm->rtm_flags;
	if (kr_route_attrs(tb, rt) == -1)
		return -1;
	return 1;
}

/* ---- our routes, as the kernel reports them ---------------------- */

static struct kr_inst *
kr_inst_find(struct kr *kr, const struct wr_prefix *p)
{
	struct kr_hnode *n;
	uint32_t h = kr_prefix_hash(p);

	for (n = kr_htab_chain(&kr->inst, h); n != NULL; n = n->next) {
		struct kr_inst *r = (struct kr_inst *)n;

		if (n->hash == h && kr_prefix_eq(&r->prefix, p))
			return r;
	}
	return NULL;
}

#ifndef KR_POOL_MALLOC
static int
kr_pool_grow(struct kr_pool *pool)
{
	struct kr_chunk *c;
	struct kr_inst *o;
	void *mem;
	size_t n = pool->nextcount ? pool->nextcount : KR_CHUNK_MIN;

	/*
	 * One chunk is n + 1 records: the chunk link takes the first record's
	 * place, so the records keep their alignment.
	 */
	if ((mem = malloc((n + 1) * sizeof(*o))) == NULL)
		return -1;
	c = mem;
	c->next = pool->chunks;
	pool->chunks = c;
	o = (struct kr_inst *)(void *)c;
	pool->fresh = &o[1];
	pool->fresh_end = &o[n + 1];
	pool->nextcount = n < KR_CHUNK_MAX ? n * 2 : n;
	return 0;
}
#endif

/* A zeroed install record, or NULL. */
static struct kr_inst *
kr_inst_alloc(struct kr *kr)
{
#ifdef KR_POOL_MALLOC
	return calloc(1, sizeof(struct kr_inst));
#else
	struct kr_pool *pool = &kr->ipool;
	struct kr_inst *r;

	if ((r = pool->freelist) != NULL)
		pool->freelist = *(void **)pool->freelist;
	else {
		if (pool->fresh == pool->fresh_end &&
		    kr_pool_grow(pool) == -1)
			return NULL;
		r = pool->fresh++;
	}
	memset(r, 0, sizeof(*r));
	return r;
#endif
}

static void
kr_inst_dealloc(struct kr *kr, struct kr_inst *r)
{
#ifdef KR_POOL_MALLOC
	(void)kr;
	free(r);
#else
	*(void **)(void *)r = kr->ipool.freelist;
	kr->ipool.freelist = r;
#endif
}

static void
kr_pool_free(struct kr_pool *pool)
{
	struct kr_chunk *c;

	while ((c = pool->chunks) != NULL) {
		pool->chunks = c->next;
		free(c);
	}
}

static struct kr_inst *
kr_inst_new(struct kr *kr, const struct wr_prefix *p)
{
	struct kr_inst *r;

	if ((r = kr_inst_alloc(kr)) == NULL) {
		log_warn("kernel: install record");
		return NULL;
	}
	r->prefix = *p;
	r->since = (uint32_t)time(NULL);
	if (kr_htab_insert(&kr->inst, &r->hn, kr_prefix_hash(p)) == -1) {
		log_warnx("kernel: install record: out of memory");
		kr_inst_dealloc(kr, r);
		return NULL;
	}
	return r;
}

static const char *
kr_inst_state(const struct kr_inst *r)
{
	if (r->flags & KI_FAILED)
		return kr_states[2];
	if (r->flags & KI_ADOPTED)
		return kr_states[3];
	if ((r->flags & KI_QUEUED) || r->inflight > 0 || r->want != r->kset)
		return kr_states[0];
	return kr_states[1];
}

/* Note when the state shown by `wrenctl show kernel` changes. */
static void
kr_inst_touch(struct kr_inst *r)
{
	const char *st = kr_inst_state(r);
	uint8_t i;

	for (i = 0; i < 3 && kr_states[i] != st; i++)
		;
	if (i != r->state) {
		r->state = i;
		r->since = (uint32_t)time(NULL);
	}
}

/* Free a record that wants nothing, has nothing, and waits for nothing. */
static void
kr_inst_gc(struct kr *kr, struct kr_inst *r)
{
	if (r->want != NULL || KR_HAVE(r) ||
	    r->inflight > 0 || (r->flags & KI_QUEUED)) {
		kr_inst_touch(r);
		return;
	}
	kr_htab_remove(&kr->inst, &r->hn);
	kr_nhs_put(kr, r->kset);
	kr_inst_dealloc(kr, r);
}

static void
kr_inst_setk(struct kr *kr, struct kr_inst *r, struct kr_nhs *nhs,
    uint32_t metric, uint8_t proto, uint32_t table)
{
	if (!KR_HAVE(r))
		kr->st.installed++;
	r->flags |= KI_KERNEL;
	kr_nhs_set(kr, &r->kset, nhs);
	r->kmetric = metric;
	r->kproto = proto;
	r->ktable = table;
}

static void
kr_inst_clrk(struct kr *kr, struct kr_inst *r)
{
	if (KR_HAVE(r))
		kr->st.installed--;
	r->flags &= ~KI_KERNEL;
	kr_nhs_set(kr, &r->kset, NULL);
}

static const char *
kr_rtfmt(const struct kr *kr, const struct wr_prefix *p,
    const struct kr_nhs *nhs, char *buf, size_t len)
{
	char ps[WR_PFXSTRLEN], ns[KR_MAX_NEXTHOPS * (WR_ADDRSTRLEN + 2) + 32];

	prefix_ntop(p, ps, sizeof(ps));
	if (nhs != NULL && nhs->n > 0)
		snprintf(buf, len, "%s via %s", ps, kr_nhsfmt(kr, nhs, ns,
		    sizeof(ns)));
	else
		snprintf(buf, len, "%s", ps);
	return buf;
}

/*
 * The next hops of a route of our protocol, in the terms of what we
 * install: the device flag only when it goes out of conf.install_device
 * (without an override, the kernel's RTA_OIF is its own resolution).
 */
static struct kr_nhs *
kr_nhs_from_route(struct kr *kr, const struct kr_route *rt)
{
	struct wr_addr gw[KR_MAX_NEXTHOPS];
	uint8_t flags = 0;
	size_t n = rt->gw_over ? 0 : rt->ngw;

	if (rt->rtype == RTN_BLACKHOLE)
		return kr_nhs_get(kr, gw, 0, KR_NH_BLACKHOLE);
	memcpy(gw, rt->gw, n * sizeof(gw[0]));
	if (rt->onlink)
		flags |= KR_NH_ONLINK;
	if (kr->conf.install_device[0] != '\0' && kr->devidx != 0 &&
	    rt->nh_oif == (uint32_t)kr->devidx)
		flags |= KR_NH_DEVICE;
	return kr_nhs_get(kr, gw, n, flags);
}

/* A route of our protocol we have no record of: adopt it. */
static void
kr_own_adopt(struct kr *kr, const struct kr_route *rt, struct kr_nhs *nhs,
    int from_dump)
{
	struct kr_inst *r;
	char buf[KR_FMTLEN];

	if ((r = kr_inst_new(kr, &rt->prefix)) == NULL)
		return;
	kr_inst_setk(kr, r, nhs, rt->prio, rt->proto, rt->table);
	r->flags |= KI_ADOPTED;
	r->gen = kr->rgen;
	if (!from_dump || kr->grace_over)
		log_warnx("kernel: %s proto %u: not ours, %s",
		    kr_rtfmt(kr, &rt->prefix, nhs, buf, sizeof(buf)),
		    rt->proto, kr->grace_over ? "removing" : "adopting");
	/* the flush keeps it until the grace period is over */
	kr_enqueue(kr, r);
}

static void
kr_own_changed(struct kr *kr, struct kr_inst *r, const struct kr_route *rt,
    struct kr_nhs *nhs)
{
	char buf[KR_FMTLEN];

	if (r->kset == nhs && r->kmetric == rt->prio)
		return;		/* exactly what we recorded */
	kr_rtfmt(kr, &rt->prefix, nhs, buf, sizeof(buf));
	if (r->kmetric != rt->prio) {
		log_warnx("kernel: %s proto %u metric %u: a second route of "
		    "ours, left alone", buf, rt->proto, rt->prio);
		return;
	}
	log_warnx("kernel: %s proto %u: changed by another process, "
	    "repairing", buf, rt->proto);
	kr_inst_setk(kr, r, nhs, rt->prio, rt->proto, rt->table);
	kr_enqueue(kr, r);
}

/* Our protocol number, present in the kernel (event or dump). */
static void
kr_own_present(struct kr *kr, const struct kr_route *rt, int from_dump)
{
	struct kr_inst *r;
	struct kr_nhs *nhs;

	if ((nhs = kr_nhs_from_route(kr, rt)) == NULL) {
		log_warnx("kernel: next-hop set: out of memory");
		return;
	}
	if ((r = kr_inst_find(kr, &rt->prefix)) == NULL)
		kr_own_adopt(kr, rt, nhs, from_dump);
	else {
		if (from_dump)
			r->gen = kr->rgen;
		/*
		 * No need to wait for the acks of our requests in flight:
		 * rtnetlink applies a request before sendmsg() returns, and
		 * the events our own requests cause were filtered out by
		 * port id.
		 */
		if (!KR_HAVE(r)) {
			/* decided before we knew it was there: adopt */
			kr_inst_setk(kr, r, nhs, rt->prio, rt->proto,
			    rt->table);
			kr_enqueue(kr, r);
		} else
			kr_own_changed(kr, r, rt, nhs);
		kr_inst_touch(r);
	}
	kr_nhs_put(kr, nhs);
}

/* Our protocol number, deleted by someone else (or by the kernel). */
static void
kr_own_deleted(struct kr *kr, const struct kr_route *rt)
{
	struct kr_inst *r;
	char buf[KR_FMTLEN];

	if ((r = kr_inst_find(kr, &rt->prefix)) == NULL)
		return;
	if (!KR_HAVE(r) || r->kmetric != rt->prio || r->ktable != rt->table)
		return;
	kr_inst_clrk(kr, r);
	r->flags &= ~KI_ADOPTED;
	if (r->want != NULL) {
		log_warnx("kernel: %s: removed by another process, "
		    "reinstalling", kr_rtfmt(kr, &r->prefix, r->want, buf,
		    sizeof(buf)));
		kr_enqueue(kr, r);
	}
	kr_inst_gc(kr, r);
}

/*
 * NLM_F_REPLACE matches a route by (table, prefix, tos, priority), not by
 * protocol (fib_table_insert(), fib6_add_rt2node()): someone replacing a
 * route of another protocol onto our metric has silently removed ours.
 */
static void
kr_foreign_replace(struct kr *kr, const struct kr_route *rt)
{
	struct kr_inst *r;
	char buf[KR_FMTLEN];

	if ((r = kr_inst_find(kr, &rt->prefix)) == NULL ||
	    !KR_HAVE(r) || r->kmetric != rt->prio || r->ktable != rt->table)
		return;
	log_warnx("kernel: %s: replaced by a route of protocol %u",
	    kr_rtfmt(kr, &r->prefix, r->kset, buf, sizeof(buf)), rt->proto);
	kr_inst_clrk(kr, r);
	r->flags &= ~KI_ADOPTED;
	kr_inst_gc(kr, r);
}

/*
 * A route of another protocol in our table changed.  A foreign route on
 * our metric makes our create-only add fail with EEXIST; once it is
 * deleted, retry at once rather than at the next retry tick.
 */
static void
kr_foreign_install_table(struct kr *kr, const struct kr_route *rt)
{
	struct kr_inst *r;

	if (rt->type == RTM_NEWROUTE && (rt->nlflags & NLM_F_REPLACE))
		kr_foreign_replace(kr, rt);
	else if (rt->type == RTM_DELROUTE &&
	    (r = kr_inst_find(kr, &rt->prefix)) != NULL &&
	    (r->flags & KI_FAILED))
		kr_enqueue(kr, r);
}

static void
kr_retry_failed(struct kr *kr, void *n)
{
	struct kr_inst *r = n;

	if (r->flags & KI_FAILED)
		kr_enqueue(kr, r);
}

static void
kr_retry_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct kr *kr = arg;

	kr_htab_foreach(&kr->inst, kr_retry_failed, kr);
}

/* ---- route messages ------------------------------------------------ */

/*
 * Is this route of another protocol a local one?  *lp gets its link, or
 * NULL for a route without a single output device.  Connected routes
 * (proto kernel: the fe80::/64 of every veth) and redirects are the
 * kernel's own, never local routes.
 */
static int
kr_route_select(struct kr *kr, const struct kr_route *rt, int from_dump,
    struct kr_link **lp)
{
	const struct kernel_conf *c = &kr->conf;
	struct kr_link *l;
	int byproto = CONF_LEARN_PROTO(c, rt->proto);

	*lp = NULL;
	if (rt->proto == RTPROT_KERNEL || rt->proto == RTPROT_REDIRECT ||
	    !kr_learn_table(c, rt->table))
		return 0;
	/* no device (IPv6 puts them on lo): never flushed with a link */
	if (rt->rtype == RTN_BLACKHOLE)
		return byproto || c->learn_blackhole;
	if (rt->rtype == RTN_UNREACHABLE || rt->rtype == RTN_PROHIBIT)
		return byproto || c->learn_unreachable;
	if (rt->rtype != RTN_UNICAST)
		return 0;
	if (rt->multipath || rt->oif == 0)
		return byproto;
	if ((l = kr_link_find(kr, (int)rt->oif)) == NULL) {
		/* a link created between the link and the route dumps */
		if (from_dump)
			kr->unknown_oif = 1;
		return 0;
	}
	/* withdrawn when it went down, found again by a dump when up */
	if (!(l->flags & IFF_UP) || (!l->learn && !byproto))
		return 0;
	*lp = l;
	return 1;
}

static void
kr_route_foreign(struct kr *kr, const struct kr_route *rt, int from_dump)
{
	struct kr_learned *r;
	struct kr_link *l;
	int local;

	if (rt->table == kr->conf.install_table)
		kr_foreign_install_table(kr, rt);
	local = kr_route_select(kr, rt, from_dump, &l);
	if (rt->type == RTM_NEWROUTE && local) {
		kr_learn(kr, rt, l);
		return;
	}
	if (rt->type == RTM_NEWROUTE && !(rt->nlflags & NLM_F_REPLACE))
		return;
	/* deleted, or replaced by a route we don't learn */
	if ((r = kr_learned_find(kr, &rt->prefix)) != NULL &&
	    r->prio == rt->prio && r->table == rt->table &&
	    (rt->type != RTM_DELROUTE || r->oif == rt->oif))
		kr_unlearn(kr, r);
}

static int
kr_rtype_wanted(uint8_t rtype)
{
	return rtype == RTN_UNICAST || rtype == RTN_BLACKHOLE ||
	    rtype == RTN_UNREACHABLE || rtype == RTN_PROHIBIT;
}

static void
kr_route_msg(struct kr *kr, struct nlmsghdr *nlh, int from_dump)
{
	struct kr_route rt;
	int rv;

	if ((rv = kr_route_parse(nlh, &rt)) == -1) {
		log_warnx("kernel: malformed route message ignored");
		return;
	}
	if (rv == 0 || !kr_rtype_wanted(rt.rtype) ||
	    (rt.rtm_flags & RTM_F_CLONED))
		return;
	/* our own writes come back with our port id (rtmsg_fib()) */
	if (!from_dump && kr->wpid != 0 && rt.pid == kr->wpid)
		return;
	if (rt.proto == kr->conf.install_proto) {
		/* ours only where we install them; never learned */
		if (rt.table != kr->conf.install_table ||
		    (rt.rtype != RTN_UNICAST && rt.rtype != RTN_BLACKHOLE))
			return;
		if (rt.type == RTM_NEWROUTE)
			kr_own_present(kr, &rt, from_dump);
		else
			kr_own_deleted(kr, &rt);
		return;
	}
	kr_route_foreign(kr, &rt, from_dump);
}

/* ---- link messages ------------------------------------------------- */

/*
 * The kernel flushes the IPv4 routes through a device that goes down
 * without an RTM_DELROUTE for them (fib_sync_down_dev()), and IPv6 keeps
 * them as linkdown: either way they are withdrawn here, and a dump finds
 * them again when the link is back up.
 */
static void
kr_link_update(struct kr *kr, struct kr_link *l, unsigned int oflags,
    int from_dump)
{
	int was = l->learn, wasup = (oflags & IFF_UP) != 0;
	int up = (l->flags & IFF_UP) != 0;

	l->learn = up && kr_conf_match(&kr->conf, l->name);
	if (wasup && !up) {
		if (was || !TAILQ_EMPTY(&l->routes) ||
		    kr_learn_anyproto(&kr->conf))
			l->went_down = 1;
		kr_link_withdraw(kr, l);
		return;
	}
	if (from_dump)
		return;
	if (was && !l->learn) {
		/* renamed away: a dump keeps what a protocol still selects */
		kr_schedule_dump(kr);
		return;
	}
	/*
	 * Up again, or a link the start-up dumps raced with: its routes are
	 * only found by a dump; routes added after this event arrive as
	 * events.
	 */
	if (up && !wasup && (l->went_down || kr->unknown_oif)) {
		l->went_down = 0;
		kr->unknown_oif = 0;
		kr_schedule_dump(kr);
	}
}

/*
 * Our routes go via next hops on uplinks (or out of the device override).
 * When a link that is not a workload's goes down or away, the kernel
 * silently flushes the IPv4 routes through it, ours and learned multipath
 * ones included: only a dump shows which are gone.
 */
static void
kr_link_uplink_down(struct kr *kr, struct kr_link *l, unsigned int flags)
{
	if ((l->flags & IFF_UP) && !(flags & IFF_UP) &&
	    !kr_conf_match(&kr->conf, l->name) &&
	    (kr->st.installed > 0 || kr->nfloat > 0))
		kr_schedule_dump(kr);
}

/* Track the ifindex of the device override; retry when it appears. */
static void
kr_link_device(struct kr *kr, struct kr_link *l, int gone)
{
	const char *dev = kr->conf.install_device;
	int match = !gone && dev[0] != '\0' && strcmp(l->name, dev) == 0;

	if (match && kr->devidx != l->ifindex) {
		kr->devidx = l->ifindex;
		log_debug("kernel: device %s is ifindex %d", dev, l->ifindex);
		kr_htab_foreach(&kr->inst, kr_retry_failed, kr);
	} else if (!match && kr->devidx == l->ifindex)
		kr->devidx = 0;
}

static void
kr_link_msg(struct kr *kr, struct nlmsghdr *nlh, int from_dump)
{
	struct nlattr *tb[IFLA_MAX + 1];
	struct ifinfomsg *ifi;
	struct kr_link *l;
	unsigned int oflags;

	if (nlmsg_parse(nlh, sizeof(*ifi), tb, IFLA_MAX, kr_link_policy) < 0) {
		log_warnx("kernel: malformed link message ignored");
		return;
	}
	ifi = nlmsg_data(nlh);
	/* AF_BRIDGE RTM_DELLINK means "left a bridge", not "deleted" */
	if (ifi->ifi_family != AF_UNSPEC || ifi->ifi_index <= 0)
		return;
	l = kr_link_find(kr, ifi->ifi_index);
	if (!from_dump && l != NULL)
		kr_link_uplink_down(kr, l, nlh->nlmsg_type == RTM_DELLINK ?
		    0 : ifi->ifi_flags);
	if (nlh->nlmsg_type == RTM_DELLINK) {
		if (l != NULL) {
			kr_link_device(kr, l, 1);
			kr_link_free(kr, l);
		}
		return;
	}
	if (l == NULL && (l = kr_link_new(kr, ifi->ifi_index)) == NULL)
		return;
	/* a link coming up may make a refused next hop reachable */
	if (!from_dump && !(l->flags & IFF_UP) && (ifi->ifi_flags & IFF_UP))
		kr_htab_foreach(&kr->inst, kr_retry_failed, kr);
	oflags = l->flags;
	l->flags = ifi->ifi_flags;
	l->gen = kr->lgen;
	if (tb[IFLA_IFNAME] != NULL)
		nla_strlcpy(l->name, tb[IFLA_IFNAME], sizeof(l->name));
	kr_link_device(kr, l, 0);
	kr_link_update(kr, l, oflags, from_dump);
}

/* One route or link message, from an event or a dump; others are ignored. */
static void
kr_dispatch(struct kr *kr, struct nlmsghdr *nlh)
{
	switch (nlh->nlmsg_type) {
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		kr_route_msg(kr, nlh, kr->in_dump);
		break;
	case RTM_NEWLINK:
	case RTM_DELLINK:
		kr_link_msg(kr, nlh, kr->in_dump);
		break;
	}
}

static int
kr_msg_cb(struct nl_msg *msg, void *arg)
{
	kr_dispatch(arg, nlmsg_hdr(msg));
	return NL_OK;
}

/* ---- dumps --------------------------------------------------------- */

/* One consistent dump; 0, or -1 (logged) when it failed or kept racing. */
static int
kr_dump(struct kr *kr, int type, uint32_t *gen)
{
	int i, err = 0;

	for (i = 0; i < KR_DUMP_RETRIES; i++) {
		(*gen)++;
		if ((err = nl_rtgen_request(kr->dsk, type, AF_UNSPEC,
		    NLM_F_DUMP)) < 0)
			break;
		kr->in_dump = 1;
		err = nl_recvmsgs_default(kr->dsk);
		kr->in_dump = 0;
		/* NLM_F_DUMP_INTR: the table changed under the dump */
		if (err != -NLE_DUMP_INTR)
			break;
	}
	if (err < 0) {
		log_warnx("kernel: %s dump: %s", type == RTM_GETLINK ?
		    "link" : "route", nl_geterror(err));
		return -1;
	}
	return 0;
}

static void
kr_sweep_link(struct kr *kr, void *n)
{
	struct kr_link *l = n;

	if (l->gen != kr->lgen) {
		kr_link_device(kr, l, 1);
		kr_link_free(kr, l);
	}
}

static void
kr_sweep_learned(struct kr *kr, void *n)
{
	struct kr_learned *r = n;

	if (r->gen != kr->rgen)
		kr_unlearn(kr, r);
}

static void
kr_sweep_inst(struct kr *kr, void *n)
{
	struct kr_inst *r = n;
	char buf[KR_FMTLEN];

	if (r->flags & KI_FAILED) {
		kr_enqueue(kr, r);	/* next hop may be reachable now */
		return;
	}
	/* requests still in wbuf (EAGAIN) are not in the kernel yet */
	if (!KR_HAVE(r) || r->gen == kr->rgen ||
	    (r->inflight > 0 && kr->wlen > 0))
		return;
	kr_inst_clrk(kr, r);
	r->flags &= ~KI_ADOPTED;
	if (r->want != NULL) {
		log_warnx("kernel: %s: missing from the kernel, reinstalling",
		    kr_rtfmt(kr, &r->prefix, r->want, buf, sizeof(buf)));
		kr_enqueue(kr, r);
	}
	kr_inst_gc(kr, r);
}

/*
 * Full dump and reconcile (mark and sweep): links, then routes.  Whatever
 * the dumps did not show is gone, whatever events we missed.
 */
static void
kr_dump_all(struct kr *kr)
{
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (kr_dump(kr, RTM_GETLINK, &kr->lgen) == 0)
		kr_htab_foreach(&kr->links, kr_sweep_link, kr);
	if (kr_dump(kr, RTM_GETROUTE, &kr->rgen) == 0) {
		kr_htab_foreach(&kr->learned, kr_sweep_learned, kr);
		kr_htab_foreach(&kr->inst, kr_sweep_inst, kr);
	}
	kr->st.dumps++;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	log_debug("kernel: dump done in %ld ms: %zu links, %llu learned, "
	    "%llu installed", (long)((t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000), kr->links.count,
	    (unsigned long long)kr->st.learned,
	    (unsigned long long)kr->st.installed);
}

static void
kr_dump_cb(evutil_socket_t fd, short ev, void *arg)
{
	kr_dump_all(arg);
}

/*
 * The optional slow safety re-dump.  Correctness never depends on it
 * (events, ENOBUFS re-dumps and acks do that); it bounds how long a
 * kernel bug or a lost event could leave a difference.
 */
static void
kr_redump_arm(struct kr *kr)
{
	struct timeval tv = { (time_t)kr->conf.safety_redump, 0 };

	if (kr->ev_redump == NULL)
		return;
	evtimer_del(kr->ev_redump);
	if (kr->conf.safety_redump > 0 && kr->started)
		evtimer_add(kr->ev_redump, &tv);
}

static void
kr_redump_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct kr *kr = arg;

	log_debug("kernel: safety re-dump");
	kr_dump_all(kr);
	kr_redump_arm(kr);
}

/* Coalesce: many reasons in one loop iteration make one dump. */
static void
kr_schedule_dump(struct kr *kr)
{
	struct timeval tv = { 0, 0 };

	if (kr->ev_dump != NULL && !evtimer_pending(kr->ev_dump, NULL))
		evtimer_add(kr->ev_dump, &tv);
}

/* ---- the event socket ---------------------------------------------- */

static void
kr_event_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct kr *kr = arg;
	int i, err;

	/* a budget, so that a burst cannot starve the BGP sessions */
	for (i = 0; i < KR_EV_BUDGET; i++) {
		err = nl_recvmsgs_default(kr->evsk);
		if (err == -NLE_AGAIN)
			return;
		if (err == -NLE_NOMEM) {
			/* ENOBUFS: events were dropped; only a dump helps */
			kr->st.overruns++;
			log_warnx("kernel: event socket overrun, re-dumping");
			kr_schedule_dump(kr);
			continue;
		}
		if (err < 0) {
			log_warnx("kernel: event socket: %s",
			    nl_geterror(err));
			return;
		}
	}
}

/* ---- installing: requests in flight -------------------------------- */

static struct kr_req *
kr_ring_push(struct kr *kr)
{
	struct kr_req *q;

	q = &kr->ring[(kr->rhead + kr->rcount) & (KR_MAX_INFLIGHT - 1)];
	kr->rcount++;
	return q;
}


/* Undo our optimistic record of q, unless something newer replaced it. */
static void
kr_req_undo(struct kr *kr, const struct kr_req *q, struct kr_inst *r)
{
	if (q->op == KR_OP_DEL) {
		if (!KR_HAVE(r))
			kr_inst_setk(kr, r, q->nh, q->metric, q->proto,
			    q->table);
		return;
	}
	if (!KR_HAVE(r) || r->kset != q->nh || r->kmetric != q->metric ||
	    r->ktable != q->table)
		return;
	/* a failed replace leaves the route it was to replace */
	if (q->op == KR_OP_REPLACE && q->prev != NULL)
		kr_inst_setk(kr, r, q->prev, q->prevmetric, q->prevproto,
		    q->prevtable);
	else
		kr_inst_clrk(kr, r);
}

/*
 * An install of r failed (err, an errno): counted, logged once (the
 * retries of a route that keeps failing are quiet), retried later.
 */
static void
kr_inst_failed(struct kr *kr, struct kr_inst *r, const char *what, int err)
{
	struct timeval tv = { KR_RETRY, 0 };

	kr->st.errors++;
	if (r != NULL && (r->flags & KI_FAILED))
		log_debug("kernel: install %s: %s", what, strerror(err));
	else
		log_warnx("kernel: install %s: %s", what, strerror(err));
	if (r == NULL)
		return;
	r->flags |= KI_FAILED;
	/* errno values are small; 16 bits keep the record at 96 bytes */
	r->error = (uint16_t)(err > 0 && err <= UINT16_MAX ? err : EIO);
	if (r->failures < UINT16_MAX)
		r->failures++;
	kr_inst_touch(r);
	if (!evtimer_pending(kr->ev_retry, NULL))
		evtimer_add(kr->ev_retry, &tv);
}

/* The kernel refused q (err > 0, an errno). */
static void
kr_req_failed(struct kr *kr, const struct kr_req *q, struct kr_inst *r,
    int err)
{
	char buf[KR_FMTLEN];

	if (q->op == KR_OP_DEL && err == ESRCH)
		return;		/* already gone: what we wanted */
	/*
	 * Ours (a stale event misled us) or another protocol's on our
	 * metric: a dump knows.  Once per failing route, not per retry.
	 */
	if (q->op == KR_OP_ADD && err == EEXIST &&
	    (r == NULL || !(r->flags & KI_FAILED)))
		kr_schedule_dump(kr);
	kr_rtfmt(kr, &q->prefix, q->nh, buf, sizeof(buf));
	if (r != NULL)
		kr_req_undo(kr, q, r);
	if (q->op == KR_OP_DEL) {
		kr->st.errors++;
		log_warnx("kernel: remove %s: %s", buf, strerror(err));
		return;
	}
	kr_inst_failed(kr, r, buf, err);
}

static void
kr_req_done(struct kr *kr, struct kr_req *q, int err)
{
	struct kr_inst *r;

	r = kr_inst_find(kr, &q->prefix);
	if (r != NULL && r->inflight > 0)
		r->inflight--;
	if (err > 0)
		kr_req_failed(kr, q, r, err);
	else if (err == 0 && r != NULL && q->op != KR_OP_DEL &&
	    r->kset == q->nh) {
		r->flags &= ~KI_FAILED;
		r->failures = 0;
		r->error = 0;
	}
	kr_nhs_put(kr, q->nh);
	kr_nhs_put(kr, q->prev);
	q->nh = q->prev = NULL;
	if (r != NULL)
		kr_inst_gc(kr, r);
}

/*
 * The kernel answers the requests of one socket in order, and (without
 * NLM_F_ACK) only those it refuses: an error for seq tells us that the
 * older requests in flight succeeded.
 */
static void
kr_ack(struct kr *kr, uint32_t seq, int err)
{
	struct kr_req *q;

	while (kr->rcount > 0) {
		q = &kr->ring[kr->rhead];
		if ((int32_t)(seq - q->seq) < 0)
			return;		/* older than anything in flight */
		kr->rhead = (kr->rhead + 1) & (KR_MAX_INFLIGHT - 1);
		kr->rcount--;
		if (q->seq == seq) {
			kr_req_done(kr, q, err);
			return;
		}
		/* no NLM_F_ACK: no answer is success (see kr_ack_drained) */
		kr_req_done(kr, q, 0);
	}
}

static int
kr_ack_cb(struct nl_msg *msg, void *arg)
{
	kr_ack(arg, nlmsg_hdr(msg)->nlmsg_seq, 0);
	return NL_OK;
}

static int
kr_err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	kr_ack(arg, e->msg.nlmsg_seq, e->error < 0 ? -e->error : e->error);
	return NL_SKIP;
}

/*
 * Acks were dropped (ENOBUFS): the window was larger than wsk's buffer
 * can hold.  Shrink it to what the buffer holds now, at least by half.
 */
static void
kr_ack_overrun(struct kr *kr)
{
	size_t w = kr_window(kr->wsk);

	kr->st.overruns++;
	if (w >= kr->window)
		w = kr->window / 2;
	kr->window = w < 16 ? 16 : w;
	log_warnx("kernel: ack overrun, window now %zu; re-dumping",
	    kr->window);
	kr_schedule_dump(kr);
}

/*
 * wsk is drained.  rtnetlink queues the error of each refused request
 * before our sendmsg() returns, and our requests ask for no ack, so a
 * request that was sent and has no answer succeeded.  (Errors lost to an
 * overrun of wsk are repaired by the dump kr_ack_overrun() schedules.)
 * Only the requests still waiting in wbuf (at the ring's tail) stay.
 */
static void
kr_ack_drained(struct kr *kr)
{
	struct kr_req *q;

	while (kr->rcount > kr->wreqs) {
		q = &kr->ring[kr->rhead];
		kr->rhead = (kr->rhead + 1) & (KR_MAX_INFLIGHT - 1);
		kr->rcount--;
		kr_req_done(kr, q, 0);
	}
}

/* Read the errors of what was sent, then settle the rest as done. */
static void
kr_ack_read(struct kr *kr)
{
	int i, err;

	for (i = 0; i < KR_EV_BUDGET; i++) {
		err = nl_recvmsgs_default(kr->wsk);
		if (err == -NLE_AGAIN) {
			kr_ack_drained(kr);
			break;
		}
		if (err == -NLE_NOMEM) {
			kr_ack_overrun(kr);
			continue;
		}
		if (err < 0) {
			log_warnx("kernel: write socket: %s",
			    nl_geterror(err));
			break;
		}
	}
}

static void
kr_ackread_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct kr *kr = arg;

	kr_ack_read(kr);
	/* a window has opened */
	if (!STAILQ_EMPTY(&kr->queue))
		kr_flush(kr);
}

/* ---- installing: encoding and sending ------------------------------ */

/* One gateway: RTA_GATEWAY, or RTA_VIA for an IPv4 prefix via IPv6. */
static int
kr_put_gw(struct nl_msg *msg, uint8_t af, const struct wr_addr *gw)
{
	struct rtvia *via;
	struct nlattr *a;

	if (gw->af == af)
		return nla_put(msg, RTA_GATEWAY, (int)kr_alen(af), gw->b);
	/* RFC 8950: an IPv4 prefix via an IPv6 next hop */
	if ((a = nla_reserve(msg, RTA_VIA, (int)(sizeof(*via) +
	    kr_alen(gw->af)))) == NULL)
		return -1;
	via = nla_data(a);
	via->rtvia_family = gw->af;
	memcpy(via->rtvia_addr, gw->b, kr_alen(gw->af));
	return 0;
}

/*
 * RTA_MULTIPATH: one struct rtnexthop per next hop, its gateway attribute
 * right after it and counted in rtnh_len (fib_get_nhs(),
 * ip6_route_multipath_add()).  One route, so ECMP changes are one replace.
 */
static int
kr_put_multipath(struct nl_msg *msg, uint8_t af, const struct kr_nhs *s,
    const int *oifs, unsigned char rtnh_flags)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct rtnexthop *rtnh;
	struct nlattr *mp;
	size_t i;

	mp = nlmsg_tail(nlh);
	if (nla_put(msg, RTA_MULTIPATH, 0, NULL) < 0)
		return -1;
	for (i = 0; i < s->n; i++) {
		if ((rtnh = nlmsg_reserve(msg, sizeof(*rtnh),
		    NLMSG_ALIGNTO)) == NULL)
			return -1;
		memset(rtnh, 0, sizeof(*rtnh));
		rtnh->rtnh_flags = rtnh_flags;
		rtnh->rtnh_ifindex = oifs[i];
		if (kr_put_gw(msg, af, &s->gw[i]) < 0)
			return -1;
		rtnh->rtnh_len = (unsigned short)((char *)nlmsg_tail(nlh) -
		    (char *)rtnh);
	}
	mp->nla_len = (uint16_t)((char *)nlmsg_tail(nlh) - (char *)mp);
	return 0;
}

/* The next hops of an add or replace: devices, onlink, gateways. */
static int
kr_put_nexthops(struct nl_msg *msg, struct rtmsg *rtm, const struct kr_nhs *s,
    const int *oifs)
{
	unsigned char flags = 0;

	/* RTNH_F_ONLINK: the gateway is on the link, whatever its subnet */
	if (s->flags & KR_NH_ONLINK)
		flags |= RTNH_F_ONLINK;
	if (s->n > 1)
		return kr_put_multipath(msg, rtm->rtm_family, s, oifs, flags);
	rtm->rtm_flags |= flags;
	if (s->n == 1 && oifs[0] != 0 &&
	    nla_put_u32(msg, RTA_OIF, (uint32_t)oifs[0]) < 0)
		return -1;
	return s->n == 1 ? kr_put_gw(msg, rtm->rtm_family, &s->gw[0]) : 0;
}

/*
 * A route request.  A delete (nhs NULL) matches any scope and type, but
 * only our protocol, metric and table.  Tables above 255 only fit in
 * RTA_TABLE (rtm_table is 8 bits).
 */
static struct nl_msg *
kr_build(int type, int flags, const struct wr_prefix *p,
    const struct kr_nhs *nhs, const int *oifs, uint8_t proto,
    uint32_t metric, uint32_t table)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	struct nl_msg *msg;

	if ((msg = nlmsg_alloc_simple(type, flags | NLM_F_REQUEST |
	    NLM_F_ACK)) == NULL)
		return NULL;
	if ((rtm = nlmsg_reserve(msg, sizeof(*rtm), NLMSG_ALIGNTO)) == NULL)
		goto fail;
	memset(rtm, 0, sizeof(*rtm));
	rtm->rtm_family = p->addr.af;
	rtm->rtm_dst_len = p->len;
	rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = proto;
	rtm->rtm_scope = nhs != NULL ? RT_SCOPE_UNIVERSE : RT_SCOPE_NOWHERE;
	rtm->rtm_type = nhs == NULL ? RTN_UNSPEC :
	    (nhs->flags & KR_NH_BLACKHOLE) ? RTN_BLACKHOLE : RTN_UNICAST;
	if (nla_put(msg, RTA_DST, (int)kr_alen(p->addr.af), p->addr.b) < 0 ||
	    nla_put_u32(msg, RTA_PRIORITY, metric) < 0 ||
	    nla_put_u32(msg, RTA_TABLE, table) < 0)
		goto fail;
	if (nhs != NULL && kr_put_nexthops(msg, rtm, nhs, oifs) < 0)
		goto fail;
	nlh = nlmsg_hdr(msg);
	if (nlh->nlmsg_len > KR_MSGMAX)
		goto fail;
	return msg;
fail:
	nlmsg_free(msg);
	return NULL;
}

/* Append one request to the datagram being built and to the ring. */
static int
kr_put(struct kr *kr, struct kr_inst *r, uint8_t op, struct kr_nhs *nhs,
    const int *oifs, uint8_t proto, uint32_t metric, uint32_t table)
{
	static const int nlf[] = {
		[KR_OP_ADD] = NLM_F_CREATE | NLM_F_EXCL,
		[KR_OP_REPLACE] = NLM_F_CREATE | NLM_F_REPLACE,
		[KR_OP_DEL] = 0,
	};
	struct nlmsghdr *nlh;
	struct nl_msg *msg;
	struct kr_req *q;

	msg = kr_build(op == KR_OP_DEL ? RTM_DELROUTE : RTM_NEWROUTE,
	    nlf[op], &r->prefix, op == KR_OP_DEL ? NULL : nhs, oifs, proto,
	    metric, table);
	if (msg == NULL) {
		log_warnx("kernel: out of memory building a request");
		return -1;
	}
	nlh = nlmsg_hdr(msg);
	if (++kr->seq == 0)
		kr->seq = 1;
	nlh->nlmsg_seq = kr->seq;
	/* errors only: an ack per route costs the kernel an skb and us a
	 * read, and success is the absence of an error (kr_wsend()) */
	nlh->nlmsg_flags &= ~NLM_F_ACK;
	memcpy(kr->wbuf + kr->wlen, nlh, nlh->nlmsg_len);
	kr->wlen += NLMSG_ALIGN(nlh->nlmsg_len);
	kr->wreqs++;
	nlmsg_free(msg);

	q = kr_ring_push(kr);
	memset(q, 0, sizeof(*q));
	q->seq = kr->seq;
	q->op = op;
	q->proto = proto;
	q->metric = metric;
	q->table = table;
	q->prefix = r->prefix;
	q->nh = kr_nhs_ref(nhs);
	q->prev = kr_nhs_ref(r->kset);
	q->prevmetric = r->kmetric;
	q->prevproto = r->kproto;
	q->prevtable = r->ktable;
	r->inflight++;
	if (op == KR_OP_DEL)
		kr->st.removals++;
	else
		kr->st.installs++;
	return 0;
}

/* A datagram could not be sent at all: its requests failed with err. */
static void
kr_send_failed(struct kr *kr, int err)
{
	struct kr_req q;

	while (kr->wreqs > 0) {
		kr->wreqs--;
		kr->rcount--;
		q = kr->ring[(kr->rhead + kr->rcount) & (KR_MAX_INFLIGHT - 1)];
		kr_req_done(kr, &q, err);
	}
	kr->wlen = 0;
}

/* 0: sent (or dropped, logged); -1: EAGAIN, retried when writable. */
static int
kr_wsend(struct kr *kr)
{
	int n;

	if (kr->wlen == 0)
		return 0;
	n = nl_sendto(kr->wsk, kr->wbuf, kr->wlen);
	if (n == -NLE_AGAIN) {
		event_add(kr->ev_write, NULL);
		return -1;
	}
	if (n < 0) {
		log_warnx("kernel: send: %s", nl_geterror(n));
		kr_send_failed(kr, EIO);
		return 0;
	}
	kr->wlen = 0;
	kr->wreqs = 0;
	/*
	 * rtnetlink ran every request of the datagram inside sendmsg() and
	 * queued an error for each one refused: what has none is done.
	 */
	kr_ack_read(kr);
	return 0;
}

/* Our route moves to another metric or table: make before break. */
static int
kr_sync_move(struct kr *kr, struct kr_inst *r, const int *oifs)
{
	const struct kernel_conf *c = &kr->conf;
	struct kr_nhs *old = kr_nhs_ref(r->kset);
	uint32_t ometric = r->kmetric, otable = r->ktable;
	uint8_t oproto = r->kproto;
	int rv = -1;

	if (kr_put(kr, r, KR_OP_ADD, r->want, oifs, c->install_proto,
	    r->wmetric, c->install_table) == 0) {
		kr_inst_setk(kr, r, r->want, r->wmetric, c->install_proto,
		    c->install_table);
		rv = kr_put(kr, r, KR_OP_DEL, old, NULL, oproto, ometric,
		    otable);
	}
	kr_nhs_put(kr, old);
	return rv;
}

/* Nothing to install (any more): remove ours, unless still adopted. */
static void
kr_sync_remove(struct kr *kr, struct kr_inst *r)
{
	if (KR_HAVE(r) && (!(r->flags & KI_ADOPTED) || kr->grace_over) &&
	    kr_put(kr, r, KR_OP_DEL, r->kset, NULL, r->kproto, r->kmetric,
	    r->ktable) == 0) {
		kr_inst_clrk(kr, r);
		r->flags &= ~KI_ADOPTED;
	}
}

/*
 * The output device of a gateway, as `ip route get` finds it: an onlink
 * next hop needs one (fib_check_nh_v4_gw(), ip6_validate_gw() refuse it
 * without), and without a device override it is the one the kernel
 * would use anyway.  Synchronous on dsk; 0, or an errno.
 */
static int
kr_gw_oif(struct kr *kr, const struct wr_addr *gw, int *oif)
{
	struct nlattr *tb[RTA_MAX + 1];
	struct sockaddr_nl nla;
	struct nlmsghdr *h;
	struct nl_msg *msg;
	struct rtmsg rtm;
	unsigned char *buf = NULL;
	int n, err = EHOSTUNREACH;

	memset(&rtm, 0, sizeof(rtm));
	rtm.rtm_family = gw->af;
	rtm.rtm_dst_len = (unsigned char)addr_bits(gw->af);
	if ((msg = nlmsg_alloc_simple(RTM_GETROUTE, NLM_F_REQUEST)) == NULL)
		return ENOMEM;
	/*
	 * nl_send(), not nl_send_auto(): no NLM_F_ACK and no sequence number
	 * of dsk's, so that nothing is left for the next dump to trip on.
	 */
	if (nlmsg_append(msg, &rtm, sizeof(rtm), NLMSG_ALIGNTO) < 0 ||
	    nla_put(msg, RTA_DST, (int)kr_alen(gw->af), gw->b) < 0 ||
	    nl_send(kr->dsk, msg) < 0) {
		nlmsg_free(msg);
		return EIO;
	}
	nlmsg_free(msg);
	if ((n = nl_recv(kr->dsk, &nla, &buf, NULL)) <= 0)
		return EIO;
	h = (struct nlmsghdr *)buf;
	if (nlmsg_ok(h, n) && h->nlmsg_type == NLMSG_ERROR &&
	    h->nlmsg_len >= (uint32_t)nlmsg_size(sizeof(struct nlmsgerr)))
		err = -((struct nlmsgerr *)nlmsg_data(h))->error;
	else if (nlmsg_ok(h, n) && h->nlmsg_type == RTM_NEWROUTE &&
	    nlmsg_parse(h, sizeof(rtm), tb, RTA_MAX, kr_rt_policy) == 0 &&
	    tb[RTA_OIF] != NULL) {
		*oif = (int)nla_get_u32(tb[RTA_OIF]);
		err = 0;
	}
	free(buf);
	return err;
}

/* The output device of each next hop of s: 0 (the kernel's choice), the
 * device override, or (onlink) the gateway's.  0, or an errno. */
static int
kr_resolve(struct kr *kr, const struct kr_nhs *s, int *oifs)
{
	size_t i;
	int err;

	memset(oifs, 0, KR_MAX_NEXTHOPS * sizeof(*oifs));
	for (i = 0; i < s->n; i++) {
		if (s->flags & KR_NH_DEVICE) {
			/* retried when it appears (kr_link_device()) */
			if ((oifs[i] = kr->devidx) == 0)
				return ENODEV;
		} else if ((s->flags & KR_NH_ONLINK) &&
		    (err = kr_gw_oif(kr, &s->gw[i], &oifs[i])) != 0)
			return err;
	}
	return 0;
}

/* Bring the kernel in line with r->want: at most two requests. */
static void
kr_sync(struct kr *kr, struct kr_inst *r)
{
	const struct kernel_conf *c = &kr->conf;
	int have = KR_HAVE(r), oifs[KR_MAX_NEXTHOPS], err;
	char buf[KR_FMTLEN];

	if (r->want == NULL)
		kr_sync_remove(kr, r);
	else if (have && r->kset == r->want && r->kproto == c->install_proto &&
	    r->kmetric == r->wmetric && r->ktable == c->install_table &&
	    !(r->flags & KI_FAILED))
		;	/* in line already */
	else if ((err = kr_resolve(kr, r->want, oifs)) != 0)
		kr_inst_failed(kr, r, kr_rtfmt(kr, &r->prefix, r->want, buf,
		    sizeof(buf)), err);
	else if (have && (r->kmetric != r->wmetric ||
	    r->ktable != c->install_table))
		kr_sync_move(kr, r, oifs);
	/*
	 * Replace only over a route we know is ours: a create-only add
	 * cannot clobber another protocol's route on our metric.
	 */
	else if (kr_put(kr, r, have ? KR_OP_REPLACE : KR_OP_ADD, r->want, oifs,
	    c->install_proto, r->wmetric, c->install_table) == 0)
		kr_inst_setk(kr, r, r->want, r->wmetric, c->install_proto,
		    c->install_table);
	kr_inst_gc(kr, r);
}

static void
kr_flush(struct kr *kr)
{
	struct kr_inst *r;

	if (!kr->started || kr_wsend(kr) == -1)
		return;
	while ((r = STAILQ_FIRST(&kr->queue)) != NULL) {
		if (kr->rcount + 2 > kr->window)
			break;		/* kr_ackread_cb() resumes */
		if (kr->wlen + 2 * KR_MSGMAX > KR_WBUF &&
		    kr_wsend(kr) == -1)
			return;
		STAILQ_REMOVE_HEAD(&kr->queue, qentry);
		r->flags &= ~KI_QUEUED;
		kr_sync(kr, r);
	}
	kr_wsend(kr);
}

static void
kr_flush_cb(evutil_socket_t fd, short ev, void *arg)
{
	kr_flush(arg);
}

static void
kr_enqueue(struct kr *kr, struct kr_inst *r)
{
	struct timeval tv = { 0, 0 };

	if (!(r->flags & KI_QUEUED)) {
		r->flags |= KI_QUEUED;
		STAILQ_INSERT_TAIL(&kr->queue, r, qentry);
	}
	if (kr->started && !evtimer_pending(kr->ev_flush, NULL))
		evtimer_add(kr->ev_flush, &tv);
}

/* What we install with every next-hop set: onlink, device override. */
static uint8_t
kr_install_flags(const struct kernel_conf *c)
{
	uint8_t flags = 0;

	if (c->install_onlink)
		flags |= KR_NH_ONLINK;
	/* a gateway outside the device's subnet (tunl0) needs onlink */
	if (c->install_device[0] != '\0')
		flags |= KR_NH_DEVICE | KR_NH_ONLINK;
	return flags;
}

/*
 * A static route: a blackhole, or through its next hop (the kernel finds
 * the device); an aggregate with no-blackhole is never installed.
 */
static struct kr_nhs *
kr_want_static(struct kr *kr, const struct rib_path *best)
{
	struct wr_addr gw[1];

	if (best->src->no_install)
		return NULL;
	gw[0] = best->attrs->nexthop;
	if (addr_is_set(&gw[0]))
		return kr_nhs_get(kr, gw, 1, 0);
	return kr_nhs_get(kr, gw, 0, KR_NH_BLACKHOLE);
}

/* install policy: -1 if rejected; *metric may be set by the policy. */
static int
kr_policy(struct kr *kr, const struct rib_entry *e,
    const struct rib_path *best, uint32_t *metric)
{
	struct pol_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.prefix = &e->prefix;
	ctx.source = (int)best->src->type;
	ctx.ebgp = best->src->ebgp;
	if (policy_eval(kr->conf.install_pol, &ctx, best->attrs, &kr->pol) !=
	    POL_ACCEPT)
		return -1;
	if (kr->pol.has_metric)
		*metric = kr->pol.metric;
	return 0;
}

/*
 * What to install for e: the next hops of its ECMP set, when the best path
 * is a BGP one and the install policy takes it (a kernel best installs
 * nothing, a static one kr_want_static()).  One family per route, the best
 * path's; equal next hops count once.  *metric: the metric to install
 * with.  Returns a referenced set, or NULL.
 */
static struct kr_nhs *
kr_want(struct kr *kr, const struct rib_entry *e, uint32_t *metric)
{
	const struct rib_path *paths[KR_MAX_NEXTHOPS];
	struct wr_addr gw[KR_MAX_NEXTHOPS];
	const struct wr_addr *nh;
	size_t n, i, ngw = 0;
	int max = kr->conf.multipath;

	*metric = kr->conf.metric;
	if (kr->conf.install_off)
		return NULL;		/* `install off`: nothing, ever */
	if (max < 1 || max > KR_MAX_NEXTHOPS)
		max = max < 1 ? 1 : KR_MAX_NEXTHOPS;
	n = rib_entry_multipath(e, paths, (size_t)max);
	if (n > 0 && paths[0]->src->type == RIB_SRC_STATIC)
		return kr_want_static(kr, paths[0]);
	if (n == 0 || paths[0]->src->type != RIB_SRC_BGP ||
	    !addr_is_set(&paths[0]->attrs->nexthop))
		return NULL;
	/* a prefix the policy rejects (another datapath's) is never ours */
	if (kr->conf.install_pol != NULL &&
	    kr_policy(kr, e, paths[0], metric) == -1)
		return NULL;
	for (i = 0; i < n; i++) {
		nh = &paths[i]->attrs->nexthop;
		if (paths[i]->src->type != RIB_SRC_BGP ||
		    nh->af != paths[0]->attrs->nexthop.af)
			continue;
		gw[ngw++] = *nh;
	}
	return kr_nhs_get(kr, gw, ngw, kr_install_flags(&kr->conf));
}

/*
 * The rib consumer (every_change: the ECMP set may change while the best
 * path stays).  Only a different set of next hops queues the prefix.
 */
static void
kr_changed(void *arg, const struct rib_entry *e)
{
	struct kr *kr = arg;
	uint32_t metric;
	struct kr_nhs *want;
	struct kr_inst *r;

	if (kr->conf.install_off && kr->inst.count == 0)
		return;			/* nothing installed, nothing to */
	want = kr_want(kr, e, &metric);
	if ((r = kr_inst_find(kr, &e->prefix)) == NULL) {
		if (want == NULL || (r = kr_inst_new(kr, &e->prefix)) == NULL) {
			kr_nhs_put(kr, want);
			return;
		}
	}
	if (want == r->want && (want == NULL || metric == r->wmetric) &&
	    !(r->flags & KI_ADOPTED)) {
		kr_nhs_put(kr, want);
		return;
	}
	kr_nhs_put(kr, r->want);
	r->want = want;			/* our reference */
	r->wmetric = metric;
	r->flags &= ~KI_ADOPTED;	/* decided, one way or the other */
	kr_enqueue(kr, r);
	kr_inst_touch(r);
}

/* Reconfigured (device, onlink, multipath): decide every prefix again. */
static int
kr_rewant_cb(const struct rib_entry *e, void *arg)
{
	kr_changed(arg, e);
	return 0;
}

/* ---- adoption ------------------------------------------------------ */

static void
kr_adopt_sweep(struct kr *kr, void *n)
{
	struct kr_inst *r = n;

	if (r->flags & KI_ADOPTED)
		kr_enqueue(kr, r);
}

void
kr_adopt_done(struct kr *kr)
{
	if (kr->grace_over)
		return;
	kr->grace_over = 1;
	if (kr->ev_grace != NULL)
		evtimer_del(kr->ev_grace);
	kr_htab_foreach(&kr->inst, kr_adopt_sweep, kr);
}

static void
kr_grace_cb(evutil_socket_t fd, short ev, void *arg)
{
	log_debug("kernel: adoption grace period over");
	kr_adopt_done(arg);
}

/* ---- sockets ------------------------------------------------------- */

/*
 * A large receive buffer; SO_RCVBUFFORCE (CAP_NET_ADMIN, which a routing
 * daemon has) may exceed net.core.rmem_max, SO_RCVBUF may not.
 */
static void
kr_sock_rcvbuf(struct nl_sock *sk, uint32_t size)
{
	int fd = nl_socket_get_fd(sk), sz = (int)size, off = 0;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) == -1)
		nl_socket_set_buffer_size(sk, sz, 0);
	/* keep ENOBUFS reported: a silent loss would never be repaired */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_NO_ENOBUFS, &off,
	    sizeof(off));
}

static struct nl_sock *
kr_sock_open(struct kr *kr)
{
	struct nl_sock *sk;
	int err;

	if ((sk = nl_socket_alloc()) == NULL) {
		log_warnx("kernel: nl_socket_alloc failed");
		return NULL;
	}
	if ((err = nl_connect(sk, NETLINK_ROUTE)) < 0) {
		log_warnx("kernel: netlink: %s", nl_geterror(err));
		nl_socket_free(sk);
		return NULL;
	}
	/* one recvmsg per datagram, no MSG_PEEK round trip */
	nl_socket_set_msg_buf_size(sk, KR_MSGBUF);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, kr_msg_cb, kr);
	return sk;
}

static int
kr_open_evsk(struct kr *kr)
{
	int err;

	if ((kr->evsk = kr_sock_open(kr)) == NULL)
		return -1;
	nl_socket_disable_seq_check(kr->evsk);
	/* small ones (receive-buffer) let tests force overruns */
	kr_sock_rcvbuf(kr->evsk, kr->conf.rcvbuf != 0 ? kr->conf.rcvbuf :
	    KR_RCVBUF);
	if ((err = nl_socket_add_memberships(kr->evsk, RTNLGRP_IPV4_ROUTE,
	    RTNLGRP_IPV6_ROUTE, RTNLGRP_LINK, 0)) < 0 ||
	    (err = nl_socket_set_nonblocking(kr->evsk)) < 0) {
		log_warnx("kernel: event socket: %s", nl_geterror(err));
		return -1;
	}
	return 0;
}

/* How many acks fit in wsk's receive buffer, bounded by the ring. */
static size_t
kr_window(struct nl_sock *sk)
{
	int sz = 0;
	socklen_t len = sizeof(sz);
	size_t w;

	if (getsockopt(nl_socket_get_fd(sk), SOL_SOCKET, SO_RCVBUF, &sz,
	    &len) == -1 || sz <= 0)
		return 64;
	w = (size_t)sz / KR_ACK_TRUESIZE;
	if (w > KR_MAX_INFLIGHT)
		w = KR_MAX_INFLIGHT;
	return w < 16 ? 16 : w;
}

/*
 * The kernel notifies every listener of each route we install, evsk too,
 * and kr_route_msg() skips ours by port id.  A classic BPF filter drops
 * them before they are queued: no clone, no copy, no read, no parse per
 * installed route.  A route notification is one message per datagram;
 * absolute loads on netlink read big-endian, hence htonl().
 */
static void
kr_evsk_filter(struct kr *kr)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct nlmsghdr, nlmsg_pid)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htonl(kr->wpid), 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
	};
	struct sock_fprog prog = { .len = 4, .filter = code };

	if (kr->evsk == NULL || kr->wpid == 0)
		return;
	if (setsockopt(nl_socket_get_fd(kr->evsk), SOL_SOCKET,
	    SO_ATTACH_FILTER, &prog, sizeof(prog)) == -1)
		log_debug("kernel: event socket filter: %s", strerror(errno));
}

static int
kr_open_wsk(struct kr *kr)
{
	int err, one = 1;

	if ((kr->wsk = kr_sock_open(kr)) == NULL)
		return -1;
	nl_socket_disable_seq_check(kr->wsk);
	nl_socket_disable_auto_ack(kr->wsk);
	nl_socket_modify_cb(kr->wsk, NL_CB_ACK, NL_CB_CUSTOM, kr_ack_cb, kr);
	nl_socket_modify_err_cb(kr->wsk, NL_CB_CUSTOM, kr_err_cb, kr);
	kr_sock_rcvbuf(kr->wsk, KR_RCVBUF);
	/* errors need only the header back: we match by sequence number */
	(void)setsockopt(nl_socket_get_fd(kr->wsk), SOL_NETLINK,
	    NETLINK_CAP_ACK, &one, sizeof(one));
	if ((err = nl_socket_set_nonblocking(kr->wsk)) < 0) {
		log_warnx("kernel: write socket: %s", nl_geterror(err));
		return -1;
	}
	kr->wpid = nl_socket_get_local_port(kr->wsk);
	kr->window = kr_window(kr->wsk);
	kr_evsk_filter(kr);
	return 0;
}

static int
kr_open_events(struct kr *kr)
{
	kr->ev_read = event_new(kr->base, nl_socket_get_fd(kr->evsk),
	    EV_READ | EV_PERSIST, kr_event_cb, kr);
	kr->ev_ack = event_new(kr->base, nl_socket_get_fd(kr->wsk),
	    EV_READ | EV_PERSIST, kr_ackread_cb, kr);
	kr->ev_write = event_new(kr->base, nl_socket_get_fd(kr->wsk),
	    EV_WRITE, kr_flush_cb, kr);
	kr->ev_flush = evtimer_new(kr->base, kr_flush_cb, kr);
	kr->ev_dump = evtimer_new(kr->base, kr_dump_cb, kr);
	kr->ev_grace = evtimer_new(kr->base, kr_grace_cb, kr);
	kr->ev_retry = evtimer_new(kr->base, kr_retry_cb, kr);
	kr->ev_redump = evtimer_new(kr->base, kr_redump_cb, kr);
	if (kr->ev_read == NULL || kr->ev_ack == NULL ||
	    kr->ev_write == NULL || kr->ev_flush == NULL ||
	    kr->ev_dump == NULL || kr->ev_grace == NULL ||
	    kr->ev_retry == NULL || kr->ev_redump == NULL) {
		log_warnx("kernel: event_new failed");
		return -1;
	}
	return 0;
}

/* ---- the interface ------------------------------------------------- */

struct kr *
kr_new(struct event_base *base, struct rib *rib,
    const struct kernel_conf *conf)
{
	struct kr *kr;
	struct rib_attrs tmpl;

	if ((kr = calloc(1, sizeof(*kr))) == NULL)
		return NULL;
	kr->ring = calloc(KR_MAX_INFLIGHT, sizeof(*kr->ring));
	kr->wbuf = malloc(KR_WBUF);
	/* the kernel source's one attribute set: IGP, empty AS path */
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.origin = ORIGIN_IGP;
	kr->attrs = rib_attrs_intern(&tmpl);
	if (kr->ring == NULL || kr->wbuf == NULL || kr->attrs == NULL) {
		kr_free(kr, 0);
		return NULL;
	}
	kr->base = base;
	kr->rib = rib;
	kr->conf = *conf;
	rib_source_init(&kr->src, RIB_SRC_KERNEL, "kernel");
	STAILQ_INIT(&kr->queue);
	/* a consumer from the start: nothing decided before kr_start is lost */
	kr->consumer.changed = kr_changed;
	kr->consumer.arg = kr;
	kr->consumer.every_change = 1;	/* the ECMP set, not only the best */
	rib_consumer_add(rib, &kr->consumer);
	return kr;
}

int
kr_start(struct kr *kr)
{
	struct timeval grace = { KR_ADOPT_GRACE, 0 };

	/* subscribe first, then dump: a change in between is queued */
	if (kr_open_evsk(kr) == -1 || (kr->dsk = kr_sock_open(kr)) == NULL ||
	    kr_open_wsk(kr) == -1 || kr_open_events(kr) == -1)
		return -1;
	nl_socket_set_buffer_size(kr->dsk, KR_MSGBUF * 4, 0);
	kr_dump_all(kr);
	if (event_add(kr->ev_read, NULL) == -1 ||
	    event_add(kr->ev_ack, NULL) == -1 ||
	    evtimer_add(kr->ev_grace, &grace) == -1) {
		log_warnx("kernel: event_add failed");
		return -1;
	}
	kr->started = 1;
	kr_redump_arm(kr);
	if (!STAILQ_EMPTY(&kr->queue))
		kr_enqueue(kr, STAILQ_FIRST(&kr->queue));
	log_info("kernel: learned %llu routes, adopted %llu, window %zu",
	    (unsigned long long)kr->st.learned,
	    (unsigned long long)kr->st.installed, kr->window);
	return 0;
}

static void
kr_relink(struct kr *kr, void *n)
{
	struct kr_link *l = n;

	l->learn = (l->flags & IFF_UP) && kr_conf_match(&kr->conf, l->name);
}

static void
kr_find_device(struct kr *kr, void *n)
{
	kr_link_device(kr, n, 0);
}

static void
kr_requeue(struct kr *kr, void *n)
{
	struct kr_inst *r = n;

	if (r->want != NULL)
		kr_enqueue(kr, r);
}

/* Which routes are local: patterns, protocols, tables, route types. */
static int
kr_learn_differs(const struct kernel_conf *a, const struct kernel_conf *b)
{
	return a->nlearn != b->nlearn ||
	    memcmp(a->learn, b->learn, sizeof(a->learn)) != 0 ||
	    memcmp(a->learn_proto, b->learn_proto, sizeof(a->learn_proto)) !=
	    0 ||
	    a->nlearn_tables != b->nlearn_tables ||
	    memcmp(a->learn_tables, b->learn_tables,
	    sizeof(a->learn_tables)) != 0 ||
	    a->learn_blackhole != b->learn_blackhole ||
	    a->learn_unreachable != b->learn_unreachable ||
	    a->install_proto != b->install_proto;
}

/* What each prefix's next-hop set is made of. */
static int
kr_want_differs(const struct kernel_conf *a, const struct kernel_conf *b)
{
	return a->multipath != b->multipath ||
	    a->metric != b->metric ||
	    !policy_equal(a->install_pol, b->install_pol) ||
	    a->install_off != b->install_off ||
	    a->install_onlink != b->install_onlink ||
	    strcmp(a->install_device, b->install_device) != 0;
}

void
kr_reconfigure(struct kr *kr, const struct kernel_conf *conf)
{
	struct kernel_conf old = kr->conf;

	kr->conf = *conf;
	if (kr_learn_differs(&old, conf)) {
		/* the dump's sweep withdraws what is no longer selected */
		kr_htab_foreach(&kr->links, kr_relink, kr);
		if (kr->started)
			kr_schedule_dump(kr);
	}
	if (strcmp(old.install_device, conf->install_device) != 0) {
		kr->devidx = 0;
		kr_htab_foreach(&kr->links, kr_find_device, kr);
	}
	if (kr_want_differs(&old, conf))
		rib_walk(kr->rib, kr_rewant_cb, kr);
	/* kr_sync() sees the old proto/metric/table in each record */
	if (old.install_proto != conf->install_proto ||
	    old.metric != conf->metric ||
	    old.install_table != conf->install_table)
		kr_htab_foreach(&kr->inst, kr_requeue, kr);
	if (old.rcvbuf != conf->rcvbuf && kr->evsk != NULL)
		kr_sock_rcvbuf(kr->evsk, conf->rcvbuf != 0 ? conf->rcvbuf :
		    KR_RCVBUF);
	if (old.safety_redump != conf->safety_redump)
		kr_redump_arm(kr);
}

/* Shutdown without persist: delete ours, blocking, waiting for each ack. */
static void
kr_remove_one(struct kr *kr, void *n)
{
	struct kr_inst *r = n;
	struct nl_msg *msg;
	char buf[KR_FMTLEN];
	int err;

	if (!KR_HAVE(r))
		return;
	if ((msg = kr_build(RTM_DELROUTE, 0, &r->prefix, NULL, NULL,
	    r->kproto, r->kmetric, r->ktable)) == NULL)
		return;
	if ((err = nl_send_auto(kr->dsk, msg)) >= 0)
		err = nl_wait_for_ack(kr->dsk);
	nlmsg_free(msg);
	kr->st.removals++;
	if (err < 0 && err != -NLE_OBJ_NOTFOUND)
		log_warnx("kernel: remove %s: %s", kr_rtfmt(kr, &r->prefix,
		    r->kset, buf, sizeof(buf)), nl_geterror(err));
	kr_inst_clrk(kr, r);
}

static void
kr_free_node(struct kr *kr, void *n)
{
	free(n);
}

static void
kr_free_inst(struct kr *kr, void *n)
{
	kr_inst_dealloc(kr, n);
}

static void
kr_free_events(struct kr *kr)
{
	struct event **evs[] = { &kr->ev_read, &kr->ev_ack, &kr->ev_write,
	    &kr->ev_flush, &kr->ev_dump, &kr->ev_grace, &kr->ev_retry,
	    &kr->ev_redump };
	size_t i;

	for (i = 0; i < sizeof(evs) / sizeof(evs[0]); i++) {
		if (*evs[i] != NULL)
			event_free(*evs[i]);
		*evs[i] = NULL;
	}
}

/* Next-hop sets go last and all at once: records and requests hold them. */
void
kr_free(struct kr *kr, int remove_routes)
{
	if (kr == NULL)
		return;
	if (kr->rib != NULL) {
		rib_consumer_remove(kr->rib, &kr->consumer);
		rib_flush_source(kr->rib, &kr->src);
	}
	if (remove_routes && kr->dsk != NULL)
		kr_htab_foreach(&kr->inst, kr_remove_one, kr);
	kr_free_events(kr);
	if (kr->evsk != NULL)
		nl_socket_free(kr->evsk);
	if (kr->dsk != NULL)
		nl_socket_free(kr->dsk);
	if (kr->wsk != NULL)
		nl_socket_free(kr->wsk);
	kr_htab_foreach(&kr->learned, kr_free_node, kr);
	kr_htab_foreach(&kr->links, kr_free_node, kr);
	kr_htab_foreach(&kr->inst, kr_free_inst, kr);
	kr_pool_free(&kr->ipool);
	kr_htab_foreach(&kr->nhs, kr_free_node, kr);
	free(kr->learned.b);
	free(kr->links.b);
	free(kr->inst.b);
	free(kr->nhs.b);
	if (kr->attrs != NULL)
		rib_attrs_unref(kr->attrs);
	pol_out_free(&kr->pol);
	free(kr->ring);
	free(kr->wbuf);
	free(kr);
}

void
kr_get_stats(const struct kr *kr, struct kr_stats *st)
{
	*st = kr->st;
}

struct rib_source *
kr_source(struct kr *kr)
{
	return &kr->src;
}

const char *
kr_ifname(struct kr *kr, const struct wr_prefix *p)
{
	struct kr_learned *r = kr_learned_find(kr, p);

	return r != NULL && r->link != NULL ? r->link->name : NULL;
}

/* ---- show kernel ---------------------------------------------------- */

static int
kr_inst_cmp(const void *a, const void *b)
{
	const struct kr_inst *const *x = a, *const *y = b;

	return prefix_cmp(&(*x)->prefix, &(*y)->prefix);
}

static void
kr_route_info(struct kr_inst *r, struct kr_route_info *ri)
{
	const struct kr_nhs *s = r->want != NULL ? r->want : r->kset;

	memset(ri, 0, sizeof(*ri));
	kr_inst_touch(r);
	ri->prefix = r->prefix;
	for (; s != NULL && ri->nnexthops < s->n &&
	    ri->nnexthops < KR_MAX_NEXTHOPS; ri->nnexthops++)
		ri->nexthops[ri->nnexthops] = s->gw[ri->nnexthops];
	ri->state = kr_states[r->state];
	ri->error = r->error;
	ri->failures = r->failures;
	ri->since = r->since;
}

/* In prefix order: a snapshot of the records, then the callbacks. */
void
kr_walk(struct kr *kr, int (*cb)(const struct kr_route_info *, void *),
    void *arg)
{
	struct kr_route_info ri;
	struct kr_inst **v;
	struct kr_hnode *n;
	size_t i, cnt = 0;

	if (kr->inst.count == 0)
		return;
	if ((v = calloc(kr->inst.count, sizeof(*v))) == NULL) {
		log_warn("kernel: kr_walk");
		return;
	}
	for (i = 0; i < kr->inst.n; i++)
		for (n = kr->inst.b[i]; n != NULL; n = n->next)
			v[cnt++] = (struct kr_inst *)n;
	qsort(v, cnt, sizeof(*v), kr_inst_cmp);
	for (i = 0; i < cnt; i++) {
		kr_route_info(v[i], &ri);
		if (cb(&ri, arg) != 0)
			break;
	}
	free(v);
}
