/*
 * rib/rib.c: the Loc-RIB and the Adj-RIB-In of every source.
 *
 * A prefix has one rib_entry in the prefix table (pt.c) with the paths of
 * every source that has it, best first.  A path is also on its source's
 * doubly linked list, which is that source's Adj-RIB-In: a session going
 * down withdraws exactly its own paths without a table scan.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "pt.h"
#include "rib.h"

/*
 * Paths come from a per-rib pool of fixed-size objects: no malloc header
 * (8 bytes each) and no malloc call per path; entries live inside the prefix
 * table's nodes (rib/pt.c).  Under a sanitizer paths are plain
 * calloc()/free(), so that use after free is still caught.
 */
#if defined(__SANITIZE_ADDRESS__)
#define RIB_POOL_MALLOC	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RIB_POOL_MALLOC	1
#endif
#endif

#define RIB_CHUNK_MIN	64
#define RIB_CHUNK_MAX	16384

struct rib_chunk {
	struct rib_chunk	*next;
};

struct rib_pool {
	size_t			 size;		/* object size, >= a pointer */
	size_t			 nextcount;	/* objects in the next chunk */
	void			*freelist;	/* linked through the first word */
	struct rib_chunk	*chunks;
	/* the newest chunk's objects never handed out: carved on demand,
	 * so that its pages are only touched (resident) when used */
	uint8_t			*fresh, *fresh_end;
};

struct rib {
	struct pt		*pt;
	struct rib_pool		 paths;	/* entries live in pt's nodes */
	struct rib_consumer	*consumers;
	/* next consumer to notify: kept right if a callback removes it */
	struct rib_consumer	*notify_next;
	size_t			 npaths;
	uint32_t		 tx_next;	/* last transmit id given */
};

static void
rib_pool_init(struct rib_pool *pool, size_t size)
{
	pool->size = (size + 7) & ~(size_t)7;
	pool->nextcount = RIB_CHUNK_MIN;
}

#ifndef RIB_POOL_MALLOC
static int
rib_pool_grow(struct rib_pool *pool)
{
	struct rib_chunk *c;
	uint8_t *o;
	size_t n = pool->nextcount;

	if ((c = malloc(sizeof(*c) + n * pool->size)) == NULL)
		return -1;
	c->next = pool->chunks;
	pool->chunks = c;
	o = (uint8_t *)(c + 1);
	pool->fresh = o;
	pool->fresh_end = o + n * pool->size;
	if (pool->nextcount < RIB_CHUNK_MAX)
		pool->nextcount *= 2;
	return 0;
}
#endif

/* A zeroed object, or NULL. */
static void *
rib_pool_get(struct rib_pool *pool)
{
#ifdef RIB_POOL_MALLOC
	return calloc(1, pool->size);
#else
	void *o;

	if ((o = pool->freelist) != NULL)
		pool->freelist = *(void **)o;
	else {
		if (pool->fresh == pool->fresh_end &&
		    rib_pool_grow(pool) == -1)
			return NULL;
		o = pool->fresh;
		pool->fresh += pool->size;
	}
	memset(o, 0, pool->size);
	return o;
#endif
}

static void
rib_pool_put(struct rib_pool *pool, void *o)
{
#ifdef RIB_POOL_MALLOC
	free(o);
#else
	*(void **)o = pool->freelist;
	pool->freelist = o;
#endif
}

static void
rib_pool_free(struct rib_pool *pool)
{
	struct rib_chunk *c;

	while ((c = pool->chunks) != NULL) {
		pool->chunks = c->next;
		free(c);
	}
}

struct rib *
rib_new(void)
{
	struct rib *rib;

	if ((rib = calloc(1, sizeof(*rib))) == NULL)
		return NULL;
	if ((rib->pt = pt_new()) == NULL) {
		free(rib);
		return NULL;
	}
	rib_pool_init(&rib->paths, sizeof(struct rib_path));
	return rib;
}

static void
rib_entry_free_all(struct rib_entry *e, void *arg)
{
	struct rib *rib = arg;
	struct rib_path *p, *next;

	for (p = e->paths; p != NULL; p = next) {
		next = p->next;
		/* the sources outlive the rib: leave them empty */
		p->src->paths = NULL;
		p->src->npaths = 0;
		p->src->nstale = 0;
		rib_attrs_unref(p->attrs);
		rib_pool_put(&rib->paths, p);
	}
	e->paths = NULL;
}

void
rib_free(struct rib *rib)
{
	if (rib == NULL)
		return;
	pt_free(rib->pt, rib_entry_free_all, rib);
	rib_pool_free(&rib->paths);
	free(rib);
}

void
rib_consumer_add(struct rib *rib, struct rib_consumer *c)
{
	c->next = rib->consumers;
	rib->consumers = c;
}

void
rib_consumer_remove(struct rib *rib, struct rib_consumer *c)
{
	struct rib_consumer **pp;

	for (pp = &rib->consumers; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			if (rib->notify_next == c)
				rib->notify_next = c->next;
			c->next = NULL;
			return;
		}
	}
}

