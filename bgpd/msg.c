/*
 * bgpd/msg.c: the BGP-4 message header, OPEN (with capabilities),
 * KEEPALIVE, NOTIFICATION and ROUTE-REFRESH codec (RFC 4271 §4), and the
 * error texts.  UPDATE is in update.c.  Every read goes through the ibuf
 * API; every nested TLV is parsed from its own sub-buffer.
 */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "msg.h"

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

#define OPT_PARAM_CAPA 2  /* RFC 5492 §4 */
#define OPT_PARAM_EXT 255 /* RFC 9072 §2 */
#define OPEN_FIXED_LEN 10 /* version .. opt param len */
#define GR_FWD 0x80	  /* RFC 4724 §3: forwarding state */

/* clang-format off */
static const uint8_t bgp_marker[16] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};
/* clang-format on */

/* RFC 4271 §4 and RFC 2918 §3: allowed total length for each type */
static const struct {
	uint16_t min;
	uint16_t max;
} bgp_len_table[] = {
    [BGP_OPEN] = {29, BGP_MAX_LEN},	    [BGP_UPDATE] = {23, BGP_MAX_LEN},
    [BGP_NOTIFICATION] = {21, BGP_MAX_LEN}, [BGP_KEEPALIVE] = {19, 19},
    [BGP_ROUTE_REFRESH] = {23, 23},
};

void
bgp_err_set(struct bgp_err *err, uint8_t code, uint8_t subcode,
	    const void *data, size_t datalen)
{
	err->code = code;
	err->subcode = subcode;
	if (data == NULL)
		datalen = 0;
	if (datalen > sizeof(err->data))
		datalen = sizeof(err->data);
	if (datalen > 0)
		memcpy(err->data, data, datalen);
	err->datalen = datalen;
}

/* RFC 4271 §6.1: Bad Message Length carries the erroneous length field. */
static int
bgp_err_len(struct bgp_err *err, size_t len)
{
	uint8_t d[2];

	if (len > UINT16_MAX)
		len = UINT16_MAX;
	d[0] = (uint8_t)(len >> 8);
	d[1] = (uint8_t)len;
	bgp_err_set(err, ERR_HEADER, ERR_HDR_LEN, d, sizeof(d));
	return -1;
}

static int
bgp_err_open(struct bgp_err *err, uint8_t subcode)
{
	bgp_err_set(err, ERR_OPEN, subcode, NULL, 0);
	return -1;
}

uint32_t
bgp_afi_safi_mp(uint16_t afi, uint8_t safi)
{
	if (safi != SAFI_UNICAST)
		return 0;
	if (afi == AFI_IPV4)
		return BGP_MP_IPV4_UNICAST;
	if (afi == AFI_IPV6)
		return BGP_MP_IPV6_UNICAST;
	return 0;
}

int
bgp_hdr_parse(const uint8_t *hdr, uint8_t *type, uint16_t *len,
	      struct bgp_err *err)
{
	return bgp_hdr_parse_max(hdr, BGP_MAX_LEN, type, len, err);
}

/* RFC 8654 §4: OPEN and KEEPALIVE never exceed 4096 octets */
static size_t
hdr_max_len(uint8_t type, size_t max_len)
{
	if (type == BGP_OPEN || type == BGP_KEEPALIVE || max_len < BGP_MAX_LEN)
		return bgp_len_table[type].max;
	return max_len > BGP_MAX_LEN_EXT ? BGP_MAX_LEN_EXT : max_len;
}

