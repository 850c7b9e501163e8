/*
 * bgpd/session.h: BGP neighbors and their sessions: the RFC 4271 §8 finite
 * state machine, TCP connections (with §6.8 collision detection), timers,
 * and the flow of UPDATEs between the wire and rib/.
 */
#ifndef WREN_SESSION_H
#define WREN_SESSION_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "config.h"
#include "msg.h"
#include "pfxset.h"
#include "ratelim.h"
#include "rib.h"

struct wrend;
struct conn;
struct event;
struct rib_out;

enum peer_state {
	ST_IDLE,
	ST_CONNECT,
	ST_ACTIVE,
	ST_OPENSENT,
	ST_OPENCONFIRM,
	ST_ESTABLISHED,
};

struct peer_stats {
	uint64_t	msg_in[BGP_ROUTE_REFRESH + 1];
	uint64_t	msg_out[BGP_ROUTE_REFRESH + 1];
	uint64_t	updates_in;
	uint64_t	updates_out;
	uint64_t	prefixes_in;	/* NLRI announced to us, in total */
	uint64_t	withdraws_in;
	uint64_t	treat_as_withdraw;	/* RFC 7606 actions taken: */
	uint64_t	attribute_discard;	/* per message, per attribute, */
	uint64_t	session_reset;		/* per reset */
	uint64_t	loops;		/* announcements rejected as loops */
	uint32_t	flaps;		/* times Established was left */
};

/* The last NOTIFICATION each way (RFC 4271 §4.5), for show neighbors. */
struct peer_notify {
	uint8_t		code;		/* 0: none yet */
	uint8_t		subcode;
	time_t		when;
};

struct peer {
	struct peer		*next;
	struct wrend		*d;
	struct neighbor_conf	 conf;		/* a copy: reload replaces it */
	enum peer_state		 state;
	time_t			 state_since;
	struct conn		*conn;		/* the session's connection */
	struct conn		*coll;		/* a second one, §6.8 */
	struct event		*t_connect;	/* ConnectRetry / idle hold */
	struct event		*t_hold;
	struct event		*t_keepalive;
	struct event		*t_drain;	/* export queue to drain */
	struct event		*t_gr;		/* RFC 4724 §4.2 restart, then
						   stale timer */
	unsigned		 idle_hold;	/* seconds, backs off on errors */
	int			 admin_down;	/* stopped: refuse connections */
	uint16_t		 hold_time;	/* negotiated */
	uint16_t		 keepalive;
	struct bgp_open		 ropen;		/* the neighbor's OPEN */
	struct bgp_parse_ctx	 ctx;
	struct rib_source	 src;		/* its Adj-RIB-In */
	struct rib_out		*out;		/* its Adj-RIB-Out */
	int			 eor_sent;
	int			 eor_rcvd;	/* from every family carried */
	uint32_t		 eor_rcvd_mp;	/* BGP_MP_*: End-of-RIB seen */
	enum {
		GR_NONE,		/* no routes kept */
		GR_RESTART,		/* down: routes kept, stale */
		GR_STALE,		/* back: stale ones wait for EoR */
	}			 gr_phase;
	struct pfxset		 rejected;	/* announced, not accepted */
	struct pol_out		 pol_in;	/* import policy scratch */
	struct event		*t_maxpfx;	/* max-prefix restart */
	int			 maxpfx_down;	/* down for max-prefix */
	time_t			 maxpfx_until;	/* then back; 0: reload */
	int			 maxpfx_warned;	/* warning-only, logged */
	int			 refresh_pending;	/* RFC 2918 */
	/*
	 * RFC 7313 §4: BGP_MP_* families whose refresh gets a BoRR before the
	 * routes (borr) and an EoRR once all of them are sent (eorr).
	 */
	uint32_t		 borr_pending;
	uint32_t		 eorr_pending;
	struct bgp_update	*upd;		/* parse scratch, large */
	char			 name[CONF_NAME_LEN + WR_ADDRSTRLEN + 4];
	char			 last_error[128];
	struct peer_stats	 stats;
	struct ratelim		 upd_log;	/* RFC 7606 log lines */
	struct bgp_caps		 lcaps;		/* our last OPEN's capabilities */
	struct peer_notify	 notify_sent;
	struct peer_notify	 notify_rcvd;
	time_t			 established_at;	/* last time; 0: never */
};

struct peer	*peer_new(struct wrend *, const struct neighbor_conf *);
void		 peer_free(struct peer *);
void		 peer_start(struct peer *);
/* Send a Cease with subcode (0: none) and go Idle; stays down if admin. */
void		 peer_stop(struct peer *, uint8_t subcode, int admin);
/*
 * A planned restart of wrend (graceful restart on, persist on): close the
 * session without a NOTIFICATION where graceful restart was negotiated, so
 * the neighbor keeps our routes (RFC 4724 §4.2); a Cease elsewhere.
 */
void		 peer_stop_graceful(struct peer *);
/*
 * Ask the neighbor to send its routes again (RFC 2918): a ROUTE-REFRESH for
 * each family carried.  -1 if the session is not Established or the
 * neighbor did not announce route refresh.
 */
int		 peer_request_refresh(struct peer *);
/* BFD (bgpd/bfd.c): the path is down (diag says why), or Up again. */
void		 peer_bfd_down(struct peer *, const char *diag);
void		 peer_bfd_up(struct peer *);
/* Cease/Administrative Reset (RFC 4486 §4), then connect again. */
void		 peer_restart(struct peer *);
/*
 * Start the End-of-RIB wait (RFC 4724 §4.1 selection deferral): when it
 * ends, or when every neighbor has sent End-of-RIB, the initial sync is
 * done.
 */
void		 peer_sync_start(struct wrend *);
/* Reload: take new settings that do not need a new session. */
void		 peer_update_conf(struct peer *, const struct neighbor_conf *);
struct peer	*peer_find(struct wrend *, const struct wr_addr *);
const char	*peer_state_name(enum peer_state);
size_t		 peer_prefixes_sent(const struct peer *);
/* The capabilities our next OPEN to this neighbor carries (RFC 5492). */
void		 peer_our_caps(const struct peer *, struct bgp_caps *);

/*
 * Listening sockets for incoming sessions: make them what conf says,
 * keeping those that stay.  All or nothing: -1 (reason in errf) changes
 * nothing.
 */
int		 listener_apply(struct wrend *, const struct wren_config *,
		    FILE *errf);
void		 listener_close_all(struct wrend *);
/* TCP MD5 and TCP-AO keys on the listeners for the current neighbors. */
void		 listener_keys_sync(struct wrend *);

#endif
