/*
 * rib/pt.h: the prefix table, mapping an IPv4 or IPv6 prefix to its
 * rib_entry.  Internal to rib/: the rest of Wren goes through rib.h.
 *
 * The table owns the entries: each one lives inside its trie node (see
 * pt.c).  pt_get() finds or creates the entry of a prefix, pt_remove()
 * unlinks and frees it; an entry pointer is valid until then.
 */
#ifndef WREN_PT_H
#define WREN_PT_H

#include <stddef.h>

#include "rib.h"

struct pt;

struct pt		*pt_new(void);
/* Free the table; fn (if not NULL) is called on every entry first (it
 * must not free it). */
void			 pt_free(struct pt *, void (*fn)(struct rib_entry *,
			    void *), void *);
/*
 * The entry of pfx (masked), created with no paths if there is none (then
 * *created is set): one descent of the table, or two to create.  NULL on
 * memory exhaustion or a bad prefix.
 */
struct rib_entry	*pt_get(struct pt *, const struct wr_prefix *,
			    int *created);
/* Unlink e and free it. */
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
