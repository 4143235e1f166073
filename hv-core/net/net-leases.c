/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Address snooping. Every frame comes from an untrusted guest, so each
 * header is checked against the bytes that are really there before a
 * field is read: a frame that is short, truncated or inconsistent teaches
 * nothing. The table is bounded: a guest inventing MACs pushes out old
 * entries, one at a time, and never grows it.
 */

#include "config.h"

#include "net-leases.h"

#include <string.h>

#define ETH_TYPE_IPV4 0x0800
#define ETH_TYPE_ARP  0x0806

#define IPV4_MIN_HEADER 20
#define IPV4_PROTO_UDP  17
#define UDP_HEADER      8
#define ARP_IPV4_LEN    28

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define BOOTP_REPLY      2
#define BOOTP_FIXED_LEN  236 /* up to the magic cookie */
#define DHCP_COOKIE      0x63825363
#define DHCP_OPT_PAD     0
#define DHCP_OPT_TYPE    53
#define DHCP_OPT_END     255
#define DHCP_ACK         5

typedef struct
{
  NetLease lease;
  GList link; /* in NetLeases.order; data is the Entry */
} Entry;

struct NetLeases
{
  GHashTable *entries; /* guint64 MAC -> Entry (owned) */
  GQueue order;        /* Entry links, least recently seen first */
  GArray *ignored;     /* guint32 */
};

NetLeases *
net_leases_new (void)
{
  NetLeases *self = g_new0 (NetLeases, 1);

  self->entries = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  g_queue_init (&self->order);
  self->ignored = g_array_new (FALSE, FALSE, sizeof (guint32));
  return self;
}

void
net_leases_free (NetLeases *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->ignored);
  g_hash_table_unref (self->entries);
  g_free (self);
}

void
net_leases_ignore_address (NetLeases *self, guint32 address)
{
  g_array_append_val (self->ignored, address);
}

const char *
net_lease_source_to_string (NetLeaseSource source)
{
  return source == NET_LEASE_DHCP ? "dhcp" : "arp";
}

static guint16
get16 (const guint8 *p)
{
  return (guint16) (p[0] << 8 | p[1]);
}

static guint32
get32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

/* A station's own unicast MAC: not a group address, not all zeroes. */
static gboolean
is_station_mac (const guint8 *mac)
{
  static const guint8 zero[NET_MAC_LEN] = { 0 };

  return !net_mac_is_group (mac) && memcmp (mac, zero, NET_MAC_LEN) != 0;
}

/* Not 0.0.0.0/8 ("this network"), not loopback, not multicast, reserved
 * or broadcast (224.0.0.0 and up), not the router's. */
static gboolean
is_host_address (NetLeases *self, guint32 address)
{
  guint8 first = address >> 24;

  if (first == 0 || first == 127 || first >= 224)
    return FALSE;
  for (guint i = 0; i < self->ignored->len; i++)
    if (g_array_index (self->ignored, guint32, i) == address)
      return FALSE;
  return TRUE;
}

static void
learn (NetLeases *self, const guint8 *mac, guint32 address, NetLeaseSource source, gint64 now)
{
  guint64 key;
  Entry *entry;
  gboolean is_new = FALSE;

  if (!is_station_mac (mac) || !is_host_address (self, address))
    return;
  key = net_mac_to_u64 (mac);
  entry = g_hash_table_lookup (self->entries, &key);
  if (entry != NULL)
    g_queue_unlink (&self->order, &entry->link);
  else
    {
      if (g_hash_table_size (self->entries) >= NET_LEASES_MAX)
        {
          Entry *oldest = g_queue_peek_head (&self->order);
          guint64 oldest_key = net_mac_to_u64 (oldest->lease.mac);

          g_queue_unlink (&self->order, &oldest->link);
          g_hash_table_remove (self->entries, &oldest_key);
        }
      entry = g_new0 (Entry, 1);
      entry->link.data = entry;
      is_new = TRUE;
      memcpy (entry->lease.mac, mac, NET_MAC_LEN);
      g_hash_table_insert (self->entries, g_memdup2 (&key, sizeof key), entry);
    }
  /* The same address again (a DHCP client ARPing for its gateway) keeps
   * the source that taught it; a different one replaces it. */
  if (is_new || entry->lease.address != address)
    entry->lease.source = source;
  entry->lease.address = address;
  entry->lease.last_seen = now;
  g_queue_push_tail_link (&self->order, &entry->link);
}

/* An ARP request or reply for IPv4 over Ethernet (P, LEN bytes after the
 * Ethernet header): its sender. */
