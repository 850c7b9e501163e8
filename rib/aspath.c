/*
 * rib/aspath.c: AS_PATH helpers on the 4-octet wire form (RFC 4271 §4.3,
 * RFC 6793): segments of type (1 octet), count (1 octet), count * 4-octet AS.
 * All but aspath_valid() assume a valid path (interned paths are), yet never
 * read past len.
 */
#include <stdio.h>
#include <string.h>

#include "rib.h"

#define SEG_HDR		2
#define SEG_MAXCOUNT	255

static uint32_t
aspath_get(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
aspath_put(uint8_t *p, uint32_t as)
{
	p[0] = as >> 24;
	p[1] = as >> 16;
	p[2] = as >> 8;
	p[3] = as;
}

/* Size of the segment at off, or 0 if it does not fit in len. */
static size_t
aspath_seglen(const uint8_t *p, size_t len, size_t off)
{
	size_t n;

	if (len - off < SEG_HDR)
		return 0;
	n = SEG_HDR + (size_t)p[off + 1] * 4;
	return n <= len - off ? n : 0;
}

int
aspath_valid(const uint8_t *p, size_t len)
{
	size_t off, n;

	for (off = 0; off < len; off += n) {
		if ((n = aspath_seglen(p, len, off)) == 0)
			return 0;
		if (p[off] < AS_SET || p[off] > AS_CONFED_SET)
			return 0;
		/* RFC 7606 §7.2: a segment of zero length is malformed */
		if (p[off + 1] == 0)
			return 0;
	}
	return 1;
}

unsigned
aspath_length(const uint8_t *p, size_t len)
{
	size_t off, n;
	unsigned l = 0;

	for (off = 0; off < len && (n = aspath_seglen(p, len, off)) != 0;
	    off += n) {
		/* RFC 4271 §9.1.2.2 a): an AS_SET counts 1; RFC 5065 §5.3:
		 * confederation segments are not counted */
		if (p[off] == AS_SEQUENCE)
			l += p[off + 1];
		else if (p[off] == AS_SET)
			l += 1;
	}
	return l;
}

/*
 * RFC 4271 §9.1.2.2 c): the neighbor AS is the leftmost AS of the path; a
 * path that is empty or starts with an AS_SET (an aggregate) counts as from
 * the local AS, returned as 0.  Leading confederation segments are skipped:
 * they stay inside the confederation (RFC 5065).
 */
uint32_t
aspath_first_as(const uint8_t *p, size_t len)
{
	size_t off, n;

	for (off = 0; off < len && (n = aspath_seglen(p, len, off)) != 0;
	    off += n) {
		if (p[off] == AS_CONFED_SEQUENCE || p[off] == AS_CONFED_SET)
			continue;
		if (p[off] == AS_SEQUENCE && p[off + 1] > 0)
			return aspath_get(p + off + SEG_HDR);
		return 0;
	}
	return 0;
}

int
aspath_contains(const uint8_t *p, size_t len, uint32_t as)
{
	size_t off, n, i;

	for (off = 0; off < len && (n = aspath_seglen(p, len, off)) != 0;
	    off += n) {
		for (i = 0; i < p[off + 1]; i++)
			if (aspath_get(p + off + SEG_HDR + i * 4) == as)
				return 1;
	}
	return 0;
}

/* How often as appears (for allow-local-as: our AS up to N times). */
unsigned
aspath_count(const uint8_t *p, size_t len, uint32_t as)
{
	size_t off, n, i;
	unsigned count = 0;

	for (off = 0; off < len && (n = aspath_seglen(p, len, off)) != 0;
	    off += n) {
		for (i = 0; i < p[off + 1]; i++)
			if (aspath_get(p + off + SEG_HDR + i * 4) == as)
				count++;
	}
	return count;
}

/*
 * RFC 4271 §5.1.2: prepend to a leading AS_SEQUENCE, else open a new one.
 * out may be the same buffer as p.
 */
int
aspath_prepend(const uint8_t *p, size_t len, uint32_t as, uint8_t *out,
    size_t outlen)
{
	size_t need;
	uint8_t count;

	if (len >= SEG_HDR && p[0] == AS_SEQUENCE &&
	    p[1] < SEG_MAXCOUNT && aspath_seglen(p, len, 0) != 0) {
		need = len + 4;
		if (need > outlen || need > INT32_MAX)
			return -1;
		count = p[1];
		memmove(out + SEG_HDR + 4, p + SEG_HDR, len - SEG_HDR);
		out[0] = AS_SEQUENCE;
		out[1] = count + 1;
		aspath_put(out + SEG_HDR, as);
		return (int)need;
	}
	need = len + SEG_HDR + 4;
	if (need > outlen || need > INT32_MAX)
		return -1;
	if (len > 0)
		memmove(out + SEG_HDR + 4, p, len);
	out[0] = AS_SEQUENCE;
	out[1] = 1;
	aspath_put(out + SEG_HDR, as);
	return (int)need;
}

/* Append to buf at *off; the output stays NUL-terminated when it is cut. */
static void
aspath_puts(char *buf, size_t buflen, size_t *off, const char *s)
{
	int n;

	if (*off >= buflen)
		return;
	n = snprintf(buf + *off, buflen - *off, "%s", s);
	if (n < 0 || (size_t)n >= buflen - *off)
		*off = buflen;
	else
		*off += (size_t)n;
}

static const char *
aspath_delim(uint8_t type, int close)
{
	switch (type) {
	case AS_SET:
		return close ? "}" : "{";
	case AS_CONFED_SEQUENCE:
		return close ? ")" : "(";
	case AS_CONFED_SET:
		return close ? "]" : "[";
	default:
		return "";
	}
}

void
aspath_fmt(const uint8_t *p, size_t len, char *buf, size_t buflen)
{
	size_t off, n, i, o = 0;
	char as[16];

	if (buflen == 0)
		return;
	buf[0] = '\0';
	for (off = 0; off < len && (n = aspath_seglen(p, len, off)) != 0;
	    off += n) {
		if (off > 0)
			aspath_puts(buf, buflen, &o, " ");
		aspath_puts(buf, buflen, &o, aspath_delim(p[off], 0));
		for (i = 0; i < p[off + 1]; i++) {
			snprintf(as, sizeof(as), "%s%u", i > 0 ? " " : "",
			    aspath_get(p + off + SEG_HDR + i * 4));
			aspath_puts(buf, buflen, &o, as);
		}
		aspath_puts(buf, buflen, &o, aspath_delim(p[off], 1));
	}
}

int
cluster_list_contains(const uint8_t *p, size_t len, uint32_t id)
{
	size_t i;

	for (i = 0; i + 4 <= len; i += 4)
		if (((uint32_t)p[i] << 24 | (uint32_t)p[i + 1] << 16 |
		    (uint32_t)p[i + 2] << 8 | p[i + 3]) == id)
			return 1;
	return 0;
}
