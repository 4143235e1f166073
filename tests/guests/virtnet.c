/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The "virtnet" guest: finds the virtio-net function (1af4:1041) on PCI
 * bus 0, brings up its receive and transmit queues (polled, no
 * interrupts), reads its MAC address and link status, posts receive
 * buffers, broadcasts a DHCP DISCOVER and waits for the OFFER, then
 * REQUESTs the offered address and waits for the ACK; each sent again, up
 * to DHCP_TRIES times, when no answer comes, as real clients do. Lines:
 *
 *   pci: <dev> 1af4:1041
 *   net: mac <mac> link up
 *   net: discover sent
 *   net: offer <ip> from <server>
 *   net: ack <ip>
 *   virtnet: done                 (or FAIL <what>: <why>)
 */
#include "guest.h"

#define QSIZE        8
#define RX_BUFS      4
#define RX_BUF_LEN   1526 /* header + a full Ethernet frame */
#define HDR_LEN      12
#define SPIN_LIMIT   20000000u
#define FEATURE_MAC  (1u << 5)
#define FEATURE_LINK (1u << 16)
#define DHCP_XID     0x4856e7a1u
#define DHCP_TRIES   4

/* One queue's memory, 4 KiB aligned: descriptors, avail, used. */
typedef struct
{
  struct
  {
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
  } desc[QSIZE];
  uint16_t avail_flags, avail_idx, avail_ring[QSIZE], used_event;
  uint8_t pad[4096 - 16 * QSIZE - 6 - 2 * QSIZE];
  uint16_t used_flags, used_idx;
  struct
  {
    uint32_t id, len;
  } used_ring[QSIZE];
} __attribute__ ((aligned (4096))) Queue;

static Queue queues[2]; /* receive, transmit */
static uint8_t rx_bufs[RX_BUFS][RX_BUF_LEN] __attribute__ ((aligned (16)));
static uint8_t tx_buf[HDR_LEN + 342] __attribute__ ((aligned (16)));
static volatile uint8_t *common, *notify, *device;
static uint32_t notify_mult;
static uint8_t mac[6];

static void
find_caps (unsigned dev)
{
  for (unsigned p = pci_read8 (dev, 0x34); p != 0; p = pci_read8 (dev, p + 1))
    {
      uint8_t type = pci_read8 (dev, p + 3);
      volatile uint8_t *where;

      if (pci_read8 (dev, p) != 0x09)
        continue;
      where = pci_bar_pointer (dev, pci_read8 (dev, p + 4), pci_read (dev, p + 8));
      if (type == 1)
        common = where;
      else if (type == 2)
        {
          notify = where;
          notify_mult = pci_read (dev, p + 16);
        }
      else if (type == 4)
        device = where;
    }
}

static void
common8 (unsigned off, uint8_t value)
{
  common[off] = value;
}

static void
common16 (unsigned off, uint16_t value)
{
  *(volatile uint16_t *) (common + off) = value;
}

static void
common32 (unsigned off, uint32_t value)
{
  *(volatile uint32_t *) (common + off) = value;
}

static uint32_t
common_read32 (unsigned off)
{
  return *(volatile uint32_t *) (common + off);
}

static void
setup_queue (unsigned index)
{
  Queue *q = &queues[index];

  common16 (0x16, index);
  common16 (0x18, QSIZE);
  common32 (0x20, (uintptr_t) q->desc);
  common32 (0x24, 0);
  common32 (0x28, (uintptr_t) &q->avail_flags);
  common32 (0x2c, 0);
  common32 (0x30, (uintptr_t) &q->used_flags);
  common32 (0x34, 0);
  common16 (0x1c, 1);
}

/* Reset, features (MAC, STATUS, VERSION_1), both queues, DRIVER_OK. */
static const char *
net_init (unsigned dev)
{
  pci_write (dev, 4, 0x6); /* memory space, bus master */
  find_caps (dev);
  if (!common || !notify || !device)
    return "capability missing";
  common8 (0x14, 0);
  common8 (0x14, 1 | 2);
  common32 (0x00, 0);
  if ((common_read32 (0x04) & (FEATURE_MAC | FEATURE_LINK)) != (FEATURE_MAC | FEATURE_LINK))
    return "no MAC or STATUS feature";
  common32 (0x00, 1);
  if ((common_read32 (0x04) & 1) == 0)
    return "no VERSION_1";
  common32 (0x08, 0);
  common32 (0x0c, FEATURE_MAC | FEATURE_LINK);
  common32 (0x08, 1);
  common32 (0x0c, 1);
  common8 (0x14, 1 | 2 | 8);
  if ((common[0x14] & 8) == 0)
    return "FEATURES_OK refused";
  setup_queue (0);
  setup_queue (1);
  common8 (0x14, 1 | 2 | 4 | 8);
  return NULL;
}

