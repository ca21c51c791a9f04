/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Network plumbing for the Rex attach tests: a private network namespace,
 * a veth pair made with rtnetlink, raw Ethernet frames sent and counted
 * with AF_PACKET sockets.
 *
 * Functions return 0 (or a count) on success and a negative errno on
 * failure.
 */
#ifndef __REX_NET_H
#define __REX_NET_H

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#define REX_NL_BUF	1024

/* A link request: header, interface message, then attributes. */
struct rex_nl_req {
	struct nlmsghdr nh;
	struct ifinfomsg ifi;
	char attrs[REX_NL_BUF];
};

/* Move into a fresh network namespace holding only a loopback device. */
static inline int rex_net_enter_netns(void)
{
	return unshare(CLONE_NEWNET) ? -errno : 0;
}

static inline void rex_nl_init(struct rex_nl_req *req, unsigned short type,
			       unsigned short flags)
{
	memset(req, 0, sizeof(*req));
	req->nh.nlmsg_len = NLMSG_LENGTH(sizeof(req->ifi));
	req->nh.nlmsg_type = type;
	req->nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	req->nh.nlmsg_seq = 1;
	req->ifi.ifi_family = AF_UNSPEC;
}

/*
 * Append attribute @type with @len bytes of @data (which may be NULL to
 * leave them zeroed) to @req; NULL when it does not fit.
 */
static inline struct rtattr *rex_nl_put(struct rex_nl_req *req, unsigned short type,
					const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(req->nh.nlmsg_len);
	struct rtattr *rta;

	if (off + RTA_SPACE(len) > sizeof(*req))
		return NULL;
	rta = (struct rtattr *)((char *)req + off);
	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (data)
		memcpy(RTA_DATA(rta), data, len);
	else
		memset(RTA_DATA(rta), 0, len);
	req->nh.nlmsg_len = off + RTA_SPACE(len);
	return rta;
}

/* Close nested attribute @nest: it now spans everything added after it. */
static inline void rex_nl_end(struct rex_nl_req *req, struct rtattr *nest)
{
	nest->rta_len = (char *)req + req->nh.nlmsg_len - (char *)nest;
}

/*
 * Send @req to the kernel.  With @reply, the first answer that is not an
 * error is copied there (up to @reply_len bytes) and 0 returned; without,
 * the kernel's acknowledgment (0 or a negative errno) is returned.
 */
static inline int rex_nl_talk(struct rex_nl_req *req, void *reply, size_t reply_len)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	union {
		struct nlmsghdr nh;	/* aligns the buffer */
		char buf[8192];
	} u;
	struct nlmsghdr *nh;
	struct nlmsgerr *err;
	int fd, ret = -EPROTO;
	ssize_t len;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (sendto(fd, req, req->nh.nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0) {
		ret = -errno;
		goto out;
	}
	for (;;) {
		len = recv(fd, u.buf, sizeof(u.buf), 0);
		if (len < 0) {
			ret = -errno;
			goto out;
		}
		for (nh = &u.nh; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_type == NLMSG_ERROR) {
				err = NLMSG_DATA(nh);
				ret = err->error;
				/* The acknowledgment follows a wanted reply. */
				if (!ret && reply)
					ret = -ENOMSG;
				goto out;
			}
			if (nh->nlmsg_type == NLMSG_DONE)
				goto out;
			if (reply) {
				memcpy(reply, nh, nh->nlmsg_len < reply_len ?
				       nh->nlmsg_len : reply_len);
				ret = 0;
				goto out;
			}
		}
	}
out:
	close(fd);
	return ret;
}

