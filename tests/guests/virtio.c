/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The "virtio" guest: a virtio driver of a few hundred instructions. It
 * enumerates PCI bus 0 through 0xCF8/0xCFC, brings up the virtio-blk disk at
 * the first 1af4:1042 function with one split queue in its own RAM and MSI-X
 * vector 0 aimed at the boot CPU's LAPIC, writes a pattern to sector 1,
 * reads it back, asks for the serial, then reads random bytes from the
 * virtio-rng (1af4:1044). Interrupts stay off: an MSI shows as its vector's
 * bit in the LAPIC's IRR, which the guest polls. Lines:
 *
 *   pci: <dev> 1af4:<id>          every virtio function found
 *   blk: write ok | read ok | serial <s> | msix ok
 *   rng: ok <n> distinct of 32
 *   virtio: done                  (or FAIL <what>: <why>)
 */
#include "guest.h"

#define LAPIC_BASE   0xfee00000ull
#define QSIZE        8
#define VECTOR_BLK_W 0x41
#define VECTOR_BLK_R 0x42
#define VECTOR_RNG   0x43
#define SPIN_LIMIT   20000000u

typedef struct
{
  unsigned dev;
  volatile uint8_t *common, *notify, *device;
  volatile uint32_t *msix;
  uint32_t notify_mult;
} VirtioDev;

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

static Queue blk_queue, rng_queue;
static uint8_t header[16] __attribute__ ((aligned (16)));
static uint8_t data_out[512] __attribute__ ((aligned (512)));
static uint8_t data_in[512] __attribute__ ((aligned (512)));
static uint8_t serial[21]; /* 20 bytes and a NUL */
static uint8_t random_bytes[32];
static volatile uint8_t status;

static int
pci_find (uint16_t device)
{
  for (unsigned dev = 0; dev < 32; dev++)
    {
      if (pci_read (dev, 0) == ((uint32_t) device << 16 | 0x1af4))
        return dev;
    }
  return -1;
}

/* Finds the capabilities: virtio's vendor ones, and MSI-X. */
static void
find_caps (VirtioDev *v, unsigned *msix_cap)
{
  for (unsigned p = pci_read8 (v->dev, 0x34); p != 0; p = pci_read8 (v->dev, p + 1))
    {
      uint8_t id = pci_read8 (v->dev, p);
      uint8_t type = pci_read8 (v->dev, p + 3);
      volatile uint8_t *where =
          pci_bar_pointer (v->dev, pci_read8 (v->dev, p + 4), pci_read (v->dev, p + 8));

      if (id == 0x11)
        {
          uint32_t table = pci_read (v->dev, p + 4);

          *msix_cap = p;
          v->msix = (volatile uint32_t *) pci_bar_pointer (v->dev, table & 7, table & ~7u);
        }
      else if (id == 0x09 && type == 1)
        v->common = where;
      else if (id == 0x09 && type == 2)
        {
          v->notify = where;
          v->notify_mult = pci_read (v->dev, p + 16);
        }
      else if (id == 0x09 && type == 4)
        v->device = where;
    }
}

static void
set_vector (VirtioDev *v, unsigned entry, uint8_t vector)
{
  volatile uint32_t *e = v->msix + 4 * entry;

  e[0] = (uint32_t) LAPIC_BASE; /* to APIC 0, physical mode */
  e[1] = 0;
  e[2] = vector; /* fixed, edge */
  e[3] = 0;      /* unmasked */
}

static void
common8 (VirtioDev *v, unsigned off, uint8_t value)
{
  v->common[off] = value;
}

static void
common16 (VirtioDev *v, unsigned off, uint16_t value)
{
  *(volatile uint16_t *) (v->common + off) = value;
}

static void
common32 (VirtioDev *v, unsigned off, uint32_t value)
{
  *(volatile uint32_t *) (v->common + off) = value;
}

/* Reset, features (VERSION_1 only), MSI-X, queue 0 on Q, DRIVER_OK. */
static const char *
virtio_init (VirtioDev *v, Queue *q, uint8_t vector)
{
  unsigned msix_cap = 0;

  pci_write (v->dev, 4, 0x6); /* memory space, bus master */
  find_caps (v, &msix_cap);
  if (!v->common || !v->notify || !v->msix)
    return "capability missing";
  common8 (v, 0x14, 0);
  common8 (v, 0x14, 1 | 2);
  common32 (v, 0x00, 1);
  if ((*(volatile uint32_t *) (v->common + 0x04) & 1) == 0)
    return "no VERSION_1";
  common32 (v, 0x08, 0);
  common32 (v, 0x0c, 0);
  common32 (v, 0x08, 1);
  common32 (v, 0x0c, 1);
  common8 (v, 0x14, 1 | 2 | 8);
  if ((v->common[0x14] & 8) == 0)
    return "FEATURES_OK refused";
  pci_write (v->dev, msix_cap, pci_read (v->dev, msix_cap) | 0x80000000u);
  set_vector (v, 0, vector);
  common16 (v, 0x16, 0);
  common16 (v, 0x18, QSIZE);
  common16 (v, 0x1a, 0);
  if (*(volatile uint16_t *) (v->common + 0x1a) != 0)
    return "queue vector refused";
  common32 (v, 0x20, (uintptr_t) q->desc);
  common32 (v, 0x24, 0);
  common32 (v, 0x28, (uintptr_t) &q->avail_flags);
  common32 (v, 0x2c, 0);
  common32 (v, 0x30, (uintptr_t) &q->used_flags);
  common32 (v, 0x34, 0);
  common16 (v, 0x1c, 1);
  common8 (v, 0x14, 1 | 2 | 4 | 8);
  return NULL;
}

