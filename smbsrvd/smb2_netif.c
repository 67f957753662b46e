/*
 * smb2_netif.c — FSCTL_QUERY_NETWORK_INTERFACE_INFO (MS-SMB2 3.3.5.15.11):
 * the addresses a multichannel client may open more channels to.
 *
 * They are the addresses smbsrvd listens on ("smb listen"): a specific
 * address as itself, with the index of the interface that holds it; a
 * wildcard as every address of that family on an interface that is up.
 * An address no client could reach us at is never offered.  LinkSpeed
 * is the interface's speed from /sys/class/net (Mbit/s), or 1 Gbit/s
 * where the kernel does not know one (loopback, virtual interfaces), so
 * that a client weighing channels by speed weighs them alike.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "conn.h"
#include "msgbuf.h"
#include "ntstatus.h"
#include "server.h"
#include "smb2.h"
#include "smb2_negotiate.h"
#include "smb2_netif.h"
#include "smb2_req.h"

/* 2.2.32.5 NETWORK_INTERFACE_INFO: fixed part and SOCKADDR_STORAGE. */
#define NETIF_LEN		152
#define NETIF_FAMILY_V4		0x0002
#define NETIF_FAMILY_V6		0x0017
#define NETIF_MAX		64
#define NETIF_SPEED_DEFAULT	1000000000ull

struct netif {
	unsigned int		 ni_index;
	int			 ni_family;		/* AF_INET, AF_INET6 */
	uint8_t			 ni_addr[16];
	uint32_t		 ni_scope;
	uint64_t		 ni_speed;		/* bit/s */
};

static uint64_t
link_speed(const char *ifname)
{
	char path[96], buf[32], *end;
	long long mbit;
	FILE *fp;

	snprintf(path, sizeof(path), "/sys/class/net/%s/speed", ifname);
	if ((fp = fopen(path, "re")) == NULL)
		return NETIF_SPEED_DEFAULT;
	if (fgets(buf, sizeof(buf), fp) == NULL) {
		fclose(fp);
		return NETIF_SPEED_DEFAULT;
	}
	fclose(fp);
	mbit = strtoll(buf, &end, 10);
	if (end == buf || mbit <= 0 || mbit > 100000000)
		return NETIF_SPEED_DEFAULT;
	return (uint64_t)mbit * 1000000;
}

/* Is the address of ifa one that listening address la takes? */
static bool
listen_takes(const struct conf_addr *la, const struct sockaddr *sa)
{
	const struct sockaddr_in *l4, *a4;
	const struct sockaddr_in6 *l6, *a6;

	if (la->ca_ss.ss_family != sa->sa_family)
		return false;
	if (sa->sa_family == AF_INET) {
		l4 = (const struct sockaddr_in *)(const void *)&la->ca_ss;
		a4 = (const struct sockaddr_in *)(const void *)sa;
		return l4->sin_addr.s_addr == htonl(INADDR_ANY) ||
		    l4->sin_addr.s_addr == a4->sin_addr.s_addr;
	}
	l6 = (const struct sockaddr_in6 *)(const void *)&la->ca_ss;
	a6 = (const struct sockaddr_in6 *)(const void *)sa;
	return IN6_IS_ADDR_UNSPECIFIED(&l6->sin6_addr) ||
	    IN6_ARE_ADDR_EQUAL(&l6->sin6_addr, &a6->sin6_addr);
}

/* The interfaces' addresses the listeners take, at most max; a count. */
static size_t
netif_collect(const struct conf *cf, struct netif *out, size_t max)
{
	struct ifaddrs *ifas, *ifa;
	const struct sockaddr *sa;
	struct netif ni;
	size_t n = 0, i;
	int l;

	if (getifaddrs(&ifas) == -1)
		return 0;
	for (ifa = ifas; ifa != NULL && n < max; ifa = ifa->ifa_next) {
		if ((sa = ifa->ifa_addr) == NULL || !(ifa->ifa_flags & IFF_UP) ||
		    (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
			continue;
		for (l = 0; l < cf->cf_nsmb_listen; l++)
			if (listen_takes(&cf->cf_smb_listen[l], sa))
				break;
		if (l == cf->cf_nsmb_listen)
			continue;
		memset(&ni, 0, sizeof(ni));
		ni.ni_index = if_nametoindex(ifa->ifa_name);
		ni.ni_family = sa->sa_family;
		if (sa->sa_family == AF_INET)
			memcpy(ni.ni_addr, &((const struct sockaddr_in *)
			    (const void *)sa)->sin_addr, 4);
		else {
			const struct sockaddr_in6 *s6 =
			    (const struct sockaddr_in6 *)(const void *)sa;

			memcpy(ni.ni_addr, &s6->sin6_addr, 16);
			ni.ni_scope = s6->sin6_scope_id;
		}
		for (i = 0; i < n; i++)
			if (out[i].ni_family == ni.ni_family &&
			    memcmp(out[i].ni_addr, ni.ni_addr, 16) == 0)
				break;
		if (i < n)
			continue;
		ni.ni_speed = link_speed(ifa->ifa_name);
		out[n++] = ni;
	}
	freeifaddrs(ifas);
	return n;
}

uint32_t
netif_query(struct smb_req *r, uint32_t maxout, struct msgbuf_wr *out)
{
	struct netif nis[NETIF_MAX];
	size_t n, i, start;

	/* Only a connection that was offered multichannel may ask. */
	if (!(r->r_conn->c_server_caps & SMB2_GLOBAL_CAP_MULTI_CHANNEL))
		return STATUS_NOT_SUPPORTED;
	n = netif_collect(server.sv_conf, nis, NETIF_MAX);
	if (n == 0)
		return STATUS_NOT_SUPPORTED;
	if ((uint64_t)n * NETIF_LEN > maxout)
		return STATUS_BUFFER_TOO_SMALL;
	for (i = 0; i < n; i++) {
		start = msgbuf_wr_len(out);
		/* Next: the offset of the next entry, 0 for the last. */
		msgbuf_put_le32(out, i + 1 < n ? NETIF_LEN : 0);
		msgbuf_put_le32(out, nis[i].ni_index);
		msgbuf_put_le32(out, 0);	/* Capability: no RSS, no RDMA */
		msgbuf_put_le32(out, 0);	/* Reserved */
		msgbuf_put_le64(out, nis[i].ni_speed);
		if (nis[i].ni_family == AF_INET) {
			msgbuf_put_le16(out, NETIF_FAMILY_V4);
			msgbuf_put_le16(out, 0);		/* Port */
			msgbuf_put_bytes(out, nis[i].ni_addr, 4);
		} else {
			msgbuf_put_le16(out, NETIF_FAMILY_V6);
			msgbuf_put_le16(out, 0);		/* Port */
			msgbuf_put_le32(out, 0);		/* FlowInfo */
			msgbuf_put_bytes(out, nis[i].ni_addr, 16);
			msgbuf_put_le32(out, nis[i].ni_scope);
		}
		/* The rest of the 128-byte SOCKADDR_STORAGE is zero. */
		while (msgbuf_wr_len(out) < start + NETIF_LEN)
			msgbuf_put_u8(out, 0);
	}
	return msgbuf_wr_ok(out) ? STATUS_SUCCESS :
	    STATUS_INSUFFICIENT_RESOURCES;
}