static void
rib_notify(struct rib *rib, const struct rib_entry *e, int best_changed)
{
	struct rib_consumer *c;

	for (c = rib->consumers; c != NULL; c = rib->notify_next) {
		rib->notify_next = c->next;
		if (best_changed || c->every_change)
			c->changed(c->arg, e);
	}
	rib->notify_next = NULL;
}

void
rib_source_init(struct rib_source *src, enum rib_src_type type,
    const char *name)
{
	memset(src, 0, sizeof(*src));
	src->type = type;
	src->name = name;
}

static int
rib_prefix_ok(const struct wr_prefix *pfx, struct wr_prefix *out)
{
	if (pfx->addr.af != AF_INET && pfx->addr.af != AF_INET6)
		return 0;
	if (pfx->len > addr_bits(pfx->addr.af))
		return 0;
	*out = *pfx;
	prefix_mask(out);
	return 1;
}

/* RFC 7911 §5: a path is named by its source and its path identifier. */
static struct rib_path *
rib_find_path(const struct rib_entry *e, const struct rib_source *src,
    uint32_t path_id)
{
	struct rib_path *p;

	for (p = e->paths; p != NULL; p = p->next)
		if (p->src == src && p->path_id == path_id)
			return p;
	return NULL;
}

/*
 * Re-run the decision process after a change and tell the consumers if the
 * best path changed: another path, or the same one with other attributes.
 * An entry left without paths is announced (paths NULL) and freed.
 */
static int
rib_reselect(struct rib *rib, struct rib_entry *e,
    const struct rib_path *oldbest, const struct rib_attrs *oldattrs)
{
	if (e->paths == NULL) {
		rib_notify(rib, e, 1);
		pt_remove(rib->pt, e);
		return 1;
	}
	rib_decide(e);
	if (e->paths == oldbest && e->paths->attrs == oldattrs) {
		rib_notify(rib, e, 0);
		return 0;
	}
	rib_notify(rib, e, 1);
	return 1;
}

static struct rib_entry *
rib_entry_get(struct rib *rib, const struct wr_prefix *pfx)
{
	int created;

	/* the entry lives in the table's node (rib/pt.c) */
	return pt_get(rib->pt, pfx, &created);
}

/*
 * RFC 7911 §3: the path identifier we send must tell apart the paths of a
 * prefix.  A global counter, never 0, skipping (after a wrap) an id still
 * used in the entry.
 */
static uint32_t
rib_tx_id(struct rib *rib, const struct rib_entry *e)
{
	const struct rib_path *q;

	for (;;) {
		if (++rib->tx_next == 0)
			rib->tx_next = 1;
		for (q = e->paths; q != NULL; q = q->next)
			if (q->tx_id == rib->tx_next)
				break;
		if (q == NULL)
			return rib->tx_next;
	}
}

static struct rib_path *
rib_path_new(struct rib *rib, struct rib_entry *e, struct rib_source *src,
    uint32_t path_id, const struct rib_attrs *a)
{
	struct rib_path *p;

	if ((p = rib_pool_get(&rib->paths)) == NULL)
		return NULL;
	p->entry = e;
	p->src = src;
	p->path_id = path_id;
	p->tx_id = rib_tx_id(rib, e);
	p->attrs = a;
	p->since = (uint32_t)time(NULL);
	/* at the tail: a new path wins no full tie against an older one */
	p->next = NULL;
	if (e->paths == NULL)
		e->paths = p;
	else {
		struct rib_path *q = e->paths;

		while (q->next != NULL)
			q = q->next;
		q->next = p;
	}
	p->src_next = src->paths;
	if (src->paths != NULL)
		src->paths->src_prev = p;
	src->paths = p;
	src->npaths++;
	rib->npaths++;
	return p;
}

/* RFC 4724 §4.2: re-announced (or gone), no longer stale. */
static void
rib_path_unstale(struct rib_path *p)
{
	if (!p->stale)
		return;
	p->stale = 0;
	p->src->nstale--;
}

int
rib_update(struct rib *rib, struct rib_source *src,
    const struct wr_prefix *prefix, const struct rib_attrs *attrs)
{
	return rib_update_id(rib, src, prefix, 0, attrs);
}

int
rib_update_id(struct rib *rib, struct rib_source *src,
    const struct wr_prefix *prefix, uint32_t path_id,
    const struct rib_attrs *attrs)
{
	struct wr_prefix pfx;
	const struct rib_attrs *a, *oldattrs;
	const struct rib_path *oldbest;
	struct rib_entry *e;
	struct rib_path *p;

	if (!rib_prefix_ok(prefix, &pfx))
		return -1;
	if ((a = rib_attrs_intern(attrs)) == NULL)
		return -1;
	if ((e = rib_entry_get(rib, &pfx)) == NULL) {
		rib_attrs_unref(a);
		return -1;
	}
	oldbest = e->paths;
	oldattrs = oldbest != NULL ? oldbest->attrs : NULL;
	if ((p = rib_find_path(e, src, path_id)) != NULL) {
		rib_path_unstale(p);
		if (p->attrs == a) {
			rib_attrs_unref(a);	/* implicit withdraw of the same */
			return 0;
		}
		/* RFC 4271 §3.1: a new advertisement replaces the old one */
		rib_attrs_unref(p->attrs);
		p->attrs = a;
		p->since = (uint32_t)time(NULL);
	} else if (rib_path_new(rib, e, src, path_id, a) == NULL) {
		rib_attrs_unref(a);
		if (e->paths == NULL)
			pt_remove(rib->pt, e);
		return -1;
	}
	return rib_reselect(rib, e, oldbest, oldattrs);
}

