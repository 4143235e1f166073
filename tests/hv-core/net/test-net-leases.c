/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hv-net's address snooping alone (net-leases.c): what a DHCP ACK and
 * ARP teach, what they must not, which observation wins, the bound on
 * the table, and frames cut short or lying about their lengths, each
 * handed over in a buffer of exactly its length.
 */

#include "config.h"

#include <string.h>

#include "net-leases.h"
#include "net-packets.h"

#define NOW (1000 * G_USEC_PER_SEC)

static const guint8 router_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };
static const guint8 mac_a[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x0a };
static const guint8 mac_b[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x0b };
static const guint8 mac_c[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x0c };

/* Observes a copy of exactly LEN bytes. */
static void
observe (NetLeases *leases, const guint8 *frame, gsize len, gboolean from_router, gint64 now)
{
  g_autofree guint8 *copy = g_memdup2 (frame, len);

  net_leases_observe (leases, copy, len, from_router, now);
}

static guint
count (NetLeases *leases)
{
  g_autoptr (GPtrArray) all = net_leases_get (leases);

  return all->len;
}

/* The lease of MAC, or NULL. */
static const NetLease *
find (NetLeases *leases, const guint8 *mac)
{
  g_autoptr (GPtrArray) all = net_leases_get (leases);

  for (guint i = 0; i < all->len; i++)
    {
      const NetLease *lease = g_ptr_array_index (all, i);

      if (memcmp (lease->mac, mac, 6) == 0)
        return lease;
    }
  return NULL;
}

static void
assert_lease (NetLeases *leases, const guint8 *mac, const char *address, NetLeaseSource source)
{
  const NetLease *lease = find (leases, mac);

  g_assert_nonnull (lease);
  g_assert_cmphex (lease->address, ==, pkt_ip (address));
  g_assert_cmpstr (net_lease_source_to_string (lease->source), ==,
                   net_lease_source_to_string (source));
}

static gsize
ack (guint8 *frame, const guint8 *client, const char *address)
{
  return pkt_dhcp_reply (frame, 5, router_mac, pkt_ip ("10.0.2.2"), client, 7, pkt_ip (address));
}

static void
test_dhcp (void)
{
  g_autoptr (NetLeases) leases = net_leases_new ();
  guint8 frame[PKT_BUFFER];
  gsize n;

  /* What the client sends, and the OFFER, teach nothing. */
  observe (leases, frame, pkt_dhcp_discover (frame, mac_a, 7), FALSE, NOW);
  observe (leases, frame,
           pkt_dhcp_request (frame, mac_a, 7, pkt_ip ("10.0.2.15"), pkt_ip ("10.0.2.2")), FALSE,
           NOW);
  n = pkt_dhcp_reply (frame, 2, router_mac, pkt_ip ("10.0.2.2"), mac_a, 7, pkt_ip ("10.0.2.15"));
  observe (leases, frame, n, TRUE, NOW);
  g_assert_cmpuint (count (leases), ==, 0);

  /* The ACK does, from the router or from a guest's DHCP server. */
  observe (leases, frame, ack (frame, mac_a, "10.0.2.15"), TRUE, NOW);
  observe (leases, frame, ack (frame, mac_b, "192.168.9.20"), FALSE, NOW);
  g_assert_cmpuint (count (leases), ==, 2);
  assert_lease (leases, mac_a, "10.0.2.15", NET_LEASE_DHCP);
  assert_lease (leases, mac_b, "192.168.9.20", NET_LEASE_DHCP);
  g_assert_cmpint (find (leases, mac_a)->last_seen, ==, NOW);

  /* Ethernet padding beyond the IPv4 packet is fine. */
  n = ack (frame, mac_c, "10.0.2.16");
  memset (frame + n, 0xee, 20);
  observe (leases, frame, n + 20, TRUE, NOW);
  assert_lease (leases, mac_c, "10.0.2.16", NET_LEASE_DHCP);
}