int
bgp_hdr_parse_max(const uint8_t *hdr, size_t max_len, uint8_t *type,
		  uint16_t *len, struct bgp_err *err)
{
	struct ibuf b;
	uint8_t marker[sizeof(bgp_marker)], t;
	uint16_t l;

	memset(err, 0, sizeof(*err));
	ibuf_init(&b, hdr, BGP_HDR_LEN);
	if (ibuf_get_bytes(&b, marker, sizeof(marker)) == -1 ||
	    ibuf_get_u16(&b, &l) == -1 || ibuf_get_u8(&b, &t) == -1)
		fatalx("%s: header buffer too short", __func__);

	/* RFC 4271 §6.1: a marker not all ones => Connection Not Synced */
	if (memcmp(marker, bgp_marker, sizeof(marker)) != 0) {
		bgp_err_set(err, ERR_HEADER, ERR_HDR_SYNC, NULL, 0);
		return -1;
	}
	if (l < BGP_MIN_LEN || l > hdr_max_len(BGP_UPDATE, max_len))
		return bgp_err_len(err, l);
	if (t >= nitems(bgp_len_table) || bgp_len_table[t].min == 0) {
		bgp_err_set(err, ERR_HEADER, ERR_HDR_TYPE, &t, 1);
		return -1;
	}
	/* ROUTE-REFRESH keeps its fixed length: Wren sends no ORFs */
	if (l < bgp_len_table[t].min || l > hdr_max_len(t, max_len) ||
	    (t == BGP_ROUTE_REFRESH && l > bgp_len_table[t].max))
		return bgp_err_len(err, l);
	*type = t;
	*len = l;
	return 0;
}

long
bgp_msg_begin(struct wbuf *w, uint8_t type)
{
	long off = (long)w->len;

	if (wbuf_put_bytes(w, bgp_marker, sizeof(bgp_marker)) == -1 ||
	    wbuf_put_u16(w, 0) == -1 || wbuf_put_u8(w, type) == -1) {
		w->len = (size_t)off;
		return -1;
	}
	return off;
}

int
bgp_msg_end(struct wbuf *w, long off)
{
	return bgp_msg_end_max(w, off, BGP_MAX_LEN);
}

int
bgp_msg_end_max(struct wbuf *w, long off, size_t max_len)
{
	size_t len;

	if (off < 0)
		return -1;
	len = w->len - (size_t)off;
	if (w->err || len > max_len || len > BGP_MAX_LEN_EXT ||
	    wbuf_set_u16(w, (size_t)off + sizeof(bgp_marker), (uint16_t)len) ==
		-1) {
		w->len = (size_t)off;
		return -1;
	}
	return 0;
}

/* ---- capabilities, RFC 5492 ------------------------------------------- */

struct bgp_capa_desc {
	uint8_t code;
	const char *name;
	int (*parse)(struct ibuf *, struct bgp_caps *, struct bgp_err *);
};

/* RFC 4760 §8: AFI (2), reserved (1), SAFI (1) */
static int
capa_mp_parse(struct ibuf *b, struct bgp_caps *c, struct bgp_err *err)
{
	uint16_t afi;
	uint8_t res, safi;

	if (ibuf_get_u16(b, &afi) == -1 || ibuf_get_u8(b, &res) == -1 ||
	    ibuf_get_u8(b, &safi) == -1 || ibuf_left(b) != 0) {
		log_debug("bad multiprotocol capability length, ignored");
		return 0;
	}
	c->mp |= bgp_afi_safi_mp(afi, safi); /* others: ignored */
	return 0;
}

static int
capa_rr_parse(struct ibuf *b, struct bgp_caps *c, struct bgp_err *err)
{
	c->route_refresh = 1; /* RFC 2918 §2: no value */
	return 0;
}

static int
capa_err_parse(struct ibuf *b, struct bgp_caps *c, struct bgp_err *err)
{
	c->enhanced_rr = 1; /* RFC 7313 §3: no value */
	return 0;
}

static int
capa_ext_msg_parse(struct ibuf *b, struct bgp_caps *c, struct bgp_err *err)
{
	c->ext_msg = 1; /* RFC 8654 §3: no value */
	return 0;
}

