/*
 * lib/pfxset.h: a set of prefixes (open addressing, linear probing), for
 * bookkeeping that must stay O(1) per prefix however large it grows, such as
 * the announcements a neighbor made that were not accepted.
 */
#ifndef WREN_PFXSET_H
#define WREN_PFXSET_H

#include <stddef.h>

#include "addr.h"

struct pfxset {
	struct wr_prefix	*slots;	/* af 0: empty */
	size_t			 nslots;	/* 0 or a power of two */
	size_t			 count;
};

/* 1 if added, 0 if already there, -1 on memory exhaustion. */
int	pfxset_add(struct pfxset *, const struct wr_prefix *);
/* 1 if removed, 0 if it was not there. */
int	pfxset_del(struct pfxset *, const struct wr_prefix *);
int	pfxset_has(const struct pfxset *, const struct wr_prefix *);
void	pfxset_clear(struct pfxset *);

#endif
