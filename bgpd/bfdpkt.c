/*
 * bgpd/bfdpkt.c: BFD control packets (RFC 5880 §4) and their
 * authentication (§6.7): simple password and (meticulous) keyed SHA1.
 * Everything read is bounds-checked through lib/buf; the authentication
 * section is parsed from its own sub-buffer.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "bfdpkt.h"
#include "buf.h"

static const char *const perr_names[BFD_E_MAX] = {
	[BFD_OK] = "ok",
	[BFD_E_SHORT] = "short",
	[BFD_E_VERSION] = "bad_version",
	[BFD_E_LENGTH] = "bad_length",
	[BFD_E_MULT] = "zero_detect_mult",
	[BFD_E_MULTIPOINT] = "multipoint",
	[BFD_E_MY_DISCR] = "zero_my_discr",
	[BFD_E_YOUR_DISCR] = "zero_your_discr",
	[BFD_E_AUTH_FORMAT] = "bad_auth_section",
};

const char *
bfd_perr_name(enum bfd_perr e)
{
	return e < BFD_E_MAX ? perr_names[e] : "?";
}

static const char *const state_names[] = {
	"AdminDown", "Down", "Init", "Up",
};

const char *
bfd_state_name(uint8_t s)
{
	return s <= BFD_UP ? state_names[s] : "?";
}

/* §4.1 Diag names, as operators know them from other implementations. */
static const char *const diag_names[] = {
	"No Diagnostic", "Control Detection Time Expired",
	"Echo Function Failed", "Neighbor Signaled Session Down",
	"Forwarding Plane Reset", "Path Down", "Concatenated Path Down",
	"Administratively Down", "Reverse Concatenated Path Down",
};

const char *
bfd_diag_name(uint8_t d)
{
	return d <= BFD_DIAG_MAX ? diag_names[d] : "Reserved";
}

/* §4.2-§4.4: the section after Auth Type and Auth Len. */
static enum bfd_perr
auth_parse(struct ibuf *a, struct bfd_pkt *p)
{
	size_t keyed;

	if (ibuf_get_u8(a, &p->auth_type) == -1 ||
	    ibuf_get_u8(a, &p->auth_len) == -1 ||
	    p->auth_len != a->len || ibuf_get_u8(a, &p->auth_key_id) == -1)
		return BFD_E_AUTH_FORMAT;
	switch (p->auth_type) {
	case BFD_AUTH_SIMPLE:
		/* §4.2: 1 to 16 octets of password */
		p->auth_datalen = ibuf_left(a);
		if (p->auth_datalen < 1 || p->auth_datalen > BFD_SIMPLE_MAX)
			return BFD_E_AUTH_FORMAT;
		return ibuf_get_bytes(a, p->auth_data, p->auth_datalen) == -1 ?
		    BFD_E_AUTH_FORMAT : BFD_OK;
	case BFD_AUTH_KEYED_MD5:
	case BFD_AUTH_MKEYED_MD5:
		keyed = 16;	/* §4.3: parsed, never accepted (no MD5) */
		break;
	case BFD_AUTH_KEYED_SHA1:
	case BFD_AUTH_MKEYED_SHA1:
		keyed = BFD_SHA1_LEN;
		break;
	default:
		return BFD_E_AUTH_FORMAT;
	}
	/* Reserved octet, sequence number, digest: exactly that long. */
	if (ibuf_skip(a, 1) == -1 || ibuf_get_u32(a, &p->auth_seq) == -1 ||
	    ibuf_left(a) != keyed ||
	    ibuf_get_bytes(a, p->auth_data, keyed) == -1)
		return BFD_E_AUTH_FORMAT;
	p->auth_datalen = keyed;
	return BFD_OK;
}

static void
hdr_parse(struct ibuf *b, struct bfd_pkt *p)
{
	uint8_t v;

	/* The caller checked that a whole header is there. */
	ibuf_get_u8(b, &v);
	p->version = v >> 5;
	p->diag = v & 0x1f;
	ibuf_get_u8(b, &v);
	p->state = v >> 6;
	p->flags = v & 0x3f;
	ibuf_get_u8(b, &p->detect_mult);
	ibuf_get_u8(b, &p->length);
	ibuf_get_u32(b, &p->my_discr);
	ibuf_get_u32(b, &p->your_discr);
	ibuf_get_u32(b, &p->des_min_tx);
	ibuf_get_u32(b, &p->req_min_rx);
	ibuf_get_u32(b, &p->req_min_echo_rx);
}

