/*
 * lib/ratelim.h: a token bucket for log lines that a remote party can
 * trigger at will (connections from strangers, malformed UPDATEs): a burst
 * at once, then one a second, and a count of what was not logged so that
 * the next line can say so.  Nothing here allocates.
 */
#ifndef WREN_RATELIM_H
#define WREN_RATELIM_H

#include <time.h>

struct ratelim {
	time_t		 t;		/* last refill */
	unsigned	 tokens;
	unsigned long	 quiet;		/* not logged since the last line */
};

/* Take a token at time now (s): 1 = log it, 0 = stay quiet (counted). */
int		 ratelim_take(struct ratelim *, time_t now, unsigned burst);
/* The count of quiet events since the last line, reset to 0. */
unsigned long	 ratelim_quiet(struct ratelim *);

#endif
