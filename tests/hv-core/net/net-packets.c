/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "net-packets.h"

#include <arpa/inet.h>
#include <string.h>

#define ETH_LEN  14
#define IP_LEN   20
#define UDP_LEN  8
#define ETH_IPV4 0x0800
#define ETH_ARP  0x0806

const guint8 pkt_broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void
put16 (guint8 *p, guint16 value)
{
  p[0] = value >> 8;
  p[1] = value;
}

static void
put32 (guint8 *p, guint32 value)
{
  put16 (p, value >> 16);
  put16 (p + 2, value);
}

static guint16
get16 (const guint8 *p)
{
  return (p[0] << 8) | p[1];
}

static guint32
get32 (const guint8 *p)
{
  return ((guint32) get16 (p) << 16) | get16 (p + 2);
}

static guint16
checksum (const guint8 *p, gsize len)
{
  guint32 sum = 0;

  for (gsize i = 0; i + 1 < len; i += 2)
    sum += get16 (p + i);
  if (len & 1)
    sum += p[len - 1] << 8;
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return ~sum;
}

guint32
pkt_ip (const char *dotted)
{
  struct in_addr address;

  g_assert_cmpint (inet_pton (AF_INET, dotted, &address), ==, 1);
  return ntohl (address.s_addr);
}

gsize
pkt_ethernet (guint8 *buf, const guint8 *dst, const guint8 *src, guint16 type)
{
  memcpy (buf, dst, 6);
  memcpy (buf + 6, src, 6);
  put16 (buf + 12, type);
  return ETH_LEN;
}

static gsize
arp (guint8 *buf, guint16 op, const guint8 *mac, guint32 ip, const guint8 *to_mac, guint32 to_ip)
{
  guint8 *p = buf + pkt_ethernet (buf, op == 1 ? pkt_broadcast : to_mac, mac, ETH_ARP);
  static const guint8 header[] = { 0, 1, 8, 0, 6, 4 };

  memcpy (p, header, sizeof header);
  put16 (p + 6, op);
  memcpy (p + 8, mac, 6);
  put32 (p + 14, ip);
  memcpy (p + 18, to_mac, 6);
  put32 (p + 24, to_ip);
  return ETH_LEN + 28;
}

gsize
pkt_arp_request (guint8 *buf, const guint8 *mac, guint32 sender_ip, guint32 target_ip)
{
  static const guint8 zero[6] = { 0 };

  return arp (buf, 1, mac, sender_ip, zero, target_ip);
}

gsize
pkt_arp_reply (guint8 *buf, const guint8 *mac, guint32 ip, const guint8 *to_mac, guint32 to_ip)
{
  return arp (buf, 2, mac, ip, to_mac, to_ip);
}

static gsize
ipv4 (guint8 *buf, const guint8 *src_mac, const guint8 *dst_mac, guint32 src_ip, guint32 dst_ip,
      guint8 protocol, gsize payload_len)
{
  guint8 *p = buf + pkt_ethernet (buf, dst_mac, src_mac, ETH_IPV4);

  memset (p, 0, IP_LEN);
  p[0] = 0x45;
  put16 (p + 2, IP_LEN + payload_len);
  p[8] = 64;
  p[9] = protocol;
  put32 (p + 12, src_ip);
  put32 (p + 16, dst_ip);
  put16 (p + 10, checksum (p, IP_LEN));
  return ETH_LEN + IP_LEN;
}

gsize
pkt_udp (guint8 *buf, const guint8 *src_mac, const guint8 *dst_mac, guint32 src_ip, guint32 dst_ip,
         guint16 src_port, guint16 dst_port, const guint8 *payload, gsize payload_len)
{
  gsize off = ipv4 (buf, src_mac, dst_mac, src_ip, dst_ip, 17, UDP_LEN + payload_len);
  guint8 *p = buf + off;

  put16 (p, src_port);
  put16 (p + 2, dst_port);
  put16 (p + 4, UDP_LEN + payload_len);
  put16 (p + 6, 0); /* no checksum: allowed over IPv4 */
  memcpy (p + UDP_LEN, payload, payload_len);
  return off + UDP_LEN + payload_len;
}