/* RFC 6793 §3: exactly 4 octets; RFC 7607: AS 0 is not acceptable */
static int
capa_as4_parse(struct ibuf *b, struct bgp_caps *c, struct bgp_err *err)
{
	if (ibuf_get_u32(b, &c->as4_value) == -1 || ibuf_left(b) != 0)
		return bgp_err_open(err, ERR_OPEN_UNSPECIFIC);
	if (c->as4_value == 0)
		return bgp_err_open(err, ERR_OPEN_AS);
	c->as4 = 1;
	return 0;
}

/* RFC 4724 §3: flags (4 bits), time (12 bits), then AFI/SAFI/flags */
static int
capa_gr_parse(struct ibuf *b, struct bgp_caps *c, struct bgp_err *err)
{
	uint16_t v, afi;
	uint8_t safi, flags;

	if (ibuf_get_u16(b, &v) == -1) {
		log_debug("graceful restart capability too short, ignored");
		return 0;
	}
	c->gr = 1;
	c->gr_flags = (uint8_t)(v >> 12);
	c->gr_time = v & 0x0fff;
	while (ibuf_get_u16(b, &afi) == 0 && ibuf_get_u8(b, &safi) == 0 &&
	       ibuf_get_u8(b, &flags) == 0) {
		c->gr_afs |= bgp_afi_safi_mp(afi, safi);
		if (flags & GR_FWD)
			c->gr_fwd |= bgp_afi_safi_mp(afi, safi);
	}
	return 0;
}

/*
 * RFC 8950 §3: (NLRI AFI (2), NLRI SAFI (2), Nexthop AFI (2)) tuples.  Only
 * IPv4 unicast over IPv6 next hops means anything to us.
 */
static int
capa_ext_nh_parse(struct ibuf *b, struct bgp_caps *c, struct bgp_err *err)
{
	uint16_t afi, safi, nhafi;

	if (ibuf_left(b) % 6 != 0) {
		log_debug("bad extended next hop capability length, ignored");
		return 0;
	}
	while (ibuf_get_u16(b, &afi) == 0 && ibuf_get_u16(b, &safi) == 0 &&
	       ibuf_get_u16(b, &nhafi) == 0) {
		if (nhafi == AFI_IPV6 && safi == SAFI_UNICAST)
			c->ext_nh |= bgp_afi_safi_mp(afi, SAFI_UNICAST) &
				     BGP_MP_IPV4_UNICAST;
	}
	return 0;
}

/*
 * RFC 7911 §4: (AFI (2), SAFI (1), Send/Receive (1)) tuples.  A length not
 * a multiple of 4 is malformed; tuples for families Wren does not know and
 * Send/Receive values other than 1-3 are ignored.
 */
static int
capa_addpath_parse(struct ibuf *b, struct bgp_caps *c, struct bgp_err *err)
{
	uint16_t afi;
	uint8_t safi, sr;
	uint32_t fam;

	if (ibuf_left(b) == 0 || ibuf_left(b) % 4 != 0) {
		log_debug("bad add-path capability length, ignored");
		return 0;
	}
	while (ibuf_get_u16(b, &afi) == 0 && ibuf_get_u8(b, &safi) == 0 &&
	       ibuf_get_u8(b, &sr) == 0) {
		fam = bgp_afi_safi_mp(afi, safi);
		if (sr < 1 || sr > 3)
			continue;
		if (sr & BGP_ADDPATH_RECEIVE)
			c->addpath_rx |= fam;
		if (sr & BGP_ADDPATH_SEND)
			c->addpath_tx |= fam;
	}
	return 0;
}

static const struct bgp_capa_desc bgp_capa_table[] = {
    {CAPA_ADD_PATH, "add-path", capa_addpath_parse},
    {CAPA_MP, "multiprotocol", capa_mp_parse},
    {CAPA_ROUTE_REFRESH, "route refresh", capa_rr_parse},
    {CAPA_EXT_NEXTHOP, "extended next hop", capa_ext_nh_parse},
    {CAPA_EXT_MSG, "extended message", capa_ext_msg_parse},
    {CAPA_GRACEFUL_RESTART, "graceful restart", capa_gr_parse},
    {CAPA_AS4, "4-octet AS", capa_as4_parse},
    {CAPA_ENHANCED_RR, "enhanced route refresh", capa_err_parse},
};

