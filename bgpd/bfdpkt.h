/*
 * bgpd/bfdpkt.h: BFD (RFC 5880) without sockets: the control packet codec
 * with its authentication sections (§4), and the asynchronous-mode state
 * machine of one session (§6.8): reception (§6.8.6), timer negotiation
 * (§6.8.2-§6.8.4), poll/final (§6.5), detection time and jitter (§6.8.7).
 * bgpd/bfd.c owns the sockets and timers and drives these.
 */
#ifndef WREN_BFDPKT_H
#define WREN_BFDPKT_H

#include <stddef.h>
#include <stdint.h>

#define BFD_VERSION		1
#define BFD_PORT_SINGLE		3784	/* RFC 5881 §4 */
#define BFD_PORT_MULTI		4784	/* RFC 5883 §5 */
#define BFD_HDR_LEN		24
#define BFD_PKT_MAX		(BFD_HDR_LEN + 28)	/* SHA1 auth */
#define BFD_SLOW_TX		1000000	/* µs while not Up, §6.8.3 */

/* §4.1 State (Sta) */
enum bfd_state {
	BFD_ADMIN_DOWN = 0,
	BFD_DOWN = 1,
	BFD_INIT = 2,
	BFD_UP = 3,
};

/* §4.1 Diagnostic (Diag) */
#define BFD_DIAG_NONE		0
#define BFD_DIAG_DETECT		1	/* Detection Time Expired */
#define BFD_DIAG_ECHO		2
#define BFD_DIAG_NEIGHBOR_DOWN	3	/* Neighbor Signaled Down */
#define BFD_DIAG_FWD_RESET	4
#define BFD_DIAG_PATH_DOWN	5
#define BFD_DIAG_CONCAT_DOWN	6
#define BFD_DIAG_ADMIN_DOWN	7
#define BFD_DIAG_REV_CONCAT	8
#define BFD_DIAG_MAX		8

/* §4.1 flags, second octet after Sta */
#define BFD_F_POLL		0x20
#define BFD_F_FINAL		0x10
#define BFD_F_CPI		0x08	/* Control Plane Independent */
#define BFD_F_AUTH		0x04
#define BFD_F_DEMAND		0x02
#define BFD_F_MULTIPOINT	0x01

/* §4.1 Auth Type; CONF_BFD_AUTH_* in config.h use the same numbers */
#define BFD_AUTH_NONE		0
#define BFD_AUTH_SIMPLE		1
#define BFD_AUTH_KEYED_MD5	2
#define BFD_AUTH_MKEYED_MD5	3
#define BFD_AUTH_KEYED_SHA1	4
#define BFD_AUTH_MKEYED_SHA1	5
#define BFD_SIMPLE_MAX		16	/* §4.2 password octets */
#define BFD_SHA1_LEN		20	/* §4.4 key and hash octets */

struct bfd_pkt {
	uint8_t		version;
	uint8_t		diag;
	uint8_t		state;		/* enum bfd_state */
	uint8_t		flags;		/* BFD_F_* */
	uint8_t		detect_mult;
	uint8_t		length;
	uint32_t	my_discr;
	uint32_t	your_discr;
	uint32_t	des_min_tx;	/* µs */
	uint32_t	req_min_rx;	/* µs */
	uint32_t	req_min_echo_rx;	/* µs */
	/* the authentication section, when BFD_F_AUTH */
	uint8_t		auth_type;
	uint8_t		auth_len;
	uint8_t		auth_key_id;
	uint32_t	auth_seq;	/* keyed types */
	uint8_t		auth_data[BFD_SHA1_LEN];	/* password, hash */
	size_t		auth_datalen;
};

/* Why bfd_pkt_parse dropped a packet (§6.8.6); counted per reason. */
enum bfd_perr {
	BFD_OK = 0,
	BFD_E_SHORT,		/* less than a header, or than Length */
	BFD_E_VERSION,
	BFD_E_LENGTH,		/* Length below the minimum */
	BFD_E_MULT,		/* Detect Mult zero */
	BFD_E_MULTIPOINT,	/* M bit set */
	BFD_E_MY_DISCR,		/* My Discriminator zero */
	BFD_E_YOUR_DISCR,	/* zero, but the state is Init or Up */
	BFD_E_AUTH_FORMAT,	/* auth section malformed or unknown type */
	BFD_E_MAX
};

const char	*bfd_perr_name(enum bfd_perr);
const char	*bfd_state_name(uint8_t);
const char	*bfd_diag_name(uint8_t);

/*
 * Parse one control packet from len octets (a UDP payload).  Only the
 * checks that need no session are done here (§6.8.6, in its order); the
 * octets past Length are ignored.
 */
enum bfd_perr	 bfd_pkt_parse(const uint8_t *, size_t, struct bfd_pkt *);

/* Authentication of one session (§6.7). */
struct bfd_auth {
	uint8_t		type;		/* BFD_AUTH_ NONE, SIMPLE, *SHA1 */
	uint8_t		key_id;
	uint8_t		key[BFD_SHA1_LEN];
	size_t		keylen;
};