static void
test_arp (void)
{
  g_autoptr (NetLeases) leases = net_leases_new ();
  guint8 frame[PKT_BUFFER];
  gsize n;

  net_leases_ignore_address (leases, pkt_ip ("10.0.2.2"));
  observe (leases, frame,
           pkt_arp_request (frame, mac_a, pkt_ip ("192.168.7.1"), pkt_ip ("192.168.7.2")), FALSE,
           NOW);
  observe (leases, frame,
           pkt_arp_reply (frame, mac_b, pkt_ip ("192.168.7.2"), mac_a, pkt_ip ("192.168.7.1")),
           FALSE, NOW);
  g_assert_cmpuint (count (leases), ==, 2);
  assert_lease (leases, mac_a, "192.168.7.1", NET_LEASE_ARP);
  assert_lease (leases, mac_b, "192.168.7.2", NET_LEASE_ARP);

  /* Never learnt: the router's ARP, a sender that is not the frame's
   * source, a probe (0.0.0.0), broadcast, multicast, loopback, the
   * router's addresses, a group or zero MAC, an operation not 1 or 2. */
  observe (leases, frame,
           pkt_arp_request (frame, mac_c, pkt_ip ("192.168.7.3"), pkt_ip ("192.168.7.1")), TRUE,
           NOW);
  n = pkt_arp_request (frame, mac_c, pkt_ip ("192.168.7.3"), pkt_ip ("192.168.7.1"));
  frame[6 + 5] ^= 1; /* the Ethernet source */
  observe (leases, frame, n, FALSE, NOW);
  {
    const char *bad[] = { "0.0.0.0",   "0.1.2.3",   "255.255.255.255", "224.0.0.1",
                          "239.1.1.1", "240.0.0.1", "127.0.0.1",       "10.0.2.2" };

    for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
      observe (leases, frame, pkt_arp_request (frame, mac_c, pkt_ip (bad[i]), 1), FALSE, NOW);
  }
  {
    const guint8 group[6] = { 0x53, 0x54, 0x00, 0x00, 0x00, 0x0c };
    const guint8 zero[6] = { 0 };

    observe (leases, frame, pkt_arp_request (frame, group, pkt_ip ("192.168.7.3"), 1), FALSE, NOW);
    observe (leases, frame, pkt_arp_request (frame, zero, pkt_ip ("192.168.7.3"), 1), FALSE, NOW);
    observe (leases, frame, ack (frame, group, "10.0.2.17"), TRUE, NOW);
  }
  n = pkt_arp_request (frame, mac_c, pkt_ip ("192.168.7.3"), 1);
  frame[14 + 7] = 3;
  observe (leases, frame, n, FALSE, NOW);
  n = pkt_arp_request (frame, mac_c, pkt_ip ("192.168.7.3"), 1);
  frame[14 + 4] = 8; /* hardware address length */
  observe (leases, frame, n, FALSE, NOW);
  g_assert_cmpuint (count (leases), ==, 2);
  g_assert_null (find (leases, mac_c));
}

static void
test_newest_wins (void)
{
  g_autoptr (NetLeases) leases = net_leases_new ();
  guint8 frame[PKT_BUFFER];

  observe (leases, frame, ack (frame, mac_a, "10.0.2.15"), TRUE, NOW);
  /* The client ARPs for its gateway: the same address, still dhcp. */
  observe (leases, frame, pkt_arp_request (frame, mac_a, pkt_ip ("10.0.2.15"), pkt_ip ("10.0.2.2")),
           FALSE, NOW + 5 * G_USEC_PER_SEC);
  assert_lease (leases, mac_a, "10.0.2.15", NET_LEASE_DHCP);
  g_assert_cmpint (find (leases, mac_a)->last_seen, ==, NOW + 5 * G_USEC_PER_SEC);
  /* The guest takes another address by hand: that is what it uses now. */
  observe (leases, frame, pkt_arp_request (frame, mac_a, pkt_ip ("10.0.2.99"), pkt_ip ("10.0.2.2")),
           FALSE, NOW + 6 * G_USEC_PER_SEC);
  assert_lease (leases, mac_a, "10.0.2.99", NET_LEASE_ARP);
  observe (leases, frame, ack (frame, mac_a, "10.0.2.16"), TRUE, NOW + 7 * G_USEC_PER_SEC);
  assert_lease (leases, mac_a, "10.0.2.16", NET_LEASE_DHCP);
  g_assert_cmpuint (count (leases), ==, 1);
}