static const struct bgp_capa_desc *
capa_desc(uint8_t code)
{
	size_t i;

	for (i = 0; i < nitems(bgp_capa_table); i++)
		if (bgp_capa_table[i].code == code)
			return &bgp_capa_table[i];
	return NULL;
}

/* RFC 5492 §4: a list of (code, length, value); unknown ones ignored */
static int
bgp_caps_parse(struct ibuf *b, struct bgp_caps *c, struct bgp_err *err)
{
	const struct bgp_capa_desc *d;
	struct ibuf v;
	uint8_t code, len;

	while (ibuf_left(b) > 0) {
		if (ibuf_get_u8(b, &code) == -1 || ibuf_get_u8(b, &len) == -1 ||
		    ibuf_sub(b, len, &v) == -1)
			return bgp_err_open(err, ERR_OPEN_UNSPECIFIC);
		if ((d = capa_desc(code)) == NULL) {
			log_debug("unknown capability %u ignored", code);
			continue;
		}
		if (d->parse(&v, c, err) == -1) {
			log_debug("bad %s capability", d->name);
			return -1;
		}
	}
	return 0;
}

/* ---- OPEN, RFC 4271 §4.2 ---------------------------------------------- */

/*
 * RFC 9072 §2: Non-Ext OP Len 255 followed by Non-Ext OP Type 255 means a
 * 2-octet Extended Opt. Parm. Length and 2-octet parameter lengths.
 */
static int
open_params_sub(struct ibuf *b, uint8_t optlen, struct ibuf *params,
		size_t *lensz)
{
	struct ibuf peek = *b;
	uint16_t elen;
	uint8_t t;

	*lensz = 1;
	if (optlen == 255 && ibuf_get_u8(&peek, &t) == 0 &&
	    t == OPT_PARAM_EXT) {
		if (ibuf_get_u16(&peek, &elen) == -1)
			return -1;
		*b = peek;
		*lensz = 2;
		return ibuf_sub(b, elen, params);
	}
	return ibuf_sub(b, optlen, params);
}

static int
bgp_open_params(struct ibuf *b, uint8_t optlen, struct bgp_open *o,
		struct bgp_err *err)
{
	struct ibuf params, p;
	size_t lensz;
	uint16_t plen;
	uint8_t ptype, plen8 = 0;
	int r;

	/* the parameters must fill the rest of the message exactly */
	if (open_params_sub(b, optlen, &params, &lensz) == -1 ||
	    ibuf_left(b) != 0)
		return bgp_err_open(err, ERR_OPEN_UNSPECIFIC);
	while (ibuf_left(&params) > 0) {
		if (lensz == 2)
			r = ibuf_get_u8(&params, &ptype) == -1 ||
			    ibuf_get_u16(&params, &plen) == -1;
		else {
			r = ibuf_get_u8(&params, &ptype) == -1 ||
			    ibuf_get_u8(&params, &plen8) == -1;
			plen = plen8;
		}
		if (r || ibuf_sub(&params, plen, &p) == -1)
			return bgp_err_open(err, ERR_OPEN_UNSPECIFIC);
		if (ptype != OPT_PARAM_CAPA)
			return bgp_err_open(err, ERR_OPEN_OPT);
		if (bgp_caps_parse(&p, &o->caps, err) == -1)
			return -1;
	}
	return 0;
}

