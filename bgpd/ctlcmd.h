/*
 * bgpd/ctlcmd.h: the wrenctl command language, parsed without a daemon
 * (wrenctl checks a command before it connects; wrend checks it again; the
 * fuzz and unit tests call it alone).
 *
 *   show status
 *   show neighbors [ADDRESS]
 *   show routes [PREFIX|ADDRESS] [neighbor ADDRESS]
 *   show rib in|out neighbor ADDRESS [PREFIX|ADDRESS]
 *   show kernel
 *   show bfd [ADDRESS]
 *   reload
 *   neighbor ADDRESS refresh|down|up|restart
 *
 * A PREFIX (with '/') selects that prefix exactly; an ADDRESS the longest
 * prefix that contains it.
 */
#ifndef WREN_CTLCMD_H
#define WREN_CTLCMD_H

#include <stddef.h>

#include "addr.h"

enum ctl_cmd_id {
	CTL_SHOW_STATUS,
	CTL_SHOW_NEIGHBORS,
	CTL_SHOW_ROUTES,
	CTL_SHOW_RIB_IN,
	CTL_SHOW_RIB_OUT,
	CTL_SHOW_KERNEL,
	CTL_SHOW_BFD,		/* bgpd/bfd.c */
	CTL_RELOAD,
	CTL_NEIGHBOR,
};

enum ctl_nb_verb {
	CTL_NB_REFRESH,
	CTL_NB_DOWN,
	CTL_NB_UP,
	CTL_NB_RESTART,
};

/* ctl_cmd.flags */
#define CTL_F_NEIGHBOR	0x01	/* .neighbor given */
#define CTL_F_PREFIX	0x02	/* .prefix: exactly this prefix */
#define CTL_F_MATCH	0x04	/* .prefix.addr: its longest match */

#define CTL_MAX_WORDS	8
#define CTL_MAX_LINE	1024

struct ctl_cmd {
	enum ctl_cmd_id		 id;
	int			 flags;
	struct wr_addr		 neighbor;
	struct wr_prefix	 prefix;
	enum ctl_nb_verb	 verb;
	int			 changes_state;	/* refused on read-only sockets */
};

/*
 * Parse one command line (words separated by blanks).  Returns 0, or -1
 * with a one-line message in err: what is wrong, the closest valid word
 * when there is one ("did you mean ..."), or the command's usage.
 */
int		 ctl_cmd_parse(const char *line, struct ctl_cmd *, char *err,
		    size_t errlen);
/* "show routes", "neighbor refresh", ... */
const char	*ctl_cmd_name(const struct ctl_cmd *);
/* Every command, one per line, for usage messages. */
extern const char ctl_cmd_usage[];
/* Edit distance (Levenshtein) between two short words, capped at 99. */
int		 ctl_word_distance(const char *, const char *);

#endif