static void
observe_arp (NetLeases *self, const guint8 *frame, const guint8 *p, gsize len, gint64 now)
{
  guint16 op;

  if (len < ARP_IPV4_LEN || get16 (p) != 1 || get16 (p + 2) != ETH_TYPE_IPV4 || p[4] != 6 ||
      p[5] != 4)
    return;
  op = get16 (p + 6);
  if (op != 1 && op != 2)
    return;
  /* Whoever speaks for another MAC is not telling about itself. */
  if (memcmp (p + 8, frame + NET_MAC_LEN, NET_MAC_LEN) != 0)
    return;
  learn (self, p + 8, get32 (p + 14), NET_LEASE_ARP, now);
}

/* The DHCP message type in the options of BOOTP message P (LEN bytes,
 * at least BOOTP_FIXED_LEN + 4), or 0. */
static guint8
dhcp_message_type (const guint8 *p, gsize len)
{
  gsize i = BOOTP_FIXED_LEN + 4;

  while (i < len)
    {
      guint8 code = p[i];
      guint8 option_len;

      if (code == DHCP_OPT_END)
        break;
      if (code == DHCP_OPT_PAD)
        {
          i++;
          continue;
        }
      if (i + 1 >= len)
        break;
      option_len = p[i + 1];
      if (option_len > len - i - 2)
        break; /* runs past the message */
      if (code == DHCP_OPT_TYPE && option_len >= 1)
        return p[i + 2];
      i += 2 + option_len;
    }
  return 0;
}

/* A BOOTP message from a server's port to a client's: P, LEN bytes. */
static void
observe_bootp_reply (NetLeases *self, const guint8 *p, gsize len, gint64 now)
{
  if (len < BOOTP_FIXED_LEN + 4 || p[0] != BOOTP_REPLY || p[1] != 1 || p[2] != NET_MAC_LEN ||
      get32 (p + BOOTP_FIXED_LEN) != DHCP_COOKIE)
    return;
  if (dhcp_message_type (p, len) != DHCP_ACK)
    return;
  learn (self, p + 28, get32 (p + 16), NET_LEASE_DHCP, now);
}

/* An IPv4 packet (P, LEN bytes after the Ethernet header, which may
 * include padding beyond the packet): a DHCP reply in it, if any. */
static void
observe_ipv4 (NetLeases *self, const guint8 *p, gsize len, gint64 now)
{
  gsize header;
  gsize total;
  const guint8 *udp;
  gsize udp_len;

  if (len < IPV4_MIN_HEADER || (p[0] >> 4) != 4 || p[9] != IPV4_PROTO_UDP)
    return;
  header = (gsize) (p[0] & 0x0f) * 4;
  total = get16 (p + 2);
  if (header < IPV4_MIN_HEADER || total < header || total > len)
    return;
  if ((get16 (p + 6) & 0x3fff) != 0)
    return; /* a fragment: more fragments, or not the first */
  udp = p + header;
  udp_len = total - header;
  if (udp_len < UDP_HEADER || get16 (udp) != DHCP_SERVER_PORT ||
      get16 (udp + 2) != DHCP_CLIENT_PORT)
    return;
  if (get16 (udp + 4) < UDP_HEADER || get16 (udp + 4) > udp_len)
    return;
  observe_bootp_reply (self, udp + UDP_HEADER, get16 (udp + 4) - UDP_HEADER, now);
}

void
net_leases_observe (NetLeases *self, const guint8 *frame, gsize len, gboolean from_router,
                    gint64 now)
{
  guint16 type;

  if (frame == NULL || len < NET_ETH_HEADER_LEN)
    return;
  type = get16 (frame + 12);
  if (type == ETH_TYPE_IPV4)
    observe_ipv4 (self, frame + NET_ETH_HEADER_LEN, len - NET_ETH_HEADER_LEN, now);
  else if (type == ETH_TYPE_ARP && !from_router)
    observe_arp (self, frame, frame + NET_ETH_HEADER_LEN, len - NET_ETH_HEADER_LEN, now);
}

static int
compare_leases (gconstpointer a, gconstpointer b)
{
  const NetLease *x = *(const NetLease *const *) a;
  const NetLease *y = *(const NetLease *const *) b;

  return memcmp (x->mac, y->mac, NET_MAC_LEN);
}

GPtrArray *
net_leases_get (NetLeases *self)
{
  GPtrArray *leases = g_ptr_array_sized_new (self->order.length);

  for (GList *l = self->order.head; l != NULL; l = l->next)
    g_ptr_array_add (leases, &((Entry *) l->data)->lease);
  g_ptr_array_sort (leases, compare_leases);
  return leases;
}