gsize
pkt_icmp_echo (guint8 *buf, const guint8 *src_mac, const guint8 *dst_mac, guint32 src_ip,
               guint32 dst_ip, guint16 id, guint16 seq)
{
  gsize off = ipv4 (buf, src_mac, dst_mac, src_ip, dst_ip, 1, 8 + 32);
  guint8 *p = buf + off;

  memset (p, 0, 8 + 32);
  p[0] = 8;
  put16 (p + 4, id);
  put16 (p + 6, seq);
  memset (p + 8, 0xa5, 32);
  put16 (p + 2, checksum (p, 8 + 32));
  return off + 8 + 32;
}

/* A BOOTP message of OP for MAC with OPTIONS (after the magic cookie,
 * ending with 255) at BOOTP + 240. */
static gsize
bootp (guint8 *bootp, guint8 op, const guint8 *mac, guint32 xid, guint32 yiaddr,
       const guint8 *options, gsize options_len)
{
  static const guint8 cookie[] = { 99, 130, 83, 99 };

  memset (bootp, 0, 300);
  bootp[0] = op;
  bootp[1] = 1; /* Ethernet */
  bootp[2] = 6;
  put32 (bootp + 4, xid);
  put16 (bootp + 10, 0x8000); /* answer by broadcast */
  put32 (bootp + 16, yiaddr);
  memcpy (bootp + 28, mac, 6);
  memcpy (bootp + 236, cookie, sizeof cookie);
  g_assert_cmpuint (options_len, <=, 300 - 240);
  memcpy (bootp + 240, options, options_len);
  return 300;
}

gsize
pkt_dhcp_discover (guint8 *buf, const guint8 *mac, guint32 xid)
{
  guint8 message[300];
  static const guint8 options[] = { 53, 1, 1, 55, 3, 1, 3, 6, 255 };
  gsize n = bootp (message, 1, mac, xid, 0, options, sizeof options);

  return pkt_udp (buf, mac, pkt_broadcast, 0, 0xffffffff, 68, 67, message, n);
}

gsize
pkt_dhcp_request (guint8 *buf, const guint8 *mac, guint32 xid, guint32 address, guint32 server)
{
  guint8 message[300];
  guint8 options[] = { 53, 1, 3, 50, 4, 0, 0, 0, 0, 54, 4, 0, 0, 0, 0, 55, 3, 1, 3, 6, 255 };
  gsize n;

  put32 (options + 5, address);
  put32 (options + 11, server);
  n = bootp (message, 1, mac, xid, 0, options, sizeof options);
  return pkt_udp (buf, mac, pkt_broadcast, 0, 0xffffffff, 68, 67, message, n);
}

gsize
pkt_dhcp_reply (guint8 *buf, guint8 type, const guint8 *server_mac, guint32 server,
                const guint8 *client_mac, guint32 xid, guint32 address)
{
  guint8 message[300];
  guint8 options[] = { 53, 1, 0, 54, 4, 0, 0, 0, 0, 51, 4, 0, 0, 0x0e, 0x10, 255 };
  gsize n;

  options[2] = type;
  put32 (options + 5, server);
  n = bootp (message, 2, client_mac, xid, address, options, sizeof options);
  return pkt_udp (buf, server_mac, pkt_broadcast, server, 0xffffffff, 67, 68, message, n);
}

gsize
pkt_dns_query (guint8 *buf, guint16 id, const char *name)
{
  g_auto (GStrv) labels = g_strsplit (name, ".", -1);
  gsize off = 12;

  memset (buf, 0, 12);
  put16 (buf, id);
  put16 (buf + 2, 0x0100); /* recursion desired */
  put16 (buf + 4, 1);
  for (guint i = 0; labels[i] != NULL; i++)
    {
      gsize len = strlen (labels[i]);

      buf[off++] = len;
      memcpy (buf + off, labels[i], len);
      off += len;
    }
  buf[off++] = 0;
  put16 (buf + off, 1); /* A */
  put16 (buf + off + 2, 1);
  return off + 4;
}

