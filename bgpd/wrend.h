/*
 * bgpd/wrend.h: the one daemon context.  Everything the process owns hangs
 * off struct wrend; there are no other globals.
 */
#ifndef WREN_WREND_H
#define WREN_WREND_H

#include <time.h>

#include "config.h"

#define WREN_VERSION	PACKAGE_VERSION

struct event_base;
struct event;
struct rib;
struct kr;
struct peer;
struct listener;
struct control;
struct compat;
struct bfd;
struct metrics;

struct wrend {
	struct event_base	*base;
	struct wren_config	*conf;
	const char		*conf_path;
	const char		*sock_override;	/* -s */
	struct rib		*rib;
	struct kr		*kr;
	struct peer		*peers;
	struct listener		*listeners;
	struct control		*control;
	struct compat		*compat;	/* NULL: no compat-socket */
	struct bfd		*bfd;		/* BFD sessions (bgpd/bfd.c) */
	struct control		*control_ro;	/* control-socket-readonly */
	struct metrics		*metrics;	/* bgpd/metrics.c, always */
	uint64_t		 reloads_ok;
	uint64_t		 reloads_failed;
	int			 log_forced;	/* -v: ignore log level */
	time_t			 started;
	time_t			 last_reload;	/* 0: never */
	int			 stopping;
	int			 initial_sync_done;	/* End-of-RIB from all */
	int			 gr_restarting;	/* RFC 4724: kernel routes of a
						   previous run adopted */
	struct event		*ev_eor_wait;	/* End-of-RIB wait */
	int			 nclosing;	/* connections flushing */
	/*
	 * RFC 8654: the parse scratch for 65535-octet UPDATEs (~3 MB),
	 * made when a first session negotiates extended messages and shared
	 * by all of them: an UPDATE is parsed and applied in one go.
	 */
	struct bgp_update	*upd_ext;
	struct event		*ev_sig[3];
	/*
	 * Routing policy: what every export shares (the aggregates, kernel
	 * route interfaces), and the source of the static and aggregate
	 * routes (bgpd/wrend.c).
	 */
	struct policy_env	 pol_env;
	struct rib_source	 static_src;	/* static, aggregate */
	struct rib_source	 agg_src;	/* aggregate no-blackhole */
};

/*
 * Re-read the config and apply only the difference.  On error the running
 * config stays; the errors (FILE:LINE: message lines) go to errf.
 * Returns 0 on success, -1 if the new file is invalid.
 */
int	wrend_reload(struct wrend *, FILE *errf);
/* A restarted wrend still waiting for End-of-RIB (RFC 4724 §4.1). */
int	wrend_gr_in_progress(const struct wrend *);

#endif