int
bgp_open_parse(struct ibuf *b, struct bgp_open *o, struct bgp_err *err)
{
	static const uint8_t version[2] = {0, BGP_VERSION};
	uint8_t optlen;

	memset(o, 0, sizeof(*o));
	memset(err, 0, sizeof(*err));
	if (ibuf_get_u8(b, &o->version) == -1 ||
	    ibuf_get_u16(b, &o->my_as) == -1 ||
	    ibuf_get_u16(b, &o->holdtime) == -1 ||
	    ibuf_get_u32(b, &o->bgp_id) == -1 || ibuf_get_u8(b, &optlen) == -1)
		return bgp_err_len(err, BGP_HDR_LEN + b->len);
	/* RFC 4271 §6.2: the data is the largest version we support */
	if (o->version != BGP_VERSION) {
		bgp_err_set(err, ERR_OPEN, ERR_OPEN_VERSION, version, 2);
		return -1;
	}
	if (o->my_as == 0) /* RFC 7607 §2 */
		return bgp_err_open(err, ERR_OPEN_AS);
	if (o->holdtime == 1 || o->holdtime == 2) /* RFC 4271 §6.2 */
		return bgp_err_open(err, ERR_OPEN_HOLDTIME);
	if (o->bgp_id == 0) /* RFC 6286 §2.2 */
		return bgp_err_open(err, ERR_OPEN_BGPID);
	return bgp_open_params(b, optlen, o, err);
}

/* One capability TLV; the value follows from the caller. */
static void
capa_put(struct wbuf *w, uint8_t code, uint8_t len)
{
	wbuf_put_u8(w, code);
	wbuf_put_u8(w, len);
}

static void
capa_mp_put(struct wbuf *w, uint16_t afi, uint8_t safi)
{
	capa_put(w, CAPA_MP, 4);
	wbuf_put_u16(w, afi);
	wbuf_put_u8(w, 0);
	wbuf_put_u8(w, safi);
}

/* RFC 4724 §3: one AFI/SAFI entry per family we announce */
static void
capa_gr_put(struct wbuf *w, const struct bgp_caps *c)
{
	static const uint32_t fam[] = {BGP_MP_IPV4_UNICAST,
				       BGP_MP_IPV6_UNICAST};
	size_t i, n = 0;

	for (i = 0; i < nitems(fam); i++)
		n += (c->mp & fam[i]) != 0;
	capa_put(w, CAPA_GRACEFUL_RESTART, (uint8_t)(2 + 4 * n));
	wbuf_put_u16(
	    w, (uint16_t)((c->gr_flags & 0xf) << 12 | (c->gr_time & 0x0fff)));
	for (i = 0; i < nitems(fam); i++) {
		if (!(c->mp & fam[i]))
			continue;
		wbuf_put_u16(w, fam[i] == BGP_MP_IPV4_UNICAST ? AFI_IPV4
							      : AFI_IPV6);
		wbuf_put_u8(w, SAFI_UNICAST);
		wbuf_put_u8(w, (c->gr_fwd & fam[i]) ? GR_FWD : 0);
	}
}

/* RFC 7911 §4: one tuple per family with a Send or Receive bit */
static void
capa_addpath_put(struct wbuf *w, const struct bgp_caps *c)
{
	static const uint32_t fam[] = {BGP_MP_IPV4_UNICAST,
				       BGP_MP_IPV6_UNICAST};
	size_t i, n = 0;
	uint8_t sr;

	for (i = 0; i < nitems(fam); i++)
		n += ((c->addpath_rx | c->addpath_tx) & fam[i]) != 0;
	capa_put(w, CAPA_ADD_PATH, (uint8_t)(4 * n));
	for (i = 0; i < nitems(fam); i++) {
		sr = (c->addpath_rx & fam[i] ? BGP_ADDPATH_RECEIVE : 0) |
		     (c->addpath_tx & fam[i] ? BGP_ADDPATH_SEND : 0);
		if (sr == 0)
			continue;
		wbuf_put_u16(w, fam[i] == BGP_MP_IPV4_UNICAST ? AFI_IPV4
							      : AFI_IPV6);
		wbuf_put_u8(w, SAFI_UNICAST);
		wbuf_put_u8(w, sr);
	}
}