static gboolean
is_type (const guint8 *frame, gsize len, guint16 type, gsize min)
{
  return len >= ETH_LEN + min && get16 (frame + 12) == type;
}

gboolean
pkt_is_arp_request (const guint8 *frame, gsize len, guint32 target_ip, guint8 *sender_mac,
                    guint32 *sender_ip)
{
  const guint8 *p = frame + ETH_LEN;

  if (!is_type (frame, len, ETH_ARP, 28) || get16 (p + 6) != 1 || get32 (p + 24) != target_ip)
    return FALSE;
  if (sender_mac != NULL)
    memcpy (sender_mac, p + 8, 6);
  if (sender_ip != NULL)
    *sender_ip = get32 (p + 14);
  return TRUE;
}

gboolean
pkt_is_arp_reply (const guint8 *frame, gsize len, guint32 sender_ip, guint8 *sender_mac)
{
  const guint8 *p = frame + ETH_LEN;

  if (!is_type (frame, len, ETH_ARP, 28) || get16 (p + 6) != 2 || get32 (p + 14) != sender_ip)
    return FALSE;
  if (sender_mac != NULL)
    memcpy (sender_mac, p + 8, 6);
  return TRUE;
}

/* The IPv4 payload of PROTOCOL, or NULL. */
static const guint8 *
ip_payload (const guint8 *frame, gsize len, guint8 protocol, gsize *payload_len)
{
  const guint8 *p = frame + ETH_LEN;
  gsize header;

  if (!is_type (frame, len, ETH_IPV4, IP_LEN) || (p[0] >> 4) != 4 || p[9] != protocol)
    return NULL;
  header = (p[0] & 15) * 4;
  if (header < IP_LEN || get16 (p + 2) < header || ETH_LEN + get16 (p + 2) > len)
    return NULL;
  *payload_len = get16 (p + 2) - header;
  return p + header;
}

gboolean
pkt_is_icmp_echo_reply (const guint8 *frame, gsize len, guint32 from_ip, guint16 id, guint16 seq)
{
  gsize n;
  const guint8 *p = ip_payload (frame, len, 1, &n);

  return p != NULL && n >= 8 && get32 (frame + ETH_LEN + 12) == from_ip && p[0] == 0 &&
         get16 (p + 4) == id && get16 (p + 6) == seq;
}

const guint8 *
pkt_udp_payload (const guint8 *frame, gsize len, guint16 dst_port, gsize *payload_len)
{
  gsize n;
  const guint8 *p = ip_payload (frame, len, 17, &n);

  if (p == NULL || n < UDP_LEN || get16 (p + 2) != dst_port)
    return NULL;
  *payload_len = n - UDP_LEN;
  return p + UDP_LEN;
}

gboolean
pkt_is_dhcp (const guint8 *frame, gsize len, guint32 xid, guint8 type, guint32 *yiaddr)
{
  gsize n;
  const guint8 *p = pkt_udp_payload (frame, len, 68, &n);

  if (p == NULL || n < 240 || p[0] != 2 || get32 (p + 4) != xid || get32 (p + 236) != 0x63825363)
    return FALSE;
  /* Options: find 53, the message type. */
  for (gsize i = 240; i + 2 < n && p[i] != 255; i += p[i] == 0 ? 1 : 2 + p[i + 1])
    if (p[i] == 53 && p[i + 1] == 1 && p[i + 2] == type)
      {
        if (yiaddr != NULL)
          *yiaddr = get32 (p + 16);
        return TRUE;
      }
  return FALSE;
}

gboolean
pkt_is_tcp_syn (const guint8 *frame, gsize len, guint32 dst_ip, guint16 dst_port)
{
  gsize n;
  const guint8 *p = ip_payload (frame, len, 6, &n);

  return p != NULL && n >= 20 && get32 (frame + ETH_LEN + 16) == dst_ip &&
         get16 (p + 2) == dst_port && (p[13] & 0x02) != 0;
}
