/*
 * bgpd/metrics.h: an optional HTTP endpoint (libevent's evhttp) serving
 * Prometheus text metrics at /metrics: `metrics listen ADDR port N` in
 * peers.conf, off by default.  The series of other modules are added with
 * metrics_register(): a callback that writes its own families with the
 * lib/prom.h helpers (e.g. BFD session state changes).
 */
#ifndef WREN_METRICS_H
#define WREN_METRICS_H

#include <stddef.h>
#include <stdio.h>

struct wrend;
struct wren_config;
struct peer;
struct metrics;

struct metrics	*metrics_new(struct wrend *);
void		 metrics_free(struct metrics *);
/*
 * Make the endpoint what conf says, in two steps so that a reload stays
 * all or nothing: prepare binds a new address (keeping the old one) and
 * returns -1 with a message in errf if it cannot; then commit switches to
 * it (or turns the endpoint off), or abort drops it.
 */
int		 metrics_prepare(struct metrics *, const struct wren_config *,
		    FILE *errf);
void		 metrics_commit(struct metrics *);
void		 metrics_abort(struct metrics *);

/*
 * Another module's series: collect writes whole families (prom_family,
 * then prom_sample for each sample) each time /metrics is scraped.
 * Returns 0, or -1 when out of memory.
 */
typedef void	(*metrics_collect_cb)(FILE *, void *arg);
int		 metrics_register(struct metrics *, metrics_collect_cb,
		    void *arg);
void		 metrics_unregister(struct metrics *, metrics_collect_cb,
		    void *arg);
/* The whole exposition, as served. */
void		 metrics_write(struct metrics *, FILE *);

/* Per family (0 IPv4 unicast, 1 IPv6 unicast): a neighbor's prefixes. */
struct metrics_pfx {
	size_t		accepted[2];	/* in its Adj-RIB-In */
	size_t		rejected[2];	/* announced, not accepted */
	size_t		stale[2];	/* RFC 4724 §4.2 */
	size_t		advertised[2];	/* in its Adj-RIB-Out */
};
void		 metrics_peer_prefixes(const struct peer *,
		    struct metrics_pfx *);

#endif