static void
bgp_caps_put(struct wbuf *w, const struct bgp_caps *c)
{
	if (c->mp & BGP_MP_IPV4_UNICAST)
		capa_mp_put(w, AFI_IPV4, SAFI_UNICAST);
	if (c->mp & BGP_MP_IPV6_UNICAST)
		capa_mp_put(w, AFI_IPV6, SAFI_UNICAST);
	if (c->ext_nh & BGP_MP_IPV4_UNICAST) {
		/* RFC 8950 §3: IPv4 unicast NLRI, IPv6 next hops */
		capa_put(w, CAPA_EXT_NEXTHOP, 6);
		wbuf_put_u16(w, AFI_IPV4);
		wbuf_put_u16(w, SAFI_UNICAST);
		wbuf_put_u16(w, AFI_IPV6);
	}
	if (c->ext_msg)
		capa_put(w, CAPA_EXT_MSG, 0);
	if (c->route_refresh)
		capa_put(w, CAPA_ROUTE_REFRESH, 0);
	if (c->enhanced_rr)
		capa_put(w, CAPA_ENHANCED_RR, 0);
	if (c->as4) {
		capa_put(w, CAPA_AS4, 4);
		wbuf_put_u32(w, c->as4_value);
	}
	if (c->gr)
		capa_gr_put(w, c);
	if (c->addpath_rx | c->addpath_tx)
		capa_addpath_put(w, c);
}

/*
 * RFC 4271 §4.2.  With caps.as4 the AS is caps.as4_value and the 2-octet
 * field says AS_TRANS if it does not fit (RFC 6793 §4.1); all capabilities
 * go in one optional parameter (RFC 5492 §4).
 */
int
bgp_open_encode(struct wbuf *w, const struct bgp_open *o)
{
	const struct bgp_caps *c = &o->caps;
	long hdr, optlen, capalen;
	uint16_t as = o->my_as;

	if (c->as4)
		as = c->as4_value > 0xffff ? AS_TRANS : (uint16_t)c->as4_value;
	if ((hdr = bgp_msg_begin(w, BGP_OPEN)) == -1)
		return -1;
	wbuf_put_u8(w, BGP_VERSION);
	wbuf_put_u16(w, as);
	wbuf_put_u16(w, o->holdtime);
	wbuf_put_u32(w, o->bgp_id);
	if ((optlen = wbuf_reserve(w, 1)) == -1)
		return bgp_msg_end(w, hdr);
	if (c->mp || c->ext_nh || c->ext_msg || c->route_refresh ||
	    c->enhanced_rr || c->as4 || c->gr || c->addpath_rx ||
	    c->addpath_tx) {
		wbuf_put_u8(w, OPT_PARAM_CAPA);
		if ((capalen = wbuf_reserve(w, 1)) == -1)
			return bgp_msg_end(w, hdr);
		bgp_caps_put(w, c);
		wbuf_set_u8(w, (size_t)capalen,
			    (uint8_t)(w->len - (size_t)capalen - 1));
		wbuf_set_u8(w, (size_t)optlen,
			    (uint8_t)(w->len - (size_t)optlen - 1));
	}
	return bgp_msg_end(w, hdr);
}

/* ---- KEEPALIVE, NOTIFICATION, ROUTE-REFRESH ---------------------------- */

int
bgp_keepalive_encode(struct wbuf *w)
{
	return bgp_msg_end(w, bgp_msg_begin(w, BGP_KEEPALIVE));
}

/* RFC 4271 §4.4: a KEEPALIVE is the header only */
int
bgp_keepalive_parse(struct ibuf *b, struct bgp_err *err)
{
	memset(err, 0, sizeof(*err));
	if (ibuf_left(b) != 0)
		return bgp_err_len(err, BGP_HDR_LEN + ibuf_left(b));
	return 0;
}