/* Create the veth pair @name, @peer_name (both down). */
static inline int rex_veth_create(const char *name, const char *peer_name)
{
	struct rex_nl_req req;
	struct rtattr *linkinfo, *data, *peer;
	struct ifinfomsg peer_ifi = { .ifi_family = AF_UNSPEC };

	rex_nl_init(&req, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
	if (!rex_nl_put(&req, IFLA_IFNAME, name, strlen(name) + 1))
		return -ENOSPC;
	linkinfo = rex_nl_put(&req, IFLA_LINKINFO, NULL, 0);
	if (!linkinfo || !rex_nl_put(&req, IFLA_INFO_KIND, "veth", sizeof("veth")))
		return -ENOSPC;
	data = rex_nl_put(&req, IFLA_INFO_DATA, NULL, 0);
	if (!data)
		return -ENOSPC;
	/* The peer is described by its own ifinfomsg and attributes. */
	peer = rex_nl_put(&req, VETH_INFO_PEER, &peer_ifi, sizeof(peer_ifi));
	if (!peer || !rex_nl_put(&req, IFLA_IFNAME, peer_name, strlen(peer_name) + 1))
		return -ENOSPC;
	rex_nl_end(&req, peer);
	rex_nl_end(&req, data);
	rex_nl_end(&req, linkinfo);
	return rex_nl_talk(&req, NULL, 0);
}

/* Set the interface @ifindex up. */
static inline int rex_link_up(int ifindex)
{
	struct rex_nl_req req;

	rex_nl_init(&req, RTM_NEWLINK, 0);
	req.ifi.ifi_index = ifindex;
	req.ifi.ifi_flags = IFF_UP;
	req.ifi.ifi_change = IFF_UP;
	return rex_nl_talk(&req, NULL, 0);
}

/* RFC 2863 operational state (IF_OPER_*) of @ifindex. */
static inline int rex_link_operstate(int ifindex)
{
	struct rex_nl_req req, reply;
	struct rtattr *rta;
	int len, ret;

	rex_nl_init(&req, RTM_GETLINK, 0);
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.ifi.ifi_index = ifindex;
	ret = rex_nl_talk(&req, &reply, sizeof(reply));
	if (ret)
		return ret;
	if (reply.nh.nlmsg_type != RTM_NEWLINK)
		return -EPROTO;
	len = (reply.nh.nlmsg_len < sizeof(reply) ? reply.nh.nlmsg_len : sizeof(reply)) -
	      NLMSG_LENGTH(sizeof(reply.ifi));
	for (rta = IFLA_RTA(&reply.ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == IFLA_OPERSTATE)
			return *(unsigned char *)RTA_DATA(rta);
	return -ENOENT;
}

/*
 * Wait up to @timeout_ms until @ifindex is operationally up: then its
 * carrier is on and its transmit queue is active, so frames sent on it are
 * not discarded by a queue that is still being set up.
 */
static inline int rex_link_wait_up(int ifindex, int timeout_ms)
{
	int state;

	for (;;) {
		state = rex_link_operstate(ifindex);
		if (state == IF_OPER_UP)
			return 0;
		if (state < 0 && state != -ENOENT)
			return state;
		if (timeout_ms <= 0)
			return -ETIMEDOUT;
		usleep(10 * 1000);
		timeout_ms -= 10;
	}
}

/*
 * if_nametoindex() needs an AF_UNIX or AF_INET socket, which a minimal test
 * kernel may lack; ask through a packet socket instead.  0 if unknown.
 */
static inline int rex_ifindex(const char *name)
{
	struct ifreq ifr = {};
	int fd, ret;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	ret = ioctl(fd, SIOCGIFINDEX, &ifr);
	close(fd);
	return ret ? 0 : ifr.ifr_ifindex;
}

/*
 * Create the veth pair @name, @peer_name and wait until both are up; their
 * ifindexes go to @ifindex and @peer_ifindex.
 */
static inline int rex_veth_setup(const char *name, const char *peer_name,
				 int *ifindex, int *peer_ifindex)
{
	int ret;

	ret = rex_veth_create(name, peer_name);
	if (ret)
		return ret;
	*ifindex = rex_ifindex(name);
	*peer_ifindex = rex_ifindex(peer_name);
	if (!*ifindex || !*peer_ifindex)
		return -ENODEV;
	ret = rex_link_up(*ifindex);
	if (!ret)
		ret = rex_link_up(*peer_ifindex);
	if (!ret)
		ret = rex_link_wait_up(*ifindex, 5000);
	if (!ret)
		ret = rex_link_wait_up(*peer_ifindex, 5000);
	return ret;
}

/*
 * An AF_PACKET socket on @ifindex that receives the frames of @ethertype
 * (ETH_P_ALL for all), non-blocking; 0 for @ethertype gives a socket that
 * only sends.  Returns the fd.
 */
static inline int rex_packet_socket(int ifindex, unsigned short ethertype)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ethertype),
		.sll_ifindex = ifindex,
	};
	int fd;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ethertype));
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

/*
 * Send @count broadcast frames of @ethertype with @len bytes (header
 * included) from the AF_PACKET socket @fd on @ifindex.  Returns how many
 * the kernel accepted; a frame that a tc program shoots at egress is
 * refused with ENOBUFS and not counted.
 */
static inline int rex_send_frames(int fd, int ifindex, unsigned short ethertype,
				  size_t len, int count)
{
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_ifindex = ifindex,
		.sll_halen = ETH_ALEN,
		.sll_protocol = htons(ethertype),
	};
	unsigned char frame[ETH_FRAME_LEN];
	int i, sent = 0;

	if (len < ETH_HLEN || len > sizeof(frame))
		return -EINVAL;
	memset(frame, 0, len);
	memset(frame, 0xff, ETH_ALEN);			/* broadcast */
	frame[ETH_ALEN] = 0x02;				/* locally administered */
	frame[ETH_ALEN + 5] = 0x01;
	frame[2 * ETH_ALEN] = ethertype >> 8;
	frame[2 * ETH_ALEN + 1] = ethertype & 0xff;
	memset(to.sll_addr, 0xff, ETH_ALEN);
	for (i = 0; i < count; i++) {
		frame[ETH_HLEN] = i;			/* tell the frames apart */
		if (sendto(fd, frame, len, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)len)
			sent++;
		else if (errno != ENOBUFS)
			return -errno;
	}
	return sent;
}

/*
 * Count the frames that arrive on the packet socket @fd (received, not
 * sent by this host) until none has come for @quiet_ms milliseconds.
 */
static inline int rex_count_frames(int fd, int quiet_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	unsigned char frame[ETH_FRAME_LEN];
	struct sockaddr_ll from;
	socklen_t from_len;
	int ret, n = 0;

	for (;;) {
		from_len = sizeof(from);
		if (recvfrom(fd, frame, sizeof(frame), 0, (struct sockaddr *)&from,
			     &from_len) >= 0) {
			if (from.sll_pkttype != PACKET_OUTGOING)
				n++;
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		ret = poll(&pfd, 1, quiet_ms);
		if (ret < 0)
			return -errno;
		if (!ret)
			return n;
	}
}

#endif /* __REX_NET_H */
