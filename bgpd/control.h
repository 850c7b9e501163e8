/*
 * bgpd/control.h: the control socket (a UNIX stream socket) that wrenctl
 * talks to.  Protocol: the client sends one line, "text COMMAND..." or
 * "json COMMAND...", and reads the answer to EOF: a first line "OK",
 * "ERROR message" or "USAGE message", then the body (a table, or one JSON
 * object).
 */
#ifndef WREN_CONTROL_H
#define WREN_CONTROL_H

#include <stdio.h>

#define CONTROL_MAX_LINE	1024

struct wrend;
struct control;
struct sock_conf;

/*
 * Listen on path, chown'ed to sc's group if it names one; on a read-only
 * socket (sc->readonly) commands that change state get an ERROR.
 */
struct control	*control_open(struct wrend *, const char *path,
		    const struct sock_conf *sc);
void		 control_close(struct control *);
/* chown path to sc's group, if any: 0, or -1 (logged). */
int		 control_chgrp(const char *path, const struct sock_conf *sc);
/* control_exec's answer to a malformed or unknown command. */
#define CONTROL_USAGE	(-2)

/*
 * Run one command line (without the "text"/"json" word) and write the body
 * to out.  Returns 0; -1 with a one-line message in err when the command
 * failed; CONTROL_USAGE when it was not a valid command (the client then
 * reads "USAGE message" instead of "ERROR message").
 */
int		 control_exec(struct wrend *, int json, const char *line,
		    FILE *out, char *err, size_t errlen);

#endif