static void
test_sorted (void)
{
  g_autoptr (NetLeases) leases = net_leases_new ();
  g_autoptr (GPtrArray) all = NULL;
  guint8 frame[PKT_BUFFER];
  const guint8 *order[] = { mac_c, mac_a, mac_b };

  for (gsize i = 0; i < G_N_ELEMENTS (order); i++)
    observe (leases, frame, pkt_arp_request (frame, order[i], pkt_ip ("192.168.7.1") + i, 1), FALSE,
             NOW);
  all = net_leases_get (leases);
  g_assert_cmpuint (all->len, ==, 3);
  g_assert_cmpmem (((const NetLease *) all->pdata[0])->mac, 6, mac_a, 6);
  g_assert_cmpmem (((const NetLease *) all->pdata[1])->mac, 6, mac_b, 6);
  g_assert_cmpmem (((const NetLease *) all->pdata[2])->mac, 6, mac_c, 6);
}

/* A MAC of its own for I. */
static void
numbered_mac (guint8 *mac, guint i)
{
  mac[0] = 0x52;
  mac[1] = 0x54;
  mac[2] = 0x01;
  mac[3] = i >> 16;
  mac[4] = i >> 8;
  mac[5] = i;
}

static void
test_bounded (void)
{
  g_autoptr (NetLeases) leases = net_leases_new ();
  guint8 frame[PKT_BUFFER];
  guint8 mac[6];

  for (guint i = 0; i < NET_LEASES_MAX; i++)
    {
      numbered_mac (mac, i);
      observe (leases, frame, pkt_arp_request (frame, mac, pkt_ip ("10.1.0.1") + i, 1), FALSE,
               NOW + i);
    }
  /* The first one speaks again: now the second is the oldest. */
  numbered_mac (mac, 0);
  observe (leases, frame, pkt_arp_request (frame, mac, pkt_ip ("10.1.0.1"), 1), FALSE,
           NOW + NET_LEASES_MAX);
  for (guint i = NET_LEASES_MAX; i < NET_LEASES_MAX + 10; i++)
    {
      numbered_mac (mac, i);
      observe (leases, frame, pkt_arp_request (frame, mac, pkt_ip ("10.1.0.1") + i, 1), FALSE,
               NOW + 1 + i);
    }
  g_assert_cmpuint (count (leases), ==, NET_LEASES_MAX);
  numbered_mac (mac, 0);
  g_assert_nonnull (find (leases, mac));
  for (guint i = 1; i <= 10; i++)
    {
      numbered_mac (mac, i);
      g_assert_null (find (leases, mac));
    }
  numbered_mac (mac, 11);
  g_assert_nonnull (find (leases, mac));
  numbered_mac (mac, NET_LEASES_MAX + 9);
  g_assert_nonnull (find (leases, mac));
}

static void
put16 (guint8 *p, guint16 value)
{
  p[0] = value >> 8;
  p[1] = value;
}

/* An ACK that a change made by EDIT must make unlearnable. */
typedef void (*Edit) (guint8 *frame, gsize *len);

static void
edit_ip_total_too_long (guint8 *frame, gsize *len)
{
  put16 (frame + 14 + 2, *len - 14 + 1);
}

static void
edit_ip_total_too_short (guint8 *frame, gsize *len)
{
  put16 (frame + 14 + 2, 19);
}

static void
edit_ihl_too_small (guint8 *frame, gsize *len)
{
  frame[14] = 0x44;
}