static bool
lapic_irr (uint8_t vector)
{
  volatile uint32_t *irr = (volatile uint32_t *) (LAPIC_BASE + 0x200 + 0x10 * (vector / 32));

  return (*irr >> (vector % 32)) & 1;
}

static void
set_desc (Queue *q, unsigned i, void *addr, uint32_t len, uint16_t flags)
{
  q->desc[i].addr = (uintptr_t) addr;
  q->desc[i].len = len;
  q->desc[i].flags = flags;
  q->desc[i].next = i + 1;
}

/* Publishes chain 0, rings the doorbell, waits for the used entry. */
static bool
submit (VirtioDev *v, Queue *q)
{
  uint16_t want = q->used_idx + 1;

  q->avail_ring[q->avail_idx % QSIZE] = 0;
  __asm__ volatile("" ::: "memory");
  q->avail_idx++;
  __asm__ volatile("mfence" ::: "memory");
  *(volatile uint16_t *) v->notify = 0;
  for (unsigned i = 0; i < SPIN_LIMIT; i++)
    {
      if (*(volatile uint16_t *) &q->used_idx == want)
        return true;
    }
  return false;
}

static bool
blk_request (VirtioDev *v, uint32_t type, uint8_t *buf, uint32_t len, bool device_writes)
{
  header[0] = type;
  header[8] = 1; /* sector 1 */
  status = 0xff;
  set_desc (&blk_queue, 0, header, 16, 1);
  set_desc (&blk_queue, 1, buf, len, 1 | (device_writes ? 2 : 0));
  set_desc (&blk_queue, 2, (void *) &status, 1, 2);
  return submit (v, &blk_queue) && status == 0;
}

static bool
wait_irr (uint8_t vector)
{
  for (unsigned i = 0; i < SPIN_LIMIT; i++)
    {
      if (lapic_irr (vector))
        return true;
    }
  return false;
}

static const char *
blk_test (VirtioDev *v)
{
  for (unsigned i = 0; i < sizeof data_out; i++)
    data_out[i] = (uint8_t) (i * 7 + 0x11);
  if (!blk_request (v, 1, data_out, sizeof data_out, false))
    return "write failed";
  con_printf ("blk: write ok\n");
  if (!wait_irr (VECTOR_BLK_W))
    return "no MSI-X interrupt after the write";
  set_vector (v, 0, VECTOR_BLK_R);
  if (!blk_request (v, 0, data_in, sizeof data_in, true) || memcmp (data_in, data_out, 512) != 0)
    return "read back differs";
  con_printf ("blk: read ok\n");
  if (!wait_irr (VECTOR_BLK_R))
    return "no MSI-X interrupt after the read";
  con_printf ("blk: msix ok\n");
  if (!blk_request (v, 8, serial, sizeof serial - 1, true))
    return "GET_ID failed";
  con_printf ("blk: serial %s\n", (const char *) serial);
  return NULL;
}

static const char *
rng_test (VirtioDev *v)
{
  unsigned distinct = 0;

  set_desc (&rng_queue, 0, random_bytes, sizeof random_bytes, 2);
  if (!submit (v, &rng_queue) || rng_queue.used_ring[0].len != sizeof random_bytes)
    return "no random bytes";
  for (unsigned i = 0; i < sizeof random_bytes; i++)
    {
      bool seen = false;

      for (unsigned j = 0; j < i; j++)
        seen |= random_bytes[j] == random_bytes[i];
      distinct += !seen;
    }
  con_printf ("rng: ok %u distinct of 32\n", distinct);
  return distinct > 8 ? NULL : "the bytes are not random";
}

static bool
run (const char *what, const char *error)
{
  if (error)
    con_printf ("FAIL %s: %s\n", what, error);
  return error == NULL;
}

void
guest_main (const GuestBoot *boot)
{
  VirtioDev blk = { 0 }, rng = { 0 };
  int dev;

  /* The LAPIC must be software-enabled to take MSIs into its IRR. */
  phys_map (LAPIC_BASE, 4096, true);
  *(volatile uint32_t *) (LAPIC_BASE + 0xf0) = 0x1ff;
  if ((dev = pci_find (0x1042)) < 0)
    {
      con_printf ("FAIL blk: no virtio-blk on bus 0\n");
      return;
    }
  con_printf ("pci: %d 1af4:1042\n", dev);
  blk.dev = dev;
  if (!run ("blk", virtio_init (&blk, &blk_queue, VECTOR_BLK_W)) || !run ("blk", blk_test (&blk)))
    return;
  if ((dev = pci_find (0x1044)) < 0)
    {
      con_printf ("FAIL rng: no virtio-rng on bus 0\n");
      return;
    }
  con_printf ("pci: %d 1af4:1044\n", dev);
  rng.dev = dev;
  if (!run ("rng", virtio_init (&rng, &rng_queue, VECTOR_RNG)) || !run ("rng", rng_test (&rng)))
    return;
  con_printf ("virtio: done\n");
}
