/*
 * rib/pt.h: the prefix table, mapping an IPv4 or IPv6 prefix to its
 * rib_entry.  Internal to rib/: the rest of Wren goes through rib.h.
 *
 * The table does not own the entries: pt_insert() links an entry (keyed by
 * its own, masked, e->prefix) and pt_remove() unlinks it; the caller
 * allocates and frees them.  e->pt_node belongs to the table.
 */
#ifndef WREN_PT_H
#define WREN_PT_H

#include <stddef.h>

#include "rib.h"

struct pt;

struct pt		*pt_new(void);
/* Free the table; fn (if not NULL) is called on every entry first. */
void			 pt_free(struct pt *, void (*fn)(struct rib_entry *,
			    void *), void *);
/* 0, or -1 on memory exhaustion or if the prefix is already present. */
int			 pt_insert(struct pt *, struct rib_entry *);
void			 pt_remove(struct pt *, struct rib_entry *);
struct rib_entry	*pt_lookup(const struct pt *, const struct wr_prefix *);
/* Longest-prefix match of an address. */
struct rib_entry	*pt_match(const struct pt *, const struct wr_addr *);
/*
 * Walk in prefix_cmp() order (IPv4 before IPv6, then address, then
 * length); stops and returns cb's value when cb returns non-zero.  cb must
 * not insert or remove entries.
 */
int			 pt_walk(const struct pt *,
			    int (*cb)(const struct rib_entry *, void *), void *);
size_t			 pt_count(const struct pt *);
/* Bytes held by the table's nodes (for `show memory` and benchmarks). */
size_t			 pt_mem(const struct pt *);

#endif
