/*
 * kernel/kr.h: the kernel side.  The only module that includes libnl.
 *
 * Learning: routes of the `learn table` tables whose output device matches
 * one of the `learn interface` patterns, whose protocol is a `learn
 * protocol`, or that are blackhole/unreachable routes (`learn blackhole`,
 * `learn unreachable`) become routes of the kernel source in the rib (dump
 * at start, then live RTM_NEWROUTE/RTM_DELROUTE and link events; an overrun
 * triggers a re-dump).  Installing: kr is a rib consumer (every_change);
 * the ECMP set of each prefix, when the best path comes from BGP, is
 * installed as one route (RTA_MULTIPATH for several next hops) with our
 * rtnetlink protocol number in `install table`, replaced when the set
 * changes and removed when withdrawn.  Only routes of that protocol in that
 * table are ever touched.
 */
#ifndef WREN_KR_H
#define WREN_KR_H

#include <stdint.h>
#include <time.h>

#include "config.h"
#include "rib.h"

struct event_base;
struct kr;

struct kr_stats {
	uint64_t	learned;	/* kernel routes currently in the rib */
	uint64_t	installed;	/* our routes currently in the kernel */
	uint64_t	installs;	/* route add/replace sent */
	uint64_t	removals;	/* route delete sent */
	uint64_t	errors;		/* kernel refused a change */
	uint64_t	overruns;	/* ENOBUFS on the event socket */
	uint64_t	dumps;		/* full re-dumps done */
};

struct kr	*kr_new(struct event_base *, struct rib *,
		    const struct kernel_conf *);
/* Open the netlink sockets, dump routes and links.  0 or -1 (logged). */
int		 kr_start(struct kr *);
/* Apply a changed kernel { } block (patterns, protocol, metric, persist). */
void		 kr_reconfigure(struct kr *, const struct kernel_conf *);
/*
 * Stop: when remove_routes is set, delete every route we installed (a clean
 * stop with persist off); otherwise leave them for the next wrend.
 */
void		 kr_free(struct kr *, int remove_routes);
void		 kr_get_stats(const struct kr *, struct kr_stats *);
/*
 * Every source has re-sent its routes (e.g. End-of-RIB from all peers):
 * remove the routes adopted at start that no best path claimed, without
 * waiting for the end of the adoption grace period.
 */
void		 kr_adopt_done(struct kr *);
/*
 * One route Wren owns in the kernel, for `wrenctl show kernel`: what is
 * wanted, what the kernel has, and the last error if the kernel refused it.
 */
#define KR_MAX_NEXTHOPS	16

struct kr_route_info {
	struct wr_prefix	 prefix;
	struct wr_addr		 nexthops[KR_MAX_NEXTHOPS];
	size_t			 nnexthops;
	const char		*state;		/* "installed", "pending",
						   "failed", "adopted" */
	int			 error;		/* errno of the last failure */
	uint32_t		 failures;	/* consecutive failures */
	time_t			 since;		/* last state change */
};

/* Walk the routes Wren owns (installed, pending, failed, adopted). */
void		 kr_walk(struct kr *,
		    int (*cb)(const struct kr_route_info *, void *), void *);
/* The source whose paths are the learned kernel routes. */
struct rib_source *kr_source(struct kr *);
/* The output device of a learned kernel route, or NULL (policy). */
const char	*kr_ifname(struct kr *, const struct wr_prefix *);
/* Does pattern (shell-style, '*' and '?') match the interface name? */
int		 kr_ifmatch(const char *pattern, const char *ifname);

#endif