/*
 * Encode p; with auth, add the section of auth->type (p->auth_seq is the
 * sequence number) and the A bit.  Returns the length, or -1 if cap is
 * short.
 */
int		 bfd_pkt_build(const struct bfd_pkt *,
		    const struct bfd_auth *, uint8_t *, size_t cap);
/*
 * The digest or password of a parsed packet (raw: the octets it was parsed
 * from) against auth: 0 if it matches (§6.7.2, §6.7.4); the sequence
 * number is the session's business.
 */
int		 bfd_auth_verify(const struct bfd_auth *, const uint8_t *raw,
		    const struct bfd_pkt *);

/* ---- the state machine of one session ----------------------------------- */

/* What bfd_sess_rx / bfd_sess_timeout did, for the caller to act on. */
#define BFD_EV_UP		0x01	/* became Up */
#define BFD_EV_DOWN		0x02	/* left Up (or Init) for Down */
#define BFD_EV_STATE		0x04	/* any state change: send now */
#define BFD_EV_FINAL		0x08	/* a Poll came: send a Final */
#define BFD_EV_TIMERS		0x10	/* intervals changed: re-arm */

/* Why a session received packet was not taken (after parsing). */
enum bfd_rerr {
	BFD_R_OK = 0,
	BFD_R_AUTH_MISSING,	/* A bit and auth configured disagree */
	BFD_R_AUTH_TYPE,	/* a different type or key id */
	BFD_R_AUTH_BAD,		/* wrong password or digest */
	BFD_R_AUTH_SEQ,		/* sequence number out of the window */
	BFD_R_ADMIN,		/* we are AdminDown: discarded (§6.8.6) */
	BFD_R_MAX
};

struct bfd_sess {
	/* §6.8.1 state variables */
	uint8_t		state;		/* bfd.SessionState */
	uint8_t		remote_state;	/* bfd.RemoteSessionState */
	uint32_t	local_discr;
	uint32_t	remote_discr;
	uint8_t		diag;		/* bfd.LocalDiag, as sent */
	uint32_t	des_min_tx;	/* bfd.DesiredMinTxInterval, µs */
	uint32_t	req_min_rx;	/* bfd.RequiredMinRxInterval */
	uint32_t	remote_min_rx;	/* bfd.RemoteMinRxInterval */
	uint32_t	remote_des_tx;	/* last Desired Min TX received */
	uint8_t		detect_mult;	/* bfd.DetectMult */
	uint8_t		remote_mult;
	uint8_t		remote_flags;	/* BFD_F_* last received */
	uint8_t		remote_diag;
	/*
	 * §6.8.3: values in use until a poll sequence ends (an increased
	 * transmit interval, a reduced receive interval wait for the Final).
	 */
	uint32_t	tx_used;
	uint32_t	rx_used;
	int		polling;	/* P bit in what we send */
	int		rx_admin_down;	/* Down came as AdminDown */
	int		silent;		/* Detection Times, no packet */
	/* configured, µs: what we ask for once Up */
	uint32_t	conf_tx;
	uint32_t	conf_rx;
	/* §6.7.1 authentication */
	struct bfd_auth	auth;
	uint32_t	rcv_auth_seq;
	int		auth_seq_known;
	uint32_t	xmit_auth_seq;
	/* for show bfd */
	uint8_t		last_diag;	/* the diag of the last Down */
	uint32_t	flaps;		/* times Up was left */
};

/* A session in Down (§6.8.1 initial values); tx/rx in µs. */
void		 bfd_sess_init(struct bfd_sess *, uint32_t local_discr,
		    uint32_t tx, uint32_t rx, uint8_t mult,
		    const struct bfd_auth *, uint32_t seq0);
/* New intervals or multiplier: a poll sequence where §6.8.3 asks. */
int		 bfd_sess_set_params(struct bfd_sess *, uint32_t tx,
		    uint32_t rx, uint8_t mult);
/* A packet that parsed and was matched to this session (§6.8.6). */
enum bfd_rerr	 bfd_sess_rx(struct bfd_sess *, const struct bfd_pkt *,
		    const uint8_t *raw, int *events);
/* The Detection Time passed without a packet (§6.8.4). */
int		 bfd_sess_timeout(struct bfd_sess *);
/* Go AdminDown with diag (7: administratively down), or back to Down. */
int		 bfd_sess_admin(struct bfd_sess *, int down, uint8_t diag);
/*
 * The packet to send now; final: answer a poll (F bit, no P).  Advances
 * the authentication sequence.  Returns its length or -1.
 */
int		 bfd_sess_build(struct bfd_sess *, int final, uint8_t *,
		    size_t cap);
/* §6.8.4 Detection Time in µs; 0 while nothing was received. */
uint64_t	 bfd_sess_detect_time(const struct bfd_sess *);
/*
 * §6.8.7: the interval to the next periodic packet, in µs, with jitter
 * r in 0..999 (75-100 %, 75-90 % with a multiplier of 1); 0: send none.
 */
uint64_t	 bfd_sess_tx_interval(const struct bfd_sess *, uint32_t r);

#endif