static void
edit_ihl_too_large (guint8 *frame, gsize *len)
{
  /* 60 bytes of header: the UDP header is then read from BOOTP. */
  frame[14] = 0x4f;
}

static void
edit_fragment (guint8 *frame, gsize *len)
{
  frame[14 + 6] = 0x20; /* more fragments */
}

static void
edit_udp_too_long (guint8 *frame, gsize *len)
{
  put16 (frame + 34 + 4, *len - 34 + 1);
}

static void
edit_udp_too_short (guint8 *frame, gsize *len)
{
  put16 (frame + 34 + 4, 7);
}

/* UDP ends in the middle of the options, before option 53's value. */
static void
edit_udp_cuts_options (guint8 *frame, gsize *len)
{
  put16 (frame + 34 + 4, 8 + 240 + 2);
  put16 (frame + 14 + 2, 20 + 8 + 240 + 2);
}

static void
edit_no_cookie (guint8 *frame, gsize *len)
{
  frame[42 + 236] = 0;
}

static void
edit_request (guint8 *frame, gsize *len)
{
  frame[42] = 1;
}

static void
edit_option_runs_past (guint8 *frame, gsize *len)
{
  /* A pad, then an option whose length runs past the message: 53 is
   * never reached. */
  frame[42 + 240] = 0;
  frame[42 + 241] = 12;
  frame[42 + 242] = 255;
  frame[42 + 243] = 53;
}

static void
edit_type_offer (guint8 *frame, gsize *len)
{
  frame[42 + 242] = 2;
}

static void
edit_ports (guint8 *frame, gsize *len)
{
  put16 (frame + 34, 68);
  put16 (frame + 36, 67);
}

static void
edit_not_udp (guint8 *frame, gsize *len)
{
  frame[14 + 9] = 6;
}

static void
test_malformed (void)
{
  g_autoptr (NetLeases) leases = net_leases_new ();
  guint8 frame[PKT_BUFFER];
  gsize full;
  const Edit edits[] = {
    edit_ip_total_too_long,
    edit_ip_total_too_short,
    edit_ihl_too_small,
    edit_ihl_too_large,
    edit_fragment,
    edit_udp_too_long,
    edit_udp_too_short,
    edit_udp_cuts_options,
    edit_no_cookie,
    edit_request,
    edit_option_runs_past,
    edit_type_offer,
    edit_ports,
    edit_not_udp,
  };

  /* Every truncation of an ACK and of an ARP request. */
  full = ack (frame, mac_a, "10.0.2.15");
  for (gsize len = 0; len < full; len++)
    observe (leases, frame, len, TRUE, NOW);
  full = pkt_arp_request (frame, mac_b, pkt_ip ("192.168.7.1"), 1);
  for (gsize len = 0; len < full; len++)
    observe (leases, frame, len, FALSE, NOW);
  observe (leases, NULL, 0, FALSE, NOW);
  g_assert_cmpuint (count (leases), ==, 0);

  for (gsize i = 0; i < G_N_ELEMENTS (edits); i++)
    {
      gsize len = ack (frame, mac_a, "10.0.2.15");

      edits[i](frame, &len);
      observe (leases, frame, len, TRUE, NOW);
      g_assert_cmpuint (count (leases), ==, 0);
    }

  /* Whole, both teach: the truncations were refused for being short. */
  observe (leases, frame, ack (frame, mac_a, "10.0.2.15"), TRUE, NOW);
  observe (leases, frame, pkt_arp_request (frame, mac_b, pkt_ip ("192.168.7.1"), 1), FALSE, NOW);
  g_assert_cmpuint (count (leases), ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/net-leases/dhcp-ack", test_dhcp);
  g_test_add_func ("/net-leases/arp", test_arp);
  g_test_add_func ("/net-leases/newest-wins", test_newest_wins);
  g_test_add_func ("/net-leases/sorted", test_sorted);
  g_test_add_func ("/net-leases/bounded", test_bounded);
  g_test_add_func ("/net-leases/malformed", test_malformed);
  return g_test_run ();
}