static void
kick (unsigned index)
{
  __asm__ volatile("mfence" ::: "memory");
  *(volatile uint16_t *) (notify + index * notify_mult) = index;
}

static void
publish (Queue *q, uint16_t head)
{
  q->avail_ring[q->avail_idx % QSIZE] = head;
  __asm__ volatile("" ::: "memory");
  q->avail_idx++;
}

static void
post_rx (unsigned i)
{
  Queue *q = &queues[0];

  q->desc[i].addr = (uintptr_t) rx_bufs[i];
  q->desc[i].len = RX_BUF_LEN;
  q->desc[i].flags = 2; /* device writes */
  publish (q, i);
}

static void
put16 (uint8_t *p, uint16_t v)
{
  p[0] = v >> 8;
  p[1] = v;
}

static void
put32 (uint8_t *p, uint32_t v)
{
  put16 (p, v >> 16);
  put16 (p + 2, v);
}

static uint16_t
be16 (const uint8_t *p)
{
  return p[0] << 8 | p[1];
}

static uint16_t
ip_checksum (const uint8_t *p, unsigned len)
{
  uint32_t sum = 0;

  for (unsigned i = 0; i < len; i += 2)
    sum += be16 (p + i);
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return ~sum;
}

/* Ethernet, IPv4 and UDP around a 300-byte BOOTP message of DHCP TYPE
 * (1 DISCOVER, 3 REQUEST); a REQUEST names the offered address and its
 * server (options 50 and 54). */
static unsigned
build_dhcp (uint8_t *f, uint8_t type, const uint8_t *requested, const uint8_t *server)
{
  uint8_t *ip = f + 14, *udp = ip + 20, *bootp = udp + 8, *option = bootp + 240;

  memset (f, 0, 342);
  memset (f, 0xff, 6);
  memcpy (f + 6, mac, 6);
  put16 (f + 12, 0x0800);
  ip[0] = 0x45;
  put16 (ip + 2, 20 + 8 + 300);
  ip[8] = 64;
  ip[9] = 17; /* UDP */
  memset (ip + 16, 0xff, 4);
  put16 (ip + 10, ip_checksum (ip, 20));
  put16 (udp, 68);
  put16 (udp + 2, 67);
  put16 (udp + 4, 8 + 300);
  bootp[0] = 1; /* BOOTREQUEST */
  bootp[1] = 1; /* Ethernet */
  bootp[2] = 6;
  put32 (bootp + 4, DHCP_XID);
  put16 (bootp + 10, 0x8000); /* broadcast the reply */
  memcpy (bootp + 28, mac, 6);
  put32 (bootp + 236, 0x63825363);
  *option++ = 53; /* DHCP message type */
  *option++ = 1;
  *option++ = type;
  if (requested != NULL)
    {
      *option++ = 50; /* requested address */
      *option++ = 4;
      memcpy (option, requested, 4);
      option += 4;
      *option++ = 54; /* server identifier */
      *option++ = 4;
      memcpy (option, server, 4);
      option += 4;
    }
  *option = 255;
  return 342;
}

/* Sends the frame built in tx_buf as transmit descriptor SENT (0, 1...). */
static const char *
send_frame (unsigned len, uint16_t sent)
{
  Queue *q = &queues[1];

  memset (tx_buf, 0, HDR_LEN);
  q->desc[sent].addr = (uintptr_t) tx_buf;
  q->desc[sent].len = HDR_LEN + len;
  q->desc[sent].flags = 0;
  publish (q, sent);
  kick (1);
  for (unsigned i = 0; i < SPIN_LIMIT; i++)
    {
      if (*(volatile uint16_t *) &q->used_idx == sent + 1)
        return NULL;
    }
  return "the transmit buffer did not come back";
}

/* The DHCP message type of a reply to our messages, or 0. Replies are
 * broadcast, and every guest of a lab uses the same transaction id: the
 * client address (chaddr) tells ours from another member's. */
static unsigned
dhcp_type (const uint8_t *f, uint32_t len)
{
  const uint8_t *ip = f + 14, *bootp = ip + 28;

  if (len < 14 + 28 + 240 || be16 (f + 12) != 0x0800 || ip[9] != 17 || be16 (ip + 20) != 67 ||
      bootp[0] != 2 || get32 (bootp + 4) != __builtin_bswap32 (DHCP_XID) ||
      memcmp (bootp + 28, mac, 6) != 0)
    return 0;
  for (uint32_t i = 240; 14 + 28 + i + 2 < len && bootp[i] != 255; i += 2 + bootp[i + 1])
    {
      if (bootp[i] == 53)
        return bootp[i + 2];
      if (bootp[i] == 0)
        i--; /* a pad byte has no length */
    }
  return 0;
}

