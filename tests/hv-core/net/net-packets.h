/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Building and reading the few packets the network tests exchange:
 * Ethernet, ARP, IPv4 with ICMP echo, UDP (DHCP, DNS) and TCP's SYN.
 * Addresses are in host byte order.
 */
#pragma once

#include <glib.h>

#define PKT_BUFFER 1600

extern const guint8 pkt_broadcast[6];

gsize pkt_ethernet (guint8 *buf, const guint8 *dst, const guint8 *src, guint16 type);
gsize pkt_arp_request (guint8 *buf, const guint8 *mac, guint32 sender_ip, guint32 target_ip);
gsize pkt_arp_reply (guint8 *buf, const guint8 *mac, guint32 ip, const guint8 *to_mac,
                     guint32 to_ip);
gsize pkt_udp (guint8 *buf, const guint8 *src_mac, const guint8 *dst_mac, guint32 src_ip,
               guint32 dst_ip, guint16 src_port, guint16 dst_port, const guint8 *payload,
               gsize payload_len);
gsize pkt_icmp_echo (guint8 *buf, const guint8 *src_mac, const guint8 *dst_mac, guint32 src_ip,
                     guint32 dst_ip, guint16 id, guint16 seq);
gsize pkt_dhcp_discover (guint8 *buf, const guint8 *mac, guint32 xid);
/* A REQUEST for ADDRESS, offered by SERVER. */
gsize pkt_dhcp_request (guint8 *buf, const guint8 *mac, guint32 xid, guint32 address,
                        guint32 server);
/* A server's reply of TYPE (2: OFFER, 5: ACK) handing ADDRESS to
 * CLIENT_MAC, broadcast. */
gsize pkt_dhcp_reply (guint8 *buf, guint8 type, const guint8 *server_mac, guint32 server,
                      const guint8 *client_mac, guint32 xid, guint32 address);
gsize pkt_dns_query (guint8 *buf, guint16 id, const char *name);

/* Readers: TRUE when FRAME is that packet; outputs may be NULL. */
gboolean pkt_is_arp_request (const guint8 *frame, gsize len, guint32 target_ip, guint8 *sender_mac,
                             guint32 *sender_ip);
gboolean pkt_is_arp_reply (const guint8 *frame, gsize len, guint32 sender_ip, guint8 *sender_mac);
gboolean pkt_is_icmp_echo_reply (const guint8 *frame, gsize len, guint32 from_ip, guint16 id,
                                 guint16 seq);
/* A UDP datagram to DST_PORT: its payload. */
const guint8 *pkt_udp_payload (const guint8 *frame, gsize len, guint16 dst_port,
                               gsize *payload_len);
/* A DHCP message of TYPE (2: OFFER) answering XID: the offered address. */
gboolean pkt_is_dhcp (const guint8 *frame, gsize len, guint32 xid, guint8 type, guint32 *yiaddr);
gboolean pkt_is_tcp_syn (const guint8 *frame, gsize len, guint32 dst_ip, guint16 dst_port);

guint32 pkt_ip (const char *dotted);
