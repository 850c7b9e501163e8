/*
 * lib/usock.h: a listening UNIX stream socket for the daemon's control
 * sockets: non-blocking, close-on-exec, mode 0660 (they can change state),
 * replacing a stale socket of a previous run, creating the parent folder
 * (/run/wren may not exist on a fresh host).  A folder others may write
 * to without the sticky bit, or that belongs to another user (not root),
 * is refused.
 */
#ifndef WREN_USOCK_H
#define WREN_USOCK_H

/* The listening descriptor, or -1 (logged, naming it "what"). */
int	usock_listen(const char *path, const char *what);

#endif
