/*
 * tests/fuzz/fuzz_netlink.c: libFuzzer target for the kernel side of
 * kernel/kr.c: rtnetlink route and link messages as the event and dump
 * sockets hand them over (RTM_NEWROUTE, RTM_DELROUTE, RTM_NEWLINK,
 * RTM_DELLINK), through the same functions kr_msg_cb() calls: parsing
 * (kr_route_parse, RTA_MULTIPATH, RTA_VIA), then learning, adoption of our
 * own routes and link tracking, on a kr that was never started (no socket,
 * no event: what it would write stays queued).
 *
 * Input: one byte of settings (bit 0: the messages come from a dump; bit 1:
 * learn protocol 4 and blackholes too; bit 2: a device override), then
 * netlink messages back to back, walked with nlmsg_ok()/nlmsg_next() as
 * libnl walks what it receives.  kr.c is included so that its static
 * functions are reachable without changing it.
 *
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -Ilib -Irib -Ibgpd \
 *	    -Ikernel $(pkg-config --cflags libnl-route-3.0) \
 *	    tests/fuzz/fuzz_netlink.c lib/[a-z]*.c rib/[a-z]*.c \
 *	    $(pkg-config --libs libnl-route-3.0 libevent) -o fuzz_netlink
 */
#include "kr.c"

#include <syslog.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* netlink messages are 4-octet aligned; the input need not be */
static uint32_t fuzz_buf[65536 / 4];

static void
fuzz_conf(struct kernel_conf *c, uint8_t settings)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->learn[0], sizeof(c->learn[0]), "%s", "cali*");
	snprintf(c->learn[1], sizeof(c->learn[1]), "%s", "veth?");
	c->nlearn = 2;
	c->install_proto = 186;
	c->metric = 32;
	c->persist = 1;
	c->learn_tables[0] = 254;
	c->nlearn_tables = 1;
	c->install_table = 254;
	c->multipath = 16;
	c->rcvbuf = 1 << 20;
	if (settings & 2) {
		c->learn_proto[0] |= 1 << 4;	/* static */
		c->learn_blackhole = 1;
		c->learn_unreachable = 1;
	}
	if (settings & 4) {
		snprintf(c->install_device, sizeof(c->install_device), "%s", "tunl0");
		c->install_onlink = 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	struct kernel_conf conf;
	struct nlmsghdr *nlh;
	struct rib *rib;
	struct kr *kr;
	int rem;

	if (!init) {
		log_init(0, 0, "fuzz_netlink");
		log_set_level(LOG_CRIT);	/* no line per malformed message */
		init = 1;
	}
	if (size < 1 || size - 1 > sizeof(fuzz_buf))
		return 0;
	fuzz_conf(&conf, data[0]);
	memcpy(fuzz_buf, data + 1, size - 1);
	if ((rib = rib_new()) == NULL || (kr = kr_new(NULL, rib, &conf)) ==
	    NULL)
		abort();
	kr->in_dump = data[0] & 1;
	rem = (int)(size - 1);
	for (nlh = (struct nlmsghdr *)(void *)fuzz_buf; nlmsg_ok(nlh, rem);
	    nlh = nlmsg_next(nlh, &rem))
		kr_dispatch(kr, nlh);
	kr_free(kr, 0);
	rib_free(rib);
	return 0;
}
