/*
 * lib/buf.h: bounds-checked buffers for everything read from or written to
 * the wire.  Every getter fails (returns -1) instead of reading past the end;
 * a nested TLV is parsed from its own sub-buffer (ibuf_sub) so that a bad
 * inner length can never run into the bytes that follow it.
 * Multi-byte values are network byte order on the wire, host order here.
 */
#ifndef WREN_BUF_H
#define WREN_BUF_H

#include <stddef.h>
#include <stdint.h>

struct ibuf {
	const uint8_t	*data;
	size_t		 len;
	size_t		 pos;
};

void		 ibuf_init(struct ibuf *, const void *, size_t);
size_t		 ibuf_left(const struct ibuf *);
const uint8_t	*ibuf_ptr(const struct ibuf *);
int		 ibuf_get_u8(struct ibuf *, uint8_t *);
int		 ibuf_get_u16(struct ibuf *, uint16_t *);
int		 ibuf_get_u32(struct ibuf *, uint32_t *);
int		 ibuf_get_bytes(struct ibuf *, void *, size_t);
int		 ibuf_skip(struct ibuf *, size_t);
int		 ibuf_sub(struct ibuf *, size_t, struct ibuf *);

/* Writer over caller memory of fixed capacity; err sticks after overflow. */
struct wbuf {
	uint8_t	*data;
	size_t	 len;
	size_t	 cap;
	int	 err;
};

void	wbuf_init(struct wbuf *, void *, size_t);
size_t	wbuf_left(const struct wbuf *);
int	wbuf_put_u8(struct wbuf *, uint8_t);
int	wbuf_put_u16(struct wbuf *, uint16_t);
int	wbuf_put_u32(struct wbuf *, uint32_t);
int	wbuf_put_bytes(struct wbuf *, const void *, size_t);
/* Reserve n bytes to fill in later (a length field); returns the offset or -1. */
long	wbuf_reserve(struct wbuf *, size_t);
int	wbuf_set_u8(struct wbuf *, size_t, uint8_t);
int	wbuf_set_u16(struct wbuf *, size_t, uint16_t);

#endif