/* Unlink and free p; the caller re-selects its entry. */
static void
rib_path_free(struct rib *rib, struct rib_path *p)
{
	struct rib_entry *e = p->entry;
	struct rib_source *src = p->src;
	struct rib_path **pp;

	for (pp = &e->paths; *pp != p; pp = &(*pp)->next)
		;
	*pp = p->next;
	if (p->src_prev != NULL)
		p->src_prev->src_next = p->src_next;
	else
		src->paths = p->src_next;
	if (p->src_next != NULL)
		p->src_next->src_prev = p->src_prev;
	src->npaths--;
	rib->npaths--;
	rib_path_unstale(p);
	rib_attrs_unref(p->attrs);
	rib_pool_put(&rib->paths, p);
}

static int
rib_path_withdraw(struct rib *rib, struct rib_path *p)
{
	struct rib_entry *e = p->entry;
	const struct rib_attrs *oldattrs = e->paths->attrs;

	if (e->paths == p) {
		/* the best goes: changed whatever comes next */
		rib_path_free(rib, p);
		return rib_reselect(rib, e, NULL, NULL);
	}
	rib_path_free(rib, p);
	return rib_reselect(rib, e, e->paths, oldattrs);
}

int
rib_withdraw(struct rib *rib, struct rib_source *src,
    const struct wr_prefix *prefix)
{
	return rib_withdraw_id(rib, src, prefix, 0);
}

int
rib_withdraw_id(struct rib *rib, struct rib_source *src,
    const struct wr_prefix *prefix, uint32_t path_id)
{
	struct wr_prefix pfx;
	struct rib_entry *e;
	struct rib_path *p;

	if (!rib_prefix_ok(prefix, &pfx))
		return 0;
	if ((e = pt_lookup(rib->pt, &pfx)) == NULL)
		return 0;
	if ((p = rib_find_path(e, src, path_id)) == NULL)
		return 0;
	return rib_path_withdraw(rib, p);
}

size_t
rib_flush_source(struct rib *rib, struct rib_source *src)
{
	size_t n = 0;

	while (src->paths != NULL) {
		rib_path_withdraw(rib, src->paths);
		n++;
	}
	return n;
}

size_t
rib_source_mark_stale(struct rib *rib, struct rib_source *src, int af)
{
	struct rib_path *p;
	size_t n = 0;

	for (p = src->paths; p != NULL; p = p->src_next) {
		if (p->stale || (af != 0 && p->entry->prefix.addr.af != af))
			continue;
		p->stale = 1;
		src->nstale++;
		n++;
	}
	return n;
}

size_t
rib_source_sweep_stale(struct rib *rib, struct rib_source *src, int af)
{
	struct rib_path *p, *next;
	size_t n = 0;

	/* A withdrawal frees only p: its successor stays valid. */
	for (p = src->paths; p != NULL && src->nstale > 0; p = next) {
		next = p->src_next;
		if (!p->stale || (af != 0 && p->entry->prefix.addr.af != af))
			continue;
		rib_path_withdraw(rib, p);
		n++;
	}
	return n;
}

const struct rib_entry *
rib_lookup(struct rib *rib, const struct wr_prefix *prefix)
{
	struct wr_prefix pfx;

	if (!rib_prefix_ok(prefix, &pfx))
		return NULL;
	return pt_lookup(rib->pt, &pfx);
}

const struct rib_entry *
rib_match(struct rib *rib, const struct wr_addr *addr)
{
	return pt_match(rib->pt, addr);
}

const struct rib_path *
rib_entry_best(const struct rib_entry *e)
{
	return e != NULL ? e->paths : NULL;
}

const struct rib_path *
rib_entry_path(const struct rib_entry *e, const struct rib_source *src)
{
	const struct rib_path *p;

	if (e == NULL)
		return NULL;
	for (p = e->paths; p != NULL; p = p->next)
		if (p->src == src)
			return p;
	return NULL;
}

int
rib_walk(struct rib *rib, int (*cb)(const struct rib_entry *, void *),
    void *arg)
{
	return pt_walk(rib->pt, cb, arg);
}

size_t
rib_prefix_count(struct rib *rib)
{
	return pt_count(rib->pt);
}

size_t
rib_path_count(struct rib *rib)
{
	return rib->npaths;
}
