/* lib/buf.c: see buf.h. */
#include "buf.h"

#include <string.h>

void
ibuf_init(struct ibuf *b, const void *data, size_t len)
{
	b->data = data;
	b->len = len;
	b->pos = 0;
}

size_t
ibuf_left(const struct ibuf *b)
{
	return b->len - b->pos;
}

const uint8_t *
ibuf_ptr(const struct ibuf *b)
{
	return b->data + b->pos;
}

int
ibuf_get_bytes(struct ibuf *b, void *out, size_t n)
{
	if (ibuf_left(b) < n)
		return -1;
	if (n > 0)
		memcpy(out, b->data + b->pos, n);
	b->pos += n;
	return 0;
}

int
ibuf_get_u8(struct ibuf *b, uint8_t *v)
{
	return ibuf_get_bytes(b, v, 1);
}

int
ibuf_get_u16(struct ibuf *b, uint16_t *v)
{
	uint8_t x[2];

	if (ibuf_get_bytes(b, x, sizeof(x)) == -1)
		return -1;
	*v = (uint16_t)(x[0] << 8 | x[1]);
	return 0;
}

int
ibuf_get_u32(struct ibuf *b, uint32_t *v)
{
	uint8_t x[4];

	if (ibuf_get_bytes(b, x, sizeof(x)) == -1)
		return -1;
	*v = (uint32_t)x[0] << 24 | (uint32_t)x[1] << 16 |
	    (uint32_t)x[2] << 8 | x[3];
	return 0;
}

int
ibuf_skip(struct ibuf *b, size_t n)
{
	if (ibuf_left(b) < n)
		return -1;
	b->pos += n;
	return 0;
}

int
ibuf_sub(struct ibuf *b, size_t n, struct ibuf *sub)
{
	if (ibuf_left(b) < n)
		return -1;
	ibuf_init(sub, b->data + b->pos, n);
	b->pos += n;
	return 0;
}

void
wbuf_init(struct wbuf *w, void *mem, size_t cap)
{
	w->data = mem;
	w->len = 0;
	w->cap = cap;
	w->err = 0;
}

size_t
wbuf_left(const struct wbuf *w)
{
	return w->err ? 0 : w->cap - w->len;
}

int
wbuf_put_bytes(struct wbuf *w, const void *p, size_t n)
{
	if (w->err || w->cap - w->len < n) {
		w->err = 1;
		return -1;
	}
	if (n > 0)
		memcpy(w->data + w->len, p, n);
	w->len += n;
	return 0;
}

int
wbuf_put_u8(struct wbuf *w, uint8_t v)
{
	return wbuf_put_bytes(w, &v, 1);
}

int
wbuf_put_u16(struct wbuf *w, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return wbuf_put_bytes(w, x, sizeof(x));
}

int
wbuf_put_u32(struct wbuf *w, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	return wbuf_put_bytes(w, x, sizeof(x));
}

long
wbuf_reserve(struct wbuf *w, size_t n)
{
	size_t off = w->len;

	if (w->err || w->cap - w->len < n) {
		w->err = 1;
		return -1;
	}
	memset(w->data + off, 0, n);
	w->len += n;
	return (long)off;
}

int
wbuf_set_u8(struct wbuf *w, size_t off, uint8_t v)
{
	if (off >= w->len)
		return -1;
	w->data[off] = v;
	return 0;
}

int
wbuf_set_u16(struct wbuf *w, size_t off, uint16_t v)
{
	/* Written so that a huge offset cannot wrap around. */
	if (off > w->len || w->len - off < 2)
		return -1;
	w->data[off] = (uint8_t)(v >> 8);
	w->data[off + 1] = (uint8_t)v;
	return 0;
}