enum bfd_perr
bfd_pkt_parse(const uint8_t *buf, size_t len, struct bfd_pkt *p)
{
	struct ibuf b, a;

	memset(p, 0, sizeof(*p));
	if (len < BFD_HDR_LEN)
		return BFD_E_SHORT;
	ibuf_init(&b, buf, len);
	hdr_parse(&b, p);
	/* §6.8.6, in its order */
	if (p->version != BFD_VERSION)
		return BFD_E_VERSION;
	if (p->length < ((p->flags & BFD_F_AUTH) ? BFD_HDR_LEN + 2 :
	    BFD_HDR_LEN))
		return BFD_E_LENGTH;
	if (p->length > len)
		return BFD_E_SHORT;
	if (p->detect_mult == 0)
		return BFD_E_MULT;
	if (p->flags & BFD_F_MULTIPOINT)
		return BFD_E_MULTIPOINT;
	if (p->my_discr == 0)
		return BFD_E_MY_DISCR;
	if (p->your_discr == 0 && p->state != BFD_DOWN &&
	    p->state != BFD_ADMIN_DOWN)
		return BFD_E_YOUR_DISCR;
	if (!(p->flags & BFD_F_AUTH))
		return BFD_OK;
	if (ibuf_sub(&b, p->length - BFD_HDR_LEN, &a) == -1)
		return BFD_E_SHORT;
	return auth_parse(&a, p);
}

static int
auth_keyed(uint8_t type)
{
	return type == BFD_AUTH_KEYED_SHA1 || type == BFD_AUTH_MKEYED_SHA1;
}

/* §6.7.4: SHA1 over the packet with the key, zero-padded, in the hash. */
static int
auth_sha1(const struct bfd_auth *auth, uint8_t *pkt, size_t len,
    uint8_t out[BFD_SHA1_LEN])
{
	unsigned int outlen = 0;

	memset(pkt + BFD_HDR_LEN + 8, 0, BFD_SHA1_LEN);
	memcpy(pkt + BFD_HDR_LEN + 8, auth->key, auth->keylen);
	if (EVP_Digest(pkt, len, out, &outlen, EVP_sha1(), NULL) != 1 ||
	    outlen != BFD_SHA1_LEN)
		return -1;
	return 0;
}

static int
auth_build(const struct bfd_pkt *p, const struct bfd_auth *auth,
    struct wbuf *w)
{
	if (auth->type == BFD_AUTH_SIMPLE) {
		wbuf_put_u8(w, BFD_AUTH_SIMPLE);
		wbuf_put_u8(w, (uint8_t)(3 + auth->keylen));
		wbuf_put_u8(w, auth->key_id);
		return wbuf_put_bytes(w, auth->key, auth->keylen);
	}
	if (!auth_keyed(auth->type))
		return -1;
	wbuf_put_u8(w, auth->type);
	wbuf_put_u8(w, 8 + BFD_SHA1_LEN);
	wbuf_put_u8(w, auth->key_id);
	wbuf_put_u8(w, 0);
	wbuf_put_u32(w, p->auth_seq);
	/* the hash is computed once the packet is complete */
	return wbuf_reserve(w, BFD_SHA1_LEN) == -1 ? -1 : 0;
}

int
bfd_pkt_build(const struct bfd_pkt *p, const struct bfd_auth *auth,
    uint8_t *buf, size_t cap)
{
	struct wbuf w;
	int use_auth = auth != NULL && auth->type != BFD_AUTH_NONE;
	uint8_t hash[BFD_SHA1_LEN];

	wbuf_init(&w, buf, cap);
	wbuf_put_u8(&w, (uint8_t)(BFD_VERSION << 5 | (p->diag & 0x1f)));
	wbuf_put_u8(&w, (uint8_t)((p->state & 3) << 6 | (p->flags & 0x3e) |
	    (use_auth ? BFD_F_AUTH : 0)));
	wbuf_put_u8(&w, p->detect_mult);
	wbuf_put_u8(&w, 0);	/* Length, below */
	wbuf_put_u32(&w, p->my_discr);
	wbuf_put_u32(&w, p->your_discr);
	wbuf_put_u32(&w, p->des_min_tx);
	wbuf_put_u32(&w, p->req_min_rx);
	wbuf_put_u32(&w, p->req_min_echo_rx);
	if (use_auth && auth_build(p, auth, &w) == -1)
		return -1;
	if (w.err || w.len > 255 || wbuf_set_u8(&w, 3, (uint8_t)w.len) == -1)
		return -1;
	if (use_auth && auth_keyed(auth->type)) {
		if (auth_sha1(auth, buf, w.len, hash) == -1)
			return -1;
		memcpy(buf + BFD_HDR_LEN + 8, hash, BFD_SHA1_LEN);
	}
	return (int)w.len;
}

int
bfd_auth_verify(const struct bfd_auth *auth, const uint8_t *raw,
    const struct bfd_pkt *p)
{
	uint8_t copy[BFD_PKT_MAX], hash[BFD_SHA1_LEN];

	if (p->auth_type != auth->type || p->auth_key_id != auth->key_id)
		return -1;
	if (auth->type == BFD_AUTH_SIMPLE)
		return p->auth_datalen == auth->keylen &&
		    CRYPTO_memcmp(p->auth_data, auth->key, auth->keylen) == 0 ?
		    0 : -1;
	if (!auth_keyed(auth->type) || p->length != BFD_HDR_LEN + 28)
		return -1;
	memcpy(copy, raw, p->length);
	if (auth_sha1(auth, copy, p->length, hash) == -1)
		return -1;
	return CRYPTO_memcmp(hash, p->auth_data, BFD_SHA1_LEN) == 0 ? 0 : -1;
}
