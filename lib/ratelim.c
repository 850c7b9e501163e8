/*
 * lib/ratelim.c: the token bucket of lib/ratelim.h.
 */
#include "ratelim.h"

int
ratelim_take(struct ratelim *r, time_t now, unsigned burst)
{
	/*
	 * A zeroed bucket starts full.  A clock that went back refills none,
	 * but the bucket follows it, or it would stay empty until the clock
	 * caught up again.
	 */
	if (r->t == 0 || now < r->t) {
		if (r->t == 0)
			r->tokens = burst;
		r->t = now;
	} else if (now > r->t) {
		time_t add = now - r->t;

		r->tokens = add >= (time_t)burst ? burst :
		    r->tokens + (unsigned)add;
		if (r->tokens > burst)
			r->tokens = burst;
		r->t = now;
	}
	if (r->tokens == 0) {
		r->quiet++;
		return 0;
	}
	r->tokens--;
	return 1;
}

unsigned long
ratelim_quiet(struct ratelim *r)
{
	unsigned long n = r->quiet;

	r->quiet = 0;
	return n;
}