int
bgp_notify_encode(struct wbuf *w, uint8_t code, uint8_t subcode,
		  const void *data, size_t datalen)
{
	long hdr;

	if (datalen > BGP_MAX_LEN - BGP_HDR_LEN - 2)
		return -1;
	if ((hdr = bgp_msg_begin(w, BGP_NOTIFICATION)) == -1)
		return -1;
	wbuf_put_u8(w, code);
	wbuf_put_u8(w, subcode);
	if (datalen > 0)
		wbuf_put_bytes(w, data, datalen);
	return bgp_msg_end(w, hdr);
}

/* RFC 4271 §4.5: code, subcode, data (points into the message) */
int
bgp_notify_parse(struct ibuf *b, struct bgp_notify *n)
{
	memset(n, 0, sizeof(*n));
	if (ibuf_get_u8(b, &n->code) == -1 || ibuf_get_u8(b, &n->subcode) == -1)
		return -1;
	n->datalen = ibuf_left(b);
	n->data = ibuf_ptr(b);
	return ibuf_skip(b, n->datalen);
}

/* RFC 2918 §3, RFC 7313 §3: AFI (2), subtype (1), SAFI (1) */
int
bgp_rrefresh_parse(struct ibuf *b, struct bgp_rrefresh *rr, struct bgp_err *err)
{
	memset(rr, 0, sizeof(*rr));
	memset(err, 0, sizeof(*err));
	if (ibuf_get_u16(b, &rr->afi) == -1 ||
	    ibuf_get_u8(b, &rr->subtype) == -1 ||
	    ibuf_get_u8(b, &rr->safi) == -1 || ibuf_left(b) != 0) {
		bgp_err_set(err, ERR_RREFRESH, ERR_RREFRESH_LEN, NULL, 0);
		return -1;
	}
	return 0;
}

int
bgp_rrefresh_encode(struct wbuf *w, const struct bgp_rrefresh *rr)
{
	long hdr;

	if ((hdr = bgp_msg_begin(w, BGP_ROUTE_REFRESH)) == -1)
		return -1;
	wbuf_put_u16(w, rr->afi);
	wbuf_put_u8(w, rr->subtype);
	wbuf_put_u8(w, rr->safi);
	return bgp_msg_end(w, hdr);
}

/* ---- names ------------------------------------------------------------- */

static const char *const bgp_msg_names[] = {
    [BGP_OPEN] = "OPEN",
    [BGP_UPDATE] = "UPDATE",
    [BGP_NOTIFICATION] = "NOTIFICATION",
    [BGP_KEEPALIVE] = "KEEPALIVE",
    [BGP_ROUTE_REFRESH] = "ROUTE-REFRESH",
};

const char *
bgp_msg_name(uint8_t type)
{
	if (type < nitems(bgp_msg_names) && bgp_msg_names[type] != NULL)
		return bgp_msg_names[type];
	return "unknown";
}

static const char *const err_hdr_names[] = {
    [ERR_HDR_SYNC] = "Connection Not Synchronized",
    [ERR_HDR_LEN] = "Bad Message Length",
    [ERR_HDR_TYPE] = "Bad Message Type",
};

static const char *const err_open_names[] = {
    [ERR_OPEN_VERSION] = "Unsupported Version Number",
    [ERR_OPEN_AS] = "Bad Peer AS",
    [ERR_OPEN_BGPID] = "Bad BGP Identifier",
    [ERR_OPEN_OPT] = "Unsupported Optional Parameter",
    [5] = "Authentication Failure",
    [ERR_OPEN_HOLDTIME] = "Unacceptable Hold Time",
    [ERR_OPEN_CAPA] = "Unsupported Capability",
    [11] = "Role Mismatch", /* RFC 9234 */
};

