/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The "vinput" guest: finds the virtio-input tablet (1af4:1052 with
 * EV_ABS) on PCI bus 0, checks its ABS_X range through the configuration
 * space, gives its event queue buffers (polled, no interrupts) and prints
 * every event it gets. Lines:
 *
 *   pci: <dev> 1af4:1052 tablet
 *   vinput: ready
 *   ev: <type> <code> <value>      (decimal; for every event)
 *   FAIL <what>: <why>
 */
#include "guest.h"

#define QSIZE 8

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

static Queue eventq;
static uint8_t events[QSIZE][8] __attribute__ ((aligned (16)));
static volatile uint8_t *common, *notify, *device;
static uint32_t notify_mult;

static void
find_caps (unsigned dev)
{
  common = notify = device = NULL;
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

/* virtio_input_config: select, subsel, then size. */
static uint8_t
query (uint8_t select, uint8_t subsel)
{
  device[0] = select;
  device[1] = subsel;
  return device[2];
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

static const char *
input_init (void)
{
  common[0x14] = 0;
  common[0x14] = 1 | 2;
  common32 (0x08, 0);
  common32 (0x0c, 0);
  common32 (0x08, 1);
  common32 (0x0c, 1); /* VERSION_1 */
  common[0x14] = 1 | 2 | 8;
  if ((common[0x14] & 8) == 0)
    return "FEATURES_OK refused";
  common16 (0x16, 0);
  common16 (0x18, QSIZE);
  common32 (0x20, (uintptr_t) eventq.desc);
  common32 (0x24, 0);
  common32 (0x28, (uintptr_t) &eventq.avail_flags);
  common32 (0x2c, 0);
  common32 (0x30, (uintptr_t) &eventq.used_flags);
  common32 (0x34, 0);
  common16 (0x1c, 1);
  common[0x14] = 1 | 2 | 4 | 8;
  return NULL;
}

static void
post (uint16_t i)
{
  eventq.desc[i].addr = (uintptr_t) events[i];
  eventq.desc[i].len = 8;
  eventq.desc[i].flags = 2; /* device writes */
  eventq.avail_ring[eventq.avail_idx % QSIZE] = i;
  __asm__ volatile("" ::: "memory");
  eventq.avail_idx++;
}

static void
kick (void)
{
  __asm__ volatile("mfence" ::: "memory");
  *(volatile uint16_t *) notify = 0;
}

/* The first virtio-input function that has EV_ABS, or -1. */
static int
find_tablet (void)
{
  for (unsigned d = 0; d < 32; d++)
    {
      if (pci_read (d, 0) != (0x1052u << 16 | 0x1af4))
        continue;
      pci_write (d, 4, 0x6); /* memory space, bus master */
      find_caps (d);
      if (common && notify && device && query (0x11, 3) > 0)
        return d;
    }
  return -1;
}

void
guest_main (const GuestBoot *boot)
{
  int dev = find_tablet ();
  const char *error;
  uint16_t seen = 0;

  if (dev < 0)
    {
      con_printf ("FAIL input: no virtio tablet on bus 0\n");
      return;
    }
  con_printf ("pci: %d 1af4:1052 tablet\n", dev);
  if (query (0x12, 0) != 20 || get32 ((const uint8_t *) device + 12) != 32767)
    {
      con_printf ("FAIL input: ABS_X is not 0..32767\n");
      return;
    }
  if ((error = input_init ()) != NULL)
    {
      con_printf ("FAIL input: %s\n", error);
      return;
    }
  for (uint16_t i = 0; i < QSIZE; i++)
    post (i);
  kick ();
  con_printf ("vinput: ready\n");
  for (;;)
    {
      uint16_t used = *(volatile uint16_t *) &eventq.used_idx;
      uint32_t id;

      if (used == seen)
        continue;
      id = eventq.used_ring[seen % QSIZE].id;
      seen++;
      if (id >= QSIZE)
        {
          con_printf ("FAIL input: bad used entry\n");
          return;
        }
      con_printf ("ev: %u %u %u\n", get16 (events[id]), get16 (events[id] + 2),
                  get32 (events[id] + 4));
      post (id);
      kick ();
    }
}
