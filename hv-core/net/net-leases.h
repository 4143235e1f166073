/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The IPv4 addresses hv-net's guests use, learnt from the frames its
 * switch forwards (docs/network.md, query-leases): DHCP ACKs, and the
 * sender of ARP requests and replies. No I/O here.
 */
#pragma once

#include <glib.h>

#include "net-frame.h"

G_BEGIN_DECLS

/* At most this many MACs (four for each of the switch's 256 ports); a new
 * one beyond it pushes out the one not seen for longest. It also keeps
 * query-leases' reply, about 80 bytes a lease, within what a control
 * socket's buffer takes at once. */
#define NET_LEASES_MAX 1024

typedef enum
{
  NET_LEASE_DHCP, /* a DHCP ACK handed the address to the MAC */
  NET_LEASE_ARP,  /* the MAC said in ARP that the address is its own */
} NetLeaseSource;

typedef struct
{
  guint8 mac[NET_MAC_LEN];
  guint32 address; /* host byte order */
  NetLeaseSource source;
  gint64 last_seen; /* g_get_monotonic_time () */
} NetLease;

typedef struct NetLeases NetLeases;

NetLeases *net_leases_new (void);
void net_leases_free (NetLeases *self);

/* ADDRESS (host byte order) is never learnt: the router's own ones. */
void net_leases_ignore_address (NetLeases *self, guint32 address);

/* Looks at one frame of LEN bytes (any length, any contents). A DHCP ACK
 * teaches chaddr -> yiaddr whatever port it came from; ARP teaches only
 * when FROM_ROUTER is FALSE, so the router's own addresses never show.
 * The newest observation of a MAC wins, but one that only repeats the
 * address the MAC has keeps its source and just refreshes LAST_SEEN. */
void net_leases_observe (NetLeases *self, const guint8 *frame, gsize len, gboolean from_router,
                         gint64 now);

/* The leases, sorted by MAC: an array to unref of const NetLease *
 * that SELF owns, valid until the next observe. */
GPtrArray *net_leases_get (NetLeases *self);

const char *net_lease_source_to_string (NetLeaseSource source);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NetLeases, net_leases_free)

G_END_DECLS