static void
print_ip (const char *what, const uint8_t *a)
{
  con_printf ("%s%u.%u.%u.%u", what, a[0], a[1], a[2], a[3]);
}

/* Waits for a DHCP reply of TYPE (2 OFFER, 5 ACK) and copies its
 * address and server's into YOURS and SERVER. */
static const char *
wait_reply (unsigned type, uint8_t *yours, uint8_t *server, unsigned spins)
{
  static uint16_t seen;
  Queue *q = &queues[0];

  for (unsigned spin = 0; spin < spins; spin++)
    {
      uint16_t id, used = *(volatile uint16_t *) &q->used_idx;
      uint32_t len;
      const uint8_t *f;
      unsigned got;

      if (used == seen)
        continue;
      id = q->used_ring[seen % QSIZE].id;
      len = q->used_ring[seen % QSIZE].len;
      seen++;
      if (id >= RX_BUFS || len < HDR_LEN)
        return "bad used entry";
      if (get16 (rx_bufs[id] + 10) != 1 || rx_bufs[id][0] != 0 || rx_bufs[id][1] != 0)
        return "unexpected virtio-net header";
      f = rx_bufs[id] + HDR_LEN;
      got = dhcp_type (f, len - HDR_LEN);
      if (got == type)
        {
          memcpy (yours, f + 14 + 28 + 16, 4);
          memcpy (server, f + 14 + 12, 4);
        }
      post_rx (id); /* copied what counts: give the buffer back */
      kick (0);
      if (got == type)
        return NULL;
    }
  return type == 2 ? "no DHCP OFFER" : "no DHCP ACK";
}

/* Sends a DHCP message of TYPE (1 DISCOVER, 3 REQUEST, naming OFFERED and
 * SERVER) and waits for the reply of REPLY_TYPE (2 OFFER, 5 ACK), which
 * fills OFFERED and SERVER in. A frame sent before the network's switch
 * port is up, or lost on a busy host, is sent again. SENT_LINE, if any, is
 * printed once the first one is out. */
static const char *
dhcp_exchange (unsigned type, unsigned reply_type, uint8_t *offered, uint8_t *server,
               const char *sent_line)
{
  static uint16_t sent; /* transmit descriptors used so far */
  const char *error = NULL;

  for (unsigned try = 0; try < DHCP_TRIES; try++)
    {
      error = send_frame (build_dhcp (tx_buf + HDR_LEN, type, type == 3 ? offered : NULL,
                                      type == 3 ? server : NULL),
                          sent++);
      if (error != NULL)
        return error;
      if (try == 0 && sent_line != NULL)
        con_printf ("%s\n", sent_line);
      error = wait_reply (reply_type, offered, server, SPIN_LIMIT / DHCP_TRIES);
      if (error == NULL)
        return NULL;
    }
  return error;
}

static bool
run (const char *error)
{
  if (error)
    con_printf ("FAIL net: %s\n", error);
  return error == NULL;
}

void
guest_main (const GuestBoot *boot)
{
  uint8_t offered[4], server[4];
  int dev = -1;

  for (unsigned d = 0; d < 32 && dev < 0; d++)
    {
      if (pci_read (d, 0) == (0x1041u << 16 | 0x1af4))
        dev = d;
    }
  if (dev < 0)
    {
      con_printf ("FAIL net: no virtio-net on bus 0\n");
      return;
    }
  con_printf ("pci: %d 1af4:1041\n", dev);
  if (!run (net_init (dev)))
    return;
  for (unsigned i = 0; i < 6; i++)
    mac[i] = device[i];
  con_printf ("net: mac %02x:%02x:%02x:%02x:%02x:%02x link %s\n", mac[0], mac[1], mac[2], mac[3],
              mac[4], mac[5], (get16 ((const uint8_t *) device + 6) & 1) ? "up" : "down");
  for (unsigned i = 0; i < RX_BUFS; i++)
    post_rx (i);
  kick (0);
  if (!run (dhcp_exchange (1, 2, offered, server, "net: discover sent")))
    return;
  print_ip ("net: offer ", offered);
  print_ip (" from ", server);
  con_printf ("\n");
  if (!run (dhcp_exchange (3, 5, offered, server, NULL)))
    return;
  print_ip ("net: ack ", offered);
  con_printf ("\n");
  con_printf ("virtnet: done\n");
}
