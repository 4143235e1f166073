/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The "vconsole" guest: finds the virtio-console function (1af4:1043) on
 * PCI bus 0, brings up its receive and transmit queues (polled), writes
 * "vconsole: ready" to it, then sends back every byte it receives there
 * until a 'q', answers "bye" and powers off. COM1 lines:
 *
 *   pci: <dev> 1af4:1043
 *   vconsole: got <n> bytes        (for every receive buffer)
 *   vconsole: done                 (or FAIL <what>: <why>)
 */
#include "guest.h"

#define QSIZE      8
#define RX_BUF_LEN 64
#define SPIN_LIMIT 20000000u

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
static uint8_t rx_bufs[QSIZE][RX_BUF_LEN] __attribute__ ((aligned (16)));
static uint8_t tx_buf[RX_BUF_LEN] __attribute__ ((aligned (16)));
static uint16_t tx_used;
static volatile uint8_t *common, *notify;
static uint32_t notify_mult;

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
    }
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

static const char *
console_init (unsigned dev)
{
  pci_write (dev, 4, 0x6); /* memory space, bus master */
  find_caps (dev);
  if (!common || !notify)
    return "capability missing";
  common[0x14] = 0;
  common[0x14] = 1 | 2;
  common32 (0x08, 0);
  common32 (0x0c, 0);
  common32 (0x08, 1);
  common32 (0x0c, 1); /* VERSION_1 */
  common[0x14] = 1 | 2 | 8;
  if ((common[0x14] & 8) == 0)
    return "FEATURES_OK refused";
  setup_queue (0);
  setup_queue (1);
  common[0x14] = 1 | 2 | 4 | 8;
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
post_rx (uint16_t i)
{
  queues[0].desc[i].addr = (uintptr_t) rx_bufs[i];
  queues[0].desc[i].len = RX_BUF_LEN;
  queues[0].desc[i].flags = 2; /* device writes */
  publish (&queues[0], i);
}

/* One buffer at a time, waited for. */
static const char *
transmit (const uint8_t *bytes, uint32_t len)
{
  Queue *q = &queues[1];

  memcpy (tx_buf, bytes, len);
  q->desc[0].addr = (uintptr_t) tx_buf;
  q->desc[0].len = len;
  q->desc[0].flags = 0;
  publish (q, 0);
  kick (1);
  tx_used++;
  for (unsigned i = 0; i < SPIN_LIMIT; i++)
    {
      if (*(volatile uint16_t *) &q->used_idx == tx_used)
        return NULL;
    }
  return "the transmit buffer did not come back";
}

static const char *
echo (void)
{
  Queue *q = &queues[0];
  uint16_t seen = 0;
  const char *error;

  for (unsigned spin = 0; spin < SPIN_LIMIT; spin++)
    {
      uint16_t used = *(volatile uint16_t *) &q->used_idx;
      uint32_t id, len;
      bool quit = false;

      if (used == seen)
        continue;
      id = q->used_ring[seen % QSIZE].id;
      len = q->used_ring[seen % QSIZE].len;
      seen++;
      if (id >= QSIZE || len > RX_BUF_LEN)
        return "bad used entry";
      con_printf ("vconsole: got %u bytes\n", len);
      for (uint32_t i = 0; i < len; i++)
        quit |= rx_bufs[id][i] == 'q';
      if ((error = transmit (rx_bufs[id], len)) != NULL)
        return error;
      if (quit)
        return transmit ((const uint8_t *) "bye\n", 4);
      post_rx (id);
      kick (0);
    }
  return "no 'q' came";
}

void
guest_main (const GuestBoot *boot)
{
  const char *error;
  int dev = -1;

  for (unsigned d = 0; d < 32 && dev < 0; d++)
    {
      if (pci_read (d, 0) == (0x1043u << 16 | 0x1af4))
        dev = d;
    }
  if (dev < 0)
    {
      con_printf ("FAIL console: no virtio-console on bus 0\n");
      return;
    }
  con_printf ("pci: %d 1af4:1043\n", dev);
  if ((error = console_init (dev)) != NULL)
    {
      con_printf ("FAIL console: %s\n", error);
      return;
    }
  for (uint16_t i = 0; i < QSIZE; i++)
    post_rx (i);
  kick (0);
  if ((error = transmit ((const uint8_t *) "vconsole: ready\n", 16)) != NULL ||
      (error = echo ()) != NULL)
    {
      con_printf ("FAIL console: %s\n", error);
      return;
    }
  con_printf ("vconsole: done\n");
}