static const char *const err_upd_names[] = {
    [ERR_UPD_ATTRLIST] = "Malformed Attribute List",
    [ERR_UPD_UNKNWN_WK_ATTR] = "Unrecognized Well-known Attribute",
    [ERR_UPD_MISSING_WK_ATTR] = "Missing Well-known Attribute",
    [ERR_UPD_ATTRFLAGS] = "Attribute Flags Error",
    [ERR_UPD_ATTRLEN] = "Attribute Length Error",
    [ERR_UPD_ORIGIN] = "Invalid ORIGIN Attribute",
    [7] = "AS Routing Loop",
    [ERR_UPD_NEXTHOP] = "Invalid NEXT_HOP Attribute",
    [ERR_UPD_OPTATTR] = "Optional Attribute Error",
    [ERR_UPD_NETWORK] = "Invalid Network Field",
    [ERR_UPD_ASPATH] = "Malformed AS_PATH",
};

/* RFC 6608 §4 */
static const char *const err_fsm_names[] = {
    [1] = "Unexpected Message in OpenSent",
    [2] = "Unexpected Message in OpenConfirm",
    [3] = "Unexpected Message in Established",
};

static const char *const err_cease_names[] = {
    [ERR_CEASE_MAX_PREFIX] = "Maximum Number of Prefixes Reached",
    [ERR_CEASE_ADMIN_DOWN] = "Administrative Shutdown",
    [ERR_CEASE_PEER_UNCONF] = "Peer De-configured",
    [ERR_CEASE_ADMIN_RESET] = "Administrative Reset",
    [ERR_CEASE_CONN_REJECT] = "Connection Rejected",
    [ERR_CEASE_CONFIG_CHG] = "Other Configuration Change",
    [ERR_CEASE_COLLISION] = "Connection Collision Resolution",
    [ERR_CEASE_RESOURCES] = "Out of Resources",
    [ERR_CEASE_HARD_RESET] = "Hard Reset",
    [10] = "BFD Down", /* RFC 9384 */
};

static const char *const err_rr_names[] = {
    [ERR_RREFRESH_LEN] = "Invalid Message Length",
};

#define ERR_NAMES(a) a, nitems(a)

static const struct {
	const char *name;
	const char *const *sub;
	size_t nsub;
} bgp_err_table[] = {
    [ERR_HEADER] = {"Message Header Error", ERR_NAMES(err_hdr_names)},
    [ERR_OPEN] = {"OPEN Message Error", ERR_NAMES(err_open_names)},
    [ERR_UPDATE] = {"UPDATE Message Error", ERR_NAMES(err_upd_names)},
    [ERR_HOLDTIMER] = {"Hold Timer Expired", NULL, 0},
    [ERR_FSM] = {"Finite State Machine Error", ERR_NAMES(err_fsm_names)},
    [ERR_CEASE] = {"Cease", ERR_NAMES(err_cease_names)},
    [ERR_RREFRESH] = {"ROUTE-REFRESH Message Error", ERR_NAMES(err_rr_names)},
    [8] = {"Send Hold Timer Expired", NULL, 0}, /* RFC 9687 */
};

/* "Cease/Administrative Reset"; unknown codes and subcodes as numbers */
const char *
bgp_err_str(uint8_t code, uint8_t subcode, char *buf, size_t len)
{
	const char *cname = NULL, *sname = NULL;
	char cnum[12], snum[12];

	if (code < nitems(bgp_err_table) && bgp_err_table[code].name) {
		cname = bgp_err_table[code].name;
		if (subcode < bgp_err_table[code].nsub)
			sname = bgp_err_table[code].sub[subcode];
	}
	snprintf(cnum, sizeof(cnum), "%u", code);
	snprintf(snum, sizeof(snum), "%u", subcode);
	if (cname != NULL && subcode == 0)
		snprintf(buf, len, "%s", cname);
	else
		snprintf(buf, len, "%s/%s", cname ? cname : cnum,
			 sname ? sname : snum);
	return buf;
}
